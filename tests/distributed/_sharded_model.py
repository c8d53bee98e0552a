"""The Transformer block the sharded tests train (shared by the workers and the single-process references)."""

import keras_torch as keras
from keras_torch import layers

VOCAB, SEQ, DIM, HEADS, FFN = 24, 6, 16, 2, 32


def build(init=None):
    """Token embedding -> self-attention + LayerNorm -> Dense FFN (column- then row-split) -> pooled head."""
    tokens = keras.Input((SEQ,), dtype="int32")
    h = layers.Embedding(VOCAB, DIM, name="token_emb")(tokens)
    # (no attention biases: the key bias gets an exactly-zero gradient, softmax being shift-invariant,
    # and Adam would turn its rounding noise into steps that no two summation orders share)
    a = layers.MultiHeadAttention(HEADS, DIM // HEADS, use_bias=False, name="mha")(h, h)
    h = layers.LayerNormalization(name="ln1")(layers.Add()([h, a]))
    f = layers.Dense(FFN, activation="gelu", name="ffn_in")(h)
    f = layers.Dense(DIM, name="ffn_out")(f)
    h = layers.LayerNormalization(name="ln2")(layers.Add()([h, f]))
    out = layers.Dense(2, name="head")(layers.GlobalAveragePooling1D()(h))
    model = keras.Model(tokens, out, name="block")
    if init is not None:
        model.set_weights(init)
    # epsilon 1e-4: Adam divides by sqrt(v) + epsilon, so with Keras's 1e-7 the last-bit rounding of a
    # near-zero gradient (sums in another order across processes) can become a visible step
    model.compile(optimizer=keras.optimizers.Adam(0.01, epsilon=1e-4), loss="mse", metrics=["mae"])
    return model


def layout_map(mesh):
    """Keras's Transformer layouts: q/k/v and the FFN input split column-wise (output features), the
    attention output and FFN output row-wise (input features), the embedding on its feature axis."""
    lm = keras.distribution.LayoutMap(mesh)
    lm["token_emb/embeddings"] = (None, "model")
    lm["mha/(query|key|value)/kernel"] = (None, "model", None)
    lm["mha/attention_output/kernel"] = ("model", None, None)
    lm["ffn_in/kernel"] = (None, "model")
    lm["ffn_in/bias"] = ("model",)
    lm["ffn_out/kernel"] = ("model", None)
    return lm
