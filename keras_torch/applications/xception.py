"""Xception (Chollet, 2017) (``keras.applications.xception``)."""

from __future__ import annotations

from typing import Any

from keras_torch import layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional

__all__ = ["Xception", "preprocess_input", "decode_predictions"]

WEIGHTS_PATH = _base.WEIGHTS_BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = _base.WEIGHTS_BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5"


def Xception(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
             input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "xception") -> Functional:
    """Instantiates the Xception architecture.

    Args:
        include_top: Include the fully-connected classifier at the top.
        weights: ``None`` (random initialization), ``"imagenet"`` or the path of a weights file.
        input_tensor: Optional Keras tensor (output of ``keras.Input()``) to use as image input.
        input_shape: Shape without batch dimension (at least 71x71 with 3 channels); required to be
            ``(299, 299, 3)`` with ImageNet weights and the top included.
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: Number of classes (with the top and no ImageNet weights).
        classifier_activation: Activation of the top layer (``None`` returns logits).
        name: Model name.

    Returns:
        A ``Model``.
    """
    _base.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    axis = 1 if config.image_data_format() == "channels_first" else -1

    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    # Entry flow: blocks 2-4 halve the resolution, with a strided 1x1 convolution as the shortcut.
    for block, filters in ((2, 128), (3, 256), (4, 728)):
        residual = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
        residual = layers.BatchNormalization(axis=axis)(residual)
        x = _separable(x, filters, f"block{block}_sepconv1", axis, activate_first=block != 2)
        x = _separable(x, filters, f"block{block}_sepconv2", axis)
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
        x = layers.add([x, residual])

    # Middle flow: 8 identity-shortcut blocks.
    for i in range(8):
        residual = x
        prefix = f"block{i + 5}"
        for j in (1, 2, 3):
            x = _separable(x, 728, f"{prefix}_sepconv{j}", axis)
        x = layers.add([x, residual])

    residual = layers.Conv2D(1024, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=axis)(residual)
    x = _separable(x, 728, "block13_sepconv1", axis)
    x = _separable(x, 1024, "block13_sepconv2", axis)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name="block13_pool")(x)
    x = layers.add([x, residual])

    for j, filters in ((1, 1536), (2, 2048)):
        x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=f"block14_sepconv{j}")(x)
        x = layers.BatchNormalization(axis=axis, name=f"block14_sepconv{j}_bn")(x)
        x = layers.Activation("relu", name=f"block14_sepconv{j}_act")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.global_pool(x, pooling)
    model = _base.build_model(input_tensor, img_input, x, name)
    if include_top:
        origin, file_hash = WEIGHTS_PATH, "0a58e3b7378bc2990ea3b43d5981f1f6"
    else:
        origin, file_hash = WEIGHTS_PATH_NO_TOP, "b0042744bf5b25fce3cb969f33bebb97"
    return _base.load_weights(model, weights, origin.rsplit("/", 1)[1], origin, file_hash)


def _separable(x: KerasTensor, filters: int, name: str, axis: int, activate_first: bool = True) -> KerasTensor:
    """ReLU (``{name}_act``), separable 3x3 convolution and batch normalization (``{name}_bn``)."""
    if activate_first:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=axis, name=f"{name}_bn")(x)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from ``[0, 255]`` to ``[-1, 1]``.

    Args:
        x: Images, a numpy array or tensor of pixel values in ``[0, 255]``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Returns:
        The preprocessed images (numpy in, numpy out; tensors are not modified in place).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """The ``top`` ImageNet classes of each prediction (see ``imagenet_utils.decode_predictions``).

    Args:
        preds: ``(batch, 1000)`` ImageNet class scores.
        top: How many classes to return per sample.

    Returns:
        One list per sample of ``(class_id, class_name, score)`` tuples, best first.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
