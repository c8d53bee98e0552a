"""Keras 3 ``keras.utils.FeatureSpace`` outputs for ``compat/feature_space_cases.py``.

    /opt/kref/bin/python compat/generate_fixtures.py feature_space
"""

from __future__ import annotations

import pathlib

import numpy as np


def generate(out_dir: pathlib.Path) -> None:
    import keras
    import tensorflow as tf

    from compat import feature_space_cases

    values = feature_space_cases.cases(keras, lambda x: tf.constant(x) if x.dtype.kind == "U" else x)
    np.savez_compressed(out_dir / "values.npz", **values)
    print(f"  {len(values)} arrays (keras {keras.__version__})")
