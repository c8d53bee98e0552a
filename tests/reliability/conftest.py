"""Fixtures of the reliability/security tests (hostile files, kill -9, resume, soak)."""

from __future__ import annotations

import contextlib
import faulthandler
import pathlib
import sys

import pytest

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
