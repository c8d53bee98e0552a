"""Golden layer fixtures from real Keras 3 (TensorFlow backend) for ``compat/layer_cases.py``.

Regenerate (needs the reference venv; never imported by the tests)::

    /opt/kref/bin/python compat/generate_fixtures.py layers            # all cases
    /opt/kref/bin/python compat/gen/layers.py --only conv1d_valid,mha_self_attention
    /opt/kref/bin/python compat/gen/layers.py --selfcheck              # verify stored files

For every case this builds the model with Keras, overwrites every float weight with seeded
random values (``normal * 0.5``; BatchNormalization ``moving_variance``: ``uniform(0.5, 1.5)``;
layers in ``layer_cases.NO_RANDOMIZE`` keep their adapted state), draws inputs with
``np.random.default_rng(seed)`` and writes ``compat/fixtures/layers/<name>.npz``:

* ``x_0..``        inputs,        ``n_inputs``
* ``y_0..``        outputs of ``model(inputs, training=case.training)``, ``n_outputs``
* ``w_{i}_{j}``    ``model.layers[i].get_weights()[j]`` (layers without weights are skipped)
* ``mw_{k}``       ``model.get_weights()[k]`` (Keras 3 model-level order)
* ``count_params``
* ``layer_classes`` class names of ``model.layers`` (Keras lists InputLayers for functional
  models but not for Sequential ones, and never lists raw ops such as ``x[:, 1:3]``)

``--selfcheck`` rebuilds every case with Keras (different initialisation seed), loads the stored
per-layer weights with ``model.layers[i].set_weights`` and checks that the stored outputs,
``count_params`` and model-level weight shapes are reproduced -- i.e. it validates the very
procedure ``tests/test_parity_layers.py`` applies to keras_torch.  It also checks the two
TensorFlow-backend shims below (channels_first conv against TF's native XLA NCHW kernels, and
``ops.add`` broadcasting).

Shims applied before anything is built:

* ``_patch_add_broadcast``: Keras 3.15's TF ``ops.add`` mis-broadcasts a ``(1, C, 1, 1)`` bias
  when ``x.shape[-1] == C`` (channels_first conv bias lands on W); fixtures use plain broadcasting.
* ``_patch_channels_first``: TensorFlow on CPU has no NCHW kernels for ``Conv{1,2}D`` and ``Conv*Transpose``; Keras' TF
backend only works around this for pooling / depthwise / separable convs.  ``_patch_channels_first``
makes ``conv`` / ``conv_transpose`` transpose to channels_last, run, and transpose back
(bit-for-bit what a channels_last twin model with copied weights would compute: the kernel
layout is the same in both data formats).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import zlib

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compat.layer_cases import CASES, CASES_BY_NAME, NO_RANDOMIZE, Case  # noqa: E402

DEFAULT_OUT = ROOT / "compat" / "fixtures" / "layers"


def case_seed(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# ------------------------------------------------------------------------ keras + shims
def _import_keras():
    import keras

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("fixtures must be generated with the TensorFlow backend")
    _patch_channels_first()
    _patch_add_broadcast()
    return keras


def _patch_add_broadcast():
    """Make ``keras.ops.add`` broadcast like every other backend.

    Keras 3.15's TF ``numpy.add`` rewrites ``x1 + x2`` into ``tf.nn.bias_add(..., "NHWC")``
    whenever ``x2`` squeezes to a vector whose length equals ``x1.shape[-1]`` -- even when ``x2``
    was reshaped to ``(1, C, 1, 1)``.  So a channels_first conv whose last spatial size equals
    ``filters`` gets its bias added along W (see case conv2d_channels_first_same_stride2).  That
    is a TF-backend bug, not Keras semantics (JAX/torch backends broadcast correctly), so the
    fixtures use plain broadcasting.
    """
    import tensorflow as tf
    from keras.src.backend.tensorflow import numpy as tfnp

    if getattr(tfnp, "_kt_add_patched", False):
        return

    def add(x1, x2):
        if not isinstance(x1, (int, float)):
            x1 = tfnp.convert_to_tensor(x1)
        if not isinstance(x2, (int, float)):
            x2 = tfnp.convert_to_tensor(x2)
        dtype = tfnp.dtypes.result_type(getattr(x1, "dtype", type(x1)), getattr(x2, "dtype", type(x2)))
        return tf.add(tfnp.convert_to_tensor(x1, dtype), tfnp.convert_to_tensor(x2, dtype))

    tfnp.add = add
    tfnp._kt_add_patched = True


def _patch_channels_first():
    import tensorflow as tf
    from keras.src.backend import standardize_data_format
    from keras.src.backend.tensorflow import nn as tfnn

    if getattr(tfnn, "_kt_cf_patched", False):
        return
    orig_conv, orig_conv_t = tfnn.conv, tfnn.conv_transpose

    def to_last(x):
        r = len(x.shape)
        return tf.transpose(x, (0, *range(2, r), 1))

    def to_first(x):
        r = len(x.shape)
        return tf.transpose(x, (0, r - 1, *range(1, r - 1)))

    def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
        if standardize_data_format(data_format) == "channels_first":
            y = orig_conv(to_last(tf.convert_to_tensor(inputs)), kernel, strides, padding,
                          "channels_last", dilation_rate)
            return to_first(y)
        return orig_conv(inputs, kernel, strides, padding, data_format, dilation_rate)

    def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                       data_format=None, dilation_rate=1):
        if standardize_data_format(data_format) == "channels_first":
            y = orig_conv_t(to_last(tf.convert_to_tensor(inputs)), kernel, strides, padding,
                            output_padding, "channels_last", dilation_rate)
            return to_first(y)
        return orig_conv_t(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)

    tfnn.conv, tfnn.conv_transpose = conv, conv_transpose
    tfnn._kt_cf_patched = True


def check_channels_first_patch(keras) -> None:
    """Patched channels_first conv == TF's native NCHW kernels compiled with XLA."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    ops = keras.ops
    for nd, fmt in [(1, "NCW"), (2, "NCHW"), (3, "NCDHW")]:
        x = rng.standard_normal((2, 3) + (7,) * nd).astype("float32")
        w = rng.standard_normal((3,) * nd + (3, 4)).astype("float32")
        for strides, padding, dil in [(2, "same", 1), (1, "valid", 2)]:
            ours = ops.convert_to_numpy(ops.conv(x, w, strides, padding, "channels_first", dil))
            native = tf.function(jit_compile=True)(
                lambda a, b, s=strides, p=padding.upper(), fm=fmt, d=dil: tf.nn.convolution(
                    a, b, s, p, data_format=fm, dilations=d)
            )(x, w).numpy()
            np.testing.assert_allclose(ours, native, atol=1e-5, rtol=1e-5)
    x = rng.standard_normal((2, 3, 5, 4)).astype("float32")
    w = rng.standard_normal((3, 3, 2, 3)).astype("float32")  # (kh, kw, out, in)
    ours = ops.convert_to_numpy(ops.conv_transpose(x, w, 2, "same", None, "channels_first"))
    native = tf.function(jit_compile=True)(
        lambda a, b: tf.nn.conv2d_transpose(a, b, (2, 2, 10, 8), 2, "SAME", data_format="NCHW"))(x, w).numpy()
    np.testing.assert_allclose(ours, native, atol=1e-5, rtol=1e-5)
    # ops.add broadcasting (see _patch_add_broadcast)
    z, b = np.zeros((1, 4, 2, 4), "float32"), np.arange(4, dtype="float32")
    got = ops.convert_to_numpy(ops.add(z, ops.reshape(b, (1, 4, 1, 1))))
    np.testing.assert_array_equal(got, z + b.reshape(1, 4, 1, 1))


