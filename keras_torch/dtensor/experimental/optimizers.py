"""``keras.dtensor.experimental.optimizers``: in tf-keras 2.21 these names are the ordinary optimizer classes."""

from keras_torch.optimizers import SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "RMSprop"]
