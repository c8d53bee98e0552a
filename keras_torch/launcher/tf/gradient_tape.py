"""``tf.GradientTape`` on torch autograd.

torch records every operation on tensors that require gradients, so the tape does not record
anything itself: entering it turns gradient recording on (``torch.enable_grad``), ``watch``
makes a constant tensor require gradients, and ``gradient`` / ``jacobian`` /
``batch_jacobian`` call ``torch.autograd.grad`` on what torch already recorded.

Differences from TensorFlow, all on purpose:

* torch records operations whether or not a tape is open: a gradient can flow through work done
  before the ``with`` block (TensorFlow returns ``None`` for a path it did not record).
* A variable updated in place (``optimizer.apply_gradients``) between the forward pass and
  ``tape.gradient`` cannot be differentiated through: TensorFlow kept the old value, torch raises.
  The error says so; take every gradient before applying updates.
* ``gradient`` computed while another tape is open is itself recorded (``create_graph=True``),
  as TensorFlow records it on the outer tape: nested tapes give second derivatives.
"""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Iterator
from typing import Any

import torch

from keras_torch.core import tree
from keras_torch.utils.unsupported import unsupported


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on (``tf.UnconnectedGradients``)."""

    NONE = "none"
    ZERO = "zero"


class _TapeStack(threading.local):
    tapes: list[GradientTape]

    def __init__(self) -> None:
        self.tapes = []


_STACK = _TapeStack()
# Constants made to require gradients by ``watch``, with how many live tapes watch them: the flag
# is cleared when the last one is done, so nested tapes watching the same tensor keep it.
_WATCHERS: dict[int, list[Any]] = {}


def _recording() -> bool:
    """True while a tape records: a gradient computed now must stay differentiable."""
    return any(t._recording for t in _STACK.tapes)


def _differentiable(t: Any) -> bool:
    return isinstance(t, torch.Tensor) and (t.is_floating_point() or t.is_complex())


class GradientTape:
    """``tf.GradientTape(persistent=False, watch_accessed_variables=True)``.

    Args:
        persistent: Allow several ``gradient``/``jacobian`` calls (a non-persistent tape allows one).
        watch_accessed_variables: ``True``: trainable variables (``requires_grad``) are watched
            automatically. ``False``: only what ``watch`` was given (and what was computed from it)
            gets gradients; other sources get ``None``.
    """

    _persistent: bool
    _watch_accessed: bool
    _recording: bool  # inside the ``with`` block and not in ``stop_recording``
    _used: bool  # a non-persistent tape has computed its one set of gradients
    _watched: dict[int, torch.Tensor]  # id -> tensor given to ``watch``
    _flipped: list[torch.Tensor]  # constants this tape holds in ``_WATCHERS`` (released when done)
    _grad_mode: Any  # the ``torch.enable_grad`` context of the ``with`` block

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._recording = False
        self._used = False
        self._watched = {}
        self._flipped = []
        self._grad_mode = None

    def __enter__(self) -> GradientTape:
        self._grad_mode = torch.enable_grad()
        self._grad_mode.__enter__()
        self._recording = True
        _STACK.tapes.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._recording = False
        if self in _STACK.tapes:
            _STACK.tapes.remove(self)
        self._grad_mode.__exit__(*exc)
        self._grad_mode = None

    def __del__(self) -> None:
        if "_flipped" in self.__dict__:
            self._release()

    # ------------------------------------------------------------------ recording
    def watch(self, tensor: Any) -> None:
        """Record operations on ``tensor`` (a tensor, a variable, or a nested structure of them)."""
        for t in tree.flatten(tensor):
            if not _differentiable(t):
                continue  # TensorFlow warns and ignores integer tensors the same way
            if id(t) in self._watched:
                continue
            entry = _WATCHERS.get(id(t))
            if entry is None and not t.requires_grad:
                t.requires_grad_(True)
                entry = _WATCHERS[id(t)] = [t, 0]
            if entry is not None:
                entry[1] += 1
                self._flipped.append(t)
            self._watched[id(t)] = t

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Operations in this block are not recorded (``torch.no_grad``)."""
        was, self._recording = self._recording, False
        try:
            with torch.no_grad():
                yield
        finally:
            self._recording = was

    def reset(self) -> None:
        """Forget what was watched (operations recorded by torch stay attached to their tensors)."""
        self._release()
        self._used = False

    def _release(self) -> None:
        for t in self._flipped:
            entry = _WATCHERS.get(id(t))
            if entry is None:
                continue
            entry[1] -= 1
            if entry[1] <= 0:
                del _WATCHERS[id(t)]
                if t.is_leaf:
                    t.requires_grad_(False)
        self._flipped = []
        self._watched = {}

    # ------------------------------------------------------------------ differentiation
    def _begin_use(self) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients (or "
                "jacobians). Create the tape with `tf.GradientTape(persistent=True)` to call it again."
            )
        self._used = True

    def _end_use(self) -> None:
        if not self._persistent:
            self._release()

    def _sourced(self, source: Any) -> bool:
        """Whether ``source`` is watched by this tape (else its gradient is unconnected)."""
        if not _differentiable(source) or not source.requires_grad:
            return False
        return self._watch_accessed or id(source) in self._watched or not source.is_leaf

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: Any = UnconnectedGradients.NONE) -> Any:
        """Gradients of ``target`` (summed over its elements and structure) w.r.t. ``sources``.

        Args:
            target: A tensor or a nested structure of tensors.
            sources: A variable/tensor or a nested structure of them (list, tuple, dict).
            output_gradients: Upstream gradients, one per target tensor (default: ones).
            unconnected_gradients: ``"none"`` (default) or ``"zero"`` for sources the target does
                not depend on.

        Returns:
            The gradients in the structure of ``sources``.
        """
        self._begin_use()
        try:
            return self._gradient(target, sources, output_gradients, _unconnected(unconnected_gradients))
        finally:
            self._end_use()

    def _gradient(self, target: Any, sources: Any, output_gradients: Any, zero: bool) -> Any:
        flat_sources = tree.flatten(sources)
        targets = tree.flatten(target)
        upstream = tree.flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        if len(upstream) != len(targets):
            raise ValueError(f"`output_gradients` has {len(upstream)} tensors for {len(targets)} targets.")
        pairs = [(t, g) for t, g in zip(targets, upstream) if _differentiable(t) and t.requires_grad]
        wanted = [i for i, s in enumerate(flat_sources) if self._sourced(s)]
        results: list[Any] = [None] * len(flat_sources)
        if pairs and wanted:
            outs = [t for t, _ in pairs]
            grads_out = [torch.ones_like(t) if g is None else _as_tensor(g, t) for t, g in pairs]
            with _inplace_hint():
                found = torch.autograd.grad(outs, [flat_sources[i] for i in wanted], grads_out,
                                            retain_graph=True, create_graph=_recording(), allow_unused=True)
            for i, g in zip(wanted, found):
                results[i] = g
        if zero:
            results = [torch.zeros_like(s) if g is None and isinstance(s, torch.Tensor) else g
                       for s, g in zip(flat_sources, results)]
        return _pack(sources, results)

    def jacobian(self, target: Any, sources: Any, unconnected_gradients: Any = UnconnectedGradients.NONE,
                 parallel_iterations: Any = None, experimental_use_pfor: bool = True) -> Any:
        """Full Jacobian of the tensor ``target`` w.r.t. each source: shape ``target.shape + source.shape``."""
        del parallel_iterations, experimental_use_pfor
        self._begin_use()
        try:
            zero = _unconnected(unconnected_gradients)
            flat_sources = tree.flatten(sources)
            results = [self._jacobian_one(target, s, zero) for s in flat_sources]
            return _pack(sources, results)
        finally:
            self._end_use()

    def _jacobian_one(self, target: torch.Tensor, source: Any, zero: bool) -> Any:
        if not (_differentiable(target) and target.requires_grad and self._sourced(source)):
            return torch.zeros(*target.shape, *source.shape, dtype=source.dtype) if zero else None
        n = target.numel()
        basis = torch.eye(n, dtype=target.dtype, device=target.device).reshape(n, *target.shape)
        rows = _batched_grad(target, source, basis)
        if rows is None:
            return torch.zeros(*target.shape, *source.shape, dtype=source.dtype) if zero else None
        return rows.reshape(*target.shape, *source.shape)

    def batch_jacobian(self, target: torch.Tensor, source: torch.Tensor,
                       unconnected_gradients: Any = UnconnectedGradients.NONE, parallel_iterations: Any = None,
                       experimental_use_pfor: bool = True) -> Any:
        """Per-example Jacobian: ``target[i]`` w.r.t. ``source[i]`` (rows assumed independent).

        Returns:
            Shape ``(batch,) + target.shape[1:] + source.shape[1:]``.
        """
        del parallel_iterations, experimental_use_pfor
        self._begin_use()
        try:
            zero = _unconnected(unconnected_gradients)
            if target.shape[0] != source.shape[0]:
                raise ValueError(f"Need first dimension of `target` shape {tuple(target.shape)} and `source` shape "
                                 f"{tuple(source.shape)} to match.")
            b = target.shape[0]
            out_shape = (b, *target.shape[1:], *source.shape[1:])
            if not (_differentiable(target) and target.requires_grad and self._sourced(source)):
                return torch.zeros(out_shape, dtype=source.dtype) if zero else None
            m = target[0].numel()
            eye = torch.eye(m, dtype=target.dtype, device=target.device)
            basis = eye.reshape(m, 1, *target.shape[1:]).expand(m, *target.shape).contiguous()
            rows = _batched_grad(target, source, basis)  # (m, b, *source.shape[1:])
            if rows is None:
                return torch.zeros(out_shape, dtype=source.dtype) if zero else None
            return rows.movedim(0, 1).reshape(out_shape)
        finally:
            self._end_use()

    def __getattr__(self, name: str) -> Any:
        raise unsupported(f"tf.GradientTape.{name}")


