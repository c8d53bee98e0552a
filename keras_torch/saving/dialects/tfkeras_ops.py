"""Raw ops in functional configs: tf-keras's ``TFOpLambda`` entries <-> Keras 3's operation entries.

* reading a tf-keras file: ``TFOpLambda`` / ``SlicingOpLambda`` nodes keep their first call argument's
  structure (``["x", 0, 0, {"y": 3.0}]`` is one node whose first argument is one tensor, while a plain
  layer's node is a list of references) and may start with a ``_CONSTANT_VALUE``;
  :func:`op_nodes_to_keras3` rewrites them as Keras 3 ``{"args", "kwargs"}`` nodes;
* writing ``.keras`` (read by Keras 3, which has no ``TFOpLambda``): :func:`tf_op_to_keras3` turns
  each one into the Keras 3 operation computing the same (``tf.math.multiply`` -> ``Multiply``);
* writing ``.h5`` (read by tf-keras, which has no ``keras.src.ops``): :func:`keras3_op_to_tf` does the
  reverse.

Both directions follow ``keras_torch.layers.tf_op_layer.TF_OPS``; an op without a counterpart in the
other library raises ``ValueError`` naming it.
"""

from __future__ import annotations

import inspect
from typing import Any

from keras_torch.core.operations import operation_class
from keras_torch.layers.tf_op_layer import TF_OPS, TFOp, lookup_tf_op

OP_LAYERS = ("TFOpLambda", "SlicingOpLambda")
_CONSTANT = "_CONSTANT_VALUE"


def _is_ref(x: Any) -> bool:
    return (isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str) and isinstance(x[1], int)
            and (x[0] == _CONSTANT or isinstance(x[2], int)))


def _tensor(ref: list) -> dict[str, Any]:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": [ref[0], ref[1], ref[2]]}}


def _kwargs_to_keras3(value: Any) -> Any:
    if _is_ref(value) and len(value) == 3 and value[0] != _CONSTANT:
        return _tensor(value)
    if isinstance(value, list):
        return [_kwargs_to_keras3(v) for v in value]
    if isinstance(value, dict):
        return {k: _kwargs_to_keras3(v) for k, v in value.items()}
    return value


def _node_to_keras3(node: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}

    def first_arg(data: Any) -> Any:
        if _is_ref(data):
            if len(data) == 4 and isinstance(data[3], dict):
                kwargs.update(data[3])
            return data[2] if data[0] == _CONSTANT else _tensor(data)
        return [first_arg(d) for d in data]

    first = first_arg(node)
    return {"args": [first], "kwargs": {k: _kwargs_to_keras3(v) for k, v in kwargs.items()}}


def op_nodes_to_keras3(model_config: dict[str, Any]) -> None:
    """In place: the Keras 2 nodes of the op layers of a functional config -> Keras 3 nodes."""
    for entry in model_config.get("layers", []):
        if isinstance(entry, dict) and entry.get("class_name") in OP_LAYERS:
            entry["inbound_nodes"] = [n if isinstance(n, dict) else _node_to_keras3(n)
                                      for n in entry.get("inbound_nodes", [])]


def _slice_entry(s: Any) -> Any:
    if isinstance(s, dict) and "start" in s and "class_name" not in s:
        return {"class_name": "__slice__", "config": {k: s.get(k) for k in ("start", "stop", "step")}}
    return s


def tf_op_to_keras3(entry: dict[str, Any]) -> dict[str, Any]:
    """A serialized ``TFOpLambda`` entry (Keras 3 nodes) -> the Keras 3 operation entry computing the same."""
    function = entry["config"].get("function", "")
    op = lookup_tf_op(function, entry.get("name", ""))
    if op.keras is None:
        raise ValueError(f"Layer '{entry.get('name')}' applies TensorFlow op 'tf.{function}', which Keras 3 has no "
                         "operation for: the model cannot be written as a .keras file. Save it as .h5 (tf-keras "
                         "format), or replace the op with a layer.")
    cls = operation_class(op.keras)
    nodes = []
    config = None
    for node in entry.get("inbound_nodes", []):
        bound = op.bind(tuple(node.get("args", [])), dict(node.get("kwargs", {})))
        args = [bound[name] for name in op.tensors]
        if op.keras == "GetItem":
            spec = args[1] if isinstance(args[1], list) else [args[1]]
            args[1] = [_slice_entry(s) for s in spec]
        node_config = {k3: bound[tf] for tf, k3 in op.config if tf in bound}
        if config is not None and node_config != config:
            raise ValueError(f"Layer '{entry.get('name')}' (tf.{function}) is called with different arguments "
                             "at different nodes; Keras 3 keeps them in one operation config.")
        config = node_config
        nodes.append({"args": args, "kwargs": {}})
    return {"module": cls.keras_module, "class_name": op.keras, "registered_name": op.keras,
            "config": {"name": entry["config"].get("name", entry.get("name")), **(config or {})},
            "name": entry.get("name"), "inbound_nodes": nodes}


