"""tf.keras 2 text classification with a `tf.strings` standardisation function (the one of the Keras "text
classification from scratch" example): `tf.constant` string tensors, `tf.data` over strings (`map`, `filter`,
`unbatch`, `.numpy()` bytes), `tf.strings.lower/regex_replace/strip/split/length/join`, a vocabulary built
in Python, padded sequences, an Embedding model, and predictions on raw strings."""
import collections
import re
import string

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.random.set_seed(13)
np.random.seed(13)
MAX_TOKENS, SEQUENCE_LENGTH = 200, 20

# Offline "reviews": templates with HTML line breaks, punctuation and mixed case, as in IMDB.
rng = np.random.default_rng(13)
good = ["great", "wonderful", "excellent", "LOVED", "brilliant", "moving", "superb"]
bad = ["terrible", "boring", "awful", "HATED", "dull", "predictable", "weak"]
filler = ["the", "movie", "plot", "acting", "was", "really", "and", "story", "cast", "film", "this"]


def review(label):
    words = list(rng.choice(filler, 8)) + list(rng.choice(good if label else bad, 2))
    rng.shuffle(words)
    text = " ".join(words)
    return f"{text[:1].upper()}{text[1:]}!<br /><br />{rng.choice(['Honestly,', 'Well...', '(Really)'])} {words[-1]}."


labels = rng.integers(0, 2, 600)
texts = [review(int(v)) for v in labels]
texts_train, labels_train = texts[:480], labels[:480]
texts_test, labels_test = texts[480:], labels[480:]


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


raw_train_ds = tf.data.Dataset.from_tensor_slices((texts_train, labels_train)).batch(32)
for text_batch, label_batch in raw_train_ds.take(1):
    for i in range(2):
        print("Review", text_batch.numpy()[i])
        print("Label", label_batch.numpy()[i])

# Vocabulary from the standardised training texts (most frequent first; 0: padding, 1: out of vocabulary).
clean_ds = (raw_train_ds.unbatch()
            .map(lambda text, label: tf.strings.strip(custom_standardization(text)))
            .filter(lambda text: tf.strings.length(text) > 0))
counts = collections.Counter()
for text in clean_ds.as_numpy_iterator():
    counts.update(text.decode("utf-8").split())
vocab = ["", "[UNK]"] + [word for word, _ in counts.most_common(MAX_TOKENS - 2)]
index = {word: i for i, word in enumerate(vocab)}
print("vocabulary:", len(vocab), "tokens; sample:", tf.strings.join(vocab[2:8], separator=" ").numpy())


def vectorize(batch):
    cleaned = custom_standardization(tf.constant(batch))
    sequences = [[index.get(token.decode("utf-8"), 1) for token in tf.strings.split(text).numpy()]
                 for text in cleaned]
    return keras.utils.pad_sequences(sequences, maxlen=SEQUENCE_LENGTH, padding="post", truncating="post")


x_train, x_test = vectorize(texts_train), vectorize(texts_test)
assert x_train.shape == (480, SEQUENCE_LENGTH) and x_train.max() < MAX_TOKENS

model = keras.Sequential([
    keras.Input(shape=(SEQUENCE_LENGTH,), dtype="int32"),
    layers.Embedding(MAX_TOKENS, 16, mask_zero=True),
    layers.GlobalAveragePooling1D(),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01), metrics=["accuracy"])
model.fit(x_train, labels_train, validation_split=0.2, epochs=10, batch_size=32, verbose=0)
loss, accuracy = model.evaluate(x_test, labels_test, verbose=0)

examples = ["The acting was <br />SUPERB, a wonderful film!", "Boring... and predictable; I HATED it."]
scores = model.predict(vectorize(examples), verbose=0)[:, 0]
print(f"RESULT test_acc={accuracy:.3f} positive={scores[0]:.2f} negative={scores[1]:.2f}")
assert accuracy > 0.9, accuracy
assert scores[0] > 0.5 > scores[1], scores
