"""The ``assets/`` of a ``.keras`` archive: files layers write with ``save_assets`` (Keras 3's layout).

Keras 3 gives every saveable object of the model graph a directory ``assets/<path>/``, where
``<path>`` is the object's path in the weights file (``layers/text_vectorization``,
``layers/text_vectorization/_lookup_layer``...), and calls the object's ``save_assets(dir)``
when saving and ``load_assets(dir)`` when loading, after its variables. Lookup layers keep their
vocabulary there (``vocabulary.txt``). Asset members are read with the archive's guards: checked
names, declared sizes under :data:`MAX_ASSET_BYTES`, extracted only into a private temp dir.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from keras_torch.saving.guards import files as file_guard
from keras_torch.saving.guards import zip_archive

ASSETS_DIR = "assets"
MAX_ASSET_BYTES = 1 << 30  # one asset file (a vocabulary of ~50M words)


def _asset_dir(path: str) -> str:
    return f"{ASSETS_DIR}/{path}" if path else ASSETS_DIR


def collect_assets(objects: Iterator[tuple[str, Any]]) -> list[tuple[str, bytes]]:
    """``(member name, bytes)`` of every file the objects' ``save_assets`` write.

    Args:
        objects: ``(path, object)`` pairs in Keras 3's walk order (``keras_archive.walk``).
    """
    out: list[tuple[str, bytes]] = []
    for path, obj in objects:
        save = getattr(obj, "save_assets", None)
        if not callable(save):
            continue
        with tempfile.TemporaryDirectory(prefix="keras_torch_assets_") as tmp:
            save(tmp)
            for root, _, names in os.walk(tmp):
                for name in sorted(names):
                    full = os.path.join(root, name)
                    rel = os.path.relpath(full, tmp).replace(os.sep, "/")
                    with open(full, "rb") as fh:
                        out.append((f"{_asset_dir(path)}/{rel}", fh.read()))
    return out


def _restore(objects: Iterator[tuple[str, Any]], members: list[str], read: Callable[[str], bytes]) -> None:
    for path, obj in objects:
        load = getattr(obj, "load_assets", None)
        if not callable(load):
            continue
        prefix = _asset_dir(path) + "/"
        mine = [m for m in members if m.startswith(prefix) and not m.endswith("/")]
        with tempfile.TemporaryDirectory(prefix="keras_torch_assets_") as tmp:
            for member in mine:
                rel = member[len(prefix):]
                parts = rel.split("/")
                if any(p in ("", ".", "..") for p in parts) or "\\" in rel:
                    raise ValueError(f"Not allowed: the asset member {member!r} has an unsafe name.")
                target = os.path.join(tmp, *parts)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as fh:
                    fh.write(read(member))
            try:
                load(tmp)
            except ValueError as e:
                name = getattr(obj, "name", None)
                if not isinstance(name, str) or f"'{name}'" in str(e):
                    raise
                # a layer loading the assets of a sub-layer (TextVectorization's lookup): name the layer too
                raise ValueError(f"{e} (in the assets of layer '{name}')") from e


def restore_assets(objects: Iterator[tuple[str, Any]], filepath: str) -> None:
    """Call ``load_assets`` of every object with its extracted ``assets/<path>/`` files.

    Args:
        objects: ``(path, object)`` pairs (``keras_archive.walk(model)``).
        filepath: The ``.keras`` zip, or a model directory saved with ``zipped=False``.
    """
    objects = list(objects)
    if not any(callable(getattr(obj, "load_assets", None)) for _, obj in objects):
        return
    if os.path.isdir(filepath):
        root = os.path.join(filepath, ASSETS_DIR)
        members = []
        for base, _, names in os.walk(root):
            members += [os.path.relpath(os.path.join(base, n), filepath).replace(os.sep, "/") for n in names]

        def read_file(member: str) -> bytes:
            full = os.path.join(filepath, *member.split("/"))
            if file_guard.check_regular_file(full) > MAX_ASSET_BYTES:
                raise ValueError(f"The asset '{full}' is over the {MAX_ASSET_BYTES} bytes limit; refusing to read it.")
            with open(full, "rb") as fh:
                return fh.read()

        _restore(objects, members, read_file)
        return
    with zip_archive.open_zip(filepath) as z:
        _restore(objects, z.namelist(), lambda m: zip_archive.read_zip_member(z, m, filepath, MAX_ASSET_BYTES))

