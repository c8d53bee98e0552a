"""A bounded parser of raw HDF5 bytes (superblock, object headers, global heaps).

Some damaged files make HDF5 itself hang or allocate gigabytes before it reports an error; these
checks look at the bytes HDF5 would act on and refuse such files first.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
from collections.abc import Iterator
from typing import Any

from keras_torch.saving.guards import limits

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
        self.heap_bytes = 0  # bytes of global heap collections walked so far (bounded: see _check_global_heap)
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
    # Real collections are disjoint and their objects are at least an object header apart, so
    # walking them all costs at most twice the file's size (bytes read + 16 per object step).
    # Collections nested in each other, or chains of tiny free-space records, would make this
    # check quadratic: refuse the file once the work exceeds what real collections can add up to.
    cap = limits.H5_HEAP_WALK_FACTOR * raw.size + limits.H5_HEAP_WALK_SLACK_BYTES
    objhdr = 8 + size_len  # index (2), reference count (2), reserved (4), object size
    raw.heap_bytes += size
    if raw.heap_bytes > cap:
        _refuse_heap_walk(where)
    data = raw.read(addr, size)
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
        raw.heap_bytes += objhdr
        if raw.heap_bytes > cap:
            _refuse_heap_walk(where)


def _refuse_heap_walk(where: str) -> None:
    raise ValueError(f"Not allowed: the HDF5 global heap collections{where} overlap each other or hold impossibly "
                     f"many objects (more than {limits.H5_HEAP_WALK_FACTOR}x the file's size to walk); the file is "
                     "damaged or hostile.")


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
