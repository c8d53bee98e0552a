"""compile / fit / evaluate / predict behaviour, inputs, errors and accuracy parity with real Keras."""

import io
import json
import pathlib
import re
from contextlib import redirect_stdout

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mlp(n_in=8, n_out=3, act="softmax"):
    return keras.Sequential([keras.Input((n_in,)), layers.Dense(16, activation="relu"),
                             layers.Dense(n_out, activation=act)])


def data(n=64, n_in=8, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, n_in)).astype("float32")
    y = (x[:, :n_out] > 0).argmax(-1) if n_out > 1 else (x[:, 0] > 0).astype("float32")
    return x, y


def test_fit_returns_history_with_keras_keys():
    x, y = data()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert sorted(hist.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(hist.history["loss"]) == 3 and hist.epoch == [0, 1, 2]
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and 0 <= acc <= 1
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
    assert model.predict(x, verbose=0).shape == (64, 3)


def test_inputs_torch_tensors_generators_dataloader_and_dicts():
    x, y = data()
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(torch.from_numpy(x), torch.from_numpy(y), epochs=1, verbose=0)

    def gen():
        for i in range(0, 64, 16):
            yield x[i:i + 16], y[i:i + 16]

    model.fit(gen(), epochs=1, verbose=0)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    model.fit(torch.utils.data.DataLoader(ds, batch_size=16), epochs=1, verbose=0)

    class Seq(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    model.fit(Seq(), epochs=1, verbose=0)
    a, b = keras.Input((8,), name="a"), keras.Input((8,), name="b")
    out1 = layers.Dense(3, activation="softmax", name="cls")(layers.concatenate([a, b]))
    out2 = layers.Dense(1, name="reg")(a)
    multi = keras.Model([a, b], [out1, out2])
    multi.compile("adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  metrics={"cls": ["accuracy"]}, loss_weights={"cls": 1.0, "reg": 0.5})
    hist = multi.fit({"a": x, "b": x}, {"cls": y, "reg": x[:, :1]}, epochs=2, verbose=0)
    assert {"loss", "cls_loss", "reg_loss", "cls_accuracy"} <= set(hist.history)


def test_sample_and_class_weights_change_the_loss():
    x, y = data()
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    base = model.evaluate(x, y, verbose=0)
    weighted = model.evaluate(x, y, sample_weight=np.full(64, 2.0, "float32"), verbose=0)
    assert weighted == pytest.approx(2 * base, rel=1e-5)
    model.fit(x, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, epochs=1, verbose=0)


def test_errors_are_clear():
    x, y = data()
    model = mlp()
    with pytest.raises(RuntimeError, match=r"You must call `compile\(\)` before calling `fit\(\)`"):
        model.fit(x, y, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"'x' sizes: 64\n'y' sizes: \[60\]"):
        model.fit(x, y[:60], verbose=0)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 8\), found shape=\(16, 5\)"):
        model.fit(x[:, :5], y, batch_size=16, verbose=0)
    cat = mlp()
    cat.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        cat.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        mlp().compile("adam", "categorial_crossentropy")
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        mlp().compile("adamm", "mse")


def test_terminate_on_nan_stops_training():
    x, y = data()
    model = mlp(act="linear")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e6), loss="mse")
    x_big = x * 1e6
    hist = model.fit(x_big, np.ones((64, 3), "float32") * 1e6, epochs=5, batch_size=8, verbose=0,
                     callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(hist.history["loss"]) == 1
    assert not np.isfinite(hist.history["loss"][0])


def test_progress_output_layout():
    x, y = data()
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    buf = io.StringIO()
    with redirect_stdout(buf):
        model.fit(x, y, epochs=2, batch_size=32, verbose=2)
    lines = [ln for ln in buf.getvalue().splitlines() if ln]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert re.fullmatch(r"2/2 - \d+s - \d+(ms|us|s)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}", lines[1]), lines[1]
    buf = io.StringIO()
    with redirect_stdout(buf):
        model.fit(x, y, epochs=1, batch_size=32, verbose=1)
    out = buf.getvalue()
    assert "Epoch 1/1" not in out  # Keras prints the header only when epochs > 1
    assert "\x1b[1m2/2\x1b[0m" in out and "━" in out and "accuracy: " in out and out.endswith("\n")


def test_train_test_predict_on_batch_and_custom_train_step():
    x, y = data()
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, acc = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    assert len(model.test_on_batch(x, y)) == 2
    assert model.predict_on_batch(x).shape == (64, 3)

    calls = []

    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(3)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            calls.append(1)
            return super().train_step(data)

    c = Custom()
    c.compile("sgd", "mse")
    c.fit(x, np.zeros((64, 3), "float32"), batch_size=32, epochs=1, verbose=0)
    assert len(calls) == 2


def test_custom_loss_and_metric_functions_with_backend():
    from keras_torch import backend as K

    def my_mse(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    def my_metric(y_true, y_pred):
        return K.mean(K.abs(y_pred - y_true))

    x, _ = data()
    model = mlp(act="linear")
    model.compile(optimizer="adam", loss=my_mse, metrics=[my_metric])
    hist = model.fit(x, np.zeros((64, 3), "float32"), epochs=2, verbose=0)
    assert "my_metric" in hist.history


def test_reproducible_with_set_random_seed():
    x, y = data()
    results = []
    for _ in range(2):
        keras.utils.set_random_seed(123)
        model = mlp()
        model.compile("adam", "sparse_categorical_crossentropy")
        results.append(model.fit(x, y, epochs=2, verbose=0).history["loss"])
    assert results[0] == results[1]


def _digits_accuracy(kind: str, seed: int) -> float:
    import importlib.util

    spec = importlib.util.spec_from_file_location("training_gen", ROOT / "compat" / "gen" / "training.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.train_accuracy(keras, kind, seed)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_seed_models_match_real_keras_accuracy(kind):
    """The tutorial's MLP/CNN on the bundled digits reach real Keras's test accuracy (±2 points)."""
    ref = json.loads((ROOT / "compat" / "fixtures" / "training" / "seed_accuracy.json").read_text())
    acc = _digits_accuracy(kind, seed=0)
    assert abs(acc - ref[kind]["mean"]) <= 0.02, f"{kind}: ours {acc:.4f} vs Keras {ref[kind]['mean']:.4f}"


@pytest.mark.gpu
def test_fit_on_cuda():
    keras.config.set_device("cuda")
    try:
        x, y = data()
        model = mlp()
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=2, verbose=0)
        assert next(model.parameters()).device.type == "cuda"
        assert model.predict(x, verbose=0).shape == (64, 3)
    finally:
        keras.config.set_device(None)


@pytest.mark.gpu
def test_host_inputs_follow_a_cuda_model():
    keras.config.set_device("cuda")
    try:
        model = mlp().cuda()
        x = np.random.default_rng(0).standard_normal((4,) + tuple(model.input_shape[1:])).astype("float32")
        out = model(x)  # numpy, as in Keras
        assert out.device.type == "cuda"
        np.testing.assert_allclose(model(torch.from_numpy(x)).detach().cpu().numpy(), out.detach().cpu().numpy())
        model.cpu()
        assert model(x).device.type == "cpu"  # moved back: the cached device is dropped
    finally:
        keras.config.set_device(None)


def test_fit_scales_the_loss_for_the_gradients_only():
    """Keras's train_step multiplies the loss by the optimizer's scale before backward (the logged loss
    stays unscaled); a LossScaleOptimizer whose scale overflows skips the step and halves its scale."""
    x = np.random.RandomState(0).rand(16, 4).astype("float32")
    y = x.sum(1, keepdims=True)

    def fitted(opt):
        keras.utils.set_random_seed(1)
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        m.compile(optimizer=opt, loss="mse")
        before = m.get_weights()
        h = m.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
        return before, m.get_weights(), h.history["loss"]

    _, plain, plain_loss = fitted(keras.optimizers.SGD(0.1))
    _, scaled, scaled_loss = fitted(keras.optimizers.SGD(0.1, loss_scale_factor=3.0))
    np.testing.assert_allclose(scaled_loss, plain_loss, rtol=1e-6)
    for a, b in zip(plain, scaled):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    lso = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1), initial_scale=1e38)
    before, after, _ = fitted(lso)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)  # the scaled gradients overflowed: no update
    assert float(lso.dynamic_scale) == np.float32(1e38) / 2
