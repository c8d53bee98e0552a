"""The ``>>>`` examples in the docstrings of public names run and print what they show (doctest)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

import keras_torch
from compat import docstring_coverage
from keras_torch import activations, constraints, initializers, ops, random, regularizers

# Areas whose examples are written to run as shown with ``import keras_torch as keras``, ``import numpy as
# np``, ``import torch`` and ``from keras_torch import <area>``.
AREAS = (
    "ops",
    "random",
    "activations",
    "initializers",
    "regularizers",
    "constraints",
    "<top>",
    "layers",
    "models",
    "losses",
    "metrics",
    "optimizers",
    "callbacks",
    "saving",
)
_GLOBS = {
    "ops": ops,
    "random": random,
    "activations": activations,
    "initializers": initializers,
    "regularizers": regularizers,
    "constraints": constraints,
    "keras": keras_torch,
    "np": np,
    "torch": torch,
}


def _examples() -> list[tuple[str, str, object]]:
    return sorted(
        (name, area, obj)
        for name, (area, obj) in docstring_coverage.collect().items()
        if area in AREAS and ">>>" in (obj.__doc__ or "")
    )


EXAMPLES = _examples()


def test_every_area_has_examples():
    assert {area for _, area, _ in EXAMPLES} == set(AREAS)


@pytest.mark.parametrize(("name", "obj"), [(n, o) for n, _, o in EXAMPLES], ids=[n for n, _, _ in EXAMPLES])
def test_docstring_example_runs(name, obj, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    torch.manual_seed(0)
    np.random.seed(0)
    test = doctest.DocTestParser().get_doctest(obj.__doc__, dict(_GLOBS), name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
