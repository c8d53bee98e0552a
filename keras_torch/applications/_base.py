"""What every application constructor does around its architecture: argument checks, the input, the
pooling head, the model and its weights (Keras's official files, fetched into ``~/.keras/models``)."""

from __future__ import annotations

import os
from typing import Any

from keras_torch import layers
from keras_torch.core import config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional
from keras_torch.utils.file_utils import get_file
from keras_torch.utils.symbolic_utils import get_source_inputs

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def is_file(weights: Any) -> bool:
    """Whether ``weights`` names an existing weights file."""
    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


def check_weights(weights: Any, include_top: bool, classes: int) -> None:
    """``weights`` is None, ``"imagenet"`` or an existing file; ImageNet classifiers have 1000 classes."""
    if not (weights in {"imagenet", None} or is_file(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), 'imagenet' "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
                         f"Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
                         f"Received classes={classes}")


def channel_axis() -> int:
    """The channel axis of an image batch in the global data format (Keras writes 3 or 1 in configs)."""
    return 3 if config.image_data_format() == "channels_last" else 1


def image_input(input_tensor: Any, input_shape: tuple) -> KerasTensor:
    """``input_tensor`` when it is symbolic, else a new ``Input`` of ``input_shape``."""
    if isinstance(input_tensor, KerasTensor):
        return input_tensor
    return layers.Input(shape=input_shape)


def model_inputs(input_tensor: Any, img_input: KerasTensor) -> Any:
    """The model's inputs: those ``input_tensor`` comes from, or the new input."""
    return get_source_inputs(input_tensor) if input_tensor is not None else img_input


def global_pool(x: KerasTensor, pooling: str | None, avg_name: str | None = None,
                max_name: str | None = None) -> KerasTensor:
    """The ``pooling`` argument of a model without its classifier."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def build_model(input_tensor: Any, img_input: KerasTensor, outputs: KerasTensor, name: str) -> Functional:
    """The functional model from the input(s) to ``outputs``."""
    return Functional(model_inputs(input_tensor, img_input), outputs, name=name)


def load_weights(model: Functional, weights: Any, file_name: str | None = None, origin: str | None = None,
                 file_hash: str | None = None) -> Functional:
    """Load ``weights``: Keras's ImageNet file (by name and hash, from the cache or ``origin``) or a path."""
    if weights == "imagenet":
        path = get_file(file_name, origin or WEIGHTS_BASE + file_name, cache_subdir="models", file_hash=file_hash)
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
    return model
