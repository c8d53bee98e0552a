"""First-step losses of the corpus's custom training loops on real Keras, from saved initial weights.

    /opt/kref/bin/python compat/generate_fixtures.py custom_loops

For each script of :data:`SCRIPTS` (in ``compat/scripts/``), runs it with this interpreter as
``script --weights <out>/<name> --trace <out>/<name>/losses.json``: the script saves its models' initial
weights there (``<model>.weights.h5``) and, running deterministically (noise from numpy, no shuffling),
writes its per-step losses. ``tests/launcher/test_loss_agreement.py`` runs the same scripts under
``keras-torch run`` from the same weights and compares.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

SCRIPTS = ("k3_gan_two_optimizers.py", "k3_vae_add_loss.py", "tfk2_gradient_tape_loop.py")
HERE = pathlib.Path(__file__).resolve().parents[1]


def generate(out_dir: pathlib.Path) -> None:
    for script in SCRIPTS:
        target = out_dir / pathlib.Path(script).stem
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        subprocess.run([sys.executable, str(HERE / "scripts" / script), "--weights", str(target),
                        "--trace", str(target / "losses.json")], check=True, cwd=str(target),
                       env=dict(os.environ, CUDA_VISIBLE_DEVICES=""))
        print(f"  {script}: {sorted(p.name for p in target.iterdir())}")
