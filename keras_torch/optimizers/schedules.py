"""Learning-rate schedules (``keras.optimizers.schedules``), evaluated on device tensors.

``schedule(step)`` takes the optimizer's int64 iteration tensor (or any number) and returns a
0-d float32 tensor on the same device. The arithmetic mirrors Keras op by op in float32;
constant-only sub-expressions are folded on the host in ``numpy.float32`` (bit-identical for
``+ - * /``), so evaluating a schedule never copies data between host and device.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry

_CAT = "schedules"


def _f32(x: Any) -> float:
    """``x`` rounded to float32, as a Python float (exactly representable, so lossless in kernels)."""
    return float(np.float32(x))


def _step(step: Any) -> torch.Tensor:
    if not torch.is_tensor(step):
        step = torch.as_tensor(np.asarray(step))
    return step.detach().to(torch.float32)


class LearningRateSchedule:
    """Base class of learning rate schedules: a learning rate that depends on the training step.

    An instance is passed as an optimizer's ``learning_rate``; the optimizer calls it with its iteration
    count before every update. Subclasses implement ``__call__(step)`` (returning a scalar tensor) and
    ``get_config()`` (to be saved with the optimizer).

    Example:

    >>> class HalveEvery(keras.optimizers.schedules.LearningRateSchedule):
    ...     def __init__(self, initial, every):
    ...         self.initial, self.every = initial, every
    ...     def __call__(self, step):
    ...         return self.initial * 0.5 ** (step // self.every)
    ...     def get_config(self):
    ...         return {"initial": self.initial, "every": self.every}
    >>> schedule = HalveEvery(0.1, every=10)
    >>> round(float(schedule(torch.tensor(25))), 4)
    0.025
    >>> optimizer = keras.optimizers.SGD(learning_rate=schedule)
    """

    def __call__(self, step: Any) -> torch.Tensor:
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` in order to be "
            "serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Instantiate from :meth:`get_config` output."""
        return cls(**config)


def _check_steps(name: str, value: Any) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


@registry.register("ExponentialDecay", category=_CAT)
class ExponentialDecay(LearningRateSchedule):
    """A learning rate that decays exponentially: ``initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is floored, so the rate drops every ``decay_steps`` steps.

    Pass it as ``learning_rate`` of an optimizer; it is evaluated at every step (``optimizer.iterations``).

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Number of steps per factor of ``decay_rate``; must be positive.
        decay_rate: The decay factor.
        staircase: Decay in discrete intervals (integer division of ``step / decay_steps``).
        name: Name of the schedule (default ``"ExponentialDecay"``).

    Example:

    >>> schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    >>> [round(float(schedule(step)), 4) for step in (0, 100, 150)]
    [0.1, 0.05, 0.0354]
    >>> optimizer = keras.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> torch.Tensor:
        p = _step(step) / _f32(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        return torch.pow(_f32(self.decay_rate), p) * _f32(self.initial_learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@registry.register("PiecewiseConstantDecay", category=_CAT)
class PiecewiseConstantDecay(LearningRateSchedule):
    """A piecewise constant learning rate: ``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` up to
    ``boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    Pass it as ``learning_rate`` of an optimizer; it is evaluated at every step (``optimizer.iterations``).

    Args:
        boundaries: Increasing list of step numbers.
        values: List of learning rates, one more than ``boundaries``.
        name: Name of the schedule (default ``"PiecewiseConstant"``).

    Example:

    >>> schedule = keras.optimizers.schedules.PiecewiseConstantDecay(boundaries=[100, 200], values=[1.0, 0.5, 0.1])
    >>> [round(float(schedule(step)), 4) for step in (0, 100, 101, 250)]
    [1.0, 1.0, 0.5, 0.1]
    """

    def __init__(self, boundaries: list[Any], values: list[Any], name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> torch.Tensor:
        if not torch.is_tensor(step):
            step = torch.as_tensor(np.asarray(step))
        step = step.detach()
        # Keras casts the boundaries to the step dtype (truncating floats for integer steps).
        if step.dtype.is_floating_point:
            bounds = [_f32(b) for b in self.boundaries]
        else:
            bounds = [int(b) for b in self.boundaries]
        values = [_f32(v) for v in self.values]
        result = torch.le(step, bounds[0]).to(torch.float32) * values[0]
        result = result + torch.gt(step, bounds[-1]).to(torch.float32) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            in_range = torch.logical_and(torch.gt(step, low), torch.le(step, high))
            result = result + in_range.to(torch.float32) * value
        return result

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@registry.register("PolynomialDecay", category=_CAT)
class PolynomialDecay(LearningRateSchedule):
    """A learning rate that decays polynomially from ``initial_learning_rate`` to ``end_learning_rate`` over
    ``decay_steps``: ``(initial - end) * (1 - step / decay_steps) ** power + end``.

    Pass it as ``learning_rate`` of an optimizer; it is evaluated at every step (``optimizer.iterations``).

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Number of steps over which it decays; must be positive.
        end_learning_rate: The final learning rate (default 1e-4).
        power: Power of the polynomial (default 1.0: linear).
        cycle: Restart the decay after ``decay_steps`` (with a longer period) instead of staying at the end value.
        name: Name of the schedule (default ``"PolynomialDecay"``).

    Example:

    >>> schedule = keras.optimizers.schedules.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01)
    >>> [round(float(schedule(step)), 4) for step in (0, 50, 100, 200)]
    [0.1, 0.055, 0.01, 0.01]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> torch.Tensor:
        s = _step(step)
        decay_steps = _f32(self.decay_steps)
        if self.cycle:
            multiplier = torch.where(torch.eq(s, 0), 1.0, torch.ceil(s / _f32(self.decay_steps)))
            p = s / (multiplier * decay_steps)
        else:
            p = torch.clamp_max(s, decay_steps) / decay_steps
        delta = _f32(np.float32(self.initial_learning_rate) - np.float32(self.end_learning_rate))
        return torch.pow(1.0 - p, _f32(self.power)) * delta + _f32(self.end_learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


@registry.register("InverseTimeDecay", category=_CAT)
class InverseTimeDecay(LearningRateSchedule):
    """A learning rate that decays as the inverse of time:
    ``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the ratio floored with ``staircase``).

    Pass it as ``learning_rate`` of an optimizer; it is evaluated at every step (``optimizer.iterations``).

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: How often the decay is applied.
        decay_rate: The decay rate.
        staircase: Decay in discrete intervals.
        name: Name of the schedule (default ``"InverseTimeDecay"``).

    Example:

    >>> schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=1.0)
    >>> [round(float(schedule(step)), 4) for step in (0, 10, 30)]
    [0.1, 0.05, 0.025]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step: Any) -> torch.Tensor:
        p = _step(step) / _f32(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        denom = p * _f32(self.decay_rate) + 1.0
        # Not ``float / tensor``: torch evaluates that as ``reciprocal(tensor) * float``.
        return torch.full_like(denom, _f32(self.initial_learning_rate)) / denom

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _cosine(completed: torch.Tensor) -> torch.Tensor:
    return (torch.cos(completed * _f32(math.pi)) + 1.0) * 0.5


@registry.register("CosineDecay", category=_CAT)
class CosineDecay(LearningRateSchedule):
    """A cosine decay schedule (SGDR without restarts, Loshchilov & Hutter 2017), with an optional linear warmup.

    Without warmup the rate goes from ``initial_learning_rate`` to ``alpha * initial_learning_rate`` along half a cosine
    over ``decay_steps``; with ``warmup_steps`` it first rises linearly from ``initial_learning_rate`` to
    ``warmup_target``, then decays from there.

    Pass it as ``learning_rate`` of an optimizer; it is evaluated at every step (``optimizer.iterations``).

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Number of steps to decay over (after the warmup).
        alpha: Minimum learning rate, as a fraction of the starting one (default 0.0).
        name: Name of the schedule (default ``"CosineDecay"``).
        warmup_target: Learning rate reached at the end of the warmup (``None``: no warmup).
        warmup_steps: Number of warmup steps (default 0).

    Example:

    >>> schedule = keras.optimizers.schedules.CosineDecay(0.1, decay_steps=100)
    >>> [round(float(schedule(step)), 4) for step in (0, 50, 100)]
    [0.1, 0.05, 0.0]
    >>> warm = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)
    >>> [round(float(warm(step)), 4) for step in (0, 5, 10)]
    [0.0, 0.05, 0.1]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps("decay_steps", decay_steps)

    def _decay(self, step: torch.Tensor, decay_from_lr: float) -> torch.Tensor:
        decayed = _cosine(step / _f32(self.decay_steps)) * _f32(1 - self.alpha) + _f32(self.alpha)
        return decayed * decay_from_lr

    def __call__(self, step: Any) -> torch.Tensor:
        s = _step(step)
        init = _f32(self.initial_learning_rate)
        decay_steps = np.float32(self.decay_steps)
        if self.warmup_target is None:
            return self._decay(torch.clamp_max(s, float(decay_steps)), init)
        target = _f32(self.warmup_target)
        warmup_steps = np.float32(self.warmup_steps)
        s = torch.clamp_max(s, float(decay_steps + warmup_steps))
        delta = _f32(np.float32(target) - np.float32(init))
        warm = (s / float(warmup_steps)) * delta + init
        decay = self._decay(s - float(warmup_steps), target)
        return torch.where(s < float(warmup_steps), warm, decay)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


def _fix_restart_index(i: torch.Tensor, arg: torch.Tensor, t_mul: float) -> torch.Tensor:
    """Correct ``floor(log(arg) / log(t_mul))`` when log rounding lands next to an integer.

    Restart ``i`` has begun iff ``t_mul**i <= arg`` (``>=`` when ``t_mul < 1``). At exact
    boundaries (e.g. step 10 with ``first_decay_steps=4, t_mul=1.5``) the float32 log ratio may
    round either way depending on the log implementation; this picks the mathematically
    correct restart, which is what Keras/TensorFlow returns there.
    """

    def reached(k: torch.Tensor) -> torch.Tensor:
        power = torch.pow(t_mul, k)
        return power <= arg if t_mul > 1 else power >= arg

    i = torch.where(reached(i + 1.0), i + 1.0, i)
    return torch.where(reached(i), i, i - 1.0)


@registry.register("CosineDecayRestarts", category=_CAT)
class CosineDecayRestarts(LearningRateSchedule):
    """A cosine decay schedule with warm restarts (SGDR, Loshchilov & Hutter 2017).

    The rate follows a cosine from the peak down to ``alpha`` times the peak, then restarts; period ``i`` lasts
    ``first_decay_steps * t_mul ** i`` steps and peaks at ``initial_learning_rate * m_mul ** i``.

    Pass it as ``learning_rate`` of an optimizer; it is evaluated at every step (``optimizer.iterations``).

    Args:
        initial_learning_rate: The learning rate at step 0.
        first_decay_steps: Length of the first period.
        t_mul: Factor on the length of each following period (default 2.0).
        m_mul: Factor on the peak learning rate of each following period (default 1.0).
        alpha: Minimum learning rate, as a fraction of the peak (default 0.0).
        name: Name of the schedule (default ``"SGDRDecay"``).

    Example:

    >>> schedule = keras.optimizers.schedules.CosineDecayRestarts(0.1, first_decay_steps=10)
    >>> [round(float(schedule(step)), 4) for step in (0, 5, 10, 20)]
    [0.1, 0.05, 0.1, 0.05]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step: Any) -> torch.Tensor:
        completed = _step(step) / _f32(self.first_decay_steps)
        t_mul = np.float32(self._t_mul)
        if t_mul == 1.0:
            i_restart = torch.floor(completed)
            completed = completed - i_restart
        else:
            one_minus_t = float(np.float32(1.0) - t_mul)
            log_t = torch.log(torch.full((), float(t_mul), dtype=torch.float32, device=completed.device))
            arg = 1.0 - completed * one_minus_t
            i_restart = torch.floor(torch.log(arg) / log_t)
            i_restart = _fix_restart_index(i_restart, arg, float(t_mul))
            t_pow = torch.pow(float(t_mul), i_restart)
            sum_r = (1.0 - t_pow) / one_minus_t
            completed = (completed - sum_r) / t_pow
        m_fac = torch.pow(_f32(self._m_mul), i_restart)
        cosine = (m_fac * 0.5) * (torch.cos(completed * _f32(math.pi)) + 1.0)
        alpha = np.float32(self.alpha)
        decayed = cosine * float(np.float32(1.0) - alpha) + float(alpha)
        return decayed * _f32(self.initial_learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """Serializes a learning rate schedule to Keras 3's config dict.

    Args:
        learning_rate_schedule: A :class:`LearningRateSchedule` instance.

    Returns:
        A dict with ``module``, ``class_name``, ``config`` and ``registered_name``.

    Example:

    >>> keras.optimizers.schedules.serialize(keras.optimizers.schedules.CosineDecay(0.1, 100))["class_name"]
    'CosineDecay'
    """
    return registry.serialize_keras_object(learning_rate_schedule, _CAT)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> LearningRateSchedule:
    """Creates a learning rate schedule from its config (Keras 2 or Keras 3 dict).

    Args:
        config: The config dict.
        custom_objects: Optional dict mapping names to custom schedule classes.

    Returns:
        A :class:`LearningRateSchedule` instance.

    Example:

    >>> schedule = keras.optimizers.schedules.deserialize({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}})
    >>> float(schedule(10))
    0.05000000074505806
    """
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="decay")


__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "serialize",
]
