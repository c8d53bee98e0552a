"""tf-keras (and Keras 2) training state: optimizer configs, compile settings and optimizer weight order."""

from __future__ import annotations

from typing import Any

import numpy as np


def optimizer_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """An optimizer entry from any Keras version -> one ``keras_torch.optimizers.deserialize`` takes.

    tf-keras registers its optimizers as ``"Custom>Adam"`` and records ``is_legacy_optimizer`` /
    ``jit_compile``, which keras_torch's optimizers do not take.
    """
    cfg = dict(cfg)
    name = cfg.get("class_name", "")
    if isinstance(name, str) and ">" in name:
        cfg["class_name"] = name.split(">", 1)[1]
        if cfg.get("registered_name") == name:
            cfg["registered_name"] = None
    inner = dict(cfg.get("config") or {})
    for k in ("is_legacy_optimizer", "jit_compile"):
        inner.pop(k, None)
    cfg["config"] = inner
    return cfg


def training_metrics(metrics: Any) -> Any:
    """The ``metrics`` of a tf-keras ``training_config``: single-output models store them nested (``[["acc"]]``)."""
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        return metrics[0]
    return metrics


def convert_optimizer_weights(names: list[str], values: list[np.ndarray], optimizer: Any) -> list[np.ndarray]:
    """Reorder saved optimizer weights of any writer into keras_torch's (Keras 3) variable order.

    * Keras 3: ``[iteration, learning_rate, m0, v0, m1, v1...]`` -> as is;
    * new tf-keras optimizers: ``[iteration, m0, v0, ...]`` (no learning rate) -> insert the current lr;
    * legacy optimizer_v2: ``[iter, m0..mn, v0..vn]`` -> interleave per variable.
    """
    current = optimizer.variables
    target_n = len(current)
    if len(values) == target_n:
        return values
    lower = [n.lower() for n in names]
    cur_names = list(getattr(optimizer, "variable_names", []))
    has_lr_slot = len(cur_names) > 1 and cur_names[1] == "learning_rate"
    if not values:
        raise ValueError("The file holds no optimizer weights.")
    it = values[0]
    rest = values[1:]
    if rest and "learning_rate" in lower[1]:
        rest = rest[1:]
    n_vars = len(getattr(optimizer, "_trainable_variables", []) or [])
    n_slots_now = target_n - 1 - (1 if has_lr_slot else 0)
    if len(rest) != n_slots_now or n_vars == 0:
        raise ValueError(
            f"The optimizer in the file has {len(values)} variables, the model's optimizer has {target_n}."
        )
    k = n_slots_now // n_vars
    legacy_v2 = any(n.endswith("/iter:0") or n == "iter:0" or n.endswith("/iter") for n in lower[:1])
    if legacy_v2 and k > 1:
        groups = [rest[i * n_vars:(i + 1) * n_vars] for i in range(k)]
        rest = [groups[s][v] for v in range(n_vars) for s in range(k)]
    out = [np.asarray(it, dtype=np.int64).reshape(())]
    if has_lr_slot:
        out.append(np.asarray(current[1].detach().cpu().numpy()))
    return out + list(rest)
