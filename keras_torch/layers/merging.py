"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and their
functional forms (``add([a, b])`` ...), which work on tensors and symbolic KerasTensors alike."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config as _config
from keras_torch.core.context import may_overwrite
from keras_torch.layers._args import check_axis, register_layer
from keras_torch.layers.base import Layer

__all__ = [
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot",
]


def _mask_of(x: Any) -> Any:
    return getattr(x, "_keras_mask", None) if isinstance(x, torch.Tensor) else None


def _is_shape_list(s: Any) -> bool:
    return isinstance(s, (list, tuple)) and len(s) > 0 and all(x is None or isinstance(x, (list, tuple)) for x in s)


class _Merge(Layer):
    """Base of the element-wise merge layers (inputs: a list of tensors)."""

    _fresh_output = True  # (see Layer._fresh_output)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _elemwise_shape(self, shape1: Any, shape2: Any) -> Any:
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._elemwise_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        out = list(shape1[: -len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1 or j == 1:
                out.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): inputs have incompatible shapes. "
                    f"Received shapes {tuple(shape1)} and {tuple(shape2)}"
                )
            else:
                out.append(i)
        return tuple(out)

    def _check_list(self, input_shape: Any) -> None:
        if not _is_shape_list(input_shape):
            raise ValueError(
                f"A merge layer ('{self.name}', {type(self).__name__}) should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )

    def build(self, input_shape: Any) -> None:
        self._check_list(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Layer '{self.name}': cannot merge tensors with different batch sizes. "
                             f"Received tensors with shapes {[tuple(s) for s in input_shape]}")
        out = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for s in input_shape[1:]:
            out = self._elemwise_shape(out, None if s is None else tuple(s[1:]))
        self._reshape_required = None in input_shape or len({len(s) for s in input_shape}) != 1

    def call(self, inputs: Any, mask: Any = None) -> torch.Tensor:  # mask: read per input (Keras 3)
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer ('{self.name}') should be called on a list of inputs. "
                             f"Received: inputs={inputs} (not a list of tensors)")
        if self._reshape_required or len({x.ndim for x in inputs}) != 1:
            max_ndim = max(x.ndim for x in inputs)
            reshaped = []
            for x in inputs:
                y = x
                for _ in range(max_ndim - x.ndim):
                    y = y.unsqueeze(1)
                if y is not x and _mask_of(x) is not None:
                    y._keras_mask = x._keras_mask
                reshaped.append(y)
            inputs = reshaped
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError

    def _merge_with_masks(self, op: Any, inputs: list[torch.Tensor]) -> torch.Tensor:
        """Keras 3 masked merge: masked entries take the other operand's value."""
        output = output_mask = None
        for x in inputs:
            mask = _mask_of(x)
            if mask is not None:
                mask = mask.unsqueeze(-1).expand_as(x).to(torch.bool)
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = torch.where(mask, x, output)
            if output_mask is not None:
                output = torch.where(output_mask, output, x)
            output_mask = output_mask | mask if (mask is not None and output_mask is not None) else None
            output = op(output, x)
        return output

    def compute_output_shape(self, input_shape: Any) -> Any:
        self._check_list(input_shape)
        out = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for s in input_shape[1:]:
            out = self._elemwise_shape(out, None if s is None else tuple(s[1:]))
        batch = {s[0] for s in input_shape if s is not None} - {None}
        return ((next(iter(batch)) if len(batch) == 1 else None),) + tuple(out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received: mask={mask}")
        if len(mask) != len(inputs):
            raise ValueError(f"Layer '{self.name}': the lists `inputs` and `mask` should have the same length. "
                             f"Received {len(inputs)} inputs and {len(mask)} masks")
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = out | m
        return out


@register_layer()
class Add(_Merge):
    """Element-wise sum of a list of inputs (same shape, broadcasting allowed).

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape.

    Example:

    >>> keras.layers.Add()([np.ones((2, 3)), 2 * np.ones((2, 3))])
    tensor([[3., 3., 3.],
            [3., 3., 3.]])
    """

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        out = inputs[0]
        if may_overwrite(self, out) and all(x.dtype == out.dtype and x.shape == out.shape for x in inputs[1:]):
            for x in inputs[1:]:
                out.add_(x)  # the same sums, in the same order, in the donated first input
            return out
        for x in inputs[1:]:
            out = out + x
        return out


@register_layer()
class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs).

    Input shape:
        A list of two tensors.

    Output shape:
        The broadcast shape.

    Example:

    >>> keras.layers.Subtract()([np.full((1, 3), 5.0), np.ones((1, 3))])
    tensor([[4., 4., 4.]])
    """

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer ('{self.name}') should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer ('{self.name}') should be called on exactly 2 inputs. "
                             f"Received {len(inputs)} inputs")
        return inputs[0] - inputs[1]


@register_layer()
class Multiply(_Merge):
    """Element-wise product of a list of inputs (masked entries count as 1, as in Keras 3).

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape.

    Example:

    >>> keras.layers.Multiply()([np.full((1, 3), 2.0), np.full((1, 3), 3.0)])
    tensor([[6., 6., 6.]])
    """

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        masks = [_mask_of(x) for x in inputs]
        all_masked = all(m is not None for m in masks)
        output = output_mask = None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = mask.unsqueeze(-1).expand_as(x).to(torch.bool)
                x = torch.where(mask, x, torch.ones((), dtype=x.dtype, device=x.device))
                if all_masked:
                    output_mask = mask if output_mask is None else output_mask | mask
            output = x if output is None else output * x
        if all_masked:
            output = torch.where(output_mask, output, torch.zeros((), dtype=output.dtype, device=output.device))
        return output


@register_layer()
class Average(_Merge):
    """Element-wise mean of a list of inputs.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape.

    Example:

    >>> keras.layers.Average()([np.zeros((1, 2)), np.full((1, 2), 4.0)])
    tensor([[2., 2.]])
    """

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


@register_layer()
class Maximum(_Merge):
    """Element-wise maximum of a list of inputs.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape.

    Example:

    >>> keras.layers.Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])])
    tensor([[3., 5.]])
    """

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return self._merge_with_masks(torch.maximum, inputs)


@register_layer()
class Minimum(_Merge):
    """Element-wise minimum of a list of inputs.

    Input shape:
        A list of tensors.

    Output shape:
        The broadcast shape.

    Example:

    >>> keras.layers.Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])])
    tensor([[1., 2.]])
    """

    def _merge_function(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return self._merge_with_masks(torch.minimum, inputs)


@register_layer()
class Concatenate(_Merge):
    """Concatenates a list of inputs along ``axis``.

    Args:
        axis: Concatenation axis (default -1).

    Input shape:
        A list of tensors with equal shapes except along ``axis``.

    Output shape:
        The common shape with the ``axis`` sizes summed.

    Example:

    >>> keras.layers.Concatenate(axis=-1)([np.zeros((2, 3)), np.ones((2, 4))]).shape
    torch.Size([2, 7])
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = check_axis(self.name, "axis", axis, allow_list=False)

    def build(self, input_shape: Any) -> None:
        if not _is_shape_list(input_shape):
            raise ValueError(f"A `Concatenate` layer ('{self.name}') should be called on a list of at least 1 input. "
                             f"Received: input_shape={input_shape}")
        shapes = [tuple(s) for s in input_shape if s is not None]
        if not shapes:
            return
        bad = len({len(s) for s in shapes}) != 1
        if not bad:
            rank = len(shapes[0])
            cat = self.axis % rank
            for d in range(rank):
                if d != cat and len({s[d] for s in shapes} - {None}) > 1:
                    bad = True
        if bad:
            raise ValueError(
                f"A `Concatenate` layer ('{self.name}') requires inputs with matching shapes except for the "
                f"concatenation axis (axis={self.axis}). Received: input_shape={shapes}"
            )

    def call(self, inputs: Any, mask: Any = None) -> torch.Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A `Concatenate` layer ('{self.name}') should be called on a list of inputs.")
        return torch.cat(list(inputs), dim=self.axis)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not _is_shape_list(input_shape):
            raise ValueError(f"A `Concatenate` layer ('{self.name}') should be called on a list of inputs. "
                             f"Received: input_shape={input_shape}")
        out = list(input_shape[0])
        for s in input_shape[1:]:
            if out[self.axis] is None or s[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += s[self.axis]
        return tuple(out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f"Layer '{self.name}': `mask` should be a list with one entry per input. Received: {mask}")
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(torch.ones(x.shape, dtype=torch.bool, device=x.device))
            elif m.ndim < x.ndim:
                masks.append(m.to(torch.bool).unsqueeze(-1).expand(x.shape))
            else:
                masks.append(m.to(torch.bool))
        return torch.any(torch.cat(masks, dim=self.axis), dim=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def _batch_dot(x: torch.Tensor, y: torch.Tensor, axes: list[int]) -> torch.Tensor:
    """Keras ``batch_dot`` (contraction of ``x`` axis ``axes[0]`` with ``y`` axis ``axes[1]``, per sample)."""
    x_ndim, y_ndim = x.ndim, y.ndim
    a0, a1 = axes
    orig_x, orig_y = x_ndim, y_ndim
    if x_ndim == 2:
        x = x.unsqueeze(1)
        a0 += 1
        x_ndim += 1
    if y_ndim == 2:
        y = y.unsqueeze(2)
        y_ndim += 1
    if a0 != x_ndim - 1:
        x = x.movedim(a0, -1)
    if a1 != 1:
        y = y.movedim(a1, 1)
    x_mid = x.shape[1:-1]
    y_trail = y.shape[2:]
    if x_ndim > 3:
        x = x.reshape(x.shape[0], -1, x.shape[-1])
    if y_ndim > 3:
        y = y.reshape(y.shape[0], y.shape[1], -1)
    result = torch.matmul(x, y)
    if x_ndim > 3 or y_ndim > 3:
        shape = list(result.shape)
        if x_ndim > 3:
            shape = shape[:1] + list(x_mid) + shape[-1:]
        if y_ndim > 3:
            shape = shape[:-1] + list(y_trail)
        result = result.reshape(shape)
    if orig_x == 2:
        result = result.squeeze(1)
    elif orig_y == 2:
        result = result.squeeze(-1)
    return result


@register_layer()
class Dot(_Merge):
    """Per-sample dot product of two inputs along ``axes`` (cosine similarity with ``normalize``).

    Args:
        axes: Int or pair of ints: the axes to contract.
        normalize: L2-normalize both inputs along the contracted axes first.

    Input shape:
        A list of two tensors of rank >= 2.

    Output shape:
        The ``batch_dot`` shape (at least ``(batch, 1)``).

    Example:

    >>> a = np.arange(6, dtype="float32").reshape(2, 3)
    >>> keras.layers.Dot(axes=1)([a, a])
    tensor([[ 5.],
            [50.]])
    """

    def __init__(self, axes: int | list[int], normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, bool):
            raise TypeError(f"Layer '{self.name}': invalid type for argument `axes`: it should be a list or an int. "
                            f"Received: axes={axes}")
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two elements. Received: axes={axes}")
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be integers. Received: axes={axes}")
            axes = list(axes)
        self.axes = axes
        self.normalize = bool(normalize)

    def _axes_for(self, r1: int, r2: int) -> list[int]:
        if isinstance(self.axes, int):
            return [self.axes % r1, self.axes % r2] if self.axes < 0 else [self.axes] * 2
        return [a % r if a < 0 else a for a, r in zip(self.axes, (r1, r2))]

    def build(self, input_shape: Any) -> None:
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer ('{self.name}') should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        s1, s2 = input_shape
        if s1 is None or s2 is None:
            return
        a = self._axes_for(len(s1), len(s2))
        if not (0 < a[0] < len(s1) and 0 < a[1] < len(s2)):
            raise ValueError(f"Layer '{self.name}': `axes` {self.axes} must name non-batch axes of inputs of ranks "
                             f"{len(s1)} and {len(s2)} (a dot product over the batch axis is not supported).")
        if s1[a[0]] != s2[a[1]]:
            raise ValueError(
                f"Layer '{self.name}': incompatible input shapes: axis values {s1[a[0]]} (at axis {a[0]}) != "
                f"{s2[a[1]]} (at axis {a[1]}). Full input shapes: {tuple(s1)}, {tuple(s2)}"
            )

    def call(self, inputs: Any, mask: Any = None) -> torch.Tensor:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"A `Dot` layer ('{self.name}') should be called on exactly 2 inputs.")
        x1, x2 = inputs
        a = self._axes_for(x1.ndim, x2.ndim)
        if self.normalize:
            eps = 1.0 / _config.epsilon()
            x1 = x1 * torch.clamp(torch.rsqrt(torch.sum(x1 * x1, dim=a[0], keepdim=True)), max=eps)
            x2 = x2 * torch.clamp(torch.rsqrt(torch.sum(x2 * x2, dim=a[1], keepdim=True)), max=eps)
        return _batch_dot(x1, x2, a)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer ('{self.name}') should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        s1, s2 = list(input_shape[0]), list(input_shape[1])
        a = self._axes_for(len(s1), len(s2))
        s1.pop(a[0])
        s2.pop(a[1])
        s2.pop(0)
        out = s1 + s2
        return tuple(out + [1] if len(out) == 1 else out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def add(inputs: list, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Add`: the element-wise sum of the inputs.

    Args:
        inputs: A list of input tensors (at least two).
        **kwargs: Base layer arguments of the created ``Add`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Add(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> keras.layers.add([np.ones((1, 2)), np.ones((1, 2))])
    tensor([[2., 2.]])
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Subtract`: the first input minus the second.

    Args:
        inputs: A list of input tensors (at least two).
        **kwargs: Base layer arguments of the created ``Subtract`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Subtract(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> keras.layers.subtract([np.full((1, 2), 3.0), np.ones((1, 2))])
    tensor([[2., 2.]])
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Multiply`: the element-wise product of the inputs.

    Args:
        inputs: A list of input tensors (at least two).
        **kwargs: Base layer arguments of the created ``Multiply`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Multiply(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> keras.layers.multiply([np.full((1, 2), 3.0), np.full((1, 2), 2.0)])
    tensor([[6., 6.]])
    """
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Average`: the element-wise mean of the inputs.

    Args:
        inputs: A list of input tensors (at least two).
        **kwargs: Base layer arguments of the created ``Average`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Average(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> keras.layers.average([np.zeros((1, 2)), np.full((1, 2), 2.0)])
    tensor([[1., 1.]])
    """
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Maximum`: the element-wise maximum of the inputs.

    Args:
        inputs: A list of input tensors (at least two).
        **kwargs: Base layer arguments of the created ``Maximum`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Maximum(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> keras.layers.maximum([np.array([[1.0, 4.0]]), np.array([[3.0, 2.0]])])
    tensor([[3., 4.]])
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Minimum`: the element-wise minimum of the inputs.

    Args:
        inputs: A list of input tensors (at least two).
        **kwargs: Base layer arguments of the created ``Minimum`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Minimum(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> keras.layers.minimum([np.array([[1.0, 4.0]]), np.array([[3.0, 2.0]])])
    tensor([[1., 2.]])
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    r"""Functional form of :class:`Concatenate`: the inputs joined along ``axis``.

    Args:
        inputs: A list of input tensors (at least two), of equal shape except along ``axis``.
        axis: The concatenation axis (default -1).
        **kwargs: Base layer arguments of the created ``Concatenate`` layer (``name``, ``dtype``...).

    Returns:
        A tensor, the result of ``Concatenate(**kwargs)(inputs)`` (a symbolic tensor for ``keras.Input``\s).

    Example:

    >>> a, b = keras.Input((3,)), keras.Input((5,))
    >>> keras.layers.concatenate([a, b]).shape
    (None, 8)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: int | list[int] = -1, **kwargs: Any) -> Any:
    """Functional form of :class:`Dot`: the per-sample dot product of two inputs.

    Args:
        inputs: A list of two tensors.
        axes: Int or pair of ints, the axis (axes) of each input to contract.
        normalize: L2-normalize both inputs along ``axes`` first, giving the cosine similarity.
        **kwargs: Base layer arguments of the created ``Dot`` layer.

    Returns:
        The tensor ``Dot(axes, normalize)(inputs)``.

    Example:

    >>> keras.layers.dot([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])], axes=1)
    tensor([[11.]])
    """
    return Dot(axes=axes, **kwargs)(inputs)
