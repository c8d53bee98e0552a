"""ResNet50V2/101V2/152V2 (He et al., 2016: pre-activation) (``keras.applications.resnet_v2``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch.applications import imagenet_utils
from keras_torch.applications.resnet import DOC, ResNet, decode_predictions, stack_residual_blocks_v2
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.functional import Functional

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "preprocess_input", "decode_predictions"]


def _v2_stacks(blocks: tuple[int, int, int, int]) -> Callable[[KerasTensor], KerasTensor]:
    def stack_fn(x: KerasTensor) -> KerasTensor:
        x = stack_residual_blocks_v2(x, 64, blocks[0], name="conv2")
        x = stack_residual_blocks_v2(x, 128, blocks[1], name="conv3")
        x = stack_residual_blocks_v2(x, 256, blocks[2], name="conv4")
        return stack_residual_blocks_v2(x, 512, blocks[3], stride1=1, name="conv5")

    return stack_fn


def ResNet50V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
               input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
               classifier_activation: Any = "softmax", name: str = "resnet50v2") -> Functional:
    return ResNet(_v2_stacks((3, 4, 6, 3)), True, True, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name=name, weights_name="resnet50v2")


def ResNet101V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "resnet101v2") -> Functional:
    return ResNet(_v2_stacks((3, 4, 23, 3)), True, True, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name=name, weights_name="resnet101v2")


def ResNet152V2(include_top: bool = True, weights: Any = "imagenet", input_tensor: Any = None,  # noqa: N802
                input_shape: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str = "resnet152v2") -> Functional:
    return ResNet(_v2_stacks((3, 8, 36, 3)), True, True, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name=name, weights_name="resnet152v2")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from ``[0, 255]`` to ``[-1, 1]``.

    Args:
        x: Images, a numpy array or tensor of pixel values in ``[0, 255]``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Returns:
        The preprocessed images (numpy in, numpy out; tensors are not modified in place).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


for _fn in (ResNet50V2, ResNet101V2, ResNet152V2):
    _fn.__doc__ = DOC.format(name=_fn.__name__)
