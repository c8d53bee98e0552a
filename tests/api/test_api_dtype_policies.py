"""``keras.dtype_policies`` and ``keras.backend.result_type``: configs and lookups as real Keras 3."""

import pytest

import keras_torch as keras
from keras_torch import dtype_policies as dp
from keras_torch.core import dtype_promotion, omissions

# keras_torch follows Keras's promotion as on its TensorFlow backend (64-bit results kept, Python
# ints weak int64), the backend every golden fixture comes from; this fixture is from it too.


def test_serialize_matches_keras(keras_facts):
    expected = keras_facts["policy_serialized"]
    assert dp.serialize(dp.DTypePolicy("mixed_float16")) == expected["mixed_float16"]
    assert dp.serialize(dp.FloatDTypePolicy("float32")) == expected["float_float32"]
    policy_map = dp.DTypePolicyMap("bfloat16")
    policy_map["enc/.*"] = "float16"
    policy_map["dec"] = "mixed_float16"
    assert dp.serialize(policy_map) == expected["map"]
    assert policy_map.name == keras_facts["policy_map_name"]
    assert {k: policy_map[k].name for k in keras_facts["policy_map_lookup"]} == keras_facts["policy_map_lookup"]


def test_round_trips_and_get():
    policy_map = dp.DTypePolicyMap("float32", {"a/.*": "float16"})
    again = dp.deserialize(dp.serialize(policy_map))
    assert isinstance(again, dp.DTypePolicyMap) and again == policy_map and again["a/b"].name == "float16"
    assert dp.get("mixed_bfloat16").compute_dtype == "bfloat16"
    assert dp.get({"class_name": "FloatDTypePolicy", "config": {"name": "float64"}}).name == "float64"
    assert dp.get(None) == keras.config.dtype_policy()
    assert keras.DTypePolicy("float16") == keras.FloatDTypePolicy("float16")
    assert repr(keras.FloatDTypePolicy("float16")) == '<DTypePolicy "float16">'
    with pytest.raises(ValueError, match="Cannot interpret `dtype` argument"):
        dp.get("not_a_dtype")


def test_policy_map_errors_and_layer_use():
    policy_map = dp.DTypePolicyMap("float32", {"enc/.*": "float16", "enc/a.*": "bfloat16"})
    with pytest.raises(ValueError, match="matches multiple dtype policy specification keys"):
        policy_map["enc/ab"]
    with pytest.raises(ValueError, match="already exist in the DTypePolicyMap"):
        policy_map["enc/.*"] = "float64"
    del policy_map["enc/a.*"]
    assert len(policy_map) == 1 and "enc/.*" in policy_map
    layer = keras.layers.Dense(2, dtype=dp.DTypePolicyMap("float64"))
    assert layer.dtype_policy.variable_dtype == "float64"


def test_quantized_policies_are_documented_omissions():
    with pytest.raises(omissions.NotProvidedError, match="quantized dtype policies belong to model.quantize"):
        dp.Int4DTypePolicy  # noqa: B018
    with pytest.raises(omissions.NotProvidedError, match="dtype_policies.GPTQDTypePolicy"):
        dp.deserialize({"class_name": "GPTQDTypePolicy", "config": {}})


def test_result_type_follows_keras_promotion(keras_facts):
    for pair, expected in keras_facts["result_type"].items():
        a, b = pair.split(",")
        b = float if b == "float" else b
        assert dtype_promotion.result_type(a, b) == expected, pair


def test_result_type_edge_cases():
    assert dtype_promotion.result_type() == "float32"
    assert dtype_promotion.result_type(int, float) == "float32"
    assert dtype_promotion.result_type("int8", int) == "int8"
    with pytest.raises(ValueError, match="no implicit conversions from float8"):
        dtype_promotion.result_type("float8_e4m3fn", "float32")
    assert dtype_promotion.standardize_dtype(None) == "float32"
    assert dtype_promotion.is_int_dtype("uint8") and not dtype_promotion.is_int_dtype("float16")
    with pytest.raises(ValueError, match="Invalid dtype: complex32"):
        dtype_promotion.standardize_dtype("complex32")
