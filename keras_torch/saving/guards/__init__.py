"""Checks applied to every file keras_torch reads, so a hostile or damaged file fails cleanly.

Every reader in :mod:`keras_torch.saving` goes through these helpers. They turn the ways a file
can be malformed or malicious into a ``ValueError`` that names the file and the problem, *before*
anything expensive or dangerous happens:

* **HDF5**: the whole link tree is walked once on open. Soft links, external links, external
  datasets (raw data in another file) and virtual datasets are refused: Keras never writes
  them and they can make a reader touch other files. The walk is bounded in object count and
  depth (hard-link cycles cannot loop). Datasets are checked before they are read: numeric
  dtype, the shape the model expects (so a layer never reads more than it will keep), and a
  "shape bomb" guard (declared size vs. bytes stored) where no shape is expected.
* **Attributes and JSON**: only string or numeric attributes are read (a damaged vlen type made
  h5py/HDF5 segfault); attributes whose declared size exceeds what the file can hold are refused
  before h5py allocates them. For variable-length strings, the attribute message is parsed from
  the object header first: declared lengths beyond the file (HDF5 allocates them before failing)
  and global heap collections that would make HDF5 loop forever are refused (both found by
  fuzzing). JSON is size-capped, and nesting deeper than :data:`MAX_JSON_DEPTH` is refused (no
  ``RecursionError``).
* **Zip (.keras)**: members are read in memory (large weights are streamed into a private
  temporary directory), never extracted by their stored name. Archives with absolute or
  ``..`` member names, duplicate names, encrypted members or members that decompress more
  than :data:`ZIP_MAX_EXPANSION` times their stored size (above :data:`ZIP_BOMB_FLOOR_BYTES`)
  are refused.
* **Allocation budget**: while a model is rebuilt from a file's config, torch allocations are
  counted; a config declaring more tensor memory than the file could plausibly hold weights for
  (``max(LOAD_BUDGET_FLOOR_BYTES, LOAD_BUDGET_FACTOR * file size)``) is refused before the
  allocation is made. Override with ``KERAS_TORCH_LOAD_MEMORY_LIMIT`` (bytes; ``0`` disables).
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
import math
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

# ---------------------------------------------------------------------- limits
MAX_CONFIG_BYTES = 64 << 20  # config.json / model_config / training_config
MAX_METADATA_BYTES = 1 << 20  # metadata.json
MAX_JSON_DEPTH = 100  # real configs nest ~7 levels per model level
MAX_H5_OBJECTS = 200_000  # links visited when checking an HDF5 file
MAX_H5_DEPTH = 64
H5_BOMB_FLOOR_BYTES = 1 << 31  # 2 GiB: datasets above it must store >= 1/1000 of their size
H5_MAX_EXPANSION = 1000
ZIP_BOMB_FLOOR_BYTES = 1 << 28  # 256 MiB (Keras: 4 GiB in memory, 256 MiB when extracting)
ZIP_MAX_EXPANSION = 100
ZIP_MAX_MEMBER_BYTES = 1 << 40  # 1 TiB: anything above is a corrupted header
ZIP_IN_MEMORY_BYTES = 1 << 30  # weights above 1 GiB are streamed to a private temp file
LOAD_BUDGET_FLOOR_BYTES = 1 << 31  # 2 GiB
LOAD_BUDGET_FACTOR = 16
MEMORY_LIMIT_ENV = "KERAS_TORCH_LOAD_MEMORY_LIMIT"

_NUMERIC_KINDS = "biuf"


def _mib(n: float) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{int(n)} bytes"


# ---------------------------------------------------------------------- files
def check_regular_file(path: str) -> int:
    """Size of ``path``; ``ValueError`` unless it is a regular file (FIFOs/devices would hang or never end)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file or directory: '{path}'.") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"'{path}' is not a regular file (it is a device, FIFO or socket); refusing to read it "
                         "as a Keras file.")
    return st.st_size


# ---------------------------------------------------------------------- JSON
def json_depth_ok(obj: Any, limit: int | None = None) -> bool:
    """Whether ``obj`` (parsed JSON) nests at most ``limit`` containers deep (iterative walk)."""
    limit = MAX_JSON_DEPTH if limit is None else limit
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, dict):
            if d > limit:
                return False
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            if d > limit:
                return False
            stack.extend((v, d + 1) for v in o)
    return True


