"""tf-keras 2's ``metrics.experimental.PyMetric``: a metric whose state is plain Python objects."""

from __future__ import annotations

from typing import Any

from keras_torch.metrics.metric import Metric


class PyMetric(Metric):
    """Base class of metrics that keep their state in Python (lists, dicts, NumPy arrays).

    tf-keras runs such metrics outside the graph with ``tf.py_function``; keras_torch runs every
    metric eagerly, so ``update_state`` receives ordinary tensors (``.numpy()`` works after
    ``.cpu()``) and ``result`` may return any number or array. Subclasses implement
    ``update_state``, ``reset_state``, ``result`` and (for distributed evaluation) ``merge_state``;
    ``reset_state`` runs once at construction.

    Args:
        name: Metric name.
        dtype: dtype of the result.
        **kwargs: Passed to :class:`Metric`.

    Example:

    >>> class Median(keras.metrics.experimental.PyMetric):
    ...     def reset_state(self):
    ...         self.values = []
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         self.values.extend(y_pred.reshape(-1).tolist())
    ...     def result(self):
    ...         return float(np.median(self.values))
    """

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.reset_state()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate statistics for one batch."""
        raise NotImplementedError("Subclasses should implement `update_state`")

    def merge_state(self, metrics: list[Metric]) -> None:
        """Merge the state of other instances of this metric into this one."""
        raise NotImplementedError("Subclasses should implement `merge_state`")

    def reset_state(self) -> None:
        """Reset the Python state."""
        raise NotImplementedError("Subclasses should implement `reset_state`")

    def result(self) -> Any:
        """The metric value from the state."""
        raise NotImplementedError("Subclasses should implement `result`")
