"""Which weight is split how: Keras weight paths, and Keras layouts mapped onto torch layouts.

**Paths** are Keras 3's ``variable.path``: the names of the layers from the model down to the
weight, ``"mha/query/kernel"``, where a functional model adds no name of its own (its layers
were built before it existed) while a ``Sequential``, a subclassed model and any other layer
do (``"seq/dense/kernel"``, ``"block/inner/kernel"``). ``LayoutMap`` keys match these.

**Dimensions**: a Keras layout names the dimensions of the weight *in its Keras layout*
(a ``Dense`` kernel is ``(in, out)``), but keras_torch stores some weights in a torch layout (a
``Dense`` kernel as ``(out, in)``, convolution kernels channels-first). Each Keras dimension is
mapped to the torch dimension holding it by running the weight's own ``to_torch`` converter on a
tensor that labels the chunks of that dimension (:func:`torch_dim`): ``(None, "model")`` on a
``Dense`` kernel therefore splits torch dimension 0. A converter that scatters a split
dimension (e.g. reorders gate blocks) cannot be expressed as a split and is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import nn

from keras_torch.core.naming import to_snake_case
from keras_torch.core.variables import WeightRecord
from keras_torch.distribution.layout import TensorLayout, axis_names_of
from keras_torch.layers.base import Layer
from keras_torch.layers.weight_protocol import weight_groups
from keras_torch.saving.model_kinds import is_functional


class Weight(NamedTuple):
    """A weight as a layout sees it.

    Attributes:
        path: Keras path (``"mha/query/kernel"``).
        owner: The module holding the tensor.
        attr: The tensor's parameter name on ``owner``.
        tensor: The stored tensor (torch layout).
        record: Its declaration (``None`` for a plain torch module's parameter: torch layout = Keras layout).
        trainable: Whether training updates it.
    """

    path: str
    owner: nn.Module
    attr: str
    tensor: torch.Tensor
    record: WeightRecord | None
    trainable: bool


class Split(NamedTuple):
    """How a weight is stored: torch dimension ``dim`` split over the mesh axes ``axes`` (mesh order)."""

    dim: int
    axes: tuple[str, ...]


def _owner_paths(model: nn.Module) -> dict[int, tuple[str, ...]]:
    """``id(module) -> path components`` for the model and every sub-layer, as Keras names them."""
    out: dict[int, tuple[str, ...]] = {}
    pending = [(model, () if is_functional(model) else (getattr(model, "name", "model"),))]
    while pending:
        module, comps = pending.pop()
        if id(module) in out:
            continue
        out[id(module)] = comps
        subs = list(module._direct_sublayers() if isinstance(module, Layer) else module.children())
        for sub in reversed(subs):  # (depth first, in attribute order: the first owner of a shared layer names it)
            name = getattr(sub, "name", None) or to_snake_case(type(sub).__name__)
            pending.append((sub, comps if is_functional(sub) else comps + (name,)))
    return out


def model_weights(model: nn.Module) -> list[Weight]:
    """Every parameter of ``model`` with its Keras path, in Keras order."""
    paths = _owner_paths(model)
    out = []
    for group in weight_groups(model):
        comps = paths.get(id(group.owner), (group.path,))
        names = {id(t): n for n, t in group.owner.named_parameters(recurse=False)}
        for stored in group.stored:
            attr = names.get(id(stored.tensor))
            if attr is None:  # a buffer: not a parameter, never split
                continue
            leaf = stored.record.name if stored.record is not None else attr
            out.append(Weight("/".join(comps + (leaf,)), group.owner, attr, stored.tensor, stored.record,
                              stored.trainable))
    return out


def keras_shape(weight: Weight) -> tuple[int, ...]:
    """The weight's shape in its Keras layout."""
    rec = weight.record
    if rec is None or rec.to_keras is None:
        return tuple(weight.tensor.shape)
    return tuple(rec.to_keras(torch.empty(weight.tensor.shape, device="meta")).shape)


def torch_dim(weight: Weight, keras_dim: int, parts: int) -> int:
    """The torch dimension holding Keras dimension ``keras_dim`` split in ``parts`` chunks.

    Raises:
        ValueError: When the weight's converter does not keep the chunks of that dimension
            together along one torch dimension.
    """
    rec = weight.record
    if rec is None or rec.to_torch is None:
        return keras_dim
    shape = keras_shape(weight)
    labels = _chunk_labels(shape, keras_dim, parts)
    stored = rec.to_torch(labels)
    for d in range(stored.dim()):
        if torch.equal(stored, _chunk_labels(tuple(stored.shape), d, parts)):
            return d
    raise ValueError(
        f"Weight '{weight.path}' (Keras shape {shape}, stored as {tuple(weight.tensor.shape)}): its dimension "
        f"{keras_dim} cannot be split in {parts}: keras_torch's storage layout does not keep its chunks along one "
        "dimension. Leave this weight out of the LayoutMap (or split another dimension)."
    )


def _chunk_labels(shape: tuple[int, ...], dim: int, parts: int) -> torch.Tensor:
    """A tensor of ``shape`` holding, at each element, the chunk of dimension ``dim`` it falls in."""
    size = shape[dim]
    per = max(1, math.ceil(size / parts))
    idx = (torch.arange(size) // per).to(torch.uint8 if parts < 256 else torch.int32)
    view = [1] * len(shape)
    view[dim] = size
    return idx.reshape(view).expand(shape)


def split_of(weight: Weight, layout: TensorLayout | None, axis_size: Callable[[str], int]) -> Split | None:
    """How ``weight`` is stored under ``layout`` (``None``: replicated).

    Axes of size 1 split nothing. A weight split on several dimensions is stored split on the
    first of them over all their axes (the same share of memory per process).

    Raises:
        ValueError: A layout whose rank is not the weight's (Keras) rank.
    """
    if layout is None:
        return None
    shape = keras_shape(weight)
    if len(layout.axes) != len(shape):
        raise ValueError(f"The layout {tuple(layout.axes)} for weight '{weight.path}' has {len(layout.axes)} "
                         f"entries, but the weight has {len(shape)} dimensions (Keras shape {shape}).")
    dims = [(i, [a for a in axis_names_of(entry) if axis_size(a) > 1]) for i, entry in enumerate(layout.axes)]
    dims = [(i, axes) for i, axes in dims if axes]
    if not dims:
        return None
    axes = tuple(a for _, names in dims for a in names)
    parts = math.prod(axis_size(a) for a in axes)
    return Split(torch_dim(weight, dims[0][0], parts), axes)


def describe(weights: list[Weight], splits: dict[int, Split | None]) -> list[str]:
    """One line per weight: its path, torch shape and how it is stored (for error messages and logs)."""
    lines = []
    for w in weights:
        s = splits.get(id(w.tensor))
        how = "replicated" if s is None else f"dim {s.dim} split over {'x'.join(s.axes)}"
        lines.append(f"{w.path} {tuple(w.tensor.shape)}: {how}")
    return lines


def unit_axes(weights: list[Weight], splits: dict[int, Split | None]) -> dict[int, tuple[str, ...]]:
    """``id(owner) -> mesh axes`` for every module holding split weights (one set of axes per module).

    Raises:
        ValueError: A module whose weights are split over different axes.
    """
    found: dict[int, tuple[str, ...]] = {}
    first: dict[int, str] = {}
    for w in weights:
        s = splits.get(id(w.tensor))
        if s is None:
            continue
        axes = tuple(sorted(s.axes))
        key = id(w.owner)
        if key in found and found[key] != axes:
            raise ValueError(
                f"Weights of one layer must be split over the same mesh axes: '{first[key]}' is split over "
                f"{found[key]} but '{w.path}' over {axes}. Give them layouts on the same axes.")
        found.setdefault(key, axes)
        first.setdefault(key, w.path)
    return found


__all__ = ["Split", "Weight", "describe", "keras_shape", "model_weights", "split_of", "torch_dim", "unit_axes"]
