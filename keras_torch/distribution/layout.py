"""Tensor layouts (``TensorLayout``, ``LayoutMap``) and ``distribute_tensor``, with Keras semantics.

A layout names, for each dimension of a tensor, the mesh axis it is split over (``None``: not
split). On torch it is a ``DTensor`` placement per mesh axis: ``Shard(d)`` on the axis that
splits dimension ``d``, ``Replicate()`` on the others (:func:`placements`).
"""

from __future__ import annotations

import collections.abc
import re
from typing import Any

from keras_torch.distribution import process_group
from keras_torch.distribution.mesh import DeviceMesh


def axis_names_of(entry: Any) -> tuple[str, ...]:
    """The mesh axes of one layout entry (``None``, an axis name, or a tuple of names)."""
    if entry is None:
        return ()
    return tuple(entry) if isinstance(entry, (tuple, list)) else (entry,)


class TensorLayout:
    """How a tensor is split over a device mesh (``keras.distribution.TensorLayout``).

    Args:
        axes: One entry per tensor dimension: a mesh axis name, a tuple of names (split over
            several axes, major first) or ``None`` (not split).
        device_mesh: The mesh (set later by a ``LayoutMap`` when omitted).

    Raises:
        ValueError: An axis name the mesh does not have.
    """

    def __init__(self, axes: Any, device_mesh: DeviceMesh | None = None) -> None:
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def axes(self) -> tuple[Any, ...]:
        return self._axes

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh: DeviceMesh) -> None:
        if self._device_mesh is not None:
            raise ValueError(f"Cannot override device mesh value. Existing value is {self._device_mesh}")
        self._device_mesh = device_mesh
        self._validate_axes()

    def mesh_axes(self) -> set[str]:
        """The mesh axes this layout splits over."""
        return {name for entry in self._axes for name in axis_names_of(entry)}

    def _validate_axes(self) -> None:
        if self._device_mesh is None:
            return
        used = [name for entry in self._axes for name in axis_names_of(entry)]
        unknown = set(used) - set(self._device_mesh.axis_names)
        if unknown:
            raise ValueError(f"Invalid axis names for Layout. Valid axis names: {set(self._device_mesh.axis_names)}, "
                             f"Got {set(used)}")
        if len(used) != len(set(used)):
            raise ValueError(f"A mesh axis can split only one dimension of a tensor. Received axes={self._axes}")

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self._axes}, device_mesh={self._device_mesh}>"

    def __str__(self) -> str:
        return self.__repr__()


class LayoutMap(collections.abc.MutableMapping):
    """Weight paths (regular expressions) to layouts (``keras.distribution.LayoutMap``).

    ``layout_map[path]`` returns the layout stored under ``path`` itself, else the one whose key
    (a regular expression) fully matches ``path``; ``None`` when none does. Paths are Keras
    weight paths such as ``"dense/kernel"`` or ``"mha/query/kernel"``. Values may be given as
    tuples of axis names.

    Args:
        device_mesh: The mesh the layouts refer to.

    Raises:
        ValueError: (on lookup) A path matching several keys; (on insert) a duplicated key or a
            value that is not a layout.
    """

    def __init__(self, device_mesh: DeviceMesh) -> None:
        self._layout_map: collections.OrderedDict[str, TensorLayout] = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key: str) -> TensorLayout | None:
        if key in self._layout_map:
            return self._layout_map[key]
        matching = [pattern for pattern in self._layout_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Path '{key}' matches multiple layout specification keys: {matching}. Please make sure "
                             "each tensor/variable path only matches at most one layout specification key in the "
                             "LayoutMap.")
        return self._layout_map[matching[0]] if matching else None

    def __setitem__(self, key: str, layout: Any) -> None:
        if key in self._layout_map:
            raise ValueError(f"{key} already exist in the LayoutMap with value {self._layout_map[key]}. Please make "
                             "sure to not use duplicated keys.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(axes=layout, device_mesh=None)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got {type(layout)}")
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layout_map[key] = layout

    def __delitem__(self, key: str) -> TensorLayout:
        return self._layout_map.pop(key)

    def __len__(self) -> int:
        return len(self._layout_map)

    def __iter__(self) -> Any:
        return iter(self._layout_map)

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    def get(self, key: str, default: Any = None) -> Any:
        found = self[key]
        return default if found is None else found


def placements(layout: TensorLayout, dims: list[int] | None = None) -> list[Any]:
    """The ``DTensor`` placements of ``layout``, one per mesh axis.

    Args:
        layout: A layout whose ``device_mesh`` is set.
        dims: The tensor dimension each layout entry splits (default: its own index); a weight
            stored in a torch layout maps Keras dimensions to torch ones here.
    """
    from torch.distributed.tensor import Replicate, Shard

    mesh = layout.device_mesh
    out: list[Any] = [Replicate() for _ in mesh.axis_names]
    for i, entry in enumerate(layout.axes):
        for name in axis_names_of(entry):
            out[mesh.axis_names.index(name)] = Shard(dims[i] if dims is not None else i)
    return out


def distribute_tensor(tensor: Any, layout: TensorLayout) -> Any:
    """``tensor`` laid out as ``layout`` (``keras.distribution.distribute_tensor``).

    In a job of several processes the result is a ``DTensor`` on the layout's mesh (a plain
    tensor is taken from process 0 and split; a ``DTensor`` is redistributed). Alone, or for a
    symbolic ``KerasTensor``, ``tensor`` is returned unchanged.

    Args:
        tensor: A tensor (the whole value), or a ``DTensor``.
        layout: The target layout (with its ``device_mesh``).

    Returns:
        A ``DTensor`` laid out as ``layout``, or ``tensor`` itself in a single process.

    Raises:
        ValueError: The layout has no ``device_mesh``, or not one axis per dimension of ``tensor``.
    """
    from keras_torch.core.dtensor import is_sharded

    if not hasattr(tensor, "dim") or not (process_group.is_initialized() and process_group.world_size() > 1):
        return tensor
    if layout.device_mesh is None:
        raise ValueError(f"distribute_tensor needs a layout with a device_mesh. Received: {layout}")
    if len(layout.axes) != tensor.dim():
        raise ValueError(f"The layout has {len(layout.axes)} axes but the tensor has {tensor.dim()} dimensions "
                         f"(shape {tuple(tensor.shape)}). Received: {layout}")
    mesh = layout.device_mesh.torch_mesh()
    target = placements(layout)
    if is_sharded(tensor):
        return tensor.redistribute(mesh, target)
    from torch.distributed import tensor as dt

    return dt.distribute_tensor(tensor, mesh, target)
