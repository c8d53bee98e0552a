"""ResNet-RS 50-420 (Bello et al., 2021), a tf-keras 2 application (``tf.keras.applications.resnet_rs``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch import layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config, naming
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional

__all__ = ["ResNetRS50", "ResNetRS101", "ResNetRS152", "ResNetRS200", "ResNetRS270", "ResNetRS350", "ResNetRS420",
           "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_URL = _base.WEIGHTS_BASE + "resnet_rs/"
WEIGHT_HASHES = {
    "resnet-rs-101-i160.h5": "544b3434d00efc199d66e9058c7f3379",
    "resnet-rs-101-i160_notop.h5": "82d5b90c5ce9d710da639d6216d0f979",
    "resnet-rs-101-i192.h5": "eb285be29ab42cf4835ff20a5e3b5d23",
    "resnet-rs-101-i192_notop.h5": "f9a0f6b85faa9c3db2b6e233c4eebb5b",
    "resnet-rs-152-i192.h5": "8d72a301ed8a6f11a47c4ced4396e338",
    "resnet-rs-152-i192_notop.h5": "5fbf7ac2155cb4d5a6180ee9e3aa8704",
    "resnet-rs-152-i224.h5": "31a46a92ab21b84193d0d71dd8c3d03b",
    "resnet-rs-152-i224_notop.h5": "dc8b2cba2005552eafa3167f00dc2133",
    "resnet-rs-152-i256.h5": "ba6271b99bdeb4e7a9b15c05964ef4ad",
    "resnet-rs-152-i256_notop.h5": "fa79794252dbe47c89130f65349d654a",
    "resnet-rs-200-i256.h5": "a76930b741884e09ce90fa7450747d5f",
    "resnet-rs-200-i256_notop.h5": "bbdb3994718dfc0d1cd45d7eff3f3d9c",
    "resnet-rs-270-i256.h5": "20d575825ba26176b03cb51012a367a8",
    "resnet-rs-270-i256_notop.h5": "2c42ecb22e35f3e23d2f70babce0a2aa",
    "resnet-rs-350-i256.h5": "f4a039dc3c421321b7fc240494574a68",
    "resnet-rs-350-i256_notop.h5": "6e44b55025bbdff8f51692a023143d66",
    "resnet-rs-350-i320.h5": "7ccb858cc738305e8ceb3c0140bee393",
    "resnet-rs-350-i320_notop.h5": "ab0c1f9079d2f85a9facbd2c88aa6079",
    "resnet-rs-420-i320.h5": "ae0eb9bed39e64fc8d7e0db4018dc7e8",
    "resnet-rs-420-i320_notop.h5": "fe6217c32be8305b1889657172b98884",
    "resnet-rs-50-i160.h5": "69d9d925319f00a8bdd4af23c04e4102",
    "resnet-rs-50-i160_notop.h5": "90daa68cd26c95aa6c5d25451e095529",
}
DEPTH_TO_WEIGHT_VARIANTS = {50: [160], 101: [160, 192], 152: [192, 224, 256], 200: [256], 270: [256], 350: [256, 320],
                            420: [320]}
# depth -> blocks of each of the 4 block groups (widths 64, 128, 256, 512)
_REPEATS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3), 200: (3, 24, 36, 3), 270: (4, 29, 53, 4),
            350: (4, 36, 72, 4), 420: (4, 44, 87, 4)}
BLOCK_ARGS = {depth: [{"input_filters": f, "num_repeats": n} for f, n in zip((64, 128, 256, 512), repeats)]
              for depth, repeats in _REPEATS.items()}
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}

DOC = """Instantiates the {name} architecture (tf-keras 2 ``applications.resnet_rs``).

    The model rescales its inputs itself (``include_preprocessing``): it takes pixels in ``[0, 255]``.

    Args:
        include_top: Include the classifier at the top.
        weights: ``None``, ``"imagenet"`` (the largest input size available), ``"imagenet-i<size>"`` or
            the path of a weights file.
        classes: Number of classes (with the top and no ImageNet weights).
        input_shape: Shape without batch dimension (at least 32x32).
        input_tensor: Optional Keras tensor (output of ``keras.Input()``) to use as image input.
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"`` global pooling.
        classifier_activation: Activation of the top layer (``None`` returns logits).
        include_preprocessing: Normalise ``[0, 255]`` pixels with the ImageNet statistics inside the model.

    Returns:
        A ``Model``.
    """


def _uid(prefix: str) -> int:
    # tf-keras names unnamed stems/convolutions with per-session counters (backend.get_uid).
    return naming.session_uid(prefix)


def fixed_padding(inputs: KerasTensor, kernel_size: int) -> KerasTensor:
    """Pad for a strided 'valid' convolution independently of the input size."""
    pad_beg = (kernel_size - 1) // 2
    pad_end = kernel_size - 1 - pad_beg
    return layers.ZeroPadding2D(padding=((pad_beg, pad_end), (pad_beg, pad_end)))(inputs)


def Conv2DFixedPadding(filters: int, kernel_size: int, strides: int,  # noqa: N802
                       name: str | None = None) -> Callable[[KerasTensor], KerasTensor]:
    """A bias-free convolution, explicitly padded when strided."""
    name = name or f"conv_{_uid('conv_')}"

    def apply(inputs: KerasTensor) -> KerasTensor:
        if strides > 1:
            inputs = fixed_padding(inputs, kernel_size)
        return layers.Conv2D(filters=filters, kernel_size=kernel_size, strides=strides,
                             padding="same" if strides == 1 else "valid", use_bias=False,
                             kernel_initializer=CONV_KERNEL_INITIALIZER, name=name)(inputs)

    return apply


def STEM(bn_momentum: float = 0.0, bn_epsilon: float = 1e-5, activation: str = "relu",  # noqa: N802
         name: str | None = None) -> Callable[[KerasTensor], KerasTensor]:
    """Four 3x3 convolutions (32, 32, 64, 64 filters; the first and last strided), each with BN and activation."""
    name = name or f"stem_{_uid('stem_')}"

    def apply(inputs: KerasTensor) -> KerasTensor:
        x = inputs
        for i, (filters, strides) in enumerate(((32, 2), (32, 1), (64, 1), (64, 2)), start=1):
            x = Conv2DFixedPadding(filters=filters, kernel_size=3, strides=strides, name=f"{name}_stem_conv_{i}")(x)
            x = layers.BatchNormalization(axis=_base.channel_axis(), momentum=bn_momentum, epsilon=bn_epsilon,
                                          name=f"{name}_stem_batch_norm_{i}")(x)
            x = layers.Activation(activation, name=f"{name}_stem_act_{i}")(x)
        return x

    return apply


def SE(in_filters: int, se_ratio: float = 0.25, expand_ratio: int = 1,  # noqa: N802
       name: str | None = None) -> Callable[[KerasTensor], KerasTensor]:
    """Squeeze-and-excitation on a bottleneck's ``4 * in_filters`` channels."""
    bn_axis = _base.channel_axis()
    name = name or f"se_{_uid('se_')}"

    def apply(inputs: KerasTensor) -> KerasTensor:
        x = layers.GlobalAveragePooling2D(name=f"{name}_se_squeeze")(inputs)
        se_shape = (x.shape[-1], 1, 1) if bn_axis == 1 else (1, 1, x.shape[-1])
        x = layers.Reshape(se_shape, name=f"{name}_se_reshape")(x)
        x = layers.Conv2D(filters=max(1, int(in_filters * 4 * se_ratio)), kernel_size=[1, 1], strides=[1, 1],
                          kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=True, activation="relu",
                          name=f"{name}_se_reduce")(x)
        x = layers.Conv2D(filters=4 * in_filters * expand_ratio, kernel_size=[1, 1], strides=[1, 1],
                          kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=True,
                          activation="sigmoid", name=f"{name}_se_expand")(x)
        return layers.multiply([inputs, x], name=f"{name}_se_excite")

    return apply


