"""Helpers of the fit/evaluate/predict loops: numerics checks, log conversion, output assembly."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from keras_torch.core import tree


def check_finite(data: Any, what: str, epoch: int | None, step: int, outputs: bool = False) -> None:
    """``keras_torch.core.config.set_check_numerics(True)``: refuse NaN/inf in a batch, naming where it is."""
    for i, t in enumerate(tree.flatten(data)):
        if isinstance(t, torch.Tensor) and (t.is_floating_point() or t.is_complex()):
            finite = torch.isfinite(t)
            if not bool(finite.all()):
                where = f"epoch {epoch + 1}, " if epoch is not None else ""
                hint = ("the inputs were finite, so the weights are not: training diverged earlier" if outputs
                        else "clean the data")
                raise ValueError(
                    f"check_numerics: {int((~finite).sum())} NaN/inf value(s) in the {what} data ({where}batch "
                    f"{step}, tensor {i} of shape {tuple(t.shape)}); {hint}. Turn the check off with "
                    "`keras_torch.core.config.set_check_numerics(False)`."
                )


def check_finite_loss(logs: Any, epoch: int, step: int) -> None:
    """Refuse a NaN/inf loss after a finite batch (training diverged)."""
    loss = logs.get("loss") if isinstance(logs, dict) else None
    if loss is None:
        return
    value = float(loss.detach()) if isinstance(loss, torch.Tensor) and loss.numel() == 1 else None
    if value is not None and not np.isfinite(value):
        raise ValueError(
            f"check_numerics: the loss is {value} at epoch {epoch + 1}, batch {step}, although the batch is finite: "
            "training diverged (lower the learning rate, clip gradients, or check the loss and activations)."
        )


def steps_per_execution(model: Any) -> int:
    """``model.steps_per_execution`` as a positive int (1 when unset or invalid)."""
    try:
        return max(1, int(model.steps_per_execution or 1))
    except (TypeError, ValueError):
        return 1


def resolve_verbose(verbose: Any, is_chief: bool) -> int:
    """Keras's ``verbose`` (``"auto"`` is 1); 0 outside the chief process (only rank 0 prints)."""
    level = 1 if verbose == "auto" else int(verbose)
    return level if is_chief else 0


def to_floats(logs: dict[str, Any]) -> dict[str, float]:
    """Logs of 0-d tensors as Python floats (one host sync for all the accelerator scalars)."""
    scalars = [k for k, v in logs.items() if isinstance(v, torch.Tensor) and v.numel() == 1 and v.device.type != "cpu"]
    if len(scalars) > 1:
        host = torch.stack([logs[k].detach().reshape(()).float() for k in scalars]).cpu().tolist()
        logs = {**logs, **dict(zip(scalars, host))}
    out = {}
    for k, v in logs.items():
        if isinstance(v, torch.Tensor):
            out[k] = float(v.detach().cpu()) if v.numel() == 1 else v.detach().cpu().numpy()
        else:
            out[k] = v
    return out


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A prediction as numpy (bfloat16, which numpy lacks, as float32)."""
    t = t.detach().cpu()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def concat_outputs(outputs: list[Any]) -> Any:
    """Per-batch predictions (tensors, or dicts/lists of them) concatenated into numpy arrays."""
    first = outputs[0]
    if isinstance(first, torch.Tensor) and first.is_nested:  # ragged rows (TextVectorization(ragged=True))
        # numpy has no ragged arrays: the rows of every batch as one nested tensor (Keras: a RaggedTensor)
        rows = [row.detach().cpu() for o in outputs for row in o.unbind()]
        return torch.nested.nested_tensor(rows, layout=first.layout)
    if isinstance(first, torch.Tensor):
        return to_numpy(torch.cat(outputs))
    if isinstance(first, dict):
        return {k: concat_outputs([o[k] for o in outputs]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(concat_outputs([o[i] for o in outputs]) for i in range(len(first)))
    warnings.warn("predict_step returned a non-tensor; returning the list of batch results.", stacklevel=2)
    return np.asarray(outputs)
