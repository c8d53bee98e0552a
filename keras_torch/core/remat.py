"""Rematerialization (gradient checkpointing): ``keras.remat`` and ``keras.RematScope`` on ``torch.utils.checkpoint``.

A layer created inside a :class:`RematScope` keeps the scope's :class:`RematMode`; when it is then
called with gradients enabled, :meth:`RematMode.run` decides whether its forward pass is
recomputed during backward instead of keeping its activations:

* ``"full"`` -- every layer;
* ``"list_of_layers"`` -- the layers named in ``layer_names``;
* ``"larger_than"`` -- layers whose outputs hold more than ``output_size_threshold`` values
  (measured on the layer's first call, which runs normally);
* ``"activations"`` -- layers with an ``activation``. Keras recomputes only the activation
  function; keras_torch recomputes the whole layer call (same values and gradients, a little
  more compute for more memory saved).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import torch
from torch.utils.checkpoint import checkpoint

from keras_torch.core import tree

_MODES = ("full", "activations", "larger_than", "list_of_layers", None)


def remat(f: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``f`` so its intermediate results are recomputed in the backward pass instead of stored.

    Args:
        f: A function or layer of tensors.

    Returns:
        A function with the same signature and results as ``f``.

    Example:

    >>> dense = keras.layers.Dense(4)
    >>> recomputed = keras.remat(dense)
    >>> recomputed(np.ones((2, 3), "float32")).shape
    torch.Size([2, 4])
    """

    @functools.wraps(f)
    def rematerialized(*args: Any, **kwargs: Any) -> Any:
        if not torch.is_grad_enabled():
            return f(*args, **kwargs)
        return checkpoint(f, *args, use_reentrant=False, **kwargs)

    return rematerialized


class RematMode(NamedTuple):
    """The rematerialization settings a layer was created with."""

    mode: str | None
    output_size_threshold: int
    layer_names: list[str]

    def wants(self, layer: Any) -> bool | None:
        """Whether ``layer``'s call is recomputed; ``None`` when its output size is not known yet."""
        if self.mode == "full":
            return True
        if self.mode == "list_of_layers":
            return layer.name in self.layer_names
        if self.mode == "activations":
            return getattr(layer, "activation", None) is not None
        if self.mode == "larger_than":
            return _OUTPUT_SIZES.get(layer)
        return False

    def run(self, layer: Any, forward: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``forward(*args, **kwargs)``, rematerialized when :meth:`wants` says so."""
        decision = self.wants(layer)
        if decision is None:  # "larger_than", first call: run plainly and measure
            outputs = forward(*args, **kwargs)
            size = sum(t.numel() for t in tree.flatten(outputs) if isinstance(t, torch.Tensor))
            _OUTPUT_SIZES[layer] = size > self.output_size_threshold
            return outputs
        if decision:
            return remat(forward)(*args, **kwargs)
        return forward(*args, **kwargs)


# "larger_than" decisions per layer (weak keys: the table never keeps a layer alive).
_OUTPUT_SIZES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _ScopeStack(threading.local):
    def __init__(self) -> None:
        self.scopes: list[RematScope] = []


_STACK = _ScopeStack()


class RematScope:
    """Layers created inside this context recompute their forward pass during backward (see module doc).

    Args:
        mode: ``"full"``, ``"activations"``, ``"larger_than"``, ``"list_of_layers"`` or ``None`` (off).
        output_size_threshold: Output size above which ``"larger_than"`` applies.
        layer_names: Layer names for ``"list_of_layers"``.

    Raises:
        ValueError: Unknown ``mode``.

    Example:

    >>> with keras.RematScope(mode="full"):
    ...     layer = keras.layers.Dense(4)  # its activations are recomputed in the backward pass
    >>> layer(np.ones((2, 3))).shape
    torch.Size([2, 4])
    """

    def __init__(self, mode: str | None = "full", output_size_threshold: int = 1024,
                 layer_names: list[str] | None = None) -> None:
        if mode not in _MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', 'activations', 'larger_than', "
                             "'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def __enter__(self) -> RematScope:
        _STACK.scopes.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _STACK.scopes.remove(self)


def current_remat_mode() -> RematMode | None:
    """The innermost active scope's settings (``None`` outside any scope or when its mode is ``None``)."""
    if not _STACK.scopes:
        return None
    scope = _STACK.scopes[-1]
    if scope.mode is None:
        return None
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)
