"""Outcomes of the training edge cases of :mod:`compat.training_edge_cases` with real Keras 3 (TensorFlow).

    /opt/kref/bin/python compat/generate_fixtures.py training_edge_cases

Writes ``compat/fixtures/training_edge_cases/outcomes.json``: ``{case: {"outcome", "type", "message"}}``.
"""

from __future__ import annotations

import json
import os
import pathlib


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    from compat import training_edge_cases

    keras.utils.set_random_seed(0)
    results = training_edge_cases.run(keras)
    payload = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": results}
    (out_dir / "outcomes.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf8")
    for name, result in results.items():
        print(f"  {name:<40} {result['outcome']:<14} {result['type']} {result['message'][:80]}")
