"""The weights of layers: their creation (``add_weight``) and the Keras weight protocol.

Weights are created in their **Keras** shape (so initializers see Keras fans) and stored in the
**torch-native** layout the layer asks for (``to_torch``), each declared by a
:class:`~keras_torch.core.variables.WeightRecord`. The protocol says which weights a layer shows
Keras, in which order and layout; one definition of order serves two views:

* a layer's **own** weights: :meth:`KerasWeightsMixin.keras_weight_names`,
  :meth:`~KerasWeightsMixin.keras_weights`, :meth:`~KerasWeightsMixin.load_keras_weights` and
  :meth:`~KerasWeightsMixin.regularization_losses`. By default these are the layer's
  :class:`~keras_torch.core.variables.WeightRecord` s, trainable ones first (Keras order), converted
  to the Keras layout by each record's ``to_keras``. Layers whose Keras weights are not one-to-one
  with their records (recurrent cells) override these methods;
* the **recursive** view, :meth:`KerasWeightsMixin.keras_weight_groups`: the layer and every
  sub-layer (depth first, in attribute order, each once), one :class:`WeightGroup` per module that
  holds weights. ``weights``, ``trainable_weights``, ``get_weights``/``set_weights``, the Keras
  files and the optimizer-state layout are all built on it.

A plain ``torch.nn.Module`` child (not a layer) is one group holding all its parameters, whose torch
layout is their Keras layout.

A weight's position in Keras order is fixed when it is created (``add_weight(trainable=...)``); whether it is
trainable *now* is its variable's own flag (``variable.trainable = False`` freezes it in place, as Keras's
LoRA does to the kernel). What Keras files store in a layer's own ``vars`` group is
:meth:`KerasWeightsMixin.keras_saved_weights` (by default :meth:`~KerasWeightsMixin.keras_weights`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from keras_torch import constraints as _constraints
from keras_torch import initializers as _initializers
from keras_torch import regularizers as _regularizers
from keras_torch.core import dtensor, pending
from keras_torch.core.dtypes import dtype_name, to_torch_dtype
from keras_torch.core.variables import KerasVariable, WeightRecord


class StoredWeight(NamedTuple):
    """A tensor as torch stores it (parameter or buffer), with the record that declared it."""

    tensor: torch.Tensor
    record: WeightRecord | None  # None for the parameters of plain torch modules
    trainable: bool  # updated by training (record and owner trainable / ``requires_grad``)


@dataclass(frozen=True)
class WeightGroup:
    """The weights one module owns, as seen from the layer whose groups were asked for.

    Attributes:
        owner: The layer (or plain torch module) holding the weights.
        path: ``/``-joined names from the asking layer down to ``owner``
            (``"bidirectional/forward_lstm/lstm_cell"``); Keras 2 prefixes weight names with it.
        names: Keras names of the owner's weights, in Keras order (``("kernel", "bias")``).
        trainable: Whether each of those weights is trainable from the asking layer's view.
        stored: The torch-side tensors behind them (first occurrence only: a tensor shared with an
            earlier group is not repeated).
        listed: Whether each of :attr:`names` is a weight of its own in the asking layer's Keras lists
            (``get_weights``, files): ``False`` for a weight tied to an earlier group's tensor (the
            kernel ``SpectralNormalization`` shares with the layer it wraps), listed once as in Keras.
    """

    owner: nn.Module
    path: str
    names: tuple[str, ...]
    trainable: tuple[bool, ...]
    stored: tuple[StoredWeight, ...]
    listed: tuple[bool, ...]

    def listed_keras_weights(self) -> list[torch.Tensor]:
        """The owner's listed weights (see :attr:`listed`) in Keras order and layout."""
        return [w for w, keep in zip(self.keras_weights(), self.listed) if keep]

    def keras_weights(self) -> list[torch.Tensor]:
        """The owner's weights in Keras order and layout."""
        if isinstance(self.owner, KerasWeightsMixin):
            return self.owner.keras_weights()
        return list(self.owner.parameters())

    def load_keras_weights(self, arrays: Sequence[Any]) -> None:
        """Assign Keras-layout ``arrays`` (as many as :attr:`names`) to the owner's weights."""
        if isinstance(self.owner, KerasWeightsMixin):
            self.owner.load_keras_weights(list(arrays))
            return
        for p, arr in zip(self.owner.parameters(), arrays):
            dtensor.assign(p, torch.as_tensor(np.asarray(arr), dtype=p.dtype))


