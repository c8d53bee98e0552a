"""Inference fusion (models/fusion.py): a convolution with the ZeroPadding2D before it and the
BatchNormalization, residual Add and activation after it runs as one convolution when a functional
model infers without autograd. Results equal the layer-by-layer run (<= 1e-5 relative), nothing a
caller can see is overwritten, and anything that needs the layers one by one still gets them."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.profiler import ProfilerActivity, profile

import keras_torch as keras
from keras_torch import layers
from keras_torch.models.fusion import FusedConv

SHAPE = (12, 12, 8)


def _randomize_bn(model: keras.Model, seed: int = 0) -> None:
    """Moving statistics and affine parameters far from the identity, so a wrong fold shows."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            kinds = ["gamma"] * layer.scale + ["beta"] * layer.center + ["moving_mean", "moving_variance"]
            new = []
            for kind, w in zip(kinds, layer.get_weights()):
                if kind in ("gamma", "moving_variance"):
                    new.append(rng.uniform(0.3, 2.0, w.shape).astype(w.dtype))
                else:
                    new.append(rng.normal(0.0, 0.5, w.shape).astype(w.dtype))
            layer.set_weights(new)


def _inputs(n: int = 4, shape: tuple = SHAPE, dtype: str = "float32") -> np.ndarray:
    return np.random.default_rng(1).normal(size=(n, *shape)).astype(dtype)


def _reference(model: keras.Model, x: np.ndarray) -> list[np.ndarray]:
    """The layer-by-layer forward (autograd on: nothing fused, nothing donated)."""
    with torch.enable_grad():
        out = model(torch.from_numpy(x.copy()), training=False)
    return [o.detach().numpy() for o in (out if isinstance(out, (list, tuple)) else [out])]


def _fused_chains(model: keras.Model, alone: bool = False) -> list[FusedConv]:
    """The model's fused chains of two or more layers (``alone``: also convolutions run alone)."""
    return [step[0] for step in model._graph_obj._steps(True)
            if isinstance(step[0], FusedConv) and (alone or len(step[0].layers) > 1)]


def _check(model: keras.Model, x: np.ndarray, n_chains: int, rtol: float = 1e-5) -> None:
    _randomize_bn(model)
    chains = _fused_chains(model)
    assert len(chains) == n_chains, [[lyr.name for lyr in c.layers] for c in chains]
    before = x.copy()
    model.predict_on_batch(x)  # first call at this shape: layer by layer, validating the shapes
    got = model.predict_on_batch(x)
    got = got if isinstance(got, list) else [got]
    assert all(c._folded is not None or c._packed is not None for c in chains)  # the fused path ran
    np.testing.assert_array_equal(x, before)
    for g, r in zip(got, _reference(model, x)):
        np.testing.assert_allclose(g, r, rtol=rtol, atol=rtol * max(1.0, float(np.abs(r).max())))


def _resnet_block(residual_first: bool = False, act: str = "relu") -> keras.Model:
    x = keras.Input(SHAPE)
    s = layers.BatchNormalization(name="bn0")(layers.Conv2D(16, 1, name="c0")(x))  # projection shortcut
    h = layers.Conv2D(16, 3, padding="same", use_bias=False, name="c1")(x)
    h = layers.BatchNormalization(name="bn1")(h)
    h = layers.Activation(act, name="a1")(h)
    h = layers.Conv2D(16, 3, padding="same", name="c2")(h)
    h = layers.BatchNormalization(name="bn2", scale=False, center=False)(h)
    h = layers.Add(name="add")([s, h] if residual_first else [h, s])
    return keras.Model(x, layers.Activation(act, name="out")(h))


@pytest.mark.parametrize("residual_first", [False, True])
@pytest.mark.parametrize("act", ["relu", "swish"])
def test_residual_block_matches_layer_by_layer(residual_first, act):
    model = _resnet_block(residual_first, act)
    _check(model, _inputs(8), n_chains=3)
    if torch.backends.mkldnn.is_available():  # the shortcut (fresh, read last by the Add) takes the sum in place
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            model.predict_on_batch(_inputs(8))
        ops = {e.key: e.count for e in prof.key_averages()}
        assert ops.get("mkldnn::_convolution_pointwise_") == 1 and ops.get("mkldnn::_convolution_pointwise") == 2
        assert not any(k in ops for k in ("aten::native_batch_norm", "aten::add", "aten::add_", "aten::relu_"))


