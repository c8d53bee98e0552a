"""``tf.io`` stand-in: reading and writing whole files, ``tf.io.gfile`` on the local file system,
and the image decoders (also in ``tf.image``)."""

from __future__ import annotations

import glob as _glob
import os
import shutil
from typing import Any

from keras_torch.launcher.tf.image import decode_bmp, decode_image, decode_jpeg, decode_png  # noqa: F401
from keras_torch.utils.string_tensor import StringTensor, as_string_tensor, to_bytes, to_text
from keras_torch.utils.unsupported import unsupported


def _path(filename: Any) -> str:
    return to_text(as_string_tensor(filename).reshape(-1)[0].item()) if not isinstance(filename, str) else filename


def read_file(filename: Any, name: str | None = None) -> StringTensor:
    """The file's bytes as a scalar string tensor."""
    with open(_path(filename), "rb") as f:
        return StringTensor(f.read())


def write_file(filename: Any, contents: Any, name: str | None = None) -> None:
    path = _path(filename)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(to_bytes(as_string_tensor(contents).reshape(-1)[0].item()))


class gfile:  # noqa: N801 - tf.io.gfile namespace
    """``tf.io.gfile`` on local paths (TensorFlow's cloud file systems are not available)."""

    GFile = staticmethod(open)

    @staticmethod
    def exists(path: str) -> bool:
        return os.path.exists(path)

    @staticmethod
    def isdir(path: str) -> bool:
        return os.path.isdir(path)

    @staticmethod
    def listdir(path: str) -> list[str]:
        return sorted(os.listdir(path))

    @staticmethod
    def glob(pattern: str) -> list[str]:
        return sorted(_glob.glob(pattern))

    @staticmethod
    def makedirs(path: str) -> None:
        os.makedirs(path, exist_ok=True)

    @staticmethod
    def mkdir(path: str) -> None:
        os.mkdir(path)

    @staticmethod
    def remove(path: str) -> None:
        os.remove(path)

    @staticmethod
    def rmtree(path: str) -> None:
        shutil.rmtree(path)

    @staticmethod
    def copy(src: str, dst: str, overwrite: bool = False) -> None:
        if os.path.exists(dst) and not overwrite:
            raise FileExistsError(f"{dst} exists (pass overwrite=True).")
        shutil.copyfile(src, dst)

    @staticmethod
    def walk(top: str, topdown: bool = True, onerror: Any = None) -> Any:
        return os.walk(top, topdown=topdown, onerror=onerror)


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.io.{name}")
