"""Constructor-argument checks shared by the layer modules, and the layer registration decorator.

Error messages follow real Keras for each argument kind and name the layer.
"""

from __future__ import annotations

import math
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


# Sizes, strides, paddings... above this are corrupted or hostile configs (torch's kernels index in 32 bits).
MAX_DIM = 2**31 - 1


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _is_finite(value: Any) -> bool:
    """A finite number, Python ints of any size included (``np.isfinite(2**64)`` raises a TypeError)."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float (10**400)
        return False


def check_rate(layer: str, value: Any, arg: str = "rate") -> float:
    """``value`` as a float in ``[0, 1]`` (dropout rates)."""
    if not _is_number(value) or not 0 <= value <= 1:
        raise ValueError(
            f"Invalid value received for argument `{arg}`. Expected a float value between 0 and 1. "
            f"Received: {arg}={value!r} (layer {layer})"
        )
    return float(value)


def check_float(layer: str, arg: str, value: Any, min_value: float | None = None, max_value: float | None = None,
                allow_none: bool = False, exclusive_min: bool = False, allow_nan: bool = False) -> float | None:
    """``value`` as a finite float within ``[min_value, max_value]`` (``ValueError`` naming the layer otherwise).

    Args:
        layer: The layer's name, for the message.
        arg: The argument's name.
        value: What the layer received.
        min_value / max_value: Bounds (inclusive; ``exclusive_min`` excludes ``min_value``).
        allow_none: ``None`` is a valid value (returned as is).
        allow_nan: NaN and infinities are valid (a value compared against, not computed with).
    """
    if value is None and allow_none:
        return None
    ok = _is_number(value) and (allow_nan or _is_finite(value))
    if ok and min_value is not None:
        ok = value > min_value if exclusive_min else value >= min_value
    if ok and max_value is not None:
        ok = value <= max_value
    if not ok:
        bounds = ""
        if min_value is not None:
            bounds += f" {'>' if exclusive_min else '>='} {min_value}"
        if max_value is not None:
            bounds += f"{' and' if bounds else ''} <= {max_value}"
        raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected a {'' if allow_nan else 'finite '}number{bounds}"
                         f"{' or None' if allow_none else ''}. Received {arg}={value!r}.")
    return float(value)


def check_int(layer: str, arg: str, value: Any, min_value: int | None = None, allow_none: bool = False,
              max_value: int = MAX_DIM) -> int | None:
    """``value`` as an int in ``[min_value, max_value]`` (``ValueError`` naming the layer otherwise)."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or (
            min_value is not None and value < min_value) or value > max_value:
        bound = f" >= {min_value}" if min_value is not None else ""
        bound += f" and <= {max_value}"
        raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected an integer{bound}"
                         f"{' or None' if allow_none else ''}. Received {arg}={value!r}.")
    return int(value)


def check_choice(layer: str, arg: str, value: Any, choices: tuple) -> Any:
    """``value`` if it is one of ``choices`` (strings compared lower-cased), else a ``ValueError`` listing them."""
    key = value.lower() if isinstance(value, str) else value
    for choice in choices:
        if (choice.lower() if isinstance(choice, str) else choice) == key and type(choice) is type(value):
            return choice
    raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected one of {choices}. "
                     f"Received {arg}={value!r}.")


