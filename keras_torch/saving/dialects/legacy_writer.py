"""Writing the Keras 2 dialect: the ``model_config`` of legacy ``.h5`` files, loadable by tf-keras and Keras 3.

keras_torch's Keras 3 entries are rewritten with Keras 2 node lists (``[[name, node, tensor, kwargs]]``,
counting nested models' built-in node), plain dtype names, and only the constructor keys tf-keras
2.21 accepts (:data:`.tfkeras_keys.TFK_KEYS`).
"""

from __future__ import annotations

import inspect
from typing import Any

from keras_torch.saving.dialects.nodes import has_input_layer, is_entry, map_refs
from keras_torch.saving.dialects.tfkeras_keys import TFK_KEYS
from keras_torch.saving.dialects.tfkeras_ops import OP_LAYERS, keras3_op_to_tf, op_node_to_keras2
from keras_torch.saving.model_kinds import is_model

_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def _tfk_keys(category: str, class_name: str) -> frozenset[str] | None:
    return TFK_KEYS.get(category, {}).get(class_name)


def _legacy_object(obj: Any, category: str) -> Any:
    """Nested serialized objects (initializers...) keep their Keras 3 shape minus keys tf-keras rejects."""
    if not is_entry(obj) or not isinstance(obj["config"], dict):
        return obj
    keys = _tfk_keys(category, obj["class_name"])
    cfg = dict(obj["config"])
    if keys is not None:
        cfg = {k: v for k, v in cfg.items() if k in keys}
    return {**obj, "config": cfg}


# Kept although tf-keras rejects them: a LoRA layer's file lists its factors, which only Keras 3 reads.
_LORA_KEYS = ("lora_rank", "lora_alpha")

_CATEGORY_OF_KEY = (("initializer", "initializers"), ("regularizer", "regularizers"), ("constraint", "constraints"))


def _legacy_dtype(dtype: Any) -> Any:
    if isinstance(dtype, dict):
        name = dtype.get("config", {}).get("name", "float32")
        if name.startswith("mixed_"):
            return {"class_name": "Policy", "config": {"name": name}}
        return name
    return dtype


