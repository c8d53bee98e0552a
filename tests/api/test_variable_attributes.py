"""The Keras 3 variable attributes of ``keras.Variable`` and of layer weights (values printed by Keras 3.15.1):
``shape`` compares equal to Keras's tuple, ``dtype`` standardizes to Keras's string, and ``aggregation``,
``synchronization``, ``constraint``, ``regularizer``, ``overwrite_with_gradient`` exist with Keras's defaults.
Weights stay ``torch.nn.Parameter`` objects (torch reads ``shape``/``dtype`` as torch types)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras


def test_standalone_variable_matches_keras_attributes():
    v = keras.Variable(np.ones((2, 3), "float32"), name="v")
    assert isinstance(v, torch.nn.Parameter)
    assert v.shape == (2, 3) and isinstance(v.shape, tuple) and v.ndim == 2
    assert keras.backend.standardize_dtype(v.dtype) == "float32"
    assert (v.name, v.path, v.trainable) == ("v", "v", True)
    assert (v.aggregation, v.synchronization) == ("none", "auto")
    assert v.constraint is None and v.regularizer is None and v.overwrite_with_gradient is False
    copy = v.numpy()
    v.assign(np.zeros((2, 3)))
    assert isinstance(copy, np.ndarray) and copy.sum() == 6 and v.value.detach().sum() == 0
    # Keras: None means "none" for both; other values are kept.
    w = keras.Variable([1.0], aggregation=None, synchronization="on_read")
    assert (w.aggregation, w.synchronization) == ("none", "on_read")
    with pytest.raises(ValueError, match="aggregation"):
        keras.Variable([1.0], aggregation="max")


def test_layer_weight_exposes_its_regularizer_and_constraint():
    layer = keras.layers.Dense(2, kernel_regularizer="l2", kernel_constraint="non_neg")
    layer.build((None, 3))
    kernel, bias = layer.weights
    assert kernel.path == f"{layer.name}/kernel"
    assert type(kernel.regularizer).__name__ == "L2" and bias.regularizer is None
    assert kernel.constraint is not None and bias.constraint is None
    assert (kernel.aggregation, kernel.synchronization, kernel.overwrite_with_gradient) == ("none", "auto", False)
