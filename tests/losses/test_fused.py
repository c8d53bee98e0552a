"""The fused crossentropy path of compiled losses against the general (reference) path."""

from __future__ import annotations

import pytest
import torch

from keras_torch import activations, losses
from keras_torch.losses import _fused
from keras_torch.trainers.compile_utils import CompileLoss


def _inputs(kind: str, gen: torch.Generator):
    logits = torch.randn(16, 5, generator=gen) * 4
    if kind == "binary":
        y = (torch.rand(16, 5, generator=gen) > 0.5).float()
        return y, activations.sigmoid(logits), logits
    if kind == "sparse":
        return torch.randint(0, 5, (16,), generator=gen), activations.softmax(logits), logits
    y = torch.softmax(torch.randn(16, 5, generator=gen), -1)  # soft labels are allowed
    return y, activations.softmax(logits), logits


CASES = [
    ("categorical_crossentropy", "categorical", False),
    ("sparse_categorical_crossentropy", "sparse", False),
    ("binary_crossentropy", "binary", False),
    (losses.CategoricalCrossentropy(from_logits=True), "categorical", True),
    (losses.SparseCategoricalCrossentropy(from_logits=True), "sparse", True),
    (losses.BinaryCrossentropy(from_logits=True), "binary", True),
]


@pytest.mark.parametrize("spec,kind,from_logits", CASES, ids=lambda v: getattr(v, "name", str(v)))
def test_fused_equals_general_path(spec, kind, from_logits):
    gen = torch.Generator().manual_seed(0)
    y, probs, logits = _inputs(kind, gen)
    pred = logits if from_logits else probs
    cl = CompileLoss(spec, None, ["out"])
    total, _ = cl(y, pred)
    assert cl._fused is not None
    reference = losses.get(spec) if not isinstance(spec, str) else losses.resolve_loss(spec, y, pred)
    expected = reference(y, pred)  # Loss.__call__: the general path
    torch.testing.assert_close(total, expected, rtol=1e-6, atol=1e-6)
    # gradients agree too
    lg = logits.clone().requires_grad_(True)
    p = lg if from_logits else (activations.softmax(lg) if kind != "binary" else activations.sigmoid(lg))
    g_fused = torch.autograd.grad(cl(y, p)[0], lg)[0]
    lg2 = logits.clone().requires_grad_(True)
    p2 = lg2 if from_logits else (activations.softmax(lg2) if kind != "binary" else activations.sigmoid(lg2))
    g_ref = torch.autograd.grad(reference(y, p2), lg2)[0]
    torch.testing.assert_close(g_fused, g_ref, rtol=1e-5, atol=1e-7)


def _counting(cl: CompileLoss, calls: list) -> None:
    inner = cl._fused

    def f(y_true, y_pred):
        out = inner(y_true, y_pred)
        calls.append(out is not None)
        return out

    cl._fused = f


def test_fused_path_is_taken_and_skipped_when_it_must_be():
    gen = torch.Generator().manual_seed(1)
    y, probs, _ = _inputs("categorical", gen)
    cl = CompileLoss("categorical_crossentropy", None, ["out"])
    cl(y, probs)  # resolves the loss
    calls: list = []
    _counting(cl, calls)
    cl(y, probs)
    assert calls == [True]
    cl(y, probs, sample_weight=torch.ones(16))  # sample weights: general path, fused not even tried
    assert calls == [True]
    cl(y, probs.detach().clone())  # plain probabilities (no logits attached): Keras clips, general path
    cl(y.double(), probs)  # other dtypes: general path
    seq = torch.softmax(torch.randn(2, 3, 5, generator=gen), -1)
    total, _ = cl(torch.softmax(torch.randn(2, 3, 5, generator=gen), -1), seq)  # rank 3: general path
    assert calls == [True, False, False, False] and torch.isfinite(total)
    for spec in (losses.CategoricalCrossentropy(label_smoothing=0.1), losses.CategoricalCrossentropy(reduction="sum")):
        assert _fused.fused_for(spec) is None


def test_nan_logits_stay_nan():
    cl = CompileLoss("categorical_crossentropy", None, ["out"])
    logits = torch.tensor([[float("nan"), 0.0]])
    total, _ = cl(torch.tensor([[1.0, 0.0]]), activations.softmax(logits))
    assert torch.isnan(total)
