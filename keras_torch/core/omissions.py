"""The one table of Keras names keras_torch deliberately does not provide, and the error they raise.

Every public name of Keras 3 and tf-keras 2 (``compat/fixtures/api_snapshot``) either resolves in
keras_torch or is covered here; ``tests/test_api_coverage.py`` checks both directions. Keys are
paths below ``keras_torch`` as the import aliases map them (``tf_keras.backend.gradients`` and
``keras.backend.gradients`` are both ``backend.gradients``); a key naming a module covers every
name inside it.

Public packages consult the table from their module-level ``__getattr__`` (see
:func:`missing_attribute`), so ``keras.quantizers.GPTQConfig`` raises::

    NotProvidedError: keras_torch does not provide keras.quantizers.GPTQConfig: <reason>

:class:`NotProvidedError` is also an ``AttributeError``, so ``hasattr(keras.quantizers, "GPTQConfig")`` stays
``False`` for feature-detecting code; ``import keras.wrappers`` under ``keras-torch run`` raises
:class:`NotProvidedModuleError` (a ``ModuleNotFoundError``) with the same message.
"""

from __future__ import annotations

_TF = "part of TensorFlow's runtime, which keras_torch replaces with PyTorch"
_MODEL_QUANTIZE = ("quantization configs drive model.quantize (int8/int4/float8 weights, GPTQ, AWQ), which is not "
                   "implemented; the keras.quantizers functions are, and torch.ao quantizes a loaded model")
_QUANTIZED = "quantized dtype policies belong to model.quantize, which is not implemented"

OMISSIONS: dict[str, str] = {
    # Keras 3
    **{f"quantizers.{name}": _MODEL_QUANTIZE for name in (
        "QuantizationConfig", "Int8QuantizationConfig", "Int4QuantizationConfig", "Float8QuantizationConfig",
        "GPTQConfig", "AWQConfig")},
    **{f"dtype_policies.{name}": _QUANTIZED for name in ("QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy",
                                                           "Int4DTypePolicy", "GPTQDTypePolicy", "AWQDTypePolicy")},
    "wrappers": "the scikit-learn estimator wrappers are not implemented; wrap model.fit/predict in your own "
    "sklearn.base.BaseEstimator",
    "StatelessScope": "keras_torch layers compute with their torch Parameters directly, so variable values cannot "
    "be swapped in a scope; call torch.func.functional_call(model, {name: tensor}, x) for a stateless call",
    "SymbolicScope": "keras_torch infers symbolic shapes by running layers on small zero tensors, not inside a "
    "scope; check keras.backend.is_keras_tensor(x) instead",
    "layers.JaxLayer": "it wraps JAX functions and keras_torch runs on PyTorch only; wrap torch modules with "
    "keras.layers.TorchModuleWrapper",
    "layers.FlaxLayer": "it wraps Flax modules and keras_torch runs on PyTorch only; wrap torch modules with "
    "keras.layers.TorchModuleWrapper",
    "layers.TFSMLayer": f"it loads TensorFlow SavedModels, {_TF}; load .keras/.h5 files with "
    "keras.models.load_model",
    "callbacks.OrbaxCheckpoint": "Orbax is JAX's checkpoint library; use keras.callbacks.ModelCheckpoint or "
    "BackupAndRestore",
    "export.ExportArchive": f"it builds TensorFlow SavedModels, {_TF}; export ONNX or torch.export programs with "
    "model.export(path, format='onnx') or keras_torch.export.export_torch",
    # tf-keras 2
    "dtensor.experimental.LayoutMap": f"DTensor layouts are {_TF}; shard with keras.distribution or "
    "torch.distributed",
    "estimator": f"tf.estimator is {_TF}",
    "experimental.SequenceFeatures": f"tf.feature_column is {_TF}",
    "layers.DenseFeatures": f"tf.feature_column is {_TF}; preprocess features with keras.layers or in the data "
    "pipeline",
    "backend.experimental": "it switches TensorFlow's stateless random generators; keras_torch draws from torch's "
    "generator (seed it with keras.utils.set_random_seed)",
    "backend.manual_variable_initialization": "TF1 sessions initialized variables on demand; torch tensors hold their "
    "values from creation",
}


class NotProvidedError(NotImplementedError, AttributeError):
    """Access to a Keras name listed in :data:`OMISSIONS` (an ``AttributeError`` too, for ``hasattr``)."""


class NotProvidedModuleError(NotImplementedError, ModuleNotFoundError):
    """``import`` of a Keras module listed in :data:`OMISSIONS` (under ``keras-torch run``)."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name  # the module, as ModuleNotFoundError reports it


def omission(path: str) -> tuple[str, str] | None:
    """``(key, reason)`` of the table entry covering ``path`` (``"quantizers.Quantizer"``), else None."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in OMISSIONS:
            return key, OMISSIONS[key]
    return None


def message(path: str) -> str:
    """The documented error message for an omitted ``path`` (raises KeyError if it is not omitted)."""
    found = omission(path)
    if found is None:
        raise KeyError(f"keras.{path} is not in keras_torch.core.omissions.OMISSIONS")
    key, reason = found
    return f"keras_torch does not provide keras.{key}: {reason}"


def missing_attribute(module: str, name: str) -> AttributeError:
    """The error for ``module.name`` not found (``module`` is a ``keras_torch...`` module name).

    A documented omission gives :class:`NotProvidedError`; any other name the usual
    ``AttributeError``. Meant for ``raise missing_attribute(__name__, name)`` in a module-level
    ``__getattr__``.
    """
    relative = module[len("keras_torch") :].lstrip(".")
    path = f"{relative}.{name}" if relative else name
    if omission(path) is not None:
        return NotProvidedError(message(path))
    return AttributeError(f"module '{module}' has no attribute '{name}'")
