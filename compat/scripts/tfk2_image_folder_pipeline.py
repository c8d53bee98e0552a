"""tf.keras 2 image-folder pipeline written with tf.data (the TensorFlow "Load and preprocess images" tutorial):
`Dataset.list_files`, labels from the path with `tf.strings.split` and `tf.argmax` of a boolean one-hot,
`tf.io.read_file` + `tf.io.decode_png` + `tf.image.resize`, `skip`/`take` split, `cardinality`, `cache`,
`shuffle`, `batch`, `prefetch`, then a small CNN (needs Pillow to write the images)."""
import os
import pathlib

import numpy as np
import tensorflow as tf
from tensorflow import keras

tf.random.set_seed(17)
np.random.seed(17)
img_height, img_width, batch_size = 16, 16, 16

# Offline dataset: 12x12 PNGs of horizontal or vertical stripes with noise, one folder per class.
data_dir = pathlib.Path("stripes").resolve()
rng = np.random.default_rng(17)
for label in ("horizontal", "vertical"):
    (data_dir / label).mkdir(parents=True, exist_ok=True)
    for i in range(40):
        img = rng.uniform(0, 90, (12, 12, 3))
        offset = rng.integers(0, 3)
        if label == "horizontal":
            img[offset::3, :, :] += 160
        else:
            img[:, offset::3, :] += 160
        keras.utils.save_img(str(data_dir / label / f"{i:03d}.png"), img.astype("uint8"), scale=False)

image_count = len(list(data_dir.glob("*/*.png")))
list_ds = tf.data.Dataset.list_files(str(data_dir / "*/*"), shuffle=False)
list_ds = list_ds.shuffle(image_count, reshuffle_each_iteration=False)
for f in list_ds.take(2):
    print(f.numpy())

class_names = np.array(sorted([item.name for item in data_dir.glob("*") if item.name != "LICENSE.txt"]))
val_size = int(image_count * 0.2)
train_ds = list_ds.skip(val_size)
val_ds = list_ds.take(val_size)
print(tf.data.experimental.cardinality(train_ds).numpy(), tf.data.experimental.cardinality(val_ds).numpy())


def get_label(file_path):
    parts = tf.strings.split(file_path, os.path.sep)
    one_hot = parts[-2] == class_names
    return tf.argmax(one_hot)


def decode_img(img):
    img = tf.io.decode_png(img, channels=3)
    return tf.image.resize(img, [img_height, img_width])


def process_path(file_path):
    label = get_label(file_path)
    img = tf.io.read_file(file_path)
    img = decode_img(img)
    return img, label


AUTOTUNE = tf.data.AUTOTUNE
train_ds = train_ds.map(process_path, num_parallel_calls=AUTOTUNE)
val_ds = val_ds.map(process_path, num_parallel_calls=AUTOTUNE)
for image, label in train_ds.take(1):
    print("Image shape: ", image.numpy().shape)
    print("Label: ", label.numpy())


def configure_for_performance(ds):
    ds = ds.cache()
    ds = ds.shuffle(buffer_size=1000)
    ds = ds.batch(batch_size)
    ds = ds.prefetch(buffer_size=AUTOTUNE)
    return ds


train_ds = configure_for_performance(train_ds)
val_ds = configure_for_performance(val_ds)
image_batch, label_batch = next(iter(train_ds))
assert tuple(image_batch.shape) == (batch_size, img_height, img_width, 3) and image_batch.dtype == tf.float32

model = keras.Sequential([
    keras.Input(shape=(img_height, img_width, 3)),
    keras.layers.Rescaling(1.0 / 255),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(len(class_names)),
])
model.compile(optimizer=keras.optimizers.Adam(0.01),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
history = model.fit(train_ds, validation_data=val_ds, epochs=12, verbose=0)
val_acc = history.history["val_accuracy"][-1]
print(f"RESULT classes={list(class_names)} train={image_count - val_size} val={val_size} val_acc={val_acc:.3f}")
assert val_acc > 0.9, history.history
