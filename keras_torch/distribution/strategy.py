"""Strategies: how ``fit``/``evaluate``/``predict`` place the model, read data and combine steps.

The trainer runs one loop and calls its model's ``distribute_strategy`` at fixed points; a
strategy decides what each point means. :class:`SingleDeviceStrategy` (one process) places the
model and otherwise does nothing; ``DataParallel`` (one process per device) shards the data,
synchronizes gradients and reduces results. A model-parallel strategy would implement the same
points (see the FSDP note in ``keras_torch.distribution``).

The model side of the contract (``keras_torch.trainers.trainer.Trainer``): ``_call_wrapper``,
``_distribution_state``, ``_metric_objects()`` and ``_has_output_without_loss()``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

import torch

from keras_torch.core import config as _config

StepFn = Callable[[Any], Any]


class Strategy(abc.ABC):
    """The points of the training loop a distribution strategy controls."""

    @property
    @abc.abstractmethod
    def is_chief(self) -> bool:
        """True in the process that prints progress and writes files."""

    @abc.abstractmethod
    def place(self, model: Any) -> torch.device:
        """Put ``model`` where it trains; returns the device its data goes to."""

    @abc.abstractmethod
    def distribute_data(self, handler: Any) -> None:
        """Make the data pipeline ``handler`` (a ``DataHandler``) read this process' share."""

    @abc.abstractmethod
    def build_model(self, model: Any, handler: Any) -> None:
        """Create the weights of an unbuilt model before training, if the strategy needs them."""

    @abc.abstractmethod
    def sync_model(self, model: Any) -> None:
        """Make the replicas of ``model`` equal before evaluating or predicting (once per model)."""

    @abc.abstractmethod
    def begin_fit(self, model: Any, initial_epoch: int) -> int:
        """After ``on_train_begin``: equalize the replicas; returns the epoch to start at."""

    @abc.abstractmethod
    def wrap_train_step(self, model: Any, step_fn: StepFn) -> StepFn:
        """The train step as the loop runs it."""

    @abc.abstractmethod
    def wrap_test_step(self, model: Any, step_fn: StepFn) -> StepFn:
        """The test step as the loop runs it."""

    @abc.abstractmethod
    def end_epoch(self, model: Any) -> None:
        """After an epoch's last step, before its results are read."""

    @abc.abstractmethod
    def stop_requested(self, stop_training: bool) -> bool:
        """Whether training stops after this epoch, given this process' ``model.stop_training``."""

    @abc.abstractmethod
    def end_fit(self, model: Any) -> None:
        """After ``on_train_end``."""

    @abc.abstractmethod
    def reduce_metrics(self, model: Any, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``model``'s metric results: ``compute()`` reads this process' metric state."""

    @abc.abstractmethod
    def gather_predictions(self, outputs: Any, handler: Any) -> Any:
        """All predictions, in sample order, from this process' ``outputs`` of ``handler``'s data."""


class SingleDeviceStrategy(Strategy):
    """One process, one device: the default strategy (no sharding, no collectives)."""

    @property
    def is_chief(self) -> bool:
        return True

    def place(self, model: Any) -> torch.device:
        """A model the user placed on an accelerator stays there; otherwise it moves to the
        default device (``KERAS_TORCH_DEVICE``, else CUDA/MPS when available)."""
        for p in model.parameters():
            if p.device.type != "cpu":
                return p.device
            break
        dev = _config.default_device()
        if dev.type != "cpu":
            model.to(dev)
        return dev

    def distribute_data(self, handler: Any) -> None:
        pass  # every batch, whole

    def build_model(self, model: Any, handler: Any) -> None:
        pass  # weights are created by the first call

    def sync_model(self, model: Any) -> None:
        pass

    def begin_fit(self, model: Any, initial_epoch: int) -> int:
        return initial_epoch

    def wrap_train_step(self, model: Any, step_fn: StepFn) -> StepFn:
        return step_fn

    def wrap_test_step(self, model: Any, step_fn: StepFn) -> StepFn:
        return step_fn

    def end_epoch(self, model: Any) -> None:
        pass

    def stop_requested(self, stop_training: bool) -> bool:
        return stop_training

    def end_fit(self, model: Any) -> None:
        pass

    def reduce_metrics(self, model: Any, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return compute()

    def gather_predictions(self, outputs: Any, handler: Any) -> Any:
        return outputs

    def __repr__(self) -> str:
        return "<SingleDeviceStrategy>"


# The strategy of every process that is not part of a distribution (stateless: one is enough).
SINGLE_DEVICE = SingleDeviceStrategy()
