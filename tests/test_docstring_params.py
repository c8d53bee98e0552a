"""The ``Args:`` section of a public function (or class constructor) names every parameter it takes."""

from __future__ import annotations

import inspect
import re

from compat import docstring_coverage

# Areas held to the rule; add an area once its docstrings name every parameter.
AREAS = frozenset(
    {
        "ops",
        "random",
        "activations",
        "initializers",
        "regularizers",
        "constraints",
        "backend",
        "utils",
        "datasets",
        "config",
        "preprocessing",
        "tree",
        "<top>",
        "layers",
        "models",
        "losses",
        "metrics",
        "optimizers",
        "callbacks",
        "saving",
        "distribution",
        "mixed_precision",
        "dtype_policies",
        "legacy",
    }
)


def _signature_and_text(obj: object) -> tuple[inspect.Signature | None, str]:
    if inspect.isclass(obj):
        init = obj.__dict__.get("__init__")
        if init is None:
            return None, ""
        return inspect.signature(init), (obj.__dict__.get("__doc__") or "") + "\n" + (init.__doc__ or "")
    try:
        return inspect.signature(obj), obj.__doc__ or ""
    except (TypeError, ValueError):
        return None, ""


def unnamed_parameters(obj: object) -> list[str]:
    """Parameters of ``obj`` that its docstring does not describe (``name:`` or ``*name:`` lines)."""
    sig, text = _signature_and_text(obj)
    if sig is None:
        return []
    missing = []
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        # Pass-through ``*args`` / ``**kwargs`` need no entry unless the docstring chose to give one.
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name in ("args", "kwargs"):
            continue
        if not re.search(rf"^\s*\**{re.escape(p.name)}( \(.*\))?:", text, re.M):
            missing.append(p.name)
    return missing


def test_every_parameter_is_described():
    bad = {}
    for name, (area, obj) in docstring_coverage.collect().items():
        if area in AREAS:
            missing = unnamed_parameters(obj)
            if missing:
                bad[name] = missing
    assert not bad, "\n".join(f"{name}: {', '.join(params)}" for name, params in sorted(bad.items()))


def test_rule_catches_an_undescribed_parameter():
    def f(x, axis=None):
        """Sum.

        Args:
            x: Input.
        """

    assert unnamed_parameters(f) == ["axis"]
