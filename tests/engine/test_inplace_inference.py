"""A functional graph without autograd frees values after their last use and lets ReLU/Activation/Add
overwrite a fresh input no one reads again: same results, and nothing anyone can see is overwritten.
(Dense layers: convolution chains are fused instead, see test_inference_fusion.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.profiler import ProfilerActivity, profile

import keras_torch as keras
from keras_torch import layers

SHAPE = (16, 16, 8)  # 2048 elements per sample: large enough to be donated at batch 8


def _block() -> keras.Model:
    x = keras.Input(SHAPE)
    h = layers.Dense(8, name="c1")(x)
    h = layers.BatchNormalization(name="bn1")(h)
    h = layers.Activation("relu", name="r1")(h)
    h2 = layers.Dense(8, name="c2")(h)
    h2 = layers.BatchNormalization(name="bn2")(h2)
    s = layers.Add(name="add")([h2, h])
    return keras.Model(x, layers.ReLU(name="out")(s))


def _inputs(n: int = 8) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, *SHAPE)).astype("float32")


def _reference(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The same forward with autograd on (no donation), layer by layer out of place."""
    with torch.enable_grad():
        return model(torch.from_numpy(x.copy()), training=False).detach().numpy()


def _inplace_ops(fn) -> dict[str, int]:
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    return {e.key: e.count for e in prof.key_averages() if e.key in ("aten::relu_", "aten::add_", "aten::relu")}


def test_donated_inputs_are_overwritten_and_results_are_equal():
    model = _block()
    x = _inputs()
    before = x.copy()
    got = model.predict_on_batch(x)
    np.testing.assert_array_equal(x, before)  # the caller's array (shared with the input tensor) is untouched
    np.testing.assert_allclose(got, _reference(model, x), rtol=1e-6, atol=1e-6)
    ops = _inplace_ops(lambda: model.predict_on_batch(x))
    assert ops.get("aten::relu_", 0) == 2 and ops.get("aten::add_", 0) == 1, ops  # r1, out; add
    # r1's output is read twice (c2 and add): only its last reader, add, may overwrite it -- and
    # add overwrites its first input, h2, not h.
    with torch.enable_grad():  # with autograd nothing is donated
        ops = _inplace_ops(lambda: model(torch.from_numpy(x), training=False))
    assert ops.get("aten::relu_", 0) == 0 and ops.get("aten::add_", 0) == 0, ops


def test_an_input_read_later_through_an_identity_layer_is_not_overwritten():
    """bn's output goes on unchanged through Dropout (the same tensor) and is read again after the ReLU."""
    x = keras.Input(SHAPE)
    h = layers.BatchNormalization(name="bn")(layers.Dense(8, name="c")(x))
    same = layers.Activation("linear")(layers.Dropout(0.5, name="drop")(h))  # identities: the same tensor
    r = layers.ReLU(name="relu")(h)  # h's last reader (runs after the deeper Dropout), `same` still live
    model = keras.Model(x, layers.Add()([r, same]))
    order = [layer.name for layer in model._graph_obj.layers]
    assert order.index("drop") < order.index("relu")
    xv = _inputs()
    np.testing.assert_allclose(model.predict_on_batch(xv), _reference(model, xv), rtol=1e-6, atol=1e-6)


def test_an_input_read_later_through_a_view_is_not_overwritten():
    x = keras.Input(SHAPE)
    h = layers.BatchNormalization(name="bn")(layers.Dense(8, name="c")(x))
    view = layers.Reshape(SHAPE)(layers.Reshape((16 * 16 * 8,), name="view")(h))  # views of h's memory
    r = layers.ReLU(name="relu")(h)  # h's last reader (runs after the deeper Reshape), the view still live
    model = keras.Model(x, layers.Add()([r, view]))
    order = [layer.name for layer in model._graph_obj.layers]
    assert order.index("view") < order.index("relu")
    xv = _inputs()
    np.testing.assert_allclose(model.predict_on_batch(xv), _reference(model, xv), rtol=1e-6, atol=1e-6)


def test_a_model_input_is_never_overwritten():
    x = keras.Input(SHAPE)
    model = keras.Model(x, layers.Add()([layers.ReLU()(x), x]))
    xv = _inputs()
    before = xv.copy()
    t = torch.from_numpy(xv)
    with torch.no_grad():
        out = model(t).numpy()
    np.testing.assert_array_equal(xv, before)
    np.testing.assert_allclose(out, np.maximum(before, 0) + before, rtol=1e-6)


def test_an_output_kept_by_a_hook_is_not_overwritten():
    model = _block()
    kept = {}

    def keep(module, inputs, output):
        kept["copy"], kept["ref"] = output.clone(), output

    handle = model.get_layer("bn1").register_forward_hook(keep)
    try:
        xv = _inputs()
        model.predict_on_batch(xv)
    finally:
        handle.remove()
    np.testing.assert_array_equal(kept["ref"].numpy(), kept["copy"].numpy())  # still BN's output, not ReLU's
    assert (kept["ref"] < 0).any()


def test_a_model_output_that_is_also_read_inside_is_not_overwritten():
    x = keras.Input(SHAPE)
    h = layers.BatchNormalization(name="bn")(layers.Dense(8, name="c")(x))
    model = keras.Model(x, [h, layers.ReLU()(h)])
    xv = _inputs()
    got_h, got_r = model.predict_on_batch(xv)
    assert (got_h < 0).any()
    np.testing.assert_allclose(got_r, np.maximum(got_h, 0), rtol=1e-6)


@pytest.mark.parametrize("activation", ["relu", "linear", "tanh"])
def test_fused_activation_in_conv_and_dense_trains_as_before(activation):
    """Conv2D/Dense(activation="relu") apply it in place to their own result, also under autograd."""
    x = keras.Input((6, 6, 3))
    h = layers.Conv2D(4, 3, activation=activation)(x)
    model = keras.Model(x, layers.Dense(3, activation=activation)(layers.Flatten()(h)))
    xv = torch.from_numpy(np.random.default_rng(1).normal(size=(4, 6, 6, 3)).astype("float32"))
    out = model(xv)
    out.sum().backward()
    conv, dense = model.layers[1], model.layers[3]
    w1, b1, w2, b2 = (p.detach().requires_grad_() for p in (conv.weight, conv.bias, dense.weight, dense.bias))
    act = {"relu": torch.relu, "linear": lambda t: t, "tanh": torch.tanh}[activation]
    ref_h = act(torch.nn.functional.conv2d(xv.permute(0, 3, 1, 2), w1, b1)).permute(0, 2, 3, 1)
    ref = act(torch.nn.functional.linear(ref_h.reshape(4, -1), w2, b2))
    ref.sum().backward()
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(conv.weight.grad, w1.grad)
    torch.testing.assert_close(dense.weight.grad, w2.grad)
