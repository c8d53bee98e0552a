"""``keras.quantizers`` fixtures, recorded with Keras 3.15 (TensorFlow backend).

Run: ``/opt/kref/bin/python compat/generate_fixtures.py quantizers`` (writes
``compat/fixtures/quantizers/quantizers.npz``): inputs and outputs of ``abs_max_quantize`` (two
axes), ``abs_max_quantize_grouped_with_zero_point`` (tensor and numpy paths, a ragged last group),
``AbsMaxQuantizer``, ``fake_quant_with_min_max_vars`` (per tensor, per channel, narrow range) and
its gradients, ``compute_float8_scale``, ``compute_float8_amax_history``,
``quantize_and_dequantize`` (float8 e4m3 / e5m2) and ``pack_int4`` (int8 / uint8, odd lengths).
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def generate(out: pathlib.Path) -> None:
    import keras
    import tensorflow as tf
    from keras import quantizers as q

    rng = np.random.default_rng(15)
    a = {}
    x = rng.standard_normal((6, 5)).astype("float32") * 3
    a["x"] = x
    for axis in (0, -1):
        v, s = q.abs_max_quantize(x, axis=axis)
        a[f"amq_{axis}_v"], a[f"amq_{axis}_s"] = np.asarray(v), np.asarray(s)
    v, s = q.abs_max_quantize(x, axis=0, value_range=(-8, 7), to_numpy=True)
    a["amq_np_v"], a["amq_np_s"] = np.asarray(v), np.asarray(s)
    k = rng.standard_normal((7, 4)).astype("float32")
    a["k"] = k
    for to_numpy in (False, True):
        v, s, z = q.abs_max_quantize_grouped_with_zero_point(k, block_size=3, to_numpy=to_numpy)
        a[f"grp_{int(to_numpy)}_v"], a[f"grp_{int(to_numpy)}_s"], a[f"grp_{int(to_numpy)}_z"] = (
            np.asarray(v), np.asarray(s), np.asarray(z))
    quantizer = q.AbsMaxQuantizer(axis=1, value_range=(-100, 100))
    v, s = quantizer(x)
    a["amqz_v"], a["amqz_s"] = np.asarray(v), np.asarray(s)

    f = rng.uniform(-2.5, 2.5, (4, 3)).astype("float32")
    a["f"] = f
    mins = np.array([-1.0, -0.3, -2.0], "float32")
    maxs = np.array([1.2, 0.7, 0.1], "float32")
    a["mins"], a["maxs"] = mins, maxs
    cases = {"fq_tensor": dict(min_vals=-1.1, max_vals=1.7), "fq_narrow4": dict(min_vals=-1.1, max_vals=1.7,
                                                                                   num_bits=4, narrow_range=True),
             "fq_channel": dict(min_vals=mins, max_vals=maxs, axis=-1)}
    for name, kw in cases.items():
        xt = tf.constant(f)
        lo = tf.constant(np.asarray(kw.pop("min_vals"), "float32"))
        hi = tf.constant(np.asarray(kw.pop("max_vals"), "float32"))
        with tf.GradientTape() as tape:
            tape.watch([xt, lo, hi])
            y = q.fake_quant_with_min_max_vars(xt, lo, hi, **kw)
            loss = tf.reduce_sum(y * tf.constant(np.arange(12, dtype="float32").reshape(4, 3)))
        gx, glo, ghi = tape.gradient(loss, [xt, lo, hi])
        a[name], a[name + "_gx"], a[name + "_glo"], a[name + "_ghi"] = (
            np.asarray(y), np.asarray(gx), np.asarray(glo), np.asarray(ghi))

    amax = np.array([0.0, 2.0, np.inf, 10.0], "float32")
    scale = np.array([0.5, 0.25, 2.0, 1.0], "float32")
    a["f8_amax"], a["f8_scale"] = amax, scale
    a["f8_new_scale"] = np.asarray(q.compute_float8_scale(amax, scale, 448.0, margin=1))
    hist = np.array([1.0, 2.0, 3.0, 4.0], "float32")
    a["f8_hist"] = np.asarray(q.compute_float8_amax_history(f, hist))
    for dt in ("float8_e4m3fn", "float8_e5m2"):
        a[f"qdq_{dt}"] = np.asarray(q.quantize_and_dequantize(f * 300, np.float32(0.7), dt, "float32"))

    ints = rng.integers(-8, 8, (5, 3)).astype("int8")
    a["ints"] = ints
    for axis in (0, 1):
        packed, shape, n = q.pack_int4(ints, axis=axis)
        a[f"pack_{axis}"], a[f"pack_{axis}_n"] = np.asarray(packed), np.int64(n)
        a[f"unpack_{axis}"] = np.asarray(q.unpack_int4(packed, n, axis=axis))
    uints = rng.integers(0, 16, (3, 4)).astype("uint8")
    a["uints"] = uints
    packed, _, n = q.pack_int4(uints, axis=1, dtype="uint8")
    a["upack"], a["uunpack"] = np.asarray(packed), np.asarray(q.unpack_int4(packed, n, axis=1, dtype="uint8"))
    a["serialized"] = np.array(str(keras.saving.serialize_keras_object(quantizer)))
    np.savez(out / "quantizers.npz", **a)
