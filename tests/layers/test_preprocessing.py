"""Preprocessing layers: Rescaling, Normalization (adapt), Resizing, CenterCrop vs Keras 3 numbers."""

from pathlib import Path

import numpy as np
import pytest
import torch

from keras_torch import layers as L

NORM = dict(np.load(Path(__file__).parent / "data" / "misc_ref_norm.npz"))
ATTN = dict(np.load(Path(__file__).parent / "data" / "misc_ref_attn.npz"))
T = torch.from_numpy


def test_rescaling():
    x = torch.arange(6, dtype=torch.uint8).reshape(1, 2, 3)
    y = L.Rescaling(1 / 255.0, offset=-1)(x)
    assert y.dtype == torch.float32 and torch.allclose(y, x.float() / 255 - 1)
    y = L.Rescaling([1.0, 2.0, 3.0])(torch.ones(2, 3))
    assert torch.equal(y, torch.tensor([[1.0, 2.0, 3.0]] * 2))
    layer = L.Rescaling(0.5, 0.1)
    assert L.Rescaling.from_config(layer.get_config()).get_config() == layer.get_config()


def test_normalization_adapt_matches_keras():
    data = NORM["nm_data"]
    for source in (data, T(data), [data[:20], data[20:]]):
        n = L.Normalization()
        n.adapt(source)
        w = n.get_weights()
        np.testing.assert_allclose(w[0], NORM["nm_w0"], atol=1e-6)
        np.testing.assert_allclose(w[1], NORM["nm_w1"], atol=1e-5)
        assert w[2].shape == () and [x.shape for x in w[:2]] == [(3,), (3,)]
        np.testing.assert_allclose(n(T(data[:4])).numpy(), NORM["nm_y"], atol=1e-5)
    n = L.Normalization(axis=None)
    n.adapt(data)
    np.testing.assert_allclose(n(T(data[:4])).numpy(), NORM["nmn_y"], atol=1e-5)


def test_normalization_fixed_and_invert():
    x = T(NORM["nm_data"][:4])
    n = L.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 5.0, 6.0])
    np.testing.assert_allclose(n(x).numpy(), NORM["nmf_y"], atol=1e-6)
    assert n.get_weights() == []
    ni = L.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 5.0, 6.0], invert=True)
    np.testing.assert_allclose(ni(x).numpy(), NORM["nmi_y"], atol=1e-5)
    cfg = n.get_config()
    assert cfg["mean"] == [1.0, 2.0, 3.0]
    assert L.Normalization.from_config(cfg).get_config() == cfg


def test_normalization_errors():
    with pytest.raises(ValueError, match="both"):
        L.Normalization(mean=1.0)
    n = L.Normalization()
    n.adapt(np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match="incompatible"):
        n.adapt(np.zeros((4, 5), "float32"))


def test_resizing_matches_keras():
    img = T(ATTN["rs_x"])
    np.testing.assert_allclose(L.Resizing(3, 4)(img).numpy(), ATTN["rs_bil"], atol=1e-5)
    np.testing.assert_allclose(L.Resizing(8, 9)(img).numpy(), ATTN["rs_up"], atol=1e-5)
    np.testing.assert_allclose(L.Resizing(4, 4, crop_to_aspect_ratio=True)(img).numpy(), ATTN["rs_crop"], atol=1e-5)
    np.testing.assert_allclose(L.Resizing(3, 4, interpolation="nearest")(img).numpy(), ATTN["rs_near"])
    cf = L.Resizing(3, 4, data_format="channels_first")(img.permute(0, 3, 1, 2))
    np.testing.assert_allclose(cf.permute(0, 2, 3, 1).numpy(), ATTN["rs_bil"], atol=1e-5)
    assert L.Resizing(3, 4)(img[0]).shape == (3, 4, 3)
    u8 = L.Resizing(2, 2)(torch.full((1, 4, 4, 1), 7, dtype=torch.uint8))
    assert u8.dtype == torch.uint8 and torch.all(u8 == 7)
    assert L.Resizing(3, 4).compute_output_shape((None, 5, 7, 3)) == (None, 3, 4, 3)
    layer = L.Resizing(3, 4, interpolation="bicubic", pad_to_aspect_ratio=True)
    assert L.Resizing.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="interpolation"):
        L.Resizing(3, 4, interpolation="lanczos9")


def test_center_crop_matches_keras():
    img = T(ATTN["rs_x"])
    np.testing.assert_allclose(L.CenterCrop(3, 3)(img).numpy(), ATTN["cc_y"])
    np.testing.assert_allclose(L.CenterCrop(6, 6)(img).numpy(), ATTN["cc_up"], atol=1e-5)
    assert L.CenterCrop(3, 3).compute_output_shape((None, 5, 7, 3)) == (None, 3, 3, 3)
    inp = L.Input((5, 7, 3))
    assert L.CenterCrop(3, 3)(inp).shape == (None, 3, 3, 3)
