"""``keras.applications.resnet50``: ResNet50 under its Keras 2 module name."""

from keras_torch.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "preprocess_input", "decode_predictions"]
