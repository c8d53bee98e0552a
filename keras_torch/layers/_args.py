"""Constructor-argument checks shared by the layer modules, and the layer registration decorator.

Error messages follow real Keras for each argument kind and name the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from keras_torch.core import omissions, registry

_T = TypeVar("_T", bound=type)


def register_layer(*names: str) -> Callable[[_T], _T]:
    """Register a layer class under its class name (and aliases) in the ``layers`` category.

    Args:
        *names: Names to register; default: the class name.

    Returns:
        A class decorator.
    """

    def deco(cls: _T) -> _T:
        return registry.register(*(names or (cls.__name__,)), category="layers")(cls)

    return deco


def check_positive_int(layer: str, arg: str, value: Any) -> int:
    """``value`` as an int > 0 (Dense/RNN wording of the Keras error: ``units``, ``output_dim``...)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{arg}`, expected a positive integer. Received: {arg}={value!r} "
            f"(layer {layer})"
        )
    return int(value)


def check_strictly_positive(layer: str, arg: str, value: Any) -> int:
    """``value`` as an int > 0 (convolution wording of the Keras error: ``filters``, ``groups``...)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Layer '{layer}': invalid value for argument `{arg}`. Expected a strictly positive integer. "
            f"Received {arg}={value!r}."
        )
    return int(value)


def check_rate(layer: str, value: Any, arg: str = "rate") -> float:
    """``value`` as a float in ``[0, 1]`` (dropout rates)."""
    value = float(value)
    if not 0 <= value <= 1:
        raise ValueError(
            f"Invalid value received for argument `{arg}`. Expected a float value between 0 and 1. "
            f"Received: {arg}={value} (layer {layer})"
        )
    return value


def standardize_tuple(layer: str, value: Any, n: int, arg: str, allow_zero: bool = False) -> tuple[int, ...]:
    """``int`` or iterable of ``n`` ints → tuple of ``n`` ints (``ValueError`` naming the layer)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            out = ()
        if len(out) != n:
            raise ValueError(
                f"Layer '{layer}': the `{arg}` argument must be a tuple of {n} integers. Received {arg}={value!r}"
            )
    if any(v < 0 or (v == 0 and not allow_zero) for v in out):
        req = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"Layer '{layer}': the `{arg}` argument must have values {req}. Received {arg}={value!r}")
    return out


def standardize_padding(layer: str, value: Any, allow_causal: bool = False) -> str:
    """``"valid"``/``"same"`` (and ``"causal"`` where allowed), case-insensitive."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = str(value).lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"Layer '{layer}': the `padding` argument must be one of {allowed}. Received: {value!r}")
    return padding


def reject_quantization(layer: str, **args: Any) -> None:
    """Raise the documented omission error for each quantization argument set (``None`` is accepted).

    Args:
        layer: The layer name, for the message.
        **args: The quantization arguments as received (``quantization_config=...``).

    Raises:
        NotProvidedError: If one of them is not ``None`` (keras_torch does not provide ``keras.quantizers``).
    """
    for arg, value in args.items():
        if value is not None:
            raise omissions.NotProvidedError(f"Layer '{layer}': {arg}={value!r} needs weight quantization. "
                                             f"{omissions.message('quantizers')}")
