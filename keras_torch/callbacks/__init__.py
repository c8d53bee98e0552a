"""``keras.callbacks``: the Keras 3 callbacks on PyTorch.

Contract with the training loop (``fit/evaluate/predict``), as Keras 3's torch trainer:

* ``CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose,
  epochs=epochs, steps=steps_per_epoch, model=self)`` (``steps=None`` when unknown).
* ``fit``: ``self.stop_training = False``; ``on_train_begin()``; then
  ``initial_epoch = self._initial_epoch or initial_epoch`` (set by ``BackupAndRestore``);
  per epoch ``on_epoch_begin(epoch)``, per batch ``on_train_batch_begin(step)`` /
  ``on_train_batch_end(step, logs)`` and ``break`` if ``self.stop_training``; validation runs
  ``evaluate(..., callbacks=<the same CallbackList>)``; ``on_epoch_end(epoch, logs)`` with the
  ``val_`` keys; stop if ``self.stop_training``; ``on_train_end(logs)``; return
  ``self.history``.
* ``evaluate`` / ``predict``: ``on_test_begin`` / ``on_test_batch_begin|end`` /
  ``on_test_end(logs)`` and ``on_predict_*`` with ``{"outputs": batch_outputs}``.
* Batch log values may be 0-d tensors; epoch/begin/end logs are converted to floats here.
"""

from typing import Any

from keras_torch.callbacks import experimental as experimental
from keras_torch.callbacks.backup_and_restore import BackupAndRestore
from keras_torch.callbacks.base_logger import BaseLogger
from keras_torch.callbacks.callback import Callback
from keras_torch.callbacks.callback_list import CallbackList
from keras_torch.callbacks.csv_logger import CSVLogger
from keras_torch.callbacks.early_stopping import EarlyStopping
from keras_torch.callbacks.history import History
from keras_torch.callbacks.lambda_callback import LambdaCallback
from keras_torch.callbacks.learning_rate_scheduler import LearningRateScheduler
from keras_torch.callbacks.model_checkpoint import ModelCheckpoint
from keras_torch.callbacks.monitor_callback import MonitorCallback
from keras_torch.callbacks.progbar_logger import ProgbarLogger
from keras_torch.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from keras_torch.callbacks.remote_monitor import RemoteMonitor
from keras_torch.callbacks.sidecar_evaluator import SidecarEvaluatorModelExport
from keras_torch.callbacks.swap_ema_weights import SwapEMAWeights
from keras_torch.callbacks.tensorboard import TensorBoard
from keras_torch.callbacks.terminate_on_nan import TerminateOnNaN
from keras_torch.core import omissions as _omissions

__all__ = [
    "BackupAndRestore",
    "BaseLogger",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SidecarEvaluatorModelExport",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
]


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
