"""Keras 3's quantization functions and quantizer objects, on torch tensors.

The formulas are Keras 3.15's (``keras/src/quantizers/quantizers.py``): symmetric abs-max int8/int4
quantization, grouped asymmetric quantization with zero points, TensorFlow's fake quantization
(nudged ranges, straight-through gradients), float8 scaling and int4 nibble packing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as core_config
from keras_torch.core import registry
from keras_torch.core.dtypes import dtype_name, to_torch_dtype
from keras_torch.core.symbolic import KerasTensor, apply_op
from keras_torch.ops.core import convert_to_tensor

CATEGORY = "quantizers"
# Keras's float8 dtype names (keras_torch's dtype table has no float8 tensors elsewhere).
_FLOAT8 = {"float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2}


def _axes(axis: int | tuple[int, ...] | list[int], ndim: int) -> tuple[int, ...]:
    return tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))


def _amax(x: torch.Tensor, axis: int | tuple[int, ...] | None, keepdims: bool = True) -> torch.Tensor:
    if axis is None:
        return torch.amax(torch.abs(x))
    return torch.amax(torch.abs(x), dim=_axes(axis, x.ndim), keepdim=keepdims)


@registry.register("Quantizer", "quantizer", category=CATEGORY)
class Quantizer:
    """Base class of quantizers: ``quantizer(x)`` returns a quantized form of ``x``.

    Args:
        output_dtype: dtype of the quantized values.

    Example:

    >>> class Sign(keras.Quantizer):
    ...     def __call__(self, x):
    ...         return keras.ops.sign(x)
    ...     def get_config(self):
    ...         return {"output_dtype": self.output_dtype}
    """

    def __init__(self, output_dtype: str = "int8") -> None:
        self.output_dtype = output_dtype

    def __call__(self, x: Any) -> Any:
        """The base quantizer returns ``x`` unchanged; subclasses quantize."""
        return x

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Quantizer:
        """A quantizer from the dictionary :meth:`get_config` returned."""
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dictionary (subclasses implement it)."""
        raise NotImplementedError(f"{self} does not implement get_config()")


