"""ResNet50/101/152 (He et al., 2015) and the shared ResNet builder (``keras.applications.resnet``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch import layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional

__all__ = ["ResNet50", "ResNet101", "ResNet152", "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_PATH = _base.WEIGHTS_BASE + "resnet/"
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}

DOC = """Instantiates the {name} architecture.

    Args:
        include_top: Include the fully-connected classifier at the top.
        weights: ``None`` (random initialization), ``"imagenet"`` or the path of a weights file.
        input_tensor: Optional Keras tensor (output of ``keras.Input()``) to use as image input.
        input_shape: Shape without batch dimension (at least 32x32 with 3 channels); required to be
            ``(224, 224, 3)`` with ImageNet weights and the top included.
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: Number of classes (with the top and no ImageNet weights).
        classifier_activation: Activation of the top layer (``None`` returns logits).
        name: Model name.

    Returns:
        A ``Model``.
    """


def ResNet(stack_fn: Callable[[KerasTensor], KerasTensor], preact: bool, use_bias: bool,  # noqa: N802
           include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None, input_shape: Any = None,
           pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
           name: str = "resnet", weights_name: str | None = None) -> Functional:
    """A ResNet (v1 when ``preact`` is False, v2 otherwise) whose residual stages are ``stack_fn``."""
    _base.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    bn_axis = _base.channel_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.global_pool(x, pooling, "avg_pool", "max_pool")
    model = _base.build_model(input_tensor, img_input, x, name)
    if weights == "imagenet" and weights_name not in WEIGHTS_HASHES:
        return model  # as Keras: no ImageNet file for this variant
    suffix = "" if include_top else "_notop"
    file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1] if weights == "imagenet" else None
    return _base.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name, file_hash)


def residual_block_v1(x: KerasTensor, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = True, name: str | None = None) -> KerasTensor:
    """A bottleneck residual block (ResNet v1: post-activation)."""
    bn_axis = _base.channel_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x: KerasTensor, filters: int, blocks: int, stride1: int = 2,
                             name: str | None = None) -> KerasTensor:
    """``blocks`` v1 residual blocks, the first with a projection shortcut and stride ``stride1``."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(x: KerasTensor, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = False, name: str | None = None) -> KerasTensor:
    """A bottleneck residual block (ResNet v2: pre-activation)."""
    bn_axis = _base.channel_axis()
    preact = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x: KerasTensor, filters: int, blocks: int, stride1: int = 2,
                             name: str | None = None) -> KerasTensor:
    """``blocks`` v2 residual blocks; the last one strides by ``stride1``."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _v1_stacks(blocks: tuple[int, int, int, int]) -> Callable[[KerasTensor], KerasTensor]:
    def stack_fn(x: KerasTensor) -> KerasTensor:
        x = stack_residual_blocks_v1(x, 64, blocks[0], stride1=1, name="conv2")
        x = stack_residual_blocks_v1(x, 128, blocks[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, blocks[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, blocks[3], name="conv5")

    return stack_fn


def ResNet50(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
             input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", name: str = "resnet50") -> Functional:
    return ResNet(_v1_stacks((3, 4, 6, 3)), False, True, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name=name, weights_name="resnet50")


def ResNet101(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
              input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = "resnet101") -> Functional:
    return ResNet(_v1_stacks((3, 4, 23, 3)), False, True, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name=name, weights_name="resnet101")


def ResNet152(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
              input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
              classifier_activation: Any = "softmax", name: str = "resnet152") -> Functional:
    return ResNet(_v1_stacks((3, 8, 36, 3)), False, True, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name=name, weights_name="resnet152")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Caffe-style preprocessing: RGB -> BGR, minus the ImageNet channel means (no scaling).

    Args:
        x: Images, a numpy array or tensor of pixel values in ``[0, 255]``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Returns:
        The preprocessed images (numpy in, numpy out; tensors are not modified in place).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds: Any, top: int = 5) -> list:
    """The ``top`` ImageNet classes of each prediction (see ``imagenet_utils.decode_predictions``).

    Args:
        preds: ``(batch, 1000)`` ImageNet class scores.
        top: How many classes to return per sample.

    Returns:
        One list per sample of ``(class_id, class_name, score)`` tuples, best first.
    """
    return imagenet_utils.decode_predictions(preds, top=top)


for _fn in (ResNet50, ResNet101, ResNet152):
    _fn.__doc__ = DOC.format(name=_fn.__name__)
