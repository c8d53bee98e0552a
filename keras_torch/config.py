"""``keras.config``: the public global settings (floatx, epsilon, image data format, device...).

The state lives in :mod:`keras_torch.core.config` (and the dtype policy in
:mod:`keras_torch.core.dtype_policy`); this module is the public door to it.
"""

from __future__ import annotations

from keras_torch.core.config import (
    backend,
    check_numerics_enabled,
    default_device,
    disable_flash_attention,
    disable_traceback_filtering,
    enable_flash_attention,
    enable_traceback_filtering,
    enable_unsafe_deserialization,
    epsilon,
    floatx,
    image_data_format,
    is_flash_attention_enabled,
    is_traceback_filtering_enabled,
    max_epochs,
    max_steps_per_epoch,
    set_check_numerics,
    set_device,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    set_max_epochs,
    set_max_steps_per_epoch,
    standardize_data_format,
    unsafe_deserialization_enabled,
)
from keras_torch.core.dtype_policy import global_policy as dtype_policy
from keras_torch.core.dtype_policy import set_global_policy as set_dtype_policy
from keras_torch.core.threads import get_num_threads, set_num_threads
from keras_torch.utils.progbar import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)

__all__ = [
    "backend",
    "check_numerics_enabled",
    "default_device",
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "dtype_policy",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "get_num_threads",
    "image_data_format",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "set_backend",
    "set_check_numerics",
    "set_device",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_max_epochs",
    "set_max_steps_per_epoch",
    "set_num_threads",
    "standardize_data_format",
    "unsafe_deserialization_enabled",
]

_KERAS_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")


def set_backend(backend: str) -> None:
    """Keras reloads itself on another backend; keras_torch only runs on ``"torch"``.

    Args:
        backend: The backend name.

    Raises:
        ValueError: Any backend but ``"torch"`` (the message names the valid Keras backends for
            an unknown name).
    """
    if backend == "torch":
        return
    if backend not in _KERAS_BACKENDS:
        raise ValueError(f"Available backends are {_KERAS_BACKENDS}. Received: backend={backend}")
    raise ValueError(f"keras_torch runs Keras on PyTorch only; it cannot switch to the '{backend}' backend. "
                     "Run the script with real Keras (KERAS_BACKEND) for that backend.")


def is_nnx_enabled() -> bool:
    """Flax NNX features exist on Keras's JAX backend only: always ``False`` here.

    Returns:
        False.
    """
    return False