def legacy_layer_config(class_name: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """A Keras 3 layer config -> keys/values tf-keras and Keras 3 both accept."""
    cfg = dict(cfg)
    if "dtype" in cfg:
        cfg["dtype"] = _legacy_dtype(cfg["dtype"])
    if class_name == "InputLayer":
        if "batch_shape" in cfg:
            cfg["batch_input_shape"] = cfg.pop("batch_shape")
        cfg.pop("optional", None)
    elif class_name == "TextVectorization":
        cfg["dtype"] = "string"  # tf-keras accepts no other dtype for it; Keras 3 takes it too
    elif class_name in ("StringLookup", "IntegerLookup"):
        cfg.pop("dtype", None)  # each library derives the output dtype from output_mode
    elif class_name == "Discretization" and cfg.get("bin_boundaries") is not None:
        cfg["num_bins"] = None  # adapted: tf-keras's constructor rejects both
    for key, value in list(cfg.items()):
        for suffix, category in _CATEGORY_OF_KEY:
            if key.endswith(suffix) and isinstance(value, dict):
                cfg[key] = _legacy_object(value, category)
        if key in ("layer", "backward_layer", "forward_layer", "cell") and is_entry(value):
            cfg[key] = _legacy_nested_layer(value)
        if key == "cells" and isinstance(value, list):
            cfg[key] = [_legacy_nested_layer(v) if is_entry(v) else v for v in value]
    keys = _tfk_keys("layers", class_name)
    if keys is not None:
        cfg = {k: v for k, v in cfg.items() if k in keys or k in _LORA_KEYS}
    return cfg


def _legacy_nested_layer(entry: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in entry.items() if k != "build_config"}
    out["config"] = legacy_layer_config(entry["class_name"], entry["config"])
    return out


def _call_arg_names(layer: Any) -> list[str]:
    try:
        params = list(inspect.signature(type(layer).call).parameters.values())
    except (TypeError, ValueError):
        return []
    return [p.name for p in params[1:] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _k2_ref(t: Any) -> list:
    return list(t["config"]["keras_history"])


def _is_kt(x: Any) -> bool:
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _k2_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    def conv(x: Any) -> Any:
        if _is_kt(x):
            return _k2_ref(x)
        if isinstance(x, list):
            return [conv(v) for v in x]
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        return x

    return {k: conv(v) for k, v in kwargs.items() if v is not None and k != "mask"}


def _k2_node(node: Any, layer: Any) -> list:
    """A Keras 3 ``{"args", "kwargs"}`` node -> the Keras 2 ``[[name, ni, ti, kwargs], ...]`` form."""
    if isinstance(node, list):
        return node
    args = list(node.get("args", []))
    kwargs = _k2_kwargs(node.get("kwargs", {}))
    if args and len(args) > 1:
        names = _call_arg_names(layer)
        for name, value in zip(names[1:], args[1:]):
            kwargs[name] = _k2_kwargs({name: value})[name]
        args = args[:1]
    first = args[0] if args else []
    tensors = first if isinstance(first, list) else [first]
    out = []
    for t in tensors:
        if _is_kt(t):
            out.append([*_k2_ref(t), kwargs])
        else:
            out.append(["_CONSTANT_VALUE", -1, t, kwargs])
    return out


def _legacy_model_entry(layer: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """Keras 2 entry for a (nested or top-level) model; ``entry`` is keras_torch's serialize_layer()."""
    cls = entry["class_name"]
    cfg = entry["config"]
    out_cfg: dict[str, Any] = {"name": cfg.get("name", layer.name)}
    if not cfg.get("trainable", True):
        out_cfg["trainable"] = False
    if cls == "Sequential":
        entries, layers = cfg["layers"], list(layer.layers)
        lead = len(entries) - len(layers)  # an InputLayer entry has no counterpart in `layers`
        out_cfg["layers"] = [_legacy_entry(layers[i - lead] if i >= lead else None, e) for i, e in enumerate(entries)]
        return {"class_name": "Sequential", "config": out_cfg}
    by_name = {sub.name: sub for sub in layer._direct_sublayers()}  # operations (x + 3) included
    layers_out = []
    offsets = {}
    for e in cfg["layers"]:
        sub = by_name[e["name"]]
        if str(e.get("module", "")).startswith("keras.src.ops."):
            layers_out.append(keras3_op_to_tf(e))  # tf-keras records raw ops as TFOpLambda layers
            continue
        le = _legacy_entry(sub, e)
        if le["class_name"] == "Functional" or (le["class_name"] == "Sequential" and has_input_layer(le)):
            offsets[e["name"]] = 1
        le["name"] = e["name"]
        if e["class_name"] in OP_LAYERS:
            le["inbound_nodes"] = [op_node_to_keras2(n) for n in e.get("inbound_nodes", [])]
        else:
            le["inbound_nodes"] = [_k2_node(n, sub) for n in e.get("inbound_nodes", [])]
        layers_out.append(le)
    for le in layers_out:
        le["inbound_nodes"] = map_refs(le["inbound_nodes"], offsets, +1)
    out_cfg["layers"] = layers_out

    def refs(r: Any) -> list:
        # Keras 2 always stores lists of [name, node_index, tensor_index].
        if isinstance(r, list) and len(r) == 3 and isinstance(r[0], str):
            return [r]
        if isinstance(r, dict):
            return [v for v in r.values()]
        return list(r)

    out_cfg["input_layers"] = map_refs(refs(cfg["input_layers"]), offsets, +1)
    out_cfg["output_layers"] = map_refs(refs(cfg["output_layers"]), offsets, +1)
    return {"class_name": "Functional", "config": out_cfg}


def _with_vocabulary(layer: Any, cfg: dict[str, Any]) -> dict[str, Any]:
    """An adapted lookup vocabulary written into the layer's config.

    A ``.keras`` file keeps it in ``assets/``; an ``.h5`` file has no assets (Keras 3 drops the vocabulary
    there and tf-keras refuses to save it), but both rebuild a lookup from its ``vocabulary`` (and
    ``idf_weights``) arguments.
    """
    if layer is None or "vocabulary" not in cfg or cfg["vocabulary"] is not None:
        return cfg
    if not layer.get_vocabulary(include_special_tokens=False):
        return cfg  # never adapted: nothing to keep
    vocabulary = layer.get_vocabulary(include_special_tokens=True)
    cfg = {**cfg, "vocabulary": [v.item() if hasattr(v, "item") else v for v in vocabulary]}
    store: dict[str, Any] = {}
    layer.save_own_variables(store)
    if "idf_weights" in store:
        cfg["idf_weights"] = [float(w) for w in store["idf_weights"][: len(vocabulary)]]
    return cfg


def _legacy_entry(layer: Any, entry: dict[str, Any]) -> dict[str, Any]:
    if is_model(layer) and entry["class_name"] in _MODEL_CLASSES:
        return _legacy_model_entry(layer, entry)
    cls = entry["class_name"]
    registered = entry.get("registered_name")
    out = {"class_name": registered if registered and registered != cls else cls,
           "config": _with_vocabulary(layer, legacy_layer_config(cls, entry["config"]))}
    shapes = (entry.get("build_config") or {}).get("shapes_dict")
    if cls == "MultiHeadAttention" and shapes:
        # tf-keras rebuilds attention from these config keys (its from_config requires them).
        for key in ("query_shape", "value_shape", "key_shape"):
            value = shapes.get(key) or (shapes.get("value_shape") if key == "key_shape" else None)
            out["config"][key] = list(value) if value is not None else None
    return out


def legacy_model_config(model: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """The ``model_config`` attribute of a legacy ``.h5`` file (Keras 2 dialect).

    Args:
        model: The model being saved.
        entry: Its Keras 3 entry (``serialize_layer(model)``).
    """
    return _legacy_entry(model, entry)
