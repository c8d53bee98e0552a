"""``BaseImagePreprocessingLayer``: the contract shared by Keras 3's image augmentation layers.

Every layer splits its work as Keras 3.15 does, so that a transformation sampled once applies
consistently to every part of the input:

* ``get_random_transformation(data, training, seed)`` samples the random parameters (a dict of
  tensors, the same keys as Keras) for a batch; ``None`` at inference;
* ``transform_images`` / ``transform_labels`` / ``transform_bounding_boxes`` /
  ``transform_segmentation_masks`` apply a given transformation, deterministically.

``call`` accepts a batch of images, a single image, or a dict with ``"images"`` and any of
``"labels"``, ``"bounding_boxes"`` (``{"boxes", "labels"}``, in ``bounding_box_format``) and
``"segmentation_masks"``. Augmentation runs when ``training`` is true: a direct ``layer(x)`` call
trains (Keras's default), ``fit`` trains, ``predict`` / ``evaluate`` and a model called without
``training`` (keras_torch's model default; Keras would augment there) give the images unchanged. Random draws come from the layer's :class:`~keras_torch.random.SeedGenerator` on the
device of the images.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from keras_torch.core.config import standardize_data_format
from keras_torch.layers.base import Layer
from keras_torch.random import random as _random
from keras_torch.random.seed_generator import SeedGenerator, torch_generator
from keras_torch.utils import bounding_boxes as bbox

_FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def uniform(shape: Any, seed: Any, device: torch.device, minval: Any = 0.0, maxval: Any = 1.0,
            dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``keras.random.uniform`` (torch backend formula) drawn on ``device``."""
    gen = torch_generator(seed, device)
    sample_dtype = dtype if dtype in (torch.float32, torch.float64) else torch.float32
    out = torch.rand(tuple(shape), generator=gen, dtype=sample_dtype, device=device) * (maxval - minval) + minval
    return out.to(dtype)


