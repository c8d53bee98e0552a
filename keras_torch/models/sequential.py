"""``Sequential``: a plain stack of layers."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry, tree
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers.base import Layer, _global_hooks_active
from keras_torch.layers.core import InputLayer
from keras_torch.models import fusion
from keras_torch.models.model import Model, _module_key


@registry.register("Sequential", category="layers")
class Sequential(Model):
    """A linear stack of layers (``keras.Sequential``).

    Args:
        layers: Optional list of layers (the first may be ``keras.Input(...)`` or an InputLayer,
            or carry ``input_shape``/``input_dim``).
        name: Model name.
        trainable: Whether the model's weights are updated by training (default ``True``).

    Example:

    >>> model = keras.Sequential([
    ...     keras.Input(shape=(16,)),
    ...     keras.layers.Dense(8, activation="relu"),
    ...     keras.layers.Dense(1),
    ... ])
    >>> model.add(keras.layers.Activation("sigmoid"))
    >>> model.output_shape, len(model.layers)
    ((None, 1), 3)
    >>> model.compile(optimizer="adam", loss="binary_crossentropy")
    >>> _ = model.fit(np.random.rand(32, 16), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
    """

    _summary_as_sequential = True  # summary(): Keras's Sequential table, no "Connected to" column
    # The validated direct ``call`` chain for one input signature (see ``_make_plan``); dropped
    # when the stack or ``trainable`` changes.
    _plan: tuple | None = None
    _seq_output: KerasTensor | None = None  # the symbolic output of the built stack

    def __init__(self, layers: list[Any] | None = None, trainable: bool = True, name: str | None = None) -> None:
        super().__init__(trainable=trainable, name=name)
        self._seq: list[Layer] = []  # the layers, without the InputLayer
        self._seq_names: set[str] = set()  # their names (unique: checked in O(1) per add)
        # (not a class-level default: once assigned, the InputLayer is a registered sub-module,
        # which a class attribute would shadow)
        self._input_layer: InputLayer | None = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    @property
    def layers(self) -> list[Layer]:
        """Layers without the InputLayer (as Keras)."""
        return list(self._seq)

    def _direct_sublayers(self):  # type: ignore[override]
        return iter(self._seq)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "trainable":
            self._plan = None
        super().__setattr__(name, value)

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Adds a layer on top of the stack.

        Args:
            layer: A layer instance, a plain ``torch.nn.Module`` (wrapped in a ``TorchModuleWrapper``), or a
            ``keras.Input`` tensor to set the model's input.
            rebuild: Rebuild the model's graph now when its input shape is known (default ``True``).

        Raises:
            ValueError: If ``layer`` is not a layer (or an input), or its name is already used in the model.

        Example:

        >>> model = keras.Sequential()
        >>> model.add(keras.Input(shape=(4,)))
        >>> model.add(keras.layers.Dense(8))
        >>> model.output_shape
        (None, 8)
        """
        if isinstance(layer, KerasTensor):
            origin = layer._keras_history[0]
            if not isinstance(origin, InputLayer):
                raise ValueError(f"Sequential.add() only accepts a keras.Input tensor or a layer. Received: {layer}")
            layer = origin
        if isinstance(layer, InputLayer):
            if self._seq or self._input_layer is not None:
                raise ValueError("An InputLayer can only be added at the start of a Sequential model.")
            self._input_layer = layer
            return
        if not isinstance(layer, torch.nn.Module):
            raise ValueError(
                f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer!r} "
                f"(of type {type(layer)})"
            )
        if not isinstance(layer, Layer):
            from keras_torch.layers.torch_wrapper import TorchModuleWrapper

            layer = TorchModuleWrapper(layer)
        if layer.name in self._seq_names:
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name '{layer.name}' "
                "is already the name of a layer in this model. Update the `name` argument to pass a unique name."
            )
        if not self._seq and self._input_layer is None and layer._pending_input_shape is not None:
            self._input_layer = InputLayer(batch_shape=layer._pending_input_shape,
                                           name=f"{layer.name}_input" if False else None)
        self._seq.append(layer)
        self._seq_names.add(layer.name)
        self._plan = None
        self.add_module(_module_key(self, layer.name), layer)
        self.built = False
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild: bool = True) -> Layer:
        """Removes the last layer of the stack and returns it.

        Args:
            rebuild: Rebuild the model's graph afterwards (default ``True``).

        Returns:
            The removed layer.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(2)])
        >>> model.pop().units, model.output_shape
        (2, (None, 8))
        """
        if not self._seq:
            raise TypeError("There are no layers in the model.")
        layer = self._seq.pop()
        self._seq_names.discard(layer.name)
        self._plan = None
        for key, mod in list(self._modules.items()):
            if mod is layer:
                del self._modules[key]
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        if self._input_layer is not None and self._seq:
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape: Any = None) -> None:
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument to build a Sequential model.")
            input_shape = self._input_layer.batch_shape
        if self._input_layer is None or tuple(self._input_layer.batch_shape) != tuple(input_shape):
            self._input_layer = InputLayer(batch_shape=tuple(input_shape))
        x = self._input_layer.output_tensor
        for layer in self._seq:
            x = layer(x)
        self._seq_output = x
        self._build_shapes = tuple(input_shape)
        self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.built and self._seq:
            inputs = args[0] if args else kwargs.get("inputs")
            if isinstance(inputs, (torch.Tensor, KerasTensor)) or hasattr(inputs, "shape"):
                shape = (None,) + tuple(inputs.shape[1:])
                try:
                    self.build(shape)
                except Exception:  # noqa: BLE001 - fall back to building layer by layer eagerly
                    self.built = True
        return super().__call__(*args, **kwargs)

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        plan = self._plan
        if (
            plan is not None
            and mask is None
            and type(inputs) is torch.Tensor
            and inputs.dtype is plan[1]
            and inputs.shape[1:] == plan[0]
            and not _hooks_active(self._seq)
            and getattr(inputs, "_keras_mask", None) is None
        ):
            # Validated fast path: every layer was already checked on this input signature.
            x = inputs
            steps = plan[2]
            if fusion.applies(training):
                steps = self._fused_steps(plan)  # inference: conv -> BN -> activation runs as one (models/fusion.py)
            for fn, takes_training in steps:
                # training=None (not given anywhere): each layer keeps its signature's default.
                x = fn(x, training=training) if takes_training and training is not None else fn(x)
            return x
        if self._input_layer is not None and isinstance(inputs, torch.Tensor):
            from keras_torch.models.graph import adjust_input_rank, check_input_shapes

            (inputs,) = adjust_input_rank([inputs], [self._input_layer.output_tensor])
            check_input_shapes([inputs], [self._input_layer.output_tensor], self.name)
        x = inputs
        for layer in self._seq:
            x = layer(x)
        if type(inputs) is torch.Tensor and getattr(inputs, "_keras_mask", None) is None:
            plan = _make_plan(self._seq, inputs)
            if plan is not None or self._plan is not None:  # (an unplannable stack writes nothing)
                self._plan = plan
        return x

    def _fused_steps(self, plan: tuple) -> tuple:
        """``plan``'s steps with each fusable convolution run replaced by its fused chain (cached per plan)."""
        cached = self.__dict__.get("_fused_plan")
        if cached is not None and cached[0] is plan:
            return cached[1]
        steps = list(plan[2])
        for start, stop, chain in reversed(fusion.fuse_layers(list(self._seq))):
            steps[start:stop] = [(chain, True)]
        self.__dict__["_fused_plan"] = (plan, tuple(steps))
        return self.__dict__["_fused_plan"][1]

    def _has_library_call(self) -> bool:
        return type(self).call is Sequential.call

    def _direct_plan(self, shape: tuple) -> tuple | None:
        """The validated layer plan for float32 inputs of ``shape`` when every planned layer is a
        leaf (no nested layer calls) and no layer has hooks; else ``None``."""
        plan = self._plan
        if plan is None or not plan[3] or plan[1] is not torch.float32 or plan[0] != shape:
            return None
        for lyr in self._seq:
            if lyr._forward_hooks or lyr._forward_pre_hooks:
                return None
        return self._fused_steps(plan)  # (predict_on_batch: no autograd, not training)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        x = inputs
        for layer in self._seq:
            x = layer.compute_output_spec(x) if False else layer(x)
        return tree.map_structure(lambda t: KerasTensor(t.shape, t.dtype), x)

    @property
    def inputs(self) -> list[KerasTensor] | None:
        return [self._input_layer.output_tensor] if self._input_layer is not None else None

    @property
    def outputs(self) -> list[KerasTensor] | None:
        out = self._seq_output
        return [out] if out is not None else None

    @property
    def input_shape(self) -> Any:
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        return super().input_shape

    @property
    def output_shape(self) -> Any:
        out = self._seq_output
        if out is not None:
            return out.shape
        raise AttributeError(f"Sequential model '{self.name}' has not been built yet, so it has no output shape.")

    @property
    def input_names(self) -> list[str]:
        return [self._input_layer.name] if self._input_layer is not None else []

    @property
    def output_names(self) -> list[str]:
        return [self._seq[-1].name] if self._seq else []

    def get_config(self) -> dict[str, Any]:
        from keras_torch.saving.serialization import serialize_layer

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_layer(self._input_layer))
        layers.extend(serialize_layer(layer) for layer in self._seq)
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Sequential:
        from keras_torch.saving.serialization import deserialize_layer

        if isinstance(config, list):  # Keras 1/2.0 stored a bare list of layers
            config = {"layers": config}
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            model.add(deserialize_layer(entry, custom_objects), rebuild=False)
        if model._input_layer is None and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        else:
            model._maybe_rebuild()
        return model


