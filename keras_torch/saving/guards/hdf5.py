"""HDF5 files: the link tree, datasets and attributes are checked before anything is read."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from keras_torch.saving.guards import limits
from keras_torch.saving.guards.hdf5_raw import check_vlen_attribute


def check_h5_tree(f: Any, path: str = "") -> None:
    """Walk every link of an open HDF5 file; refuse links, external/virtual datasets, cycles, huge trees.

    The walk uses h5py's low-level API (link iteration, object info by name): opening each link as
    a high-level object cost ~150 µs, so a file of 190,000 hard links to one dataset took 26 s.
    A dataset linked many times is checked once.
    """
    from h5py import h5d, h5g, h5l, h5o

    where = f" in '{path}'" if path else ""
    count = 0
    stack: list[tuple[Any, str, int]] = [(f.id, "", 0)]
    groups: set[int] = set()
    datasets: set[int] = set()
    while stack:
        gid, gname, depth = stack.pop()
        if depth > limits.MAX_H5_DEPTH:
            raise ValueError(f"Not allowed: HDF5 groups nested deeper than {limits.MAX_H5_DEPTH} levels{where} "
                             "(a hard-link cycle or a hostile file).")
        links: list[tuple[bytes, int, int]] = []

        def visit(name: bytes, info: Any, links: list = links, room: int = limits.MAX_H5_OBJECTS - count) -> int | None:
            links.append((name, info.type, info.u))  # u: the object's address for a hard link
            return 1 if len(links) > room else None  # non-zero stops the iteration

        gid.links.iterate(visit, info=True)
        for raw_name, link_type, addr in links:
            count += 1
            if count > limits.MAX_H5_OBJECTS:
                raise ValueError(f"Not allowed: more than {limits.MAX_H5_OBJECTS} HDF5 objects{where}; refusing to read "
                                 "the file (corrupted or hostile).")
            name = f"{gname}/{raw_name.decode('utf8', 'replace')}"
            if link_type != h5l.TYPE_HARD:
                kind = {h5l.TYPE_SOFT: "SoftLink", h5l.TYPE_EXTERNAL: "ExternalLink"}.get(link_type, "user-defined link")
                raise ValueError(f"Not allowed: HDF5 {kind} at '{name}'{where}. Keras files never contain links; they "
                                 "could make the reader open other files.")
            if addr in datasets:
                continue
            info = h5o.get_info(gid, raw_name)
            if info.type == h5o.TYPE_GROUP:
                if info.addr in groups:
                    raise ValueError(f"Not allowed: the HDF5 group '{name}'{where} is linked more than once (Keras "
                                     "files are trees).")
                groups.add(info.addr)
                stack.append((h5g.open(gid, raw_name), name, depth + 1))
            elif info.type == h5o.TYPE_DATASET:
                if info.addr not in datasets:
                    datasets.add(info.addr)
                    _check_storage_plist(h5d.open(gid, raw_name).get_create_plist(), name, where)
            else:  # committed datatypes and other objects Keras never writes
                kind = "committed datatype" if info.type == h5o.TYPE_NAMED_DATATYPE else f"object type {info.type}"
                raise ValueError(f"Not allowed: unexpected HDF5 object ({kind}) at '{name}'{where}.")


def _check_storage_plist(dcpl: Any, name: str, where: str) -> None:
    from h5py import h5d

    if dcpl.get_layout() == h5d.VIRTUAL:
        raise ValueError(f"Not allowed: virtual HDF5 dataset '{name}'{where} (its data lives in other files).")
    if dcpl.get_external_count() > 0:
        raise ValueError(f"Not allowed: HDF5 dataset '{name}'{where} with external storage (raw data in another "
                         "file).")


def check_dataset_storage(ds: Any, path: str = "") -> None:
    """Refuse external and virtual datasets (raw data in other files)."""
    where = f" in '{path}'" if path else ""
    if ds.is_virtual:
        raise ValueError(f"Not allowed: virtual HDF5 dataset '{ds.name}'{where} (its data lives in other files).")
    if ds.external:
        raise ValueError(f"Not allowed: HDF5 dataset '{ds.name}'{where} with external storage {ds.external!r}.")


def check_dataset(ds: Any, path: str = "", expected_shape: tuple | None = None, max_elements: int | None = None,
                  what: str = "weight") -> None:
    """Everything to check before reading ``ds`` into memory."""
    import h5py

    where = f" in '{path}'" if path else ""
    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"Invalid weights file{where}: expected a dataset at '{getattr(ds, 'name', ds)}', found "
                         f"a {type(ds).__name__}.")
    check_dataset_storage(ds, path)
    dt = ds.dtype
    if dt.kind not in limits.NUMERIC_KINDS and not is_bfloat16(ds):
        raise ValueError(f"The {what} '{ds.name}'{where} has the non-numeric dtype {dt}; Keras weights are "
                         "numeric arrays. The file is corrupted or was not written by Keras.")
    shape = tuple(int(d) for d in (ds.shape or ()))
    if expected_shape is not None and shape != tuple(expected_shape):
        return  # the caller reports the mismatch (or skips) without reading
    n = int(math.prod(shape))
    if max_elements is not None and n > max_elements:
        raise ValueError(f"The {what} '{ds.name}'{where} declares {n} elements, more than any variable of the "
                         f"model ({max_elements}); refusing to read it.")
    declared = n * int(dt.itemsize)
    if declared > limits.H5_BOMB_FLOOR_BYTES:
        try:
            stored = int(ds.id.get_storage_size())
        except Exception:  # noqa: BLE001
            stored = 0
        if declared > limits.H5_MAX_EXPANSION * stored:
            raise ValueError(f"Not allowed: HDF5 dataset '{ds.name}'{where} declares {limits.mib(declared)} but stores "
                             f"only {limits.mib(stored)}; refusing to load a potential shape/decompression bomb.")


def is_bfloat16(ds: Any) -> bool:
    if ds.dtype.kind != "V" or ds.dtype.itemsize != 2 or "dtype" not in ds.attrs:
        return False
    try:
        v = read_attr(ds.attrs, "dtype")
    except Exception:  # noqa: BLE001
        return False
    if isinstance(v, bytes):
        v = v.decode("utf8", "replace")
    return v == "bfloat16"


def read_dataset(ds: Any, path: str = "", expected_shape: tuple | None = None, max_elements: int | None = None,
                 what: str = "weight", selection: tuple = ()) -> np.ndarray:
    """Check then read ``ds``, or only ``ds[selection]`` (bfloat16 datasets come back as float32)."""
    check_dataset(ds, path, expected_shape, max_elements, what)
    where = f" in '{path}'" if path else ""
    if expected_shape is not None and tuple(ds.shape or ()) != tuple(expected_shape):
        raise ValueError(f"The {what} '{ds.name}'{where} has shape {tuple(ds.shape or ())}, expected "
                         f"{tuple(expected_shape)}.")
    try:
        arr = ds[selection]
    except Exception as e:  # noqa: BLE001 - HDF5 decode errors (OSError, RuntimeError, TypeError...)
        raise ValueError(f"Could not read the {what} '{ds.name}'{where}: the file is corrupted ({e}).") from None
    arr = np.asarray(arr)
    if arr.dtype.kind == "V" and arr.dtype.itemsize == 2:  # bfloat16: upper 16 bits of a float32
        arr = (arr.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    elif not arr.dtype.isnative:  # big-endian datasets (">f4"): valid HDF5, torch takes native order only
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def check_attr(attrs: Any, key: str, path: str = "", file_size: int | None = None) -> None:
    """Refuse attributes that are not numbers or strings, or larger than the file could hold, before reading them.

    Keras attributes are strings (JSON, names, versions) or, for empty name lists, numbers. Any other
    type is refused unread: HDF5/h5py crash (SIGSEGV) converting a variable-length attribute whose
    type field is damaged (found by fuzzing).
    """
    import h5py

    where = f" of '{path}'" if path else ""
    try:
        aid = attrs.get_id(key)
        n = int(math.prod(int(d) for d in (aid.shape or ())))
        dt = aid.dtype
        itemsize = int(dt.itemsize)
        is_string = h5py.check_string_dtype(dt) is not None
    except Exception as e:  # noqa: BLE001 - damaged datatype/dataspace messages
        raise ValueError(f"The HDF5 attribute '{key}'{where} has an unreadable type or shape ({e}); the file is "
                         "corrupted.") from None
    if not is_string and dt.kind not in limits.NUMERIC_KINDS:
        raise ValueError(f"The HDF5 attribute '{key}'{where} has the type {dt}; Keras writes strings or numbers "
                         "there. The file is corrupted or hostile.")
    if dt.kind == "O":
        check_vlen_attribute(attrs._id, key, where)
    limit = max(limits.MAX_CONFIG_BYTES, 4 * (file_size or 0))
    if n * itemsize > limit or n > limit:
        raise ValueError(f"The HDF5 attribute '{key}'{where} declares {n} elements of {itemsize} bytes, more than "
                         "the file can hold; the file is corrupted or hostile.")


def read_attr(attrs: Any, key: str, path: str = "", file_size: int | None = None) -> Any:
    """``attrs[key]`` after :func:`check_attr`; ``None`` when absent."""
    if key not in attrs:
        return None
    check_attr(attrs, key, path, file_size)
    return attrs[key]
