"""Legacy HDF5 files: full models (``model.save("x.h5")``) and Keras 2 weights (``save_weights("x.h5")``).

Layout (tf-keras ``saving/legacy/hdf5_format.py``, Keras 3 ``legacy/saving/legacy_h5_format.py``)::

    /                      attrs keras_version, backend, model_config (JSON), training_config (JSON)
    /model_weights         attrs layer_names, backend, keras_version
        /<layer name>      attr weight_names; one dataset per weight at <layer name>/<weight name>
    /optimizer_weights     attr weight_names; datasets

Weights are matched to layers by position (layers that have weights, k-th to k-th) or by layer
name (``by_name=True``); inside a layer, by order (``trainable + non_trainable`` weights).
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np

from keras_torch.saving import compile_config, optimizer_state
from keras_torch.saving.dialects import keras1, tfkeras
from keras_torch.saving.dialects.legacy_writer import legacy_model_config
from keras_torch.saving.formats import BACKEND, KERAS_VERSION
from keras_torch.saving.guards import hdf5 as h5_guard
from keras_torch.saving.guards import json_config
from keras_torch.saving.h5 import LazyArray, decode, lazy_dataset, open_h5
from keras_torch.saving.serialization import json_default, rebuild_model, serialize_layer
from keras_torch.saving.slots import Slot, assign_slots, legacy_slots, slot_values

HDF5_OBJECT_HEADER_LIMIT = 64512


# ---------------------------------------------------------------------- attributes
def save_attributes_to_hdf5_group(group: Any, name: str, data: list[str]) -> None:
    """Write a list of names, split into ``name0``, ``name1``... when over the object header limit."""
    encoded = [d.encode("utf8") if isinstance(d, str) else bytes(d) for d in data]
    bad = [x for x in encoded if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError(
            f"The following attributes cannot be saved to HDF5 file because they are larger than "
            f"{HDF5_OBJECT_HEADER_LIMIT} bytes: {[b[:64] for b in bad]}"
        )
    data_npy = np.asarray(encoded)
    num_chunks = 1
    chunked = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > HDF5_OBJECT_HEADER_LIMIT for x in chunked):
        num_chunks += 1
        chunked = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for i, chunk in enumerate(chunked):
            group.attrs[f"{name}{i}"] = chunk
    else:
        group.attrs[name] = data_npy


def _names_from_attr(group: Any, key: str) -> list[str]:
    raw = h5_guard.read_attr(group.attrs, key, _filename(group))
    arr = np.asarray(raw)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.size == 0:
        return []
    if arr.ndim != 1 or arr.dtype.kind not in "SUO":
        raise ValueError(f"The attribute '{key}' of '{group.name}' in '{_filename(group)}' should be a list of "
                         f"names, found {arr.dtype} values of shape {arr.shape}; the file is corrupted.")
    out = []
    for n in arr:
        n = decode(n)
        if not isinstance(n, str):
            raise ValueError(f"The attribute '{key}' of '{group.name}' in '{_filename(group)}' holds a "
                             f"non-string name ({n!r}); the file is corrupted.")
        out.append(n)
    return out


def _filename(obj: Any) -> str:
    try:
        return str(obj.file.filename)
    except Exception:  # noqa: BLE001
        return "<HDF5 file>"


def load_attributes_from_hdf5_group(group: Any, name: str) -> list[str]:
    """Inverse of :func:`save_attributes_to_hdf5_group` (accepts bytes and str attributes)."""
    if name in group.attrs:
        return _names_from_attr(group, name)
    data: list[str] = []
    i = 0
    while f"{name}{i}" in group.attrs:
        data.extend(_names_from_attr(group, f"{name}{i}"))
        i += 1
    return data


def attr_str(attrs: Any, key: str) -> str | None:
    """A string attribute (checked before it is read); ``None`` when absent."""
    if key not in attrs:
        return None
    v = h5_guard.read_attr(attrs, key)
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v.item()
    v = decode(v)
    if not isinstance(v, str):
        raise ValueError(f"The HDF5 attribute '{key}' should be a string, found {type(v).__name__}; "
                         "the file is corrupted.")
    return v


def _version_attr(attrs: Any) -> str | None:
    """``keras_version`` (``None`` when absent or unreadable: it only tunes conversions)."""
    try:
        return attr_str(attrs, "keras_version")
    except (ValueError, UnicodeDecodeError):
        return None


# ---------------------------------------------------------------------- weights
def _h5_weight_name(slot_name: str) -> str:
    return slot_name if slot_name.endswith(":0") else slot_name + ":0"


def save_weights_to_hdf5_group(f: Any, model: Any) -> None:
    layers = list(model.layers)
    save_attributes_to_hdf5_group(f, "layer_names", [layer.name for layer in layers])
    f.attrs["backend"] = BACKEND.encode("utf8")
    f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(layers, key=lambda lyr: lyr.name):
        g = f.create_group(layer.name)
        slots = legacy_slots(layer)
        values = slot_values(slots)
        names = [_h5_weight_name(s.name) for s in slots]
        save_attributes_to_hdf5_group(g, "weight_names", names)
        for name, val in zip(names, values):
            ds = g.create_dataset(name, val.shape, dtype=val.dtype)
            if not val.shape:
                ds[()] = val
            else:
                ds[:] = val
    g = f.create_group("top_level_model_weights")
    save_attributes_to_hdf5_group(g, "weight_names", [])


def _read_layer_weights(g: Any) -> tuple[list[str], list[LazyArray]]:
    """Weight names and (not yet read) arrays of a layer group."""
    import h5py

    if not isinstance(g, h5py.Group):
        raise ValueError(f"Corrupted weights file: '{g.name}' should be a layer group, found a "
                         f"{type(g).__name__}.")
    names = load_attributes_from_hdf5_group(g, "weight_names")
    values = []
    for n in names:
        if not n or n not in g:
            raise ValueError(f"Corrupted weights file: layer group '{g.name}' lists weight '{n}', which is missing.")
        values.append(lazy_dataset(g[n], _filename(g)))
    return names, values


def weights_group(f: Any) -> Any:
    """The group holding the layer groups: ``/model_weights`` of a full-model file, else the root."""
    import h5py

    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs and "model_weights" in f:
        g = f["model_weights"]
        if not isinstance(g, h5py.Group):
            raise ValueError(f"Corrupted file: '/model_weights' of '{_filename(f)}' is not a group.")
        return g
    return f


def _preprocess(layer: Any, values: list[Any], slots: list[Slot]) -> list[Any]:
    """Keras 1 files may hold Theano-ordered conv kernels: transposed (lazily) to the model's layout."""
    if not values or not slots:
        return values
    v = values[0]
    axes = keras1.theano_kernel_axes(type(layer).__name__, tuple(v.shape), slots[0].shape)
    if axes is None:
        return values
    if isinstance(v, LazyArray):
        t: Any = LazyArray(slots[0].shape, lambda: np.transpose(v.read(), axes))
    else:
        t = np.transpose(v, axes)
    return [t, *values[1:]]


