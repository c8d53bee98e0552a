"""The functions a file may name (a ``Lambda``'s ``function``/``output_shape``/``mask``) in safe mode.

Safe mode allow-lists *callables*, not modules: only pure functions of their inputs, the math a
Lambda legitimately wraps (``keras.ops``, ``keras.activations``, the loss/metric functions and
the ``K.*`` math of tf-keras). Anything that touches process state is left out even when its
module is otherwise allowed: ``K.set_epsilon`` named by a file would change
``keras.config.epsilon()`` for every later computation in the process, ``K.set_value`` would
overwrite a variable, ``K.clear_session`` would reset the name counters, ``ops.empty`` would
hand out uninitialised memory, and the random functions advance the global generator.
``tests/reliability/test_safe_functions.py`` calls every allowed function and checks that none
changes ``keras.config``, the registries or any module's globals.

Modules are looked up in ``sys.modules`` only (never imported because a file names them), so
this module depends on nothing above ``layers``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

# Every public function of these ``keras.ops`` modules is a pure function of its arguments,
# except the ones in _OPS_EXCLUDED.
_OPS_MODULES = ("keras_torch.ops", "keras_torch.ops.numpy", "keras_torch.ops.nn", "keras_torch.ops.math",
                "keras_torch.ops.linalg", "keras_torch.ops.image", "keras_torch.ops.core")
# Control flow and function transforms take callables (a file can only pass data, and they are no
# math of their own); ``empty``/``empty_like`` return uninitialised memory; ``elastic_transform``
# draws from the global random generator when unseeded.
_OPS_EXCLUDED = frozenset({"associative_scan", "cond", "custom_gradient", "elastic_transform", "empty", "empty_like",
                           "fori_loop", "jvp", "map", "scan", "switch", "vectorize", "vectorized_map", "while_loop"})

# The other modules: explicit lists of pure functions.
_PURE_NAMES: dict[str, frozenset[str]] = {
    "keras_torch.activations": frozenset({
        "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_sigmoid_keras2", "hard_silu",
        "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6",
        "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
        "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold"}),
    "keras_torch.losses": frozenset({
        "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
        "categorical_focal_crossentropy", "categorical_generalized_cross_entropy", "categorical_hinge",
        "cosine_similarity", "dice", "hinge", "huber", "kl_divergence", "log_cosh", "mean_absolute_error",
        "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error", "poisson",
        "sparse_categorical_crossentropy", "squared_hinge", "tversky"}),
    "keras_torch.metrics": frozenset({
        "accuracy", "binary_accuracy", "binary_crossentropy", "binary_focal_crossentropy", "categorical_accuracy",
        "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "concordance_correlation",
        "hinge", "huber", "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
        "mean_squared_error", "mean_squared_logarithmic_error", "pearson_correlation", "poisson",
        "sparse_categorical_accuracy", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
        "squared_hinge", "top_k_categorical_accuracy"}),
    # tf-keras's K.* math. Left out on purpose: set_epsilon/set_floatx/set_image_data_format,
    # set_value/batch_set_value/update*/moving_average_update, clear_session/reset_uids/get_uid,
    # set_learning_phase/learning_phase_scope, the random_* / dropout / truncated_normal functions,
    # variable/placeholder/function/gradients/print_tensor, and those taking callables (rnn, map_fn,
    # foldl/foldr, switch, in_train_phase/in_test_phase).
    "keras_torch.backend": frozenset({
        "abs", "all", "any", "argmax", "argmin", "batch_dot", "batch_flatten", "batch_normalization", "bias_add",
        "binary_crossentropy", "binary_focal_crossentropy", "cast", "cast_to_floatx", "categorical_crossentropy",
        "categorical_focal_crossentropy", "clip", "concatenate", "conv1d", "conv2d", "conv2d_transpose", "conv3d",
        "cos", "ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse", "cumprod", "cumsum", "depthwise_conv2d",
        "dot", "elu", "equal", "exp", "expand_dims", "flatten", "gather", "greater", "greater_equal", "hard_sigmoid",
        "in_top_k", "int_shape", "l2_normalize", "less", "less_equal", "local_conv1d", "local_conv2d", "log", "max",
        "maximum", "mean", "min", "minimum", "ndim", "normalize_batch_in_training", "not_equal", "one_hot",
        "ones_like", "permute_dimensions", "pool2d", "pool3d", "pow", "prod", "relu", "repeat", "repeat_elements",
        "reshape", "resize_images", "resize_volumes", "reverse", "round", "separable_conv2d", "shape", "sigmoid",
        "sign", "sin", "softmax", "softplus", "softsign", "sparse_categorical_crossentropy", "spatial_2d_padding",
        "spatial_3d_padding", "sqrt", "square", "squeeze", "stack", "std", "stop_gradient", "sum", "tanh",
        "temporal_padding", "tile", "transpose", "var", "zeros_like"}),
}

# module name -> {id(fn): fn} for the modules already imported (filled as they appear in sys.modules).
_ALLOWED: dict[str, dict[int, Callable]] = {}


def _is_function(obj: Any) -> bool:
    return callable(obj) and not inspect.isclass(obj) and not inspect.ismodule(obj)


def _module_functions(modname: str) -> dict[int, Callable] | None:
    cached = _ALLOWED.get(modname)
    if cached is not None:
        return cached
    mod = sys.modules.get(modname)
    if mod is None:
        return None
    if modname in _PURE_NAMES:
        names: Any = _PURE_NAMES[modname]
    else:
        names = [n for n in getattr(mod, "__all__", dir(mod)) if not n.startswith("_") and n not in _OPS_EXCLUDED]
    table = {}
    for n in names:
        fn = getattr(mod, n, None)
        if _is_function(fn) and str(getattr(fn, "__module__", "")).startswith("keras_torch"):
            table[id(fn)] = fn
    _ALLOWED[modname] = table
    return table


def safe_functions() -> dict[str, Callable]:
    """``"module.name" -> function`` for every function safe mode currently allows (the imported modules)."""
    out: dict[str, Callable] = {}
    for modname in (*_OPS_MODULES, *_PURE_NAMES):
        if _module_functions(modname) is None:
            continue
        mod = sys.modules[modname]
        names = _PURE_NAMES.get(modname) or getattr(mod, "__all__", dir(mod))
        for n in names:
            fn = getattr(mod, n, None)
            if fn is not None and is_safe_function(fn):
                out[f"{modname}.{n}"] = fn
    return out


def is_safe_function(fn: Any) -> bool:
    """Whether safe mode lets a file name ``fn``: it is one of the allow-listed pure functions."""
    key = id(fn)
    for modname in (*_OPS_MODULES, *_PURE_NAMES):
        table = _module_functions(modname)
        if table is not None and table.get(key) is fn:
            return True
    return False
