"""``keras.utils``: helpers that need nothing above ``core`` (progress bar, files, datasets, arrays).

The few public ``keras.utils`` names that work on whole models (``plot_model``, ``model_to_dot``)
live in ``keras_torch.models`` and are looked up lazily here, so this package stays at the bottom.
"""

from typing import Any

from keras_torch.core.registry import custom_object_scope, get_custom_objects, register_keras_serializable
from keras_torch.utils.dataset_utils import (
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from keras_torch.utils.file_utils import get_file
from keras_torch.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from keras_torch.utils.numerical import normalize, set_random_seed, to_categorical
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

# Names served from higher packages, imported on first use (this package sits below them).
_LAZY = {"plot_model": "keras_torch.models.plot", "model_to_dot": "keras_torch.models.plot"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'keras_torch.utils' has no attribute '{name}'")
