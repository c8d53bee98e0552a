"""Behaviour of keras_torch.losses beyond the golden values: logits path, errors, configs, devices."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import keras_torch.losses as L
from keras_torch import activations, config

CUDA = pytest.mark.gpu  # skipped by tests/conftest.py without a CUDA device


def _logits(n: int = 6, c: int = 4, scale: float = 30.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return (torch.randn(n, c, generator=g) * scale).requires_grad_(True)


class TestLogitsPath:
    def test_softmax_output_uses_logits(self) -> None:
        logits = _logits()
        labels = torch.tensor([0, 1, 2, 3, 0, 1])
        probs = activations.softmax(logits)
        assert probs._keras_logits is logits and probs._keras_logits_kind == "softmax"
        onehot = F.one_hot(labels, 4).float()
        ref = F.cross_entropy(logits, labels)
        torch.testing.assert_close(L.CategoricalCrossentropy()(onehot, probs), ref)
        torch.testing.assert_close(L.SparseCategoricalCrossentropy()(labels, probs), ref)
        # The clipped probability path saturates at -log(eps) for such extreme logits.
        clipped = L.SparseCategoricalCrossentropy()(labels, probs.detach().clone())
        assert clipped < ref.detach()
        assert float(L.sparse_categorical_crossentropy(labels, probs.detach().clone()).max()) <= -np.log(1e-7) + 1

    def test_gradient_flows_to_logits(self) -> None:
        logits = _logits(scale=5.0)
        labels = torch.tensor([0, 1, 2, 3, 0, 1])
        L.SparseCategoricalCrossentropy()(labels, activations.softmax(logits)).backward()
        got = logits.grad.clone()
        logits.grad = None
        F.cross_entropy(logits, labels).backward()
        torch.testing.assert_close(got, logits.grad)

    def test_sigmoid_output_uses_logits(self) -> None:
        logits = _logits(scale=40.0)
        target = (torch.arange(24).reshape(6, 4) % 2).float()
        probs = activations.sigmoid(logits)
        ref = F.binary_cross_entropy_with_logits(logits, target)
        torch.testing.assert_close(L.BinaryCrossentropy()(target, probs), ref)
        assert L.BinaryCrossentropy()(target, probs.detach().clone()) < ref

    def test_kind_mismatch_falls_back_to_probabilities(self) -> None:
        logits = _logits(scale=40.0)
        target = torch.eye(4)[[0, 1, 2, 3, 0, 1]]
        sig = activations.sigmoid(logits)  # sigmoid probabilities into a categorical loss
        plain = sig.detach().clone()
        torch.testing.assert_close(L.categorical_crossentropy(target, sig), L.categorical_crossentropy(target, plain))
        soft = activations.softmax(logits)
        plain = soft.detach().clone()
        torch.testing.assert_close(L.binary_crossentropy(target, soft), L.binary_crossentropy(target, plain))

    def test_softmax_other_axis_has_no_logits(self) -> None:
        probs = activations.softmax(_logits(), axis=0)
        assert getattr(probs, "_keras_logits", None) is None

    def test_from_logits_true_on_softmax_output_warns_and_uses_logits(self) -> None:
        logits = _logits()
        labels = torch.tensor([0, 1, 2, 3, 0, 1])
        with pytest.warns(UserWarning, match="from_logits=True"):
            out = L.SparseCategoricalCrossentropy(from_logits=True)(labels, activations.softmax(logits))
        torch.testing.assert_close(out, F.cross_entropy(logits, labels))

    def test_ignore_class_drops_logits_like_keras(self) -> None:
        logits = _logits()
        labels = torch.tensor([0, 9, 2, 9, 0, 1])
        probs = activations.softmax(logits)
        got = L.SparseCategoricalCrossentropy(ignore_class=9)(labels, probs)
        ref = L.SparseCategoricalCrossentropy(ignore_class=9)(labels, probs.detach().clone())
        torch.testing.assert_close(got, ref)


class TestErrors:
    def test_unknown_name_suggests(self) -> None:
        with pytest.raises(ValueError) as e:
            L.get("categorial_crossentropy")
        assert str(e.value) == (
            "Unknown loss function: 'categorial_crossentropy'. Did you mean 'categorical_crossentropy'?"
        )

    @pytest.mark.parametrize("y_true", [torch.tensor([1, 2, 0, 3]), torch.tensor([[1], [2], [0], [3]])])
    def test_integer_labels_to_categorical_crossentropy(self, y_true: torch.Tensor) -> None:
        y_pred = torch.full((4, 10), 0.1)
        with pytest.raises(ValueError) as e:
            L.CategoricalCrossentropy()(y_true, y_pred)
        msg = str(e.value)
        assert "sparse_categorical_crossentropy" in msg
        assert f"target.shape={tuple(y_true.shape)}" in msg and "output.shape=(4, 10)" in msg
        with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
            L.get("categorical_crossentropy")(y_true, y_pred)

    def test_bad_reduction(self) -> None:
        with pytest.raises(ValueError, match="reduction"):
            L.MeanSquaredError(reduction="avg")

    def test_sparse_axis(self) -> None:
        with pytest.raises(ValueError, match="axis=-1"):
            L.sparse_categorical_crossentropy(torch.zeros(2, 3, dtype=torch.long), torch.rand(2, 4, 3), axis=1)

    def test_bool_axis(self) -> None:
        with pytest.raises(ValueError, match="axis"):
            L.categorical_crossentropy(torch.eye(3), torch.eye(3), axis=True)

    def test_generalized_ce_q(self) -> None:
        with pytest.raises(ValueError, match="q must be"):
            L.CategoricalGeneralizedCrossEntropy(q=1.5)


ALL_CLASSES = [
    L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1, reduction="sum", name="b"),
    L.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0),
    L.CategoricalCrossentropy(axis=1, reduction=None),
    L.CategoricalFocalCrossentropy(alpha=0.5),
    L.SparseCategoricalCrossentropy(ignore_class=0, reduction="mean_with_sample_weight"),
    L.MeanSquaredError(),
    L.MeanAbsoluteError(),
    L.MeanAbsolutePercentageError(),
    L.MeanSquaredLogarithmicError(),
    L.CosineSimilarity(),
    L.Huber(),
    L.LogCosh(),
    L.Hinge(),
    L.SquaredHinge(),
    L.CategoricalHinge(),
    L.KLDivergence(),
    L.Poisson(),
    L.Dice(axis=-1),
    L.Tversky(alpha=0.1, beta=0.9),
    L.CategoricalGeneralizedCrossEntropy(q=0.3),
]


@pytest.mark.parametrize("loss", ALL_CLASSES, ids=lambda x: type(x).__name__)
def test_config_round_trip(loss: L.Loss) -> None:
    cfg = loss.get_config()
    again = type(loss).from_config(cfg)
    assert again.get_config() == cfg
    restored = L.deserialize(L.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == cfg
    assert L.get({"class_name": type(loss).__name__, "config": cfg}).get_config() == cfg


def test_get_forms() -> None:
    assert L.get(None) is None
    assert L.get("mse") is L.mean_squared_error is L.get("MSE")
    assert L.get("logcosh") is L.log_cosh
    assert isinstance(L.get("CategoricalCrossentropy"), L.CategoricalCrossentropy)
    inst = L.Huber()
    assert L.get(inst) is inst
    with pytest.raises(ValueError, match="Could not interpret"):
        L.get(3)


def test_function_wrapper_config_round_trip() -> None:
    w = L.LossFunctionWrapper(L.huber, name="h", delta=0.3)
    cfg = w.get_config()
    assert cfg["fn"] == "huber" and cfg["delta"] == 0.3
    w2 = L.LossFunctionWrapper.from_config(cfg)
    assert w2.fn is L.huber and w2._fn_kwargs == {"delta": 0.3}


def test_resolve_loss_wraps_functions() -> None:
    y_true, y_pred = torch.zeros(4, dtype=torch.long), torch.rand(4, 3)
    loss = L.resolve_loss("sparse_categorical_crossentropy", y_true, y_pred)
    assert isinstance(loss, L.LossFunctionWrapper) and loss.name == "sparse_categorical_crossentropy"
    assert loss._integer_labels
    custom = L.resolve_loss(lambda yt, yp: (yt - yp).abs().mean(-1), y_pred, y_pred)
    assert custom.name == "lambda"  # Keras snake-cases the function name
    inst = L.MeanSquaredError(name="m")
    assert L.resolve_loss(inst, y_pred, y_pred) is inst
    assert L.resolve_loss(None, y_pred, y_pred) is None


def test_numpy_and_lists_work_without_device() -> None:
    out = L.MeanSquaredError()([[0.0, 1.0], [2.0, 3.0]], np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float32))
    assert isinstance(out, torch.Tensor) and out.ndim == 0
    torch.testing.assert_close(out, torch.tensor(3.5))
    out = L.SparseCategoricalCrossentropy(from_logits=True)(np.array([0, 1]), np.zeros((2, 3), np.float32))
    torch.testing.assert_close(out, torch.tensor(np.log(3.0), dtype=torch.float32))


def test_integer_label_dtypes_agree() -> None:
    logits = torch.randn(5, 4)
    ref = L.SparseCategoricalCrossentropy(from_logits=True)(torch.tensor([0, 1, 2, 3, 1]), logits)
    for dt in (torch.int32, torch.uint8, torch.float32):
        labels = torch.tensor([0, 1, 2, 3, 1]).to(dt)
        torch.testing.assert_close(L.SparseCategoricalCrossentropy(from_logits=True)(labels, logits), ref)


def test_reductions_and_weights() -> None:
    yt, yp = torch.zeros(4, 2), torch.ones(4, 2) * torch.arange(4.0).unsqueeze(1)
    sw = torch.tensor([1.0, 0.0, 2.0, 1.0])
    per = torch.tensor([0.0, 1.0, 4.0, 9.0])
    torch.testing.assert_close(L.MeanSquaredError(reduction="none")(yt, yp), per)
    torch.testing.assert_close(L.MeanSquaredError(reduction="sum")(yt, yp, sw), (per * sw).sum())
    torch.testing.assert_close(L.MeanSquaredError()(yt, yp, sw), (per * sw).sum() / 4)  # divides by count
    torch.testing.assert_close(L.MeanSquaredError(reduction="mean_with_sample_weight")(yt, yp, sw), (per * sw).sum() / 4)


def test_mixed_precision_inputs_compute_in_float32() -> None:
    logits = torch.randn(3, 5).to(torch.bfloat16)
    out = L.CategoricalCrossentropy(from_logits=True)(torch.eye(5)[:3], logits)
    assert out.dtype == torch.float32


def test_epsilon_is_read_at_call_time() -> None:
    old = config.epsilon()
    try:
        config.set_epsilon(1e-3)
        out = L.binary_crossentropy(torch.ones(1, 1), torch.zeros(1, 1))
        torch.testing.assert_close(out, torch.tensor([-np.log(1e-3)], dtype=torch.float32))
    finally:
        config.set_epsilon(old)


def test_one_class_warning() -> None:
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        L.categorical_crossentropy(torch.ones(2, 1), torch.ones(2, 1))


@CUDA
def test_cuda_no_host_sync() -> None:
    dev = torch.device("cuda")
    logits = torch.randn(64, 10, device=dev, requires_grad=True)
    labels = torch.randint(0, 10, (64,), device=dev)
    onehot = F.one_hot(labels, 10).float()
    sw = torch.rand(64, device=dev)
    losses = [
        (L.SparseCategoricalCrossentropy(), labels, activations.softmax(logits)),
        (L.SparseCategoricalCrossentropy(ignore_class=3), labels, activations.softmax(logits)),
        (L.CategoricalCrossentropy(label_smoothing=0.1), onehot, activations.softmax(logits)),
        (L.BinaryCrossentropy(), onehot, activations.sigmoid(logits)),
        (L.MeanSquaredError(), onehot, logits),
        (L.Hinge(), onehot, logits),
    ]
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for loss, yt, yp in losses:
            out = loss(yt, yp, sample_weight=sw)
            assert out.device.type == "cuda"
    finally:
        torch.cuda.set_sync_debug_mode("default")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out.backward()
