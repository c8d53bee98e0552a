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
from keras_torch.core.threads import StepThreadTuner
from keras_torch.distribution.strategy import SINGLE_DEVICE, Strategy
from keras_torch.layers.base import Layer, metric_tracking_generation
from keras_torch.metrics import Mean
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
    # ---- metrics: the loss tracker is created by compile(), the per-output ones by the first loss
    _loss_tracker: Any = None
    _output_loss_trackers: tuple = ()  # one Mean per output of a multi-output compiled loss
    # (metric_tracking_generation(), the metrics tracked by the model and its layers) when last collected
    _tracked_metrics_cache: tuple[int, list[Any]] | None = None
    _untracked_metric_attrs = ("_loss_tracker", "_compile_metrics")  # listed first by `metrics`, not as attributes
    # ---- fit()
    stop_training: bool = False
    history: Any = None
    _initial_epoch: int | None = None  # set by BackupAndRestore when it restores a run
    _train_vars: list[torch.Tensor] | None = None  # trainable weights during a loop (None: look up)
    _grad_scaler: torch.amp.GradScaler | None = None  # mixed_float16 loss scaling
    _thread_tuner: StepThreadTuner | None = None  # fit's CPU thread choice, kept between fits (core/threads.py)
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
        """Configures the model for training: optimizer, loss and metrics.

        Must be called before :meth:`fit`, :meth:`evaluate`, :meth:`train_on_batch` and :meth:`test_on_batch`
        (not before :meth:`predict`). Calling it again replaces the optimizer (and its state), the loss and the
        metrics. Every argument accepts what Keras accepts: names, functions or objects.

        Args:
            optimizer: Optimizer name (``"rmsprop"``, the default as in Keras, ``"adam"``, ``"sgd"``...) or a
                ``keras.optimizers.Optimizer`` instance. A ``torch.optim`` optimizer is not accepted: use the
                Keras equivalent (same update rules).
            loss: The loss: a name (``"mse"``, ``"sparse_categorical_crossentropy"``...), a function
                ``fn(y_true, y_pred)`` returning per-sample losses, or a ``keras.losses.Loss`` instance. For a
                model with several outputs, a list (one per output) or a dict keyed by output name. ``None``: the
                model must add its losses itself (``add_loss``).
            loss_weights: Optional scalar weights of the per-output losses (list or dict); the total loss is their
                weighted sum.
            metrics: List of metrics tracked during training and evaluation: names (``"accuracy"``, ``"mae"``...),
                functions or ``keras.metrics.Metric`` instances. ``"accuracy"`` picks binary, categorical or sparse
                categorical accuracy from the loss and output shape, as Keras does. For several outputs, a list of
                lists or a dict keyed by output name.
            weighted_metrics: Metrics weighted by ``sample_weight`` / ``class_weight`` (same forms as ``metrics``).
            run_eagerly: Accepted for compatibility (keras_torch runs eagerly unless ``jit_compile=True``).
            steps_per_execution: Batch-level callbacks (and the progress bar) run once per this many steps, as in
                Keras on TensorFlow. Default 1.
            jit_compile: ``True`` compiles the forward pass and loss with ``torch.compile`` (fit, evaluate,
                predict); a model that cannot be compiled runs eagerly, with a warning. ``"auto"`` (default) and
                ``False`` run eagerly.
            auto_scale_loss: Accepted for compatibility (under the ``mixed_float16`` policy the loss is always scaled).
            **kwargs: Keras 2's ``sample_weight_mode``, ``target_tensors`` and ``distribute`` are accepted and
                ignored; other names raise ``TypeError``.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        >>> model.compile(
        ...     optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        ...     loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        ...     metrics=["accuracy"],
        ... )
        >>> model.compiled
        True
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
        self._compile_metrics = None
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names, loss_specs)
        self._loss_tracker = Mean(name="loss")
        self._output_loss_trackers = ()
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
        """The metrics tracked by the model, in Keras 3's order.

        After ``compile()``: the loss tracker (``"loss"``), then the compiled metrics as one container
        ``Metric`` named ``"compile_metrics"`` (when ``metrics`` or ``weighted_metrics`` were given; its
        ``metrics`` attribute lists the metric objects once a step has built them, and its ``result()`` is a
        dict), then, for a multi-output loss, the per-output loss trackers (``"<output>_loss"``, after the first
        step), then the ``Metric`` objects assigned as attributes of the model or of its layers. A custom
        ``train_step`` can update them all with ``m.update_state(loss)`` for ``"loss"`` and
        ``m.update_state(y, y_pred)`` otherwise.
        """
        out: list[Any] = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            out.extend(t for t in self._output_loss_trackers if t is not None)
        generation = metric_tracking_generation()
        if generation:
            cache = self._tracked_metrics_cache
            if cache is None or cache[0] != generation:
                cache = (generation, [m for layer in self._flatten_layers() if layer is self
                                      or not isinstance(layer, Trainer)  # a nested model's trackers are its own
                                      for m in layer.__dict__.get("_tracked_metrics", ())])
                self._tracked_metrics_cache = cache
            out.extend(cache[1])
        return out

    @property
    def metrics_names(self) -> list[str]:
        """The names of :attr:`metrics` (``["loss", "compile_metrics"]`` after compiling with metrics)."""
        return [m.name for m in self.metrics]

    def _metric_objects(self) -> list[Any]:
        """Every metric whose state a step updates (their variables are what distribution reduces)."""
        return list(self.metrics)

    def _flatten_metrics_in_order(self, logs: dict[str, Any]) -> Any:
        """``logs`` as the list ``evaluate``/``*_on_batch`` return (Keras 3's order): the values named by
        :attr:`metrics` (a container by its metrics' names) in that order, then the others sorted by name;
        a single value alone."""
        names: list[str] = []
        for m in self.metrics:
            if isinstance(m, CompileMetrics):
                names.extend(sub.name for sub in m.metrics)
            else:
                names.append(m.name)
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    def reset_metrics(self) -> None:
        """Resets the state of every metric of the model (the loss trackers included).

        ``fit`` and ``evaluate`` call it at the start of each epoch / evaluation.
        """
        for m in self._metric_objects():
            m.reset_state()

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        """Updates the compiled metrics with a batch and returns the current metric results.

        Args:
            x: The input batch (unused by the default).
            y: The targets (metrics are not updated when ``None``).
            y_pred: The model outputs.
            sample_weight: Optional per-sample weights (for ``weighted_metrics``).

        Returns:
            A dict mapping the metric names (and ``"loss"``) to their current values.
        """
        if self._compile_metrics is not None and y is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        """Loss and metric results (0-d tensors); inside a distributed loop, over all processes."""
        return self._strategy.reduce_metrics(self, self._local_metrics_result)

    def _local_metrics_result(self) -> dict[str, Any]:
        return _results(self.metrics)

    # ------------------------------------------------------------------ data
    def _data_spec(self) -> data_adapter.DataSpec | None:
        """What this model expects of its data (input dtypes, integer-label classes), when it declares it."""
        from keras_torch.core.dtypes import to_torch_dtype

        try:
            inputs, outputs = list(self.inputs or []), list(self.outputs or [])
            input_names, output_names = list(self.input_names), list(self.output_names)
        except (AttributeError, TypeError, ValueError):  # a subclassed model: known after its first call
            return None
        if not inputs or len(input_names) != len(inputs):
            return None
        dtypes = {}
        for name, kt in zip(input_names, inputs):
            try:
                dtypes[name] = to_torch_dtype(kt.dtype)
            except (TypeError, ValueError):
                return None
        classes: list[int | None] = [None] * len(outputs)
        fns = self._compile_loss.fns if self._compile_loss is not None else []
        for i, (fn, out) in enumerate(zip(fns, outputs)):
            integer = getattr(fn, "_integer_labels", False) or getattr(fn, "_keras_integer_labels", False)
            ignore = getattr(fn, "_fn_kwargs", {}).get("ignore_class") if integer else None
            width = out.shape[-1] if len(out.shape) else None
            if integer and ignore is None and isinstance(width, int) and width > 1:
                classes[i] = width
        return data_adapter.DataSpec(dtypes, classes, output_names)

    # ------------------------------------------------------------------ loss
    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None, training: bool = True
    ) -> torch.Tensor:
        """Computes the total loss of a batch: the compiled loss plus ``model.losses``.

        ``model.losses`` holds the weight-regularization penalties and the losses added with ``add_loss`` during
        the forward pass. Per-output losses of a multi-output model update their ``<output>_loss`` trackers.
        Override it to add custom terms; call it from a custom :meth:`train_step`.

        Args:
            x: The input batch (unused by the default; available to overrides).
            y: The targets.
            y_pred: The model outputs.
            sample_weight: Optional per-sample weights.
            training: Whether the step is a training step.

        Returns:
            A scalar tensor.

        Example:

        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> model.compute_loss(y=torch.ones(4, 1), y_pred=model(torch.zeros(4, 2)))
        tensor(1., grad_fn=<...>)
        """
        compiled = self._compile_loss(y, y_pred, sample_weight) if self._compile_loss is not None else None
        return self._finish_loss(compiled)

    def _finish_loss(self, compiled: tuple[torch.Tensor, list] | None) -> torch.Tensor:
        """``compute_loss`` after the compiled loss: per-output trackers, then ``model.losses``."""
        total = None
        if compiled is not None:
            total, per_output = compiled
            if len(per_output) > 1 and not self._output_loss_trackers:  # Keras: built with the compiled loss
                self._output_loss_trackers = tuple(Mean(name=f"{n}_loss") for n in self._compile_loss.output_names)
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
        """Runs one training step on a batch; :meth:`fit` calls it for every batch.

        The default unpacks ``(x, y, sample_weight)``, runs the forward pass with ``training=True``, computes
        :meth:`compute_loss`, backpropagates, lets the optimizer update the trainable weights and updates the
        metrics. Override it to customize training while keeping everything else ``fit`` does (callbacks,
        progress bar, distribution); use ``self.zero_grad()``, ``loss.backward()`` and
        ``self.optimizer.apply(gradients, weights)`` in it.

        Args:
            data: One batch as produced by the data pipeline: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``.

        Returns:
            A dict of logs (``{"loss": ..., "accuracy": ...}``), shown by the progress bar and passed to callbacks.

        Example:

        >>> class CustomModel(keras.Model):
        ...     def train_step(self, data):
        ...         x, y = data
        ...         self.zero_grad()
        ...         y_pred = self(x, training=True)
        ...         loss = self.compute_loss(y=y, y_pred=y_pred)
        ...         loss.backward()
        ...         weights = self.trainable_weights
        ...         with torch.no_grad():
        ...             self.optimizer.apply([w.grad for w in weights], weights)
        ...         return {"loss": loss.detach()}
        >>> inputs = keras.Input((4,))
        >>> model = CustomModel(inputs, keras.layers.Dense(1)(inputs))
        >>> model.compile(optimizer="adam", loss="mse")
        >>> history = model.fit(np.random.rand(32, 4), np.random.rand(32, 1), epochs=2, verbose=0)
        >>> list(history.history)
        ['loss']
        """
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
        """Runs one evaluation step on a batch (no update); :meth:`evaluate` and validation call it.

        The default runs the forward pass with ``training=False``, updates the loss tracker with
        :meth:`compute_loss` and the compiled metrics. Override it to customize evaluation.

        Args:
            data: One batch: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``.

        Returns:
            A dict of logs (loss and metric results).

        Example:

        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.evaluate(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)
    >>> sorted(model.test_step((torch.zeros(4, 2), torch.zeros(4, 1))))
        ['loss']
        """
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with autocast(x):
            y_pred = _jit.inference(self, x) if self._jit_compile else self(x, training=False)
        if self._compile_loss is not None or self.losses or not self._uses_default_compute_loss():
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
            self._loss_tracker.update_state(loss, sample_weight=batch_rows(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """Runs the model on one batch in inference mode; :meth:`predict` calls it for every batch.

        Override it to post-process predictions (e.g. return class ids instead of scores).

        Args:
            data: One batch: ``x``, or ``(x, y)``/``(x, y, sample_weight)`` whose ``y`` is ignored.

        Returns:
            The model outputs for the batch.

        Example:

        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
        >>> model.predict_step(torch.zeros(4, 2)).shape
        torch.Size([4, 3])
        """
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
    """``{name: result}`` of ``metrics`` (a metric returning a dict contributes its entries; a compile
    container not built yet has none)."""
    logs: dict[str, Any] = {}
    for m in metrics:
        if isinstance(m, CompileMetrics) and not m.built:
            continue
        result = m.result()
        if isinstance(result, dict):
            logs.update(result)
        else:
            logs[m.name] = result
    return logs
