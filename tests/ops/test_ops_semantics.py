"""Behaviour of ``keras_torch.ops`` beyond the golden fixtures: dtype promotion rules, tensor
conversion, control flow (eager, symbolic, in functional models), custom gradients, and ops whose
reference is NumPy/SciPy where Keras's TensorFlow backend cannot run them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import ops
from keras_torch.core import config
from keras_torch.core import dtype_promotion as dtypes
from keras_torch.core.variables import KerasVariable

rng = np.random.default_rng(0)


# ---- dtype promotion (keras.backend.result_type)
@pytest.mark.parametrize(("args", "expected"), [
    (("bfloat16", int), "bfloat16"), (("int32", "float32"), "float32"), (("uint8", "int8"), "int16"),
    (("int64", "float16"), "float16"), (("int8", float), "float32"), (("bool", int), "int32"),
    (("bool", "bool"), "bool"), (("float16", "bfloat16"), "float32"), (("uint32", "int32"), "int64"),
    (("int64", "float64"), "float64"), (("complex64", "float64"), "complex128"), ((int, float), "float32"),
    ((), "float32"), ((None, "int8"), "float32"),
])
def test_result_type_follows_the_keras_lattice(args, expected):
    assert dtypes.result_type(*args) == expected


def test_result_type_weak_scalars_follow_floatx():
    config.set_floatx("float64")
    try:
        assert dtypes.result_type("int32", float) == "float64"
        assert dtypes.result_type(int) == "int64"
        assert dtypes.result_type("float16", float) == "float16"
    finally:
        config.set_floatx("float32")


def test_result_type_rejects_float8_and_unknown_dtypes():
    with pytest.raises(ValueError, match="float8"):
        dtypes.result_type("float8_e4m3fn", "float32")
    with pytest.raises(ValueError, match="Invalid dtype"):
        dtypes.result_type("float31")


# ---- conversion
def test_convert_to_tensor_follows_keras_rules():
    assert ops.convert_to_tensor(np.zeros(2, np.float64)).dtype == torch.float64
    assert ops.convert_to_tensor([1.5, 2]).dtype == torch.float32
    assert ops.convert_to_tensor([1, 2]).dtype == torch.int32
    assert ops.convert_to_tensor(2**40).dtype == torch.int64
    assert ops.convert_to_tensor(True).dtype == torch.bool
    v = KerasVariable(torch.ones(2))
    assert ops.convert_to_tensor(v) is v
    assert ops.add(np.ones(2, np.float64), 1).dtype == torch.float64
    with pytest.raises(ValueError, match="sparse"):
        ops.convert_to_tensor([1.0], sparse=True)
    with pytest.raises(TypeError, match="symbolic KerasTensor"):
        ops.convert_to_tensor(keras.Input((2,)))


def test_python_scalars_are_weak():
    i8, f16 = torch.ones(2, dtype=torch.int8), torch.ones(2, dtype=torch.float16)
    assert ops.add(i8, 3).dtype == torch.int8
    assert ops.multiply(i8, 2.5).dtype == torch.float32
    assert ops.subtract(f16, 1.5).dtype == torch.float16
    assert ops.add(torch.ones(2, dtype=torch.bool), 2).dtype == torch.int32
    assert ops.maximum(i8, 0.5).dtype == torch.float32


# ---- control flow
def test_cond_with_a_symbolic_predicate_selects_in_the_graph():
    inp = keras.Input((3,))
    out = ops.cond(ops.sum(inp) > 0, lambda: inp * 2.0, lambda: inp - 1.0)
    model = keras.Model(inp, out)
    pos, neg = torch.ones(1, 3), -torch.ones(1, 3)
    torch.testing.assert_close(model(pos), pos * 2)
    torch.testing.assert_close(model(neg), neg - 1)
    with pytest.raises(ValueError, match="same shape"):
        ops.cond(ops.sum(inp) > 0, lambda: inp, lambda: ops.sum(inp, axis=-1))


def test_switch_with_a_symbolic_index_and_clamping():
    x = torch.arange(3.0)
    branches = [lambda v: v + 1.0, lambda v: v * 3.0, lambda v: -v]
    assert torch.equal(ops.switch(7, branches, x), -x)
    assert torch.equal(ops.switch(-2, branches, x), x + 1.0)
    idx, inp = keras.Input((), dtype="int32"), keras.Input((3,))
    model = keras.Model([idx, inp], ops.switch(idx[0], branches, inp))
    torch.testing.assert_close(model([torch.tensor([1], dtype=torch.int32), x[None]]), x[None] * 3.0)


def test_loops_inside_functional_models_match_eager():
    inp = keras.Input((4,))
    fori = ops.fori_loop(0, 3, lambda i, v: v * 2.0 + 1.0, inp)
    carry, ys = ops.scan(lambda c, v: (c + v, c * v), ops.zeros((4,)), inp)
    wl = ops.while_loop(lambda v: ops.sum(v) < 100.0, lambda v: v * 2.0, inp, maximum_iterations=5)
    model = keras.Model(inp, [fori, carry, ys, wl])
    x = torch.arange(1.0, 5.0)[None].repeat(3, 1)
    got = model(x)
    expected = [ops.fori_loop(0, 3, lambda i, v: v * 2.0 + 1.0, x),
                *ops.scan(lambda c, v: (c + v, c * v), torch.zeros(4), x),
                ops.while_loop(lambda v: ops.sum(v) < 100.0, lambda v: v * 2.0, x, maximum_iterations=5)]
    for g, e in zip(got, expected):
        torch.testing.assert_close(g, e)
    assert wl.shape == (None, 4) and ys.shape == (None, 4)


def test_associative_scan_matches_sequential_prefix_ops():
    x = torch.tensor(rng.normal(size=(2, 9, 3)), dtype=torch.float32)
    torch.testing.assert_close(ops.associative_scan(lambda a, b: a + b, x, axis=1), torch.cumsum(x, 1))
    rev = ops.associative_scan(lambda a, b: ops.maximum(a, b), x, reverse=True, axis=1)
    torch.testing.assert_close(rev, torch.flip(torch.cummax(torch.flip(x, (1,)), 1).values, (1,)))
    pair = ops.associative_scan(lambda a, b: (a[0] + b[0], a[1] * b[1]), (x, x + 2.0), axis=1)
    torch.testing.assert_close(pair[1], torch.cumprod(x + 2.0, 1))


def test_map_and_vectorized_map():
    x = torch.tensor(rng.normal(size=(5, 3, 3)), dtype=torch.float32)
    torch.testing.assert_close(ops.map(lambda m: ops.trace(m), x), torch.diagonal(x, dim1=1, dim2=2).sum(-1))
    torch.testing.assert_close(ops.vectorized_map(lambda m: m @ m, x), x @ x)


def test_custom_gradient_uses_the_given_gradient():
    @ops.custom_gradient
    def clipped_identity(v):
        def grad(upstream):
            return torch.clamp(upstream, -0.1, 0.1)
        return v * 1.0, grad

    @ops.custom_gradient
    def torch_style(v):
        def grad(*args, upstream=None):
            return upstream * 3.0
        return v * 2.0, grad

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (clipped_identity(x) * 5.0).sum().backward()
    torch.testing.assert_close(x.grad, torch.full((2,), 0.1))
    x.grad = None
    torch_style(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.full((2,), 3.0))


# ---- references other than Keras's TensorFlow backend
@pytest.mark.parametrize("mode", ["edge", "wrap", "maximum", "minimum", "mean", "median", "reflect", "symmetric"])
def test_pad_modes_match_numpy(mode):
    x = rng.normal(size=(3, 4)).astype(np.float32)
    widths = ((2, 5), (4, 1))
    np.testing.assert_allclose(ops.pad(torch.from_numpy(x), widths, mode=mode).numpy(), np.pad(x, widths, mode=mode),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(x, widths, mode=mode, constant_values=1.0)


@pytest.mark.parametrize(("mode", "scipy_mode"), [("nearest", "nearest"), ("mirror", "mirror"), ("reflect", "reflect"),
                                                  ("wrap", "grid-wrap"), ("constant", "grid-constant")])
@pytest.mark.parametrize("order", [0, 1])
def test_map_coordinates_matches_scipy(mode, scipy_mode, order):
    ndimage = pytest.importorskip("scipy.ndimage")
    grid = rng.uniform(size=(5, 6))
    coords = rng.uniform(-4.0, 10.0, size=(2, 40))
    ours = ops.image.map_coordinates(torch.from_numpy(grid), torch.from_numpy(coords), order, fill_mode=mode,
                                     fill_value=0.5)
    ref = ndimage.map_coordinates(grid, coords, order=order, mode=scipy_mode, cval=0.5)
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-10, atol=1e-12)


def test_vectorize_matches_numpy():
    x = rng.normal(size=(4, 3))
    ours = ops.vectorize(lambda v: v * v + 1.0)(torch.from_numpy(x))
    np.testing.assert_allclose(ours.numpy(), np.vectorize(lambda v: v * v + 1.0)(x))
    m = rng.normal(size=(4, 3, 3))
    traced = ops.vectorize(lambda a: ops.trace(a), signature="(n,n)->()")(torch.from_numpy(m))
    np.testing.assert_allclose(traced.numpy(), np.trace(m, axis1=1, axis2=2))
    with pytest.raises(ValueError, match="signature"):
        ops.vectorize(lambda a: a, signature="(n->m")


def test_argpartition_partitions_and_prod_honours_dtype():
    x = rng.normal(size=(3, 10)).astype(np.float32)
    idx = ops.argpartition(x, 4, axis=-1).numpy()
    part = np.take_along_axis(x, idx, -1)
    assert np.all(part[:, :4] <= part[:, 4:5]) and np.all(part[:, 5:] >= part[:, 4:5])
    assert ops.prod(torch.arange(1, 5, dtype=torch.int32), dtype="float32").dtype == torch.float32


def test_stft_istft_round_trip():
    """Exact wherever every frame overlaps (Keras's istft normalizes the window for full overlap,
    so the first and last samples are not reconstructed exactly, as with TensorFlow)."""
    x = torch.tensor(rng.normal(size=(2, 64)), dtype=torch.float64)
    for window in ("hann", "hamming"):
        back = ops.istft(ops.stft(x, 16, 4, 16, window=window), 16, 4, 16, length=64, window=window)
        torch.testing.assert_close(back[:, 8:-8], x[:, 8:-8])


def test_attention_extras_match_a_direct_computation():
    q = torch.tensor(rng.normal(size=(2, 5, 4, 8)), dtype=torch.float32)
    k = torch.tensor(rng.normal(size=(2, 6, 2, 8)), dtype=torch.float32)
    v = torch.tensor(rng.normal(size=(2, 6, 2, 8)), dtype=torch.float32)
    kk, vv = k.repeat_interleave(2, dim=2), v.repeat_interleave(2, dim=2)

    def direct(cap=None, causal=False, mask=None):
        logits = torch.einsum("btnh,bsnh->bnts", q, kk) / np.sqrt(8)
        if cap is not None:
            logits = cap * torch.tanh(logits / cap)
        keep = torch.ones(5, 6, dtype=torch.bool) if mask is None else mask
        if causal:
            keep = keep & torch.ones(5, 6, dtype=torch.bool).tril()
        logits = logits.masked_fill(~keep, -0.7 * 3.38953e38)
        return torch.einsum("bnts,bsnh->btnh", torch.softmax(logits, -1), vv)

    torch.testing.assert_close(ops.dot_product_attention(q, k, v), direct(), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ops.dot_product_attention(q, k, v, attn_logits_soft_cap=1.5), direct(cap=1.5),
                               rtol=1e-5, atol=1e-5)
    mask = torch.rand(5, 6) > 0.4
    mask[0] = False  # a fully masked query row attends uniformly (no NaN), as in Keras
    torch.testing.assert_close(ops.dot_product_attention(q, k, v, mask=mask, is_causal=True),
                               direct(causal=True, mask=mask), rtol=1e-5, atol=1e-5)


def test_scatter_sums_duplicates_and_scatter_update_reduces():
    idx = torch.tensor([[0, 1], [0, 1], [2, 0]])
    vals = torch.tensor([1.0, 2.0, 5.0])
    assert ops.scatter(idx, vals, (3, 2)).tolist() == [[0.0, 3.0], [0.0, 0.0], [5.0, 0.0]]
    base = torch.ones(3, 2)
    assert ops.scatter_update(base, idx, vals, reduction="add").tolist() == [[1.0, 4.0], [1.0, 1.0], [6.0, 1.0]]
    assert ops.scatter_update(base, idx, vals, reduction="max").tolist() == [[1.0, 2.0], [1.0, 1.0], [5.0, 1.0]]
    with pytest.raises(ValueError, match="reduction"):
        ops.scatter_update(base, idx, vals, reduction="mean")


def test_value_dependent_ops_in_functional_models():
    inp = keras.Input((6,), dtype="int32")
    uniq = ops.unique(ops.reshape(inp, (-1,)), size=8, fill_value=-1)
    counts = ops.bincount(ops.reshape(inp, (-1,)), minlength=10)
    assert uniq.shape == (8,) and counts.shape == (None,)
    model = keras.Model(inp, [uniq, counts])
    u, c = model(torch.tensor([[3, 1, 3, 0, 7, 1]], dtype=torch.int32))
    assert u.tolist() == [0, 1, 3, 7, -1, -1, -1, -1]
    assert c.tolist() == [1, 2, 0, 2, 0, 0, 0, 1, 0, 0]


def test_adaptive_pooling_bins_cover_the_input():
    x = torch.tensor(rng.normal(size=(1, 7, 5, 2)), dtype=torch.float32)
    avg = ops.adaptive_average_pool(x, (3, 2))
    assert avg.shape == (1, 3, 2, 2)
    torch.testing.assert_close(avg[0, 0, 0], x[0, 0:3, 0:3].mean((0, 1)))
    mx = ops.adaptive_max_pool(x.permute(0, 3, 1, 2), 2, data_format="channels_first")
    torch.testing.assert_close(mx[0, :, 1, 1], x[0, 3:, 2:].amax((0, 1)))
    assert ops.adaptive_average_pool(keras.Input((7, 5, 2)), 4).shape == (None, 4, 4, 2)