def BottleneckBlock(filters: int, strides: int, use_projection: bool, bn_momentum: float = 0.0,  # noqa: N802
                    bn_epsilon: float = 1e-5, activation: str = "relu", se_ratio: float = 0.25,
                    survival_probability: float = 0.8, name: str | None = None) -> Callable[[KerasTensor], KerasTensor]:
    """A bottleneck residual block with squeeze-excitation (projection shortcut: average pool + 1x1 conv)."""
    name = name or f"block_0_{_uid('block_0_')}"

    def apply(inputs: KerasTensor) -> KerasTensor:
        bn_axis = _base.channel_axis()
        shortcut = inputs
        if use_projection:
            if strides == 2:
                shortcut = layers.AveragePooling2D(pool_size=(2, 2), strides=(2, 2), padding="same",
                                                   name=f"{name}_projection_pooling")(inputs)
                shortcut = Conv2DFixedPadding(filters=filters * 4, kernel_size=1, strides=1,
                                              name=f"{name}_projection_conv")(shortcut)
            else:
                shortcut = Conv2DFixedPadding(filters=filters * 4, kernel_size=1, strides=strides,
                                              name=f"{name}_projection_conv")(inputs)
            shortcut = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, epsilon=bn_epsilon,
                                                 name=f"{name}_projection_batch_norm")(shortcut)
        x = Conv2DFixedPadding(filters=filters, kernel_size=1, strides=1, name=f"{name}_conv_1")(inputs)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, epsilon=bn_epsilon,
                                      name=f"{name}batch_norm_1")(x)
        x = layers.Activation(activation, name=f"{name}_act_1")(x)
        x = Conv2DFixedPadding(filters=filters, kernel_size=3, strides=strides, name=f"{name}_conv_2")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, epsilon=bn_epsilon,
                                      name=f"{name}_batch_norm_2")(x)
        x = layers.Activation(activation, name=f"{name}_act_2")(x)
        x = Conv2DFixedPadding(filters=filters * 4, kernel_size=1, strides=1, name=f"{name}_conv_3")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, epsilon=bn_epsilon,
                                      name=f"{name}_batch_norm_3")(x)
        if 0 < se_ratio < 1:
            x = SE(filters, se_ratio=se_ratio, name=f"{name}_se")(x)
        if survival_probability:
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}_drop")(x)
        x = layers.Add()([x, shortcut])
        return layers.Activation(activation, name=f"{name}_output_act")(x)

    return apply


