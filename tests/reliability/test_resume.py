"""BackupAndRestore: a fit() killed after epoch k and rerun ends with the weights of an uninterrupted fit()."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from _rel_helpers import HERE, subprocess_env

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')

EPOCHS = 6


@pytest.mark.parametrize("mode,kill_after", [("kill", 2), ("raise", 0)])
def test_resume_after_interruption_matches_uninterrupted_run(mode, kill_after, tmp_path):
    proc = subprocess.run([sys.executable, str(HERE / "_resume_worker.py"), str(tmp_path), str(EPOCHS),
                           str(kill_after), mode], env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    status = json.loads(proc.stdout.strip().splitlines()[-1])
    assert status["a"] == (-9 if mode == "kill" else 7), (status, proc.stderr[-3000:])
    assert status["b"] == 0, proc.stderr[-3000:]
    # The resumed process ran only the epochs that were not completed before the interruption...
    assert json.loads((tmp_path / "epochs_b.json").read_text()) == list(range(kill_after + 1, EPOCHS))
    # ...and deleted the backup when training completed.
    assert not status["backup_left"]
    resumed = np.load(tmp_path / "resumed.npz")
    reference = np.load(tmp_path / "reference.npz")
    assert len(resumed.files) == len(reference.files)
    for k in reference.files:
        np.testing.assert_allclose(resumed[k], reference[k], rtol=0, atol=1e-6, err_msg=k)
