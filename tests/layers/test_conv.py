"""Convolution layers: parity with real Keras 3 numbers, layouts, torch interop, configs, errors."""

import copy
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

import keras_torch
from keras_torch import layers as L
from keras_torch.core import registry
from keras_torch.layers.conv_transpose import conv_transpose_crops

DATA = Path(__file__).parent / "data"
FILES = ["conv_ref.npz", "conv_transpose_ref.npz", "conv_dw_sep_ref.npz"]


def load_cases(*files):
    """(class name, kwargs, x, keras weights, y) for every case in the reference files (conv_gen_reference.py)."""
    cases = []
    for f in files:
        ref = np.load(DATA / f)
        for n in sorted({k.split("/")[0] for k in ref.files if k.endswith("/meta")}):
            meta = json.loads(bytes(ref[f"{n}/meta"]).decode())
            ws = [ref[f"{n}/w{i}"].astype(np.float32) for i in range(8) if f"{n}/w{i}" in ref.files]
            cases.append(pytest.param(meta["cls"], meta["kwargs"], ref[f"{n}/x"].astype(np.float32), ws,
                                      ref[f"{n}/y"], id=n))
    return cases


def run_case(cls, kwargs, x, ws, y, atol=1e-5):
    layer = getattr(L, cls)(**kwargs)
    layer.build(x.shape)
    if ws:
        layer.set_weights(ws)
    out = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), y, atol=atol, rtol=1e-5)
    assert tuple(layer.compute_output_shape((None,) + x.shape[1:])) == (None,) + y.shape[1:]
    return layer


@pytest.mark.parametrize("cls,kwargs,x,ws,y", load_cases(*FILES))
def test_matches_keras(cls, kwargs, x, ws, y):
    run_case(cls, kwargs, x, ws, y)


@pytest.mark.parametrize("cls,kwargs,x,ws,y", load_cases(*FILES))
def test_weights_round_trip_in_keras_layout(cls, kwargs, x, ws, y):
    layer = run_case(cls, kwargs, x, ws, y)
    got = layer.get_weights()
    assert [w.shape for w in got] == [w.shape for w in ws]
    for a, b in zip(got, ws):
        np.testing.assert_array_equal(a, b)


def test_conv2d_state_dict_loads_into_torch_conv2d():
    layer = L.Conv2D(5, (3, 2), strides=(2, 1), dilation_rate=1, padding="valid")
    x = torch.randn(2, 9, 8, 4)
    y = layer(x)
    conv = torch.nn.Conv2d(4, 5, (3, 2), stride=(2, 1))
    conv.load_state_dict(layer.state_dict())
    ref = conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    torch.testing.assert_close(y, ref)
    assert set(layer.state_dict()) == {"weight", "bias"}


def test_conv1d_and_grouped_state_dict_match_torch():
    layer = L.Conv1D(6, 3, groups=3, data_format="channels_first", use_bias=False)
    x = torch.randn(2, 3, 11)
    conv = torch.nn.Conv1d(3, 6, 3, groups=3, bias=False)
    layer(x)
    conv.load_state_dict(layer.state_dict())
    torch.testing.assert_close(layer(x), conv(x))


def test_conv_transpose_state_dict_matches_torch():
    layer = L.Conv2DTranspose(3, 3, strides=2, padding="valid")
    x = torch.randn(2, 4, 5, 6)
    y = layer(x)
    convt = torch.nn.ConvTranspose2d(6, 3, 3, stride=2)
    convt.load_state_dict(layer.state_dict())
    torch.testing.assert_close(y, convt(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1))


def test_depthwise_state_dict_matches_grouped_torch_conv():
    layer = L.DepthwiseConv2D(3, depth_multiplier=2)
    x = torch.randn(2, 6, 7, 4)
    y = layer(x)
    conv = torch.nn.Conv2d(4, 8, 3, groups=4)
    conv.load_state_dict(layer.state_dict())
    torch.testing.assert_close(y, conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1))
    # Keras layout (kh, kw, in, mult): output channel c*mult + m uses kernel[..., c, m]
    k = layer.get_weights()[0]
    assert k.shape == (3, 3, 4, 2)
    np.testing.assert_array_equal(k[:, :, 1, 0], conv.weight[2, 0].detach().numpy())
    assert layer.depthwise_kernel.shape == (3, 3, 4, 2)  # tf-keras attribute name
    assert layer.kernel.data_ptr() == layer.weight.data_ptr() and layer.kernel._is_view()


