"""Keras layers (``keras.layers``)."""

from keras_torch.core import operations as _operations  # noqa: F401 - registers what KerasTensor operators record
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
from keras_torch.layers.conv import *  # noqa: F401,F403
from keras_torch.layers.conv_transpose import *  # noqa: F401,F403
from keras_torch.layers.einsum_dense import *  # noqa: F401,F403
from keras_torch.layers.lambda_layer import *  # noqa: F401,F403
from keras_torch.layers.merging import *  # noqa: F401,F403
from keras_torch.layers.normalization import *  # noqa: F401,F403
from keras_torch.layers.pooling import *  # noqa: F401,F403
from keras_torch.layers.preprocessing import *  # noqa: F401,F403
from keras_torch.layers.recurrent import *  # noqa: F401,F403
from keras_torch.layers.regularization import *  # noqa: F401,F403
from keras_torch.layers.reshaping import *  # noqa: F401,F403
from keras_torch.layers.separable_conv import *  # noqa: F401,F403
from keras_torch.layers.tf_op_layer import SlicingOpLambda, TFOpLambda  # noqa: F401


def __getattr__(name: str):
    # tf.keras.layers.experimental(.preprocessing).X are the stable layers under their old path.
    if name == "experimental":
        import sys

        return sys.modules[__name__]
    # keras.layers.serialize / deserialize live in saving (above layers), looked up on first use.
    if name in ("serialize", "deserialize"):
        from keras_torch.saving import serialization

        return getattr(serialization, f"{name}_layer")
    from keras_torch.core import omissions

    raise omissions.missing_attribute(__name__, name)
