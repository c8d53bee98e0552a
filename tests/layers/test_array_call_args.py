"""numpy arrays given as call arguments other than the inputs (``mask=``, ``attention_mask=``) work as
tensors, as Keras 3 converts every array argument of ``Layer.__call__``."""

import numpy as np
import torch

import keras_torch as keras
from keras_torch import layers

RNG = np.random.default_rng(0)


def test_softmax_numpy_mask():
    x = RNG.random((2, 3)).astype("float32")
    mask = np.array([[True, False, True], [True, True, False]])
    out = layers.Softmax()(x, mask=mask)
    expected = layers.Softmax()(torch.from_numpy(x), mask=torch.from_numpy(mask))
    torch.testing.assert_close(out, expected)
    assert out[0, 1] == 0 and out[1, 2] == 0
    # Keras 3.15 (TF): softmax of the unmasked entries only.
    e = np.exp(x[0, [0, 2]])
    np.testing.assert_allclose(out[0, [0, 2]].numpy(), e / e.sum(), rtol=1e-6)


def test_attention_layers_numpy_masks():
    q = RNG.random((2, 3, 4)).astype("float32")
    qt = torch.from_numpy(q)
    attention_mask = np.array([[[1, 1, 0]] * 3, [[1, 0, 0]] * 3], dtype=bool)
    mha = layers.MultiHeadAttention(2, 2)
    torch.testing.assert_close(mha(q, q, attention_mask=attention_mask),
                               mha(qt, qt, attention_mask=torch.from_numpy(attention_mask)))
    seq_mask = attention_mask[:, 0]
    att = layers.Attention()
    torch.testing.assert_close(att([q, q], mask=[seq_mask, seq_mask]),
                               att([qt, qt], mask=[torch.from_numpy(seq_mask)] * 2))


def test_recurrent_and_pooling_numpy_masks():
    q = RNG.random((2, 3, 4)).astype("float32")
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=bool)
    pooled = layers.GlobalAveragePooling1D()(q, mask=mask)
    np.testing.assert_allclose(pooled[1].numpy(), q[1, 0], rtol=1e-6)
    lstm = layers.LSTM(2)
    torch.testing.assert_close(lstm(q, mask=mask), lstm(torch.from_numpy(q), mask=torch.from_numpy(mask)))


def test_functional_model_unaffected_by_array_kwargs():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Softmax()(inputs))
    out = model(np.zeros((1, 3), "float32"))
    np.testing.assert_allclose(out.numpy(), np.full((1, 3), 1 / 3), rtol=1e-6)
