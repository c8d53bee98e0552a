"""``keras.ops.rearrange``: einops-style axis rearrangement (``"b (h p) w c -> b h (p w c)"``)."""

from __future__ import annotations

import math
import re
from typing import Any

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor

_TOKEN = re.compile(r"\(([\w\s]*)\)|(\w+)")


def _groups(side: str) -> list[list[str]]:
    out = []
    for m in _TOKEN.finditer(side):
        out.append(m.group(1).split() if m.group(1) is not None else [m.group(2)])
    return out


def _parse(pattern: str, shape: tuple, axes_lengths: dict[str, int]) -> tuple[list[int], list[int], list[int]]:
    """(decomposed input shape, permutation, output shape) of a rearrange pattern."""
    if pattern.count("->") != 1:
        raise ValueError(f"Pattern must contain exactly one '->'. Received: pattern={pattern!r}")
    left, right = (p.strip() for p in pattern.split("->"))
    inputs, outputs = _groups(left), _groups(right)
    if len(inputs) != len(shape):
        raise ValueError(
            f"The pattern {left!r} has {len(inputs)} axes but the tensor has rank {len(shape)} (shape={tuple(shape)}).")
    sizes: dict[str, int] = dict(axes_lengths)
    flat_in: list[str] = []
    for group, dim in zip(inputs, shape):
        unknown = [a for a in group if a not in sizes]
        if len(unknown) > 1:
            raise ValueError(f"Cannot infer the sizes of {unknown} in group ({' '.join(group)}); pass them as keywords.")
        if unknown:
            known = math.prod(sizes[a] for a in group if a in sizes)
            if dim is not None and (known == 0 or dim % known):
                raise ValueError(f"Dimension {dim} is not divisible by {known} for group ({' '.join(group)}).")
            sizes[unknown[0]] = None if dim is None else dim // known
        elif dim is not None and math.prod(sizes[a] for a in group) != dim:
            raise ValueError(f"Group ({' '.join(group)}) has size {math.prod(sizes[a] for a in group)} but the dimension is {dim}.")
        flat_in.extend(group)
    flat_out = [a for g in outputs for a in g]
    if sorted(flat_in) != sorted(flat_out):
        raise ValueError(f"Input axes {flat_in} and output axes {flat_out} of {pattern!r} must be the same set.")
    perm = [flat_in.index(a) for a in flat_out]

    def size_of(group: list[str]) -> Any:
        vals = [sizes[a] for a in group]
        return None if any(v is None for v in vals) else math.prod(vals)

    return [sizes[a] for a in flat_in], perm, [size_of(g) for g in outputs]


def _rearrange_rule(tensor: Any, pattern: str, **axes_lengths: int) -> d.KerasTensor:
    _, _, out_shape = _parse(pattern, d.shape_of(tensor), axes_lengths)
    return d.spec(out_shape, tensor.dtype)


@d.op(rule=_rearrange_rule)
def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> Tensor:
    """Reshape and transpose axes following an einops pattern.

    Args:
        tensor: Input tensor.
        pattern: ``"<input axes> -> <output axes>"``; parentheses group (merge or split) axes.
        **axes_lengths: Sizes of split axes that cannot be inferred.

    Returns:
        Rearranged tensor.

    Raises:
        ValueError: for malformed patterns or sizes that do not fit.

    Example:

    >>> ops.rearrange(ops.zeros((2, 3, 4)), "b h w -> b (h w)").shape
    torch.Size([2, 12])
    """
    t = d.tensor(tensor)
    decomposed, perm, out_shape = _parse(pattern, tuple(t.shape), axes_lengths)
    return t.reshape(decomposed).permute(perm).reshape(out_shape)
