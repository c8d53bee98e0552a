"""Products of ``keras.ops.numpy``: matmul, dot, tensordot, einsum, outer/inner/kron, cross,
correlate, slogdet.

Operands are promoted to the Keras result dtype (``int8 @ int8`` gives int32, bools multiply as
0/1 and give bools). ``matmul`` on two float tensors of one dtype is a direct ``torch.matmul``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor

# Operand dtypes whose torch.matmul result is already Keras's (int8 widens, bools multiply as 0/1).
_FAST_DTYPES = frozenset({torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int32, torch.int64})
_torch_matmul = torch.matmul


def _operands(*xs: Any, widen_int8: bool = False) -> tuple[list[Tensor], torch.dtype, torch.dtype]:
    """Tensors in a compute dtype torch supports, plus the Keras result dtype (``widen_int8``:
    int8 operands give int32, as Keras's matmul and einsum do)."""
    dev = d.device_of(*xs)
    ts = [d.tensor(x, device=dev) for x in xs]
    if widen_int8 and all(t.dtype == torch.int8 for t in ts):
        return [t.to(torch.int32) for t in ts], torch.int32, torch.int32
    dt = d.result_of(*(t.dtype for t in ts))
    compute = torch.int32 if dt == torch.bool else dt
    if compute in (torch.uint16, torch.uint32, torch.uint64):
        compute = torch.int64
    return [t.to(compute) for t in ts], compute, dt


def _finish(out: Tensor, dt: torch.dtype) -> Tensor:
    return (out != 0) if dt == torch.bool else out.to(dt)


def _matmul_rule(x1: Any, x2: Any) -> d.KerasTensor:
    s1, s2 = list(d.shape_of(x1)), list(d.shape_of(x2))
    if not s1 or not s2:
        raise ValueError(f"matmul does not accept scalars. Received shapes {tuple(s1)} and {tuple(s2)}.")
    a = [1] + s1 if len(s1) == 1 else s1
    b = s2 + [1] if len(s2) == 1 else s2
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received `x1.shape={tuple(s1)}` "
            f"and `x2.shape={tuple(s2)}`.")
    batch = d.broadcast_shapes(a[:-2], b[:-2])
    shape = list(batch) + ([a[-2]] if len(s1) > 1 else []) + ([b[-1]] if len(s2) > 1 else [])
    _, _, dt = _operands(_probe(x1), _probe(x2), widen_int8=True)
    return d.spec(shape, dt)


def _probe(x: Any) -> Any:
    if isinstance(x, (d.KerasTensor, Tensor, np.ndarray)):
        return torch.empty((), dtype=d.dtypes.to_torch(x.dtype), device="meta")
    return x


def _matmul_slow(x1: Any, x2: Any) -> Tensor:
    (a, b), compute, dt = _operands(x1, x2, widen_int8=True)
    return _finish(torch.matmul(a, b), dt)


def matmul(x1: Any, x2: Any) -> Tensor:
    """Matrix product with NumPy's ``matmul`` broadcasting.

    Args:
        x1: First operand (rank >= 1).
        x2: Second operand (rank >= 1).

    Returns:
        Product tensor (int8 inputs give int32).

    Raises:
        ValueError: on symbolic inputs with mismatched inner dimensions.

    Example:

    >>> ops.matmul(ops.ones((2, 3)), ops.ones((3, 4))).shape
    torch.Size([2, 4])
    """
    if type(x1) is Tensor and type(x2) is Tensor:
        dt = x1.dtype
        if dt is x2.dtype and dt in _FAST_DTYPES:
            return _torch_matmul(x1, x2)
    if isinstance(x1, d.KerasTensor) or isinstance(x2, d.KerasTensor):
        return d.symbolic_call(_matmul_slow, (x1, x2), {}, rule=_matmul_rule, name="matmul")
    return _matmul_slow(x1, x2)


