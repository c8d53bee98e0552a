"""tf-keras 2's ``metrics.experimental``."""

from keras_torch.metrics.py_metric import PyMetric

__all__ = ["PyMetric"]
