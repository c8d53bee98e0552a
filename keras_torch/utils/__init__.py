"""``keras.utils``."""

from keras_torch.core.registry import custom_object_scope, get_custom_objects, register_keras_serializable
from keras_torch.preprocessing.image import array_to_img, img_to_array, load_img, save_img
from keras_torch.utils.dataset_utils import (
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from keras_torch.utils.file_utils import get_file
from keras_torch.utils.numerical import normalize, set_random_seed, to_categorical
from keras_torch.utils.plot_model import model_to_dot, plot_model
from keras_torch.utils.sequence import PyDataset, Sequence
from keras_torch.utils.sequence_utils import pad_sequences

__all__ = [
    "PyDataset",
    "Sequence",
    "custom_object_scope",
    "get_custom_objects",
    "normalize",
    "pad_sequences",
    "array_to_img",
    "img_to_array",
    "load_img",
    "save_img",
    "register_keras_serializable",
    "set_random_seed",
    "to_categorical",
    "get_file",
    "image_dataset_from_directory",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "model_to_dot",
    "plot_model",
]
