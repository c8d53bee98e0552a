"""``load_model`` / ``save_model`` / ``save_weights`` / ``load_weights`` for every Keras file format.

Format is chosen from the file *content* when reading (HDF5 signature or zip) and from the file
name when writing: ``.keras`` -> Keras 3 archive, ``.weights.h5`` -> Keras 3 weights layout, any
other ``.h5``/``.hdf5`` -> legacy (Keras 2) HDF5. Writes are atomic (temp file + ``os.replace``).
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

from keras_torch.saving import sharded
from keras_torch.saving.files import atomic_write, atomic_write_dir, detect_format, fspath
from keras_torch.saving.formats import keras_archive, legacy_h5
from keras_torch.saving.h5 import open_h5


def _is_h5_name(path: str) -> bool:
    return path.endswith((".h5", ".hdf5", ".keras.h5"))


def save_model(model: Any, filepath: Any, overwrite: bool = True, include_optimizer: bool = True,
               save_format: str | None = None, zipped: bool | None = None, **kwargs: Any) -> None:
    """Saves a model (architecture, weights, compile and optimizer state) to one file.

    ``.keras`` writes a Keras 3 archive; ``.h5``/``.hdf5`` the legacy HDF5 format (Keras 2 dialect). Both load
    in real Keras and with :func:`load_model`. The file is written atomically (a failed save leaves no file).
    A sharded model (``ModelParallel``/``FSDP``) is saved by every process together; process 0 writes the
    file (see ``keras_torch.saving.sharded``).

    Args:
        model: The model to save.
        filepath: ``str`` or ``pathlib.Path`` ending in ``.keras`` or ``.h5``/``.hdf5``.
        overwrite: Whether to replace an existing file (default ``True``).
        include_optimizer: ``.h5`` only: also save the optimizer state (default ``True``).
        save_format: ``"keras"`` or ``"h5"`` to override the extension (Keras 2 argument).
        zipped: Accepted for compatibility.
        **kwargs: Keras 2's ``signatures`` and ``options`` are accepted and ignored.

    Raises:
        ValueError: For a ``.weights.h5`` name or an unknown extension.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> keras.saving.save_model(model, "model.keras")
    """
    filepath = fspath(filepath)
    kwargs.pop("signatures", None)
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"save_model() got unexpected keyword arguments: {sorted(kwargs)}")
    with sharded.writing(model, include_optimizer) as writes:
        if writes:
            _save_model(model, filepath, overwrite, include_optimizer, save_format, zipped)


def _save_model(model: Any, filepath: str, overwrite: bool, include_optimizer: bool, save_format: str | None,
                zipped: bool | None) -> None:
    fmt = (save_format or "").lower()
    if fmt in ("h5", "hdf5") or (not fmt and _is_h5_name(filepath)):
        if filepath.endswith(".weights.h5"):
            raise ValueError(
                f"Invalid filepath '{filepath}' for model.save(): a '.weights.h5' name is for weights only. Use "
                "`model.save_weights()` or a '.keras' / '.h5' name."
            )
        atomic_write(filepath, lambda tmp: legacy_h5.save_model_h5(model, tmp, include_optimizer),
                             overwrite=overwrite)
        return
    if fmt in ("keras", "keras_v3") or (not fmt and filepath.endswith(".keras")) or zipped is False:
        if zipped is False:
            _save_dir(model, filepath, include_optimizer)
            return
        atomic_write(filepath, lambda tmp: keras_archive.save_model(model, tmp, include_optimizer),
                             overwrite=overwrite)
        return
    raise ValueError(
        "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras "
        f"format (recommended) or a `.h5` extension. Received: filepath={filepath}."
    )


def _save_dir(model: Any, dirpath: str, include_optimizer: bool) -> None:
    """``zipped=False``: the archive's files in a directory, swapped into place as a whole."""

    def write(tmpdir: str) -> None:
        buf = io.BytesIO()
        keras_archive.save_model(model, buf, include_optimizer)
        with zipfile.ZipFile(buf) as z:
            for name in z.namelist():  # our own archive: fixed, flat member names
                target = os.path.join(tmpdir, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as fh:
                    fh.write(z.read(name))
                    fh.flush()
                    os.fsync(fh.fileno())

    atomic_write_dir(dirpath, write)


def _reading(filepath: str) -> Any:
    """Context turning any unexpected error while reading ``filepath`` into a ``ValueError``.

    Hostile or damaged files must fail with ``ValueError`` (content) or ``OSError`` (I/O) only;
    the specific readers already say what is wrong, this is the backstop for the rest.
    """
    import contextlib

    @contextlib.contextmanager
    def ctx() -> Any:
        try:
            yield
        except UnicodeError as e:  # undecodable names/strings in the file: say which file
            raise ValueError(f"Could not load '{filepath}': it holds text that is not valid UTF-8 ({e}); the file "
                             "is corrupted.") from None
        except (ValueError, OSError, MemoryError, Warning):
            raise
        except RecursionError:
            raise ValueError(f"Could not load '{filepath}': its content nests too deeply (corrupted or hostile "
                             "file).") from None
        except Exception as e:  # noqa: BLE001
            raise ValueError(f"Could not load '{filepath}' ({type(e).__name__}: {e}). The file is corrupted or "
                             "is not a Keras file matching this model.") from e

    return ctx()


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True) -> Any:
    """Loads a model saved by keras_torch, Keras 3 or tf-keras (``.keras``, ``.h5``).

    With ``safe_mode=True`` (the default) loading runs no code from the file: classes resolve only through
    keras_torch's registry and ``custom_objects``, ``Lambda`` bytecode is refused, and the file is checked for
    links, decompression bombs and malformed content (see SECURITY.md).

    Args:
        filepath: ``str`` or ``pathlib.Path`` of the file.
        custom_objects: Optional dict mapping names to custom classes or functions used by the model.
        compile: Whether to compile the model with the saved training configuration (default ``True``).
        safe_mode: Refuse to deserialize code (``Lambda`` layers); set ``False`` only for trusted files.

    Returns:
        The model, with its weights (and optimizer state when compiled).

    Raises:
        ValueError: Damaged or hostile files, unknown classes, weights-only files.
        OSError: I/O problems.

    Example:

    >>> path = "model.h5"
    >>> keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(path)
    >>> keras.saving.load_model(path).output_shape
    (None, 2)
    """
    filepath = fspath(filepath)
    with _reading(filepath):
        return _load_model(filepath, custom_objects, compile, safe_mode)


