"""``tf_keras.backend`` (``K.*``) results, plus tf-keras-only constraint and metric values.

    /opt/kref/bin/python compat/generate_fixtures.py tfk_backend

Writes ``compat/fixtures/tfk_backend/values.npz``: the inputs of :func:`compat.backend_cases.arrays`
(``in_<name>``), one entry per output of every case of :data:`compat.backend_cases.CASES`
(``<case>_<i>``), and ``radial_<k>``, ``mre``/``mre_weighted``, ``mean_tensor`` (see :func:`extras`).
"""

from __future__ import annotations

import pathlib

import numpy as np


def extras(tf, tf_keras, arrays: dict) -> dict[str, np.ndarray]:
    """Values of tf-keras classes that are not ``K`` functions (the tests replay the same calls)."""
    out = {}
    for k in (3, 4, 5):
        out[f"radial_{k}"] = tf_keras.constraints.RadialConstraint()(tf.constant(arrays[f"radial{k}"])).numpy()
    m = tf_keras.metrics.MeanRelativeError(normalizer=arrays["mre_norm"])
    m.update_state(arrays["mre_true"], arrays["mre_pred"])
    m.update_state(arrays["mre_pred"], arrays["mre_true"])
    out["mre"] = m.result().numpy()
    m = tf_keras.metrics.MeanRelativeError(normalizer=arrays["mre_norm"])
    m.update_state(arrays["mre_true"], arrays["mre_pred"], sample_weight=arrays["mre_weight"])
    out["mre_weighted"] = m.result().numpy()
    m = tf_keras.metrics.MeanTensor()
    m.update_state(arrays["mre_true"])
    m.update_state(arrays["mre_pred"], sample_weight=arrays["mre_weight"])
    out["mean_tensor"] = m.result().numpy()
    return out


def generate(out_dir: pathlib.Path) -> None:
    import tensorflow as tf
    import tf_keras

    from compat import backend_cases

    K = tf_keras.backend
    arrays = backend_cases.arrays()
    values = {f"in_{k}": v for k, v in arrays.items()}

    def resolve(a):
        if isinstance(a, backend_cases.A):
            return tf.constant(arrays[a.name])
        return a

    for name, (fn, args, kwargs) in backend_cases.CASES.items():
        result = getattr(K, fn)(*[resolve(a) for a in args], **{k: resolve(v) for k, v in kwargs.items()})
        for i, array in enumerate(backend_cases.flatten_result(result)):
            values[f"{name}_{i}"] = array
    values.update(extras(tf, tf_keras, arrays))
    np.savez_compressed(out_dir / "values.npz", **values)
    print(f"  {len(backend_cases.CASES)} K cases (tf-keras {tf_keras.__version__}, TF {tf.__version__})")
