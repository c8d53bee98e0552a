"""ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al., 2022) (``keras.applications.convnext``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from keras_torch import layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers.application_layers import LayerScale, StochasticDepth
from keras_torch.models.functional import Functional
from keras_torch.models.sequential import Sequential
from keras_torch.utils.symbolic_utils import get_source_inputs

__all__ = ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge", "preprocess_input",
           "decode_predictions"]

BASE_WEIGHTS_PATH = _base.WEIGHTS_BASE + "convnext/"
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}

DOC = """Instantiates the {name} architecture.

    The model normalises its inputs itself (``include_preprocessing``): it takes pixels in ``[0, 255]``.

    Args:
        include_top: Include the classifier at the top.
        include_preprocessing: Normalise ``[0, 255]`` pixels with the ImageNet statistics inside the model.
        weights: ``None`` (random initialization), ``"imagenet"`` or the path of a weights file.
        input_tensor: Optional Keras tensor (output of ``keras.Input()``) to use as image input.
        input_shape: Shape without batch dimension (at least 32x32); with ImageNet weights and the
            top it must be ``(224, 224, 3)``.
        pooling: Without the top: ``None`` (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: Number of classes (with the top and no ImageNet weights).
        classifier_activation: Activation of the top layer (``None`` returns logits).
        name: Model name.

    Returns:
        A ``Model``.
    """


def ConvNeXtBlock(projection_dim: int, drop_path_rate: float = 0.0, layer_scale_init_value: float | None = 1e-6,  # noqa: N802
                  name: str = "convnext_block") -> Callable[[KerasTensor], KerasTensor]:
    """Depthwise 7x7 convolution, layer norm, an MLP (4x expansion, GELU), layer scale, residual."""

    def apply(inputs: KerasTensor) -> KerasTensor:
        x = layers.Conv2D(filters=projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                          name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            layer = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            layer = layers.Activation("linear", name=f"{name}_identity")
        return inputs + layer(x)

    return apply


def PreStem(name: str = "convnext") -> Callable[[KerasTensor], KerasTensor]:  # noqa: N802
    """Normalisation of ``[0, 255]`` pixels with the ImageNet mean and variance."""

    def apply(x: KerasTensor) -> KerasTensor:
        return layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                    variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
                                    name=f"{name}_prestem_normalization")(x)

    return apply


def Head(num_classes: int = 1000, classifier_activation: Any = None,  # noqa: N802
         name: str = "convnext") -> Callable[[KerasTensor], KerasTensor]:
    """Global average pooling, layer norm and the classifier."""

    def apply(x: KerasTensor) -> KerasTensor:
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation, name=f"{name}_head_dense")(x)

    return apply


def ConvNeXt(depths: list[int], projection_dims: list[int], drop_path_rate: float = 0.0,  # noqa: N802
             layer_scale_init_value: float = 1e-6, default_size: int = 224, name: str = "convnext",
             include_preprocessing: bool = True, include_top: bool = True, weights: Any = None,
             input_tensor: Any = None, input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
             classifier_activation: Any = "softmax", weights_name: str | None = None) -> Functional:
    """A ConvNeXt with ``depths[i]`` blocks of width ``projection_dims[i]`` in stage ``i``."""
    if config.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. Switch to "
                         "`channels_last` by editing your local config file at ~/.keras/keras.json")
    _base.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    if isinstance(input_tensor, KerasTensor):
        inputs = get_source_inputs(input_tensor)[0]
        x = input_tensor
    else:
        inputs = x = layers.Input(shape=input_shape)
    if include_preprocessing and input_shape[2] == 3:
        x = PreStem(name=name)(x)

    stem = Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")
    downsample_layers = [stem]
    for i in range(3):
        downsample_layers.append(Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2, name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}"))

    depth_drop_rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i in range(4):
        x = downsample_layers[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dim=projection_dims[i], drop_path_rate=depth_drop_rates[cur + j],
                              layer_scale_init_value=layer_scale_init_value, name=f"{name}_stage_{i}_block_{j}")(x)
        cur += depths[i]

    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes, classifier_activation=classifier_activation, name=name)(x)
    else:
        x = _base.global_pool(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Functional(inputs=inputs, outputs=x, name=name)
    if weights != "imagenet":
        return _base.load_weights(model, weights)
    expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if depths != expected["depths"] or projection_dims != expected["projection_dims"]:
        raise ValueError(f"Architecture configuration does not match {weights_name} variant. When using pre-trained "
                         "weights, the model architecture must match the pre-trained configuration exactly. Expected "
                         f"depths: {expected['depths']}, got: {depths}. Expected projection_dims: "
                         f"{expected['projection_dims']}, got: {projection_dims}.")
    if weights_name not in name:
        raise ValueError(f'Model name "{name}" does not match weights variant "{weights_name}". When using imagenet '
                         "weights, model name must contain the weights variant (e.g., "
                         f'"convnext_{weights_name.split("convnext_")[-1]}").')
    file_name = name + (".h5" if include_top else "_notop.h5")
    file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _base.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name, file_hash)


def _variant(fn_name: str, size: str) -> Any:
    weights_name = f"convnext_{size}"

    def constructor(include_top: bool = True, include_preprocessing: bool = True, weights: Any = "imagenet",
                    input_tensor: Any = None, input_shape: Any = None, pooling: str | None = None,
                    classes: int = 1000, classifier_activation: Any = "softmax",
                    name: str = weights_name) -> Functional:
        cfg = MODEL_CONFIGS[size]
        return ConvNeXt(weights_name=weights_name, depths=cfg["depths"], projection_dims=cfg["projection_dims"],
                        drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=cfg["default_size"], name=name,
                        include_top=include_top, include_preprocessing=include_preprocessing, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)

    constructor.__name__ = constructor.__qualname__ = fn_name
    constructor.__doc__ = DOC.format(name=fn_name)
    return constructor


ConvNeXtTiny = _variant("ConvNeXtTiny", "tiny")
ConvNeXtSmall = _variant("ConvNeXtSmall", "small")
ConvNeXtBase = _variant("ConvNeXtBase", "base")
ConvNeXtLarge = _variant("ConvNeXtLarge", "large")
ConvNeXtXLarge = _variant("ConvNeXtXLarge", "xlarge")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """The identity: ConvNeXt models normalise their ``[0, 255]`` inputs themselves.

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