def test_keras_layout_views_and_shapes():
    c = L.Conv2D(4, (3, 2), groups=2)
    c.build((None, 5, 5, 6))
    assert tuple(c.weight.shape) == (4, 3, 3, 2)
    assert tuple(c.kernel.shape) == (3, 2, 3, 4)
    assert [w.shape for w in c.get_weights()] == [(3, 2, 3, 4), (4,)]
    t = L.Conv3DTranspose(2, 2)
    t.build((None, 3, 3, 3, 5))
    assert tuple(t.weight.shape) == (5, 2, 2, 2, 2)
    assert t.get_weights()[0].shape == (2, 2, 2, 2, 5)
    s = L.SeparableConv1D(4, 3, depth_multiplier=2)
    s.build((None, 9, 3))
    assert [w.shape for w in s.get_weights()] == [(3, 3, 2), (1, 6, 4), (4,)]
    assert [v.name for v in s.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert tuple(s.pointwise_kernel.shape) == (1, 6, 4)


def test_channels_last_output_is_contiguous_and_grad_flows():
    layer = L.Conv2D(8, 3, padding="same", strides=2)
    x = torch.randn(2, 9, 9, 4, requires_grad=True)
    y = layer(x)
    assert y.is_contiguous()
    y.sum().backward()
    assert x.grad is not None and layer.weight.grad is not None


def test_regularizer_sees_keras_layout():
    layer = L.Conv2D(2, 3, kernel_regularizer=keras_torch.regularizers.L2(0.1))
    layer(torch.zeros(1, 5, 5, 3))
    expected = 0.1 * float((layer.get_weights()[0] ** 2).sum())
    assert abs(float(sum(layer.losses).detach()) - expected) < 1e-5


@pytest.mark.parametrize(
    "layer,shape",
    [
        (L.Conv1D(3, 3, padding="causal", dilation_rate=2), (None, None, 4)),
        (L.Conv2D(3, 3, strides=2, padding="same"), (None, None, 7, 4)),
        (L.Conv3D(3, 2, data_format="channels_first"), (None, 4, 5, None, 5)),
        (L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1), (None, 5, None, 2)),
        (L.DepthwiseConv1D(3, depth_multiplier=3), (None, 9, 2)),
        (L.SeparableConv2D(3, 3, padding="same", data_format="channels_first"), (None, 2, 6, 7)),
    ],
)
def test_symbolic_shapes_match_eager(layer, shape):
    sym = keras_torch.Input(batch_shape=shape)
    out = layer(sym)
    concrete = tuple(d if d is not None else 8 for d in shape)
    concrete = (2,) + concrete[1:]
    eager = layer(torch.randn(concrete))
    for s, e in zip(out.shape[1:], eager.shape[1:]):
        assert s is None or s == e


@pytest.mark.parametrize(
    "layer",
    [
        L.Conv1D(3, 3, padding="causal", activation="relu", kernel_initializer="he_normal"),
        L.Conv2D(4, (3, 2), strides=2, padding="same", groups=2, use_bias=False, data_format="channels_first"),
        L.Conv3D(2, 2, dilation_rate=2, bias_regularizer="l2"),
        L.Conv1DTranspose(2, 3, strides=2, output_padding=1),
        L.Conv2DTranspose(2, 3, padding="same"),
        L.Conv3DTranspose(2, 2, kernel_constraint="non_neg"),
        L.DepthwiseConv1D(3, depth_multiplier=2),
        L.DepthwiseConv2D((3, 3), padding="same", depthwise_regularizer="l1"),
        L.SeparableConv1D(2, 3, depth_multiplier=3),
        L.SeparableConv2D(2, 3, pointwise_initializer="zeros"),
    ],
)
def test_config_round_trip(layer):
    cfg = layer.get_config()
    clone = type(layer).from_config(cfg)
    a, b = clone.get_config(), dict(cfg)
    a.pop("name"), b.pop("name")
    assert a == b
    json.dumps(cfg)  # JSON friendly


