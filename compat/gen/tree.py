"""``keras.tree`` results from real Keras 3 (TensorFlow backend, i.e. optree) for :mod:`compat.tree_cases`.

    /opt/kref/bin/python compat/generate_fixtures.py tree

Writes ``compat/fixtures/tree/cases.json``: ``{case: repr(result) or "raises <ExceptionType>"}``.
"""

from __future__ import annotations

import json
import os
import pathlib


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    from compat import tree_cases

    results = tree_cases.run(keras.tree)
    payload = {"keras_version": keras.__version__, "cases": results}
    (out_dir / "cases.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf8")
    print(f"  {len(results)} cases (keras {keras.__version__})")
