"""Data-parallel ``fit`` / ``evaluate`` / ``predict`` on ``torch.distributed`` (the engine side).

The public API is :mod:`keras_torch.distribution`; this module holds the machinery the trainer
and the data adapter call. Nothing here runs unless a distribution is active: either one set
with ``keras_torch.distribution.set_distribution(DataParallel(...))`` or, by default, when the
environment says this process is one of several (``WORLD_SIZE > 1``, as set by ``torchrun``,
``keras-torch run --nproc N`` or any launcher setting ``RANK``/``WORLD_SIZE``/``MASTER_ADDR``/
``MASTER_PORT``/``LOCAL_RANK``). Single-process training never reaches this code.

How a distributed step works (one process per device):

* The process group is created lazily (gloo on CPU, NCCL on CUDA with ``cuda:LOCAL_RANK``),
  with a timeout (``KERAS_TORCH_DIST_TIMEOUT`` seconds, default 600) so a dead or stuck rank
  ends the job instead of hanging it.
* ``batch_size`` is the *global* batch. Every rank walks the same global batches (the same
  shuffle, from a seed broadcast by rank 0) and takes its contiguous share of each one; a final
  partial batch is split the same way, and a rank whose share is empty runs a one-row
  placeholder whose gradient weight is 0 and whose metric updates are discarded. Every rank
  therefore runs the same number of steps.
* The model's forward runs through a cached ``DistributedDataParallel`` wrapper during the
  train step only (``model`` stays the keras_torch Model). A DDP communication hook scales
  each rank's gradient by ``local_rows / global_rows`` before the all-reduce SUM, so the
  update equals the single-process gradient of the global batch even for uneven shares.
* Metric state variables (totals/counts) are all-reduced (SUM) whenever results are read, so
  logs, History and callbacks see the same global values on every rank.
"""

from __future__ import annotations

import atexit
import datetime
import math
import os
import sys
import weakref
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from keras_torch.core import config as _config
from keras_torch.core import tree

DEFAULT_TIMEOUT_S = 600.0


class _State:
    def __init__(self) -> None:
        self.distribution: Any = _AUTO  # set_distribution(); _AUTO = follow the environment
        self.auto: Any = None  # the DataParallel created for the environment
        self.runtime: Any = None
        self.runtime_owner: Any = None
        self.initialized_here = False
        self.failed = False


_AUTO = object()
_STATE = _State()


# ---------------------------------------------------------------------- environment
def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def env_world_size() -> int:
    """``WORLD_SIZE`` from the environment (1 when unset)."""
    return _env_int("WORLD_SIZE", 1)


def env_rank() -> int:
    return _env_int("RANK", 0)


def env_local_rank() -> int:
    return _env_int("LOCAL_RANK", env_rank())


def env_is_distributed() -> bool:
    """True when a launcher started this process as one of several (``WORLD_SIZE > 1``)."""
    return env_world_size() > 1


def is_initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    """This process' rank (the environment's before the group exists; 0 when not distributed)."""
    return dist.get_rank() if is_initialized() else env_rank()


def world_size() -> int:
    return dist.get_world_size() if is_initialized() else env_world_size()


def is_chief() -> bool:
    """True on rank 0 and in single-process runs: the process that prints and writes files."""
    if is_initialized():
        return dist.get_rank() == 0
    return env_rank() == 0


def mark_failed() -> None:
    """Remember that this process is ending on an error (skip the group shutdown at exit)."""
    _STATE.failed = True


def _timeout(seconds: Any = None) -> datetime.timedelta:
    if seconds is None:
        seconds = os.environ.get("KERAS_TORCH_DIST_TIMEOUT") or DEFAULT_TIMEOUT_S
    return datetime.timedelta(seconds=float(seconds))


