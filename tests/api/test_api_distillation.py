"""keras.distillation against Keras 3.15 (compat/fixtures/breadth_k3/distillation.npz)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import keras_torch as keras
from keras_torch import distillation as d

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "breadth_k3" / "distillation.npz"


@pytest.fixture(scope="module")
def ref():
    return dict(np.load(FIXTURE))


def test_losses_match_keras(ref):
    t, s = ref["t"], ref["s"]
    cases = {"logits_default": d.LogitsDistillation(),
             "logits_kl_object": d.LogitsDistillation(temperature=2.0, loss=keras.losses.KLDivergence()),
             "logits_ce": d.LogitsDistillation(temperature=1.5, loss="categorical_crossentropy"),
             "feature_mse": d.FeatureDistillation(), "feature_cos": d.FeatureDistillation(loss="cosine_similarity")}
    for key, loss in cases.items():
        np.testing.assert_allclose(float(loss.compute_loss(t, s)), float(ref[key]), rtol=1e-5, err_msg=key)
        again = type(loss).from_config(loss.get_config())
        np.testing.assert_allclose(float(again.compute_loss(t, s)), float(ref[key]), rtol=1e-5, err_msg=key)


def _build(name, units):
    inp = keras.Input((6,), name=f"{name}_in")
    h = keras.layers.Dense(units, activation="relu", name=f"{name}_hidden")(inp)
    f = keras.layers.Dense(4, name=f"{name}_features")(h)
    return keras.Model(inp, keras.layers.Dense(3, name=f"{name}_logits")(f), name=name)


def _distiller(ref):
    teacher, student = _build("teacher", 8), _build("student", 5)
    teacher.set_weights([ref[f"tw_{i}"] for i in range(6)])
    student.set_weights([ref[f"sw_{i}"] for i in range(6)])
    return d.Distiller(teacher, student, [d.LogitsDistillation(temperature=2.0), d.FeatureDistillation(
        teacher_layer_name="teacher_features", student_layer_name="student_features")],
        distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.3)


def test_distiller_fit_matches_keras(ref):
    distiller = _distiller(ref)
    distiller.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    history = distiller.fit(ref["x"], ref["y"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert sorted(history.history) == list(ref["log_keys"])
    for key in ref["log_keys"]:
        np.testing.assert_allclose(history.history[key], ref[f"log_{key}"], rtol=1e-5, err_msg=key)
    for i, w in enumerate(distiller.student.get_weights()):
        np.testing.assert_allclose(w, ref[f"sw_after_{i}"], atol=1e-6)
    for i, w in enumerate(distiller.teacher.get_weights()):  # the teacher stays frozen
        np.testing.assert_array_equal(w, ref[f"tw_{i}"])
    np.testing.assert_allclose(distiller.evaluate(ref["x"], ref["y"], verbose=0), ref["evaluate"], rtol=1e-5)
    np.testing.assert_allclose(distiller.predict(ref["x"], verbose=0),
                               distiller.student.predict(ref["x"], verbose=0), atol=1e-6)


def test_distiller_config_round_trip(ref):
    distiller = _distiller(ref)
    config = distiller.get_config()
    assert sorted(config) == list(ref["distiller_config_keys"])
    again = d.Distiller.from_config(config)
    assert [type(loss).__name__ for loss in again.distillation_losses] == ["LogitsDistillation",
                                                                        "FeatureDistillation"]
    assert again.distillation_losses[1].teacher_layer_name == "teacher_features"
    assert again.student_loss_weight == 0.3 and not again.teacher.trainable


def test_distiller_errors(ref):
    teacher, student = _build("teacher", 8), _build("student", 5)
    with pytest.raises(ValueError, match="student_loss_weight must be between 0.0 and 1.0"):
        d.Distiller(teacher, student, d.LogitsDistillation(), student_loss_weight=2)
    with pytest.raises(ValueError, match="'distillation_losses' cannot be `None`"):
        d.Distiller(teacher, student, None)
    with pytest.raises(ValueError, match="In teacher model: "):
        d.Distiller(teacher, student, d.FeatureDistillation(teacher_layer_name="nope"))
    other = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="Teacher and student input shapes are incompatible"):
        d.Distiller(teacher, other, d.LogitsDistillation())
    with pytest.raises(ValueError, match="temperature must be positive"):
        d.LogitsDistillation(temperature=0)
    with pytest.raises(ValueError, match="'loss' cannot be `None`"):
        d.Distiller(teacher, student, d.LogitsDistillation()).compile(optimizer="sgd")
    with pytest.raises(NotImplementedError, match="Subclasses must implement compute_loss"):
        d.DistillationLoss().compute_loss(1, 1)
