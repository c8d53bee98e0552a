"""Advanced activation layers: parity with Keras 3 numbers, configs, errors."""

from pathlib import Path

import numpy as np
import pytest
import torch

from keras_torch import layers as L

REF = dict(np.load(Path(__file__).parent / "data" / "misc_ref_norm.npz"))
T = torch.from_numpy


def test_activations_match_keras():
    x = T(REF["prelu_x"])
    p = L.PReLU(shared_axes=[1])
    p(x)
    assert p.get_weights()[0].shape == (1, 4)
    p.set_weights([REF["prelu_w0"]])
    np.testing.assert_allclose(p(x).detach().numpy(), REF["prelu_y"], atol=1e-6)
    np.testing.assert_allclose(L.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)(x).numpy(), REF["relu_y"])
    np.testing.assert_allclose(L.LeakyReLU()(x).numpy(), REF["lrelu_y"])
    np.testing.assert_allclose(L.ELU(alpha=0.7)(x).numpy(), REF["elu_y"], atol=1e-6)
    np.testing.assert_allclose(L.Softmax()(T(REF["sm_x"]), mask=T(REF["sm_m"])).numpy(), REF["sm_y"], atol=1e-7)


def test_defaults_aliases_and_configs():
    assert L.LeakyReLU().negative_slope == 0.3
    assert L.LeakyReLU(alpha=0.1).negative_slope == 0.1
    x = torch.randn(2, 5)
    assert torch.equal(L.ReLU(max_value=6)(x), torch.nn.functional.relu6(x))
    s = L.Softmax(axis=[1, 2])(torch.randn(2, 3, 4))
    assert torch.allclose(s.sum(dim=(1, 2)), torch.ones(2))
    for layer in (L.ReLU(max_value=2.0), L.LeakyReLU(0.2), L.PReLU(shared_axes=[1, 2]), L.ELU(0.5), L.Softmax(axis=1)):
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg
    assert L.ELU(0.5).get_config()["alpha"] == 0.5


def test_prelu_gradients():
    p = L.PReLU(alpha_initializer="ones")
    x = torch.randn(2, 3, requires_grad=True)
    p(x).sum().backward()
    assert p.alpha.grad is not None


def test_mask_passes_through():
    y = torch.randn(2, 3, 4)
    y._keras_mask = torch.ones(2, 3, dtype=torch.bool)
    assert L.ReLU()(y)._keras_mask is y._keras_mask


def test_errors():
    with pytest.raises(ValueError, match="max_value"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        L.LeakyReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="broadcastable"):
        L.Softmax()(torch.randn(2, 3), mask=torch.ones(2, 4, dtype=torch.bool))
