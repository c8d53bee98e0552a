"""Functional models: ``Model(inputs, outputs)`` and their Keras config (Keras 2 and 3 dialects)."""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry, tree
from keras_torch.core.symbolic import KerasTensor
from keras_torch.models.model import Model


@registry.register("Functional", category="layers")
class Functional(Model):
    """A model defined by a graph of layer calls from ``inputs`` to ``outputs``."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True, **kwargs: Any):
        super().__init__(inputs=inputs, outputs=outputs, name=name, trainable=trainable, **kwargs)


def _tensor_ref(t: KerasTensor, node_ids: dict[int, int]) -> list:
    layer, ni, ti = t._keras_history
    return [layer.name, node_ids.get(id(layer._inbound_nodes[ni]), 0), ti]


def functional_config(model: Model) -> dict[str, Any]:
    """Keras 3 style functional config: layers with inbound nodes, input_layers, output_layers."""
    from keras_torch.saving.serialization import serialize_layer

    g = model._graph_obj
    assert g is not None
    graph_nodes = {id(n) for n in g.nodes} | {id(t._keras_history[0]._inbound_nodes[t._keras_history[1]]) for t in g.inputs}
    # Node indices are renumbered to count only nodes belonging to this model (as Keras does).
    node_ids: dict[int, int] = {}
    for layer in g.layers:
        k = 0
        for node in layer._inbound_nodes:
            if id(node) in graph_nodes:
                node_ids[id(node)] = k
                k += 1
    layers_cfg = []
    for layer in g.layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in graph_nodes or node.is_input:
                continue
            inbound.append(_serialize_node(node, node_ids))
        entry["inbound_nodes"] = inbound
        layers_cfg.append(entry)

    def refs(struct: Any) -> Any:
        return tree.map_structure(lambda t: _tensor_ref(t, node_ids), struct)

    ins, outs = g.inputs_struct, g.outputs_struct
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers_cfg,
        "input_layers": refs(ins) if isinstance(ins, (list, tuple, dict)) else _tensor_ref(ins, node_ids),
        "output_layers": refs(outs) if isinstance(outs, (list, tuple, dict)) else _tensor_ref(outs, node_ids),
    }


def _serialize_node(node: Any, node_ids: dict[int, int]) -> dict[str, Any]:
    def ser(x: Any) -> Any:
        if isinstance(x, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {"shape": list(x.shape), "dtype": x.dtype, "keras_history": _tensor_ref(x, node_ids)},
            }
        if isinstance(x, slice):  # index keys of GetItem, as Keras 3 writes them
            return {"class_name": "__slice__", "config": {"start": x.start, "stop": x.stop, "step": x.step}}
        if x is Ellipsis:
            return {"class_name": "__ellipsis__", "config": {}}
        if isinstance(x, (tuple, list)):
            return [ser(v) for v in x]
        if isinstance(x, dict):
            return {k: ser(v) for k, v in x.items()}
        return x

    return {"args": ser(list(node.call_args)), "kwargs": ser(dict(node.call_kwargs))}


def functional_from_config(cls: type, config: dict[str, Any], custom_objects: dict | None = None) -> Model:
    """Rebuild a functional model from a Keras 2 or Keras 3 config."""
    from keras_torch.saving.serialization import deserialize_layer

    created: dict[str, Any] = {}
    # layer name -> list of output structures per node index (only nodes created here)
    node_outputs: dict[str, list[Any]] = {}
    pending: list[tuple[Any, str, list]] = []
    for entry in config["layers"]:
        layer = deserialize_layer(entry, custom_objects)
        # The graph refers to layers by their entry's name (Keras 3 too), whatever the layer calls itself.
        key = entry.get("name", layer.name)
        created[key] = layer
        node_outputs[key] = []
        from keras_torch.layers.core import InputLayer

        if isinstance(layer, InputLayer):
            node_outputs[key].append(layer.output_tensor)
        pending.append((layer, key, list(entry.get("inbound_nodes", []))))

    def get_tensor(name: str, node_index: int, tensor_index: int) -> KerasTensor | None:
        outs = node_outputs.get(name, [])
        if node_index >= len(outs):
            return None
        flat = tree.flatten(outs[node_index])
        if not isinstance(tensor_index, int) or not 0 <= tensor_index < len(flat):
            # the layer's config makes fewer outputs than the graph uses (e.g. return_state turned off)
            layer = created.get(name)
            raise ValueError(f"Layer '{getattr(layer, 'name', name)}' ({type(layer).__name__}) has {len(flat)} "
                             f"output(s) at node {node_index}, but the model's graph uses its output "
                             f"{tensor_index!r}: the layer's config does not match the graph.")
        return flat[tensor_index]

    def deser_arg(x: Any) -> Any:
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            name, ni, ti = x["config"]["keras_history"]
            t = get_tensor(name, ni, ti)
            if t is None:
                raise _NotReady
            return t
        if isinstance(x, dict) and x.get("class_name") == "__slice__":
            c = x.get("config", {})
            return slice(c.get("start"), c.get("stop"), c.get("step"))
        if isinstance(x, dict) and x.get("class_name") == "__ellipsis__":
            return Ellipsis
        if isinstance(x, list):
            return [deser_arg(v) for v in x]
        if isinstance(x, dict):
            return {k: deser_arg(v) for k, v in x.items()}
        return x

    def node_call_args(node: Any) -> tuple[list, dict]:
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            return list(deser_arg(node.get("args", []))), deser_arg(node.get("kwargs", {}))
        # Keras 2: [[layer_name, node_index, tensor_index, kwargs], ...]
        tensors = []
        kwargs: dict[str, Any] = {}
        for ref in node:
            name, ni, ti = ref[0], ref[1], ref[2]
            if name == "_CONSTANT_VALUE":
                tensors.append(ti)
                continue
            t = get_tensor(name, ni, ti)
            if t is None:
                raise _NotReady
            tensors.append(t)
            if len(ref) > 3 and ref[3]:
                kwargs.update(_deser_kwargs(ref[3], get_tensor))
        return ([tensors[0]] if len(tensors) == 1 else [tensors]), kwargs

    # Process nodes in passes until every layer's nodes are created (handles shared layers).
    progress = True
    while pending and progress:
        progress = False
        remaining = []
        for layer, key, nodes in pending:
            while nodes:
                try:
                    args, kwargs = node_call_args(nodes[0])
                except _NotReady:
                    break
                out = layer(*args, **kwargs)
                node_outputs[key].append(out)
                nodes.pop(0)
                progress = True
            if nodes:
                remaining.append((layer, key, nodes))
        pending = remaining
    if pending:
        raise ValueError(f"Could not rebuild the functional model: unresolved inputs for layers {[k for _, k, _ in pending]}")

    def resolve_refs(refs: Any) -> Any:
        if isinstance(refs, list) and len(refs) == 3 and isinstance(refs[0], str) and isinstance(refs[1], int):
            return get_tensor(refs[0], refs[1], refs[2])
        if isinstance(refs, dict):
            return {k: resolve_refs(v) for k, v in refs.items()}
        return [resolve_refs(r) for r in refs]

    inputs = resolve_refs(config["input_layers"])
    outputs = resolve_refs(config["output_layers"])
    # Keras 2 always stores lists; a single input/output model takes the bare tensor.
    if isinstance(inputs, list) and len(inputs) == 1 and _is_legacy_list(config["input_layers"]):
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1 and _is_legacy_list(config["output_layers"]):
        outputs = outputs[0]
    target = cls if isinstance(cls, type) and issubclass(cls, Functional) else Functional
    return target(inputs=inputs, outputs=outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _is_legacy_list(refs: Any) -> bool:
    return isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list)


def _deser_kwargs(kwargs: dict, get_tensor: Any) -> dict:
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and isinstance(v[1], int):
            t = get_tensor(*v)
            if t is None:
                raise _NotReady
            out[k] = t
        else:
            out[k] = v
    return out


class _NotReady(Exception):
    pass
