"""What the tests that start ranks themselves share: a free local port and the environment of one
rank (the torchrun variables of the test run removed, one CPU thread, the repository importable)."""

from __future__ import annotations

import os
import pathlib
import socket

ROOT = pathlib.Path(__file__).resolve().parents[2]
_RANK_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_WORLD_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rank_env(timeout: int = 60, **extra: object) -> dict[str, str]:
    """``os.environ`` for a child process: CPU, one thread, ``KERAS_TORCH_DIST_TIMEOUT=timeout``, ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _RANK_VARS}
    env.update(OMP_NUM_THREADS="1", KERAS_TORCH_DEVICE="cpu", KERAS_TORCH_DIST_TIMEOUT=str(timeout),
               PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    env.update({k: str(v) for k, v in extra.items()})
    return env
