"""Node references in functional configs: ``[layer name, node index, tensor index]``.

Keras 2 (tf-keras) counts the node created when a nested model is built as node 0 of that model,
so references to a nested model start at 1; Keras 3 and keras_torch number only the calls made in
the enclosing model. Keras 2 writes nodes as lists of references, Keras 3 as ``{"args", "kwargs"}``
with ``__keras_tensor__`` entries.
"""

from __future__ import annotations

from typing import Any


def is_entry(x: Any) -> bool:
    """Whether ``x`` is a serialized object entry (``{"class_name": str, "config": ...}``)."""
    return isinstance(x, dict) and isinstance(x.get("class_name"), str) and "config" in x


def has_input_layer(entry: dict[str, Any]) -> bool:
    """Whether a Sequential entry starts with an InputLayer (Keras 2 then counts a built-in node)."""
    layers = entry.get("config", {}).get("layers") if isinstance(entry.get("config"), dict) else None
    return bool(layers) and isinstance(layers[0], dict) and layers[0].get("class_name") == "InputLayer"


def keras2_builtin_node(entry: dict[str, Any]) -> bool:
    """Whether a Keras 2 file counts this nested model's construction node in its node indices."""
    cls = entry.get("class_name")
    if cls in ("Functional", "Model") and "input_layers" in (entry.get("config") or {}):
        return True
    return cls == "Sequential" and has_input_layer(entry)


def map_refs(obj: Any, offsets: dict[str, int], sign: int) -> Any:
    """Shift ``[name, node_index, tensor_index]`` references (both node dialects) by the offsets."""
    if isinstance(obj, dict):
        if obj.get("class_name") == "__keras_tensor__":
            cfg = dict(obj["config"])
            name, ni, ti = cfg["keras_history"]
            if name in offsets and (sign > 0 or ni >= offsets[name]):
                ni = ni + sign * offsets[name]
            cfg["keras_history"] = [name, ni, ti]
            return {**obj, "config": cfg}
        return {k: map_refs(v, offsets, sign) for k, v in obj.items()}
    if isinstance(obj, list):
        if len(obj) >= 3 and isinstance(obj[0], str) and isinstance(obj[1], int) and isinstance(obj[2], int):
            name, ni = obj[0], obj[1]
            if name in offsets and (sign > 0 or ni >= offsets[name]):
                ni = ni + sign * offsets[name]
            rest = [map_refs(v, offsets, sign) for v in obj[3:]]
            return [name, ni, obj[2], *rest]
        return [map_refs(v, offsets, sign) for v in obj]
    return obj


def _uses_list_nodes(cfg: dict[str, Any]) -> bool:
    for e in cfg.get("layers", []):
        for node in e.get("inbound_nodes", []) or []:
            return isinstance(node, list)
    return "module" not in str(cfg.get("layers", [{}])[0:1])


def renumber_keras2_nodes(entry: dict[str, Any]) -> None:
    """In place: a functional entry written by Keras 2 -> node indices without nested models' built-in node."""
    cfg = entry.get("config")
    if not isinstance(cfg, dict) or "input_layers" not in cfg or not _uses_list_nodes(cfg):
        return
    offsets = {}
    for e in cfg.get("layers", []):
        if isinstance(e, dict) and keras2_builtin_node(e):
            offsets[e.get("name") or e["config"].get("name")] = 1
    if not offsets:
        return
    for e in cfg["layers"]:
        e["inbound_nodes"] = map_refs(e.get("inbound_nodes", []), offsets, -1)
    for key in ("input_layers", "output_layers"):
        cfg[key] = map_refs(cfg[key], offsets, -1)