def _load_model(filepath: str, custom_objects: dict | None, compile: bool, safe_mode: bool) -> Any:  # noqa: A002
    fmt = detect_format(filepath)
    if fmt == "h5":
        with open_h5(filepath) as f:
            has_config = "model_config" in f.attrs
            is_k3 = "vars" in f or "layers" in f
            is_weights = is_k3 or "layer_names" in f.attrs or "layer_names0" in f.attrs
        if not has_config:
            kind = "Keras 3 weights (.weights.h5)" if is_k3 else "weights"
            if is_weights:
                raise ValueError(
                    f"'{filepath}' holds {kind} only, not a full model. Build the model in code and call "
                    "`model.load_weights(filepath)`."
                )
            raise ValueError(f"'{filepath}' is an HDF5 file but not a Keras model file (no 'model_config').")
        return legacy_h5.load_model_h5(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    return keras_archive.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_weights(model: Any, filepath: Any, overwrite: bool = True, max_shard_size: Any = None) -> None:
    """Saves the weights of a model to an HDF5 file.

    A ``.weights.h5`` name writes Keras 3's layout; any other ``.h5``/``.hdf5`` name Keras 2's layer-name
    based layout. The file is written atomically. For a sharded model every process must call it (process 0
    writes), like :func:`save_model`.

    Args:
        model: The model whose weights are saved.
        filepath: Path ending in ``.weights.h5`` or ``.h5``.
        overwrite: Whether to replace an existing file (default ``True``).
        max_shard_size: Not supported: splitting the weights file into several files raises ``NotImplementedError``.

    Raises:
        ValueError: For another extension.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> keras.saving.save_weights(model, "model.weights.h5")
    """
    filepath = fspath(filepath)
    if max_shard_size is not None:
        raise NotImplementedError("Sharded weights (max_shard_size) are not supported by keras_torch.")
    with sharded.writing(model, include_optimizer=filepath.endswith(".weights.h5")) as writes:
        if writes:
            _save_weights(model, filepath, overwrite)


def _save_weights(model: Any, filepath: str, overwrite: bool) -> None:
    if filepath.endswith(".weights.h5"):
        atomic_write(filepath, lambda tmp: keras_archive.save_weights(model, tmp), overwrite=overwrite)
    elif _is_h5_name(filepath):
        atomic_write(filepath, lambda tmp: legacy_h5.save_weights_h5(model, tmp), overwrite=overwrite)
    else:
        raise ValueError(
            "The filename must end in `.weights.h5` (Keras 3 layout) or `.h5` (Keras 2 layout). "
            f"Received: filepath={filepath}"
        )


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, by_name: bool = False,
                 **kwargs: Any) -> None:
    """Loads weights into a model from a Keras or keras_torch file.

    Reads ``.weights.h5`` (Keras 3), Keras 2 ``.h5`` weight or full-model files, and ``.keras`` archives;
    the weights are converted from Keras layout to each layer's torch layout.

    Args:
        model: The model to load the weights into (built or buildable).
        filepath: Path of the file.
        skip_mismatch: Skip layers whose weights do not match (with a warning) instead of raising.
        by_name: Keras 2 ``.h5`` files: match layers by name instead of by order.
        **kwargs: Keras 2's ``options`` is accepted and ignored.

    Example:

    >>> path = "w.weights.h5"
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> model.save_weights(path)
    >>> keras.saving.load_weights(model, path)
    """
    filepath = fspath(filepath)
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_weights() got unexpected keyword arguments: {sorted(kwargs)}")
    with _reading(filepath):
        _load_weights(model, filepath, skip_mismatch, by_name)


def _load_weights(model: Any, filepath: str, skip_mismatch: bool, by_name: bool) -> None:
    fmt = detect_format(filepath)
    if fmt in ("zip", "dir"):
        if by_name:
            raise ValueError("Invalid keyword argument: by_name=True is only supported for legacy '.h5' files.")
        keras_archive.load_weights_from_archive(model, filepath, skip_mismatch=skip_mismatch)
        return
    with open_h5(filepath) as f:
        legacy = ("layer_names" in f.attrs or "layer_names0" in f.attrs or "model_weights" in f) and "vars" not in f
    if legacy:
        legacy_h5.load_weights_h5(model, filepath, skip_mismatch=skip_mismatch, by_name=by_name)
    else:
        if by_name:
            raise ValueError("Invalid keyword argument: by_name=True is only supported for legacy '.h5' files "
                             f"('{filepath}' uses the Keras 3 '.weights.h5' layout).")
        keras_archive.load_weights(model, filepath, skip_mismatch=skip_mismatch)
