"""``keras.preprocessing.image``: image file/array conversion, ``smart_resize``, tf-keras 2's augmentations and
its ``ImageDataGenerator`` with the iterators it returns."""

from keras_torch.utils.image_data_generator import ImageDataGenerator
from keras_torch.utils.image_iterators import DataFrameIterator, DirectoryIterator, Iterator, NumpyArrayIterator
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

__all__ = ["DataFrameIterator", "DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator",
           "apply_affine_transform", "apply_brightness_shift", "apply_channel_shift", "array_to_img", "img_to_array",
           "load_img", "random_brightness", "random_channel_shift", "random_rotation", "random_shear", "random_shift",
           "random_zoom", "save_img", "smart_resize"]
