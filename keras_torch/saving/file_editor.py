"""``keras.saving.KerasFileEditor``: inspect, edit and resave the weights of ``.keras`` / ``.weights.h5`` files.

The weights are read into :attr:`KerasFileEditor.weights_dict`, a nested dict following the file's
object paths (``{"layers": {"dense": {"0": kernel, "1": bias}}}``; the ``vars`` groups of the
file are folded away), edited in memory, and written back as a Keras 3 ``.weights.h5``.
"""

from __future__ import annotations

import collections
import json
import os
import tempfile
import zipfile
from typing import Any

import h5py
import numpy as np

# Refuse datasets that could not be real weights (malformed or hostile files).
_MAX_BYTES = 1 << 32
_MAX_RANK = 64


def _read_group(group: h5py.Group) -> collections.OrderedDict:
    result: collections.OrderedDict = collections.OrderedDict()
    for key in group.keys():
        link = group.get(key, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise ValueError(f"Not allowed: H5 file with {link.__name__} at '{group.name}/{key}'")
        value = group[key]
        if isinstance(value, h5py.Group):
            if key == "vars":  # an object's own variables sit next to its children
                result.update(_read_group(value))
            else:
                child = _read_group(value)
                if child:
                    result[key] = child
            continue
        if not isinstance(value, h5py.Dataset):
            continue
        if value.external or value.is_virtual:
            raise ValueError(f"Not allowed: H5 dataset with external or virtual storage at '{value.name}'")
        if len(value.shape) > _MAX_RANK or int(np.prod(value.shape)) * value.dtype.itemsize > _MAX_BYTES:
            raise ValueError(f"HDF5 dataset '{value.name}' is too large or malformed to load safely "
                             f"(shape {value.shape}).")
        result[key] = value[()]
    return result


def _count(tree: dict, name: str) -> int:
    return (name in tree) + sum(_count(v, name) for v in tree.values() if isinstance(v, dict))


class KerasFileEditor:
    """Open a ``.keras`` or ``.weights.h5`` file to inspect and edit its weights.

    Args:
        filepath: The file to open.

    Raises:
        ValueError: The name ends neither in ``.keras`` nor in ``.weights.h5``.

    Example::

        editor = KerasFileEditor("model.weights.h5")
        editor.summary()
        editor.delete_object("layers/dense_2")
        editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
        editor.save("edited.weights.h5")
    """

    def __init__(self, filepath: str | os.PathLike) -> None:
        self.filepath = str(filepath)
        self.config: dict | None = None
        self.metadata: dict | None = None
        if self.filepath.endswith(".keras"):
            with zipfile.ZipFile(self.filepath, "r") as archive:
                self.config = json.loads(archive.read("config.json"))
                if "metadata.json" in archive.namelist():
                    self.metadata = json.loads(archive.read("metadata.json"))
                with tempfile.TemporaryDirectory() as tmp:
                    path = archive.extract("model.weights.h5", tmp)
                    with h5py.File(path, "r") as f:
                        self.weights_dict = _read_group(f)
        elif self.filepath.endswith(".weights.h5"):
            with h5py.File(self.filepath, "r") as f:
                self.weights_dict = _read_group(f)
        else:
            raise ValueError(f"Invalid filename: expected a `.keras` `.weights.h5` extension. Received: "
                             f"filepath={self.filepath}")

    # ------------------------------------------------------------------ inspection
    def summary(self) -> None:
        """Print the file's object tree with each weight's shape and dtype."""
        print(f"Keras model file '{self.filepath}'")
        if self.metadata:
            print(f"Saved with Keras {self.metadata.get('keras_version')} on {self.metadata.get('date_saved')}")

        def show(tree: dict, indent: int) -> None:
            for key, value in tree.items():
                if isinstance(value, dict):
                    print("  " * indent + f"{key}/")
                    show(value, indent + 1)
                else:
                    print("  " * indent + f"{key}: shape={tuple(np.shape(value))}, dtype={np.asarray(value).dtype}")

        show(self.weights_dict, 0)

    def compare(self, reference_model: Any) -> dict[str, Any]:
        """List the differences between the file's weights and those ``reference_model`` would save.

        Args:
            reference_model: A model (its weights are saved to a temporary ``.weights.h5`` to get the
                expected paths and shapes).

        Returns:
            ``{"status": "success" | "error", "error_count": int, "match_count": int}``; each
            mismatch is printed.
        """
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "reference.weights.h5")
            reference_model.save_weights(path)
            with h5py.File(path, "r") as f:
                expected = _read_group(f)
        errors, matches = 0, 0

        def walk(ref: dict, got: dict, prefix: str) -> None:
            nonlocal errors, matches
            for key in sorted(set(ref) | set(got)):
                where = f"{prefix}/{key}" if prefix else key
                if key not in got:
                    print(f"Missing from the file: {where}")
                    errors += 1
                elif key not in ref:
                    print(f"Not in the model: {where}")
                    errors += 1
                elif isinstance(ref[key], dict) != isinstance(got[key], dict):
                    print(f"Object vs weight mismatch at {where}")
                    errors += 1
                elif isinstance(ref[key], dict):
                    walk(ref[key], got[key], where)
                elif np.shape(ref[key]) != np.shape(got[key]):
                    print(f"Shape mismatch at {where}: model {np.shape(ref[key])}, file {np.shape(got[key])}")
                    errors += 1
                else:
                    matches += 1

        walk(expected, self.weights_dict, "")
        print(f"Comparison: {matches} matching weights, {errors} mismatches.")
        return {"status": "error" if errors else "success", "error_count": errors, "match_count": matches}

    # ------------------------------------------------------------------ edits
    def _edit(self, object_name: str, edit: Any) -> None:
        """Apply ``edit(parent_dict, key)`` to the object named ``object_name`` (a unique name or a path)."""
        if "/" in object_name:
            *parents, leaf = object_name.split("/")
            tree = self.weights_dict
            for part in parents:
                if part not in tree or not isinstance(tree[part], dict):
                    raise ValueError(f"Path '{object_name}' not found in model.")
                tree = tree[part]
            if leaf not in tree:
                raise ValueError(f"Path '{object_name}' not found in model.")
            edit(tree, leaf)
            return
        occurrences = _count(self.weights_dict, object_name)
        if occurrences > 1:
            raise ValueError(f"Name '{object_name}' occurs more than once in the model; try passing a complete path")
        if occurrences == 0:
            raise ValueError(f"Source name '{object_name}' does not appear in the model. Use `editor.summary()` "
                             "to list all objects.")

        def find(tree: dict) -> None:
            for value in list(tree.values()):
                if isinstance(value, dict):
                    find(value)
            if object_name in tree:
                edit(tree, object_name)

        find(self.weights_dict)

    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object (``"dense_2"`` or ``"layers/dense_2"``) to the leaf name ``new_name``."""
        if "/" in new_name:
            raise ValueError(f"Argument `target_name` should be a leaf name, not a full path name. Received: "
                             f"target_name='{new_name}'")

        def rename(tree: dict, key: str) -> None:
            tree[new_name] = tree.pop(key)

        self._edit(object_name, rename)

    def delete_object(self, object_name: str) -> None:
        """Remove an object (a layer...) and all its weights."""
        self._edit(object_name, lambda tree, key: tree.pop(key))

    def add_object(self, object_path: str, weights: dict[str, Any]) -> None:
        """Add an object at ``object_path`` (``"layers/dense_3"``) with ``weights`` (``{"0": kernel, ...}``)."""
        if not isinstance(weights, dict):
            raise ValueError("Argument `weights` should be a dict where keys are weight names (usually '0', '1', "
                             f"etc.) and values are NumPy arrays. Received: type(weights)={type(weights)}")
        *parents, leaf = object_path.split("/")
        tree = self.weights_dict
        for part in parents:
            if part not in tree:
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            tree = tree[part]
        tree[leaf] = {k: np.asarray(v) for k, v in weights.items()}

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove the weight ``weight_name`` (``"0"``...) of an object."""

        def delete(tree: dict, key: str) -> None:
            if weight_name not in tree[key]:
                raise ValueError(f"Weight {weight_name} not found in object {object_name}. Weights found: "
                                 f"{list(tree[key].keys())}")
            tree[key].pop(weight_name)

        self._edit(object_name, delete)

    def add_weights(self, object_name: str, weights: dict[str, Any]) -> None:
        """Add weights (``{"2": array}``) to an existing object."""
        if not isinstance(weights, dict):
            raise ValueError("Argument `weights` should be a dict where keys are weight names (usually '0', '1', "
                             f"etc.) and values are NumPy arrays. Received: type(weights)={type(weights)}")
        self._edit(object_name, lambda tree, key: tree[key].update({k: np.asarray(v) for k, v in weights.items()}))

    # ------------------------------------------------------------------ writing
    def save(self, filepath: str | os.PathLike) -> None:
        """Write the (edited) weights to a Keras 3 ``.weights.h5`` file."""
        filepath = str(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(f"Invalid `filepath` argument: expected a `.weights.h5` extension. Received: "
                             f"filepath={filepath}")

        def write(tree: dict, group: h5py.Group) -> None:
            arrays = {k: v for k, v in tree.items() if not isinstance(v, dict)}
            if arrays:
                vars_group = group.create_group("vars")
                for name, value in arrays.items():
                    vars_group.create_dataset(name, data=np.asarray(value))
            for name, value in tree.items():
                if isinstance(value, dict) and value:
                    write(value, group.create_group(name))

        with h5py.File(filepath, "w") as f:
            write(self.weights_dict, f)

    def resave_weights(self, filepath: str | os.PathLike) -> None:
        """Same as :meth:`save`."""
        self.save(filepath)
