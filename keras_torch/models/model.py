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
    """A model: layers grouped into an object with training and inference features.

    A ``Model`` is a :class:`~keras_torch.layers.Layer` (and a ``torch.nn.Module``) that adds
    :meth:`compile`, :meth:`fit`, :meth:`evaluate`, :meth:`predict`, saving and :meth:`summary`. There
    are two ways to create one:

    - the functional API, ``keras.Model(inputs, outputs, name=None)``, from ``keras.Input`` tensors and
      the tensors computed from them (a graph of layers);
    - subclassing: define layers in ``__init__`` and the forward pass in ``call(self, inputs, training=None)``.

    For a plain stack of layers, :class:`Sequential` is simpler. Models also work in a hand-written torch
    loop: ``model.train()`` / ``model.eval()`` select training or inference behaviour.

    Args:
        *args: For the functional API: ``inputs`` (a ``KerasTensor``, or a list/dict of them) and
            ``outputs`` (likewise).
        **kwargs: ``inputs``, ``outputs``, ``name`` (model name), ``trainable`` and other base layer
            arguments.

    Example:

    Functional API:

    >>> inputs = keras.Input(shape=(8,))
    >>> hidden = keras.layers.Dense(16, activation="relu")(inputs)
    >>> outputs = keras.layers.Dense(2, activation="softmax")(hidden)
    >>> model = keras.Model(inputs=inputs, outputs=outputs, name="classifier")
    >>> model.predict(np.random.rand(4, 8), verbose=0).shape
    (4, 2)

    Subclassing:

    >>> class MyModel(keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.dense = keras.layers.Dense(16, activation="relu")
    ...         self.dropout = keras.layers.Dropout(0.5)
    ...         self.head = keras.layers.Dense(2)
    ...     def call(self, inputs, training=False):
    ...         return self.head(self.dropout(self.dense(inputs), training=training))
    >>> model = MyModel()
    >>> model(np.random.rand(4, 8)).shape
    torch.Size([4, 2])
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
        """Retrieves a layer of the model by its name or its index.

        Args:
            name: Name of the layer.
            index: Index of the layer in ``model.layers`` (the order of a Sequential model, a topological order
                for a functional one).

        Returns:
            The layer instance.

        Raises:
            ValueError: If both or neither are given, the index is out of range, or no layer has that name
                (the message lists the existing names).

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="head")])
        >>> model.get_layer("head").units, model.get_layer(index=0).name
        (2, 'head')
        """
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
        # Keras builds by tracing symbolically: metrics the call updates keep their state (the zeros do not count).
        states = [(v, v.value.clone()) for m in self.metrics for v in m.variables]
        with torch.no_grad():
            self(map_shapes(zeros, input_shape))
            for variable, state in states:
                variable.assign(state)

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
        """Returns the model's config: its architecture as a JSON-friendly dict.

        For a functional or Sequential model this is the Keras 3 graph config (``layers``, ``input_layers``,
        ``output_layers``...) that :meth:`from_config` and real Keras read. A subclassed model returns its base
        arguments; override ``get_config`` (and ``from_config``) to serialize its constructor arguments.

        Returns:
            A dict.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> config = model.get_config()
        >>> [layer["class_name"] for layer in config["layers"]]
        ['InputLayer', 'Dense']
        """
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
        """Returns the model's architecture (no weights) as a Keras JSON string.

        Returns:
            A JSON string (Keras 3 format) that :func:`keras_torch.models.model_from_json` (or real Keras) turns
            back into an untrained model.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> clone = keras.models.model_from_json(model.to_json())
        >>> clone.output_shape
        (None, 2)
        """
        from keras_torch.saving.serialization import serialize_model

        return json.dumps(serialize_model(self), **kwargs)

    # ------------------------------------------------------------------ saving
    def save(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Saves the whole model (architecture, weights, compile and optimizer state) to one file.

        The format follows the extension: ``.keras`` writes a Keras 3 archive (``config.json`` +
        ``model.weights.h5``), ``.h5``/``.hdf5`` the legacy Keras HDF5 format; both load in real Keras and
        with :func:`keras_torch.models.load_model`. Under distributed training only the chief process writes;
        a sharded model (``ModelParallel``/``FSDP``) is gathered by every rank, so every rank must call it.

        Args:
            filepath: ``str`` or ``pathlib.Path`` ending in ``.keras`` or ``.h5``.
            overwrite: Whether to replace an existing file (default ``True``); ``False`` raises if it exists.
            **kwargs: Format options passed to :func:`keras_torch.saving.save_model` (e.g. ``include_optimizer``
                for ``.h5``).

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> path = "model.keras"
        >>> model.save(path)
        >>> keras.models.load_model(path).output_shape
        (None, 2)
        """
        from keras_torch.saving import save_model
        from keras_torch.saving.sharded import is_sharded_model

        if not is_chief() and not is_sharded_model(self):
            return
        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Saves the model's weights (not its architecture) to a file.

        The layout follows the extension: ``.weights.h5`` is Keras 3's weights file, a plain ``.h5`` Keras 2's
        (layer-name based) layout. Only the chief process writes under distributed training (every rank must
        call it for a sharded model, as :meth:`save`).

        Args:
            filepath: ``str`` or ``pathlib.Path`` ending in ``.weights.h5`` (or ``.h5``).
            overwrite: Whether to replace an existing file (default ``True``).
            **kwargs: Options passed to :func:`keras_torch.saving.save_weights`.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> path = "model.weights.h5"
        >>> model.save_weights(path)
        >>> clone = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> clone.load_weights(path)
        >>> bool(np.allclose(clone.get_weights()[0], model.get_weights()[0]))
        True
        """
        from keras_torch.saving import save_weights
        from keras_torch.saving.sharded import is_sharded_model

        if not is_chief() and not is_sharded_model(self):
            return
        save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, by_name: bool = False, **kwargs: Any) -> None:
        """Loads weights saved by Keras or keras_torch into this model.

        Reads Keras 3 ``.weights.h5`` files, Keras 2 / tf-keras ``.h5`` weight files, and the weights of
        whole-model ``.h5``/``.keras`` files. Weights are converted from Keras layout to the torch layout of each layer.

        Args:
            filepath: Path of the weights file.
            skip_mismatch: Skip layers whose weight count or shapes do not match (with a warning) instead of
                raising. Keras 2 files: only with ``by_name=True``.
            by_name: Keras 2 ``.h5`` files: match layers by name instead of by topological order.
            **kwargs: Further options passed to :func:`keras_torch.saving.load_weights`.

        Example:

        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = "w.weights.h5"
        >>> model.save_weights(path)
        >>> model.load_weights(path)
        """
        from keras_torch.saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs)

    def export(self, filepath: Any, format: str = "onnx", input_signature: Any = None,  # noqa: A002
               verbose: bool | None = None, **kwargs: Any) -> str:
        """Exports the model for inference: ONNX (default) or a ``torch.export`` program.

        Args:
            filepath: Output path (``.onnx`` for ONNX, ``.pt2`` for ``"torch"``).
            format: ``"onnx"`` (default, needs the ``onnx`` package) or ``"torch"``.
            input_signature: Optional input spec(s) (``keras.InputSpec``, shapes with ``None`` for dynamic
                sizes); default: the model's inputs with a dynamic batch dimension.
            verbose: Print the path written and the exported inputs and outputs.
            **kwargs: Options of ``keras_torch.export.export_onnx`` / ``export_torch`` (e.g. ``opset_version``).

        Returns:
            The path of the written file.

        Raises:
            ValueError: For an unknown ``format``.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        >>> path = model.export("model.pt2", format="torch")
        >>> path.endswith("model.pt2")
        True
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
        """Prints a Keras-style summary of the model.

        The table lists each layer's name and type, output shape and parameter count (optionally whether it is
        trainable), followed by the total, trainable and non-trainable parameter counts (and the optimizer's
        variables for a compiled model that has trained, as in Keras 3).

        Args:
            line_length: Total width of the table (default: fitted to the content).
            positions: Relative or absolute positions of the column ends.
            print_fn: Function called with each line (default ``print``), e.g. to write to a file or a logger.
            expand_nested: Also list the layers of nested models.
            show_trainable: Add a column telling whether each layer is trainable.
            layer_range: Accepted for compatibility.

        Example:

        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
        >>> lines = []
        >>> model.summary(print_fn=lines.append)
        >>> any("Total params: 10" in line for line in lines)
        True
        """
        from keras_torch.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)


def _module_key(module: torch.nn.Module, name: str) -> str:
    key = name.replace(".", "_") or "layer"
    while (hasattr(module, key) and key not in module._modules) or key in module._parameters or key in module._buffers:
        key += "_"
    return key
