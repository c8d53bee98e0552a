"""Fixtures for the last Keras 3.15 names: visualization, ReversibleEmbedding, MultiOptimizer, distillation.

Run: ``/opt/kref/bin/python compat/generate_fixtures.py breadth_k3`` (writes
``compat/fixtures/breadth_k3/``, TensorFlow backend):

* ``draw_masks.npz``: ``draw_segmentation_masks`` blended / painted / with a color mapping;
* ``reversible_embedding.npz``: forward and reverse calls (tied, untied, soft cap) with fixed weights;
* ``multi_optimizer.npz``: three ``fit`` steps of a two-layer model whose layers have an Adam and an
  SGD optimizer (``OptimizerMap`` regex), weights before and after, the optimizer's variables;
* ``distillation.npz``: ``LogitsDistillation`` / ``FeatureDistillation`` losses and two epochs of
  ``Distiller.fit`` (SGD) with their logs and the student's weights.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _masks(out: pathlib.Path, keras) -> None:
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (2, 5, 4, 3)).astype("float32")
    masks = rng.integers(-1, 4, (2, 5, 4, 1)).astype("int32")
    v = keras.visualization
    np.savez(out / "draw_masks.npz", images=images, masks=masks,
             blended=np.asarray(v.draw_segmentation_masks(images, masks, num_classes=4)),
             painted=np.asarray(v.draw_segmentation_masks(images, masks, num_classes=4, blend=False)),
             mapped=np.asarray(v.draw_segmentation_masks(
                 images, masks, num_classes=3, alpha=0.3,
                 color_mapping={0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255)})),
             inferred=np.asarray(v.draw_segmentation_masks(images, masks)))


def _reversible(out: pathlib.Path, keras) -> None:
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 7, (2, 3))
    hidden = rng.standard_normal((2, 3, 5)).astype("float32")
    a = {"ids": ids, "hidden": hidden}
    for name, kw in {"tied": {}, "untied": {"tie_weights": False}, "capped": {"logit_soft_cap": 2.0}}.items():
        layer = keras.layers.ReversibleEmbedding(7, 5, **kw)
        layer.build()
        for j, w in enumerate(layer.weights):
            w.assign(rng.standard_normal(tuple(w.shape)).astype("float32"))
            a[f"{name}_w{j}"] = np.asarray(w)
        a[f"{name}_fwd"] = np.asarray(layer(ids))
        a[f"{name}_rev"] = np.asarray(layer(hidden, reverse=True))
        a[f"{name}_config"] = np.array(str(sorted(layer.get_config().items())))
    np.savez(out / "reversible_embedding.npz", **a)


def _multi_optimizer(out: pathlib.Path, keras) -> None:
    rng = np.random.default_rng(5)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="encoder"),
                              keras.layers.Dense(2, name="head")])
    for w in model.weights:
        w.assign(rng.standard_normal(tuple(w.shape)).astype("float32") * 0.5)
    before = [np.asarray(w) for w in model.weights]
    omap = keras.optimizers.OptimizerMap(keras.optimizers.SGD(0.1, momentum=0.9), {".*encoder/.*": keras.optimizers.Adam(0.01)})
    optimizer = keras.optimizers.MultiOptimizer(omap)
    model.compile(optimizer=optimizer, loss="mse")
    x = rng.standard_normal((8, 4)).astype("float32")
    y = rng.standard_normal((8, 2)).astype("float32")
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    a = {"x": x, "y": y, "loss": np.array(history.history["loss"])}
    a.update({f"before_{i}": w for i, w in enumerate(before)})
    a.update({f"after_{i}": np.asarray(w) for i, w in enumerate(model.weights)})
    a["opt_names"] = np.array([v.path for v in optimizer.variables])
    a.update({f"opt_{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)})
    np.savez(out / "multi_optimizer.npz", **a)


def _distillation(out: pathlib.Path, keras) -> None:
    rng = np.random.default_rng(6)
    d = keras.distillation
    t = rng.standard_normal((4, 5)).astype("float32") * 2
    s = rng.standard_normal((4, 5)).astype("float32") * 2
    a = {"t": t, "s": s}
    a["logits_default"] = np.asarray(d.LogitsDistillation().compute_loss(t, s))
    a["logits_kl_object"] = np.asarray(d.LogitsDistillation(
        temperature=2.0, loss=keras.losses.KLDivergence()).compute_loss(t, s))
    a["logits_ce"] = np.asarray(d.LogitsDistillation(
        temperature=1.5, loss="categorical_crossentropy").compute_loss(t, s))
    a["feature_mse"] = np.asarray(d.FeatureDistillation().compute_loss(t, s))
    a["feature_cos"] = np.asarray(d.FeatureDistillation(loss="cosine_similarity").compute_loss(t, s))

    def build(name, units):
        inp = keras.Input((6,), name=f"{name}_in")
        h = keras.layers.Dense(units, activation="relu", name=f"{name}_hidden")(inp)
        f = keras.layers.Dense(4, name=f"{name}_features")(h)
        return keras.Model(inp, keras.layers.Dense(3, name=f"{name}_logits")(f), name=name)

    teacher, student = build("teacher", 8), build("student", 5)
    for m, prefix in ((teacher, "tw"), (student, "sw")):
        for i, w in enumerate(m.weights):
            w.assign(rng.standard_normal(tuple(w.shape)).astype("float32") * 0.5)
            a[f"{prefix}_{i}"] = np.asarray(w)
    distiller = d.Distiller(
        teacher, student,
        [d.LogitsDistillation(temperature=2.0),
         d.FeatureDistillation(teacher_layer_name="teacher_features", student_layer_name="student_features")],
        distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.3)
    distiller.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    x = rng.standard_normal((8, 6)).astype("float32")
    y = rng.integers(0, 3, (8,))
    history = distiller.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    a["x"], a["y"] = x, y
    a["log_keys"] = np.array(sorted(history.history))
    for k, v in history.history.items():
        a[f"log_{k}"] = np.array(v)
    for i, w in enumerate(student.weights):
        a[f"sw_after_{i}"] = np.asarray(w)
    a["evaluate"] = np.array(distiller.evaluate(x, y, verbose=0))
    a["distiller_config_keys"] = np.array(sorted(distiller.get_config()))
    np.savez(out / "distillation.npz", **a)


def generate(out: pathlib.Path) -> None:
    import keras

    _masks(out, keras)
    _reversible(out, keras)
    _multi_optimizer(out, keras)
    _distillation(out, keras)
