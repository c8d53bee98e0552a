"""``tf.keras.callbacks.experimental`` (tf-keras 2): where ``BackupAndRestore`` lived before it became stable."""

from keras_torch.callbacks.backup_and_restore import BackupAndRestore

__all__ = ["BackupAndRestore"]