# ---------------------------------------------------------------------------- helpers
def randomize_weights(model, rng: np.random.Generator) -> None:
    skip = set()
    for layer in _all_layers(model):
        if type(layer).__name__ in NO_RANDOMIZE:
            skip.update(id(v) for v in layer.weights)
    for v in model.weights:
        if id(v) in skip or "float" not in str(v.dtype):
            continue
        shape = tuple(v.shape)
        if v.name == "moving_variance":
            val = rng.uniform(0.5, 1.5, shape)
        else:
            val = rng.standard_normal(shape) * 0.5
        v.assign(val.astype(str(v.dtype)))


def _all_layers(layer):
    out = [layer]
    for sub in getattr(layer, "_layers", []) or []:
        out.extend(_all_layers(sub))
    return out


def model_inputs(xs):
    return xs[0] if len(xs) == 1 else list(xs)


def call_model(keras, model, xs, training):
    y = model(model_inputs(xs), training=training)
    if not isinstance(y, (list, tuple)):
        y = [y]
    return [np.asarray(keras.ops.convert_to_numpy(t)) for t in y]


def record_case(keras, case: Case) -> dict:
    seed = case_seed(case.name)
    keras.utils.set_random_seed(seed)
    model = case.build(keras)
    randomize_weights(model, np.random.default_rng(seed + 1))
    xs = [np.asarray(x) for x in case.inputs(np.random.default_rng(seed))]
    ys = call_model(keras, model, xs, case.training)
    arrays = {"n_inputs": np.int64(len(xs)), "n_outputs": np.int64(len(ys)),
              "count_params": np.int64(model.count_params())}
    for i, x in enumerate(xs):
        arrays[f"x_{i}"] = x
    for i, y in enumerate(ys):
        arrays[f"y_{i}"] = y
    arrays["layer_classes"] = np.array([type(layer).__name__ for layer in model.layers])
    for i, layer in enumerate(model.layers):
        for j, w in enumerate(layer.get_weights()):
            arrays[f"w_{i}_{j}"] = np.asarray(w)
    for k, w in enumerate(model.get_weights()):
        arrays[f"mw_{k}"] = np.asarray(w)
    return arrays


