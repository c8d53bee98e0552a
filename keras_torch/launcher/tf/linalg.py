"""``tf.linalg`` stand-in: the matrix functions Keras models and losses use."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch import ops as _ops
from keras_torch.launcher.tf import _convert as cv
from keras_torch.launcher.tf.math import l2_normalize  # noqa: F401 - tf.linalg.l2_normalize
from keras_torch.launcher.tf.tensors import eye  # noqa: F401 - tf.linalg.eye
from keras_torch.utils.unsupported import unsupported


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False, output_type: Any = None,
           grad_a: bool = False, grad_b: bool = False, name: str | None = None) -> torch.Tensor:
    """``a @ b`` over the last two axes (batched), optionally transposing (adjoint: conjugate-transposing) either."""
    x, y = cv.tensor(a), cv.tensor(b)
    if transpose_a or adjoint_a:
        x = x.mH if adjoint_a else x.mT
    if transpose_b or adjoint_b:
        y = y.mH if adjoint_b else y.mT
    out = _ops.matmul(x, y)
    return out.to(cv.dtype(output_type)) if output_type is not None else out


def matvec(a: Any, b: Any, transpose_a: bool = False, adjoint_a: bool = False, name: str | None = None) -> torch.Tensor:
    return matmul(a, cv.tensor(b)[..., None], transpose_a=transpose_a, adjoint_a=adjoint_a)[..., 0]


def tensordot(a: Any, b: Any, axes: Any, name: str | None = None) -> torch.Tensor:
    dims = axes if isinstance(axes, int) else [list(cv.shape(ax)) for ax in axes]
    return _ops.tensordot(cv.tensor(a), cv.tensor(b), axes=dims)


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> torch.Tensor:
    return _ops.einsum(equation, *[cv.tensor(t) for t in inputs])


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None, keepdims: Any = None,  # noqa: A002
         name: str | None = None) -> torch.Tensor:
    """Vector norm over ``axis`` (all entries by default); a matrix norm for a 2-tuple ``axis``."""
    t = cv.tensor(tensor)
    ax = cv.axis(axis)
    keep = bool(keepdims)
    if ord in ("euclidean", "fro") and (ax is None or isinstance(ax, int)):
        return torch.linalg.vector_norm(t, 2, dim=ax, keepdim=keep)
    if isinstance(ax, tuple) and len(ax) == 2:
        return torch.linalg.matrix_norm(t, "fro" if ord in ("euclidean", "fro") else ord, dim=ax, keepdim=keep)
    return torch.linalg.vector_norm(t, float(ord), dim=ax, keepdim=keep)


def inv(input: Any, adjoint: bool = False, name: str | None = None) -> torch.Tensor:  # noqa: A002
    out = _ops.inv(cv.tensor(input))
    return out.mH if adjoint else out


def det(input: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.det(cv.tensor(input))


def diag(diagonal: Any, name: str = "diag", k: int = 0, **kwargs: Any) -> torch.Tensor:
    """Matrices with ``diagonal`` (its last axis) on their diagonal."""
    return torch.diag_embed(cv.tensor(diagonal), offset=int(k))


def diag_part(input: Any, name: str = "diag_part", k: int = 0, **kwargs: Any) -> torch.Tensor:  # noqa: A002
    return torch.diagonal(cv.tensor(input), offset=int(k), dim1=-2, dim2=-1)


def trace(x: Any, name: str | None = None) -> torch.Tensor:
    return torch.diagonal(cv.tensor(x), dim1=-2, dim2=-1).sum(-1)


def band_part(input: Any, num_lower: Any, num_upper: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    """Keep the band of ``num_lower`` sub- and ``num_upper`` super-diagonals (negative: all); zero the rest."""
    t = cv.tensor(input)
    m, n = t.shape[-2], t.shape[-1]
    rows = torch.arange(m)[:, None]
    cols = torch.arange(n)[None, :]
    lower, upper = int(num_lower), int(num_upper)
    keep = ((lower < 0) | (rows - cols <= lower)) & ((upper < 0) | (cols - rows <= upper))
    return torch.where(keep, t, torch.zeros((), dtype=t.dtype))


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.linalg.{name}")
