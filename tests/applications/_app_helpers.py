"""Shared by the applications tests: the committed references and the case models built by keras_torch."""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compat import app_cases  # noqa: E402 - needs the repository root on sys.path

FIXTURES = ROOT / "compat" / "fixtures" / "applications"


def case_params(marks_for_exhaustive: tuple = ()) -> list:
    """One pytest param per case; all but one member of each family are marked ``exhaustive``."""
    return [pytest.param(c.name, id=c.name, marks=() if c.fast else (pytest.mark.exhaustive, *marks_for_exhaustive))
            for c in app_cases.CASES]


def fixture(name: str) -> dict[str, np.ndarray]:
    """The committed reference of case ``name`` (the test skips, naming the command, where none is committed)."""
    path = FIXTURES / f"{name}.npz"
    if not path.exists():
        pytest.skip(f"no reference for {name} yet: /opt/kref/bin/python -m compat.gen.applications {name}")
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def reference_weights(fx: dict, lib: str, name: str) -> list[np.ndarray]:
    """Case ``name``'s weights in Keras order, derived from the paths and shapes library ``lib`` recorded."""
    names = [str(n) for n in fx[f"{lib}_names"]]
    shapes = json.loads(str(fx[f"{lib}_shapes"]))
    gain = app_cases.BY_NAME[name].gain
    return [app_cases.weight_values(i, n, tuple(s), gain=gain) for i, (n, s) in enumerate(zip(names, shapes))]


def build(name: str, **overrides):
    """The case's architecture built by keras_torch (``weights=None`` and the case's arguments)."""
    from keras_torch import applications

    case = app_cases.BY_NAME[name]
    return getattr(applications, case.name)(**{**case.build_kwargs(), **overrides})


def check_close(y: np.ndarray, fx: dict, lib: str, what: str) -> float:
    """Assert ``y`` matches library ``lib``'s reference within the acceptance bound; return the error."""
    ref = fx[f"{lib}_y"]
    assert y.shape == ref.shape, f"{what}: shape {y.shape}, real Keras {ref.shape}"
    err = float(np.max(np.abs(y.astype("float64") - ref)))
    tol = app_cases.tolerance(ref, float(fx[f"{lib}_floor"]))
    assert err <= tol, f"{what}: max abs error {err:.3g} > {tol:.3g} (max |ref| {np.max(np.abs(ref)):.3g})"
    return err
