"""keras.utils.get_file / extract_archive never write outside the target directory, and refuse zip bombs."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile

import pytest


def _zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in members:
            z.writestr(name, data)


@pytest.mark.parametrize("name", ["../escape.txt", "/tmp/kt_abs_escape.txt", "a/../../escape.txt"])
def test_zip_traversal_refused(name, tmp_path):
    from keras_torch.utils.file_utils import extract_archive

    archive = tmp_path / "a.zip"
    _zip(archive, [("ok.txt", b"ok"), (name, b"pwned")])
    target = tmp_path / "out"
    with pytest.raises(ValueError, match="path traversal"):
        extract_archive(str(archive), str(target))
    assert not (tmp_path / "escape.txt").exists() and not os.path.exists("/tmp/kt_abs_escape.txt")
    assert not target.exists() or not any(target.iterdir())


def test_tar_symlink_escape_refused(tmp_path):
    from keras_torch.utils.file_utils import extract_archive

    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w") as t:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc"
        t.addfile(info)
        data = b"pwned"
        info = tarfile.TarInfo("link/passwd_copy")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    with pytest.raises(ValueError):
        extract_archive(str(archive), str(tmp_path / "out"))


def test_zip_bomb_refused(tmp_path, monkeypatch):
    from keras_torch.utils import file_utils

    archive = tmp_path / "bomb.zip"
    _zip(archive, [("zeros.bin", bytes(8 << 20))], compression=zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(file_utils, "EXTRACT_BOMB_FLOOR_BYTES", 1 << 20)
    with pytest.raises(ValueError, match="decompression bomb"):
        file_utils.extract_archive(str(archive), str(tmp_path / "out"))
    assert not (tmp_path / "out" / "zeros.bin").exists()
    monkeypatch.setattr(file_utils, "EXTRACT_BOMB_FLOOR_BYTES", 1 << 28)
    assert file_utils.extract_archive(str(archive), str(tmp_path / "out"))  # below the floor: fine
