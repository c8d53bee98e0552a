"""Keras 3 style: Embedding + Bidirectional LSTM sentiment-like classifier on synthetic token data.

A "review" is positive when it contains more "good" tokens (ids 3-5) than "bad" ones (ids 6-8).
"""
import numpy as np
import keras
from keras import layers
from keras.utils import pad_sequences

keras.utils.set_random_seed(7)
vocab_size, maxlen = 30, 20
rng = np.random.default_rng(0)


def make_reviews(n):
    seqs, labels = [], []
    for _ in range(n):
        length = rng.integers(5, maxlen + 1)
        seq = rng.integers(9, vocab_size, length)  # neutral words
        n_good, n_bad = rng.integers(0, 4, 2)
        if n_good == n_bad:
            n_good += 1
        pos = rng.choice(length, size=min(length, n_good + n_bad), replace=False)
        seq[pos[:n_good]] = rng.integers(3, 6, len(pos[:n_good]))
        seq[pos[n_good:]] = rng.integers(6, 9, len(pos[n_good:]))
        seqs.append(list(seq))
        labels.append(int(n_good > n_bad))
    return seqs, np.array(labels)


train_seqs, y_train = make_reviews(512)
test_seqs, y_test = make_reviews(128)
x_train = pad_sequences(train_seqs, maxlen=maxlen, padding="post")
x_test = pad_sequences(test_seqs, maxlen=maxlen, padding="post")

model = keras.Sequential([
    keras.Input(shape=(maxlen,), dtype="int32"),
    layers.Embedding(vocab_size, 16, mask_zero=True),
    layers.Bidirectional(layers.LSTM(16)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=8, batch_size=64, validation_data=(x_test, y_test), verbose=2)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"RESULT test_acc={acc:.3f}")
assert acc > 0.8, acc
