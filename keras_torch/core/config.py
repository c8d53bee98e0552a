"""Global Keras settings (``keras.config``): floatx, epsilon, image data format, device."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import warnings
from collections.abc import Iterator

import torch

_CONFIG = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}
_UNSAFE = {"enabled": False}
_DEVICE: dict[str, torch.device | None] = {"device": None}


def _load_keras_json() -> None:
    # Real Keras reads ~/.keras/keras.json ($KERAS_HOME); honour the same file so settings carry over,
    # and validate it as Keras 3 does (an invalid floatx used to break fit() much later): unreadable
    # JSON is ignored, a wrong value is refused when keras_torch is imported.
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    path = os.path.join(home, "keras.json")
    try:
        with open(path, encoding="utf8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return
    for key, value in _validated_keras_json(data, path).items():
        _CONFIG[key] = value


def _validated_keras_json(data: object, path: str) -> dict:
    """The settings of a parsed ``keras.json``; ``ValueError`` (naming the file) for values Keras 3 refuses."""
    if not isinstance(data, dict):
        raise ValueError(f"Invalid Keras configuration file '{path}': expected a JSON object, received "
                         f"{type(data).__name__}.")
    out = {}
    floatx_value = data.get("floatx", _CONFIG["floatx"])
    if floatx_value not in ("float16", "float32", "float64"):
        raise ValueError(f"Invalid `floatx` configuration in '{path}'. Expected one of {{'float16', 'float32', "
                         f"'float64'}}. Received: floatx={floatx_value!r}")
    out["floatx"] = floatx_value
    epsilon_value = data.get("epsilon", _CONFIG["epsilon"])
    if not isinstance(epsilon_value, float):
        raise ValueError(f"Invalid `epsilon` configuration in '{path}'. Expected a float. "
                         f"Received: epsilon={epsilon_value!r}")
    out["epsilon"] = epsilon_value
    fmt = data.get("image_data_format", _CONFIG["image_data_format"])
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"Invalid `image_data_format` configuration in '{path}'. Expected one of "
                         f"{{'channels_last', 'channels_first'}}. Received: image_data_format={fmt!r}")
    out["image_data_format"] = fmt
    return out


_load_keras_json()


def floatx() -> str:
    """Default float dtype name (``"float32"``).

    Returns:
        The default float dtype name, e.g. "float32".
    """
    return _CONFIG["floatx"]


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float16"``, ``"bfloat16"``, ``"float32"`` or ``"float64"``).

    Args:
        value: "float16", "bfloat16", "float32" or "float64".
    """
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value!r}. Expected float16, bfloat16, float32 or float64.")
    _CONFIG["floatx"] = value


def epsilon() -> float:
    """Fuzz factor used in numeric expressions (Keras default ``1e-7``).

    Returns:
        The fuzz factor (default ``1e-7``).
    """
    return _CONFIG["epsilon"]


def set_epsilon(value: float) -> None:
    """Set the fuzz factor.

    Args:
        value: New fuzz factor.
    """
    _CONFIG["epsilon"] = float(value)


def image_data_format() -> str:
    """``"channels_last"`` (default) or ``"channels_first"``.

    Returns:
        "channels_last" or "channels_first".
    """
    return _CONFIG["image_data_format"]


def set_image_data_format(value: str) -> None:
    """Set the default image data format.

    Args:
        value: "channels_last" or "channels_first".
    """
    value = str(value).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be 'channels_last' or 'channels_first'. Received: {value}")
    _CONFIG["image_data_format"] = value


def backend() -> str:
    """The backend name. keras_torch always runs on ``"torch"``.

    Returns:
        "torch".
    """
    return "torch"


_CHECK_NUMERICS = {"enabled": os.environ.get("KERAS_TORCH_CHECK_NUMERICS", "").strip().lower()
                   not in ("", "0", "false", "no", "off")}


def set_check_numerics(enabled: bool = True) -> None:
    """Make ``fit``/``evaluate``/``predict`` raise a ``ValueError`` on NaN/inf data or a NaN/inf loss.

    Off by default, and then free (the flag is read once per call, not per batch). When on, each
    batch is checked with ``torch.isfinite`` and the training loss is synced to the host every
    step, so it costs a little speed. The environment variable ``KERAS_TORCH_CHECK_NUMERICS=1``
    turns it on at import time.
    """
    _CHECK_NUMERICS["enabled"] = bool(enabled)


def check_numerics_enabled() -> bool:
    """Whether :func:`set_check_numerics` is on."""
    return _CHECK_NUMERICS["enabled"]


def enable_unsafe_deserialization() -> None:
    """Allow loading Lambda bytecode and other unsafe objects (``keras.config``)."""
    _UNSAFE["enabled"] = True


def unsafe_deserialization_enabled() -> bool:
    return _UNSAFE["enabled"]


_SAFE_MODE = threading.local()  # .value: safe_mode of the innermost safe_mode_scope on this thread


