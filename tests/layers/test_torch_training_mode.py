"""Training mode for torch users and Keras users at once.

Keras's rule: ``model(x)`` is inference unless ``training=True``. torch's rule: ``model.train()`` /
``model.eval()`` decide. A keras_torch model follows Keras until ``train()``/``eval()`` is called on it
(or on a torch module holding it); the trainer's own phases never choose a mode for the user.
"""

import numpy as np
import pytest
import torch
from torch import nn

import keras_torch as keras
from keras_torch import layers

BATCH, FEATURES, HIDDEN = 16, 6, 8


def _keras_net():
    return keras.Sequential([keras.Input((FEATURES,)), layers.Dense(HIDDEN), layers.BatchNormalization(),
                             layers.Dropout(0.5), layers.Dense(3)])


def _torch_twin(model):
    """The same network in plain torch.nn, weights copied (Keras BN: eps 1e-3, momentum 0.99)."""
    dense, bn, _, out = model.layers
    ref = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.BatchNorm1d(HIDDEN, eps=1e-3, momentum=0.01),
                        nn.Dropout(0.5), nn.Linear(HIDDEN, 3))
    with torch.no_grad():
        ref[0].weight.copy_(dense.weight)
        ref[0].bias.copy_(dense.bias)
        ref[1].weight.copy_(bn.weight)
        ref[1].bias.copy_(bn.bias)
        ref[3].weight.copy_(out.weight)
        ref[3].bias.copy_(out.bias)
    return ref


def _torch_loop(model, xs, ys, seed):
    """A hand-written torch training loop; returns the losses."""
    torch.manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    losses = []
    for x, y in zip(xs, ys):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_plain_torch_loop_trains_like_torch_nn():
    model = _keras_net()
    ref = _torch_twin(model)
    gen = torch.Generator().manual_seed(1)
    xs = [torch.randn(BATCH, FEATURES, generator=gen) for _ in range(8)]
    ys = [torch.randint(0, 3, (BATCH,), generator=gen) for _ in range(8)]
    bn_inputs = []
    ref[1].register_forward_pre_hook(lambda mod, args: bn_inputs.append(args[0].detach().clone()))

    ours = _torch_loop(model, xs, ys, seed=7)
    theirs = _torch_loop(ref, xs, ys, seed=7)  # same seed: the same dropout masks

    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert len(set(np.round(ours, 4))) == len(ours)  # it trains: every step's loss differs
    dense, bn, _, out = model.layers
    torch.testing.assert_close(dense.weight, ref[0].weight)
    torch.testing.assert_close(out.weight, ref[3].weight)
    torch.testing.assert_close(bn.running_mean, ref[1].running_mean)
    # Keras updates the moving variance with the biased batch variance (torch: unbiased).
    expected_var = torch.ones(HIDDEN)
    for h in bn_inputs:
        expected_var = 0.99 * expected_var + 0.01 * h.var(0, unbiased=False)
    torch.testing.assert_close(bn.running_var, expected_var)

    model.eval()
    ref.eval()
    with torch.no_grad():
        ref[1].running_var.copy_(expected_var)
        x = xs[0]
        first, second = model(x), model(x)
        torch.testing.assert_close(first, second)  # no dropout
        torch.testing.assert_close(first, ref(x))  # moving statistics, not the batch's
    assert not model.training and model._torch_mode is False


def _bn_stats(model):
    bn = model.layers[1]
    return bn.running_mean.clone(), bn.running_var.clone()


def test_keras_rule_holds_until_train_or_eval():
    model = _keras_net()
    x = torch.randn(BATCH, FEATURES)
    assert model.training is False  # torch's flag agrees with Keras: inference by default
    before = _bn_stats(model)
    torch.testing.assert_close(model(x), model(x))
    torch.testing.assert_close(_bn_stats(model), before)  # moving statistics untouched

    model.train()
    assert model.training and all(layer.training for layer in model.layers)
    a, b = model(x), model(x)
    assert not torch.allclose(a, b)  # dropout
    assert not torch.allclose(_bn_stats(model)[0], before[0])  # statistics updated
    torch.testing.assert_close(model(x, training=False), model(x, training=False))  # explicit wins

    model.eval()
    torch.testing.assert_close(model(x), model(x))
    assert not torch.allclose(model(x, training=True), model(x, training=True))


def test_torch_mode_beats_the_call_signature_default():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(4)
            self.drop = layers.Dropout(0.5)

        def call(self, x, training=False):
            return self.drop(self.dense(x), training=training)

    net = Net()
    x = torch.ones(4, 3)
    torch.testing.assert_close(net(x), net(x))
    net.train()
    assert not torch.allclose(net(x), net(x))
    net.eval()
    torch.testing.assert_close(net(x), net(x))


