"""Keras 2 (`tf_keras` package) style: Tokenizer + pad_sequences + Embedding text classifier."""
import numpy as np
import tf_keras as keras
from tf_keras.layers import Dense, Embedding, GlobalAveragePooling1D
from tf_keras.models import Sequential
from tf_keras.preprocessing.sequence import pad_sequences
from tf_keras.preprocessing.text import Tokenizer

rng = np.random.default_rng(1)
positive = ["great", "excellent", "wonderful", "loved", "fantastic"]
negative = ["awful", "terrible", "boring", "hated", "worst"]
neutral = ["the", "movie", "plot", "actors", "was", "and", "a", "film", "story", "it"]


def review(label):
    words = list(rng.choice(neutral, rng.integers(4, 9)))
    words += list(rng.choice(positive if label else negative, rng.integers(1, 3)))
    rng.shuffle(words)
    return " ".join(words)


labels = rng.integers(0, 2, 400)
texts = [review(lbl) for lbl in labels]

tokenizer = Tokenizer(num_words=100, oov_token="<OOV>")
tokenizer.fit_on_texts(texts)
sequences = tokenizer.texts_to_sequences(texts)
padded = pad_sequences(sequences, maxlen=12, padding="post", truncating="post")
print("vocabulary size:", len(tokenizer.word_index), "first sequence:", padded[0])

model = Sequential([
    Embedding(100, 8, input_length=12),
    GlobalAveragePooling1D(),
    Dense(8, activation="relu"),
    Dense(1, activation="sigmoid"),
])
model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.02), metrics=["accuracy"])
model.fit(padded[:320], labels[:320], epochs=10, batch_size=32, verbose=0)
loss, acc = model.evaluate(padded[320:], labels[320:], verbose=0)
unseen = pad_sequences(tokenizer.texts_to_sequences(["the plot was wonderful", "boring and awful film"]),
                       maxlen=12, padding="post")
print("unseen predictions:", model.predict(unseen, verbose=0).ravel())
print(f"RESULT test_acc={acc:.3f}")
assert acc > 0.9, acc
