"""Result-dtype cases (Keras promotion) and bad-argument cases (Keras's exception types)."""

from __future__ import annotations

from typing import Any, Callable

from compat.ops_cases._base import A, Table

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")

# Ops called as op(a, b) on every pair of DTYPES (inputs: ones of shape (2, 2)).
BINARY = (
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power", "maximum", "minimum", "mod",
    "fmod", "fmax", "fmin", "arctan2", "hypot", "logaddexp", "logaddexp2", "heaviside", "matmul", "dot", "inner",
    "outer", "kron", "append", "divide_no_nan", "nextafter", "equal", "greater", "logical_and", "isclose",
    "bitwise_and", "bitwise_or", "gcd", "lcm", "left_shift", "ldexp", "vdot", "tensordot", "correlate", "cross",
)
# Ops called as op(a, scalar) and op(scalar, a) for each dtype and scalar in SCALARS.
SCALAR_BINARY = ("add", "subtract", "multiply", "divide", "floor_divide", "power", "maximum", "minimum", "mod")
SCALARS = (2, 2.5, True)
# Ops called as op(a) for each dtype.
UNARY = (
    "abs", "absolute", "fabs", "negative", "sign", "square", "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log10",
    "log1p", "log2", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sinh",
    "cosh", "tanh", "ceil", "floor", "round", "trunc", "reciprocal", "deg2rad", "rad2deg", "sinc", "i0", "signbit",
    "isfinite", "isnan", "real", "imag", "conj", "angle", "logical_not", "copy", "ravel", "nan_to_num",
    "sum", "mean", "prod", "max", "min", "amax", "std", "var", "median", "ptp", "all", "any", "argmax", "argsort",
    "sort", "cumsum", "cumprod", "count_nonzero", "average", "nansum", "nanmean", "nanmax", "nanstd", "nanprod",
    "diff", "trapezoid", "flip", "transpose", "tril", "trace", "diagonal", "zeros_like", "ones_like",
    "relu", "relu6", "sigmoid", "softplus", "silu", "gelu", "elu", "selu", "leaky_relu", "hard_sigmoid",
    "log_sigmoid", "softmax", "log_softmax", "logsumexp", "erf", "erfinv", "rsqrt", "normalize",
    "squareplus", "sparse_plus", "celu", "glu", "hard_tanh", "soft_shrink",
)
# (op, kwargs) creation ops: result dtype for each dtype keyword.
CREATION = ("zeros", "ones", "full", "eye", "arange", "linspace", "identity", "tri")



