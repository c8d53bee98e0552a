"""Regularization layers: identity at inference, Keras training-mode formulas."""

import math

import pytest
import torch

from keras_torch import layers as L


def test_identity_in_inference():
    x = torch.randn(4, 5, 6, 3)
    for layer in (L.SpatialDropout2D(0.5), L.GaussianNoise(0.5), L.GaussianDropout(0.5), L.AlphaDropout(0.5),
                  L.ActivityRegularization(0.1)):
        assert torch.equal(layer(x), x)


def test_spatial_dropout_drops_whole_channels():
    torch.manual_seed(0)
    x = torch.ones(8, 5, 6, 4)
    y = L.SpatialDropout2D(0.5)(x, training=True)
    per_map = y.amax(dim=(1, 2))
    assert torch.all(y == per_map[:, None, None, :])
    assert set(per_map.unique().tolist()) <= {0.0, 2.0}
    y = L.SpatialDropout2D(0.5, data_format="channels_first")(x, training=True)
    assert torch.all(y == y[:, :, :1, :1])
    y = L.SpatialDropout1D(0.5)(torch.ones(4, 7, 3), training=True)
    assert torch.all(y == y[:, :1, :])
    assert L.SpatialDropout3D(0.5)(torch.ones(2, 3, 3, 3, 4), training=True).shape == (2, 3, 3, 3, 4)


def test_noise_statistics():
    torch.manual_seed(0)
    x = torch.ones(200, 500)
    y = L.GaussianNoise(0.2)(x, training=True)
    assert abs(float((y - 1).std()) - 0.2) < 0.01
    y = L.GaussianDropout(0.2)(x, training=True)
    assert abs(float(y.mean()) - 1) < 0.01 and abs(float(y.std()) - math.sqrt(0.2 / 0.8)) < 0.01


def test_alpha_dropout_formula_keeps_selu_stats():
    torch.manual_seed(0)
    x = torch.nn.functional.selu(torch.randn(400, 500))
    y = L.AlphaDropout(0.2)(x, training=True)
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1) < 0.02
    y = L.AlphaDropout(0.5, noise_shape=(None, 1))(torch.ones(6, 4), training=True)
    assert torch.all(y == y[:, :1])


def test_activity_regularization_loss():
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    x = torch.randn(4, 3)
    layer(x)
    expected = (0.1 * x.abs().sum() + 0.01 * x.square().sum()) / 4
    assert torch.allclose(sum(layer.losses), expected)
    cfg = layer.get_config()
    assert cfg["l1"] == 0.1 and "activity_regularizer" not in cfg


def test_configs_and_errors():
    for layer in (L.SpatialDropout1D(0.2), L.SpatialDropout2D(0.3, data_format="channels_first"),
                  L.SpatialDropout3D(0.1), L.GaussianNoise(0.1), L.GaussianDropout(0.4),
                  L.AlphaDropout(0.3, noise_shape=[None, 1]), L.ActivityRegularization(0.1, 0.2)):
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg
    with pytest.raises(ValueError, match="rate"):
        L.GaussianDropout(1.5)
    with pytest.raises(ValueError, match="stddev"):
        L.GaussianNoise(-1)
    with pytest.raises(ValueError, match="ndim"):
        L.SpatialDropout2D(0.5)(torch.randn(2, 3, 4))
