"""Generate golden fixtures with real Keras (run by hand; needs tensorflow + tf-keras).

    python compat/generate_fixtures.py            # every generator in compat/gen/
    python compat/generate_fixtures.py layers     # only compat/gen/layers.py

Each module in ``compat/gen/`` defines ``generate(out_dir: pathlib.Path) -> None`` and writes small
``.npz`` / ``.h5`` / ``.keras`` files under ``compat/fixtures/<module>/``. Tests compare keras_torch
against those files and never import TensorFlow.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

HERE = pathlib.Path(__file__).resolve().parent


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(HERE.parent))
    wanted = argv or sorted(p.stem for p in (HERE / "gen").glob("*.py") if not p.stem.startswith("_"))
    for name in wanted:
        mod = importlib.import_module(f"compat.gen.{name}")
        out = HERE / "fixtures" / name
        out.mkdir(parents=True, exist_ok=True)
        print(f"== {name} -> {out}")
        mod.generate(out)


if __name__ == "__main__":
    main(sys.argv[1:])
