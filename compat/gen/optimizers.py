"""Golden optimizer/schedule trajectories from real Keras 3 (TensorFlow backend).

Run: ``/opt/kref/bin/python compat/generate_fixtures.py optimizers``.

For every configuration two variables (shapes ``(3, 4)`` and ``(4,)``) get four steps of fixed,
step-varying gradients through ``optimizer.apply_gradients``. Written files:

* ``<name>.npz``: ``init_{a,b}``, ``grad{k}_{a,b}`` (absent when the gradient is ``None``),
  ``after{k}_{a,b}``, ``lr{k}`` (learning rate after step ``k``), ``optvar{i}`` (final
  ``optimizer.variables``, which is also the ``save_own_variables`` store) and, for EMA
  configurations, ``final_{a,b}`` after ``finalize_variable_values``.
* ``configs.json``: per configuration the serialized optimizer, ``get_config()``, variable
  names/shapes/dtypes, and which gradients are ``None``.
* ``schedules.npz`` / ``schedules.json``: schedule values at steps 0..40 (int64 step tensors).
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np

STEPS = 4
SCALES = (1.0, 0.3, 2.0, 0.05)

# (name, class_name, kwargs, schedule or None, {step: [var indices with a None gradient]})
_S = "schedule"
CONFIGS: list[tuple[str, str, dict[str, Any], Any, dict[int, list[int]]]] = [
    ("sgd", "SGD", {}, None, {}),
    ("sgd_momentum", "SGD", {"learning_rate": 0.1, "momentum": 0.9}, None, {}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, None, {}),
    ("adam", "Adam", {}, None, {}),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.01, "amsgrad": True}, None, {}),
    ("adam_custom", "Adam", {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}, None, {}),
    ("adamw", "AdamW", {}, None, {}),
    ("adamw_strong", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}, None, {}),
    ("rmsprop", "RMSprop", {}, None, {}),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.01, "centered": True}, None, {}),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "rho": 0.8}, None, {}),
    ("rmsprop_centered_momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.9, "centered": True}, None, {}),
    ("adagrad", "Adagrad", {}, None, {}),
    ("adagrad_custom", "Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-4}, None, {}),
    ("adadelta", "Adadelta", {}, None, {}),
    ("adadelta_fast", "Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}, None, {}),
    ("adamax", "Adamax", {}, None, {}),
    ("adamax_custom", "Adamax", {"learning_rate": 0.02, "beta_1": 0.7, "beta_2": 0.9}, None, {}),
    ("nadam", "Nadam", {}, None, {}),
    ("nadam_custom", "Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99}, None, {}),
    ("ftrl", "Ftrl", {}, None, {}),
    (
        "ftrl_regularized",
        "Ftrl",
        {
            "learning_rate": 0.1,
            "learning_rate_power": -0.7,
            "initial_accumulator_value": 0.2,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.03,
            "beta": 0.5,
        },
        None,
        {},
    ),
    ("lion", "Lion", {}, None, {}),
    ("lion_custom", "Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}, None, {}),
    ("sgd_clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 1.0}, None, {}),
    ("adam_clipvalue", "Adam", {"learning_rate": 0.01, "clipvalue": 0.5}, None, {}),
    ("sgd_global_clipnorm", "SGD", {"learning_rate": 0.1, "momentum": 0.5, "global_clipnorm": 2.0}, None, {}),
    ("sgd_weight_decay", "SGD", {"learning_rate": 0.1, "weight_decay": 0.05}, None, {}),
    ("rmsprop_weight_decay", "RMSprop", {"learning_rate": 0.01, "weight_decay": 0.1}, None, {}),
    ("sgd_ema", "SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9}, None, {}),
    (
        "adam_ema_overwrite",
        "Adam",
        {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2},
        None,
        {},
    ),
    ("sgd_accumulation", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "gradient_accumulation_steps": 2}, None, {}),
    ("adam_accumulation", "Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2}, None, {}),
    ("adam_loss_scale", "Adam", {"learning_rate": 0.01, "loss_scale_factor": 4.0}, None, {}),
    ("adam_none_grad", "Adam", {"learning_rate": 0.01}, None, {1: [1], 2: [0]}),
    ("sgd_momentum_none_grad", "SGD", {"learning_rate": 0.1, "momentum": 0.9}, None, {1: [1]}),
    (
        "sgd_exponential",
        "SGD",
        {},
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
        {},
    ),
    (
        "sgd_exponential_staircase",
        "SGD",
        {"momentum": 0.9},
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5, "staircase": True}),
        {},
    ),
    (
        "sgd_piecewise",
        "SGD",
        {},
        ("PiecewiseConstantDecay", {"boundaries": [1, 2], "values": [0.1, 0.05, 0.01]}),
        {},
    ),
    (
        "adam_polynomial",
        "Adam",
        {},
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "end_learning_rate": 0.01, "power": 2.0}),
        {},
    ),
    (
        "sgd_polynomial_cycle",
        "SGD",
        {},
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "power": 0.5, "cycle": True}),
        {},
    ),
    (
        "sgd_inverse_time",
        "SGD",
        {},
        ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}),
        {},
    ),
    (
        "adamw_cosine",
        "AdamW",
        {"weight_decay": 0.05},
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "alpha": 0.1}),
        {},
    ),
    (
        "sgd_cosine_warmup",
        "SGD",
        {},
        (
            "CosineDecay",
            {"initial_learning_rate": 0.0, "decay_steps": 3, "warmup_target": 0.1, "warmup_steps": 2},
        ),
        {},
    ),
    (
        "sgd_cosine_restarts",
        "SGD",
        {},
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 1, "m_mul": 0.5}),
        {},
    ),
    (
        "rmsprop_cosine_restarts_tmul1",
        "RMSprop",
        {},
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 2, "t_mul": 1.0, "alpha": 0.2}),
        {},
    ),
]

# Optimizers added with issue #16 (generated with ``generate(out_dir, only=NEW_CONFIGS)``, merged into
# configs.json). ``{"__optimizer__": [class, kwargs]}`` values are built into optimizer instances.
NEW_CONFIGS = [
    ("adafactor", "Adafactor", {}, None, {}),
    (
        "adafactor_custom",
        "Adafactor",
        {"learning_rate": 0.05, "beta_2_decay": -0.6, "epsilon_2": 1e-2, "clip_threshold": 0.5, "relative_step": False},
        None,
        {},
    ),
    (
        "adafactor_schedule",
        "Adafactor",
        {},
        ("ExponentialDecay", {"initial_learning_rate": 0.3, "decay_steps": 2, "decay_rate": 0.5}),
        {},
    ),
    ("lamb", "Lamb", {}, None, {}),
    (
        "lamb_custom",
        "Lamb",
        {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-4, "weight_decay": 0.01},
        None,
        {1: [1]},
    ),
    ("muon", "Muon", {}, None, {}),
    (
        "muon_custom",
        "Muon",
        {
            "learning_rate": 0.02, "momentum": 0.9, "nesterov": False, "ns_steps": 3, "adam_lr_ratio": 0.5,
            "rms_rate": None, "weight_decay": 0.1, "adam_weight_decay": 0.01, "adam_beta_1": 0.8,
        },
        None,
        {},
    ),
    (
        "loss_scale_sgd",
        "LossScaleOptimizer",
        {"inner_optimizer": {"__optimizer__": ["SGD", {"learning_rate": 0.1, "momentum": 0.5}]}, "initial_scale": 4.0,
         "dynamic_growth_steps": 2},
        None,
        {},
    ),
    (
        "loss_scale_adam",
        "LossScaleOptimizer",
        {"inner_optimizer": {"__optimizer__": ["Adam", {"learning_rate": 0.01}]}},
        None,
        {2: [0]},
    ),
    ("schedule_free_adamw", "ScheduleFreeAdamW", {}, None, {}),
    (
        "schedule_free_adamw_warmup",
        "ScheduleFreeAdamW",
        {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "warmup_steps": 3, "weight_decay": 0.05},
        None,
        {},
    ),
]
CONFIGS += NEW_CONFIGS

SCHEDULES: list[tuple[str, str, dict[str, Any]]] = [
    ("exponential", "ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9}),
    (
        "exponential_staircase",
        "ExponentialDecay",
        {"initial_learning_rate": 0.5, "decay_steps": 5, "decay_rate": 0.3, "staircase": True},
    ),
    ("piecewise", "PiecewiseConstantDecay", {"boundaries": [3, 10, 20], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("piecewise_float_bounds", "PiecewiseConstantDecay", {"boundaries": [2.5, 9.9], "values": [0.3, 0.2, 0.1]}),
    ("polynomial", "PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 25}),
    (
        "polynomial_power_cycle",
        "PolynomialDecay",
        {"initial_learning_rate": 0.2, "decay_steps": 7, "end_learning_rate": 0.01, "power": 3.0, "cycle": True},
    ),
    ("inverse_time", "InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.7}),
    (
        "inverse_time_staircase",
        "InverseTimeDecay",
        {"initial_learning_rate": 0.3, "decay_steps": 4, "decay_rate": 1.5, "staircase": True},
    ),
    ("cosine", "CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 30}),
    ("cosine_alpha", "CosineDecay", {"initial_learning_rate": 0.05, "decay_steps": 13, "alpha": 0.25}),
    (
        "cosine_warmup",
        "CosineDecay",
        {"initial_learning_rate": 0.001, "decay_steps": 20, "warmup_target": 0.1, "warmup_steps": 8, "alpha": 0.1},
    ),
    ("restarts", "CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 3}),
    (
        "restarts_custom",
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.2, "first_decay_steps": 4, "t_mul": 1.5, "m_mul": 0.8, "alpha": 0.05},
    ),
    (
        "restarts_tmul1",
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.2, "first_decay_steps": 5, "t_mul": 1.0, "m_mul": 0.9},
    ),
]


def initial_values() -> tuple[np.ndarray, np.ndarray]:
    a = (np.linspace(-1.0, 1.0, 12, dtype=np.float32) + np.float32(0.05)).reshape(3, 4)
    b = np.array([0.5, -0.25, 0.1, 2.0], dtype=np.float32)
    return a, b


def gradients(step: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1234 + step)
    ga = (rng.normal(size=(3, 4)) * SCALES[step]).astype(np.float32)
    gb = (rng.normal(size=(4,)) * SCALES[step]).astype(np.float32)
    if step == 0:
        gb[2] = 0.0  # exercises sign(0), max(|g|) and zero-norm paths
    return ga, gb


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def _run_config(keras: Any, name: str, cls: str, kwargs: dict, schedule: Any, none_grads: dict) -> tuple[dict, dict]:
    kwargs = dict(kwargs)
    if schedule is not None:
        kwargs["learning_rate"] = getattr(keras.optimizers.schedules, schedule[0])(**schedule[1])
    built = {k: getattr(keras.optimizers, v["__optimizer__"][0])(**v["__optimizer__"][1])
             if isinstance(v, dict) and "__optimizer__" in v else v for k, v in kwargs.items()}
    opt = getattr(keras.optimizers, cls)(**built)
    init_a, init_b = initial_values()
    va = keras.Variable(init_a, name="a")
    vb = keras.Variable(init_b, name="b")
    arrays: dict[str, np.ndarray] = {"init_a": init_a, "init_b": init_b}
    for k in range(STEPS):
        ga, gb = gradients(k)
        grads: list[Any] = [ga, gb]
        for i in none_grads.get(k, []):
            grads[i] = None
        if grads[0] is not None:
            arrays[f"grad{k}_a"] = ga
        if grads[1] is not None:
            arrays[f"grad{k}_b"] = gb
        opt.apply_gradients(zip(grads, [va, vb]))
        arrays[f"after{k}_a"] = np.array(va.numpy())
        arrays[f"after{k}_b"] = np.array(vb.numpy())
        arrays[f"lr{k}"] = np.array(float(np.asarray(opt.learning_rate)), dtype=np.float32)
    store: dict[str, np.ndarray] = {}
    opt.save_own_variables(store)
    for i in range(len(store)):
        arrays[f"optvar{i}"] = np.array(store[str(i)])
    meta = {
        "name": name,
        "class_name": cls,
        "kwargs": kwargs if schedule is None else {**kwargs, "learning_rate": None},
        "schedule": schedule,
        "none_grads": {str(k): v for k, v in none_grads.items()},
        "serialized": _jsonable(keras.optimizers.serialize(opt)),
        "config": _jsonable(opt.get_config()),
        "variables": [[v.name, list(v.shape), str(v.dtype)] for v in opt.variables],
        "steps": STEPS,
    }
    if kwargs.get("use_ema"):
        opt.finalize_variable_values([va, vb])
        arrays["final_a"] = np.array(va.numpy())
        arrays["final_b"] = np.array(vb.numpy())
    return meta, arrays


def generate(out_dir: pathlib.Path, only: list | None = None) -> None:
    """Write every configuration and the schedules; with ``only`` (entries of ``CONFIGS``), just those,
    merged into the existing ``configs.json`` (other fixtures untouched)."""
    import keras
    import tensorflow as tf

    out_dir = pathlib.Path(out_dir)
    metas = []
    for name, cls, kwargs, schedule, none_grads in only or CONFIGS:
        meta, arrays = _run_config(keras, name, cls, kwargs, schedule, none_grads)
        np.savez_compressed(out_dir / f"{name}.npz", **arrays)
        metas.append(meta)
    if only:
        previous = json.loads((out_dir / "configs.json").read_text())
        names = {m["name"] for m in metas}
        metas = [m for m in previous["configs"] if m["name"] not in names] + metas
    meta_all = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "configs": metas}
    (out_dir / "configs.json").write_text(json.dumps(meta_all, indent=1, sort_keys=True))
    if only:
        print(f"  {len(only)} optimizer configurations updated")
        return

    steps = np.arange(41, dtype=np.int64)
    sched_arrays, sched_meta = {}, []
    for name, cls, cfg in SCHEDULES:
        sched = getattr(keras.optimizers.schedules, cls)(**cfg)
        values = [float(sched(tf.constant(s, dtype=tf.int64))) for s in steps]
        sched_arrays[name] = np.array(values, dtype=np.float32)
        sched_meta.append({"name": name, "serialized": _jsonable(keras.optimizers.schedules.serialize(sched))})
    np.savez_compressed(out_dir / "schedules.npz", steps=steps, **sched_arrays)
    (out_dir / "schedules.json").write_text(json.dumps(sched_meta, indent=1, sort_keys=True))
    print(f"  {len(metas)} optimizer configurations, {len(sched_meta)} schedules")
