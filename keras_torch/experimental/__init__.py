"""``tf.keras.experimental`` (tf-keras 2): two learning-rate schedules, the premade models, ``SidecarEvaluator``.

``SequenceFeatures`` is listed in :mod:`keras_torch.core.omissions` and raises the error given there.
"""

from typing import Any

from keras_torch.callbacks.sidecar_evaluator import SidecarEvaluator
from keras_torch.core import omissions as _omissions
from keras_torch.models.premade import LinearModel, WideDeepModel
from keras_torch.optimizers.schedules import CosineDecay, CosineDecayRestarts

__all__ = ["CosineDecay", "CosineDecayRestarts", "LinearModel", "SidecarEvaluator", "WideDeepModel"]


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