def process_device(devices: Any = None) -> torch.device:
    """The device this process trains on: ``devices[LOCAL_RANK]``, ``cuda:LOCAL_RANK`` or CPU."""
    lr = env_local_rank() if env_is_distributed() or is_initialized() else 0
    if devices:
        devs = [torch.device(d) if not isinstance(d, torch.device) else d for d in devices]
        if lr >= len(devs):
            raise ValueError(f"LOCAL_RANK={lr} but the distribution lists only {len(devs)} devices: {devs}.")
        dev = devs[lr]
    else:
        dev = _config.default_device()
        if dev.type == "cuda":
            n = torch.cuda.device_count()
            if lr >= n:
                raise RuntimeError(
                    f"LOCAL_RANK={lr} but only {n} CUDA device(s) are visible: run at most {n} processes per node "
                    "(keras-torch run --nproc N / torchrun --nproc-per-node N), or set KERAS_TORCH_DEVICE=cpu."
                )
            dev = torch.device("cuda", lr)
    if dev.type == "cpu":
        dev = torch.device("cpu")  # "cpu:0" and "cpu" are the same place
    if dev.type == "cuda":
        if dev.index is None:
            dev = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.set_device(dev)
    _config.set_device(dev)
    return dev


def initialize(backend: str | None = None, timeout: Any = None, devices: Any = None) -> bool:
    """Create the default process group from the environment if it does not exist yet.

    Returns True when this process is part of an initialized group. Backend: ``backend``, else
    ``KERAS_TORCH_DIST_BACKEND``, else NCCL for CUDA and gloo otherwise. ``timeout`` (seconds;
    default ``KERAS_TORCH_DIST_TIMEOUT`` or 600) bounds every collective.
    """
    if is_initialized():
        return True
    if not env_is_distributed():
        return False
    if not dist.is_available():
        raise RuntimeError("torch.distributed is not available in this PyTorch build.")
    missing = [k for k in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(k)]
    if missing:
        raise RuntimeError(
            f"WORLD_SIZE={env_world_size()} but {', '.join(missing)} is not set: launch with `keras-torch run "
            "--nproc N script.py` or `torchrun`, or set MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE and LOCAL_RANK."
        )
    device = process_device(devices)
    backend = backend or os.environ.get("KERAS_TORCH_DIST_BACKEND") or ("nccl" if device.type == "cuda" else "gloo")
    kwargs: dict[str, Any] = {}
    if backend == "nccl" and device.type == "cuda":
        kwargs["device_id"] = device  # eager NCCL init bound to this process' GPU
    dist.init_process_group(backend=backend, timeout=_timeout(timeout), **kwargs)
    if not _STATE.initialized_here:
        atexit.register(_shutdown)
    _STATE.initialized_here = True
    return True


def _shutdown() -> None:
    # Tear the group down at a clean exit (avoids NCCL's "not destroyed" warning). After an
    # error a peer may be gone, so leave it to process exit rather than risk blocking.
    if _STATE.failed or getattr(sys, "last_value", None) is not None:
        return
    try:
        if is_initialized():
            dist.destroy_process_group()
    except Exception:  # noqa: BLE001 - best effort at interpreter exit
        pass


# ---------------------------------------------------------------------- resolution
def _auto_enabled() -> bool:
    return os.environ.get("KERAS_TORCH_DISTRIBUTE", "1").lower() not in ("0", "false", "no", "off")


def current_distribution() -> Any:
    """The active distribution: the one set explicitly, else a DataParallel when the env is distributed."""
    d = _STATE.distribution
    if d is not _AUTO:
        return d
    if not _auto_enabled():
        return None
    if not (env_is_distributed() or (is_initialized() and dist.get_world_size() > 1)):
        return None
    if _STATE.auto is None:
        from keras_torch.distribution import DataParallel

        _STATE.auto = DataParallel()
    return _STATE.auto


def current_runtime() -> _Runtime | None:
    """The per-process runtime of the active distribution (None for single-process runs)."""
    d = current_distribution()
    if d is None:
        return None
    rt = _STATE.runtime
    if rt is not None and _STATE.runtime_owner is d and rt.valid():
        return rt
    initialize(backend=getattr(d, "backend", None), timeout=getattr(d, "timeout", None),
               devices=getattr(d, "devices", None))
    if not is_initialized() or dist.get_world_size() == 1:
        return None
    rt = _Runtime(d)
    _STATE.runtime, _STATE.runtime_owner = rt, d
    return rt


def for_model(model: Any) -> _Runtime | None:
    """Runtime for a fit/evaluate/predict call on ``model`` (placing it on this rank's device)."""
    rt = current_runtime()
    if rt is not None:
        rt.place(model)
    return rt


