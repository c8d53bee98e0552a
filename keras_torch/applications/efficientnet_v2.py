"""EfficientNetV2 B0-B3, S, M, L (Tan & Le, 2021) (``keras.applications.efficientnet_v2``)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from keras_torch import initializers, layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional

__all__ = ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S",
           "EfficientNetV2M", "EfficientNetV2L", "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_PATH = _base.WEIGHTS_BASE + "efficientnet_v2/"
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}


def _stages(*rows: tuple) -> list[dict[str, Any]]:
    keys = ("conv_type", "kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio", "se_ratio",
            "strides")
    return [dict(zip(keys, row)) for row in rows]


# conv_type 1 = fused MBConv, 0 = MBConv.
_B_BLOCKS = _stages((1, 3, 1, 32, 16, 1, 0, 1), (1, 3, 2, 16, 32, 4, 0, 2), (1, 3, 2, 32, 48, 4, 0, 2),
                    (0, 3, 3, 48, 96, 4, 0.25, 2), (0, 3, 5, 96, 112, 6, 0.25, 1), (0, 3, 8, 112, 192, 6, 0.25, 2))
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": _stages((1, 3, 2, 24, 24, 1, 0.0, 1), (1, 3, 4, 24, 48, 4, 0.0, 2), (1, 3, 4, 48, 64, 4, 0, 2),
                                (0, 3, 6, 64, 128, 4, 0.25, 2), (0, 3, 9, 128, 160, 6, 0.25, 1),
                                (0, 3, 15, 160, 256, 6, 0.25, 2)),
    "efficientnetv2-m": _stages((1, 3, 3, 24, 24, 1, 0, 1), (1, 3, 5, 24, 48, 4, 0, 2), (1, 3, 5, 48, 80, 4, 0, 2),
                                (0, 3, 7, 80, 160, 4, 0.25, 2), (0, 3, 14, 160, 176, 6, 0.25, 1),
                                (0, 3, 18, 176, 304, 6, 0.25, 2), (0, 3, 5, 304, 512, 6, 0.25, 1)),
    "efficientnetv2-l": _stages((1, 3, 4, 32, 32, 1, 0, 1), (1, 3, 7, 32, 64, 4, 0, 2), (1, 3, 7, 64, 96, 4, 0, 2),
                                (0, 3, 10, 96, 192, 4, 0.25, 2), (0, 3, 19, 192, 224, 6, 0.25, 1),
                                (0, 3, 25, 224, 384, 6, 0.25, 2), (0, 3, 7, 384, 640, 6, 0.25, 1)),
    **{f"efficientnetv2-b{i}": _B_BLOCKS for i in range(4)},
}
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                            "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}

DOC = """Instantiates the {name} architecture.

    Args:
        include_top: Include the fully-connected classifier at the top.
        weights: ``None`` (random initialization), ``"imagenet"`` or the path of a weights file.
        input_tensor: Optional Keras tensor (output of ``keras.Input()``) to use as image input.
        input_shape: Shape without batch dimension (at least 32x32); with ImageNet weights and the
            top it must be the default size.
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: Number of classes (with the top and no ImageNet weights).
        classifier_activation: Activation of the top layer (``None`` returns logits).
        include_preprocessing: Rescale ``[0, 255]`` pixels inside the model.
        name: Model name.

    Returns:
        A ``Model``.
    """


def round_filters(filters: float, width_coefficient: float, min_depth: int | None, depth_divisor: int) -> int:
    """``filters`` scaled by ``width_coefficient`` and rounded to a multiple of ``depth_divisor``."""
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(max(minimum_depth, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """``repeats`` scaled by ``depth_coefficient``, rounded up."""
    return int(math.ceil(depth_coefficient * repeats))


def _squeeze_excite(x: KerasTensor, filters: int, input_filters: int, se_ratio: float, activation: Any,
                    name: str, bn_axis: int) -> KerasTensor:
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((filters, 1, 1) if bn_axis == 1 else (1, 1, filters), name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation, kernel_initializer=CONV_KERNEL_INITIALIZER,
                       name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=CONV_KERNEL_INITIALIZER,
                       name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x: KerasTensor, inputs: KerasTensor, survival_probability: float, name: str) -> KerasTensor:
    # Keras passes the survival probability as the dropout rate; kept so that configs match.
    if survival_probability:
        x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
    return layers.add([x, inputs], name=f"{name}add")


def MBConvBlock(input_filters: int, output_filters: int, expand_ratio: int = 1, kernel_size: int = 3,  # noqa: N802
                strides: int = 1, se_ratio: float = 0.0, bn_momentum: float = 0.9, activation: Any = "swish",
                survival_probability: float = 0.8, name: str = "") -> Callable[[KerasTensor], KerasTensor]:
    """An inverted residual block: 1x1 expansion, depthwise convolution, squeeze-excite, 1x1 projection."""
    bn_axis = _base.channel_axis()
    data_format = config.image_data_format()

    def apply(inputs: KerasTensor) -> KerasTensor:
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(filters=filters, kernel_size=1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER,
                              padding="same", data_format=data_format, use_bias=False, name=f"{name}expand_conv")(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = layers.Activation(activation, name=f"{name}expand_activation")(x)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides, depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   padding="same", data_format=data_format, use_bias=False, name=f"{name}dwconv2")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name, bn_axis)
        x = layers.Conv2D(filters=output_filters, kernel_size=1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER,
                          padding="same", data_format=data_format, use_bias=False, name=f"{name}project_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        if strides == 1 and input_filters == output_filters:
            x = _residual(x, inputs, survival_probability, name)
        return x

    return apply


def FusedMBConvBlock(input_filters: int, output_filters: int, expand_ratio: int = 1,  # noqa: N802
                     kernel_size: int = 3, strides: int = 1, se_ratio: float = 0.0, bn_momentum: float = 0.9,
                     activation: Any = "swish", survival_probability: float = 0.8,
                     name: str = "") -> Callable[[KerasTensor], KerasTensor]:
    """The fused variant: one full convolution replaces the 1x1 expansion and the depthwise convolution."""
    bn_axis = _base.channel_axis()
    data_format = config.image_data_format()

    def apply(inputs: KerasTensor) -> KerasTensor:
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                              kernel_initializer=CONV_KERNEL_INITIALIZER, data_format=data_format, padding="same",
                              use_bias=False, name=f"{name}expand_conv")(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = layers.Activation(activation=activation, name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name, bn_axis)
        x = layers.Conv2D(output_filters, kernel_size=1 if expand_ratio != 1 else kernel_size,
                          strides=1 if expand_ratio != 1 else strides, kernel_initializer=CONV_KERNEL_INITIALIZER,
                          padding="same", use_bias=False, name=f"{name}project_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        if expand_ratio == 1:
            x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
        if strides == 1 and input_filters == output_filters:
            x = _residual(x, inputs, survival_probability, name)
        return x

    return apply


def EfficientNetV2(width_coefficient: float, depth_coefficient: float, default_size: int,  # noqa: N802
                   dropout_rate: float = 0.2, drop_connect_rate: float = 0.2, depth_divisor: int = 8,
                   min_depth: int = 8, bn_momentum: float = 0.9, activation: Any = "swish", blocks_args: Any = "default",
                   name: str = "efficientnetv2", include_top: bool = True, weights: Any = "imagenet",
                   input_tensor: Any = None, input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                   classifier_activation: Any = "softmax", include_preprocessing: bool = True,
                   weights_name: str | None = None, variant: str | None = None) -> Functional:
    """An EfficientNetV2; ``variant`` (``"efficientnetv2-b0"``...) picks the stages (default: ``name``)."""
    variant = variant or name
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[variant]
    _base.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    bn_axis = _base.channel_axis()
    x = img_input
    if include_preprocessing:
        num_channels = input_shape[bn_axis - 1]
        if variant.split("-")[-1].startswith("b") and num_channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2],
                                     axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def filters_of(n: int) -> int:
        return round_filters(n, width_coefficient, min_depth, depth_divisor)

    x = layers.Conv2D(filters=filters_of(blocks_args[0]["input_filters"]), kernel_size=3, strides=2,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError("The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={args['num_repeat']}")
        args["input_filters"] = filters_of(args["input_filters"])
        args["output_filters"] = filters_of(args["output_filters"])
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / blocks, name=f"block{i + 1}{chr(j + 97)}_",
                      **args)(x)
            b += 1

    x = layers.Conv2D(filters=filters_of(1280), kernel_size=1, strides=1, kernel_initializer=CONV_KERNEL_INITIALIZER,
                      padding="same", data_format=config.image_data_format(), use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    else:
        x = _base.global_pool(x, pooling, "avg_pool", "max_pool")
    model = _base.build_model(input_tensor, img_input, x, name)
    if weights != "imagenet":
        return _base.load_weights(model, weights)
    file_name = name + (".h5" if include_top else "_notop.h5")
    file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _base.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name, file_hash)


def _variant(fn_name: str, key: str, width: float, depth: float, size: int) -> Any:
    variant = f"efficientnetv2-{key.lstrip('-')}"

    def constructor(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,
                    input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                    classifier_activation: Any = "softmax", include_preprocessing: bool = True,
                    name: str = variant) -> Functional:
        return EfficientNetV2(width_coefficient=width, depth_coefficient=depth, default_size=size, name=name,
                              include_top=include_top, weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation, include_preprocessing=include_preprocessing,
                              weights_name=key, variant=variant)

    constructor.__name__ = constructor.__qualname__ = fn_name
    constructor.__doc__ = DOC.format(name=fn_name)
    return constructor


EfficientNetV2B0 = _variant("EfficientNetV2B0", "b0", 1.0, 1.0, 224)
EfficientNetV2B1 = _variant("EfficientNetV2B1", "b1", 1.0, 1.1, 240)
EfficientNetV2B2 = _variant("EfficientNetV2B2", "b2", 1.1, 1.2, 260)
EfficientNetV2B3 = _variant("EfficientNetV2B3", "b3", 1.2, 1.4, 300)
EfficientNetV2S = _variant("EfficientNetV2S", "-s", 1.0, 1.0, 384)
EfficientNetV2M = _variant("EfficientNetV2M", "-m", 1.0, 1.0, 480)
EfficientNetV2L = _variant("EfficientNetV2L", "-l", 1.0, 1.0, 480)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: EfficientNetV2 models rescale their ``[0, 255]`` inputs themselves.

    Args:
        x: Images, a numpy array or tensor of pixel values in ``[0, 255]``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Returns:
        The preprocessed images (numpy in, numpy out; tensors are not modified in place).
    """
    return x


def decode_predictions(preds: Any, top: int = 5) -> list:
    """The ``top`` ImageNet classes of each prediction (see ``imagenet_utils.decode_predictions``).

    Args:
        preds: ``(batch, 1000)`` ImageNet class scores.
        top: How many classes to return per sample.

    Returns:
        One list per sample of ``(class_id, class_name, score)`` tuples, best first.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
