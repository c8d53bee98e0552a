"""Files with text, lookup and categorical layers: vocabularies in ``assets/`` (.keras) or in the config (.h5).

Keras 3 files (compat/fixtures/text_files, built by compat/gen/text_files.py) load and predict as
Keras did; keras_torch's files round trip and load in Keras 3 (``interop``, via the reference
interpreter, skipped without it).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import zipfile

import numpy as np
import pytest

import keras_torch as keras
from compat.gen import text_files

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "compat" / "fixtures" / "text_files"
REF = os.environ.get("KERAS_REF_PYTHON", "/opt/kref/bin/python")


def _inputs(npz) -> list[np.ndarray]:
    return [npz[f"x{i}"] for i in range(sum(k.startswith("x") for k in npz.files))]


def _predict(model, xs) -> np.ndarray:
    return np.asarray(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))


@pytest.mark.parametrize("path", sorted(p.name for p in FIXTURES.glob("k3_*") if p.suffix in (".keras", ".h5")))
def test_keras3_file_loads_and_predicts_the_same(path):
    npz = np.load(FIXTURES / (path.split(".")[0] + ".npz"))
    model = keras.models.load_model(str(FIXTURES / path))
    np.testing.assert_allclose(_predict(model, _inputs(npz)), npz["y0"], rtol=1e-5, atol=1e-5)


def test_keras3_text_file_vocabularies():
    model = keras.models.load_model(str(FIXTURES / "k3_text.keras"))
    tv = next(layer for layer in model.layers if isinstance(layer, keras.layers.TextVectorization))
    with zipfile.ZipFile(FIXTURES / "k3_text.keras") as z:
        saved = z.read("assets/layers/text_vectorization/vocabulary.txt").decode("utf-8").split("\n")
    assert tv.get_vocabulary() == saved
    assert tv.get_config()["vocabulary"] is None  # still an adapted layer: saved again as an asset


@pytest.mark.parametrize("name", sorted(text_files.BUILDERS))
@pytest.mark.parametrize("suffix", [".keras", ".h5", "dir"])
def test_round_trip(tmp_path, name, suffix):
    model, xs = text_files.BUILDERS[name](keras)
    path = str(tmp_path / ("model" if suffix == "dir" else f"model{suffix}"))
    if suffix == "dir":
        model.save(path, zipped=False)
        assert os.path.isdir(os.path.join(path, "assets")) == (name not in text_files.H5_MODELS)
    else:
        model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(_predict(loaded, xs), _predict(model, xs))


def test_keras_archive_layout(tmp_path):
    model, _ = text_files.BUILDERS["text"](keras)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        names = set(z.namelist())
        assert {"assets/layers/text_vectorization/vocabulary.txt",
                "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt",
                "assets/layers/string_lookup/vocabulary.txt"} <= names
        import h5py

        with z.open("model.weights.h5") as fh, h5py.File(fh) as f:
            assert list(f["layers/string_lookup/vars"]) == ["idf_weights"]


def test_h5_keeps_adapted_vocabulary_in_the_config(tmp_path):
    layer = keras.layers.StringLookup(output_mode="tf_idf")
    layer.adapt(np.array([["a", "b"], ["b", "c"]]))
    model = keras.Sequential([keras.Input(shape=(2,), dtype="string"), layer])
    model.save(tmp_path / "m.h5")
    import h5py

    with h5py.File(tmp_path / "m.h5") as f:
        config = json.loads(f.attrs["model_config"])
    saved = config["config"]["layers"][-1]["config"]
    assert saved["vocabulary"] == ["[UNK]", "b", "c", "a"]
    np.testing.assert_allclose(saved["idf_weights"], layer.idf_weights.numpy(), rtol=1e-6)


def test_empty_string_as_last_token_survives(tmp_path):
    # Keras 3 strips the trailing "" line of vocabulary.txt and then refuses its own file.
    layer = keras.layers.StringLookup(output_mode="multi_hot")
    layer.adapt(np.array([["b", "b"], ["a", ""]]))
    assert layer.get_vocabulary()[-1] == ""
    model = keras.Sequential([keras.Input(shape=(2,), dtype="string"), layer])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[-1].get_vocabulary() == layer.get_vocabulary()


def test_missing_vocabulary_asset_is_reported(tmp_path):
    model, _ = text_files.BUILDERS["bag_of_words"](keras)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as src, zipfile.ZipFile(tmp_path / "cut.keras", "w") as dst:
        for item in src.infolist():
            if not item.filename.startswith("assets/"):
                dst.writestr(item, src.read(item))
    with pytest.raises(ValueError, match="no vocabulary asset"):
        keras.models.load_model(tmp_path / "cut.keras")


_KERAS3_SCRIPT = r"""
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
warnings.filterwarnings("ignore")
import numpy as np
import keras
sys.path.insert(0, sys.argv[2])
from compat.gen import text_files
results = {}
for path in json.loads(sys.argv[1]):
    npz = np.load(path.rsplit(".", 1)[0] + ".npz")
    xs = [npz[f"x{i}"] for i in range(sum(k.startswith("x") for k in npz.files))]
    try:
        got = text_files.predict(keras.saving.load_model(path), xs)
        results[path] = float(np.max(np.abs(got - npz["y0"])))
    except Exception as e:
        results[path] = f"{type(e).__name__}: {e}"[:1000]
print(json.dumps(results))
"""


@pytest.mark.interop
@pytest.mark.skipif(not os.path.exists(REF), reason="needs the reference Keras interpreter (/opt/kref/bin/python)")
def test_keras3_loads_our_files(tmp_path):
    paths = []
    for name, build in text_files.BUILDERS.items():
        model, xs = build(keras)
        np.savez(tmp_path / f"{name}.npz", y0=_predict(model, xs), **{f"x{i}": x for i, x in enumerate(xs)})
        for suffix in (".keras", ".h5"):
            model.save(tmp_path / f"{name}{suffix}")
            paths.append(str(tmp_path / f"{name}{suffix}"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([REF, "-c", _KERAS3_SCRIPT, json.dumps(paths), str(ROOT)], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    bad = {p: r for p, r in results.items() if not (isinstance(r, float) and r < 1e-5)}
    assert not bad, bad
    assert len(results) == len(paths)


def test_recorded_training_gives_way_to_the_models_mode():
    # Keras 3 records `training=True` in the nodes of its augmentation layers; as in Keras's Functional,
    # predict / training=False override it, and a call without `training` augments.
    npz = np.load(FIXTURES / "k3_text_and_images.npz")
    xs = _inputs(npz)
    model = keras.models.load_model(str(FIXTURES / "k3_text_and_images.keras"))
    np.testing.assert_allclose(model(xs, training=False).detach().numpy(), npz["y0"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_predict(model, xs), npz["y0"], rtol=1e-5, atol=1e-5)
    assert not np.allclose(model(xs).detach().numpy(), npz["y0"], atol=1e-3)