def parse_json(raw: Any, what: str, path: str = "", max_bytes: int | None = None) -> Any:
    """``json.loads`` with a size cap, a nesting cap and ``ValueError``s naming ``what`` and ``path``."""
    where = f" of '{path}'" if path else ""
    max_bytes = MAX_CONFIG_BYTES if max_bytes is None else max_bytes
    if isinstance(raw, np.ndarray) and raw.shape == ():
        raw = raw.item()
    if isinstance(raw, (bytes, bytearray, np.bytes_)):
        if len(raw) > max_bytes:
            raise ValueError(f"The {what}{where} is {_mib(len(raw))}, over the {_mib(max_bytes)} limit; "
                             "refusing to parse it (the file is corrupted or hostile).")
        try:
            raw = bytes(raw).decode("utf8")
        except UnicodeDecodeError as e:
            raise ValueError(f"The {what}{where} is not valid UTF-8 ({e}); the file is corrupted.") from None
    if not isinstance(raw, str):
        raise ValueError(f"The {what}{where} is not a JSON string (got {type(raw).__name__}); the file is corrupted.")
    if len(raw) > max_bytes:
        raise ValueError(f"The {what}{where} is {_mib(len(raw))}, over the {_mib(max_bytes)} limit; "
                         "refusing to parse it (the file is corrupted or hostile).")
    try:
        obj = json.loads(raw)
    except RecursionError:
        obj = None
        deep = True
    except ValueError as e:  # JSONDecodeError, huge integers
        raise ValueError(f"The {what}{where} is not valid JSON ({e}); the file is corrupted.") from None
    else:
        deep = not json_depth_ok(obj)
    if deep:
        raise ValueError(f"The {what}{where} nests deeper than {MAX_JSON_DEPTH} levels; refusing it "
                         "(the file is corrupted or hostile).")
    return obj


# ---------------------------------------------------------------------- HDF5
def check_h5_tree(f: Any, path: str = "") -> None:
    """Walk every link of an open HDF5 file; refuse links, external/virtual datasets, cycles, huge trees."""
    import h5py

    where = f" in '{path}'" if path else ""
    count = 0
    stack: list[tuple[Any, int]] = [(f, 0)]
    seen: set[Any] = set()
    while stack:
        group, depth = stack.pop()
        if depth > MAX_H5_DEPTH:
            raise ValueError(f"Not allowed: HDF5 groups nested deeper than {MAX_H5_DEPTH} levels{where} "
                             "(a hard-link cycle or a hostile file).")
        for name in group:
            count += 1
            if count > MAX_H5_OBJECTS:
                raise ValueError(f"Not allowed: more than {MAX_H5_OBJECTS} HDF5 objects{where}; refusing to read "
                                 "the file (corrupted or hostile).")
            link = group.get(name, getlink=True)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)) or not isinstance(link, h5py.HardLink):
                kind = type(link).__name__
                raise ValueError(f"Not allowed: HDF5 {kind} at '{group.name.rstrip('/')}/{name}'{where}. Keras "
                                 "files never contain links; they could make the reader open other files.")
            obj = group[name]
            if isinstance(obj, h5py.Dataset):
                check_dataset_storage(obj, path)
            elif isinstance(obj, h5py.Group):
                key = _object_key(obj)
                if key is not None:
                    if key in seen:
                        raise ValueError(f"Not allowed: the HDF5 group '{obj.name}'{where} is linked more than "
                                         "once (Keras files are trees).")
                    seen.add(key)
                stack.append((obj, depth + 1))
            else:  # committed datatypes and other objects Keras never writes
                raise ValueError(f"Not allowed: unexpected HDF5 object {type(obj).__name__} at '{obj.name}'{where}.")


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _uint(buf: Any, at: int, size: int) -> int:
    return int.from_bytes(bytes(buf[at:at + size]), "little")


