"""Pooling layers: parity with real Keras 3 numbers, "same" padding edge cases, masks, configs, errors."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import keras_torch
from keras_torch import layers as L
from keras_torch.core import registry

DATA = Path(__file__).parent / "data"


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


@pytest.mark.parametrize("cls,kwargs,x,ws,y", load_cases("pool_ref.npz"))
def test_matches_keras(cls, kwargs, x, ws, y):
    run_case(cls, kwargs, x, ws, y)


def test_masked_global_average_pooling_1d_matches_keras():
    ref = np.load(DATA / "pool_ref.npz")
    x, mask = torch.from_numpy(ref["masked_gap1d/x"]), torch.from_numpy(ref["masked_gap1d/mask"])
    layer = L.GlobalAveragePooling1D()
    out = layer(x, mask=mask)
    np.testing.assert_allclose(out.numpy(), ref["masked_gap1d/y"], atol=1e-6)
    assert getattr(out, "_keras_mask", None) is None
    cf = L.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)(x.transpose(1, 2), mask=mask)
    np.testing.assert_allclose(cf[..., 0].numpy(), ref["masked_gap1d/y"], atol=1e-6)


def test_mask_arrives_via_keras_mask_attribute():
    x = torch.tensor([[[1.0], [3.0], [0.0]]])
    x._keras_mask = torch.tensor([[True, True, False]])
    assert float(L.GlobalAveragePooling1D()(x)) == 2.0
    # Keras 3's GlobalMaxPooling1D ignores masks
    assert float(L.GlobalMaxPooling1D()(x)) == 3.0


def test_average_same_excludes_padding_exactly():
    x = torch.ones(1, 5, 5, 1)
    y = L.AveragePooling2D(2, padding="same")(x)  # asymmetric: padding only bottom/right
    torch.testing.assert_close(y, torch.ones(1, 3, 3, 1))
    y = L.AveragePooling2D(3, strides=1, padding="same")(x)  # symmetric: torch padding
    torch.testing.assert_close(y, torch.ones(1, 5, 5, 1))
    x = torch.arange(5.0).reshape(1, 5, 1)
    torch.testing.assert_close(L.AveragePooling1D(2, padding="same")(x).flatten(), torch.tensor([0.5, 2.5, 4.0]))


def test_max_same_never_selects_padding():
    x = -torch.ones(1, 5, 5, 2) - torch.rand(1, 5, 5, 2)
    y = L.MaxPooling2D(2, padding="same")(x)
    assert y.shape == (1, 3, 3, 2) and bool((y < -1).all())


def test_max_pool_valid_matches_torch_module():
    x = torch.randn(2, 3, 8, 9)
    ours = L.MaxPooling2D((2, 3), strides=(2, 1), data_format="channels_first")(x)
    torch.testing.assert_close(ours, torch.nn.MaxPool2d((2, 3), stride=(2, 1))(x))


def test_pooling_gradients_flow():
    x = torch.randn(2, 7, 7, 3, requires_grad=True)
    L.AveragePooling2D(2, padding="same")(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


@pytest.mark.parametrize(
    "layer,shape,expected",
    [
        (L.MaxPooling1D(), (None, 9, 3), (None, 4, 3)),
        (L.MaxPooling2D(3, strides=2, padding="same"), (None, 7, None, 3), (None, 4, None, 3)),
        (L.AveragePooling3D(2, data_format="channels_first"), (None, 2, 4, 6, 8), (None, 2, 2, 3, 4)),
        (L.GlobalAveragePooling2D(keepdims=True), (None, 4, 5, 3), (None, 1, 1, 3)),
        (L.GlobalMaxPooling3D(data_format="channels_first"), (None, 3, 4, 5, 6), (None, 3)),
        (L.GlobalAveragePooling1D(data_format="channels_first", keepdims=True), (None, 3, 7), (None, 3, 1)),
    ],
)
def test_output_shapes_symbolic_and_eager(layer, shape, expected):
    assert layer.compute_output_shape(shape) == expected
    assert tuple(layer(keras_torch.Input(batch_shape=shape)).shape) == expected
    concrete = (2,) + tuple(d or 8 for d in shape[1:])
    out = layer(torch.randn(concrete)).shape
    assert all(e is None or e == o for e, o in zip(expected[1:], out[1:]))


@pytest.mark.parametrize(
    "layer",
    [
        L.MaxPooling1D(3, strides=1, padding="same"),
        L.MaxPooling2D((2, 3), data_format="channels_first"),
        L.MaxPooling3D(),
        L.AveragePooling1D(2),
        L.AveragePooling2D(3, strides=2, padding="same"),
        L.AveragePooling3D((1, 2, 2)),
        L.GlobalMaxPooling1D(keepdims=True),
        L.GlobalAveragePooling1D(data_format="channels_first"),
        L.GlobalAveragePooling2D(),
        L.GlobalMaxPooling2D(),
        L.GlobalAveragePooling3D(keepdims=True),
        L.GlobalMaxPooling3D(),
    ],
)
def test_config_round_trip(layer):
    cfg = layer.get_config()
    clone = type(layer).from_config(cfg)
    a, b = clone.get_config(), dict(cfg)
    a.pop("name"), b.pop("name")
    assert a == b
    json.dumps(cfg)


def test_config_keys_match_keras():
    cfg = L.MaxPooling2D().get_config()
    assert {k: cfg[k] for k in ("pool_size", "padding", "strides", "data_format")} == {
        "pool_size": (2, 2), "padding": "valid", "strides": (2, 2), "data_format": "channels_last"}
    assert {"data_format", "keepdims"} <= set(L.GlobalMaxPooling2D().get_config())


@pytest.mark.parametrize(
    "alias,cls",
    [("MaxPool1D", "MaxPooling1D"), ("MaxPool2D", "MaxPooling2D"), ("MaxPool3D", "MaxPooling3D"),
     ("AvgPool1D", "AveragePooling1D"), ("AvgPool2D", "AveragePooling2D"), ("AvgPool3D", "AveragePooling3D"),
     ("GlobalMaxPool1D", "GlobalMaxPooling1D"), ("GlobalMaxPool2D", "GlobalMaxPooling2D"),
     ("GlobalMaxPool3D", "GlobalMaxPooling3D"), ("GlobalAvgPool1D", "GlobalAveragePooling1D"),
     ("GlobalAvgPool2D", "GlobalAveragePooling2D"), ("GlobalAvgPool3D", "GlobalAveragePooling3D")],
)
def test_aliases(alias, cls):
    assert getattr(L, alias) is getattr(L, cls)
    assert registry.registered("layers")[alias] is getattr(L, cls)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: L.MaxPooling2D(0), "pool_size"),
        (lambda: L.MaxPooling2D((2, 2, 2)), "pool_size"),
        (lambda: L.AveragePooling1D(2, padding="causal"), "padding"),
        (lambda: L.AveragePooling2D(2, strides=-1), "strides"),
        (lambda: L.GlobalMaxPooling2D(data_format="nchw"), "data_format"),
    ],
)
def test_invalid_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_rank_and_too_small_inputs_raise():
    layer = L.MaxPooling2D(name="pool_x")
    with pytest.raises(ValueError, match="pool_x"):
        layer(torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match="negative"):
        L.MaxPooling2D(3).compute_output_shape((None, 2, 2, 1))
