"""MobileNet v1 (Howard et al., 2017) (``keras.applications.mobilenet``)."""

from __future__ import annotations

import warnings
from typing import Any

from keras_torch import layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional

__all__ = ["MobileNet", "preprocess_input", "decode_predictions"]

BASE_WEIGHT_PATH = _base.WEIGHTS_BASE + "mobilenet/"
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}


def MobileNet(input_shape: Any = None, alpha: float = 1.0, depth_multiplier: int = 1,  # noqa: N802
              dropout: float = 1e-3, include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
              pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
              name: str | None = None) -> Functional:
    """Instantiates the MobileNet architecture.

    Args:
        input_shape: Shape without batch dimension (at least 32x32); ImageNet weights exist for
            square inputs of 128, 160, 192 or 224 pixels (others get the 224 weights).
        alpha: Width multiplier: the number of filters of every layer is scaled by it (ImageNet
            weights: 0.25, 0.5, 0.75 or 1.0).
        depth_multiplier: Depth multiplier of the depthwise convolutions.
        dropout: Dropout rate before the classifier.
        include_top: Include the classifier at the top.
        weights: ``None`` (random initialization), ``"imagenet"`` or the path of a weights file.
        input_tensor: Optional Keras tensor (output of ``keras.Input()``) to use as image input.
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: Number of classes (with the top and no ImageNet weights).
        classifier_activation: Activation of the top layer (``None`` returns logits).
        name: Model name (default ``mobilenet_{alpha:0.2f}_{rows}``).

    Returns:
        A ``Model``.
    """
    _base.check_weights(weights, include_top, classes)
    channels_last = config.image_data_format() == "channels_last"
    default_size = 224
    if input_shape is not None:
        rows, cols = (input_shape[0], input_shape[1]) if channels_last else (input_shape[1], input_shape[2])
        if rows == cols and rows in (128, 160, 192, 224):
            default_size = rows
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    rows, cols = (input_shape[0], input_shape[1]) if channels_last else (input_shape[1], input_shape[2])
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be 1.  "
                             f"Received depth_multiplier={depth_multiplier}")
        if alpha not in _ALPHA_TEXT:
            raise ValueError("If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, `0.75` or "
                             f"`1.0` only.  Received alpha={alpha}")
        if rows != cols or rows not in (128, 160, 192, 224):
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in [128, 160, 192, 224]. "
                          "Weights for input shape (224, 224) will be loaded as the default.", stacklevel=2)
    img_input = _base.image_input(input_tensor, input_shape)

    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, strides) in enumerate(
            ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
             (512, 1), (1024, 2), (1024, 1)), start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=(strides, strides), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.global_pool(x, pooling)
    model = _base.build_model(input_tensor, img_input, x, name or f"mobilenet_{alpha:0.2f}_{rows}")
    alpha_text = _ALPHA_TEXT.get(alpha, "2_5")
    file_name = f"mobilenet_{alpha_text}_{rows}_tf.h5" if include_top else f"mobilenet_{alpha_text}_{rows}_tf_no_top.h5"
    return _base.load_weights(model, weights, file_name, BASE_WEIGHT_PATH + file_name)


def _conv_block(inputs: KerasTensor, filters: int, alpha: float, kernel: tuple[int, int] = (3, 3),
                strides: tuple[int, int] = (1, 1)) -> KerasTensor:
    """The first convolution (``conv1``), batch-normalized, with ReLU6."""
    axis = 1 if config.image_data_format() == "channels_first" else -1
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False, strides=strides,
                      name="conv1")(inputs)
    x = layers.BatchNormalization(axis=axis, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs: KerasTensor, pointwise_conv_filters: int, alpha: float, depth_multiplier: int = 1,
                          strides: tuple[int, int] = (1, 1), block_id: int = 1) -> KerasTensor:
    """Depthwise 3x3 then pointwise 1x1 convolution, each batch-normalized with ReLU6."""
    axis = 1 if config.image_data_format() == "channels_first" else -1
    if strides == (1, 1):
        x = inputs
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(inputs)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                               name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


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
