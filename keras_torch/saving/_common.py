"""Shared helpers of the Keras file formats: format sniffing, atomic writes, error wrapping,
the Keras <-> keras_torch weight walk and (de)serialization of compile settings."""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from keras_torch.core.naming import unique_name

# The Keras release whose file formats keras_torch writes (root attrs / metadata.json).
KERAS_VERSION = "3.15.1"
BACKEND = "torch"

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


# ---------------------------------------------------------------------- formats
def fspath(filepath: Any) -> str:
    try:
        return os.fspath(filepath)
    except TypeError as e:
        raise TypeError(f"Expected a file path (str or os.PathLike), got {filepath!r}") from e


def detect_format(filepath: str) -> str:
    """``"h5"``, ``"zip"`` or ``"dir"`` from the file *content*; raises for anything else."""
    from keras_torch.saving import guards as _safety

    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file or directory: '{filepath}'. Could not load a Keras model or weights from it.")
    if os.path.isdir(filepath):
        if os.path.exists(os.path.join(filepath, "config.json")):
            return "dir"
        if os.path.exists(os.path.join(filepath, "saved_model.pb")):
            raise ValueError(
                f"'{filepath}' is a TensorFlow SavedModel directory. keras_torch reads Keras files only "
                "(.keras, .h5, .weights.h5); re-save the model with `model.save('model.keras')`."
            )
        raise ValueError(f"'{filepath}' is a directory, not a Keras file (.keras, .h5 or .weights.h5).")
    size = _safety.check_regular_file(filepath)
    with open(filepath, "rb") as f:
        head = f.read(8)
        if head == HDF5_SIGNATURE:
            return "h5"
        if head[:4] in ZIP_SIGNATURES:
            return "zip"
        # HDF5 files may start with a user block of 512, 1024, 2048... bytes.
        offset = 512
        while offset + 8 <= size and offset <= 1 << 20:
            f.seek(offset)
            if f.read(8) == HDF5_SIGNATURE:
                return "h5"
            offset *= 2
    if size == 0:
        raise ValueError(f"The file '{filepath}' is empty: it is not a Keras file (expected HDF5 or a .keras zip).")
    raise ValueError(
        f"The file '{filepath}' is neither an HDF5 file (.h5 / .weights.h5) nor a zip archive (.keras): "
        f"its first bytes are {head!r}. It may be corrupted, or be of another format."
    )


@contextlib.contextmanager
def open_h5(filepath: Any, mode: str = "r", name: str | None = None) -> Iterator[Any]:
    """``h5py.File`` whose open/read errors become ``ValueError`` saying what is wrong.

    In read mode the whole file is checked first (:func:`keras_torch.saving.guards.check_h5_tree`):
    soft/external links and external/virtual datasets are refused before anything is read.
    ``filepath`` may be a path or a file-like object (``name`` then labels it in messages).
    """
    import h5py

    from keras_torch.saving import guards as _safety

    label = name or (filepath if isinstance(filepath, str) else "<in-memory HDF5>")
    try:
        f = h5py.File(filepath, mode)
    except FileNotFoundError:
        raise
    except Exception as e:  # noqa: BLE001 - OSError for damaged files; others from h5py on odd input
        raise ValueError(
            f"Could not read the HDF5 file '{label}': it is truncated or corrupted ({e})."
        ) from None
    try:
        if mode == "r":
            _safety.check_h5_tree(f, label)
            with _safety.raw_file(filepath):
                yield f
        else:
            yield f
    except (KeyError, OSError, RuntimeError, TypeError, IndexError, AttributeError) as e:
        if isinstance(e, (KeyError, TypeError, IndexError, AttributeError)) and not _is_h5_error(e):
            raise
        raise ValueError(f"The HDF5 file '{label}' is corrupted or incomplete: {e}") from None
    finally:
        with contextlib.suppress(Exception):
            f.close()


def _is_h5_error(e: BaseException) -> bool:
    msg = str(e)
    if "h5py" in "".join(_tb_modules(e)):
        return True
    return any(s in msg for s in ("Unable to", "object", "H5", "synchronously", "doesn't exist", "not found"))


def _tb_modules(e: BaseException) -> list[str]:
    """Module file names along ``e``'s traceback (to tell h5py's errors from ours)."""
    out = []
    tb = e.__traceback__
    while tb is not None:
        out.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return out[-3:]


