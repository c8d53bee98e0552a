"""The tutorial examples run unchanged under ``keras-torch run`` (tiny data via KERAS_TORCH_TINY=1);
``seed_lstm.py`` keeps the tutorial's loss-name typo and must fail at its compile line."""

from __future__ import annotations

import ast
import glob
import importlib.util
import os

import pytest

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES_DIR = os.path.join(REPO, "examples")
EXAMPLES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(EXAMPLES_DIR, "*.py"))
                  if not os.path.basename(p).startswith("_"))


_ALIASED = {"keras", "tensorflow", "tf_keras", "_data"}


def missing_modules(name: str) -> list[str]:
    """Top-level imports of the example that are neither installed nor served by keras_torch's aliases."""
    with open(os.path.join(EXAMPLES_DIR, name), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return sorted(r for r in roots - _ALIASED if importlib.util.find_spec(r) is None)


def result(name: str, request, pooled_runs, tmp_path_factory):
    """This example's finished run on tiny data (run two at a time, see conftest.PooledRuns)."""
    return pooled_runs.result(name, EXAMPLES_DIR, request, tmp_path_factory, env={"KERAS_TORCH_TINY": "1"},
                              also=("seed_lstm.py",), skip=lambda n: bool(missing_modules(n)))


def test_examples_found():
    assert "seed_lstm.py" in EXAMPLES and "seed_mlp.py" in EXAMPLES


@pytest.mark.parametrize("name", [e for e in EXAMPLES if e != "seed_lstm.py"])
def test_example_runs(name, request, pooled_runs, tmp_path_factory):
    missing = missing_modules(name)
    if missing:
        pytest.skip(f"{name} needs {', '.join(missing)}")
    proc = result(name, request, pooled_runs, tmp_path_factory)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"


def test_seed_lstm_typo_fails_at_compile_line(request, pooled_runs, tmp_path_factory):
    proc = result("seed_lstm.py", request, pooled_runs, tmp_path_factory)
    path = os.path.join(EXAMPLES_DIR, "seed_lstm.py")
    line = next(i for i, text in enumerate(open(path, encoding="utf-8"), 1) if "model.compile(" in text)
    assert proc.returncode == 1
    assert f'seed_lstm.py", line {line}' in proc.stderr, proc.stderr
    assert "model.compile(optimizer='adam', loss='categorial_crossentropy'" in proc.stderr
    assert "categorical_crossentropy" in proc.stderr.replace("categorial_crossentropy", "")