def test_keras_layers_inside_a_torch_module_follow_its_mode():
    body = _keras_net()
    net = nn.Sequential(nn.Identity(), body)
    x = torch.randn(BATCH, FEATURES)
    torch.testing.assert_close(net(x), net(x))  # never chosen: Keras's rule
    net.train()
    assert not torch.allclose(net(x), net(x))
    net.eval()
    torch.testing.assert_close(net(x), net(x))


def _compiled(model):
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def test_fit_evaluate_predict_leave_the_chosen_mode_alone():
    model = _compiled(_keras_net())
    x, y = np.random.rand(32, FEATURES).astype("float32"), np.random.randint(0, 3, 32)
    model.train()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, validation_data=(x, y))
    model.evaluate(x, y, verbose=0)
    first, second = model.predict(x, verbose=0), model.predict_on_batch(x)
    np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)  # inference
    assert model.training and model._torch_mode is True
    xt = torch.from_numpy(x)
    assert not torch.allclose(model(xt), model(xt))  # still the torch user's training mode

    model.eval()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not model.training and model._torch_mode is False
    torch.testing.assert_close(model(xt), model(xt))


def test_keras_code_in_a_callback_during_fit_is_inference():
    model = _compiled(_keras_net())
    x, y = np.random.rand(32, FEATURES).astype("float32"), np.random.randint(0, 3, 32)
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            xt = torch.from_numpy(x)
            with torch.no_grad():
                seen.append((self.model.training, self.model(xt), self.model(xt)))

    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[Probe()])
    flag, a, b = seen[0]
    assert flag is True  # fit's phase: plain torch sub-modules train
    torch.testing.assert_close(a, b)  # but model(x) is inference, as in Keras
    assert model.training is False and model._torch_mode is None


@pytest.mark.parametrize("fmt", ["onnx", "torch"])
def test_export_keeps_every_mode(tmp_path, fmt):
    pytest.importorskip("onnx" if fmt == "onnx" else "torch")
    if fmt == "onnx":
        pytest.importorskip("onnxruntime")
    fresh, chosen = _keras_net(), _keras_net()
    fresh(torch.zeros(2, FEATURES))
    chosen.train()
    chosen.layers[1].eval()  # a sub-layer left in another mode on purpose
    for model in (fresh, chosen):
        before = [(m.training, getattr(m, "_torch_mode", None)) for m in model.modules()]
        model.export(str(tmp_path / f"{id(model)}.{'onnx' if fmt == 'onnx' else 'pt2'}"), format=fmt)
        assert [(m.training, getattr(m, "_torch_mode", None)) for m in model.modules()] == before


def test_torch_module_inside_a_custom_layer_follows_the_trainer_phase():
    class WithTorchDropout(layers.Layer):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(0.5)

        def call(self, x):
            return self.drop(x)

    model = keras.Sequential([keras.Input((FEATURES,)), WithTorchDropout(), layers.Dense(3)])
    _compiled(model)
    x = np.ones((8, FEATURES), "float32")
    model.fit(x, np.zeros(8), epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_readme_torch_loop_runs():
    import pathlib

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf8")
    section = readme.split("## In a plain torch training loop", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)
    model, x = scope["model"], torch.randn(4, 20)
    assert model.training is False and model._torch_mode is False
    torch.testing.assert_close(model(x), model(x))


def _changes(fn, x, tries=10):
    return any(not np.array_equal(np.asarray(fn()), x) for _ in range(tries))


def test_unspecified_training_follows_each_layers_default_as_keras_3():
    # Measured with Keras 3.15 (TensorFlow backend): model(x) without `training` runs a random augmentation
    # layer (its call defaults to training=True) but not Dropout; predict and training=False never augment.
    x = np.arange(32, dtype="float32").reshape(2, 4, 4, 1)
    inp = keras.Input((4, 4, 1))
    functional = keras.Model(inp, keras.layers.RandomFlip("horizontal", seed=1)(inp))
    sequential = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.RandomFlip("horizontal", seed=1)])
    for model in (functional, sequential):
        assert _changes(lambda m=model: m(x), x)
        assert not _changes(lambda m=model: m(x, training=False), x)
        assert not _changes(lambda m=model: m.predict(x, verbose=0), x)
    dropout = keras.Sequential([keras.Input((100,)), keras.layers.Dropout(0.5)])
    ones = np.ones((1, 100), "float32")
    assert not _changes(lambda: dropout(ones), ones)
    # The torch rule still decides once a mode was chosen: eval() turns the augmentation off.
    sequential.eval()
    assert not _changes(lambda: sequential(x), x)
    sequential.train()
    assert _changes(lambda: sequential(x), x)
    assert _changes(lambda: dropout.train()(ones), ones, tries=1)
