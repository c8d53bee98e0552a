"""Layer fixtures that the Keras 3 case harness (``compat/gen/layers.py``) cannot record.

Run: ``/opt/kref/bin/python compat/generate_fixtures.py layers_extra`` (writes
``compat/fixtures/layers_extra/``):

* ``<case>.npz`` for every case of ``compat/layer_cases_tfk.py``, recorded with **tf-keras 2.21**
  (``LocallyConnected1D/2D`` in all three implementations, ``ThresholdedReLU``), in the layout of
  ``compat/gen/layers.py`` (``x_i``, ``y_i``, ``w_{layer}_{j}``, ``mw_k``, ``count_params``,
  ``layer_classes``);
* ``tfk_conv_lstm_lc.h5`` / ``tfk_lc1d_impl3.h5``: whole tf-keras models saved as legacy ``.h5``
  (ConvLSTM2D with tf-keras's ``hard_sigmoid`` default, LocallyConnected2D/1D), plus
  ``tfk_models.npz`` with their inputs and outputs;
* ``spectral_normalization_training.npz``: one Keras 3 ``SpectralNormalization`` training call
  (weights before and after, input, output): the fixture harness records weights *after* the call,
  which this layer changes when training.
"""

from __future__ import annotations

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

from compat.layer_cases_tfk import CASES  # noqa: E402


def _seed(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def _randomize(model, rng: np.random.Generator) -> None:
    for v in model.weights:
        v.assign((rng.standard_normal(tuple(v.shape)) * 0.5).astype(v.dtype.as_numpy_dtype))


def _record(tfk, case) -> dict:
    seed = _seed(case.name)
    tfk.utils.set_random_seed(seed)
    model = case.build(tfk)
    _randomize(model, np.random.default_rng(seed + 1))
    xs = [np.asarray(x) for x in case.inputs(np.random.default_rng(seed))]
    ys = model(xs[0] if len(xs) == 1 else xs, training=False)
    ys = [np.asarray(y) for y in (ys if isinstance(ys, (list, tuple)) else [ys])]
    arrays = {"n_inputs": np.int64(len(xs)), "n_outputs": np.int64(len(ys)),
              "count_params": np.int64(model.count_params()),
              "layer_classes": np.array([type(layer).__name__ for layer in model.layers])}
    arrays.update({f"x_{i}": x for i, x in enumerate(xs)})
    arrays.update({f"y_{i}": y for i, y in enumerate(ys)})
    for i, layer in enumerate(model.layers):
        for j, w in enumerate(layer.get_weights()):
            arrays[f"w_{i}_{j}"] = np.asarray(w)
    for k, w in enumerate(model.get_weights()):
        arrays[f"mw_{k}"] = np.asarray(w)
    return arrays


def _h5_models(tfk, out_dir: pathlib.Path) -> None:
    rng = np.random.default_rng(7)
    tfk.utils.set_random_seed(7)
    conv = tfk.Sequential([
        tfk.Input(shape=(3, 6, 5, 2)),
        tfk.layers.ConvLSTM2D(3, 3, padding="same", return_sequences=False),
        tfk.layers.LocallyConnected2D(2, 3, implementation=2),
        tfk.layers.ThresholdedReLU(theta=0.1),
        tfk.layers.Flatten(),
        tfk.layers.Dense(2),
    ])
    lc1d = tfk.Sequential([
        tfk.Input(shape=(8, 3)),
        tfk.layers.LocallyConnected1D(4, 3, strides=2, padding="same", implementation=3, activation="tanh"),
        tfk.layers.LocallyConnected1D(2, 2, implementation=1),
    ])
    arrays = {}
    for name, model, shape in (("tfk_conv_lstm_lc", conv, (2, 3, 6, 5, 2)), ("tfk_lc1d_impl3", lc1d, (2, 8, 3))):
        _randomize(model, rng)
        x = rng.standard_normal(shape).astype("float32")
        arrays[f"{name}_x"] = x
        arrays[f"{name}_y"] = np.asarray(model(x))
        model.save(out_dir / f"{name}.h5")
    np.savez_compressed(out_dir / "tfk_models.npz", **arrays)


def _spectral_normalization_training(out_dir: pathlib.Path) -> None:
    import keras

    keras.utils.set_random_seed(11)
    rng = np.random.default_rng(11)
    arrays = {}
    for name, layer, shape in (("dense", keras.layers.SpectralNormalization(keras.layers.Dense(3)), (4, 5)),
                               ("conv", keras.layers.SpectralNormalization(keras.layers.Conv2D(2, 2),
                                                                           power_iterations=3), (2, 4, 4, 3))):
        layer.build(shape)
        for v in layer.weights:
            v.assign(rng.standard_normal(tuple(v.shape)).astype("float32") * 0.5)
        x = rng.standard_normal(shape).astype("float32")
        arrays.update({f"{name}_x": x, **{f"{name}_before_{i}": w for i, w in enumerate(layer.get_weights())}})
        arrays[f"{name}_y"] = np.asarray(layer(x, training=True))
        arrays.update({f"{name}_after_{i}": w for i, w in enumerate(layer.get_weights())})
    np.savez_compressed(out_dir / "spectral_normalization_training.npz", **arrays)


def generate(out_dir: pathlib.Path) -> None:
    import tf_keras as tfk

    out_dir = pathlib.Path(out_dir)
    for case in CASES:
        np.savez_compressed(out_dir / f"{case.name}.npz", **_record(tfk, case))
    _h5_models(tfk, out_dir)
    _spectral_normalization_training(out_dir)
    size = sum(p.stat().st_size for p in out_dir.glob("*"))
    print(f"  {len(CASES)} tf-keras cases, 2 .h5 models, 1 training record; {size / 1024:.0f} KiB in {out_dir}")


if __name__ == "__main__":
    out = ROOT / "compat" / "fixtures" / "layers_extra"
    out.mkdir(parents=True, exist_ok=True)
    generate(out)
