"""Files saved by real tf-keras 2 and Keras 3 load in keras_torch and predict like Keras."""

from __future__ import annotations

import numpy as np
import pytest
from _saving_helpers import FIXTURES, assert_outputs_close, builders, load_io, manifest, predict

MANIFEST = manifest()
MODELS = sorted(k for k, v in MANIFEST.items() if v["kind"] in ("model", "compiled") and v["model"] != "lambda")
WEIGHTS = sorted(k for k, v in MANIFEST.items() if v["kind"] == "weights")

pytestmark = pytest.mark.skipif(not MANIFEST, reason="compat/fixtures/files not generated")


def _stem(fname: str) -> str:
    return fname.split(".")[0].removesuffix("_weights")


@pytest.mark.parametrize("fname", MODELS)
def test_load_model_matches_keras(fname, keras):
    model = keras.models.load_model(FIXTURES / fname)
    xs, ys, _ = load_io(_stem(fname))
    assert_outputs_close(predict(model, xs), ys)


@pytest.mark.parametrize("fname", MODELS)
def test_load_model_without_compile(fname, keras):
    model = keras.models.load_model(str(FIXTURES / fname), compile=False)
    assert not getattr(model, "compiled", False)
    xs, ys, _ = load_io(_stem(fname))
    assert_outputs_close(predict(model, xs), ys)


@pytest.mark.parametrize("fname", WEIGHTS)
@pytest.mark.parametrize("by_name", [False, True])
def test_load_weights_into_rebuilt_model(fname, by_name, keras):
    info = MANIFEST[fname]
    if by_name and info["writer"] == "k3":
        pytest.skip("by_name only applies to legacy .h5 weights")
    keras.utils.set_random_seed(0) if hasattr(keras, "utils") and hasattr(keras.utils, "set_random_seed") else None
    model = builders()[info["model"]](keras)
    if by_name:  # keras_torch's default names differ from the file's; rename to tf-keras's names
        import h5py

        from keras_torch.saving.formats.legacy_h5 import load_attributes_from_hdf5_group

        with h5py.File(FIXTURES / fname) as f:
            names = load_attributes_from_hdf5_group(f, "layer_names")
        layers = list(model.layers)
        assert len(layers) == len(names)
        for layer, name in zip(layers, names):
            layer.name = name
    model.load_weights(FIXTURES / fname, by_name=by_name)
    xs, ys, _ = load_io(_stem(fname))
    assert_outputs_close(predict(model, xs), ys)


@pytest.mark.parametrize("fname", [k for k, v in MANIFEST.items() if v["kind"] == "compiled"])
def test_compiled_model_resumes_training(fname, keras):
    model = keras.models.load_model(FIXTURES / fname)
    assert model.compiled and model.optimizer is not None
    assert type(model.optimizer).__name__ == "Adam"
    np.testing.assert_allclose(float(np.asarray(model.optimizer.learning_rate)), 0.01, rtol=1e-6)
    xs, ys, extra = load_io(_stem(fname))
    assert int(np.asarray(model.optimizer.iterations)) == int(extra["iterations"])
    model.train_on_batch(extra["train_x"], extra["train_y"])
    after = [extra[f"after{i}"] for i in range(len(ys))]
    assert_outputs_close(predict(model, xs), after, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fname", sorted(k for k, v in MANIFEST.items() if v["model"] == "lambda"))
def test_lambda_model_refused_in_safe_mode(fname, keras):
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(FIXTURES / fname)
    model = keras.models.load_model(FIXTURES / fname, safe_mode=False)
    xs, ys, _ = load_io(_stem(fname))
    assert_outputs_close(predict(model, xs), ys)


def test_hard_sigmoid_definition_follows_file_version(keras):
    """tf-keras files mean Keras 2's hard_sigmoid (0.2x+0.5); Keras 3 files mean relu6(x+3)/6."""
    from keras_torch import activations

    old = keras.models.load_model(FIXTURES / "tfk_hard_sigmoid.h5")
    new = keras.models.load_model(FIXTURES / "k3_hard_sigmoid.keras")
    assert old.layers[-1].activation is activations.hard_sigmoid_keras2
    assert new.layers[-1].activation is not activations.hard_sigmoid_keras2
    for fname, model in (("tfk_hard_sigmoid", old), ("k3_hard_sigmoid", new)):
        xs, ys, _ = load_io(fname)
        assert_outputs_close(predict(model, xs), ys)


def test_application_model(keras):
    model = keras.models.load_model(FIXTURES / "k3_mobilenet.keras")
    xs, ys, _ = load_io("k3_mobilenet")
    assert_outputs_close(predict(model, xs), ys, rtol=1e-4, atol=1e-5)
    assert model.count_params() == 218544


def test_load_weights_from_full_model_h5(keras):
    """A full-model .h5 doubles as a weights file (the model_weights group)."""
    model = builders()["mlp"](keras)
    model.load_weights(FIXTURES / "tfk_mlp.h5")
    xs, ys, _ = load_io("tfk_mlp")
    assert_outputs_close(predict(model, xs), ys)


def test_load_weights_from_keras_archive(keras):
    model = builders()["multi"](keras)
    model.load_weights(FIXTURES / "k3_multi.keras")
    xs, ys, _ = load_io("k3_multi")
    assert_outputs_close(predict(model, xs), ys)
