"""The functional graph: discover nodes/layers from symbolic outputs and replay them on tensors."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import tree
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.core.symbolic import KerasTensor, Node
from keras_torch.layers.base import _global_hooks_active
from keras_torch.models import fusion


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
        self._steps_cache: dict[bool, list[tuple]] = {}  # see _steps

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

        def visit(root: KerasTensor) -> None:
            # Depth-first, parents before children, without recursion (ResNetRS420 is ~1,500 nodes deep).
            stack: list[tuple[Node, Any]] = []
            end = object()

            def enter(t: KerasTensor) -> None:
                node = node_of(t)
                if id(node) in finished:
                    return
                if id(node) in visiting:
                    raise ValueError("The functional graph has a cycle.")
                visiting.add(id(node))
                stack.append((node, iter(node.input_tensors if id(t) not in input_ids else ())))

            enter(root)
            while stack:
                node, parents = stack[-1]
                parent = next(parents, end)
                if parent is not end:
                    enter(parent)
                    continue
                stack.pop()
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

    def _steps(self, fused: bool = False) -> list[tuple]:
        """Per-node (layer, single-input id or None, args, kwargs, output ids, ids to release, the id of the input
        it may overwrite, whether its output is such an input later), computed once.

        A value is released after the step that uses it last (unless it is an output): holding every
        intermediate until the end would keep all activations of a forward pass alive at once, and
        each new one would then land in fresh (page-faulting) memory instead of a just-freed block.

        Args:
            fused: Plan inference steps: chains of a convolution and what follows it become one
                (:mod:`keras_torch.models.fusion`).
        """
        steps = self._steps_cache.get(fused)
        if steps is None:
            nodes = [n for n in self.nodes if not n.is_input]
            if fused:
                nodes = fusion.fuse(nodes, self.outputs)
            last_use: dict[int, int] = {}
            for i, node in enumerate(nodes):
                for t in tree.flatten((node.call_args, node.call_kwargs)):
                    if isinstance(t, KerasTensor):
                        last_use[id(t)] = i
            kept = {id(t) for t in self.outputs}
            release: list[list[int]] = [[] for _ in nodes]
            for tid, i in last_use.items():
                if tid not in kept:
                    release[i].append(tid)
            donors = [_donor(node, free) for node, free in zip(nodes, release)]
            wanted = set(donors)
            steps = []
            for node, free, donor in zip(nodes, release, donors):
                args, kwargs = node.call_args, node.call_kwargs
                simple = id(args[0]) if (len(args) == 1 and not kwargs and isinstance(args[0], KerasTensor)) else None
                out_ids = [id(t) for t in node.output_tensors]
                gives = len(out_ids) == 1 and out_ids[0] in wanted  # its output is a later step's donor
                steps.append((node.layer, simple, args, kwargs, out_ids, tuple(free), donor, gives))
            self._steps_cache[fused] = steps
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

        # Without autograd, a value no one reads again may be overwritten by the layer it goes to
        # (ReLU, Activation, Add run in place): no new allocation, one memory stream less. Only fresh
        # values qualify: made by a layer that promises new memory (``_fresh_output``), sharing none
        # with that layer's inputs, seen by no hook.
        donate = not torch.is_grad_enabled() and CALL_CONTEXT.export_mode is None and not _global_hooks_active()
        fresh: set[int] = set()
        # Inference (no autograd, not training): a convolution's BatchNormalization, residual Add and
        # activation run inside it.
        fused = donate and fusion.applies(CALL_CONTEXT.training)
        for layer, simple_in, args_struct, kwargs_struct, out_ids, free, donor, gives in self._steps(fused):
            donated = None
            if donate and donor in fresh and not _hooked(layer):
                x = values[donor]
                if _alone(x, donor, values):
                    donated = (layer, x)
                del x
            if donated is not None:
                outer, CALL_CONTEXT.donated = CALL_CONTEXT.donated, donated
            try:
                if simple_in is not None:
                    call_args = (values[simple_in],)
                    out = layer(call_args[0])
                else:
                    kwargs = tree.map_structure(resolve, kwargs_struct)
                    # As Keras 3's Functional: a `training` recorded in the node (Keras 3 files record the
                    # augmentation layers' default True) gives way to the training mode of the model's call.
                    if "training" in kwargs and CALL_CONTEXT.training is not None:
                        kwargs["training"] = CALL_CONTEXT.training
                    call_args = tree.map_structure(resolve, args_struct)
                    out = layer(*call_args, **kwargs)
            finally:
                if donated is not None:
                    CALL_CONTEXT.donated = outer
            if len(out_ids) == 1:
                values[out_ids[0]] = out if isinstance(out, torch.Tensor) else tree.flatten(out)[0]
            else:
                for kid, v in zip(out_ids, tree.flatten(out)):
                    values[kid] = v
            if donate and gives and _is_fresh(layer, out, donated, call_args):
                fresh.add(out_ids[0])
            out = donated = call_args = None
            for tid in free:
                values.pop(tid, None)
                fresh.discard(tid)
        return tree.map_structure(resolve, self.outputs_struct)


def _donor(node: Any, free: list[int]) -> int | None:
    """The id of the input a step may overwrite, when this step reads it last and once: its only input,
    the first of its one list of inputs, or a fused convolution's residual."""
    args, kwargs = node.call_args, node.call_kwargs
    if isinstance(node, fusion.FusedNode):
        residual = args[1] if len(args) == 2 else None
        return id(residual) if residual is not None and residual is not args[0] and id(residual) in free else None
    if kwargs or len(args) != 1:
        return None
    first = args[0][0] if isinstance(args[0], (list, tuple)) and args[0] else args[0]
    if not isinstance(first, KerasTensor) or id(first) not in free:
        return None
    uses = sum(t is first for t in tree.flatten(args))
    return id(first) if uses == 1 else None


# Below this many elements overwriting an input saves less than the checks cost.
_DONATE_MIN_ELEMENTS = 1 << 14


def _storage_ptr(t: torch.Tensor) -> int:
    return t.untyped_storage().data_ptr()


def _is_fresh(layer: Any, out: Any, donated: tuple | None, call_args: Any) -> bool:
    """Is ``out`` memory of ``layer``'s own (new, or its donated input; not another input, a view of one, or
    something the layer keeps)?"""
    if (
        type(out) is not torch.Tensor
        or not getattr(layer, "_fresh_output", False)
        or out.numel() < _DONATE_MIN_ELEMENTS
    ):
        return False
    if out.requires_grad or _hooked(layer):  # a weight; a hook may have kept the output
        return False
    if donated is not None and out is donated[1]:  # computed in place in a donated (fresh) input
        return True
    inputs = tree.flatten(call_args)
    ptr = _storage_ptr(out)
    return all(ptr != _storage_ptr(t) for t in inputs if isinstance(t, torch.Tensor))


def _alone(x: torch.Tensor, key: int, values: dict[int, Any]) -> bool:
    """No other live value of the graph shares ``x``'s memory (the same tensor passed on by an identity
    layer, a view of it taken by a Reshape)."""
    ptr = _storage_ptr(x)
    return not any(k != key and isinstance(v, torch.Tensor) and _storage_ptr(v) == ptr for k, v in values.items())


def _hooked(layer: Any) -> bool:
    """Has the (torch) module forward hooks that could keep or read a tensor it gets or makes?"""
    return bool(getattr(layer, "_forward_hooks", None) or getattr(layer, "_forward_pre_hooks", None))


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
