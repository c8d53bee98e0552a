"""CTC and Circle losses against Keras 3 values (``compat/fixtures/losses_metrics/ctc_circle.*``).

Regenerate: ``/opt/kref/bin/python compat/generate_fixtures.py losses_metrics``.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch

from keras_torch import losses

FIX = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "losses_metrics"
if not (FIX / "ctc_circle.json").exists():
    pytest.skip("ctc_circle fixtures not generated", allow_module_level=True)
CASES = json.loads((FIX / "ctc_circle.json").read_text())
ARR = dict(np.load(FIX / "ctc_circle.npz"))


def _t(key):
    return None if key is None else torch.as_tensor(ARR[key])


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}{c['args']}{c['sample_weight'] or ''}{c['refs']}"
                                             for c in CASES])
def test_matches_keras(case):
    yt, yp = _t(case["y_true"]), _t(case["y_pred"])
    if case["kind"] == "fn":
        refs = case["refs"]
        extra = {"ref_labels": _t(refs[0]), "ref_embeddings": _t(refs[1])} if refs else {}
        out = getattr(losses, case["name"])(yt, yp, **case["args"], **extra)
    else:
        obj = getattr(losses, case["name"])(**case["args"])
        assert obj.get_config() == case["keras_config"]
        assert type(obj).from_config(obj.get_config()).get_config() == case["keras_config"]
        out = obj(yt, yp, sample_weight=_t(case["sample_weight"]))
    np.testing.assert_allclose(out.detach().numpy(), ARR[case["expected"]], atol=1e-5, rtol=1e-5)


def test_ctc_gradients_flow_and_shapes_are_checked():
    logits = torch.randn(2, 6, 5, requires_grad=True)
    loss = losses.CTC()(torch.tensor([[1, 2, 0], [3, 3, 4]]), logits)
    loss.backward()
    assert logits.grad is not None and torch.isfinite(logits.grad).all()
    with pytest.raises(ValueError, match="y_true"):
        losses.ctc(torch.zeros(2, 3, 1), logits)
    with pytest.raises(ValueError, match="y_pred"):
        losses.ctc(torch.zeros(2, 3), torch.zeros(2, 5))


def test_circle_masks_samples_without_pairs():
    emb = torch.nn.functional.normalize(torch.randn(4, 3), dim=1)
    per_sample = losses.circle(torch.tensor([0, 0, 1, 2]), emb)
    assert per_sample[2] == 0 and per_sample[3] == 0  # no positive pair
    mean = losses.Circle()(torch.tensor([0, 0, 1, 2]), emb)
    torch.testing.assert_close(mean, per_sample[:2].mean(), atol=1e-6, rtol=1e-5)
    assert losses.get("circle") is losses.circle and isinstance(losses.get("CTC"), losses.CTC)