def _batched_grad(target: torch.Tensor, source: torch.Tensor, basis: torch.Tensor) -> torch.Tensor | None:
    """Vector-Jacobian products of ``target`` with each row of ``basis`` (vmapped; a loop if vmap can't)."""
    create = _recording()
    with _inplace_hint():
        try:
            (rows,) = torch.autograd.grad(target, source, basis, retain_graph=True, create_graph=create,
                                          allow_unused=True, is_grads_batched=True)
            return rows
        except RuntimeError as err:
            if "modified by an inplace operation" in str(err):
                raise
        found = [torch.autograd.grad(target, source, v, retain_graph=True, create_graph=create,
                                     allow_unused=True)[0] for v in basis]
    if found[0] is None:
        return None
    return torch.stack(found)


@contextlib.contextmanager
def _inplace_hint() -> Iterator[None]:
    try:
        yield
    except RuntimeError as err:
        if "modified by an inplace operation" not in str(err):
            raise
        raise RuntimeError(
            "tape.gradient: a variable used in the recorded computation was updated in place (for example by "
            "`optimizer.apply_gradients`) before the gradient was taken. TensorFlow keeps the old value; torch "
            "autograd cannot. Compute every gradient from a forward pass before applying updates, or redo "
            f"the forward pass after the update. (torch: {err})"
        ) from None


def _unconnected(value: Any) -> bool:
    """True for ``"zero"``: unconnected sources get zeros."""
    name = value.value if isinstance(value, UnconnectedGradients) else str(value).lower()
    if name not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: '{value}'. Expected 'none' or 'zero'.")
    return name == "zero"


def _as_tensor(g: Any, like: torch.Tensor) -> torch.Tensor:
    t = g if isinstance(g, torch.Tensor) else torch.as_tensor(g)
    return t.to(dtype=like.dtype, device=like.device).expand_as(like)


def _pack(sources: Any, results: list[Any]) -> Any:
    if not tree.is_nested(sources):
        return results[0]
    return tree.pack_like(sources, results)
