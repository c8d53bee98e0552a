"""``keras.legacy``: Keras 2 object (de)serialization as ``keras.legacy.saving``."""

from keras_torch.saving import legacy_serialization as saving

__all__ = ["saving"]
