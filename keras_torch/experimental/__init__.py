"""``tf.keras.experimental`` (tf-keras 2): the two learning-rate schedules it re-exports.

Its models and the sidecar evaluator (``LinearModel``, ``WideDeepModel``, ``SequenceFeatures``,
``SidecarEvaluator``) are listed in :mod:`keras_torch.core.omissions` and raise the error given
there.
"""

from typing import Any

from keras_torch.core import omissions as _omissions
from keras_torch.optimizers.schedules import CosineDecay, CosineDecayRestarts

__all__ = ["CosineDecay", "CosineDecayRestarts"]


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
