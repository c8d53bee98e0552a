"""Keras layers (``keras.layers``)."""

from keras_torch.core import operations as _operations  # noqa: F401 - registers what KerasTensor operators record
import types

from keras_torch.core.dtype_policy import DTypePolicy
from keras_torch.core.variables import KerasVariable
from keras_torch.layers.base import Layer
from keras_torch.layers.core import (
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    Input,
    InputLayer,
    Masking,
    Permute,
    RepeatVector,
    Reshape,
)
from keras_torch.layers.input_spec import InputSpec
from keras_torch.layers.torch_wrapper import TorchModuleWrapper
from keras_torch.layers.activation_layers import *  # noqa: F401,F403
from keras_torch.layers.application_layers import *  # noqa: F401,F403
from keras_torch.layers.attention import *  # noqa: F401,F403
from keras_torch.layers.categorical import *  # noqa: F401,F403
from keras_torch.layers.conv import *  # noqa: F401,F403
from keras_torch.layers.conv_transpose import *  # noqa: F401,F403
from keras_torch.layers.einsum_dense import *  # noqa: F401,F403
from keras_torch.layers.image_preprocessing import *  # noqa: F401,F403
from keras_torch.layers.index_lookup import *  # noqa: F401,F403
from keras_torch.layers.lambda_layer import *  # noqa: F401,F403
from keras_torch.layers.merging import *  # noqa: F401,F403
from keras_torch.layers.normalization import *  # noqa: F401,F403
from keras_torch.layers.pooling import *  # noqa: F401,F403
from keras_torch.layers.preprocessing import *  # noqa: F401,F403
from keras_torch.layers.preprocessing_layer import PreprocessingLayer
from keras_torch.layers.recurrent import *  # noqa: F401,F403
from keras_torch.layers.regularization import *  # noqa: F401,F403
from keras_torch.layers.reshaping import *  # noqa: F401,F403
from keras_torch.layers.separable_conv import *  # noqa: F401,F403
from keras_torch.layers.tf_op_layer import SlicingOpLambda, TFOpLambda  # noqa: F401
from keras_torch.layers.adaptive_pooling import *  # noqa: F401,F403
from keras_torch.layers.rms_normalization import *  # noqa: F401,F403
from keras_torch.layers.spectral_normalization import *  # noqa: F401,F403
from keras_torch.layers.grouped_query_attention import *  # noqa: F401,F403
from keras_torch.layers.rnn.conv_lstm import *  # noqa: F401,F403
from keras_torch.layers.rnn.abstract_cell import AbstractRNNCell
from keras_torch.layers.spectrogram import *  # noqa: F401,F403
from keras_torch.layers.locally_connected import *  # noqa: F401,F403
from keras_torch.layers.text_vectorization import *  # noqa: F401,F403
from keras_torch.layers.dynamic_embedding import *  # noqa: F401,F403
from keras_torch.layers.kernelized import *  # noqa: F401,F403
from keras_torch.layers.reversible_embedding import ReversibleEmbedding
from keras_torch.layers.wrapper import Wrapper


def _old_path_module(name: str) -> types.ModuleType:
    """A module whose names are this package's: tf.keras.layers.experimental(.preprocessing).X are the stable
    layers under their old paths (``preprocessing`` itself is the module of Rescaling & co.)."""
    module = types.ModuleType(f"{__name__}.{name}")
    module.__dict__["__getattr__"] = lambda attr: globals()[attr] if attr in globals() else __getattr__(attr)
    module.__dict__["preprocessing"] = module
    return module


_EXPERIMENTAL = _old_path_module("experimental")


def __getattr__(name: str):
    if name == "experimental":
        return _EXPERIMENTAL
    # keras.layers.serialize / deserialize live in saving (above layers), looked up on first use.
    if name in ("serialize", "deserialize"):
        from keras_torch.saving import serialization

        return serialization.serialize_layer if name == "serialize" else serialization.deserialize_public_layer
    from keras_torch.core import omissions

    raise omissions.missing_attribute(__name__, name)