@d.op
def dot(x1: Any, x2: Any) -> Tensor:
    """NumPy's ``dot``: products of scalars, inner product of vectors, otherwise a sum over the last
    axis of ``x1`` and the second-to-last of ``x2``.

    Args:
        x1: First tensor.
        x2: Second tensor.

    Returns:
        The dot product, in the promoted dtype of the inputs.

    Example:

    >>> ops.dot(ops.array([[1, 2], [3, 4]]), ops.array([1, 1]))
    tensor([3, 7], dtype=torch.int32)
    """
    (a, b), _, dt = _operands(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        out = a * b
    elif b.ndim == 1:
        out = torch.tensordot(a, b, dims=([-1], [0]))
    else:
        out = torch.tensordot(a, b, dims=([-1], [b.ndim - 2]))
    return _finish(out, dt)


@d.op
def vdot(x1: Any, x2: Any) -> Tensor:
    """Dot product of the flattened inputs (the first conjugated).

    Args:
        x1: First tensor (flattened, conjugated when complex).
        x2: Second tensor (flattened), with as many elements as ``x1``.

    Returns:
        A scalar tensor.

    Example:

    >>> ops.vdot(ops.array([1, 2]), ops.array([3, 4]))
    tensor(11, dtype=torch.int32)
    """
    (a, b), _, dt = _operands(x1, x2)
    a = a.conj() if a.is_complex() else a
    return _finish(torch.sum(a.reshape(-1) * b.reshape(-1)), dt)


@d.op
def inner(x1: Any, x2: Any) -> Tensor:
    """Sum product over the last axes (products for scalars).

    Args:
        x1: First tensor.
        x2: Second tensor; its last axis matches that of ``x1``.

    Returns:
        Tensor of shape ``x1.shape[:-1] + x2.shape[:-1]``.

    Example:

    >>> ops.inner(ops.array([1, 2, 3]), ops.array([0, 1, 0]))
    tensor(2, dtype=torch.int32)
    """
    (a, b), _, dt = _operands(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return _finish(a * b, dt)
    return _finish(torch.tensordot(a, b, dims=([-1], [-1])), dt)


@d.op
def outer(x1: Any, x2: Any) -> Tensor:
    """Outer product of the flattened inputs.

    Args:
        x1: First tensor (flattened).
        x2: Second tensor (flattened).

    Returns:
        Tensor of shape ``(size(x1), size(x2))``.

    Example:

    >>> ops.outer(ops.array([1, 2]), ops.array([1, 10, 100]))
    tensor([[  1,  10, 100],
            [  2,  20, 200]], dtype=torch.int32)
    """
    (a, b), _, dt = _operands(x1, x2)
    return _finish(torch.outer(a.reshape(-1), b.reshape(-1)), dt)


@d.op
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    """Sum of products over ``axes`` (an int: last of ``x1`` with first of ``x2``; or two lists).

    Args:
        x1: First tensor.
        x2: Second tensor.
        axes: An int ``n`` (the last ``n`` axes of ``x1`` with the first ``n`` of ``x2``) or two
            sequences of axes to contract.

    Returns:
        The contracted tensor.

    Example:

    >>> ops.tensordot(ops.ones((2, 3)), ops.ones((3, 4)), axes=1).shape
    torch.Size([2, 4])
    """
    (a, b), _, dt = _operands(x1, x2)
    if isinstance(axes, (list, tuple)):
        ax_a, ax_b = axes
        dims = ([int(v) for v in ax_a] if isinstance(ax_a, (list, tuple)) else [int(ax_a)],
                [int(v) for v in ax_b] if isinstance(ax_b, (list, tuple)) else [int(ax_b)])
        return _finish(torch.tensordot(a, b, dims=dims), dt)
    return _finish(torch.tensordot(a, b, dims=int(axes)), dt)


@d.op
def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> Tensor:
    """Einstein summation (``"ij,jk->ik"``) over promoted operands.

    Args:
        subscripts: Einstein summation subscripts, e.g. ``"ij,jk->ik"``.
        *operands: The tensors, one per comma-separated term of ``subscripts``.
        **kwargs: Ignored (accepted for NumPy compatibility).

    Returns:
        The result tensor, in the promoted dtype of the operands.

    Example:

    >>> ops.einsum("ij,j->i", ops.array([[1, 2], [3, 4]]), ops.array([1, 1]))
    tensor([3, 7], dtype=torch.int32)
    """
    ts, _, dt = _operands(*operands, widen_int8=True)
    return _finish(torch.einsum(subscripts, *ts), dt)


@d.op
def kron(x1: Any, x2: Any) -> Tensor:
    """Kronecker product.

    Args:
        x1: First tensor.
        x2: Second tensor.

    Returns:
        The block tensor whose blocks are the elements of ``x1`` times ``x2``.

    Example:

    >>> ops.kron(ops.eye(2), ops.array([[1.0, 2.0]]))
    tensor([[1., 2., 0., 0.],
            [0., 0., 1., 2.]])
    """
    (a, b), _, dt = _operands(x1, x2)
    return _finish(torch.kron(a, b), dt)


@d.op
def cross(x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Tensor:
    """Cross product of 3-vectors (or 2-vectors, giving the z component) along the given axes.

    Args:
        x1: First vectors.
        x2: Second vectors.
        axisa: Vector axis of ``x1``.
        axisb: Vector axis of ``x2``.
        axisc: Vector axis of the result.
        axis: Overrides all three.

    Returns:
        Tensor.

    Raises:
        ValueError: if a vector axis has a length other than 2 or 3.

    Example:

    >>> ops.cross(ops.array([1.0, 0.0, 0.0]), ops.array([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    (a, b), _, dt = _operands(x1, x2)
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(
            f"Dimension must be either 2 or 3 for cross product. Received: x1 vectors of length {a.shape[-1]}, "
            f"x2 vectors of length {b.shape[-1]}")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return _finish(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], dt)
    a = F.pad(a, (0, 3 - a.shape[-1]))
    b = F.pad(b, (0, 3 - b.shape[-1]))
    a, b = torch.broadcast_tensors(a, b)
    out = torch.linalg.cross(a, b, dim=-1)
    return _finish(torch.movedim(out, -1, axisc), dt)


@d.op
def correlate(x1: Any, x2: Any, mode: str = "valid") -> Tensor:
    """Cross-correlation of two 1-D sequences (NumPy's ``correlate``).

    Args:
        x1: First sequence.
        x2: Second sequence.
        mode: "valid", "same" or "full".

    Returns:
        Float tensor (float64 for int64 inputs).

    Raises:
        ValueError: for an unknown mode.

    Example:

    >>> ops.correlate(ops.array([1.0, 2.0, 3.0]), ops.array([0.0, 1.0]), mode="full")
    tensor([1., 2., 3., 0.])
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"`mode` must be one of 'valid', 'same' or 'full'. Received: mode={mode}")
    dev = d.device_of(x1, x2)
    a, b = d.tensor(x1, device=dev), d.tensor(x2, device=dev)
    dt = d.result_of(a.dtype, b.dtype)
    if dt == torch.int64:
        dt = torch.float64
    elif dt not in (torch.bfloat16, torch.float16, torch.float64):
        dt = d.dtypes.to_torch(_config.floatx()) if not dt.is_floating_point else torch.float32
    work = torch.float32 if dt in (torch.float16, torch.bfloat16) else dt
    a, b = a.to(work), b.to(work)
    n, m = a.shape[-1], b.shape[-1]
    full = F.conv1d(a.reshape(1, 1, n), b.reshape(1, 1, m), padding=m - 1).reshape(-1)
    if mode == "full":
        out = full
    elif mode == "same":
        start = (full.shape[0] - n) // 2
        out = full[start:start + n]
    else:
        length = max(n, m) - min(n, m) + 1
        start = (full.shape[0] - length) // 2
        out = full[start:start + length]
    return out.to(dt)


@d.op
def slogdet(x: Any) -> tuple[Tensor, Tensor]:
    """Sign and natural log of the absolute determinant of square matrices.

    Args:
        x: Tensor of shape ``(..., n, n)``.

    Returns:
        ``(sign, logabsdet)``, each of shape ``(...)``.

    Example:

    >>> ops.slogdet(ops.array([[-2.0, 0.0], [0.0, 1.0]]))
    (tensor(-1.), tensor(0.6931))
    """
    t = d.tensor(x)
    t = t.to(d.float_of(t.dtype))
    sign, logabs = torch.linalg.slogdet(t)
    return sign, logabs
