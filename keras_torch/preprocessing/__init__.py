"""Keras 2 ``keras.preprocessing`` paths."""

from keras_torch.preprocessing import image, sequence, text  # noqa: F401
from keras_torch.utils.dataset_utils import (  # noqa: F401 - tf.keras.preprocessing.* aliases
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
