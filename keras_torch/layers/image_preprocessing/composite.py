"""Compositions of Keras 3.15: AugMix, RandAugment, Pipeline and MaxNumBoundingBoxes."""

from __future__ import annotations

import random as py_random
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import registry
from keras_torch.layers._args import check_size, register_layer
from keras_torch.layers.base import Layer, _call_signature
from keras_torch.layers.image_preprocessing.base import BaseImagePreprocessingLayer, beta, gamma, randint
from keras_torch.layers.image_preprocessing.color import RandomBrightness, RandomColorDegeneration, RandomContrast
from keras_torch.layers.image_preprocessing.distortion import RandomShear
from keras_torch.layers.image_preprocessing.flip_rotation import RandomRotation
from keras_torch.layers.image_preprocessing.histogram import Equalization
from keras_torch.layers.image_preprocessing.tone import AutoContrast, RandomPosterization, RandomSharpness, Solarization
from keras_torch.layers.image_preprocessing.translation_zoom import RandomTranslation
from keras_torch.random.seed_generator import SeedGenerator
from keras_torch.utils import bounding_boxes as bbox

__all__ = ["AugMix", "MaxNumBoundingBoxes", "Pipeline", "RandAugment"]

_GEOMETRIC = ("random_shear", "random_translation", "random_rotation")
_BASIC = _GEOMETRIC + ("random_posterization", "solarization", "auto_contrast", "equalization")
_ALL = _BASIC + ("random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness")


def _make_ops(layer: BaseImagePreprocessingLayer, names: tuple[str, ...], factor: Any, value_range: Any,
              interpolation: str, seed: Any) -> None:
    """The augmentation sub-layers of AugMix / RandAugment, as Keras builds them."""
    common = {"data_format": layer.data_format, "bounding_box_format": layer.bounding_box_format}
    colour = {"value_range": value_range, "seed": seed, **common}
    makers = {
        "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation, seed=seed,
                                            **common),
        "random_translation": lambda: RandomTranslation(height_factor=factor, width_factor=factor,
                                                        interpolation=interpolation, seed=seed, **common),
        "random_rotation": lambda: RandomRotation(factor=factor, interpolation=interpolation, seed=seed, **common),
        "solarization": lambda: Solarization(addition_factor=factor, threshold_factor=factor, **colour),
        "random_posterization": lambda: RandomPosterization(factor=max(1, int(8 * factor[1])), **colour),
        "auto_contrast": lambda: AutoContrast(value_range=value_range, **common),
        "equalization": lambda: Equalization(value_range=value_range, **common),
        "random_brightness": lambda: RandomBrightness(factor=factor, **colour),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor=factor, **colour),
        "random_contrast": lambda: RandomContrast(factor=factor, **colour),
        "random_sharpness": lambda: RandomSharpness(factor=factor, **colour),
    }
    for name in names:
        setattr(layer, name, makers[name]())