def BlockGroup(filters: int, strides: int, num_repeats: int, se_ratio: float = 0.25,  # noqa: N802
               bn_epsilon: float = 1e-5, bn_momentum: float = 0.0, activation: str = "relu",
               survival_probability: float = 0.8, name: str | None = None) -> Callable[[KerasTensor], KerasTensor]:
    """``num_repeats`` bottleneck blocks, the first with a projection shortcut and stride ``strides``."""
    name = name or f"block_group_{_uid('block_group_')}"

    def apply(inputs: KerasTensor) -> KerasTensor:
        common = {"se_ratio": se_ratio, "bn_epsilon": bn_epsilon, "bn_momentum": bn_momentum, "activation": activation,
                  "survival_probability": survival_probability}
        x = BottleneckBlock(filters=filters, strides=strides, use_projection=True, name=f"{name}_block_0_",
                            **common)(inputs)
        for i in range(1, num_repeats):
            x = BottleneckBlock(filters=filters, strides=1, use_projection=False, name=f"{name}_block_{i}_",
                                **common)(x)
        return x

    return apply


def ResNetRS(depth: int, input_shape: Any = None, bn_momentum: float = 0.0, bn_epsilon: float = 1e-5,  # noqa: N802
             activation: str = "relu", se_ratio: float = 0.25, dropout_rate: float = 0.25,
             drop_connect_rate: float = 0.2, include_top: bool = True, block_args: list[dict[str, int]] | None = None,
             model_name: str = "resnet-rs", pooling: str | None = None, weights: Any = "imagenet",
             input_tensor: Any = None, classes: int = 1000, classifier_activation: Any = "softmax",
             include_preprocessing: bool = True) -> Functional:
    """A ResNet-RS of ``depth`` layers (block groups from :data:`BLOCK_ARGS` unless ``block_args``)."""
    variants = DEPTH_TO_WEIGHT_VARIANTS[depth]
    if weights == "imagenet":
        weights = f"imagenet-i{max(variants)}"
    allowed = [f"imagenet-i{v}" for v in variants]
    if not (weights in {*allowed, None} or _base.is_file(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `'imagenet'` "
                         "(pre-training on ImageNet, with highest available input shape), or the path to the weights "
                         f"file to be loaded. For ResNetRS{depth} the following weight variants are available "
                         f"{allowed} (default=highest). Received weights={weights}")
    if weights in allowed and include_top and classes != 1000:
        raise ValueError(f"If using `weights` as `'imagenet'` or any of {allowed} with `include_top` as true, "
                         f"`classes` should be 1000. Received classes={classes}")
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    bn_axis = _base.channel_axis()
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        if input_shape[bn_axis - 1] == 3:
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2],
                                     axis=bn_axis)(x)
    x = STEM(bn_momentum=bn_momentum, bn_epsilon=bn_epsilon, activation=activation)(x)
    block_args = block_args or BLOCK_ARGS[depth]
    for i, args in enumerate(block_args):
        survival_probability = drop_connect_rate * float(i + 2) / (len(block_args) + 1)
        x = BlockGroup(filters=args["input_filters"], activation=activation, strides=1 if i == 0 else 2,
                       num_repeats=args["num_repeats"], se_ratio=se_ratio, bn_momentum=bn_momentum,
                       bn_epsilon=bn_epsilon, survival_probability=survival_probability, name=f"BlockGroup{i + 2}_")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.global_pool(x, pooling, "avg_pool", "max_pool")
    model = _base.build_model(input_tensor, img_input, x, model_name)
    if weights not in allowed:
        return _base.load_weights(model, weights)
    filename = f"{model_name}-{weights.split('-')[-1]}{'' if include_top else '_notop'}.h5"
    return _base.load_weights(model, "imagenet", filename, BASE_WEIGHTS_URL + filename, WEIGHT_HASHES[filename])


