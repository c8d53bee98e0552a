"""Shared helpers of the reliability/security tests (hostile files, kill -9, resume, soak)."""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "compat" / "fixtures" / "files"
HERE = pathlib.Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture
def keras():
    import keras_torch

    return keras_torch


@pytest.fixture
def no_hang():
    """Abort the whole run with a traceback if the test body hangs (C code cannot be interrupted)."""

    @contextlib.contextmanager
    def guard(seconds: float = 60.0):
        faulthandler.dump_traceback_later(seconds, exit=True)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()

    return guard


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for helper subprocesses: the repo importable, one thread each, no GPU."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    env["CUDA_VISIBLE_DEVICES"] = ""
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env