# ---------------------------------------------------------------------- helpers
def _split(n: int, parts: int, index: int) -> tuple[int, int]:
    """``[lo, hi)`` of part ``index`` when ``n`` rows are split as evenly as possible."""
    q, r = divmod(n, parts)
    lo = index * q + min(index, r)
    return lo, lo + q + (1 if index < r else 0)


def _rows(x: Any) -> int:
    for t in tree.flatten(x):
        if hasattr(t, "shape") and len(t.shape):
            return int(t.shape[0])
    return 0


def _take(x: Any, sl: Any) -> Any:
    return tree.map_structure(lambda t: t[sl] if isinstance(t, torch.Tensor) and t.ndim else t, x)


def _metric_variables(model: Any) -> list[Any]:
    from keras_torch.metrics.metric import MetricVariable

    seen: set[int] = set()
    out = []
    metrics = list(model.metrics) + [t for t in getattr(model, "_output_loss_trackers", []) if t is not None]
    for m in metrics:
        for v in getattr(m, "variables", []):
            if isinstance(v, MetricVariable) and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


class _Cache:
    """Holder stored in ``model.__dict__``; dropped (not copied) by pickle/deepcopy."""

    def __init__(self, key: Any = None, ddp: Any = None) -> None:
        self.key, self.ddp = key, ddp

    def __reduce__(self) -> Any:
        return (_Cache, ())

    def __deepcopy__(self, memo: Any) -> _Cache:
        return _Cache()


