"""Run existing Keras / tf.keras scripts unchanged on keras_torch.

``keras_torch.launcher.install()`` (used by ``keras-torch run``) makes ``import keras``,
``import tensorflow as tf`` + ``tf.keras``, ``from tensorflow.keras... import ...`` and
``import tf_keras`` resolve to keras_torch.
"""

from keras_torch.launcher.aliases import install, uninstall

__all__ = ["install", "uninstall"]