def in_safe_mode() -> bool | None:
    """The ``safe_mode`` of the innermost :func:`safe_mode_scope` (``None`` outside any scope)."""
    return getattr(_SAFE_MODE, "value", None)


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool | None = True) -> Iterator[None]:
    """Make ``safe_mode`` visible to everything deserialized inside (e.g. ``Lambda.from_config``)."""
    previous = getattr(_SAFE_MODE, "value", None)
    _SAFE_MODE.value = None if safe_mode is None else bool(safe_mode)
    try:
        yield
    finally:
        _SAFE_MODE.value = previous


def default_device() -> torch.device:
    """Device new models/data go to: ``KERAS_TORCH_DEVICE``, else CUDA, then MPS, then CPU."""
    if _DEVICE["device"] is not None:
        return _DEVICE["device"]
    env = os.environ.get("KERAS_TORCH_DEVICE")
    if env:
        dev = torch.device(env)
    elif torch.cuda.is_available():
        dev = torch.device("cuda")
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        dev = torch.device("mps")
    else:
        dev = torch.device("cpu")
    _DEVICE["device"] = dev
    return dev


def set_device(device: str | torch.device | None) -> None:
    """Choose the device keras_torch places models and data on (``None`` = automatic)."""
    _DEVICE["device"] = None if device is None else torch.device(device)


def standardize_data_format(data_format: str | None) -> str:
    """Resolve ``None`` to the global image data format and validate the value."""
    if data_format is None:
        return image_data_format()
    df = str(data_format).lower()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(
            f"The `data_format` argument must be one of 'channels_first', 'channels_last'. Received: {data_format}"
        )
    return df


# keras.config.enable/disable_flash_attention: None = let torch choose the attention kernel (Keras's
# default), False = never the flash kernel. Read by MultiHeadAttention when it is created.
_FLASH_ATTENTION: dict[str, bool | None] = {"enabled": None}


def enable_flash_attention() -> None:
    """Let attention layers use the flash kernel whenever torch can (the default)."""
    _FLASH_ATTENTION["enabled"] = None


def disable_flash_attention() -> None:
    """Keep attention layers created afterwards off torch's flash-attention kernel."""
    _FLASH_ATTENTION["enabled"] = False


def is_flash_attention_enabled() -> bool | None:
    """``False`` once :func:`disable_flash_attention` was called, else ``None`` (automatic), as in Keras.

    Returns:
        False or None.
    """
    return _FLASH_ATTENTION["enabled"]


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    return int(value) if value else None


# Debugging caps on fit/evaluate/predict (keras.config.set_max_epochs...), also set from the
# environment like Keras: KERAS_MAX_EPOCHS, KERAS_MAX_STEPS_PER_EPOCH.
_LIMITS: dict[str, int | None] = {"epochs": _env_int("KERAS_MAX_EPOCHS"),
                                  "steps_per_epoch": _env_int("KERAS_MAX_STEPS_PER_EPOCH")}


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every ``fit`` call (``None``: no cap).

    Args:
        max_epochs: Largest number of epochs, or None to remove the cap.
    """
    _LIMITS["epochs"] = max_epochs


def max_epochs() -> int | None:
    """The cap set by :func:`set_max_epochs` or ``KERAS_MAX_EPOCHS`` (``None`` if unset).

    Returns:
        The cap, or None.
    """
    return _LIMITS["epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of every epoch of ``fit``/``evaluate``/``predict`` (``None``: no cap).

    Args:
        max_steps_per_epoch: Largest number of steps per epoch, or None to remove the cap.
    """
    _LIMITS["steps_per_epoch"] = max_steps_per_epoch


def max_steps_per_epoch() -> int | None:
    """The cap set by :func:`set_max_steps_per_epoch` or ``KERAS_MAX_STEPS_PER_EPOCH`` (``None`` if unset).

    Returns:
        The cap, or None.
    """
    return _LIMITS["steps_per_epoch"]


def limit_epochs(epochs: int) -> int:
    """``epochs`` lowered to :func:`max_epochs` (with Keras's warning) when a cap is set."""
    cap = _LIMITS["epochs"]
    if cap and cap < epochs:
        warnings.warn(f"Limiting epochs to {cap}", stacklevel=3)
        return cap
    return epochs


def limit_steps(steps_per_epoch: int | None) -> int | None:
    """``steps_per_epoch`` lowered to :func:`max_steps_per_epoch` (with Keras's warning) when a cap is set."""
    cap = _LIMITS["steps_per_epoch"]
    if cap and (not steps_per_epoch or cap < steps_per_epoch):
        warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
        return cap
    return steps_per_epoch


# keras.config.enable/disable_traceback_filtering. keras_torch never trims frames from tracebacks
# (torch's own frames stay visible too), so the switch only records the choice for code that reads
# it back; Keras's default is on.
_TRACEBACK_FILTERING = {"enabled": True}


def enable_traceback_filtering() -> None:
    """Record that Keras-internal frames may be filtered from tracebacks (the default)."""
    _TRACEBACK_FILTERING["enabled"] = True


def disable_traceback_filtering() -> None:
    """Record that full tracebacks are wanted."""
    _TRACEBACK_FILTERING["enabled"] = False


def is_traceback_filtering_enabled() -> bool:
    """The last choice made with :func:`enable_traceback_filtering` / :func:`disable_traceback_filtering`.

    Returns:
        A bool (True by default).
    """
    return _TRACEBACK_FILTERING["enabled"]
