"""ONNX export API: names, dtypes, metadata, verification, errors, seed models, model state."""

from __future__ import annotations

import socket

import numpy as np
import onnx
import pytest
import torch

import keras_torch.export.onnx as onnx_mod
from keras_torch.export import ExportError, export_onnx, verify_onnx

from ._helpers import assert_close, keras, onnx_io, ort_run, ort_session, predict, seeded


def _multi_io():
    a = keras.Input(shape=(None, 3), name="series")
    b = keras.Input(shape=(4,), name="extra")
    h = keras.layers.Concatenate()([keras.layers.GRU(4, name="enc")(a), keras.layers.Dense(3, name="proj")(b)])
    return keras.Model([a, b], [keras.layers.Dense(1, name="score")(h),
                                keras.layers.Dense(3, activation="softmax", name="label")(h)])


def _cnn():
    return keras.Sequential([keras.Input(shape=(12, 12, 1), name="image"),
                             keras.layers.Conv2D(4, 3, activation="relu", padding="same"),
                             keras.layers.BatchNormalization(), keras.layers.MaxPooling2D(),
                             keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax", name="probs")])


# ----------------------------------------------------------------------------- names / axes
def test_multi_input_multi_output_names_and_order(tmp_path):
    model = _multi_io()
    path = export_onnx(model, tmp_path / "m.onnx")
    ins, outs = onnx_io(path)
    assert [n for n, _ in ins] == ["series", "extra"] == list(model.input_names)
    assert [n for n, _ in outs] == ["score", "label"] == list(model.output_names)
    assert ins[0][1] == ["batch", "series_dim1", 3] and ins[1][1] == ["batch", 4]
    assert outs[0][1] == ["batch", 1] and outs[1][1] == ["batch", 3]
    for batch, steps in ((2, 5), (5, 9)):
        xs = [seeded(batch, steps, 3, seed=1), seeded(batch, 4, seed=2)]
        assert_close(ort_run(path, xs), predict(model, xs))


def test_dict_outputs_use_keys(tmp_path):
    x = keras.Input(shape=(4,), name="x")
    model = keras.Model(x, {"zeta": keras.layers.Dense(2)(x), "alpha": keras.layers.Dense(3)(x)})
    path = export_onnx(model, tmp_path / "d.onnx")
    _, outs = onnx_io(path)
    assert [n for n, _ in outs] == ["alpha", "zeta"]
    xs = [seeded(3, 4)]
    got = dict(zip(["alpha", "zeta"], ort_run(path, xs)))
    want = model.predict(xs[0], verbose=0)
    for k in got:
        np.testing.assert_allclose(got[k], np.asarray(want[k]), atol=1e-5)


def test_static_batch_and_fixed_signature(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.LSTM(2, activation="relu")])
    p1 = export_onnx(model, tmp_path / "s.onnx", static_batch=True)
    assert onnx_io(p1)[0][0][1][0] == 1 and onnx_io(p1)[1][0][1][0] == 1
    p2 = export_onnx(model, tmp_path / "f.onnx", input_signature=[(None, 6, 3)])
    assert onnx_io(p2)[0][0][1] == ["batch", 6, 3]
    p3 = export_onnx(model, tmp_path / "n.onnx", dynamic_axes=False)
    assert all(isinstance(d, int) for d in onnx_io(p3)[0][0][1])
    x = seeded(1, 6, 3)
    for p in (p1, p2):
        assert_close(ort_run(p, [x]), predict(model, [x]))


def test_input_signature_objects_and_subclassed_model(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(3)

        def call(self, x):
            return self.d(x)

    net = Net()
    with pytest.raises(ExportError, match="input_signature"):
        export_onnx(net, tmp_path / "n.onnx")
    net(np.zeros((1, 5), "float32"))
    path = export_onnx(net, tmp_path / "n.onnx", input_signature=[keras.InputSpec(shape=(None, 5))])
    assert onnx_io(path)[0][0][1] == ["batch", 5]
    x = seeded(4, 5)
    assert_close(ort_run(path, [x]), predict(net, [x]))


@pytest.mark.parametrize("opset", [13, 18])
def test_opset(tmp_path, opset):
    model = keras.Sequential([keras.Input(shape=(None, 2)), keras.layers.GRU(3, reset_after=False)])
    path = export_onnx(model, tmp_path / "o.onnx", opset_version=opset, verify=True)
    assert onnx.load(str(path)).opset_import[0].version == opset


# ----------------------------------------------------------------------------- dtypes
def test_float16_export_runs_in_onnxruntime(tmp_path):
    model = _cnn()
    before = [w.copy() for w in model.get_weights()]
    path = export_onnx(model, tmp_path / "h.onnx", dtype="float16", verify=True)
    session = ort_session(path)
    assert session.get_inputs()[0].type == "tensor(float16)"
    assert session.get_outputs()[0].type == "tensor(float16)"
    x = seeded(3, 12, 12, 1)
    got = session.run(None, {"image": x.astype("float16")})[0]
    np.testing.assert_allclose(got.astype("float32"), predict(model, [x])[0], atol=5e-3, rtol=5e-2)
    # the model itself is untouched: float32 weights, same values, float32 outputs
    assert all(w.dtype == np.float32 for w in model.get_weights())
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert model(torch.from_numpy(x)).dtype == torch.float32


def test_float16_recurrent_dynamic_time(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.LSTM(4, activation="relu"),
                              keras.layers.Dense(2)])
    path = export_onnx(model, tmp_path / "h.onnx", dtype="float16", verify=True)
    for steps in (3, 8):
        x = seeded(2, steps, 3, seed=steps)
        got = ort_run(path, [x.astype("float16")])[0].astype("float32")
        np.testing.assert_allclose(got, predict(model, [x])[0], atol=1e-2, rtol=5e-2)


def test_bfloat16(tmp_path):
    mlp = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    path = export_onnx(mlp, tmp_path / "b.onnx", dtype="bfloat16")
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16
    with pytest.raises(ExportError, match="bfloat16.*Conv"):  # ONNX Conv has no bfloat16 at opset 17
        export_onnx(_cnn(), tmp_path / "c.onnx", dtype="bfloat16")
    with pytest.raises(ValueError, match="dtype"):
        export_onnx(mlp, tmp_path / "x.onnx", dtype="int8")


# ----------------------------------------------------------------------------- metadata
def test_no_local_paths_and_producer(tmp_path):
    model = _multi_io()
    path = export_onnx(model, tmp_path / "m.onnx")
    raw = open(path, "rb").read()
    for needle in (b"/work", b"/tmp", b"/root", b"/home", str(tmp_path).encode()):
        assert needle not in raw, needle
    proto = onnx.load(str(path))
    for init in proto.graph.initializer:  # weights' bytes are noise for a substring check
        init.ClearField("raw_data")
    text = str(proto)
    for needle in ("/work", "/tmp", "/root", ".py:", socket.gethostname() if len(socket.gethostname()) > 3 else
                   "\0"):
        assert needle not in text, needle
    assert proto.producer_name == "keras_torch"
    assert proto.producer_version == keras.__version__


# ----------------------------------------------------------------------------- verification
def test_verify_raises_on_mismatch(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    clean = onnx_mod._clean_metadata

    def corrupt(path, *args, **kwargs):  # the exported graph gets a wrong bias
        clean(path, *args, **kwargs)
        proto = onnx.load(path)
        for init in proto.graph.initializer:
            arr = onnx.numpy_helper.to_array(init).copy()
            if arr.ndim == 1:
                init.CopyFrom(onnx.numpy_helper.from_array(arr + 0.5, init.name))
        onnx.save(proto, path)

    monkeypatch.setattr(onnx_mod, "_clean_metadata", corrupt)
    with pytest.raises(ExportError, match="differs from the model"):
        export_onnx(model, tmp_path / "bad.onnx", verify=True)
    monkeypatch.undo()
    good = export_onnx(model, tmp_path / "good.onnx", verify=True)
    other = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    with pytest.raises(ExportError, match="differs"):
        verify_onnx(other, good)
    verify_onnx(model, good)


# ----------------------------------------------------------------------------- errors
def _with_lambda(fn, **kwargs):
    x = keras.Input(shape=(4,))
    h = keras.layers.Dense(4, name="first")(x)
    return keras.Model(x, keras.layers.Dense(2, name="last")(keras.layers.Lambda(fn, name="bad_lambda", **kwargs)(h)))


@pytest.mark.parametrize("fn, reason", [
    (lambda t: torch.from_numpy(t.detach().numpy() * 2.0), "NumPy"),
    (lambda t: t * t.max().item(), "NumPy"),
    (lambda t: torch.kthvalue(t, 2, dim=-1, keepdim=True)[0] + t, "kthvalue"),
], ids=["numpy", "item", "unsupported_op"])
def test_unexportable_layer_is_named(tmp_path, fn, reason):
    model = _with_lambda(fn)
    with pytest.raises(ExportError) as info:
        export_onnx(model, tmp_path / "e.onnx")
    msg = str(info.value)
    assert "layer 'bad_lambda' (Lambda)" in msg, msg
    assert reason in msg, msg
    assert "\n" not in msg and "Torch IR graph" not in msg and len(msg) < 600, msg
    assert not (tmp_path / "e.onnx").exists() and not list(tmp_path.glob("*.tmp"))


class _NumpyModule(torch.nn.Module):
    def forward(self, t):
        return torch.from_numpy(t.detach().numpy() * 2.0)


def test_value_leak_in_a_plain_torch_module_is_named(tmp_path):
    """The tracer loses an exception raised inside ``Tensor.numpy()`` here (it did not raise before the
    warning was recorded instead): the export must still refuse and name the layer."""
    x = keras.Input(shape=(4,))
    h = keras.layers.TorchModuleWrapper(_NumpyModule(), name="np_module")(keras.layers.Dense(4)(x))
    model = keras.Model(x, keras.layers.Dense(2)(h))
    for _ in range(2):  # whatever earlier traces left in the tracer's caches
        with pytest.raises(ExportError, match="layer 'np_module' \\(TorchModuleWrapper\\).*NumPy"):
            export_onnx(model, tmp_path / "n.onnx")
    assert not (tmp_path / "n.onnx").exists()


def test_layer_failing_on_example_input_is_named(tmp_path):
    def picky(t):
        if t.shape[0] != 5:
            raise ValueError("only batches of 5")
        return t

    model = _with_lambda(picky, output_shape=(4,))
    with pytest.raises(ExportError, match="layer 'bad_lambda' \\(Lambda\\).*only batches of 5"):
        export_onnx(model, tmp_path / "p.onnx")


# ----------------------------------------------------------------------------- seed models
def _seed_mlp(k):
    return k.Sequential([k.layers.Dense(units=64, activation="relu", input_dim=100),
                         k.layers.Dense(units=10, activation="softmax")])


def _seed_cnn(k):
    return k.Sequential([
        k.layers.Conv2D(filters=32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)),
        k.layers.MaxPooling2D(pool_size=(2, 2)), k.layers.Conv2D(filters=64, kernel_size=(3, 3), activation="relu"),
        k.layers.MaxPooling2D(pool_size=(2, 2)), k.layers.Flatten(), k.layers.Dense(units=128, activation="relu"),
        k.layers.Dense(units=10, activation="softmax")])


@pytest.mark.parametrize("build, shape", [(_seed_mlp, (100,)), (_seed_cnn, (28, 28, 1))], ids=["mlp", "cnn"])
def test_seed_models_via_model_export(tmp_path, build, shape):
    model = build(keras)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x = seeded(16, *shape)
    model.fit(x, np.eye(10, dtype="float32")[np.arange(16) % 10], epochs=1, batch_size=8, verbose=0)
    path = model.export(str(tmp_path / "seed.onnx"), format="onnx", verify=True)
    for n in (1, 7):
        assert_close(ort_run(path, [x[:n]]), predict(model, [x[:n]]))


@pytest.mark.parametrize("fmt, ext, words", [("onnx", "onnx", ["Saved ONNX model to", "inputs: x[batch, 100]",
                                                                 "outputs: "]),
                                              ("torch", "pt2", ["Saved torch.export program to", "dynamic axes [0]"])])
def test_model_export_verbose(tmp_path, capsys, fmt, ext, words):
    model = keras.Sequential([keras.Input(shape=(100,), name="x"), keras.layers.Dense(3)])
    path = model.export(str(tmp_path / f"m.{ext}"), format=fmt)
    assert capsys.readouterr().out == ""
    assert model.export(str(tmp_path / f"v.{ext}"), format=fmt, verbose=True) != path
    out = capsys.readouterr().out
    assert str(tmp_path / f"v.{ext}") in out and all(w in out for w in words), out


# ----------------------------------------------------------------------------- model state
def test_export_leaves_model_state_alone(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(10, 4, mask_zero=True),
                              keras.layers.LSTM(3, activation="relu"), keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    model.train()
    x = np.array([[1, 2, 3, 0], [0, 4, 5, 6]], "int32")
    model.eval()
    before = predict(model, [x])
    model.train()
    export_onnx(model, tmp_path / "m.onnx")
    assert model.training
    model.eval()
    assert_close(predict(model, [x]), before, atol=0, rtol=0)
    for layer in model._flatten_layers():
        spec = layer.__dict__.get("_spec_ok")
        assert spec is None or all(isinstance(d, int) for d in spec)
    from keras_torch.core.context import CALL_CONTEXT
    from keras_torch.export import is_exporting

    assert not is_exporting()
    assert CALL_CONTEXT.export_mode is None and CALL_CONTEXT.export_recorder is None


def test_export_leaves_stateful_states_alone(tmp_path):
    model = keras.Sequential([keras.Input(batch_shape=(2, None, 3)), keras.layers.GRU(4, stateful=True, name="s")])
    x = seeded(2, 5, 3)
    predict(model, [x])
    states = [s.clone() for s in model.get_layer("s").states]
    path = export_onnx(model, tmp_path / "s.onnx")
    assert all(torch.equal(a, b) for a, b in zip(model.get_layer("s").states, states))
    assert ort_run(path, [x])[0].shape == (2, 4)


def test_layers_see_the_export_mode(tmp_path):
    from keras_torch.core.context import CALL_CONTEXT

    seen = []

    def spy(t):
        seen.append(CALL_CONTEXT.export_mode)
        return t

    x = keras.Input(shape=(4,))
    model = keras.Model(x, keras.layers.Lambda(spy)(keras.layers.Dense(2)(x)))
    seen.clear()
    export_onnx(model, tmp_path / "a.onnx")
    assert seen and set(seen) == {"onnx"}
    seen.clear()
    keras.export.export_torch(model, tmp_path / "a.pt2")
    assert seen and set(seen) == {"torch"}
    seen.clear()
    predict(model, [seeded(2, 4)])
    assert seen == [None]


@pytest.mark.parametrize("layer, shape", [
    (lambda k: k.layers.SeparableConv1D(3, 3, strides=2, padding="same"), (None, 2)),
    (lambda k: k.layers.DepthwiseConv1D(4, strides=3, padding="same"), (None, 2)),
    (lambda k: k.layers.Conv2D(2, 3, strides=2, padding="same"), (None, None, 2)),
    (lambda k: k.layers.AveragePooling2D(3, strides=2, padding="same"), (None, None, 2)),
    (lambda k: k.layers.MaxPooling1D(2, strides=2, padding="same"), (None, 2)),
], ids=["separable", "depthwise", "conv2d", "avg_pool2d", "max_pool1d"])
def test_strided_same_padding_follows_dynamic_spatial_axes(tmp_path, layer, shape):
    model = keras.Sequential([keras.Input(shape=shape), layer(keras)])
    path = export_onnx(model, tmp_path / "p.onnx")
    for size in (7, 10):
        x = seeded(2, *[size if d is None else d for d in shape], seed=size)
        assert_close(ort_run(path, [x]), predict(model, [x]))
