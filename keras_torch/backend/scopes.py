"""``keras.name_scope`` and ``keras.device``: context managers for variable paths and tensor placement."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import torch

from keras_torch.core import config as _config


class _ScopeStack(threading.local):
    def __init__(self) -> None:
        self.scopes: list[name_scope] = []


_SCOPES = _ScopeStack()


def current_path() -> str:
    """``"outer/inner"`` for the active name scopes (``""`` outside any)."""
    parts: list[str] = []
    for scope in _SCOPES.scopes:
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)


class name_scope:  # noqa: N801 - Keras's name
    """Prefix the paths of variables created inside with ``name`` (nested scopes join with ``/``).

    Args:
        name: Scope name (no ``/``).
        caller: The object opening the scope (a layer); with ``deduplicate``, re-entering the
            innermost scope with the same name and caller adds no level.
        deduplicate: See ``caller``.
        override_parent: An absolute path replacing the enclosing scopes' path while inside.

    Example:

    >>> with keras.name_scope("block1"):
    ...     v = keras.Variable(1.0, name="w")
    >>> v.path
    'block1/w'
    """

    def __init__(self, name: str, caller: Any = None, deduplicate: bool = True,
                 override_parent: str | None = None) -> None:
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: "
                             f"name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = False  # whether __enter__ added a level (and __exit__ must remove it)

    def __enter__(self) -> name_scope:
        stack = _SCOPES.scopes
        if self.deduplicate and stack and self.caller is not None and stack[-1].caller is self.caller \
                and stack[-1].name == self.name:
            return self
        stack.append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._pushed:
            _SCOPES.scopes.pop()
            self._pushed = False


def _torch_device(device_name: Any) -> torch.device:
    name = str(device_name).lower()
    if name.startswith("gpu"):
        name = "cuda" + name[3:]
    try:
        return torch.device(name)
    except RuntimeError as err:
        raise ValueError(f"Invalid device name: '{device_name}'. Expected e.g. 'cpu', 'gpu:0' or 'cuda:0'.") from err


@contextlib.contextmanager
def device(device_name: Any) -> Iterator[None]:
    """Create tensors, variables and models on ``device_name`` (``"cpu"``, ``"gpu:0"``, ``"cuda:1"``...) inside.

    Args:
        device_name: A Keras (``"gpu:0"``) or torch (``"cuda:0"``) device name.

    Raises:
        ValueError: The name is not a device.

    Yields:
        Nothing; the device applies while the ``with`` block runs.

    Example:

    >>> with keras.device("cpu"):
    ...     layer = keras.layers.Dense(2)
    ...     layer.build((None, 3))
    >>> layer.weight.device.type
    'cpu'
    """
    target = _torch_device(device_name)
    previous = _config.default_device()
    _config.set_device(target)
    try:
        with target:
            yield
    finally:
        _config.set_device(previous)
