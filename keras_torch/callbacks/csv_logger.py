"""``keras.callbacks.CSVLogger``."""

from __future__ import annotations

import collections
import csv
import os
from typing import Any

import numpy as np

from keras_torch.callbacks._utils import tensor_to_python
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register
from keras_torch.distribution import is_chief


@register("CSVLogger", category="callbacks")
class CSVLogger(Callback):
    r"""Callback that streams epoch results to a CSV file.

    Columns are ``epoch`` then the log keys sorted; when the first epoch has no ``val_`` key,
    ``val_<key>`` columns are added anyway (filled with ``NA``), exactly like Keras. The file
    is flushed after every epoch. Lines end with ``\r\n`` (the csv ``excel`` dialect).

    Args:
        filename: Filename of the CSV file, e.g. `'run/log.csv'`.
        separator: String used to separate elements in the CSV file.
        append: Append if the file exists (useful for continuing training); the header is
            written only if the file is missing or empty.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> path = "training.csv"
    >>> _ = model.fit(x, y, epochs=2, callbacks=[keras.callbacks.CSVLogger(path)], verbose=0)
    >>> open(path).readline().strip()
    'epoch,loss,val_loss'
    """

    def __init__(self, filename: Any, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename) if isinstance(filename, os.PathLike) else filename
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not is_chief():  # distributed: rank 0 writes the file
            return
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        # ensure csv_file is None or closed before reassigning
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)
        # Reset writer and keys
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not is_chief():
            return
        logs = logs or {}

        def handle_value(k: Any) -> Any:
            k = tensor_to_python(k)
            is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
            if isinstance(k, str):
                return k
            elif isinstance(k, collections.abc.Iterable) and not is_zero_dim_ndarray:
                return f'"[{", ".join(map(str, k))}]"'
            else:
                return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
            # When validation_freq > 1, `val_` keys are not in first epoch logs
            # Add the `val_` keys so that its part of the fieldnames of writer.
            val_keys_found = False
            for key in self.keys:
                if key.startswith("val_"):
                    val_keys_found = True
                    break
            if not val_keys_found and self.keys:
                self.keys.extend([f"val_{k}" for k in self.keys])

        if not self.writer:
            sep = self.sep

            class CustomDialect(csv.excel):
                delimiter = sep

            fieldnames = ["epoch"] + (self.keys or [])

            self.writer = csv.DictWriter(self.csv_file, fieldnames=fieldnames, dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()

        row_dict = collections.OrderedDict({"epoch": epoch})
        row_dict.update((key, handle_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row_dict)
        self.csv_file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
