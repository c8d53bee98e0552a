"""The distribution API in one process: meshes, layouts, Keras weight paths and the Keras-to-torch
dimension mapping of layouts, checked without a process group (fast)."""

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers
from keras_torch.core import dtensor
from keras_torch.core.naming import keras_class
from keras_torch.distribution import context
from keras_torch.distribution.layout import placements
from keras_torch.distribution.sharding import Sharding
from keras_torch.distribution.weight_layout import Split, model_weights, split_of
from keras_torch.saving.serialization import serialize_layer

D = keras.distribution


def _mesh(shape=(2, 4), names=("batch", "model")):
    return D.DeviceMesh(shape, names, devices=[f"cpu:{i}" for i in range(int(np.prod(shape)))])


# ---------------------------------------------------------------------- Keras API semantics
def test_layout_map_looks_up_exact_keys_then_regular_expressions():
    mesh = _mesh()
    lm = D.LayoutMap(mesh)
    lm[".*dense.*kernel"] = (None, "model")
    lm[".*dense.*bias"] = ("model",)
    lm["dense_2/kernel"] = ("model", None)
    assert lm["dense_1/kernel"].axes == (None, "model")
    assert lm["dense_2/kernel"].axes == ("model", None)  # an exact key wins over the patterns
    assert lm["my_model/dense_1/bias"].device_mesh is mesh  # tuples become layouts on the map's mesh
    assert lm["conv2d/kernel"] is None and lm.get("conv2d/kernel", "x") == "x"
    assert len(lm) == 3 and list(lm) == [".*dense.*kernel", ".*dense.*bias", "dense_2/kernel"]
    lm["dense.*"] = (None,)
    with pytest.raises(ValueError, match="matches multiple layout specification keys"):
        lm["dense_1/kernel"]
    del lm["dense.*"]
    with pytest.raises(ValueError, match="already exist"):
        lm[".*dense.*bias"] = ("model",)
    with pytest.raises(ValueError, match="should be a TensorLayout"):
        lm["x"] = "model"


def test_tensor_layout_checks_its_axes_against_the_mesh():
    mesh = _mesh()
    with pytest.raises(ValueError, match="Invalid axis names"):
        D.TensorLayout(("data", None), mesh)
    with pytest.raises(ValueError, match="only one dimension"):
        D.TensorLayout(("model", "model"), mesh)
    layout = D.TensorLayout((None, "model"))
    layout.device_mesh = mesh
    with pytest.raises(ValueError, match="Cannot override"):
        layout.device_mesh = mesh
    from torch.distributed.tensor import Replicate, Shard

    assert placements(layout) == [Replicate(), Shard(1)]  # one placement per mesh axis
    assert placements(D.TensorLayout((("batch", "model"), None), mesh)) == [Shard(0), Shard(0)]


def test_device_mesh_matches_keras_validation():
    mesh = _mesh((2, 4))
    assert mesh.devices.shape == (2, 4) and mesh.axis_size("model") == 4
    with pytest.raises(ValueError, match="same size"):
        D.DeviceMesh((2, 4), ("batch",), devices=list(range(8)))
    with pytest.raises(ValueError, match="cannot be empty"):
        D.DeviceMesh((), (), devices=[])
    with pytest.raises(ValueError, match="does not match the number of devices"):
        D.DeviceMesh((2, 2), ("batch", "model"))  # one process here: one device
    with pytest.raises(RuntimeError, match="needs 8 processes"):
        mesh.torch_mesh()


def test_devices_are_the_jobs_processes(monkeypatch):
    assert D.get_device_count() == len(D.list_devices()) >= 1
    monkeypatch.setenv("WORLD_SIZE", "4")
    assert D.list_devices("cpu") == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"] and D.get_device_count("cpu") == 4


def test_model_parallel_and_fsdp_arguments():
    with pytest.raises(ValueError, match="must specify a layout_map"):
        D.ModelParallel()
    with pytest.raises(ValueError, match="must be a `LayoutMap`"):
        D.ModelParallel(layout_map={"a": (None,)})
    with pytest.raises(ValueError, match="batch_dim_name='data' is not an axis"):
        D.ModelParallel(layout_map=D.LayoutMap(_mesh()), batch_dim_name="data")
    with pytest.raises(ValueError, match="1-D device mesh"):
        D.FSDP(device_mesh=_mesh())
    mp = D.ModelParallel(layout_map=D.LayoutMap(_mesh()))
    assert mp.batch_dim_name == "batch" and mp.num_model_replicas == 2
    assert mp.get_data_layout((5, 3)).axes == ("batch", None)
    assert D.FSDP().batch_dim_name == "batch"


def test_scope_and_set_distribution_restore_the_previous_choice(monkeypatch):
    monkeypatch.setattr(context._ACTIVE, "explicit", False)
    monkeypatch.setattr(context._ACTIVE, "chosen", None)
    fsdp = D.FSDP()
    with fsdp.scope():
        assert D.distribution() is fsdp
    assert not context._ACTIVE.explicit  # back to the automatic choice
    with pytest.raises(ValueError, match="Invalid `Distribution`"):
        D.set_distribution("fsdp")