def test_config_keys_match_keras():
    cfg = L.Conv2D(2, 3).get_config()
    for key in ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
                "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"):
        assert key in cfg
    assert cfg["kernel_size"] == (3, 3) and cfg["strides"] == (1, 1) and cfg["activation"] == "linear"
    t = L.Conv2DTranspose(2, 3).get_config()
    assert "output_padding" in t and "groups" not in t
    d = L.DepthwiseConv2D(3).get_config()
    assert d["depth_multiplier"] == 1 and "depthwise_initializer" in d and "filters" not in d


@pytest.mark.parametrize(
    "alias,cls",
    [
        ("Convolution1D", "Conv1D"),
        ("Convolution2D", "Conv2D"),
        ("Convolution3D", "Conv3D"),
        ("Convolution2DTranspose", "Conv2DTranspose"),
        ("Deconvolution2D", "Conv2DTranspose"),
        ("Deconvolution3D", "Conv3DTranspose"),
        ("SeparableConvolution1D", "SeparableConv1D"),
        ("SeparableConvolution2D", "SeparableConv2D"),
    ],
)
def test_aliases(alias, cls):
    assert getattr(L, alias) is getattr(L, cls)
    assert registry.registered("layers")[alias] is getattr(L, cls)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: L.Conv2D(0, 3), "filters"),
        (lambda: L.Conv2D(3, 3, padding="causal"), "padding"),
        (lambda: L.Conv1D(3, 3, padding="full"), "padding"),
        (lambda: L.Conv2D(3, 0), "kernel_size"),
        (lambda: L.Conv2D(3, (3, 3, 3)), "kernel_size"),
        (lambda: L.Conv2D(3, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: L.Conv2D(3, 3, groups=2), "groups"),
        (lambda: L.Conv2DTranspose(3, 3, strides=2, output_padding=2), "output_padding"),
        (lambda: L.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
        (lambda: L.Conv2D(3, 3, data_format="nhwc"), "data_format"),
    ],
)
def test_invalid_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_build_errors_name_the_layer():
    with pytest.raises(ValueError, match="groups"):
        L.Conv2D(4, 3, groups=2, name="gconv")(torch.zeros(1, 5, 5, 3))
    with pytest.raises(ValueError, match="negative"):
        L.Conv2D(4, 5)(torch.zeros(1, 3, 3, 3))
    layer = L.Conv2D(2, 1)
    layer(torch.zeros(1, 3, 3, 3))
    with pytest.raises(ValueError, match=layer.name):
        layer(torch.zeros(1, 3, 3, 4))


def test_deepcopy_and_pickle():
    layer = L.SeparableConv2D(3, 3, padding="same")
    x = torch.randn(1, 5, 5, 2)
    y = layer(x)
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        torch.testing.assert_close(clone(x), y)


def test_float64_inputs_follow_layer_dtype():
    layer = L.Conv2D(2, 3, dtype="float64")
    out = layer(torch.randn(1, 5, 5, 2, dtype=torch.float64))
    assert out.dtype == torch.float64


@pytest.mark.parametrize("k,s,d,padding,op", [
    (3, 1, 2, "same", None), (3, 1, 2, "valid", None), (2, 1, 3, "same", None), (4, 2, 1, "same", 1),
    (3, 3, 1, "same", 2), (1, 3, 1, "valid", None), (5, 2, 1, "same", 0), (2, 4, 1, "same", None),
])
def test_conv_transpose_native_torch_padding_equals_crop_path(k, s, d, padding, op):
    """The fast path (torch padding/output_padding) must equal cropping the un-padded result."""
    layer = L.Conv1DTranspose(2, k, strides=s, dilation_rate=d, padding=padding, output_padding=op)
    x = torch.randn(2, 6, 3)
    fast = layer(x)
    crops = [conv_transpose_crops(k, s, d, padding, op)]
    layer._plans[(layer.padding, layer.output_padding)] = ((0,), (0,), crops)
    torch.testing.assert_close(layer(x), fast)
    assert fast.shape[1] == layer.compute_output_shape((None, 6, 3))[1]
