"""``keras.metrics.Metric``: stateful metrics whose state is a few small torch tensors.

State lives on the device of the first update (created on CPU, moved once when the first
accelerator tensor arrives); ``update_state`` never syncs with the host and runs under
``torch.no_grad``; ``result()`` returns a tensor (0-d for scalar metrics).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry
from keras_torch.losses._common import auto_name, dtype_str, resolve_dtype, to_tensor


def _unwrap(x: Any) -> Any:
    if isinstance(x, MetricVariable):
        return x.value
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


class MetricVariable:
    """A metric state tensor with Keras ``Variable``-style ``assign``/``assign_add``/``assign_sub``.

    Works in torch expressions (``torch.sqrt(v)``, ``v / 2``) through ``__torch_function__``.
    """

    def __init__(self, value: torch.Tensor, name: str | None = None):
        self._value = value
        self.name = name

    @property
    def value(self) -> torch.Tensor:
        """The current state tensor."""
        return self._value

    def _prep(self, x: Any) -> Any:
        x = _unwrap(x)
        if isinstance(x, (int, float, bool)):
            return x
        cur = self._value
        if isinstance(x, torch.Tensor):
            if x.device != cur.device:
                if cur.device.type == "cpu":  # first accelerator update: state follows the data
                    self._value = cur = cur.to(x.device)
                else:
                    x = x.to(cur.device, non_blocking=True)
            x = x.detach()
            return x if x.dtype == cur.dtype else x.to(cur.dtype)
        return torch.as_tensor(np.asarray(x), dtype=cur.dtype).to(cur.device)

    def assign(self, x: Any) -> MetricVariable:
        """Replace the value (broadcast to the variable's shape)."""
        x = self._prep(x)
        if isinstance(x, (int, float, bool)):
            self._value.fill_(x)
        else:
            self._value.copy_(x.expand_as(self._value) if x.shape != self._value.shape else x)
        return self

    def assign_add(self, x: Any) -> MetricVariable:
        """In-place ``+= x``."""
        x = self._prep(x)  # first: it may move the state to x's device
        self._value.add_(x)
        return self

    def assign_sub(self, x: Any) -> MetricVariable:
        """In-place ``-= x``."""
        x = self._prep(x)
        self._value.sub_(x)
        return self

    def to(self, device: torch.device | str) -> MetricVariable:
        """Move the state to ``device``."""
        self._value = self._value.to(device)
        return self

    @property
    def shape(self) -> torch.Size:
        return self._value.shape

    @property
    def dtype(self) -> torch.dtype:
        return self._value.dtype

    @property
    def device(self) -> torch.device:
        return self._value.device

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def numpy(self) -> np.ndarray:
        return self._value.detach().cpu().numpy()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.numpy()
        return arr.astype(dtype) if dtype is not None else arr

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __getitem__(self, idx: Any) -> torch.Tensor:
        return self._value[idx]

    def __repr__(self) -> str:
        return f"<MetricVariable name={self.name} shape={tuple(self.shape)} value={self._value}>"

    @classmethod
    def __torch_function__(cls, func: Callable, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        return func(*_unwrap(args), **{k: _unwrap(v) for k, v in (kwargs or {}).items()})


def _binop(name: str) -> Callable:
    def op(self: MetricVariable, other: Any) -> torch.Tensor:
        return getattr(self._value, name)(_unwrap(other))

    op.__name__ = name
    return op


for _name in (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__pow__", "__rpow__", "__floordiv__", "__mod__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__",
    "__ne__", "__matmul__",
):  # fmt: skip
    setattr(MetricVariable, _name, _binop(_name))
MetricVariable.__neg__ = lambda self: -self._value  # type: ignore[method-assign]
MetricVariable.__hash__ = object.__hash__  # type: ignore[method-assign]


def _no_grad(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not torch.is_grad_enabled():
            return fn(*args, **kwargs)
        with torch.no_grad():
            return fn(*args, **kwargs)

    wrapper._kt_no_grad = True  # type: ignore[attr-defined]
    return wrapper


@registry.register("Metric", category="metrics")
class Metric:
    """Base class of stateful metrics (``keras.metrics.Metric``).

    Subclasses create state with :meth:`add_variable` in ``__init__`` and implement
    ``update_state(...)`` and ``result()``.

    Args:
        dtype: State/computation dtype (default floatx).
        name: Metric name (default: snake-case class name, uniquified like Keras).

    Example:

    >>> class CountPositives(keras.metrics.Metric):
    ...     def __init__(self, name="count_positives", **kwargs):
    ...         super().__init__(name=name, **kwargs)
    ...         self.count = self.add_variable(shape=(), initializer="zeros", name="count")
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         self.count.assign_add(keras.ops.sum(keras.ops.cast(y_pred > 0, "float32")))
    ...     def result(self):
    ...         return self.count
    >>> metric = CountPositives()
    >>> metric.update_state(None, np.array([1.0, -2.0, 3.0]))
    >>> float(metric.result())
    2.0
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("update_state")
        if fn is not None and not getattr(fn, "_kt_no_grad", False):
            cls.update_state = _no_grad(fn)  # type: ignore[method-assign]

    def __init__(self, dtype: Any = None, name: str | None = None):
        self.name = name or auto_name(self.__class__.__name__)
        self._dtype = resolve_dtype(dtype)
        self._variables: list[MetricVariable] = []
        self._metrics: list[Metric] = []

    def __setattr__(self, key: str, value: Any) -> None:
        if (
            isinstance(value, Metric)
            and key != "_metrics"
            and "_metrics" in self.__dict__
            and value not in self._metrics
        ):
            self._metrics.append(value)
        super().__setattr__(key, value)

    @property
    def dtype(self) -> str:
        """State dtype name (``"float32"``)."""
        return dtype_str(self._dtype)

    def add_variable(
        self,
        shape: Any = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> MetricVariable:
        """Create a state tensor (on CPU until the first update arrives from another device)."""
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method. Go add it!")
        tdtype = resolve_dtype(dtype) if dtype is not None else self._dtype
        shape = tuple(int(s) for s in (shape if isinstance(shape, (tuple, list, torch.Size)) else (shape,)))
        if callable(initializer) and not isinstance(initializer, str):
            value = to_tensor(initializer(shape, dtype=dtype_str(tdtype)), dtype=tdtype)
        elif initializer in (None, "zeros", "Zeros"):
            value = torch.zeros(shape, dtype=tdtype)
        elif initializer in ("ones", "Ones"):
            value = torch.ones(shape, dtype=tdtype)
        else:
            value = torch.full(shape, float(initializer), dtype=tdtype)
        var = MetricVariable(value, name=name)
        self._variables.append(var)
        return var

    def add_weight(self, shape: Any = (), initializer: Any = None, dtype: Any = None, name: str | None = None) -> Any:
        """Alias of :meth:`add_variable` (Keras 2 spelling)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[MetricVariable]:
        """State variables, including those of nested metrics."""
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def reset_state(self) -> None:
        """Zero every state variable (in place, keeping its device)."""
        for v in self.variables:
            v.value.zero_()

    def reset_states(self) -> None:
        """Keras 2 alias of :meth:`reset_state`."""
        self.reset_state()

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulate statistics; implemented by subclasses."""
        raise NotImplementedError

    def result(self) -> torch.Tensor:
        """Compute the metric value from the state; implemented by subclasses."""
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> torch.Tensor:
        """``update_state(...)`` then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def to(self, device: torch.device | str) -> Metric:
        """Move all state to ``device`` (optional: state follows the first update anyway)."""
        for v in self.variables:
            v.to(device)
        return self

    def get_config(self) -> dict[str, Any]:
        """``{"name", "dtype"}`` (+ subclass arguments)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name}>"

    __str__ = __repr__
