"""tf-keras 2 ``keras.backend`` (``K.*``) cases shared by the fixture generator and the tests.

Each case is ``(function name, args, kwargs)``; an :class:`A` in the arguments names an input array
of :func:`arrays`. The generator runs the case with real ``tf_keras.backend`` and stores the
result(s) as ``<case>`` / ``<case>_<i>`` in ``compat/fixtures/tfk_backend/values.npz``; the test
runs the same case with ``keras_torch.backend``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class A:
    """Reference to the input array called ``name``."""

    name: str


def arrays() -> dict[str, np.ndarray]:
    """Deterministic inputs (float32 unless the name says otherwise)."""
    rng = np.random.default_rng(1234)

    def n(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype("float32")

    probs = rng.uniform(0.05, 1.0, (3, 6, 5)).astype("float32")
    probs /= probs.sum(-1, keepdims=True)
    return {
        "x1d": n(2, 9, 3), "k1d": n(3, 3, 4),
        "x2d": n(2, 7, 6, 3), "k2d": n(3, 3, 3, 4), "k2d_even": n(2, 4, 3, 4),
        "x2d_cf": n(2, 3, 7, 6),
        "x3d": n(1, 5, 6, 4, 2), "k3d": n(2, 3, 2, 2, 3),
        "kt2d": n(3, 3, 5, 3),  # conv2d_transpose kernel: (h, w, out, in)
        "dw2d": n(3, 3, 3, 2), "pw2d": n(1, 1, 6, 4),
        "lc1d_kernel": n(4, 9, 2),  # (output length, kernel_size * channels, filters), x1d with k=3, s=2
        "lc2d_kernel": n(9, 12, 2),  # (out_rows * out_cols, kh * kw * channels, filters), x2d with k=2, s=2
        "bias4": n(4), "bias_full": n(9, 3),
        "mean3": n(3), "var3": rng.uniform(0.5, 1.5, 3).astype("float32"), "beta3": n(3), "gamma3": n(3),
        "x2": n(4, 5), "x3": n(2, 3, 4), "pos": rng.uniform(0.1, 2.0, (3, 4)).astype("float32"),
        "targets_bin": rng.integers(0, 2, (4, 5)).astype("float32"),
        "probs_bin": rng.uniform(0.02, 0.98, (4, 5)).astype("float32"),
        "onehot": np.eye(5, dtype="float32")[rng.integers(0, 5, 4)],
        "probs_cat": (lambda p: p / p.sum(-1, keepdims=True))(rng.uniform(0.05, 1, (4, 5)).astype("float32")),
        "top_targets_int32": np.array([0, 3, 4, 1], dtype="int32"),
        "ctc_probs": probs,
        "ctc_labels": np.array([[1, 2, 2], [3, 0, 0], [0, 1, 3]], dtype="float32"),
        "ctc_label_len": np.array([[3], [1], [2]], dtype="int32"),
        "ctc_input_len": np.array([[6], [5], [6]], dtype="int32"),
        "ctc_input_len_flat": np.array([6, 5, 6], dtype="int32"),
        "img": n(2, 3, 4, 2), "vol": n(1, 2, 3, 2, 2),
        "radial3": n(3, 3, 2, 3), "radial4": n(4, 4, 2, 3), "radial5": n(5, 5, 1, 2),
        "mre_true": rng.uniform(0, 5, (4, 3)).astype("float32"),
        "mre_pred": rng.uniform(0, 5, (4, 3)).astype("float32"),
        "mre_norm": rng.uniform(0.5, 3, (4, 3)).astype("float32"),
        "mre_weight": rng.uniform(0, 1, (4,)).astype("float32"),
    }


CASES: dict[str, tuple[str, tuple, dict]] = {
    # convolutions and pooling
    "conv1d_valid": ("conv1d", (A("x1d"), A("k1d")), {"data_format": "channels_last"}),
    "conv1d_same_s2": ("conv1d", (A("x1d"), A("k1d")), {"strides": 2, "padding": "same",
                                                        "data_format": "channels_last"}),
    "conv1d_causal_d2": ("conv1d", (A("x1d"), A("k1d")), {"padding": "causal", "dilation_rate": 2,
                                                          "data_format": "channels_last"}),
    "conv2d_valid": ("conv2d", (A("x2d"), A("k2d")), {"data_format": "channels_last"}),
    "conv2d_same_s2": ("conv2d", (A("x2d"), A("k2d")), {"strides": (2, 2), "padding": "same",
                                                        "data_format": "channels_last"}),
    "conv2d_same_even_dilated": ("conv2d", (A("x2d"), A("k2d_even")), {"padding": "same", "dilation_rate": (2, 1),
                                                                       "data_format": "channels_last"}),
    "conv2d_channels_first": ("conv2d", (A("x2d_cf"), A("k2d")), {"padding": "same",
                                                                  "data_format": "channels_first"}),
    "conv3d_same": ("conv3d", (A("x3d"), A("k3d")), {"strides": (1, 2, 1), "padding": "same",
                                                     "data_format": "channels_last"}),
    "conv2d_transpose_same": ("conv2d_transpose", (A("x2d"), A("kt2d"), (2, 14, 12, 5)),
                              {"strides": (2, 2), "padding": "same", "data_format": "channels_last"}),
    "conv2d_transpose_valid": ("conv2d_transpose", (A("x2d"), A("kt2d"), (2, 16, 14, 5)),
                               {"strides": (2, 2), "padding": "valid", "data_format": "channels_last"}),
    "depthwise_conv2d": ("depthwise_conv2d", (A("x2d"), A("dw2d")), {"padding": "same",
                                                                     "data_format": "channels_last"}),
    "separable_conv2d": ("separable_conv2d", (A("x2d"), A("dw2d"), A("pw2d")),
                         {"strides": (2, 2), "padding": "same", "data_format": "channels_last"}),
    "local_conv1d": ("local_conv1d", (A("x1d"), A("lc1d_kernel"), (3,), (2,)), {"data_format": "channels_last"}),
    "local_conv2d": ("local_conv2d", (A("x2d"), A("lc2d_kernel"), (2, 2), (2, 2), (3, 3)),
                     {"data_format": "channels_last"}),
    "pool2d_max_same": ("pool2d", (A("x2d"), (3, 3)), {"strides": (2, 2), "padding": "same",
                                                       "data_format": "channels_last", "pool_mode": "max"}),
    "pool2d_avg_same": ("pool2d", (A("x2d"), (3, 2)), {"strides": (2, 2), "padding": "same",
                                                       "data_format": "channels_last", "pool_mode": "avg"}),
    "pool2d_avg_valid": ("pool2d", (A("x2d"), (2, 2)), {"data_format": "channels_last", "pool_mode": "avg"}),
    "pool3d_max": ("pool3d", (A("x3d"), (2, 2, 2)), {"strides": (2, 2, 2), "padding": "same",
                                                     "data_format": "channels_last", "pool_mode": "max"}),
    # normalization and biases
    "bias_add_1d": ("bias_add", (A("k2d"), A("bias4")), {"data_format": "channels_last"}),
    "bias_add_full": ("bias_add", (A("x1d"), A("bias_full")), {"data_format": "channels_last"}),
    "batch_normalization": ("batch_normalization", (A("x2d"), A("mean3"), A("var3"), A("beta3"), A("gamma3")),
                            {"epsilon": 1e-3}),
    "normalize_batch_in_training": ("normalize_batch_in_training", (A("x2d"), A("gamma3"), A("beta3"), [0, 1, 2]),
                                    {"epsilon": 1e-3}),
    # shape manipulation
    "resize_images_nearest": ("resize_images", (A("img"), 2, 3, "channels_last"), {}),
    "resize_images_bilinear": ("resize_images", (A("img"), 2, 2, "channels_last"), {"interpolation": "bilinear"}),
    "resize_volumes": ("resize_volumes", (A("vol"), 2, 1, 2, "channels_last"), {}),
    "spatial_2d_padding": ("spatial_2d_padding", (A("img"), ((1, 2), (0, 1))), {"data_format": "channels_last"}),
    "spatial_3d_padding": ("spatial_3d_padding", (A("vol"), ((1, 0), (0, 2), (1, 1))),
                           {"data_format": "channels_last"}),
    "temporal_padding": ("temporal_padding", (A("x3"), (2, 1)), {}),
    "repeat": ("repeat", (A("x2"), 3), {}),
    "reverse": ("reverse", (A("x3"), [0, 2]), {}),
    # math
    "cumsum": ("cumsum", (A("x3"),), {"axis": 1}),
    "cumprod": ("cumprod", (A("x3"),), {"axis": 2}),
    "prod": ("prod", (A("pos"),), {"axis": 1, "keepdims": True}),
    "eye_square": ("eye", (3,), {}),
    "elu_alpha": ("elu", (A("x2"),), {"alpha": 0.5}),
    "softsign": ("softsign", (A("x2"),), {}),
    "hard_sigmoid": ("hard_sigmoid", (A("x2"),), {}),
    "cast_to_floatx": ("cast_to_floatx", (A("top_targets_int32"),), {}),
    "in_top_k": ("in_top_k", (A("probs_cat"), A("top_targets_int32"), 2), {}),
    # losses
    "binary_crossentropy": ("binary_crossentropy", (A("targets_bin"), A("probs_bin")), {}),
    "binary_crossentropy_logits": ("binary_crossentropy", (A("targets_bin"), A("x2")), {"from_logits": True}),
    "categorical_crossentropy": ("categorical_crossentropy", (A("onehot"), A("probs_cat")), {}),
    "binary_focal_crossentropy": ("binary_focal_crossentropy", (A("targets_bin"), A("probs_bin")),
                                  {"apply_class_balancing": True, "gamma": 1.5}),
    "categorical_focal_crossentropy": ("categorical_focal_crossentropy", (A("onehot"), A("x2")),
                                       {"from_logits": True}),
    "ctc_batch_cost": ("ctc_batch_cost", (A("ctc_labels"), A("ctc_probs"), A("ctc_input_len"),
                                          A("ctc_label_len")), {}),
    "ctc_decode_greedy": ("ctc_decode", (A("ctc_probs"), A("ctc_input_len_flat")), {}),
    "ctc_decode_beam": ("ctc_decode", (A("ctc_probs"), A("ctc_input_len_flat")),
                        {"greedy": False, "beam_width": 4, "top_paths": 2}),
}


def flatten_result(result: Any) -> list[np.ndarray]:
    """Every array in a (possibly nested) result, depth first."""
    if isinstance(result, (list, tuple)):
        out: list[np.ndarray] = []
        for item in result:
            out.extend(flatten_result(item))
        return out
    return [np.asarray(result)]
