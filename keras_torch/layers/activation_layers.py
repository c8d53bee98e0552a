"""Advanced activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax (and tf-keras 2's ThresholdedReLU)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core.config import floatx
from keras_torch.core.context import may_overwrite
from keras_torch.layers._args import check_axis, check_float, register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"]


class _Elementwise(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


@register_layer()
class ReLU(_Elementwise):
    """Rectified linear unit with optional cap, leak and threshold.

    ``f(x) = max_value if x >= max_value; x if threshold <= x < max_value;
    negative_slope * (x - threshold) otherwise``.

    Args:
        max_value: Maximum activation (``None`` = unbounded), must be >= 0.
        negative_slope: Slope below the threshold, >= 0.
        threshold: Threshold below which values are damped, >= 0.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.ReLU(max_value=4.0)(np.array([-1.0, 2.0, 6.0]))
    tensor([0., 2., 4.])
    """

    _fresh_output = True  # (see Layer._fresh_output)

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for arg, value in (("max_value", max_value), ("negative_slope", negative_slope), ("threshold", threshold)):
            if value is not None:
                check_float(self.name, arg, value, allow_nan=arg == "max_value")  # max_value=inf: no cap
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer ('{self.name}') cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer ('{self.name}') cannot be None or a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer ('{self.name}') cannot be None or a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            inplace = may_overwrite(self, inputs)
            if self.max_value is None:
                return F.relu(inputs, inplace=inplace)
            if self.max_value == 6.0:
                return F.relu6(inputs, inplace=inplace)
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


@register_layer()
class LeakyReLU(_Elementwise):
    """Leaky ReLU: ``x if x >= 0 else negative_slope * x``.

    Args:
        negative_slope: Slope for ``x < 0`` (default 0.3, as Keras; torch's default is 0.01).
        alpha: Keras 2 name of ``negative_slope``.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.LeakyReLU(negative_slope=0.1)(np.array([-2.0, 0.0, 3.0]))
    tensor([-0.2000,  0.0000,  3.0000])
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is not None:
            check_float(self.name, "negative_slope", negative_slope)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer ('{self.name}') cannot be None or "
                             f"negative value. Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = float(negative_slope)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


@register_layer()
class PReLU(Layer):
    """Parametric ReLU: ``x if x >= 0 else alpha * x`` with a learned ``alpha``.

    ``alpha`` has the input's non-batch shape (size 1 along ``shared_axes``), stored in that
    Keras layout.

    Args:
        alpha_initializer: Default ``"zeros"``.
        alpha_regularizer: Optional regularizer of the slopes.
        alpha_constraint: Optional constraint of the slopes.
        shared_axes: Axes (1-based, excluding batch) sharing one alpha, e.g. ``[1, 2]`` for
            per-channel alphas on images.

    Input shape:
        Any rank >= 2 with defined non-batch dims.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.PReLU(shared_axes=[1, 2])
    >>> layer(np.ones((2, 8, 8, 3))).shape
    torch.Size([2, 8, 8, 3])
    >>> layer.get_weights()[0].shape  # one slope per channel
    (1, 1, 3)
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None, alpha_constraint: Any = None,
                 shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        shared_axes = check_axis(self.name, "shared_axes", shared_axes, allow_none=True)
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if min(self.shared_axes) < 1:
                raise ValueError(f"Layer '{self.name}': `shared_axes` are non-batch axes, counted from 1. "
                                 f"Received: shared_axes={shared_axes!r}")

    def build(self, input_shape: Any) -> None:
        param_shape = list(input_shape[1:])
        if self.shared_axes and max(self.shared_axes) > len(param_shape):
            raise ValueError(f"Layer '{self.name}': shared_axes={self.shared_axes} names an axis beyond the input's "
                             f"rank {len(input_shape)} (input shape {tuple(input_shape)}).")
        for i in self.shared_axes or []:
            param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}': PReLU needs defined non-shared dimensions. "
                             f"Received input shape {tuple(input_shape)} with shared_axes={self.shared_axes}")
        self.alpha = self.add_weight(name="alpha", shape=tuple(param_shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, len(input_shape)) if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.relu(inputs) - self.alpha * F.relu(-inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


@register_layer()
class ELU(_Elementwise):
    """Exponential linear unit: ``x if x > 0 else alpha * (exp(x) - 1)``.

    Args:
        alpha: Scale of the negative part (default 1.0).

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.ELU(alpha=1.0)(np.array([-1.0, 0.0, 2.0]))
    tensor([-0.6321,  0.0000,  2.0000])
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = check_float(self.name, "alpha", alpha)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.elu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


@register_layer()
class Softmax(_Elementwise):
    """Softmax over ``axis`` (int or tuple of ints). Masked positions get probability 0.

    As in Keras 3, masked logits are replaced by -1e9 (-3e4 in float16) before the softmax and
    the masked outputs are zeroed afterwards.

    Args:
        axis: Axis or axes to normalize over (default -1).

    Call arguments:
        inputs: Logits.
        mask: Boolean mask broadcastable to ``inputs`` (True = keep).

    Output shape:
        Same as the input.

    Input shape:
        Any.

    Example:

    >>> keras.layers.Softmax()(np.array([[1.0, 1.0, 2.0]]))
    tensor([[0.2119, 0.2119, 0.5761]])
    >>> keras.layers.Softmax()(np.array([[1.0, 1.0, 2.0]]), mask=torch.tensor([[True, True, False]]))
    tensor([[0.5000, 0.5000, 0.0000]])
    """

    def __init__(self, axis: int | list[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        axis = check_axis(self.name, "axis", axis)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, inputs: torch.Tensor, mask: Any = None) -> torch.Tensor:
        if any(not -inputs.ndim <= a < inputs.ndim for a in (self.axis if isinstance(self.axis, list) else [self.axis])):
            raise ValueError(f"Layer '{self.name}': axis={self.axis} is out of range for inputs of rank {inputs.ndim}.")
        if mask is not None:
            if mask.ndim > inputs.ndim:
                raise ValueError(f"Layer '{self.name}': the `mask` must be broadcastable to `inputs` and must not "
                                 f"have more dimensions. Received: inputs.shape={tuple(inputs.shape)}, "
                                 f"mask.shape={tuple(mask.shape)}")
            for m, i in zip(reversed(mask.shape), reversed(inputs.shape)):
                if m != 1 and m != i:
                    raise ValueError(f"Layer '{self.name}': the `mask` must be broadcastable to `inputs`. "
                                     f"Received: inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}")
            mask = mask if mask.dtype == torch.bool else mask > 0.5
            big = -3e4 if inputs.dtype == torch.float16 else -1e9
            inputs = torch.where(mask, inputs, torch.as_tensor(big, dtype=inputs.dtype, device=inputs.device))
        if isinstance(self.axis, list) and len(self.axis) > 1:
            out = torch.exp(inputs - torch.logsumexp(inputs, dim=self.axis, keepdim=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, list) else self.axis
            out = activations.softmax(inputs, axis=axis) if mask is None else torch.softmax(inputs, dim=axis)
        if mask is not None:
            out = torch.where(mask, out, 0.0)
        return out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@register_layer()
class ThresholdedReLU(_Elementwise):
    """tf-keras 2 thresholded ReLU: ``f(x) = x if x > theta else 0``.

    Args:
        theta: Threshold location, a float >= 0 (default ``1.0``).

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.ThresholdedReLU(theta=1.0)(np.array([0.5, 1.0, 2.0]))
    tensor([0., 0., 2.])
    """

    def __init__(self, theta: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError(f"Theta of a Thresholded ReLU layer ('{self.name}') cannot be None, expecting a float. "
                             f"Received: {theta}")
        check_float(self.name, "theta", theta)
        if theta < 0:
            raise ValueError(f"The theta value of a Thresholded ReLU layer ('{self.name}') should be >=0. "
                             f"Received: {theta}")
        self.theta = float(np.asarray(theta, dtype=floatx()))  # Keras casts it to floatx

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs * (inputs > self.theta).to(inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "theta": self.theta}
