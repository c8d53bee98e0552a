"""``keras-torch demo``: the seed tutorial's CNN (section 4.2) trained on real bundled digits."""

from __future__ import annotations

import os
import time

from keras_torch.launcher.export_command import ONNX_INSTALL_HINT, onnx_missing


def build_seed_cnn(keras):  # noqa: ANN001, ANN201 - same builder as the tutorial
    """The tutorial's CNN, written exactly as section 4.2 writes it."""
    from keras_torch.layers import Conv2D, Dense, Flatten, MaxPooling2D

    model = keras.Sequential()
    model.add(Conv2D(filters=32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(filters=64, kernel_size=(3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(units=128, activation="relu"))
    model.add(Dense(units=10, activation="softmax"))
    return model


def run_demo(epochs: int = 5, out_dir: str = "keras_torch_demo", verbose: int = 1) -> dict:
    """Train, evaluate, save the ``.h5`` and export ONNX when ``onnx`` and ``onnxruntime`` are installed.

    Returns:
        ``{"test_accuracy", "test_loss", "h5"[, "onnx"]}`` (the paths written).
    """
    import keras_torch as keras
    from keras_torch.datasets import load_digits_28x28
    from keras_torch.utils import to_categorical

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_digits_28x28()
    if os.environ.get("KERAS_TORCH_TINY") == "1":  # smoke tests: same code path, less data
        x_train, y_train, x_test, y_test = x_train[:128], y_train[:128], x_test[:64], y_test[:64]
    print(f"Dataset: UCI handwritten digits (bundled, CC BY 4.0), {len(x_train)} train / {len(x_test)} test "
          "images upscaled to 28x28x1")
    model = build_seed_cnn(keras)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    start = time.time()
    model.fit(x_train, to_categorical(y_train, 10), epochs=epochs, batch_size=32, verbose=verbose)
    loss, acc = model.evaluate(x_test, to_categorical(y_test, 10), verbose=0)
    print(f"Test accuracy: {acc:.4f} (loss {loss:.4f}) after {epochs} epochs in {time.time() - start:.1f}s "
          f"on {keras.config.default_device()}")
    os.makedirs(out_dir, exist_ok=True)
    result = {"test_accuracy": acc, "test_loss": loss}
    path = os.path.join(out_dir, "seed_cnn.h5")
    model.save(path)
    print(f"Saved Keras .h5: {path}")
    result["h5"] = path
    missing = onnx_missing()
    if missing:  # optional: the quickstart installs no ONNX packages
        verb = "is" if len(missing) == 1 else "are"
        print(f"ONNX export skipped: {' and '.join(missing)} {verb} not installed (`{ONNX_INSTALL_HINT}` enables it)")
        return result
    from keras_torch.export import export_onnx

    path = os.path.join(out_dir, "seed_cnn.onnx")
    export_onnx(model, path, verify=True)
    print(f"Exported ONNX (checked with onnxruntime): {path}")
    result["onnx"] = path
    return result
