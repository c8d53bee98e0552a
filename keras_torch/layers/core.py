"""Core layers: InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector,
Lambda, Embedding, Masking, Identity."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core.context import may_overwrite
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
    """The entry point of a functional model; usually created by :func:`keras_torch.Input`.

    Args:
        shape: Shape without the batch dimension (``None`` entries for unknown sizes).
        batch_size: Optional fixed batch size.
        dtype: Dtype of the expected data (default ``keras.config.floatx()``; string dtypes for text layers).
        sparse: Accepted for compatibility (torch tensors are dense).
        batch_shape: Full shape including the batch dimension (instead of ``shape``/``batch_size``).
        input_tensor: Accepted for compatibility.
        name: Layer name (default ``input_layer``, ``input_layer_1``...).
        input_shape: Keras 2 name of ``shape``.
        batch_input_shape: Keras 2 name of ``batch_shape``.
        ragged: Accepted for compatibility (saved as ``False``).
        optional: Whether the input may be ``None`` when the model is called.
        **kwargs: Base layer arguments.

    Input shape:
        None (the layer has no inbound layers).

    Output shape:
        ``(batch_size,) + shape``, as the symbolic tensor ``layer.output``.

    Example:

    >>> layer = keras.layers.InputLayer(shape=(8,))
    >>> layer.output.shape
    (None, 8)
    >>> model = keras.Sequential([layer, keras.layers.Dense(2)])
    >>> model.output_shape
    (None, 2)
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
    """Creates a symbolic input tensor, the starting point of a functional model.

    The returned ``KerasTensor`` has a shape (batch dimension first, ``None`` when unknown) and a dtype but no
    values: calling layers on it records the computation, and ``keras.Model(inputs, outputs)`` turns that
    record into a model.

    Args:
        shape: Shape tuple without the batch dimension, e.g. ``(32,)`` for batches of 32-vectors;
            ``None`` entries are sizes unknown until call time.
        batch_size: Optional fixed batch size.
        dtype: Dtype of the expected data (default ``keras.config.floatx()``), e.g. ``"int32"`` for token ids.
        sparse: Accepted for compatibility; only ``False``/``None`` (torch tensors are dense).
        batch_shape: Full shape including the batch dimension (instead of ``shape`` and ``batch_size``).
        name: Optional name of the input layer (unique in a model); default ``input_layer``, ``input_layer_1``...
        tensor: Optional existing ``KerasTensor`` to wrap instead of creating one.
        optional: Whether the input may be ``None`` when the model is called.
        batch_input_shape: Keras 2 name of ``batch_shape``.
        **kwargs: Keras 2 leftovers (``ragged``...) are accepted when harmless.

    Returns:
        A ``KerasTensor``.

    Example:

    >>> inputs = keras.Input(shape=(32,))
    >>> inputs.shape
    (None, 32)
    >>> outputs = keras.layers.Dense(4)(inputs)
    >>> model = keras.Model(inputs, outputs)
    >>> model(np.ones((2, 32))).shape
    torch.Size([2, 4])
    """
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
    """Just your regular densely-connected layer: ``output = activation(inputs @ kernel + bias)``.

    The kernel is stored torch-style as ``weight`` of shape ``(units, input_dim)`` (so ``state_dict()`` loads
    into ``torch.nn.Linear``); ``layer.kernel`` and ``get_weights()`` give the Keras layout
    ``(input_dim, units)``. Inputs of rank greater than 2 are multiplied along their last axis.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation function (name or callable); ``None`` (default) means linear.
        use_bias: Whether the layer adds a bias vector. Default ``True``.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``), applied in Keras layout
            ``(input_dim, units)`` so that fan-in/fan-out and seeded values match real Keras.
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel; its penalty is added to ``layer.losses``.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer's output.
        kernel_constraint: Optional constraint (e.g. ``keras.constraints.MaxNorm``) applied to the kernel after
            each optimizer step.
        bias_constraint: Optional constraint applied to the bias after each optimizer step.
        lora_rank: If set, LoRA is enabled at build with this rank (see :meth:`enable_lora`): the kernel is
            frozen and two trainable low-rank factors are added.
        lora_alpha: LoRA scale numerator. As in Keras 3.15, ``Dense`` resets it to ``lora_rank`` at build.
        quantization_config: Only ``None``: weight quantization is not provided.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``, Keras 2's ``input_shape``...).

    Input shape:
        ``(batch, ..., input_dim)``; most often ``(batch, input_dim)``.

    Output shape:
        ``(batch, ..., units)``.

    Example:

    >>> layer = keras.layers.Dense(4, activation="relu")
    >>> layer(np.ones((2, 3))).shape
    torch.Size([2, 4])
    >>> layer.weight.shape, layer.get_weights()[0].shape  # torch layout vs Keras layout
    (torch.Size([4, 3]), (3, 4))
    """

    _fresh_output = True  # (see Layer._fresh_output)

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
        out = F.linear(inputs, self.weight, self.bias)
        fast = activations.inplace(self.activation)  # the result is this call's own: overwrite it
        return self.activation(out) if fast is None else fast(out)

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
    """Applies an activation function to its input.

    Args:
        activation: Activation function: a name such as ``"relu"``, ``"gelu"`` or ``"softmax"``, or any
            callable taking and returning a tensor (``keras.activations.*``, torch functions).
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.Activation("relu")(np.array([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """

    _fresh_output = True  # (see Layer._fresh_output)

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        fast = activations.inplace(self.activation) if may_overwrite(self, inputs) else None
        return self.activation(inputs) if fast is None else fast(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


@register_layer()
class Dropout(Layer):
    """Randomly sets input units to 0 during training.

    Each unit is dropped with probability ``rate`` and the kept units are scaled by ``1 / (1 - rate)`` so that
    the expected sum is unchanged. Only active when the layer is called with ``training=True`` (as
    ``fit`` does, or in a torch loop after ``model.train()``); in inference it is the identity.

    Args:
        rate: Float between 0 and 1, the fraction of the inputs to drop.
        noise_shape: Optional shape of the binary keep mask, broadcast against the input. For example
            ``(batch, 1, features)`` drops the same features at every timestep; ``None`` entries take the
            input's size.
        seed: Optional int seed of the random mask.
        **kwargs: Base layer arguments.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.Dropout(0.5, seed=1)
    >>> layer(np.ones((2, 4)))  # inference: identity
    tensor([[1., 1., 1., 1.],
            [1., 1., 1., 1.]])
    >>> y = layer(np.ones((1, 1000)), training=True)  # about half zeroed, the rest doubled
    >>> sorted(set(y.flatten().tolist()))
    [0.0, 2.0]
    """

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
    """Flattens the input to ``(batch, features)``; the batch axis is kept.

    The features are flattened in channels_last order whatever ``data_format`` is (a channels_first
    input is transposed first), as in Keras, so a following ``Dense`` kernel is compatible with Keras files.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``, the layout of the input.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, ...)``, rank >= 1.

    Output shape:
        ``(batch, product of the other dimensions)``; a rank-1 input becomes ``(batch, 1)``.

    Example:

    >>> keras.layers.Flatten()(np.zeros((2, 4, 4, 3))).shape
    torch.Size([2, 48])
    """

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
    """Reshapes the input to ``target_shape``; the batch axis is kept.

    Args:
        target_shape: Tuple of ints, the new shape without the batch dimension. One entry may be ``-1``
            and is then inferred from the number of elements.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, ...)`` with a number of elements per sample compatible with ``target_shape``.

    Output shape:
        ``(batch,) + target_shape``.

    Example:

    >>> keras.layers.Reshape((3, 4))(np.zeros((2, 12))).shape
    torch.Size([2, 3, 4])
    >>> keras.layers.Reshape((-1, 2))(np.zeros((2, 12))).shape
    torch.Size([2, 6, 2])
    """

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
    """Permutes the non-batch axes of the input.

    Args:
        dims: Tuple of ints, the new order of the non-batch axes, 1-indexed as in Keras: ``(2, 1)``
            swaps the first and second non-batch axes.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, d1, ..., dn)``.

    Output shape:
        ``(batch,)`` followed by the input dimensions reordered by ``dims``.

    Example:

    >>> keras.layers.Permute((2, 1))(np.zeros((2, 10, 64))).shape
    torch.Size([2, 64, 10])
    """

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
    """Repeats a vector input ``n`` times along a new time axis.

    Args:
        n: Number of repetitions.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, features)``.

    Output shape:
        ``(batch, n, features)``.

    Example:

    >>> keras.layers.RepeatVector(3)(np.array([[1.0, 2.0]]))
    tensor([[[1., 2.],
             [1., 2.],
             [1., 2.]]])
    """

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
    """Returns its inputs unchanged.

    Args:
        **kwargs: Base layer arguments.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.Identity()(np.array([1.0, 2.0]))
    tensor([1., 2.])
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


@register_layer()
class Masking(Layer):
    """Masks the timesteps whose features all equal ``mask_value``.

    The layer passes its input through unchanged and attaches a mask ``(batch, timesteps)`` that is
    ``False`` where every feature equals ``mask_value``; downstream mask-aware layers (RNNs, attention,
    ``GlobalAveragePooling1D``...) skip those steps.

    Args:
        mask_value: The padding value (default 0.0).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, timesteps, features)`` (any rank >= 2; the last axis holds the features).

    Output shape:
        Same as the input.

    Example:

    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> keras.layers.Masking(mask_value=0.0).compute_mask(torch.tensor(x))
    tensor([[ True, False,  True]])
    """

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
    """Turns non-negative integer ids into dense vectors of fixed size.

    The table is stored as ``embeddings`` of shape ``(input_dim, output_dim)`` (the same layout as
    ``torch.nn.Embedding.weight``). With ``mask_zero=True`` id 0 is padding: the layer emits a mask that
    mask-aware layers downstream (RNNs, attention, pooling) use to skip those positions.

    Args:
        input_dim: Size of the vocabulary (largest id + 1).
        output_dim: Dimension of the embedding vectors.
        embeddings_initializer: Initializer of the table (default ``"uniform"``: U(-0.05, 0.05)).
        embeddings_regularizer: Optional regularizer of the table.
        embeddings_constraint: Optional constraint applied to the table after each optimizer step.
        mask_zero: Whether id 0 is a padding value to be masked (then ids go up to ``input_dim - 1`` and
            id 0 cannot be a real token).
        weights: Optional list holding an initial table ``(input_dim, output_dim)`` (Keras 2 argument).
        lora_rank: If set, LoRA is enabled at build with this rank (see :meth:`enable_lora`).
        lora_alpha: LoRA scale numerator. As in Keras 3.15, ``Embedding`` resets it to ``lora_rank`` at build.
        quantization_config: Only ``None``: weight quantization is not provided.
        input_length: Keras 2 argument, accepted and ignored (as Keras 3 does).
        activity_regularizer: Optional regularizer of the layer's output.
        sparse: Only ``False`` (dense gradients).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, ...)`` integer ids.

    Output shape:
        ``(batch, ..., output_dim)``.

    Example:

    >>> layer = keras.layers.Embedding(input_dim=100, output_dim=8, mask_zero=True)
    >>> ids = np.array([[4, 7, 0], [1, 0, 0]])
    >>> layer(ids).shape
    torch.Size([2, 3, 8])
    >>> layer.compute_mask(ids)
    array([[ True,  True, False],
           [ True, False, False]])
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
