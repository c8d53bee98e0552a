"""Attention layers (and EinsumDense): parity with real Keras 3 numbers, layouts, masks, configs."""

from pathlib import Path

import numpy as np
import pytest
import torch

from keras_torch import layers as L

REF = dict(np.load(Path(__file__).parent / "data" / "misc_ref_attn.npz"))
T = torch.from_numpy


def _w(prefix):
    out, i = [], 0
    while f"{prefix}_w{i}" in REF:
        out.append(REF[f"{prefix}_w{i}"])
        i += 1
    return out


def _close(got, want, atol=1e-5):
    np.testing.assert_allclose(got.detach().numpy(), want, atol=atol, rtol=1e-5)


def _mha():
    q, v = T(REF["mha_q"]), T(REF["mha_v"])
    m = L.MultiHeadAttention(num_heads=2, key_dim=3)
    m(q, v)
    m.set_weights(_w("mha"))
    return m, q, v


def test_mha_weight_layout_and_order():
    m, _, _ = _mha()
    assert [w.shape for w in m.get_weights()] == [(4, 2, 3), (2, 3)] * 3 + [(2, 3, 4), (4,)]
    assert [n.split(".")[0] for n in m.state_dict()] == ["query_dense", "query_dense", "key_dense", "key_dense",
                                                         "value_dense", "value_dense", "output_dense", "output_dense"]
    assert m.query_dense.name == "query" and m.output_dense.name == "attention_output"


def test_mha_self_cross_masked_and_causal_match_keras():
    m, q, v = _mha()
    _close(m(q, q), REF["mha_self"])
    am = T(REF["mha_am"])
    out, scores = m(q, v, attention_mask=am, return_attention_scores=True)
    _close(out, REF["mha_cross"])
    _close(scores, REF["mha_scores"])
    _close(m(q, v, attention_mask=am), REF["mha_cross_fast"])  # SDPA fast path
    _close(m(q, q, use_causal_mask=True), REF["mha_causal"])
    _close(m(q, q, use_causal_mask=True, return_attention_scores=True)[0], REF["mha_causal"])


def test_mha_key_value_dim_output_shape_no_bias():
    q, v, k = T(REF["mha_q"]), T(REF["mha_v"]), T(REF["mha2_k"])
    m = L.MultiHeadAttention(2, 2, value_dim=3, output_shape=5, use_bias=False)
    m(q, v, key=k)
    m.set_weights(_w("mha2"))
    _close(m(q, v, key=k), REF["mha2_y"])
    assert m.compute_output_shape((None, 3, 4), (None, 5, 4)) == (None, 3, 5)


def test_mha_masks_from_keras_mask_and_symbolic():
    m, q, v = _mha()
    vmask = torch.tensor([[True, True, False, False, True]] * 2)
    v2 = v.clone()
    v2._keras_mask = vmask
    explicit = m(q, v, value_mask=vmask)
    _close(m(q, v2), explicit.detach().numpy())
    q2 = q.clone()
    q2._keras_mask = torch.tensor([[True, True, False]] * 2)
    assert torch.equal(m(q2, v)._keras_mask, q2._keras_mask)
    qi, vi = L.Input((3, 4)), L.Input((5, 4))
    mm = L.MultiHeadAttention(2, 3)
    out, sc = mm(qi, vi, return_attention_scores=True)
    assert out.shape == (None, 3, 4) and sc.shape == (None, 2, 3, 5)
    assert len(mm.get_weights()) == 8


def test_mha_config_roundtrip_and_errors():
    m, _, _ = _mha()
    cfg = m.get_config()
    assert cfg["attention_axes"] == [1] and cfg["value_dim"] == 3
    m2 = L.MultiHeadAttention.from_config(cfg)
    m2.build_from_config(m.get_build_config())
    assert [w.shape for w in m2.get_weights()] == [w.shape for w in m.get_weights()]
    with pytest.raises(ValueError, match="num_heads"):
        L.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="key"):
        L.MultiHeadAttention(2, 2)(torch.randn(1, 3, 4), torch.randn(1, 5, 4), key=torch.randn(1, 6, 4))


def test_mha_dropout_only_in_training():
    m = L.MultiHeadAttention(2, 3, dropout=0.5)
    q = torch.randn(2, 3, 4)
    np.testing.assert_allclose(m(q, q).detach().numpy(), m(q, q).detach().numpy())
    assert not torch.allclose(m(q, q, training=True), m(q, q))


def test_attention_and_additive_attention_match_keras():
    qa, va, qm, vm = (T(REF[k]) for k in ("att_q", "att_v", "att_qm", "att_vm"))
    a = L.Attention(use_scale=True)
    a([qa, va])
    a.set_weights(_w("att"))
    out, scores = a([qa, va], mask=[qm, vm], return_attention_scores=True)
    _close(out, REF["att_y"])
    _close(scores, REF["att_s"])
    _close(a([qa, qa], use_causal_mask=True), REF["att_causal"])
    c = L.Attention(use_scale=True, score_mode="concat")
    c([qa, va])
    c.set_weights(_w("attc"))
    _close(c([qa, va]), REF["attc_y"])
    ad = L.AdditiveAttention()
    ad([qa, va])
    ad.set_weights(_w("add"))
    _close(ad([qa, va], mask=[None, vm]), REF["add_y"])
    assert "score_mode" not in ad.get_config()
    assert L.AdditiveAttention.from_config(ad.get_config()).use_scale


def test_attention_mask_propagation_and_errors():
    q = torch.randn(2, 3, 4)
    q._keras_mask = torch.tensor([[True, False, True]] * 2)
    out = L.Attention()([q, torch.randn(2, 5, 4)])
    assert torch.equal(out._keras_mask, q._keras_mask)
    assert out[:, 1].abs().sum() == 0
    with pytest.raises(ValueError, match="list"):
        L.Attention()(torch.randn(2, 3, 4))
    with pytest.raises(ValueError, match="score_mode"):
        L.Attention(score_mode="bad")


def test_einsum_dense_matches_keras():
    x = T(REF["ed_x"])
    e = L.EinsumDense("abc,cd->abd", output_shape=(None, 5), bias_axes="d")
    e(x)
    e.set_weights(_w("ed"))
    _close(e(x), REF["ed_y"])
    assert e.compute_output_shape((None, 3, 4)) == (None, 3, 5)
    e2 = L.EinsumDense.from_config(e.get_config())
    assert e2.get_config() == e.get_config()
    assert L.EinsumDense("...b,bc->...c", output_shape=6)(torch.randn(2, 3, 4)).shape == (2, 3, 6)
    with pytest.raises(ValueError, match="equation"):
        L.EinsumDense("ab->b", output_shape=3)(torch.randn(2, 3))
