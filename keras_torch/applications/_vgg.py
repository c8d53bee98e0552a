"""VGG16 and VGG19 (Simonyan & Zisserman, 2014): the shared body and classifier."""

from __future__ import annotations

from typing import Any

from keras_torch import layers
from keras_torch.applications import _base, imagenet_utils
from keras_torch.core import config
from keras_torch.models.functional import Functional


def vgg(convs_per_block: tuple[int, ...], name: str, weights_prefix: str, hashes: tuple[str, str],
        include_top: bool, weights: Any, input_tensor: Any, input_shape: Any, pooling: str | None, classes: int,
        classifier_activation: Any) -> Functional:
    """A VGG network with ``convs_per_block[i]`` 3x3 convolutions in block ``i + 1``."""
    _base.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                                    data_format=config.image_data_format(),
                                                    require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, n) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.global_pool(x, pooling)
    model = _base.build_model(input_tensor, img_input, x, name)
    suffix = "" if include_top else "_notop"
    file_name = f"{weights_prefix}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    return _base.load_weights(model, weights, file_name, f"{_base.WEIGHTS_BASE}{weights_prefix}/{file_name}",
                              hashes[0] if include_top else hashes[1])


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


VGG_DOC = """Instantiates the {name} architecture.

    Args:
        include_top: Include the 3 fully-connected layers at the top.
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
