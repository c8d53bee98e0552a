"""Every corpus script in compat/scripts/ runs unchanged under ``python -m keras_torch run`` (each one
asserts its own result; see compat/scripts/README.md for the same scripts on real Keras)."""

from __future__ import annotations

import glob
import importlib.util
import os

import pytest

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS_DIR = os.path.join(REPO, "compat", "scripts")
SCRIPTS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(SCRIPTS_DIR, "*.py")))

# Scripts that must fail, with the text their error must contain (beyond the script name and line).
EXPECTED_FAILURES = {
    "tfk2_unsupported_mirrored_strategy.py": ("`tf.distribute`", "strategy = tf.distribute.MirroredStrategy()"),
}
# Scripts needing an optional package (skipped without it).
NEEDS = {"k3_image_dataset_from_directory.py": "PIL", "tfk2_image_folder_pipeline.py": "PIL"}
# Scripts failing because of a keras_torch bug outside this corpus (remove the entry once fixed).
KNOWN_BUGS: dict[str, str] = {}


def result(name: str, request, pooled_runs, tmp_path_factory):
    """This script's finished run (the module's scripts run two at a time, see conftest.PooledRuns)."""
    return pooled_runs.result(name, SCRIPTS_DIR, request, tmp_path_factory,
                              env={"KERAS_TORCH_DATASETS_MIRROR": None},
                              skip=lambda n: n in NEEDS and importlib.util.find_spec(NEEDS[n]) is None)


def test_corpus_size():
    assert len(SCRIPTS) - len(EXPECTED_FAILURES) >= 12
    assert set(EXPECTED_FAILURES) <= set(SCRIPTS)


@pytest.mark.parametrize("name", [s for s in SCRIPTS if s not in EXPECTED_FAILURES])
def test_script_runs(name, request, pooled_runs, tmp_path_factory):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name])
    proc = result(name, request, pooled_runs, tmp_path_factory)
    if name in KNOWN_BUGS and proc.returncode != 0:
        pytest.xfail(KNOWN_BUGS[name])
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    assert "RESULT" in proc.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURES))
def test_unsupported_feature_is_reported(name, request, pooled_runs, tmp_path_factory):
    proc = result(name, request, pooled_runs, tmp_path_factory)
    assert proc.returncode != 0
    path = os.path.join(SCRIPTS_DIR, name)
    symbol, code = EXPECTED_FAILURES[name]
    line = next(i for i, text in enumerate(open(path, encoding="utf-8"), 1) if code in text)
    assert symbol in proc.stderr, proc.stderr
    assert f'{name}", line {line}' in proc.stderr, proc.stderr
    assert "Torch-side alternative" in proc.stderr
    assert "RESULT" not in proc.stdout
