"""The functional graph: discover nodes/layers from symbolic outputs and replay them on tensors."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import tree
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.core.symbolic import KerasTensor, Node


class Graph:
    """Nodes between ``inputs`` and ``outputs`` in Keras execution order (by depth, then traversal).

    Layer order follows Keras's ``map_graph`` so ``model.layers`` indices (and legacy ``.h5``
    weight order) match real Keras.
    """

    def __init__(self, inputs: Any, outputs: Any) -> None:
        self.inputs_struct = inputs
        self.outputs_struct = outputs
        self.inputs: list[KerasTensor] = tree.flatten(inputs)
        self.outputs: list[KerasTensor] = tree.flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(
                    "All `inputs` and `outputs` of a functional model must be symbolic tensors "
                    f"(from keras.Input and layer calls). Received: {t!r}"
                )
        self.nodes, self.layers = self._map_graph()
        self._steps_cache: list[tuple] | None = None  # see _steps

    def _map_graph(self) -> tuple[list[Node], list[Any]]:
        order: dict[int, int] = {}  # id(node) -> traversal index
        node_objs: dict[int, Node] = {}
        finished: set[int] = set()
        visiting: set[int] = set()
        input_ids = {id(t) for t in self.inputs}

        def node_of(t: KerasTensor) -> Node:
            if t._keras_history is None:
                raise ValueError(f"Tensor {t} is not the output of a Keras layer (no history).")
            layer, ni, _ = t._keras_history
            return layer._inbound_nodes[ni]

        def visit(t: KerasTensor) -> None:
            node = node_of(t)
            if id(node) in finished:
                return
            if id(node) in visiting:
                raise ValueError("The functional graph has a cycle.")
            visiting.add(id(node))
            if id(t) not in input_ids:
                for parent_t in node.input_tensors:
                    visit(parent_t)
            visiting.discard(id(node))
            finished.add(id(node))
            order[id(node)] = len(order)
            node_objs[id(node)] = node

        for t in self.outputs:
            visit(t)

        # Depth: output nodes are 0 and every parent is deeper than each of its children.
        # Reverse post-order visits children before parents, so one pass suffices on a DAG.
        depth: dict[int, int] = dict.fromkeys(order, 0)
        input_node_ids = {id(node_of(t)) for t in self.inputs}
        for nid in sorted(order, key=order.get, reverse=True):
            if nid in input_node_ids:
                continue
            for parent_t in node_objs[nid].input_tensors:
                pid = id(node_of(parent_t))
                depth[pid] = max(depth[pid], depth[nid] + 1)
        # Input nodes sit at the maximum depth (they are visited first by Keras).
        nodes = sorted(node_objs.values(), key=lambda n: (-depth[id(n)], order[id(n)]))
        layer_depth: dict[int, int] = {}
        layer_order: dict[int, int] = {}
        layers: dict[int, Any] = {}
        for n in nodes:
            lid = id(n.layer)
            layers[lid] = n.layer
            layer_depth[lid] = max(layer_depth.get(lid, 0), depth[id(n)])
            layer_order.setdefault(lid, order[id(n)])
        for t in self.inputs:  # inputs declared but unused still belong to the model
            lyr = t._keras_history[0]
            if id(lyr) not in layers:
                layers[id(lyr)] = lyr
                layer_depth[id(lyr)] = max(layer_depth.values(), default=0) + 1
                layer_order[id(lyr)] = -1
        ordered = sorted(layers.values(), key=lambda lyr: (-layer_depth[id(lyr)], layer_order[id(lyr)]))
        # Keras lists InputLayers in the order of model.inputs.
        from keras_torch.layers.core import InputLayer

        input_layers = [t._keras_history[0] for t in self.inputs]
        others = [lyr for lyr in ordered if not isinstance(lyr, InputLayer) or lyr not in input_layers]
        ordered = [lyr for lyr in input_layers if lyr in ordered] + others
        ordered = list(dict.fromkeys(ordered))
        return [n for n in nodes if not n.is_input or n.output_tensors[0] not in self.inputs], ordered

    def _steps(self) -> list[tuple]:
        """Per-node (layer, single-input id or None, args, kwargs, output ids), computed once."""
        steps = self._steps_cache
        if steps is None:
            steps = []
            for node in self.nodes:
                if node.is_input:
                    continue
                args, kwargs = node.call_args, node.call_kwargs
                simple = id(args[0]) if (len(args) == 1 and not kwargs and isinstance(args[0], KerasTensor)) else None
                steps.append((node.layer, simple, args, kwargs, [id(t) for t in node.output_tensors]))
            self._steps_cache = steps
        return steps

    def run(self, inputs: Any, input_names: list[str]) -> Any:
        """Evaluate the graph on real tensors (``inputs`` mirrors ``inputs_struct`` or is a dict by name)."""
        flat = adjust_input_rank(_match_inputs(inputs, self.inputs_struct, self.inputs, input_names), self.inputs)
        values: dict[int, Any] = {}
        for kt, v in zip(self.inputs, flat):
            values[id(kt)] = v

        def resolve(x: Any) -> Any:
            if isinstance(x, KerasTensor):
                return values[id(x)]
            return x

        for layer, simple_in, args_struct, kwargs_struct, out_ids in self._steps():
            if simple_in is not None:
                out = layer(values[simple_in])
            else:
                kwargs = tree.map_structure(resolve, kwargs_struct)
                # As Keras 3's Functional: a `training` recorded in the node (Keras 3 files record the
                # augmentation layers' default True) gives way to the training mode of the model's call.
                if "training" in kwargs and CALL_CONTEXT.training is not None:
                    kwargs["training"] = CALL_CONTEXT.training
                out = layer(*tree.map_structure(resolve, args_struct), **kwargs)
            if len(out_ids) == 1:
                values[out_ids[0]] = out if isinstance(out, torch.Tensor) else tree.flatten(out)[0]
            else:
                for kid, v in zip(out_ids, tree.flatten(out)):
                    values[kid] = v
        return tree.map_structure(resolve, self.outputs_struct)


def _match_inputs(inputs: Any, struct: Any, flat_kts: list[KerasTensor], names: list[str]) -> list[Any]:
    if isinstance(inputs, dict):
        if isinstance(struct, dict):
            missing = [k for k in struct if k not in inputs]
            if not missing:
                return tree.flatten({k: inputs[k] for k in struct})
        by_name = [inputs.get(n) for n in names]
        if all(v is not None for v in by_name):
            return by_name
        raise ValueError(
            f"Missing data for input(s) {[n for n, v in zip(names, by_name) if v is None]}. "
            f"Expected keys: {names}. Received keys: {list(inputs)}"
        )
    flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(flat) != len(flat_kts):
        raise ValueError(
            f"The model expects {len(flat_kts)} input(s), but it received {len(flat)} input tensors. "
            f"Expected inputs: {names}"
        )
    return flat


def adjust_input_rank(values: list[Any], kts: list[KerasTensor]) -> list[Any]:
    """Keras's rank adjustment of functional inputs: a missing trailing axis of size 1 is added, an extra
    trailing axis of size 1 removed (``(16, 28, 28)`` feeds an input declared ``(None, 28, 28, 1)``)."""
    out = []
    for v, kt in zip(values, kts):
        if isinstance(v, torch.Tensor) and v.ndim != len(kt.shape):
            if v.ndim == len(kt.shape) + 1 and v.shape[-1] == 1:
                v = v.squeeze(-1)
            elif v.ndim == len(kt.shape) - 1 and kt.shape and kt.shape[-1] == 1:
                v = v.unsqueeze(-1)
        out.append(v)
    return out


def check_input_shapes(values: list[torch.Tensor], kts: list[KerasTensor], model_name: str) -> None:
    """Clear error when data doesn't fit the model's declared input shapes."""
    for i, (v, kt) in enumerate(zip(values, kts)):
        if not isinstance(v, torch.Tensor):
            continue
        shape = tuple(v.shape)
        want = kt.shape
        bad = len(shape) != len(want) or any(w is not None and w != s for w, s in zip(want, shape))
        if bad:
            exp = "(" + ", ".join("None" if d is None else str(d) for d in want) + ")"
            raise ValueError(
                f'Input {i} of layer "{model_name}" is incompatible with the layer: '
                f"expected shape={exp}, found shape={shape}"
            )
