"""Keras 2 ``keras.preprocessing.image``: the image array helpers of ``keras.utils``."""

from keras_torch.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
