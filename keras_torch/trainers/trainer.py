"""The training API mixed into ``Model``: compile / fit / evaluate / predict.

The loop is plain Python around three overridable steps (``train_step``, ``test_step``,
``predict_step``), like Keras 3's torch trainer. Logs hold 0-d device tensors; only the
progress bar (throttled) and epoch-end callbacks turn them into Python floats, so a step makes
no host syncs.

Distribution is the model's ``distribute_strategy`` (``keras_torch.distribution.strategy``): the
loop calls it at fixed points (placement, data sharding, step wrapping, epoch end, metric
reduction, prediction gathering) and has no branch of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core import tree
from keras_torch.core.context import CALL_CONTEXT as _CTX
from keras_torch.distribution.context import current_strategy
from keras_torch.distribution.strategy import SINGLE_DEVICE, Strategy
from keras_torch.layers.base import Layer
from keras_torch.trainers import data_adapter
from keras_torch.trainers import jit as _jit
from keras_torch.trainers.compile_utils import CompileLoss, CompileMetrics
from keras_torch.trainers.loop_utils import (
    check_finite,
    check_finite_loss,
    concat_outputs,
    resolve_verbose,
    single_or_list,
    steps_per_execution,
    to_floats,
)
from keras_torch.trainers.step_utils import ScalerShim, autocast, batch_size, grad_scaler

_LEGACY_LOOP_KWARGS = ("max_queue_size", "workers", "use_multiprocessing")


class Trainer:
    """Mixin holding the Keras training API. ``Model`` inherits it.

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

    def get_compile_config(self) -> dict[str, Any] | None:
        return self._compile_config

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
            regs = d["_fit_regularized"] = [
                (layer, rec)
                for layer in self._flatten_layers()
                if isinstance(layer, Layer)
                for rec in layer._keras_records
                if rec.regularizer is not None
            ]
        out = []
        for layer, rec in regs:
            t = getattr(layer, rec.attr)
            out.append(rec.regularizer(rec.to_keras(t) if rec.to_keras is not None else t))
        return out

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
            scaler = grad_scaler(self, x)
            if scaler is None:
                loss.backward()
            else:
                scaler.scale(loss).backward()
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
            self._loss_tracker.update_state(loss, sample_weight=batch_size(x))
            return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with autocast(x):
            y_pred = _jit.inference(self, x) if self._jit_compile else self(x, training=False)
        if self._compile_loss is not None or self.losses:
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
            self._loss_tracker.update_state(loss, sample_weight=batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        with autocast(x):
            return _jit.inference(self, x) if self._jit_compile else self(x, training=False)

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
        state.pop("_jit_state", None)  # compiled functions do not pickle; rebuilt on next use
        return state

    # ------------------------------------------------------------------ loop plumbing
    @property
    def distribute_strategy(self) -> Strategy:
        """The strategy the next ``fit``/``evaluate``/``predict`` runs under (``keras.distribution``)."""
        return current_strategy()

    @contextlib.contextmanager
    def _running(self, strategy: Strategy) -> Iterator[None]:
        """Within a loop, metric results are reduced through ``strategy``."""
        outer, self._strategy = self._strategy, strategy
        try:
            yield
        finally:
            self._strategy = outer

    def _data(self, strategy: Strategy, x: Any, *args: Any, **kwargs: Any) -> data_adapter.DataHandler:
        """A data pipeline for this loop, sharded by ``strategy``."""
        handler = data_adapter.DataHandler(x, *args, **kwargs)
        strategy.distribute_data(handler)
        return handler

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call `compile()` before calling `{what}()`.")

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: list[Any] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: Any = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
        **kwargs: Any,
    ) -> Any:
        """Train for ``epochs`` epochs; returns a ``History`` (Keras signature and behaviour)."""
        from keras_torch.callbacks import CallbackList

        for legacy in _LEGACY_LOOP_KWARGS:
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `fit()`: {sorted(kwargs)}")
        self._assert_compiled("fit")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split
            )
        handler = self._data(strategy, x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps_per_epoch,
                             shuffle=shuffle, class_weight=class_weight, device=device)
        val_handler = None
        if validation_data is not None:
            vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(validation_data)
            val_handler = self._data(strategy, vx, vy, vsw, batch_size=validation_batch_size or batch_size,
                                     steps_per_epoch=validation_steps, device=device)
        verbose = resolve_verbose(verbose)
        verbose = verbose if strategy.is_chief else 0  # (data parallel: rank 0 prints)
        strategy.build_model(self, handler)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs,
            steps=handler.steps(), model=self,
        )
        self._ensure_loss_tracker()
        self._train_vars = self.trainable_weights or None  # None: not built yet, see train_step
        if self._train_vars and hasattr(self.optimizer, "build"):
            self.optimizer.build(self._train_vars)
        step_fn = self._make_train_function()
        self.stop_training = False
        self.__dict__["_fit_regularized"] = None  # see _step_losses
        cbs.on_train_begin()
        initial_epoch = strategy.begin_fit(self, self._initial_epoch or initial_epoch)
        step_fn = strategy.wrap_train_step(self, step_fn)
        training_logs: dict[str, Any] = {}
        check = _config.check_numerics_enabled()  # read once: no per-batch cost when off
        spe = steps_per_execution(self)
        with self._running(strategy):
            for epoch in range(initial_epoch, epochs):
                self._train_epoch(handler, step_fn, cbs, epoch, check, spe)
                strategy.end_epoch(self)
                epoch_logs = to_floats(self.get_metrics_result())
                if val_handler is not None and (epoch + 1) % max(1, int(validation_freq)) == 0:
                    val_logs = self._evaluate_handler(val_handler, cbs, strategy)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                self.stop_training = strategy.stop_requested(self.stop_training)
                if self.stop_training:
                    break
        self.eval()
        self._train_vars = None
        self.__dict__.pop("_fit_regularized", None)
        cbs.on_train_end(logs=training_logs)
        strategy.end_fit(self)
        return self.history

    def _train_epoch(self, handler: Any, step_fn: Callable[[Any], Any], cbs: Any, epoch: int, check: bool,
                     spe: int) -> None:
        """One epoch of train steps (``check``: numerics checks; batch callbacks every ``spe`` steps)."""
        self.reset_metrics()
        cbs.on_epoch_begin(epoch)
        self.train()
        logs: dict[str, Any] = {}
        seen = pending = False
        for step, batch in enumerate(handler.epoch_iterator(epoch)):
            seen = True
            if check:
                check_finite(batch, "training", epoch, step)
            if not pending:
                cbs.on_train_batch_begin(step)
            logs = step_fn(batch)
            if check:
                check_finite_loss(logs, epoch, step)
            pending = (step + 1) % spe != 0  # batch callbacks once per execution of `spe` steps
            if not pending:
                cbs.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        if pending:
            cbs.on_train_batch_end(step, logs)
        if not seen:
            raise ValueError("The training dataset produced no batches: it is empty (or steps_per_epoch=0).")

    # ------------------------------------------------------------------ evaluate
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: list[Any] | None = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Loss and metrics on the given data (list, scalar, or dict with ``return_dict``)."""
        from keras_torch.callbacks import CallbackList

        for legacy in _LEGACY_LOOP_KWARGS:
            kwargs.pop(legacy, None)
        self._assert_compiled("evaluate")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        handler = self._data(strategy, x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps,
                             device=device)
        verbose = resolve_verbose(verbose)
        verbose = verbose if strategy.is_chief else 0
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=False, add_progbar=verbose != 0, verbose=verbose, epochs=1,
            steps=handler.steps(), model=self,
        )
        logs = self._evaluate_handler(handler, cbs, strategy)
        return logs if return_dict else single_or_list(logs)

    def _evaluate_handler(self, handler: Any, cbs: Any, strategy: Strategy) -> dict[str, float]:
        self._ensure_loss_tracker()
        was_training = self.training
        self.eval()
        if cbs is not None:
            cbs.on_test_begin()
        self.reset_metrics()
        logs: dict[str, Any] = {}
        test_step = strategy.wrap_test_step(self, self.test_step)
        check = _config.check_numerics_enabled()
        spe = steps_per_execution(self)
        seen = pending = False
        with self._running(strategy), torch.no_grad():
            for step, batch in enumerate(handler.epoch_iterator()):
                seen = True
                if check:
                    check_finite(batch, "evaluation", None, step)
                if cbs is not None and not pending:
                    cbs.on_test_batch_begin(step)
                logs = test_step(batch)
                pending = (step + 1) % spe != 0
                if cbs is not None and not pending:
                    cbs.on_test_batch_end(step, logs)
            if cbs is not None and pending:
                cbs.on_test_batch_end(step, logs)
            if not seen:
                if was_training:
                    self.train()
                raise ValueError("The evaluation dataset produced no batches: it is empty (or steps=0). "
                                 "Nothing can be evaluated on 0 samples.")
            logs = to_floats(self.get_metrics_result())
        if cbs is not None:
            cbs.on_test_end(logs)
        if was_training:
            self.train()
        return logs

    # ------------------------------------------------------------------ predict
    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: list[Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Model outputs for ``x`` as numpy arrays (batched, inference mode)."""
        from keras_torch.callbacks import CallbackList

        for legacy in _LEGACY_LOOP_KWARGS:
            kwargs.pop(legacy, None)
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        if isinstance(x, tuple) and len(x) in (2, 3) and not self._expects_tuple_input(x):
            x = x[0]
        handler = self._data(strategy, x, batch_size=batch_size, steps_per_epoch=steps, device=device,
                             for_predict=True)
        verbose = resolve_verbose(verbose)
        verbose = verbose if strategy.is_chief else 0
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=False, add_progbar=verbose != 0, verbose=verbose, epochs=1,
            steps=handler.steps(), model=self,
        )
        self.eval()
        cbs.on_predict_begin()
        outputs: list[Any] = []
        check = _config.check_numerics_enabled()
        with torch.no_grad():
            for step, batch in enumerate(handler.epoch_iterator()):
                if check:
                    check_finite(batch, "prediction", None, step)
                cbs.on_predict_batch_begin(step)
                out = self.predict_step(batch)
                if check:
                    check_finite(out, "output (model)", None, step, outputs=True)
                outputs.append(tree.map_structure(lambda t: t.detach(), out))
                cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not outputs:
            raise ValueError("The prediction dataset produced no batches: it is empty (or steps=0). "
                             "Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)`"
                             " for more information of where went wrong, or file a issue/bug to `keras`.")
        return strategy.gather_predictions(concat_outputs(outputs), handler)  # every rank gets all, in order

    def _expects_tuple_input(self, x: tuple) -> bool:
        try:
            return len(self.inputs or []) == len(x)
        except (AttributeError, TypeError):
            return False

    # ------------------------------------------------------------------ batch APIs
    def train_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
        return_dict: bool = False,
    ) -> Any:
        """One gradient update on one batch; returns the loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        self._ensure_loss_tracker()
        self.reset_metrics()
        # The batch is global: under data parallelism each process trains on its share.
        handler = self._data(strategy, x, y, sample_weight, batch_size=max(1, batch_size(x)),
                             class_weight=class_weight, device=device)
        self.train()
        logs: dict[str, Any] = {}
        strategy.build_model(self, handler)
        strategy.sync_model(self)
        step_fn = strategy.wrap_train_step(self, self._make_train_function())
        self._train_vars = self.trainable_weights or None
        with self._running(strategy):
            for batch in handler.epoch_iterator():
                logs = step_fn(batch)
        self._train_vars = None
        logs = to_floats(logs)
        return logs if return_dict else single_or_list(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        self._assert_compiled("test_on_batch")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        handler = self._data(strategy, x, y, sample_weight, batch_size=max(1, batch_size(x)), device=device)
        logs = self._evaluate_handler(handler, None, strategy)
        return logs if return_dict else single_or_list(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for one batch as numpy (inference mode; no data pipeline, no callbacks)."""
        if self.training:  # module.train(False) walks every sub-module: only when needed
            self.eval()
        if type(x) is np.ndarray and x.dtype == np.float32:
            out = self._direct_predict(x)
            if out is not None:
                return out
        # Never distributed: a rank may call it alone (it must not join the process group).
        device = SINGLE_DEVICE.place(self)
        with torch.no_grad():
            if isinstance(x, np.ndarray) and x.dtype == np.float32:
                x = torch.from_numpy(x).to(device, non_blocking=True)
            else:
                x = tree.map_structure(lambda v: data_adapter.to_tensor(v, device), x)
            out = self(x, training=False)
        if isinstance(out, torch.Tensor):
            self._allow_direct_predict(x, device)
            return out.cpu().numpy()
        return tree.map_structure(lambda t: t.detach().cpu().numpy(), out)

    def _direct_predict(self, x: np.ndarray) -> Any:
        """``predict_on_batch``'s latency path (``None``: take the general one); see ``Model``."""
        return None

    def _allow_direct_predict(self, x: torch.Tensor, device: torch.device) -> None:
        """After a general ``predict_on_batch`` call on ``x``: may later calls take the latency path?"""
