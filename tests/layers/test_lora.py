"""LoRA of Dense, EinsumDense and Embedding against Keras 3 (``compat/fixtures/lora``, ``compat/gen/lora.py``)."""

from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.core.omissions import NotProvidedError

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compat.gen.lora import CASES, case_input, lora_model  # noqa: E402

FIXTURES = ROOT / "compat" / "fixtures" / "lora"
_JSON = json.loads((FIXTURES / "layers.json").read_text()) if (FIXTURES / "layers.json").exists() else {}
INFO = _JSON.get("cases", {})
MODEL_INFO = _JSON.get("model", {})
REF = os.environ.get("KERAS_REF_PYTHON", "/opt/kref/bin/python")
pytestmark = pytest.mark.skipif(not INFO, reason="compat/fixtures/lora not generated")


def _arrays(name: str) -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "layers.npz") as d:
        return {k.split("/", 1)[1]: d[k] for k in d.files if k.startswith(name + "/")}


def _build(name: str, weights: list[np.ndarray] | None = None):
    cls_name, kwargs, shape, _, enable = CASES[name]
    layer = getattr(keras.layers, cls_name)(**kwargs)
    layer.build((None,) + tuple(shape[1:]))
    if enable is not None:
        layer.enable_lora(**enable)
    if weights is not None:
        layer.set_weights(weights)
    return layer


def _local(paths: list[str]) -> list[str]:
    return [p.split("/", 1)[1] for p in paths]


def _comparable(config):
    """Keras 3.15 serialises every initializer with ``input_axes``/``output_axes`` (None unless set); keras_torch
    writes only the Keras 2 keys, which both versions read. Tuples are JSON lists in the fixture."""
    if isinstance(config, dict):
        return {k: _comparable(v) for k, v in config.items()
                if not (k in ("input_axes", "output_axes") and v is None) and k != "name"}
    if isinstance(config, (list, tuple)):
        return [_comparable(v) for v in config]
    return config


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_weights_and_config_match_keras(name):
    data = _arrays(name)
    weights = [data[f"w{j}"] for j in range(sum(k.startswith("w") for k in data))]
    layer = _build(name, weights)
    info = INFO[name]
    with torch.no_grad():
        y = layer(torch.from_numpy(case_input(name))).numpy()
        kernel = (layer.embeddings if CASES[name][0] == "Embedding" else layer.kernel).numpy()
    np.testing.assert_allclose(y, data["y"], atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(kernel, data["kernel"], atol=1e-6, rtol=1e-6)
    assert _local([w.path for w in layer.weights]) == _local(info["weights"])
    assert _local([w.path for w in layer.trainable_weights]) == _local(info["trainable"])
    assert _local([w.path for w in layer.non_trainable_weights]) == _local(info["non_trainable"])
    for got, want in zip(layer.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(got, want)
    assert len(layer.losses) == info["n_losses"]
    assert _comparable(json.loads(json.dumps(layer.get_config()))) == _comparable(info["config"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_training_step_updates_only_factors_and_bias(name):
    data = _arrays(name)
    n = sum(k.startswith("w") for k in data)
    layer = _build(name, [data[f"w{j}"] for j in range(n)])
    out = layer(torch.from_numpy(case_input(name)))
    grads = torch.autograd.grad(torch.sum(out.float() ** 2), layer.trainable_weights)
    with torch.no_grad():
        for p, g in zip(layer.trainable_weights, grads):
            p -= 0.1 * g
    after = layer.get_weights()
    for j, w in enumerate(after):
        np.testing.assert_allclose(w, data[f"t{j}"], atol=1e-6, rtol=1e-5)
    np.testing.assert_array_equal(after[0], data["w0"])  # the frozen kernel (first in Keras order)
    names = layer.keras_weight_names()
    for w, before, wname in zip(after, [data[f"w{j}"] for j in range(n)], names):
        assert np.array_equal(w, before) == (wname in ("kernel", "embeddings")), wname


def test_torch_native_factor_layout():
    layer = keras.layers.Dense(5, lora_rank=3)
    layer.build((None, 7))
    sd = layer.state_dict()
    assert {k: tuple(v.shape) for k, v in sd.items()} == {"weight": (5, 7), "bias": (5,), "lora_A": (3, 7),
                                                           "lora_B": (5, 3)}
    a, b = layer.get_weights()[2:]
    np.testing.assert_array_equal(a, sd["lora_A"].numpy().T)
    np.testing.assert_array_equal(b, sd["lora_B"].numpy().T)
    ein = keras.layers.EinsumDense("abc,cde->abde", (3, 2, 4), lora_rank=2)
    ein.build((None, 3, 5))
    assert tuple(ein.state_dict()["lora_A"].shape) == (2, 5, 2) and tuple(ein.state_dict()["lora_B"].shape) == (4, 2)
    assert [w.shape for w in ein.get_weights()] == [(5, 2, 4), (5, 2, 2), (2, 4)]
    emb = keras.layers.Embedding(9, 4, lora_rank=2)
    emb.build()
    assert {k: tuple(v.shape) for k, v in emb.state_dict().items()} == {"embeddings": (9, 4), "lora_A": (2, 9),
                                                                         "lora_B": (4, 2)}


def test_without_lora_nothing_changes():
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    assert not layer.lora_enabled and list(layer.state_dict()) == ["weight", "bias"]
    assert layer.kernel.data_ptr() == layer.weight.data_ptr()
    assert "lora_rank" not in layer.get_config() and layer.get_config()["quantization_config"] is None
    emb = keras.layers.Embedding(5, 2)
    emb.build()
    assert emb.embeddings is emb._parameters["embeddings"]


def test_enable_lora_errors_as_keras():
    layer = keras.layers.Dense(3)
    with pytest.raises(ValueError, match="Cannot enable lora on a layer that isn't yet built"):
        layer.enable_lora(2)
    layer.build((None, 4))
    layer.enable_lora(2)
    with pytest.raises(ValueError, match="lora is already enabled"):
        layer.enable_lora(2)
    constrained = keras.layers.Dense(3, kernel_constraint="non_neg")
    constrained.build((None, 4))
    with pytest.raises(ValueError, match="Lora is incompatible with kernel constraints.*kernel_constraint"):
        constrained.enable_lora(2)
    emb = keras.layers.Embedding(5, 2, embeddings_constraint="non_neg")
    emb.build()
    with pytest.raises(ValueError, match="incompatible with embedding constraints.*embeddings_constraint"):
        emb.enable_lora(2)


def test_layer_trainable_toggle_unfreezes_kernel_as_keras():
    layer = keras.layers.Dense(3, lora_rank=2)
    layer.build((None, 4))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    layer.trainable = True  # Keras sets every variable it tracks as trainable back to trainable, the kernel too
    assert [w.path.split("/")[1] for w in layer.trainable_weights] == ["kernel", "bias", "lora_kernel_a",
                                                                       "lora_kernel_b"]


def test_fit_updates_only_lora_factors_and_bias():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, lora_rank=2, kernel_regularizer="l2")])
    model.compile(optimizer="adam", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 3)).astype("float32"), epochs=2,
              verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(after[0], before[0])
    assert all(not np.array_equal(a, b) for a, b in zip(after[1:], before[1:]))
    # iterations, learning rate, and two Adam slots per trainable weight: none for the frozen kernel
    assert len(model.optimizer.variables) == 2 + 2 * 3


