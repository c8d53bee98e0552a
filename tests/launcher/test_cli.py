"""``keras-torch`` command line: one-line errors with the right exit status, inputs untouched,
nothing written on failure, what was written printed, help on every option."""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

import keras_torch as keras
from keras_torch.launcher.cli import build_parser, main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A folder with Keras files in every format, a text file named .h5 and a truncated .h5."""
    d = tmp_path_factory.mktemp("cli")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    model.save(d / "plain.keras")
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((4, 4), "float32"), np.zeros((4, 2), "float32"), verbose=0)
    model.save(d / "mm.h5")
    model.save(d / "mm.keras")
    model.save_weights(d / "mm.weights.h5")
    (d / "text.h5").write_text("hello\n")
    (d / "trunc.h5").write_bytes((d / "mm.h5").read_bytes()[:1500])
    return d


def _snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()} | {
        p.name + "/": "dir" for p in folder.iterdir() if p.is_dir()}


def _run(files, capsys, *argv):
    """``main(argv)`` in ``files``: (status, stdout, stderr lines); asserts nothing else appeared."""
    before = _snapshot(files)
    cwd = os.getcwd()
    os.chdir(files)
    try:
        status = main(list(argv))
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return status, out, err.splitlines(), before


ERRORS = [
    # (argv, status, words of the message)
    (["export", "mm.h5", "mm.h5"], 2, ["refusing to overwrite the input 'mm.h5'", "mm.onnx"]),
    (["export", "mm.keras", "./mm.keras"], 2, ["refusing to overwrite the input"]),
    (["export", "mm.h5", "out.h5"], 2, ["must end with .onnx", "'out.h5'"]),
    (["convert", "mm.h5", "mm.h5"], 2, ["refusing to overwrite the input 'mm.h5'"]),
    (["convert", "mm.h5", "out.onnx"], 2, ["must end with .pt or .pth"]),
    (["export", "mm.h5"], 2, ["required: output", "keras-torch export --help"]),
    (["export", "mm.h5", "x.onnx", "--opset"], 2, ["--opset: expected one argument"]),
    (["export", "mm.h5", "x.onnx", "--opset", "fifteen"], 2, ["invalid int value: 'fifteen'"]),
    (["frobnicate"], 2, ["invalid choice: 'frobnicate'"]),
    ([], 2, ["required: COMMAND"]),
    (["export", "missing.h5", "out.onnx"], 1, ["No such file or directory: 'missing.h5'"]),
    (["convert", "missing.keras", "out.pt"], 1, ["No such file or directory: 'missing.keras'"]),
    (["inspect", "missing.keras"], 1, ["No such file or directory: 'missing.keras'"]),
    (["export", "text.h5", "out.onnx"], 1, ["'text.h5' is neither an HDF5 file", "b'hello\\n'"]),
    (["inspect", "text.h5"], 1, ["'text.h5' is neither an HDF5 file"]),
    (["export", "trunc.h5", "out.onnx"], 1, ["'trunc.h5'", "truncated or corrupted"]),
    (["convert", "trunc.h5", "out.pt"], 1, ["'trunc.h5'", "truncated or corrupted"]),
    (["inspect", "trunc.h5"], 1, ["'trunc.h5'", "truncated or corrupted"]),
    (["export", "mm.h5", "no_such_dir/out.onnx"], 1, ["the folder", "no_such_dir' does not exist"]),
    (["convert", "mm.h5", "no_such_dir/out.pt"], 1, ["no_such_dir' does not exist"]),
]


@pytest.mark.parametrize("argv,status,words", ERRORS, ids=[" ".join(a) or "(none)" for a, _, _ in ERRORS])
def test_errors_are_one_line_with_the_status_and_touch_nothing(files, capsys, argv, status, words):
    got, out, err, before = _run(files, capsys, *argv)
    assert got == status
    assert len(err) == 1 and err[0].startswith("keras-torch: error: "), err
    assert all(w in err[0] for w in words), err[0]
    assert "Traceback" not in err[0] and out == ""
    assert _snapshot(files) == before  # inputs untouched, nothing created


def test_debug_shows_the_traceback(files, capsys):
    status, _, err, _ = _run(files, capsys, "--debug", "inspect", "trunc.h5")
    assert status == 1 and err[0].startswith("Traceback") and "truncated or corrupted" in err[-1]
    status, _, err, _ = _run(files, capsys, "inspect", "--debug", "trunc.h5")
    assert status == 1 and err[0].startswith("Traceback")


def test_export_that_fails_its_check_writes_nothing(files, capsys, monkeypatch):
    pytest.importorskip("onnxruntime")
    from keras_torch.export import ExportError, onnx

    def refuse(*args, **kwargs):
        raise ExportError("ONNX output 0 differs from the model")

    monkeypatch.setattr(onnx, "verify_onnx", refuse)
    status, _, err, before = _run(files, capsys, "export", "mm.h5", "out.onnx")
    assert status == 1 and err == ["keras-torch: error: ONNX output 0 differs from the model"]
    assert _snapshot(files) == before


def test_export_and_convert_print_what_they_wrote(files, capsys, tmp_path):
    pytest.importorskip("onnxruntime")
    out_onnx, out_pt = tmp_path / "m.onnx", tmp_path / "m.pt"
    status, out, err, _ = _run(files, capsys, "export", "mm.h5", str(out_onnx))
    assert status == 0 and err == []
    assert out.startswith(f"Exported mm.h5 -> {out_onnx} (inputs: ") and out_onnx.exists()
    status, out, err, _ = _run(files, capsys, "convert", "mm.keras", str(out_pt))
    assert status == 0 and err == [] and out == f"Converted mm.keras -> {out_pt} (torch state_dict; load it with torch.load)\n"
    import torch

    assert set(torch.load(out_pt)) == set(keras.models.load_model(files / "mm.keras").state_dict())
    assert len(torch.load(out_pt)) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx", "m.pt"]  # no temp files left


def test_inspect_reports_compile_state_backend_and_weights_only_files(files, capsys):
    _, out, _, _ = _run(files, capsys, "inspect", "mm.keras")
    assert "Compiled:      True" in out and "Backend:       torch (keras_torch " in out
    _, out, _, _ = _run(files, capsys, "inspect", "plain.keras")
    assert "Compiled:      False" in out
    _, out, _, _ = _run(files, capsys, "inspect", "mm.h5")
    assert "Compiled:      True" in out and "Backend:       torch\n" in out
    _, out, _, _ = _run(files, capsys, "inspect", "mm.weights.h5")
    lines = out.splitlines()
    assert "Layers (weights only):" in lines
    assert lines[lines.index("  layers/dense") + 1].split() == ["vars/0", "(4,", "3)"]
    assert "  layers/dense_1" in lines and "  optimizer" in lines


def test_inspect_real_keras_files():
    from keras_torch.launcher.file_commands import inspect_file

    fixtures = os.path.join(REPO, "compat", "fixtures", "files")
    printed = []
    inspect_file(os.path.join(fixtures, "k3_compiled.keras"), print_fn=printed.append)
    assert "Compiled:      True" in printed and "Backend:       not recorded in .keras files" in printed
    printed.clear()
    inspect_file(os.path.join(fixtures, "k3_mlp.keras"), print_fn=printed.append)
    assert "Compiled:      False" in printed


def _actions(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)
        else:
            yield parser.prog, action


def test_every_option_and_argument_has_help():
    undocumented = [f"{prog} {a.option_strings or a.dest}" for prog, a in _actions(build_parser())
                    if not a.help or a.help == argparse.SUPPRESS]
    assert undocumented == []


def test_version_and_exit_status_through_the_entry_point(files):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-m", "keras_torch", "--version"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 0 and res.stdout.startswith(f"keras-torch {keras.__version__} (Keras 3.15.1 API, torch ")
    res = subprocess.run([sys.executable, "-m", "keras_torch", "export", "mm.h5", "mm.h5"], capture_output=True,
                         text=True, env=env, cwd=files, timeout=120)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and res.stderr.startswith("keras-torch: error: ")
    res = subprocess.run([sys.executable, "-m", "keras_torch", "inspect", "trunc.h5"], capture_output=True,
                         text=True, env=env, cwd=files, timeout=120)
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "truncated or corrupted" in res.stderr
