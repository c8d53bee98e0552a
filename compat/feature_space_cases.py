"""``keras.utils.FeatureSpace`` cases shared by the Keras 3 fixture generator (compat/gen/feature_space.py) and
tests/layers/test_feature_space.py: the same data, features and calls with either library."""

from __future__ import annotations

from typing import Any

import numpy as np

N = 70  # more than two of Keras's adapt batches of 32


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "age": rng.normal(40, 12, N).astype("float32"),
        "income": rng.uniform(0, 5, N).astype("float32"),
        "rate": rng.uniform(-1, 1, N).astype("float32"),
        "score": rng.normal(0, 1, N).astype("float32"),
        "city": rng.choice(np.array(["paris", "lyon", "nice", "lille"]), N),
        "code": rng.choice(np.array(["a1", "b2", "c3", "d4", "e5"]), N),
        "zone": rng.integers(0, 6, N).astype("int32"),
        "kind": rng.integers(0, 100, N).astype("int32"),
    }


def feature_space(keras: Any, output_mode: str = "concat") -> Any:
    fs = keras.utils.FeatureSpace
    int_mode = "int" if output_mode == "dict" else "one_hot"  # int features cannot be concatenated
    return fs(
        features={
            "age": fs.float_normalized(),
            "income": fs.float_discretized(num_bins=4),
            "rate": fs.float_rescaled(scale=2.0, offset=1.0),
            "score": "float",
            "city": fs.string_categorical(num_oov_indices=2),
            "code": fs.string_hashed(num_bins=7),
            "zone": fs.integer_categorical(max_tokens=5),
            "kind": fs.integer_hashed(num_bins=5, output_mode=int_mode),
        },
        crosses=[fs.cross(("city", "zone"), crossing_dim=9), fs.cross(("code", "kind"), crossing_dim=4,
                                                                      output_mode=int_mode)],
        output_mode=output_mode,
    )


def cases(keras: Any, model_input: Any = lambda x: x) -> dict[str, np.ndarray]:
    """Every recorded value; ``model_input`` adapts ``predict`` inputs (Keras 3 wants ``tf.string`` tensors)."""
    values = data()
    out: dict[str, np.ndarray] = {}
    concat = feature_space(keras)
    concat.adapt(values)
    batch = {k: v[:6] for k, v in values.items()}
    out["concat"] = np.asarray(concat(batch))
    out["single"] = np.asarray(concat({k: v[3] for k, v in values.items()}))
    model = keras.Model(concat.get_inputs(), concat.get_encoded_features())
    out["model"] = np.asarray(model.predict({k: model_input(v[:6, None]) for k, v in values.items()}, verbose=0))
    as_dict = feature_space(keras, "dict")
    as_dict.adapt(values)
    for name, value in as_dict(batch).items():
        out[f"dict_{name}"] = np.asarray(value)
    return out