def load_weights_from_hdf5_group(f: Any, model: Any, skip_mismatch: bool = False) -> None:
    """Topological loading: layers with weights, k-th file layer to k-th model layer (names ignored)."""
    layer_names = load_attributes_from_hdf5_group(f, "layer_names")
    if not layer_names and "layer_names" not in f.attrs and "layer_names0" not in f.attrs:
        raise ValueError(
            f"The HDF5 group '{f.name}' of '{f.file.filename}' is not a Keras weights file: it has no "
            "'layer_names' attribute. (Keras 3 '.weights.h5' files are read by name; make sure the file name "
            "ends with '.weights.h5'.)"
        )
    filtered = []
    for name in layer_names:
        if name not in f:
            raise ValueError(f"Corrupted weights file: layer '{name}' is listed in layer_names but has no group.")
        names, values = _read_layer_weights(f[name])
        if values:
            filtered.append((name, names, values))
    layers = [lyr for lyr in model.layers if legacy_slots(lyr)]
    if len(filtered) != len(layers):
        raise ValueError(
            f"Layer count mismatch when loading weights from file. Model expected {len(layers)} layers with weights "
            f"({[lyr.name for lyr in layers]}), found {len(filtered)} saved layers with weights "
            f"({[n for n, _, _ in filtered]})."
        )
    for layer, (name, wnames, values) in zip(layers, filtered):
        slots = legacy_slots(layer)
        values = _preprocess(layer, values, slots)
        assign_slots(slots, values, layer.name, [f"{name}/{w}" for w in wnames], skip_mismatch=skip_mismatch)


