"""``keras.config``: the public global settings (floatx, epsilon, image data format, device...).

The state lives in :mod:`keras_torch.core.config`; this module is the public door to it.
"""

from keras_torch.core.config import (
    backend,
    check_numerics_enabled,
    default_device,
    enable_unsafe_deserialization,
    epsilon,
    floatx,
    image_data_format,
    set_check_numerics,
    set_device,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
    unsafe_deserialization_enabled,
)

__all__ = [
    "backend",
    "check_numerics_enabled",
    "default_device",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_check_numerics",
    "set_device",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_data_format",
    "unsafe_deserialization_enabled",
]
