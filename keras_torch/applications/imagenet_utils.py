"""ImageNet helpers shared by the applications (``keras.applications.imagenet_utils``).

``preprocess_input`` and ``decode_predictions`` behave as Keras 3's: numpy arrays stay numpy
(float arrays are modified in place, as in Keras), tensors stay tensors; the class index file is
Keras's ``imagenet_class_index.json``, fetched once into the Keras cache (``~/.keras/models``).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import torch

from keras_torch import activations
from keras_torch.core import config
from keras_torch.utils.file_utils import get_file

CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_CLASS_INDEX: dict[str, list[str]] = {}  # filled on the first decode_predictions call

_MODES = ("caffe", "tf", "torch")
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)

__all__ = ["preprocess_input", "decode_predictions", "obtain_input_shape", "correct_pad", "validate_activation"]


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Scale a batch of images the way an ImageNet model was trained.

    Args:
        x: Images as a numpy array or tensor with 3 color channels (RGB, values in ``[0, 255]``).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global setting).
        mode: ``"caffe"`` (RGB -> BGR, minus the ImageNet mean), ``"tf"`` (scale to ``[-1, 1]``) or
            ``"torch"`` (scale to ``[0, 1]``, then normalise each channel with ImageNet's mean/std).

    Returns:
        The preprocessed images, of ``x``'s kind (numpy float arrays are modified in place).
    """
    if mode not in _MODES:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    if data_format is None:
        data_format = config.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or `channels_last`. "
                         f"Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(config.floatx(), copy=False)
        return _preprocess(x, data_format, mode, np)
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x, dtype=config.floatx()))
    elif not x.is_floating_point():
        x = x.to(torch.get_default_dtype())
    return _preprocess(x, data_format, mode, torch)


def _preprocess(x: Any, data_format: str, mode: str, xp: Any) -> Any:
    # Numpy arrays are updated in place, as Keras does; tensors are not (the caller's tensor is kept).
    if mode == "tf":
        if xp is np:
            x /= 127.5
            x -= 1.0
            return x
        return x / 127.5 - 1.0
    channels_first = data_format == "channels_first"
    axis = (0 if x.ndim == 3 else 1) if channels_first else x.ndim - 1
    if mode == "torch":
        if xp is np:
            x /= 255.0
        else:
            x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        index = [slice(None)] * x.ndim
        index[axis] = slice(None, None, -1)
        x = x[tuple(index)] if xp is np else torch.flip(x, dims=(axis,))
        mean, std = _CAFFE_MEAN, None
    shape = [1] * x.ndim
    shape[axis] = 3
    if xp is np:
        x -= np.asarray(mean, dtype=x.dtype).reshape(shape)
        if std is not None:
            x /= np.asarray(std, dtype=x.dtype).reshape(shape)
        return x
    x = x - torch.tensor(mean, dtype=x.dtype, device=x.device).reshape(shape)
    if std is not None:
        x = x / torch.tensor(std, dtype=x.dtype, device=x.device).reshape(shape)
    return x


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """The ``top`` ImageNet classes of each prediction.

    Args:
        preds: Predictions of shape ``(samples, 1000)``.
        top: How many classes per sample.

    Returns:
        One list per sample of ``(class_id, class_name, score)`` tuples, best first.
    """
    shape = tuple(preds.shape)
    if len(shape) != 2 or shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Received array with shape: {shape}")
    if not _CLASS_INDEX:
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                        file_hash=CLASS_INDEX_HASH)
        with open(path, encoding="utf8") as f:
            _CLASS_INDEX.update(json.load(f))
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().cpu().numpy()
    results = []
    for pred in np.asarray(preds):
        best = pred.argsort()[-top:][::-1]
        result = [(*_CLASS_INDEX[str(i)], pred[i]) for i in best]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape: Any, default_size: int, min_size: int, data_format: str,
                       require_flatten: bool, weights: Any = None) -> tuple:
    """The model's input shape from the user's ``input_shape``, checked against the architecture's limits.

    Args:
        input_shape: Shape given by the user (without batch dimension), or None.
        default_size: Default image size of the architecture.
        min_size: Smallest accepted image height/width.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        require_flatten: The classifier is included (the spatial size must be static).
        weights: ``None``, ``"imagenet"`` or a weights file.

    Returns:
        The input shape to use.
    """
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was passed an "
                          f"input_shape with {channels} input channels.", stacklevel=3)
        default_shape = (channels, default_size, default_size) if channels_first else (
            default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if channels_first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` "
                             f"should be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels, rows, cols = (input_shape[0], input_shape[1], input_shape[2]) if channels_first else (
            input_shape[2], input_shape[0], input_shape[1])
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: input_shape={input_shape}")
        input_shape = tuple(input_shape)
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs: Any, kernel_size: int | tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Zero padding that makes a strided 'valid' convolution match TensorFlow's 'same' on ``inputs``."""
    img_dim = 2 if config.image_data_format() == "channels_first" else 1
    size = inputs.shape[img_dim:img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return (correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1])


def validate_activation(classifier_activation: Any, weights: Any) -> None:
    """Pretrained classifiers only take ``softmax`` or no activation."""
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in (activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` "
                         "argument when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