def atomic_write(filepath: str, write: Callable[[str], None], overwrite: bool = True) -> None:
    """Run ``write(tmp)`` on a temp file next to ``filepath`` and ``os.replace`` it into place.

    A failing ``write`` (or the process being killed at any moment, ``kill -9`` included) leaves
    any existing ``filepath`` untouched: readers see either the old file or the complete new one.
    The temp file is fsynced before the rename and the folder after it, so the new file also
    survives a power loss once this returns. A process killed mid-write can leave a
    ``.<name>.*.tmp`` file behind; it is never read.
    """
    filepath = fspath(filepath)
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"File '{filepath}' already exists and overwrite=False.")
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to '{filepath}': the folder '{folder}' does not exist.")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(filepath) + ".", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        # mkstemp creates 0600 files; give the result the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    fsync_dir(folder)


def fsync_dir(folder: str) -> None:
    """Make a rename in ``folder`` durable (best effort; not all platforms/filesystems allow it)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def decode(x: Any) -> Any:
    if isinstance(x, (bytes, np.bytes_)):
        try:
            return x.decode("utf8")
        except UnicodeDecodeError as e:
            raise ValueError(f"The file holds a name that is not valid UTF-8 ({bytes(x)[:40]!r}: {e}); it is "
                             "corrupted.") from None
    return x


# ---------------------------------------------------------------------- weight slots
@dataclass
class Slot:
    """One Keras-visible weight of a (top-level) layer, in Keras layout."""

    owner: Any  # the keras_torch Layer (or plain torch module) holding it
    index: int  # position in owner.to_keras_weights()
    name: str  # hierarchical Keras name, e.g. "bidirectional/forward_lstm/lstm_cell/kernel"
    short: str  # the weight's own name ("kernel")
    trainable: bool
    shape: tuple


def _owner_arrays(owner: Any) -> list[torch.Tensor]:
    from keras_torch.layers.base import Layer

    if isinstance(owner, Layer):
        return list(owner.to_keras_weights())
    return [p for p in owner.parameters()]


def _owner_names_flags(owner: Any, n: int) -> tuple[list[str], list[bool]]:
    from keras_torch.layers.base import Layer

    if isinstance(owner, Layer):
        recs = owner._keras_records
        ordered = [r for r in recs if r.trainable] + [r for r in recs if not r.trainable]
        if len(ordered) == n:
            return [r.name for r in ordered], [bool(r.trainable and owner.trainable) for r in ordered]
        return [f"variable_{i}" if i else "variable" for i in range(n)], [bool(owner.trainable)] * n
    names = [pname for pname, _ in owner.named_parameters()]
    flags = [bool(p.requires_grad) for p in owner.parameters()]
    return names, flags


def _owner_paths(layer: Any) -> dict[int, str]:
    """id(owner) -> name path from ``layer`` (``lstm/lstm_cell``), first occurrence wins."""
    from keras_torch.layers.base import Layer

    paths: dict[int, str] = {}

    def walk(m: Any, prefix: str) -> None:
        if id(m) in paths:
            return
        paths[id(m)] = prefix
        subs = m._direct_sublayers() if isinstance(m, Layer) else m.named_children()
        for sub in subs:
            if isinstance(sub, tuple):
                name, sub = sub
            else:
                name = getattr(sub, "name", None) or type(sub).__name__.lower()
            walk(sub, f"{prefix}/{name}")

    walk(layer, getattr(layer, "name", "layer"))
    return paths


def legacy_slots(layer: Any) -> list[Slot]:
    """Weights of ``layer`` in Keras legacy order ``trainable_weights + non_trainable_weights``."""
    from keras_torch.layers.base import Layer

    # per owner, which Keras weights are listed (a tied weight, held by two layers, counts once)
    chunks = layer._owner_chunks() if isinstance(layer, Layer) else [(layer, None)]
    paths = _owner_paths(layer)
    slots: list[Slot] = []
    used: set[str] = set()
    for owner, fresh in chunks:
        arrays = _owner_arrays(owner)
        names, flags = _owner_names_flags(owner, len(arrays))
        prefix = paths.get(id(owner), getattr(owner, "name", "layer"))
        for i, (arr, short, tr) in enumerate(zip(arrays, names, flags)):
            if fresh is not None and not fresh[i]:
                continue
            full = unique_name(f"{prefix}/{short}", used)
            slots.append(Slot(owner, i, full, short, tr, tuple(arr.shape)))
    if isinstance(layer, Layer) and not layer.trainable:
        for s in slots:
            s.trainable = False
    return [s for s in slots if s.trainable] + [s for s in slots if not s.trainable]


def slot_values(slots: list[Slot]) -> list[np.ndarray]:
    cache: dict[int, list[torch.Tensor]] = {}
    out = []
    for s in slots:
        if id(s.owner) not in cache:
            cache[id(s.owner)] = _owner_arrays(s.owner)
        out.append(_to_numpy(cache[id(s.owner)][s.index]))
    return out


def _to_numpy(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.dtype == torch.bfloat16:
            return t.float().numpy()
        return t.numpy()
    return np.asarray(t)


class LazyArray:
    """A weight stored in a file, read only after its shape was checked against the model's."""

    def __init__(self, shape: Any, read: Callable[[], np.ndarray]) -> None:
        self.shape = tuple(int(d) for d in shape)
        self._read = read

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def read(self) -> np.ndarray:
        arr = np.asarray(self._read())
        if tuple(arr.shape) != self.shape:  # pragma: no cover - a reader bug, not a file problem
            raise ValueError(f"Read an array of shape {arr.shape}, expected {self.shape}.")
        return arr


