"""Compile settings in files: Keras 3 ``compile_config`` and legacy ``training_config``, both ways."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from keras_torch.core import budget as core_budget
from keras_torch.core import registry
from keras_torch.saving.dialects import tfkeras
from keras_torch.saving.guards import budget


def _category(obj: Any) -> str:
    from keras_torch.metrics import Metric

    return "metrics" if isinstance(obj, Metric) else "losses"


def jsonable(obj: Any, category: str | None = None) -> Any:
    """Loss/metric specs as Keras stores them (names stay strings, objects become dicts)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v, category) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, category) for v in obj]
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if hasattr(obj, "get_config"):
        return registry.serialize_keras_object(obj, category or _category(obj))
    return registry.get_registered_name(obj)


def serialize_compile_arguments(arguments: dict[str, Any], optimizer: Any) -> dict[str, Any]:
    """Keras 3's ``compile_config``: the ``compile()`` arguments with the optimizer (and loss/metric
    objects) serialized, as ``Model.get_compile_config()`` returns it and ``.keras`` files store it."""
    base = dict(arguments)
    return {
        "optimizer": registry.serialize_keras_object(optimizer, "optimizers"),
        "loss": jsonable(base.get("loss"), "losses"),
        "loss_weights": jsonable(base.get("loss_weights")),
        "metrics": jsonable(base.get("metrics"), "metrics"),
        "weighted_metrics": jsonable(base.get("weighted_metrics"), "metrics"),
        "run_eagerly": bool(base.get("run_eagerly", False)),
        "steps_per_execution": base.get("steps_per_execution", 1),
        "jit_compile": base.get("jit_compile") if isinstance(base.get("jit_compile"), bool) else False,
    }


def compile_config(model: Any) -> dict[str, Any] | None:
    """The ``compile_config`` of a compiled model (``None`` when it is not compiled)."""
    cfg = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    return cfg or None


def deserialize_optimizer(cfg: Any, custom_objects: dict | None = None) -> Any:
    """An optimizer from its entry in a file (any Keras version) or its name."""
    from keras_torch import optimizers

    if isinstance(cfg, dict):
        cfg = tfkeras.optimizer_config(cfg)
        with registry.custom_object_scope(custom_objects or {}):
            return optimizers.deserialize(cfg)
    return optimizers.get(cfg)


def _deser_spec(spec: Any, category: str, custom_objects: dict | None) -> Any:
    if isinstance(spec, dict) and "class_name" in spec:
        from keras_torch import losses, metrics

        deserialize = losses.deserialize if category == "losses" else metrics.deserialize
        with registry.custom_object_scope(custom_objects or {}):
            return deserialize(spec)
    if isinstance(spec, dict):
        return {k: _deser_spec(v, category, custom_objects) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_deser_spec(v, category, custom_objects) for v in spec]
    return spec


def compile_from_config(model: Any, cfg: dict[str, Any], custom_objects: dict | None = None,
                        legacy: bool = False) -> None:
    """``model.compile(...)`` from a Keras 3 compile_config or a legacy .h5 training_config."""
    cfg = dict(cfg)
    opt_cfg = cfg.get("optimizer_config") if legacy else cfg.get("optimizer")
    optimizer = deserialize_optimizer(opt_cfg, custom_objects) if opt_cfg is not None else "rmsprop"
    kwargs: dict[str, Any] = {"optimizer": optimizer}
    for key, cat in (("loss", "losses"), ("metrics", "metrics"), ("weighted_metrics", "metrics")):
        if cfg.get(key) is not None:
            kwargs[key] = _deser_spec(cfg[key], cat, custom_objects)
    if cfg.get("loss_weights") is not None:
        kwargs["loss_weights"] = cfg["loss_weights"]
    if legacy and "metrics" in kwargs:
        kwargs["metrics"] = tfkeras.training_metrics(kwargs["metrics"])
    with registry.custom_object_scope(custom_objects or {}):
        model.compile(**kwargs)


def compile_from_file(model: Any, cfg: dict[str, Any], custom_objects: dict | None, filepath: str, file_size: int,
                      legacy: bool = False, then: Callable[[], None] | None = None) -> bool:
    """Compile a model loaded from ``filepath`` with the compile settings the file holds.

    Metric state (``MeanIoU``'s confusion matrix, ``AUC``'s thresholds) and the optimizer are
    built under the file's allocation budget: a config asking for more is refused with a
    ``ValueError``. A config that does not fit this version (an unknown optimizer argument...)
    only warns, as in Keras, and the model is returned uncompiled.

    Args:
        model: The rebuilt model.
        cfg: Its ``compile_config`` (Keras 3) or ``training_config`` (legacy ``.h5``).
        custom_objects: Extra ``name -> object`` mappings.
        filepath: The file, for messages.
        file_size: Its size, which bounds the allocations.
        legacy: ``cfg`` is a legacy ``training_config``.
        then: Run after compiling, under the same budget (building the optimizer's slots).

    Returns:
        Whether the model was compiled.
    """
    try:
        with budget.allocation_budget(budget.load_budget(file_size), filepath):
            compile_from_config(model, cfg, custom_objects, legacy=legacy)
            if then is not None:
                then()
    except core_budget.AllocationBudgetError:
        raise
    except Exception as e:  # noqa: BLE001 - Keras warns and returns the model uncompiled
        what = "training config" if legacy else "compile_config"
        warnings.warn(f"Could not compile the model loaded from '{filepath}' with its {what} ({type(e).__name__}: "
                      f"{e}); it is returned uncompiled.", stacklevel=4)
        return False
    return True
