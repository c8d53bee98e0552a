"""Every corpus script in compat/scripts/ runs unchanged under ``python -m keras_torch run`` (each one
asserts its own result; see compat/scripts/README.md for the same scripts on real Keras)."""

from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS_DIR = os.path.join(REPO, "compat", "scripts")
SCRIPTS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(SCRIPTS_DIR, "*.py")))

# Scripts that must fail, with the text their error must contain (beyond the script name and line).
EXPECTED_FAILURES = {
    "tfk2_unsupported_gradient_tape.py": ("`tf.GradientTape`", "with tf.GradientTape() as tape:"),
}
# Scripts needing an optional package (skipped without it).
NEEDS = {"k3_image_dataset_from_directory.py": "PIL"}
# Scripts failing because of a keras_torch bug outside this corpus (remove the entry once fixed).
KNOWN_BUGS: dict[str, str] = {}


def run_script(name: str, cwd, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", KERAS_TORCH_DEVICE="cpu",
               PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("KERAS_TORCH_DATASETS_MIRROR", None)
    return subprocess.run([sys.executable, "-m", "keras_torch", "run", os.path.join(SCRIPTS_DIR, name)],
                          cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)


_POOL: ThreadPoolExecutor | None = None
_RUNS: dict = {}


def result(name: str, request, tmp_path_factory) -> subprocess.CompletedProcess:
    """Run the selected scripts two at a time (one torch thread each) and return ``name``'s result."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1)))
        selected = [item.callspec.params["name"] for item in request.session.items
                    if item.path == request.node.path and "name" in getattr(getattr(item, "callspec", None),
                                                                              "params", {})]
        for n in selected:
            if n in NEEDS and importlib.util.find_spec(NEEDS[n]) is None:
                continue
            _RUNS.setdefault(n, _POOL.submit(run_script, n, tmp_path_factory.mktemp("run")))
    if name not in _RUNS:
        _RUNS[name] = _POOL.submit(run_script, name, tmp_path_factory.mktemp("run"))
    return _RUNS[name].result()


def test_corpus_size():
    assert len(SCRIPTS) - len(EXPECTED_FAILURES) >= 12
    assert set(EXPECTED_FAILURES) <= set(SCRIPTS)


@pytest.mark.parametrize("name", [s for s in SCRIPTS if s not in EXPECTED_FAILURES])
def test_script_runs(name, request, tmp_path_factory):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name])
    proc = result(name, request, tmp_path_factory)
    if name in KNOWN_BUGS and proc.returncode != 0:
        pytest.xfail(KNOWN_BUGS[name])
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    assert "RESULT" in proc.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_unsupported_feature_is_reported(name, request, tmp_path_factory):
    proc = result(name, request, tmp_path_factory)
    assert proc.returncode != 0
    path = os.path.join(SCRIPTS_DIR, name)
    symbol, code = EXPECTED_FAILURES[name]
    line = next(i for i, text in enumerate(open(path, encoding="utf-8"), 1) if code in text)
    assert symbol in proc.stderr, proc.stderr
    assert f'{name}", line {line}' in proc.stderr, proc.stderr
    assert "Torch-side alternative" in proc.stderr
    assert "RESULT" not in proc.stdout
