"""The wheel ships what an installed keras_torch needs besides its modules: ``py.typed`` (type checkers
then read keras_torch's annotations instead of treating every name as ``Any``), the C++ kernel source
and the bundled dataset."""

import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_py_typed_marker_is_in_the_package():
    assert (ROOT / "keras_torch" / "py.typed").is_file()


@pytest.mark.slow
def test_wheel_contents(tmp_path):
    src = tmp_path / "src"  # (a copy: building writes build/ and .egg-info next to the sources)
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "keras_torch", src / "keras_torch", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(src)], check=True, timeout=600, cwd=tmp_path)
    (wheel,) = tmp_path.glob("keras_torch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "keras_torch/py.typed" in names
    assert "keras_torch/layers/rnn/_lstm_loop.cpp" in names
    assert any(n.startswith("keras_torch/datasets/data/") for n in names)