@pytest.mark.parametrize("kwargs", [{"quantization_config": {"class_name": "Int8QuantizationConfig"}}])
@pytest.mark.parametrize("cls_name", ["Dense", "EinsumDense", "Embedding"])
def test_quantization_arguments_raise_the_omission(cls_name, kwargs):
    base = {"Dense": {"units": 2}, "EinsumDense": {"equation": "ab,bc->ac", "output_shape": 2},
            "Embedding": {"input_dim": 4, "output_dim": 2}}[cls_name]
    getattr(keras.layers, cls_name)(**base, quantization_config=None)
    with pytest.raises(NotProvidedError, match="quantization_config=.*keras.quantizers"):
        getattr(keras.layers, cls_name)(**base, **kwargs)


def test_gptq_column_size_and_quantize_raise_the_omission():
    with pytest.raises(NotProvidedError, match="gptq_unpacked_column_size=4.*keras.quantizers"):
        keras.layers.EinsumDense("ab,bc->ac", 2, gptq_unpacked_column_size=4)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(NotProvidedError, match="quantize\\(mode='int8'\\).*keras.quantizers"):
        model.quantize("int8")
    with pytest.raises(NotProvidedError, match="keras.quantizers"):
        model.layers[0].quantize("int4")


def test_onnx_export_of_lora_layers_matches_onnxruntime(tmp_path):
    pytest.importorskip("onnxruntime")
    from export._helpers import assert_close, ort_run, predict

    from keras_torch.export import export_onnx

    inp = keras.Input((5,), dtype="int32")
    x = keras.layers.Embedding(12, 6, lora_rank=2)(inp)
    x = keras.layers.EinsumDense("abc,cd->abd", (5, 4), bias_axes="d", lora_rank=3)(x)
    x = keras.layers.Dense(3, lora_rank=2)(keras.layers.Flatten()(x))
    model = keras.Model(inp, x)
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    xs = [rng.integers(0, 12, (3, 5)).astype("int32")]
    path = export_onnx(model, tmp_path / "lora.onnx")
    assert_close(ort_run(path, xs), predict(model, xs), atol=1e-5)


