"""``keras.utils.plot_model`` / ``model_to_dot``.

The graph is written in the DOT language by keras_torch itself, so ``plot_model(model, "model.dot")``
needs nothing else. Rendering images (``.png``, ``.svg``, ``.pdf``...) needs ``pydot``
(``pip install pydot``) and the Graphviz ``dot`` program, as in Keras; without them a clear
``ImportError`` says what to install.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from keras_torch.core.naming import keras_class

__all__ = ["model_to_dot", "plot_model"]

_PYDOT_MSG = "You must install pydot (`pip install pydot`) for `plot_model` to work."
_GRAPHVIZ_MSG = ("You must install graphviz (see instructions at https://graphviz.gitlab.io/download/) "
                 "for `plot_model` to work.")


def _pydot() -> Any:
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def _escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("{", "\\{").replace("}", "\\}") \
        .replace("<", "\\<").replace(">", "\\>").replace("|", "\\|")


def _fmt_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(s, (list, tuple)) or s is None for s in shape):
        return ", ".join(_fmt_shape(s) for s in shape)
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_fmt_shape(v)}" for k, v in shape.items())
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _safe(fn: Any) -> Any:
    try:
        return fn()
    except Exception:  # noqa: BLE001 - unbuilt layers have no shapes; show "?"
        return None


def _layer_label(layer: Any, show_shapes: bool, show_dtype: bool, show_layer_names: bool,
                 show_layer_activations: bool, show_trainable: bool) -> str:
    cls = keras_class(layer).__name__
    title = f"{layer.name} ({cls})" if show_layer_names else cls
    rows = [_escape(title)]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        act = layer.activation
        rows.append("activation: " + _escape(getattr(act, "__name__", str(act))))
    if show_dtype:
        rows.append("dtype: " + _escape(getattr(layer, "dtype", "?")))
    if show_shapes:
        in_shape = _safe(lambda: layer.input_shape)
        if in_shape is None:
            in_shape = _safe(lambda: [t.shape for t in layer._inbound_nodes[0].input_tensors])
        out_shape = _safe(lambda: layer.output_shape)
        rows.append("input: " + _escape(_fmt_shape(in_shape)) + " | output: " + _escape(_fmt_shape(out_shape)))
    if show_trainable:
        rows.append("trainable: " + ("yes" if getattr(layer, "trainable", True) else "no"))
    return "{" + " | ".join(rows) + "}"


def _edges(model: Any) -> list[tuple[Any, Any]]:
    graph = getattr(model, "_graph_obj", None)
    if graph is not None:
        out = []
        for node in graph.nodes:
            for t in node.input_tensors:
                if t._keras_history is not None:
                    out.append((t._keras_history[0], node.layer))
        seen: set[tuple[int, int]] = set()
        unique = []
        for a, b in out:
            if (id(a), id(b)) not in seen:
                seen.add((id(a), id(b)))
                unique.append((a, b))
        return unique
    from keras_torch.models import Sequential

    layers = list(getattr(model, "layers", []))
    if isinstance(model, Sequential):
        return list(zip(layers[:-1], layers[1:]))
    return []


def _dot_source(model: Any, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                rankdir: str = "TB", dpi: int = 200, show_layer_activations: bool = False,
                show_trainable: bool = False, splines: str = "ortho") -> str:
    if not getattr(model, "built", True) and not getattr(model, "layers", None):
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    lines = [f'digraph "{_escape(getattr(model, "name", "model"))}" {{',
             f'  graph [rankdir={rankdir}, concentrate=true, dpi={int(dpi)}, splines={splines}];',
             '  node [shape=record, fontname="Helvetica"];']
    layers = list(getattr(model, "layers", []))
    ids = {id(layer): f"n{i}" for i, layer in enumerate(layers)}
    for layer in layers:
        label = _layer_label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
        lines.append(f'  {ids[id(layer)]} [label="{label}"];')
    for a, b in _edges(model):
        if id(a) in ids and id(b) in ids:
            lines.append(f"  {ids[id(a)]} -> {ids[id(b)]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, **kwargs: Any) -> Any:
    """The model graph as a ``pydot.Dot`` (needs pydot).

    Args:
        model: A built model.
        show_shapes: Show the output shape of each layer.
        show_dtype: Show the dtype of each layer.
        show_layer_names: Show layer names.
        rankdir: Graphviz direction: "TB" (vertical) or "LR" (horizontal).
        expand_nested: Accepted for compatibility (nested models are drawn as one node).
        dpi: Resolution.
        subgraph: Accepted for compatibility.
        show_layer_activations: Show the activation of layers that have one.
        show_trainable: Show whether each layer is trainable.
        **kwargs: ``splines`` (Graphviz edge style, default "ortho").

    Returns:
        A ``pydot.Dot`` graph.

    Raises:
        ImportError: without pydot.
    """
    pydot = _pydot()
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work.")
    source = _dot_source(model, show_shapes, show_dtype, show_layer_names, rankdir, dpi, show_layer_activations,
                         show_trainable, kwargs.get("splines", "ortho"))
    return pydot.graph_from_dot_data(source)[0]


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
               **kwargs: Any) -> Any:
    """Draw the model graph to ``to_file`` (like Keras). A ``.dot`` file needs no extra package.

    Args:
        model: A built model.
        to_file: Output file; the extension picks the format (``.dot``/``.gv`` write Graphviz text and
            need nothing else; ``.png``, ``.pdf``, ``.svg``... need pydot and Graphviz).
        show_shapes: Show the output shape of each layer.
        show_dtype: Show the dtype of each layer.
        show_layer_names: Show layer names.
        rankdir: Graphviz direction: "TB" (vertical) or "LR" (horizontal).
        expand_nested: Accepted for compatibility (nested models are drawn as one node).
        dpi: Resolution.
        show_layer_activations: Show the activation of layers that have one.
        show_trainable: Show whether each layer is trainable.
        splines: Graphviz edge style.
        **kwargs: Not supported (``layer_range`` raises).

    Returns:
        An ``IPython.display.Image`` of the picture when IPython is installed (not for ``.pdf``/``.dot``),
        else None.

    Raises:
        ImportError: for a picture format without pydot or Graphviz.
        ValueError: for unknown keyword arguments.
    """
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    to_file = os.fspath(to_file)
    ext = os.path.splitext(to_file)[1][1:].lower() or "png"
    source = _dot_source(model, show_shapes, show_dtype, show_layer_names, rankdir, dpi, show_layer_activations,
                         show_trainable, splines)
    if ext in ("dot", "gv"):
        with open(to_file, "w") as f:
            f.write(source)
        return None
    pydot = _pydot()
    if pydot is None:
        raise ImportError(_PYDOT_MSG + " (Or save the graph as DOT text with `to_file='model.dot'`.)")
    if shutil.which("dot") is None:
        raise ImportError(_GRAPHVIZ_MSG + " (Or save the graph as DOT text with `to_file='model.dot'`.)")
    dot = pydot.graph_from_dot_data(source)[0]
    dot.write(to_file, format=ext)
    if ext != "pdf":
        try:
            from IPython import display

            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
