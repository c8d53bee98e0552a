"""tf-keras 2's ``keras.dtensor``: its optimizers are the ordinary Keras optimizers.

``dtensor.experimental.LayoutMap`` maps variables to TensorFlow DTensor layouts and is listed in
:mod:`keras_torch.core.omissions` (shard models with ``keras.distribution`` instead).
"""

from typing import Any

from keras_torch.core import omissions as _omissions
from keras_torch.dtensor import experimental as experimental

__all__ = ["experimental"]


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
