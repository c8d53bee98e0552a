"""``keras.utils.Sequence`` / ``PyDataset``: indexable batch sources."""

from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class for Python data sources yielding whole batches (``keras.utils.PyDataset``).

    Implement ``__len__`` (number of batches) and ``__getitem__(index)`` returning
    ``(x, y)`` or ``(x, y, sample_weight)``.

    Args:
        workers: Accepted for compatibility (batches are produced in the training loop's thread).
        use_multiprocessing: Accepted for compatibility.
        max_queue_size: Accepted for compatibility.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


Sequence = PyDataset


def is_keras_sequence(x: Any) -> bool:
    return isinstance(x, PyDataset) or (
        type(x).__name__ in ("Sequence", "PyDataset") and hasattr(x, "__getitem__") and hasattr(x, "__len__")
    )
