"""Zip archives (``.keras``): member names, sizes and compression ratios are checked before reading."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

from keras_torch.saving.guards import limits

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
    limit = limits.ZIP_MAX_MEMBER_BYTES if max_bytes is None else max_bytes
    if info.file_size > limit:
        raise ValueError(f"The member '{name}' of '{path}' declares {limits.mib(info.file_size)}, over the "
                         f"{limits.mib(limit)} limit; refusing to read it (corrupted or hostile archive).")
    if info.file_size > limits.ZIP_BOMB_FLOOR_BYTES and info.file_size > limits.ZIP_MAX_EXPANSION * info.compress_size:
        raise ValueError(f"Not allowed: the member '{name}' of '{path}' declares {limits.mib(info.file_size)} but only "
                         f"{limits.mib(info.compress_size)} are stored; refusing to load a potential decompression bomb.")
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
    """The member as a file-like (in memory) or, above :data:`limits.ZIP_IN_MEMORY_BYTES`, as a path in a private temp dir."""
    info = check_zip_member(z, name, path)
    if info.file_size <= limits.ZIP_IN_MEMORY_BYTES:
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
