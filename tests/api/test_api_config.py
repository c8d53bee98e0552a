"""``keras.config``: every Keras 3 name, Keras's defaults, and each switch changes behaviour."""

import warnings

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.core import config as core_config


@pytest.fixture(autouse=True)
def _restore_config():
    yield
    keras.config.set_max_epochs(None)
    keras.config.set_max_steps_per_epoch(None)
    keras.config.enable_flash_attention()
    keras.config.enable_traceback_filtering()
    keras.config.enable_interactive_logging()
    keras.config.set_dtype_policy(None)


def test_defaults_match_keras(keras_facts):
    expected = keras_facts["config_defaults"]
    for name, value in expected.items():
        got = getattr(keras.config, name)()
        got = got.name if name == "dtype_policy" else got
        assert got == value, name


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_max_epochs_and_steps_cap_fit_evaluate_predict():
    x, y = np.ones((40, 3), "float32"), np.ones((40, 1), "float32")
    keras.config.set_max_epochs(2)
    keras.config.set_max_steps_per_epoch(3)
    assert keras.config.max_epochs() == 2 and keras.config.max_steps_per_epoch() == 3
    model = _model()
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = model.fit(x, y, epochs=5, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2
    assert int(model.optimizer.iterations) == 6
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
        assert model.predict(x, batch_size=4, verbose=0).shape == (12, 1)


def test_caps_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("KERAS_MAX_EPOCHS", "4")
    assert core_config._env_int("KERAS_MAX_EPOCHS") == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert core_config.limit_epochs(3) == 3  # below the cap: no warning


def test_disable_flash_attention_keeps_mha_off_the_flash_kernel():
    keras.config.disable_flash_attention()
    assert keras.config.is_flash_attention_enabled() is False
    mha = keras.layers.MultiHeadAttention(2, 4)
    assert mha._flash_attention is False
    x = torch.randn(2, 5, 8)
    keras.config.enable_flash_attention()
    assert keras.config.is_flash_attention_enabled() is None
    reference = keras.layers.MultiHeadAttention(2, 4)
    reference(x, x)
    mha(x, x)
    mha.set_weights(reference.get_weights())
    torch.testing.assert_close(mha(x, x), reference(x, x), atol=1e-6, rtol=1e-5)


def test_flash_attention_true_refuses_dropout_and_scores():
    with pytest.raises(ValueError, match="dropout is not supported when flash attention is enabled"):
        keras.layers.MultiHeadAttention(2, 4, dropout=0.1, flash_attention=True)
    mha = keras.layers.MultiHeadAttention(2, 4, flash_attention=True)
    x = torch.randn(2, 5, 8)
    with pytest.raises(ValueError, match="returning attention scores is not supported"):
        mha(x, x, return_attention_scores=True)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="Flash attention is not supported with the provided inputs"):
            mha(x, x)


def test_interactive_logging_switch_sends_progress_to_logging(capsys, caplog):
    keras.config.disable_interactive_logging()
    assert not keras.config.is_interactive_logging_enabled()
    model = _model()
    with caplog.at_level("INFO", logger="keras_torch"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=2)
    assert "loss:" not in capsys.readouterr().out
    assert any("loss:" in r.getMessage() for r in caplog.records)


def test_traceback_filtering_switch_round_trips():
    keras.config.disable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled() is False
    keras.config.enable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled() is True


def test_dtype_policy_setters_drive_new_layers():
    keras.config.set_dtype_policy("mixed_bfloat16")
    assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert keras.layers.Dense(2).dtype_policy.compute_dtype == "bfloat16"
    with pytest.raises(ValueError):
        keras.config.set_dtype_policy("not_a_dtype")


def test_backend_switching():
    assert keras.config.backend() == "torch"
    keras.config.set_backend("torch")
    with pytest.raises(ValueError, match="cannot switch to the 'jax' backend"):
        keras.config.set_backend("jax")
    with pytest.raises(ValueError, match="Available backends are"):
        keras.config.set_backend("theano")
    assert keras.config.is_nnx_enabled() is False
