"""Normalise layer/model configs between Keras dialects.

* :func:`normalize_layer_config`: any Keras dialect -> keras_torch constructor kwargs.
* :func:`legacy_model_config`: keras_torch model -> the Keras 2 (tf-keras) ``model_config`` written to
  legacy ``.h5`` files, which both tf-keras 2.x and Keras 3 load.
* :func:`upgrade_model_config`: a config read from a file (Keras 1/2/3) -> what keras_torch's
  ``from_config`` methods take (node-index conventions, Keras 1 names, ``hard_sigmoid`` of old files).
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

# Keys real Keras writes that carry no meaning for keras_torch's constructors.
_IGNORED = {"quantization_config", "lora_rank", "lora_alpha", "synchronized", "module", "registered_name",
            "build_config", "compile_config", "optional", "sparse", "ragged", "gradient_checkpointing",
            # Keras 2 / tf-keras only
            "time_major", "dynamic", "implementation", "force_generator", "rng_type",
            # tf-keras depthwise/separable convs inherit Conv's config (groups=1, unused kernel_*)
            "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"}

_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def normalize_layer_config(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """Map Keras 3 names (``batch_shape``) to Keras 2 ones and drop keys the class cannot take."""
    config = dict(config)
    if "batch_shape" in config and "batch_input_shape" not in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    for k in list(config):
        if k in _IGNORED and not _accepts(cls, k):
            config.pop(k)
    return config


def _accepts(cls: type, key: str) -> bool:
    """Whether ``key`` is an explicit constructor argument of ``cls`` or a base it forwards to."""
    for klass in getattr(cls, "__mro__", (cls,)):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            if key in inspect.signature(init).parameters:
                return True
        except (TypeError, ValueError):
            return True
    return False


# ====================================================================== reading
def _is_entry(x: Any) -> bool:
    return isinstance(x, dict) and isinstance(x.get("class_name"), str) and "config" in x


_KERAS1_RENAMES: dict[str, dict[str, str]] = {
    "*": {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer", "b_regularizer": "bias_regularizer",
          "W_constraint": "kernel_constraint", "b_constraint": "bias_constraint", "bias": "use_bias",
          "border_mode": "padding", "subsample": "strides", "dim_ordering": "data_format",
          "inner_init": "recurrent_initializer", "inner_activation": "recurrent_activation",
          "U_regularizer": "recurrent_regularizer", "U_constraint": "recurrent_constraint",
          "dropout_W": "dropout", "dropout_U": "recurrent_dropout", "nb_filter": "filters"},
    "Dense": {"output_dim": "units"},
    "LSTM": {"output_dim": "units", "forget_bias_init": None},
    "GRU": {"output_dim": "units"},
    "SimpleRNN": {"output_dim": "units"},
    "Dropout": {"p": "rate"},
    "SpatialDropout1D": {"p": "rate"},
    "SpatialDropout2D": {"p": "rate"},
    "Embedding": {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "BatchNormalization": {"mode": None, "beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    "MaxPooling2D": {}, "AveragePooling2D": {}, "MaxPooling1D": {"pool_length": "pool_size", "stride": "strides"},
}
_KERAS1_CLASSES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
                   "AtrousConvolution2D": "Conv2D", "Deconvolution2D": "Conv2DTranspose"}
_KERAS1_VALUES = {"one": "ones", "zero": "zeros", "th": "channels_first", "tf": "channels_last"}


def _keras1_layer(class_name: str, cfg: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    class_name = _KERAS1_CLASSES.get(class_name, class_name)
    renames = dict(_KERAS1_RENAMES["*"])
    renames.update(_KERAS1_RENAMES.get(class_name, {}))
    out: dict[str, Any] = {}
    for k, v in cfg.items():
        new = renames.get(k, k)
        if new is None:
            continue
        if isinstance(v, str) and v in _KERAS1_VALUES:
            v = _KERAS1_VALUES[v]
        out[new] = v
    if class_name in ("Conv2D", "Conv2DTranspose") and "nb_row" in out:
        out["kernel_size"] = (out.pop("nb_row"), out.pop("nb_col"))
    if class_name == "Conv1D" and "filter_length" in out:
        out["kernel_size"] = out.pop("filter_length")
    if "atrous_rate" in out:
        out["dilation_rate"] = out.pop("atrous_rate")
    if class_name == "BatchNormalization" and out.get("axis") == 1 and out.get("data_format") is None:
        pass
    for k in ("input_dtype", "input_length") if class_name != "Embedding" else ("input_dtype",):
        out.pop(k, None)
    return class_name, out


def _fix_layer_config(class_name: str, cfg: dict[str, Any], old_keras: bool, keras1: bool) -> tuple[str, dict]:
    if keras1:
        class_name, cfg = _keras1_layer(class_name, cfg)
    axis = cfg.get("axis")
    if isinstance(axis, list) and len(axis) == 1 and class_name not in ("Permute",):
        cfg["axis"] = int(axis[0])
    if old_keras:
        from keras_torch.activations import hard_sigmoid_keras2

        for key in ("activation", "recurrent_activation"):
            if cfg.get(key) == "hard_sigmoid":
                cfg[key] = hard_sigmoid_keras2
    dtype = cfg.get("dtype")
    if isinstance(dtype, dict) and dtype.get("class_name") == "Policy":  # tf-keras mixed precision policy
        cfg["dtype"] = dtype.get("config", {}).get("name", "float32")
    return class_name, cfg


def _walk_entries(obj: Any, old_keras: bool, keras1: bool) -> Any:
    """Fix every layer entry nested anywhere in ``obj`` (wrappers, cells, nested models)."""
    if isinstance(obj, list):
        return [_walk_entries(v, old_keras, keras1) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: _walk_entries(v, old_keras, keras1) for k, v in obj.items()}
    if _is_entry(out) and isinstance(out["config"], dict):
        module = out.get("module") or ""
        if out["class_name"] in _MODEL_CLASSES or module.startswith("keras.src.models"):
            _fix_model_node_indices(out)
        elif not module or module.startswith("keras.layers") or module.startswith("keras.src.layers"):
            if out["class_name"] not in ("__keras_tensor__", "__lambda__", "__tensor__", "__numpy__"):
                out["class_name"], out["config"] = _fix_layer_config(out["class_name"], out["config"], old_keras,
                                                                     keras1)
    elif _is_entry(out) and isinstance(out["config"], list) and out["class_name"] == "Sequential":
        out["config"] = {"layers": out["config"]}  # Keras 1: Sequential config is a bare list
    return out


def _has_input_layer(entry: dict[str, Any]) -> bool:
    layers = entry.get("config", {}).get("layers") if isinstance(entry.get("config"), dict) else None
    return bool(layers) and isinstance(layers[0], dict) and layers[0].get("class_name") == "InputLayer"


def _builtin_node_offset(entry: dict[str, Any], dialect: str) -> int:
    """1 when the file counts a nested model's construction node in its node indices."""
    cls = entry.get("class_name")
    if dialect != "keras2":  # Keras 3 renumbers nodes per model without a built-in node
        return 0
    if cls in ("Functional", "Model") and "input_layers" in (entry.get("config") or {}):
        return 1
    if cls == "Sequential" and dialect == "keras2" and _has_input_layer(entry):
        return 1
    return 0


def _map_refs(obj: Any, offsets: dict[str, int], sign: int) -> Any:
    """Shift ``[name, node_index, tensor_index]`` references (both node dialects) by the offsets."""
    if isinstance(obj, dict):
        if obj.get("class_name") == "__keras_tensor__":
            cfg = dict(obj["config"])
            name, ni, ti = cfg["keras_history"]
            if name in offsets and (sign > 0 or ni >= offsets[name]):
                ni = ni + sign * offsets[name]
            cfg["keras_history"] = [name, ni, ti]
            return {**obj, "config": cfg}
        return {k: _map_refs(v, offsets, sign) for k, v in obj.items()}
    if isinstance(obj, list):
        if len(obj) >= 3 and isinstance(obj[0], str) and isinstance(obj[1], int) and isinstance(obj[2], int):
            name, ni = obj[0], obj[1]
            if name in offsets and (sign > 0 or ni >= offsets[name]):
                ni = ni + sign * offsets[name]
            rest = [_map_refs(v, offsets, sign) for v in obj[3:]]
            return [name, ni, obj[2], *rest]
        return [_map_refs(v, offsets, sign) for v in obj]
    return obj


def _functional_offsets(cfg: dict[str, Any], dialect: str) -> dict[str, int]:
    out = {}
    for e in cfg.get("layers", []):
        if isinstance(e, dict):
            off = _builtin_node_offset(e, dialect)
            if off:
                out[e.get("name") or e["config"].get("name")] = off
    return out


def _fix_model_node_indices(entry: dict[str, Any]) -> None:
    cfg = entry.get("config")
    if not isinstance(cfg, dict) or "input_layers" not in cfg:
        return
    dialect = "keras2" if _uses_list_nodes(cfg) else "keras3"
    offsets = _functional_offsets(cfg, dialect)
    if not offsets:
        return
    for e in cfg["layers"]:
        e["inbound_nodes"] = _map_refs(e.get("inbound_nodes", []), offsets, -1)
    for key in ("input_layers", "output_layers"):
        cfg[key] = _map_refs(cfg[key], offsets, -1)


def _uses_list_nodes(cfg: dict[str, Any]) -> bool:
    for e in cfg.get("layers", []):
        for node in e.get("inbound_nodes", []) or []:
            return isinstance(node, list)
    return "module" not in str(cfg.get("layers", [{}])[0:1])


def upgrade_model_config(config: dict[str, Any], keras_version: str | None = None) -> dict[str, Any]:
    """Prepare a model config read from a file for keras_torch deserialization."""
    config = copy.deepcopy(config)
    version = str(keras_version or "")
    old = version.startswith("1") or version.startswith("2.")
    keras1 = version.startswith("1")
    if isinstance(config, dict) and config.get("class_name") == "Sequential" and isinstance(config.get("config"), list):
        config["config"] = {"layers": config["config"]}
    return _walk_entries(config, old, keras1)


# ====================================================================== writing (Keras 2 dialect)
def _tfk_keys(category: str, class_name: str) -> frozenset[str] | None:
    from keras_torch.saving.dialects.tfkeras_keys import TFK_KEYS

    return TFK_KEYS.get(category, {}).get(class_name)


def _legacy_object(obj: Any, category: str) -> Any:
    """Nested serialized objects (initializers...) keep their Keras 3 shape minus keys tf-keras rejects."""
    if not _is_entry(obj) or not isinstance(obj["config"], dict):
        return obj
    keys = _tfk_keys(category, obj["class_name"])
    cfg = dict(obj["config"])
    if keys is not None:
        cfg = {k: v for k, v in cfg.items() if k in keys}
    return {**obj, "config": cfg}


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
    for key, value in list(cfg.items()):
        for suffix, category in _CATEGORY_OF_KEY:
            if key.endswith(suffix) and isinstance(value, dict):
                cfg[key] = _legacy_object(value, category)
        if key in ("layer", "backward_layer", "forward_layer", "cell") and _is_entry(value):
            cfg[key] = _legacy_nested_layer(value)
        if key == "cells" and isinstance(value, list):
            cfg[key] = [_legacy_nested_layer(v) if _is_entry(v) else v for v in value]
    keys = _tfk_keys("layers", class_name)
    if keys is not None:
        cfg = {k: v for k, v in cfg.items() if k in keys}
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
        sublayers = [layer._input_layer] if getattr(layer, "_input_layer", None) is not None else []
        sublayers += list(layer.layers)
        out_cfg["layers"] = [_legacy_entry(sub, e) for sub, e in zip(sublayers, cfg["layers"])]
        return {"class_name": "Sequential", "config": out_cfg}
    by_name = {sub.name: sub for sub in layer.layers}
    layers_out = []
    offsets = {}
    for e in cfg["layers"]:
        sub = by_name[e["name"]]
        le = _legacy_entry(sub, e)
        if le["class_name"] == "Functional" or (le["class_name"] == "Sequential" and _has_input_layer(le)):
            offsets[e["name"]] = 1
        le["name"] = e["name"]
        le["inbound_nodes"] = [_k2_node(n, sub) for n in e.get("inbound_nodes", [])]
        layers_out.append(le)
    for le in layers_out:
        le["inbound_nodes"] = _map_refs(le["inbound_nodes"], offsets, +1)
    out_cfg["layers"] = layers_out

    def refs(r: Any) -> list:
        # Keras 2 always stores lists of [name, node_index, tensor_index].
        if isinstance(r, list) and len(r) == 3 and isinstance(r[0], str):
            return [r]
        if isinstance(r, dict):
            return [v for v in r.values()]
        return list(r)

    out_cfg["input_layers"] = _map_refs(refs(cfg["input_layers"]), offsets, +1)
    out_cfg["output_layers"] = _map_refs(refs(cfg["output_layers"]), offsets, +1)
    return {"class_name": "Functional", "config": out_cfg}


def _legacy_entry(layer: Any, entry: dict[str, Any]) -> dict[str, Any]:
    from keras_torch.models.model import Model

    if isinstance(layer, Model) and entry["class_name"] in _MODEL_CLASSES:
        return _legacy_model_entry(layer, entry)
    cls = entry["class_name"]
    registered = entry.get("registered_name")
    out = {"class_name": registered if registered and registered != cls else cls,
           "config": legacy_layer_config(cls, entry["config"])}
    shapes = (entry.get("build_config") or {}).get("shapes_dict")
    if cls == "MultiHeadAttention" and shapes:
        # tf-keras rebuilds attention from these config keys (its from_config requires them).
        for key in ("query_shape", "value_shape", "key_shape"):
            value = shapes.get(key) or (shapes.get("value_shape") if key == "key_shape" else None)
            out["config"][key] = list(value) if value is not None else None
    return out


def legacy_model_config(model: Any) -> dict[str, Any]:
    """The ``model_config`` attribute of a legacy ``.h5`` file (Keras 2 dialect)."""
    from keras_torch.saving.serialization import serialize_layer

    return _legacy_entry(model, serialize_layer(model))


def keras3_model_config(config: dict[str, Any]) -> dict[str, Any]:
    """Adjust keras_torch's Keras 3 config to Keras 3 conventions (nested Functional node 0)."""
    config = copy.deepcopy(config)

    def walk(entry: Any) -> None:
        if isinstance(entry, list):
            for v in entry:
                walk(v)
            return
        if not isinstance(entry, dict):
            return
        for v in entry.values():
            walk(v)
        cfg = entry.get("config")
        if _is_entry(entry) and isinstance(cfg, dict) and "input_layers" in cfg and "layers" in cfg:
            offsets = {e["name"]: 1 for e in cfg["layers"] if _builtin_node_offset(e, "keras3")}
            if offsets:
                for e in cfg["layers"]:
                    e["inbound_nodes"] = _map_refs(e.get("inbound_nodes", []), offsets, +1)
                for key in ("input_layers", "output_layers"):
                    cfg[key] = _map_refs(cfg[key], offsets, +1)

    walk(config)
    return config