def test_padding_depthwise_relu6_and_strided_same():
    x = keras.Input(SHAPE)
    h = layers.ZeroPadding2D(2, name="pad")(x)
    h = layers.Conv2D(8, 5, strides=2, name="c")(h)  # valid: the padding folds into the convolution
    h = layers.BatchNormalization(name="bn")(h)
    h = layers.ReLU(6.0, name="r6")(h)
    h = layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, name="dw")(h)  # asymmetric pads
    h = layers.BatchNormalization(name="bn_dw")(h)
    h = layers.ReLU(name="r")(h)
    h = layers.DepthwiseConv2D(3, padding="same", name="dw1")(h)  # symmetric: oneDNN on the CPU
    h = layers.BatchNormalization(name="bn_dw1")(h)
    model = keras.Model(x, h)
    _check(model, _inputs(), n_chains=3)
    assert [lyr.name for lyr in _fused_chains(model)[0].layers] == ["pad", "c", "bn", "r6"]


def test_channels_first_conv1d_and_float64_take_the_generic_path():
    x = keras.Input((8, 10, 10))
    h = layers.Conv2D(6, 3, padding="same", data_format="channels_first")(x)
    h = layers.BatchNormalization(axis=1)(h)
    cf = keras.Model(x, layers.Activation("relu")(h))
    _check(cf, _inputs(shape=(8, 10, 10)), n_chains=1)

    x = keras.Input((20, 5))
    h = layers.BatchNormalization()(layers.Conv1D(7, 3, padding="same")(x))
    _check(keras.Model(x, layers.ReLU()(h)), _inputs(shape=(20, 5)), n_chains=1)

    x = keras.Input(SHAPE, dtype="float64")
    h = layers.Conv2D(4, 3, dtype="float64")(x)
    h = layers.BatchNormalization(dtype="float64")(h)
    _check(keras.Model(x, h), _inputs(dtype="float64"), n_chains=1, rtol=1e-12)


def test_values_read_twice_or_returned_are_not_fused_away():
    x = keras.Input(SHAPE)
    c = layers.Conv2D(8, 3, padding="same", name="c")(x)
    bn = layers.BatchNormalization(name="bn")(c)
    r = layers.ReLU(name="r")(bn)
    model = keras.Model(x, [bn, r])  # bn's output is a model output: only c -> bn fuses
    _check(model, _inputs(), n_chains=1)
    assert [lyr.name for lyr in _fused_chains(model)[0].layers] == ["c", "bn"]

    x = keras.Input(SHAPE)
    c = layers.Conv2D(8, 3, padding="same", name="c")(x)
    model = keras.Model(x, layers.Add()([layers.BatchNormalization()(c), c]))  # c read twice: no chain
    assert _fused_chains(model) == []


def test_a_residual_that_is_also_an_output_is_not_overwritten():
    x = keras.Input(SHAPE)
    s = layers.Conv2D(8, 1, name="s")(x)
    s = layers.BatchNormalization(name="bn_s")(s)
    h = layers.BatchNormalization(name="bn")(layers.Conv2D(8, 3, padding="same", name="c")(x))
    out = layers.ReLU()(layers.Add()([h, s]))
    _check(keras.Model(x, [out, s]), _inputs(), n_chains=2)


def test_weight_changes_are_folded_again():
    model = _resnet_block()
    x = _inputs()
    _check(model, x, n_chains=3)
    bn = model.get_layer("bn1")
    mean, var = bn.moving_mean.detach().clone(), bn.moving_variance.detach().clone()
    weights = bn.get_weights()
    weights[2] = weights[2] + 1.0  # moving_mean, through set_weights
    bn.set_weights(weights)
    np.testing.assert_allclose(model.predict_on_batch(x), _reference(model, x)[0], rtol=1e-5, atol=1e-5)
    with torch.no_grad():  # in place, as an optimizer or a torch user would
        model.get_layer("c1").weight.mul_(0.5)
    np.testing.assert_allclose(model.predict_on_batch(x), _reference(model, x)[0], rtol=1e-5, atol=1e-5)
    assert not torch.equal(bn.moving_mean, mean) and torch.equal(bn.moving_variance, var)


