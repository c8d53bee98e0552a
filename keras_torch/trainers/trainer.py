"""The training API mixed into ``Model``: compile / fit / evaluate / predict.

The loop is plain Python around three overridable steps (``train_step``, ``test_step``,
``predict_step``), like Keras 3's torch trainer. Logs hold 0-d device tensors; only the
progress bar (throttled) and epoch-end callbacks turn them into Python floats, so a step makes
no host syncs.

The loops (fit/evaluate/predict) live in ``trainers/loops.py``; distribution is the model's
``distribute_strategy``, which they call at fixed points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from keras_torch.core.context import CALL_CONTEXT as _CTX
from keras_torch.distribution.strategy import SINGLE_DEVICE, Strategy
from keras_torch.layers.base import Layer
from keras_torch.saving.compile_config import serialize_compile_arguments
from keras_torch.trainers import data_adapter
from keras_torch.trainers import jit as _jit
from keras_torch.trainers.compile_utils import CompileLoss, CompileMetrics
from keras_torch.trainers.loops import TrainingLoops
from keras_torch.trainers.step_utils import ScalerShim, autocast, batch_rows, grad_scaler


class Trainer(TrainingLoops):
    """Mixin holding the Keras training API. ``Model`` inherits it.

    Here: compile, metrics, loss and the steps; the loops are in ``TrainingLoops``.

    Its state is declared here with class-level defaults (immutable ones only), so a read never
    falls through to ``nn.Module.__getattr__`` (slow for missing names) on the hot path.
    """

    # ---- compile()
    compiled: bool = False
    optimizer: Any = None
    loss: Any = None
    run_eagerly: bool = False
    steps_per_execution: int = 1
    _compile_loss: CompileLoss | None = None
    _compile_metrics: CompileMetrics | None = None
    _compile_config: dict[str, Any] | None = None
    _jit_compile: bool = False  # compile(jit_compile=True): forward and loss through torch.compile
    _jit_state: dict[str, Any] | None = None  # trainers/jit.py: compiled functions (not pickled)
    # ---- metrics, created by the first fit/evaluate after compile()
    _loss_tracker: Any = None
    _output_loss_trackers: tuple = ()  # one Mean per output of a multi-output compiled loss
    # ---- fit()
    stop_training: bool = False
    history: Any = None
    _initial_epoch: int | None = None  # set by BackupAndRestore when it restores a run
    _train_vars: list[torch.Tensor] | None = None  # trainable weights during a loop (None: look up)
    _grad_scaler: torch.amp.GradScaler | None = None  # mixed_float16 loss scaling
    # ---- distribution (see keras_torch.distribution.strategy)
    _strategy: Strategy = SINGLE_DEVICE  # the strategy of the loop running now
    # While set (by a strategy, for a train step), ``model(...)`` runs as
    # ``_call_wrapper(model's own __call__, ...)``: DataParallel routes it through DDP.
    _call_wrapper: Callable[..., Any] | None = None
    _distribution_state: Any = None  # what the strategy keeps per model (DataParallel: its DDP wrapper)

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
        **kwargs: Any,
    ) -> None:
        """Configure the model for training (Keras signature; strings or objects everywhere).

        Args:
            optimizer: Name or optimizer instance (default ``"rmsprop"`` as Keras).
            loss: Loss name/function/object, or a list/dict per output.
            loss_weights: Scalar weights per output (list or dict).
            metrics: Metrics list (or per-output list/dict), e.g. ``["accuracy"]``.
            weighted_metrics: Metrics weighted by ``sample_weight``.
            run_eagerly: Accepted for compatibility (keras_torch always runs eagerly unless jit).
            steps_per_execution: Batch-level callbacks (and the progress bar) run once per this
                many steps, as in Keras on TensorFlow (the Keras torch backend only accepts 1).
            jit_compile: ``True`` compiles the forward pass and loss with ``torch.compile`` (fit,
                evaluate, predict); a model it cannot compile runs eagerly, with a warning.
            auto_scale_loss: Accepted for compatibility (``mixed_float16`` always scales the loss).
        """
        from keras_torch import metrics as metrics_mod  # noqa: F401 - fail early if metrics broken
        from keras_torch import optimizers

        for legacy in ("sample_weight_mode", "target_tensors", "distribute"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        names = self._output_names_for_compile()
        self._compile_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        loss_specs = self._compile_loss.specs if self._compile_loss is not None else [None] * len(names)
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names, loss_specs)
        self._loss_tracker = None
        self.compiled = True
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self._jit_compile = jit_compile is True
        _jit.reset(self)
        self._compile_config = {
            "optimizer": optimizer if isinstance(optimizer, str) else None,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }

    def _output_names_for_compile(self) -> list[str]:
        try:
            names = list(self.output_names)
        except (AttributeError, TypeError):
            names = None
        return names or ["output"]

    def get_compile_config(self) -> dict[str, Any]:
        """The ``compile()`` arguments, serialized as Keras stores them (``{}`` before ``compile``).

        Returns:
            Keras 3's ``compile_config`` dict (optimizer, loss, metrics, ...).
        """
        if not self.compiled or self.optimizer is None or self._compile_config is None:
            return {}
        return serialize_compile_arguments(self._compile_config, self.optimizer)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        cfg = dict(config)
        self.compile(**{k: v for k, v in cfg.items() if k in (
            "optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
            "steps_per_execution", "jit_compile")})

    def _uses_default_compute_loss(self) -> bool:
        """False when a subclass overrides ``compute_loss`` (trainers/jit.py then keeps it eager)."""
        return type(self).compute_loss is Trainer.compute_loss

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list[Any]:
        """Loss tracker + compiled metrics (after the first step)."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_metrics is not None:
            out.extend(self._compile_metrics.metrics)
        return out

    @property
    def metrics_names(self) -> list[str]:
        return [getattr(m, "_keras_display_name", m.name) for m in self.metrics]

    def _metric_objects(self) -> list[Any]:
        """Every metric whose state a step updates: ``metrics`` and the per-output loss trackers."""
        return list(self.metrics) + [t for t in self._output_loss_trackers if t is not None]

    def reset_metrics(self) -> None:
        for m in self._metric_objects():
            m.reset_state()

    def _ensure_loss_tracker(self) -> None:
        if self._loss_tracker is None:
            from keras_torch.metrics import Mean

            self._loss_tracker = Mean(name="loss")
            names = self._output_names_for_compile()
            if self._compile_loss is not None and len(names) > 1:
                self._output_loss_trackers = tuple(Mean(name=f"{n}_loss") for n in names)

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        """Loss and metric results (0-d tensors); inside a distributed loop, over all processes."""
        return self._strategy.reduce_metrics(self, self._local_metrics_result)

    def _local_metrics_result(self) -> dict[str, Any]:
        if type(self).metrics is not Trainer.metrics:  # a subclass lists its own metrics (a custom train_step)
            return _results(self.metrics)
        logs: dict[str, Any] = {}
        if self._loss_tracker is not None:
            logs["loss"] = self._loss_tracker.result()
        for t in self._output_loss_trackers:
            logs[t.name] = t.result()
        if self._compile_metrics is not None:
            logs.update(self._compile_metrics.result())
        return logs

    # ------------------------------------------------------------------ loss
    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> torch.Tensor:
        """Compiled loss + ``model.losses`` (regularization and ``add_loss``)."""
        compiled = self._compile_loss(y, y_pred, sample_weight) if self._compile_loss is not None else None
        return self._finish_loss(compiled)

    def _finish_loss(self, compiled: tuple[torch.Tensor, list] | None) -> torch.Tensor:
        """``compute_loss`` after the compiled loss: per-output trackers, then ``model.losses``."""
        total = None
        if compiled is not None:
            total, per_output = compiled
            for tracker, value in zip(self._output_loss_trackers, per_output):
                if tracker is not None and value is not None:
                    tracker.update_state(value)
        extra = self._step_losses()
        if extra:
            reg = torch.stack([torch.sum(v.float()) for v in extra]).sum()
            total = reg if total is None else total + reg
        if total is None:
            raise ValueError(
                "No loss to compute. Provide a `loss` argument in `compile()`, or add losses with `add_loss()`."
            )
        return total

    def _step_losses(self) -> list[torch.Tensor]:
        """``self.losses``; inside ``fit`` without a fresh ``add_loss`` the regularized weights are
        looked up once per fit instead of walking every layer each step."""
        d = self.__dict__
        if "_fit_regularized" not in d or _CTX.add_loss_generation == _CTX.generation:
            return self.losses
        regs = d["_fit_regularized"]
        if regs is None:
            found = [(layer, layer.regularization_losses()) for layer in self._flatten_layers()
                     if isinstance(layer, Layer)]
            d["_fit_regularized"] = [layer for layer, losses in found if losses]
            return [loss for _, losses in found for loss in losses]
        return [loss for layer in regs for loss in layer.regularization_losses()]

    def _cache_regularizers(self) -> None:
        """``fit`` begins: ``_step_losses`` may look the regularized weights up once."""
        self.__dict__["_fit_regularized"] = None

    def _drop_regularizer_cache(self) -> None:
        """``fit`` ends (weights may change from here on)."""
        self.__dict__.pop("_fit_regularized", None)

    def _has_output_without_loss(self) -> bool:
        """True when a multi-output model compiled a loss for some outputs only."""
        loss = self._compile_loss
        return loss is not None and len(loss.fns) > 1 and any(fn is None for fn in loss.fns)

    # ------------------------------------------------------------------ steps
    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimisation step on a batch; returns logs (0-d tensors)."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with autocast(x):
            if self._jit_compile:
                y_pred, loss = _jit.forward_loss(self, x, y, sample_weight)
            else:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        if self._train_vars is None:  # a subclassed model creates its weights in its first call
            self._train_vars = self.trainable_weights or None
        variables = self._train_vars if self._train_vars is not None else self.trainable_weights
        if variables:
            # Keras scales the loss for the gradients only (loss_scale_factor, LossScaleOptimizer);
            # the optimizer divides the gradients back before applying them.
            grad_loss = self.optimizer.scale_loss(loss)
            scaler = grad_scaler(self, x)
            if scaler is None:
                grad_loss.backward()
            else:
                scaler.scale(grad_loss).backward()
                shim = ScalerShim(variables)
                scaler.unscale_(shim)
                found_inf = sum(v.item() for v in scaler._found_inf_per_device(shim).values())
            if scaler is None or not found_inf:
                self.optimizer.step(variables)
            if scaler is not None:
                scaler.update()
            for v in variables:
                v.grad = None
        with torch.no_grad():  # one no_grad scope for all the metric updates
            self._loss_tracker.update_state(loss, sample_weight=batch_rows(x))
            return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with autocast(x):
            y_pred = _jit.inference(self, x) if self._jit_compile else self(x, training=False)
        if self._compile_loss is not None or self.losses:
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
            self._loss_tracker.update_state(loss, sample_weight=batch_rows(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        with autocast(x):
            return _jit.inference(self, x) if self._jit_compile else self(x, training=False)

    def _epoch_logs(self, step_logs: Any) -> dict[str, Any]:
        """Keras's end-of-epoch logs: the metric results, or the last step's logs when a custom step
        returned other keys than the metrics report."""
        metric_logs = self.get_metrics_result()
        if isinstance(step_logs, dict) and step_logs and set(step_logs) != set(metric_logs):
            return dict(step_logs)
        return metric_logs

    def _make_train_function(self) -> Any:
        # jit_compile=True compiles the forward pass and loss inside train_step (trainers/jit.py);
        # backward, optimizer and metrics stay eager (fused kernels already).
        return self.train_step

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        wrapper = self._call_wrapper
        if wrapper is None:
            return super().__call__(*args, **kwargs)
        return wrapper(super().__call__, *args, **kwargs)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        # Compiled functions do not pickle (rebuilt on next use); a copy is outside any loop.
        for transient in ("_jit_state", "_strategy", "_call_wrapper"):
            state.pop(transient, None)
        return state


def _results(metrics: list[Any]) -> dict[str, Any]:
    """``{name: result}`` of ``metrics`` (a metric returning a dict contributes its entries)."""
    logs: dict[str, Any] = {}
    for m in metrics:
        result = m.result()
        if isinstance(result, dict):
            logs.update(result)
        else:
            logs[m.name] = result
    return logs
