"""Base of the callbacks that watch one metric (Keras 3 ``MonitorCallback``)."""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np

from keras_torch.callbacks._utils import to_float
from keras_torch.callbacks.callback import Callback


def _iter_metric_objects(model: Any) -> list[Any]:
    """The model's metric objects, looking inside compile containers (Keras: CompileMetrics)."""
    out: list[Any] = []
    for m in getattr(model, "metrics", None) or []:
        inner = getattr(m, "metrics", None)
        if isinstance(inner, (list, tuple)) and inner is not m:
            out.extend(inner)
        else:
            out.append(m)
    return out


class MonitorCallback(Callback):
    """Base class for callbacks that monitor a quantity and evaluate improvements.

    Arguments:
        monitor: Quantity to be monitored. Defaults to `"val_loss"`.
        mode: One of `{"auto", "min", "max"}`. In `"auto"` mode the direction is inferred:
            ``loss``/``val_loss`` (any ``*loss`` named exactly ``loss`` after removing
            ``val_``) is minimized; otherwise the model metric of that name decides through
            its ``_direction`` (``"up"`` → maximize).
        baseline: Floating point initial "best" value of the metric to be monitored.
        min_delta: Minimum change in the monitored quantity to qualify as an improvement.

    Comparisons are done like Keras' ``ops.less``/``ops.greater`` on Python floats, i.e. after
    rounding both sides to float32.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in ["auto", "min", "max"]:
            warnings.warn(
                f"{self.__class__.__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Any = None

    def _set_monitor_op(self) -> None:
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            metric_name = self.monitor.removeprefix("val_")
            if metric_name == "loss":
                self.monitor_op = operator.lt
            if hasattr(self.model, "metrics"):
                for m in _iter_metric_objects(self.model):
                    if getattr(m, "name", None) == metric_name and hasattr(m, "_direction"):
                        if m._direction == "up":
                            self.monitor_op = operator.gt
                        else:
                            self.monitor_op = operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{self.__class__.__name__} callback received "
                    f"monitor={self.monitor}, but Keras isn't able to "
                    "automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to "
                    "monitor based on the highest metric value, or pass "
                    "`mode='min'` in order to use the lowest value."
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value: Any, reference_value: Any) -> bool:
        if reference_value is None:
            return True
        # Keras: ops.less(monitor_value - min_delta, reference_value), computed in floatx.
        with np.errstate(over="ignore"):
            lhs = np.float32(to_float(monitor_value) - self.min_delta)
            rhs = np.float32(to_float(reference_value))
        return bool(self.monitor_op(lhs, rhs))