@register_layer()
class AugMix(BaseImagePreprocessingLayer):
    """AugMix: mixes the image with ``num_chains`` random chains of augmentations (Dirichlet weights),
    then with the original (Beta weight).

    Args:
        value_range: Range of the input values (default ``(0, 255)``).
        num_chains: Number of augmentation chains.
        chain_depth: Maximum number of operations per chain (each step may be skipped).
        factor: Strength of the operations (``f`` or ``(lower, upper)`` in ``[0, 1]``).
        alpha: Dirichlet / Beta concentration.
        all_ops: Also use brightness, colour degeneration, contrast and sharpness.
        interpolation: ``"bilinear"`` (default) or ``"nearest"`` for the geometric operations.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.AugMix(seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range: Any = (0, 255), num_chains: int = 3, chain_depth: int = 3, factor: Any = 0.3,
                 alpha: float = 1.0, all_ops: bool = True, interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self._set_factor(factor)
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._augment_layers = _ALL if all_ops else _BASIC
        _make_ops(self, self._augment_layers, self.factor, value_range, interpolation, seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        seed, dev = self._seed_stream(seed), images.device
        draws = gamma((self.num_chains,), self.alpha, seed, dev)
        chains = []
        for _ in range(self.num_chains):
            steps = []
            for _ in range(self.chain_depth):
                name = py_random.choice(list(self._augment_layers) + [None])
                if name is not None:
                    steps.append({"layer_name": name,
                                  "transformation": getattr(self, name).get_random_transformation(data, seed=seed)})
            chains.append(steps)
        return {"chain_mixing_weights": draws / draws.sum(-1, keepdim=True),
                "weight_sample": beta((), self.alpha, self.alpha, seed, dev), "chain_transforms": chains}

    def _mix(self, x: torch.Tensor, transformation: dict, method: str) -> torch.Tensor:
        weights = torch.as_tensor(transformation["chain_mixing_weights"], device=x.device).to(x.dtype)
        sample = torch.as_tensor(transformation["weight_sample"], device=x.device).to(x.dtype)
        mixed = torch.zeros_like(x)
        for idx, chain in enumerate(transformation["chain_transforms"]):
            out = x
            for step in chain:
                out = getattr(getattr(self, step["layer_name"]), method)(out, step["transformation"])
            mixed = mixed + out * weights[idx]
        return sample * x + (1 - sample) * mixed

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training:
            return images
        mixed = self._mix(images, transformation, "transform_images")
        return self._cast(mixed.clamp(self.value_range[0], self.value_range[1]))

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        if not training:
            return segmentation_masks
        masks = segmentation_masks
        masks = masks if masks.is_floating_point() else masks.to(self._dtype_policy.torch_compute_dtype)
        return self._mix(masks, transformation, "transform_segmentation_masks")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range, "num_chains": self.num_chains,
                "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}


@register_layer()
class RandAugment(BaseImagePreprocessingLayer):
    """RandAugment: ``num_ops`` operations drawn uniformly (with repetition) from 11 augmentations.

    Args:
        value_range: Range of the input values (default ``(0, 255)``).
        num_ops: Number of operations applied to each batch.
        factor: Strength of the operations (``f`` or ``(lower, upper)`` in ``[0, 1]``).
        interpolation: ``"bilinear"`` (default) or ``"nearest"`` for the geometric operations.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, boxes, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandAugment(num_ops=2, factor=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)
    _AUGMENT_LAYERS = ("random_shear", "random_translation", "random_rotation", "random_brightness",
                       "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                       "solarization", "auto_contrast", "equalization")

    def __init__(self, value_range: Any = (0, 255), num_ops: int = 2, factor: Any = 0.5,
                 interpolation: str = "bilinear", seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self._set_factor(factor)
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)
        _make_ops(self, self._AUGMENT_LAYERS, self.factor, value_range, interpolation, seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        seed = self._seed_stream(seed)
        idxes = randint((self.num_ops,), seed, images.device, 0, len(self._AUGMENT_LAYERS))
        # Keras samples every operation's parameters and keeps the chosen ones; sampling only the
        # chosen operations gives the same distribution.
        chosen = sorted({int(i) for i in idxes})
        transforms = {self._AUGMENT_LAYERS[i]: getattr(self, self._AUGMENT_LAYERS[i]).get_random_transformation(
            data, training=training, seed=seed) for i in chosen}
        return {"transforms": transforms, "layer_idxes": idxes}

    def _ops(self, transformation: dict) -> list[tuple[BaseImagePreprocessingLayer, Any]]:
        names = [self._AUGMENT_LAYERS[int(i)] for i in torch.as_tensor(transformation["layer_idxes"]).reshape(-1)]
        return [(getattr(self, n), transformation["transforms"][n]) for n in names]

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training:
            return images
        for layer, t in self._ops(transformation):
            images = layer.transform_images(images, t)
        return self._cast(images)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training:
            return bounding_boxes
        # As Keras: each chosen operation transforms the boxes once, in the order of _AUGMENT_LAYERS.
        chosen = {int(i) for i in torch.as_tensor(transformation["layer_idxes"]).reshape(-1)}
        for idx, name in enumerate(self._AUGMENT_LAYERS):
            if idx in chosen:
                bounding_boxes = getattr(self, name).transform_bounding_boxes(
                    dict(bounding_boxes), transformation["transforms"][name])
        return bounding_boxes

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        if not training:
            return segmentation_masks
        for layer, t in self._ops(transformation):
            segmentation_masks = layer.transform_segmentation_masks(segmentation_masks, t)
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range, "num_ops": self.num_ops,
                "factor": self.factor, "interpolation": self.interpolation, "seed": self.seed}


@register_layer()
class Pipeline(Layer):
    """Applies a sequence of layers in order (like ``Sequential``, but a plain layer: no model features).

    Args:
        layers: The layers.
        name: Layer name.

    Input shape:
        Whatever the first layer accepts (tensors or dicts of image data).

    Output shape:
        What the last layer returns.

    Example:

    >>> pipeline = keras.layers.Pipeline([
    ...     keras.layers.RandomFlip("horizontal", seed=1),
    ...     keras.layers.RandomRotation(0.1, seed=1),
    ... ])
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> pipeline(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    def __init__(self, layers: list, name: str | None = None) -> None:
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return list(self._pipeline_layers)

    def call(self, inputs: Any, training: bool = True, mask: Any = None) -> Any:
        outputs = inputs
        for layer in self._pipeline_layers:
            has_training, has_mask, _, var_kw, _ = _call_signature(type(layer))
            kwargs: dict[str, Any] = {}
            if has_mask and not var_kw:
                kwargs["mask"] = mask
            if has_training and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            inputs = outputs
            mask = getattr(outputs, "_keras_mask", None)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {"layers": [registry.serialize_keras_object(layer, "layers") for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Pipeline:
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
                             f"Received config with layers={layers}.")
        config = {**config, "layers": [registry.deserialize_keras_object(x, "layers", custom_objects) for x in layers]}
        return cls(**config)


@register_layer()
class MaxNumBoundingBoxes(BaseImagePreprocessingLayer):
    """Pads (with ``fill_value``) or truncates the boxes of each image to exactly ``max_number``.

    Args:
        max_number: Number of boxes per image.
        fill_value: Value of padded boxes and labels (default -1).
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        A dict with ``"images"`` and ``"bounding_boxes"`` (``boxes (batch, N, 4)``, ``labels (batch, N)``).

    Output shape:
        The same dict with ``boxes (batch, max_number, 4)`` and ``labels (batch, max_number)``.

    Example:

    >>> layer = keras.layers.MaxNumBoundingBoxes(max_number=3, bounding_box_format="xyxy")
    >>> data = {
    ...     "images": np.zeros((2, 8, 8, 3), "float32"),
    ...     "bounding_boxes": {"boxes": np.ones((2, 5, 4), "float32"), "labels": np.ones((2, 5), "int32")},
    ... }
    >>> out = layer(data)
    >>> out["bounding_boxes"]["boxes"].shape
    torch.Size([2, 3, 4])
    """

    _USE_BASE_FACTOR = False
    _ACTIVE_AT_INFERENCE = True

    def __init__(self, max_number: int, fill_value: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_number = check_size(self.name, "max_number", max_number)
        self.fill_value = int(fill_value)

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        return images

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        boxes = bbox.to_tensor(bounding_boxes["boxes"])
        labels = bbox.to_tensor(bounding_boxes["labels"])
        pad = max(self.max_number - boxes.shape[1], 0)
        out = dict(bounding_boxes)
        out["boxes"] = F.pad(boxes[:, :self.max_number], (0, 0, 0, pad), value=self.fill_value)
        out["labels"] = F.pad(labels[:, :self.max_number], (0, pad), value=self.fill_value)
        return out

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any = None,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def compute_output_shape(self, input_shape: Any) -> Any:
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            extra = set(input_shape["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"There are unsupported keys in `bounding_boxes`: {sorted(extra)}. Only `boxes` and "
                               "`labels` are supported.")
            out = dict(input_shape)
            boxes = list(input_shape["bounding_boxes"]["boxes"])
            labels = list(input_shape["bounding_boxes"]["labels"])
            boxes[1] = labels[1] = self.max_number
            out["bounding_boxes"] = {"boxes": tuple(boxes), "labels": tuple(labels)}
            return out
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_number": self.max_number}
