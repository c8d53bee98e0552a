"""Keras 3 style: a subclassed keras.Model with its own layers, training flag and get_config."""
import numpy as np
import keras
from keras import layers, ops

keras.utils.set_random_seed(4)


class ResidualMLP(keras.Model):
    def __init__(self, hidden=32, num_classes=4, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.num_classes, self.dropout_rate = hidden, num_classes, dropout
        self.inp = layers.Dense(hidden, activation="relu")
        self.block = [layers.Dense(hidden, activation="relu"), layers.Dense(hidden)]
        self.norm = layers.LayerNormalization()
        self.dropout = layers.Dropout(dropout)
        self.head = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        h = self.inp(inputs)
        r = h
        for layer in self.block:
            r = layer(r)
        h = self.norm(ops.relu(h + r))
        h = self.dropout(h, training=training)
        return self.head(h)

    def get_config(self):
        return {"hidden": self.hidden, "num_classes": self.num_classes, "dropout": self.dropout_rate,
                **super().get_config()}


rng = np.random.default_rng(4)
x = rng.normal(size=(640, 2)).astype("float32")
angle = np.arctan2(x[:, 1], x[:, 0])
y = ((angle + np.pi) // (np.pi / 2)).astype("int64") % 4  # four quadrant-like sectors

model = ResidualMLP(name="residual_mlp")
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(x[:512], y[:512], epochs=15, batch_size=32, verbose=0)
loss, acc = model.evaluate(x[512:], y[512:], verbose=0)
logits_eval = model(x[:4], training=False)
logits_eval2 = model(x[:4], training=False)
assert np.allclose(keras.ops.convert_to_numpy(logits_eval), keras.ops.convert_to_numpy(logits_eval2))
assert len(model.trainable_weights) == 2 * 4 + 2, len(model.trainable_weights)
print(model.name, "params:", model.count_params())
print(f"RESULT test_acc={acc:.3f}")
assert acc > 0.9, acc
