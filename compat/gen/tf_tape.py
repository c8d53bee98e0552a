"""``tf.GradientTape`` results on real TensorFlow + Keras for the cases of ``compat/tape_cases.py``.

    /opt/kref/bin/python compat/generate_fixtures.py tf_tape

Writes ``compat/fixtures/tf_tape/values.npz``: every output of every case (``<case>__<i>``, with
``<case>__n`` the number of outputs).
"""

from __future__ import annotations

import pathlib

import numpy as np


def generate(out_dir: pathlib.Path) -> None:
    import keras
    import tensorflow as tf

    from compat import tape_cases
    from compat.tf_cases import flatten_result

    values = {}
    for key, (fn, _) in tape_cases.CASES.items():
        keras.utils.set_random_seed(0)
        outs = flatten_result(fn(tf, keras))
        values[f"{key}__n"] = np.array(len(outs))
        for i, arr in enumerate(outs):
            values[f"{key}__{i}"] = arr
    np.savez_compressed(out_dir / "values.npz", **values)
    print(f"  {len(tape_cases.CASES)} cases (TF {tf.__version__}, Keras {keras.__version__})")
