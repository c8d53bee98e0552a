"""EinsumDense: a dense layer expressed as an einsum equation (used by MultiHeadAttention).

torch has no equivalent module, so the kernel is stored in its Keras layout. LoRA: ``layers/lora.py``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import torch

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.layers._args import check_shape, register_layer, reject_quantization
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec
from keras_torch.layers.lora import LoraMergedView, LoraMixin

__all__ = ["EinsumDense"]


def analyze_einsum_string(equation: str, bias_axes: str | None, input_shape: Any, output_shape: Any) -> tuple:
    """Kernel shape, bias shape, full output shape, kernel input axes, kernel output axes (as Keras)."""
    dot_replaced = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
                          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
                          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False)):
        m = re.match(pattern, dot_replaced)
        if m:
            return _analyze_split(m, bias_axes, tuple(input_shape), output_shape, left)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form "
        "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _analyze_split(m: Any, bias_axes: str | None, input_shape: tuple, output_shape: Any, left_elided: bool) -> tuple:
    input_spec, weight_spec, output_spec = m.group(1), m.group(2), m.group(3)
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        for i in range(len(input_shape) - elided, len(input_shape)):
            output_shape.append(input_shape[i])
    if left_elided:
        input_dim_map = {d: (i + elided) - len(input_shape) for i, d in enumerate(input_spec)}
        output_dim_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_dim_map = {d: i for i, d in enumerate(input_spec)}
        output_dim_map = {d: i for i, d in enumerate(output_spec)}
    if len(output_shape) <= max(output_dim_map.values(), default=-1):
        raise ValueError(f"Output shape {tuple(output_shape[1:])} has too few dimensions for the output spec "
                         f"'{output_spec}' of the einsum equation.")
    for d in input_spec:
        in_dim = input_shape[input_dim_map[d]]
        if d in output_dim_map:
            out_dim = output_shape[output_dim_map[d]]
            if out_dim is not None and out_dim != in_dim:
                raise ValueError(
                    f"Input shape and output shape do not match at shared dimension '{d}'. "
                    f"Input shape is {in_dim}, and output shape is {out_dim}."
                )
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(
                f"Dimension '{d}' was specified in the output '{output_spec}' but has no corresponding dim "
                f"in the input spec '{input_spec}' or weight spec '{weight_spec}'"
            )
    weight_shape, input_axes, output_axes = [], [], []
    for i, d in enumerate(weight_spec):
        if d in output_dim_map:
            weight_shape.append(output_shape[output_dim_map[d]])
            output_axes.append(i)
        elif d in input_dim_map:
            weight_shape.append(input_shape[input_dim_map[d]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"Weight dimension '{d}' did not have a match in either the input spec '{input_spec}' "
                f"or the output spec '{output_spec}'. For this layer, the weight must be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        n_left = elided if left_elided else 0
        idx_map = {c: output_shape[i + n_left] for i, c in enumerate(output_spec)}
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the output spec '{output_spec}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias_shape = [idx_map[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * elided)
    # Free output dims left as None take the matching input dim (what tracing the op gives Keras).
    for d, i in output_dim_map.items():
        if output_shape[i] is None and d in input_dim_map:
            output_shape[i] = input_shape[input_dim_map[d]]
    return weight_shape, bias_shape, output_shape, input_axes, output_axes


class _FanAwareInit:
    """Keras 3 gives VarianceScaling initializers the kernel's input/output axes for its fans."""

    def __init__(self, init: Any, input_axes: list[int], output_axes: list[int]) -> None:
        self.init, self.input_axes, self.output_axes = init, input_axes, output_axes

    def __call__(self, shape: tuple, dtype: Any = None) -> torch.Tensor:
        fan_in = int(np.prod([shape[a] for a in self.input_axes])) if self.input_axes else 1
        fan_out = int(np.prod([shape[a] for a in self.output_axes])) if self.output_axes else 1
        # Every kernel axis is an input or an output axis, so the 2D draw has the right size
        # and, being i.i.d., only needs reshaping.
        return torch.as_tensor(self.init((fan_in, fan_out), dtype=dtype)).reshape(tuple(shape))


@register_layer()
class EinsumDense(LoraMixin, Layer):
    """A dense layer of arbitrary dimensionality: ``einsum(equation, inputs, kernel) + bias``.

    Args:
        equation: Einsum equation ``"ab,bc->ac"`` (inputs, kernel -> output); may use ``...``.
        output_shape: Expected output shape without the batch dimension (``None`` for free dimensions,
            filled from the input).
        activation: Activation function; ``None`` (default) means linear.
        bias_axes: Letters of the output spec that get a bias (``None``: no bias).
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel.
        bias_regularizer: Optional regularizer of the bias.
        kernel_constraint: Optional constraint of the kernel (applied after each optimizer step).
        bias_constraint: Optional constraint of the bias.
        lora_rank: If set, LoRA is enabled at build with this rank (see :meth:`enable_lora`).
        lora_alpha: LoRA scale numerator (default ``lora_rank``).
        gptq_unpacked_column_size: Only ``None``: weight quantization is not provided.
        quantization_config: Only ``None``: weight quantization is not provided.
        **kwargs: Base layer arguments.

    Input shape:
        As described by ``equation``.

    Output shape:
        ``(batch,) + output_shape`` (with free dims filled from the input).

    Example:

    >>> layer = keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")
    >>> layer(np.ones((2, 10, 32))).shape
    torch.Size([2, 10, 64])
    """

    kernel = LoraMergedView()  # the kernel in Keras layout, merged while LoRA is enabled

    def __init__(
        self,
        equation: str,
        output_shape: Any,
        activation: Any = None,
        bias_axes: str | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        gptq_unpacked_column_size: Any = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        reject_quantization(self.name, gptq_unpacked_column_size=gptq_unpacked_column_size,
                            quantization_config=quantization_config)
        if not isinstance(equation, str):
            raise ValueError(f"Layer '{self.name}': `equation` must be a string such as 'ab,bc->ac'. "
                             f"Received equation={equation!r}.")
        if bias_axes is not None and (not isinstance(bias_axes, str) or not bias_axes):
            raise ValueError(f"Layer '{self.name}': `bias_axes` must be a string of output letters or None. "
                             f"Received bias_axes={bias_axes!r}.")
        self.equation = equation
        self.partial_output_shape = check_shape(self.name, "output_shape", output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)

    def build(self, input_shape: Any) -> None:
        kernel_shape, bias_shape, _, in_axes, out_axes = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling):
            init = _FanAwareInit(init, in_axes, out_axes)
        self.kernel = self.add_weight(
            name="kernel", shape=tuple(kernel_shape), initializer=init,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        self.bias = None if bias_shape is None else self.add_weight(
            name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
        )
        self.input_spec = InputSpec(ndim=len(input_shape))
        self._build_lora(keep_alpha=True)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(analyze_einsum_string(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
            **self._lora_config(),
        }
