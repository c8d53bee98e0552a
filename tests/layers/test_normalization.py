"""Normalization layers: shapes, configs, torch interop and parity with real Keras 3 numbers."""

from pathlib import Path

import numpy as np
import pytest
import torch

from keras_torch import layers as L

REF = dict(np.load(Path(__file__).parent / "data" / "misc_ref_norm.npz"))
T = torch.from_numpy


def _w(prefix):
    out, i = [], 0
    while f"{prefix}_w{i}" in REF:
        out.append(REF[f"{prefix}_w{i}"])
        i += 1
    return out


def _close(got, want, atol=1e-5):
    np.testing.assert_allclose(got.detach().numpy(), want, atol=atol, rtol=1e-5)


def test_batchnorm_inference_training_and_moving_stats_match_keras():
    x = T(REF["bn_x"])
    bn = L.BatchNormalization()
    bn(x)
    bn.set_weights(_w("bn"))
    _close(bn(x), REF["bn_inf"])
    _close(bn(x, training=True), REF["bn_train"])
    _close(bn.moving_mean, REF["bn_mm"], 1e-7)
    _close(bn.moving_variance, REF["bn_mv"], 1e-7)
    assert int(bn.num_batches_tracked) == 1


def test_batchnorm_channels_first_and_mask_match_keras():
    x = T(REF["bn1_x"])
    bn = L.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5)
    bn(x)
    bn.set_weights(_w("bn1"))
    _close(bn(x, training=True), REF["bn1_train"])
    _close(bn.moving_variance, REF["bn1_mv"], 1e-7)
    x = T(REF["bnm_x"])
    bn = L.BatchNormalization()
    bn(x)
    bn.set_weights(_w("bnm"))
    _close(bn(x, training=True, mask=T(REF["bnm_mask"])), REF["bnm_train"])
    _close(bn.moving_mean, REF["bnm_mm"], 1e-7)
    _close(bn.moving_variance, REF["bnm_mv"], 1e-7)


def test_batchnorm_frozen_uses_moving_stats_and_batch_of_one():
    x = torch.randn(4, 3)
    bn = L.BatchNormalization()
    bn(x)
    bn.trainable = False
    before = bn.running_mean.clone()
    np.testing.assert_allclose(bn(x, training=True).numpy(), bn(x).numpy())
    assert torch.equal(before, bn.running_mean)
    bn.trainable = True
    y = bn(torch.randn(1, 3), training=True)  # torch's kernel refuses n=1; Keras gives var 0
    assert torch.isfinite(y).all()


def test_batchnorm_state_dict_loads_into_torch_batchnorm2d():
    bn = L.BatchNormalization(axis=1, epsilon=1e-5, momentum=0.9)
    x = torch.randn(8, 3, 5, 5)
    bn(x)
    bn.set_weights([np.random.rand(3).astype("float32") + 0.5 for _ in range(4)])
    ref = torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1)
    ref.load_state_dict(bn.state_dict())
    ref.eval()
    np.testing.assert_allclose(bn(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-5)
    assert [w.shape for w in bn.get_weights()] == [(3,)] * 4
    assert [w.name for w in bn.weights[:2]] == ["gamma", "beta"]


def test_batchnorm_config_roundtrip_and_errors():
    bn = L.BatchNormalization(axis=[3], momentum=0.9, center=False)
    cfg = bn.get_config()
    assert cfg["axis"] == 3 and cfg["momentum"] == 0.9 and cfg["center"] is False
    assert L.BatchNormalization.from_config(cfg).get_config() == cfg
    bn = L.BatchNormalization(axis=5)
    with pytest.raises(ValueError, match="out of bounds"):
        bn(torch.randn(2, 3))
    with pytest.raises(ValueError, match="mask"):
        L.BatchNormalization()(torch.randn(2, 3, 4), training=True, mask=torch.ones(2, dtype=torch.bool))


@pytest.mark.parametrize("prefix,kwargs", [("ln", {}), ("ln12", {"axis": [1, 2]}), ("ln1", {"axis": 1}),
                                           ("lnr", {"rms_scaling": True})])
def test_layernorm_matches_keras(prefix, kwargs):
    x = T(REF["ln_x"])
    ln = L.LayerNormalization(**kwargs)
    ln(x)
    ln.set_weights(_w(prefix))
    _close(ln(x), REF[prefix + "_y"])
    assert L.LayerNormalization.from_config(ln.get_config()).get_config() == ln.get_config()


def test_layernorm_state_dict_loads_into_torch():
    ln = L.LayerNormalization(epsilon=1e-5)
    x = torch.randn(2, 3, 6)
    ln(x)
    ln.set_weights([np.random.rand(6).astype("float32"), np.random.rand(6).astype("float32")])
    ref = torch.nn.LayerNorm(6, eps=1e-5)
    ref.load_state_dict(ln.state_dict())
    np.testing.assert_allclose(ln(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-6)


def test_groupnorm_matches_keras_and_torch():
    x = T(REF["gn_x"])
    g = L.GroupNormalization(groups=2)
    g(x)
    g.set_weights(_w("gn"))
    _close(g(x), REF["gn_y"])
    x1 = T(REF["gn1_x"])
    g1 = L.GroupNormalization(groups=2, axis=1)
    g1(x1)
    g1.set_weights(_w("gn1"))
    _close(g1(x1), REF["gn1_y"])
    ref = torch.nn.GroupNorm(2, 4, eps=1e-3)
    ref.load_state_dict(g1.state_dict())
    np.testing.assert_allclose(g1(x1).detach().numpy(), ref(x1).detach().numpy(), atol=1e-6)
    assert L.GroupNormalization().get_config()["epsilon"] == 1e-3


def test_groupnorm_errors():
    with pytest.raises(ValueError, match="groups"):
        L.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="divide"):
        L.GroupNormalization(groups=3)(torch.randn(2, 4))
    g = L.GroupNormalization(groups=-1)
    g(torch.randn(2, 5, 4))
    assert g.groups == 4


def test_unit_normalization():
    x = T(REF["ln_x"])
    _close(L.UnitNormalization(axis=[1, 2])(x), REF["un_y"])
    assert L.UnitNormalization(axis=1).compute_output_shape((None, 3, 4)) == (None, 3, 4)
    with pytest.raises(ValueError):
        L.UnitNormalization(axis=4).compute_output_shape((None, 3, 4))


def test_symbolic_shapes():
    inp = L.Input((5, 4))
    for layer in (L.BatchNormalization(), L.LayerNormalization(), L.GroupNormalization(groups=2),
                  L.UnitNormalization()):
        assert layer(inp).shape == (None, 5, 4)
