"""Lambda: calls, shapes, masks, Keras 3 / Keras 2 serialization and the safe-mode refusal."""

import pytest
import torch

from keras_torch import config
from keras_torch import layers as L
from keras_torch.core import config as core_config
from keras_torch.layers.lambda_layer import func_dump


def test_call_arguments_mask_and_training():
    x = torch.randn(2, 3)
    assert torch.allclose(L.Lambda(lambda t, k: t * k, arguments={"k": 3})(x), x * 3)
    seen = {}

    def fn(t, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return t

    x._keras_mask = torch.tensor([True, False])
    L.Lambda(fn)(x, training=True)
    assert seen["training"] is True and torch.equal(seen["mask"], x._keras_mask)
    out = L.Lambda(lambda t: t, mask=lambda i, m: m)(x)
    assert torch.equal(out._keras_mask, x._keras_mask)


def test_output_shape():
    inp = L.Input((3, 4))
    assert L.Lambda(lambda t: t[:, 0])(inp).shape == (None, 4)
    assert L.Lambda(lambda t: t.sum(-1), output_shape=(3,))(inp).shape == (None, 3)
    assert L.Lambda(lambda t: t, output_shape=lambda s: s)(inp).shape == (None, 3, 4)


def test_keras3_config_and_safe_mode():
    scale = 2.5
    layer = L.Lambda(lambda t, k=2: t * k * scale, output_shape=(3,))
    cfg = layer.get_config()
    fn_cfg = cfg["function"]
    assert fn_cfg["class_name"] == "__lambda__"
    assert set(fn_cfg["config"]) == {"code", "defaults", "closure"}
    assert fn_cfg["config"]["closure"] == (2.5,) and fn_cfg["config"]["defaults"] == (2,)
    with pytest.raises(ValueError, match="arbitrary code.*safe_mode=False.*enable_unsafe_deserialization"):
        L.Lambda.from_config(cfg)
    with pytest.raises(ValueError, match="safe_mode"):
        L.Lambda.from_config(cfg, safe_mode=True)
    x = torch.randn(2, 3)
    restored = L.Lambda.from_config(cfg, safe_mode=False)
    assert torch.allclose(restored(x), x * 5)
    config.enable_unsafe_deserialization()
    try:
        assert torch.allclose(L.Lambda.from_config(cfg)(x), x * 5)
    finally:
        core_config._UNSAFE["enabled"] = False


def test_named_function_roundtrip_without_bytecode():
    layer = L.Lambda(_double)
    cfg = layer.get_config()
    assert cfg["function"]["class_name"] == "function" and cfg["function"]["config"] == "_double"
    restored = L.Lambda.from_config(cfg, custom_objects={"_double": _double})
    assert torch.equal(restored(torch.ones(2)), torch.full((2,), 2.0))


def _double(t):
    return t * 2


def test_keras2_h5_forms():
    dumped = list(func_dump(lambda t: t + 1))
    k2 = {"name": "lambda_k2", "trainable": True, "dtype": "float32", "function": dumped, "function_type": "lambda",
          "module": "__main__", "output_shape": None, "output_shape_type": "raw", "output_shape_module": None,
          "arguments": {}}
    with pytest.raises(ValueError, match="arbitrary code"):
        L.Lambda.from_config(dict(k2))
    layer = L.Lambda.from_config(dict(k2), safe_mode=False)
    assert torch.equal(layer(torch.zeros(2)), torch.ones(2))
    k2fn = dict(k2, function="_double", function_type="function", module=__name__)
    layer = L.Lambda.from_config(k2fn, custom_objects={"_double": _double})
    assert torch.equal(layer(torch.ones(2)), torch.full((2,), 2.0))
    with pytest.raises(ValueError, match="Unknown function"):
        L.Lambda.from_config(dict(k2, function="nope", function_type="function", module="nowhere"))