def test_a_sharded_distribution_in_one_process_trains_on_one_device(monkeypatch):
    monkeypatch.setattr(context._ACTIVE, "explicit", True)
    monkeypatch.setattr(context._ACTIVE, "chosen", D.FSDP())
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile("sgd", "mse")
    hist = model.fit(np.ones((8, 3)), np.ones((8, 2)), batch_size=4, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2 and not any(dtensor.is_sharded(p) for p in model.parameters())


def test_distribute_tensor_is_the_identity_in_one_process():
    t = torch.ones(4, 2)
    assert D.distribute_tensor(t, D.TensorLayout(("batch", None), _mesh())) is t


# ---------------------------------------------------------------------- Keras weight paths
def test_weight_paths_are_keras_paths():
    """As Keras 3.15 prints ``v.path`` for the same models: a functional model adds no name of its
    own, a Sequential and a subclassed layer do."""
    inp = keras.Input((4, 8))
    h = layers.MultiHeadAttention(2, 4, name="mha")(inp, inp)
    h = layers.LayerNormalization(name="ln")(h)
    model = keras.Model(inp, layers.Dense(16, name="ffn_in")(h), name="tb")
    assert [w.path for w in model_weights(model)] == [
        "mha/query/kernel", "mha/query/bias", "mha/key/kernel", "mha/key/bias", "mha/value/kernel",
        "mha/value/bias", "mha/attention_output/kernel", "mha/attention_output/bias", "ln/gamma", "ln/beta",
        "ffn_in/kernel", "ffn_in/bias"]
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="dense")], name="seq")
    assert [w.path for w in model_weights(seq)] == ["seq/dense/kernel", "seq/dense/bias"]

    class Block(layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.inner = layers.Dense(3, name="inner")

        def call(self, x):
            return self.inner(x)

    i = keras.Input((3,))
    nested = keras.Model(i, Block(name="blk")(i))
    assert [w.path for w in model_weights(nested)] == ["blk/inner/kernel", "blk/inner/bias"]


# ---------------------------------------------------------------------- Keras dims -> torch dims
def _split(layer_weights, path, axes, sizes=None):
    sizes = sizes or {"batch": 1, "model": 2}
    weight = next(w for w in layer_weights if w.path == path)
    return split_of(weight, D.TensorLayout(axes), sizes.__getitem__)


def test_keras_layouts_split_the_torch_dimension_holding_them():
    inp = keras.Input((6, 4))
    x = layers.Dense(8, name="dense")(inp)
    x = layers.EinsumDense("abc,cd->abd", output_shape=(None, 6), name="ed")(x)
    x = layers.Reshape((6, 3, 2))(x)
    x = layers.Conv2D(4, (3, 1), name="conv")(x)
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw")(x)
    ws = model_weights(keras.Model(inp, x))
    by_path = {w.path: w for w in ws}
    assert tuple(by_path["dense/kernel"].tensor.shape) == (8, 4)  # stored (out, in)
    assert _split(ws, "dense/kernel", (None, "model")) == Split(0, ("model",))  # column-wise
    assert _split(ws, "dense/kernel", ("model", None)) == Split(1, ("model",))  # row-wise
    assert _split(ws, "dense/bias", ("model",)) == Split(0, ("model",))
    assert _split(ws, "ed/kernel", (None, "model")) == Split(1, ("model",))  # EinsumDense keeps Keras layout
    assert _split(ws, "conv/kernel", (None, None, None, "model")) == Split(0, ("model",))  # (out, in, kh, kw)
    assert _split(ws, "conv/kernel", (None, None, "model", None)) == Split(1, ("model",))
    assert _split(ws, "dw/kernel", (None, None, "model", None)) == Split(0, ("model",))  # (in*mult, 1, kh, kw)
    assert _split(ws, "dense/kernel", (None, "model"), {"batch": 1, "model": 1}) is None  # axis of size 1
    assert _split(ws, "dense/kernel", ("batch", "model"), {"batch": 2, "model": 2}) == Split(1, ("batch", "model"))
    with pytest.raises(ValueError, match="has 1 entries, but the weight has 2 dimensions"):
        _split(ws, "dense/kernel", ("model",))


def test_a_layout_the_storage_cannot_express_is_reported():
    """keras_torch stores a GRU bias with two gate blocks swapped: a split of its gates would scatter."""
    inp = keras.Input((3, 2))
    ws = model_weights(keras.Model(inp, layers.GRU(4, name="gru")(inp)))
    path = next(w.path for w in ws if w.path.endswith("bias"))
    with pytest.raises(ValueError, match="cannot be split in 2"):
        _split(ws, path, ("model",))


# ---------------------------------------------------------------------- helpers
def test_fsdp_generated_classes_keep_their_keras_name():
    """FSDP2 puts ``FSDPDense`` in front of a sharded layer's class; configs and files say ``Dense``."""
    from torch.distributed.fsdp import FSDPModule

    layer = layers.Dense(2, name="d")
    layer.build((None, 3))
    layer.__class__ = type("FSDPDense", (FSDPModule, layers.Dense), {})  # what fully_shard does
    assert keras_class(layer) is layers.Dense
    assert serialize_layer(layer)["class_name"] == "Dense" and "Dense" in repr(layer)
    assert keras_class(layers.Dense(1)) is layers.Dense


def test_predict_steps_are_equal_on_every_rank_for_sharded_models():
    spans = []
    for rank in range(3):
        sharding = Sharding(rank, 3)
        sharding.equal_steps = True
        spans.append(sharding.predict_spans(10, 4))  # rows 4/3/3 in steps of 2
    assert [len(s) for s in spans] == [2, 2, 2]
    assert spans[1] == [(4, 6), (6, 7)]
    lone = Sharding(1, 2)
    assert lone.predict_spans(1, 4) == [(0, 1)]  # no rows: one placeholder row


def test_plain_tensors_pass_through_the_dtensor_helpers():
    t = torch.ones(3)
    assert not dtensor.is_sharded(t) and dtensor.full_value(t) is t and dtensor.replicated(t) is t
    dtensor.assign(t, torch.arange(3.0))
    assert t.tolist() == [0.0, 1.0, 2.0] and dtensor.local_bytes([t]) == 12
