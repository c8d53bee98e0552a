"""Every keras.applications architecture against real Keras, from committed reference outputs.

Real Keras (Keras 3.15 and/or tf-keras 2.21) built each architecture with ``weights=None``, got the
deterministic weights of ``compat/app_cases.py`` (derived from each weight's Keras path and
position) and predicted the deterministic inputs (``compat/gen/applications.py``). keras_torch
builds the same architecture, must have the same weights in the same order and shapes, gets the same
values and must predict the same logits within the acceptance bound: the larger of 1e-4 x max|ref|
and twice real Keras's own float32 noise floor (its outputs with 2 vs 1 threads).

The default run takes one member of each family; ``KERAS_TORCH_EXHAUSTIVE=1`` runs all 71.
"""

from __future__ import annotations

import numpy as np
import pytest
from _app_helpers import app_cases, build, case_params, check_close, fixture, reference_weights

import keras_torch as keras


@pytest.mark.parametrize("name", case_params())
def test_architecture_matches_real_keras(name):
    case = app_cases.BY_NAME[name]
    fx = fixture(name)
    model = build(name)
    x = app_cases.inputs(case)
    for lib in case.libs:
        weights = reference_weights(fx, lib, name)
        assert [w.shape for w in model.get_weights()] == [w.shape for w in weights], (
            f"{name}: weight shapes/order differ from {lib}")
        model.set_weights(weights)
        check_close(model.predict(x, verbose=0), fx, lib, f"{name} vs {lib}")
        # The second call at a shape runs the inference-fused graph (models/fusion.py).
        check_close(model.predict(x, verbose=0), fx, lib, f"{name} vs {lib}, fused")


@pytest.mark.parametrize("name", case_params())
def test_case_weights_keep_float32_meaningful(name):
    """The comparison above means something only if float32 rounding does not decide the logits: the
    case's weights must give float32 outputs within 1e-4 (relative to max|y|) of float64 ones."""
    import torch

    case = app_cases.BY_NAME[name]
    fx = fixture(name)
    model = build(name)
    model.set_weights(reference_weights(fx, case.libs[0], name))
    x = app_cases.inputs(case)
    y32 = model.predict(x, verbose=0)
    with torch.no_grad():
        y64 = model.to(torch.float64)(torch.from_numpy(x.astype("float64")), training=False).numpy()
    rel = float(np.max(np.abs(y32 - y64)) / np.max(np.abs(y64)))
    assert rel < 1e-4, f"{name}: float32 vs float64 {rel:.2e} of max|y| (gain {case.gain})"


@pytest.mark.parametrize("name", case_params())
def test_weight_names_follow_keras(name):
    """Keras 3 paths (``layer/weight``) of every weight, in order; tf-keras for tf-keras-only models."""
    case = app_cases.BY_NAME[name]
    fx = fixture(name)
    lib = "k3" if "k3" in case.libs else "tfk"
    # "layer/weight"; Keras 3 prefixes NASNet's with name scopes ("reduction_A_block_stem_1/...").
    theirs = ["/".join(str(n).split(":")[0].split("/")[-2:]) for n in fx[f"{lib}_names"]]
    keras.backend.clear_session()  # real Keras built it in a fresh session: default names from the start
    mine = [f"{g.path.rsplit('/', 1)[-1]}/{n}" for g in build(name).keras_weight_groups() for n in g.names]
    # Keras 3 names LayerScale's unnamed weight after its attribute; only the layer part must agree.
    assert [m.rsplit("/", 1)[0] for m in mine] == [t.rsplit("/", 1)[0] for t in theirs]
    differ = [(m, t) for m, t in zip(mine, theirs) if m != t and "layer_scale" not in t]
    assert not differ, differ[:5]


def test_include_top_false_and_pooling():
    for pooling, shape in ((None, (None, 1, 1, 256)), ("avg", (None, 256)), ("max", (None, 256))):
        model = keras.applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25, weights=None, include_top=False,
                                             pooling=pooling)
        assert model.output_shape == shape
        assert model.name == "mobilenet_0.25_32"
    resnet = keras.applications.ResNet50(weights=None, include_top=False, pooling="max", input_shape=(64, 64, 3))
    assert resnet.layers[-1].name == "max_pool"
    assert resnet.output_shape == (None, 2048)


def test_input_tensor_and_unknown_size():
    inp = keras.Input((48, 48, 3), name="image")
    model = keras.applications.MobileNetV2(input_tensor=inp, weights=None, include_top=False, alpha=0.35)
    assert model.inputs[0] is inp
    free = keras.applications.EfficientNetB0(weights=None, include_top=False, pooling="avg")
    assert free.input_shape == (None, None, None, 3)
    out = free.predict(np.random.default_rng(0).uniform(0, 255, (1, 40, 56, 3)).astype("float32"), verbose=0)
    assert out.shape == (1, 1280)


def test_classes_and_classifier_activation():
    model = keras.applications.DenseNet121(weights=None, classes=5, input_shape=(32, 32, 3))
    probs = model.predict(np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32"), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert model.layers[-1].get_config()["activation"] == "softmax"


@pytest.mark.parametrize("call, message", [
    (lambda: keras.applications.VGG16(weights="imagenet", classes=10), "classes"),
    (lambda: keras.applications.VGG16(weights="/no/such/file.h5"), "weights"),
    (lambda: keras.applications.ResNet50(weights=None, input_shape=(16, 16, 3)), "at least 32x32"),
    (lambda: keras.applications.InceptionV3(weights=None, input_shape=(64, 64, 3)), "at least 75x75"),
    (lambda: keras.applications.Xception(weights=None, include_top=True, input_shape=(None, None, 3)), "static"),
    (lambda: keras.applications.MobileNet(weights="imagenet", alpha=0.3), "alpha"),
    (lambda: keras.applications.ResNet50(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
    (lambda: keras.applications.ResNetRS50(weights="imagenet-i999"), "imagenet-i160"),
])
def test_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_every_architecture_has_a_case():
    """71 architectures (Keras 3.15's 40 and tf-keras 2.21's 31 more), each a public constructor."""
    assert len(app_cases.CASES) == 71
    assert sum("k3" in c.libs for c in app_cases.CASES) == 40
    for case in app_cases.CASES:
        module = getattr(keras.applications, case.module)
        assert getattr(module, case.name) is getattr(keras.applications, case.name)
