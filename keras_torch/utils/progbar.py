"""The Keras 3 progress bar (``keras.utils.Progbar``) and ``print_msg``.

A line-for-line port of Keras 3.15 ``keras/src/utils/progbar.py`` so the console output is
byte-identical: bold ``cur/target`` count, green/grey ``━`` bar of width 20, ETA or elapsed time,
``Xms/step`` and `` - key: value`` (``.4f``, or ``.4e`` when ``|v| <= 1e-3``).

One difference, invisible in the output: values may be 0-d torch tensors. Values of *stateful*
metrics (the only kind :class:`~keras_torch.callbacks.ProgbarLogger` uses) are stored as given
and converted to Python floats only when a line is actually printed, so a throttled update
(``interval``, 0.05 s) never synchronizes with the accelerator.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from typing import Any

import numpy as np

__all__ = [
    "Progbar",
    "print_msg",
    "enable_interactive_logging",
    "disable_interactive_logging",
    "is_interactive_logging_enabled",
]

_INTERACTIVE_LOGGING = {"enabled": True}
# Whether the last print_msg left its line open (a progress bar mid-epoch): an interrupted run
# ends that line before exiting (keras_torch.launcher.runner).
_OPEN_LINE = {"open": False}
_logger = logging.getLogger("keras_torch")


def enable_interactive_logging() -> None:
    """Print progress bars and callback messages to stdout (the default)."""
    _INTERACTIVE_LOGGING["enabled"] = True


def disable_interactive_logging() -> None:
    """Route progress bars and callback messages to the ``keras_torch`` logger (INFO) instead."""
    _INTERACTIVE_LOGGING["enabled"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress bars and callback messages go to stdout (True) or to the ``keras_torch`` logger.

    Returns:
        A bool.
    """
    return _INTERACTIVE_LOGGING["enabled"]


def _replace_special_unicode_character(message: str) -> str:
    return message.replace("━", "=")


def print_msg(message: Any, line_break: bool = True) -> None:
    """Keras ``io_utils.print_msg``: write to ``sys.stdout`` (and flush) or log at INFO."""
    message = str(message)
    if is_interactive_logging_enabled():
        message = f"{message}\n" if line_break else message
        try:
            sys.stdout.write(message)
        except UnicodeEncodeError:
            message = _replace_special_unicode_character(message)
            encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
            message = message.encode(encoding, errors="ignore").decode(encoding)
            sys.stdout.write(message)
        sys.stdout.flush()
        if message:
            _OPEN_LINE["open"] = not message.endswith("\n")
    else:
        _logger.info(message)


def end_open_line() -> None:
    """End the line a progress bar left open (after an interrupted epoch), so what follows starts on its own."""
    if _OPEN_LINE["open"]:
        _OPEN_LINE["open"] = False
        sys.stdout.write("\n")
        sys.stdout.flush()


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "detach") and hasattr(value, "numel")


def _to_number(value: Any) -> Any:
    """Python float of a value to display (``np.mean`` for arrays, like Keras)."""
    if isinstance(value, float):
        return value
    if _is_tensor(value):  # torch tensor, converted lazily
        value = value.detach()
        if value.numel() == 1:
            return float(value)
        return float(value.float().mean())
    return np.mean(value)


