"""Keras 3 style: image classification from a folder of PNG files with image_dataset_from_directory.

The script first writes a tiny two-class image folder (bright-top vs bright-bottom images) with a
minimal PNG encoder, then follows the usual tutorial flow.
"""
import os
import struct
import zlib

import numpy as np
import keras
from keras import layers


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[i].tobytes() for i in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


rng = np.random.default_rng(0)
for cls in ("bright_top", "bright_bottom"):
    os.makedirs(os.path.join("shapes", cls), exist_ok=True)
    for i in range(40):
        h, w = rng.integers(20, 40, 2)
        img = rng.integers(0, 90, (h, w, 3))
        half = slice(0, h // 2) if cls == "bright_top" else slice(h // 2, h)
        img[half] += 140
        write_png(os.path.join("shapes", cls, f"{i:03d}.png"), img.astype("uint8"))

keras.utils.set_random_seed(23)
train_ds, val_ds = keras.utils.image_dataset_from_directory(
    "shapes", validation_split=0.25, subset="both", seed=23, image_size=(16, 16), batch_size=16)
print("class names:", train_ds.class_names)
assert train_ds.class_names == ["bright_bottom", "bright_top"]
for images, labels in train_ds.take(1):
    print("images:", tuple(images.shape), "labels:", tuple(labels.shape))
    assert tuple(images.shape) == (16, 16, 16, 3)

model = keras.Sequential([
    keras.Input((16, 16, 3)),
    layers.Rescaling(1.0 / 255),
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(2),
])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=6, verbose=2)
loss, acc = model.evaluate(val_ds, verbose=0)
print(f"RESULT val_acc={acc:.3f}")
assert acc > 0.9, acc
