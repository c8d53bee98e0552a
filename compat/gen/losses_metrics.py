"""Golden values for ``keras_torch.losses`` / ``keras_torch.metrics`` computed with real Keras 3.

Run with the reference interpreter::

    /opt/kref/bin/python compat/generate_fixtures.py losses_metrics

Writes ``arrays.npz`` (inputs and expected outputs) and ``cases.json`` (what to compute), and
``ctc_circle.npz`` / ``ctc_circle.json`` (:func:`generate_ctc_circle`). Case kinds:

* ``loss``: ``keras.losses.<cls>(**config)(y_true, y_pred, sample_weight)`` -> ``expected``.
* ``loss_fn``: ``keras.losses.<fn>(y_true, y_pred, **kwargs)`` (unreduced) -> ``expected``.
* ``metric``: ``keras.metrics.<cls>(**config)``; ``update_state`` for each entry of ``updates``;
  ``expected`` holds ``result()`` after every update.
* ``resolve``: ``compile_utils.get_metric(identifier, y_true, y_pred)``: class, name, result.

``y_pred`` entries may be ``{"softmax": key}`` / ``{"sigmoid": key}``: the probabilities come from
``keras.activations.softmax/sigmoid`` applied to stored logits, so they carry ``_keras_logits``.
A ``mask`` key marks a ``_keras_mask`` attached to ``y_pred``.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from typing import Any

import numpy as np

SEED = 1234


class _Store:
    """Arrays saved once each (deduplicated by content) under keys ``a0``, ``a1``, ..."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._seen: dict[tuple, str] = {}

    def add(self, arr: Any) -> str:
        arr = np.asarray(arr)
        sig = (arr.dtype.str, arr.shape, hashlib.sha1(np.ascontiguousarray(arr).tobytes()).hexdigest())
        key = self._seen.get(sig)
        if key is None:
            key = self._seen[sig] = f"a{len(self.arrays)}"
            self.arrays[key] = arr
        return key


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "numpy"):
        obj = obj.numpy()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _data(rng: np.random.Generator) -> dict[str, np.ndarray]:
    f32 = np.float32
    n, c = 8, 5
    d: dict[str, np.ndarray] = {}
    d["reg_true"] = rng.normal(size=(n, 4)).astype(f32)
    d["reg_pred"] = rng.normal(size=(n, 4)).astype(f32)
    d["reg_true_pos"] = rng.uniform(0.0, 3.0, size=(n, 4)).astype(f32)
    d["reg_pred_pos"] = rng.uniform(0.01, 3.0, size=(n, 4)).astype(f32)
    d["reg_true_1d"] = rng.normal(size=(n,)).astype(f32)
    d["reg_pred_col"] = rng.normal(size=(n, 1)).astype(f32)
    d["sw_n"] = rng.uniform(0.0, 2.0, size=(n,)).astype(f32)
    d["sw_n1"] = rng.uniform(0.0, 2.0, size=(n, 1)).astype(f32)
    d["sw_n4"] = rng.uniform(0.0, 2.0, size=(n, 4)).astype(f32)
    d["mask_n"] = np.array([1, 1, 0, 1, 0, 1, 1, 1], dtype=bool)
    d["bin_true"] = rng.integers(0, 2, size=(n, 3)).astype(f32)
    d["bin_prob"] = rng.uniform(0.01, 0.99, size=(n, 3)).astype(f32)
    d["bin_logits"] = rng.normal(scale=3.0, size=(n, 3)).astype(f32)
    big = rng.normal(scale=3.0, size=(n, 3)).astype(f32)
    big[0, 0], big[1, 1], big[2, 2] = 25.0, -30.0, 40.0
    d["bin_logits_big"] = big
    d["bin_true_1d"] = rng.integers(0, 2, size=(n,)).astype(f32)
    d["bin_prob_col"] = rng.uniform(0.01, 0.99, size=(n, 1)).astype(f32)
    d["pm1_true"] = (2 * rng.integers(0, 2, size=(n, 3)) - 1).astype(f32)
    labels = rng.integers(0, c, size=(n,))
    d["cls_int"] = labels.astype(np.int64)
    d["cls_int_col"] = labels.reshape(n, 1).astype(np.int64)
    d["cls_onehot"] = np.eye(c, dtype=f32)[labels]
    d["cls_prob_raw"] = rng.uniform(0.05, 1.0, size=(n, c)).astype(f32)  # not normalised
    e = np.exp(d["cls_prob_raw"] * 3)
    d["cls_prob"] = (e / e.sum(-1, keepdims=True)).astype(f32)
    d["cls_logits"] = rng.normal(scale=2.0, size=(n, c)).astype(f32)
    lb = rng.normal(scale=2.0, size=(n, c)).astype(f32)
    lb[0, 0], lb[1, labels[1]], lb[2, (labels[2] + 1) % c] = 50.0, -40.0, 35.0
    d["cls_logits_big"] = lb
    ign = labels.copy()
    ign[[1, 4]] = 2
    d["cls_int_ign"] = ign.astype(np.int64)
    d["seq_int"] = rng.integers(0, c, size=(2, 4)).astype(np.int64)
    d["seq_onehot"] = np.eye(c, dtype=f32)[d["seq_int"]]
    d["seq_logits"] = rng.normal(size=(2, 4, c)).astype(f32)
    d["seq_sw"] = rng.uniform(0, 1, size=(2, 4)).astype(f32)
    d["seq_mask"] = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=bool)
    d["cf_logits"] = rng.normal(size=(2, c, 4)).astype(f32)  # classes on axis 1
    d["cf_onehot"] = np.moveaxis(np.eye(c, dtype=f32)[rng.integers(0, c, size=(2, 4))], -1, 1)
    tie = d["cls_prob"].copy()
    tie[3] = [0.2, 0.2, 0.2, 0.2, 0.2]
    tie[5, :3] = tie[5, labels[5]]
    d["cls_prob_ties"] = tie
    return d


