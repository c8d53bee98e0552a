"""``model.save(path, zipped=False)`` never deletes what it did not write (finding 4 of issue #22)."""

from __future__ import annotations

import os
import sys

import pytest
from _rel_models import fill, mlp

MEMBERS = {"config.json", "metadata.json", "model.weights.h5"}


def _model(keras, value: float):
    model = mlp(keras, compiled=False)
    fill(model, value)
    return model


def _value(keras, path) -> float:
    return float(keras.models.load_model(path, compile=False).get_weights()[0].flat[0])


def test_save_onto_directory_keeps_the_users_files(keras, tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    (target / "sub").mkdir()
    (target / "sub" / "data.bin").write_bytes(b"\x00" * 10)
    _model(keras, 1.0).save(target, zipped=False)
    _model(keras, 2.0).save(target, zipped=False)
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "sub" / "data.bin").read_bytes() == b"\x00" * 10
    assert set(os.listdir(target)) == MEMBERS | {"notes.txt", "sub"}
    assert _value(keras, target) == 2.0
    assert sorted(os.listdir(tmp_path)) == ["precious"]  # no staging directory left behind


def test_save_onto_previous_save_swaps_the_whole_directory(keras, tmp_path):
    target = tmp_path / "m"
    _model(keras, 1.0).save(target, zipped=False)
    inode = os.stat(target).st_ino
    _model(keras, 3.0).save(target, zipped=False)
    assert set(os.listdir(target)) == MEMBERS
    assert _value(keras, target) == 3.0
    assert sorted(os.listdir(tmp_path)) == ["m"]
    if sys.platform.startswith("linux"):  # exchanged as a whole (renameat2), not member by member
        assert os.stat(target).st_ino != inode


def test_save_through_a_symlinked_directory(keras, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep.txt").write_text("x")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for value in (1.0, 4.0):
        _model(keras, value).save(link, zipped=False)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert set(os.listdir(real)) == MEMBERS | {"keep.txt"}
    assert sorted(os.listdir(tmp_path)) == ["link", "real"]  # no stray temporary symlink or folder
    assert _value(keras, link) == 4.0


def test_save_onto_a_file_is_refused(keras, tmp_path):
    target = tmp_path / "plain"
    target.write_text("not a directory")
    with pytest.raises(FileExistsError, match="not a directory"):
        _model(keras, 1.0).save(target, zipped=False)
    assert target.read_text() == "not a directory"
    assert sorted(os.listdir(tmp_path)) == ["plain"]
