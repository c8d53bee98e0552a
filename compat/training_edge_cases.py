"""Training inputs at the edge: what ``fit`` does with each, for real Keras 3 and for keras_torch.

Each case builds a tiny model and calls ``fit`` (or ``evaluate``) once. :func:`run` maps every case
to an outcome: ``"train"`` (finished with a finite loss), ``"train-nonfinite"``, or ``"error:<kind>"``
where the kind groups exception types that mean the same thing across backends (TensorFlow's
``InvalidArgumentError`` is Keras's way of saying ``ValueError``). ``compat/gen/training_edge_cases.py``
records Keras 3's outcomes; ``tests/reliability/test_training_edge_cases.py`` checks keras_torch
against them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

N = 8  # samples per case


def _dense(keras: Any, units: int = 3, activation: str | None = "softmax", dim: int = 4) -> Any:
    return keras.Sequential([keras.Input((dim,)), keras.layers.Dense(units, activation=activation)])


def _x(dtype: str = "float32", dim: int = 4) -> np.ndarray:
    values = (np.arange(N * dim).reshape(N, dim) % 3).astype("float64")
    return values.astype(dtype) if dtype != "bool" else values.astype(bool)


def _fit(model: Any, x: Any, y: Any = None, loss: str | Any = "sparse_categorical_crossentropy", **kwargs: Any) -> Any:
    model.compile(optimizer="sgd", loss=loss)
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False, **kwargs)
    return history.history["loss"][-1]


def _sparse_labels(*labels: float) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        y = np.array([labels[i % len(labels)] for i in range(N)])
        return _fit(_dense(keras), _x(), y.astype("float32") if any(isinstance(v, float) for v in labels)
                    else y.astype("int64"))

    return case


def _input_dtype(dtype: str) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        return _fit(_dense(keras, 1, None), _x(dtype), np.ones((N, 1), "float32"), loss="mse")

    return case


def _embedding(index: int) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        model = keras.Sequential([keras.Input((2,), dtype="int32"), keras.layers.Embedding(5, 2),
                                  keras.layers.Flatten(), keras.layers.Dense(1)])
        x = np.zeros((N, 2), "int32")
        x[3, 1] = index
        return _fit(model, x, np.zeros((N, 1), "float32"), loss="mse")

    return case


def _class_weight(weights: dict) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        return _fit(_dense(keras), _x(), np.arange(N) % 3, class_weight=weights)

    return case


def _y_none(keras: Any) -> Any:
    return _fit(_dense(keras), _x(), None)


def _wrong_dict_key(keras: Any) -> Any:
    inp = keras.Input((4,), name="a")
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))
    return _fit(model, {"b": _x()}, np.arange(N) % 3)


def _generator(item: Any) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        def gen():
            while True:
                yield item

        model = _dense(keras)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model.fit(gen(), steps_per_epoch=2, epochs=1, verbose=0).history["loss"][-1]

    return case


def _generator_batches(x: np.ndarray, y: np.ndarray) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        def gen():
            while True:
                for at in range(0, N, 4):
                    yield x[at:at + 4], y[at:at + 4]

        model = _dense(keras)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model.fit(gen(), steps_per_epoch=2, epochs=1, verbose=0).history["loss"][-1]

    return case


def _onehot_width_mismatch(keras: Any) -> Any:
    return _fit(_dense(keras), _x(), np.eye(4, dtype="float32")[np.arange(N) % 4], loss="categorical_crossentropy")


def _binary_labels(value: float) -> Callable[[Any], Any]:
    def case(keras: Any) -> Any:
        return _fit(_dense(keras, 1, "sigmoid"), _x(), np.full((N, 1), value, "float32"), loss="binary_crossentropy")

    return case


def _int_targets_mse(keras: Any) -> Any:
    return _fit(_dense(keras, 1, None), _x(), np.ones((N, 1), "int64"), loss="mse")


def _bool_targets_bce(keras: Any) -> Any:
    return _fit(_dense(keras, 1, "sigmoid"), _x(), np.ones((N, 1), bool), loss="binary_crossentropy")


def _sparse_logits_out_of_range(keras: Any) -> Any:
    model = _dense(keras, 3, None)
    return _fit(model, _x(), np.full((N,), 7, "int64"),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


def _evaluate_out_of_range(keras: Any) -> Any:
    model = _dense(keras)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model.evaluate(_x(), np.full((N,), 5, "int64"), verbose=0)


CASES: dict[str, Callable[[Any], Any]] = {
    "sparse_labels_valid": _sparse_labels(0, 1, 2),
    "sparse_labels_integral_floats": _sparse_labels(0.0, 1.0, 2.0),
    "sparse_label_minus_100": _sparse_labels(0, 1, -100),
    "sparse_label_minus_1": _sparse_labels(0, -1),
    "sparse_label_equal_to_classes": _sparse_labels(0, 3),
    "sparse_label_far_out_of_range": _sparse_labels(1, 10**6),
    "sparse_label_nan": _sparse_labels(0.0, float("nan")),
    "sparse_label_out_of_range_from_logits": _sparse_logits_out_of_range,
    "sparse_label_out_of_range_evaluate": _evaluate_out_of_range,
    "input_uint8": _input_dtype("uint8"),
    "input_int32": _input_dtype("int32"),
    "input_int64": _input_dtype("int64"),
    "input_bool": _input_dtype("bool"),
    "input_float64": _input_dtype("float64"),
    "input_float16": _input_dtype("float16"),
    "embedding_index_valid": _embedding(4),
    "embedding_index_out_of_range": _embedding(10),
    "embedding_index_negative": _embedding(-1),
    "class_weight_valid": _class_weight({0: 1.0, 1: 2.0, 2: 0.5}),
    "class_weight_partial": _class_weight({1: 2.0}),
    "class_weight_huge_key": _class_weight({10**9: 1.0}),
    "y_none": _y_none,
    "dict_input_wrong_key": _wrong_dict_key,
    "generator_yields_none": _generator(None),
    "generator_valid": _generator_batches(_x(), np.arange(N) % 3),
    "generator_uint8_inputs": _generator_batches(_x("uint8"), np.arange(N) % 3),
    "generator_label_out_of_range": _generator_batches(_x(), np.full((N,), 3)),
    "generator_label_nan": _generator_batches(_x(), np.where(np.arange(N) == 5, np.nan, 1.0)),
    "generator_string_inputs": _generator(("junk", np.zeros((4,), "int64"))),
    "class_weight_float_keys": _class_weight({0.0: 1.0, 1.0: 2.0, 2.0: 1.0}),
    "generator_yields_string": _generator("junk"),
    "onehot_width_mismatch": _onehot_width_mismatch,
    "binary_label_out_of_unit_range": _binary_labels(2.0),
    "int_targets_mse": _int_targets_mse,
    "bool_targets_bce": _bool_targets_bce,
}

# Exception types that mean the same across backends, by kind.
KINDS = {
    "ValueError": "value", "InvalidArgumentError": "value", "UnimplementedError": "value",
    "TypeError": "type",
    "KeyError": "key",
}


def outcome(fn: Callable[[Any], Any], keras: Any) -> dict[str, str]:
    """``{"outcome": ..., "type": exception type, "message": first line}`` of one case."""
    try:
        loss = fn(keras)
    except Exception as e:  # noqa: BLE001 - the outcome is what is recorded
        name = type(e).__name__
        message = str(e).strip().splitlines()[0][:300] if str(e).strip() else ""
        return {"outcome": f"error:{KINDS.get(name, 'other')}", "type": name, "message": message}
    finite = loss is not None and math.isfinite(float(np.asarray(loss)))
    return {"outcome": "train" if finite else "train-nonfinite", "type": "", "message": ""}


def run(keras: Any) -> dict[str, dict[str, str]]:
    """The outcome of every case."""
    return {name: outcome(fn, keras) for name, fn in CASES.items()}
