"""Golden Keras files saved by real tf-keras 2 and Keras 3 (TensorFlow backend).

Run: ``/opt/kref/bin/python compat/generate_fixtures.py files``.

For each model ``<writer>_<name>`` (writer ``tfk`` = tf-keras 2.x, ``k3`` = Keras 3) this writes the
model file(s) and ``<writer>_<name>.npz`` holding ``x0``, ``x1``... (inputs) and ``y0``, ``y1``...
(Keras's predictions). Extra keys:

* compiled models: ``train_x``/``train_y`` and ``after0``... = predictions after one more
  ``train_on_batch(train_x, train_y)`` on the loaded-from-file state (checks optimizer resume),
  ``iterations`` = optimizer iterations at save time;
* weights-only files: same inputs/outputs; the architecture is rebuilt by the test in keras_torch.

``manifest.json`` lists every file with its writer, Keras version and kind.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import numpy as np

SEED = 1234


def _randomize(model: Any, rng: np.random.Generator) -> None:
    """Non-trivial values for every weight (positive variances) so outputs depend on all of them."""
    new = []
    for w in model.weights:
        name = getattr(w, "path", None) or w.name
        shape = tuple(w.shape)
        if "variance" in name:
            new.append(rng.uniform(0.5, 1.5, shape).astype("float32"))
        elif "gamma" in name:
            new.append(rng.uniform(0.7, 1.3, shape).astype("float32"))
        elif "embeddings" in name:
            new.append(rng.uniform(-1, 1, shape).astype("float32"))
        else:
            new.append(rng.uniform(-0.4, 0.4, shape).astype("float32"))
    model.set_weights(new)


def _mlp(K: Any, dropout: float = 0.3) -> Any:
    L = K.layers
    return K.Sequential([
        K.Input((8,)), L.Dense(16, activation="relu"), L.Dropout(dropout), L.Dense(12, activation="tanh"),
        L.Dense(4, activation="softmax"),
    ], name="mlp")


def _cnn(K: Any) -> Any:
    L = K.layers
    return K.Sequential([
        K.Input((10, 10, 3)), L.Conv2D(4, 3, padding="same"), L.BatchNormalization(), L.Activation("relu"),
        L.MaxPooling2D(2), L.Conv2D(6, 3, strides=1, padding="valid", activation="relu"),
        L.AveragePooling2D(2, padding="same"), L.Flatten(), L.Dense(5), L.BatchNormalization(),
        L.Dense(3, activation="softmax"),
    ], name="cnn")


def _text(K: Any) -> Any:
    L = K.layers
    inp = K.Input((7,), dtype="int32", name="tokens")
    x = L.Embedding(30, 6)(inp)
    x = L.LSTM(5, return_sequences=True)(x)
    x = L.GRU(4, return_sequences=True, reset_after=True)(x)
    x = L.Bidirectional(L.LSTM(3))(x)
    out = L.Dense(2, activation="sigmoid")(x)
    return K.Model(inp, out, name="text")


def _gru_v1(K: Any) -> Any:
    L = K.layers
    inp = K.Input((6, 3))
    x = L.GRU(5, return_sequences=True, reset_after=False)(inp)
    x = L.Bidirectional(L.GRU(2, reset_after=False), merge_mode="sum")(x)
    return K.Model(inp, L.Dense(2)(x), name="gru_v1")


def _multi(K: Any) -> Any:
    L = K.layers
    a = K.Input((6,), name="a")
    b = K.Input((4,), name="b")
    shared = L.Dense(5, activation="relu", name="shared")
    inner_in = K.Input((5,))
    inner = K.Model(inner_in, L.Dense(3, name="inner_dense")(L.BatchNormalization(name="inner_bn")(inner_in)),
                    name="inner_functional")
    seq = K.Sequential([K.Input((5,)), L.Dense(5, activation="tanh"), L.Dense(3)], name="inner_seq")
    pa = shared(L.Dense(5, name="proj_a")(a))
    pb = shared(L.Dense(5, name="proj_b")(b))
    merged = L.Concatenate(name="concat")([inner(pa), seq(pb)])
    out1 = L.Dense(2, name="out1")(merged)
    out2 = L.Add(name="out2")([inner(pb), seq(pa)])
    return K.Model([a, b], [out1, out2], name="multi")


def _hard_sigmoid(K: Any) -> Any:
    L = K.layers
    inp = K.Input((5, 3))
    x = L.LSTM(4, return_sequences=True, recurrent_activation="hard_sigmoid")(inp)
    x = L.GRU(3, recurrent_activation="hard_sigmoid", reset_after=True)(x)
    return K.Model(inp, L.Dense(2, activation="hard_sigmoid")(x), name="hard_sigmoid_rnn")


def _lambda(K: Any) -> Any:
    L = K.layers
    inp = K.Input((4,))
    x = L.Dense(3)(inp)
    x = L.Lambda(lambda t: t * 2.0 + 1.0, name="affine")(x)
    return K.Model(inp, L.Dense(2)(x), name="with_lambda")


def _families(K: Any) -> Any:
    """One model touching the layer families the other fixtures miss: preprocessing, separable and
    transposed convs, cropping, regularization, reshaping, normalization, attention, wrappers, SimpleRNN."""
    L = K.layers
    img = K.Input((8, 8, 3), name="img")
    x = L.Rescaling(0.5, offset=0.1)(img)
    x = L.SeparableConv2D(4, 3, padding="same")(x)
    x = L.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
    x = L.Cropping2D(((1, 1), (2, 2)))(x)
    x = L.MaxPooling2D(2)(x)
    x = L.GaussianNoise(0.1)(x)
    x = L.Reshape((42, 4))(x)
    x = L.Permute((2, 1))(x)
    seq = K.Input((6, 5), name="seq")
    s = L.LayerNormalization()(seq)
    s = L.MultiHeadAttention(num_heads=2, key_dim=3)(s, s)
    s = L.TimeDistributed(L.Dense(4))(s)
    s = L.SimpleRNN(5)(s)
    f = L.Concatenate()([L.Flatten()(x), s])
    return K.Model([img, seq], L.Dense(3, activation="softmax")(f), name="families")


def _inputs(model: Any, rng: np.random.Generator, n: int = 4) -> list[np.ndarray]:
    xs = []
    for t in model.inputs:
        shape = (n,) + tuple(int(d) for d in t.shape[1:])
        dtype = str(getattr(t.dtype, "name", t.dtype))
        if "int" in dtype:
            xs.append(rng.integers(0, 30, shape).astype("int32"))
        else:
            xs.append(rng.normal(size=shape).astype("float32"))
    return xs


def _predict(model: Any, xs: list[np.ndarray]) -> list[np.ndarray]:
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


def _save_npz(path: pathlib.Path, xs: list[np.ndarray], ys: list[np.ndarray], **extra: Any) -> None:
    arrays = {f"x{i}": x for i, x in enumerate(xs)}
    arrays.update({f"y{i}": y for i, y in enumerate(ys)})
    arrays.update(extra)
    np.savez(path, **arrays)


def _seeded(K: Any, build: Any) -> tuple[Any, list, list]:
    """``build(K)`` with seeded random weights, seeded inputs and its predictions."""
    K.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = build(K)
    _randomize(model, rng)
    xs = _inputs(model, rng)
    return model, xs, _predict(model, xs)


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tf_keras

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {}

    def record(fname: str, writer: str, kind: str, model: str, **info: Any) -> None:
        version = tf_keras.__version__ if writer == "tfk" else keras.__version__
        manifest[fname] = {"writer": writer, "keras_version": version, "kind": kind, "model": model, **info}

    builders = {"mlp": _mlp, "cnn": _cnn, "text": _text, "gru_v1": _gru_v1, "multi": _multi, "families": _families}
    for writer, K in (("tfk", tf_keras), ("k3", keras)):
        for name, build in builders.items():
            model, xs, ys = _seeded(K, build)
            stem = f"{writer}_{name}"
            if writer == "tfk":
                model.save(out_dir / f"{stem}.h5")
                record(f"{stem}.h5", writer, "model", name)
            else:
                model.save(out_dir / f"{stem}.keras")
                record(f"{stem}.keras", writer, "model", name)
                if name in ("mlp", "multi", "cnn", "families"):
                    model.save(out_dir / f"{stem}.h5")
                    record(f"{stem}.h5", writer, "model", name)
            if name in ("cnn", "text"):
                wname = f"{stem}.weights.h5" if writer == "k3" else f"{stem}_weights.h5"
                model.save_weights(out_dir / wname)
                record(wname, writer, "weights", name)
            _save_npz(out_dir / f"{stem}.npz", xs, ys)

        # hard_sigmoid (tf-keras: Keras 2 definition in the file) and Lambda models.
        for name, build in (("hard_sigmoid", _hard_sigmoid), ("lambda", _lambda)):
            model, xs, ys = _seeded(K, build)
            stem = f"{writer}_{name}"
            ext = ".h5" if writer == "tfk" else ".keras"
            model.save(out_dir / f"{stem}{ext}")
            record(f"{stem}{ext}", writer, "model", name)
            _save_npz(out_dir / f"{stem}.npz", xs, ys)

        # A compiled model with Adam state after a couple of steps.
        K.utils.set_random_seed(SEED)
        rng = np.random.default_rng(SEED)
        model = _mlp(K, dropout=0.0)  # no dropout: the extra training step must be deterministic
        _randomize(model, rng)
        model.compile(optimizer=K.optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        tx = rng.normal(size=(16, 8)).astype("float32")
        ty = np.eye(4, dtype="float32")[rng.integers(0, 4, 16)]
        model.train_on_batch(tx, ty)
        model.train_on_batch(tx, ty)
        xs = _inputs(model, rng)
        ys = _predict(model, xs)
        stem = f"{writer}_compiled"
        # .keras first: Keras 3's legacy .h5 writer pops "optimizer" from the live compile config.
        files = ([f"{stem}.keras"] if writer == "k3" else []) + [f"{stem}.h5"]
        for fname in files:
            model.save(out_dir / fname)
            record(fname, writer, "compiled", "mlp")
        iterations = int(np.asarray(model.optimizer.iterations))
        model.train_on_batch(tx, ty)
        after = _predict(model, xs)
        _save_npz(out_dir / f"{stem}.npz", xs, ys, train_x=tx, train_y=ty, iterations=np.asarray(iterations),
                  **{f"after{i}": a for i, a in enumerate(after)})

    # A small keras.applications model (Keras 3 only; the file stays < 1 MB).
    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    app = keras.applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25, weights=None, include_top=False,
                                       pooling="avg")
    _randomize(app, rng)
    xs = _inputs(app, rng, n=2)
    ys = _predict(app, xs)
    app.save(out_dir / "k3_mobilenet.keras")
    record("k3_mobilenet.keras", "k3", "model", "mobilenet")
    _save_npz(out_dir / "k3_mobilenet.npz", xs, ys)

    with open(out_dir / "manifest.json", "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    total = sum(p.stat().st_size for p in out_dir.iterdir())
    print(f"files: {len(manifest)} model/weights files, {total / 1e6:.2f} MB in {out_dir}")


def key_table() -> dict[str, dict[str, list[str]]]:
    """Constructor keys tf-keras accepts per class (source of ``keras_torch/saving/dialects/tfkeras_keys.py``)."""
    import inspect

    import tf_keras as tfk

    base = {"name", "trainable", "dtype", "dynamic", "input_dim", "input_shape", "batch_input_shape", "batch_size",
            "weights", "activity_regularizer", "autocast", "implementation"}

    def params(cls: type, stop: type, extra: set[str]) -> set[str]:
        keys: set[str] = set()
        for c in cls.__mro__:
            if c is stop or c is object:
                return keys | extra
            if "__init__" in c.__dict__:
                try:
                    sig = inspect.signature(c.__dict__["__init__"])
                except (TypeError, ValueError):
                    continue
                keys |= {p for p, v in sig.parameters.items()
                         if v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL) and p != "self"}
                if not any(v.kind == v.VAR_KEYWORD for v in sig.parameters.values()):
                    return keys
        return keys

    out: dict[str, dict[str, list[str]]] = {}
    for cat, mod, stop, extra in (("layers", tfk.layers, tfk.layers.Layer, base),
                                  ("initializers", tfk.initializers, tfk.initializers.Initializer, set()),
                                  ("regularizers", tfk.regularizers, tfk.regularizers.Regularizer, set()),
                                  ("constraints", tfk.constraints, tfk.constraints.Constraint, set())):
        table = {}
        for n in dir(mod):
            c = getattr(mod, n)
            if isinstance(c, type) and issubclass(c, stop):
                table[n] = sorted(params(c, stop, extra))
        out[cat] = table
    for n in ("Sequential", "Functional", "Model"):
        out["layers"].pop(n, None)
    return out
