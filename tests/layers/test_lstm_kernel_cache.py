"""The relu-LSTM kernel cache: one build per environment, and a line on stderr whenever one starts."""

import types

import pytest

from keras_torch.layers.rnn import _cpp


def test_two_virtualenvs_get_separate_builds(monkeypatch):
    code = _cpp.SOURCE.read_bytes()
    env = _cpp.build_environment()
    other_venv = dict(env, torch_dir="/venvs/b/lib/python3.11/site-packages/torch")
    assert _cpp._name(code, env) != _cpp._name(code, other_venv)
    assert _cpp._name(code, env) == _cpp._name(code, dict(env))  # stable: the same environment reuses it
    assert _cpp._name(code, env) != _cpp._name(code + b"// changed", env)
    assert _cpp._name(code, dict(env, cxx="clang++")) != _cpp._name(code, env)


@pytest.fixture
def fake_build(monkeypatch, tmp_path):
    """cpp_extension.load replaced by one that 'builds' the library file."""
    from torch.utils import cpp_extension

    builds = []

    def load(name, sources, **kwargs):
        builds.append(name)
        out = tmp_path / name
        out.mkdir(exist_ok=True)
        (out / f"{name}.so").write_bytes(b"")
        return types.SimpleNamespace(forward_loop="fwd", backward_loop="bwd")

    monkeypatch.setattr(_cpp, "STATUS", _cpp.STATUS)  # (restored afterwards)
    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_TORCH_BUILD_KERNELS", "1")
    monkeypatch.setattr(cpp_extension, "load", load)
    monkeypatch.setattr(cpp_extension, "is_ninja_available", lambda: True)
    monkeypatch.setattr(_cpp.shutil, "which", lambda exe: "/usr/bin/" + exe)
    return builds


def test_a_build_is_announced_once_per_environment(fake_build, monkeypatch, capsys):
    assert _cpp.loops() == ("fwd", "bwd") and _cpp.STATUS == "compiled"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "building the CPU relu-LSTM kernel for this environment" in err
    assert fake_build[0] in err  # where it is cached

    _cpp.loops()  # built: silent
    assert capsys.readouterr().err == ""

    env = dict(_cpp.build_environment(), torch_dir="/venvs/b/torch")
    monkeypatch.setattr(_cpp, "build_environment", lambda: env)
    _cpp.loops()  # another virtualenv: its own build, announced
    assert "building the CPU relu-LSTM kernel" in capsys.readouterr().err
    assert len(set(fake_build)) == 2
