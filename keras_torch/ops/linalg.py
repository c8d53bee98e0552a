"""``keras.ops.linalg`` on ``torch.linalg``: decompositions, solvers, inverses, norms and ``jvp``.

Integer inputs compute in floatx. Non-square or rank-1 inputs raise Keras's ``ValueError``.
``norm`` follows NumPy (vector norms over one axis, matrix norms over two, ``ord=0`` counts
non-zeros).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


def _floated(x: Any) -> Tensor:
    t = d.tensor(x)
    if t.is_floating_point() or t.is_complex():
        return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t
    return t.to(d.float_of(t.dtype))


def _matrix(x: Any, square: bool = True) -> Tensor:
    t = _floated(x)
    if t.ndim < 2:
        raise ValueError(f"Expected input to have rank >= 2. Received input with shape {tuple(t.shape)}.")
    if square and t.shape[-1] != t.shape[-2]:
        raise ValueError(f"Expected a square matrix. Received non-square input with shape {tuple(t.shape)}")
    return t


def _validated(square: bool = True) -> Callable:
    """``d.op`` whose symbolic branch checks the matrix shape (Keras's ValueError) before inferring
    the output spec on meta tensors."""
    def deco(fn: Callable) -> Callable:
        def rule(x: Any, *args: Any, **kwargs: Any) -> Any:
            shape = d.shape_of(x)
            if len(shape) < 2:
                raise ValueError(f"Expected input to have rank >= 2. Received input with shape {shape}.")
            if square and None not in shape[-2:] and shape[-1] != shape[-2]:
                raise ValueError(f"Expected a square matrix. Received non-square input with shape {shape}")
            return d.infer_spec(fn, (x, *args), kwargs)

        return d.op(fn, rule=rule)

    return deco


@_validated()
def cholesky(x: Any, upper: bool = False) -> Tensor:
    """Cholesky factor of (batches of) symmetric positive definite matrices.

    Args:
        x: ``(..., n, n)`` matrices.
        upper: Return the upper factor ``U`` (``x = U^T U``) instead of the lower ``L``.

    Returns:
        Triangular factor.

    Raises:
        ValueError: for non-square inputs or if a matrix is not positive definite.

    Example:

    >>> ops.cholesky(ops.array([[4.0, 2.0], [2.0, 5.0]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    t = _matrix(x)
    factor, info = torch.linalg.cholesky_ex(t, upper=upper)
    if t.device.type != "meta" and bool((info != 0).any()):
        raise ValueError("Cholesky decomposition failed: the input is not positive definite.")
    return factor


@_validated()
def cholesky_inverse(x: Any, upper: bool = False) -> Tensor:
    """Inverse of ``A`` given its Cholesky factor (lower ``L`` or, with ``upper``, ``U``).

    Args:
        x: Cholesky factor(s), shape ``(..., n, n)``.
        upper: Whether ``x`` is the upper factor ``U`` (``A = U^T U``) rather than the lower ``L``
            (``A = L L^T``).

    Returns:
        The inverse of ``A``, shape ``(..., n, n)``.

    Example:

    >>> ops.cholesky_inverse(ops.array([[2.0, 0.0], [1.0, 2.0]]))
    tensor([[ 0.3125, -0.1250],
            [-0.1250,  0.2500]])
    """
    return torch.cholesky_inverse(_matrix(x), upper=upper)


@_validated()
def det(x: Any) -> Tensor:
    """Determinant of (batches of) square matrices.

    Args:
        x: Tensor of shape ``(..., n, n)``.

    Returns:
        Tensor of shape ``(...)``.

    Example:

    >>> ops.det(ops.array([[1.0, 2.0], [3.0, 4.0]]))
    tensor(-2.)
    """
    return torch.linalg.det(_matrix(x))


@_validated()
def eig(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues and right eigenvectors of general square matrices (complex).

    Args:
        x: Tensor of shape ``(..., n, n)``.

    Returns:
        ``(eigenvalues, eigenvectors)``: complex tensors of shapes ``(..., n)`` and ``(..., n, n)``
        (the columns are the eigenvectors).

    Example:

    >>> w, v = ops.eig(ops.array([[2.0, 0.0], [0.0, 3.0]]))
    >>> w
    tensor([2.+0.j, 3.+0.j])
    """
    return torch.linalg.eig(_matrix(x))


@_validated()
def eigh(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues (ascending) and eigenvectors of symmetric/Hermitian matrices.

    Args:
        x: Tensor of shape ``(..., n, n)``; only its lower triangle is read.

    Returns:
        ``(eigenvalues, eigenvectors)`` of shapes ``(..., n)`` and ``(..., n, n)`` (eigenvectors in the
        columns).

    Example:

    >>> w, v = ops.eigh(ops.array([[2.0, 1.0], [1.0, 2.0]]))
    >>> w
    tensor([1., 3.])
    """
    return torch.linalg.eigh(_matrix(x))


@_validated()
def inv(x: Any) -> Tensor:
    """Inverse of (batches of) square matrices.

    Args:
        x: Tensor of shape ``(..., n, n)``.

    Returns:
        Tensor of shape ``(..., n, n)``.

    Example:

    >>> ops.inv(ops.array([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return torch.linalg.inv(_matrix(x))


@_validated(square=False)
def lu_factor(x: Any) -> tuple[Tensor, Tensor]:
    r"""LU factorization with partial pivoting: the packed ``L\U`` matrix and the row permutation
    (int32) as Keras's TensorFlow backend returns it.

    Args:
        x: Tensor of shape ``(..., m, n)``.

    Returns:
        ``(lu, pivots)``: ``L`` (unit diagonal, not stored) and ``U`` packed in one tensor, and the
        int32 row permutation.

    Example:

    >>> lu, pivots = ops.linalg.lu_factor(ops.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> pivots
    tensor([1, 0], dtype=torch.int32)
    """
    t = _matrix(x, square=False)
    lu, pivots = torch.linalg.lu_factor(t)
    n = t.shape[-2]
    perm = torch.arange(n, device=t.device).expand(*pivots.shape[:-1], n).clone()
    piv = (pivots - 1).to(torch.int64)
    for i in range(piv.shape[-1]):
        j = piv[..., i : i + 1]
        a, b = perm[..., i : i + 1].clone(), torch.gather(perm, -1, j)
        perm[..., i : i + 1] = b
        perm.scatter_(-1, j, a)
    return lu, torch.argsort(perm, dim=-1).to(torch.int32)


@_validated(square=False)
def matrix_rank(x: Any, tol: float | None = None) -> Tensor:
    """Rank of (batches of) matrices: singular values above ``tol`` (default ``max(m, n) * eps * s_max``).

    Args:
        x: Tensor of shape ``(..., m, n)``.
        tol: Singular values above ``tol`` count; None uses the default above.

    Returns:
        int32 tensor of shape ``(...)``.

    Example:

    >>> ops.linalg.matrix_rank(ops.array([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1, dtype=torch.int32)
    """
    t = _matrix(x, square=False)
    if tol is None:
        return torch.linalg.matrix_rank(t).to(torch.int32)
    return torch.linalg.matrix_rank(t, atol=tol, rtol=0.0).to(torch.int32)


@_validated(square=False)
def pinv(x: Any, rcond: float | None = None) -> Tensor:
    """Moore-Penrose pseudo-inverse (singular values below ``rcond * s_max`` dropped).

    Args:
        x: Tensor of shape ``(..., m, n)``.
        rcond: Relative cutoff for small singular values (default: machine precision times ``max(m, n)``).

    Returns:
        Tensor of shape ``(..., n, m)``.

    Example:

    >>> ops.linalg.pinv(ops.array([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    t = _matrix(x, square=False)
    return torch.linalg.pinv(t) if rcond is None else torch.linalg.pinv(t, rtol=rcond)


@_validated(square=False)
def qr(x: Any, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    """QR decomposition.

    Args:
        x: ``(..., m, n)`` matrices.
        mode: "reduced" or "complete".

    Returns:
        ``(q, r)``.

    Raises:
        ValueError: for another ``mode``.

    Example:

    >>> q, r = ops.linalg.qr(ops.array([[3.0, 0.0], [4.0, 5.0]]))
    >>> r
    tensor([[-5., -4.],
            [ 0.,  3.]])
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"`mode` argument value not supported. Expected one of {{'reduced', 'complete'}}. Received: mode={mode}")
    return torch.linalg.qr(_matrix(x, square=False), mode=mode)


def _solve_operands(a: Any, b: Any) -> tuple[Tensor, Tensor, bool]:
    ta = _matrix(a)
    tb = d.tensor(b, device=ta.device)
    dt = d.result_of(ta.dtype, tb.dtype, float)
    ta, tb = ta.to(dt), tb.to(dt)
    vector = tb.ndim == ta.ndim - 1
    if vector:
        if tb.shape[-1] != ta.shape[-1]:
            raise ValueError(
                "Incompatible shapes between `a` and `b`. Expected `a.shape[-1] == b.shape[-1]`. "
                f"Received: a.shape={tuple(ta.shape)}, b.shape={tuple(tb.shape)}")
        tb = tb.unsqueeze(-1)
    elif tb.shape[-2] != ta.shape[-2]:
        raise ValueError(
            "Incompatible shapes between `a` and `b`. Expected `a.shape[-2] == b.shape[-2]`. "
            f"Received: a.shape={tuple(ta.shape)}, b.shape={tuple(tb.shape)}")
    return ta, tb, vector


@_validated()
def solve(a: Any, b: Any) -> Tensor:
    """Solve ``a @ x = b`` for square ``a`` (``b`` a matrix or a vector).

    Args:
        a: Tensor of shape ``(..., n, n)``.
        b: Tensor of shape ``(..., n, k)`` or ``(..., n)``.

    Returns:
        ``x`` with the shape of ``b``.

    Example:

    >>> ops.linalg.solve(ops.array([[2.0, 0.0], [0.0, 4.0]]), ops.array([2.0, 8.0]))
    tensor([1., 2.])
    """
    ta, tb, vector = _solve_operands(a, b)
    out = torch.linalg.solve(ta, tb)
    return out.squeeze(-1) if vector else out


@_validated()
def solve_triangular(a: Any, b: Any, lower: bool = False) -> Tensor:
    """Solve ``a @ x = b`` for triangular ``a`` (upper unless ``lower``).

    Args:
        a: Triangular tensor of shape ``(..., n, n)``; the other triangle is ignored.
        b: Tensor of shape ``(..., n, k)`` or ``(..., n)``.
        lower: Whether ``a`` is lower triangular.

    Returns:
        ``x`` with the shape of ``b``.

    Example:

    >>> ops.linalg.solve_triangular(ops.array([[1.0, 0.0], [1.0, 2.0]]), ops.array([1.0, 3.0]), lower=True)
    tensor([1., 1.])
    """
    ta, tb, vector = _solve_operands(a, b)
    out = torch.linalg.solve_triangular(ta, tb, upper=not lower)
    return out.squeeze(-1) if vector else out


@d.op
def lstsq(a: Any, b: Any, rcond: float | None = None) -> Tensor:
    """Least-squares solution of ``a @ x = b`` (``a`` 2-D; ``b`` 1-D or 2-D).

    Args:
        a: Tensor of shape ``(m, n)``.
        b: Tensor of shape ``(m,)`` or ``(m, k)``.
        rcond: Singular values below ``rcond * s_max`` count as zero (default: machine precision
            times ``max(m, n)``).

    Returns:
        Tensor of shape ``(n,)`` or ``(n, k)``.

    Raises:
        ValueError: if the leading dimensions differ.

    Example:

    >>> ops.linalg.lstsq(ops.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), ops.array([1.0, 2.0, 3.0]))
    tensor([1.0000, 2.0000])
    """
    ta = _matrix(a, square=False)
    tb = d.tensor(b, device=ta.device).to(ta.dtype)
    if ta.shape[0] != tb.shape[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    vector = tb.ndim == 1
    rhs = tb.unsqueeze(-1) if vector else tb
    u, s, vh = torch.linalg.svd(ta, full_matrices=False)
    cutoff = (torch.finfo(ta.dtype).eps * max(ta.shape) if rcond is None else rcond) * s.max()
    inv_s = torch.where(s > cutoff, 1.0 / s, torch.zeros_like(s))
    out = vh.transpose(-1, -2) @ (inv_s.unsqueeze(-1) * (u.transpose(-1, -2) @ rhs))
    return out.squeeze(-1) if vector else out


@_validated(square=False)
def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition ``x = u @ diag(s) @ vh``.

    Args:
        x: Tensor of shape ``(..., m, n)``.
        full_matrices: Return square ``u`` and ``vh``; otherwise the reduced ones.
        compute_uv: Also return ``u`` and ``vh``.

    Returns:
        ``(u, s, vh)``, or ``s`` alone without ``compute_uv``.

    Example:

    >>> ops.linalg.svd(ops.array([[3.0, 0.0], [0.0, 4.0]]), compute_uv=False)
    tensor([4., 3.])
    """
    t = _matrix(x, square=False)
    if not compute_uv:
        return torch.linalg.svdvals(t)
    return torch.linalg.svd(t, full_matrices=full_matrices)


@d.op
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """Vector or matrix norm (NumPy's ``linalg.norm``).

    Args:
        x: Input tensor.
        ord: Vector: None/2, inf, -inf, 0, or any p; matrix: None/"fro", "nuc", 1, -1, 2, -2, inf, -inf.
        axis: One axis (vector norm), two (matrix norm), or None (all axes of a 1-D/2-D input).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Float tensor.

    Raises:
        ValueError: for an invalid ``ord`` or ``axis``.

    Example:

    >>> ops.linalg.norm(ops.array([3.0, 4.0]))
    tensor(5.)
    """
    t = d.tensor(x)
    t = t.to(d.dtypes.to_torch("float32") if t.dtype == torch.int64 else d.float_of(t.dtype))
    axes = tuple(range(t.ndim)) if axis is None else d.axes_tuple(axis, t.ndim)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
        if ord == 0:
            return torch.sum((t != 0).to(t.dtype), dim=axes, keepdim=keepdims)
        return torch.linalg.vector_norm(t, ord=2 if ord is None else ord, dim=axes, keepdim=keepdims)
    if len(axes) == 2:
        if ord is None:
            ord = "fro"
        if ord not in ("fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")):
            raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord}")
        return torch.linalg.matrix_norm(t, ord=ord, dim=axes, keepdim=keepdims)
    if ord is None and axis is None:
        out = torch.linalg.vector_norm(t, ord=2)
        return out.reshape([1] * t.ndim) if keepdims else out
    raise ValueError(f"Invalid axis values. Received: axis={axis}")


def jvp(fun: Callable, primals: Any, tangents: Any, has_aux: bool = False) -> tuple:
    """Forward-mode derivative: ``fun(*primals)`` and its directional derivative along ``tangents``.

    Args:
        fun: Function of tensors.
        primals: Tuple/list of points.
        tangents: Tuple/list of tangent vectors, like ``primals``.
        has_aux: ``fun`` returns ``(output, aux)``; ``aux`` is returned as the third element.

    Returns:
        ``(primals_out, tangents_out)`` (and ``aux``).

    Example:

    >>> out, tangent = ops.jvp(lambda x: x ** 2, (ops.array([3.0]),), (ops.array([1.0]),))
    >>> tangent
    tensor([6.])
    """
    ps = tuple(d.tensor(p) for p in primals)
    ts = tuple(d.tensor(t, device=p.device).to(p.dtype) for t, p in zip(tangents, ps))
    return torch.func.jvp(fun, ps, ts, has_aux=has_aux)
