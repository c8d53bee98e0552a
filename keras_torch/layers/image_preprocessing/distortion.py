"""RandomShear, RandomPerspective and RandomElasticTransform (Keras 3.15's transformations)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.layers._args import register_layer
from keras_torch.layers.image_preprocessing import _sampling
from keras_torch.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    _is_real,
    batch_size_of,
    images_of,
    normal,
    uniform,
)
from keras_torch.ops import image as ops_image
from keras_torch.random.seed_generator import SeedGenerator
from keras_torch.utils import bounding_boxes as bbox

__all__ = ["RandomElasticTransform", "RandomPerspective", "RandomShear"]


def _shear_config(factor: tuple[float, float]) -> Any:
    """A symmetric range as the number Keras accepts back (its own ``(-f, f)`` does not load in Keras)."""
    return factor[1] if factor[0] == -factor[1] else factor


@register_layer()
class RandomShear(BaseImagePreprocessingLayer):
    """Shears each image along x and/or y by a random amount (random sign).

    Args:
        x_factor: ``f`` or ``(lower, upper)`` in ``[0, 1]``: the x shear (a slope) is drawn from the
            range and its sign flipped with probability 1/2.
        y_factor: Same for the y shear.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, boxes, labels, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandomShear(x_factor=0.2, y_factor=0.2, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, x_factor: Any = 0.0, y_factor: Any = 0.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = self._shear_range(x_factor, "x_factor")
        self.y_factor = self._shear_range(y_factor, "y_factor")
        self._check_sampling(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _shear_range(self, factor: Any, name: str) -> tuple[float, float]:
        error = (f"The `factor` argument should be a number (or a list of two numbers) in the range [0, 1.0]. "
                 f"Received: {name}={factor} (layer {self.name})")
        if isinstance(factor, (tuple, list)):
            # Keras writes a number f as (-f, f) in its configs; such pairs are read back here.
            if len(factor) != 2 or not all(_is_real(v) and -1.0 <= v <= 1.0 for v in factor):
                raise ValueError(error)
            lower, upper = sorted(factor)
            return lower, upper
        if isinstance(factor, (int, float)) and not isinstance(factor, bool) and 0.0 <= factor <= 1.0:
            return -abs(factor), abs(factor)
        raise ValueError(error)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        n = batch_size_of(images)
        seed, dev, dtype = self._seed_stream(seed), images.device, self._dtype_policy.torch_compute_dtype
        invert = uniform((n, 1), seed, dev, dtype=dtype)
        invert = torch.where(invert > 0.5, -torch.ones_like(invert), torch.ones_like(invert))
        shear_y = uniform((n, 1), seed, dev, self.y_factor[0], self.y_factor[1], dtype)
        shear_x = uniform((n, 1), seed, dev, self.x_factor[0], self.x_factor[1], dtype)
        return {"shear_factor": torch.cat([shear_x, shear_y], 1) * invert, "input_shape": tuple(images.shape)}

    @staticmethod
    def _shear_matrix(shear: torch.Tensor) -> torch.Tensor:
        ones, zeros = torch.ones_like(shear[:, 0]), torch.zeros_like(shear[:, 0])
        return torch.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros], 1)

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        if transformation is None:
            return images
        matrix = self._shear_matrix(torch.as_tensor(transformation["shear_factor"], device=images.device))
        return _sampling.affine_transform(images, matrix, interpolation, self.fill_mode, self.fill_value,
                                          self.data_format)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training or transformation is None:
            return bounding_boxes
        height, width = self._image_hw(transformation["input_shape"])
        dtype = self.compute_dtype
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "rel_xyxy", height, width, dtype)
        shear = torch.as_tensor(transformation["shear_factor"]).to(boxes["boxes"])
        sx, sy = shear[:, 0:1], shear[:, 1:2]
        x1, y1, x2, y2 = (v.squeeze(-1) for v in torch.split(boxes["boxes"], 1, dim=-1))
        x1 = torch.where(sx < 0, x1 - sx * y1, x1 - sx * y2)
        x2 = torch.where(sx < 0, x2 - sx * y2, x2 - sx * y1)
        y1 = torch.where(sy > 0, y1 - sy * x2, y1 - sy * x1)
        y2 = torch.where(sy > 0, y2 - sy * x1, y2 - sy * x2)
        boxes["boxes"] = torch.stack([x1, y1, x2, y2], -1)
        boxes = bbox.clip_to_image_size(boxes, height, width, bounding_box_format="rel_xyxy")
        return bbox.convert_format(boxes, "rel_xyxy", self.bounding_box_format, height, width, dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "x_factor": _shear_config(self.x_factor), "y_factor": _shear_config(self.y_factor),
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}


