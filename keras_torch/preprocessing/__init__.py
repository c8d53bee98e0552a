"""Keras 2 ``keras.preprocessing`` paths."""

from keras_torch.preprocessing import image, sequence, text  # noqa: F401
