"""The shared layer harness run over every registered layer (like torch's ``module_db``).

Each registered Keras layer class must have an entry here; a new layer without one fails
``test_every_registered_layer_has_an_entry``. Numeric parity with real Keras lives in
``tests/test_parity_layers.py`` (fixtures from ``compat/generate_fixtures.py``).
"""

from __future__ import annotations

import pytest

import keras_torch as keras
from keras_torch import layers as L
from keras_torch.core import registry
from keras_torch.testing.layer_test import run_layer_test

# name -> list of (init kwargs, input shape(s), options)
LAYER_DB: dict[str, list[tuple[dict, object, dict]]] = {
    "Activation": [({"activation": "gelu"}, (2, 5), {})],
    "ActivityRegularization": [({"l1": 0.01, "l2": 0.01}, (2, 5), {"train": False})],
    "Add": [({}, [(2, 4), (2, 4)], {"train": False})],
    "LayerScale": [({"init_values": 0.1, "projection_dim": 4}, (2, 3, 4), {})],
    "StochasticDepth": [({"drop_path_rate": 0.0}, (2, 3, 4), {"train": False})],
    "CustomScaleLayer": [({"scale": 0.17}, [(2, 4), (2, 4)], {"train": False})],
    "AdaptiveAveragePooling1D": [({"output_size": 3}, (2, 7, 3), {"train": False})],
    "AdaptiveAveragePooling2D": [({"output_size": (2, 3), "data_format": "channels_first"}, (2, 3, 5, 7), {"train": False})],
    "AdaptiveAveragePooling3D": [({"output_size": 2}, (1, 3, 4, 5, 2), {"train": False})],
    "AdaptiveMaxPooling1D": [({"output_size": 4}, (2, 7, 3), {"train": False})],
    "AdaptiveMaxPooling2D": [({"output_size": (3, 2)}, (2, 5, 6, 3), {"train": False})],
    "AdaptiveMaxPooling3D": [({"output_size": (2, 1, 2)}, (1, 3, 4, 5, 2), {"train": False})],
    "AdditiveAttention": [({}, [(2, 3, 4), (2, 5, 4)], {})],
    "AlphaDropout": [({"rate": 0.2}, (2, 5), {"train": False})],
    "Attention": [({"use_scale": True}, [(2, 3, 4), (2, 5, 4)], {})],
    "Average": [({}, [(2, 4), (2, 4)], {"train": False})],
    "AveragePooling1D": [({"pool_size": 2, "padding": "same"}, (2, 7, 3), {"train": False})],
    "AveragePooling2D": [({"pool_size": 2, "strides": 1}, (2, 5, 5, 3), {"train": False})],
    "AveragePooling3D": [({"pool_size": 2}, (1, 4, 4, 4, 2), {"train": False})],
    "BatchNormalization": [({}, (4, 5), {}), ({"axis": 1}, (2, 3, 4, 4), {})],
    "Bidirectional": [({"layer": "lstm"}, (2, 5, 3), {})],
    "CategoryEncoding": [({"num_tokens": 6, "output_mode": "count"}, (3, 4), {"dtype": "int64", "high": 6}),
                         ({"num_tokens": 6, "output_mode": "one_hot"}, (3, 1), {"dtype": "int64", "high": 6})],
    "CenterCrop": [({"height": 3, "width": 3}, (2, 5, 5, 1), {"train": False})],
    "Concatenate": [({"axis": -1}, [(2, 3), (2, 4)], {"train": False})],
    "ConvLSTM1D": [({"filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True}, (2, 3, 6, 2), {})],
    "ConvLSTM2D": [({"filters": 2, "kernel_size": 3, "return_state": True}, (2, 3, 5, 5, 2), {}),
                   ({"filters": 2, "kernel_size": 2, "padding": "same", "data_format": "channels_first",
                     "dropout": 0.2, "recurrent_dropout": 0.2}, (2, 3, 2, 4, 4), {})],
    "ConvLSTM3D": [({"filters": 2, "kernel_size": 2, "go_backwards": True}, (1, 2, 3, 3, 3, 1), {})],
    "Conv1D": [({"filters": 3, "kernel_size": 3, "padding": "causal"}, (2, 7, 2), {})],
    "Conv1DTranspose": [({"filters": 3, "kernel_size": 3, "strides": 2}, (2, 5, 2), {})],
    "Conv2D": [({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 7, 7, 3), {}),
               ({"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, (2, 3, 6, 6), {})],
    "Conv2DTranspose": [({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 4, 4, 2), {})],
    "Conv3D": [({"filters": 2, "kernel_size": 2}, (1, 4, 4, 4, 2), {})],
    "Conv3DTranspose": [({"filters": 2, "kernel_size": 2, "strides": 2}, (1, 3, 3, 3, 2), {})],
    "Cropping1D": [({"cropping": (1, 2)}, (2, 7, 3), {"train": False})],
    "Cropping2D": [({"cropping": ((1, 0), (0, 2))}, (2, 5, 6, 3), {"train": False})],
    "Cropping3D": [({"cropping": 1}, (1, 4, 4, 4, 2), {"train": False})],
    "Dense": [({"units": 4, "activation": "relu"}, (2, 3), {}), ({"units": 2, "use_bias": False}, (2, 5, 3), {})],
    "DepthwiseConv1D": [({"kernel_size": 3, "depth_multiplier": 2}, (2, 7, 3), {})],
    "DepthwiseConv2D": [({"kernel_size": 3, "depth_multiplier": 2, "padding": "same"}, (2, 5, 5, 3), {})],
    "Discretization": [({"bin_boundaries": [-0.5, 0.0, 0.5]}, (2, 5), {}),
                       ({"bin_boundaries": [0.0], "output_mode": "multi_hot"}, (2, 5), {})],
    "Dot": [({"axes": 1, "normalize": True}, [(2, 4), (2, 4)], {"train": False})],
    "DynamicEmbedding": [({"input_dim": 5, "output_dim": 3, "initial_vocabulary": [0, 1, 2, 3, 4]}, (2, 4),
                          {"dtype": "int64", "high": 8})],
    "DynamicLookup": [({"vocabulary_size": 5, "initial_vocabulary": [0, 1, 2, 3, 4]}, (2, 4),
                       {"dtype": "int64", "high": 8, "train": False})],
    "Dropout": [({"rate": 0.3}, (2, 5), {"train": False})],
    "ELU": [({"alpha": 0.5}, (2, 5), {"train": False})],
    "EinsumDense": [({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3), {})],
    "Embedding": [({"input_dim": 10, "output_dim": 4, "mask_zero": True}, (2, 5), {"dtype": "int64", "high": 10})],
    "Flatten": [({}, (2, 3, 4), {"train": False})],
    "GRU": [({"units": 4}, (2, 5, 3), {}), ({"units": 4, "reset_after": False, "return_sequences": True}, (2, 5, 3), {})],
    "GaussianDropout": [({"rate": 0.2}, (2, 5), {"train": False})],
    "GaussianNoise": [({"stddev": 0.1}, (2, 5), {"train": False})],
    "GlobalAveragePooling1D": [({}, (2, 5, 3), {"train": False})],
    "GlobalAveragePooling2D": [({"keepdims": True}, (2, 4, 4, 3), {"train": False})],
    "GlobalAveragePooling3D": [({}, (1, 3, 3, 3, 2), {"train": False})],
    "GlobalMaxPooling1D": [({}, (2, 5, 3), {"train": False})],
    "GlobalMaxPooling2D": [({}, (2, 4, 4, 3), {"train": False})],
    "GlobalMaxPooling3D": [({}, (1, 3, 3, 3, 2), {"train": False})],
    "GroupedQueryAttention": [({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
                               [(2, 4, 5), (2, 6, 5)], {"unpack": True}),
                              ({"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1, "use_gate": True,
                                "sliding_window": 2, "dropout": 0.1}, [(2, 4, 5), (2, 4, 5)], {"unpack": True})],
    "GroupNormalization": [({"groups": 2}, (2, 4, 4), {})],
    "HashedCrossing": [({"num_bins": 7}, [(4,), (4,)], {"dtype": "int64", "high": 9}),
                       ({"num_bins": 5, "output_mode": "one_hot"}, [(4, 1), (4, 1)], {"dtype": "string"})],
    "Hashing": [({"num_bins": 5}, (2, 3), {"dtype": "string"}), ({"num_bins": 4, "mask_value": 0}, (2, 3),
                                                                   {"dtype": "int64", "high": 6})],
    "Identity": [({}, (2, 5), {"train": False})],
    "IntegerLookup": [({"vocabulary": [1, 3, 4], "mask_token": 0}, (2, 5), {"dtype": "int64", "high": 6}),
                      ({"vocabulary": [1, 2], "output_mode": "multi_hot"}, (2, 5), {"dtype": "int64", "high": 4})],
    "LSTM": [({"units": 4}, (2, 5, 3), {}), ({"units": 4, "activation": "relu", "return_sequences": True},
                                             (2, 5, 3), {})],
    "Lambda": [({"function": "double"}, (2, 5), {"train": False, "config": False})],
    "LayerNormalization": [({}, (2, 5), {}), ({"axis": [1, 2]}, (2, 3, 4), {})],
    "LeakyReLU": [({"negative_slope": 0.1}, (2, 5), {"train": False})],
    "LocallyConnected1D": [({"filters": 3, "kernel_size": 3, "strides": 2}, (2, 9, 2), {}),
                           ({"filters": 2, "kernel_size": 2, "padding": "same", "implementation": 3}, (2, 5, 3), {})],
    "LocallyConnected2D": [({"filters": 2, "kernel_size": 3, "implementation": 2, "data_format": "channels_first"},
                            (2, 2, 5, 4), {}),
                           ({"filters": 2, "kernel_size": (2, 3), "strides": 2, "implementation": 1}, (2, 6, 7, 1), {})],
    "Masking": [({"mask_value": 0.0}, (2, 4, 3), {"train": False})],
    "MaxPooling1D": [({"pool_size": 2}, (2, 7, 3), {"train": False})],
    "MaxPooling2D": [({"pool_size": 2, "padding": "same"}, (2, 5, 5, 3), {"train": False})],
    "MaxPooling3D": [({"pool_size": 2}, (1, 4, 4, 4, 2), {"train": False})],
    "Maximum": [({}, [(2, 4), (2, 4)], {"train": False})],
    "MelSpectrogram": [({"fft_length": 32, "sequence_stride": 8, "num_mel_bins": 6}, (2, 100), {"train": False})],
    "Minimum": [({}, [(2, 4), (2, 4)], {"train": False})],
    "MultiHeadAttention": [({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 6, 5)], {"unpack": True})],
    "Multiply": [({}, [(2, 4), (2, 4)], {"train": False})],
    "Normalization": [({"mean": 0.5, "variance": 2.0}, (2, 3), {"train": False})],
    "PReLU": [({"alpha_initializer": "ones"}, (2, 5), {})],
    "Permute": [({"dims": (2, 1)}, (2, 3, 4), {"train": False})],
    "RMSNormalization": [({}, (2, 5), {}), ({"axis": [1, 2], "epsilon": 1e-3}, (2, 3, 4), {})],
    "RNN": [({"cell": "lstm_cell"}, (2, 5, 3), {})],
    "ReLU": [({"max_value": 6.0, "negative_slope": 0.1}, (2, 5), {"train": False})],
    "RepeatVector": [({"n": 3}, (2, 4), {"train": False})],
    "Rescaling": [({"scale": 0.5, "offset": 1.0}, (2, 5), {"train": False})],
    "Reshape": [({"target_shape": (4, -1)}, (2, 8), {"train": False})],
    "Resizing": [({"height": 3, "width": 5}, (2, 6, 4, 1), {"train": False})],
    "STFTSpectrogram": [({"frame_length": 8, "frame_step": 4}, (2, 32, 2), {}),
                        ({"mode": "stft", "expand_dims": True, "data_format": "channels_first", "frame_length": 8,
                          "padding": "same"}, (2, 1, 20), {})],
    "SeparableConv1D": [({"filters": 3, "kernel_size": 3}, (2, 7, 2), {})],
    "SeparableConv2D": [({"filters": 3, "kernel_size": 3, "depth_multiplier": 2}, (2, 5, 5, 2), {})],
    "SimpleRNN": [({"units": 4, "go_backwards": True}, (2, 5, 3), {})],
    "Softmax": [({"axis": -1}, (2, 5), {"train": False})],
    "SpectralNormalization": [({"layer": "dense"}, (2, 3), {}), ({"layer": "conv2d", "power_iterations": 2},
                                                                 (2, 5, 5, 2), {})],
    "SpatialDropout1D": [({"rate": 0.2}, (2, 5, 3), {"train": False})],
    "SpatialDropout2D": [({"rate": 0.2}, (2, 4, 4, 3), {"train": False})],
    "SpatialDropout3D": [({"rate": 0.2}, (1, 3, 3, 3, 2), {"train": False})],
    "StackedRNNCells": [({"cells": "two_cells"}, (2, 5, 3), {"wrap_rnn": True})],
    "StringLookup": [({"vocabulary": ["the", "cat", "mat"], "num_oov_indices": 2}, (2, 4), {"dtype": "string"}),
                     ({"vocabulary": ["the", "cat"], "output_mode": "tf_idf", "idf_weights": [0.5, 1.0]}, (2, 4),
                      {"dtype": "string"})],
    "Subtract": [({}, [(2, 4), (2, 4)], {"train": False})],
    "ThresholdedReLU": [({"theta": 0.5}, (2, 5), {"train": False})],
    "TextVectorization": [({"vocabulary": ["the", "cat", "dog"], "output_sequence_length": 3}, (2, 1), {"dtype": "string"}),
                          ({"vocabulary": ["the", "cat"], "output_mode": "count", "ngrams": 2}, (2,),
                           {"dtype": "string"})],
    "TimeDistributed": [({"layer": "dense"}, (2, 5, 3), {})],
    "UnitNormalization": [({}, (2, 5), {"train": False})],
    "UpSampling1D": [({"size": 2}, (2, 4, 3), {"train": False})],
    "UpSampling2D": [({"size": 2, "interpolation": "bilinear"}, (2, 3, 3, 2), {"train": False})],
    "UpSampling3D": [({"size": 2}, (1, 2, 2, 2, 2), {"train": False})],
    "ZeroPadding1D": [({"padding": (1, 2)}, (2, 4, 3), {"train": False})],
    "ZeroPadding2D": [({"padding": ((1, 0), (2, 1))}, (2, 3, 3, 2), {"train": False})],
    "ZeroPadding3D": [({"padding": 1}, (1, 2, 2, 2, 2), {"train": False})],
    # Image preprocessing / augmentation (no weights; training=True by default, as Keras).
    "AugMix": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "AutoContrast": [({}, (2, 8, 8, 3), {"train": False})],
    "ContrastLimitedAdaptiveHistogramEqualization": [({"tile_grid_size": (2, 2)}, (2, 8, 8, 3), {"train": False})],
    "CutMix": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "Equalization": [({}, (2, 8, 8, 3), {"train": False})],
    "MaxNumBoundingBoxes": [({"max_number": 3}, (2, 8, 8, 3), {"train": False})],
    "MixUp": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "Pipeline": [({"layers": "flip_rotation"}, (2, 8, 8, 3), {"train": False})],
    "RandAugment": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "RandomBrightness": [({"factor": 0.2}, (2, 8, 8, 3), {"train": False})],
    "RandomColorDegeneration": [({"factor": 0.5}, (2, 8, 8, 3), {"train": False})],
    "RandomColorJitter": [({"brightness_factor": 0.1, "contrast_factor": 0.2, "saturation_factor": 0.3,
                            "hue_factor": 0.1}, (2, 8, 8, 3), {"train": False})],
    "RandomContrast": [({"factor": 0.3}, (2, 8, 8, 3), {"train": False})],
    "RandomCrop": [({"height": 5, "width": 6, "seed": 1}, (2, 8, 8, 3), {"train": False})],
    "RandomElasticTransform": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "RandomErasing": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "RandomFlip": [({"mode": "horizontal"}, (2, 8, 8, 3), {"train": False}),
                   ({"data_format": "channels_first"}, (2, 3, 8, 8), {"train": False})],
    "RandomGaussianBlur": [({"kernel_size": 3}, (2, 8, 8, 3), {"train": False})],
    "RandomGrayscale": [({"factor": 0.5}, (2, 8, 8, 3), {"train": False})],
    "RandomHeight": [({"factor": 0.3}, (2, 8, 8, 3), {"train": False})],
    "RandomHue": [({"factor": 0.3}, (2, 8, 8, 3), {"train": False})],
    "RandomInvert": [({}, (2, 8, 8, 3), {"train": False})],
    "RandomPerspective": [({"seed": 1}, (2, 8, 8, 3), {"train": False})],
    "RandomPosterization": [({"factor": 4}, (2, 8, 8, 3), {"train": False})],
    "RandomRotation": [({"factor": 0.2}, (2, 8, 8, 3), {"train": False}),
                       ({"factor": 0.1, "fill_mode": "constant", "data_format": "channels_first"}, (2, 3, 8, 8),
                        {"train": False})],
    "RandomSaturation": [({"factor": 0.5}, (2, 8, 8, 3), {"train": False})],
    "RandomSharpness": [({"factor": 0.5}, (2, 8, 8, 3), {"train": False})],
    "RandomShear": [({"x_factor": 0.2, "y_factor": 0.2}, (2, 8, 8, 3), {"train": False})],
    "RandomTranslation": [({"height_factor": 0.2, "width_factor": 0.2}, (2, 8, 8, 3), {"train": False})],
    "RandomFourierFeatures": [({"output_dim": 6, "trainable": True}, (2, 4), {})],
    "ReversibleEmbedding": [({"input_dim": 10, "output_dim": 4, "tie_weights": False, "mask_zero": True}, (2, 5),
                             {"dtype": "int64", "high": 10}),
                            ({"input_dim": 10, "output_dim": 4, "logit_soft_cap": 2.0}, (2, 5),
                             {"dtype": "int64", "high": 10})],
    "RandomWidth": [({"factor": 0.3}, (2, 8, 8, 3), {"train": False})],
    "RandomZoom": [({"height_factor": 0.2}, (2, 8, 8, 3), {"train": False})],
    "SyncBatchNormalization": [({"momentum": 0.9}, (4, 5), {})],
    "Solarization": [({"addition_factor": 0.2, "threshold_factor": 0.5}, (2, 8, 8, 3), {"train": False})],
}
# Containers and cells are exercised through models and RNN wrappers instead.
NOT_STANDALONE = {"InputLayer", "Model", "Functional", "Sequential", "LSTMCell", "GRUCell", "SimpleRNNCell",
                  "TorchModuleWrapper", "Wrapper",  # Wrapper: abstract (subclasses implement call)
                  "Distiller", "LinearModel", "WideDeepModel", "SharpnessAwareMinimization",  # models
                  # raw-op nodes of tf-keras graphs: called with the op's own arguments (tests/saving/test_tf_ops.py)
                  "TFOpLambda", "SlicingOpLambda"}


def _double(x):
    return x * 2.0


def _materialize(kwargs: dict) -> dict:
    """Replace placeholder strings by objects that can't be written inline in the table."""
    kw = dict(kwargs)
    if kw.get("layer") == "lstm":
        kw["layer"] = L.LSTM(3)
    elif kw.get("layer") == "dense":
        kw["layer"] = L.Dense(2)
    elif kw.get("layer") == "conv2d":
        kw["layer"] = L.Conv2D(3, 3)
    if kw.get("cell") == "lstm_cell":
        kw["cell"] = L.LSTMCell(3)
    if kw.get("cells") == "two_cells":
        kw["cells"] = [L.LSTMCell(3), L.GRUCell(2)]
    if kw.get("function") == "double":
        kw["function"] = _double
    if kw.get("layers") == "flip_rotation":
        kw["layers"] = [L.RandomFlip(seed=1), L.RandomRotation(0.1, seed=2)]
    return kw


def _cases():
    for name, entries in sorted(LAYER_DB.items()):
        for i, entry in enumerate(entries):
            yield pytest.param(name, *entry, id=f"{name}-{i}")


def test_every_registered_layer_has_an_entry():
    classes = {cls.__name__ for cls in registry.registered("layers").values()}
    missing = sorted(classes - set(LAYER_DB) - NOT_STANDALONE)
    assert not missing, f"add these layers to LAYER_DB: {missing}"


@pytest.mark.parametrize("name,kwargs,shape,opts", _cases())
def test_layer_harness(name, kwargs, shape, opts):
    cls = registry.get("layers", name)
    kw = _materialize(kwargs)
    if opts.get("wrap_rnn"):
        cls, kw = L.RNN, {"cell": L.StackedRNNCells(**kw)}
    if not opts.get("config", True):
        layer = cls(**kw)
        x = keras.ops.ones(shape)
        assert tuple(layer(x).shape) == tuple(shape)
        return
    run_layer_test(
        cls,
        kw,
        list(shape) if isinstance(shape, list) else tuple(shape),
        input_dtype=opts.get("dtype", "float32"),
        int_high=opts.get("high", 5),
        run_training_check=opts.get("train", True),
        unpack_inputs=opts.get("unpack", False),
    )