def weight_groups(module: nn.Module) -> list[WeightGroup]:
    """:meth:`KerasWeightsMixin.keras_weight_groups` of a layer; one group for a plain torch module."""
    if isinstance(module, KerasWeightsMixin):
        return module.keras_weight_groups()
    group = _plain_group(module, getattr(module, "name", None) or "layer", set())
    return [group] if group.stored else []


def _plain_group(module: nn.Module, path: str, seen: set[int]) -> WeightGroup:
    params = list(module.named_parameters())
    stored, listed = [], []
    for _, p in params:
        listed.append(id(p) not in seen)
        if listed[-1]:
            seen.add(id(p))
            stored.append(StoredWeight(p, None, bool(p.requires_grad)))
    return WeightGroup(module, path, tuple(n for n, _ in params), tuple(bool(p.requires_grad) for _, p in params),
                       tuple(stored), tuple(listed))


class WeightView:
    """A class attribute named like a weight the layer stores, showing it through :meth:`read`.

    ``add_weight(attr=<the same name>)`` may store a weight under such a name (the torch parameter keeps
    its plain name in ``state_dict``), while ``layer.<name>`` returns :meth:`read` of it (LoRA's merged
    kernel). The weight protocol always works on the stored tensor.
    """

    name: str  # the attribute (and stored parameter) name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, layer: Any, owner: type | None = None) -> Any:
        if layer is None:
            return self
        stored = layer.__dict__["_parameters"].get(self.name)
        if stored is None:
            raise AttributeError(f"You must build the layer before accessing `{self.name}`.")
        return self.read(layer, stored)

    def read(self, layer: Any, stored: torch.Tensor) -> torch.Tensor:
        """What ``layer.<name>`` shows of the ``stored`` tensor (default: the tensor itself)."""
        return stored


