"""LocallyConnected1D/2D: the three tf-keras implementations compute the same thing; export; errors.

Numeric parity with tf-keras lives in ``tests/test_parity_layers_extra.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.export import export_onnx


def _with_kernels(layer_cls, kernels: torch.Tensor, bias: torch.Tensor, x: torch.Tensor, **kwargs):
    """A built layer whose per-position kernels are ``kernels`` (positions, channels * k, filters)."""
    layer = layer_cls(**kwargs)
    layer(x)
    with torch.no_grad():
        layer.kernel.zero_()
        # write each per-position weight where this implementation keeps it
        flat = layer.kernel.reshape(-1)
        if layer._gather is None:
            flat.copy_(kernels.reshape(-1))
        else:
            connected = layer._gather < flat.numel()
            flat[layer._gather[connected]] = kernels.reshape(-1)[connected]
        layer.bias.copy_(bias)
    return layer


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank", [1, 2])
def test_implementations_agree(rank, fmt):
    cls = keras.layers.LocallyConnected1D if rank == 1 else keras.layers.LocallyConnected2D
    spatial = (9,) if rank == 1 else (6, 5)
    shape = (2, *spatial, 3) if fmt == "channels_last" else (2, 3, *spatial)
    x = torch.randn(shape)
    outs = {}
    for padding in ("valid", "same"):
        ref = cls(filters=2, kernel_size=3, strides=2, padding=padding, data_format=fmt, implementation=2)
        ref(x)
        kernels = torch.randn(ref._position_kernels().shape)
        kernels = kernels * (ref._position_kernels() != 0) if padding == "same" else kernels  # unconnected stay 0
        bias = torch.randn(ref.bias.shape)
        for impl in ((1, 2, 3) if padding == "valid" else (2, 3)):
            layer = _with_kernels(cls, kernels, bias, x, filters=2, kernel_size=3, strides=2, padding=padding,
                                  data_format=fmt, implementation=impl)
            outs[(padding, impl)] = layer(x).detach()
        base = 1 if padding == "valid" else 2
        for impl in (2, 3):
            torch.testing.assert_close(outs[(padding, impl)], outs[(padding, base)])


def test_kernel_shapes_follow_tf_keras():
    x = torch.zeros(2, 6, 5, 3)
    shapes = {}
    for impl in (1, 2, 3):
        layer = keras.layers.LocallyConnected2D(4, 2, implementation=impl, padding="valid")
        layer(x)
        shapes[impl] = [tuple(w.shape) for w in layer.get_weights()]
    assert shapes[1] == [(20, 12, 4), (5, 4, 4)]
    assert shapes[2] == [(6, 5, 3, 5, 4, 4), (5, 4, 4)]
    assert shapes[3] == [(20 * 12 * 4,), (5, 4, 4)]


def test_unconnected_implementation2_weights_get_no_gradient():
    layer = keras.layers.LocallyConnected1D(2, 3, implementation=2)
    out = layer(torch.randn(2, 6, 1)).sum()
    out.backward()
    grad = layer.kernel.grad.reshape(6, 1, 4, 2)
    for i in range(6):
        for o in range(4):
            if not o <= i < o + 3:
                assert torch.all(grad[i, 0, o] == 0)


def test_onnx_export(tmp_path):
    import onnxruntime as ort

    model = keras.Sequential([keras.Input((7, 6, 2)),
                              keras.layers.LocallyConnected2D(3, 3, padding="same", strides=2, implementation=3),
                              keras.layers.Reshape((12, 3)),
                              keras.layers.LocallyConnected1D(2, 2, implementation=1)])
    path = export_onnx(model, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path))
    x = np.random.default_rng(0).standard_normal((3, 7, 6, 2)).astype("float32")
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-5, rtol=1e-4)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="only \"valid\""):
        keras.layers.LocallyConnected2D(2, 3, padding="same")
    with pytest.raises(ValueError, match="implementation"):
        keras.layers.LocallyConnected1D(2, 3, implementation=4)
    with pytest.raises(ValueError, match="fully-defined"):
        keras.layers.LocallyConnected1D(2, 3)(keras.Input((None, 2)))
    with pytest.raises(ValueError, match="<= 0"):
        keras.layers.LocallyConnected1D(2, 5)(torch.zeros(1, 3, 1))
