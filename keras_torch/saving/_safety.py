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
* **Attributes and JSON**: attributes whose declared size exceeds what the file can hold are
  refused before h5py allocates them; JSON is size-capped, and nesting deeper than
  :data:`MAX_JSON_DEPTH` is refused (no ``RecursionError``).
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


def _superblock_sizes(buf: Any) -> tuple[int, int]:
    """(size of offsets, size of lengths) from the HDF5 superblock; (8, 8) when unreadable."""
    offset = 0
    while offset + 16 <= len(buf) and offset <= 1 << 20:
        if bytes(buf[offset:offset + 8]) == _HDF5_SIGNATURE:
            version = buf[offset + 8]
            if version in (0, 1):
                return buf[offset + 13], buf[offset + 14]
            if version in (2, 3):
                return buf[offset + 9], buf[offset + 10]
            break
        offset = 512 if offset == 0 else offset * 2
    return 8, 8


def check_global_heaps(buf: Any, path: str = "") -> None:
    """Refuse HDF5 global heap collections that the HDF5 library would parse forever or out of bounds.

    Variable-length strings (e.g. Keras 3's ``model_config`` attribute) live in "GCOL" global heap
    collections. The HDF5 library walks a collection's objects by their declared sizes; a damaged
    collection with a zero-sized object makes that walk loop forever (and an oversized one makes
    it run past the collection). This simulates the walk on the raw bytes first (any buffer:
    bytes, memoryview or mmap) and raises ``ValueError`` instead.
    """
    import re

    n = len(buf)
    _, size_len = _superblock_sizes(buf)
    if size_len not in (2, 4, 8):
        size_len = 8
    hdr = 8 + size_len  # "GCOL", version, 3 reserved, collection size
    objhdr = 8 + size_len  # index (2), reference count (2), reserved (4), object size
    where = f" in '{path}'" if path else ""
    for m in re.finditer(rb"GCOL\x01", buf):
        start = m.start()
        if start + hdr > n:
            continue
        size = int.from_bytes(bytes(buf[start + 8:start + 8 + size_len]), "little")
        if size < hdr or start + size > n:
            continue  # HDF5 refuses a collection extending past the end of the file
        end = start + size
        p = start + hdr
        while p < end:
            if p + objhdr > end:
                break  # trailing free space
            idx = int.from_bytes(bytes(buf[p:p + 2]), "little")
            osize = int.from_bytes(bytes(buf[p + 8:p + 8 + size_len]), "little")
            need = objhdr + 8 * ((osize + 7) // 8) if idx > 0 else osize
            if need == 0 or need > end - p:
                raise ValueError(f"Not allowed: the HDF5 global heap at byte {start}{where} is corrupted (an object "
                                 "of impossible size); reading it would hang or overrun. The file is damaged or "
                                 "hostile.")
            p += need


def check_h5_source(source: Any, path: str = "") -> None:
    """:func:`check_global_heaps` on a file path or an in-memory ``BytesIO`` (no copy)."""
    import mmap

    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                check_global_heaps(mm, path or os.fspath(source))
    elif isinstance(source, io.BytesIO):
        with source.getbuffer() as mv:
            check_global_heaps(mv, path)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        check_global_heaps(source, path)


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


def dataset_nbytes(ds: Any) -> int:
    return int(math.prod(int(d) for d in ds.shape or ())) * int(ds.dtype.itemsize)


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
    if ds.dtype.kind != "V" or ds.dtype.itemsize != 2:
        return False
    try:
        v = ds.attrs.get("dtype")
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
    """Refuse attributes whose declared size is more than the file could hold (before h5py allocates it)."""
    try:
        aid = attrs.get_id(key)
        n = int(math.prod(int(d) for d in (aid.shape or ())))
        itemsize = int(aid.dtype.itemsize)
    except Exception:  # noqa: BLE001 - let the actual read report it
        return
    limit = max(MAX_CONFIG_BYTES, 4 * (file_size or 0))
    if n * itemsize > limit or n > limit:
        where = f" of '{path}'" if path else ""
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
    import torch

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
    import torch
    from torch.overrides import TorchFunctionMode

    where = f" '{path}'" if path else ""

    class _Budget(TorchFunctionMode):
        used = 0

        def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            if name in _FACTORIES:
                device = kwargs.get("device")
                if not (device is not None and str(device) == "meta"):
                    need = _requested_bytes(name, args, kwargs)
                    if self.used + need > limit:
                        raise ValueError(
                            f"Not allowed: the model config of{where} asks for more than {_mib(limit)} of tensors "
                            f"(a {name}() of {_mib(need)} after {_mib(self.used)}), far more than the weights the "
                            f"file can hold. The file is corrupted or hostile. If you trust it, raise the limit "
                            f"with the environment variable {MEMORY_LIMIT_ENV}=<bytes> (0 disables it).")
                    self.used += need
            return func(*args, **kwargs)

    with _Budget():
        yield
    del torch
