"""Keras 3 native formats: the ``.keras`` zip archive and ``.weights.h5`` files.

A ``.keras`` file is a zip (``ZIP_STORED``) of ``metadata.json``, ``config.json`` and
``model.weights.h5``. Weights files store each object's *own* variables under
``<path>/vars/0, 1, ...``, where ``<path>`` follows Keras 3's object graph walk
(``keras/src/saving/saving_lib.py``)::

    layers/dense/vars/0                     (list items: snake_case class name, _1, _2... in order)
    layers/lstm/cell/vars/0                 (other children: their attribute name)
    layers/bidirectional/forward_layer/cell/vars/0
    layers/multi_head_attention/query_dense/vars/0
    layers/sequential/layers/dense/vars/0   (nested models)
    layers/string_lookup/vars/idf_weights   (state saved by name: ``save_own_variables``)
    optimizer/vars/0                        (iteration, learning_rate, slots)

Files layers write with ``save_assets`` (vocabularies) go under ``assets/<path>/`` in the zip
(:mod:`.archive_assets`).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import dtensor
from keras_torch.core.naming import to_snake_case
from keras_torch.core.version import __version__
from keras_torch.layers.base import Layer
from keras_torch.saving import compile_config, optimizer_state
from keras_torch.saving.dialects.keras3_writer import keras3_model_config
from keras_torch.saving.formats import KERAS_VERSION, archive_assets, legacy_h5
from keras_torch.saving.guards import files as file_guard
from keras_torch.saving.guards import json_config, limits, zip_archive
from keras_torch.saving.h5 import LazyArray, lazy_dataset, materialize, open_h5, to_numpy
from keras_torch.saving.model_kinds import is_functional, is_sequential, keras_class_name
from keras_torch.saving.serialization import json_default, rebuild_model, serialize_layer

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
VARS_FILENAME = "model.weights"

def _name_key(name: str) -> tuple[bool, str]:
    return (name.startswith("_"), name)


def _children(obj: Any) -> list[tuple[str, Any]]:
    """Named children of a layer as Keras 3 walks them: (attribute, child or list of children).

    Keras 3 visits the attributes holding layers in name order (``_private`` ones last); a list of
    layers is one attribute. Sequential and functional models hold theirs in ``layers``; other layers
    the sub-layers their ``_direct_sublayers`` walk yields (the same walk the weight protocol uses),
    named after the attribute holding them.
    """
    if is_functional(obj) or is_sequential(obj):
        return [("layers", list(obj.layers))]
    subs = list(obj._direct_sublayers()) if isinstance(obj, Layer) else list(obj.children())
    if not subs:
        return []
    found: dict[int, str] = {}
    containers: dict[str, list[Any]] = {}
    for key, mod in obj.named_children():
        if isinstance(mod, (torch.nn.ModuleList, torch.nn.ModuleDict)) and not isinstance(mod, Layer):
            items = list(mod.values()) if isinstance(mod, torch.nn.ModuleDict) else list(mod)
            containers[key] = items
            for it in items:
                found.setdefault(id(it), key)
        else:
            found.setdefault(id(mod), key)
    for key, val in vars(obj).items():
        if isinstance(val, torch.nn.Module):
            found.setdefault(id(val), key)  # modules kept as plain attributes (an RNN's cell)
    out: list[tuple[str, Any]] = list(containers.items())
    done = {id(i) for items in containers.values() for i in items}
    for sub in subs:
        if id(sub) in done:
            continue
        out.append((found.get(id(sub)) or getattr(sub, "name", None) or to_snake_case(type(sub).__name__), sub))
        done.add(id(sub))
    out.sort(key=lambda kv: _name_key(kv[0]))
    return out


def _own_arrays(obj: Any) -> list[torch.Tensor]:
    """The weights Keras 3 stores in ``obj``'s own ``vars`` group (a layer's ``keras_saved_weights()``)."""
    if isinstance(obj, Layer):
        return obj.keras_saved_weights()
    return list(obj.parameters(recurse=False)) if isinstance(obj, torch.nn.Module) else []


def _expected_arrays(obj: Any) -> list[torch.Tensor]:
    """:func:`_own_arrays` for their shapes: sharded weights are not gathered (shape-only stand-ins),
    unless the layer computes its Keras view from them and other tensors (then they are)."""
    try:
        with dtensor.shapes_only():
            return _own_arrays(obj)
    except (RuntimeError, NotImplementedError):
        return _own_arrays(obj)


def _named_variables(obj: Any) -> dict[str, Any]:
    """State a layer stores by name beside its weights with Keras 3's ``save_own_variables`` (a lookup's
    ``idf_weights``); only layers that define the method have any."""
    store: dict[str, Any] = {}
    if isinstance(obj, Layer) and callable(getattr(obj, "save_own_variables", None)):
        obj.save_own_variables(store)
    return store


def _load_named_variables(f: Any, path: str, obj: Any) -> None:
    """Give a layer that defines ``load_own_variables`` the named datasets of its ``vars`` group."""
    if not (isinstance(obj, Layer) and callable(getattr(obj, "load_own_variables", None))):
        return
    g = _get_vars_group(f, path)
    if g is None:
        return
    import h5py

    store = {k: lazy_dataset(g[k], _filename(g)).read() for k in g.keys()
             if not k.isdigit() and isinstance(g[k], h5py.Dataset)}
    if store:
        obj.load_own_variables(store)


def _load_own_arrays(obj: Any, values: list[Any]) -> None:
    if isinstance(obj, Layer):
        obj.load_keras_saved_weights(values)
        return
    with torch.no_grad():
        for p, v in zip(obj.parameters(recurse=False), values):
            p.copy_(torch.as_tensor(materialize(v), dtype=p.dtype))


def walk(model: Any, root: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, object)`` for every saveable object in Keras 3 order; ``path`` excludes ``/vars``."""
    seen: set[int] = set()

    def visit(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        yield path, obj
        for attr, child in _children(obj):
            sub = f"{path}/{attr}" if path else attr
            if isinstance(child, list):
                counts: dict[str, int] = {}
                for item in child:
                    base = to_snake_case(keras_class_name(item))
                    n = counts.get(base, 0)
                    counts[base] = n + 1
                    name = base if n == 0 else f"{base}_{n}"
                    yield from visit(item, f"{sub}/{name}")
            else:
                yield from visit(child, sub)

    yield from visit(model, root)


def _ancestors(path: str) -> Iterator[str]:
    """The proper prefixes of a ``walk`` path, nearest first."""
    parts = path.split("/")
    for n in range(len(parts) - 1, 0, -1):
        yield "/".join(parts[:n])


def _vars_path(path: str) -> str:
    return f"{path}/vars" if path else "vars"


# ---------------------------------------------------------------------- weights files
def save_weights_to_h5file(f: Any, model: Any) -> None:
    for path, obj in walk(model):
        g = f.require_group(_vars_path(path))
        name = getattr(obj, "name", None)
        if isinstance(name, str):
            g.attrs["name"] = name
        for i, t in enumerate(_own_arrays(obj)):
            arr = to_numpy(t)
            if isinstance(t, torch.Tensor) and t.dtype == torch.bfloat16:
                ds = g.create_dataset(str(i), data=arr)
                ds.attrs["dtype"] = "bfloat16"
            else:
                g.create_dataset(str(i), data=arr)
        for key, value in _named_variables(obj).items():
            g.create_dataset(key, data=np.asarray(value))
    opt = getattr(model, "optimizer", None)
    if opt is not None and hasattr(opt, "get_weights"):
        g = f.require_group("optimizer/vars")
        g.attrs["name"] = getattr(opt, "name", "optimizer")
        for i, v in enumerate(optimizer_state.optimizer_keras_values(model, opt)):
            g.create_dataset(str(i), data=np.asarray(v))


def _get_vars_group(f: Any, path: str) -> Any:
    import h5py

    for candidate in (path, path.replace("layers", "_layer_checkpoint_dependencies", 1)):
        vp = _vars_path(candidate)
        if vp in f:
            obj = f.get(vp, getlink=True)
            if not isinstance(obj, h5py.HardLink):
                raise ValueError(f"Not allowed: a link at '{vp}' in the weights file.")
            g = f[vp]
            if not isinstance(g, h5py.Group):
                raise ValueError(f"Invalid weights file: '{vp}' should be a group, found a {type(g).__name__}.")
            return g
    return None


def _filename(obj: Any) -> str:
    try:
        return str(obj.file.filename)
    except Exception:  # noqa: BLE001
        return "<HDF5 file>"


def _read_vars(g: Any, what: str = "weight") -> list[LazyArray]:
    """The datasets ``0, 1, ...`` of a ``vars`` group, checked but not read yet."""
    import h5py

    keys = sorted((k for k in g.keys()), key=lambda k: int(k) if k.isdigit() else 1 << 30)
    out = []
    for k in keys:
        ds = g[k]
        if not isinstance(ds, h5py.Dataset):
            continue
        out.append(lazy_dataset(ds, _filename(g), what=what))
    return out


def load_weights_from_h5file(f: Any, model: Any, skip_mismatch: bool = False, load_optimizer: bool = True) -> None:
    errors = []
    named: dict[str, str] = {}  # path -> name of the layers met so far (parents come first)
    for path, obj in walk(model):
        if path and isinstance(getattr(obj, "name", None), str):
            named[path] = obj.name
        _load_named_variables(f, path, obj)
        expected = _expected_arrays(obj)
        if not expected:
            continue
        g = _get_vars_group(f, path)
        if g is None:
            msg = (f"The weights file has no variables for layer '{getattr(obj, 'name', path)}' (expected them "
                   f"at '{_vars_path(path)}'). The file was saved from a different model.")
            if skip_mismatch:
                warnings.warn(msg, stacklevel=3)
                continue
            errors.append(msg)
            continue
        values = _read_vars(g)
        name = getattr(obj, "name", path)
        owner = next((named[p] for p in _ancestors(path) if p in named), None)
        if owner is not None and owner != name:  # a cell or sub-layer: say whose
            name = f"{name}' of layer '{owner}"
        if len(values) != len(expected):
            msg = (f"Layer '{name}' expected {len(expected)} variables, but received {len(values)} variables "
                   f"during loading (from '{g.name}').")
            if skip_mismatch:
                warnings.warn(msg, stacklevel=3)
                continue
            raise ValueError(msg)
        bad = [(i, tuple(t.shape), v.shape) for i, (t, v) in enumerate(zip(expected, values))
               if tuple(t.shape) != tuple(v.shape)]
        if bad:
            i, want, got = bad[0]
            wname = _var_name(obj, i)
            msg = (f"Shape mismatch in layer '{name}' for weight '{wname}' (stored at '{g.name}/{i}'): the model "
                   f"expects shape {want}, but the file holds shape {tuple(got)}.")
            if skip_mismatch:
                warnings.warn(msg, stacklevel=3)
                continue
            raise ValueError(msg)
        # shapes checked: each is read when assigned (one weight at a time; a sharded weight reads its part)
        _load_own_arrays(obj, values)
    if errors:
        raise ValueError("\n".join(errors))
    opt = getattr(model, "optimizer", None)
    if load_optimizer and opt is not None and "optimizer/vars" in f:
        try:
            g = _get_vars_group(f, "optimizer")
            cap = optimizer_state.max_variable_elements(model)
            values = []
            for v in _read_vars(g, what="optimizer variable"):
                if int(np.prod(v.shape)) > cap:
                    raise ValueError(f"an optimizer variable declares {int(np.prod(v.shape))} elements, more than "
                                     f"any model variable ({cap})")
                values.append(v)  # (read when assigned, one at a time; a sharded slot reads its part)
        except ValueError as e:
            warnings.warn(f"Could not restore the optimizer state ({e}); the optimizer starts fresh.", stacklevel=3)
            return
        try:
            optimizer_state.build_optimizer(model)
            if len(values) == len(opt.variables):
                values = optimizer_state.optimizer_torch_values(model, opt, values)
            opt.load_own_variables({str(i): v for i, v in enumerate(values)})
        except Exception as e:  # noqa: BLE001
            warnings.warn(f"Could not restore the optimizer state ({e}); the optimizer starts fresh.", stacklevel=3)


def _var_name(obj: Any, i: int) -> str:
    names = obj.keras_weight_names() if isinstance(obj, Layer) else []
    return names[i] if i < len(names) else str(i)


def save_weights(model: Any, filepath: str) -> None:
    import h5py

    with h5py.File(filepath, "w") as f:
        save_weights_to_h5file(f, model)


def load_weights(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    with open_h5(filepath) as f:
        if ("layer_names" in f.attrs or "layer_names0" in f.attrs or "model_weights" in f) and "vars" not in f \
                and "layers" not in f:
            legacy_h5.load_weights_from_hdf5_group(legacy_h5.weights_group(f), model, skip_mismatch=skip_mismatch)
            return
        load_weights_from_h5file(f, model, skip_mismatch=skip_mismatch)


# ---------------------------------------------------------------------- .keras archives
def model_config(model: Any) -> dict[str, Any]:
    """The ``config.json`` of a ``.keras`` archive (with the ``compile_config`` of a compiled model)."""
    return keras3_model_config(serialize_layer(model))


def save_model(model: Any, filepath: str, include_optimizer: bool = True) -> None:
    import h5py

    config = model_config(model)
    if not include_optimizer:
        config.pop("compile_config", None)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "keras_torch_version": __version__,
    }
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        opt = model.optimizer if include_optimizer else None
        if opt is None:
            _save_without_optimizer(f, model)
        else:
            save_weights_to_h5file(f, model)
    assets = archive_assets.collect_assets(walk(model))
    with zipfile.ZipFile(filepath, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(METADATA_FILENAME, json.dumps(metadata))
        z.writestr(CONFIG_FILENAME, json.dumps(config, default=json_default))
        z.writestr(VARS_FILENAME + ".h5", buf.getvalue())
        for name, data in assets:
            z.writestr(name, data)


def _save_without_optimizer(f: Any, model: Any) -> None:
    opt = model.__dict__.get("optimizer")
    try:
        model.__dict__["optimizer"] = None
        save_weights_to_h5file(f, model)
    finally:
        model.__dict__["optimizer"] = opt


@contextlib.contextmanager
def open_archive(filepath: str) -> Iterator[tuple[Any, Any, Any, int]]:
    """``(config, metadata, weights, size)`` of a ``.keras`` zip or an unzipped model directory.

    ``weights`` is a file-like or a path for ``model.weights.h5``, ``("npz", file-like)`` or
    ``None``; it is only valid inside the ``with`` block (large members live in a private temp
    dir that is removed on exit). Nothing is ever extracted under a member's stored name.
    """
    if os.path.isdir(filepath):
        def read(name: str, limit: int) -> bytes:
            p = os.path.join(filepath, name)
            if not os.path.lexists(p):
                raise ValueError(f"'{filepath}' is not a valid Keras model directory: '{name}' is missing.")
            size = file_guard.check_regular_file(p)
            if size > limit:
                raise ValueError(f"'{p}' is {size} bytes, over the {limit} bytes limit; refusing to read it.")
            with open(p, "rb") as fh:
                return fh.read(limit + 1)

        cfg_raw = read(CONFIG_FILENAME, limits.MAX_CONFIG_BYTES)
        meta_raw = (read(METADATA_FILENAME, limits.MAX_METADATA_BYTES)
                    if os.path.lexists(os.path.join(filepath, METADATA_FILENAME)) else b"{}")
        wpath = os.path.join(filepath, VARS_FILENAME + ".h5")
        weights: Any = None
        size = 0
        if os.path.lexists(wpath):
            size = file_guard.check_regular_file(wpath)
            weights = wpath
        config, metadata = _parse_archive_json(cfg_raw, meta_raw, filepath)
        yield config, metadata, weights, size
        return
    size = file_guard.check_regular_file(filepath)
    with zip_archive.open_zip(filepath) as z:
        cfg_raw = zip_archive.read_zip_member(z, CONFIG_FILENAME, filepath, limits.MAX_CONFIG_BYTES)
        names = set(z.namelist())
        meta_raw = (zip_archive.read_zip_member(z, METADATA_FILENAME, filepath, limits.MAX_METADATA_BYTES)
                    if METADATA_FILENAME in names else b"{}")
        config, metadata = _parse_archive_json(cfg_raw, meta_raw, filepath)
        if VARS_FILENAME + ".h5" in names:
            with zip_archive.zip_member_file(z, VARS_FILENAME + ".h5", filepath) as w:
                yield config, metadata, w, size
        elif VARS_FILENAME + ".npz" in names:
            with zip_archive.zip_member_file(z, VARS_FILENAME + ".npz", filepath) as w:
                yield config, metadata, ("npz", w), size
        else:
            yield config, metadata, None, size


def _parse_archive_json(cfg_raw: bytes, meta_raw: bytes, filepath: str) -> tuple[Any, dict]:
    config = json_config.parse_json(cfg_raw, "config.json", filepath)
    metadata = json_config.parse_json(meta_raw, "metadata.json", filepath, limits.MAX_METADATA_BYTES) if meta_raw else {}
    if not isinstance(metadata, dict):
        metadata = {}
    return config, metadata


def load_weights_from_archive(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    """``model.load_weights("x.keras")``: the weights member of a ``.keras`` file (or model directory)."""
    with open_archive(filepath) as (_, _, weights, _):
        if weights is None:
            raise ValueError(f"'{filepath}' has no model.weights.h5 to load.")
        if isinstance(weights, tuple):
            _load_npz(model, weights[1], filepath)
            return
        with open_h5(weights, name=f"{filepath}/{VARS_FILENAME}.h5") as f:
            load_weights_from_h5file(f, model, skip_mismatch=skip_mismatch)


def load_model(filepath: str, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True) -> Any:
    with open_archive(filepath) as (config, metadata, weights, size):
        version = metadata.get("keras_version") if isinstance(metadata.get("keras_version"), str) else None
        compile_cfg = config.pop("compile_config", None) if isinstance(config, dict) else None
        if weights is None:
            raise ValueError(f"'{filepath}' has no model.weights.h5: the archive is incomplete.")
        model = rebuild_model(config, version, custom_objects, safe_mode, filepath, size)
        if compile and compile_cfg:
            compile_config.compile_from_file(model, compile_cfg, custom_objects, filepath, size,
                                             then=lambda: optimizer_state.build_optimizer(model))
        if isinstance(weights, tuple):
            _load_npz(model, weights[1], filepath)
        else:
            with open_h5(weights, name=f"{filepath}/{VARS_FILENAME}.h5") as f:
                load_weights_from_h5file(f, model, load_optimizer=compile)
    archive_assets.restore_assets(walk(model), filepath)
    return model


def _load_npz(model: Any, fileobj: Any, filepath: str = "") -> None:
    """Weights from a ``model.weights.npz`` member: no pickles, shapes checked before each array is read."""
    try:
        data = np.load(fileobj, allow_pickle=False)
    except Exception as e:  # noqa: BLE001
        raise ValueError(f"The weights of '{filepath}' are not a readable .npz file ({e}).") from None
    if not hasattr(data, "zip"):
        raise ValueError(f"The weights of '{filepath}' are not an .npz archive.")
    with data:
        zip_archive.check_zip_names(data.zip, filepath)
        for path, obj in walk(model):
            expected = _own_arrays(obj)
            if not expected:
                continue
            values = []
            for i, t in enumerate(expected):
                key = f"{_vars_path(path)}/{i}"
                if key not in data.files:
                    raise ValueError(f"The weights of '{filepath}' have no array '{key}' for layer "
                                     f"'{getattr(obj, 'name', path)}'.")
                limit = int(t.numel()) * 16 + 4096  # the array plus its .npy header
                zip_archive.check_zip_member(data.zip, key + ".npy", filepath, max_bytes=limit)
                try:
                    arr = data[key]
                except Exception as e:  # noqa: BLE001 - corrupted member, pickled object array...
                    raise ValueError(f"Could not read '{key}' from the weights of '{filepath}' ({e}).") from None
                if tuple(arr.shape) != tuple(t.shape) or arr.dtype.kind not in "biuf":
                    raise ValueError(f"'{key}' in the weights of '{filepath}' has shape {arr.shape} and dtype "
                                     f"{arr.dtype}; the model expects shape {tuple(t.shape)}.")
                values.append(arr)
            _load_own_arrays(obj, values)