# --- whole models and files (compat/fixtures/lora/k3_lora.*) ---------------------------------------------


def _model_fixture() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    with np.load(FIXTURES / "k3_lora.npz") as d:
        return d["x0"], d["y0"], [d[f"w{j}"] for j in range(sum(k.startswith("w") for k in d.files))]


def _fixture_model():
    x, y, weights = _model_fixture()
    model = lora_model(keras)
    model.set_weights(weights)
    return model, x, y, weights


# layer name -> (adapted weight, factor a, factor b), for the three LoRA layers of ``lora_model``
LORA_LAYERS = {"emb": ("embeddings", "lora_embeddings_a", "lora_embeddings_b"),
               "ein": ("kernel", "lora_kernel_a", "lora_kernel_b"),
               "dense": ("kernel", "lora_kernel_a", "lora_kernel_b")}


def _merged(model) -> dict[str, np.ndarray]:
    return {name: np.asarray((model.get_layer(name).embeddings if name == "emb" else model.get_layer(name).kernel)
                             .detach().numpy()) for name in LORA_LAYERS}


def test_model_output_and_weight_order_match_keras():
    model, x, y, weights = _fixture_model()
    np.testing.assert_allclose(model.predict(x, verbose=0), y, atol=1e-5, rtol=0)
    assert [w.path for w in model.weights] == MODEL_INFO["weights"]
    assert [w.path for w in model.trainable_weights] == MODEL_INFO["trainable"]
    for got, want in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("fmt", ["keras", "h5", "weights.h5"])
def test_keras3_files_load(fmt):
    """Keras 3's ``.keras`` / ``.weights.h5`` store the merged kernels (factors come back zero); its legacy ``.h5``
    stores every weight as it stands."""
    x, y, weights = _model_fixture()
    path = FIXTURES / f"k3_lora.{fmt}"
    if fmt == "weights.h5":
        model = lora_model(keras)
        model.load_weights(path)
    else:
        model = keras.saving.load_model(path, compile=False)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, atol=1e-5, rtol=0)
    reference = _fixture_model()[0]
    for name, (_, a, b) in LORA_LAYERS.items():
        layer = model.get_layer(name)
        assert layer.lora_enabled and layer.lora_rank == reference.get_layer(name).lora_rank
        assert layer.lora_alpha == reference.get_layer(name).lora_alpha
        assert [w.path.split("/")[1] for w in layer.trainable_weights][-2:] == [a, b]
        assert all(not w.path.endswith(("/kernel", "/embeddings")) for w in layer.trainable_weights)
    loaded = dict(zip(MODEL_INFO["weights"], model.get_weights(), strict=True))
    merged, want_merged = _merged(model), _merged(reference)
    for name in merged:
        np.testing.assert_allclose(merged[name], want_merged[name], atol=1e-6, rtol=0)
    if fmt == "h5":
        for got, want in zip(model.get_weights(), weights, strict=True):
            np.testing.assert_array_equal(got, want)
    else:
        assert all(not np.any(v) for p, v in loaded.items() if "/lora_" in p)


