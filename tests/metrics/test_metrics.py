"""Behaviour of keras_torch.metrics beyond the golden values: state, configs, resolution, devices."""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import pytest
import torch

import keras_torch.metrics as M
from keras_torch import activations

CUDA = pytest.mark.gpu  # skipped by tests/conftest.py without a CUDA device


def _instances() -> list[M.Metric]:
    return [
        M.Mean(), M.Sum(), M.Accuracy(), M.BinaryAccuracy(threshold=0.3), M.CategoricalAccuracy(),
        M.SparseCategoricalAccuracy(), M.TopKCategoricalAccuracy(k=2), M.SparseTopKCategoricalAccuracy(k=2),
        M.AUC(curve="PR", num_thresholds=10), M.AUC(thresholds=[0.2, 0.4]), M.Precision(thresholds=[0.2, 0.7]),
        M.Recall(top_k=2, class_id=1), M.TruePositives(), M.FalseNegatives(thresholds=0.3),
        M.SensitivityAtSpecificity(0.4), M.PrecisionAtRecall(0.3, num_thresholds=7), M.MeanSquaredError(),
        M.RootMeanSquaredError(), M.MeanAbsoluteError(), M.MeanAbsolutePercentageError(),
        M.MeanSquaredLogarithmicError(), M.CosineSimilarity(), M.LogCoshError(), M.R2Score(num_regressors=1),
        M.MeanIoU(num_classes=3, ignore_class=0), M.IoU(4, [1, 2]), M.BinaryIoU(threshold=0.2), M.OneHotIoU(3, [0]),
        M.OneHotMeanIoU(3), M.F1Score(average="macro"), M.FBetaScore(beta=2.0, threshold=0.4), M.Hinge(),
        M.KLDivergence(), M.BinaryCrossentropy(from_logits=True), M.CategoricalCrossentropy(label_smoothing=0.1),
        M.SparseCategoricalCrossentropy(ignore_class=2), M.PearsonCorrelation(axis=0),
        M.MeanMetricWrapper(M.binary_accuracy, name="ba", threshold=0.2),
    ]  # fmt: skip


@pytest.mark.parametrize("metric", _instances(), ids=lambda m: type(m).__name__)
def test_config_round_trip(metric: M.Metric) -> None:
    cfg = metric.get_config()
    again = type(metric).from_config(cfg)
    assert again.get_config() == cfg
    restored = M.deserialize(M.serialize(metric))
    assert type(restored) is type(metric) and restored.get_config() == cfg


def test_reset_state_and_result_type() -> None:
    m = M.BinaryAccuracy()
    m.update_state([[1.0], [0.0]], [[0.9], [0.8]])
    r = m.result()
    assert isinstance(r, torch.Tensor) and r.ndim == 0 and float(r) == 0.5
    m.reset_state()
    assert float(m.result()) == 0.0
    m.update_state([[1.0]], [[0.9]])
    assert float(m.result()) == 1.0
    m.reset_states()
    assert all(float(v.value.abs().sum()) == 0 for v in m.variables)


def test_call_updates_and_returns_result() -> None:
    m = M.Mean()
    assert float(m([1.0, 3.0])) == 2.0
    assert float(m([5.0], sample_weight=[2.0])) == pytest.approx(14 / 4)


def test_binary_accuracy_threshold_is_strict() -> None:
    assert float(M.binary_accuracy(torch.tensor([[1.0]]), torch.tensor([[0.5]])).sum()) == 0.0
    assert float(M.binary_accuracy(torch.tensor([[0.0]]), torch.tensor([[0.5]])).sum()) == 1.0


def test_update_state_does_not_track_gradients() -> None:
    y_pred = torch.rand(4, 3, requires_grad=True)
    m = M.CategoricalCrossentropy()
    m.update_state(torch.eye(3)[[0, 1, 2, 0]], activations.softmax(y_pred))
    assert not m.result().requires_grad


