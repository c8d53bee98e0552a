"""``keras.utils``: helpers that need nothing above ``core`` (progress bar, files, datasets, arrays).

The public ``keras.utils`` names that need higher packages (``plot_model`` and ``model_to_dot`` from
``models``; object serialization from ``saving``; ``clear_session`` from ``backend``...) are
looked up lazily in :data:`_LAZY`, so this package stays at the bottom.
"""

from typing import Any

from keras_torch.core import omissions as _omissions
from keras_torch.core.dtype_promotion import standardize_dtype
from keras_torch.core.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    register_keras_serializable,
)
from keras_torch.core.symbolic import KerasTensor as _KerasTensor
from keras_torch.utils import bounding_boxes
from keras_torch.utils import experimental as experimental
from keras_torch.utils.config import Config
from keras_torch.utils.dataset_split import audio_dataset_from_directory, split_dataset
from keras_torch.utils.dataset_utils import (
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from keras_torch.utils.enqueuers import GeneratorEnqueuer, OrderedEnqueuer, SequenceEnqueuer, TimedThread
from keras_torch.utils.file_utils import get_file
from keras_torch.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from keras_torch.utils.numerical import normalize, set_random_seed, to_categorical, to_ordinal
from keras_torch.utils.progbar import (
    Progbar,
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from keras_torch.utils.sequence import PyDataset, Sequence
from keras_torch.utils.sequence_utils import pad_sequences
from keras_torch.utils.steps_per_execution_tuning import StepsPerExecutionTuner
from keras_torch.utils.symbolic_utils import get_source_inputs

__all__ = [
    "Config",
    "CustomObjectScope",
    "FeatureSpace",
    "GeneratorEnqueuer",
    "OrderedEnqueuer",
    "Progbar",
    "PyDataset",
    "Sequence",
    "SequenceEnqueuer",
    "StepsPerExecutionTuner",
    "TimedThread",
    "array_to_img",
    "audio_dataset_from_directory",
    "bounding_boxes",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "image_dataset_from_directory",
    "img_to_array",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "legacy",
    "load_img",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_model",
    "register_keras_serializable",
    "save_img",
    "serialize_keras_object",
    "set_random_seed",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "to_ordinal",
    "unpack_x_y_sample_weight",
    "warmstart_embedding_matrix",
]


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor (from ``keras.Input`` or a layer called on one).

    Args:
        x: Any object.

    Returns:
        A bool.
    """
    return isinstance(x, _KerasTensor)


# Names served from higher packages, imported on first use (this package sits below them).
_LAZY = {
    "plot_model": ("keras_torch.models.plot", "plot_model"),
    "model_to_dot": ("keras_torch.models.plot", "model_to_dot"),
    "clear_session": ("keras_torch.backend.state_ops", "clear_session"),
    "serialize_keras_object": ("keras_torch.saving.keras_objects", "serialize_keras_object"),
    "deserialize_keras_object": ("keras_torch.saving.keras_objects", "deserialize_keras_object"),
    "get_registered_object": ("keras_torch.saving.keras_objects", "get_registered_object"),
    "legacy": ("keras_torch.saving", "legacy_serialization"),
    "pack_x_y_sample_weight": ("keras_torch.trainers.data_adapter", "pack_x_y_sample_weight"),
    "unpack_x_y_sample_weight": ("keras_torch.trainers.data_adapter", "unpack_x_y_sample_weight"),
    "warmstart_embedding_matrix": ("keras_torch.initializers.warmstart", "warmstart_embedding_matrix"),
    "FeatureSpace": ("keras_torch.layers.feature_space", "FeatureSpace"),
    "SidecarEvaluator": ("keras_torch.callbacks.sidecar_evaluator", "SidecarEvaluator"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        if attr == "legacy_serialization":
            return importlib.import_module(f"{module}.{attr}")
        return getattr(importlib.import_module(module), attr)
    raise _omissions.missing_attribute(__name__, name)
