"""tf-keras (and Keras 2) training state: optimizer configs, compile settings and optimizer weight order."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_torch.core.naming import unique_name

# tf-keras's legacy Nadam records its momentum-schedule constant as ``decay`` (Keras 3 has it built in).
_LEGACY_NADAM_SCHEDULE_DECAY = 0.004


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
    if cfg["class_name"] == "Nadam" and inner.get("decay") == _LEGACY_NADAM_SCHEDULE_DECAY:
        inner.pop("decay")  # legacy Nadam's momentum-schedule constant, not a learning-rate decay
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


# tf-keras's legacy optimizers (what its .h5 loader builds for these class names): Keras 3 slot -> legacy
# slot name, in the order the legacy optimizer creates its slots (each slot for every variable in turn).
_LEGACY_SLOTS = {
    "Adam": (("momentum", "m"), ("velocity", "v"), ("velocity_hat", "vhat")),
    "SGD": (("momentum", "momentum"),),
    "RMSprop": (("velocity", "rms"), ("momentum", "momentum"), ("average_gradient", "mg")),
    "Adagrad": (("accumulator", "accumulator"),),
    "Adadelta": (("accumulated_grad", "accum_grad"), ("accumulated_delta_var", "accum_var")),
    "Adamax": (("momentum", "m"), ("norm", "v")),
    "Ftrl": (("accumulator", "accumulator"), ("linear", "linear")),
    "Nadam": (("momentum", "m"), ("velocity", "v")),
}
# Legacy optimizers that create all their slots for one variable before the next (not slot by slot).
_LEGACY_PER_VARIABLE = ("Ftrl",)
# Optimizer-wide variables a legacy optimizer holds right after ``iter``: Keras 3 name -> legacy name.
# Nadam's product of momentum factors (Keras 3's unnamed ``u_product``) is legacy Nadam's ``momentum_cache``.
_LEGACY_GLOBALS = {"Nadam": (("variable", "momentum_cache"),)}
# Optimizers tf-keras only has in its new implementation: an .h5 names them by their registered name,
# the only one tf-keras's .h5 loader (which otherwise builds legacy optimizers) resolves.
TFKERAS_NEW_ONLY = ("AdamW", "Lion", "Adafactor")


def tfkeras_optimizer_class_name(optimizer: Any, class_name: str) -> str:
    """The optimizer ``class_name`` an .h5 file records so that tf-keras's loader builds this optimizer."""
    return f"Custom>{class_name}" if type(optimizer).__name__ in TFKERAS_NEW_ONLY else class_name


# Keras 3 slot -> the name tf-keras's new optimizers give it (unlisted slots keep their name).
_NEW_SLOT_NAMES = {"momentum": "m", "velocity": "v", "velocity_hat": "vhat"}


def _slots(names: list[str], owner_paths: list[str | None]) -> dict[int, tuple[str, str]]:
    """position -> (model variable path, Keras 3 slot name) of every slot variable."""
    slots = {}
    for i, (name, path) in enumerate(zip(names, owner_paths)):
        prefix = (path or "").replace("/", "_") + "_"
        if path and name.startswith(prefix):
            slots[i] = (path, name[len(prefix):])
    return slots


def _split_bias_pairs(slots: dict[int, tuple[str, str]]) -> dict[int, int]:
    """position of a ``.../bias`` slot -> position of the ``.../bias_hh`` slot that completes it.

    A GRU cell with ``reset_after`` keeps Keras's bias ``(2, 3u)`` as torch's two rows (``bias`` and
    ``bias_hh``); Keras (and its files) have one slot of shape ``(2, 3u)`` for it. Slot variables come
    per model variable in order, so the row-1 slot follows the row-0 slot of the same kind.
    """
    pairs: dict[int, int] = {}
    last: dict[tuple[str, str], int] = {}
    for i, (path, slot) in slots.items():
        layer, _, leaf = path.rpartition("/")
        if leaf == "bias_hh" and (layer, slot) in last:
            pairs[last.pop((layer, slot))] = i
        elif leaf == "bias":
            last[(layer, slot)] = i
    return pairs


def _legacy_order(optimizer: Any, names: list[str], slots: dict[int, tuple[str, str]]) -> list[int] | None:
    """Positions of ``optimizer``'s slot variables in the order tf-keras's legacy optimizer holds them.

    Legacy optimizers create each slot for every variable in turn; ``None`` when the optimizer has
    no legacy counterpart or a variable the legacy one lacks.
    """
    cls = type(optimizer).__name__
    legacy = _LEGACY_SLOTS.get(cls)
    globals_ = [name for name, _ in _LEGACY_GLOBALS.get(cls, ())]
    others = [n for i, n in enumerate(names) if i not in slots and n not in ("iteration", "learning_rate")]
    if legacy is None or sorted(others) != sorted(globals_) or not all(slot in dict(legacy) for _, slot in
                                                                        slots.values()):
        return None
    rows = set(_split_bias_pairs(slots).values())
    head = [names.index(name) for name in globals_]
    if cls in _LEGACY_PER_VARIABLE:
        return head + [i for i in sorted(slots) if i not in rows]  # Keras 3 holds them per variable too
    return head + [i for keras3_slot, _ in legacy for i, (_, slot) in slots.items()
                   if slot == keras3_slot and i not in rows]


