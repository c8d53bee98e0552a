"""Numeric cases of ``keras.ops.nn``."""

from __future__ import annotations

from compat.ops_cases._base import A, Table

t = Table()
X = A("x")

for name in ["relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "log_sigmoid", "hard_sigmoid",
             "hard_silu", "hard_swish", "selu", "hard_tanh", "tanh_shrink", "sparse_plus", "sparse_sigmoid"]:
    t.add(f"nn.{name}", A("x3"))
t.add("nn.leaky_relu", X)
t.add("nn.leaky_relu", X, negative_slope=0.05)
t.add("nn.elu", X)
t.add("nn.elu", X, alpha=0.5)
t.add("nn.celu", X, alpha=1.5)
t.add("nn.gelu", X)
t.add("nn.gelu", X, approximate=False)
t.add("nn.glu", A("x3"), axis=1)
t.add("nn.hard_shrink", X, threshold=0.3)
t.add("nn.soft_shrink", X)
t.add("nn.squareplus", X, b=2)
t.add("nn.threshold", X, 0.2, -1.0)
t.add("nn.softmax", A("x3"))
t.add("nn.softmax", A("x3"), axis=1)
t.add("nn.log_softmax", A("x3"), axis=0)
t.add("nn.sparsemax", A("x3"))
t.add("nn.sparsemax", A("x3"), axis=1, grad=False)

# ---- convolution and pooling (Keras kernel layouts)
t.add("nn.conv", A("seq"), A("k1d"))
t.add("nn.conv", A("seq"), A("k1d"), strides=2, padding="same")
t.add("nn.conv", A("seq"), A("k1d"), dilation_rate=2, padding="same")
t.add("nn.conv", A("img"), A("k2d"))
t.add("nn.conv", A("img"), A("k2d"), strides=(2, 1), padding="same")
t.add("nn.conv", A("img"), A("k2d"), dilation_rate=2)
t.add("nn.conv", A("img_cf"), A("k2d"), padding="same", data_format="channels_first")
t.add("nn.conv", A("vol2"), A("k3d"), padding="same")
t.add("nn.depthwise_conv", A("img"), A("dk2d"))
t.add("nn.depthwise_conv", A("img"), A("dk2d"), strides=2, padding="same")
t.add("nn.separable_conv", A("img"), A("dk2d"), A("pk2d"))
t.add("nn.separable_conv", A("img"), A("dk2d"), A("pk2d"), padding="same", dilation_rate=2)
t.add("nn.conv_transpose", A("img"), A("kt2d"))
t.add("nn.conv_transpose", A("img"), A("kt2d"), strides=2, padding="same")
t.add("nn.conv_transpose", A("img"), A("kt2d"), strides=2, output_padding=1)
t.add("nn.conv_transpose", A("seq"), A("kt1d"), strides=2, padding="same")
for name in ["max_pool", "average_pool"]:
    t.add(f"nn.{name}", A("img"), 2)
    t.add(f"nn.{name}", A("img"), (3, 2), strides=(1, 2), padding="same")
    t.add(f"nn.{name}", A("seq"), 3, strides=2, padding="same")
    t.add(f"nn.{name}", A("img_cf"), 2, data_format="channels_first")
t.add("nn.depth_to_space", A("dts"), 2)
t.add("nn.depth_to_space", A("dts_cf"), 2, data_format="channels_first")
t.add("nn.space_to_depth", A("img"), 2)
t.add("nn.space_to_depth", A("img_cf"), 3, data_format="channels_first")
t.add("nn.unfold", A("img_cf"), 3)
t.add("nn.unfold", A("img_cf"), 2, dilation=2, padding=1, stride=2)
t.add("nn.fold", A("fold_x"), (4, 4), 2)

# ---- normalization
t.add("nn.moments", A("x3"), axes=(0, 1))
t.add("nn.moments", A("x3"), axes=[2], keepdims=True)
t.add("nn.batch_normalization", A("x3"), A("v3"), A("pos_v3"), axis=-1)
t.add("nn.batch_normalization", A("x3"), A("v3"), A("pos_v3"), axis=2, offset=A("w3"), scale=A("pos_v3"),
      epsilon=0.01)
t.add("nn.layer_normalization", A("x3"))
t.add("nn.layer_normalization", A("x3"), gamma=A("w3"), beta=A("v3"), epsilon=1e-3)
t.add("nn.rms_normalization", A("x3"))
t.add("nn.rms_normalization", A("x3"), scale=A("w3"), epsilon=1e-3)
t.add("nn.normalize", A("x3"))
t.add("nn.normalize", A("x3"), axis=1, order=1)

# ---- losses, encodings, attention
t.add("nn.binary_crossentropy", A("bin_t"), A("prob"))
t.add("nn.binary_crossentropy", A("bin_t"), X, from_logits=True)
t.add("nn.categorical_crossentropy", A("onehot"), A("softmax_p"))
t.add("nn.categorical_crossentropy", A("onehot"), A("logits"), from_logits=True)
t.add("nn.sparse_categorical_crossentropy", A("labels"), A("softmax_p"))
t.add("nn.sparse_categorical_crossentropy", A("labels"), A("logits"), from_logits=True)
t.add("nn.one_hot", A("idx"), 3)
t.add("nn.one_hot", A("idx2"), 4, axis=0, dtype="int32")
t.add("nn.multi_hot", A("idx2"), 4)
t.add("nn.multi_hot", A("idx2"), num_classes=3, dtype="int32")
t.add("nn.ctc_loss", A("ctc_y"), A("ctc_x"), A("ctc_ylen"), A("ctc_xlen"))
t.add("nn.ctc_loss", A("ctc_y1"), A("ctc_x"), A("ctc_ylen"), A("ctc_xlen"), mask_index=4)
t.add("nn.ctc_decode", A("ctc_x"), A("ctc_xlen"), symbolic=False, grad=False)
t.add("nn.ctc_decode", A("ctc_x"), A("ctc_xlen"), merge_repeated=False, mask_index=2, symbolic=False, grad=False)
t.add("nn.ctc_decode", A("ctc_x"), A("ctc_xlen"), strategy="beam_search", beam_width=4, top_paths=2, symbolic=False, grad=False)
t.add("nn.ctc_decode", A("ctc_x"), A("ctc_xlen"), strategy="beam_search", beam_width=64, top_paths=3, mask_index=3,
      symbolic=False, grad=False)
t.add("nn.dot_product_attention", A("q"), A("k"), A("v"))
t.add("nn.dot_product_attention", A("q"), A("k"), A("v"), mask=A("amask"), scale=0.3)
t.add("nn.dot_product_attention", A("q"), A("k"), A("v"), bias=A("abias"), is_causal=True)
t.add("nn.psnr", A("img"), A("img_b"), 1.0)
t.add("nn.polar", A("pos"), X)

CASES = t.cases
