"""Keras default object names: ``dense``, ``dense_1``, ... unique per session; the class Keras names."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

_COUNTS: defaultdict[str, int] = defaultdict(int)
_UIDS: defaultdict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """``Conv2DTranspose`` → ``conv2d_transpose`` (Keras's rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def uniquify(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``..."""
    n = _COUNTS[base]
    _COUNTS[base] += 1
    return base if n == 0 else f"{base}_{n}"


def session_uid(prefix: str = "") -> int:
    """1, 2, 3... for successive calls with the same ``prefix``, restarted by :func:`reset` (tf-keras's
    ``backend.get_uid``, which names e.g. the unnamed blocks of some applications)."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids() -> None:
    """Restart every :func:`session_uid` counter."""
    _UIDS.clear()


def reset() -> None:
    """Forget every name and uid handed out (``keras.backend.clear_session``)."""
    _COUNTS.clear()
    _UIDS.clear()


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name_1``, ``name_2``... the first not in ``used``; adds it to ``used``."""
    full, k = name, 1
    while full in used:
        full = f"{name}_{k}"
        k += 1
    used.add(full)
    return full


def keras_class(obj: Any) -> type:
    """The class Keras knows ``obj`` by.

    Sharding a layer with FSDP2 (``fully_shard``) puts a generated subclass in front of its class
    (``FSDPDense``); configs, files and summaries name the class it extends (``Dense``), found
    where FSDP2 itself finds it (``_orig_cls_mro_index``).
    """
    cls = type(obj)
    index = getattr(cls, "_orig_cls_mro_index", None)
    return cls.__mro__[index] if isinstance(index, int) and index < len(cls.__mro__) else cls