def tfkeras_optimizer_weights(optimizer: Any, names: list[str], values: list[np.ndarray],
                              owner_paths: list[str | None]) -> tuple[list[str], list[np.ndarray]]:
    """keras_torch's optimizer variables (Keras 3 layout) -> what tf-keras's ``optimizer.set_weights`` restores.

    tf-keras's .h5 loader builds a legacy optimizer for the classic optimizers: ``[iter, slot_a for
    every variable, slot_b for every variable...]`` named ``"Adam/dense/kernel/m:0"``. Its new
    optimizers (:data:`TFKERAS_NEW_ONLY`) hold ``[iteration, slots in Keras 3 order]`` named
    ``"AdamW/m/dense/kernel:0"``. Neither has a ``learning_rate`` variable (the rate is in the config).
    tf-keras restores by position; the names are for people (and unique, as HDF5 requires).

    Args:
        optimizer: The optimizer (its class names the tf-keras slots).
        names: Keras 3 variable names (``"iteration"``, ``"learning_rate"``, ``"dense_kernel_momentum"``...).
        values: Their values, same order.
        owner_paths: Path (``"dense/kernel"``) of the model variable each slot belongs to (``None``
            for ``iteration`` and the other optimizer-wide variables).

    Returns:
        ``(names, values)`` in tf-keras's layout.
    """
    cls = type(optimizer).__name__
    slots = _slots(names, owner_paths)
    values = list(values)
    pairs = _split_bias_pairs(slots)
    for first, second in pairs.items():
        values[first] = np.stack([values[first], values[second]])
    iteration = next((v for n, v in zip(names, values) if n == "iteration"), np.zeros((), "int64"))
    used: set[str] = set()
    order = _legacy_order(optimizer, names, slots)
    if order is not None:
        legacy = dict(_LEGACY_SLOTS[cls])
        globals_ = dict(_LEGACY_GLOBALS.get(cls, ()))
        out_names = [f"{cls}/iter:0"] + [
            unique_name(f"{cls}/{globals_[names[i]]}" if i not in slots else
                        f"{cls}/{slots[i][0]}/{legacy[slots[i][1]]}", used) + ":0" for i in order]
        return out_names, [iteration] + [values[i] for i in order]
    out_names, out_values = ["iteration:0"], [iteration]
    used.add("iteration")
    for i, (name, value) in enumerate(zip(names, values)):
        if name in ("iteration", "learning_rate") or i in pairs.values():
            continue
        path, slot = slots.get(i, (name, ""))
        full = f"{cls}/{_NEW_SLOT_NAMES.get(slot, slot)}/{path}" if slot else f"{cls}/{name}"
        out_names.append(unique_name(full, used) + ":0")
        out_values.append(value)
    return out_names, out_values


def tfkeras_slot_values(names: list[str], values: list[np.ndarray], optimizer: Any,
                        owner_paths: list[str | None]) -> list[np.ndarray] | None:
    """Optimizer weights as tf-keras writes them (see :func:`tfkeras_optimizer_weights`) -> ``optimizer``'s order.

    Legacy optimizers (first name ``"Adam/iter:0"``) hold the slots slot by slot, new ones
    (``"iteration:0"``) in Keras 3's order; neither has a ``learning_rate``, and a GRU bias's two
    slot rows are one array. ``None`` when ``values`` is not exactly that for ``optimizer``.
    """
    own_names = optimizer.variable_names
    slots = _slots(own_names, owner_paths)
    pairs = _split_bias_pairs(slots)
    first = names[0].split(":")[0] if names else ""
    if first.endswith("/iter") or first == "iter":
        order = _legacy_order(optimizer, own_names, slots)
    elif first == "iteration" and all(n in ("iteration", "learning_rate") for i, n in enumerate(own_names)
                                      if i not in slots):
        order = [i for i in slots if i not in pairs.values()]
    else:
        return None
    if order is None or len(values) != 1 + len(order):
        return None
    saved = dict(zip(order, values[1:]))
    for row0, row1 in pairs.items():
        stacked = np.asarray(saved[row0])
        saved[row0], saved[row1] = stacked[0], stacked[1]
    out = []
    for i, (name, current) in enumerate(zip(own_names, optimizer.variables)):
        if name == "iteration":
            out.append(np.asarray(values[0], dtype=np.int64).reshape(()))
        elif name == "learning_rate":
            out.append(np.asarray(current.detach().cpu().numpy()))
        else:
            out.append(saved[i])
    return out