def lazy_dataset(ds: Any, path: str = "", what: str = "weight") -> LazyArray:
    """A :class:`LazyArray` over an h5py dataset (checked for links/dtype now, read later)."""
    from keras_torch.saving import guards as _safety

    _safety.check_dataset(ds, path, expected_shape=tuple(ds.shape or ()), what=what)
    shape = tuple(ds.shape or ())
    return LazyArray(shape, lambda: _safety.read_dataset(ds, path, expected_shape=shape, what=what))


def materialize(v: Any) -> np.ndarray:
    if isinstance(v, LazyArray):
        return v.read()
    return np.asarray(v)


def assign_slots(slots: list[Slot], values: list[Any], layer_name: str, sources: list[str] | None = None,
                 skip_mismatch: bool = False) -> bool:
    """Assign ``values`` (Keras layout, legacy order) to ``slots``; shape-checked.

    Returns False (after a warning) when ``skip_mismatch`` and something did not fit.
    """
    from keras_torch.layers.base import Layer

    if len(values) != len(slots):
        msg = (f"Layer '{layer_name}' expects {len(slots)} weight(s) ({[s.name for s in slots]}), but the saved "
               f"weights have {len(values)} element(s).")
        if skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer '{layer_name}' due to mismatch in number of "
                          f"weights. {msg}", stacklevel=3)
            return False
        raise ValueError(msg)
    for i, (s, v) in enumerate(zip(slots, values)):
        shape = tuple(v.shape) if isinstance(v, LazyArray) else tuple(np.shape(v))
        if shape != s.shape:
            where = f" (stored as '{sources[i]}')" if sources else ""
            msg = (f"Shape mismatch in layer '{layer_name}' for weight '{s.name}'{where}: the model expects "
                   f"shape {s.shape}, but the file holds shape {shape}.")
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for layer '{layer_name}' due to mismatch in shape. {msg}",
                              stacklevel=3)
                return False
            raise ValueError(msg)
    values = [materialize(v) for v in values]  # shapes all match: read only now
    per_owner: dict[int, tuple[Any, dict[int, Any]]] = {}
    for s, v in zip(slots, values):
        per_owner.setdefault(id(s.owner), (s.owner, {}))[1][s.index] = v
    for owner, items in per_owner.values():
        current = _owner_arrays(owner)
        arrays = [items.get(i, _to_numpy(current[i])) for i in range(len(current))]
        if isinstance(owner, Layer):
            owner.from_keras_weights([np.asarray(a) for a in arrays])
        else:
            with torch.no_grad():
                for p, a in zip(owner.parameters(), arrays):
                    p.copy_(torch.as_tensor(np.asarray(a), dtype=p.dtype))
    return True