class Progbar:
    """Displays a progress bar.

    If neither of `stateful_metrics` and `stateless_metrics` is provided, all
    metrics are assumed to be stateless (averaged by the progress bar before
    display).

    Args:
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: Verbosity mode, 0 (silent), 1 (verbose), 2 (semi-verbose)
        stateful_metrics: Iterable of string names of metrics that should *not*
            be averaged over time. Metrics in this list will be displayed as-is.
            If provided, do not provide `stateless_metrics`.
        stateless_metrics: Iterable of string names of metrics that *should* be
            averaged over time. Metrics in this list will be averaged by the
            progbar before display. If provided, do not provide
            `stateful_metrics`.
        interval: Minimum visual progress update interval (in seconds).
        unit_name: Display name for step counts (usually "step" or "sample").
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Any = None,
        stateless_metrics: Any = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` "
                "can be provided. `stateful_metrics` is used to make metrics "
                "stateless by default (with an exclusion list), while "
                "`stateless_metrics` is used to make metrics stateful by "
                "default (with an exclusion list)."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateful_metrics is not None:
            self.stateful_metrics: set[str] | None = set(stateful_metrics)
            self.stateless_metrics: set[str] | None = None
        elif stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set()
            self.stateless_metrics = None

        self._dynamic_display = (
            (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
            or "ipykernel" in sys.modules
            or "posix" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Updates the progress bar.

        Args:
            current: Index of current step.
            values: List of tuples: `(name, value_for_last_step)`. If `name` is
                in `stateful_metrics`, `value_for_last_step` will be displayed
                as-is. Else, an average of the metric over time will be
                displayed.
            finalize: Whether this is the last update for the progress bar. If
                `None`, defaults to `current >= self.target`.
        """
        if finalize is None:
            if self.target is None:
                finalize = False
            else:
                finalize = current >= self.target

        values = values or []
        for k, v in values:
            if k not in self._values_order:
                self._values_order.append(k)

            if self.stateful_metrics is not None:
                stateless = k not in self.stateful_metrics
            else:
                stateless = k in self.stateless_metrics  # type: ignore[operator]

            if stateless:
                # Averaged values are accumulated on the host, like Keras (which receives
                # pythonified values): a tensor is converted here, anything else kept as is.
                if _is_tensor(v):
                    v = _to_number(v)
                if finalize:
                    self._values[k] = [v, 1]
                else:
                    value_base = max(current - self._seen_so_far, 1)
                    if k not in self._values:
                        self._values[k] = [v * value_base, value_base]
                    else:
                        self._values[k][0] += v * value_base
                        self._values[k][1] += value_base
            else:
                # Stored as given (possibly a device tensor); converted only when printed.
                self._values[k] = [v, 1]
        self._seen_so_far = current

        message = ""
        special_char_len = 0
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)

        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return

            if self._dynamic_display:
                message += "\b" * self._prev_total_width
                message += "\r"
            else:
                message += "\n"

            if self.target is not None and self.target > 0:
                numdigits = int(math.log10(self.target)) + 1
                bar = (f"%{numdigits}d/%d") % (current, self.target)  # noqa: UP031 - Keras formatting, kept verbatim
                bar = f"\x1b[1m{bar}\x1b[0m "
                special_char_len += 8
                prog = float(current) / self.target
                prog_width = int(self.width * prog)

                if prog_width > 0:
                    bar += f"\33[32m{'━' * prog_width}\x1b[0m"
                    special_char_len += 9
                bar += f"\33[37m{'━' * (self.width - prog_width)}\x1b[0m"
                special_char_len += 9

            else:
                bar = "%7d/Unknown" % current  # noqa: UP031
            message += bar

            # Add ETA if applicable
            if self.target is not None and self.target > 0 and not finalize:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_format = "%d:%02d:%02d" % (  # noqa: UP031
                        eta // 3600,
                        (eta % 3600) // 60,
                        eta % 60,
                    )
                elif eta > 60:
                    eta_format = "%d:%02d" % (eta // 60, eta % 60)  # noqa: UP031
                else:
                    eta_format = "%ds" % eta  # noqa: UP031
                info = f" \x1b[1m{eta_format}\x1b[0m"
            else:
                # Time elapsed since start, in seconds
                info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
            special_char_len += 8

            # Add time/step
            info += self._format_time(time_per_unit, self.unit_name)

            # Add metrics
            for k in self._values_order:
                info += f" - {k}:"
                if isinstance(self._values[k], list):
                    val, count = self._values[k]
                    val = _to_number(val)
                    avg = val / max(1, count)
                    if abs(avg) > 1e-3:
                        info += f" {avg:.4f}"
                    else:
                        info += f" {avg:.4e}"
                else:
                    info += f" {self._values[k]}"
            message += info

            total_width = len(bar) + len(info) - special_char_len
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"

            print_msg(message, line_break=False)
            self._prev_total_width = total_width
            message = ""

        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                numdigits = int(math.log10(self.target)) + 1
                count_str = f"%{numdigits}d/%d" % (current, self.target)  # noqa: UP031 - Keras formatting, kept verbatim
                info = f"{count_str} - {now - self._start:.0f}s"
                info += f" -{self._format_time(time_per_unit, self.unit_name)}"
                for k in self._values_order:
                    info += f" - {k}:"
                    val, count = self._values[k]
                    val = _to_number(val)
                    avg = val / max(1, count)
                    # Keras 3 compares without abs() here: negative values print as .4e.
                    if avg > 1e-3:
                        info += f" {avg:.4f}"
                    else:
                        info += f" {avg:.4e}"
                info += "\n"
                message += info
                print_msg(message, line_break=False)
                message = ""

        self._last_update = now

    def add(self, n: int, values: Any = None) -> None:
        self.update(self._seen_so_far + n, values)

    def _format_time(self, time_per_unit: float, unit_name: str) -> str:
        """Format a duration as `` 3s/step``, `` 12ms/step`` or `` 250us/step``."""
        formatted = ""
        if time_per_unit >= 1 or time_per_unit == 0:
            formatted += f" {time_per_unit:.0f}s/{unit_name}"
        elif time_per_unit >= 1e-3:
            formatted += f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
        else:
            formatted += f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"
        return formatted

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step; ignores the (non-representative) first step once more are done."""
        if current:
            if self._time_after_first_step is not None and current > 1:
                time_per_unit = (now - self._time_after_first_step) / (current - 1)
            else:
                time_per_unit = (now - self._start) / current

            if current == 1:
                self._time_after_first_step = now
            return time_per_unit
        else:
            return 0
