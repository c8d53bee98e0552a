"""Merge layers and their functional forms."""

from pathlib import Path

import numpy as np
import pytest
import torch

from keras_torch import layers as L

REF = dict(np.load(Path(__file__).parent / "data" / "misc_ref_attn.npz"))
T = torch.from_numpy


def test_elementwise_merges():
    a, b = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    assert torch.allclose(L.Add()([a, b]), a + b)
    assert torch.allclose(L.Subtract()([a, b]), a - b)
    assert torch.allclose(L.Multiply()([a, b]), a * b)
    assert torch.allclose(L.Average()([a, b]), (a + b) / 2)
    assert torch.allclose(L.Maximum()([a, b]), torch.maximum(a, b))
    assert torch.allclose(L.Minimum()([a, b]), torch.minimum(a, b))
    assert torch.allclose(L.add([a, b, a]), a + b + a)
    assert L.Add()([torch.randn(2, 4), torch.randn(2, 3, 4)]).shape == (2, 3, 4)  # rank broadcast (Keras)


def test_concatenate_and_dot():
    a, b = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
    assert torch.equal(L.Concatenate(axis=1)([a, b]), torch.cat([a, b], 1))
    assert L.concatenate([a, a]).shape == (2, 3, 8)
    _ = REF
    np.testing.assert_allclose(L.Dot(axes=(1, 1), normalize=True)([T(REF["dot_a"]), T(REF["dot_b"])]).numpy(),
                               REF["dot_n"], atol=1e-6)
    np.testing.assert_allclose(L.dot([T(REF["dot2_a"]), T(REF["dot2_b"])], axes=-1, normalize=True).numpy(),
                               REF["dot2_n"], atol=1e-6)
    x, y = torch.randn(2, 3, 4), torch.randn(2, 4, 5)
    assert torch.allclose(L.Dot(axes=(2, 1))([x, y]), torch.bmm(x, y), atol=1e-6)
    assert L.Dot(axes=1).compute_output_shape([(None, 4), (None, 4)]) == (None, 1)
    assert L.Dot(axes=1)([torch.randn(2, 4), torch.randn(2, 4)]).shape == (2, 1)


def test_shape_errors_name_layer_and_shapes():
    with pytest.raises(ValueError, match=r"add_err.*\(3, 4\).*\(5, 4\)"):
        L.Add(name="add_err")([torch.randn(2, 3, 4), torch.randn(2, 5, 4)])
    with pytest.raises(ValueError, match="Concatenate"):
        L.Concatenate(axis=1)([torch.randn(2, 3, 4), torch.randn(2, 3, 5)])
    with pytest.raises(ValueError, match="exactly 2"):
        L.Subtract()([torch.randn(2, 3)] * 3)
    with pytest.raises(ValueError, match="Incompatible|incompatible"):
        L.Dot(axes=1)([torch.randn(2, 3), torch.randn(2, 4)])
    with pytest.raises(TypeError):
        L.Dot(axes="x")


def test_masks():
    a, b = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    a._keras_mask = torch.tensor([[True, False, True]] * 2)
    b._keras_mask = torch.tensor([[True, True, False]] * 2)
    out = L.Concatenate(axis=1)([a, b])
    assert out._keras_mask.shape == (2, 6)
    out = L.Add()([a, b])
    assert torch.equal(out._keras_mask, a._keras_mask | b._keras_mask)
    mx = L.Maximum()([a, b])  # masked entries take the other operand's value (Keras 3)
    assert torch.allclose(mx[:, 1], b[:, 1]) and torch.allclose(mx[:, 2], a[:, 2])
    c = torch.randn(2, 3, 4)
    assert L.Concatenate()([a, c])._keras_mask.shape == (2, 3)


def test_symbolic_and_config():
    i1, i2 = L.Input((3, 4)), L.Input((3, 4))
    assert L.add([i1, i2]).shape == (None, 3, 4)
    assert L.concatenate([i1, i2], axis=1).shape == (None, 6, 4)
    assert L.dot([i1, i2], axes=2).shape == (None, 3, 3)
    assert L.multiply([i1, i2]).shape == (None, 3, 4)
    for layer in (L.Concatenate(axis=1), L.Dot(axes=[1, 2], normalize=True), L.Add(), L.Maximum()):
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