def max_variable_elements(model: Any) -> int:
    """Elements of the model's largest variable (bounds what an optimizer variable may hold)."""
    n = 1
    for t in list(model.parameters()) + list(model.buffers()):
        n = max(n, int(t.numel()))
    return n


def rebuild_model(config: Any, version: str | None, custom_objects: dict | None, safe_mode: bool, filepath: str,
                  file_size: int) -> Any:
    """Model from a config read from ``filepath``: dialect upgrade, safe mode, allocation budget, clear errors."""
    from keras_torch.saving import guards as _safety
    from keras_torch.saving.dialects import upgrade_model_config
    from keras_torch.saving.serialization import deserialize_layer, safe_mode_scope

    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"The model config of '{filepath}' is not a Keras model entry (a JSON object with a "
                         "'class_name'); the file is corrupted or not a Keras file.")
    try:
        with safe_mode_scope(safe_mode), _safety.allocation_budget(_safety.load_budget(file_size), filepath):
            config = upgrade_model_config(config, version)
            return deserialize_layer(config, custom_objects)
    except (ValueError, OSError, MemoryError, Warning):
        raise
    except RecursionError:
        raise ValueError(f"The model config of '{filepath}' nests too deeply to rebuild; the file is corrupted "
                         "or hostile.") from None
    except Exception as e:  # noqa: BLE001 - a config that does not fit the classes it names
        raise ValueError(f"Could not rebuild the model from the config in '{filepath}' "
                         f"({type(e).__name__}: {e}). The file is corrupted, was written by an incompatible "
                         "Keras version, or needs `custom_objects`.") from e


def weight_layers(model: Any) -> list[Any]:
    """``model.layers`` (Sequential without the InputLayer, functional with)."""
    return list(model.layers)


# ---------------------------------------------------------------------- compile config
def _category(obj: Any) -> str:
    try:
        from keras_torch.metrics import Metric  # type: ignore[attr-defined]

        if isinstance(obj, Metric):
            return "metrics"
    except ImportError:  # pragma: no cover
        pass
    return "losses"


def jsonable(obj: Any, category: str | None = None) -> Any:
    """Loss/metric specs as Keras stores them (names stay strings, objects become dicts)."""
    from keras_torch.core import registry

    if isinstance(obj, dict):
        return {str(k): jsonable(v, category) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, category) for v in obj]
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if hasattr(obj, "get_config"):
        return registry.serialize_keras_object(obj, category or _category(obj))
    return registry.get_registered_name(obj)


def compile_config(model: Any) -> dict[str, Any] | None:
    """Keras 3 ``compile_config`` of a compiled model (optimizer serialized as a dict)."""
    from keras_torch.core import registry

    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        return None
    base = dict(model.get_compile_config() or {})
    return {
        "optimizer": registry.serialize_keras_object(model.optimizer, "optimizers"),
        "loss": jsonable(base.get("loss", model.loss), "losses"),
        "loss_weights": jsonable(base.get("loss_weights")),
        "metrics": jsonable(base.get("metrics"), "metrics"),
        "weighted_metrics": jsonable(base.get("weighted_metrics"), "metrics"),
        "run_eagerly": bool(base.get("run_eagerly", False)),
        "steps_per_execution": base.get("steps_per_execution", 1),
        "jit_compile": base.get("jit_compile") if isinstance(base.get("jit_compile"), bool) else False,
    }


def deserialize_optimizer(cfg: Any, custom_objects: dict | None = None) -> Any:
    from keras_torch import optimizers
    from keras_torch.core import registry

    if isinstance(cfg, dict):
        cfg = dict(cfg)
        name = cfg.get("class_name", "")
        if isinstance(name, str) and ">" in name:  # tf-keras registers its optimizers as "Custom>Adam"
            cfg["class_name"] = name.split(">", 1)[1]
            if cfg.get("registered_name") == name:
                cfg["registered_name"] = None
        inner = dict(cfg.get("config") or {})
        for k in ("is_legacy_optimizer", "jit_compile"):
            inner.pop(k, None)
        cfg["config"] = inner
        with registry.custom_object_scope(custom_objects or {}):
            return optimizers.deserialize(cfg) if hasattr(optimizers, "deserialize") else optimizers.get(cfg)
    return optimizers.get(cfg)


