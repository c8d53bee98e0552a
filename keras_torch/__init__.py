"""keras_torch: the Keras API on PyTorch, fast and exact.

``import keras_torch as keras`` gives Sequential/functional/subclassed models whose layers are
``torch.nn.Module`` objects with torch-native parameter layouts and Keras numerics.
"""

from __future__ import annotations

from keras_torch import activations as activations
from keras_torch import config as config
from keras_torch import constraints as constraints
from keras_torch import initializers as initializers
from keras_torch import layers as layers
from keras_torch import models as models
from keras_torch import ops as ops
from keras_torch import regularizers as regularizers
from keras_torch import tree as tree
from keras_torch.backend.scopes import device as device
from keras_torch.backend.scopes import name_scope as name_scope
from keras_torch.backend.variable import Variable as Variable
from keras_torch.core import omissions as _omissions
from keras_torch.core import version as _version
from keras_torch.core.dtype_policy import DTypePolicy as DTypePolicy
from keras_torch.core.dtype_policy import FloatDTypePolicy as FloatDTypePolicy
from keras_torch.core.registry import register_keras_serializable as register_keras_serializable
from keras_torch.core.remat import RematScope as RematScope
from keras_torch.core.remat import remat as remat
from keras_torch.core.symbolic import KerasTensor as KerasTensor
from keras_torch.core.symbolic import Operation as Operation
from keras_torch.initializers import Initializer as Initializer
from keras_torch.layers import Input as Input
from keras_torch.layers import InputSpec as InputSpec
from keras_torch.layers import Layer as Layer
from keras_torch.models import Model as Model
from keras_torch.models import Sequential as Sequential
from keras_torch.regularizers import Regularizer as Regularizer

_LAZY = {
    "losses": "keras_torch.losses",
    "metrics": "keras_torch.metrics",
    "optimizers": "keras_torch.optimizers",
    "callbacks": "keras_torch.callbacks",
    "utils": "keras_torch.utils",
    "saving": "keras_torch.saving",
    "backend": "keras_torch.backend",
    "datasets": "keras_torch.datasets",
    "dtype_policies": "keras_torch.dtype_policies",
    "experimental": "keras_torch.experimental",
    "legacy": "keras_torch.legacy",
    "mixed_precision": "keras_torch.mixed_precision",
    "export": "keras_torch.export",
    "random": "keras_torch.random",
    "preprocessing": "keras_torch.preprocessing",
    "applications": "keras_torch.applications",
    "distribution": "keras_torch.distribution",
    "quantizers": "keras_torch.quantizers",
    "visualization": "keras_torch.visualization",
    "distillation": "keras_torch.distillation",
    "dtensor": "keras_torch.dtensor",
}
# Classes from lazily loaded modules (``keras.Loss``, ``keras.Function``...).
_LAZY_NAMES = {"Loss": "keras_torch.losses", "Metric": "keras_torch.metrics", "Optimizer": "keras_torch.optimizers",
               "Function": "keras_torch.backend.function",
               "Quantizer": "keras_torch.quantizers"}


def version() -> str:
    """Returns the Keras version string that ``keras.__version__`` reports.

    This is the version of the Keras API keras_torch emulates (see ``keras_torch.core.version``): under
    ``keras-torch run`` it is the emulated Keras version, so scripts that test ``keras.__version__`` take
    the branch meant for that Keras.

    Returns:
        A version string such as ``"3.15.1"``.

    Example:

    >>> isinstance(keras.version(), str)
    True
    """
    return _version.public_version()


def __getattr__(name: str):
    if name == "__version__":  # (computed: under `keras-torch run` it is the emulated Keras version)
        return _version.public_version()
    # Heavier sub-packages load on first use so `import keras_torch` stays fast.
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    if name in _LAZY_NAMES:
        import importlib

        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    raise _omissions.missing_attribute(__name__, name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY) + list(_LAZY_NAMES))
