"""Initializer statistics follow Keras's formulas; every Keras string name resolves."""

import math

import numpy as np
import pytest
import torch

from keras_torch import activations, constraints, initializers, regularizers

SHAPE = (3, 3, 64, 128)  # conv kernel: fan_in = 9 * 64, fan_out = 9 * 128
FAN_IN, FAN_OUT = 9 * 64, 9 * 128


@pytest.mark.parametrize(
    "name,var",
    [
        ("glorot_uniform", 2.0 / (FAN_IN + FAN_OUT)),
        ("glorot_normal", 2.0 / (FAN_IN + FAN_OUT)),
        ("he_uniform", 2.0 / FAN_IN),
        ("he_normal", 2.0 / FAN_IN),
        ("lecun_uniform", 1.0 / FAN_IN),
        ("lecun_normal", 1.0 / FAN_IN),
    ],
)
def test_variance_scaling_family_matches_keras_variance(name, var):
    w = initializers.get(name)(SHAPE).numpy()
    assert w.shape == SHAPE
    assert abs(w.mean()) < 0.05 * math.sqrt(var)
    assert w.var() == pytest.approx(var, rel=0.03)
    if name.endswith("uniform"):
        assert np.abs(w).max() <= math.sqrt(3 * var) + 1e-7
    else:  # truncated at two (pre-correction) standard deviations, like TF
        assert np.abs(w).max() <= 2 * math.sqrt(var) / 0.87962566103423978 + 1e-6


def test_orthogonal_and_defaults():
    q = initializers.get("orthogonal")((64, 32)).double()
    torch.testing.assert_close(q.T @ q, torch.eye(32, dtype=torch.float64), atol=1e-5, rtol=0)
    w = initializers.get("uniform")((1000,)).numpy()  # Embedding default: U(-0.05, 0.05)
    assert w.min() >= -0.05 and w.max() <= 0.05
    assert initializers.get("truncated_normal")((10000,)).abs().max() <= 0.1 + 1e-6
    assert torch.equal(initializers.get("ones")((2,)), torch.ones(2))


def test_seeded_initializers_are_reproducible():
    a = initializers.GlorotUniform(seed=1)((4, 4))
    b = initializers.GlorotUniform(seed=1)((4, 4))
    torch.testing.assert_close(a, b)


def test_activation_formulas_keras_definitions():
    x = torch.linspace(-4, 4, 17)
    torch.testing.assert_close(activations.get("hard_sigmoid")(x), torch.clamp(x + 3, 0, 6) / 6)  # Keras 3
    torch.testing.assert_close(activations.hard_sigmoid_keras2(x), torch.clamp(0.2 * x + 0.5, 0, 1))  # Keras 2
    torch.testing.assert_close(activations.get("leaky_relu")(x), torch.where(x >= 0, x, 0.2 * x))
    torch.testing.assert_close(activations.get("gelu")(x), torch.nn.functional.gelu(x))  # exact by default
    torch.testing.assert_close(activations.get("softplus")(x), torch.log1p(torch.exp(x)))
    torch.testing.assert_close(activations.get("relu")(x, max_value=2.0, threshold=1.0),
                               torch.where(x > 1.0, torch.clamp(x, max=2.0), torch.zeros_like(x)))


@pytest.mark.parametrize("module,bad", [(activations, "rellu"), (initializers, "glorot"), (regularizers, "l3"),
                                        (constraints, "max_nrom")])
def test_unknown_names_suggest_close_matches(module, bad):
    with pytest.raises(ValueError, match=f"'{bad}'"):
        module.get(bad)


def test_tf_keras_depthwise_and_separable_configs_load():
    # tf-keras dialect: normalised by keras_torch.saving (Layer.from_config takes keras_torch's own configs).
    from keras_torch.saving import model_from_config

    cfg = {"name": "dw", "kernel_size": [3, 3], "depth_multiplier": 1, "groups": 1, "padding": "same",
           "strides": [1, 1], "use_bias": False, "data_format": "channels_last"}
    assert model_from_config({"class_name": "DepthwiseConv2D", "config": cfg}).kernel_size == (3, 3)
    sep = {"name": "sep", "filters": 4, "kernel_size": [3, 3], "groups": 1, "kernel_initializer": None,
           "kernel_regularizer": None, "kernel_constraint": None}
    assert model_from_config({"class_name": "SeparableConv2D", "config": sep}).filters == 4


def test_softmax_of_inf_and_nan_logits_follows_tensorflow():
    """A diverged model's logits: TF (tf.nn.softmax, Keras 3 and tf-keras alike) gives NaN at +inf/NaN and 0 at
    the finite entries of such a row; values measured with TensorFlow 2.21."""
    import numpy as np
    import torch

    from keras_torch import activations, layers

    x = torch.tensor([[np.inf, 1.0, 2.0], [-np.inf, 0.0, 1.0], [np.nan, 1.0, 2.0], [np.inf, np.inf, 0.0],
                      [-np.inf, -np.inf, -np.inf]])
    nan = np.nan
    tf_result = np.array([[nan, 0.0, 0.0], [0.0, 0.26894143, 0.73105854], [nan, 0.0, 0.0], [nan, nan, 0.0],
                          [nan, nan, nan]], dtype="float32")
    for out in (activations.softmax(x), layers.Softmax()(x), activations.get("softmax")(x)):
        np.testing.assert_allclose(out.detach().numpy(), tf_result, rtol=1e-6, equal_nan=True)
