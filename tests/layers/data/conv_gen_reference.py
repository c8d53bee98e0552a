"""Regenerates the reference fixtures conv_ref.npz, conv_transpose_ref.npz, conv_dw_sep_ref.npz, pool_ref.npz and
reshaping_ref.npz with real Keras 3.

Run with a Python that has Keras 3 + TensorFlow (not keras_torch's env), from any directory:
``python tests/layers/data/conv_gen_reference.py``. Weights are random normal * 0.5 set via
``set_weights``; each case stores ``x``, ``y``, ``w<i>`` (Keras layout; ``x``/``w`` are float16-exact
values stored as float16) and ``meta`` (utf-8 JSON: class, kwargs).
TF's CPU kernels lack NCHW convolutions, so channels_first convs are computed with a
channels_last twin on transposed data (the same math); ``twin`` marks those cases.
"""

import json
import os

import numpy as np

CONV = [
    ("conv2d_same_s2_odd", "Conv2D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (1, 5, 7, 3)),
    ("conv2d_same_s2_k4", "Conv2D", dict(filters=3, kernel_size=(4, 2), strides=(2, 3), padding="same"), (1, 5, 7, 3)),
    ("conv2d_same_dil", "Conv2D", dict(filters=3, kernel_size=3, dilation_rate=2, padding="same"), (1, 5, 7, 3)),
    (
        "conv2d_same_dil_k2",
        "Conv2D",
        dict(filters=3, kernel_size=2, dilation_rate=(2, 3), padding="same"),
        (1, 5, 7, 3),
    ),
    ("conv2d_valid_relu", "Conv2D", dict(filters=3, kernel_size=3, activation="relu"), (1, 5, 7, 3)),
    ("conv2d_groups2", "Conv2D", dict(filters=6, kernel_size=3, groups=2, padding="same"), (1, 6, 5, 4)),
    (
        "conv2d_cf",
        "Conv2D",
        dict(filters=3, kernel_size=3, strides=2, padding="same", data_format="channels_first"),
        (1, 3, 5, 7),
    ),
    ("conv1d_causal", "Conv1D", dict(filters=3, kernel_size=3, padding="causal", dilation_rate=2), (1, 10, 2)),
    ("conv1d_same_s2", "Conv1D", dict(filters=3, kernel_size=4, padding="same", strides=2), (1, 9, 2)),
    ("conv1d_groups2", "Conv1D", dict(filters=4, kernel_size=3, groups=2), (1, 9, 2)),
    ("conv3d_same_s2", "Conv3D", dict(filters=2, kernel_size=3, strides=2, padding="same"), (1, 3, 4, 5, 2)),
    ("convT2d_s2_same", "Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"), (1, 3, 4, 2)),
    ("convT2d_s2_valid", "Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="valid"), (1, 3, 4, 2)),
    (
        "convT2d_s2_same_op1",
        "Conv2DTranspose",
        dict(filters=3, kernel_size=3, strides=2, padding="same", output_padding=1),
        (1, 3, 4, 2),
    ),
    (
        "convT2d_s2_valid_op1",
        "Conv2DTranspose",
        dict(filters=3, kernel_size=3, strides=2, padding="valid", output_padding=1),
        (1, 3, 4, 2),
    ),
    ("convT2d_s2_same_k4", "Conv2DTranspose", dict(filters=3, kernel_size=4, strides=2, padding="same"), (1, 3, 4, 2)),
    ("convT2d_s3_same_k2", "Conv2DTranspose", dict(filters=3, kernel_size=2, strides=3, padding="same"), (1, 3, 4, 2)),
    (
        "convT2d_s3_valid_k2",
        "Conv2DTranspose",
        dict(filters=3, kernel_size=2, strides=3, padding="valid"),
        (1, 3, 4, 2),
    ),
    (
        "convT2d_cf",
        "Conv2DTranspose",
        dict(filters=3, kernel_size=3, strides=2, padding="same", data_format="channels_first"),
        (1, 2, 3, 4),
    ),
    ("convT1d_same_s2", "Conv1DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"), (1, 5, 4)),
    ("convT3d_valid_s2", "Conv3DTranspose", dict(filters=2, kernel_size=2, strides=2), (1, 2, 3, 2, 3)),
    (
        "dw2d_mult2_same",
        "DepthwiseConv2D",
        dict(kernel_size=3, depth_multiplier=2, padding="same", strides=2),
        (1, 7, 9, 3),
    ),
    (
        "dw2d_cf",
        "DepthwiseConv2D",
        dict(kernel_size=3, depth_multiplier=2, padding="same", data_format="channels_first"),
        (1, 3, 7, 9),
    ),
    ("dw1d_mult2", "DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2), (1, 9, 3)),
    (
        "sep2d_same",
        "SeparableConv2D",
        dict(filters=4, kernel_size=3, depth_multiplier=2, padding="same", strides=2),
        (1, 7, 9, 3),
    ),
    (
        "sep2d_cf",
        "SeparableConv2D",
        dict(filters=4, kernel_size=3, padding="same", data_format="channels_first"),
        (1, 3, 7, 9),
    ),
    ("sep1d", "SeparableConv1D", dict(filters=4, kernel_size=3, depth_multiplier=2, padding="same"), (1, 9, 3)),
]
POOL = [
    ("avg2d_same_odd", "AveragePooling2D", dict(pool_size=3, strides=2, padding="same"), (1, 7, 9, 3)),
    ("avg2d_same_p2", "AveragePooling2D", dict(pool_size=2, padding="same"), (1, 7, 9, 3)),
    ("avg2d_same_s1", "AveragePooling2D", dict(pool_size=(3, 2), strides=1, padding="same"), (1, 7, 9, 3)),
    ("avg2d_valid", "AveragePooling2D", dict(pool_size=2), (1, 7, 9, 3)),
    (
        "avg2d_cf",
        "AveragePooling2D",
        dict(pool_size=3, strides=2, padding="same", data_format="channels_first"),
        (1, 3, 7, 8),
    ),
    ("avg1d_same", "AveragePooling1D", dict(pool_size=3, strides=2, padding="same"), (1, 8, 3)),
    ("avg3d_same", "AveragePooling3D", dict(pool_size=2, padding="same"), (1, 3, 5, 4, 2)),
    ("max2d_same", "MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (1, 7, 9, 3)),
    ("max2d_same_p2", "MaxPooling2D", dict(pool_size=2, padding="same"), (1, 7, 9, 3)),
    ("max2d_cf", "MaxPooling2D", dict(pool_size=2, padding="same", data_format="channels_first"), (1, 3, 7, 9)),
    ("max1d_same", "MaxPooling1D", dict(pool_size=2, padding="same"), (1, 9, 3)),
    ("max3d_valid", "MaxPooling3D", dict(pool_size=2, strides=1), (1, 3, 4, 5, 2)),
    ("gap1d", "GlobalAveragePooling1D", dict(), (1, 5, 3)),
    ("gmp2d_keep", "GlobalMaxPooling2D", dict(keepdims=True), (1, 5, 4, 3)),
    ("gap2d_cf", "GlobalAveragePooling2D", dict(data_format="channels_first"), (1, 3, 5, 4)),
]
RESHAPING = [
    ("up2d_bilinear", "UpSampling2D", dict(size=2, interpolation="bilinear"), (1, 3, 4, 2)),
    ("up2d_bilinear_3x2", "UpSampling2D", dict(size=(3, 2), interpolation="bilinear"), (1, 3, 4, 2)),
    (
        "up2d_bilinear_cf",
        "UpSampling2D",
        dict(size=(2, 3), interpolation="bilinear", data_format="channels_first"),
        (1, 2, 3, 4),
    ),
    ("up2d_nearest", "UpSampling2D", dict(size=(2, 3)), (1, 3, 4, 2)),
    ("up2d_bicubic", "UpSampling2D", dict(size=2, interpolation="bicubic"), (1, 3, 4, 2)),
    (
        "up2d_bicubic_3x2_cf",
        "UpSampling2D",
        dict(size=(3, 2), interpolation="bicubic", data_format="channels_first"),
        (1, 2, 4, 5),
    ),
    ("up1d", "UpSampling1D", dict(size=3), (1, 3, 2)),
    ("up3d_cf", "UpSampling3D", dict(size=(1, 2, 3), data_format="channels_first"), (1, 2, 2, 3, 2)),
    ("zp2d", "ZeroPadding2D", dict(padding=((1, 2), (0, 3))), (1, 3, 4, 2)),
    ("zp2d_cf", "ZeroPadding2D", dict(padding=(2, 1), data_format="channels_first"), (1, 2, 3, 4)),
    ("zp1d", "ZeroPadding1D", dict(padding=(2, 1)), (1, 3, 2)),
    ("zp3d", "ZeroPadding3D", dict(padding=1), (1, 2, 2, 2, 1)),
    ("crop2d", "Cropping2D", dict(cropping=((1, 0), (2, 1))), (1, 5, 6, 2)),
    ("crop2d_cf", "Cropping2D", dict(cropping=1, data_format="channels_first"), (1, 2, 5, 6)),
    ("crop1d", "Cropping1D", dict(cropping=(2, 1)), (1, 6, 2)),
    ("crop3d", "Cropping3D", dict(cropping=((1, 0), (0, 1), (1, 1))), (1, 3, 3, 4, 1)),
]


def generate(cases, path):
    import keras

    out = {}
    for i, (name, cls, kw, shape) in enumerate(cases):
        rng = np.random.default_rng(i)
        x = rng.standard_normal(shape).astype("float16").astype("float32")  # stored as float16, exactly
        layer = getattr(keras.layers, cls)(**kw)
        layer.build(shape)
        ws = [(rng.standard_normal(w.shape) * 0.5).astype("float16").astype("float32") for w in layer.get_weights()]
        layer.set_weights(ws)
        twin = False
        try:
            y = np.asarray(layer(x))
        except Exception:
            twin = True
            perm = (0,) + tuple(range(2, x.ndim)) + (1,)
            inv = (0, x.ndim - 1) + tuple(range(1, x.ndim - 1))
            other = getattr(keras.layers, cls)(**dict(kw, data_format="channels_last"))
            other.build(x.transpose(perm).shape)
            other.set_weights(ws)
            y = np.asarray(other(x.transpose(perm))).transpose(inv)
        out[f"{name}/x"] = x.astype("float16")
        out[f"{name}/y"] = y
        for j, w in enumerate(ws):
            out[f"{name}/w{j}"] = w.astype("float16")
        meta = json.dumps({"cls": cls, "kwargs": kw, "twin": twin}).encode()
        out[f"{name}/meta"] = np.frombuffer(meta, dtype=np.uint8)
    if cases is POOL:
        rng = np.random.default_rng(99)
        x = rng.standard_normal((3, 5, 2)).astype("float32")
        mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0]], bool)
        out["masked_gap1d/x"] = x
        out["masked_gap1d/mask"] = mask
        out["masked_gap1d/y"] = np.asarray(keras.layers.GlobalAveragePooling1D()(x, mask=mask))
    np.savez_compressed(path, **out)
    print(path, os.path.getsize(path))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    generate([c for c in CONV if c[1] in ("Conv1D", "Conv2D", "Conv3D")], os.path.join(here, "conv_ref.npz"))
    generate([c for c in CONV if "Transpose" in c[1]], os.path.join(here, "conv_transpose_ref.npz"))
    generate(
        [c for c in CONV if c[1].startswith(("Depthwise", "Separable"))], os.path.join(here, "conv_dw_sep_ref.npz")
    )
    generate(POOL, os.path.join(here, "pool_ref.npz"))
    generate(RESHAPING, os.path.join(here, "reshaping_ref.npz"))
