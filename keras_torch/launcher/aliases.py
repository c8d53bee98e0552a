"""Import aliasing: ``import keras`` / ``tensorflow.keras`` / ``tf_keras`` resolve to keras_torch.

A meta-path finder maps module names (``tensorflow.keras.layers`` → ``keras_torch.layers``,
``keras.preprocessing.sequence`` → ``keras_torch.preprocessing.sequence``...) and registers the
target module under the requested name, so both ``import`` and ``from ... import`` work.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from typing import Any

from keras_torch.core import omissions, version

# Keras 2 module paths that moved or never existed in keras_torch's layout.
_RENAMES = {
    "utils.np_utils": "utils",
    "utils.generic_utils": "utils",
    "utils.data_utils": "utils",
    "utils.vis_utils": "utils",
    "utils.layer_utils": "utils",
    "engine": "launcher.engine",
    "engine.topology": "launcher.engine",
    "engine.base_layer": "launcher.engine",
    "engine.training": "launcher.engine",
    "engine.sequential": "launcher.engine",
    "engine.functional": "launcher.engine",
    "engine.input_layer": "launcher.engine",
    "layers.core": "layers",
    "layers.convolutional": "layers",
    "layers.pooling": "layers",
    "layers.recurrent": "layers",
    "layers.normalization": "layers",
    "layers.merge": "layers",
    "layers.embeddings": "layers",
    "layers.advanced_activations": "layers",
    "layers.wrappers": "layers",
    "layers.experimental": "layers",
    "layers.experimental.preprocessing": "layers",
    "src": "",
    "api": "",
    "api._v2.keras": "",
    "optimizers.schedules": "optimizers.schedules",
    "optimizers.legacy": "optimizers.legacy",
    "saving.legacy": "saving",
    "legacy.saving": "saving.legacy_serialization",
    "utils.legacy": "saving.legacy_serialization",
    "applications": "applications",
}

# ``import tensorflow.<name>`` of a stand-in submodule; other ``tensorflow.*`` names get the stand-in itself,
# whose attributes name what is not supported.
_TF_SUBMODULES = ("config", "data", "image", "io", "linalg", "math", "nn", "random", "strings")

_ROOTS = {"keras": "keras_torch", "tf_keras": "keras_torch", "tensorflow.keras": "keras_torch",
          "tensorflow.python.keras": "keras_torch"}


def target_name(fullname: str) -> str | None:
    """keras_torch module name serving ``fullname`` (None if not an aliased name)."""
    if fullname == "tensorflow":
        return "keras_torch.launcher.tf"
    if fullname.startswith("tensorflow.") and not any(
        fullname == r or fullname.startswith(r + ".") for r in ("tensorflow.keras", "tensorflow.python.keras")
    ):
        rest = fullname[len("tensorflow.") :]
        return f"keras_torch.launcher.tf.{rest}" if rest in _TF_SUBMODULES else "keras_torch.launcher.tf"
    for root in sorted(_ROOTS, key=len, reverse=True):
        if fullname == root:
            return _ROOTS[root]
        if fullname.startswith(root + "."):
            rest = fullname[len(root) + 1 :]
            for old in sorted(_RENAMES, key=len, reverse=True):
                if rest == old or rest.startswith(old + "."):
                    new = _RENAMES[old] + rest[len(old) :]
                    rest = new.lstrip(".")
                    break
            return "keras_torch" + ("." + rest if rest else "")
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        try:
            module = importlib.import_module(self.target)
        except ModuleNotFoundError as err:
            path = self.target[len("keras_torch") :].lstrip(".")
            if omissions.omission(path) is not None:
                raise omissions.NotProvidedModuleError(omissions.message(path), name=spec.name) from None
            raise ModuleNotFoundError(
                f"keras_torch has no equivalent of module '{spec.name}' (looked for '{self.target}'). "
                "See the migration guide in the README for what is supported.",
                name=spec.name,
            ) from err
        sys.modules[spec.name] = module
        return module

    def exec_module(self, module: Any) -> None:
        pass


# Libraries that use TensorFlow's runtime when they find it, with their documented switch to a
# TensorFlow-free path. The name ``tensorflow`` belongs to the stand-in in this process (the real
# TensorFlow cannot be imported under it too), so they are told to take that path: TensorBoard's
# ``tensorboard.compat.notf`` marker makes it use its own stub of ``tf.io.gfile`` & co., as it does
# on any machine without TensorFlow; ``torch.utils.tensorboard`` writes through it.
_NO_TENSORFLOW_MARKERS = ("tensorboard.compat.notf",)


class _EmptyModuleLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return None  # the default: an empty module

    def exec_module(self, module: Any) -> None:
        module.__doc__ = "Present while keras_torch serves `import tensorflow`: use no TensorFlow runtime."


class KerasAliasFinder(importlib.abc.MetaPathFinder):
    """Serves keras / tensorflow / tf_keras imports from keras_torch."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in _NO_TENSORFLOW_MARKERS:
            return importlib.machinery.ModuleSpec(fullname, _EmptyModuleLoader())
        name = target_name(fullname)
        if name is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(name), is_package=True)


_FINDER = KerasAliasFinder()


def install() -> None:
    """Make ``import keras`` / ``tensorflow`` / ``tf_keras`` resolve to keras_torch (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    version.serve_as_keras(True)
    for name in list(sys.modules):
        if target_name(name) is not None and not getattr(sys.modules[name], "__name__", "").startswith("keras_torch"):
            del sys.modules[name]


def uninstall() -> None:
    """Undo :func:`install` (aliased modules are dropped from ``sys.modules``)."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    version.serve_as_keras(False)
    for name in list(sys.modules):
        if target_name(name) is not None or name in _NO_TENSORFLOW_MARKERS:
            del sys.modules[name]
