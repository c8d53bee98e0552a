"""``Layer``: a ``torch.nn.Module`` with the Keras contract (build / call / get_config / weights).

Weights are created by :meth:`Layer.add_weight` in their **Keras** shape (so initializers see
Keras fans) and stored in the **torch-native** layout the layer asks for (``to_torch``); the
inverse ``to_keras`` is used only at the edges (``get_weights``/``set_weights``, Keras files).
Each weight is a :class:`KerasVariable` (an ``nn.Parameter`` with ``assign``/``numpy``) or, for
non-trainable state that torch keeps in buffers (BatchNorm statistics), a buffer. Weight creation
and the Keras weight protocol live in :mod:`keras_torch.layers.weight_protocol`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.modules import module as _torch_module_mod

from keras_torch import regularizers as _regularizers
from keras_torch.core import config as _config
from keras_torch.core import naming, omissions, pending, tree
from keras_torch.core.context import CALL_CONTEXT as _CTX
from keras_torch.core.dtype_policy import DTypePolicy, resolve_policy
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.remat import current_remat_mode
from keras_torch.core.symbolic import KerasTensor, Node, Operation, any_symbolic, map_shapes
from keras_torch.core.variables import KerasVariable, WeightRecord
from keras_torch.layers.input_spec import InputSpec, assert_input_compatibility
from keras_torch.layers.weight_protocol import KerasWeightsMixin
from keras_torch.metrics.metric import Metric

_BASE_KWARGS = {
    "input_shape",
    "input_dim",
    "batch_input_shape",
    "batch_size",
    "weights",
    "activity_regularizer",
    "autocast",
    "input_length",
}


def _call_signature(cls: type) -> tuple[bool, bool, bool | None, bool, str | None]:
    """(accepts training, accepts mask, default training, accepts **kwargs, name of the first argument)
    of ``cls.call``."""
    cache = cls.__dict__.get("_keras_call_sig")
    if cache is not None:
        return cache
    try:
        params = inspect.signature(cls.call).parameters
    except (TypeError, ValueError):
        params = {}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
    has_training = "training" in params or var_kw
    default = params["training"].default if "training" in params else None
    default = default if isinstance(default, bool) else None
    positional = [n for n, p in params.items() if n != "self" and p.kind in (p.POSITIONAL_ONLY,
                                                                           p.POSITIONAL_OR_KEYWORD)]
    sig = (has_training, "mask" in params, default, var_kw, positional[0] if positional else None)
    cls._keras_call_sig = sig
    return sig


def _to_tensor(x: Any) -> Any:
    if isinstance(x, torch.Tensor) or x is None:
        return x
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "OUS":
            return x  # string data: text layers turn it into integer tensors (torch has no strings)
        t = torch.from_numpy(x) if x.dtype != np.float64 else torch.from_numpy(x.astype(np.float32))
        return t
    if isinstance(x, (float, int, bool, list)) and not isinstance(x, KerasTensor):
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            arr = arr.astype(_config.floatx())
        if arr.dtype.kind in "fiub":
            return torch.from_numpy(arr)
    return x


# How many metrics layers have tracked so far (see ``Layer.__setattr__``): a model re-collects its
# layers' tracked metrics only when it changed, so reading ``model.metrics`` every step stays cheap.
_TRACKED_METRICS_COUNT: list[int] = [0]


def metric_tracking_generation() -> int:
    """Changes whenever a layer tracks a new metric attribute (0 while none ever did)."""
    return _TRACKED_METRICS_COUNT[0]


def _array_args_to_tensors(rest: tuple, kwargs: dict[str, Any]) -> tuple[tuple, dict[str, Any], bool]:
    """numpy arrays among the call arguments after the inputs (masks, ``attention_mask``...) as tensors, as
    Keras converts every array argument of ``Layer.__call__``; the flag says whether one was converted."""
    if not any(isinstance(leaf, np.ndarray) for leaf in tree.flatten((rest, kwargs))):
        return rest, kwargs, False
    convert = lambda x: _to_tensor(x) if isinstance(x, np.ndarray) else x  # noqa: E731
    return tree.map_structure(convert, rest), tree.map_structure(convert, kwargs), True


def _weights_device(layer: nn.Module) -> torch.device | None:
    """The device of the layer's first weight, cached until the layer is moved (``_apply``);
    ``None`` while it has no weights yet."""
    for t in layer.parameters():
        layer.__dict__["_kt_device"] = t.device
        return t.device
    return None


def _host_to(x: Any, device: torch.device) -> Any:
    return x.to(device, non_blocking=True) if isinstance(x, torch.Tensor) and x.device.type == "cpu" else x


def _inputs_to(inputs: Any, device: torch.device) -> Any:
    """Host (CPU) tensors among ``inputs`` moved to ``device``; others untouched."""
    if isinstance(inputs, torch.Tensor):
        return _host_to(inputs, device)
    return tree.map_structure(lambda t: _host_to(t, device), inputs)


def _shape_of(x: Any) -> Any:
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return tuple(x.shape)
    return None


class Layer(Operation, KerasWeightsMixin):
    """Base class of every keras_torch layer (and model).

    A layer is a callable object holding state (weights) and a computation from inputs to outputs. It
    is also a ``torch.nn.Module``: its weights are ``torch.nn.Parameter`` s in ``parameters()`` and
    ``state_dict()``, stored in torch layouts, while ``get_weights``/``set_weights`` speak Keras layouts.
    Subclasses create weights in :meth:`build` (called with the input shape on the first call) using
    :meth:`add_weight`, and implement the forward pass in :meth:`call`. Calling a layer on a
    ``keras.Input`` tensor records it into a functional model instead of computing.

    ``training`` decides dropout/BatchNorm behaviour: a ``call`` that declares a ``training`` argument
    receives it, and sub-layers follow the outer call. A top-level call without ``training=`` uses the
    mode chosen with torch's ``train()``/``eval()`` if any, else the default of ``call``'s ``training``
    argument, else inference (Keras's rule).

    Args:
        name: Layer name; defaults to the snake-cased class name made unique (``dense_1``).
        trainable: Whether the weights are updated by training (default ``True``).
        dtype: Dtype of the weights and computations: a dtype name or a Keras dtype policy such as
            ``"mixed_float16"`` (default: the global policy, ``keras.config.floatx()``).
        input_shape / input_dim / batch_input_shape / batch_size: Keras 2 style input declaration
            (used by ``Sequential`` to create the input).
        activity_regularizer: Optional regularizer applied to the layer's outputs.

    Example:

    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
    ...     def call(self, inputs):
    ...         return inputs * self.scale
    >>> layer = Scale()
    >>> layer(np.ones((2, 3))).shape
    torch.Size([2, 3])
    >>> len(layer.trainable_weights), isinstance(layer, torch.nn.Module)
    (1, True)
    """

    supports_masking: bool = False
    # The mode a torch user chose with ``train()`` / ``eval()`` (``None``: never chosen, Keras's
    # rule applies). A top-level call without ``training=`` runs in this mode; see ``train``.
    _torch_mode: bool | None = None
    # Whether `call` may receive string data (numpy str/bytes/object arrays): text layers, models and
    # Lambda do; keras_torch's numeric layers raise a ValueError naming the dtype instead.
    _takes_strings: bool = False
    # Attributes holding metrics that ``metrics`` lists by other means (a model's compiled loss tracker).
    _untracked_metric_attrs: tuple[str, ...] = ()
    # Whether ``call`` always returns new memory that the layer does not keep (a convolution's result;
    # not an input, a view of one, a weight or state). A functional graph running without autograd may
    # then let the next layer overwrite it (see ``core.context.may_overwrite``).
    _fresh_output: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        obj = super().__new__(cls)
        # Module state exists before the subclass __init__ runs, so Keras code that assigns
        # attributes (even sub-layers) before calling super().__init__() keeps working.
        nn.Module.__init__(obj)
        obj._keras_init_state()
        return obj

    def _keras_init_state(self) -> None:
        d = self.__dict__
        d["_keras_records"] = []
        d["built"] = False
        d["_inbound_nodes"] = []
        d["_keras_losses"] = []
        d["_tracked_metrics"] = []  # Metric objects assigned as attributes, in order (Keras's `_metrics`)
        d["_loss_generation"] = -1
        d["_trainable"] = True
        d["_keras_initialized"] = False
        d["_build_shapes"] = None
        d["input_spec"] = None
        d["_init_weights"] = None
        d["_activity_regularizer"] = None
        d["_pending_input_shape"] = None
        d["name"] = None
        d["_remat_mode"] = current_remat_mode()  # keras.RematScope active when the layer is created
        d["training"] = False  # torch's flag agrees with Keras: a call without training= is inference

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {sorted(unknown)}"
            )
        if self.__dict__.get("_keras_initialized"):
            return
        self.__dict__["_keras_initialized"] = True
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string. Received: name={name!r}")
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._dtype_policy = resolve_policy(dtype)
        self._trainable = bool(trainable)
        self.activity_regularizer = kwargs.get("activity_regularizer")
        self._init_weights = kwargs.get("weights")
        shape = None
        if kwargs.get("batch_input_shape") is not None:
            shape = tuple(kwargs["batch_input_shape"])
        elif kwargs.get("input_shape") is not None:
            shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        elif kwargs.get("input_dim") is not None:
            shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._pending_input_shape = shape

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Metric) and name not in self._untracked_metric_attrs:
            tracked = self.__dict__.get("_tracked_metrics")
            if tracked is not None and not any(m is value for m in tracked):
                tracked.append(value)
                _TRACKED_METRICS_COUNT[0] += 1
        elif isinstance(value, nn.Parameter) and params is not None:
            for key, p in list(params.items()):
                if p is value and key != name:
                    # `self.w = self.add_weight(name="kernel")`: keep one registration, named
                    # after the attribute the user chose (it becomes the state_dict key).
                    del params[key]
                    for rec in self._keras_records:
                        if rec.attr == key:
                            rec.attr = name
                    break
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, nn.Module) for v in value):
            value = _LayerList(value)
        elif (
            isinstance(value, dict)
            and value
            and all(isinstance(v, nn.Module) for v in value.values())
            and all(isinstance(k, str) for k in value)
        ):
            value = nn.ModuleDict(value)
        super().__setattr__(name, value)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for rec in self._keras_records:
            if rec.trainable and not rec.is_buffer:
                self.stored_tensor(rec).requires_grad_(value)
        for layer in self._direct_sublayers():
            if isinstance(layer, Layer):
                layer.trainable = value
            else:
                layer.requires_grad_(value)

    @property
    def activity_regularizer(self) -> Any:
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value: Any) -> None:
        self._activity_regularizer = _regularizers.get(value)

    @property
    def dtype(self) -> str:
        """Variable dtype name (``"float32"``)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def dtype_policy(self) -> Any:
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        """Set the policy (a ``DTypePolicy``, a name such as ``"mixed_float16"``, or a torch dtype)."""
        self._dtype_policy = resolve_policy(value)

    def _direct_sublayers(self) -> Iterator[nn.Module]:
        """Child modules in assignment order, looking through ModuleList/ModuleDict containers."""
        for m in self._modules.values():
            if m is None:
                continue
            if isinstance(m, (nn.ModuleList, nn.ModuleDict, nn.Sequential)) and not isinstance(m, Layer):
                stack = list(m.values()) if isinstance(m, nn.ModuleDict) else list(m)
                for sub in stack:
                    if isinstance(sub, (nn.ModuleList, nn.ModuleDict)) and not isinstance(sub, Layer):
                        yield from _LayerList._iter(sub)
                    else:
                        yield sub
            else:
                yield m

    @property
    def metrics(self) -> list[Any]:
        """The ``keras.metrics.Metric`` objects assigned as attributes of this layer and of its sub-layers.

        Keras tracks them: a model lists them in its own ``metrics`` after the compiled ones (so ``fit``
        logs their results) and ``reset_metrics`` resets them.
        """
        return [m for layer in self._flatten_layers() for m in layer.__dict__.get("_tracked_metrics", ())]

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> Iterator[Layer]:
        seen: set[int] = set()

        def walk(layer: nn.Module, top: bool) -> Iterator[nn.Module]:
            if id(layer) in seen:
                return
            seen.add(id(layer))
            if not top or include_self:
                yield layer
            if top or recursive:
                subs = layer._direct_sublayers() if isinstance(layer, Layer) else layer.children()
                for sub in subs:
                    yield from walk(sub, False)

        yield from walk(self, True)

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss: Any) -> None:
        """Adds a loss tensor to the layer, typically from inside ``call``.

        The losses added during the last call appear in ``layer.losses`` (with the weight-regularization
        penalties) and ``fit`` adds them to the training loss.

        Args:
            loss: A scalar tensor (or a Python number).

        Example:

        >>> class ActivityPenalty(keras.layers.Layer):
        ...     def call(self, inputs):
        ...         self.add_loss(0.01 * torch.sum(inputs ** 2))
        ...         return inputs
        >>> layer = ActivityPenalty()
        >>> _ = layer(np.ones((2, 5), "float32"))
        >>> [round(float(loss), 4) for loss in layer.losses]
        [0.1]
        """
        ctx = _CTX
        if ctx.eager_add_loss is not None and torch.compiler.is_compiling():
            # Under jit_compile the recording runs eagerly (a graph break): it keys the loss by the
            # per-call generation, which a traced graph would neither update nor guard sensibly.
            return ctx.eager_add_loss(self, loss)
        self._record_loss(loss)

    def _record_loss(self, loss: Any) -> None:
        ctx = _CTX
        if self._loss_generation != ctx.generation:
            self._keras_losses = []
            self._loss_generation = ctx.generation
        ctx.add_loss_generation = ctx.generation
        self._keras_losses.append(loss)

    @property
    def losses(self) -> list[torch.Tensor]:
        """Losses added during the last call plus weight-regularization losses."""
        out: list[torch.Tensor] = []
        for layer in self._flatten_layers():
            if not isinstance(layer, Layer):
                continue
            if layer._loss_generation == _CTX.generation:
                out.extend(lo if torch.is_tensor(lo) else torch.as_tensor(lo) for lo in layer._keras_losses)
            out.extend(layer.regularization_losses())
        return out

    # ------------------------------------------------------------------ build / call
    def build(self, input_shape: Any) -> None:
        """Creates the layer's weights once the input shape is known.

        Called automatically before the first ``call`` (or by ``model.build``). Override it in a subclass to
        create weights with :meth:`add_weight` from ``input_shape``; the default creates nothing. After it
        runs, ``layer.built`` is ``True``.

        Args:
            input_shape: The Keras shape of the input, batch dimension included (e.g. ``(None, 3)``), or a
                structure of shapes for a layer with several inputs.

        Example:

        >>> layer = keras.layers.Dense(4)
        >>> layer.build((None, 3))
        >>> layer.built, layer.weight.shape
        (True, torch.Size([4, 3]))
        """
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation; override it in a subclass.

        Called by ``layer(inputs)`` (``__call__``), which builds the layer, converts numpy inputs to tensors,
        handles masks, the ``training`` flag and symbolic ``keras.Input`` tensors first. The default returns the
        inputs unchanged.

        Args:
            inputs: The input tensor(s).
            *args: Further positional arguments of the subclass.
            **kwargs: Further keyword arguments of the subclass. A ``call`` that declares ``training`` receives
                the training flag; one that declares ``mask`` receives the input mask.

        Returns:
            The output tensor(s).

        Example:

        >>> class Double(keras.layers.Layer):
        ...     def call(self, inputs, training=None):
        ...         return 2 * inputs
        >>> Double()(np.array([1.0, 2.0]))
        tensor([2., 4.])
        """
        return inputs

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def _apply(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.__dict__.pop("_kt_device", None)  # .to()/.cuda(): see _weights_device
        out = super()._apply(fn, *args, **kwargs)
        self._follow_cast(fn)
        return out

    def _follow_cast(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
        """After ``.double()`` / ``.half()`` / ``.to(dtype)``: the dtype policy follows the weights,
        so inputs are cast to the new dtype and the cast model keeps running."""
        old = to_torch_dtype(self._dtype_policy.variable_dtype)
        try:
            new = fn(torch.empty(0, dtype=old)).dtype  # what the cast does to a weight of this layer
        except Exception:  # noqa: BLE001 - not a cast torch can show on an empty tensor: nothing to follow
            return
        if new != old and new.is_floating_point:
            self._dtype_policy = resolve_policy(new)

    def train(self, mode: bool = True) -> Layer:
        """torch's ``train(mode)``, which also chooses the mode of calls made without ``training=``.

        Keras's rule holds until ``train()`` or ``eval()`` is called on the layer (or on a torch
        module holding it): ``layer(x)`` uses the default of its ``call``'s ``training`` argument
        (inference for most layers, training for random augmentation layers), and ``model(x)``
        leaves ``training`` unspecified, so each sub-layer uses its own default (a ``RandomFlip``
        in ``model(x)`` flips, a ``Dropout`` does not). From then on a top-level ``layer(x)`` trains
        (``train()``) or infers (``eval()``) as in a torch loop. An explicit ``training=`` argument
        always wins, and sub-layers follow a top-level call's resolved value.
        fit / evaluate / predict pass ``training`` explicitly and leave the chosen mode alone.

        Args:
            mode: ``True`` for training behaviour (dropout, batch statistics), ``False`` for inference.

        Returns:
            The layer.
        """
        super().train(mode)  # (calls train() on every child: sub-layers record the mode too)
        self._torch_mode = mode
        return self

    def _maybe_build(self, inputs: Any) -> None:
        if self.built:
            return
        shapes = tree.map_structure(_shape_of, inputs)
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        device = _first_device(inputs)
        self._build_shapes = shapes
        self.build(shapes)
        self.built = True
        if device is not None and device.type != "cpu":
            self.to(device)  # weights (and sub-layers) created in build follow the data
        if self._init_weights is not None:
            self.set_weights(self._init_weights)
            self._init_weights = None

    def _call_flags(self) -> tuple:
        """Per-instance facts about ``call`` computed once (the hot path reads only this tuple)."""
        has_training, has_mask, default_training, _, _ = _call_signature(type(self))
        propagates = self.supports_masking or type(self).compute_mask is not Layer.compute_mask
        flags = (has_training, has_mask, default_training, propagates)
        if self.built:
            self.__dict__["_flags"] = flags
        return flags

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            inputs = args[0]
            rest = args[1:]
        elif "inputs" in kwargs:
            inputs = kwargs.pop("inputs")
            rest = ()
        elif _call_signature(type(self))[4] in kwargs:  # the first argument of `call` given by name
            inputs = kwargs.pop(_call_signature(type(self))[4])
            rest = ()
        else:
            raise TypeError(f"Layer '{self.name}' was called without inputs.")
        is_tensor = isinstance(inputs, torch.Tensor)
        if not is_tensor:
            if isinstance(inputs, KerasTensor) or any_symbolic((inputs, rest, kwargs)):
                return self._symbolic_call(inputs, *rest, **kwargs)
            inputs = tree.map_structure(_to_tensor, inputs)
            is_tensor = isinstance(inputs, torch.Tensor)
            if not is_tensor and not self._takes_strings and type(self).__module__.startswith("keras_torch."):
                _refuse_strings(self, inputs)
        elif rest or (kwargs and (len(kwargs) != 1 or "training" not in kwargs)):
            if any_symbolic((rest, kwargs)):
                return self._symbolic_call(inputs, *rest, **kwargs)
        arrays_converted = False
        if rest or (kwargs and (len(kwargs) != 1 or "training" not in kwargs)):
            rest, kwargs, arrays_converted = _array_args_to_tensors(rest, kwargs)
        flags = self.__dict__.get("_flags") or self._call_flags()
        has_training, has_mask, default_training, propagates = flags
        training = kwargs.pop("training", None)
        ctx = _CTX
        outer = ctx.training
        if training is None:
            if outer is not None:
                training = outer
            else:  # top-level call: the torch mode chosen with train()/eval(), else Keras's default
                training = self._torch_mode
                if training is None and default_training is not None:
                    training = default_training
                # else None, as in Keras 3: `call` gets its own default (None) and each sub-layer falls
                # back to its signature's default, so a random augmentation layer (training=True) inside
                # `model(x)` augments while Dropout / BatchNormalization (False / None) infer.
        elif training is not True and training is not False:
            training = bool(training)
        if has_training:
            kwargs["training"] = training
        mask = kwargs.get("mask")
        if mask is None and (has_mask or propagates):
            mask = getattr(inputs, "_keras_mask", None) if is_tensor else _collect_mask(inputs)
            if mask is not None and has_mask:
                kwargs["mask"] = mask
        if not has_mask and "mask" in kwargs:
            del kwargs["mask"]
        if not self.built:
            self._maybe_build(inputs)
        elif self.input_spec is not None:
            # Shapes already validated for this layer are not checked again (hot training loop); not
            # while an export traces: comparing its symbolic sizes with a cached shape would pin them.
            exporting = ctx.export_mode is not None
            if exporting or not (is_tensor and inputs.shape == self.__dict__.get("_spec_ok")):
                assert_input_compatibility(self.input_spec, inputs, self.name)
                if is_tensor and not exporting and not torch.jit.is_tracing() and not torch.compiler.is_compiling():
                    self.__dict__["_spec_ok"] = inputs.shape
        if pending.any_created() and ctx.depth == 0:  # weights created split (ModelParallel/FSDP): split first
            pending.materialize(self)
        if is_tensor and inputs.dtype != self._dtype_policy.torch_compute_dtype and inputs.is_floating_point():
            if self._dtype_policy.autocast:
                inputs = inputs.to(self._dtype_policy.torch_compute_dtype)
        if ctx.depth == 0:
            if not torch.compiler.is_compiling():  # (engine/_jit.py counts compiled calls outside)
                ctx.generation += 1
            dev = self.__dict__.get("_kt_device") or _weights_device(self)
            ctx.data_device = dev  # where host data made inside the call goes (text layers' token ids)
            if dev is not None and dev.type != "cpu":  # Keras: host data follows the model to its device
                inputs = _inputs_to(inputs, dev)
                if arrays_converted:
                    rest, kwargs = _inputs_to(rest, dev), _inputs_to(kwargs, dev)
        ctx.depth += 1
        ctx.training = training
        try:
            if self._forward_hooks or self._forward_pre_hooks or _global_hooks_active():
                outputs = nn.Module.__call__(self, inputs, *rest, **kwargs)
            elif self._remat_mode is not None:
                outputs = self._remat_mode.run(self, self.forward, inputs, *rest, **kwargs)
            else:  # same as nn.Module.__call__ without hooks, minus two Python frames
                outputs = self.forward(inputs, *rest, **kwargs)
        finally:
            ctx.depth -= 1
            ctx.training = outer
        if self._activity_regularizer is not None:
            for o in tree.flatten(outputs):
                if isinstance(o, torch.Tensor):
                    self.add_loss(self._activity_regularizer(o) / o.shape[0])
        if propagates:
            out_mask = self.compute_mask(inputs, mask)
            if out_mask is not None:
                _attach_mask(outputs, out_mask)
        return outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Computes the output mask of the layer from its inputs and input mask.

        The default passes the input mask through when ``supports_masking`` is true, else returns ``None``.
        Layers that create masks (``Embedding(mask_zero=True)``, ``Masking``) or change the time axis override it.

        Args:
            inputs: The input tensor(s).
            mask: The input mask (boolean tensor), or ``None``.

        Returns:
            The output mask, or ``None``.
        """
        if not self.supports_masking:
            return None
        return mask

    # ------------------------------------------------------------------ symbolic
    def _symbolic_call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.built:
            shapes = tree.map_structure(_shape_of, inputs)
            if self.input_spec is not None:
                assert_input_compatibility(self.input_spec, inputs, self.name)
            self._build_shapes = shapes
            self.build(shapes)
            self.built = True
            if self._init_weights is not None:
                self.set_weights(self._init_weights)
                self._init_weights = None
        elif self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        spec = self.compute_output_spec(inputs, *args, **kwargs)
        return self._record_node((inputs, *args), kwargs, spec)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Computes the output shape of the layer for a given input shape.

        The default runs ``call`` on symbolic inputs to infer it; layers override it when the shape is cheap to
        compute. Used when the layer is called on ``keras.Input`` tensors.

        Args:
            input_shape: The input shape, batch dimension included (``None`` for unknown sizes), or a structure of
                shapes.

        Returns:
            The output shape (tuple), or a structure of shapes for several outputs.

        Example:

        >>> keras.layers.Dense(4).compute_output_shape((None, 3))
        (None, 4)
        """
        spec = self._infer_output_spec(map_shapes(KerasTensor, input_shape))
        return tree.map_structure(lambda k: k.shape, spec)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Symbolic outputs (KerasTensors without history) for symbolic ``inputs``."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            out_shape = self.compute_output_shape(tree.map_structure(_shape_of, inputs))
            dtype = self.compute_dtype
            return map_shapes(lambda s: KerasTensor(s, dtype), out_shape)
        return self._infer_output_spec(inputs, *args, **kwargs)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Returns the layer's config: its constructor arguments as a JSON-friendly dict.

        Together with :meth:`from_config`, it lets a layer be re-created (without its weights); it is what
        ``model.save``/``to_json`` write. Subclasses with constructor arguments extend the base dict, which holds
        ``name``, ``trainable`` and ``dtype`` (the dtype policy).

        Returns:
            A dict of constructor arguments.

        Example:

        >>> config = keras.layers.Dense(4, name="d").get_config()
        >>> config["name"], config["units"], config["activation"]
        ('d', 4, 'linear')
        """
        cfg: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self._dtype_policy.serialize(),
        }
        if self._pending_input_shape is not None:
            cfg["batch_input_shape"] = list(self._pending_input_shape)
        if self._activity_regularizer is not None:
            cfg["activity_regularizer"] = _regularizers.serialize(self._activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Creates a layer from its config (the output of :meth:`get_config`).

        Configs written by other Keras versions (Keras 1/2, tf-keras) are normalised by ``keras_torch.saving``
        (``deserialize_layer``, ``load_model``) before they reach this method. Layers whose constructor does not
        take the config entries as keyword arguments override it.

        Args:
            config: A dict of constructor arguments.

        Returns:
            A new, unbuilt layer instance.

        Example:

        >>> layer = keras.layers.Dense(4, activation="relu")
        >>> clone = keras.layers.Dense.from_config(layer.get_config())
        >>> clone.units, clone.activation.__name__
        (4, 'relu')
        """
        return cls(**config)

    def quantize(self, mode: str | None = None, *args: Any, **kwargs: Any) -> None:
        """Keras's in-place weight quantization (``"int8"``, ``"int4"``, ``"float8"``, ``"gptq"``...): not provided.

        Raises:
            NotProvidedError: Always, with the documented reason (the quantization configs are omitted).
        """
        raise omissions.NotProvidedError(f"{type(self).__name__} '{self.name}': quantize(mode={mode!r}) needs "
                                         f"weight quantization. {omissions.message('quantizers.QuantizationConfig')}")

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_shapes is None:
            return None
        return {"input_shape": map_shapes(list, self._build_shapes)}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if config and config.get("input_shape") is not None and not self.built:
            shapes = map_shapes(tuple, config["input_shape"])
            self._build_shapes = shapes
            self.build(shapes)
            self.built = True

    # ------------------------------------------------------------------ info
    @property
    def input(self) -> Any:
        """The input tensor(s) of the layer's first call on symbolic tensors (functional API).

        Raises ``AttributeError`` if the layer was never called on a ``keras.Input``.
        """
        return self._node_attr("call_args", 0)

    @property
    def output(self) -> Any:
        """The output tensor(s) of the layer's first call on symbolic tensors (functional API).

        Raises ``AttributeError`` if the layer was never called on a ``keras.Input``.
        """
        return self._node_attr("outputs")

    def _node_attr(self, attr: str, idx: int | None = None) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined {attr}.")
        v = getattr(self._inbound_nodes[0], attr)
        return v[idx] if idx is not None else v

    @property
    def input_shape(self) -> Any:
        if self._inbound_nodes:
            return tree.map_structure(_shape_of, self.input)
        if self._pending_input_shape is not None:
            return self._pending_input_shape
        raise AttributeError(f"The layer '{self.name}' has never been called and thus has no defined input shape.")

    @property
    def output_shape(self) -> Any:
        if self._inbound_nodes:
            return tree.map_structure(_shape_of, self.output)
        raise AttributeError(f"The layer '{self.name}' has never been called and thus has no defined output shape.")

    @property
    def inbound_nodes(self) -> list[Node]:
        return self._inbound_nodes

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    def __repr__(self) -> str:
        if not self._modules:
            return f"<{naming.keras_class(self).__name__} name={self.name}, built={self.built}>"
        return super().__repr__()


def _marks_built(build: Callable) -> Callable:
    """Keras sets ``built`` (and remembers the shape) after any ``build``, even a direct call."""
    import functools

    @functools.wraps(build)
    def wrapper(self: Layer, *args: Any, **kwargs: Any) -> Any:
        out = build(self, *args, **kwargs)
        self.__dict__["built"] = True
        if args and self.__dict__.get("_build_shapes") is None:
            self.__dict__["_build_shapes"] = args[0]
        return out

    return wrapper


class _LayerList(nn.ModuleList):
    """A list of layers assigned as an attribute (Keras tracks those; torch needs a ModuleList)."""

    @staticmethod
    def _iter(m: nn.Module) -> Iterator[nn.Module]:
        for sub in m.values() if isinstance(m, nn.ModuleDict) else m:
            if isinstance(sub, (nn.ModuleList, nn.ModuleDict)) and not isinstance(sub, Layer):
                yield from _LayerList._iter(sub)
            else:
                yield sub


def _global_hooks_active() -> bool:
    m = _torch_module_mod
    return bool(
        m._global_forward_hooks or m._global_forward_pre_hooks or m._global_backward_hooks
        or m._global_backward_pre_hooks or torch._C._get_tracing_state()
    )




def _refuse_strings(layer: Layer, inputs: Any) -> None:
    for leaf in tree.flatten(inputs):
        if isinstance(leaf, np.ndarray) and leaf.dtype.kind in "OUS":
            raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) received data of dtype {leaf.dtype}: it "
                             "needs numeric arrays. Only text layers (TextVectorization, StringLookup, Hashing...) "
                             "take strings.")


def _first_device(x: Any) -> torch.device | None:
    for t in tree.flatten(x):
        if isinstance(t, torch.Tensor):
            return t.device
    return None




def _collect_mask(inputs: Any) -> Any:
    if isinstance(inputs, torch.Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) if isinstance(t, torch.Tensor) else None for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return None


def _attach_mask(outputs: Any, mask: Any) -> None:
    if isinstance(outputs, torch.Tensor):
        outputs._keras_mask = mask
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            if isinstance(o, torch.Tensor) and m is not None:
                o._keras_mask = m








__all__ = ["Layer", "KerasVariable", "InputSpec", "DTypePolicy", "WeightRecord"]
