"""VGG16 (``keras.applications.vgg16``)."""

from __future__ import annotations

from typing import Any

from keras_torch.applications._vgg import VGG_DOC, decode_predictions, preprocess_input, vgg
from keras_torch.models.functional import Functional

__all__ = ["VGG16", "preprocess_input", "decode_predictions"]


def VGG16(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
          input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
          classifier_activation: Any = "softmax", name: str = "vgg16") -> Functional:
    return vgg((2, 2, 3, 3, 3), name, "vgg16", ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
               include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation)


VGG16.__doc__ = VGG_DOC.format(name="VGG16")
