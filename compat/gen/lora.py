"""LoRA fixtures recorded with Keras 3 (``Dense``, ``EinsumDense``, ``Embedding`` with LoRA enabled).

Run: ``/opt/kref/bin/python compat/generate_fixtures.py lora`` (writes ``compat/fixtures/lora/``):

* ``layers.npz`` + ``layers.json``: per case of :data:`CASES`, the layer built and LoRA-enabled as the
  case says, every weight set to fixed values (``w{j}`` in ``get_weights()`` order), the input ``x``,
  the output ``y``, the merged ``kernel`` property, and, after one SGD step (learning rate 0.1) on
  ``sum(y ** 2)``, the weights ``t{j}``; the JSON holds ``get_config()``, the weight paths of
  ``weights`` / ``trainable_weights`` / ``non_trainable_weights`` and ``len(losses)``;
* ``k3_lora.keras``, ``k3_lora.weights.h5``, ``k3_lora.h5`` and ``k3_lora.npz`` (``x0``, ``y0`` and the
  weights ``w{j}`` in ``get_weights()`` order): :func:`lora_model` with every weight (LoRA factors included)
  set to non-zero values; ``layers.json`` holds its weight paths under ``"model"``.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import numpy as np

SEED = 4321

# name -> (class, constructor kwargs, input shape, integer input, enable_lora kwargs or None)
CASES: dict[str, tuple[str, dict[str, Any], tuple[int, ...], bool, dict[str, Any] | None]] = {
    "dense": ("Dense", {"units": 4, "activation": "tanh", "lora_rank": 2, "lora_alpha": 8,
                        "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.125}}}, (3, 5), False, None),
    "dense_enable": ("Dense", {"units": 3, "use_bias": False}, (2, 4, 6), False, {"rank": 3, "lora_alpha": 6.0}),
    "einsum": ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (3, 2, 4), "bias_axes": "de",
                               "lora_rank": 2, "lora_alpha": 6}, (2, 3, 5), False, None),
    "einsum_enable": ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4}, (3, 5), False,
                      {"rank": 2}),
    "embedding": ("Embedding", {"input_dim": 9, "output_dim": 4, "lora_rank": 3, "lora_alpha": 9,
                                "embeddings_regularizer": {"class_name": "L1", "config": {"l1": 0.25}}}, (2, 5), True, None),
    "embedding_enable": ("Embedding", {"input_dim": 7, "output_dim": 3, "mask_zero": True}, (3, 4), True,
                         {"rank": 2, "lora_alpha": 1.0}),
}


def lora_model(K: Any) -> Any:
    """Embedding -> EinsumDense -> Dense, each LoRA-enabled (the model of the file fixtures)."""
    L = K.layers
    inp = K.Input((5,), dtype="int32")
    x = L.Embedding(12, 6, lora_rank=2, name="emb")(inp)
    x = L.EinsumDense("abc,cd->abd", (5, 4), bias_axes="d", lora_rank=3, lora_alpha=6, name="ein")(x)
    x = L.Flatten()(x)
    x = L.Dense(3, activation="tanh", lora_rank=2, name="dense")(x)
    return K.Model(inp, x, name="lora")


def case_input(name: str) -> np.ndarray:
    """The input of case ``name`` (also rebuilt by the tests)."""
    _, kwargs, shape, integer, _ = CASES[name]
    rng = np.random.default_rng(SEED + len(name))
    if integer:
        return rng.integers(0, kwargs["input_dim"], shape).astype("int32")
    return rng.normal(size=shape).astype("float32")


def model_input() -> np.ndarray:
    """The input of :func:`lora_model` in the file fixtures."""
    return np.random.default_rng(SEED).integers(0, 12, (4, 5)).astype("int32")


def _values(shapes: list[tuple[int, ...]], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-0.5, 0.5, s).astype("float32") for s in shapes]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def _record_case(keras: Any, tf: Any, name: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    cls_name, kwargs, shape, _, enable = CASES[name]
    layer = getattr(keras.layers, cls_name)(**kwargs)
    layer.build((None,) + tuple(shape[1:]))
    if enable is not None:
        layer.enable_lora(**enable)
    layer.set_weights(_values([tuple(w.shape) for w in layer.get_weights()], SEED + len(name)))
    x = case_input(name)
    arrays: dict[str, np.ndarray] = {f"w{j}": np.asarray(w) for j, w in enumerate(layer.get_weights())}
    kernel = layer.embeddings if cls_name == "Embedding" else layer.kernel
    arrays.update(x=x, y=np.asarray(layer(x)), kernel=np.asarray(kernel))
    info = {
        "config": _jsonable(layer.get_config()),
        "weights": [w.path for w in layer.weights],
        "trainable": [w.path for w in layer.trainable_weights],
        "non_trainable": [w.path for w in layer.non_trainable_weights],
        "n_losses": len(layer.losses),
    }
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(tf.cast(layer(x), "float32")))
    grads = tape.gradient(loss, layer.trainable_weights)
    keras.optimizers.SGD(0.1).apply_gradients(zip(grads, layer.trainable_weights))
    arrays.update({f"t{j}": np.asarray(w) for j, w in enumerate(layer.get_weights())})
    return arrays, info


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf

    out_dir.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    infos: dict[str, Any] = {}
    for name in CASES:
        case_arrays, infos[name] = _record_case(keras, tf, name)
        arrays.update({f"{name}/{k}": v for k, v in case_arrays.items()})
    np.savez(out_dir / "layers.npz", **arrays)

    model = lora_model(keras)
    weights = _values([tuple(w.shape) for w in model.get_weights()], SEED)
    model.set_weights(weights)
    x = model_input()
    np.savez(out_dir / "k3_lora.npz", x0=x, y0=np.asarray(model.predict(x, verbose=0)),
             **{f"w{j}": w for j, w in enumerate(weights)})
    model_info = {"weights": [w.path for w in model.weights],
                  "trainable": [w.path for w in model.trainable_weights]}
    (out_dir / "layers.json").write_text(json.dumps(
        {"keras_version": keras.__version__, "cases": infos, "model": model_info}, indent=1, sort_keys=True))
    model.save(out_dir / "k3_lora.keras")
    model.save_weights(out_dir / "k3_lora.weights.h5")
    model.save(out_dir / "k3_lora.h5")