class _ForwardAdapter(nn.Module):
    """The module DDP wraps: runs the model's own forward (we are already inside its __call__)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.last_out: Any = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        m = self.model
        out = type(m).forward(m, *args, **kwargs)
        self.last_out = out
        return out


def _copy_masks(src: Any, dst: Any) -> None:
    # DDP may return new tensor objects (unused-parameter mode): keep Keras masks on them.
    from torch.utils._pytree import tree_flatten

    a, _ = tree_flatten(src)
    b, _ = tree_flatten(dst)
    for s, d in zip(a, b):
        mask = getattr(s, "_keras_mask", None)
        if mask is not None and d is not s:
            try:
                d._keras_mask = mask
            except AttributeError:
                pass


def _weighted_allreduce_hook(state, bucket):  # noqa: ANN001, ANN201 - DDP checks the annotations
    """DDP comm hook: sum over ranks of ``grad * local_rows / global_rows``."""
    rt = state()
    t = bucket.buffer()
    w = rt.step_weight if rt is not None else 1.0 / dist.get_world_size()
    t.mul_(w)
    fut = dist.all_reduce(t, group=rt.group if rt is not None else None, async_op=True).get_future()
    return fut.then(lambda f: f.value()[0])


def _ddp_params() -> Any:
    import inspect

    from torch.nn.parallel import DistributedDataParallel

    return inspect.signature(DistributedDataParallel.__init__).parameters


_NO_FORWARD = (
    "keras_torch distributed training: the train step did not call the model itself (`self(x, "
    "training=True)`), so its gradients could not be synchronized across ranks through "
    "DistributedDataParallel. Call the model (not only its sub-layers/sub-models) in `train_step`, "
    "or train each rank alone with keras_torch.distribution.set_distribution(None)."
)


def _is_unused_error(e: BaseException) -> bool:
    msg = str(e)
    return "finished reduction in the prior iteration" in msg or "did not receive grad" in msg


_UNUSED_HINT = (
    "\n\nkeras_torch: some trainable weights got no gradient in a distributed step (e.g. an output "
    "without a loss). Enable unused-parameter detection with\n"
    "    keras_torch.distribution.set_distribution(keras_torch.distribution.DataParallel("
    "find_unused_parameters=True))"
)


class _Runtime:
    """Per-process distributed state: device, DDP wrappers, data sharding, reductions."""

    def __init__(self, distribution: Any) -> None:
        self.distribution = distribution
        self.group = None
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        self.is_chief = self.rank == 0
        self.backend = dist.get_backend()
        self.device = process_device(getattr(distribution, "devices", None))
        self.comm_device = self.device if self.backend == "nccl" else torch.device("cpu")
        self.step_weight = 1.0 / self.world_size
        self.dummy = False
        self._snapshot: dict[int, torch.Tensor] | None = None
        self.reducing = False

    def valid(self) -> bool:
        return is_initialized()

    # ------------------------------------------------------------------ collectives
    def _coalesced(self, tensors: list[torch.Tensor], fn: Any, out: list[torch.Tensor] | None = None) -> None:
        """Run ``fn(flat)`` on the tensors flattened per dtype, then write back (into ``out``)."""
        out = tensors if out is None else out
        groups: dict[torch.dtype, list[int]] = {}
        for i, t in enumerate(tensors):
            groups.setdefault(t.dtype, []).append(i)
        limit = 1 << 26
        for idxs in groups.values():
            chunk: list[int] = []
            size = 0
            for i in idxs + [None]:  # type: ignore[list-item]
                if i is not None and (size + tensors[i].numel() <= limit or not chunk):
                    chunk.append(i)
                    size += tensors[i].numel()
                    continue
                if chunk:
                    flat = torch.cat([tensors[j].detach().reshape(-1).to(self.comm_device) for j in chunk])
                    if flat.dtype == torch.bool:
                        flat = flat.to(torch.uint8)  # not every backend reduces bool; copy_ casts back
                    fn(flat)
                    off = 0
                    with torch.no_grad():
                        for j in chunk:
                            n = tensors[j].numel()
                            out[j].copy_(flat[off:off + n].view_as(tensors[j]))
                            off += n
                if i is not None:
                    chunk, size = [i], tensors[i].numel()

    def broadcast_(self, tensors: list[torch.Tensor], src: int = 0) -> None:
        if tensors:
            self._coalesced(tensors, lambda f: dist.broadcast(f, src, group=self.group))

    def broadcast_int(self, value: int, src: int = 0) -> int:
        t = torch.tensor([int(value)], dtype=torch.int64, device=self.comm_device)
        dist.broadcast(t, src, group=self.group)
        return int(t.item())

    def any(self, flag: bool) -> bool:
        """True on every rank if ``flag`` is true on any rank."""
        t = torch.tensor([1 if flag else 0], dtype=torch.int32, device=self.comm_device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX, group=self.group)
        return bool(t.item())

    def barrier(self) -> None:
        if self.backend == "nccl":
            dist.barrier(group=self.group, device_ids=[self.device.index])
        else:
            dist.barrier(group=self.group)

    # ------------------------------------------------------------------ model state
    def place(self, model: nn.Module) -> None:
        for p in model.parameters():
            if p.device != self.device:
                model.to(self.device)
            break

    def sync_from_chief(self, model: nn.Module, optimizer: Any = None) -> None:
        """Broadcast weights, buffers (and optimizer state) from rank 0 so all ranks start equal."""
        tensors = [p.data for p in model.parameters()] + [b for b in model.buffers()]
        if optimizer is not None and getattr(optimizer, "built", False):
            tensors += [v.data for v in getattr(optimizer, "variables", []) if isinstance(v, torch.Tensor)]
        self.broadcast_(tensors)
        model.__dict__["_kt_dist_synced"] = True

    def sync_once(self, model: nn.Module) -> None:
        if not model.__dict__.get("_kt_dist_synced"):
            self.sync_from_chief(model)

    def sync_non_trainable(self, model: nn.Module) -> None:
        """Rank 0's non-trainable state (e.g. BatchNorm moving statistics) on every rank.

        Trainable weights stay equal through the synchronized updates; state updated in the
        forward pass from local batches does not, so it is re-broadcast once per epoch (as DDP's
        ``broadcast_buffers`` would per step), exactly, without rounding frozen weights.
        """
        state = [p.data for p in model.parameters() if not p.requires_grad] + list(model.buffers())
        self.broadcast_(state)

    def ensure_built(self, model: Any, handler: Any) -> None:
        """Build an unbuilt model on one sample row (DDP needs its weights before training)."""
        if getattr(model, "built", True) and any(True for _ in model.parameters()):
            return
        sample = self._sample_x(handler)
        if sample is None:
            raise ValueError(
                "Distributed training needs a built model: call the model on a batch (or give it an `Input`) "
                "before `fit()` when the data is a generator."
            )
        was_training = model.training
        with torch.no_grad():
            model(sample, training=False)
        model.train(was_training)
        self.place(model)

    def _sample_x(self, h: Any) -> Any:
        from keras_torch.trainers import data_adapter
        from keras_torch.utils.sequence import is_keras_sequence

        if h._array:
            return _take(h.x, slice(0, 1))
        src = getattr(h, "_map_dataset", None)
        if src is not None:
            batch = torch.utils.data.default_collate([src[0]])
        else:
            src = h._iterable
            if is_keras_sequence(src):
                batch = src[0]
            elif hasattr(src, "_keras_iter"):
                batch = next(iter(src._keras_iter()))
            elif isinstance(src, torch.utils.data.DataLoader):
                batch = next(iter(src))
            else:
                return None
        x, _, _ = data_adapter.unpack_x_y_sample_weight(batch)
        return tree.map_structure(lambda v: data_adapter.to_tensor(v, self.device), x)

    # ------------------------------------------------------------------ DDP
    def _find_unused(self, model: Any) -> bool:
        """DDP's unused-parameter detection: asked for, or needed (an output compiled without a loss)."""
        flag = getattr(self.distribution, "find_unused_parameters", None)
        if flag is not None:
            return bool(flag)
        if model.__dict__.get("_kt_find_unused"):
            return True
        loss = getattr(model, "_compile_loss", None)
        return loss is not None and len(loss.fns) > 1 and any(fn is None for fn in loss.fns)

    def ddp_for(self, model: nn.Module) -> Any:
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            return None
        find_unused = self._find_unused(model)
        key = (tuple(id(p) for p in params), self.device, find_unused)
        cache = model.__dict__.get("_kt_ddp")
        if isinstance(cache, _Cache) and cache.key == key and cache.ddp is not None:
            return cache.ddp
        model.__dict__.pop("_kt_ddp", None)
        old = getattr(cache, "ddp", None)
        if old is not None and hasattr(getattr(old, "reducer", None), "_remove_autograd_hooks"):
            old.reducer._remove_autograd_hooks()  # the replaced wrapper must not see later backwards
        from torch.nn.parallel import DistributedDataParallel

        d = self.distribution
        # Buffers are not synced per forward: non-trainable state is re-broadcast once per epoch.
        buffers = "forward_sync_buffers" if "forward_sync_buffers" in _ddp_params() else "broadcast_buffers"
        kwargs: dict[str, Any] = {
            buffers: False,
            "init_sync": False,  # weights are broadcast by sync_from_chief
            "find_unused_parameters": find_unused,
            "static_graph": bool(getattr(d, "static_graph", False)),
        }
        if getattr(d, "bucket_cap_mb", None) is not None:
            kwargs["bucket_cap_mb"] = d.bucket_cap_mb
        if self.device.type == "cuda":
            kwargs["device_ids"] = [self.device.index]
            kwargs["output_device"] = self.device.index
        ddp = DistributedDataParallel(_ForwardAdapter(model), process_group=self.group, **kwargs)
        ddp.register_comm_hook(weakref.ref(self), _weighted_allreduce_hook)
        model.__dict__["_kt_ddp"] = _Cache(key, ddp)
        return ddp

    def wrap_train_step(self, model: Any, step_fn: Any) -> Any:
        """Run ``step_fn`` with the model's forward routed through DDP (train steps only)."""
        state = {"ddp": self.ddp_for(model), "calls": 0}
        d = model.__dict__
        cls_forward = type(model).forward

        def forward(*args: Any, **kwargs: Any) -> Any:
            if not torch.is_grad_enabled():
                return cls_forward(model, *args, **kwargs)
            state["calls"] += 1
            ddp = state["ddp"]
            adapter = ddp.module
            out = ddp(*args, **kwargs)
            last, adapter.last_out = adapter.last_out, None
            if last is not None and out is not last:
                _copy_masks(last, out)
            return out

        def run(batch: Any) -> Any:
            if state["ddp"] is not None:
                d["forward"] = forward
                state["calls"] = 0
            try:
                logs = step_fn(batch)
            finally:
                d.pop("forward", None)
            if state["ddp"] is not None and not state["calls"]:
                raise RuntimeError(_NO_FORWARD)
            return logs

        def step(batch: Any) -> Any:
            dummy = self.dummy
            if dummy:
                self._take_snapshot(model)
            try:
                try:
                    return run(batch)
                except RuntimeError as e:
                    if not _is_unused_error(e):
                        raise
                    if d.get("_kt_find_unused") or getattr(self.distribution, "find_unused_parameters", None) is not None:
                        raise RuntimeError(str(e) + _UNUSED_HINT) from e
                    # Some weights got no gradient in the previous step (raised before this step
                    # computed anything): switch DDP to unused-parameter detection, re-sync from
                    # rank 0 and run this step again.
                    d["_kt_find_unused"] = True
                    state["ddp"] = self.ddp_for(model)
                    self.sync_from_chief(model, getattr(model, "optimizer", None))
                    if self.is_chief:
                        import warnings

                        warnings.warn(
                            "keras_torch distributed: some trainable weights receive no gradient; DDP now finds "
                            "unused parameters (pass DataParallel(find_unused_parameters=True) to avoid the "
                            "unsynchronized first step).", stacklevel=2)
                    return run(batch)
            finally:
                if dummy:
                    self._restore_snapshot(model)
                self.dummy = False

        return step

    def wrap_test_step(self, model: Any, step_fn: Any) -> Any:
        def step(batch: Any) -> Any:
            dummy = self.dummy
            if dummy:
                self._take_snapshot(model)
            try:
                return step_fn(batch)
            finally:
                if dummy:
                    self._restore_snapshot(model)
                self.dummy = False

        return step

    # ------------------------------------------------------------------ fit lifecycle
    def begin_fit(self, model: Any, initial_epoch: int) -> int:
        """After ``on_train_begin``: rank 0's weights/optimizer state and start epoch win."""
        self.sync_from_chief(model, getattr(model, "optimizer", None))
        model.__dict__["_kt_dist"] = self
        return self.broadcast_int(initial_epoch)

    def end_epoch(self, model: Any) -> None:
        self.sync_non_trainable(model)

    def end_fit(self, model: Any) -> None:
        model.__dict__.pop("_kt_dist", None)
        self.barrier()  # files written by rank 0 (checkpoints) exist once fit returns anywhere

    # ------------------------------------------------------------------ metrics
    def _take_snapshot(self, model: Any) -> None:
        self._snapshot = {id(v): v.value.clone() for v in _metric_variables(model)}

    def _restore_snapshot(self, model: Any) -> None:
        snap, self._snapshot = self._snapshot, None
        with torch.no_grad():
            for v in _metric_variables(model):
                old = snap.get(id(v)) if snap else None
                if old is None:
                    v.value.zero_()  # created during the placeholder step
                else:
                    v.value.copy_(old.to(v.value.device))

    def metrics_result(self, model: Any) -> dict[str, Any]:
        """``model.get_metrics_result()`` computed on the state summed over all ranks."""
        variables = _metric_variables(model)
        if not variables:
            self.reducing = True
            try:
                return model.get_metrics_result()
            finally:
                self.reducing = False
        snap = self._snapshot
        local = []
        for v in variables:
            t = v.value
            if snap is not None:  # a placeholder step: contribute the state from before it
                old = snap.get(id(v))
                t = torch.zeros_like(t) if old is None else old.to(t.device)
            agg = getattr(v, "aggregation", "sum")
            if agg in ("only_first_replica", "none") and not self.is_chief:
                t = torch.zeros_like(t)
            local.append(t)
        reduced = [torch.empty_like(t) for t in local]
        self._coalesced(local, lambda f: dist.all_reduce(f, group=self.group), out=reduced)
        for v, t in zip(variables, reduced):
            if getattr(v, "aggregation", "sum") == "mean":
                t.div_(self.world_size)
        saved = [v._value for v in variables]
        for v, t in zip(variables, reduced):
            v._value = t
        self.reducing = True
        try:
            return model.get_metrics_result()
        finally:
            self.reducing = False
            for v, t in zip(variables, saved):
                v._value = t

    # ------------------------------------------------------------------ data
    def steps(self, h: Any) -> int | None:
        if h.for_predict and h._array:
            lo, hi = self._predict_range(h)
            return max(1, math.ceil((hi - lo) / self._predict_batch(h)))
        return None

    def batches(self, h: Any, epoch: int) -> Any:
        """This rank's share of every global batch of the epoch (see the module docstring)."""
        if h.for_predict:
            if h._array:
                yield from self._predict_batches(h)
            else:  # iterables: every rank predicts everything (no gather needed)
                yield from h._iter_batches(epoch)
            return
        if h._array:
            yield from self._array_batches(h, epoch)
        elif getattr(h, "_map_dataset", None) is not None:
            yield from self._dataset_batches(h, epoch)
        else:
            yield from self._iterable_batches(h, epoch)

    def _shared_seed(self, h: Any) -> int:
        seed = h.__dict__.get("_dist_seed")
        if seed is None:
            seed = int(torch.randint(0, 2**62, (1,)).item()) if self.is_chief else 0
            seed = self.broadcast_int(seed)
            h.__dict__["_dist_seed"] = seed
        return seed

    def _plan(self, h: Any, n: int, batch_size: int, epoch: int) -> tuple[torch.Tensor, list[int], list[float]]:
        """Row indices this rank reads this epoch (in order), per-step row counts and weights."""
        shuffle = h.shuffle
        nb = math.ceil(n / batch_size)
        order = list(range(nb))
        perm = None
        if shuffle:
            g = torch.Generator()
            g.manual_seed(self._shared_seed(h) + int(epoch))
            if shuffle == "batch":
                order = torch.randperm(nb, generator=g).tolist()
            else:
                perm = torch.randperm(n, generator=g)
        if h.steps_per_epoch is not None:
            order = order[: int(h.steps_per_epoch)]
        starts, sizes, weights = [], [], []
        for b in order:
            s = b * batch_size
            bsz = min(batch_size, n - s)
            lo, hi = _split(bsz, self.world_size, self.rank)
            if hi > lo:
                starts.append(s + lo)
                sizes.append(hi - lo)
                weights.append((hi - lo) / bsz)
            else:  # empty share: one placeholder row, gradient weight 0, metrics discarded
                starts.append(s)
                sizes.append(1)
                weights.append(0.0)
        if starts:
            st = torch.tensor(starts, dtype=torch.int64)
            sz = torch.tensor(sizes, dtype=torch.int64)
            offsets = torch.cumsum(sz, 0) - sz
            idx = torch.arange(int(sz.sum()), dtype=torch.int64) - torch.repeat_interleave(offsets, sz)
            idx = idx + torch.repeat_interleave(st, sz)
        else:
            idx = torch.zeros(0, dtype=torch.int64)
        if perm is not None:
            idx = perm[idx]
        return idx, sizes, weights

    def _array_batches(self, h: Any, epoch: int) -> Any:
        from keras_torch.trainers.data_adapter import pack_x_y_sample_weight

        n = h.num_samples
        cache = h.__dict__.get("_dist_cache")
        if not h.shuffle and cache is not None:
            (x, y, sw), sizes, weights = cache
        else:
            idx, sizes, weights = self._plan(h, n, h.batch_size, epoch)
            dev = tree.flatten(h.x)[0].device
            idx = idx.to(dev)

            def gather(t: Any) -> Any:
                return None if t is None else t[idx]

            x = tree.map_structure(gather, h.x)
            y = tree.map_structure(gather, h.y) if h.y is not None else None
            sw = h.sw[idx] if h.sw is not None else None
            if not h.shuffle:
                h.__dict__["_dist_cache"] = ((x, y, sw), sizes, weights)
        off = 0
        for size, w in zip(sizes, weights):
            s = slice(off, off + size)
            off += size
            bx = _take(x, s)
            by = _take(y, s) if y is not None else None
            bsw = sw[s] if sw is not None else None
            self.step_weight, self.dummy = w, w == 0.0
            yield pack_x_y_sample_weight(bx, by, bsw)

    def _convert(self, h: Any, batch: Any) -> tuple:
        from keras_torch.trainers import data_adapter as da

        x, y, sw = da.unpack_x_y_sample_weight(batch)
        x = tree.map_structure(lambda v: da.to_tensor(v, h.device), x)
        y = tree.map_structure(lambda v: da.to_tensor(v, h.device), y) if y is not None else None
        sw = da.to_tensor(sw, h.device) if sw is not None else None
        if h.class_weight is not None and y is not None:
            sw = da._apply_class_weight(y, sw, h.class_weight)
        return x, y, sw

    def _dataset_batches(self, h: Any, epoch: int) -> Any:
        from keras_torch.trainers.data_adapter import pack_x_y_sample_weight

        ds = h._map_dataset
        idx, sizes, weights = self._plan(h, len(ds), h._ds_batch_size, epoch)
        lists, off = [], 0
        for size in sizes:
            lists.append(idx[off:off + size].tolist())
            off += size
        loader = torch.utils.data.DataLoader(ds, batch_sampler=lists)
        for batch, w in zip(loader, weights):
            x, y, sw = self._convert(h, batch)
            self.step_weight, self.dummy = w, w == 0.0
            yield pack_x_y_sample_weight(x, y, sw)

    def _iterable_batches(self, h: Any, epoch: int) -> Any:
        from keras_torch.trainers.data_adapter import pack_x_y_sample_weight, unpack_x_y_sample_weight

        src = h._iterable
        sampler = getattr(src, "sampler", None) if isinstance(src, torch.utils.data.DataLoader) else None
        if isinstance(sampler, torch.utils.data.distributed.DistributedSampler):
            for batch in h._iter_batches(epoch):  # already sharded by the user: local batches
                self.step_weight, self.dummy = 1.0 / self.world_size, False
                yield batch
            return
        for batch in h._iter_batches(epoch):  # each batch is global: take this rank's share
            x, y, sw = unpack_x_y_sample_weight(batch)
            b = _rows(x)
            lo, hi = _split(b, self.world_size, self.rank)
            w = (hi - lo) / b if b else 0.0
            s = slice(lo, hi) if hi > lo else slice(0, 1)
            self.step_weight, self.dummy = w, w == 0.0
            yield pack_x_y_sample_weight(_take(x, s), _take(y, s) if y is not None else None,
                                         sw[s] if sw is not None else None)

    # ------------------------------------------------------------------ predict
    def _predict_total(self, h: Any) -> int:
        n = h.num_samples
        if h.steps_per_epoch is not None:
            n = min(n, int(h.steps_per_epoch) * h.batch_size)
        return n

    def _predict_range(self, h: Any) -> tuple[int, int]:
        return _split(self._predict_total(h), self.world_size, self.rank)

    def _predict_batch(self, h: Any) -> int:
        return max(1, math.ceil(h.batch_size / self.world_size))

    def _predict_batches(self, h: Any) -> Any:
        from keras_torch.trainers.data_adapter import pack_x_y_sample_weight

        lo, hi = self._predict_range(h)
        if hi <= lo:  # nothing to predict here: one placeholder row, dropped by the gather
            yield pack_x_y_sample_weight(_take(h.x, slice(0, 1)))
            return
        bs = self._predict_batch(h)
        for s in range(lo, hi, bs):
            yield pack_x_y_sample_weight(_take(h.x, slice(s, min(s + bs, hi))))

    def gather_predictions(self, result: Any, h: Any) -> Any:
        """All ranks' contiguous prediction shards, in sample order, on every rank."""
        if not (h.for_predict and h._array):
            return result
        total = self._predict_total(h)
        counts = [_split(total, self.world_size, r) for r in range(self.world_size)]
        counts = [hi - lo for lo, hi in counts]
        rows = max(max(counts), 1)

        def gather(a: Any) -> Any:
            import numpy as np

            if not isinstance(a, np.ndarray) or a.ndim == 0:
                return a
            t = torch.from_numpy(np.ascontiguousarray(a)).to(self.comm_device)
            t = t[: counts[self.rank]]
            if t.shape[0] < rows:
                t = torch.cat([t, t.new_zeros((rows - t.shape[0],) + tuple(t.shape[1:]))])
            bufs = [torch.empty_like(t) for _ in range(self.world_size)]
            dist.all_gather(bufs, t.contiguous(), group=self.group)
            return torch.cat([b[:c] for b, c in zip(bufs, counts)]).cpu().numpy()

        return tree.map_structure(gather, result)