def normal(shape: Any, seed: Any, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standard normal samples (``keras.random.normal``) drawn on ``device``."""
    gen = torch_generator(seed, device)
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float32, device=device).to(dtype)


def randint(shape: Any, seed: Any, device: torch.device, minval: int, maxval: int,
            dtype: torch.dtype = torch.int32) -> torch.Tensor:
    """``keras.random.randint`` in ``[minval, maxval)`` drawn on ``device``."""
    gen = torch_generator(seed, device)
    return torch.randint(int(minval), int(maxval), tuple(shape), generator=gen, device=device).to(dtype)


def shuffle(n: int, seed: Any, device: torch.device) -> torch.Tensor:
    """A random permutation of ``range(n)`` (``keras.random.shuffle`` of ``arange(n)``)."""
    gen = torch_generator(seed, device)
    return torch.randperm(n, generator=gen, device=device)


def gamma(shape: Any, alpha: float, seed: Any, device: torch.device) -> torch.Tensor:
    """Gamma(alpha, 1) samples (``keras.random.gamma``) moved to ``device``."""
    return _random.gamma(tuple(shape), alpha, seed=seed).to(device)


def beta(shape: Any, alpha: float, beta_: float, seed: Any, device: torch.device) -> torch.Tensor:
    """Beta(alpha, beta) samples (``keras.random.beta``) moved to ``device``."""
    return _random.beta(tuple(shape), alpha, beta_, seed=seed).to(device)


def images_of(data: Any) -> torch.Tensor:
    """The image tensor of a layer input (a tensor or a dict with ``"images"``)."""
    return data["images"] if isinstance(data, dict) else data


def batch_size_of(images: torch.Tensor) -> int:
    return 1 if images.ndim == 3 else images.shape[0]




class UnsupportedArgumentError(ValueError, NotImplementedError):
    """An unknown mode name: Keras raises ``NotImplementedError``; as a ``ValueError`` too, a bad config
    fails like every other invalid argument."""

def _is_real(v: Any) -> bool:
    """A finite int or float (not a bool): what a range bound may be."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

class BaseImagePreprocessingLayer(Layer):
    """Base class of the image preprocessing and augmentation layers (Keras 3.15's split).

    Args:
        factor: The layer's strength: a number ``f`` (range ``[-f, f]`` clipped to the layer's
            bounds) or a pair ``(lower, upper)``; layers with their own arguments take none.
        bounding_box_format: Format of ``data["bounding_boxes"]["boxes"]`` (``"xyxy"``,
            ``"rel_xyxy"``, ``"yxyx"``, ``"xywh"``, ``"center_xywh"``...); required to pass boxes.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments (``name``, ``dtype``...).

    Input shape:
        ``(batch, H, W, C)`` or ``(H, W, C)`` (channels_last), or a dict of them (see the module).

    Output shape:
        Same as the input unless the layer resizes.
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS: tuple[float, float] = (-1, 1)
    # Interpolation of the images in ``_transform_images`` (segmentation masks always use "nearest").
    interpolation: str = "bilinear"
    # Whether the layer changes its inputs at inference too (resizing, cropping, AutoContrast...); the
    # others skip sampling there (nothing random is drawn, traced or exported).
    _ACTIVE_AT_INFERENCE = False
    # The layer's random stream (``None`` for deterministic layers).
    generator: SeedGenerator | None = None

    def __init__(self, factor: Any = None, bounding_box_format: str | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(f"Layer {type(self).__name__} does not take a `factor` argument. Received: factor={factor}")

    # ------------------------------------------------------------------ arguments
    def _factor_range(self, factor: Any, name: str = "factor") -> tuple[float, float]:
        """``(lower, upper)`` of a ``factor``-style argument within ``_FACTOR_BOUNDS`` (Keras's rules)."""
        lo_b, hi_b = self._FACTOR_BOUNDS
        error = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
                 f"[{lo_b}, {hi_b}]. Received: {name}={factor} (layer {self.name})")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(_is_real(f) for f in factor) or factor[0] > hi_b or factor[1] < lo_b:
                raise ValueError(error)
            lower, upper = sorted(factor)
            return lower, upper
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if factor < lo_b or factor > hi_b:
                raise ValueError(error)
            factor = abs(factor)
            return max(-factor, lo_b), factor
        raise ValueError(error)

    def _set_factor(self, factor: Any) -> None:
        self.factor = self._factor_range(factor)

    def _set_value_range(self, value_range: Any) -> None:
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(
                _is_real(v) for v in value_range):
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range} (layer {self.name})")
        self.value_range = sorted(value_range)

    def _check_sampling(self, fill_mode: str, interpolation: str,
                        fill_modes: tuple[str, ...] = ("reflect", "wrap", "constant", "nearest")) -> None:
        if not isinstance(fill_mode, str) or fill_mode not in fill_modes:
            raise UnsupportedArgumentError(f"Unknown `fill_mode` {fill_mode}. Expected of one {fill_modes}. "
                                      f"(layer {self.name})")
        if not isinstance(interpolation, str) or interpolation not in ("nearest", "bilinear"):
            raise UnsupportedArgumentError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"('nearest', 'bilinear'). (layer {self.name})")

    def _seed_stream(self, seed: Any) -> Any:
        return self.generator if seed is None else seed

    @property
    def _hw_axes(self) -> tuple[int, int]:
        return (-2, -1) if self.data_format == "channels_first" else (-3, -2)

    def _image_hw(self, shape: Any) -> tuple[int, int]:
        h, w = self._hw_axes
        return shape[h], shape[w]

    # ------------------------------------------------------------------ the Keras split
    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> Any:
        """Random parameters for ``data`` (a dict of tensors), or ``None`` (deterministic layers, inference)."""
        return None

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement _transform_images.")

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        """Apply ``transformation`` to a batch of images (identity when not ``training``)."""
        images = self._cast(images)
        if training:
            images = self._transform_images(images, transformation, self.interpolation)
        return images

    def transform_labels(self, labels: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        """Labels that go with the transformed images (unchanged by most layers)."""
        return labels

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        """Boxes that go with the transformed images (unchanged by colour layers)."""
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        """Masks transformed like the images, with nearest interpolation."""
        if training:
            segmentation_masks = self._transform_images(segmentation_masks, transformation, "nearest")
        return segmentation_masks

    def _cast(self, x: torch.Tensor) -> torch.Tensor:
        dtype = self._dtype_policy.torch_compute_dtype
        return x if x.dtype == dtype else x.to(dtype)

    # ------------------------------------------------------------------ call
    def call(self, data: Any, training: bool = True) -> Any:
        transformation = None
        if training or self._ACTIVE_AT_INFERENCE:
            transformation = self.get_random_transformation(data, training=training)
        if not isinstance(data, dict):
            images = _as_tensor(data)
            if _is_batched(images, self.name):
                return self.transform_images(images, transformation, training=training)
            return self.transform_images(images[None], transformation, training=training)[0]
        out = dict(data)
        images = _as_tensor(data["images"])
        batched = _is_batched(images, self.name)
        single = (lambda t: t) if batched else (lambda t: t[None])
        unsingle = (lambda t: t) if batched else (lambda t: t[0])
        out["images"] = unsingle(self.transform_images(single(images), transformation, training=training))
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError("You passed an input with a 'bounding_boxes' key, but you didn't specify a bounding "
                                 f"box format. Pass a `bounding_box_format` argument to your {type(self).__name__} "
                                 "layer, e.g. `bounding_box_format='xyxy'`.")
            boxes = bbox.densify_bounding_boxes(data["bounding_boxes"], is_batched=batched, device=images.device)
            if not batched:
                boxes = {k: (v[None] if k in ("boxes", "labels") else v) for k, v in boxes.items()}
            boxes = self.transform_bounding_boxes(boxes, transformation, training=training)
            if not batched:
                boxes = {k: (v[0] if k in ("boxes", "labels") else v) for k, v in boxes.items()}
            out["bounding_boxes"] = boxes
        if "labels" in data:
            labels = _as_tensor(data["labels"], images.device)
            out["labels"] = unsingle(self.transform_labels(single(labels), transformation, training=training))
        if "segmentation_masks" in data:
            masks = _as_tensor(data["segmentation_masks"], images.device)
            out["segmentation_masks"] = unsingle(
                self.transform_segmentation_masks(single(masks), transformation, training=training))
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        if isinstance(input_shape, dict):
            out = dict(input_shape)
            out["images"] = self._image_output_shape(tuple(input_shape["images"]))
            if "segmentation_masks" in input_shape:
                out["segmentation_masks"] = self._image_output_shape(tuple(input_shape["segmentation_masks"]))
            return out
        return self._image_output_shape(tuple(input_shape))

    def _image_output_shape(self, shape: tuple) -> tuple:
        return shape

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config

    # ------------------------------------------------------------------ shared helpers
    def _transform_value_range(self, images: torch.Tensor, original_range: Any, target_range: Any,
                               dtype: torch.dtype | None = None) -> torch.Tensor:
        """Map values linearly from ``original_range`` to ``target_range`` (identity when equal)."""
        if original_range[0] == target_range[0] and original_range[1] == target_range[1]:
            return images
        images = images.to(dtype or torch.float32)
        lo, hi = float(original_range[0]), float(original_range[1])
        t_lo, t_hi = float(target_range[0]), float(target_range[1])
        images = (images - lo) / (hi - lo)
        return images * (t_hi - t_lo) + t_lo

    @staticmethod
    def _compute_affine_matrix(center_x: float, center_y: float, angle: torch.Tensor, translate_x: torch.Tensor,
                               translate_y: torch.Tensor, scale: torch.Tensor, shear_x: torch.Tensor,
                               shear_y: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """``(batch, 8)`` projective transforms (output pixel -> input pixel) of a rotation/scale/shear
        about ``(center_x, center_y)`` (fractions of the image) plus a translation; angles in degrees."""
        deg = math.pi / 180.0
        angle, shear_x, shear_y = angle * deg, shear_x * deg, shear_y * deg
        cx, cy = center_x * (width - 1), center_y * (height - 1)
        cos_t, sin_t = torch.cos(angle), torch.sin(angle)
        shx, shy = torch.tan(shear_x), torch.tan(shear_y)
        a0 = scale * (cos_t + shx * sin_t)
        a1 = scale * (-sin_t + shx * cos_t)
        a2 = translate_x + cx - cx * a0 - cy * a1
        b0 = scale * (shy * cos_t + sin_t)
        b1 = scale * (shy * -sin_t + cos_t)
        b2 = translate_y + cy - cx * b0 - cy * b1
        zeros = torch.zeros_like(a0)
        return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)


def _as_tensor(x: Any, device: torch.device | None = None) -> torch.Tensor:
    t = bbox.to_tensor(x)
    return t if device is None or t.device == device else t.to(device)


def _is_batched(images: torch.Tensor, name: str) -> bool:
    if images.ndim == 3:
        return False
    if images.ndim == 4:
        return True
    raise ValueError(f"Layer '{name}': expected image tensor to have rank 3 (single image) or 4 (batch of images). "
                     f"Received: data.shape={tuple(images.shape)}")