def check_axis(layer: str, arg: str, value: Any, allow_none: bool = False, allow_list: bool = True,
               error: type[Exception] = ValueError) -> Any:
    """An axis (int) or, when ``allow_list``, a list/tuple of distinct ints (returned as given).

    ``error`` is the exception class raised (``TypeError`` where Keras raises one).
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if allow_list and isinstance(value, (list, tuple)) and value and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in value) \
            and len(set(value)) == len(value):
        return type(value)(int(a) for a in value)
    kind = "an integer or a list of distinct integers" if allow_list else "an integer"
    raise error(f"Layer '{layer}': invalid value for argument `{arg}`. Expected {kind}"
                     f"{' or None' if allow_none else ''}. Received {arg}={value!r}.")


def standardize_tuple(layer: str, value: Any, n: int, arg: str, allow_zero: bool = False) -> tuple[int, ...]:
    """``int`` or iterable of ``n`` ints → tuple of ``n`` ints (``ValueError`` naming the layer)."""
    if _is_integral(value):
        out = (int(value),) * n
    else:
        items = tuple(value) if isinstance(value, (list, tuple)) else ()
        out = tuple(int(v) for v in items) if all(_is_integral(v) for v in items) else ()
        if len(out) != n:
            raise ValueError(
                f"Layer '{layer}': the `{arg}` argument must be a tuple of {n} integers. Received {arg}={value!r}"
            )
    if any(v < 0 or (v == 0 and not allow_zero) or v > MAX_DIM for v in out):
        req = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"Layer '{layer}': the `{arg}` argument must have values {req} and <= {MAX_DIM}. "
                         f"Received {arg}={value!r}")
    return out


def _is_integral(v: Any) -> bool:
    """An int, or a float with an integral value (Keras's ``int(v)`` accepts ``2.0``), not a bool."""
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    return isinstance(v, (float, np.floating)) and bool(np.isfinite(v)) and float(v).is_integer()


def standardize_padding(layer: str, value: Any, allow_causal: bool = False) -> str:
    """``"valid"``/``"same"`` (and ``"causal"`` where allowed), case-insensitive."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = str(value).lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"Layer '{layer}': the `padding` argument must be one of {allowed}. Received: {value!r}")
    return padding


def check_numbers(layer: str, arg: str, value: Any, allow_none: bool = False) -> np.ndarray | None:
    """A number or a (nested) list of numbers as a float64 array (``mean=``, ``variance=``, ``scale=``...)."""
    if value is None and allow_none:
        return None
    try:
        arr = np.asarray(value) if not isinstance(value, (str, bytes, dict)) else None
    except (ValueError, TypeError):  # ragged nesting
        arr = None
    if arr is None or arr.dtype.kind not in "biuf" or arr.size == 0:
        raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected a number or a list of "
                         f"numbers{' or None' if allow_none else ''}. Received {arg}={value!r}.")
    return arr.astype(np.float64)


def check_shape(layer: str, arg: str, value: Any, allow_none: bool = False) -> tuple | None:
    """An int or a list/tuple of ints (``None`` for free dimensions) as a tuple: an output shape."""
    if value is None and allow_none:
        return None
    dims = (value,) if _is_integral(value) else tuple(value) if isinstance(value, (list, tuple)) else None
    if dims is None or not all(d is None or (_is_integral(d) and 0 < d <= MAX_DIM) for d in dims):
        raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected a positive integer or a "
                         f"list of positive integers (or None for free dimensions). Received {arg}={value!r}.")
    return tuple(None if d is None else int(d) for d in dims)


def check_dims(layer: str, arg: str, value: Any, allow_none: bool = False, free: bool = False,
               inferred: bool = False) -> tuple | None:
    """A list/tuple of sizes (``noise_shape=``, ``target_shape=``) as a tuple of ints.

    Args:
        layer: The layer's name, for the message.
        arg: The argument's name.
        value: What the layer received.
        allow_none: ``None`` (no shape) is valid and returned as is.
        free: Entries may be ``None`` (a size taken from the input).
        inferred: One entry may be ``-1`` (inferred from the other sizes; ``None`` entries count as it).
    """
    if value is None and allow_none:
        return None
    dims = tuple(value) if isinstance(value, (list, tuple)) else None
    ok = dims is not None and all((d is None and (free or inferred)) or (inferred and _is_integral(d) and d == -1)
                                  or (_is_integral(d) and 0 < d <= MAX_DIM) for d in dims)
    if ok and inferred:
        ok = sum(d is None or d == -1 for d in dims) <= 1
    if not ok:
        extra = " (None for a size taken from the input)" if free else \
            " (one of them may be -1 or None, inferred)" if inferred else ""
        raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected a list of positive "
                         f"integers{extra}{' or None' if allow_none else ''}. Received {arg}={value!r}.")
    return tuple(d if d is None else int(d) for d in dims)


def check_size(layer: str, arg: str, value: Any) -> int:
    """A positive size (``height=``, ``width=``...) as an int; an integral float such as ``2.0`` is accepted."""
    if not (_is_integral(value) and 0 < value <= MAX_DIM):
        raise ValueError(f"Layer '{layer}': invalid value for argument `{arg}`. Expected a positive integer "
                         f"(at most {MAX_DIM}). Received {arg}={value!r}.")
    return int(value)


def reject_quantization(layer: str, **args: Any) -> None:
    """Raise the documented omission error for each quantization argument set (``None`` is accepted).

    Args:
        layer: The layer name, for the message.
        **args: The quantization arguments as received (``quantization_config=...``).

    Raises:
        NotProvidedError: If one of them is not ``None`` (keras_torch does not implement ``model.quantize``).
    """
    for arg, value in args.items():
        if value is not None:
            raise omissions.NotProvidedError(f"Layer '{layer}': {arg}={value!r} needs weight quantization. "
                                             f"{omissions.message('quantizers.QuantizationConfig')}")
