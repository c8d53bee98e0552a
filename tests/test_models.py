"""Model building: Sequential, functional, subclassed, custom layers, state_dict, errors."""

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers


def test_sequential_is_torch_module_and_state_dict_loads_into_torch():
    model = keras.Sequential([layers.Dense(8, activation="relu", input_dim=5), layers.Dense(3)])
    assert isinstance(model, torch.nn.Module)
    ref = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    sd = model.state_dict()
    a, b = (lyr.name for lyr in model.layers)
    assert list(sd) == [f"{a}.weight", f"{a}.bias", f"{b}.weight", f"{b}.bias"]
    ref.load_state_dict({"0.weight": sd[f"{a}.weight"], "0.bias": sd[f"{a}.bias"],
                         "2.weight": sd[f"{b}.weight"], "2.bias": sd[f"{b}.bias"]})
    x = torch.randn(4, 5)
    torch.testing.assert_close(model(x), ref(x))
    # Keras layout at the edge: kernel (in, out).
    assert model.layers[0].get_weights()[0].shape == (5, 8)
    assert tuple(model.layers[0].weight.shape) == (8, 5)


def test_default_names_unique_and_layer_lookup():
    keras.utils.set_random_seed(0)
    a, b = layers.Dense(2), layers.Dense(2)
    assert a.name != b.name and a.name.startswith("dense")
    model = keras.Sequential([keras.Input((3,)), a, b])
    assert model.get_layer(a.name) is a and model.get_layer(index=1) is b
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")


def test_sequential_add_pop_and_count_params():
    model = keras.Sequential()
    model.add(layers.Dense(units=64, activation="relu", input_dim=100))
    model.add(layers.Dense(units=10, activation="softmax"))
    assert model.count_params() == 100 * 64 + 64 + 64 * 10 + 10
    assert model.output_shape == (None, 10)
    model.pop()
    assert model.output_shape == (None, 64)


def test_functional_multi_io_shared_layer_and_slicing():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    xa, xb = shared(a), shared(b)
    merged = keras.ops.concatenate([xa, xb], axis=-1)
    out1 = layers.Dense(2, name="out1")(merged)
    out2 = merged[:, 1:3]
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    assert [lyr.name for lyr in model.layers][:3] == ["a", "b", "shared"]
    xa_np, xb_np = np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")
    y1, y2 = model([xa_np, xb_np])
    assert tuple(y1.shape) == (2, 2) and tuple(y2.shape) == (2, 2)
    y1d, _ = model({"a": xa_np, "b": xb_np})
    torch.testing.assert_close(y1, y1d)
    assert model.count_params() == 4 * 3 + 3 + 6 * 2 + 2


def test_nested_models():
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(2)], name="inner")
    x = keras.Input((3,))
    y = layers.Dense(1)(inner(x))
    outer = keras.Model(x, y)
    assert outer.count_params() == inner.count_params() + 3
    out = outer(np.ones((5, 3), "float32"))
    assert tuple(out.shape) == (5, 1)
    assert any(k.startswith("inner.") for k in outer.state_dict())


def test_subclassed_model_and_custom_layer_like_seed():
    class CustomLayer(layers.Layer):  # the seed tutorial's section 8.4, verbatim
        def __init__(self):
            super().__init__()

        def call(self, inputs):
            return inputs

    class Linear(layers.Layer):  # tf.keras style: Keras-layout weights created in build
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal",
                                     trainable=True, name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True, name="b")

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.w) + self.b

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.custom = CustomLayer()
            self.lin = Linear(4)
            self.blocks = [layers.Dense(4), layers.Dense(2)]

        def call(self, x, training=False):
            x = self.lin(self.custom(x))
            for blk in self.blocks:
                x = blk(x)
            return x

    net = Net()
    out = net(np.ones((2, 3), "float32"))
    assert tuple(out.shape) == (2, 2)
    assert net.lin.get_weights()[0].shape == (3, 4)
    assert net.count_params() == 3 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2
    assert sorted(k for k in net.state_dict() if k.startswith("lin")) == ["lin.b", "lin.w"]


