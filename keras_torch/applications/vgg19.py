"""VGG19 (``keras.applications.vgg19``)."""

from __future__ import annotations

from typing import Any

from keras_torch.applications._vgg import VGG_DOC, decode_predictions, preprocess_input, vgg
from keras_torch.models.functional import Functional

__all__ = ["VGG19", "preprocess_input", "decode_predictions"]


def VGG19(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
          input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg19") -> Functional:
    return vgg((2, 2, 4, 4, 4), name, "vgg19", ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
               include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation)


VGG19.__doc__ = VGG_DOC.format(name="VGG19")
