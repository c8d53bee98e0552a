"""``InputSpec``: declared rank/axis constraints, checked on every call with a clear error."""

from __future__ import annotations

from typing import Any

from keras_torch.core import tree


class InputSpec:
    """Describes the rank, dtype and shape a layer accepts; checked when the layer is called.

    A layer sets ``self.input_spec`` (one spec, or a list for several inputs) and every call verifies the
    inputs against it, raising a ``ValueError`` that names the layer and the mismatch.

    Args:
        dtype: Expected dtype name, or ``None`` for any.
        shape: Expected full shape (batch included); ``None`` entries match any size.
        ndim: Expected rank.
        max_ndim: Maximum rank.
        min_ndim: Minimum rank.
        axes: Dict mapping axes to their required size, e.g. ``{-1: 16}``.
        allow_last_axis_squeeze: Also accept inputs whose last axis of size 1 was squeezed (or added).
        name: Optional name of the input (matched against dict inputs).
        optional: Whether the input may be ``None``.

    Example:

    >>> layer = keras.layers.Dense(4)
    >>> layer.build((None, 3))
    >>> layer.input_spec.axes
    {-1: 3}
    >>> spec = keras.InputSpec(ndim=2, axes={-1: 3})
    >>> spec.ndim
    2
    """

    def __init__(
        self,
        dtype: Any = None,
        shape: Any = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict[int, int] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> None:
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def get_config(self) -> dict[str, Any]:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(parts)})"


def _fmt(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def assert_input_compatibility(spec: Any, inputs: Any, layer_name: str) -> None:
    """Raise ``ValueError`` naming the layer, the expected and the received shape."""
    specs = spec if isinstance(spec, (list, tuple)) else [spec]
    flat = tree.flatten(inputs)
    if len(specs) > 1 and len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} input tensors.')
    for i, (s, x) in enumerate(zip(specs, flat)):
        if s is None or not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        rank = len(shape)
        head = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if s.ndim is not None and rank != s.ndim:
            raise ValueError(f"{head}expected ndim={s.ndim}, found ndim={rank}. Full shape received: {_fmt(shape)}")
        if s.max_ndim is not None and rank > s.max_ndim:
            raise ValueError(f"{head}expected max_ndim={s.max_ndim}, found ndim={rank}. Full shape received: {_fmt(shape)}")
        if s.min_ndim is not None and rank < s.min_ndim:
            raise ValueError(f"{head}expected min_ndim={s.min_ndim}, found ndim={rank}. Full shape received: {_fmt(shape)}")
        for axis, value in s.axes.items():
            if value is None:
                continue
            try:
                got = shape[axis]
            except IndexError:
                raise ValueError(f"{head}expected axis {axis} to exist, but received input with shape {_fmt(shape)}") from None
            if got is not None and got != value:
                raise ValueError(
                    f"{head}expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {_fmt(shape)}"
                )
        if s.shape is not None:
            for want, got in zip(s.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(f"{head}expected shape={_fmt(s.shape)}, found shape={_fmt(shape)}")
