"""``keras.preprocessing.sequence``."""

from keras_torch.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