def _tf_op_for(class_name: str) -> tuple[str, TFOp]:
    for function, op in TF_OPS.items():
        if op.keras == class_name:
            return function, op
    raise ValueError(f"Keras operation '{class_name}' has no TensorFlow op counterpart in keras_torch's table "
                     "(keras_torch.layers.tf_op_layer.TF_OPS): the model cannot be written as a tf-keras .h5 file. "
                     "Save it as .keras.")


def keras3_op_to_tf(entry: dict[str, Any]) -> dict[str, Any]:
    """A Keras 3 operation entry (Keras 3 nodes) -> the tf-keras ``TFOpLambda`` entry, Keras 2 nodes included."""
    function, op = _tf_op_for(entry["class_name"])
    params = list(inspect.signature(op.fn).parameters)
    config = {k: v for k, v in entry.get("config", {}).items() if k != "name"}
    nodes = []
    for node in entry.get("inbound_nodes", []):
        args = list(node.get("args", []))
        kwargs = {name: value for name, value in zip(op.tensors[1:], args[1:])}
        kwargs.update({tf: config[k3] for tf, k3 in op.config if k3 in config})
        if entry["class_name"] == "GetItem":
            kwargs = {"slice_spec": [_tf_slice(s) for s in (args[1] if isinstance(args[1], list) else [args[1]])]}
        if "name" in params:
            kwargs["name"] = None
        nodes.append(_keras2_op_node(args[0], _refs_to_keras2(kwargs)))
    class_name = "SlicingOpLambda" if entry["class_name"] == "GetItem" else "TFOpLambda"
    name = entry.get("name") or entry["config"].get("name")
    return {"class_name": class_name, "config": {"name": name, "trainable": True, "dtype": "float32",
                                                 "function": function},
            "name": name, "inbound_nodes": nodes}


def _tf_slice(s: Any) -> Any:
    if isinstance(s, dict) and s.get("class_name") == "__slice__":
        return dict(s.get("config", {}))
    if isinstance(s, dict) and s.get("class_name") == "__ellipsis__":
        return {"class_name": "__ellipsis__"}
    return s


def _refs_to_keras2(value: Any) -> Any:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return list(value["config"]["keras_history"])
    if isinstance(value, list):
        return [_refs_to_keras2(v) for v in value]
    if isinstance(value, dict):
        return {k: _refs_to_keras2(v) for k, v in value.items()}
    return value


def op_node_to_keras2(node: dict[str, Any]) -> Any:
    """A Keras 3 node of a ``TFOpLambda`` -> tf-keras's form (first argument's structure, then keyword arguments)."""
    args = list(node.get("args", []))
    kwargs = _refs_to_keras2(dict(node.get("kwargs", {})))
    if len(args) > 1:
        raise ValueError("A TFOpLambda node takes one positional argument (then keyword arguments); "
                         f"received {len(args)}.")
    return _keras2_op_node(args[0] if args else [], kwargs)


def _keras2_op_node(first: Any, kwargs: dict[str, Any]) -> Any:
    """tf-keras's node of an op layer: the first argument's structure, each leaf ``[name, ni, ti, kwargs]``."""
    if isinstance(first, dict) and first.get("class_name") == "__keras_tensor__":
        return [*first["config"]["keras_history"], kwargs]
    if isinstance(first, list):
        return [_keras2_op_node(v, kwargs) for v in first]
    return [_CONSTANT, -1, first, kwargs]
