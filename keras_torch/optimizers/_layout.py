"""Keras-layout views of model variables, for optimizers whose update is not elementwise.

keras_torch stores some weights in a torch layout (a Dense kernel ``(out, in)``, a conv kernel
``(out, in, *k)``); a variable created by ``Layer.add_weight`` carries the ``to_keras`` /
``to_torch`` converters of its layout. Elementwise updates are layout-blind, but an update that
reduces over particular axes (Adafactor's factored second moments) must see Keras's axes.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def converters(variable: torch.Tensor) -> tuple[Callable, Callable] | None:
    """``(to_keras, to_torch)`` of ``variable``'s layout, or ``None`` if it is stored in Keras layout."""
    to_keras = getattr(variable, "to_keras", None)
    to_torch = getattr(variable, "to_torch", None)
    if callable(to_keras) and callable(to_torch):
        return to_keras, to_torch
    return None


def keras_shape(variable: torch.Tensor) -> tuple[int, ...]:
    """The shape Keras gives ``variable``."""
    conv = converters(variable)
    return tuple((conv[0](variable.detach()) if conv else variable).shape)


def to_keras(variable: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``t`` (in ``variable``'s stored layout) in Keras layout."""
    conv = converters(variable)
    return conv[0](t) if conv else t


def to_torch(variable: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``t`` (Keras layout) in ``variable``'s stored layout."""
    conv = converters(variable)
    return conv[1](t) if conv else t