def _h5_arrays(group) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    group.visititems(lambda n, o: arrays.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return arrays


def _archive_weights(path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
        return _h5_arrays(f)


def _archive_layer_configs(path) -> dict[str, dict]:
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    return {layer["config"]["name"]: layer["config"] for layer in config["config"]["layers"]}


def test_our_files_store_what_keras3_stores(tmp_path):
    model = _fixture_model()[0]
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    model.save(tmp_path / "m.h5")
    ours, theirs = _archive_weights(tmp_path / "m.keras"), _archive_weights(FIXTURES / "k3_lora.keras")
    assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in theirs.items()}
    for key, value in theirs.items():
        np.testing.assert_allclose(ours[key], value, atol=1e-6, rtol=0, err_msg=key)
    with h5py.File(tmp_path / "m.weights.h5", "r") as f, h5py.File(FIXTURES / "k3_lora.weights.h5", "r") as g:
        assert {k: v.shape for k, v in _h5_arrays(f).items()} == {k: v.shape for k, v in _h5_arrays(g).items()}
    ours_cfg, theirs_cfg = _archive_layer_configs(tmp_path / "m.keras"), _archive_layer_configs(FIXTURES / "k3_lora.keras")
    for name in LORA_LAYERS:
        assert {k: ours_cfg[name][k] for k in ("lora_rank", "lora_alpha")} == \
            {k: theirs_cfg[name][k] for k in ("lora_rank", "lora_alpha")}, name
    # keras_torch writes the tf-keras form of the legacy file (``name:0`` datasets), which Keras 3 reads too.
    with h5py.File(tmp_path / "m.h5", "r") as f, h5py.File(FIXTURES / "k3_lora.h5", "r") as g:
        ours_h5, theirs_h5 = _h5_arrays(f["model_weights"]), _h5_arrays(g["model_weights"])
        assert sorted(k.removesuffix(":0") for k in ours_h5) == sorted(theirs_h5)
        for key, value in ours_h5.items():
            np.testing.assert_array_equal(value, theirs_h5[key.removesuffix(":0")], err_msg=key)
        for name in LORA_LAYERS:
            assert [_text(n).removesuffix(":0") for n in f["model_weights"][name].attrs["weight_names"]] \
                == [_text(n) for n in g["model_weights"][name].attrs["weight_names"]], name


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


_INTEROP_SCRIPT = r"""
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
warnings.filterwarnings("ignore")
import numpy as np
import keras
sys.path.insert(0, sys.argv[2])
from compat.gen.lora import lora_model
folder = sys.argv[1]
x = np.load(os.path.join(folder, "x.npy"))
results = {}
for fmt in ("keras", "h5", "weights.h5"):
    try:
        path = os.path.join(folder, "m." + fmt)
        if fmt == "weights.h5":
            model = lora_model(keras)
            model.load_weights(path)
        else:
            model = keras.saving.load_model(path)
        results[fmt] = {"ok": True, "y": np.asarray(model.predict(x, verbose=0)).tolist(),
                        "weights": [np.asarray(w).tolist() for w in model.get_weights()],
                        "paths": [w.path for w in model.weights],
                        "trainable": [w.path for w in model.trainable_weights],
                        "lora": {l.name: [l.lora_enabled, l.lora_rank, l.lora_alpha] for l in model.layers
                                 if hasattr(l, "lora_enabled")}}
    except Exception as e:
        results[fmt] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:2000]}
print("RESULTS" + json.dumps(results))
"""


@pytest.fixture(scope="module")
def keras3_reads_ours(tmp_path_factory):
    if not os.path.exists(REF):
        pytest.skip("no reference Keras 3 interpreter available")
    out = tmp_path_factory.mktemp("lora_interop")
    model, x, _, _ = _fixture_model()
    model.save(out / "m.keras")
    model.save_weights(out / "m.weights.h5")
    model.save(out / "m.h5")
    np.save(out / "x.npy", x)
    (out / "check.py").write_text(_INTEROP_SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([REF, str(out / "check.py"), str(out), str(ROOT)], capture_output=True, text=True,
                          timeout=600, env=env)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULTS")]
    if not line:
        pytest.fail(f"reference interpreter failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return model, json.loads(line[-1][len("RESULTS"):])


@pytest.mark.interop
@pytest.mark.parametrize("fmt", ["keras", "h5", "weights.h5"])
def test_keras3_loads_our_files(fmt, keras3_reads_ours):
    model, results = keras3_reads_ours
    res = results[fmt]
    assert res["ok"], res.get("error")
    _, y, weights = _model_fixture()
    np.testing.assert_allclose(np.asarray(res["y"]), y, atol=1e-5, rtol=0)
    assert res["paths"] == MODEL_INFO["weights"] and res["trainable"] == MODEL_INFO["trainable"]
    for name in LORA_LAYERS:
        layer = model.get_layer(name)
        assert res["lora"][name] == [True, layer.lora_rank, layer.lora_alpha], name
    got = dict(zip(res["paths"], res["weights"], strict=True))
    if fmt == "h5":  # the legacy file keeps the factors as they stand
        for path, want in zip(MODEL_INFO["weights"], weights, strict=True):
            np.testing.assert_allclose(np.asarray(got[path]), want, atol=1e-7, rtol=0, err_msg=path)
    else:  # Keras 3 loads the merged kernels and zeroes the factors
        merged = _merged(model)
        for name, (target, a, b) in LORA_LAYERS.items():
            np.testing.assert_allclose(np.asarray(got[f"{name}/{target}"]), merged[name], atol=1e-6, rtol=0)
            assert not np.any(got[f"{name}/{a}"]) and not np.any(got[f"{name}/{b}"])
