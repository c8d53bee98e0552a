"""``keras.distillation``: knowledge distillation from a teacher model into a student (Keras 3.15)."""

from __future__ import annotations

from keras_torch.distillation.distillation_loss import DistillationLoss as DistillationLoss
from keras_torch.distillation.distillation_loss import FeatureDistillation as FeatureDistillation
from keras_torch.distillation.distillation_loss import LogitsDistillation as LogitsDistillation
from keras_torch.distillation.distiller import Distiller as Distiller
