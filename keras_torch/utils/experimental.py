"""tf-keras 2's ``utils.experimental``."""

from keras_torch.utils.dataset_creator import DatasetCreator

__all__ = ["DatasetCreator"]