def _dtype_of(keras: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    try:
        out = fn(*args, **kwargs)
        while isinstance(out, (list, tuple)):
            out = out[0]
        return keras.ops.dtype(out)
    except Exception as e:  # noqa: BLE001 - the exception type is the recorded result
        return f"error:{type(e).__name__}"


def dtype_table(keras: Any) -> dict[str, str]:
    """Result dtype (or ``"error:<type>"``) of every dtype-table entry, computed with ``keras``."""
    ops = keras.ops
    table: dict[str, str] = {}

    def ones(dt: str, shape: tuple = (2, 3)) -> Any:
        return ops.ones(shape, dtype=dt)

    for name in BINARY:
        fn = getattr(ops, name)
        shape = (3,) if name in ("cross", "correlate", "vdot", "outer") else (3, 3)
        for d1 in DTYPES:
            for d2 in DTYPES:
                table[f"{name}|{d1},{d2}"] = _dtype_of(keras, fn, ones(d1, shape), ones(d2, shape))
    for name in SCALAR_BINARY:
        fn = getattr(ops, name)
        for dt in DTYPES:
            for s in SCALARS:
                table[f"{name}|{dt},{type(s).__name__}"] = _dtype_of(keras, fn, ones(dt), s)
                table[f"{name}|{type(s).__name__},{dt}"] = _dtype_of(keras, fn, s, ones(dt))
    for name in UNARY:
        fn = getattr(ops, name)
        for dt in DTYPES:
            table[f"{name}|{dt}"] = _dtype_of(keras, fn, ones(dt, (2, 4)))
    creation_args = {"full": ((2, 2), 1), "eye": (3,), "arange": (3,), "linspace": (0, 3, 4), "identity": (2,),
                     "tri": (3,)}
    for name in CREATION:
        fn = getattr(ops, name)
        args = creation_args.get(name, ((2, 2),))
        table[f"{name}|None"] = _dtype_of(keras, fn, *args)
        for dt in DTYPES:
            table[f"{name}|{dt}"] = _dtype_of(keras, fn, *args, dtype=dt)
    for dt in DTYPES:
        table[f"where|bool,{dt},float32"] = _dtype_of(keras, ops.where, ones("bool"), ones(dt),
                                                      ones("float32"))
        table[f"concatenate|{dt},int8"] = _dtype_of(keras, ops.concatenate, [ones(dt), ones("int8")])
        table[f"clip|{dt}"] = _dtype_of(keras, ops.clip, ones(dt), 0, 1)
        table[f"cast|float32,{dt}"] = _dtype_of(keras, ops.cast, ones("float32"), dt)
        for s in SCALARS:
            table[f"full_like|{dt},{type(s).__name__}"] = _dtype_of(keras, ops.full_like, ones(dt), s)
    for s in SCALARS:
        table[f"convert_to_tensor|{type(s).__name__}"] = _dtype_of(keras, ops.convert_to_tensor, s)
    return table


t = Table(prefix="error:")
X = A("x")
# A bad argument: Keras raises the exception type recorded by the generator (eagerly and symbolically).
t.add("numpy.pad", X, 1, mode="bogus")
t.add("numpy.add", X, A("v4"))
t.add("numpy.matmul", A("m34"), A("m34"))
t.add("numpy.reshape", X, (4, 2))
t.add("numpy.concatenate", [X, A("v4")])
t.add("numpy.transpose", A("x3"), axes=(0, 1))
t.add("numpy.expand_dims", X, 4)
t.add("numpy.squeeze", X, axis=0)
t.add("numpy.take_along_axis", X, A("idx"), axis=1)
t.add("numpy.rot90", A("v3"))
t.add("numpy.quantile", X, 1.5)
t.add("numpy.linspace", 0.0, 1.0, num=-1, symbolic=False)
t.add("numpy.digitize", X, A("m33"))
t.add("nn.conv", A("img"), A("k2d"), padding="full")
t.add("nn.conv", A("img"), A("k1d"))
t.add("nn.max_pool", A("img"), 2, padding="other")
t.add("nn.one_hot", A("idx"), 3, axis=4)
t.add("nn.depth_to_space", A("img"), 2)
t.add("nn.glu", X, axis=1)
t.add("nn.ctc_decode", A("ctc_x"), A("ctc_xlen"), strategy="top", symbolic=False)
t.add("nn.dot_product_attention", A("q"), A("k"), A("q3"))
t.add("nn.dot_product_attention", A("q3"), A("k3"), A("v3a"))
t.add("image.affine_transform", A("img"), A("affine"), fill_mode="mirror")
t.add("image.extract_patches", A("patch_img"), 2, strides=2, dilation_rate=2)
t.add("nn.normalize", X, order=0)
t.add("nn.moments", X, axes=3)
t.add("linalg.norm", A("m34"), ord="bogus")
t.add("linalg.norm", A("x3"), ord="fro", axis=-1)
t.add("linalg.inv", A("m34"))
t.add("linalg.solve", A("m34"), A("m34"))
t.add("linalg.qr", A("m34"), mode="bogus")
t.add("linalg.cholesky", A("m34"))
t.add("image.resize", A("img"), (4, 4), interpolation="bogus")
t.add("image.resize", A("img"), (4,))
t.add("image.resize", A("img"), (4, 4), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
t.add("image.resize", A("v4"), (2, 2))
t.add("image.affine_transform", A("img"), A("affine"), fill_mode="bogus")
t.add("image.affine_transform", A("img"), A("affine"), interpolation="bicubic")
t.add("image.extract_patches", A("img"), (2, 2, 2))
t.add("image.rgb_to_grayscale", A("v4"))
t.add("image.pad_images", A("img"), top_padding=1)
t.add("image.crop_images", A("img"), top_cropping=5, target_height=4)
t.add("image.map_coordinates", A("grid"), A("coords"), 3)
t.add("ops.segment_sum", A("seg_data"), A("seg_ids"), num_segments=None, sorted=True)
t.add("ops.top_k", A("v8"), 20)
t.add("ops.stft", A("signal"), 8, 4, 4)
t.add("ops.slice_update", A("x3"), (0, 0), A("upd"))
t.add("ops.fft", X)
t.add("ops.extract_sequences", A("signal"), 40, 4)
t.add("ops.scan", call=lambda K: K.ops.scan(lambda c, v: (c, v), 0.0, None), symbolic=False)
t.add("ops.switch", X, call=lambda K, x: K.ops.switch(0, [], x), symbolic=False)
t.add("ops.cast", X, "bogus")
t.add("ops.rearrange", A("img"), "b h w -> b w h")
ERROR_CASES = t.cases
