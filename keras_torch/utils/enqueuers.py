"""tf-keras 2's background data feeders: ``OrderedEnqueuer`` / ``GeneratorEnqueuer`` and ``TimedThread``.

They run on threads. ``use_multiprocessing=True`` is accepted and also uses threads: torch work
releases the GIL, and ``torch.utils.data.DataLoader`` is the tool for process-based loading.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import random
import threading
from collections.abc import Iterator
from typing import Any

_logger = logging.getLogger("keras_torch")
_END = object()  # end of a generator


class SequenceEnqueuer:
    """Base class: fill a queue from ``sequence`` on background threads; read it with :meth:`get`.

    Args:
        sequence: A ``keras.utils.Sequence`` / ``PyDataset`` (or a generator, for
            :class:`GeneratorEnqueuer`).
        use_multiprocessing: Accepted for compatibility (threads are used either way).
    """

    def __init__(self, sequence: Any, use_multiprocessing: bool = False) -> None:
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.workers = 0
        self.queue: queue.Queue | None = None
        self.stop_signal: threading.Event | None = None
        self.run_thread: threading.Thread | None = None

    def is_running(self) -> bool:
        """Whether the feeding threads run."""
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        """Start feeding with ``workers`` threads and at most ``max_queue_size`` items waiting."""
        self.workers = max(1, int(workers))
        self.queue = queue.Queue(max(1, int(max_queue_size)))
        self.stop_signal = threading.Event()
        self.run_thread = threading.Thread(target=self._run, daemon=True)
        self.run_thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the threads (waiting up to ``timeout`` seconds) and drop the queued items."""
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        while self.queue is not None and not self.queue.empty():
            self.queue.get_nowait()
        if self.run_thread is not None:
            self.run_thread.join(timeout)
        self.run_thread = None

    def _put(self, item: Any) -> bool:
        """Queue ``item`` unless stopped; returns whether it was queued."""
        while not self.stop_signal.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        raise NotImplementedError

    def get(self) -> Iterator[Any]:
        """Yield the items in order (raises the exception a worker hit)."""
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Feed the batches of a ``Sequence`` in order, epoch after epoch (``on_epoch_end`` in between).

    Args:
        sequence: A ``keras.utils.Sequence`` / ``PyDataset``.
        use_multiprocessing: Accepted for compatibility (threads are used).
        shuffle: Visit the batches in a new random order each epoch.
    """

    def __init__(self, sequence: Any, use_multiprocessing: bool = False, shuffle: bool = False) -> None:
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def _run(self) -> None:
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            while not self.stop_signal.is_set():
                order = list(range(len(self.sequence)))
                if self.shuffle:
                    random.shuffle(order)
                futures = []
                for i in order:
                    future = pool.submit(self.sequence.__getitem__, i)
                    futures.append(future)
                    if not self._put(future):
                        return
                concurrent.futures.wait(futures)
                self.sequence.on_epoch_end()

    def get(self) -> Iterator[Any]:
        while self.is_running():
            try:
                future = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            yield future.result()


class GeneratorEnqueuer(SequenceEnqueuer):
    """Feed the items of a Python generator from a background thread, until it is exhausted.

    Args:
        generator: The generator (read from one thread at a time).
        use_multiprocessing: Accepted for compatibility (threads are used).
        random_seed: Seed of Python's ``random`` in the feeding thread.
    """

    def __init__(self, generator: Any, use_multiprocessing: bool = False, random_seed: int | None = None) -> None:
        super().__init__(generator, use_multiprocessing)
        self.random_seed = random_seed

    def _run(self) -> None:
        if self.random_seed is not None:
            random.seed(self.random_seed)
        try:
            for item in self.sequence:
                if not self._put((item, None)):
                    return
        except Exception as err:  # noqa: BLE001 - handed to the consumer, which re-raises it
            self._put((None, err))
            return
        self._put((_END, None))

    def get(self) -> Iterator[Any]:
        while self.is_running():
            try:
                item, error = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if error is not None:
                self.stop()
                raise error
            if item is _END:
                self.stop()
                return
            yield item


class TimedThread:
    """Call :meth:`on_interval` every ``interval`` seconds on a background thread (subclass it).

    Args:
        interval: Seconds between calls.
        **kwargs: ``threading.Thread`` arguments (``daemon`` defaults to True).
    """

    def __init__(self, interval: float, **kwargs: Any) -> None:
        self.interval = interval
        self.daemon = kwargs.pop("daemon", True)
        self.thread_kwargs = kwargs
        self.thread: threading.Thread | None = None
        self.thread_stop_event: threading.Event | None = None

    def _call_on_interval(self) -> None:
        while not self.thread_stop_event.is_set():
            self.on_interval()
            self.thread_stop_event.wait(self.interval)

    def start(self) -> None:
        """Start the thread (a warning, and nothing else, if it already runs)."""
        if self.thread is not None and self.thread.is_alive():
            _logger.warning("Thread is already running.")
            return
        self.thread_stop_event = threading.Event()
        self.thread = threading.Thread(target=self._call_on_interval, daemon=self.daemon, **self.thread_kwargs)
        self.thread.start()

    def stop(self) -> None:
        """Ask the thread to stop after its current call."""
        if self.thread_stop_event is not None:
            self.thread_stop_event.set()

    def is_alive(self) -> bool:
        """Whether the thread runs."""
        return self.thread is not None and self.thread.is_alive()

    def __enter__(self) -> TimedThread:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def on_interval(self) -> None:
        """The periodic work; subclasses implement it."""
        raise NotImplementedError("Runs every x interval seconds. Needs to be implemented in subclasses of "
                                  "`TimedThread`")
