"""ReversibleEmbedding against Keras 3.15 (compat/fixtures/breadth_k3/reversible_embedding.npz) and layers.Wrapper."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers as L

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "breadth_k3" / "reversible_embedding.npz"


@pytest.mark.parametrize("name,kwargs", [("tied", {}), ("untied", {"tie_weights": False}),
                                         ("capped", {"logit_soft_cap": 2.0})])
def test_forward_and_reverse_match_keras(name, kwargs):
    ref = np.load(FIXTURE)
    layer = L.ReversibleEmbedding(7, 5, **kwargs)
    layer.build()
    layer.set_weights([ref[k] for k in sorted(ref) if k.startswith(f"{name}_w")])
    np.testing.assert_allclose(layer(ref["ids"]).detach().numpy(), ref[f"{name}_fwd"], atol=1e-6)
    np.testing.assert_allclose(layer(ref["hidden"], reverse=True).detach().numpy(), ref[f"{name}_rev"], atol=1e-5)
    config, keras_config = layer.get_config(), str(ref[f"{name}_config"])
    for key in ("input_dim", "output_dim", "mask_zero", "tie_weights", "reverse_dtype", "logit_soft_cap"):
        assert f"('{key}', {config[key]!r})" in keras_config


def test_symbolic_reverse_call_and_masks():
    layer = L.ReversibleEmbedding(9, 4, mask_zero=True)
    ids = keras.Input((3,), dtype="int32")
    hidden = layer(ids)
    logits = layer(hidden, reverse=True)
    assert tuple(hidden.shape) == (None, 3, 4) and tuple(logits.shape) == (None, 3, 9)
    model = keras.Model(ids, logits)
    x = np.array([[1, 0, 2]])
    assert tuple(model(x).shape) == (1, 3, 9)
    eager = layer(torch.tensor(x))
    assert eager._keras_mask.tolist() == [[True, False, True]]
    assert getattr(layer(eager, reverse=True), "_keras_mask", None) is None
    again = L.ReversibleEmbedding.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


class _Scale(L.Wrapper):
    def call(self, inputs):
        return self.layer(inputs) * 2.0


def test_wrapper_builds_and_serializes_the_wrapped_layer():
    wrapped = _Scale(L.Dense(3, name="inner"), name="scaled")
    out = wrapped(np.ones((2, 4), "float32"))
    assert tuple(out.shape) == (2, 3) and wrapped.layer.built
    config = wrapped.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["name"] == "scaled"
    again = _Scale.from_config(config)
    assert isinstance(again.layer, L.Dense) and again.layer.units == 3
    assert len(wrapped.trainable_weights) == 2
    with pytest.raises(ValueError, match="supplied to Wrapper isn't a supported layer type"):
        _Scale("dense")


def test_keras_wrappers_subclass_wrapper_as_in_keras_3():
    assert isinstance(L.TimeDistributed(L.Dense(2)), L.Wrapper)
    assert isinstance(L.SpectralNormalization(L.Dense(2)), L.Wrapper)