def _loss_cases(keras: Any, st: _Store, d: dict[str, np.ndarray], cases: list) -> None:
    tf = __import__("tensorflow")

    def pred_value(spec: Any) -> Any:
        if isinstance(spec, dict):
            act = next(iter(spec))
            return getattr(keras.activations, act)(tf.constant(d[spec[act]]))
        return d[spec]

    def pred_ref(spec: Any) -> Any:
        if isinstance(spec, dict):
            act = next(iter(spec))
            return {act: st.add(d[spec[act]])}
        return st.add(d[spec])

    def loss(cls: str, config: dict, yt: str, yp: Any, sw: str | None = None, mask: str | None = None) -> None:
        obj = getattr(keras.losses, cls)(**config)
        y_pred = pred_value(yp)
        if mask is not None:
            y_pred = tf.identity(tf.constant(y_pred) if not tf.is_tensor(y_pred) else y_pred)
            keras.src.backend.set_keras_mask(y_pred, tf.constant(d[mask]))
        try:
            out, error = obj(d[yt], y_pred, sample_weight=None if sw is None else d[sw]), None
        except Exception as e:  # noqa: BLE001 - record that Keras rejects these inputs
            out, error = np.zeros(()), type(e).__name__
        cases.append(
            {
                "kind": "loss",
                "id": f"{cls}{config}|{yt}|{yp}|{sw}|{mask}",
                "cls": cls,
                "config": config,
                "keras_config": _jsonable(obj.get_config()),
                "y_true": st.add(d[yt]),
                "y_pred": pred_ref(yp),
                "sample_weight": None if sw is None else st.add(d[sw]),
                "mask": None if mask is None else st.add(d[mask]),
                "error": error,
                "expected": st.add(np.asarray(out)),
            }
        )

    def fn(name: str, kwargs: dict, yt: str, yp: Any) -> None:
        out = getattr(keras.losses, name)(d[yt], pred_value(yp), **kwargs)
        cases.append(
            {
                "kind": "loss_fn",
                "id": f"{name}{kwargs}|{yt}|{yp}",
                "fn": name,
                "kwargs": kwargs,
                "y_true": st.add(d[yt]),
                "y_pred": pred_ref(yp),
                "expected": st.add(np.asarray(out)),
            }
        )

    reductions = [{}, {"reduction": "sum"}, {"reduction": "none"}, {"reduction": None}, {"reduction": "mean"}]
    reg = [
        ("MeanSquaredError", "reg_true", "reg_pred"),
        ("MeanAbsoluteError", "reg_true", "reg_pred"),
        ("MeanAbsolutePercentageError", "reg_true", "reg_pred"),
        ("MeanSquaredLogarithmicError", "reg_true_pos", "reg_pred_pos"),
        ("LogCosh", "reg_true", "reg_pred"),
        ("Huber", "reg_true", "reg_pred"),
        ("CosineSimilarity", "reg_true", "reg_pred"),
        ("KLDivergence", "reg_true_pos", "reg_pred_pos"),
        ("Poisson", "reg_true_pos", "reg_pred_pos"),
        ("Hinge", "bin_true", "bin_logits"),
        ("SquaredHinge", "bin_true", "bin_logits"),
        ("CategoricalHinge", "cls_onehot", "cls_logits"),
        ("Dice", "bin_true", "bin_prob"),
        ("Tversky", "bin_true", "bin_prob"),
    ]
    for cls, yt, yp in reg:
        for cfg in reductions:
            loss(cls, cfg, yt, yp)
        loss(cls, {}, yt, yp, sw="sw_n")
        loss(cls, {"reduction": "sum"}, yt, yp, sw="sw_n1")
        loss(cls, {"reduction": "mean_with_sample_weight"}, yt, yp, sw="sw_n")
    loss("MeanSquaredError", {}, "reg_true", "reg_pred", sw="sw_n4")
    loss("MeanSquaredError", {}, "reg_true_1d", "reg_pred_col")
    loss("MeanSquaredError", {}, "reg_true_1d", "reg_pred_col", sw="sw_n")
    loss("MeanAbsoluteError", {"reduction": "none"}, "reg_true_1d", "reg_pred_col")
    loss("MeanSquaredError", {}, "reg_true", "reg_pred", mask="mask_n")
    loss("MeanSquaredError", {}, "reg_true", "reg_pred", sw="sw_n", mask="mask_n")
    loss("MeanSquaredError", {"reduction": "sum"}, "reg_true", "reg_pred", sw="sw_n", mask="mask_n")
    loss("Huber", {"delta": 0.5}, "reg_true", "reg_pred")
    loss("Huber", {"delta": 2.0, "reduction": "none"}, "reg_true", "reg_pred")
    loss("CosineSimilarity", {"axis": 0}, "reg_true", "reg_pred")
    loss("Hinge", {}, "pm1_true", "bin_logits")
    loss("SquaredHinge", {}, "pm1_true", "bin_logits")
    loss("Dice", {"axis": -1}, "bin_true", "bin_prob")
    loss("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": -1}, "bin_true", "bin_prob")
    loss("CategoricalGeneralizedCrossEntropy", {}, "cls_int", "cls_prob")
    loss("CategoricalGeneralizedCrossEntropy", {"q": 0.7}, "cls_int", "cls_prob", sw="sw_n")

    # Binary crossentropy family.
    for cfg in reductions:
        loss("BinaryCrossentropy", cfg, "bin_true", "bin_prob")
    loss("BinaryCrossentropy", {"from_logits": True}, "bin_true", "bin_logits")
    loss("BinaryCrossentropy", {"from_logits": True}, "bin_true", "bin_logits_big")
    loss("BinaryCrossentropy", {"label_smoothing": 0.1}, "bin_true", "bin_prob")
    loss("BinaryCrossentropy", {"label_smoothing": 0.2, "from_logits": True}, "bin_true", "bin_logits", sw="sw_n")
    loss("BinaryCrossentropy", {}, "bin_true", {"sigmoid": "bin_logits_big"})
    loss("BinaryCrossentropy", {"reduction": "none"}, "bin_true", {"sigmoid": "bin_logits_big"})
    loss("BinaryCrossentropy", {}, "bin_true_1d", "bin_prob_col")
    loss("BinaryCrossentropy", {"axis": 0, "reduction": "none"}, "bin_true", "bin_prob")
    for cfg in [
        {},
        {"apply_class_balancing": True},
        {"gamma": 3.0, "alpha": 0.4, "apply_class_balancing": True},
        {"from_logits": True},
        {"label_smoothing": 0.1, "reduction": "sum"},
    ]:
        yp = "bin_logits" if cfg.get("from_logits") else "bin_prob"
        loss("BinaryFocalCrossentropy", cfg, "bin_true", yp)
    loss("BinaryFocalCrossentropy", {}, "bin_true", {"sigmoid": "bin_logits_big"})
    loss("BinaryFocalCrossentropy", {"from_logits": True}, "bin_true", "bin_logits_big", sw="sw_n")

    # Categorical crossentropy family.
    for cfg in reductions:
        loss("CategoricalCrossentropy", cfg, "cls_onehot", "cls_prob")
    loss("CategoricalCrossentropy", {}, "cls_onehot", "cls_prob_raw")
    loss("CategoricalCrossentropy", {"from_logits": True}, "cls_onehot", "cls_logits")
    loss("CategoricalCrossentropy", {"from_logits": True}, "cls_onehot", "cls_logits_big")
    loss("CategoricalCrossentropy", {"label_smoothing": 0.2}, "cls_onehot", "cls_prob", sw="sw_n")
    loss("CategoricalCrossentropy", {"label_smoothing": 0.1, "from_logits": True}, "cls_onehot", "cls_logits")
    loss("CategoricalCrossentropy", {}, "cls_onehot", {"softmax": "cls_logits_big"})
    loss("CategoricalCrossentropy", {"reduction": "none"}, "cls_onehot", {"softmax": "cls_logits_big"})
    loss("CategoricalCrossentropy", {"from_logits": True}, "seq_onehot", "seq_logits", sw="seq_sw")
    loss("CategoricalCrossentropy", {"from_logits": True}, "seq_onehot", "seq_logits", mask="seq_mask")
    loss("CategoricalCrossentropy", {"from_logits": True, "axis": 1}, "cf_onehot", "cf_logits")
    loss("CategoricalCrossentropy", {"axis": 1, "reduction": "none"}, "cf_onehot", {"softmax": "cf_logits"})
    for cfg in [{}, {"gamma": 1.0, "alpha": 0.5}, {"from_logits": True}, {"label_smoothing": 0.1}]:
        yp = "cls_logits" if cfg.get("from_logits") else "cls_prob"
        loss("CategoricalFocalCrossentropy", cfg, "cls_onehot", yp)
    loss("CategoricalFocalCrossentropy", {"reduction": "none"}, "cls_onehot", {"softmax": "cls_logits_big"})

    for cfg in reductions:
        loss("SparseCategoricalCrossentropy", cfg, "cls_int", "cls_prob")
    loss("SparseCategoricalCrossentropy", {}, "cls_int_col", "cls_prob")
    loss("SparseCategoricalCrossentropy", {}, "cls_int", "cls_prob_raw")
    loss("SparseCategoricalCrossentropy", {"from_logits": True}, "cls_int", "cls_logits")
    loss("SparseCategoricalCrossentropy", {"from_logits": True}, "cls_int", "cls_logits_big", sw="sw_n")
    loss("SparseCategoricalCrossentropy", {}, "cls_int", {"softmax": "cls_logits_big"})
    loss("SparseCategoricalCrossentropy", {"reduction": "none"}, "cls_int_col", {"softmax": "cls_logits_big"})
    for cfg in [{"ignore_class": 2}, {"ignore_class": 2, "from_logits": True}, {"ignore_class": 2, "reduction": "none"}]:
        yp = "cls_logits" if cfg.get("from_logits") else "cls_prob"
        loss("SparseCategoricalCrossentropy", cfg, "cls_int_ign", yp)
        loss("SparseCategoricalCrossentropy", cfg, "cls_int_ign", yp, sw="sw_n")
    loss("SparseCategoricalCrossentropy", {"ignore_class": 2, "reduction": "sum"}, "cls_int_ign", "cls_prob")
    loss("SparseCategoricalCrossentropy", {"ignore_class": 2}, "cls_int_ign", {"softmax": "cls_logits_big"})
    loss("SparseCategoricalCrossentropy", {"from_logits": True}, "seq_int", "seq_logits", sw="seq_sw")
    loss("SparseCategoricalCrossentropy", {"from_logits": True}, "seq_int", "seq_logits", mask="seq_mask")

    # Plain functions (unreduced values).
    for name, yt, yp, kw in [
        ("mean_squared_error", "reg_true", "reg_pred", {}),
        ("mean_absolute_error", "reg_true", "reg_pred", {}),
        ("mean_absolute_percentage_error", "reg_true", "reg_pred", {}),
        ("mean_squared_logarithmic_error", "reg_true_pos", "reg_pred_pos", {}),
        ("cosine_similarity", "reg_true", "reg_pred", {}),
        ("huber", "reg_true", "reg_pred", {"delta": 0.7}),
        ("log_cosh", "reg_true", "reg_pred", {}),
        ("kl_divergence", "reg_true_pos", "reg_pred_pos", {}),
        ("poisson", "reg_true_pos", "reg_pred_pos", {}),
        ("hinge", "bin_true", "bin_logits", {}),
        ("squared_hinge", "pm1_true", "bin_logits", {}),
        ("categorical_hinge", "cls_onehot", "cls_logits", {}),
        ("binary_crossentropy", "bin_true", "bin_prob", {}),
        ("binary_crossentropy", "bin_true", "bin_logits", {"from_logits": True, "label_smoothing": 0.1}),
        ("binary_crossentropy", "bin_true", {"sigmoid": "bin_logits_big"}, {}),
        ("binary_focal_crossentropy", "bin_true", "bin_prob", {"gamma": 1.5}),
        ("categorical_crossentropy", "cls_onehot", "cls_prob_raw", {}),
        ("categorical_crossentropy", "cls_onehot", {"softmax": "cls_logits_big"}, {}),
        ("categorical_crossentropy", "cls_onehot", {"softmax": "cls_logits_big"}, {"from_logits": True}),
        ("categorical_focal_crossentropy", "cls_onehot", "cls_prob", {}),
        ("sparse_categorical_crossentropy", "cls_int", "cls_prob", {}),
        ("sparse_categorical_crossentropy", "cls_int", "cls_logits", {"from_logits": True}),
        ("sparse_categorical_crossentropy", "cls_int_ign", "cls_logits", {"from_logits": True, "ignore_class": 2}),
        ("dice", "bin_true", "bin_prob", {}),
        ("tversky", "bin_true", "bin_prob", {"alpha": 0.2, "beta": 0.8}),
    ]:
        fn(name, kw, yt, yp)