def test_training_flag_rules():
    drop = layers.Dropout(0.5)
    x = torch.ones(100, 10)
    assert torch.equal(drop(x), x)  # inference by default, unlike torch modules
    assert not torch.equal(drop(x, training=True), x)
    model = keras.Sequential([keras.Input((10,)), layers.Dropout(0.5)])
    assert torch.equal(model(x), x)
    assert not torch.equal(model(x, training=True), x)


def test_trainable_false_freezes():
    d = layers.Dense(3)
    d(torch.ones(1, 2))
    d.trainable = False
    assert d.trainable_weights == [] and len(d.non_trainable_weights) == 2
    assert not d.weight.requires_grad


def test_bad_input_errors_name_the_layer():
    model = keras.Sequential([keras.Input((100,)), layers.Dense(4, name="first")])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 100\), found shape=\(2, 50\)"):
        model(np.ones((2, 50), "float32"))
    d = layers.Dense(4, name="lonely")
    d(torch.ones(1, 3))
    with pytest.raises(ValueError, match='layer "lonely".*expected axis -1 of input shape to have value 3'):
        d(torch.ones(1, 5))
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(-0.1)
    with pytest.raises(ValueError, match=r"Unknown activation function: 'rellu'. Did you mean 'relu'\?"):
        layers.Dense(3, activation="rellu")
    with pytest.raises(ValueError, match=r"Did you mean 'glorot_uniform'"):
        layers.Dense(3, kernel_initializer="glorot_unifrom")


def test_config_round_trip_and_clone():
    model = keras.Sequential([keras.Input((6,)), layers.Dense(4, activation="tanh", kernel_regularizer="l2"),
                              layers.Dense(2)])
    clone = keras.models.clone_model(model)
    assert clone.count_params() == model.count_params()
    assert [type(lyr) for lyr in clone.layers] == [type(lyr) for lyr in model.layers]
    again = keras.models.model_from_json(model.to_json())
    again.set_weights(model.get_weights())
    x = np.random.rand(3, 6).astype("float32")
    torch.testing.assert_close(again(x), model(x))


def test_regularization_losses_and_add_loss():
    d = layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.5), kernel_initializer="ones")
    d(torch.ones(1, 3))
    assert len(d.losses) == 1 and float(d.losses[0]) == pytest.approx(0.5 * 6)

    class AddsLoss(layers.Layer):
        def call(self, x):
            self.add_loss(torch.sum(x))
            return x

    lyr = AddsLoss()
    lyr(torch.ones(2, 2))
    lyr(torch.ones(2, 2))
    assert len(lyr.losses) == 1  # losses from the latest call only


def test_ops_cover_common_names():
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    ops = keras.ops
    assert ops.shape(ops.expand_dims(t, 0)) == (1, 2, 3)
    torch.testing.assert_close(ops.sum(t, axis=1), torch.tensor([3.0, 12.0]))
    torch.testing.assert_close(ops.mean(t), torch.tensor(2.5))
    torch.testing.assert_close(ops.softmax(t)[0].sum(), torch.tensor(1.0))
    assert ops.concatenate([t, t], axis=0).shape == (4, 3)
    assert len(ops.split(t, 3, axis=1)) == 3
    torch.testing.assert_close(ops.where(t > 2, t, 0.0), torch.tensor([[0.0, 0, 0], [3, 4, 5]]))
    assert ops.einsum("ij,kj->ik", t, t).shape == (2, 2)
    assert ops.cast(t, "int32").dtype == torch.int32


def test_plain_torch_module_inside_keras_model():
    model = keras.Sequential([keras.Input((4,)), torch.nn.Linear(4, 3), layers.Dense(2)])
    assert isinstance(model.layers[0], layers.TorchModuleWrapper)
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    x = keras.Input((4,))
    y = layers.TorchModuleWrapper(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.5)))(x)
    func = keras.Model(x, layers.Dense(1)(y))
    data = np.ones((5, 4), "float32")
    torch.testing.assert_close(func(data), func(data))  # inference: torch Dropout follows training=False
    func.compile("sgd", "mse")
    func.fit(data, np.zeros((5, 1), "float32"), epochs=1, verbose=0)
