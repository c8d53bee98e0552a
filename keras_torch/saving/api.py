"""``load_model`` / ``save_model`` / ``save_weights`` / ``load_weights`` for every Keras file format.

Format is chosen from the file *content* when reading (HDF5 signature or zip) and from the file
name when writing: ``.keras`` -> Keras 3 archive, ``.weights.h5`` -> Keras 3 weights layout, any
other ``.h5``/``.hdf5`` -> legacy (Keras 2) HDF5. Writes are atomic (temp file + ``os.replace``).
"""

from __future__ import annotations

import os
from typing import Any

from keras_torch.saving import _common, keras_archive, legacy_h5


def _is_h5_name(path: str) -> bool:
    return path.endswith((".h5", ".hdf5", ".keras.h5"))


def save_model(model: Any, filepath: Any, overwrite: bool = True, include_optimizer: bool = True,
               save_format: str | None = None, zipped: bool | None = None, **kwargs: Any) -> None:
    """Save ``model`` as ``.keras`` (Keras 3 archive) or ``.h5``/``.hdf5`` (legacy HDF5, Keras 2 dialect)."""
    filepath = _common.fspath(filepath)
    kwargs.pop("signatures", None)
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"save_model() got unexpected keyword arguments: {sorted(kwargs)}")
    fmt = (save_format or "").lower()
    if fmt in ("h5", "hdf5") or (not fmt and _is_h5_name(filepath)):
        if filepath.endswith(".weights.h5"):
            raise ValueError(
                f"Invalid filepath '{filepath}' for model.save(): a '.weights.h5' name is for weights only. Use "
                "`model.save_weights()` or a '.keras' / '.h5' name."
            )
        _common.atomic_write(filepath, lambda tmp: legacy_h5.save_model_h5(model, tmp, include_optimizer),
                             overwrite=overwrite)
        return
    if fmt in ("keras", "keras_v3") or (not fmt and filepath.endswith(".keras")) or zipped is False:
        if zipped is False:
            _save_dir(model, filepath, include_optimizer)
            return
        _common.atomic_write(filepath, lambda tmp: keras_archive.save_model(model, tmp, include_optimizer),
                             overwrite=overwrite)
        return
    raise ValueError(
        "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras "
        f"format (recommended) or a `.h5` extension. Received: filepath={filepath}."
    )


def _save_dir(model: Any, dirpath: str, include_optimizer: bool) -> None:
    import zipfile

    os.makedirs(dirpath, exist_ok=True)
    tmp = os.path.join(dirpath, ".model.keras.tmp")
    keras_archive.save_model(model, tmp, include_optimizer)
    with zipfile.ZipFile(tmp) as z:
        z.extractall(dirpath)
    os.remove(tmp)


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True) -> Any:
    """Load a model saved by keras_torch, Keras 3 or tf-keras (``.keras``, ``.h5``)."""
    filepath = _common.fspath(filepath)
    fmt = _common.detect_format(filepath)
    if fmt == "h5":
        with _common.open_h5(filepath) as f:
            has_config = "model_config" in f.attrs
            is_weights = "vars" in f or "layers" in f or "layer_names" in f.attrs or "layer_names0" in f.attrs
        if not has_config:
            kind = "Keras 3 weights (.weights.h5)" if ("vars" in f or "layers" in f) else "weights"
            if is_weights:
                raise ValueError(
                    f"'{filepath}' holds {kind} only, not a full model. Build the model in code and call "
                    "`model.load_weights(filepath)`."
                )
            raise ValueError(f"'{filepath}' is an HDF5 file but not a Keras model file (no 'model_config').")
        return legacy_h5.load_model_h5(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    return keras_archive.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_weights(model: Any, filepath: Any, overwrite: bool = True, max_shard_size: Any = None) -> None:
    """``.weights.h5`` -> Keras 3 layout; any other ``.h5``/``.hdf5`` -> Keras 2 layout."""
    filepath = _common.fspath(filepath)
    if max_shard_size is not None:
        raise NotImplementedError("Sharded weights (max_shard_size) are not supported by keras_torch.")
    if filepath.endswith(".weights.h5"):
        _common.atomic_write(filepath, lambda tmp: keras_archive.save_weights(model, tmp), overwrite=overwrite)
    elif _is_h5_name(filepath):
        _common.atomic_write(filepath, lambda tmp: legacy_h5.save_weights_h5(model, tmp), overwrite=overwrite)
    else:
        raise ValueError(
            "The filename must end in `.weights.h5` (Keras 3 layout) or `.h5` (Keras 2 layout). "
            f"Received: filepath={filepath}"
        )


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, by_name: bool = False,
                 **kwargs: Any) -> None:
    """Load weights from a ``.weights.h5``, a Keras 2 ``.h5`` (weights or full model) or a ``.keras``."""
    filepath = _common.fspath(filepath)
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_weights() got unexpected keyword arguments: {sorted(kwargs)}")
    fmt = _common.detect_format(filepath)
    if fmt in ("zip", "dir"):
        if by_name:
            raise ValueError("Invalid keyword argument: by_name=True is only supported for legacy '.h5' files.")
        import h5py

        _, _, weights = keras_archive._open_archive(filepath)
        if weights is None or isinstance(weights, tuple):
            raise ValueError(f"'{filepath}' has no model.weights.h5 to load.")
        with h5py.File(weights, "r") as f:
            keras_archive.load_weights_from_h5file(f, model, skip_mismatch=skip_mismatch)
        return
    with _common.open_h5(filepath) as f:
        legacy = ("layer_names" in f.attrs or "layer_names0" in f.attrs or "model_weights" in f) and "vars" not in f
    if legacy:
        legacy_h5.load_weights_h5(model, filepath, skip_mismatch=skip_mismatch, by_name=by_name)
    else:
        if by_name:
            raise ValueError("Invalid keyword argument: by_name=True is only supported for legacy '.h5' files "
                             f"('{filepath}' uses the Keras 3 '.weights.h5' layout).")
        keras_archive.load_weights(model, filepath, skip_mismatch=skip_mismatch)
