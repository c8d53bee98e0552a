"""Keras 3 top-level names: Variable, Function, name_scope, device, remat/RematScope and the base classes."""

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.core import omissions
from keras_torch.core.dtypes import dtype_name


def test_base_classes_are_the_library_classes():
    assert issubclass(keras.losses.MeanSquaredError, keras.Loss)
    assert issubclass(keras.metrics.Mean, keras.Metric)
    assert issubclass(keras.optimizers.Adam, keras.Optimizer)
    assert isinstance(keras.initializers.Zeros(), keras.Initializer)
    assert isinstance(keras.regularizers.L2(), keras.Regularizer)
    assert issubclass(keras.layers.Dense, keras.Operation)
    assert isinstance(keras.Input((2,)), keras.KerasTensor)
    assert keras.version() == keras.__version__


def test_variable_dtypes_and_paths_match_keras(keras_facts):
    expected = keras_facts["variables"]
    values = {"np_int64": np.arange(3), "np_float64": np.arange(3.0), "py_float": 1.0,
              "np_int32": np.arange(3).astype("int32"), "np_bool": np.array([True])}
    for label, value in values.items():
        assert dtype_name(keras.Variable(value).dtype) == expected[label], label
    with keras.name_scope("outer"):
        with keras.name_scope("inner"):
            assert keras.Variable(1.0, name="x").path == expected["nested_path"]
        with keras.name_scope("outer"):
            assert keras.Variable(1.0, name="y").path == expected["repeated_path"]
        with keras.name_scope("abs", override_parent="root/sub"):
            assert keras.Variable(1.0, name="z").path == expected["override_path"]
    assert keras.Variable(1.0, name="w").path == "w"


def test_variable_from_initializer_and_isinstance():
    v = keras.Variable("ones", shape=(2, 3), name="kernel", trainable=False)
    assert v.shape == (2, 3) and torch.equal(v, torch.ones(2, 3)) and not v.trainable and v.name == "kernel"
    assert isinstance(v, keras.Variable)
    dense = keras.layers.Dense(2)
    dense.build((None, 3))
    assert all(isinstance(w, keras.Variable) for w in dense.weights)
    assert not isinstance(torch.ones(2), keras.Variable)
    v2 = keras.Variable(keras.initializers.Constant(3.0), shape=(2,), dtype="float64")
    assert v2.dtype == torch.float64 and v2.tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="the `shape` argument should be specified"):
        keras.Variable("ones")
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        keras.Variable(1.0, name="a/b")
    with pytest.raises(ValueError, match="`aggregation`"):
        keras.Variable(1.0, aggregation="max")


def test_name_scope_caller_deduplication():
    owner = object()
    with keras.name_scope("block", caller=owner):
        with keras.name_scope("block", caller=owner):
            assert keras.Variable(1.0, name="v").path == "block/v"
    with pytest.raises(ValueError, match="cannot contain character"):
        keras.name_scope("a/b")


def test_device_scope_places_new_tensors_and_variables():
    with keras.device("cpu"):
        assert keras.config.default_device() == torch.device("cpu")
        assert torch.zeros(1).device.type == "cpu"
        assert keras.Variable(1.0).device.type == "cpu"
    with pytest.raises(ValueError, match="Invalid device name: 'tpu9'"):
        with keras.device("tpu9"):
            pass


def test_function_replays_the_graph():
    a, b = keras.Input((3,)), keras.Input((3,))
    dense = keras.layers.Dense(2)
    h = dense(a)
    fn = keras.Function([a, b], {"sum": h + b[:, :2], "h": h}, name="fn")
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    out = fn([x, y])
    torch.testing.assert_close(out["h"], dense(x))
    torch.testing.assert_close(out["sum"], dense(x) + y[:, :2])
    assert [type(op).__name__ for op in fn.operations][:3] == ["InputLayer", "InputLayer", "Dense"]
    symbolic = fn([keras.Input((3,)), keras.Input((3,))])
    assert symbolic["h"].shape == (None, 2)
    with pytest.raises(ValueError, match="must be symbolic tensors"):
        keras.Function([a], [torch.ones(2)])


def test_remat_gives_the_same_values_and_gradients():
    lin = torch.nn.Linear(4, 4)
    x = torch.randn(3, 4, requires_grad=True)

    def block(t):
        return torch.tanh(lin(t)) * 2

    (block(x) ** 2).sum().backward()
    expected = x.grad.clone()
    x.grad = None
    (keras.remat(block)(x) ** 2).sum().backward()
    torch.testing.assert_close(x.grad, expected)


@pytest.mark.parametrize("mode,kwargs,remat_names", [
    ("full", {}, {"d1", "d2"}),
    ("list_of_layers", {"layer_names": ["d2"]}, {"d2"}),
    ("activations", {}, {"d1", "d2"}),  # as in Keras: Dense always has an activation (linear)
    ("larger_than", {"output_size_threshold": 10}, {"d1"}),
])
def test_remat_scope_applies_to_layers_created_inside(mode, kwargs, remat_names, monkeypatch):
    from keras_torch.core import remat as remat_module

    recomputed = []
    real_checkpoint = remat_module.checkpoint

    def counting(fn, *args, **kw):
        recomputed.append(fn)
        return real_checkpoint(fn, *args, **kw)

    monkeypatch.setattr(remat_module, "checkpoint", counting)
    with keras.RematScope(mode=mode, **kwargs):
        d1 = keras.layers.Dense(8, activation="relu", name="d1")  # output 3x8 = 24 values
        d2 = keras.layers.Dense(2, name="d2")  # output 3x2 = 6 values
    outside = keras.layers.Dense(2, name="outside")
    x = torch.randn(3, 4)
    for _ in range(2):  # "larger_than" measures on the first call
        recomputed.clear()
        outside(d2(d1(x))).sum().backward()
    assert {fn.__self__.name for fn in recomputed} == remat_names


def test_remat_scope_validates_and_nests():
    with pytest.raises(ValueError, match="Invalid mode 'half'"):
        keras.RematScope(mode="half")
    with keras.RematScope(mode="full"):
        with keras.RematScope(mode=None):
            assert keras.layers.Dense(1)._remat_mode is None
        assert keras.layers.Dense(1)._remat_mode.mode == "full"


def test_stateless_and_symbolic_scopes_are_documented_omissions():
    for name in ("StatelessScope", "SymbolicScope"):
        with pytest.raises(omissions.NotProvidedError) as info:
            getattr(keras, name)
        assert str(info.value) == omissions.message(name)