@register_layer()
class RandomPerspective(BaseImagePreprocessingLayer):
    """Applies a random perspective warp: the four corners move by up to ``scale / 2`` of their coordinates.

    Args:
        factor: Probability range of applying the warp to an image (``f`` or ``(lower, upper)`` in ``[0, 1]``).
        scale: Strength of the corner displacement in ``[0, 1]``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_value: Value outside the warped image.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, boxes, labels, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandomPerspective(factor=1.0, scale=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, scale: float = 1.0, interpolation: str = "bilinear",
                 fill_value: float = 0.0, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        if not _is_real(scale) or scale < 0.0 or scale > 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. Received: scale={scale} "
                             f"(layer {self.name})")
        self._check_sampling("constant", interpolation)
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        n = batch_size_of(images)
        height, width = self._image_hw(images.shape)
        seed, dev, dtype = self._seed_stream(seed), images.device, self._dtype_policy.torch_compute_dtype
        probability = uniform((n,), seed, dev, self.factor[0], self.factor[1])
        threshold = uniform((n,), seed, dev)
        perspective = uniform((n, 4, 2), seed, dev, -0.5 * self.scale, 0.5 * self.scale, dtype)
        start = torch.tensor([[[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]]],
                             dtype=dtype, device=dev).repeat(n, 1, 1)
        return {"apply_perspective": threshold < probability, "start_points": start,
                "end_points": start + start * perspective, "input_shape": tuple(images.shape)}

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        if transformation is None:
            return images
        dev = images.device
        start = torch.as_tensor(transformation["start_points"], device=dev)
        end = torch.as_tensor(transformation["end_points"], device=dev)
        out = _sampling.perspective_transform(images, start, end, interpolation, self.fill_value, self.data_format)
        apply = torch.as_tensor(transformation["apply_perspective"], device=dev)
        return torch.where(apply[:, None, None, None], out, images)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training or transformation is None:
            return bounding_boxes
        height, width = self._image_hw(transformation["input_shape"])
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height, width)
        b = boxes["boxes"]
        start = torch.as_tensor(transformation["start_points"]).to(b)
        end = torch.as_tensor(transformation["end_points"]).to(b)
        transform = _sampling.homography(start, end).to(b)
        n = transform.shape[0]
        inverse = torch.linalg.inv(torch.cat([transform, torch.ones(n, 1).to(transform)], -1).reshape(n, 3, 3))
        x0, y0, x1, y1 = torch.split(b, 1, dim=-1)
        xs, ys = [], []
        for x, y in ((x0, y0), (x1, y1), (x0, y1), (x1, y0)):
            coords = torch.cat([x, y, torch.ones_like(x)], -1).transpose(-1, -2)
            mapped = torch.matmul(inverse, coords).transpose(-1, -2)
            xs.append(mapped[..., 0] / mapped[..., 2])
            ys.append(mapped[..., 1] / mapped[..., 2])
        xs, ys = torch.stack(xs, -1), torch.stack(ys, -1)
        warped = torch.stack([xs.amin(-1), ys.amin(-1), xs.amax(-1), ys.amax(-1)], -1)
        apply = torch.as_tensor(transformation["apply_perspective"]).to(b.device)
        boxes["boxes"] = torch.where(apply[:, None, None], warped, b)
        # As Keras: the result stays in "xyxy" (not converted back to bounding_box_format).
        return bbox.clip_to_image_size(boxes, height, width, bounding_box_format="xyxy")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value, "seed": self.seed}


@register_layer()
class RandomElasticTransform(BaseImagePreprocessingLayer):
    """Elastic distortion: pixels move along a Gaussian-smoothed random displacement field.

    As in Keras (TensorFlow backend), the horizontal and vertical displacements are the same
    field; its strength is ``alpha = 0.1 * s * max(H, W)`` and its smoothness
    ``sigma = 0.05 * s * min(H, W)`` for a distortion ``s`` drawn from ``scale``.

    Args:
        factor: Probability range of distorting an image (``f`` or ``(lower, upper)`` in ``[0, 1]``).
        scale: Distortion range (``f`` or ``(lower, upper)`` in ``[0, 1]``).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: ``"reflect"`` (default), ``"constant"``, ``"nearest"``, ``"wrap"`` or ``"mirror"``.
        fill_value: Value outside the image with ``fill_mode="constant"``.
        value_range: Range the outputs are clipped to.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandomElasticTransform(factor=1.0, scale=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, scale: Any = 1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, value_range: Any = (0, 255),
                 seed: int | None = None, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = self._factor_range(scale, "scale")
        self._check_sampling(fill_mode, interpolation, ("constant", "nearest", "wrap", "mirror", "reflect"))
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        images = images_of(data)
        n = batch_size_of(images)
        height, width = self._image_hw(images.shape)
        seed, dev, dtype = self._seed_stream(seed), images.device, self._dtype_policy.torch_compute_dtype
        probability = uniform((n,), seed, dev, self.factor[0], self.factor[1])
        threshold = uniform((n,), seed, dev)
        distortion = uniform((), seed, dev, self.scale[0], self.scale[1], dtype)
        # Keras draws the field inside ops.image.elastic_transform from the layer's seed; it is part
        # of the transformation here so that images and masks share it.
        return {"apply_transform": threshold < probability, "distortion_factor": distortion,
                "noise": normal((n, height, width), seed, dev, dtype)}

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        if transformation is None:
            return images
        height, width = self._image_hw(images.shape)
        distortion = float(torch.as_tensor(transformation["distortion_factor"]))
        alpha, sigma = max(height, width) * 0.1 * distortion, min(height, width) * 0.05 * distortion
        x = images.permute(0, 2, 3, 1) if self.data_format == "channels_first" else images
        noise = torch.as_tensor(transformation["noise"], device=x.device).to(x.dtype) * sigma
        kernel = (6 * int(sigma)) | 1
        field = ops_image.gaussian_blur(noise[..., None], kernel_size=(kernel, kernel), sigma=(sigma, sigma))[..., 0]
        ys = torch.arange(height, dtype=x.dtype, device=x.device).view(1, height, 1) + alpha * field
        xs = torch.arange(width, dtype=x.dtype, device=x.device).view(1, 1, width) + alpha * field
        out = _sampling.map_coordinates_2d(x, ys, xs, ("nearest", "bilinear").index(interpolation), self.fill_mode,
                                           float(self.fill_value))
        if self.data_format == "channels_first":
            out = out.permute(0, 3, 1, 2)
        apply = torch.as_tensor(transformation["apply_transform"], device=images.device)
        out = torch.where(apply[:, None, None, None], out, images)
        return self._cast(out.clamp(self.value_range[0], self.value_range[1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}
