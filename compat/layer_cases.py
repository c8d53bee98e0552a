"""Layer parity cases shared by the Keras fixture generator and the keras_torch tests.

Every case is library-agnostic: ``case.build(keras)`` receives a module exposing the Keras 3
public API (``keras.layers``, ``keras.Sequential``, ``keras.Model``, ``keras.Input``,
``keras.ops``) and returns a model.  The same builder runs with real Keras 3 (TensorFlow
backend, inside ``/opt/kref``) and with ``import keras_torch as keras``.

Regenerate the golden files (real Keras only, writes ``compat/fixtures/layers/*.npz``)::

    /opt/kref/bin/python compat/generate_fixtures.py layers
    /opt/kref/bin/python compat/gen/layers.py --selfcheck      # re-verify the stored files

then run ``pytest tests/test_parity_layers.py`` with the main interpreter.

Conventions
-----------
* ``inputs(rng)`` returns a list of numpy arrays (float32, or int32 for token ids); the list
  is passed to the model as a single array when it has one element.
* The generator overwrites every float weight with ``normal * 0.5`` (BatchNormalization
  ``moving_variance``: ``uniform(0.5, 1.5)``) before recording, except for layers listed in
  ``NO_RANDOMIZE`` (adapted preprocessing state).
* Builders must only use mainstream public API -- nothing TensorFlow specific.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

__all__ = ["Case", "CASES", "CASES_BY_NAME", "NO_RANDOMIZE"]

# Layer class names whose weights hold computed (adapted) state: never randomised.
NO_RANDOMIZE = frozenset({"Normalization"})


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Any], Any]
    inputs: Callable[[np.random.Generator], list]
    training: bool = False
    atol: float = 1e-5
    rtol: float = 1e-4


CASES: list[Case] = []


def case(name, inputs, training=False, atol=1e-5, rtol=1e-4):
    """Decorator registering ``build`` under ``name``."""

    def deco(build):
        CASES.append(Case(name, build, inputs, training=training, atol=atol, rtol=rtol))
        return build

    return deco


def seq(keras, shape, *layers, dtype=None):
    kw = {} if dtype is None else {"dtype": dtype}
    return keras.Sequential([keras.Input(shape=shape, **kw), *layers])


# ----------------------------------------------------------------------------- input helpers
def f(*shape, scale=1.0):
    """Inputs: one float32 normal tensor of ``shape``."""
    return lambda rng: [(rng.standard_normal(shape) * scale).astype("float32")]


def fs(*shapes, scale=1.0):
    """Inputs: several float32 normal tensors."""
    return lambda rng: [(rng.standard_normal(s) * scale).astype("float32") for s in shapes]


def ids_with_zeros(rng, batch=3, length=7, vocab=10):
    """int32 token ids in [1, vocab) with padding zeros (post-, pre- and mid-sequence)."""
    x = rng.integers(1, vocab, size=(batch, length)).astype("int32")
    x[0, length - 3:] = 0  # post padding
    x[1, :2] = 0  # pre padding
    if batch > 2:
        x[2, 3] = 0  # a hole in the middle
    return [x]


def zero_steps(rng, shape=(3, 6, 3)):
    """float32 sequences where some whole time steps are exactly 0 (for Masking)."""
    x = rng.standard_normal(shape).astype("float32")
    x[0, -2:] = 0.0
    x[1, 0] = 0.0
    x[2, 2:4] = 0.0
    return [x]


# ================================================================================= Core
@case("dense_relu", f(3, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(4, activation="relu"))


@case("dense_nobias_tanh_rank3", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.Dense(3, use_bias=False, activation="tanh"))


@case("dense_stack_softmax", f(3, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(6, activation="sigmoid"), k.layers.Dense(3, activation="softmax"))


ACTIVATIONS = [
    "relu", "sigmoid", "tanh", "linear", "gelu", "elu", "selu", "softplus", "softsign", "swish",
    "silu", "hard_sigmoid", "hard_silu", "exponential", "relu6", "leaky_relu", "mish",
    "log_softmax", "softmax", "log_sigmoid",
]


def _activation_case(act):
    # scale 3 so values cross the kinks of relu6 / hard_sigmoid / hard_silu.
    @case(f"activation_{act}", f(2, 3, 5, scale=3.0))
    def _(k):
        return seq(k, (3, 5), k.layers.Activation(act))


for _act in ACTIVATIONS:
    _activation_case(_act)


@case("dropout_inference", f(3, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(6), k.layers.Dropout(0.5), k.layers.Dense(2))


@case("flatten_after_conv_channels_last", f(2, 6, 5, 2))
def _(k):
    return seq(k, (6, 5, 2), k.layers.Conv2D(3, 3), k.layers.Flatten(), k.layers.Dense(2))


@case("flatten_after_conv_channels_first", f(2, 2, 6, 5))
def _(k):
    # Plain Flatten() (image_data_format=channels_last) flattens the NCHW tensor as is.
    return seq(k, (2, 6, 5), k.layers.Conv2D(3, 3, data_format="channels_first"),
               k.layers.Flatten(), k.layers.Dense(2))


@case("flatten_data_format_channels_first", f(2, 2, 6, 5))
def _(k):
    # Flatten(data_format="channels_first") transposes to channels-last order before flattening.
    return seq(k, (2, 6, 5), k.layers.Conv2D(3, 3, data_format="channels_first"),
               k.layers.Flatten(data_format="channels_first"), k.layers.Dense(2))


@case("reshape_minus_one", f(2, 6, 4))
def _(k):
    return seq(k, (6, 4), k.layers.Reshape((-1, 3)), k.layers.Dense(2), k.layers.Reshape((4, -1, 2)))


@case("permute", f(2, 3, 4, 5))
def _(k):
    return seq(k, (3, 4, 5), k.layers.Permute((3, 1, 2)), k.layers.Dense(2))


@case("repeat_vector", f(2, 4))
def _(k):
    return seq(k, (4,), k.layers.Dense(3), k.layers.RepeatVector(5), k.layers.SimpleRNN(2, return_sequences=True))


@case("embedding_mask_zero_lstm", ids_with_zeros)
def _(k):
    return seq(k, (7,), k.layers.Embedding(10, 4, mask_zero=True), k.layers.LSTM(3), dtype="int32")


@case("embedding_mask_zero_lstm_seq", ids_with_zeros)
def _(k):
    # LSTM(return_sequences=True) with a mask: masked steps repeat the previous output
    # (zero_output_for_mask=False by default).
    return seq(k, (7,), k.layers.Embedding(10, 4, mask_zero=True),
               k.layers.LSTM(3, return_sequences=True), dtype="int32")


@case("embedding_no_mask", ids_with_zeros)
def _(k):
    return seq(k, (7,), k.layers.Embedding(10, 3), k.layers.Flatten(), dtype="int32")


@case("masking_lstm", zero_steps)
def _(k):
    return seq(k, (6, 3), k.layers.Masking(mask_value=0.0), k.layers.LSTM(4, return_sequences=True))


@case("masking_gru", zero_steps)
def _(k):
    return seq(k, (6, 3), k.layers.Masking(mask_value=0.0), k.layers.GRU(3))


@case("identity", f(2, 4))
def _(k):
    return seq(k, (4,), k.layers.Identity(), k.layers.Dense(3))


# ========================================================================== Convolution
@case("conv1d_valid", f(2, 9, 3))
def _(k):
    return seq(k, (9, 3), k.layers.Conv1D(4, 3))


@case("conv1d_same_stride2_even_kernel", f(2, 9, 3))
def _(k):
    return seq(k, (9, 3), k.layers.Conv1D(3, 4, strides=2, padding="same", activation="relu"))


@case("conv1d_causal_dilation2", f(2, 9, 2))
def _(k):
    return seq(k, (9, 2), k.layers.Conv1D(3, 3, padding="causal", dilation_rate=2))


@case("conv1d_channels_first", f(2, 3, 9))
def _(k):
    return seq(k, (3, 9), k.layers.Conv1D(2, 3, strides=2, padding="same", data_format="channels_first"))


@case("conv1d_groups", f(2, 8, 4))
def _(k):
    return seq(k, (8, 4), k.layers.Conv1D(6, 3, groups=2))


@case("conv2d_same_stride2_odd", f(2, 7, 7, 3))
def _(k):
    return seq(k, (7, 7, 3), k.layers.Conv2D(4, 3, strides=2, padding="same"))


@case("conv2d_valid_rect_kernel", f(2, 8, 7, 2))
def _(k):
    return seq(k, (8, 7, 2), k.layers.Conv2D(3, (2, 3), strides=(2, 1), activation="relu"))


@case("conv2d_dilation", f(2, 7, 8, 2))
def _(k):
    return seq(k, (7, 8, 2), k.layers.Conv2D(3, 3, dilation_rate=2, padding="same"))


@case("conv2d_same_even_kernel_stride2", f(2, 8, 7, 2))
def _(k):
    return seq(k, (8, 7, 2), k.layers.Conv2D(2, 4, strides=2, padding="same"))


@case("conv2d_groups2", f(2, 6, 6, 4))
def _(k):
    return seq(k, (6, 6, 4), k.layers.Conv2D(4, 3, groups=2))


@case("conv2d_channels_first_same_stride2", f(2, 3, 7, 7))
def _(k):
    return seq(k, (3, 7, 7), k.layers.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first"))


@case("conv2d_channels_first_groups2", f(2, 4, 6, 5))
def _(k):
    return seq(k, (4, 6, 5), k.layers.Conv2D(2, (3, 2), groups=2, data_format="channels_first"))


@case("conv3d_same_stride2", f(2, 5, 5, 5, 2))
def _(k):
    return seq(k, (5, 5, 5, 2), k.layers.Conv3D(3, 3, strides=2, padding="same"))


@case("conv3d_channels_first", f(2, 2, 5, 6, 5))
def _(k):
    return seq(k, (2, 5, 6, 5), k.layers.Conv3D(2, (2, 3, 2), data_format="channels_first"))


@case("conv1d_transpose_same_s2", f(2, 5, 2))
def _(k):
    return seq(k, (5, 2), k.layers.Conv1DTranspose(3, 3, strides=2, padding="same"))


@case("conv1d_transpose_valid_outpad", f(2, 5, 2))
def _(k):
    return seq(k, (5, 2), k.layers.Conv1DTranspose(3, 3, strides=2, padding="valid", output_padding=1))


@case("conv1d_transpose_channels_first", f(2, 2, 5))
def _(k):
    return seq(k, (2, 5), k.layers.Conv1DTranspose(3, 4, strides=2, padding="same", data_format="channels_first"))


@case("conv2d_transpose_same_s2", f(2, 5, 5, 2))
def _(k):
    return seq(k, (5, 5, 2), k.layers.Conv2DTranspose(3, 3, strides=2, padding="same"))


@case("conv2d_transpose_valid_outpad", f(2, 4, 5, 2))
def _(k):
    return seq(k, (4, 5, 2), k.layers.Conv2DTranspose(2, (3, 4), strides=2, padding="valid", output_padding=1))


@case("conv2d_transpose_same_outpad", f(2, 4, 5, 2))
def _(k):
    return seq(k, (4, 5, 2), k.layers.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=(1, 0)))


@case("conv2d_transpose_same_even_kernel_s3", f(2, 4, 5, 2))
def _(k):
    return seq(k, (4, 5, 2), k.layers.Conv2DTranspose(2, (4, 2), strides=(3, 2), padding="same"))


@case("conv2d_transpose_channels_first", f(2, 2, 5, 4))
def _(k):
    return seq(k, (2, 5, 4), k.layers.Conv2DTranspose(3, 3, strides=2, padding="same", data_format="channels_first"))


@case("conv3d_transpose_same_s2", f(2, 3, 4, 3, 2))
def _(k):
    return seq(k, (3, 4, 3, 2), k.layers.Conv3DTranspose(2, 3, strides=2, padding="same"))


@case("conv3d_transpose_channels_first_valid_outpad", f(2, 2, 3, 3, 4))
def _(k):
    return seq(k, (2, 3, 3, 4), k.layers.Conv3DTranspose(
        2, 2, strides=2, padding="valid", output_padding=1, data_format="channels_first"))


@case("depthwise_conv1d_mult2", f(2, 9, 3))
def _(k):
    return seq(k, (9, 3), k.layers.DepthwiseConv1D(3, depth_multiplier=2, strides=2, padding="same"))


@case("depthwise_conv1d_channels_first", f(2, 3, 9))
def _(k):
    return seq(k, (3, 9), k.layers.DepthwiseConv1D(3, depth_multiplier=2, data_format="channels_first"))


@case("depthwise_conv2d_mult2", f(2, 7, 7, 3))
def _(k):
    return seq(k, (7, 7, 3), k.layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same"))


@case("depthwise_conv2d_dilation", f(2, 7, 8, 2))
def _(k):
    return seq(k, (7, 8, 2), k.layers.DepthwiseConv2D((3, 2), depth_multiplier=2, dilation_rate=2))


@case("depthwise_conv2d_channels_first", f(2, 3, 7, 6))
def _(k):
    return seq(k, (3, 7, 6), k.layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same",
                                                      data_format="channels_first"))


@case("separable_conv1d", f(2, 9, 3))
def _(k):
    return seq(k, (9, 3), k.layers.SeparableConv1D(4, 3, depth_multiplier=2, padding="same"))


@case("separable_conv1d_channels_first", f(2, 3, 9))
def _(k):
    return seq(k, (3, 9), k.layers.SeparableConv1D(2, 3, strides=2, data_format="channels_first"))


@case("separable_conv2d", f(2, 7, 7, 3))
def _(k):
    return seq(k, (7, 7, 3), k.layers.SeparableConv2D(4, 3, strides=2, padding="same", depth_multiplier=2))


@case("separable_conv2d_channels_first", f(2, 3, 7, 6))
def _(k):
    return seq(k, (3, 7, 6), k.layers.SeparableConv2D(2, 3, data_format="channels_first"))


# ============================================================================== Pooling
@case("max_pool1d_same", f(2, 9, 3))
def _(k):
    return seq(k, (9, 3), k.layers.MaxPooling1D(3, strides=2, padding="same"))


@case("max_pool1d_valid_channels_first", f(2, 3, 9))
def _(k):
    return seq(k, (3, 9), k.layers.MaxPooling1D(2, data_format="channels_first"))


@case("max_pool2d_same", f(2, 7, 7, 2))
def _(k):
    return seq(k, (7, 7, 2), k.layers.MaxPooling2D(3, strides=2, padding="same"))


@case("max_pool2d_valid_rect", f(2, 7, 8, 2))
def _(k):
    return seq(k, (7, 8, 2), k.layers.MaxPooling2D((2, 3), strides=(1, 2)))


@case("max_pool2d_channels_first_same", f(2, 2, 7, 5))
def _(k):
    return seq(k, (2, 7, 5), k.layers.MaxPooling2D(2, padding="same", data_format="channels_first"))


@case("max_pool3d_same", f(2, 5, 5, 5, 2))
def _(k):
    return seq(k, (5, 5, 5, 2), k.layers.MaxPooling3D(2, strides=(2, 1, 2), padding="same"))


@case("max_pool3d_channels_first", f(2, 2, 5, 5, 4))
def _(k):
    return seq(k, (2, 5, 5, 4), k.layers.MaxPooling3D(2, data_format="channels_first"))


@case("avg_pool1d_same", f(2, 9, 3))
def _(k):
    return seq(k, (9, 3), k.layers.AveragePooling1D(3, strides=2, padding="same"))


@case("avg_pool1d_channels_first_same", f(2, 3, 9))
def _(k):
    return seq(k, (3, 9), k.layers.AveragePooling1D(2, padding="same", data_format="channels_first"))


@case("avg_pool2d_same", f(2, 7, 7, 2))
def _(k):
    # padding="same": border windows average over the valid elements only.
    return seq(k, (7, 7, 2), k.layers.AveragePooling2D(3, strides=2, padding="same"))


@case("avg_pool2d_valid_rect", f(2, 7, 8, 2))
def _(k):
    return seq(k, (7, 8, 2), k.layers.AveragePooling2D((3, 2), strides=(2, 1)))


@case("avg_pool2d_channels_first_same", f(2, 2, 7, 5))
def _(k):
    return seq(k, (2, 7, 5), k.layers.AveragePooling2D(2, padding="same", data_format="channels_first"))


@case("avg_pool3d_same", f(2, 5, 5, 5, 2))
def _(k):
    return seq(k, (5, 5, 5, 2), k.layers.AveragePooling3D(3, strides=2, padding="same"))


@case("avg_pool3d_channels_first", f(2, 2, 5, 4, 5))
def _(k):
    return seq(k, (2, 5, 4, 5), k.layers.AveragePooling3D(2, strides=(1, 2, 2), data_format="channels_first"))


@case("global_max_pool1d", f(2, 7, 3))
def _(k):
    return seq(k, (7, 3), k.layers.GlobalMaxPooling1D())


@case("global_avg_pool1d_keepdims", f(2, 7, 3))
def _(k):
    return seq(k, (7, 3), k.layers.GlobalAveragePooling1D(keepdims=True))


@case("global_avg_pool1d_channels_first", f(2, 3, 7))
def _(k):
    return seq(k, (3, 7), k.layers.GlobalAveragePooling1D(data_format="channels_first"))


@case("global_avg_pool1d_masked", ids_with_zeros)
def _(k):
    # Masked mean: padding positions are excluded from the average.
    return seq(k, (7,), k.layers.Embedding(10, 4, mask_zero=True), k.layers.GlobalAveragePooling1D(), dtype="int32")


@case("global_max_pool2d_keepdims", f(2, 5, 6, 3))
def _(k):
    return seq(k, (5, 6, 3), k.layers.GlobalMaxPooling2D(keepdims=True))


@case("global_avg_pool2d", f(2, 5, 6, 3))
def _(k):
    return seq(k, (5, 6, 3), k.layers.GlobalAveragePooling2D())


@case("global_avg_pool2d_channels_first", f(2, 3, 5, 6))
def _(k):
    return seq(k, (3, 5, 6), k.layers.GlobalAveragePooling2D(data_format="channels_first", keepdims=True))


@case("global_max_pool2d_channels_first", f(2, 3, 5, 6))
def _(k):
    return seq(k, (3, 5, 6), k.layers.GlobalMaxPooling2D(data_format="channels_first"))


@case("global_max_pool3d", f(2, 3, 4, 5, 2))
def _(k):
    return seq(k, (3, 4, 5, 2), k.layers.GlobalMaxPooling3D())


@case("global_avg_pool3d_keepdims", f(2, 3, 4, 5, 2))
def _(k):
    return seq(k, (3, 4, 5, 2), k.layers.GlobalAveragePooling3D(keepdims=True))


@case("adaptive_avg_pool1d", f(2, 10, 3))
def _(k):
    return seq(k, (10, 3), k.layers.AdaptiveAveragePooling1D(4))


@case("adaptive_max_pool1d_upsample_channels_first", f(2, 3, 5))
def _(k):
    return seq(k, (3, 5), k.layers.AdaptiveMaxPooling1D(7, data_format="channels_first"))


@case("adaptive_avg_pool2d_uneven", f(2, 7, 9, 2))
def _(k):
    return seq(k, (7, 9, 2), k.layers.AdaptiveAveragePooling2D((3, 4)))


@case("adaptive_max_pool2d_channels_first", f(2, 3, 8, 6))
def _(k):
    return seq(k, (3, 8, 6), k.layers.AdaptiveMaxPooling2D(3, data_format="channels_first"))


@case("adaptive_avg_pool3d", f(2, 5, 6, 7, 2))
def _(k):
    return seq(k, (5, 6, 7, 2), k.layers.AdaptiveAveragePooling3D((2, 3, 4)))


@case("adaptive_max_pool3d_after_conv", f(2, 6, 5, 5, 2))
def _(k):
    return seq(k, (6, 5, 5, 2), k.layers.Conv3D(3, 2), k.layers.AdaptiveMaxPooling3D((3, 2, 3)))


# ======================================================================== Normalization
@case("batchnorm_inference_dense", f(4, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(4), k.layers.BatchNormalization())


@case("batchnorm_between_dense", f(3, 5))
def _(k):
    # Keras 3 model.get_weights(): layer by layer (kernel, bias, gamma, beta, moving_mean,
    # moving_variance, kernel, bias) -- not "all trainable first" as in Keras 2.
    return seq(k, (5,), k.layers.Dense(4), k.layers.BatchNormalization(), k.layers.Dense(2))


@case("batchnorm_inference_conv_channels_last", f(2, 5, 5, 3))
def _(k):
    return seq(k, (5, 5, 3), k.layers.BatchNormalization(epsilon=1e-2))


@case("batchnorm_channels_first_axis1", f(2, 3, 5, 5))
def _(k):
    return seq(k, (3, 5, 5), k.layers.Conv2D(2, 3, data_format="channels_first"),
               k.layers.BatchNormalization(axis=1))


@case("batchnorm_no_scale", f(3, 4, 3))
def _(k):
    # scale=False -> get_weights() == [beta, moving_mean, moving_variance]
    return seq(k, (4, 3), k.layers.BatchNormalization(scale=False))


@case("batchnorm_no_center", f(3, 4, 3))
def _(k):
    # center=False -> get_weights() == [gamma, moving_mean, moving_variance]
    return seq(k, (4, 3), k.layers.BatchNormalization(center=False))


@case("batchnorm_training", f(5, 6, 4), training=True)
def _(k):
    # training=True: normalises with the batch statistics (biased variance).
    return seq(k, (6, 4), k.layers.BatchNormalization())


@case("layernorm_last_axis", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.LayerNormalization())


@case("layernorm_axes_1_2", f(2, 3, 4, 5))
def _(k):
    return seq(k, (3, 4, 5), k.layers.LayerNormalization(axis=[1, 2], epsilon=1e-2))


@case("layernorm_no_center", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.LayerNormalization(center=False))


@case("groupnorm_2d", f(2, 5, 5, 4))
def _(k):
    return seq(k, (5, 5, 4), k.layers.GroupNormalization(groups=2))


@case("groupnorm_1d", f(2, 7, 6))
def _(k):
    return seq(k, (7, 6), k.layers.GroupNormalization(groups=3))


@case("unit_normalization", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.UnitNormalization())


@case("unit_normalization_axes", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.UnitNormalization(axis=[1, 2]))


@case("rms_normalization", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.Dense(6), k.layers.RMSNormalization())


@case("rms_normalization_two_axes", f(2, 3, 4, 5))
def _(k):
    return seq(k, (3, 4, 5), k.layers.RMSNormalization(axis=[-1, -2], epsilon=1e-3))


@case("spectral_normalization_dense", f(3, 5))
def _(k):
    return seq(k, (5,), k.layers.SpectralNormalization(k.layers.Dense(4)), k.layers.Dense(2))


@case("spectral_normalization_conv2d", f(2, 5, 5, 2))
def _(k):
    return seq(k, (5, 5, 2), k.layers.SpectralNormalization(k.layers.Conv2D(3, 3), power_iterations=2))


# ============================================================================ Recurrent
@case("lstm_return_sequences", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.LSTM(4, return_sequences=True))


@case("lstm_return_state", f(2, 5, 3))
def _(k):
    x = k.Input(shape=(5, 3))
    out, h, c = k.layers.LSTM(3, return_state=True)(x)
    return k.Model(x, [out, h, c])


@case("lstm_go_backwards", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.LSTM(3, go_backwards=True, return_sequences=True))


@case("lstm_relu_tutorial", f(3, 6, 1), atol=1e-4)
def _(k):
    # the classic "LSTM(50, activation='relu')" time-series tutorial, shrunk
    return seq(k, (6, 1), k.layers.LSTM(5, activation="relu"), k.layers.Dense(1))


@case("lstm_hard_sigmoid", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True))


@case("lstm_dropout_inference", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.LSTM(3, dropout=0.3, recurrent_dropout=0.3))


@case("lstm_initial_state", fs((2, 5, 3), (2, 4), (2, 4)))
def _(k):
    x = k.Input(shape=(5, 3))
    h0 = k.Input(shape=(4,))
    c0 = k.Input(shape=(4,))
    y = k.layers.LSTM(4, return_sequences=True)(x, initial_state=[h0, c0])
    return k.Model([x, h0, c0], y)


@case("lstm_no_bias", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.LSTM(3, use_bias=False))


@case("gru_reset_after", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.GRU(4, return_sequences=True))


@case("gru_reset_before", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.GRU(4, reset_after=False, return_sequences=True))


@case("gru_return_state_backwards", f(2, 5, 3))
def _(k):
    x = k.Input(shape=(5, 3))
    out, h = k.layers.GRU(3, return_state=True, go_backwards=True)(x)
    return k.Model(x, [out, h])


@case("simple_rnn_seq", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.SimpleRNN(4, return_sequences=True))


@case("simple_rnn_relu_state", f(2, 5, 3))
def _(k):
    x = k.Input(shape=(5, 3))
    out, h = k.layers.SimpleRNN(3, activation="relu", return_state=True)(x)
    return k.Model(x, [out, h])


@case("rnn_lstm_cell", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.RNN(k.layers.LSTMCell(3)))


@case("rnn_stacked_cells", f(2, 5, 3))
def _(k):
    cells = [k.layers.LSTMCell(3), k.layers.GRUCell(2), k.layers.SimpleRNNCell(4)]
    return seq(k, (5, 3), k.layers.RNN(cells, return_sequences=True))


@case("rnn_gru_cell_reset_before_backwards", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.RNN(k.layers.GRUCell(3, reset_after=False), go_backwards=True))


for _mode in ["concat", "sum", "mul", "ave"]:
    def _bidi(mode):
        @case(f"bidirectional_lstm_{mode}", f(2, 5, 3))
        def _(k):
            return seq(k, (5, 3), k.layers.Bidirectional(k.layers.LSTM(3, return_sequences=True), merge_mode=mode))
    _bidi(_mode)


@case("bidirectional_gru_merge_none", f(2, 5, 3))
def _(k):
    x = k.Input(shape=(5, 3))
    fwd, bwd = k.layers.Bidirectional(k.layers.GRU(2, return_sequences=True), merge_mode=None)(x)
    return k.Model(x, [fwd, bwd])


@case("bidirectional_lstm_return_state", f(2, 5, 3))
def _(k):
    x = k.Input(shape=(5, 3))
    out, hf, cf, hb, cb = k.layers.Bidirectional(k.layers.LSTM(2, return_state=True))(x)
    return k.Model(x, [out, hf, cf, hb, cb])


@case("bidirectional_explicit_backward_layer", f(2, 5, 3))
def _(k):
    fwd = k.layers.LSTM(3, return_sequences=True)
    bwd = k.layers.GRU(3, return_sequences=True, go_backwards=True)
    return seq(k, (5, 3), k.layers.Bidirectional(fwd, backward_layer=bwd))


@case("time_distributed_dense", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.TimeDistributed(k.layers.Dense(3, activation="relu")))


@case("time_distributed_conv2d", f(2, 3, 5, 5, 2))
def _(k):
    return seq(k, (3, 5, 5, 2), k.layers.TimeDistributed(k.layers.Conv2D(2, 3, padding="same", strides=2)))


@case("embedding_mask_zero_gru", ids_with_zeros)
def _(k):
    return seq(k, (7,), k.layers.Embedding(10, 4, mask_zero=True), k.layers.GRU(3, return_sequences=True),
               dtype="int32")


@case("embedding_mask_zero_bidirectional", ids_with_zeros)
def _(k):
    # Bidirectional forces zero_output_for_mask=True when return_sequences=True.
    return seq(k, (7,), k.layers.Embedding(10, 4, mask_zero=True),
               k.layers.Bidirectional(k.layers.LSTM(3, return_sequences=True)), dtype="int32")


@case("embedding_mask_zero_stacked_lstm", ids_with_zeros)
def _(k):
    return seq(k, (7,), k.layers.Embedding(10, 4, mask_zero=True), k.layers.LSTM(3, return_sequences=True),
               k.layers.LSTM(2), k.layers.Dense(1, activation="sigmoid"), dtype="int32")


@case("conv_lstm2d_same_return_sequences", f(2, 4, 5, 6, 2))
def _(k):
    return seq(k, (4, 5, 6, 2), k.layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True))


@case("conv_lstm2d_strides_return_state", f(2, 3, 7, 6, 2))
def _(k):
    x = k.Input(shape=(3, 7, 6, 2))
    out, h, c = k.layers.ConvLSTM2D(2, (3, 2), strides=2, return_state=True)(x)
    return k.Model(x, [out, h, c])


@case("conv_lstm2d_even_kernel_channels_first_backwards", f(2, 3, 2, 5, 4))
def _(k):
    return seq(k, (3, 2, 5, 4), k.layers.ConvLSTM2D(2, 2, padding="same", data_format="channels_first",
                                                     go_backwards=True, return_sequences=True))


@case("conv_lstm2d_relu_hard_sigmoid_no_bias", f(2, 3, 5, 5, 1))
def _(k):
    return seq(k, (3, 5, 5, 1), k.layers.ConvLSTM2D(2, 3, activation="relu", recurrent_activation="hard_sigmoid",
                                                     use_bias=False, dropout=0.3, recurrent_dropout=0.3))


@case("conv_lstm1d_dilation_same", f(2, 4, 9, 2))
def _(k):
    return seq(k, (4, 9, 2), k.layers.ConvLSTM1D(3, 3, dilation_rate=2, padding="same", return_sequences=True))


@case("conv_lstm3d_valid", f(2, 3, 4, 4, 3, 1))
def _(k):
    return seq(k, (3, 4, 4, 3, 1), k.layers.ConvLSTM3D(2, 2))


def _conv_lstm_mask_inputs(rng):
    x = rng.standard_normal((3, 5, 4, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 1, 0]], dtype=bool)
    h0, c0 = (rng.standard_normal((3, 4, 4, 2)).astype("float32") for _ in range(2))
    return [x, mask, h0, c0]


@case("conv_lstm2d_mask_initial_state", _conv_lstm_mask_inputs)
def _(k):
    x, m = k.Input(shape=(5, 4, 4, 2)), k.Input(shape=(5,), dtype="bool")
    h0, c0 = k.Input(shape=(4, 4, 2)), k.Input(shape=(4, 4, 2))
    out = k.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)(x, mask=m, initial_state=[h0, c0])
    return k.Model([x, m, h0, c0], out)


# ============================================================================== Merging
def _merge_case(cls, n=2):
    @case(f"merge_{cls.lower()}", fs(*[(2, 4, 3)] * n))
    def _(k):
        xs = [k.Input(shape=(4, 3)) for _ in range(n)]
        return k.Model(xs, getattr(k.layers, cls)()(xs))


_merge_case("Add", 3)
_merge_case("Subtract")
_merge_case("Multiply")
_merge_case("Average", 3)
_merge_case("Maximum")
_merge_case("Minimum")


@case("concatenate_last", fs((2, 4, 3), (2, 4, 2)))
def _(k):
    a, b = k.Input(shape=(4, 3)), k.Input(shape=(4, 2))
    return k.Model([a, b], k.layers.Concatenate()([a, b]))


@case("concatenate_axis1", fs((2, 4, 3), (2, 2, 3)))
def _(k):
    a, b = k.Input(shape=(4, 3)), k.Input(shape=(2, 3))
    return k.Model([a, b], k.layers.Concatenate(axis=1)([a, b]))


@case("dot_axes", fs((2, 4, 3), (2, 5, 4)))
def _(k):
    a, b = k.Input(shape=(4, 3)), k.Input(shape=(5, 4))
    return k.Model([a, b], k.layers.Dot(axes=(1, 2))([a, b]))


@case("dot_normalize", fs((2, 5), (2, 5)))
def _(k):
    a, b = k.Input(shape=(5,)), k.Input(shape=(5,))
    return k.Model([a, b], k.layers.Dot(axes=-1, normalize=True)([a, b]))


@case("dot_batch_matmul", fs((2, 4, 3), (2, 5, 3)))
def _(k):
    a, b = k.Input(shape=(4, 3)), k.Input(shape=(5, 3))
    return k.Model([a, b], k.layers.Dot(axes=2)([a, b]))


@case("multi_input_dense_merge", fs((2, 5), (2, 3)))
def _(k):
    a, b = k.Input(shape=(5,)), k.Input(shape=(3,))
    h = k.layers.Concatenate()([k.layers.Dense(4, activation="relu")(a), k.layers.Dense(2)(b)])
    return k.Model([a, b], k.layers.Dense(2)(h))


# ============================================================================ Reshaping
@case("zero_padding1d_asym", f(2, 5, 3))
def _(k):
    return seq(k, (5, 3), k.layers.ZeroPadding1D((1, 2)))


@case("zero_padding2d_asym", f(2, 4, 5, 2))
def _(k):
    return seq(k, (4, 5, 2), k.layers.ZeroPadding2D(((1, 2), (0, 3))))


@case("zero_padding2d_channels_first", f(2, 2, 4, 5))
def _(k):
    return seq(k, (2, 4, 5), k.layers.ZeroPadding2D(((2, 0), (1, 1)), data_format="channels_first"))


@case("zero_padding3d_asym", f(2, 3, 2, 3, 2))
def _(k):
    return seq(k, (3, 2, 3, 2), k.layers.ZeroPadding3D(((1, 0), (2, 1), (0, 1))))


@case("cropping1d", f(2, 7, 3))
def _(k):
    return seq(k, (7, 3), k.layers.Cropping1D((1, 2)))


@case("cropping2d", f(2, 7, 6, 2))
def _(k):
    return seq(k, (7, 6, 2), k.layers.Cropping2D(((1, 0), (2, 1))))


@case("cropping2d_channels_first", f(2, 2, 7, 6))
def _(k):
    return seq(k, (2, 7, 6), k.layers.Cropping2D(((0, 2), (1, 1)), data_format="channels_first"))


@case("cropping3d", f(2, 5, 6, 5, 2))
def _(k):
    return seq(k, (5, 6, 5, 2), k.layers.Cropping3D(((1, 1), (0, 2), (2, 0))))


@case("upsampling1d", f(2, 4, 3))
def _(k):
    return seq(k, (4, 3), k.layers.UpSampling1D(3))


@case("upsampling2d_nearest", f(2, 3, 4, 2))
def _(k):
    return seq(k, (3, 4, 2), k.layers.UpSampling2D((2, 3)))


@case("upsampling2d_bilinear", f(2, 3, 4, 2))
def _(k):
    return seq(k, (3, 4, 2), k.layers.UpSampling2D(2, interpolation="bilinear"))


@case("upsampling2d_bilinear_channels_first", f(2, 2, 3, 4))
def _(k):
    return seq(k, (2, 3, 4), k.layers.UpSampling2D((3, 2), interpolation="bilinear", data_format="channels_first"))


@case("upsampling3d", f(2, 2, 3, 2, 2))
def _(k):
    return seq(k, (2, 3, 2, 2), k.layers.UpSampling3D((2, 1, 3)))


# ===================================================================== Activation layers
@case("relu_layer_default", f(2, 4, 5, scale=2.0))
def _(k):
    return seq(k, (4, 5), k.layers.ReLU())


@case("relu_layer_max_value", f(2, 4, 5, scale=4.0))
def _(k):
    return seq(k, (4, 5), k.layers.ReLU(max_value=6.0))


@case("relu_layer_all_args", f(2, 4, 5, scale=2.0))
def _(k):
    return seq(k, (4, 5), k.layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.5))


@case("leaky_relu_default", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.LeakyReLU())


@case("leaky_relu_0_1", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.LeakyReLU(negative_slope=0.1))


@case("prelu", f(2, 4, 3))
def _(k):
    return seq(k, (4, 3), k.layers.PReLU())


@case("prelu_shared_axes", f(2, 5, 5, 3))
def _(k):
    return seq(k, (5, 5, 3), k.layers.PReLU(shared_axes=[1, 2]))


@case("elu_layer", f(2, 4, 5, scale=2.0))
def _(k):
    return seq(k, (4, 5), k.layers.ELU(alpha=0.5))


@case("softmax_axis1", f(2, 4, 5))
def _(k):
    return seq(k, (4, 5), k.layers.Softmax(axis=1))


@case("softmax_with_mask", lambda rng: [rng.standard_normal((2, 3, 5)).astype("float32"),
                                        (rng.random((2, 3, 5)) > 0.3).astype("float32")])
def _(k):
    x, m = k.Input(shape=(3, 5)), k.Input(shape=(3, 5))
    return k.Model([x, m], k.layers.Softmax()(x, mask=m))


# ============================================================================ Attention
@case("mha_self_attention", f(2, 5, 4))
def _(k):
    x = k.Input(shape=(5, 4))
    return k.Model(x, k.layers.MultiHeadAttention(num_heads=2, key_dim=3)(x, x))


@case("mha_cross_attention_value_dim", fs((2, 4, 6), (2, 5, 3), (2, 5, 4)))
def _(k):
    q, v, kk = k.Input(shape=(4, 6)), k.Input(shape=(5, 3)), k.Input(shape=(5, 4))
    return k.Model([q, v, kk], k.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)(q, v, kk))


def _mha_mask_inputs(rng):
    q = rng.standard_normal((2, 4, 6)).astype("float32")
    v = rng.standard_normal((2, 5, 3)).astype("float32")
    m = (rng.random((2, 4, 5)) > 0.4).astype("float32")
    m[:, :, 0] = 1.0  # every query attends to at least one key
    return [q, v, m]


@case("mha_attention_mask_scores", _mha_mask_inputs)
def _(k):
    q, v, m = k.Input(shape=(4, 6)), k.Input(shape=(5, 3)), k.Input(shape=(4, 5))
    out, scores = k.layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=(7,))(
        q, v, attention_mask=m, return_attention_scores=True)
    return k.Model([q, v, m], [out, scores])


@case("mha_causal_mask", f(2, 5, 4))
def _(k):
    x = k.Input(shape=(5, 4))
    return k.Model(x, k.layers.MultiHeadAttention(num_heads=2, key_dim=3, use_bias=False)(x, x, use_causal_mask=True))


@case("attention_dot", fs((2, 4, 3), (2, 5, 3)))
def _(k):
    q, v = k.Input(shape=(4, 3)), k.Input(shape=(5, 3))
    return k.Model([q, v], k.layers.Attention()([q, v]))


@case("attention_dot_scale_key_scores", fs((2, 4, 3), (2, 5, 3), (2, 5, 3)))
def _(k):
    q, v, kk = k.Input(shape=(4, 3)), k.Input(shape=(5, 3)), k.Input(shape=(5, 3))
    out, scores = k.layers.Attention(use_scale=True)([q, v, kk], return_attention_scores=True)
    return k.Model([q, v, kk], [out, scores])


@case("attention_concat", fs((2, 4, 3), (2, 5, 3)))
def _(k):
    q, v = k.Input(shape=(4, 3)), k.Input(shape=(5, 3))
    return k.Model([q, v], k.layers.Attention(score_mode="concat")([q, v]))


@case("attention_concat_scale_causal", fs((2, 5, 3), (2, 5, 3)))
def _(k):
    q, v = k.Input(shape=(5, 3)), k.Input(shape=(5, 3))
    return k.Model([q, v], k.layers.Attention(use_scale=True, score_mode="concat")([q, v], use_causal_mask=True))


@case("additive_attention", fs((2, 4, 3), (2, 5, 3)))
def _(k):
    q, v = k.Input(shape=(4, 3)), k.Input(shape=(5, 3))
    return k.Model([q, v], k.layers.AdditiveAttention()([q, v]))


@case("additive_attention_no_scale", fs((2, 4, 3), (2, 5, 3), (2, 5, 3)))
def _(k):
    q, v, kk = k.Input(shape=(4, 3)), k.Input(shape=(5, 3)), k.Input(shape=(5, 3))
    return k.Model([q, v, kk], k.layers.AdditiveAttention(use_scale=False)([q, v, kk]))


@case("gqa_self_attention", f(2, 5, 6))
def _(k):
    x = k.Input(shape=(5, 6))
    return k.Model(x, k.layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)(x, x))


@case("gqa_cross_gate_scores", fs((2, 4, 6), (2, 5, 6), (2, 5, 3)))
def _(k):
    q, v, kk = k.Input(shape=(4, 6)), k.Input(shape=(5, 6)), k.Input(shape=(5, 3))
    out, scores = k.layers.GroupQueryAttention(2, 4, 1, use_gate=True)(q, v, kk, return_attention_scores=True)
    return k.Model([q, v, kk], [out, scores])


@case("gqa_causal_sliding_window", f(2, 6, 4))
def _(k):
    x = k.Input(shape=(6, 4))
    return k.Model(x, k.layers.GroupQueryAttention(2, 2, 2, sliding_window=2, use_bias=False)(
        x, x, use_causal_mask=True))


def _gqa_mask_inputs(rng):
    q, _, m = _mha_mask_inputs(rng)
    return [q, rng.standard_normal((2, 5, 6)).astype("float32"), m]


@case("gqa_attention_mask", _gqa_mask_inputs)
def _(k):
    q, v, m = k.Input(shape=(4, 6)), k.Input(shape=(5, 6)), k.Input(shape=(4, 5))
    return k.Model([q, v, m], k.layers.GroupQueryAttention(3, 2, 1)(q, v, attention_mask=m))


# ======================================================================= Regularization
@case("spatial_dropout1d_inference", f(2, 6, 3))
def _(k):
    return seq(k, (6, 3), k.layers.Conv1D(2, 3), k.layers.SpatialDropout1D(0.5))


@case("spatial_dropout2d_inference", f(2, 5, 5, 2))
def _(k):
    return seq(k, (5, 5, 2), k.layers.Conv2D(2, 3), k.layers.SpatialDropout2D(0.5))


@case("spatial_dropout3d_inference", f(2, 4, 4, 4, 2))
def _(k):
    return seq(k, (4, 4, 4, 2), k.layers.SpatialDropout3D(0.5), k.layers.Conv3D(2, 2))


@case("gaussian_noise_inference", f(2, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(4), k.layers.GaussianNoise(0.3))


@case("gaussian_dropout_inference", f(2, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(4), k.layers.GaussianDropout(0.3))


@case("alpha_dropout_inference", f(2, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(4, activation="selu"), k.layers.AlphaDropout(0.3))


@case("activity_regularization", f(2, 5))
def _(k):
    return seq(k, (5,), k.layers.Dense(4), k.layers.ActivityRegularization(l1=0.01, l2=0.01))


# ======================================================================== Preprocessing
@case("rescaling_scale_offset", lambda rng: [rng.integers(0, 256, (2, 5, 5, 3)).astype("float32")])
def _(k):
    return seq(k, (5, 5, 3), k.layers.Rescaling(scale=1.0 / 127.5, offset=-1.0))


@case("normalization_explicit", f(2, 4, 3))
def _(k):
    return seq(k, (4, 3), k.layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[4.0, 0.25, 1.5]))


@case("normalization_invert", f(2, 4, 3))
def _(k):
    return seq(k, (4, 3), k.layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[4.0, 0.25, 1.5], invert=True))


@case("normalization_adapt", f(2, 4, 3))
def _(k):
    data = (np.arange(36, dtype="float32").reshape(12, 3) % 7) * np.array([1.0, 0.5, -2.0], "float32")
    norm = k.layers.Normalization(axis=-1)
    norm.adapt(data)
    return seq(k, (4, 3), norm, k.layers.Dense(2))


@case("resizing_bilinear", f(2, 7, 9, 2))
def _(k):
    return seq(k, (7, 9, 2), k.layers.Resizing(5, 11, interpolation="bilinear", crop_to_aspect_ratio=False))


@case("resizing_nearest", f(2, 7, 9, 2))
def _(k):
    return seq(k, (7, 9, 2), k.layers.Resizing(4, 12, interpolation="nearest"))


@case("resizing_bilinear_upscale_channels_first", f(2, 2, 3, 5))
def _(k):
    return seq(k, (2, 3, 5), k.layers.Resizing(7, 8, data_format="channels_first"))


def small_ints(rng, shape=(3, 5), high=8):
    """int32 features in [0, high)."""
    return [rng.integers(0, high, size=shape).astype("int32")]


@case("discretization_one_hot_dense", f(3, 4))
def _(k):
    disc = k.layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.5], output_mode="one_hot")
    return seq(k, (4,), disc, k.layers.Flatten(), k.layers.Dense(2))


@case("discretization_adapt_multi_hot", f(3, 4))
def _(k):
    disc = k.layers.Discretization(num_bins=4, output_mode="multi_hot")
    disc.adapt(np.linspace(-2.0, 2.0, 40, dtype="float32").reshape(10, 4))
    return seq(k, (4,), disc, k.layers.Dense(3))


@case("category_encoding_count_dense", small_ints)
def _(k):
    return seq(k, (5,), k.layers.CategoryEncoding(num_tokens=8, output_mode="count"), k.layers.Dense(2),
               dtype="int32")


@case("integer_lookup_multi_hot_dense", small_ints)
def _(k):
    lookup = k.layers.IntegerLookup(vocabulary=[1, 2, 3, 5, 7], output_mode="multi_hot")
    return seq(k, (5,), lookup, k.layers.Dense(2), dtype="int32")


@case("integer_lookup_embedding", small_ints)
def _(k):
    lookup = k.layers.IntegerLookup(vocabulary=[4, 2, 6], mask_token=0)
    return seq(k, (5,), lookup, k.layers.Embedding(5, 3), dtype="int32")


@case("center_crop", f(2, 7, 8, 2))
def _(k):
    return seq(k, (7, 8, 2), k.layers.CenterCrop(3, 5))


@case("stft_spectrogram_log", f(2, 64, 2))
def _(k):
    return seq(k, (64, 2), k.layers.STFTSpectrogram(frame_length=16, frame_step=8, fft_length=16))


@case("stft_spectrogram_psd_same_channels_first", f(2, 1, 50))
def _(k):
    return seq(k, (1, 50), k.layers.STFTSpectrogram(mode="psd", frame_length=12, fft_length=16, padding="same",
                                                    window="hamming", periodic=True, data_format="channels_first"))


@case("stft_spectrogram_stft_expand_dims", f(2, 40, 3))
def _(k):
    return seq(k, (40, 3), k.layers.STFTSpectrogram(mode="stft", frame_length=8, frame_step=4, scaling="spectrum",
                                                    expand_dims=True))


@case("stft_spectrogram_magnitude_real_imag", f(2, 30, 1))
def _(k):
    x = k.Input(shape=(30, 1))
    outs = [k.layers.STFTSpectrogram(mode=m, frame_length=10, frame_step=5, window=None)(x)
            for m in ("magnitude", "real", "imag")]
    return k.Model(x, outs)


@case("stft_spectrogram_expand_dims_channels_first", f(2, 2, 24))
def _(k):
    return seq(k, (2, 24), k.layers.STFTSpectrogram(mode="log", frame_length=8, frame_step=3, expand_dims=True,
                                                    data_format="channels_first"))


@case("mel_spectrogram_db", f(2, 400))
def _(k):
    return seq(k, (400,), k.layers.MelSpectrogram(fft_length=64, sequence_stride=16, num_mel_bins=10,
                                                  sampling_rate=8000))


@case("mel_spectrogram_power_hamming", f(2, 300))
def _(k):
    return seq(k, (300,), k.layers.MelSpectrogram(fft_length=64, sequence_stride=20, sequence_length=48,
                                                  window="hamming", num_mel_bins=8, sampling_rate=4000,
                                                  min_freq=50.0, max_freq=1500.0, power_to_db=False, mag_exp=1.0))


def _pixels(*shape):
    return lambda rng: [rng.uniform(0, 255, shape).astype("float32")]


@case("augmentation_geometric_inference", _pixels(2, 12, 14, 3))
def _(k):
    L = k.layers
    return seq(k, (12, 14, 3), L.RandomFlip(seed=1), L.RandomRotation(0.2, seed=2), L.RandomZoom(0.2, seed=3),
               L.RandomTranslation(0.1, 0.2, seed=4), L.RandomShear((0.0, 0.2), (0.0, 0.1), seed=5),
               L.RandomPerspective(seed=6), L.RandomElasticTransform(seed=7), L.RandomCrop(12, 14, seed=8),
               L.Conv2D(3, 3))


@case("augmentation_color_inference", _pixels(2, 12, 14, 3))
def _(k):
    L = k.layers
    return seq(k, (12, 14, 3), L.RandomBrightness(0.2), L.RandomContrast(0.3), L.RandomHue(0.2),
               L.RandomSaturation(0.3), L.RandomGrayscale(), L.RandomColorDegeneration(0.4),
               L.RandomColorJitter(brightness_factor=0.1, contrast_factor=0.2), L.RandomInvert(),
               L.RandomPosterization(4), L.Solarization(0.2, 0.4), L.RandomSharpness(0.4), L.RandomGaussianBlur(),
               L.RandomErasing(), L.CutMix(), L.MixUp(), L.RandAugment(), L.AugMix(), L.Conv2D(3, 3))


@case("auto_contrast", _pixels(2, 6, 7, 3))
def _(k):
    return seq(k, (6, 7, 3), k.layers.AutoContrast(), k.layers.Conv2D(2, 3))


@case("auto_contrast_unit_range", f(2, 6, 7, 3))
def _(k):
    return seq(k, (6, 7, 3), k.layers.AutoContrast(value_range=(0, 1)))


@case("clahe_inference", _pixels(2, 13, 17, 3))
def _(k):
    return seq(k, (13, 17, 3), k.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(3, 4)))


# =============================================================================== Models
@case("nested_sequential_in_functional", f(2, 5))
def _(k):
    inner = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(4, activation="relu"), k.layers.Dense(3)])
    x = k.Input(shape=(5,))
    y = k.layers.Dense(2)(inner(k.layers.Dense(4)(x)))
    return k.Model(x, y)


@case("shared_layer_twice", fs((2, 5), (2, 5)))
def _(k):
    a, b = k.Input(shape=(5,)), k.Input(shape=(5,))
    d = k.layers.Dense(3, activation="tanh")
    return k.Model([a, b], k.layers.Subtract()([d(a), d(b)]))


@case("multi_input_multi_output", fs((2, 6, 3), (2, 4)))
def _(k):
    seq_in, vec_in = k.Input(shape=(6, 3)), k.Input(shape=(4,))
    h = k.layers.GRU(4)(seq_in)
    h = k.layers.Concatenate()([h, k.layers.Dense(3, activation="relu")(vec_in)])
    out_a = k.layers.Dense(1, activation="sigmoid")(h)
    out_b = k.layers.Dense(3, activation="softmax")(h)
    return k.Model([seq_in, vec_in], [out_a, out_b])


@case("symbolic_slicing", f(2, 6, 4))
def _(k):
    x = k.Input(shape=(6, 4))
    y = k.layers.Flatten()(x[:, 1:3])
    return k.Model(x, k.layers.Dense(2)(y))


@case("symbolic_ops_arithmetic", f(2, 6, 4))
def _(k):
    x = k.Input(shape=(6, 4))
    h = k.layers.Dense(4)(x)
    y = k.ops.mean(h * 2.0 + x, axis=1)
    z = k.ops.sqrt(k.ops.square(y) + 1.0) - k.ops.max(x, axis=1)
    return k.Model(x, z)


CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "duplicate case names"