def abs_max_quantize(
    inputs: Any,
    axis: int | tuple[int, ...],
    value_range: tuple[int, int] = (-127, 127),
    dtype: str = "int8",
    epsilon: float = core_config.epsilon(),
    to_numpy: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric quantization by the absolute maximum along ``axis``.

    ``scale = value_range[1] / (max|x| + epsilon)``; values are ``clip(round(x * scale))``.

    Args:
        inputs: Tensor to quantize.
        axis: Axis (or axes) reduced to compute the range; the scale keeps them with size 1.
        value_range: ``(min, max)`` of the quantized values.
        dtype: dtype of the quantized tensor.
        epsilon: Added to the maximum to avoid a division by zero.
        to_numpy: Compute on the host with NumPy (saves accelerator memory).

    Returns:
        ``(quantized, scale)``; the scale has the dtype of ``inputs``.
    """
    x = convert_to_tensor(inputs)
    if to_numpy:
        array = x.detach().cpu().numpy()
        axes = _axes(axis, array.ndim)
        scale = np.divide(value_range[1], np.add(np.max(np.abs(array), axis=axes, keepdims=True), epsilon))
        out = np.clip(np.round(np.multiply(array, scale)), value_range[0], value_range[1]).astype(dtype)
        return torch.from_numpy(out), torch.as_tensor(scale, dtype=x.dtype)
    scale = (value_range[1] / (_amax(x, axis) + epsilon)).to(x.dtype)
    out = torch.clip(torch.round(x * scale), value_range[0], value_range[1])
    return out.to(to_torch_dtype(dtype)), scale


def abs_max_quantize_grouped_with_zero_point(
    inputs: Any,
    block_size: int,
    value_range: tuple[int, int] = (-8, 7),
    dtype: str = "int8",
    epsilon: float = core_config.epsilon(),
    to_numpy: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Grouped asymmetric quantization of a 2D kernel, with a zero point per group and column.

    Rows (the contracting dimension) are cut into groups of ``block_size`` (the last one padded
    with zeros); each group gets ``scale = (max - min + epsilon) / (qmax - qmin)`` and
    ``zero_point = clip(round(-min / scale) + qmin)`` per column.

    Args:
        inputs: Tensor of shape ``(input_dim, output_dim)``.
        block_size: Rows per group.
        value_range: ``(qmin, qmax)`` of the quantized values.
        dtype: dtype of the quantized tensor.
        epsilon: Added to the range to avoid a division by zero.
        to_numpy: Compute on the host with NumPy (Keras's NumPy formula: epsilon is always added).

    Returns:
        ``(quantized, scale, zero_point)``: the quantized tensor has the shape of ``inputs``;
        scale and zero point (int8) have shape ``(ceil(input_dim / block_size), output_dim)``.
    """
    x = convert_to_tensor(inputs)
    if x.ndim != 2:
        raise ValueError(f"Input weight tensor must have a rank of 2, but got rank {x.ndim}.")
    input_dim, output_dim = x.shape
    qmin, qmax = value_range
    n_groups = math.ceil(input_dim / block_size)
    padded = torch.cat([x, x.new_zeros((n_groups * block_size - input_dim, output_dim))])
    groups = padded.reshape(n_groups, block_size, output_dim)
    if to_numpy:
        g = groups.detach().cpu().numpy()
        lo, hi = g.min(axis=1, keepdims=True), g.max(axis=1, keepdims=True)
        scale = np.divide(np.subtract(hi, lo) + epsilon, qmax - qmin)
        zero = np.clip(np.round(np.divide(-lo, scale)) + qmin, qmin, qmax)
        out = np.clip(np.round(np.divide(g, scale)) + zero, qmin, qmax).astype(dtype)
        out = out.reshape(n_groups * block_size, output_dim)[:input_dim]
        return (torch.from_numpy(out), torch.as_tensor(scale.squeeze(1), dtype=x.dtype),
                torch.from_numpy(zero.squeeze(1).astype("int8")))
    # The tensor path is Keras's compute_quantization_parameters(signed=True, per_channel=True).
    lo, hi = groups.amin(dim=1), groups.amax(dim=1)
    same = lo == hi
    lo, hi = torch.where(same, lo - 1, lo), torch.where(same, hi + 1, hi)
    bits = int(math.log2(qmax - qmin + 1))
    span = hi - lo
    if epsilon > 0:
        span = span + epsilon
    scale = span / torch.tensor(2.0**bits - 1, dtype=x.dtype)
    scale = torch.where(scale <= 0, torch.tensor(1e-8, dtype=x.dtype), scale)
    signed_min, signed_max = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    zero = torch.clip(torch.round(-lo / scale) + signed_min, signed_min, signed_max).to(torch.int8)
    out = torch.clip(torch.round(groups / scale.unsqueeze(1)) + zero.unsqueeze(1), qmin, qmax)
    out = out.to(to_torch_dtype(dtype)).reshape(n_groups * block_size, output_dim)[:input_dim]
    return out, scale.to(x.dtype), zero


@registry.register("AbsMaxQuantizer", "abs_max_quantizer", category=CATEGORY)
class AbsMaxQuantizer(Quantizer):
    """Quantizer object over :func:`abs_max_quantize`.

    Args:
        axis: Deprecated default axis (pass ``axis`` to the call instead); -1 when neither is set.
        value_range: ``(min, max)`` of the quantized values (inside ``[-128, 127]`` for int8).
        epsilon: Added to the maximum to avoid a division by zero.
        output_dtype: dtype of the quantized tensor.
    """

    def __init__(
        self,
        axis: int | tuple[int, ...] | None = None,
        value_range: tuple[int, int] = (-127, 127),
        epsilon: float = core_config.epsilon(),
        output_dtype: str = "int8",
    ) -> None:
        super().__init__(output_dtype=output_dtype)
        self.axis = None if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        self.value_range = tuple(value_range) if isinstance(value_range, list) else value_range
        self.epsilon = epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ValueError("Quantizer with output_dtype='int8' requires value_range to be within the interval "
                             f"[-128, 127]. Received: value_range={value_range}")

    def __call__(self, x: Any, axis: int | tuple[int, ...] | None = None,
                 to_numpy: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """``(quantized, scale)`` of ``x`` along ``axis`` (else the constructor's, else -1)."""
        axis = axis if axis is not None else (self.axis if self.axis is not None else -1)
        return abs_max_quantize(x, axis, self.value_range, self.output_dtype, self.epsilon, to_numpy)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"value_range": self.value_range, "epsilon": self.epsilon,
                                  "output_dtype": self.output_dtype}
        if self.axis is not None:
            config["axis"] = self.axis
        return config


def _nudge(lo: torch.Tensor, hi: torch.Tensor, num_bits: int, narrow_range: bool):
    # TensorFlow's FakeQuant kernel: the zero point is rounded half away from zero so that 0.0 is
    # exactly representable, in float32.
    compute = torch.promote_types(lo.dtype, torch.float32)
    lo, hi = lo.to(compute), hi.to(compute)
    quant_max = (1 << num_bits) - 1
    quant_min = 1 if narrow_range else 0
    scale = (hi - lo) / (quant_max - quant_min)
    zero_point = torch.floor(torch.clip(quant_min - lo / scale, quant_min, quant_max) + 0.5)
    return (quant_min - zero_point) * scale, (quant_max - zero_point) * scale, scale


class _FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lo, hi, num_bits, narrow_range, axis):
        shape = [1] * x.ndim
        if axis is not None:
            shape[axis] = -1
        nlo, nhi, scale = (t.reshape(shape) if axis is not None else t
                           for t in _nudge(lo, hi, num_bits, narrow_range))
        shifted = torch.clip(x.to(nlo.dtype), nlo, nhi) - nlo
        result = torch.floor(shifted * (1.0 / scale) + 0.5) * scale + nlo
        ctx.save_for_backward(x, nlo, nhi)
        ctx.axis, ctx.lo_shape, ctx.hi_shape = axis, lo.shape, hi.shape
        return result.to(x.dtype)

    @staticmethod
    def backward(ctx, upstream):
        x, nlo, nhi = ctx.saved_tensors
        zero = torch.zeros((), dtype=upstream.dtype)
        dx = torch.where((x >= nlo) & (x <= nhi), upstream, zero)
        g_lo, g_hi = torch.where(x < nlo, upstream, zero), torch.where(x > nhi, upstream, zero)
        if ctx.axis is None:
            g_lo, g_hi = g_lo.sum(), g_hi.sum()
        else:
            axes = [i for i in range(x.ndim) if i != ctx.axis]
            g_lo, g_hi = g_lo.sum(dim=axes), g_hi.sum(dim=axes)
        return dx, g_lo.reshape(ctx.lo_shape), g_hi.reshape(ctx.hi_shape), None, None, None


