"""Keep freed large blocks of host memory in the process for reuse (glibc ``malloc`` settings).

Why: glibc serves every allocation above its mmap threshold (32 MiB at most) with a fresh ``mmap``
and unmaps it on ``free``, so each large activation of a forward pass (a ResNet-50 at batch 32 makes
25-100 MiB ones) lands in new pages that the kernel zero-fills on first touch: about a third of that
model's CPU inference time. TensorFlow's allocator and torch's CUDA caching allocator keep freed
memory for the next tensor; this does the same for torch's CPU tensors by telling glibc to serve
large blocks from its heap (``M_MMAP_MAX = 0``) and to keep up to ``trim`` bytes of free heap
(``M_TRIM_THRESHOLD``). The cost: the process's resident memory stays near its peak, as with
TensorFlow.

Applied once, with the thread policy, by the first ``fit``/``evaluate``/``predict`` on a glibc
system. Left alone when the user already tuned ``malloc`` (``MALLOC_*`` variables, or a preloaded
jemalloc/tcmalloc/mimalloc) or set ``KERAS_TORCH_RETAIN_MEMORY=0``.
"""

from __future__ import annotations

import ctypes
import os

_ENV = "KERAS_TORCH_RETAIN_MEMORY"
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_TRIM_BYTES = 1 << 31  # free heap kept for reuse before glibc returns the top of it to the system
_USER_SETTINGS = ("MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
_OTHER_ALLOCATORS = ("jemalloc", "tcmalloc", "mimalloc")

STATE = {"applied": False, "retaining": False, "reason": "not applied yet"}


def wanted(env: dict[str, str]) -> tuple[bool, str]:
    """Whether to retain freed memory, and why (from the environment).

    Args:
        env: The environment variables (``os.environ``).

    Returns:
        ``(retain, reason)``.
    """
    value = env.get(_ENV, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False, f"{_ENV}={value}"
    forced = value in ("1", "true", "yes", "on")
    if not forced:
        for name in _USER_SETTINGS:
            if env.get(name, "").strip():
                return False, f"{name} is set"
        if "malloc" in env.get("GLIBC_TUNABLES", ""):
            return False, "GLIBC_TUNABLES sets malloc"
        preload = env.get("LD_PRELOAD", "").lower()
        for lib in _OTHER_ALLOCATORS:
            if lib in preload:
                return False, f"{lib} is preloaded"
    return True, f"{_ENV}={value}" if forced else "auto"


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()
        return libc if hasattr(libc, "mallopt") else None
    except (OSError, AttributeError):
        return None


def retain_freed_memory() -> bool:
    """Apply the setting once for this process (see the module docstring).

    Returns:
        Whether freed large blocks are now kept for reuse.
    """
    if STATE["applied"]:
        return bool(STATE["retaining"])
    STATE["applied"] = True
    retain, reason = wanted(dict(os.environ))
    libc = _glibc() if retain else None
    if retain and libc is None:
        retain, reason = False, "not glibc"
    if retain:
        ok = libc.mallopt(_M_MMAP_MAX, 0) == 1 and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_BYTES) == 1
        retain, reason = ok, reason if ok else "mallopt refused"
    STATE["retaining"], STATE["reason"] = retain, reason
    return retain