def test_state_stays_where_the_data_is() -> None:
    m = M.AUC()
    m.update_state(np.array([0, 1, 1]), np.array([0.2, 0.6, 0.9]))
    assert all(v.device.type == "cpu" for v in m.variables)
    assert float(m.result()) == 1.0


def test_custom_subclass_keras_style() -> None:
    class CountPositives(M.Metric):
        def __init__(self, name: str = "count_positives", **kwargs: Any) -> None:
            super().__init__(name=name, **kwargs)
            self.count = self.add_weight(shape=(), initializer="zeros", name="count")
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")

        def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
            y_pred = torch.as_tensor(y_pred)
            self.count.assign_add(torch.sum(y_pred > 0).float())
            self.total.assign_add(y_pred.numel())

        def result(self) -> torch.Tensor:
            return self.count / self.total

    m = CountPositives()
    m.update_state(None, torch.tensor([1.0, -1.0, 2.0, -3.0]))
    assert float(m.result()) == 0.5
    assert [v.name for v in m.variables] == ["count", "total"]
    m.reset_state()
    assert float(m.count) == 0.0
    m.count.assign(3.0)
    assert float(torch.sqrt(m.count.value)) == pytest.approx(3**0.5)


def test_nested_metric_variables_are_tracked() -> None:
    class Pair(M.Metric):
        def __init__(self) -> None:
            super().__init__(name="pair")
            self.a = M.Mean()
            self.b = M.Sum()

    assert len(Pair().variables) == 3


class TestResolve:
    @pytest.mark.parametrize(
        ("yt", "yp", "cls"),
        [
            ((8, 1), (8, 1), "BinaryAccuracy"),
            ((8,), (8, 1), "BinaryAccuracy"),
            ((8,), (8, 5), "SparseCategoricalAccuracy"),
            ((8, 1), (8, 5), "SparseCategoricalAccuracy"),
            ((8, 5), (8, 5), "CategoricalAccuracy"),
        ],
    )
    @pytest.mark.parametrize("ident", ["accuracy", "acc", "Accuracy"])
    def test_accuracy_rules(self, ident: str, yt: tuple, yp: tuple, cls: str) -> None:
        m = M.resolve_metric(ident, torch.zeros(yt), torch.zeros(yp))
        assert type(m).__name__ == cls and m.name == ident

    def test_names_and_wrapping(self) -> None:
        y = torch.zeros(4, 1)
        assert isinstance(M.resolve_metric("mse", y, y), M.MeanSquaredError)
        assert M.resolve_metric("mse", y, y).name == "mse"

        def my_metric(y_true: Any, y_pred: Any) -> torch.Tensor:
            return torch.abs(torch.as_tensor(y_true) - torch.as_tensor(y_pred)).mean(-1)

        m = M.resolve_metric(my_metric, y, y)
        assert isinstance(m, M.MeanMetricWrapper) and m.name == "my_metric"
        m.update_state(torch.ones(2, 1), torch.zeros(2, 1))
        assert float(m.result()) == 1.0
        inst = M.AUC(name="my_auc")
        assert M.resolve_metric(inst, y, y) is inst and inst.name == "my_auc"
        with pytest.raises(ValueError, match="Expected metric"):
            M.resolve_metric(None, y, y)

    def test_crossentropy_shorthand(self) -> None:
        m = M.resolve_metric("ce", torch.zeros(4, 1), torch.zeros(4, 1))
        assert isinstance(m, M.BinaryCrossentropy) and m.name == "ce"


def test_get_and_errors() -> None:
    assert isinstance(M.get("auc"), M.AUC)
    assert isinstance(M.get("binary_accuracy"), M.BinaryAccuracy)
    assert isinstance(M.get("acc"), M.Accuracy)
    assert M.get(M.binary_accuracy) is M.binary_accuracy
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        M.get("acuracy")
    with pytest.raises(ValueError, match="Could not interpret"):
        M.get(3)