def fake_quant_with_min_max_vars(
    inputs: Any,
    min_vals: Any,
    max_vals: Any,
    num_bits: int = 8,
    narrow_range: bool = False,
    axis: int | None = None,
) -> Any:
    """Per-tensor or per-channel fake quantization (quantize, then dequantize), as TensorFlow's kernel.

    ``inputs`` are clamped to the nudged ``[min_vals, max_vals]`` range, quantized to
    ``[0, 2**num_bits - 1]`` (``[1, ...]`` with ``narrow_range``) and mapped back to floats.
    Gradients pass straight through inside the range and flow to ``min_vals``/``max_vals`` from
    the clamped values, so the range can be trained.

    Args:
        inputs: Float tensor (or KerasTensor).
        min_vals: Scalar minimum, or one per channel of ``axis``.
        max_vals: Scalar maximum, or one per channel of ``axis``.
        num_bits: Quantization bit width.
        narrow_range: Use ``[1, 2**num_bits - 1]``.
        axis: Channel axis for per-channel ranges; ``None`` for per-tensor.

    Returns:
        A tensor of the shape and dtype of ``inputs``.
    """
    if isinstance(inputs, KerasTensor):
        return apply_op(fake_quant_with_min_max_vars, (inputs, min_vals, max_vals),
                        {"num_bits": num_bits, "narrow_range": narrow_range, "axis": axis},
                        name="fake_quant_with_min_max_vars", output_spec=KerasTensor(inputs.shape, inputs.dtype))
    x = convert_to_tensor(inputs)
    lo, hi = convert_to_tensor(min_vals), convert_to_tensor(max_vals)
    if axis is not None:
        axis = axis % x.ndim
    return _FakeQuant.apply(x, lo, hi, int(num_bits), bool(narrow_range), axis)