def generate(out_dir: pathlib.Path, only: list[str] | None = None) -> None:
    keras = _import_keras()
    import tensorflow as tf

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = [CASES_BY_NAME[n] for n in only] if only else CASES
    failed = {}
    for case in cases:
        try:
            arrays = record_case(keras, case)
        except Exception as e:  # keep going, report at the end
            failed[case.name] = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
            print(f"  FAIL {case.name}: {failed[case.name]}")
            continue
        np.savez_compressed(out_dir / f"{case.name}.npz", **arrays)
        keras.backend.clear_session()
    present = sorted(p.stem for p in out_dir.glob("*.npz") if p.stem in CASES_BY_NAME)
    manifest = {"keras_version": keras.__version__, "tensorflow_version": tf.__version__,
                "backend": keras.backend.backend(), "cases": present,
                "not_generated": sorted(set(CASES_BY_NAME) - set(present))}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    size = sum(p.stat().st_size for p in out_dir.glob("*"))
    print(f"  {len(present)} fixtures, {size / 1024:.0f} KiB in {out_dir}")
    if failed:
        raise RuntimeError(f"{len(failed)} case(s) failed: {failed}")


def selfcheck(out_dir: pathlib.Path = DEFAULT_OUT, only: list[str] | None = None) -> int:
    keras = _import_keras()
    check_channels_first_patch(keras)
    print("  TF shims ok (channels_first conv == native XLA NCHW; ops.add broadcasts)")
    names = only or [c.name for c in CASES]
    bad = 0
    for name in names:
        path = pathlib.Path(out_dir) / f"{name}.npz"
        if not path.exists():
            print(f"  MISSING {name}")
            bad += 1
            continue
        case = CASES_BY_NAME[name]
        data = np.load(path)
        try:
            keras.utils.set_random_seed(case_seed(name) + 12345)  # different init than recorded
            model = case.build(keras)
            for i, layer in enumerate(model.layers):
                ws = [data[f"w_{i}_{j}"] for j in range(len(layer.get_weights()))]
                assert all(f"w_{i}_{j}" in data for j in range(len(ws)))
                assert f"w_{i}_{len(ws)}" not in data
                if ws:
                    layer.set_weights(ws)
            xs = [data[f"x_{i}"] for i in range(int(data["n_inputs"]))]
            ys = call_model(keras, model, xs, case.training)
            assert len(ys) == int(data["n_outputs"]), (len(ys), int(data["n_outputs"]))
            for i, y in enumerate(ys):
                np.testing.assert_allclose(y, data[f"y_{i}"], atol=1e-6, rtol=1e-6, err_msg=f"y_{i}")
            assert model.count_params() == int(data["count_params"])
            assert [type(layer).__name__ for layer in model.layers] == list(data["layer_classes"])
            mw = [data[k].shape for k in sorted((k for k in data if k.startswith("mw_")), key=lambda s: int(s[3:]))]
            assert [tuple(w.shape) for w in model.get_weights()] == mw
        except Exception as e:
            bad += 1
            print(f"  BAD {name}: {type(e).__name__}: {str(e)[:400]}")
        keras.backend.clear_session()
    print(f"  selfcheck: {len(names) - bad}/{len(names)} ok")
    return bad


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--selfcheck", action="store_true", help="verify the stored fixtures instead of writing")
    p.add_argument("--only", default="", help="comma-separated case names")
    p.add_argument("--out", default=str(DEFAULT_OUT))
    a = p.parse_args(argv)
    only = [n for n in a.only.split(",") if n] or None
    if a.selfcheck:
        return 1 if selfcheck(pathlib.Path(a.out), only) else 0
    generate(pathlib.Path(a.out), only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