def load_weights_from_hdf5_group_by_name(f: Any, model: Any, skip_mismatch: bool = False) -> None:
    """Load weights into the model layers of the same name; file layers without a match are skipped."""
    layer_names = load_attributes_from_hdf5_group(f, "layer_names")
    index: dict[str, list[Any]] = {}
    for layer in model.layers:
        if layer.name:
            index.setdefault(layer.name, []).append(layer)
    for name in layer_names:
        if name not in f:
            raise ValueError(f"Corrupted weights file: layer '{name}' is listed in layer_names but has no group.")
        wnames, values = _read_layer_weights(f[name])
        for layer in index.get(name, []):
            slots = legacy_slots(layer)
            values_l = _preprocess(layer, values, slots)
            assign_slots(slots, values_l, layer.name, [f"{name}/{w}" for w in wnames], skip_mismatch=skip_mismatch)


def save_weights_h5(model: Any, filepath: str) -> None:
    import h5py

    with h5py.File(filepath, "w") as f:
        save_weights_to_hdf5_group(f, model)


def load_weights_h5(model: Any, filepath: str, skip_mismatch: bool = False, by_name: bool = False) -> None:
    with open_h5(filepath) as f:
        g = weights_group(f)
        if by_name:
            load_weights_from_hdf5_group_by_name(g, model, skip_mismatch=skip_mismatch)
        else:
            load_weights_from_hdf5_group(g, model, skip_mismatch=skip_mismatch)


# ---------------------------------------------------------------------- optimizer
def save_optimizer_weights_to_hdf5_group(f: Any, optimizer: Any, model: Any) -> None:
    values = optimizer_state.optimizer_keras_values(model, optimizer)
    if not values:
        return
    g = f.create_group("optimizer_weights")
    # tf-keras's layout (no learning_rate variable), what its .h5 loader restores.
    names = list(getattr(optimizer, "variable_names", None) or [])
    if len(names) != len(values):
        names = [f"variable_{i}" for i in range(len(values))]
    names, values = tfkeras.tfkeras_optimizer_weights(optimizer, names, values,
                                                      optimizer_state.slot_owner_paths(optimizer))
    save_attributes_to_hdf5_group(g, "weight_names", names)
    for name, val in zip(names, values):
        val = np.asarray(val)
        ds = g.create_dataset(name, val.shape, dtype=val.dtype)
        if not val.shape:
            ds[()] = val
        else:
            ds[:] = val


def load_optimizer_weights(f: Any, model: Any) -> None:
    if "optimizer_weights" not in f or getattr(model, "optimizer", None) is None:
        return
    g = f["optimizer_weights"]
    try:
        names = load_attributes_from_hdf5_group(g, "weight_names")
        cap = optimizer_state.max_variable_elements(model)
        values = [h5_guard.read_dataset(g[n], _filename(g), max_elements=cap, what="optimizer variable")
                  for n in names]
        optimizer_state.build_optimizer(model)
        opt = model.optimizer
        by_name = tfkeras.tfkeras_slot_values(names, values, opt, optimizer_state.slot_owner_paths(opt))
        values = by_name if by_name is not None else tfkeras.convert_optimizer_weights(names, values, opt)
        opt.set_weights(optimizer_state.optimizer_torch_values(model, opt, values))
    except Exception as e:  # noqa: BLE001 - Keras only warns and keeps a fresh optimizer
        warnings.warn(
            "Error in loading the saved optimizer state. As a result, your model is starting with a freshly "
            f"initialized optimizer. ({e})",
            stacklevel=3,
        )