def _variant(fn_name: str, depth: int, drop_connect_rate: float, dropout_rate: float) -> Any:
    def constructor(include_top: bool = True, weights: Any = "imagenet", classes: int = 1000,
                    input_shape: Any = None, input_tensor: Any = None, pooling: str | None = None,
                    classifier_activation: Any = "softmax", include_preprocessing: bool = True) -> Functional:
        return ResNetRS(depth=depth, include_top=include_top, drop_connect_rate=drop_connect_rate,
                        dropout_rate=dropout_rate, weights=weights, classes=classes, input_shape=input_shape,
                        input_tensor=input_tensor, pooling=pooling, classifier_activation=classifier_activation,
                        model_name=f"resnet-rs-{depth}", include_preprocessing=include_preprocessing)

    constructor.__name__ = constructor.__qualname__ = fn_name
    constructor.__doc__ = DOC.format(name=fn_name)
    return constructor


ResNetRS50 = _variant("ResNetRS50", 50, 0.0, 0.25)
ResNetRS101 = _variant("ResNetRS101", 101, 0.0, 0.25)
ResNetRS152 = _variant("ResNetRS152", 152, 0.0, 0.25)
ResNetRS200 = _variant("ResNetRS200", 200, 0.1, 0.25)
ResNetRS270 = _variant("ResNetRS270", 270, 0.1, 0.25)
ResNetRS350 = _variant("ResNetRS350", 350, 0.1, 0.4)
ResNetRS420 = _variant("ResNetRS420", 420, 0.1, 0.4)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: ResNet-RS models rescale their ``[0, 255]`` inputs themselves.

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
