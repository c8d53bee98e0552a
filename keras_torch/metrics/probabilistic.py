"""Loss-valued metrics: crossentropies, KL divergence, Poisson and hinge (Keras 3)."""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry
from keras_torch.losses import crossentropy as ce
from keras_torch.losses import regression as rg
from keras_torch.metrics.reduction import MeanMetricWrapper

_CAT = "metrics"


class _Plain(MeanMetricWrapper):
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("KLDivergence", category=_CAT)
class KLDivergence(_Plain):
    """Mean Kullback-Leibler divergence."""

    def __init__(self, name: str = "kl_divergence", dtype: Any = None):
        super().__init__(fn=rg.kl_divergence, name=name, dtype=dtype)


@registry.register("Poisson", category=_CAT)
class Poisson(_Plain):
    """Mean Poisson loss."""

    def __init__(self, name: str = "poisson", dtype: Any = None):
        super().__init__(fn=rg.poisson, name=name, dtype=dtype)


@registry.register("Hinge", category=_CAT)
class Hinge(_Plain):
    """Mean hinge loss."""

    def __init__(self, name: str = "hinge", dtype: Any = None):
        super().__init__(fn=rg.hinge, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("SquaredHinge", category=_CAT)
class SquaredHinge(_Plain):
    """Mean squared hinge loss."""

    def __init__(self, name: str = "squared_hinge", dtype: Any = None):
        super().__init__(fn=rg.squared_hinge, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("CategoricalHinge", category=_CAT)
class CategoricalHinge(_Plain):
    """Mean categorical hinge loss."""

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None):
        super().__init__(fn=rg.categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("BinaryCrossentropy", "bce", "BCE", category=_CAT)
class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary crossentropy (uses cached sigmoid logits like the loss)."""

    def __init__(
        self, name: str = "binary_crossentropy", dtype: Any = None, from_logits: bool = False, label_smoothing: float = 0
    ):
        super().__init__(
            ce.binary_crossentropy, name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


@registry.register("CategoricalCrossentropy", category=_CAT)
class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical crossentropy (uses cached softmax logits like the loss)."""

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ):
        super().__init__(
            ce.categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


@registry.register("SparseCategoricalCrossentropy", category=_CAT)
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean sparse categorical crossentropy."""

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ):
        super().__init__(
            ce.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }
