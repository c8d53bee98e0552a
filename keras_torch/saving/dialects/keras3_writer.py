"""Writing Keras 3's dialect: the ``config.json`` of ``.keras`` files, whatever the model's origin.

A model read from a tf-keras file keeps Keras 2 habits in its layers' configs; Keras 3 refuses them:

* ``batch_input_shape`` in a layer's config (``Unrecognized keyword arguments passed to LSTM``): the
  key is dropped, and a ``Sequential`` whose first layer carried it gets an ``InputLayer`` entry first
  (Keras 3's way to declare the input; without it ``Sequential could not be deserialized properly``);
* ``TFOpLambda`` / ``SlicingOpLambda`` (layers Keras 3 does not have) become the Keras 3 operations
  computing the same (:func:`.tfkeras_ops.tf_op_to_keras3`);
* layer names with ``/`` (tf-keras's MobileNetV3: ``"Conv/BatchNorm"``; Keras 3 refuses the character)
  get ``_`` instead, in the layers and every reference to them (weights in ``.keras`` files are keyed
  by position, not by name).
"""

from __future__ import annotations

import copy
from typing import Any

from keras_torch.saving.dialects.nodes import is_entry
from keras_torch.saving.dialects.tfkeras_ops import OP_LAYERS, tf_op_to_keras3

# Keras 2 input declarations a layer may carry; Keras 3 accepts ``input_shape``/``input_dim`` but
# only an InputLayer declares the batch size.
_KERAS2_INPUT_KEYS = ("batch_input_shape", "batch_size")


def keras3_model_config(entry: dict[str, Any]) -> dict[str, Any]:
    """keras_torch's serialized model -> an entry every key and class of which Keras 3 reads.

    Args:
        entry: ``serialize_layer(model)`` (not modified).

    Returns:
        A converted deep copy.
    """
    return _entry(copy.deepcopy(entry))


def _entry(entry: Any) -> Any:
    if not is_entry(entry) or not isinstance(entry["config"], dict):
        return entry
    cfg = entry["config"]
    if entry["class_name"] == "Sequential" and isinstance(cfg.get("layers"), list):
        cfg["layers"] = [_entry(e) for e in _sequential_layers(cfg["layers"])]
        _rename(cfg, _slash_free_names(cfg["layers"]))
    elif isinstance(cfg.get("layers"), list) and "input_layers" in cfg:
        cfg["layers"] = [tf_op_to_keras3(e) if e.get("class_name") in OP_LAYERS else _entry(e) for e in cfg["layers"]]
        _rename(cfg, _slash_free_names(cfg["layers"]))
    else:
        for key in ("layer", "backward_layer", "forward_layer", "cell"):
            if is_entry(cfg.get(key)):
                cfg[key] = _entry(cfg[key])
        if isinstance(cfg.get("cells"), list):
            cfg["cells"] = [_entry(c) for c in cfg["cells"]]
    if entry["class_name"] != "InputLayer":
        for key in _KERAS2_INPUT_KEYS:
            cfg.pop(key, None)
    return entry


def _slash_free_names(layers: list[dict[str, Any]]) -> dict[str, str]:
    """old -> new name of every layer whose name has a ``/``, new names unique among the layers."""
    names = {e.get("config", {}).get("name") for e in layers}
    renames: dict[str, str] = {}
    for name in sorted(n for n in names if isinstance(n, str) and "/" in n):
        new = base = name.replace("/", "_")
        i = 1
        while new in names:
            new, i = f"{base}_{i}", i + 1
        names.add(new)
        renames[name] = new
    return renames


def _rename(cfg: dict[str, Any], renames: dict[str, str]) -> None:
    """Apply ``renames`` to the layers of one model config and to the references to them (not nested models)."""
    if not renames:
        return
    for e in cfg["layers"]:
        if e.get("config", {}).get("name") in renames:
            e["config"]["name"] = renames[e["config"]["name"]]
        if e.get("name") in renames:
            e["name"] = renames[e["name"]]
        e["inbound_nodes"] = _renamed_refs(e.get("inbound_nodes", []), renames)
    for key in ("input_layers", "output_layers"):
        if key in cfg:
            cfg[key] = _renamed_refs(cfg[key], renames, top=True)


def _renamed_refs(value: Any, renames: dict[str, str], top: bool = False) -> Any:
    """``keras_history`` triples (and ``[name, node, tensor]`` lists when ``top``) with renamed layers."""
    if isinstance(value, dict):
        out = {k: _renamed_refs(v, renames) for k, v in value.items()}
        hist = out.get("keras_history")
        if isinstance(hist, list) and hist and hist[0] in renames:
            out["keras_history"] = [renames[hist[0]], *hist[1:]]
        return out
    if isinstance(value, list):
        if top and len(value) == 3 and isinstance(value[0], str):
            return [renames.get(value[0], value[0]), *value[1:]]
        return [_renamed_refs(v, renames, top) for v in value]
    return value


def _sequential_layers(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not layers or layers[0].get("class_name") == "InputLayer":
        return layers
    first = layers[0].get("config", {})
    shape = first.get("batch_input_shape")
    if shape is None:
        return layers
    input_layer = {
        "module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
        "config": {"batch_shape": list(shape), "dtype": _dtype_name(first.get("dtype")), "sparse": False,
                   "name": f"{first.get('name', 'input')}_input"},
    }
    return [input_layer, *layers]


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, dict):
        name = dtype.get("config", {}).get("name", "float32")
        return "float32" if str(name).startswith("mixed_") else name
    return dtype or "float32"
