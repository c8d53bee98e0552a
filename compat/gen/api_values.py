"""Small non-array facts from real Keras 3 for the API-surface tests (dtype promotion, dtype policies,
variables, name scopes, config defaults).

    /opt/kref/bin/python compat/generate_fixtures.py api_values

Writes ``compat/fixtures/api_values/values.json``. Keras runs on its TensorFlow backend here, so
facts that depend on the backend are recorded as TensorFlow gives them and the tests apply the
torch backend's documented difference (64-bit results narrowed to 32 bits) where it matters.
"""

from __future__ import annotations

import json
import os
import pathlib

import numpy as np

PROMOTION_DTYPES = ["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64", "bfloat16", "float16",
                    "float32", "float64"]


def _variable_facts(keras) -> dict:
    facts = {}
    for label, value in [("np_int64", np.arange(3)), ("np_float64", np.arange(3.0)), ("py_float", 1.0),
                         ("np_int32", np.arange(3).astype("int32")), ("np_bool", np.array([True]))]:
        facts[label] = keras.Variable(value).dtype
    with keras.name_scope("outer"):
        with keras.name_scope("inner"):
            facts["nested_path"] = keras.Variable(1.0, name="x").path
        with keras.name_scope("outer"):
            facts["repeated_path"] = keras.Variable(1.0, name="y").path
        with keras.name_scope("abs", override_parent="root/sub"):
            facts["override_path"] = keras.Variable(1.0, name="z").path
    return facts


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    from keras import dtype_policies as dp

    promotion = {}
    for a in PROMOTION_DTYPES:
        for b in PROMOTION_DTYPES:
            promotion[f"{a},{b}"] = keras.backend.result_type(a, b)
        promotion[f"{a},float"] = keras.backend.result_type(a, float)
    policy_map = dp.DTypePolicyMap("bfloat16")
    policy_map["enc/.*"] = "float16"  # (the constructor's policy_map dict is stored unconverted in Keras)
    policy_map["dec"] = "mixed_float16"
    values = {
        "keras_version": keras.__version__,
        "result_type": promotion,
        "policy_serialized": {
            "mixed_float16": dp.serialize(dp.DTypePolicy("mixed_float16")),
            "float_float32": dp.serialize(dp.FloatDTypePolicy("float32")),
            "map": dp.serialize(policy_map),
        },
        "policy_map_lookup": {k: policy_map[k].name for k in ("enc/a", "dec", "dec/a", "other")},
        "policy_map_name": policy_map.name,
        "variables": _variable_facts(keras),
        "config_defaults": {
            "is_flash_attention_enabled": keras.config.is_flash_attention_enabled(),
            "max_epochs": keras.config.max_epochs(),
            "max_steps_per_epoch": keras.config.max_steps_per_epoch(),
            "is_traceback_filtering_enabled": keras.config.is_traceback_filtering_enabled(),
            "is_interactive_logging_enabled": keras.config.is_interactive_logging_enabled(),
            "is_nnx_enabled": keras.config.is_nnx_enabled(),
            "dtype_policy": keras.config.dtype_policy().name,
        },
    }
    (out_dir / "values.json").write_text(json.dumps(values, indent=1, sort_keys=True) + "\n", encoding="utf8")
    print(f"  {len(promotion)} promotions (keras {keras.__version__})")
