"""DynamicLookup / DynamicEmbedding / UpdateEmbeddingCallback against tf-keras 2.21
(compat/fixtures/dynamic_embedding, written by compat/gen/dynamic_embedding.py)."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

import keras_torch as keras

HERE = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE))
from compat.gen.dynamic_embedding import INT_BATCHES, STR_BATCHES  # noqa: E402

FIXTURE = HERE / "compat" / "fixtures" / "dynamic_embedding" / "dynamic_embedding.npz"
experimental = keras.layers.experimental


@pytest.fixture(scope="module")
def ref():
    return dict(np.load(FIXTURE))


def _plain(values):
    return [v.decode() if isinstance(v, bytes) else v for v in np.asarray(values).tolist()]


@pytest.mark.parametrize("kind", ["int", "str"])
def test_lfu_table_and_lookup_match_tf_keras(ref, kind):
    initial, batches = ([1, 2, 3, 4, 5], INT_BATCHES) if kind == "int" else (["a", "b", "c", "d"], STR_BATCHES)
    layer = experimental.DynamicLookup(len(initial), initial_vocabulary=initial)
    for i, batch in enumerate(batches):
        x = np.array(batch, dtype="int64") if kind == "int" else np.array(batch)
        out = layer(x)
        np.testing.assert_array_equal(out.numpy(), ref[f"{kind}_out{i}"])
        assert _plain(layer.vocabulary_table_keys) == _plain(ref[f"{kind}_keys{i}"])
        assert layer.vocabulary_table_values.tolist() == ref[f"{kind}_values{i}"].tolist()
    first = np.array(batches[0], dtype="int64") if kind == "int" else np.array(batches[0])
    np.testing.assert_array_equal(layer(first, learn_vocab=False).numpy(), ref[f"{kind}_nolearn"])
    assert layer.vocabulary_table_values.tolist() == ref[f"{kind}_nolearn_values"].tolist()
    assert _plain(layer.get_top_vocabulary(3)) == _plain(ref[f"{kind}_top3"])
    again = experimental.DynamicLookup.from_config(layer.get_config())
    assert again.get_vocabulary().tolist() == list(initial)


def test_dynamic_embedding_update_adopts_the_frequent_tokens(ref):
    layer = experimental.DynamicEmbedding(4, 3, initial_vocabulary=["a", "b", "c", "d"])
    layer.build((None, 3))
    layer.embedding_layer.set_weights([ref["emb_old"]])
    first = None
    for batch in STR_BATCHES:
        out = layer(np.array(batch)).detach().numpy()
        first = out if first is None else first
    np.testing.assert_allclose(first, ref["emb_first_out"], atol=1e-7)
    layer.update_embeddings()
    assert layer.get_vocabulary().tolist() == _plain(ref["emb_new_vocab"])
    assert layer.embedding_layer.get_weights()[0].shape == ref["emb_new"].shape
    config = layer.get_config()
    for key in ("output_dim", "eviction_policy", "embedding_initializer", "num_oov_indices", "input_length"):
        assert f"('{key}', {config[key]!r})" in str(ref["emb_config"])
    assert experimental.DynamicEmbedding.from_config(config).get_config() == config


def test_update_keeps_the_rows_of_tokens_still_in_the_vocabulary():
    layer = experimental.DynamicEmbedding(2, 2, initial_vocabulary=["a", "b"])
    layer.build((None, 2))
    rows = np.array([[1.0, 1.0], [2.0, 2.0], [9.0, 9.0]], "float32")
    layer.embedding_layer.set_weights([rows])
    for _ in range(3):
        layer(np.array([["b", "z"]]))
    layer.update_embeddings()
    assert layer.get_vocabulary().tolist() == ["b", "z"]
    np.testing.assert_array_equal(layer.embedding_layer.get_weights()[0][0], rows[1])  # "b" kept its row


def test_update_embedding_callback_updates_on_the_training_thread():
    train = np.array([["a", "j", "c"], ["a", "h", "j"], ["i", "h", "j"]])
    model = keras.Sequential([experimental.DynamicEmbedding(3, 2, initial_vocabulary=["a", "b", "c"]),
                              keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    callback = keras.callbacks.experimental.UpdateEmbeddingCallback(model.layers[0], interval=0.01)
    with callback:
        model.fit(train, np.array([0, 1, 2]), epochs=3, batch_size=1, verbose=0, callbacks=[callback])
    assert callback.updates > 0
    assert set(model.layers[0].get_vocabulary().tolist()) <= {"a", "c", "j", "h", "i"}
    assert "j" in model.layers[0].get_vocabulary().tolist()


def test_update_zeroes_the_optimizer_slots_of_the_embedding():
    model = keras.Sequential([experimental.DynamicEmbedding(2, 2, initial_vocabulary=["a", "b"]),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.array([["a", "z"], ["z", "b"]]), np.ones((2, 1)), epochs=2, verbose=0)
    matrix = model.layers[0].embedding_layer.embeddings
    slots = model.optimizer.slots_of(matrix)
    assert len(slots) == 2 and all(float(s.abs().sum()) > 0 for s in slots)  # Adam's moments
    callback = keras.callbacks.experimental.UpdateEmbeddingCallback(model.layers[0], interval=60)
    callback.set_model(model)
    callback.on_train_batch_end(0)  # nothing due yet
    assert callback.updates == 0
    callback.on_interval()
    callback.on_train_batch_end(1)
    assert callback.updates == 1 and all(float(s.abs().sum()) == 0 for s in slots)