def _deser_spec(spec: Any, category: str, custom_objects: dict | None) -> Any:
    from keras_torch.core import registry

    if isinstance(spec, dict) and "class_name" in spec:
        module = __import__(f"keras_torch.{category}", fromlist=["_"])
        with registry.custom_object_scope(custom_objects or {}):
            if hasattr(module, "deserialize"):
                return module.deserialize(spec)
            return registry.deserialize_keras_object(spec, category, custom_objects)
    if isinstance(spec, dict):
        return {k: _deser_spec(v, category, custom_objects) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_deser_spec(v, category, custom_objects) for v in spec]
    return spec


def compile_from_config(model: Any, cfg: dict[str, Any], custom_objects: dict | None = None,
                        legacy: bool = False) -> None:
    """``model.compile(...)`` from a Keras 3 compile_config or a legacy .h5 training_config."""
    from keras_torch.core import registry

    cfg = dict(cfg)
    opt_cfg = cfg.get("optimizer_config") if legacy else cfg.get("optimizer")
    optimizer = deserialize_optimizer(opt_cfg, custom_objects) if opt_cfg is not None else "rmsprop"
    kwargs: dict[str, Any] = {"optimizer": optimizer}
    for key, cat in (("loss", "losses"), ("metrics", "metrics"), ("weighted_metrics", "metrics")):
        if cfg.get(key) is not None:
            kwargs[key] = _deser_spec(cfg[key], cat, custom_objects)
    if cfg.get("loss_weights") is not None:
        kwargs["loss_weights"] = cfg["loss_weights"]
    if legacy and isinstance(kwargs.get("metrics"), list):
        # tf-keras stores metrics nested per output ([["accuracy"]]) for single-output models.
        m = kwargs["metrics"]
        if len(m) == 1 and isinstance(m[0], list):
            kwargs["metrics"] = m[0]
    with registry.custom_object_scope(custom_objects or {}):
        model.compile(**kwargs)


def build_optimizer(model: Any) -> None:
    opt = getattr(model, "optimizer", None)
    if opt is not None and not getattr(opt, "built", False):
        with torch.no_grad():
            opt.build(model.trainable_weights)


# ---------------------------------------------------------------------- optimizer layouts
def _record_map(model: Any) -> dict[int, Any]:
    """id(torch tensor) -> WeightRecord for every model weight with a layout converter."""
    from keras_torch.core.variables import WeightRecord

    out: dict[int, Any] = {}
    for owner, rec in model._weight_entries():
        if isinstance(rec, WeightRecord) and (rec.to_keras is not None or rec.to_torch is not None):
            out[id(getattr(owner, rec.attr))] = rec
    return out


def optimizer_keras_values(model: Any, optimizer: Any) -> list[np.ndarray]:
    """Optimizer variables in Keras layout (slots of e.g. Dense kernels as ``(in, out)``)."""
    recs = _record_map(model)
    owners = list(getattr(optimizer, "_variable_owners", []))
    values = optimizer.get_weights()
    out = []
    for i, v in enumerate(values):
        owner = owners[i] if i < len(owners) else None
        rec = recs.get(id(owner)) if owner is not None else None
        if rec is not None and rec.to_keras is not None and getattr(owner, "to_keras", None) is None \
                and tuple(np.shape(v)) == tuple(owner.shape):
            v = _to_numpy(rec.to_keras(torch.as_tensor(np.asarray(v))))
        out.append(np.asarray(v))
    return out


def optimizer_torch_values(model: Any, optimizer: Any, values: list[Any]) -> list[np.ndarray]:
    """Inverse of :func:`optimizer_keras_values` (Keras-layout arrays -> the optimizer's own layout)."""
    recs = _record_map(model)
    owners = list(getattr(optimizer, "_variable_owners", []))
    current = optimizer.variables
    out = []
    for i, v in enumerate(values):
        v = np.asarray(v)
        owner = owners[i] if i < len(owners) else None
        rec = recs.get(id(owner)) if owner is not None else None
        if rec is not None and rec.to_torch is not None and i < len(current) \
                and tuple(v.shape) != tuple(current[i].shape):
            v = _to_numpy(rec.to_torch(torch.as_tensor(v)))
        out.append(v)
    return out
