"""Reading HDF5 files: opening them checked, names as text, and weights read only once their shape fits."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.saving.guards import hdf5 as h5_guard
from keras_torch.saving.guards import hdf5_raw


@contextlib.contextmanager
def open_h5(filepath: Any, mode: str = "r", name: str | None = None) -> Iterator[Any]:
    """``h5py.File`` whose open/read errors become ``ValueError`` saying what is wrong.

    In read mode the whole file is checked first (:func:`keras_torch.saving.guards.hdf5.check_h5_tree`):
    soft/external links and external/virtual datasets are refused before anything is read.
    ``filepath`` may be a path or a file-like object (``name`` then labels it in messages).
    """
    import h5py

    label = name or (filepath if isinstance(filepath, str) else "<in-memory HDF5>")
    try:
        f = h5py.File(filepath, mode)
    except FileNotFoundError:
        raise
    except Exception as e:  # noqa: BLE001 - OSError for damaged files; others from h5py on odd input
        raise ValueError(
            f"Could not read the HDF5 file '{label}': it is truncated or corrupted ({e})."
        ) from None
    try:
        if mode == "r":
            h5_guard.check_h5_tree(f, label)
            with hdf5_raw.raw_file(filepath):
                yield f
        else:
            yield f
    except (KeyError, OSError, RuntimeError, TypeError, IndexError, AttributeError) as e:
        if isinstance(e, (KeyError, TypeError, IndexError, AttributeError)) and not _is_h5_error(e):
            raise
        raise ValueError(f"The HDF5 file '{label}' is corrupted or incomplete: {e}") from None
    finally:
        with contextlib.suppress(Exception):
            f.close()


def _is_h5_error(e: BaseException) -> bool:
    msg = str(e)
    if "h5py" in "".join(_tb_modules(e)):
        return True
    return any(s in msg for s in ("Unable to", "object", "H5", "synchronously", "doesn't exist", "not found"))


def _tb_modules(e: BaseException) -> list[str]:
    """Module file names along ``e``'s traceback (to tell h5py's errors from ours)."""
    out = []
    tb = e.__traceback__
    while tb is not None:
        out.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return out[-3:]


def decode(x: Any) -> Any:
    if isinstance(x, (bytes, np.bytes_)):
        try:
            return x.decode("utf8")
        except UnicodeDecodeError as e:
            raise ValueError(f"The file holds a name that is not valid UTF-8 ({bytes(x)[:40]!r}: {e}); it is "
                             "corrupted.") from None
    return x


def to_numpy(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.dtype == torch.bfloat16:
            return t.float().numpy()
        return t.numpy()
    return np.asarray(t)


class LazyArray:
    """A weight stored in a file, read only after its shape was checked against the model's."""

    def __init__(self, shape: Any, read: Callable[[], np.ndarray],
                 read_slice: Callable[[tuple], np.ndarray] | None = None) -> None:
        self.shape = tuple(int(d) for d in shape)
        self._read = read
        self._read_slice = read_slice  # reads a block without the rest (``None``: not possible)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.read()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    @property
    def sliceable(self) -> bool:
        """Whether :meth:`read_part` reads only the part asked for."""
        return self._read_slice is not None

    def read_part(self, axis: int, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of ``axis`` (only those are read from the file when :attr:`sliceable`)."""
        index = (slice(None),) * axis + (slice(start, stop),)
        if self._read_slice is None:
            return np.ascontiguousarray(self.read()[index])
        part = np.asarray(self._read_slice(index))
        want = self.shape[:axis] + (max(0, min(stop, self.shape[axis]) - start),) + self.shape[axis + 1:]
        if tuple(part.shape) != want:  # pragma: no cover - a reader bug, not a file problem
            raise ValueError(f"Read a block of shape {part.shape}, expected {want}.")
        return part

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def read(self) -> np.ndarray:
        arr = np.asarray(self._read())
        if tuple(arr.shape) != self.shape:  # pragma: no cover - a reader bug, not a file problem
            raise ValueError(f"Read an array of shape {arr.shape}, expected {self.shape}.")
        return arr


def lazy_dataset(ds: Any, path: str = "", what: str = "weight") -> LazyArray:
    """A :class:`LazyArray` over an h5py dataset (checked for links/dtype now, read later)."""
    h5_guard.check_dataset(ds, path, expected_shape=tuple(ds.shape or ()), what=what)
    shape = tuple(ds.shape or ())
    return LazyArray(shape, lambda: h5_guard.read_dataset(ds, path, expected_shape=shape, what=what),
                     lambda index: h5_guard.read_dataset(ds, path, expected_shape=shape, what=what, selection=index))


def materialize(v: Any) -> np.ndarray:
    if isinstance(v, LazyArray):
        return v.read()
    return np.asarray(v)
