"""Paths and subprocess settings shared by the reliability tests and their workers."""

from __future__ import annotations

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "compat" / "fixtures" / "files"
HERE = pathlib.Path(__file__).resolve().parent


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
