"""tf-keras 2's premade models (``keras.experimental.LinearModel`` / ``WideDeepModel``) on plain tensors."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch import activations, initializers, optimizers, regularizers
from keras_torch.core import registry
from keras_torch.core import tree as core_tree
from keras_torch.layers import Dense, Layer
from keras_torch.models.model import Model

__all__ = ["LinearModel", "WideDeepModel"]


def _is_shape(value: Any) -> bool:
    return isinstance(value, (list, tuple, torch.Size)) and all(v is None or isinstance(v, int) for v in value)


class _Bias(Layer):
    """The bias of a :class:`LinearModel`, a layer of its own so that it follows the kernels (tf-keras's weight order)."""

    def __init__(self, units: int, initializer: Any, regularizer: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bias = self.add_weight(name="bias", shape=(units,), initializer=initializer, regularizer=regularizer)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs + self.bias


@registry.register("LinearModel", category="layers")
class LinearModel(Model):
    """A linear (generalized) regression model: ``activation(sum_i x_i @ W_i + b)``.

    Inputs may be one tensor, a list of tensors or a dict of tensors (one kernel per entry, dict
    entries in sorted key order, each kernel a ``Dense`` named after its key).

    Args:
        units: Output size.
        activation: Activation of the output.
        use_bias: Add a bias.
        kernel_initializer: Initializer of the kernels (default zeros, as tf-keras).
        bias_initializer: Initializer of the bias.
        kernel_regularizer: Regularizer of the kernels.
        bias_regularizer: Regularizer of the bias.
        **kwargs: ``Model`` arguments (``name``...).
    """

    def __init__(self, units: int = 1, activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "zeros",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def _dense(self, shape: Any, name: str | None = None) -> Dense:
        layer = Dense(self.units, use_bias=False, kernel_initializer=self.kernel_initializer,
                      kernel_regularizer=self.kernel_regularizer, name=name)
        layer.build(tuple(shape))
        layer.built = True
        return layer

    def build(self, input_shape: Any) -> None:
        if isinstance(input_shape, dict):
            self.dense_layers = [self._dense(input_shape[name], name) for name in sorted(input_shape)]
        elif isinstance(input_shape, (list, tuple)) and not _is_shape(input_shape):
            self.dense_layers = [self._dense(shape) for shape in input_shape]
        else:
            self.dense_layers = [self._dense(input_shape)]
        if self.use_bias:
            self.bias_layer = _Bias(self.units, self.bias_initializer, self.bias_regularizer, name="bias")
        self.built = True

    @property
    def bias(self) -> torch.Tensor | None:
        """The bias weight (``None`` without ``use_bias`` or before the model is built)."""
        return self.bias_layer.bias if self.use_bias and self.built else None

    def call(self, inputs: Any) -> torch.Tensor:
        if isinstance(inputs, dict):
            names = [layer.name for layer in self.dense_layers]
            missing = set(names) - set(inputs)
            if missing:
                raise ValueError("The `inputs` dictionary does not match the structure expected by the model."
                                 f"\n\tExpected keys: {set(names)}\n\tReceived keys: {set(inputs)}"
                                 f"\n\tMissing keys: {missing}")
            parts = [layer(inputs[name]) for name, layer in zip(names, self.dense_layers)]
        elif isinstance(inputs, (list, tuple)):
            parts = [layer(x) for x, layer in zip(inputs, self.dense_layers)]
        else:
            parts = [self.dense_layers[0](inputs)]
        result = parts[0]
        for part in parts[1:]:
            result = result + part
        if self.use_bias:
            result = self.bias_layer(result)
        return self.activation(result) if self.activation is not None else result

    def get_config(self) -> dict[str, Any]:
        return {**Layer.get_config(self), "units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LinearModel:
        return cls(**config)


def _add(a: Any, b: Any) -> Any:
    """Elementwise sum of two outputs of the same structure (tensor, list/tuple or dict of tensors)."""
    if isinstance(a, dict):
        return {k: _add(a[k], b[k]) for k in a}
    if isinstance(a, (list, tuple)):
        return type(a)(_add(x, y) for x, y in zip(a, b))
    return a + b


class _WideDeepSelector:
    """``MultiOptimizer`` selector: the linear model's variables go to the first optimizer."""

    def __init__(self, linear_model: Model, linear: Any, dnn: Any) -> None:
        self.linear_model, self.linear, self.dnn = linear_model, linear, dnn

    def __call__(self, variable: torch.Tensor) -> Any:
        return self.linear if any(variable is w for w in self.linear_model.trainable_weights) else self.dnn


@registry.register("WideDeepModel", category="layers")
class WideDeepModel(Model):
    """Sum of a linear ("wide") model and a deep model, optionally through an activation.

    ``compile(optimizer=[linear_optimizer, dnn_optimizer])`` trains each part with its own
    optimizer (a ``MultiOptimizer`` over the two); a single optimizer trains both.

    Args:
        linear_model: The wide part (typically a :class:`LinearModel`).
        dnn_model: The deep part.
        activation: Activation applied to the sum.
        **kwargs: ``Model`` arguments.

    Call arguments:
        inputs: One input for both parts, or ``[linear_inputs, dnn_inputs]``.
        training: Passed to the deep model.
    """

    def __init__(self, linear_model: Model, dnn_model: Model, activation: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.linear_model = linear_model
        self.dnn_model = dnn_model
        self.activation = activations.get(activation)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if isinstance(inputs, (list, tuple)) and len(inputs) == 2:
            linear_inputs, dnn_inputs = inputs
        else:
            linear_inputs = dnn_inputs = inputs
        output = _add(self.linear_model(linear_inputs), self.dnn_model(dnn_inputs, training=training))
        return core_tree.map_structure(self.activation, output) if self.activation is not None else output

    def compile(self, optimizer: Any = "rmsprop", **kwargs: Any) -> None:
        """``Model.compile``; ``optimizer`` may be a ``[linear_optimizer, dnn_optimizer]`` pair."""
        if isinstance(optimizer, (list, tuple)):
            linear, dnn = (optimizers.get(o) for o in optimizer)
            optimizer = optimizers.MultiOptimizer(_WideDeepSelector(self.linear_model, linear, dnn))
        super().compile(optimizer=optimizer, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**Layer.get_config(self), "linear_model": registry.serialize_keras_object(self.linear_model, "layers"),
                "dnn_model": registry.serialize_keras_object(self.dnn_model, "layers"),
                "activation": activations.serialize(self.activation)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> WideDeepModel:
        config = dict(config)
        linear = registry.deserialize_keras_object(config.pop("linear_model"), "layers", custom_objects)
        dnn = registry.deserialize_keras_object(config.pop("dnn_model"), "layers", custom_objects)
        return cls(linear, dnn, **config)
