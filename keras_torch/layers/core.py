"""Core layers: InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector,
Lambda, Embedding, Masking, Identity."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core.dtypes import is_string_dtype
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import (
    check_axis,
    check_dims,
    check_float,
    check_positive_int,
    check_rate,
    register_layer,
    reject_quantization,
)
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec
from keras_torch.layers.lora import LoraMergedView, LoraMixin


def transpose_2d(t: torch.Tensor) -> torch.Tensor:
    return t.t()


@register_layer()
class InputLayer(Layer):
    """The entry point of a functional model (created by :func:`Input`).

    Args:
        shape: Shape without the batch dimension.
        batch_size: Optional fixed batch size.
        dtype: Input dtype.
        batch_shape / batch_input_shape: Full shape including batch (Keras 3 / Keras 2 name).
        name: Layer name (default ``input_layer``, ``input_layer_1``...).
    """

    _takes_strings = True

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        name: str | None = None,
        input_shape: Any = None,
        batch_input_shape: Any = None,
        ragged: bool | None = None,
        optional: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("trainable", None)
        super().__init__(name=name, dtype=None if dtype is None or is_string_dtype(dtype) else dtype, **kwargs)
        if batch_shape is None:
            batch_shape = batch_input_shape
        if batch_shape is None:
            shape = shape if shape is not None else input_shape
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input / InputLayer.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._input_dtype = dtype if isinstance(dtype, str) else (None if dtype is None else str(dtype))
        if dtype is not None and is_string_dtype(dtype):
            self._input_dtype = "string"  # str / tf.string / numpy string dtypes: text layers take them
        from keras_torch.core import config as _cfg

        self._input_dtype = self._input_dtype or _cfg.floatx()
        if isinstance(dtype, dict):
            self._input_dtype = dtype.get("config", {}).get("name", "float32")
        self.built = True
        self.output_tensor = KerasTensor(self.batch_shape, self._input_dtype, name=self.name, history=(self, 0, 0))
        from keras_torch.core.symbolic import Node

        self._inbound_nodes.append(Node(self, (), {}, self.output_tensor))

    def call(self, inputs: Any) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self._input_dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
        }


def Input(  # noqa: N802 - Keras public name
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
    batch_input_shape: Any = None,
    **kwargs: Any,
) -> KerasTensor:
    """Create a symbolic input tensor for the functional API (``keras.Input``)."""
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        batch_shape=batch_shape if batch_shape is not None else batch_input_shape,
        name=name,
    )
    return layer.output_tensor


@register_layer()
class Dense(LoraMixin, Layer):
    """Densely connected layer, stored as a torch ``(units, in)`` weight.

    Args:
        units: Positive integer, output size.
        activation: Activation name or callable (default: linear).
        use_bias: Whether to add a bias.
        kernel_initializer / bias_initializer / kernel_regularizer / bias_regularizer /
        kernel_constraint / bias_constraint: as in Keras (initialised in Keras ``(in, units)`` layout).
        lora_rank: If set, LoRA is enabled at build with this rank (see :meth:`enable_lora`).
        lora_alpha: LoRA scale numerator. As in Keras 3.15, ``Dense`` resets it to ``lora_rank`` at build.
        quantization_config: Only ``None``: weight quantization is not provided.

    Input shape:
        ``(batch, ..., input_dim)``.

    Output shape:
        ``(batch, ..., units)``.
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        reject_quantization(self.name, quantization_config=quantization_config)
        self.units = check_positive_int(self.name, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Layer '{self.name}': the last dimension of the inputs to Dense must be defined. "
                             f"Received input shape {tuple(input_shape)}")
        self.weight = self.add_weight(
            name="kernel",
            shape=(in_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            attr="weight",
            to_torch=transpose_2d,
            to_keras=transpose_2d,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self._build_lora(keep_alpha=False)

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``(in, units)``: a view of the torch weight, or the LoRA-merged kernel."""
        return (self.lora_merged(self.weight) if self.lora_enabled else self.weight).t()

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if not inputs.is_floating_point():  # Keras's matmul promotes integer inputs (e.g. token counts)
            inputs = inputs.to(self.weight.dtype)
        if self.lora_enabled:
            return self.activation(F.linear(inputs, self.lora_merged(self.weight), self.bias))
        return self.activation(F.linear(inputs, self.weight, self.bias))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
            **self._lora_config(),
        }


@register_layer()
class Activation(Layer):
    """Applies an activation function (``Activation("relu")``)."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


@register_layer()
class Dropout(Layer):
    """Sets inputs to 0 with probability ``rate`` during training, scaling the rest by ``1/(1-rate)``."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(self.name, rate)
        self.noise_shape = check_dims(self.name, "noise_shape", noise_shape, allow_none=True, free=True)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            return F.dropout(inputs, self.rate, True)
        shape = [inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        keep = torch.bernoulli(torch.full(shape, 1 - self.rate, device=inputs.device, dtype=inputs.dtype))
        return inputs * keep / (1 - self.rate)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


@register_layer()
class Flatten(Layer):
    """Flattens all but the batch axis, always in channels_last order (as Keras)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from keras_torch.core.config import standardize_data_format

        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.permute(0, *range(2, inputs.ndim), 1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(np.prod(rest)) if rest else 1
        return (input_shape[0], n)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


@register_layer()
class Reshape(Layer):
    """Reshapes inputs (batch axis kept) to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(-1 if d is None else d
                                  for d in check_dims(self.name, "target_shape", target_shape, inferred=True))

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(self.target_shape)
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1]))
            rest = input_shape[1:]
            if any(d is None for d in rest):
                shape[shape.index(-1)] = None
            else:
                total = int(np.prod(rest))
                if known == 0 or total % known:
                    raise ValueError(f"Layer '{self.name}': cannot reshape input of shape {tuple(input_shape)} "
                                     f"to {self.target_shape}.")
                shape[shape.index(-1)] = total // known
        else:
            rest = input_shape[1:]
            if not any(d is None for d in rest) and int(np.prod(rest)) != int(np.prod(shape)):
                raise ValueError(
                    f"Layer '{self.name}': total size of the input {tuple(input_shape)} does not match "
                    f"target_shape {self.target_shape}."
                )
        return (input_shape[0],) + tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


@register_layer()
class Permute(Layer):
    """Permutes non-batch axes; ``dims`` is 1-indexed as in Keras."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(dims, (list, tuple)):
            raise ValueError(f"Layer '{self.name}': `dims` must be a list of the axes 1..n in their new order. "
                             f"Received: dims={dims!r}")
        self.dims = tuple(check_axis(self.name, "dims", dims))
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute layer. Received: dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}


@register_layer()
class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times → ``(batch, n, features)``."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = check_positive_int(self.name, "n", n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


@register_layer()
class Identity(Layer):
    """Returns its inputs unchanged."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


@register_layer()
class Masking(Layer):
    """Masks timesteps whose features all equal ``mask_value``."""

    _compare_value: float  # mask_value as a float: a Python int beyond int64 overflows torch's comparison

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._compare_value = check_float(self.name, "mask_value", mask_value, allow_nan=True)
        self.mask_value = mask_value  # as given, for get_config
        self.supports_masking = True

    def compute_mask(self, inputs: torch.Tensor, mask: Any = None) -> torch.Tensor:
        return torch.any(inputs != self._compare_value, dim=-1)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        keep = torch.any(inputs != self._compare_value, dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}


@register_layer()
class Embedding(LoraMixin, Layer):
    """Turns integer ids into dense vectors; ``mask_zero=True`` masks id 0.

    Args:
        input_dim: Vocabulary size.
        output_dim: Embedding size.
        embeddings_initializer: Default ``"uniform"`` (U(-0.05, 0.05)).
        mask_zero: Whether id 0 is padding (propagates a mask).
        lora_rank: If set, LoRA is enabled at build with this rank (see :meth:`enable_lora`).
        lora_alpha: LoRA scale numerator. As in Keras 3.15, ``Embedding`` resets it to ``lora_rank`` at build.
        quantization_config: Only ``None``: weight quantization is not provided.
        input_length: Keras 2 argument, accepted and ignored (as Keras 3 does).

    Input shape:
        ``(batch, ...)`` integer ids.

    Output shape:
        ``(batch, ..., output_dim)``.
    """

    _lora_target = "embeddings"
    _lora_noun = "embedding"
    embeddings = LoraMergedView()  # the (input_dim, output_dim) table, merged while LoRA is enabled

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        input_length: int | None = None,
        activity_regularizer: Any = None,
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        reject_quantization(self.name, quantization_config=quantization_config)
        self.input_dim = check_positive_int(self.name, "input_dim", input_dim)
        self.output_dim = check_positive_int(self.name, "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._init_weights = weights
        self.input_length = input_length
        self._init_lora(lora_rank, lora_alpha)

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self._build_lora(keep_alpha=False)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.is_floating_point():
            inputs = inputs.long()
        elif inputs.dtype != torch.int64 and inputs.dtype != torch.int32:
            inputs = inputs.long()
        # Negative indices count from the end, as Keras's ``ops.take`` (one elementwise op, no sync).
        inputs = torch.where(inputs < 0, inputs + self.input_dim, inputs)
        try:
            return F.embedding(inputs, self.embeddings)
        except IndexError:
            flat = inputs.reshape(-1)
            bad = flat[(flat < 0) | (flat >= self.input_dim)]
            value = int(bad[0]) - (self.input_dim if int(bad[0]) < 0 else 0) if bad.numel() else "?"
            raise ValueError(f"Layer '{self.name}' (Embedding): received the index {value}, outside the "
                             f"vocabulary of input_dim={self.input_dim} (valid: -{self.input_dim} to "
                             f"{self.input_dim - 1}).") from None

    def compute_mask(self, inputs: torch.Tensor, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
            **self._lora_config(),
        }
