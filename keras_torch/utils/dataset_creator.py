"""tf-keras 2's ``utils.experimental.DatasetCreator``: a function that builds the input pipeline when training starts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class InputContext:
    """What a ``DatasetCreator`` function learns about the input pipeline (``tf.distribute.InputContext``).

    keras_torch has one input pipeline per training job; under ``keras.distribution`` the trainer
    splits each global batch between the processes itself, so the function builds global batches.

    Args:
        num_input_pipelines: Number of input pipelines.
        input_pipeline_id: Index of this pipeline.
        num_replicas_in_sync: Number of replicas the global batch is split between.
    """

    def __init__(self, num_input_pipelines: int = 1, input_pipeline_id: int = 0, num_replicas_in_sync: int = 1) -> None:
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        """``global_batch_size`` divided by the number of replicas (which must divide it).

        Args:
            global_batch_size: The batch size of one step over all replicas.

        Returns:
            The batch size of one replica.
        """
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible by "
                             f"`num_replicas_in_sync` {self.num_replicas_in_sync}")
        return global_batch_size // self.num_replicas_in_sync


class DatasetCreator:
    """Wraps ``dataset_fn(input_context) -> dataset``, called by ``fit``/``evaluate`` when the data is needed.

    The returned object may be any data source ``fit`` accepts (``keras_torch``'s ``tf.data``-like
    ``Dataset``, a ``PyDataset``, a generator, a torch ``DataLoader``). As in tf-keras, ``fit`` needs
    ``steps_per_epoch`` (``evaluate``/``predict`` need ``steps``) with a ``DatasetCreator``.

    Args:
        dataset_fn: Callable taking an :class:`InputContext` and returning the data.
        input_options: tf-keras's ``tf.distribute.InputOptions`` (device placement of TensorFlow
            datasets); keras_torch places batches on the model's device itself, so only ``None``.

    Example:

    >>> def dataset_fn(input_context):
    ...     batch = input_context.get_per_replica_batch_size(32)
    ...     return tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(batch)
    >>> model.fit(keras.utils.experimental.DatasetCreator(dataset_fn), epochs=2, steps_per_epoch=10)  # doctest: +SKIP
    """

    def __init__(self, dataset_fn: Callable[..., Any], input_options: Any = None) -> None:
        if not callable(dataset_fn):
            raise TypeError(f"`dataset_fn` for `DatasetCreator` must be a `callable`. Received: {dataset_fn}")
        if input_options is not None:
            raise TypeError("`input_options` for `DatasetCreator` configures TensorFlow input pipelines, which "
                            f"keras_torch does not use; pass None. Received: {input_options}")
        self.dataset_fn = dataset_fn
        self.input_options = input_options

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``dataset_fn(*args, **kwargs)``."""
        return self.dataset_fn(*args, **kwargs)
