"""Keras 3 style: multi-input / multi-output functional model trained with dicts of arrays."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(5)
rng = np.random.default_rng(5)
n = 600
title = rng.integers(1, 50, (n, 10))          # token ids
body = rng.normal(size=(n, 12)).astype("float32")
tags = rng.integers(0, 2, (n, 4)).astype("float32")
priority = ((body[:, 0] + tags[:, 0] + (title[:, 0] > 25)) > 1.0).astype("float32")[:, None]
department = (np.argmax(body[:, 1:4], axis=1) + 0).astype("int64")

title_input = keras.Input(shape=(10,), name="title", dtype="int32")
body_input = keras.Input(shape=(12,), name="body")
tags_input = keras.Input(shape=(4,), name="tags")
title_features = layers.GlobalAveragePooling1D()(layers.Embedding(50, 8)(title_input))
x = layers.concatenate([title_features, body_input, tags_input])
x = layers.Dense(32, activation="relu")(x)
priority_pred = layers.Dense(1, activation="sigmoid", name="priority")(x)
department_pred = layers.Dense(3, activation="softmax", name="department")(x)
model = keras.Model(inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred])

model.compile(
    optimizer=keras.optimizers.RMSprop(3e-3),
    loss={"priority": keras.losses.BinaryCrossentropy(), "department": "sparse_categorical_crossentropy"},
    loss_weights={"priority": 1.0, "department": 0.5},
    metrics={"priority": ["accuracy"], "department": ["accuracy"]},
)
history = model.fit(
    {"title": title, "body": body, "tags": tags},
    {"priority": priority, "department": department},
    epochs=15, batch_size=32, verbose=2,
)
results = model.evaluate({"title": title, "body": body, "tags": tags},
                         {"priority": priority, "department": department}, return_dict=True, verbose=0)
print(sorted(results))
p, d = model.predict({"title": title[:3], "body": body[:3], "tags": tags[:3]}, verbose=0)
assert p.shape == (3, 1) and d.shape == (3, 3)
print(f"RESULT priority_acc={results['priority_accuracy']:.3f} department_acc={results['department_accuracy']:.3f}")
assert {"loss", "priority_loss", "department_loss", "priority_accuracy", "department_accuracy"} <= set(results)
assert results["priority_accuracy"] > 0.8 and results["department_accuracy"] > 0.8, results