def test_training_and_hooks_run_the_layers():
    model = _resnet_block()
    _randomize_bn(model)
    x = torch.from_numpy(_inputs())
    model.predict_on_batch(x.numpy())
    model.predict_on_batch(x.numpy())
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    with torch.no_grad():  # training=True without autograd: batch statistics, moving ones updated
        got = model(x, training=True)
    want = twin(x, training=True).detach()
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(model.get_layer("bn1").moving_mean, twin.get_layer("bn1").moving_mean)

    seen = []
    handle = model.get_layer("bn2").register_forward_hook(lambda m, i, o: seen.append(o.clone()))
    try:
        out = model.predict_on_batch(x.numpy())
    finally:
        handle.remove()
    assert len(seen) == 1  # the hooked layer ran on its own
    np.testing.assert_allclose(out, _reference(model, x.numpy())[0], rtol=1e-5, atol=1e-5)


def test_fit_after_predict_uses_the_new_weights():
    model = _resnet_block()
    model.compile(optimizer="sgd", loss="mse")
    x = _inputs(8)
    y = np.random.default_rng(2).normal(size=(8, *SHAPE[:2], 16)).astype("float32")
    model.predict(x, verbose=0)
    model.predict(x, verbose=0)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x)[0], rtol=1e-5, atol=1e-5)


def test_a_keras3_file_fuses_and_matches_real_keras():
    """Keras 3 files record ``mask=None`` on BatchNormalization calls: the chains fuse all the same."""
    import pathlib

    fixtures = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "files"
    model = keras.models.load_model(fixtures / "k3_mobilenet.keras", compile=False)
    assert len(_fused_chains(model)) == 27  # conv/depthwise -> BN -> ReLU(6) in every block
    ref = np.load(fixtures / "k3_mobilenet.npz")
    x, want = ref["x0"], ref["y0"]
    for _ in range(2):  # layer by layer, then fused
        np.testing.assert_allclose(model.predict_on_batch(x), want, rtol=1e-4, atol=1e-5)
    assert all(c._packed is not None or c._folded is not None for c in _fused_chains(model))


def test_sequential_stack_fuses_in_predict_and_no_grad_calls():
    model = keras.Sequential([
        keras.Input(SHAPE),
        layers.ZeroPadding2D(1),
        layers.Conv2D(8, 3, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Conv2D(8, 3, padding="same"),
        layers.BatchNormalization(),
        layers.Flatten(),
        layers.Dense(3),
    ])
    _randomize_bn(model)
    x = _inputs(4)
    want = _reference(model, x)[0]
    for _ in range(3):
        np.testing.assert_allclose(model.predict_on_batch(x), want, rtol=1e-5, atol=1e-5)
        with torch.no_grad():
            np.testing.assert_allclose(model(torch.from_numpy(x)).numpy(), want, rtol=1e-5, atol=1e-5)
    plan = model._fused_plan[1]
    chains = [fn for fn, _ in plan if isinstance(fn, FusedConv)]
    assert [len(c.layers) for c in chains] == [4, 2] and len(plan) == 4  # pad+conv+bn+relu, conv+bn, flatten, dense
    assert all(c._packed is not None or c._folded is not None for c in chains)
    with torch.no_grad():  # training: batch statistics, layer by layer
        twin = keras.models.clone_model(model)
        twin.set_weights(model.get_weights())
        torch.testing.assert_close(model(torch.from_numpy(x), training=True), twin(torch.from_numpy(x), training=True))


def test_a_convolution_alone_runs_with_its_kernel_packed():
    """A 2D channels_last convolution with nothing to fold still runs as a chain of one on the CPU: its
    kernel packed once for oneDNN, its own relu a post-op; other ranks/layouts are left to the layer."""
    x = keras.Input(SHAPE)
    h = layers.Conv2D(8, 3, padding="same", activation="relu", name="c_relu")(x)
    h = layers.Conv2D(8, 1, activation="tanh", name="c_tanh")(h)
    h = layers.BatchNormalization(name="bn_after_tanh")(h)  # after a non-linear activation: not folded
    h = layers.Concatenate()([h, layers.Conv2D(4, 1, name="c_cat")(x)])
    model = keras.Model(x, h)
    assert [[lyr.name for lyr in c.layers] for c in _fused_chains(model, alone=True)] == [
        ["c_relu"], ["c_tanh"], ["c_cat"]]
    _check(model, _inputs(), n_chains=0)
    assert all(c._packed is not None for c in _fused_chains(model, alone=True)) or not torch.backends.mkldnn.is_available()

    x = keras.Input((20, 5))
    model = keras.Model(x, layers.Conv1D(4, 3)(x))
    assert _fused_chains(model, alone=True) == []
