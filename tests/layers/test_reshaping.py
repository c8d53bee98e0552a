"""ZeroPadding / Cropping / UpSampling: parity with real Keras 3 numbers, shapes, configs, errors."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import keras_torch
from keras_torch import layers as L

DATA = Path(__file__).parent / "data"


def load_cases(*files):
    """(class name, kwargs, x, keras weights, y) for every case in the reference files (conv_gen_reference.py)."""
    cases = []
    for f in files:
        ref = np.load(DATA / f)
        for n in sorted({k.split("/")[0] for k in ref.files if k.endswith("/meta")}):
            meta = json.loads(bytes(ref[f"{n}/meta"]).decode())
            cases.append(pytest.param(meta["cls"], meta["kwargs"], ref[f"{n}/x"].astype(np.float32),
                                      ref[f"{n}/y"], id=n))
    return cases


@pytest.mark.parametrize("cls,kwargs,x,y", load_cases("reshaping_ref.npz"))
def test_matches_keras(cls, kwargs, x, y):
    layer = getattr(L, cls)(**kwargs)
    out = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), y, atol=1e-5, rtol=1e-5)
    assert tuple(layer.compute_output_shape((None,) + x.shape[1:])) == (None,) + y.shape[1:]


def test_nearest_upsampling_is_numpy_repeat():
    x = torch.randn(2, 3, 4, 5)
    out = L.UpSampling2D((2, 3))(x).numpy()
    np.testing.assert_array_equal(out, np.repeat(np.repeat(x.numpy(), 2, axis=1), 3, axis=2))
    out = L.UpSampling3D((1, 2, 3), data_format="channels_first")(x.unsqueeze(1)).numpy()
    ref = np.repeat(np.repeat(x.unsqueeze(1).numpy(), 2, axis=3), 3, axis=4)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(L.UpSampling1D(3)(x[0]).numpy(), np.repeat(x[0].numpy(), 3, axis=1))


def test_bilinear_matches_torch_half_pixel_resize():
    x = torch.randn(1, 3, 4, 2)
    out = L.UpSampling2D(2, interpolation="bilinear")(x)
    ref = torch.nn.functional.interpolate(x.permute(0, 3, 1, 2), scale_factor=2, mode="bilinear",
                                          align_corners=False).permute(0, 2, 3, 1)
    torch.testing.assert_close(out, ref)


def test_padding_forms():
    x = torch.ones(1, 2, 3, 1)
    assert L.ZeroPadding2D(1)(x).shape == (1, 4, 5, 1)
    assert L.ZeroPadding2D((1, 2))(x).shape == (1, 4, 7, 1)
    y = L.ZeroPadding2D(((1, 0), (0, 2)))(x)
    assert y.shape == (1, 3, 5, 1) and float(y.sum()) == 6.0 and float(y[0, 0].sum()) == 0.0
    assert L.ZeroPadding2D(((1, 0), (0, 2))).get_config()["padding"] == ((1, 0), (0, 2))
    assert L.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert L.ZeroPadding3D((1, 2, 3))(torch.ones(1, 1, 1, 1, 1)).shape == (1, 3, 5, 7, 1)


def test_cropping_forms():
    x = torch.arange(36.0).reshape(1, 6, 6, 1)
    torch.testing.assert_close(L.Cropping2D(((1, 2), (0, 3)))(x), x[:, 1:4, 0:3])
    torch.testing.assert_close(L.Cropping2D(1)(x), x[:, 1:5, 1:5])
    torch.testing.assert_close(L.Cropping1D((0, 2))(x[0]), x[0][:, :4])
    assert L.Cropping3D(1)(torch.zeros(1, 3, 4, 5, 2)).shape == (1, 1, 2, 3, 2)


@pytest.mark.parametrize(
    "layer,shape,expected",
    [
        (L.ZeroPadding1D((1, 2)), (None, None, 3), (None, None, 3)),
        (L.ZeroPadding2D(1, data_format="channels_first"), (None, 3, 4, None), (None, 3, 6, None)),
        (L.Cropping2D(((1, 0), (2, 2))), (None, 5, 6, 2), (None, 4, 2, 2)),
        (L.Cropping3D(data_format="channels_first"), (None, 1, 4, 5, 6), (None, 1, 2, 3, 4)),
        (L.UpSampling1D(3), (None, 4, 2), (None, 12, 2)),
        (L.UpSampling2D((2, 3), interpolation="bilinear"), (None, None, 4, 2), (None, None, 12, 2)),
        (L.UpSampling3D(2), (None, 1, 2, 3, 4), (None, 2, 4, 6, 4)),
    ],
)
def test_output_shapes_symbolic_and_eager(layer, shape, expected):
    assert tuple(layer.compute_output_shape(shape)) == expected
    assert tuple(layer(keras_torch.Input(batch_shape=shape)).shape) == expected
    concrete = (2,) + tuple(d or 7 for d in shape[1:])
    out = layer(torch.randn(concrete)).shape
    assert all(e is None or e == o for e, o in zip(expected[1:], out[1:]))


@pytest.mark.parametrize(
    "layer",
    [
        L.ZeroPadding1D((1, 2)),
        L.ZeroPadding2D(((1, 0), (2, 3)), data_format="channels_first"),
        L.ZeroPadding3D(2),
        L.Cropping1D(2),
        L.Cropping2D(((1, 0), (2, 3))),
        L.Cropping3D((1, 2, 0), data_format="channels_first"),
        L.UpSampling1D(3),
        L.UpSampling2D((2, 3), interpolation="bicubic"),
        L.UpSampling3D(2),
    ],
)
def test_config_round_trip(layer):
    cfg = layer.get_config()
    clone = type(layer).from_config(cfg)
    a, b = clone.get_config(), dict(cfg)
    a.pop("name"), b.pop("name")
    assert a == b
    json.dumps(cfg)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: L.ZeroPadding2D((1, 2, 3)), "padding"),
        (lambda: L.ZeroPadding2D(-1), "padding"),
        (lambda: L.ZeroPadding1D((1, -1)), "padding"),
        (lambda: L.Cropping2D(((1, 2, 3), (0, 0))), "cropping"),
        (lambda: L.UpSampling2D(interpolation="lanczos3"), "interpolation"),
        (lambda: L.UpSampling1D(0), "size"),
        (lambda: L.UpSampling3D(data_format="nope"), "data_format"),
    ],
)
def test_invalid_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_cropping_too_much_raises():
    layer = L.Cropping2D(((2, 2), (0, 0)), name="crop_x")
    with pytest.raises(ValueError, match="crop_x"):
        layer(torch.zeros(1, 4, 4, 1))
    with pytest.raises(ValueError, match="cropping"):
        L.Cropping1D((3, 3)).compute_output_shape((None, 5, 2))
