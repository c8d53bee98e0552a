"""tf-keras 2's ``utils.StepsPerExecutionTuner``: tunes a steps-per-execution variable from the training speed."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np


class StepsPerExecutionTuner:
    """A background thread that measures training throughput and scales ``steps_per_execution``.

    Every ``interval`` seconds it reads ``optimizer.iterations`` to measure recent steps per
    second; every ``change_spe_interval`` measurements it compares their average with the previous
    one and multiplies the variable by 1.5 or 0.5: it repeats the last change while throughput
    improves by more than ``change_threshold``, reverses it when throughput drops by more, and
    otherwise keeps the value (tf-keras's algorithm).

    Args:
        optimizer: The optimizer whose ``iterations`` counts the training steps.
        spe_variable: The integer variable to tune (anything with ``assign`` and ``numpy``, such
            as a ``keras.Variable``).
        interval: Seconds between measurements.
        change_spe_interval: Measurements between changes.
        change_threshold: Relative throughput change that triggers a change.
    """

    def __init__(self, optimizer: Any, spe_variable: Any, interval: float = 5, change_spe_interval: int = 10,
                 change_threshold: float = 0.1) -> None:
        self.optimizer = optimizer
        self._steps_per_execution = spe_variable
        self.interval = interval
        self.change_spe_interval = change_spe_interval
        self.spe_change_threshold = change_threshold
        self.steps_per_execution_stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.init_spe = 0
        self.rgsps: list[float] = []  # recent global steps per second

    def start(self) -> threading.Thread:
        """Start tuning in a daemon thread (returns the running thread if there is one)."""
        if self.thread and self.thread.is_alive():
            return self.thread
        self._begin_tuning()
        self.thread = threading.Thread(target=self._steps_per_execution_interval_call, daemon=True)
        self.thread.start()
        return self.thread

    def stop(self) -> None:
        """Stop the tuning thread after its current wait."""
        self.steps_per_execution_stop_event.set()

    @property
    def steps_per_execution(self) -> Any:
        """The tuned variable."""
        return self._steps_per_execution

    @steps_per_execution.setter
    def steps_per_execution(self, value: int) -> None:
        self._steps_per_execution.assign(value)
        self.init_spe = value

    def _steps_per_execution_interval_call(self) -> None:
        while not self.steps_per_execution_stop_event.is_set():
            self._measure_and_tune()
            self.steps_per_execution_stop_event.wait(self.interval)

    def _iterations(self) -> int:
        return int(np.asarray(self.optimizer.iterations))

    def _spe(self) -> np.ndarray:
        return np.asarray(self._steps_per_execution.numpy())

    def _begin_tuning(self) -> None:
        self.start_time = time.time()
        self.init_iterations = self._iterations()
        self.init_spe = self._spe().item()
        self.spe_last_logged = {"iteration": self.init_iterations, "time_secs": self.start_time}
        self.rgsps = []
        self.avg_rgsps = 0.0
        self.prev_avg_rgsps = 0.0
        self.spe_tune_last_action_add = True
        self.spe_measurement_count = 0

    def _should_tune(self) -> bool:
        epoch_boundary = self.rgsps[-1] == 0
        return self.spe_measurement_count % self.change_spe_interval == 0 and bool(self.rgsps) and not epoch_boundary

    def _tune(self) -> None:
        self.avg_rgsps = sum(self.rgsps) / len(self.rgsps)
        fast = (1 + self.spe_change_threshold) * self.prev_avg_rgsps
        slow = (1 - self.spe_change_threshold) * self.prev_avg_rgsps
        repeat, opposite = (1.5, 0.5) if self.spe_tune_last_action_add else (0.5, 1.5)
        current_array = self._spe()
        limit = np.iinfo(current_array.dtype).max / 1.5
        current = current_array.item()
        if self.avg_rgsps > fast:
            new = current * repeat
        elif self.avg_rgsps < slow:
            new = current * opposite
            self.spe_tune_last_action_add = not self.spe_tune_last_action_add
        else:
            new = current
        if current >= limit:
            new = current
        elif current <= 0:
            new = self.init_spe
        self._steps_per_execution.assign(np.round(new))
        self.prev_avg_rgsps = self.avg_rgsps

    def _measure_and_tune(self) -> None:
        iteration, now = self._iterations(), time.time()
        if now <= self.spe_last_logged["time_secs"]:  # no time has passed (coarse clocks): nothing to measure
            return
        self.spe_measurement_count += 1
        self.rgsps.append((iteration - self.spe_last_logged["iteration"]) / (now - self.spe_last_logged["time_secs"]))
        if len(self.rgsps) > self.change_spe_interval:
            self.rgsps.pop(0)
        if iteration == 0:  # no steps yet: nothing to measure
            self.start_time = now
            return
        self.spe_last_logged = {"iteration": iteration, "time_secs": now}
        try:
            if self._should_tune():
                self._tune()
        except RuntimeError:
            logging.exception("Steps per execution autotuner failed to run.")
