"""An allocation budget while a model is rebuilt from a file's config (a config must not allocate unbounded memory)."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import budget as core_budget
from keras_torch.saving.guards import limits


def load_budget(file_size: int) -> int | None:
    """Bytes of tensors a model rebuilt from a file of ``file_size`` bytes may allocate (None: no limit)."""
    env = os.environ.get(limits.MEMORY_LIMIT_ENV, "").strip()
    if env:
        try:
            value = int(float(env))
        except ValueError:
            raise ValueError(f"{limits.MEMORY_LIMIT_ENV} must be a number of bytes (0 disables the limit); got {env!r}.") \
                from None
        return None if value <= 0 else value
    return max(limits.LOAD_BUDGET_FLOOR_BYTES, limits.LOAD_BUDGET_FACTOR * int(file_size))


_FACTORIES = {"empty", "zeros", "ones", "full", "rand", "randn", "randint", "empty_strided", "normal",
              "new_empty", "new_zeros", "new_ones", "new_full", "eye", "arange", "linspace", "logspace",
              "empty_like", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "randint_like"}


def _size_arg(args: tuple, kwargs: dict, name: str) -> Any:
    if "size" in kwargs:
        return kwargs["size"]
    if name in ("new_empty", "new_zeros", "new_ones", "new_full"):
        args = args[1:]  # self
    if name == "randint":  # randint(high, size) / randint(low, high, size)
        for a in args:
            if isinstance(a, (tuple, list)) or type(a).__name__ == "Size":
                return a
        return ()
    if name in ("full", "new_full", "empty_strided", "normal"):
        return args[0] if args else ()
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        return args[0]
    return args


def _requested_bytes(name: str, args: tuple, kwargs: dict) -> int:

    dtype = kwargs.get("dtype")
    if name.endswith("_like"):
        ref = args[0] if args else kwargs.get("input")
        if isinstance(ref, torch.Tensor):
            itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else ref.element_size()
            return ref.numel() * itemsize
        return 0
    if name in ("arange", "linspace", "logspace"):
        try:
            if name == "arange":
                nums = [float(a) for a in args[:3]]
                start, end, step = (0.0, nums[0], 1.0) if len(nums) == 1 else (nums + [1.0])[:3]
                n = max(0, math.ceil((end - start) / step)) if step else 0
            else:
                n = int(args[2] if len(args) > 2 else kwargs.get("steps", 0))
        except (TypeError, ValueError, OverflowError):
            return 0
        itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else 8
        return int(n) * itemsize
    if name == "eye":
        dims = [a for a in args[:2] if isinstance(a, (int, np.integer))]
        n = math.prod(int(d) for d in dims) if len(dims) == 2 else (int(dims[0]) ** 2 if dims else 0)
    else:
        size = _size_arg(args, kwargs, name)
        if isinstance(size, (int, np.integer)):
            size = (size,)
        try:
            n = math.prod(int(d) for d in size)
        except (TypeError, ValueError):
            return 0
    if name in ("new_empty", "new_zeros", "new_ones", "new_full") and args and isinstance(args[0], torch.Tensor) \
            and not isinstance(dtype, torch.dtype):
        itemsize = args[0].element_size()
    else:
        itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else torch.get_default_dtype().itemsize
    return max(0, int(n)) * itemsize


def _from_data_bytes(name: str, args: tuple, kwargs: dict) -> int:
    """Bytes ``torch.as_tensor``/``tensor``/``asarray`` allocate for numpy data (or a dtype change)."""
    data = args[0] if args else kwargs.get("data", kwargs.get("obj"))
    dtype = kwargs.get("dtype", args[1] if len(args) > 1 and isinstance(args[1], torch.dtype) else None)
    if isinstance(data, torch.Tensor):
        if name == "tensor" or (isinstance(dtype, torch.dtype) and dtype != data.dtype):
            itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else data.element_size()
            return data.numel() * itemsize
        return 0
    if isinstance(data, np.ndarray):
        itemsize = dtype.itemsize if isinstance(dtype, torch.dtype) else data.itemsize
        return int(data.size) * itemsize
    return 0


_FROM_DATA = {"as_tensor", "tensor", "asarray"}


@contextlib.contextmanager
def allocation_budget(limit: int | None, path: str = "") -> Iterator[None]:
    """Refuse allocations beyond ``limit`` bytes in total (or any single one above it) inside the block.

    Opens a :class:`keras_torch.core.budget.AllocationBudget` that initializers and metrics charge
    themselves, and counts torch's factories (``zeros``, ``empty``...), tensors made from numpy
    data, and expanded views, before they allocate. Nested scopes share the outermost budget, so
    rebuilding a model and compiling it from the same file spend one budget.
    """
    if limit is None or core_budget.active() is not None:
        yield
        return
    from torch.overrides import TorchFunctionMode

    where = f" '{path}'" if path else ""
    state = core_budget.AllocationBudget(limit, path)

    class _Budget(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            for a in args:
                # An expanded view (broadcast_to of a constant) is as large as what clone()/contiguous()
                # of it would allocate: refuse it before that happens.
                if isinstance(a, torch.Tensor) and not a.is_meta and a.numel() * a.element_size() > limit:
                    raise core_budget.AllocationBudgetError(
                        f"Not allowed: the model config of{where} builds a tensor of {limits.mib(a.numel() * a.element_size())}"
                        f" (shape {tuple(a.shape)}), more than the {limits.mib(limit)} limit. The file is corrupted or "
                        f"hostile. If you trust it, raise the limit with {limits.MEMORY_LIMIT_ENV}=<bytes> (0 disables it).")
            if name in _FACTORIES:
                device = kwargs.get("device")
                if not (device is not None and str(device) == "meta"):
                    state.charge(_requested_bytes(name, args, kwargs), f"torch.{name}()")
            elif name in _FROM_DATA:
                state.charge(_from_data_bytes(name, args, kwargs), f"torch.{name}()")
            return func(*args, **kwargs)

    with core_budget.budget_scope(state), _Budget():
        yield