class KerasWeightsMixin:
    """The weights of :class:`~keras_torch.layers.Layer`: ``add_weight`` and the protocol (see the module docstring)."""

    _keras_records: list[WeightRecord]  # declared weights in creation order (add_weight)

    # ------------------------------------------------------------------ creation
    def add_weight(
        self,
        *args: Any,
        name: str | None = None,
        shape: Any = None,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool | None = None,
        constraint: Any = None,
        attr: str | None = None,
        to_torch: Callable | None = None,
        to_keras: Callable | None = None,
        buffer: bool = False,
        **kwargs: Any,
    ) -> torch.Tensor:
        """Create a weight (Keras 2 and Keras 3 signatures both work).

        Args:
            name: Keras weight name (``"kernel"``).
            shape: Keras-layout shape.
            dtype: dtype (default: the layer's variable dtype).
            initializer: Keras initializer (default ``glorot_uniform`` for floats, else zeros).
            regularizer: Regularizer whose value is added to ``layer.losses``.
            trainable: Whether gradients update it.
            constraint: Projection applied (in Keras layout) after each optimizer step.
            attr: Attribute / state_dict name (default: ``name``).
            to_torch: Converter from the Keras-layout value to the stored tensor (e.g. a transpose).
            to_keras: Converter from the stored tensor to the Keras layout.
            buffer: Store as a torch buffer instead of a parameter (non-trainable state).

        Returns:
            The created ``KerasVariable`` (or buffer tensor).

        Example:

        >>> class Linear(keras.layers.Layer):
        ...     def __init__(self, units):
        ...         super().__init__()
        ...         self.units = units
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="w")
        ...         self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        ...     def call(self, inputs):
        ...         return inputs @ self.w + self.b
        >>> layer = Linear(4)
        >>> layer(np.ones((2, 3), "float32")).shape
        torch.Size([2, 4])
        >>> [w.shape for w in layer.get_weights()]
        [(3, 4), (4,)]
        """
        for a in args:  # Keras 2: add_weight(name, shape, ...); Keras 3: add_weight(shape, ...)
            if isinstance(a, str) and name is None:
                name = a
            elif shape is None and isinstance(a, (tuple, list, int)):
                shape = a
            elif initializer is None:
                initializer = a
        shape = () if shape is None else ((shape,) if isinstance(shape, int) else tuple(shape))
        if any(d is None or (isinstance(d, int) and d < 0) for d in shape):
            raise ValueError(
                f"Layer '{self.name}': cannot create weight '{name}' with undefined shape {shape}. "
                "Make sure the input shape is fully known (except the batch dimension)."
            )
        trainable = True if trainable is None else bool(trainable)
        dtype = to_torch_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating_point else "zeros"
        init = _initializers.get(initializer)

        def draw() -> torch.Tensor:
            drawn = torch.as_tensor(init(shape, dtype=dtype_name(dtype)), dtype=dtype)
            return to_torch(drawn).contiguous() if to_torch is not None else drawn

        state = pending.rng_state()  # (None unless ModelParallel/FSDP is active)
        value = draw()
        name = name or "variable"
        attr = self._unique_attr(attr or name.replace("/", "_").replace(":", "_"))
        rec = WeightRecord(
            name=name,
            attr=attr,
            trainable=trainable and not buffer,
            is_buffer=buffer,
            regularizer=_regularizers.get(regularizer),
            to_torch=to_torch,
            to_keras=to_keras,
        )
        if buffer:
            self.register_buffer(attr, value)
            tensor = getattr(self, attr)
        else:
            # (under ModelParallel/FSDP this process may keep its chunk only, the parameter shape-only)
            value, chunk = pending.split_new_weight(value, f"{self.name}/{name}", trainable and self._trainable, rec,
                                                    None if state is None else pending.Redraw(draw, state))
            tensor = KerasVariable(value, requires_grad=trainable and self._trainable)
            pending.adopt(tensor, chunk)
            tensor.__dict__["_keras_name"] = name
            tensor.__dict__["_keras_path"] = f"{self.name}/{name}"
            if rec.regularizer is not None:
                tensor.__dict__["regularizer"] = rec.regularizer
            if to_keras is not None:  # optimizers save slot variables in Keras layout too
                tensor.__dict__["to_keras"] = to_keras
                tensor.__dict__["to_torch"] = to_torch
            constraint = _constraints.get(constraint)
            if constraint is not None:
                tensor.__dict__["constraint"] = _layout_constraint(constraint, to_torch, to_keras)
            nn.Module.__setattr__(self, attr, tensor)
        self._keras_records.append(rec)
        return tensor

    def _unique_attr(self, attr: str) -> str:
        base, i = attr, 1
        while attr in self._parameters or attr in self._buffers or attr in self._modules or (
            attr in self.__dict__ or (hasattr(type(self), attr) and not isinstance(getattr(type(self), attr),
            WeightView))
        ):
            attr = f"{base}_{i}"
            i += 1
        return attr

    def count_params(self) -> int:
        """Number of scalars in all weights (equal to real Keras for the same model)."""
        if not self.built and not self._keras_records:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ------------------------------------------------------------------ own weights
    def stored_tensor(self, rec: WeightRecord) -> torch.Tensor:
        """The parameter or buffer torch stores for ``rec`` (never a :class:`WeightView` of it)."""
        found = self._parameters.get(rec.attr)  # type: ignore[attr-defined]
        if found is None:
            found = self._buffers.get(rec.attr)  # type: ignore[attr-defined]
        return found if found is not None else getattr(self, rec.attr)

    def _ordered_records(self) -> list[WeightRecord]:
        recs = self._keras_records
        return [r for r in recs if r.trainable] + [r for r in recs if not r.trainable]

    def keras_weight_names(self) -> list[str]:
        """Keras names of this layer's own weights (not sub-layers'), in Keras order."""
        return [r.name for r in self._ordered_records()]

    def keras_weights(self) -> list[torch.Tensor]:
        """This layer's own weights in Keras order and **Keras layout** (Dense kernel ``(in, out)``).

        A sharded weight is gathered whole (a collective: every process of its mesh must ask).
        """
        out = []
        for rec in self._ordered_records():
            t = dtensor.full_value(self.stored_tensor(rec))
            out.append(rec.to_keras(t) if rec.to_keras is not None else t)
        return out

    def load_keras_weights(self, arrays: Sequence[Any]) -> None:
        """Assign this layer's own weights from Keras-layout ``arrays`` (inverse of :meth:`keras_weights`).

        Args:
            arrays: Numpy arrays or tensors, in the order and shapes :meth:`keras_weights` returns.

        Raises:
            ValueError: If the count or a shape does not match, naming the layer and the weight.
        """
        ordered = self._ordered_records()
        if len(arrays) != len(ordered):
            raise ValueError(
                f"Layer '{self.name}' expected {len(ordered)} weights "
                f"({[r.name for r in ordered]}), but received {len(arrays)}."
            )
        for rec, arr in zip(ordered, arrays):
            target = self.stored_tensor(rec)
            # (a sharded weight's converter runs on a shape-only stand-in of the whole tensor)
            probe = torch.empty(target.shape, dtype=target.dtype, device="meta") if dtensor.is_sharded(target) \
                else target
            expected = tuple(rec.to_keras(probe).shape) if rec.to_keras is not None else tuple(target.shape)
            # a value in a file (saving's lazy arrays): a split weight reads its own block only
            if getattr(arr, "sliceable", False) and tuple(arr.shape) == expected and \
                    dtensor.assign_part(target, arr.read_part, expected, rec.to_torch):
                continue
            value = torch.as_tensor(np.asarray(arr) if not torch.is_tensor(arr) else arr)
            if tuple(value.shape) != expected:
                raise ValueError(
                    f"Layer '{self.name}' weight '{rec.name}' has shape {expected}, "
                    f"but the provided value has shape {tuple(value.shape)}."
                )
            value = value.to(dtype=target.dtype, device=dtensor.home_device(target))
            if rec.to_torch is not None:
                value = rec.to_torch(value)
            dtensor.assign(target, value)

    def regularization_losses(self) -> list[torch.Tensor]:
        """The weight-regularization penalties of this layer's trainable weights (computed now, in Keras layout).

        As in Keras, a frozen weight (non-trainable layer, or a variable set ``trainable = False``) adds none.
        """
        out = []
        for rec in self._keras_records:
            if rec.regularizer is not None:
                t = self.stored_tensor(rec)
                if _live(rec, t):
                    # (on a sharded weight the penalty is computed shard-wise and summed: one value everywhere)
                    out.append(dtensor.replicated(rec.regularizer(rec.to_keras(t) if rec.to_keras is not None
                                                                  else t)))
        return out

    def keras_saved_weights(self) -> list[torch.Tensor]:
        """What Keras 3 files (``.keras``, ``.weights.h5``) store in this layer's own ``vars`` group, in Keras layout.

        Keras's ``save_own_variables``; by default :meth:`keras_weights`. Layers whose Keras counterpart
        saves something else (LoRA layers: the merged kernel only) override this pair.
        """
        return self.keras_weights()

    def load_keras_saved_weights(self, arrays: Sequence[Any]) -> None:
        """Keras's ``load_own_variables``: the inverse of :meth:`keras_saved_weights`."""
        self.load_keras_weights(arrays)

    # ------------------------------------------------------------------ recursive view
    def _weight_owners(self) -> Iterator[tuple[str, nn.Module]]:
        """``(path, module)`` for this layer and every sub-module holding weights, in Keras order, each once.

        Layers are entered through their sub-layers; a plain torch module is not entered (its group
        holds all its parameters).
        """
        seen: set[int] = set()

        def walk(module: nn.Module, path: str) -> Iterator[tuple[str, nn.Module]]:
            if id(module) in seen:
                return
            seen.add(id(module))
            yield path, module
            if isinstance(module, KerasWeightsMixin):
                for sub in module._direct_sublayers():
                    name = getattr(sub, "name", None) or type(sub).__name__.lower()
                    yield from walk(sub, f"{path}/{name}")

        yield from walk(self, self.name)  # type: ignore[arg-type]

    def keras_weight_groups(self) -> list[WeightGroup]:
        """This layer's and its sub-layers' weights, one :class:`WeightGroup` per owning module, in Keras order.

        Within a group the order is the owner's Keras order (trainable weights first); groups follow
        a depth-first walk of the sub-layers. A group appears only if it holds a tensor no earlier
        group holds (shared layers and tied weights count once). When this layer is not trainable,
        no weight is trainable.
        """
        seen: set[int] = set()
        groups = []
        for path, owner in self._weight_owners():
            group = _layer_group(owner, path, seen) if isinstance(owner, KerasWeightsMixin) \
                else _plain_group(owner, path, seen)
            if group.stored:
                groups.append(group)
        if not self.trainable:  # type: ignore[attr-defined]
            groups = [WeightGroup(g.owner, g.path, g.names, (False,) * len(g.names), g.stored, g.listed)
                      for g in groups]
        return groups

    @property
    def weights(self) -> list[torch.Tensor]:
        """All weights as torch stores them (torch layout), in Keras order: per layer trainable then non-trainable."""
        return [s.tensor for g in self.keras_weight_groups() for s in g.stored]

    @property
    def variables(self) -> list[torch.Tensor]:
        """All weights of the layer; the same list as :attr:`weights`."""
        return self.weights

    @property
    def trainable_weights(self) -> list[torch.Tensor]:
        """The weights updated by training (``[]`` when the layer is frozen), in torch layout and Keras order.

        These are the ``torch.nn.Parameter`` objects themselves: pass them to a torch optimizer, or read
        ``w.grad`` after ``loss.backward()``.
        """
        if not self.trainable:  # type: ignore[attr-defined]
            return []
        return [s.tensor for g in self.keras_weight_groups() for s in g.stored if s.trainable]

    @property
    def trainable_variables(self) -> list[torch.Tensor]:
        """The trainable weights; the same list as :attr:`trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_weights(self) -> list[torch.Tensor]:
        """The weights not updated by gradients (e.g. BatchNorm's moving statistics; all weights when the
        layer is frozen), in torch layout and Keras order.
        """
        if not self.trainable:  # type: ignore[attr-defined]
            return self.weights
        return [s.tensor for g in self.keras_weight_groups() for s in g.stored if not s.trainable]

    @property
    def non_trainable_variables(self) -> list[torch.Tensor]:
        """The non-trainable weights; the same list as :attr:`non_trainable_weights`."""
        return self.non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Returns the layer's weights as numpy arrays, in Keras order and Keras layout.

        Keras layout means, e.g., a ``Dense`` kernel ``(in, out)`` and a ``Conv2D`` kernel ``(kh, kw, in, out)``,
        although keras_torch stores them torch-style (``layer.weight`` is ``(out, in)``), so the arrays can be
        exchanged with real Keras. The arrays are copies: training afterwards leaves them unchanged.

        Returns:
            A list of numpy arrays (trainable weights first, then non-trainable ones, as in Keras).

        Example:

        >>> layer = keras.layers.Dense(4)
        >>> layer.build((None, 3))
        >>> [w.shape for w in layer.get_weights()]
        [(3, 4), (4,)]
        """
        return [t.detach().cpu().numpy().copy() for g in self.keras_weight_groups() for t in g.listed_keras_weights()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets the layer's weights from numpy arrays in Keras layout.

        Args:
            weights: A list of arrays, in the order and with the (Keras-layout) shapes that :meth:`get_weights`
                returns.

        Raises:
            ValueError: If the number of arrays or one of their shapes does not match.

        Example:

        >>> layer = keras.layers.Dense(2)
        >>> layer.build((None, 3))
        >>> layer.set_weights([np.ones((3, 2)), np.zeros(2)])
        >>> layer(np.ones((1, 3)))
        tensor([[3., 3.]], grad_fn=<AddmmBackward0>)
        """
        weights = list(weights)
        groups = self.keras_weight_groups()
        expected = sum(sum(g.listed) for g in groups)
        if len(weights) != expected:
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                f"{len(weights)}, but the layer was expecting {expected} weights."
            )
        given = iter(weights)
        for g in groups:
            # A tied weight keeps the value its first group just received.
            current = g.keras_weights() if not all(g.listed) else None
            g.load_keras_weights([next(given) if keep else current[i] for i, keep in enumerate(g.listed)])


def _layout_constraint(constraint: Callable, to_torch: Callable | None, to_keras: Callable | None) -> Callable:
    if to_torch is None or to_keras is None:
        return constraint

    def apply(t: torch.Tensor) -> torch.Tensor:
        return to_torch(constraint(to_keras(t)))

    return apply


def _live(rec: WeightRecord, stored: torch.Tensor) -> bool:
    """Whether a weight is trainable now: declared trainable and its variable not frozen since."""
    return rec.trainable and bool(stored.requires_grad)


def _layer_group(layer: KerasWeightsMixin, path: str, seen: set[int]) -> WeightGroup:
    owner_trainable = bool(layer.trainable)  # type: ignore[attr-defined]
    stored, fresh = [], []
    records = layer._ordered_records()
    live = []
    for rec in records:
        t = layer.stored_tensor(rec)
        live.append(owner_trainable and _live(rec, t))
        fresh.append(id(t) not in seen)
        if fresh[-1]:
            seen.add(id(t))
            stored.append(StoredWeight(t, rec, live[-1]))
    names = tuple(layer.keras_weight_names())
    if len(records) == len(names):
        return WeightGroup(layer, path, names, tuple(live), tuple(stored), tuple(fresh))  # type: ignore[arg-type]
    # Records merged into one Keras weight (GRU's two biases) are never tied: all listed then.
    # Keras order puts non-trainable weights last, and only trainable records are ever merged into one
    # Keras weight (GRU's two biases), so the last ``n_frozen`` names are the non-trainable ones.
    n_frozen = sum(1 for r in layer._keras_records if not r.trainable)
    n_live = max(len(names) - n_frozen, 0)
    trainable = (owner_trainable,) * n_live + (False,) * (len(names) - n_live)
    listed = (True,) * len(names)
    return WeightGroup(layer, path, names, trainable, tuple(stored), listed)  # type: ignore[arg-type]


__all__ = ["KerasWeightsMixin", "StoredWeight", "WeightGroup", "WeightView", "weight_groups"]