# keras.metrics.get(<string>) in Keras 3.15.1: a new instance of the class (never the function), with its name.
_KERAS_GET = {
    "binary_accuracy": ("BinaryAccuracy", "binary_accuracy"), "accuracy": ("Accuracy", "accuracy"),
    "mae": ("MeanAbsoluteError", "mean_absolute_error"), "mse": ("MeanSquaredError", "mean_squared_error"),
    "msle": ("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"),
    "mape": ("MeanAbsolutePercentageError", "mean_absolute_percentage_error"),
    "categorical_accuracy": ("CategoricalAccuracy", "categorical_accuracy"),
    "sparse_top_k_categorical_accuracy": ("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy"),
    "binary_crossentropy": ("BinaryCrossentropy", "binary_crossentropy"), "hinge": ("Hinge", "hinge"),
    "kl_divergence": ("KLDivergence", "kl_divergence"), "cosine_similarity": ("CosineSimilarity", "cosine_similarity"),
    "r2_score": ("R2Score", "r2_score"), "F1Score": ("F1Score", "f1_score"), "Precision": ("Precision", "precision"),
    "MeanSquaredError": ("MeanSquaredError", "mean_squared_error"), "Mean": ("Mean", "mean"),
}


@pytest.mark.parametrize("identifier", sorted(_KERAS_GET))
def test_get_string_returns_a_new_instance_as_keras(identifier: str) -> None:
    first, second = M.get(identifier), M.get(identifier)
    assert isinstance(first, M.Metric) and first is not second
    class_name, name = _KERAS_GET[identifier]
    # Keras numbers the auto-named instances of a class (precision, precision_1...) as they are made.
    assert type(first).__name__ == class_name and re.fullmatch(rf"{name}(_\d+)?", first.name)


def test_every_class_documented_and_typed() -> None:
    for name in M.__all__:
        obj = getattr(M, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name


def test_argument_validation() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        M.Precision(thresholds=[1.5])
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        M.AUC(curve="XY")
    with pytest.raises(ValueError, match="beta"):
        M.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="average"):
        M.F1Score(average="samples")
    with pytest.raises(ValueError, match="2D"):
        M.F1Score().update_state(torch.zeros(3), torch.zeros(3))


@CUDA
def test_cuda_state_and_no_host_sync() -> None:
    dev = torch.device("cuda")
    n, c = 64, 5
    labels = torch.randint(0, c, (n,), device=dev)
    probs = activations.softmax(torch.randn(n, c, device=dev))
    onehot = torch.nn.functional.one_hot(labels, c).float()
    scores, binary = torch.rand(n, 1, device=dev), torch.randint(0, 2, (n, 1), device=dev).float()
    sw = torch.rand(n, device=dev)
    work = [
        (M.Mean(), (torch.rand(n, device=dev),)),
        (M.SparseCategoricalAccuracy(), (labels, probs)),
        (M.CategoricalAccuracy(), (onehot, probs)),
        (M.BinaryAccuracy(), (binary, scores)),
        (M.TopKCategoricalAccuracy(k=2), (onehot, probs)),
        (M.SparseTopKCategoricalAccuracy(k=2), (labels, probs)),
        (M.AUC(), (binary, scores)),
        (M.AUC(curve="PR", multi_label=True), (onehot, probs)),
        (M.Precision(), (binary, scores)),
        (M.Recall(top_k=2), (onehot, probs)),
        (M.MeanIoU(c), (labels, labels)),
        (M.F1Score(average="macro"), (onehot, probs)),
        (M.RootMeanSquaredError(), (onehot, probs)),
        (M.SparseCategoricalCrossentropy(), (labels, probs)),
        (M.CategoricalCrossentropy(), (onehot, probs)),
    ]
    for m, args in work:  # first update moves the state to the GPU
        m.update_state(*args)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for m, args in work:
            m.update_state(*args, sample_weight=None if isinstance(m, M.MeanIoU) else sw)
            res = m.result()
            assert res.device.type == "cuda", type(m).__name__
        for m, _ in work:
            assert all(v.device.type == "cuda" for v in m.variables), type(m).__name__
    finally:
        torch.cuda.set_sync_debug_mode("default")