def compute_float8_scale(amax: Any, scale: Any, dtype_max: float, margin: int = 0) -> torch.Tensor:
    """The new float8 scale from the running absolute maximum (Transformer Engine's update rule).

    Args:
        amax: Absolute maximum observed.
        scale: Current scale; kept where ``amax`` is 0 or not finite.
        dtype_max: Largest finite value of the float8 dtype.
        margin: Power-of-two head room.

    Returns:
        The updated scale.
    """
    amax, scale = convert_to_tensor(amax), convert_to_tensor(scale)
    inverse = torch.reciprocal(scale)
    sf = dtype_max / amax / 2**margin
    sf = torch.where(amax > 0.0, sf, inverse)
    sf = torch.where(torch.isfinite(amax), sf, inverse)
    return torch.reciprocal(sf)


def compute_float8_amax_history(x: Any, amax_history: Any) -> torch.Tensor:
    """``amax_history`` rolled by one with ``max|x|`` written first.

    Args:
        x: Tensor whose absolute maximum is recorded.
        amax_history: 1D history of absolute maxima.

    Returns:
        The new history (dtype of ``amax_history``).
    """
    x, history = convert_to_tensor(x), convert_to_tensor(amax_history)
    new = torch.roll(history, shifts=-1, dims=0).clone()
    new[0] = torch.amax(torch.abs(x)).to(history.dtype)
    return new


def quantize_and_dequantize(inputs: Any, scale: Any, quantized_dtype: str, compute_dtype: str) -> torch.Tensor:
    """``inputs / scale`` cast to ``quantized_dtype`` (clipped to its finite range), then back times ``scale``.

    Args:
        inputs: Tensor to round-trip.
        scale: Scale (scalar or broadcastable).
        quantized_dtype: A float8 dtype name (``"float8_e4m3fn"``, ``"float8_e5m2"``).
        compute_dtype: dtype of the computation and of the result.

    Returns:
        The dequantized tensor, in ``compute_dtype``.
    """
    compute = to_torch_dtype(compute_dtype)
    quantized = _FLOAT8.get(quantized_dtype) or to_torch_dtype(quantized_dtype)
    limit = float(torch.finfo(quantized).max)
    scale = convert_to_tensor(scale).to(compute)
    x = torch.clip(convert_to_tensor(inputs).to(compute) / scale, -limit, limit).to(quantized)
    return x.to(compute) * scale


