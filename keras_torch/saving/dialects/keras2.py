"""Configs written by Keras 1/2 and tf-keras, as read from files: what keras_torch's constructors take.

* node indices of nested models (see :mod:`.nodes`);
* one-element ``axis`` lists, tf-keras mixed-precision ``Policy`` dtypes;
* ``hard_sigmoid`` as Keras 2 defined it (``0.2 * x + 0.5``, Keras 3 uses ``x / 6 + 0.5``);
* Keras 1 names (:mod:`.keras1`).
"""

from __future__ import annotations

from typing import Any

from keras_torch.saving.dialects import keras1
from keras_torch.saving.dialects.nodes import is_entry, renumber_keras2_nodes
from keras_torch.saving.dialects.tfkeras_ops import op_nodes_to_keras3

# Constructor keys Keras 2 / tf-keras layer configs carry that mean nothing to keras_torch.
KERAS2_ONLY_KEYS = frozenset({
    "time_major", "dynamic", "implementation", "force_generator", "rng_type",
    # tf-keras depthwise/separable convs inherit Conv's config (groups=1, unused kernel_*)
    "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint",
})

_MODEL_CLASSES = ("Sequential", "Functional", "Model")
_NOT_LAYERS = ("__keras_tensor__", "__lambda__", "__tensor__", "__numpy__")
# Walks copy leaves and empty containers inline: a call per value made millions of empty lists slow.
_CONTAINERS = (list, dict)


def _fix_layer_config(class_name: str, cfg: dict[str, Any], old_keras: bool, keras1_file: bool) -> tuple[str, dict]:
    if keras1_file:
        class_name, cfg = keras1.upgrade_layer(class_name, cfg)
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


def _walk_entries(obj: Any, old_keras: bool, keras1_file: bool) -> Any:
    """Fix every layer entry nested anywhere in ``obj`` (wrappers, cells, nested models)."""
    if isinstance(obj, list):
        return [_walk_entries(v, old_keras, keras1_file) if v and type(v) in _CONTAINERS
                else v.copy() if type(v) in _CONTAINERS else v for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: _walk_entries(v, old_keras, keras1_file) if v and type(v) in _CONTAINERS
           else v.copy() if type(v) in _CONTAINERS else v for k, v in obj.items()}
    if is_entry(out) and isinstance(out["config"], dict):
        module = out.get("module") or ""
        if out["class_name"] in _MODEL_CLASSES or module.startswith("keras.src.models"):
            renumber_keras2_nodes(out)
            op_nodes_to_keras3(out["config"])
        elif not module or module.startswith("keras.layers") or module.startswith("keras.src.layers"):
            if out["class_name"] not in _NOT_LAYERS:
                out["class_name"], out["config"] = _fix_layer_config(out["class_name"], out["config"], old_keras,
                                                                     keras1_file)
    elif is_entry(out):
        out = keras1.sequential_layers(out)
    return out


def upgrade_model_config(config: dict[str, Any], keras_version: str | None = None) -> dict[str, Any]:
    """A model config read from a file written by ``keras_version`` -> the Keras 3 conventions keras_torch reads.

    Args:
        config: The ``{"class_name", "config"}`` entry of the model (not modified).
        keras_version: The ``keras_version`` the file records (``"2.15.0"``); ``None`` when unknown.

    Returns:
        An upgraded copy (the walk rebuilds every dict and list; leaves are immutable).
    """
    version = str(keras_version or "")
    old = version.startswith("1") or version.startswith("2.")
    if isinstance(config, dict):
        config = keras1.sequential_layers(config)
    return _walk_entries(config, old, version.startswith("1"))
