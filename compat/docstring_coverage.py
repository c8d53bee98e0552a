"""Which public keras_torch names lack the docstring Keras users expect (issue #18).

    python -m compat.docstring_coverage            # counts per area
    python -m compat.docstring_coverage --list     # ... and every name that fails, with the reason

The names are those of the committed Keras API snapshots (:mod:`compat.api_coverage`) that
keras_torch provides, plus the methods users call on models and layers (:data:`METHODS`), each
object once (aliases share one docstring). A name passes when its own docstring (not one inherited
from ``torch.nn.Module`` or a base class) exists and has:

- ``Args:`` when the function, or the class's constructor, takes parameters;
- ``Returns:`` for a function that returns something (not annotated ``-> None``);
- ``Input shape:`` and ``Output shape:`` for a layer class (a ``Layer`` subclass that is not a model);
- ``Example:`` / ``Examples:`` in the areas Keras documents with examples (:data:`EXAMPLE_AREAS`).
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from compat import api_coverage

EXAMPLE_AREAS = frozenset(
    {
        "<top>",
        "layers",
        "ops",
        "losses",
        "metrics",
        "optimizers",
        "callbacks",
        "models",
        "saving",
        "random",
        "activations",
        "initializers",
    }
)
METHODS = {
    "models.Model": (
        "fit",
        "evaluate",
        "predict",
        "compile",
        "save",
        "save_weights",
        "load_weights",
        "summary",
        "train_on_batch",
        "test_on_batch",
        "predict_on_batch",
        "get_weights",
        "set_weights",
        "to_json",
        "get_config",
        "export",
        "get_layer",
    ),
    "layers.Layer": (
        "build",
        "call",
        "add_weight",
        "get_weights",
        "set_weights",
        "get_config",
        "from_config",
        "compute_output_shape",
        "add_loss",
    ),
}
_SKIPPED_PARAMS = {"self", "cls", "args", "kwargs"}


def _own_doc(obj: Any) -> str:
    if inspect.isclass(obj):
        return inspect.cleandoc(obj.__dict__.get("__doc__") or "")
    return inspect.cleandoc(getattr(obj, "__doc__", None) or "")


def _params(fn: Any) -> list[str]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters if p not in _SKIPPED_PARAMS]


def _returns_value(fn: Any) -> bool:
    try:
        ret = inspect.signature(fn).return_annotation
    except (TypeError, ValueError):
        return False
    return ret not in ("None", None)


def _is_layer_class(obj: Any) -> bool:
    from keras_torch.layers.base import Layer
    from keras_torch.models.model import Model

    return inspect.isclass(obj) and issubclass(obj, Layer) and not issubclass(obj, Model) and obj is not Layer


def problems(obj: Any, area: str) -> list[str]:
    """What the docstring of ``obj`` (a public name of ``area``) lacks; empty when it passes."""
    doc = _own_doc(obj)
    if inspect.isclass(obj):
        init = obj.__dict__.get("__init__")
        params = _params(init) if init is not None else []
        # Google style allows the constructor's arguments in the class docstring or in __init__'s.
        text = doc + "\n" + inspect.cleandoc((init.__doc__ or "") if init is not None else "")
        returns = False
    elif callable(obj):
        params, text, returns = _params(obj), doc, _returns_value(obj)
    else:
        return []
    if not doc:
        return ["no docstring"]
    out = []
    if params and "Args:" not in text:
        out.append("no Args:")
    if returns and "Returns:" not in text and "Yields:" not in text:
        out.append("no Returns:")
    if _is_layer_class(obj) and not ("Input shape:" in text and "Output shape:" in text):
        out.append("no Input shape:/Output shape:")
    if area in EXAMPLE_AREAS and "Example" not in text:
        out.append("no Example:")
    return out


def collect() -> dict[str, tuple[str, Any]]:
    """Public name -> (area, object): every provided snapshot name and :data:`METHODS`, each object once."""
    seen: set[int] = set()
    out: dict[str, tuple[str, Any]] = {}
    for library in api_coverage.SNAPSHOTS:
        for entry in api_coverage.load(api_coverage.SNAPSHOTS[library]):
            if entry.kind in ("module", "constant") or api_coverage.status(entry) != api_coverage.PROVIDED:
                continue
            obj = api_coverage.access(entry.path)
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isroutine(obj) or callable(obj)):
                continue
            seen.add(id(obj))
            out[f"keras_torch.{entry.path}"] = (entry.area, obj)
    for owner, names in METHODS.items():
        cls = api_coverage.access(owner)
        for name in names:
            out[f"keras_torch.{owner}.{name}"] = (owner.split(".")[0], getattr(cls, name))
    return out


def failures() -> dict[str, list[str]]:
    """Public name -> what its docstring lacks, for the names that fail."""
    result = {}
    for name, (area, obj) in collect().items():
        found = problems(obj, area)
        if found:
            result[name] = found
    return result


def main(argv: list[str]) -> int:
    names = collect()
    bad = failures()
    areas: dict[str, list[int]] = {}
    for name, (area, _) in names.items():
        row = areas.setdefault(area, [0, 0])
        row[0] += 1
        row[1] += name in bad
    print(f"{len(names) - len(bad)}/{len(names)} public names documented")
    for area, (total, failing) in sorted(areas.items()):
        print(f"  {area:20s} {total - failing:4d}/{total:<4d}")
    if "--list" in argv:
        for name, why in sorted(bad.items()):
            print(f"{name}: {', '.join(why)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