# ---------------------------------------------------------------------- full model
def _legacy_optimizer_config(optimizer: Any) -> dict[str, Any]:
    """``{"class_name", "config"}`` of the optimizer, loadable by Keras 3 and tf-keras.

    Keras 3 takes the plain class name; tf-keras then builds its *legacy* optimizer (a config
    without ``"is_legacy_optimizer": false``, a key Keras 3 rejects), which accepts the usual
    hyper-parameters but not the new-optimizer-only keys, so those are left out when at defaults.
    """
    import re

    from keras_torch.core import registry
    from keras_torch.core.naming import to_snake_case

    cfg = dict(optimizer.get_config())
    base = to_snake_case(type(optimizer).__name__)
    if isinstance(cfg.get("name"), str) and re.fullmatch(rf"{re.escape(base)}(_\d+)?", cfg["name"]):
        cfg["name"] = base  # Keras does not uniquify optimizer names
    defaults = {"weight_decay": None, "use_ema": False, "ema_overwrite_frequency": None, "loss_scale_factor": None,
                "gradient_accumulation_steps": None, "global_clipnorm": None}
    for key, default in defaults.items():
        if key in cfg and cfg[key] == default:
            cfg.pop(key)
    if not cfg.get("use_ema"):
        cfg.pop("ema_momentum", None)
    class_name = tfkeras.tfkeras_optimizer_class_name(optimizer, registry.get_registered_name(type(optimizer)))
    return {"class_name": class_name, "config": cfg}


def training_config(model: Any) -> dict[str, Any] | None:
    cc = compile_config.compile_config(model)
    if cc is None:
        return None
    return {
        "loss": cc["loss"],
        "metrics": cc["metrics"],
        "weighted_metrics": cc["weighted_metrics"],
        "loss_weights": cc["loss_weights"],
        "optimizer_config": _legacy_optimizer_config(model.optimizer),
    }


def save_model_h5(model: Any, filepath: str, include_optimizer: bool = True) -> None:
    import h5py

    config = legacy_model_config(model, serialize_layer(model))
    tc = training_config(model) if include_optimizer else None
    with h5py.File(filepath, "w") as f:
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        f.attrs["model_config"] = json.dumps(config, default=json_default).encode("utf8")
        if tc is not None:
            f.attrs["training_config"] = json.dumps(tc, default=json_default).encode("utf8")
        g = f.create_group("model_weights")
        save_weights_to_hdf5_group(g, model)
        if tc is not None and model.optimizer is not None and getattr(model.optimizer, "built", False):
            save_optimizer_weights_to_hdf5_group(f, model.optimizer, model)


def load_model_h5(filepath: str, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
                  safe_mode: bool = True) -> Any:
    import h5py

    with open_h5(filepath) as f:
        if "model_config" not in f.attrs:
            raise ValueError(
                f"No model config found in the file at '{filepath}': it holds weights only. Build the model "
                "in code and call `model.load_weights(filepath)` instead."
            )
        config = json_config.parse_json(h5_guard.read_attr(f.attrs, "model_config", filepath), "model_config", filepath)
        version = _version_attr(f.attrs)
        if "model_weights" not in f:
            raise ValueError(f"The file '{filepath}' has a model config but no 'model_weights' group; it is incomplete.")
        model = rebuild_model(config, version, custom_objects, safe_mode, filepath,
                                      os.path.getsize(filepath))
        mw = f["model_weights"]
        if not isinstance(mw, h5py.Group):
            raise ValueError(f"Corrupted file: '/model_weights' of '{filepath}' is not a group.")
        load_weights_from_hdf5_group(mw, model)
        if compile:
            raw_tc = h5_guard.read_attr(f.attrs, "training_config", filepath)
            if raw_tc is None:
                warnings.warn("No training configuration found in save file, so the model was *not* compiled. "
                              "Compile it manually.", stacklevel=3)
            else:
                tc = json_config.parse_json(raw_tc, "training_config", filepath)
                if not isinstance(tc, dict):
                    raise ValueError(f"The training_config of '{filepath}' is not a JSON object; the file is "
                                     "corrupted.")
                if compile_config.compile_from_file(model, tc, custom_objects, filepath, os.path.getsize(filepath),
                                                    legacy=True):
                    load_optimizer_weights(f, model)
    return model
