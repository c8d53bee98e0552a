"""``fit`` / ``evaluate`` / ``predict`` and the ``*_on_batch`` APIs: the loops around the steps.

Distribution is the model's ``distribute_strategy`` (``keras_torch.distribution.strategy``): the
loops call it at fixed points (placement, data sharding, step wrapping, epoch end, metric
reduction, prediction gathering) and have no branch of their own.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.callbacks._utils import sort_logs
from keras_torch.core import config as _config
from keras_torch.core import threads as _threads
from keras_torch.core import tree
from keras_torch.distribution.context import current_strategy
from keras_torch.distribution.strategy import SINGLE_DEVICE, Strategy
from keras_torch.layers.training_mode import set_training_flags, training_flags
from keras_torch.trainers import data_adapter
from keras_torch.trainers.loop_utils import (
    check_finite,
    check_finite_loss,
    concat_outputs,
    resolve_verbose,
    steps_per_execution,
    to_floats,
    to_numpy,
)
from keras_torch.trainers.step_utils import batch_rows

_LEGACY_LOOP_KWARGS = ("max_queue_size", "workers", "use_multiprocessing")


class TrainingLoops:
    """Base of ``Trainer``: the loops that run its steps (``train_step``, ``test_step``,
    ``predict_step``) and keep its metrics; the state they use is declared on ``Trainer``."""

    # ------------------------------------------------------------------ plumbing
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
        handler.configure(self._data_spec())
        strategy.distribute_data(handler)
        return handler

    def _inference_threads(self) -> None:
        """The inference thread count (core/threads.py); fixed under jit_compile, where torch.compile guards on
        the thread count and a switch would recompile."""
        if not self._jit_compile:
            _threads.inference_threads()

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
        """Trains the model for a fixed number of epochs (passes over the data).

        Runs the Keras training loop: for each batch, the forward pass in training mode (dropout active,
        BatchNorm on batch statistics), the compiled loss plus ``model.losses``, backpropagation and an
        optimizer step; metrics are updated, callbacks called and, when requested, the validation data
        evaluated at the end of each epoch. :meth:`compile` must be called first.

        Args:
            x: Input data. One of:
                - a numpy array or torch tensor (or array-like), for a model with one input;
                - a list/tuple of arrays, for a model with several inputs (in ``model.inputs`` order);
                - a dict mapping input names to arrays;
                - a ``torch.utils.data.DataLoader``, an iterable/generator or a ``keras.utils.PyDataset``
                  yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches (then ``y`` and ``sample_weight``
                  must not be given: they come from the batches);
                - a map-style ``torch.utils.data.Dataset`` of ``(x, y)`` items, batched with ``batch_size``.
                Data is moved to the model's device batch by batch.
            y: Target data, in the same forms as ``x`` for arrays (one array, a list, or a dict keyed by
                output name). ``None`` when ``x`` yields batches or the model needs no targets.
            batch_size: Number of samples per gradient update for array inputs (default 32). Do not give it
                for DataLoaders, generators or ``PyDataset`` s, which make their own batches (a different
                value is ignored with a warning).
            epochs: Number of epochs to train up to. Training stops at epoch index ``epochs`` (with
                ``initial_epoch``, ``epochs - initial_epoch`` epochs run). ``keras.config.set_max_epochs``
                caps it.
            verbose: ``"auto"`` (default, same as 1), 0 (silent), 1 (a progress bar) or 2 (one line per epoch).
                Only the chief process prints under distributed training.
            callbacks: List of ``keras.callbacks.Callback`` instances called during training
                (``EarlyStopping``, ``ModelCheckpoint``, ``TensorBoard``...). A ``History`` callback and, when
                ``verbose`` is not 0, a progress bar are added automatically.
            validation_split: Float between 0 and 1: the fraction of the array data held out (the last
                samples, taken before any shuffling) and evaluated at the end of each epoch. Only for array inputs.
            validation_data: Data evaluated at the end of each epoch (never trained on): a tuple
                ``(x_val, y_val)`` or ``(x_val, y_val, val_sample_weight)`` of arrays, or a DataLoader/iterable/
                ``PyDataset`` yielding batches. Takes precedence over ``validation_split``.
            shuffle: Whether to shuffle the array samples before each epoch (default ``True``); ``"batch"``
                shuffles the order of the batches only. Ignored for DataLoaders, generators and ``PyDataset`` s.
            class_weight: Optional dict mapping class indices to a weight, used to weight the loss of each
                sample by the weight of its class (e.g. to give more importance to a rare class).
            sample_weight: Optional array of per-sample weights ``(samples,)`` (or ``(samples, timesteps)``
                for temporal data) weighting the loss and the ``weighted_metrics``. Only for array inputs.
            initial_epoch: Epoch at which to start training (useful to resume a previous run).
            steps_per_epoch: Number of batches per epoch. Default: one pass over the data; required to bound
                an infinite generator.
            validation_steps: Number of validation batches evaluated per epoch (default: all of them).
            validation_batch_size: Batch size of array validation data (default: ``batch_size``).
            validation_freq: Run validation every this many epochs (default 1).
            **kwargs: Keras 2's ``max_queue_size``, ``workers`` and ``use_multiprocessing`` are accepted and
                ignored; other names raise ``TypeError``.

        Returns:
            A ``keras.callbacks.History`` object whose ``history`` attribute is a dict mapping each metric name
            (``"loss"``, ``"accuracy"``, ``"val_loss"``...) to its list of per-epoch values.

        Raises:
            RuntimeError: If the model was not compiled.
            ValueError: On mismatched data sizes or empty data.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        >>> x, y = np.random.rand(64, 4), np.random.rand(64, 1)
        >>> history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.25, verbose=0)
        >>> sorted(history.history), len(history.history["loss"])
        (['loss', 'mae', 'val_loss', 'val_mae'], 3)
        """
        from keras_torch.callbacks import CallbackList

        for legacy in _LEGACY_LOOP_KWARGS:
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `fit()`: {sorted(kwargs)}")
        self._assert_compiled("fit")
        epochs = _config.limit_epochs(epochs)  # keras.config.set_max_epochs / KERAS_MAX_EPOCHS
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
            # (batch_size is for the training arrays: a validation DataLoader/dataset keeps its own batches)
            vbs = validation_batch_size or (None if data_adapter.yields_batches(vx) else batch_size)
            val_handler = self._data(strategy, vx, vy, vsw, batch_size=vbs,
                                     steps_per_epoch=validation_steps, device=device)
        verbose = resolve_verbose(verbose, strategy.is_chief)
        strategy.build_model(self, handler)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs,
            steps=handler.steps(), model=self,
        )
        self._train_vars = self.trainable_weights or None  # None: not built yet, see train_step
        if self._train_vars and hasattr(self.optimizer, "build"):
            self.optimizer.build(self._train_vars)
        step_fn = self._make_train_function()
        self.stop_training = False
        self._cache_regularizers()
        cbs.on_train_begin()
        initial_epoch = strategy.begin_fit(self, self._initial_epoch or initial_epoch)
        step_fn = strategy.wrap_train_step(self, step_fn)
        training_logs: dict[str, Any] = {}
        check = _config.check_numerics_enabled()  # read once: no per-batch cost when off
        spe = steps_per_execution(self)
        was_training = self.training
        # On the CPU, fit times its steps at the policy's thread count and at one thread and keeps the
        # faster (core/threads.py: threads spin-wait for each other when other processes share the cores).
        # Not under jit_compile: torch.compile guards on the thread count, so a switch would recompile.
        tuner = None if self._jit_compile else _threads.fit_tuner(self._thread_tuner, device)
        self._thread_tuner = tuner or self._thread_tuner
        with self._running(strategy), _threads.tuning(tuner):
            for epoch in range(initial_epoch, epochs):
                step_logs = self._train_epoch(handler, step_fn, cbs, epoch, check, spe, tuner)
                strategy.end_epoch(self)
                epoch_logs = to_floats(self._epoch_logs(step_logs))
                if val_handler is not None and (epoch + 1) % max(1, int(validation_freq)) == 0:
                    val_logs = self._evaluate_handler(val_handler, cbs, strategy)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                self.stop_training = strategy.stop_requested(self.stop_training)
                if self.stop_training:
                    break
        set_training_flags(self, was_training)
        self._train_vars = None
        self._drop_regularizer_cache()
        cbs.on_train_end(logs=training_logs)
        strategy.end_fit(self)
        return self.history

    def _train_epoch(self, handler: Any, step_fn: Callable[[Any], Any], cbs: Any, epoch: int, check: bool,
                     spe: int, tuner: _threads.StepThreadTuner | None = None) -> Any:
        """One epoch of train steps (``check``: numerics checks; batch callbacks every ``spe`` steps;
        ``tuner``: told each step's duration); returns the last step's logs."""
        self.reset_metrics()
        cbs.on_epoch_begin(epoch)
        set_training_flags(self, True)
        logs: dict[str, Any] = {}
        seen = pending = False
        for step, batch in enumerate(handler.epoch_iterator(epoch)):
            seen = True
            if check:
                check_finite(batch, "training", epoch, step)
            if not pending:
                cbs.on_train_batch_begin(step)
            if tuner is None:
                logs = step_fn(batch)
            else:
                start = time.perf_counter()
                logs = step_fn(batch)
                tuner.record(time.perf_counter() - start)
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
        return logs

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
        """Returns the loss and metric values of the model on the given data, in inference mode.

        Computation runs batch by batch without gradients; the metrics are reset first, so the values cover
        exactly this data. :meth:`compile` must be called first.

        Args:
            x: Input data. One of:
                - a numpy array or torch tensor (or array-like), for a model with one input;
                - a list/tuple of arrays, for a model with several inputs (in ``model.inputs`` order);
                - a dict mapping input names to arrays;
                - a ``torch.utils.data.DataLoader``, an iterable/generator or a ``keras.utils.PyDataset``
                  yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches (then ``y`` and ``sample_weight``
                  must not be given: they come from the batches);
                - a map-style ``torch.utils.data.Dataset`` of ``(x, y)`` items, batched with ``batch_size``.
                Data is moved to the model's device batch by batch.
            y: Target data, as in :meth:`fit`.
            batch_size: Samples per batch for array inputs (default 32); not for sources that yield batches.
            verbose: ``"auto"`` (default, same as 1), 0 (silent) or 1 (progress bar).
            sample_weight: Optional per-sample weights for the loss and ``weighted_metrics``.
            steps: Number of batches to evaluate (default: all of the data).
            callbacks: List of callbacks called during evaluation (``on_test_*`` hooks).
            return_dict: Return a dict ``{name: value}`` instead of a list.
            **kwargs: Keras 2's ``max_queue_size``, ``workers`` and ``use_multiprocessing`` are accepted and ignored.

        Returns:
            The scalar loss if the model has no metrics; otherwise a list ``[loss, metric1, ...]`` in the order
            of ``model.metrics`` (compiled metrics in compile order, then the other values by name); with
            ``return_dict=True`` a dict mapping each name to its value.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
        >>> loss, mae = model.evaluate(x, y, verbose=0)
        >>> sorted(model.evaluate(x, y, verbose=0, return_dict=True))
        ['loss', 'mae']
        """
        from keras_torch.callbacks import CallbackList

        for legacy in _LEGACY_LOOP_KWARGS:
            kwargs.pop(legacy, None)
        self._assert_compiled("evaluate")
        self._inference_threads()
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        handler = self._data(strategy, x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps,
                             device=device)
        verbose = resolve_verbose(verbose, strategy.is_chief)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=False, add_progbar=verbose != 0, verbose=verbose, epochs=1,
            steps=handler.steps(), model=self,
        )
        logs = self._evaluate_handler(handler, cbs, strategy)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def _evaluate_handler(self, handler: Any, cbs: Any, strategy: Strategy) -> dict[str, float]:
        was_training = self.training
        set_training_flags(self, False)
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
                    set_training_flags(self, True)
                raise ValueError("The evaluation dataset produced no batches: it is empty (or steps=0). "
                                 "Nothing can be evaluated on 0 samples.")
            logs = sort_logs(to_floats(self._epoch_logs(logs)))  # Keras: flat, sorted by name
        if cbs is not None:
            cbs.on_test_end(logs)
        if was_training:
            set_training_flags(self, True)
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
        """Generates output predictions for the input samples, in inference mode.

        Runs the model batch by batch under ``torch.no_grad()`` (dropout off, BatchNorm on moving statistics)
        and concatenates the outputs. For a few samples, calling the model directly (``model(x)``) or
        :meth:`predict_on_batch` is faster. The model needs not be compiled.

        Args:
            x: Input data. One of:
                - a numpy array or torch tensor (or array-like), for a model with one input;
                - a list/tuple of arrays, for a model with several inputs (in ``model.inputs`` order);
                - a dict mapping input names to arrays;
                - a ``torch.utils.data.DataLoader``, an iterable/generator or a ``keras.utils.PyDataset``
                  yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches (then ``y`` and ``sample_weight``
                  must not be given: they come from the batches);
                - a map-style ``torch.utils.data.Dataset`` of ``(x, y)`` items, batched with ``batch_size``.
                Data is moved to the model's device batch by batch.
                A source yielding ``(x, y)`` batches is accepted: ``y`` is ignored.
            batch_size: Samples per batch for array inputs (default 32).
            verbose: ``"auto"`` (default, same as 1), 0 (silent) or 1 (progress bar).
            steps: Number of batches to predict (default: all of the data).
            callbacks: List of callbacks called during prediction (``on_predict_*`` hooks).
            **kwargs: Keras 2's ``max_queue_size``, ``workers`` and ``use_multiprocessing`` are accepted and ignored.

        Returns:
            Numpy array(s) of predictions: one array for a single-output model, else a list (or dict) matching
            the model's outputs, with the samples of all batches concatenated.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        >>> preds = model.predict(np.random.rand(10, 4), verbose=0)
        >>> type(preds).__name__, preds.shape
        ('ndarray', (10, 3))
        """
        from keras_torch.callbacks import CallbackList

        for legacy in _LEGACY_LOOP_KWARGS:
            kwargs.pop(legacy, None)
        self._inference_threads()
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        if isinstance(x, tuple) and len(x) in (2, 3) and not self._expects_tuple_input(x):
            x = x[0]
        handler = self._data(strategy, x, batch_size=batch_size, steps_per_epoch=steps, device=device,
                             for_predict=True)
        verbose = resolve_verbose(verbose, strategy.is_chief)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=False, add_progbar=verbose != 0, verbose=verbose, epochs=1,
            steps=handler.steps(), model=self,
        )
        was_training = self.training
        set_training_flags(self, False)
        cbs.on_predict_begin()
        outputs: list[Any] = []
        check = _config.check_numerics_enabled()
        with torch.no_grad():
            for step, batch in enumerate(handler.epoch_iterator()):
                if check:
                    check_finite(batch, "prediction", None, step)
                cbs.on_predict_batch_begin(step)
                self._inference_threads()
                out = self.predict_step(batch)
                if check:
                    check_finite(out, "output (model)", None, step, outputs=True)
                outputs.append(tree.map_structure(lambda t: t.detach(), out))
                cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if was_training:
            set_training_flags(self, True)
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
        """Runs a single gradient update on one batch of data.

        Args:
            x: Input data of one batch: an array, a list of arrays (several inputs) or a dict keyed by input name.
            y: Target data, in the same forms; ``None`` if the model needs no targets.
            sample_weight: Optional per-sample weights, one per sample of the batch.
            class_weight: Optional dict mapping class indices to loss weights.
            return_dict: Return a dict ``{name: value}`` instead of a list.

        Returns:
            The scalar training loss if the model has no metrics; otherwise ``[loss, metric1, ...]``, or a dict
            with ``return_dict=True``. Metrics cover this batch only (they are reset first).

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> loss = model.train_on_batch(np.random.rand(8, 4), np.random.rand(8, 1))
        >>> isinstance(loss, float)
        True
        """
        self._assert_compiled("train_on_batch")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        self.reset_metrics()
        # The batch is global: under data parallelism each process trains on its share.
        handler = self._data(strategy, x, y, sample_weight, batch_size=max(1, batch_rows(x)),
                             class_weight=class_weight, device=device)
        set_training_flags(self, True)
        logs: dict[str, Any] = {}
        strategy.build_model(self, handler)
        strategy.sync_model(self)
        step_fn = strategy.wrap_train_step(self, self._make_train_function())
        self._train_vars = self.trainable_weights or None
        with self._running(strategy):
            for batch in handler.epoch_iterator():
                logs = step_fn(batch)
        self._train_vars = None
        if self._torch_mode is False:  # a torch user's model.eval() stays visible to torch sub-modules
            set_training_flags(self, False)
        logs = to_floats(logs)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        """Returns the loss and metrics of the model on one batch, in inference mode (no update).

        Args:
            x: Input data of one batch: an array, a list of arrays (several inputs) or a dict keyed by input name.
            y: Target data, in the same forms.
            sample_weight: Optional per-sample weights, one per sample of the batch.
            return_dict: Return a dict ``{name: value}`` instead of a list.

        Returns:
            The scalar loss if the model has no metrics; otherwise ``[loss, metric1, ...]``, or a dict with
            ``return_dict=True``.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> model.test_on_batch(np.zeros((8, 4)), np.zeros((8, 1)), return_dict=True)
        {'loss': 0.0, 'mae': 0.0}
        """
        self._assert_compiled("test_on_batch")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        handler = self._data(strategy, x, y, sample_weight, batch_size=max(1, batch_rows(x)), device=device)
        logs = self._evaluate_handler(handler, None, strategy)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """Returns the predictions for one batch of samples, in inference mode.

        No data pipeline, callbacks or progress bar: the lowest-latency way to get numpy outputs (a float32
        numpy batch of a plain model takes a direct path).

        Args:
            x: Input data of one batch: an array, a list of arrays (several inputs) or a dict keyed by input name.

        Returns:
            Numpy array(s) of predictions, structured like the model's outputs.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> model.predict_on_batch(np.zeros((3, 4), "float32")).shape
        (3, 2)
        """
        self._inference_threads()
        if self.training:  # (walks every sub-module: only when needed)
            if self._torch_mode:  # a torch user's model.train(): back to it afterwards
                with training_flags(self, False):
                    return self.predict_on_batch(x)
            set_training_flags(self, False)
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
            return to_numpy(out)
        return tree.map_structure(to_numpy, out)

    def _direct_predict(self, x: np.ndarray) -> Any:
        """``predict_on_batch``'s latency path (``None``: take the general one); see ``Model``."""
        return None

    def _allow_direct_predict(self, x: torch.Tensor, device: torch.device) -> None:
        """After a general ``predict_on_batch`` call on ``x``: may later calls take the latency path?"""
