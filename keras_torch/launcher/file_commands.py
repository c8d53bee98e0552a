"""``keras-torch convert`` / ``keras-torch inspect``: Keras files -> torch checkpoints, and file reports."""

from __future__ import annotations

import os
from typing import Any

from keras_torch.saving.files import atomic_write, detect_format, fspath
from keras_torch.saving.h5 import open_h5


def convert_to_torch(model_path: Any, out_path: Any) -> str:
    """Load a Keras file (``.keras``/``.h5``) and ``torch.save`` its ``state_dict()`` to ``out_path``.

    The state dict uses keras_torch's torch-native layouts (e.g. ``dense.kernel`` is ``(out, in)``
    like ``nn.Linear.weight``). Returns ``out_path``.
    """
    import torch

    from keras_torch.saving.api import load_model

    model = load_model(model_path, compile=False)
    out_path = fspath(out_path)
    state = model.state_dict()
    atomic_write(out_path, lambda tmp: torch.save(state, tmp))
    return out_path


def _weights_table(g: Any, path: str) -> list[tuple[str, list[tuple[str, tuple]]]]:
    """``[(layer, [(weight, shape)])]`` of a Keras 2 weights group; reads names and shapes only.

    Each link is fetched with ``get`` and type-checked: ``name in dataset`` would iterate the
    dataset's rows (a 1e8-element dataset whose data was never written took minutes).
    """
    import h5py

    from keras_torch.saving.formats.legacy_h5 import load_attributes_from_hdf5_group

    layers = []
    for name in load_attributes_from_hdf5_group(g, "layer_names"):
        group = g.get(name)
        if group is None:
            layers.append((name, []))
            continue
        if not isinstance(group, h5py.Group):
            raise ValueError(f"Corrupted weights file '{path}': the layer '{_escape(name)}' is a "
                             f"{type(group).__name__}, not a group of weights.")
        weights = []
        for w in load_attributes_from_hdf5_group(group, "weight_names"):
            ds = group.get(w)
            if isinstance(ds, h5py.Dataset):
                weights.append((w, tuple(ds.shape or ())))
        layers.append((name, weights))
    return layers


def _escape(text: Any) -> str:
    """``text`` with control and other non-printable characters escaped (names come from the file:
    raw terminal escape sequences could rewrite the terminal, its title or the clipboard)."""
    out = []
    for ch in str(text):
        if ch.isprintable() or ch == "\n":
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return "".join(out)


def _file_info(path: str) -> dict[str, Any]:
    fmt = detect_format(path)
    info: dict[str, Any] = {"path": path, "size": os.path.getsize(path) if os.path.isfile(path) else None}
    if fmt == "h5":
        from keras_torch.saving.formats.legacy_h5 import attr_str, weights_group

        with open_h5(path) as f:
            info["keras_version"] = attr_str(f.attrs, "keras_version")
            info["backend"] = attr_str(f.attrs, "backend")
            if "model_config" in f.attrs:
                info["format"] = "legacy HDF5 full model (.h5)"
                info["compiled"] = "training_config" in f.attrs
                info["optimizer_weights"] = "optimizer_weights" in f
            elif "vars" in f or "layers" in f:
                info["format"] = "Keras 3 weights (.weights.h5)"
                info["has_optimizer"] = "optimizer" in f
                info["weights"] = _keras3_weights(f)
                info["backend"] = info["backend"] or "not recorded in .weights.h5 files"
            else:
                info["format"] = "Keras 2 weights-only HDF5 (.h5)"
                g = weights_group(f)
                info["keras_version"] = info["keras_version"] or attr_str(g.attrs, "keras_version")
                info["backend"] = info["backend"] or attr_str(g.attrs, "backend")
                info["weights"] = _weights_table(g, path)
    else:
        info["format"] = "Keras 3 archive (.keras)" if fmt == "zip" else "Keras 3 model directory"
        from keras_torch.saving.formats.keras_archive import open_archive

        with open_archive(path) as (config, meta, _, _):
            pass
        info["keras_version"] = meta.get("keras_version")
        # Keras does not record the backend in a .keras file; keras_torch adds its own version.
        info["backend"] = (f"torch (keras_torch {meta['keras_torch_version']})" if meta.get("keras_torch_version")
                           else "not recorded in .keras files")
        info["date_saved"] = meta.get("date_saved")
        info["compiled"] = bool(config.get("compile_config")) if isinstance(config, dict) else False
    return info


def _keras3_weights(f: Any) -> list[tuple[str, list[tuple[str, tuple]]]]:
    """``[(owner path, [(variable, shape)])]`` of a Keras 3 ``.weights.h5`` (``layers/dense/vars/0``...)."""
    owners: list[tuple[str, list[tuple[str, tuple]]]] = []

    def visit(name: str, obj: Any) -> None:
        if name.split("/")[-1] == "vars" and hasattr(obj, "keys"):
            keys = sorted(obj.keys(), key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))
            weights = [(f"vars/{k}", tuple(obj[k].shape)) for k in keys if hasattr(obj[k], "shape")]
            if weights:
                owners.append((name.rsplit("/", 1)[0] if "/" in name else "(model)", weights))

    f.visititems(visit)
    return owners


def inspect_file(path: Any, print_fn: Any = print) -> dict[str, Any]:
    """Print the Keras version, backend, format, model summary and a layer table of a Keras file."""
    path = fspath(path)
    info = _file_info(path)

    def emit(line: Any = "") -> None:  # everything printed may hold names from the file
        print_fn(_escape(line))

    emit(f"File:          {path}")
    emit(f"Format:        {info['format']}")
    emit(f"Keras version: {info.get('keras_version') or 'unknown'}")
    emit(f"Backend:       {info.get('backend') or 'unknown'}")
    if info.get("date_saved"):
        emit(f"Saved:         {info['date_saved']}")
    if "weights" in info:  # weights-only file: no architecture to build
        emit("Layers (weights only):")
        for name, weights in info["weights"]:
            emit(f"  {name}")
            for w, shape in weights:
                emit(f"      {w:<50} {shape}")
        return info
    if info["format"].startswith("Keras 3 weights"):
        return info
    from keras_torch.saving.api import load_model

    model = load_model(path, compile=False, safe_mode=True)
    info["model"] = model
    emit(f"Compiled:      {bool(info.get('compiled') or getattr(model, 'compiled', False))}")
    model.summary(print_fn=emit)
    emit("")
    header = f"{'#':>3}  {'Layer':<28} {'Class':<22} {'Weights (Keras shapes)'}"
    emit(header)
    emit("-" * len(header))
    for i, layer in enumerate(model.layers):
        shapes = ", ".join(str(tuple(w.shape)) for w in layer.get_weights())
        emit(f"{i:>3}  {layer.name[:28]:<28} {type(layer).__name__[:22]:<22} {shapes}")
    return info
