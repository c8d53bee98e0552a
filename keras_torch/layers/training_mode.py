"""torch's ``training`` flags set by the library without choosing a torch mode for the user.

A keras_torch layer has two pieces of mode state: torch's ``training`` flag, which plain torch
modules inside a model read (a ``torch.nn.Dropout`` in a custom layer), and the torch mode a
user chose with ``train()`` / ``eval()`` (``Layer._torch_mode``), which decides top-level calls
made without ``training=``. The trainer's phases (fit trains, evaluate / predict infer) and the
exporters set the flags through this module, so that they never choose a mode in the user's place:
Keras code keeps Keras's rule, and a torch user's ``model.train()`` survives ``model.predict``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from torch import nn

from keras_torch.layers.base import Layer


def set_training_flags(module: nn.Module, mode: bool) -> None:
    """Set ``training`` on ``module`` and everything under it, as ``module.train(mode)`` would.

    keras_torch layers keep the torch mode their user chose; a plain torch module with its own
    ``train()`` (one that freezes part of itself, say) gets that method called.

    Args:
        module: The root module (a model, a layer or any ``torch.nn.Module``).
        mode: The flag value.
    """
    module.training = mode
    for child in module.children():
        if isinstance(child, Layer) or type(child).train is nn.Module.train:
            set_training_flags(child, mode)
        else:
            child.train(mode)


def switch_training_flags(module: nn.Module, mode: bool) -> Callable[[], None]:
    """:func:`set_training_flags`, returning the function that puts every flag and torch mode back.

    The whole state is restored, not just the root's flag: ``torch.onnx.export`` calls ``train()``
    on what it traces, and a sub-module may have been left in another mode on purpose.

    Args:
        module: The root module.
        mode: The flag value until the restore.

    Returns:
        The restore function (call it once, in a ``finally``).
    """
    saved = [(m, m.training, m._torch_mode if isinstance(m, Layer) else None) for m in module.modules()]
    set_training_flags(module, mode)

    def restore() -> None:
        for m, flag, chosen in saved:
            m.training = flag
            if isinstance(m, Layer):
                m._torch_mode = chosen

    return restore


@contextlib.contextmanager
def training_flags(module: nn.Module, mode: bool) -> Iterator[None]:
    """:func:`switch_training_flags` for the duration of the block."""
    restore = switch_training_flags(module, mode)
    try:
        yield
    finally:
        restore()
