"""``keras.preprocessing.image``: image file/array conversion, ``smart_resize`` and tf-keras 2's augmentations."""

from keras_torch.utils.image_transforms import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
    smart_resize,
)
from keras_torch.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["apply_affine_transform", "apply_brightness_shift", "apply_channel_shift", "array_to_img", "img_to_array",
           "load_img", "random_brightness", "random_channel_shift", "random_rotation", "random_shear", "random_shift",
           "random_zoom", "save_img", "smart_resize"]
