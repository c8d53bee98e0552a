"""``Model``: a Layer that groups layers and trains (compile / fit / evaluate / predict).

``Model(inputs, outputs)`` builds a functional model; subclasses define ``__init__`` + ``call``.
"""

from __future__ import annotations

import json
from typing import Any

import torch

from keras_torch.core import registry, tree
from keras_torch.core.symbolic import KerasTensor, map_shapes
from keras_torch.distribution import is_chief
from keras_torch.layers.base import Layer
from keras_torch.models import direct_predict
from keras_torch.models.graph import Graph, adjust_input_rank, check_input_shapes
from keras_torch.trainers.trainer import Trainer


def _functional_args(args: tuple, kwargs: dict) -> bool:
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) >= 2:
        return True
    return len(args) == 1 and "outputs" in kwargs


@registry.register("Model", category="layers")
class Model(Trainer, Layer):
    """A group of layers with training/inference features (``keras.Model``).

    Use ``Model(inputs, outputs, name=None)`` for the functional API, or subclass it and
    implement ``call``.
    """

    _takes_strings = True  # models pass string inputs on to their text layers

    _graph: Graph | None = None  # the functional graph (None: a subclassed model with its own call)
    # predict_on_batch's latency path (models/direct_predict.py): the validated input signature
    # (feature shape, device or None for the CPU); forgotten when the model is moved or cast.
    _direct_signature: tuple | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and _functional_args(args, kwargs):
            from keras_torch.models.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        graph_args = _functional_args(args, kwargs)
        if graph_args:
            inputs = kwargs.pop("inputs", args[0] if args else None)
            outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
            Layer.__init__(self, name=kwargs.pop("name", None), trainable=kwargs.pop("trainable", True), **kwargs)
            self._init_graph(inputs, outputs)
        else:
            if args:
                raise TypeError(f"Model() got unexpected positional arguments {args}.")
            Layer.__init__(self, **kwargs)

    # ------------------------------------------------------------------ graph
    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        graph = Graph(inputs, outputs)
        self._graph = graph
        self._register_layers(graph.layers)
        self.built = True
        self._build_shapes = tree.map_structure(lambda t: t.shape, graph.inputs_struct)

    def _register_layers(self, layers: list[Any]) -> None:
        names: set[str] = set()
        for layer in layers:
            if layer.name in names:
                raise ValueError(
                    f"The name \"{layer.name}\" is used 2 times in the model. All operation names should be unique."
                )
            names.add(layer.name)
            key = _module_key(self, layer.name)
            self.add_module(key, layer)

    @property
    def _graph_obj(self) -> Graph | None:
        return self._graph

    @property
    def inputs(self) -> list[KerasTensor] | None:
        g = self._graph_obj
        return list(g.inputs) if g is not None else None

    @property
    def outputs(self) -> list[KerasTensor] | None:
        g = self._graph_obj
        return list(g.outputs) if g is not None else None

    @property
    def input(self) -> Any:
        g = self._graph_obj
        if g is None:
            return super().input
        return g.inputs_struct

    @property
    def output(self) -> Any:
        g = self._graph_obj
        if g is None:
            return super().output
        return g.outputs_struct

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self.inputs or []]

    @property
    def output_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self.outputs or []]

    @property
    def input_shape(self) -> Any:
        g = self._graph_obj
        if g is not None:
            shapes = [t.shape for t in g.inputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return super().input_shape

    @property
    def output_shape(self) -> Any:
        g = self._graph_obj
        if g is not None:
            shapes = [t.shape for t in g.outputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return super().output_shape

    @property
    def layers(self) -> list[Layer]:
        """Sub-layers in Keras order (functional: topological incl. InputLayers)."""
        g = self._graph_obj
        if g is not None:
            # Like Keras 3, raw ops recorded in the graph are operations, not layers.
            return [lyr for lyr in g.layers if isinstance(lyr, Layer)]
        return [m for m in self._direct_sublayers() if isinstance(m, torch.nn.Module)]

    def _direct_sublayers(self):  # type: ignore[override]
        g = self._graph
        if g is not None:
            return iter(g.layers)
        return super()._direct_sublayers()

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """Retrieve a layer by name or index (``model.get_layer("dense")``)."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received both.")
        layers = self.layers
        if index is not None or isinstance(name, int):
            idx = index if index is not None else name
            if len(layers) <= idx:
                raise ValueError(f"Was asked to retrieve layer at index {idx} but model only has {len(layers)} layers.")
            return layers[idx]
        for layer in layers:
            if layer.name == name:
                return layer
        from keras_torch.core.registry import did_you_mean

        raise ValueError(f"No such layer: {name}. Existing layers are: {[lyr.name for lyr in layers]}."
                         f"{did_you_mean(str(name), [lyr.name for lyr in layers])}")

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        g = self._graph_obj
        if g is None:
            raise NotImplementedError(
                f"Model '{self.name}' has no `call()`: subclass Model and implement `call`, or build it "
                "with the functional API `Model(inputs, outputs)`."
            )
        if isinstance(inputs, torch.Tensor):
            (inputs,) = adjust_input_rank([inputs], g.inputs)
            check_input_shapes([inputs], g.inputs, self.name)
        elif isinstance(inputs, (list, tuple)) and all(isinstance(t, torch.Tensor) for t in inputs):
            if len(inputs) == len(g.inputs):
                inputs = type(inputs)(adjust_input_rank(list(inputs), g.inputs))
                check_input_shapes(list(inputs), g.inputs, self.name)
        return g.run(inputs, self.input_names)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        g = self._graph_obj
        if g is not None and not args and not kwargs.get("mask"):
            flat = tree.flatten(inputs)
            if len(flat) == len(g.inputs) and all(
                isinstance(t, KerasTensor) and len(t.shape) == len(k.shape) for t, k in zip(flat, g.inputs)
            ):
                # Static shapes of a functional model: reuse the recorded outputs' shapes.
                return tree.map_structure(lambda t: KerasTensor(t.shape, t.dtype), g.outputs_struct)
        return super().compute_output_spec(inputs, *args, **kwargs)

    def build(self, input_shape: Any = None) -> None:
        """Create the weights of a subclassed model by calling it on zeros of ``input_shape``."""
        if self._graph_obj is not None or input_shape is None:
            self.built = True
            return
        if self.built:
            return

        def zeros(s: tuple) -> torch.Tensor:
            return torch.zeros([1 if d is None else d for d in s])

        self._build_shapes = input_shape
        self.built = True
        with torch.no_grad():
            self(map_shapes(zeros, input_shape))

    # ------------------------------------------------------------------ predict_on_batch latency path
    def _has_library_call(self) -> bool:
        """True when ``call`` is keras_torch's own (the functional graph), not a subclass's."""
        return type(self).call is Model.call

    def _direct_plan(self, shape: tuple) -> tuple | None:
        """Leaf layer calls to run on float32 inputs of feature ``shape`` (``None``: run ``call``)."""
        return None

    # (plain functions of the model: the latency path pays no extra call)
    _direct_predict = direct_predict.run
    _allow_direct_predict = direct_predict.remember

    def _apply(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self._direct_signature = None  # .to()/.cuda()/.half(): re-validate predict_on_batch
        return super()._apply(fn, *args, **kwargs)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        g = self._graph_obj
        if g is not None:
            from keras_torch.models.functional import functional_config

            return functional_config(self)
        cfg = {"name": self.name, "trainable": self.trainable}
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Model:
        if "layers" in config and "input_layers" in config:
            from keras_torch.models.functional import functional_from_config

            return functional_from_config(cls, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs: Any) -> str:
        """The model config as a Keras JSON string (loadable with ``model_from_json``)."""
        from keras_torch.saving.serialization import serialize_model

        return json.dumps(serialize_model(self), **kwargs)

    # ------------------------------------------------------------------ saving
    def save(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Save the whole model: ``.keras`` (Keras 3 archive) or ``.h5`` (legacy HDF5).

        Under distributed training only rank 0 writes (other ranks return at once).
        """
        from keras_torch.saving import save_model

        if not is_chief():
            return
        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Save weights: ``.weights.h5`` (Keras 3 layout) or ``.h5`` (Keras 2 layout); rank 0 only."""
        from keras_torch.saving import save_weights

        if not is_chief():
            return
        save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, by_name: bool = False, **kwargs: Any) -> None:
        """Load weights from a Keras 2 ``.h5``, a full-model ``.h5``/``.keras`` or a ``.weights.h5``."""
        from keras_torch.saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs)

    def export(self, filepath: Any, format: str = "onnx", input_signature: Any = None,  # noqa: A002
               verbose: bool | None = None, **kwargs: Any) -> str:
        """Export for inference: ``format="onnx"`` (default) or ``"torch"`` (a ``.pt2`` program).

        ``verbose=True`` prints the path written and the exported inputs/outputs; other keyword
        arguments go to ``keras_torch.export.export_onnx`` / ``export_torch``.
        """
        from keras_torch import export as _export

        if format == "onnx":
            return _export.export_onnx(self, filepath, input_signature=input_signature, verbose=verbose, **kwargs)
        if format == "torch":
            return _export.export_torch(self, filepath, input_signature=input_signature, verbose=verbose, **kwargs)
        raise ValueError(f"Unrecognized format={format!r}. keras_torch exports 'onnx' and 'torch'.")

    def summary(
        self,
        line_length: int | None = None,
        positions: list[float] | None = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print a Keras-style summary (names, types, output shapes, params and totals)."""
        from keras_torch.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)


def _module_key(module: torch.nn.Module, name: str) -> str:
    key = name.replace(".", "_") or "layer"
    while (hasattr(module, key) and key not in module._modules) or key in module._parameters or key in module._buffers:
        key += "_"
    return key
