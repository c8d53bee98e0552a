"""Minimal nested-structure helpers (lists, tuples, dicts) used by layers and models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def flatten(x: Any) -> list[Any]:
    """Leaves of a nested list/tuple/dict structure, dict values in key order."""
    if isinstance(x, (list, tuple)):
        out: list[Any] = []
        for v in x:
            out.extend(flatten(v))
        return out
    if isinstance(x, dict):
        out = []
        for k in sorted(x) if _sortable(x) else x:
            out.extend(flatten(x[k]))
        return out
    return [x]


def _sortable(d: dict) -> bool:
    return all(isinstance(k, str) for k in d)


def map_structure(fn: Callable[[Any], Any], x: Any) -> Any:
    """Apply ``fn`` to every leaf, keeping the structure."""
    if isinstance(x, list):
        return [map_structure(fn, v) for v in x]
    if isinstance(x, tuple):
        return tuple(map_structure(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


def pack_like(structure: Any, flat: list[Any]) -> Any:
    """Inverse of :func:`flatten`."""
    it = iter(flat)

    def rebuild(s: Any) -> Any:
        if isinstance(s, list):
            return [rebuild(v) for v in s]
        if isinstance(s, tuple):
            return tuple(rebuild(v) for v in s)
        if isinstance(s, dict):
            keys = sorted(s) if _sortable(s) else list(s)
            vals = {k: rebuild(s[k]) for k in keys}
            return {k: vals[k] for k in s}
        return next(it)

    return rebuild(structure)


def is_nested(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict))