def pack_int4(arr: Any, axis: int = 0, dtype: str = "int8") -> tuple[torch.Tensor, tuple[int, ...], int]:
    """Pack int4 values (in an int8/uint8 tensor) two per byte along ``axis``.

    Of each pair of consecutive entries the first goes to the low nibble and the second to the high
    nibble; an odd length is padded with one zero.

    Args:
        arr: ``int8`` (values in ``[-8, 7]``) or ``uint8`` (``[0, 15]``) tensor.
        axis: Axis to pack.
        dtype: ``"int8"`` or ``"uint8"``, the dtype of ``arr`` and of the result.

    Returns:
        ``(packed, packed_shape, orig_len)``: ``orig_len`` is the unpadded length of ``axis``.
    """
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")
    x = convert_to_tensor(arr)
    if dtype_name(x.dtype) != dtype:
        raise TypeError(f"Expected {dtype} tensor for packing, got {dtype_name(x.dtype)}.")
    # NumPy wraps int8 shifts the way Keras's packing expects on every device.
    array = np.moveaxis(x.detach().cpu().numpy(), axis % x.ndim, 0)
    n = array.shape[0]
    if n % 2:
        array = np.concatenate([array, np.zeros((1,) + array.shape[1:], array.dtype)])
    np_dtype = np.dtype(dtype)
    mask = np.array(0x0F, np_dtype)
    low, high = np.bitwise_and(array[::2], mask), np.bitwise_and(array[1::2], mask)
    packed = np.bitwise_or(low, np.left_shift(high, np.array(4, np_dtype))).astype(np_dtype)
    packed = np.moveaxis(packed, 0, axis % x.ndim)
    return torch.from_numpy(np.ascontiguousarray(packed)).to(x.device), tuple(packed.shape), n


def unpack_int4(packed: Any, orig_len: int, axis: int = 0, dtype: str = "int8") -> torch.Tensor:
    """Inverse of :func:`pack_int4`.

    Args:
        packed: Packed ``int8``/``uint8`` tensor.
        orig_len: Length of ``axis`` before packing (the padding is dropped).
        axis: Axis that was packed.
        dtype: ``"int8"`` (nibbles read as signed ``[-8, 7]``) or ``"uint8"`` (``[0, 15]``).

    Returns:
        The unpacked tensor, of ``dtype``.
    """
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")
    x = convert_to_tensor(packed)
    if dtype_name(x.dtype) not in ("int8", "uint8"):
        raise TypeError(f"Expected int8 or uint8 tensor for unpacking, got {dtype_name(x.dtype)}")
    axis = axis % x.ndim
    moved = torch.movedim(x, axis, 0)
    low, high = moved & 0x0F, (moved >> 4) & 0x0F
    if dtype == "int8":
        low, high = (low ^ 8) - 8, (high ^ 8) - 8
    target = to_torch_dtype(dtype)
    stacked = torch.stack([low.to(target), high.to(target)], dim=1)
    unpacked = stacked.reshape((-1,) + tuple(moved.shape[1:]))[:orig_len]
    return torch.movedim(unpacked, 0, axis)


def serialize(quantizer: Any) -> Any:
    """The Keras 3 config dictionary of a quantizer.

    Args:
        quantizer: A :class:`Quantizer`.

    Returns:
        ``{"module", "class_name", "config", "registered_name"}``.
    """
    return registry.serialize_keras_object(quantizer, CATEGORY)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """A quantizer from :func:`serialize`'s output (or a registered name).

    Args:
        config: The dictionary (or name).
        custom_objects: Extra ``name -> class`` entries to resolve.

    Returns:
        The quantizer.
    """
    return registry.deserialize_keras_object(config, CATEGORY, custom_objects, what="quantizer")


def get(identifier: Any, **kwargs: Any) -> Any:
    """A quantizer from a config dictionary, a registered name (built with ``kwargs``) or itself.

    Args:
        identifier: ``None``, a config dictionary, a registered name or a quantizer.
        **kwargs: Constructor arguments when ``identifier`` names a class.

    Returns:
        The quantizer (``None`` for ``None``).

    Raises:
        ValueError: if ``identifier`` is none of those.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    obj = registry.lookup(CATEGORY, identifier) if isinstance(identifier, str) else identifier
    if callable(obj):
        return obj(**kwargs) if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret quantizer identifier: {identifier}")
