"""Spellings both Keras generations accept: lowercase classes, tf-keras-only names, layer (de)serialization."""

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.core import omissions


@pytest.mark.parametrize("alias,cls", [
    ("zeros", "Zeros"), ("ones", "Ones"), ("constant", "Constant"), ("random_normal", "RandomNormal"),
    ("random_uniform", "RandomUniform"), ("truncated_normal", "TruncatedNormal"),
    ("variance_scaling", "VarianceScaling"), ("orthogonal", "Orthogonal"), ("identity", "Identity"),
    ("stft", "STFT"), ("glorot_uniform", "GlorotUniform"), ("glorot_normal", "GlorotNormal"),
    ("he_uniform", "HeUniform"), ("he_normal", "HeNormal"), ("lecun_uniform", "LecunUniform"),
    ("lecun_normal", "LecunNormal"), ("OrthogonalInitializer", "Orthogonal"), ("IdentityInitializer", "Identity"),
    ("STFTInitializer", "STFT"),
])
def test_initializer_spellings_are_the_classes(alias, cls):
    assert getattr(keras.initializers, alias) is getattr(keras.initializers, cls)


def test_lowercase_initializer_works_like_keras():
    init = keras.initializers.he_normal(seed=3)
    assert isinstance(init, keras.initializers.HeNormal)
    torch.testing.assert_close(init((4, 5)), keras.initializers.HeNormal(seed=3)((4, 5)))


def test_regularizer_and_constraint_spellings():
    reg = keras.regularizers.l2(1e-4)
    assert isinstance(reg, keras.regularizers.L2) and reg.get_config() == {"l2": 1e-4}
    assert keras.regularizers.l1 is keras.regularizers.L1
    assert keras.regularizers.orthogonal_regularizer is keras.regularizers.OrthogonalRegularizer
    assert isinstance(keras.regularizers.l1_l2(l1=0.1), keras.regularizers.L1L2)
    for alias, cls in [("max_norm", "MaxNorm"), ("min_max_norm", "MinMaxNorm"), ("non_neg", "NonNeg"),
                       ("unit_norm", "UnitNorm")]:
        assert getattr(keras.constraints, alias) is getattr(keras.constraints, cls)
    dense = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.l2(0.5))
    dense(torch.ones(1, 3))
    torch.testing.assert_close(dense.losses[0], 0.5 * (dense.kernel ** 2).sum())
    with pytest.raises(ValueError, match="The weight tensor must have rank 4"):
        keras.constraints.RadialConstraint()(torch.ones(3, 3))


def test_activation_spellings():
    assert keras.activations.swish is keras.activations.silu
    assert keras.activations.hard_swish is keras.activations.hard_silu
    assert keras.activations.get("swish") is keras.activations.silu


def test_loss_reduction_names():
    R = keras.losses.Reduction
    assert R.all() == ("auto", "none", "sum", "sum_over_batch_size")
    R.validate("sum")
    with pytest.raises(ValueError, match="Invalid Reduction Key: mean"):
        R.validate("mean")
    y, p = np.array([[0.0], [1.0]]), np.array([[1.0], [3.0]])
    auto = keras.losses.MeanSquaredError(reduction=R.AUTO)
    assert float(auto(y, p)) == pytest.approx(2.5)
    assert float(keras.losses.MeanSquaredError(reduction=R.SUM)(y, p)) == pytest.approx(5.0)


def test_model_from_yaml_raises_like_tf_keras():
    with pytest.raises(RuntimeError, match=r"Method `model_from_yaml\(\)` has been removed due to security risk"):
        keras.models.model_from_yaml("class_name: Sequential")


def test_layer_serialize_round_trip():
    layer = keras.layers.Dense(3, activation="relu", name="d")
    config = keras.layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["config"]["units"] == 3
    again = keras.layers.deserialize(config)
    assert isinstance(again, keras.layers.Dense) and again.get_config() == layer.get_config()


@pytest.mark.parametrize("module,name", [
    ("layers", "JaxLayer"), ("layers", "TFSMLayer"), ("layers", "DenseFeatures"), ("callbacks", "OrbaxCheckpoint"),
    ("export", "ExportArchive"), ("experimental", "SequenceFeatures"),
])
def test_framework_specific_names_raise_their_documented_error(module, name):
    package = getattr(keras, module)
    assert not hasattr(package, name)
    with pytest.raises(omissions.NotProvidedError) as info:
        getattr(package, name)
    assert str(info.value) == omissions.message(f"{module}.{name}")


def test_experimental_schedules():
    schedule = keras.experimental.CosineDecay(0.1, decay_steps=10)
    assert float(schedule(0)) == pytest.approx(0.1)
