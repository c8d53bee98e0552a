"""The keras.applications parity cases, shared by the fixture generator (real Keras) and the tests.

Numpy only: the generator runs it under TensorFlow's interpreter, the tests under keras_torch. Every
architecture is built at the smallest input size its family allows, with ``weights=None``,
``classes=CLASSES`` and ``classifier_activation=None`` (the outputs compared are logits). Weights and
inputs are not stored: both sides derive them from :func:`weight_values` / :func:`inputs`, keyed by
the weight's Keras path and position, so a fixture only holds the reference outputs and a weight
order that differs from real Keras's shows up as a mismatch.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Any

import numpy as np

CLASSES = 7
BATCH = 2
SEED = 20240917
# He et al.'s gain: keeps the signal's scale through chains of ReLUs (plain 1/fan_in halves it per
# ReLU, and after 30 layers the outputs no longer depend on the inputs, only on the biases).
KERNEL_GAIN = float(np.sqrt(2.0))
# Deep residual stacks whose activations grow at He's gain until float32 rounding decides the logits
# (keras_torch in float32 against float64: 3.5% apart for EfficientNetV2B1, and Keras 3 against
# tf-keras on the same weights as far): these cases use gain 1, where both agree within 1e-6.
UNIT_GAIN = ("EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S", "EfficientNetV2M",
             "EfficientNetV2L", "ResNetRS101", "ResNetRS152", "ResNetRS200", "ResNetRS270", "ResNetRS350",
             "ResNetRS420", "EfficientNetB7")


@dataclasses.dataclass(frozen=True)
class AppCase:
    """One architecture: where both libraries define it and how it is built for the comparison."""

    name: str  # public constructor, e.g. "ResNet50"
    module: str  # keras.applications submodule, e.g. "resnet"
    family: str  # cases of one family share code; the fast test run takes one per family
    size: int  # input height = width
    libs: tuple[str, ...] = ("k3", "tfk")  # Keras 3 and/or tf-keras define it
    pixels: bool = False  # the model rescales [0, 255] pixels itself (include_preprocessing)
    fast: bool = False  # in the default test run (one member of each family)
    kwargs: tuple = ()  # extra constructor arguments as (key, value) pairs

    @property
    def gain(self) -> float:
        """The kernel gain of :func:`weight_values` for this case."""
        return 1.0 if self.name in UNIT_GAIN else KERNEL_GAIN

    def build_kwargs(self) -> dict[str, Any]:
        """Constructor arguments used on both sides."""
        kw = {"weights": None, "input_shape": (self.size, self.size, 3), "classes": CLASSES,
              "classifier_activation": None}
        kw.update(dict(self.kwargs))
        return kw


def _family(family: str, module: str, names: list[str], size: int = 32, fast: str | None = None,
            **extra: Any) -> list[AppCase]:
    return [AppCase(n, module, family, size, fast=(n == fast), **extra) for n in names]


CASES: list[AppCase] = [
    *_family("vgg", "vgg16", ["VGG16"], fast="VGG16"),
    *_family("vgg", "vgg19", ["VGG19"]),
    *_family("resnet", "resnet", ["ResNet50", "ResNet101", "ResNet152"], fast="ResNet50"),
    *_family("resnet_v2", "resnet_v2", ["ResNet50V2", "ResNet101V2", "ResNet152V2"], fast="ResNet50V2"),
    *_family("inception_v3", "inception_v3", ["InceptionV3"], size=75, fast="InceptionV3"),
    *_family("inception_resnet_v2", "inception_resnet_v2", ["InceptionResNetV2"], size=75,
             fast="InceptionResNetV2"),
    *_family("xception", "xception", ["Xception"], size=71, fast="Xception"),
    *_family("mobilenet", "mobilenet", ["MobileNet"], fast="MobileNet"),
    *_family("mobilenet_v2", "mobilenet_v2", ["MobileNetV2"], fast="MobileNetV2"),
    *_family("mobilenet_v3", "mobilenet_v3", ["MobileNetV3Small", "MobileNetV3Large"], fast="MobileNetV3Small",
             pixels=True),
    *_family("densenet", "densenet", ["DenseNet121", "DenseNet169", "DenseNet201"], fast="DenseNet121"),
    *_family("nasnet", "nasnet", ["NASNetMobile", "NASNetLarge"], fast="NASNetMobile"),
    *_family("efficientnet", "efficientnet", [f"EfficientNetB{i}" for i in range(8)], fast="EfficientNetB0",
             pixels=True),
    *_family("efficientnet_v2", "efficientnet_v2",
             [f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")], fast="EfficientNetV2B0",
             pixels=True),
    *_family("convnext", "convnext", [f"ConvNeXt{v}" for v in ("Tiny", "Small", "Base", "Large", "XLarge")],
             fast="ConvNeXtTiny", pixels=True),
    *_family("regnet", "regnet", [f"RegNet{k}{n}" for k in "XY" for n in
                                  ("002", "004", "006", "008", "016", "032", "040", "064", "080", "120", "160", "320")],
             fast="RegNetX002", libs=("tfk",), pixels=True),
    *_family("resnet_rs", "resnet_rs", [f"ResNetRS{d}" for d in (50, 101, 152, 200, 270, 350, 420)],
             fast="ResNetRS50", libs=("tfk",), pixels=True),
]

BY_NAME = {c.name: c for c in CASES}


def inputs(case: AppCase) -> np.ndarray:
    """The ``(BATCH, size, size, 3)`` float32 images fed to ``case`` on both sides."""
    rng = np.random.default_rng([SEED, zlib.crc32(case.name.encode())])
    x = rng.uniform(0.0, 1.0, (BATCH, case.size, case.size, 3))
    return (x * 255.0 if case.pixels else x * 2.0 - 1.0).astype("float32")


def weight_values(index: int, path: str, shape: tuple[int, ...], dtype: str = "float32",
                  gain: float = KERNEL_GAIN) -> np.ndarray:
    """Deterministic value of the ``index``-th weight (Keras order) named ``path``.

    Kernels get variance ``gain**2 / fan_in`` (the receptive field times input channels; a depthwise
    kernel's fan-in is its receptive field), normalisation statistics and scales stay near their
    trained ranges, so activations neither vanish nor overflow through 400+ layers.
    """
    rng = np.random.default_rng([SEED, index])
    leaf = path.rsplit("/", 1)[-1].split(":")[0]
    if "count" in leaf or not np.issubdtype(np.dtype(dtype), np.floating):
        return np.zeros(shape, dtype)
    if "variance" in leaf:
        value = rng.uniform(0.5, 1.5, shape)
    elif leaf in ("gamma", "scale"):
        value = rng.uniform(0.7, 1.3, shape)
    elif len(shape) <= 1:
        value = rng.normal(0.0, 0.1, shape)
    else:
        # A depthwise kernel (kh, kw, channels, multiplier=1) sees one channel: its fan-in is kh * kw.
        depthwise = len(shape) == 4 and shape[-1] == 1 and shape[-2] > 1
        fan_in = int(np.prod(shape[:-2])) if depthwise else int(np.prod(shape[:-1]))
        value = rng.normal(0.0, gain / np.sqrt(max(fan_in, 1)), shape)
    return value.astype(dtype)


def tolerance(reference: np.ndarray, noise_floor: float) -> float:
    """The acceptance bound: the larger of 1e-4 x max|reference| and twice real Keras's own noise floor."""
    return max(1e-4 * float(np.max(np.abs(reference))), 2.0 * float(noise_floor))
