"""``fit`` / ``evaluate`` / ``predict`` and the ``*_on_batch`` APIs: the loops around the steps.

Distribution is the model's ``distribute_strategy`` (``keras_torch.distribution.strategy``): the
loops call it at fixed points (placement, data sharding, step wrapping, epoch end, metric
reduction, prediction gathering) and have no branch of their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
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
    single_or_list,
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
        self._ensure_loss_tracker()
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
        with self._running(strategy):
            for epoch in range(initial_epoch, epochs):
                step_logs = self._train_epoch(handler, step_fn, cbs, epoch, check, spe)
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
                     spe: int) -> Any:
        """One epoch of train steps (``check``: numerics checks; batch callbacks every ``spe`` steps);
        returns the last step's logs."""
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
        verbose = resolve_verbose(verbose, strategy.is_chief)
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=False, add_progbar=verbose != 0, verbose=verbose, epochs=1,
            steps=handler.steps(), model=self,
        )
        logs = self._evaluate_handler(handler, cbs, strategy)
        return logs if return_dict else single_or_list(logs)

    def _evaluate_handler(self, handler: Any, cbs: Any, strategy: Strategy) -> dict[str, float]:
        self._ensure_loss_tracker()
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
            logs = to_floats(self._epoch_logs(logs))
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
        """One gradient update on one batch; returns the loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        self._ensure_loss_tracker()
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
        return logs if return_dict else single_or_list(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        self._assert_compiled("test_on_batch")
        strategy = self.distribute_strategy
        device = strategy.place(self)
        strategy.sync_model(self)
        handler = self._data(strategy, x, y, sample_weight, batch_size=max(1, batch_rows(x)), device=device)
        logs = self._evaluate_handler(handler, None, strategy)
        return logs if return_dict else single_or_list(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for one batch as numpy (inference mode; no data pipeline, no callbacks)."""
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
