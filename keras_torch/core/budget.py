"""The allocation budget: how much memory rebuilding a model from a file may make keras_torch allocate.

While a loader rebuilds a model (``load_model``, ``model_from_json``, compiling from a file's
``compile_config``) one :class:`AllocationBudget` is active on the thread. Everything that can
allocate in proportion to a number read from the file charges it *before* allocating: torch
factories (counted by ``saving/guards/budget.py``), initializers that compute in numpy or run a
factorisation (``STFT``, ``Orthogonal``), metric state (``MeanIoU``'s confusion matrix, ``AUC``'s
thresholds). Outside a loader nothing is active and :func:`charge` costs one context lookup.

The budget lives in ``core`` so that initializers and metrics, which rank below ``saving``, can
charge it; ``saving`` decides the limit and opens the scope.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

MEMORY_LIMIT_ENV = "KERAS_TORCH_LOAD_MEMORY_LIMIT"
# Superlinear computations (an Orthogonal initializer's QR) may do this many floating-point
# operations per byte of budget: at the 2 GiB floor, ~2.7e11 (QR of a 4096 x 16384 matrix, an
# LSTM(4096)'s recurrent kernel), seconds on a laptop; without it a 20 kB file asked for 76 s.
WORK_PER_BUDGET_BYTE = 128


def mib(n: float) -> str:
    """``n`` bytes for humans (``"1.5 GiB"``)."""
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{int(n)} bytes"


class AllocationBudgetError(ValueError):
    """A file asked for more memory than its budget allows (a ``ValueError``, so loaders report it as such)."""


class AllocationBudget:
    """``limit`` bytes that a model rebuilt from ``source`` (a file name) may allocate in total.

    Args:
        limit: Bytes allowed (summed over every charge; frees are not credited).
        source: The file being loaded, for messages.
    """

    def __init__(self, limit: int, source: str = "") -> None:
        self.limit = int(limit)
        self.source = source
        self.used = 0  # bytes charged so far
        self.work = 0  # floating-point operations charged so far (charge_work)

    def charge(self, nbytes: int, what: str) -> None:
        """Account for ``nbytes`` about to be allocated by ``what``; refuse if it would exceed the limit."""
        nbytes = max(0, int(nbytes))
        if self.used + nbytes > self.limit:
            where = f" of '{self.source}'" if self.source else ""
            raise AllocationBudgetError(
                f"Not allowed: the model config{where} asks for more than {mib(self.limit)} of memory ({what}: "
                f"{mib(nbytes)} after {mib(self.used)}), far more than the weights the file can hold. The file is "
                f"corrupted or hostile. If you trust it, raise the limit with the environment variable "
                f"{MEMORY_LIMIT_ENV}=<bytes> (0 disables it).")
        self.used += nbytes


    def charge_work(self, flops: int, what: str) -> None:
        """Account for ``flops`` of computation; refuse beyond :data:`WORK_PER_BUDGET_BYTE` per byte of the limit."""
        flops = max(0, int(flops))
        limit = WORK_PER_BUDGET_BYTE * self.limit
        if self.work + flops > limit:
            where = f" of '{self.source}'" if self.source else ""
            raise AllocationBudgetError(
                f"Not allowed: the model config{where} asks for more computation than its budget allows ({what}: "
                f"{flops:.2e} floating-point operations, limit {limit:.2e}), far more than the weights the file "
                f"can hold justify. The file is corrupted or hostile. If you trust it, raise the limit with the "
                f"environment variable {MEMORY_LIMIT_ENV}=<bytes> (0 disables it).")
        self.work += flops


_ACTIVE: contextvars.ContextVar[AllocationBudget | None] = contextvars.ContextVar("keras_torch_budget", default=None)


def active() -> AllocationBudget | None:
    """The budget of the innermost :func:`budget_scope` on this thread (``None`` outside any)."""
    return _ACTIVE.get()


def charge(nbytes: int, what: str) -> None:
    """Charge the active budget, if any (see :meth:`AllocationBudget.charge`)."""
    budget = _ACTIVE.get()
    if budget is not None:
        budget.charge(nbytes, what)


def check_activation(shape: tuple, dtype: str) -> None:
    """Refuse a layer output (a symbolic tensor of ``shape``) whose one sample would not fit the active budget.

    Nothing is allocated while a model is rebuilt, but ``predict`` on one sample would allocate it:
    ``RepeatVector(n=10**12)`` or a padding of 10**12 passed every check and failed inside torch.
    """
    budget = _ACTIVE.get()
    if budget is None:
        return
    count = 1
    for d in shape[1:]:
        count *= d if isinstance(d, int) and d > 0 else 1
    itemsize = 8 if dtype.endswith("64") else 2 if dtype.endswith("16") else 1 if dtype in ("bool", "int8", "uint8") else 4
    if count * itemsize > budget.limit:
        where = f" of '{budget.source}'" if budget.source else ""
        raise AllocationBudgetError(
            f"Not allowed: the model config{where} makes a layer output of shape {tuple(shape)}: "
            f"{mib(count * itemsize)} per sample, more than the {mib(budget.limit)} limit. The file is corrupted or "
            f"hostile. If you trust it, raise the limit with the environment variable {MEMORY_LIMIT_ENV}=<bytes> "
            "(0 disables it).")


def charge_work(flops: int, what: str) -> None:
    """Charge computation to the active budget, if any (see :meth:`AllocationBudget.charge_work`)."""
    budget = _ACTIVE.get()
    if budget is not None:
        budget.charge_work(flops, what)


@contextlib.contextmanager
def budget_scope(budget: AllocationBudget) -> Iterator[AllocationBudget]:
    """Make ``budget`` the active one inside the block."""
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)
