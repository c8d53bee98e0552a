"""Keras 1 files: old argument names and values, bare Sequential lists, Theano-ordered conv kernels."""

from __future__ import annotations

from typing import Any

_RENAMES: dict[str, dict[str, str | None]] = {
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
    "MaxPooling1D": {"pool_length": "pool_size", "stride": "strides"},
}
_CLASSES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
            "AtrousConvolution2D": "Conv2D", "Deconvolution2D": "Conv2DTranspose"}
_VALUES = {"one": "ones", "zero": "zeros", "th": "channels_first", "tf": "channels_last"}

_CONV_CLASSES = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose")
_THEANO_KERNEL_AXES = (2, 3, 1, 0)


def upgrade_layer(class_name: str, cfg: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A Keras 1 layer entry's class name and config -> their Keras 2 equivalents."""
    class_name = _CLASSES.get(class_name, class_name)
    renames = dict(_RENAMES["*"])
    renames.update(_RENAMES.get(class_name, {}))
    out: dict[str, Any] = {}
    for k, v in cfg.items():
        new = renames.get(k, k)
        if new is None:
            continue
        if isinstance(v, str) and v in _VALUES:
            v = _VALUES[v]
        out[new] = v
    if class_name in ("Conv2D", "Conv2DTranspose") and "nb_row" in out:
        out["kernel_size"] = (out.pop("nb_row"), out.pop("nb_col"))
    if class_name == "Conv1D" and "filter_length" in out:
        out["kernel_size"] = out.pop("filter_length")
    if "atrous_rate" in out:
        out["dilation_rate"] = out.pop("atrous_rate")
    for k in ("input_dtype", "input_length") if class_name != "Embedding" else ("input_dtype",):
        out.pop(k, None)
    return class_name, out


def sequential_layers(entry: dict[str, Any]) -> dict[str, Any]:
    """A Sequential entry whose config is a bare list of layers (Keras 1/2.0) -> ``{"layers": [...]}``."""
    if entry.get("class_name") == "Sequential" and isinstance(entry.get("config"), list):
        return {**entry, "config": {"layers": entry["config"]}}
    return entry


def theano_kernel_axes(class_name: str, stored_shape: tuple, expected_shape: tuple) -> tuple[int, ...] | None:
    """The transpose turning a stored Theano-ordered 2D conv kernel into the expected one, if it is one."""
    if class_name not in _CONV_CLASSES or len(stored_shape) != 4 or stored_shape == expected_shape:
        return None
    axes = _THEANO_KERNEL_AXES
    return axes if tuple(stored_shape[a] for a in axes) == tuple(expected_shape) else None
