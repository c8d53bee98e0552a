"""keras.quantizers against Keras 3.15 (compat/fixtures/quantizers, written by compat/gen/quantizers.py)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import quantizers as q
from keras_torch.core import omissions

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "quantizers" / "quantizers.npz"


@pytest.fixture(scope="module")
def ref():
    return dict(np.load(FIXTURE))


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def test_abs_max_quantize_matches_keras(ref):
    for axis in (0, -1):
        v, s = q.abs_max_quantize(ref["x"], axis=axis)
        assert v.dtype == torch.int8 and s.dtype == torch.float32
        np.testing.assert_array_equal(_np(v), ref[f"amq_{axis}_v"])
        np.testing.assert_allclose(_np(s), ref[f"amq_{axis}_s"], rtol=1e-6)
    v, s = q.abs_max_quantize(ref["x"], axis=0, value_range=(-8, 7), to_numpy=True)
    np.testing.assert_array_equal(_np(v), ref["amq_np_v"])
    np.testing.assert_allclose(_np(s), ref["amq_np_s"], rtol=1e-6)


def test_grouped_zero_point_quantize_matches_keras(ref):
    for to_numpy in (0, 1):
        v, s, z = q.abs_max_quantize_grouped_with_zero_point(ref["k"], block_size=3, to_numpy=bool(to_numpy))
        assert tuple(s.shape) == (3, 4) and z.dtype == torch.int8
        np.testing.assert_array_equal(_np(v), ref[f"grp_{to_numpy}_v"])
        np.testing.assert_allclose(_np(s), ref[f"grp_{to_numpy}_s"], rtol=1e-6)
        np.testing.assert_array_equal(_np(z), ref[f"grp_{to_numpy}_z"])
    with pytest.raises(ValueError, match="rank of 2"):
        q.abs_max_quantize_grouped_with_zero_point(np.zeros((2, 2, 2), "float32"), block_size=2)


def test_abs_max_quantizer_object_and_serialization(ref):
    quantizer = q.AbsMaxQuantizer(axis=1, value_range=(-100, 100))
    v, s = quantizer(ref["x"])
    np.testing.assert_array_equal(_np(v), ref["amqz_v"])
    np.testing.assert_allclose(_np(s), ref["amqz_s"], rtol=1e-6)
    config = q.serialize(quantizer)
    assert str(config) == str(ref["serialized"])
    again = q.deserialize(config)
    assert isinstance(again, q.AbsMaxQuantizer) and again.get_config() == quantizer.get_config()
    assert isinstance(q.get("AbsMaxQuantizer", value_range=(-7, 7)), q.AbsMaxQuantizer)
    assert q.get(None) is None and q.get(quantizer) is quantizer
    assert keras.Quantizer is q.Quantizer and issubclass(q.AbsMaxQuantizer, keras.Quantizer)
    with pytest.raises(ValueError, match=r"within the interval \[-128, 127\]"):
        q.AbsMaxQuantizer(value_range=(-200, 127))
    with pytest.raises(ValueError, match="Could not interpret quantizer identifier"):
        q.get(3)
    with pytest.raises(NotImplementedError, match="does not implement get_config"):
        q.Quantizer().get_config()


@pytest.mark.parametrize("name", ["fq_tensor", "fq_narrow4", "fq_channel"])
def test_fake_quant_values_and_gradients_match_tensorflow(ref, name):
    kw = {"fq_tensor": dict(min_vals=-1.1, max_vals=1.7),
          "fq_narrow4": dict(min_vals=-1.1, max_vals=1.7, num_bits=4, narrow_range=True),
          "fq_channel": dict(min_vals=ref["mins"], max_vals=ref["maxs"], axis=-1)}[name]
    x = torch.tensor(ref["f"], requires_grad=True)
    lo = torch.tensor(np.asarray(kw.pop("min_vals"), "float32"), requires_grad=True)
    hi = torch.tensor(np.asarray(kw.pop("max_vals"), "float32"), requires_grad=True)
    y = q.fake_quant_with_min_max_vars(x, lo, hi, **kw)
    np.testing.assert_allclose(_np(y), ref[name], atol=1e-6)
    (y * torch.arange(12, dtype=torch.float32).reshape(4, 3)).sum().backward()
    for tensor, key in ((x, "_gx"), (lo, "_glo"), (hi, "_ghi")):
        np.testing.assert_allclose(_np(tensor.grad), ref[name + key], atol=1e-6)


def test_fake_quant_is_symbolic_in_functional_models(ref):
    inp = keras.Input((3,))
    out = q.fake_quant_with_min_max_vars(inp, -1.1, 1.7)
    assert tuple(out.shape) == (None, 3)
    model = keras.Model(inp, out)
    np.testing.assert_allclose(_np(model(ref["f"])), ref["fq_tensor"], atol=1e-6)


def test_float8_helpers_match_keras(ref):
    new_scale = q.compute_float8_scale(ref["f8_amax"], ref["f8_scale"], 448.0, margin=1)
    np.testing.assert_allclose(_np(new_scale), ref["f8_new_scale"], rtol=1e-6)
    history = q.compute_float8_amax_history(ref["f"], np.array([1.0, 2.0, 3.0, 4.0], "float32"))
    np.testing.assert_allclose(_np(history), ref["f8_hist"], rtol=1e-6)
    for dt in ("float8_e4m3fn", "float8_e5m2"):
        out = q.quantize_and_dequantize(ref["f"] * 300, np.float32(0.7), dt, "float32")
        np.testing.assert_allclose(_np(out), ref[f"qdq_{dt}"], rtol=1e-6)


def test_int4_packing_matches_keras(ref):
    for axis in (0, 1):
        packed, shape, n = q.pack_int4(ref["ints"], axis=axis)
        assert n == int(ref[f"pack_{axis}_n"]) and shape == ref[f"pack_{axis}"].shape
        np.testing.assert_array_equal(_np(packed), ref[f"pack_{axis}"])
        np.testing.assert_array_equal(_np(q.unpack_int4(packed, n, axis=axis)), ref[f"unpack_{axis}"])
        np.testing.assert_array_equal(_np(q.unpack_int4(packed, n, axis=axis)), ref["ints"])
    packed, _, n = q.pack_int4(ref["uints"], axis=1, dtype="uint8")
    np.testing.assert_array_equal(_np(packed), ref["upack"])
    np.testing.assert_array_equal(_np(q.unpack_int4(packed, n, axis=1, dtype="uint8")), ref["uunpack"])
    with pytest.raises(TypeError, match="Expected int8 tensor for packing, got uint8"):
        q.pack_int4(ref["uints"])
    with pytest.raises(ValueError, match="'int8' or 'uint8', but got 'int4'"):
        q.unpack_int4(packed, n, dtype="int4")


def test_quantization_configs_are_documented_omissions():
    with pytest.raises(omissions.NotProvidedError, match="model.quantize"):
        q.GPTQConfig  # noqa: B018