class _RawFile:
    """Bounded random access to the bytes of the HDF5 file being read (a path or a BytesIO)."""

    def __init__(self, source: Any) -> None:
        self._fd = None
        self._buf = None
        if isinstance(source, (str, os.PathLike)):
            self._fd = os.open(source, os.O_RDONLY)
            self.size = os.fstat(self._fd).st_size
        elif isinstance(source, io.BytesIO):
            self._buf = source.getvalue() if source.getbuffer().nbytes <= (64 << 20) else source.getbuffer()
            self.size = len(self._buf)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            self._buf = source
            self.size = len(source)
        else:
            raise TypeError(type(source))
        self.size_off, self.size_len = self._superblock_sizes()
        self.heaps_checked: set[int] = set()
        self.full_scan_done = False

    def read(self, at: int, n: int) -> bytes:
        if at < 0 or n <= 0 or at >= self.size:
            return b""
        n = min(n, self.size - at)
        if self._fd is not None:
            return os.pread(self._fd, n, at)
        return bytes(self._buf[at:at + n])

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if isinstance(self._buf, memoryview):
            self._buf.release()
        self._buf = None

    def _superblock_sizes(self) -> tuple[int, int]:
        offset = 0
        while offset + 16 <= self.size and offset <= 1 << 20:
            head = self.read(offset, 16)
            if head[:8] == _HDF5_SIGNATURE:
                version = head[8]
                if version in (0, 1):
                    return head[13], head[14]
                if version in (2, 3):
                    return head[9], head[10]
                break
            offset = 512 if offset == 0 else offset * 2
        return 8, 8


_RAW: contextvars.ContextVar[_RawFile | None] = contextvars.ContextVar("keras_torch_h5_raw", default=None)


@contextlib.contextmanager
def raw_file(source: Any) -> Iterator[_RawFile | None]:
    """Make the raw bytes of ``source`` available to the attribute checks of :func:`read_attr`."""
    try:
        raw = _RawFile(source)
    except (TypeError, OSError):
        yield None
        return
    token = _RAW.set(raw)
    try:
        yield raw
    finally:
        _RAW.reset(token)
        raw.close()


def _check_global_heap(raw: _RawFile, addr: int, where: str) -> None:
    """Simulate HDF5's walk of the global heap collection at ``addr``; refuse what would loop or overrun.

    Variable-length strings live in "GCOL" collections. HDF5 walks a collection's objects by their
    declared sizes: a damaged collection with a zero-sized object makes that walk loop forever
    (HDF5 1.14, ``H5HG__cache_heap_deserialize``); an oversized one runs past the collection.
    """
    if addr in raw.heaps_checked:
        return
    raw.heaps_checked.add(addr)
    size_len = raw.size_len if raw.size_len in (2, 4, 8) else 8
    hdr = 8 + size_len  # "GCOL", version, 3 reserved, collection size
    head = raw.read(addr, hdr)
    if len(head) < hdr or head[:4] != b"GCOL" or head[4] != 1:
        return  # HDF5 refuses it itself (bad signature/version)
    size = _uint(head, 8, size_len)
    if size < hdr or addr + size > raw.size:
        return  # HDF5 cannot read a collection past the end of the file
    data = raw.read(addr, size)
    objhdr = 8 + size_len  # index (2), reference count (2), reserved (4), object size
    p = hdr
    while p < size:
        if p + objhdr > size:
            break  # trailing free space
        idx = _uint(data, p, 2)
        osize = _uint(data, p + 8, size_len)
        need = objhdr + 8 * ((osize + 7) // 8) if idx > 0 else osize
        if need == 0 or need > size - p:
            raise ValueError(f"Not allowed: the HDF5 global heap at byte {addr}{where} is corrupted (an object of "
                             "impossible size); reading it would hang or overrun. The file is damaged or hostile.")
        p += need


def check_global_heaps(raw: _RawFile, where: str = "") -> None:
    """:func:`_check_global_heap` on every "GCOL" collection found in the file (fallback, one pass)."""
    import re

    if raw.full_scan_done:
        return
    raw.full_scan_done = True
    pattern = re.compile(rb"GCOL\x01")
    chunk, overlap = 64 << 20, 8
    at = 0
    while at < raw.size:
        block = raw.read(at, chunk + overlap)
        for m in pattern.finditer(block):
            if m.start() < chunk:
                _check_global_heap(raw, at + m.start(), where)
        at += chunk


def _header_attribute_messages(raw: _RawFile, addr: int) -> Iterator[bytes] | None:
    """Raw attribute messages of the object header at ``addr`` (v1 or v2), or None if it cannot be parsed."""
    so, sl = raw.size_off, raw.size_len
    head = raw.read(addr, 16)
    chunks: list[tuple[int, int, bool]] = []
    if head[:4] == b"OHDR":
        if head[4] != 2:
            return None
        flags = head[5]
        p = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 0x3)
        first = raw.read(addr + p, width)
        chunks.append((addr + p + width, _uint(first, 0, width), True))
        track_order = bool(flags & 0x04)
    elif head[:1] == b"\x01":
        chunks.append((addr + 16, _uint(head, 8, 4), False))
        track_order = False
    else:
        return None

    def messages() -> Iterator[bytes]:
        seen = 0
        queue = list(chunks)
        while queue and seen < 64:
            start, size, v2 = queue.pop(0)
            seen += 1
            if size <= 0 or size > raw.size:
                return
            data = raw.read(start, size)
            p = 4 if v2 and data[:4] == b"OCHK" else 0
            end = len(data) - (4 if v2 else 0)  # v2 chunks end with a checksum
            mhdr = (4 + (2 if track_order else 0)) if v2 else 8
            while p + mhdr <= end:
                if v2:
                    mtype, msize = data[p], _uint(data, p + 1, 2)
                else:
                    mtype, msize = _uint(data, p, 2), _uint(data, p + 2, 2)
                body = p + mhdr
                if body + msize > end:
                    break
                if mtype == 0x10:  # continuation
                    queue.append((_uint(data, body, so), _uint(data, body + so, sl), v2))
                elif mtype == 0x0C:
                    yield data[body:body + msize]
                p = body + msize

    return messages()