def _hooks_active(layers: list[Any]) -> bool:
    if _global_hooks_active():
        return True
    for lyr in layers:
        if lyr._forward_hooks or lyr._forward_pre_hooks:
            return True
    return False


def _make_plan(layers: list[Any], inputs: torch.Tensor) -> tuple | None:
    """Direct ``call`` chain for inputs like ``inputs`` when no layer needs Keras's per-call work.

    Per-call work skipped here: input-spec checks (already passed for this input signature),
    mask handling (no layer creates a mask), dtype autocast (all float32 policies), activity
    regularizers and build (none pending). Anything else keeps the general path.
    """
    from keras_torch.layers.base import Layer, _call_signature

    steps = []
    for layer in layers:
        if not isinstance(layer, Layer) or type(layer).__call__ is not Layer.__call__ or not layer.built:
            return None
        if layer._activity_regularizer is not None or type(layer).compute_mask is not Layer.compute_mask:
            return None
        if not layer._dtype_policy.autocast or layer._dtype_policy.torch_compute_dtype != torch.float32:
            return None
        if getattr(layer, "stateful", False):
            return None
        has_training = _call_signature(type(layer))[0]
        fn = layer.call if type(layer).forward is Layer.forward else layer.forward
        steps.append((fn, has_training))
    if inputs.is_floating_point() and inputs.dtype != torch.float32:
        return None
    leaf = not any(isinstance(m, Layer) for lyr in layers for m in lyr.modules() if m is not lyr)
    return (inputs.shape[1:], inputs.dtype, tuple(steps), leaf)
