"""Files on disk: path arguments, format sniffing and atomic writes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from keras_torch.saving.guards import files as file_guard

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def fspath(filepath: Any) -> str:
    try:
        return os.fspath(filepath)
    except TypeError as e:
        raise TypeError(f"Expected a file path (str or os.PathLike), got {filepath!r}") from e


def detect_format(filepath: str) -> str:
    """``"h5"``, ``"zip"`` or ``"dir"`` from the file *content*; raises for anything else."""
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
    size = file_guard.check_regular_file(filepath)
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
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    fsync_dir(folder)


def atomic_write_dir(dirpath: str, write: Callable[[str], None]) -> None:
    """Run ``write(tmpdir)`` on a fresh directory next to ``dirpath``, then put what it wrote in place.

    A save never deletes what it did not write:

    * no ``dirpath`` yet: the new directory is renamed into place;
    * a directory holding only the members this save writes (a previous save): the two are
      exchanged atomically (``renameat2(RENAME_EXCHANGE)`` on Linux) and the old one is removed;
    * otherwise (the user's other files in it, a symlink to a directory, no atomic exchange on
      this platform): each member is renamed over its counterpart, the weights first and
      ``config.json`` last. Every member is replaced atomically; other entries, and the symlink
      itself, are left alone.

    A failing ``write`` leaves ``dirpath`` untouched.
    """
    dirpath = os.path.abspath(dirpath)
    if os.path.lexists(dirpath) and not os.path.isdir(dirpath):
        raise FileExistsError(f"Cannot save a model directory to '{dirpath}': it exists and is not a directory.")
    target = os.path.realpath(dirpath) if os.path.isdir(dirpath) else dirpath
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"Cannot save to '{dirpath}': the folder '{parent}' does not exist.")
    tmpdir = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=parent)
    try:
        write(tmpdir)
        os.chmod(tmpdir, 0o777 & ~_umask())
        members = _files_under(tmpdir)
        if not os.path.isdir(target):
            os.replace(tmpdir, target)
        elif not (set(_files_under(target, True)) <= set(_files_under(tmpdir, True))
                  and _rename_exchange(tmpdir, target)):
            _replace_members(tmpdir, target, members)
        fsync_dir(parent)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)  # the old directory, or the emptied staging one


def _files_under(folder: str, with_dirs: bool = False) -> list[str]:
    """Paths (relative, ``/``-separated) of the files below ``folder`` (and of its directories, with
    a trailing ``/``, when ``with_dirs``); symlinks count as files."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel = os.path.relpath(root, folder)
        links = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        names = files + links + [d + "/" for d in dirs if with_dirs and d not in links]
        out.extend(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/") for name in names)
    return out


def _replace_members(staging: str, target: str, members: list[str]) -> None:
    """Rename each staged member over its counterpart in ``target``; ``config.json`` goes last
    (it is what marks a folder as a saved model)."""
    for rel in sorted(members, key=lambda m: (m == "config.json", m == "metadata.json", m)):
        dest = os.path.join(target, *rel.split("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.replace(os.path.join(staging, *rel.split("/")), dest)
    fsync_dir(target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _rename_exchange(a: str, b: str) -> bool:
    """Atomically swap two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


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