def _parse_attribute_message(msg: bytes, raw: _RawFile) -> tuple[str, int | None, list[tuple[int, int]]] | None:
    """(name, vlen element size or None, [(length, heap address)]) of a raw attribute message."""
    if len(msg) < 8:
        return None
    version, flags = msg[0], msg[1]
    if version not in (1, 2, 3):
        return None
    name_size, dt_size, ds_size = _uint(msg, 2, 2), _uint(msg, 4, 2), _uint(msg, 6, 2)
    p = 8 + (1 if version == 3 else 0)
    pad = (lambda k: (k + 7) // 8 * 8) if version == 1 else (lambda k: k)
    name = msg[p:p + name_size].split(b"\x00", 1)[0].decode("utf8", "replace")
    dt = p + pad(name_size)
    ds = dt + pad(dt_size)
    data = ds + pad(ds_size)
    if version > 1 and flags & 0x3:
        return name, None, []  # shared datatype/dataspace: not written by Keras or h5py defaults
    if dt >= len(msg) or msg[dt] & 0x0F != 9:
        return name, None, []
    elem = 4 + raw.size_off + 4  # length, global heap collection address, object index
    if _uint(msg, dt + 4, 4) != elem or ds >= len(msg):
        return name, None, []
    dversion, ndims = msg[ds], msg[ds + 1]
    if dversion == 1:
        dims_at = ds + 8
    elif dversion == 2:
        kind = msg[ds + 3]
        dims_at = ds + 4
        if kind in (0, 2):
            ndims = 0
    else:
        return name, elem, []
    count = 1
    for i in range(min(ndims, 32)):
        count *= _uint(msg, dims_at + i * raw.size_len, raw.size_len)
    count = min(count, max(0, (len(msg) - data) // elem))
    refs = [(_uint(msg, data + i * elem, 4), _uint(msg, data + i * elem + 4, raw.size_off)) for i in range(count)]
    return name, elem, refs


def check_vlen_attribute(obj_id: Any, key: str, where: str = "") -> None:
    """Before reading attribute ``key`` of an object: check its vlen descriptors and the heaps they point to.

    HDF5 allocates each element's declared length before fetching its bytes, so a damaged
    ``model_config`` declaring 4 GiB strings would make a 20 kB file allocate gigabytes; and the
    heap collections those strings live in must not make HDF5 loop (:func:`_check_global_heap`).
    The attribute message is found by parsing the object's header; when that is not possible
    (dense attribute storage), every heap collection of the file is checked instead.
    """
    raw = _RAW.get()
    if raw is None:
        return
    import h5py

    try:
        addr = int(h5py.h5o.get_info(obj_id).addr)
        messages = _header_attribute_messages(raw, addr)
    except Exception:  # noqa: BLE001
        messages = None
    found = False
    for msg in messages or ():
        parsed = _parse_attribute_message(msg, raw)
        if parsed is None or parsed[0] != key:
            continue
        found = True
        for length, heap in parsed[2]:
            if length > raw.size or (length and heap >= raw.size):
                raise ValueError(
                    f"Not allowed: the HDF5 attribute '{key}'{where} declares a {length}-byte string stored at "
                    f"byte {heap}, beyond the {raw.size}-byte file; the file is damaged or hostile (HDF5 would "
                    "allocate the declared size before failing).")
            if length:
                _check_global_heap(raw, heap, where)
    if not found:
        check_global_heaps(raw, where)


def _object_key(obj: Any) -> Any:
    try:
        import h5py

        info = h5py.h5o.get_info(obj.id)
        return getattr(info, "token", None) or getattr(info, "addr", None)
    except Exception:  # noqa: BLE001 - identity is only used to detect cycles early
        return None


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
    if dt.kind not in _NUMERIC_KINDS and not is_bfloat16(ds):
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
    if declared > H5_BOMB_FLOOR_BYTES:
        try:
            stored = int(ds.id.get_storage_size())
        except Exception:  # noqa: BLE001
            stored = 0
        if declared > H5_MAX_EXPANSION * stored:
            raise ValueError(f"Not allowed: HDF5 dataset '{ds.name}'{where} declares {_mib(declared)} but stores "
                             f"only {_mib(stored)}; refusing to load a potential shape/decompression bomb.")


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
                 what: str = "weight") -> np.ndarray:
    """Check then read ``ds`` (bfloat16 datasets come back as float32)."""
    check_dataset(ds, path, expected_shape, max_elements, what)
    where = f" in '{path}'" if path else ""
    if expected_shape is not None and tuple(ds.shape or ()) != tuple(expected_shape):
        raise ValueError(f"The {what} '{ds.name}'{where} has shape {tuple(ds.shape or ())}, expected "
                         f"{tuple(expected_shape)}.")
    try:
        arr = ds[()]
    except Exception as e:  # noqa: BLE001 - HDF5 decode errors (OSError, RuntimeError, TypeError...)
        raise ValueError(f"Could not read the {what} '{ds.name}'{where}: the file is corrupted ({e}).") from None
    arr = np.asarray(arr)
    if arr.dtype.kind == "V" and arr.dtype.itemsize == 2:  # bfloat16: upper 16 bits of a float32
        arr = (arr.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
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
    if not is_string and dt.kind not in _NUMERIC_KINDS:
        raise ValueError(f"The HDF5 attribute '{key}'{where} has the type {dt}; Keras writes strings or numbers "
                         "there. The file is corrupted or hostile.")
    if dt.kind == "O":
        check_vlen_attribute(attrs._id, key, where)
    limit = max(MAX_CONFIG_BYTES, 4 * (file_size or 0))
    if n * itemsize > limit or n > limit:
        raise ValueError(f"The HDF5 attribute '{key}'{where} declares {n} elements of {itemsize} bytes, more than "
                         "the file can hold; the file is corrupted or hostile.")


def read_attr(attrs: Any, key: str, path: str = "", file_size: int | None = None) -> Any:
    """``attrs[key]`` after :func:`check_attr`; ``None`` when absent."""
    if key not in attrs:
        return None
    check_attr(attrs, key, path, file_size)
    return attrs[key]


# ---------------------------------------------------------------------- zip
_ZIP_ERRORS: tuple[type[BaseException], ...] = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError,
                                                ValueError, RuntimeError, NotImplementedError, OverflowError,
                                                IndexError, KeyError, TypeError)


def _zip_errors() -> tuple[type[BaseException], ...]:
    import struct
    import zlib

    extra: list[type[BaseException]] = [struct.error, zlib.error]
    for mod, name in (("lzma", "LZMAError"), ("bz2", None)):
        with contextlib.suppress(ImportError):
            m = __import__(mod)
            if name:
                extra.append(getattr(m, name))
    return _ZIP_ERRORS + tuple(extra)


def open_zip(path: str) -> zipfile.ZipFile:
    """``ZipFile(path)`` with its member names checked; ``ValueError`` for damaged or hostile archives."""
    try:
        z = zipfile.ZipFile(path, "r")
    except FileNotFoundError:
        raise
    except _zip_errors() as e:
        raise ValueError(f"'{path}' is not a valid .keras archive: the zip file is truncated or corrupted "
                         f"({type(e).__name__}: {e}).") from None
    try:
        check_zip_names(z, path)
    except BaseException:
        z.close()
        raise
    return z


def check_zip_names(z: zipfile.ZipFile, path: str) -> None:
    seen: set[str] = set()
    for info in z.infolist():
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if (name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts
                or "\x00" in name):
            raise ValueError(f"Not allowed: the archive '{path}' has a member with an absolute or parent-directory "
                             f"path ({name!r}). Keras archives never do; the file may be malicious.")
        if name in seen:
            raise ValueError(f"Not allowed: the archive '{path}' has two members named {name!r} (ambiguous).")
        seen.add(name)


def check_zip_member(z: zipfile.ZipFile, name: str, path: str, max_bytes: int | None = None) -> zipfile.ZipInfo:
    try:
        info = z.getinfo(name)
    except KeyError:
        raise ValueError(f"'{path}' is not a valid .keras archive: it has no '{name}' member "
                         f"(members: {z.namelist()[:20]}).") from None
    if info.flag_bits & 0x1:
        raise ValueError(f"The member '{name}' of '{path}' is encrypted; Keras archives are not.")
    limit = ZIP_MAX_MEMBER_BYTES if max_bytes is None else max_bytes
    if info.file_size > limit:
        raise ValueError(f"The member '{name}' of '{path}' declares {_mib(info.file_size)}, over the "
                         f"{_mib(limit)} limit; refusing to read it (corrupted or hostile archive).")
    if info.file_size > ZIP_BOMB_FLOOR_BYTES and info.file_size > ZIP_MAX_EXPANSION * info.compress_size:
        raise ValueError(f"Not allowed: the member '{name}' of '{path}' declares {_mib(info.file_size)} but only "
                         f"{_mib(info.compress_size)} are stored; refusing to load a potential decompression bomb.")
    return info


def read_zip_member(z: zipfile.ZipFile, name: str, path: str, max_bytes: int | None = None) -> bytes:
    check_zip_member(z, name, path, max_bytes)
    try:
        return z.read(name)
    except _zip_errors() as e:
        raise ValueError(f"The .keras archive '{path}' is corrupted: could not read '{name}' "
                         f"({type(e).__name__}: {e}).") from None


@contextlib.contextmanager
def zip_member_file(z: zipfile.ZipFile, name: str, path: str) -> Iterator[Any]:
    """The member as a file-like (in memory) or, above :data:`ZIP_IN_MEMORY_BYTES`, as a path in a private temp dir."""
    info = check_zip_member(z, name, path)
    if info.file_size <= ZIP_IN_MEMORY_BYTES:
        yield io.BytesIO(read_zip_member(z, name, path))
        return
    tmpdir = tempfile.mkdtemp(prefix="keras_torch_load_")  # mode 0700, removed below
    try:
        target = os.path.join(tmpdir, "weights.h5")
        try:
            with z.open(info, "r") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except _zip_errors() as e:
            raise ValueError(f"The .keras archive '{path}' is corrupted: could not read '{name}' "
                             f"({type(e).__name__}: {e}).") from None
        yield target
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# ---------------------------------------------------------------------- allocation budget
def load_budget(file_size: int) -> int | None:
    """Bytes of tensors a model rebuilt from a file of ``file_size`` bytes may allocate (None: no limit)."""
    env = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if env:
        try:
            value = int(float(env))
        except ValueError:
            raise ValueError(f"{MEMORY_LIMIT_ENV} must be a number of bytes (0 disables the limit); got {env!r}.") \
                from None
        return None if value <= 0 else value
    return max(LOAD_BUDGET_FLOOR_BYTES, LOAD_BUDGET_FACTOR * int(file_size))


_FACTORIES = {"empty", "zeros", "ones", "full", "rand", "randn", "randint", "empty_strided", "normal",
              "new_empty", "new_zeros", "new_ones", "new_full", "eye", "arange", "linspace", "logspace",
              "empty_like", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "randint_like"}


def _size_arg(args: tuple, kwargs: dict, name: str) -> Any:
    if "size" in kwargs:
        return kwargs["size"]
    if name in ("new_empty", "new_zeros", "new_ones", "new_full"):
        args = args[1:]  # self
    if name == "randint":  # randint(high, size) / randint(low, high, size)
        for a in args:
            if isinstance(a, (tuple, list)) or type(a).__name__ == "Size":
                return a
        return ()
    if name in ("full", "new_full", "empty_strided", "normal"):
        return args[0] if args else ()
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        return args[0]
    return args


def _requested_bytes(name: str, args: tuple, kwargs: dict) -> int:

    dtype = kwargs.get("dtype")
    if name.endswith("_like"):
        ref = args[0] if args else kwargs.get("input")
        if isinstance(ref, torch.Tensor):
            itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else ref.element_size()
            return ref.numel() * itemsize
        return 0
    if name in ("arange", "linspace", "logspace"):
        try:
            if name == "arange":
                nums = [float(a) for a in args[:3]]
                start, end, step = (0.0, nums[0], 1.0) if len(nums) == 1 else (nums + [1.0])[:3]
                n = max(0, math.ceil((end - start) / step)) if step else 0
            else:
                n = int(args[2] if len(args) > 2 else kwargs.get("steps", 0))
        except (TypeError, ValueError, OverflowError):
            return 0
        itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else 8
        return int(n) * itemsize
    if name == "eye":
        dims = [a for a in args[:2] if isinstance(a, (int, np.integer))]
        n = math.prod(int(d) for d in dims) if len(dims) == 2 else (int(dims[0]) ** 2 if dims else 0)
    else:
        size = _size_arg(args, kwargs, name)
        if isinstance(size, (int, np.integer)):
            size = (size,)
        try:
            n = math.prod(int(d) for d in size)
        except (TypeError, ValueError):
            return 0
    if name in ("new_empty", "new_zeros", "new_ones", "new_full") and args and isinstance(args[0], torch.Tensor) \
            and not isinstance(dtype, torch.dtype):
        itemsize = args[0].element_size()
    else:
        itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else torch.get_default_dtype().itemsize
    return max(0, int(n)) * itemsize


@contextlib.contextmanager
def allocation_budget(limit: int | None, path: str = "") -> Iterator[None]:
    """Refuse torch allocations beyond ``limit`` bytes in total (or any single one above it) inside the block."""
    if limit is None:
        yield
        return
    from torch.overrides import TorchFunctionMode

    where = f" '{path}'" if path else ""

    class _Budget(TorchFunctionMode):
        used = 0

        def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            for a in args:
                # An expanded view (broadcast_to of a constant) is as large as what clone()/contiguous()
                # of it would allocate: refuse it before that happens.
                if isinstance(a, torch.Tensor) and not a.is_meta and a.numel() * a.element_size() > limit:
                    raise ValueError(
                        f"Not allowed: the model config of{where} builds a tensor of {_mib(a.numel() * a.element_size())}"
                        f" (shape {tuple(a.shape)}), more than the {_mib(limit)} limit. The file is corrupted or "
                        f"hostile. If you trust it, raise the limit with {MEMORY_LIMIT_ENV}=<bytes> (0 disables it).")
            if name in _FACTORIES:
                device = kwargs.get("device")
                if not (device is not None and str(device) == "meta"):
                    need = _requested_bytes(name, args, kwargs)
                    if self.used + need > limit:
                        raise ValueError(
                            f"Not allowed: the model config of{where} asks for more than {_mib(limit)} of tensors "
                            f"({name}() of {_mib(need)} after {_mib(self.used)}), far more than the weights the "
                            f"file can hold. The file is corrupted or hostile. If you trust it, raise the limit "
                            f"with the environment variable {MEMORY_LIMIT_ENV}=<bytes> (0 disables it).")
                    self.used += need
            return func(*args, **kwargs)

    with _Budget():
        yield