def _metric_cases(keras: Any, st: _Store, d: dict[str, np.ndarray], cases: list, rng: np.random.Generator) -> None:
    tf = __import__("tensorflow")
    f32 = np.float32

    def value(spec: Any) -> Any:
        if isinstance(spec, dict):
            act = next(iter(spec))
            return getattr(keras.activations, act)(tf.constant(spec[act]))
        return spec

    def ref(spec: Any) -> Any:
        if isinstance(spec, dict):
            act = next(iter(spec))
            return {act: st.add(spec[act])}
        return None if spec is None else st.add(spec)

    def metric(cls: str, config: dict, updates: list[tuple], tag: str = "") -> None:
        obj = getattr(keras.metrics, cls)(**config)
        results, refs = [], []
        for up in updates:
            yt, yp = up[0], up[1]
            sw = up[2] if len(up) > 2 else None
            if cls in ("Mean", "Sum"):
                obj.update_state(yt, sample_weight=sw)
            else:
                obj.update_state(yt, value(yp), sample_weight=sw)
            results.append(np.asarray(obj.result()))
            refs.append([ref(yt), ref(yp), ref(sw)])
        cases.append(
            {
                "kind": "metric",
                "id": f"{cls}{config}{tag}",
                "cls": cls,
                "config": config,
                "keras_config": _jsonable(obj.get_config()),
                "updates": refs,
                "expected": [st.add(r) for r in results],
            }
        )

    def batches(make: Any, k: int = 3) -> list[tuple]:
        return [make(i) for i in range(k)]

    def sw(i: int, n: int = 8) -> Any:
        return None if i == 0 else rng.uniform(0, 2, size=(n,)).astype(f32)

    # Reductions.
    metric("Mean", {}, batches(lambda i: (rng.normal(size=(8,)).astype(f32), None, sw(i))))
    metric("Mean", {}, batches(lambda i: (rng.normal(size=(8, 3)).astype(f32), None, sw(i))), "2d")
    metric("Mean", {}, [(rng.normal(size=(8, 3)).astype(f32), None, rng.uniform(size=(8, 3)).astype(f32))], "w2d")
    metric("Sum", {}, batches(lambda i: (rng.normal(size=(8, 3)).astype(f32), None, sw(i))))

    def binary(i: int) -> tuple:
        yp = rng.uniform(size=(8, 1)).astype(f32)
        yp[0, 0] = 0.5
        yp[1, 0] = 0.7
        return rng.integers(0, 2, size=(8, 1)).astype(f32), yp, sw(i)

    def onehot(i: int, c: int = 5) -> tuple:
        lab = rng.integers(0, c, size=(8,))
        return np.eye(c, dtype=f32)[lab], rng.uniform(size=(8, c)).astype(f32), sw(i)

    def sparse(i: int, c: int = 5, col: bool = False) -> tuple:
        lab = rng.integers(0, c, size=(8, 1) if col else (8,))
        return lab.astype(np.int64), rng.uniform(size=(8, c)).astype(f32), sw(i)

    metric("Accuracy", {}, batches(lambda i: (rng.integers(0, 3, size=(8,)), rng.integers(0, 3, size=(8,)), sw(i))))
    metric("BinaryAccuracy", {}, batches(binary))
    metric("BinaryAccuracy", {"threshold": 0.7}, batches(binary))
    metric("BinaryAccuracy", {}, [(d["bin_true_1d"], d["bin_prob_col"])], "1d")
    metric("CategoricalAccuracy", {}, batches(onehot))
    metric("CategoricalAccuracy", {}, [(d["cls_onehot"], d["cls_prob_ties"])], "ties")
    metric("SparseCategoricalAccuracy", {}, batches(sparse))
    metric("SparseCategoricalAccuracy", {}, batches(lambda i: sparse(i, col=True)), "col")
    metric("SparseCategoricalAccuracy", {}, [(d["seq_int"], d["seq_logits"], d["seq_sw"])], "seq")
    metric("TopKCategoricalAccuracy", {"k": 2}, batches(onehot))
    metric("TopKCategoricalAccuracy", {"k": 2}, [(d["cls_onehot"], d["cls_prob_ties"])], "ties")
    metric("SparseTopKCategoricalAccuracy", {"k": 2}, batches(sparse))
    metric("SparseTopKCategoricalAccuracy", {"k": 3}, [(d["cls_int"], d["cls_prob_ties"])], "ties")

    # Confusion-matrix metrics.
    def scores(i: int, shape: tuple = (16,)) -> tuple:
        yt = rng.integers(0, 2, size=shape).astype(f32)
        yp = np.clip(yt * 0.3 + rng.uniform(size=shape) * 0.7, 0, 1).astype(f32)
        yp.reshape(-1)[:2] = [0.0, 1.0]
        return yt, yp, None if i == 0 else rng.uniform(0, 2, size=shape[:1]).astype(f32)

    for cfg in [
        {},
        {"curve": "PR"},
        {"curve": "PR", "summation_method": "minoring"},
        {"summation_method": "majoring"},
        {"curve": "PRGAIN"},
        {"num_thresholds": 50},
        {"thresholds": [0.1, 0.35, 0.5, 0.8]},
        {"curve": "PR", "thresholds": [0.25, 0.5, 0.75]},
    ]:
        metric("AUC", cfg, batches(scores))
    metric("AUC", {"from_logits": True}, batches(lambda i: (scores(i)[0], rng.normal(size=(16,)).astype(f32))))
    multi = lambda i: scores(i, (8, 3))  # noqa: E731
    metric("AUC", {}, batches(multi), "pooled")
    metric("AUC", {"multi_label": True}, batches(multi))
    metric("AUC", {"multi_label": True, "num_labels": 3, "curve": "PR"}, batches(multi))
    metric("AUC", {"multi_label": True, "label_weights": [0.2, 0.5, 1.0]}, batches(multi))
    metric("AUC", {"label_weights": [0.2, 0.5, 1.0]}, batches(multi), "pooled_lw")
    metric("AUC", {"multi_label": True, "thresholds": [0.3, 0.6]}, batches(multi))
    for cls in ("Precision", "Recall"):
        metric(cls, {}, batches(scores))
        metric(cls, {"thresholds": [0.3, 0.5, 0.7]}, batches(scores))
        metric(cls, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, batches(scores), "even")
        metric(cls, {"top_k": 2}, batches(lambda i: onehot(i)))
        metric(cls, {"class_id": 1}, batches(lambda i: onehot(i)))
        metric(cls, {"top_k": 2, "class_id": 3}, batches(lambda i: onehot(i)))
        metric(cls, {}, batches(multi), "2d")
    for cls in ("TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"):
        metric(cls, {}, batches(scores))
        metric(cls, {"thresholds": [0.2, 0.6]}, batches(scores))
    metric("SensitivityAtSpecificity", {"specificity": 0.6}, batches(scores))
    metric("SpecificityAtSensitivity", {"sensitivity": 0.6, "num_thresholds": 20}, batches(scores))
    metric("PrecisionAtRecall", {"recall": 0.5}, batches(scores))
    metric("RecallAtPrecision", {"precision": 0.7}, batches(scores))
    metric("SensitivityAtSpecificity", {"specificity": 0.5, "class_id": 2}, batches(lambda i: onehot(i)))
    metric("SensitivityAtSpecificity", {"specificity": 0.5, "num_thresholds": 1}, batches(scores))

    # Regression / loss-valued metrics.
    def reg(i: int, pos: bool = False) -> tuple:
        if pos:
            return rng.uniform(0, 3, size=(8, 4)).astype(f32), rng.uniform(0.01, 3, size=(8, 4)).astype(f32), sw(i)
        return rng.normal(size=(8, 4)).astype(f32), rng.normal(size=(8, 4)).astype(f32), sw(i)

    for cls in (
        "MeanSquaredError",
        "RootMeanSquaredError",
        "MeanAbsoluteError",
        "MeanAbsolutePercentageError",
        "CosineSimilarity",
        "LogCoshError",
        "Hinge",
        "SquaredHinge",
    ):
        metric(cls, {}, batches(reg))
    for cls in ("MeanSquaredLogarithmicError", "KLDivergence", "Poisson"):
        metric(cls, {}, batches(lambda i: reg(i, pos=True)))
    metric("MeanSquaredError", {}, [(d["reg_true_1d"], d["reg_pred_col"], d["sw_n"])], "1d")
    metric("RootMeanSquaredError", {}, [(d["reg_true_1d"], d["reg_pred_col"], d["sw_n1"])], "1d")
    metric("CategoricalHinge", {}, batches(onehot))
    metric("PearsonCorrelation", {}, batches(reg))
    metric("ConcordanceCorrelation", {}, batches(reg))
    metric("PearsonCorrelation", {"axis": 0}, [reg(1)[:2]], "axis0")
    metric("ConcordanceCorrelation", {"axis": 0}, [reg(1)[:2]], "axis0")
    for cfg in [{}, {"class_aggregation": "variance_weighted_average"}, {"class_aggregation": None}]:
        metric("R2Score", cfg, batches(reg))
    metric("R2Score", {"num_regressors": 2}, [reg(1) for _ in range(3)])
    metric("BinaryCrossentropy", {}, batches(binary))
    metric("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, [(d["bin_true"], d["bin_logits"])])
    metric("BinaryCrossentropy", {}, [(d["bin_true"], {"sigmoid": d["bin_logits_big"]}, d["sw_n"])], "sigmoid")
    metric("CategoricalCrossentropy", {}, batches(onehot))
    metric("CategoricalCrossentropy", {}, [(d["cls_onehot"], {"softmax": d["cls_logits_big"]})], "softmax")
    metric("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, [(d["cls_onehot"], d["cls_logits"])])
    metric("SparseCategoricalCrossentropy", {}, batches(sparse))
    metric("SparseCategoricalCrossentropy", {"from_logits": True}, [(d["cls_int"], d["cls_logits_big"], d["sw_n"])])
    metric("SparseCategoricalCrossentropy", {"ignore_class": 2}, [(d["cls_int_ign"], d["cls_prob"])], "ign")
    metric("SparseCategoricalCrossentropy", {"ignore_class": 2}, [(d["cls_int_ign"], d["cls_prob"], d["sw_n"])], "ignw")

    # IoU and F-scores.
    def seg(i: int, onehot_true: bool = False, probs: bool = False) -> tuple:
        yt = rng.integers(0, 3, size=(4, 5))
        yt[0, 0] = 3  # out of range: skipped
        yp = rng.integers(0, 3, size=(4, 5))
        w = None if i == 0 else rng.integers(0, 3, size=(4, 5)).astype(np.int64)
        if onehot_true:
            yt = np.eye(4, dtype=f32)[yt][..., :3]
        if probs:
            yp = rng.uniform(size=(4, 5, 3)).astype(f32)
        return yt, yp, w

    metric("MeanIoU", {"num_classes": 3}, batches(seg))
    metric("MeanIoU", {"num_classes": 3, "ignore_class": 0}, batches(seg))
    metric("MeanIoU", {"num_classes": 3, "dtype": "float32"}, batches(seg), "f32")
    metric("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, batches(seg))
    metric("MeanIoU", {"num_classes": 3, "sparse_y_pred": False}, batches(lambda i: seg(i, probs=True)))
    metric("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}, batches(lambda i: seg(i, True, True)))
    metric("OneHotMeanIoU", {"num_classes": 3}, batches(lambda i: seg(i, True, True)))
    metric("BinaryIoU", {}, batches(lambda i: (scores(i)[0], scores(i)[1])))
    metric("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, batches(lambda i: (scores(i)[0], scores(i)[1])))

    def multilabel(i: int) -> tuple:
        yt = rng.integers(0, 2, size=(8, 4)).astype(f32)
        return yt, rng.uniform(size=(8, 4)).astype(f32), sw(i)

    for cfg in [{}, {"average": "micro"}, {"average": "macro"}, {"average": "weighted"}, {"threshold": 0.5}]:
        metric("F1Score", cfg, batches(multilabel))
    metric("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.4}, batches(multilabel))
    metric("FBetaScore", {"beta": 0.5}, batches(onehot))


def _metric_fn_cases(keras: Any, st: _Store, d: dict[str, np.ndarray], cases: list) -> None:
    for name, yt, yp, kw in [
        ("binary_accuracy", "bin_true", "bin_prob", {}),
        ("binary_accuracy", "bin_true", "bin_prob", {"threshold": 0.3}),
        ("categorical_accuracy", "cls_onehot", "cls_prob_ties", {}),
        ("sparse_categorical_accuracy", "cls_int", "cls_prob_ties", {}),
        ("sparse_categorical_accuracy", "cls_int_col", "cls_prob", {}),
        ("top_k_categorical_accuracy", "cls_onehot", "cls_prob_ties", {"k": 2}),
        ("sparse_top_k_categorical_accuracy", "cls_int", "cls_prob_ties", {"k": 2}),
        ("sparse_top_k_categorical_accuracy", "seq_int", "seq_logits", {"k": 3}),
        ("pearson_correlation", "reg_true", "reg_pred", {}),
        ("concordance_correlation", "reg_true", "reg_pred", {}),
    ]:
        out = getattr(keras.metrics, name)(d[yt], d[yp], **kw)
        cases.append(
            {
                "kind": "metric_fn",
                "id": f"{name}{kw}|{yt}|{yp}",
                "fn": name,
                "kwargs": kw,
                "y_true": st.add(d[yt]),
                "y_pred": st.add(d[yp]),
                "expected": st.add(np.asarray(out)),
            }
        )


def _resolve_cases(keras: Any, st: _Store, cases: list, rng: np.random.Generator) -> None:
    from keras.src.trainers import compile_utils

    f32 = np.float32
    combos = {
        "binary_col": ((8, 1), (8, 1)),
        "binary_1d_true": ((8,), (8, 1)),
        "sparse": ((8,), (8, 5)),
        "sparse_col": ((8, 1), (8, 5)),
        "categorical": ((8, 5), (8, 5)),
        "flat": ((8,), (8,)),
        "seq_sparse": ((2, 4), (2, 4, 5)),
        "seq_categorical": ((2, 4, 5), (2, 4, 5)),
    }

    def data(yts: tuple, yps: tuple) -> tuple[np.ndarray, np.ndarray]:
        yp = rng.uniform(size=yps).astype(f32)
        if yps[-1] == 1 or (yts == yps and len(yts) == 1):
            yt = rng.integers(0, 2, size=yts).astype(f32)
        elif len(yts) < len(yps) or (yts[-1] == 1 and yps[-1] > 1):
            yt = rng.integers(0, yps[-1], size=yts).astype(np.int64)
        else:
            yt = np.eye(yts[-1], dtype=f32)[rng.integers(0, yts[-1], size=yts[:-1])]
        return yt, yp

    idents: list[Any] = ["accuracy", "acc", "Accuracy", "ACC", "mse", "binary_accuracy", "auc", "AUC", "MeanSquaredError"]
    for combo, (yts, yps) in combos.items():
        yt, yp = data(yts, yps)
        for ident in idents:
            if ident not in ("accuracy", "acc", "Accuracy", "ACC") and combo not in ("binary_col", "categorical"):
                continue
            m = compile_utils.get_metric(ident, yt, yp)
            m.update_state(yt, yp)
            cases.append(
                {
                    "kind": "resolve",
                    "id": f"{ident}|{combo}",
                    "identifier": ident,
                    "y_true": st.add(yt),
                    "y_pred": st.add(yp),
                    "cls": type(m).__name__,
                    "name": m.name,
                    "expected": st.add(np.asarray(m.result())),
                }
            )
    yt, yp = data((8, 1), (8, 1))
    for fn_name in ("binary_accuracy", "mean_absolute_error", "binary_crossentropy"):
        m = compile_utils.get_metric(getattr(keras.metrics, fn_name), yt, yp)
        m.update_state(yt, yp)
        cases.append(
            {
                "kind": "resolve",
                "id": f"fn:{fn_name}",
                "identifier": {"function": fn_name},
                "y_true": st.add(yt),
                "y_pred": st.add(yp),
                "cls": type(m).__name__,
                "name": m.name,
                "expected": st.add(np.asarray(m.result())),
            }
        )
    for ident in ("crossentropy", "ce"):
        for combo in ("binary_col", "sparse", "categorical"):
            yts, yps = combos[combo]
            yt, yp = data(yts, yps)
            loss = compile_utils.get_loss(ident, yt, yp)
            cases.append(
                {
                    "kind": "resolve_loss",
                    "id": f"loss:{ident}|{combo}",
                    "identifier": ident,
                    "y_true": st.add(yt),
                    "y_pred": st.add(yp),
                    "fn": loss.fn.__name__,
                    "name": loss.name,
                    "expected": st.add(np.asarray(loss(yt, yp))),
                }
            )


def _names(keras: Any) -> dict[str, Any]:
    import keras.src.losses as kl
    import keras.src.metrics as km

    out: dict[str, Any] = {"losses": {}, "metrics": {}}
    for key, obj in sorted(kl.ALL_OBJECTS_DICT.items()):
        out["losses"][key] = obj.__name__
    for key, obj in sorted(km.ALL_OBJECTS_DICT.items()):
        out["metrics"][key] = obj.__name__
    out["serialize"] = {
        "CategoricalCrossentropy": _jsonable(keras.losses.serialize(keras.losses.CategoricalCrossentropy(from_logits=True))),
        "categorical_crossentropy": _jsonable(keras.losses.serialize(keras.losses.categorical_crossentropy)),
        "AUC": _jsonable(keras.metrics.serialize(keras.metrics.AUC(name="auc"))),
    }
    errors: dict[str, str] = {}
    for key, call in {
        "cce_int_labels": lambda: keras.losses.CategoricalCrossentropy()(np.array([1, 2]), np.full((2, 3), 1 / 3)),
        "cce_col_labels": lambda: keras.losses.CategoricalCrossentropy()(np.array([[1], [2]]), np.full((2, 3), 1 / 3)),
        "metric_crossentropy": lambda: keras.src.trainers.compile_utils.get_metric("crossentropy", None, None),
    }.items():
        try:
            call()
            errors[key] = ""
        except Exception as e:  # noqa: BLE001 - record whatever Keras raises
            errors[key] = f"{type(e).__name__}: {e}"
    out["errors"] = errors
    return out


def generate_ctc_circle(keras: Any, out_dir: pathlib.Path) -> None:
    """``ctc_circle.npz`` + ``ctc_circle.json``: the CTC and Circle losses (functions and classes)."""
    rng = np.random.default_rng(SEED + 16)
    f32 = np.float32
    emb = rng.normal(size=(8, 5)).astype(f32)
    ref = rng.normal(size=(6, 5)).astype(f32)
    d = {
        "ctc_labels": np.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 3, 1, 3]], dtype=np.int32),
        "ctc_logits": rng.normal(scale=2.0, size=(3, 7, 4)).astype(f32),
        "ctc_sw": np.array([0.5, 1.0, 2.0], dtype=f32),
        "circle_labels": np.array([0, 1, 0, 2, 1, 0, 2, 3], dtype=np.int32),  # label 3: no positive pair
        "circle_emb": (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(f32),
        "circle_ref_labels": np.array([0, 1, 2, 0, 1, 2], dtype=np.int32),
        "circle_ref_emb": (ref / np.linalg.norm(ref, axis=1, keepdims=True)).astype(f32),
        "circle_sw": rng.uniform(0.0, 2.0, size=(8,)).astype(f32),
    }
    cases: list[dict[str, Any]] = []

    def add(kind: str, name: str, args: dict, yt: str, yp: str, sw: str | None = None, refs: tuple = ()) -> None:
        if kind == "fn":
            extra = {"ref_labels": d[refs[0]], "ref_embeddings": d[refs[1]]} if refs else {}
            out = getattr(keras.losses, name)(d[yt], d[yp], **args, **extra)
        else:
            obj = getattr(keras.losses, name)(**args)
            out = obj(d[yt], d[yp], sample_weight=None if sw is None else d[sw])
        key = f"expected_{len(cases)}"
        d[key] = np.asarray(out)
        cases.append({"kind": kind, "name": name, "args": args, "y_true": yt, "y_pred": yp, "sample_weight": sw,
                      "refs": list(refs), "expected": key,
                      "keras_config": _jsonable(obj.get_config()) if kind == "cls" else None})

    add("fn", "ctc", {}, "ctc_labels", "ctc_logits")
    for cfg in ({}, {"reduction": "sum"}, {"reduction": None}, {"name": "my_ctc"}):
        add("cls", "CTC", cfg, "ctc_labels", "ctc_logits")
    add("cls", "CTC", {}, "ctc_labels", "ctc_logits", sw="ctc_sw")
    add("fn", "circle", {}, "circle_labels", "circle_emb")
    add("fn", "circle", {"gamma": 40.0, "margin": 0.25, "remove_diagonal": False}, "circle_labels", "circle_emb")
    add("fn", "circle", {}, "circle_labels", "circle_emb", refs=("circle_ref_labels", "circle_ref_emb"))
    for cfg in ({}, {"reduction": "sum"}, {"reduction": "none"}, {"gamma": 16.0, "margin": 0.1}):
        add("cls", "Circle", cfg, "circle_labels", "circle_emb")
    add("cls", "Circle", {"remove_diagonal": False}, "circle_labels", "circle_emb", sw="circle_sw")
    np.savez_compressed(out_dir / "ctc_circle.npz", **d)
    (out_dir / "ctc_circle.json").write_text(json.dumps(cases, indent=0, sort_keys=True))
    print(f"  {len(cases)} CTC / Circle cases")


def generate(out_dir: pathlib.Path) -> None:
    """Compute every case with real Keras and write ``arrays.npz`` + ``cases.json``."""
    import keras
    import keras.src.trainers.compile_utils  # noqa: F401 - used via attribute access

    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    st = _Store()
    d = _data(rng)
    cases: list[dict[str, Any]] = []
    _loss_cases(keras, st, d, cases)
    _metric_cases(keras, st, d, cases, rng)
    _metric_fn_cases(keras, st, d, cases)
    _resolve_cases(keras, st, cases, rng)
    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "epsilon": keras.config.epsilon()}
    payload = {"meta": meta, "names": _names(keras), "cases": cases}
    np.savez_compressed(out_dir / "arrays.npz", **st.arrays)
    (out_dir / "cases.json").write_text(json.dumps(_jsonable(payload), indent=0, sort_keys=True))
    generate_ctc_circle(keras, out_dir)
    kinds: dict[str, int] = {}
    for c in cases:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    print(f"  {len(cases)} cases {kinds}, {len(st.arrays)} arrays")
