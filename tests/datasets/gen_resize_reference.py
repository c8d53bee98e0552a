"""Regenerate data/tf_resize_reference.npz with real TensorFlow/Keras (the resize steps of
``image_dataset_from_directory``'s TF pipeline):

    /opt/kref/bin/python tests/datasets/gen_resize_reference.py
"""

import os

import numpy as np
import tensorflow as tf
from keras.src.backend import tensorflow as tf_backend
from keras.src.utils import image_utils

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_resize_reference.npz")
IMAGE = np.random.RandomState(0).randint(0, 256, (9, 13, 3)).astype("float32")
SIZES = ((6, 8), (16, 12))
METHODS = ("bilinear", "nearest", "bicubic", "area")

if __name__ == "__main__":
    out = {"image": IMAGE}
    img = tf.constant(IMAGE)
    for h, w in SIZES:
        for m in METHODS:
            out[f"plain_{m}_{h}x{w}"] = tf.image.resize(img, (h, w), method=m).numpy()
            out[f"crop_{m}_{h}x{w}"] = np.asarray(image_utils.smart_resize(
                img, (h, w), interpolation=m, data_format="channels_last", backend_module=tf_backend))
            out[f"pad_{m}_{h}x{w}"] = tf.image.resize_with_pad(img, h, w, method=m).numpy()
    np.savez_compressed(OUT, **out)
    print("wrote", OUT, len(out) - 1, "references")
