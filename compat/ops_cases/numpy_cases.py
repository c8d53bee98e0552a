"""Numeric cases of ``keras.ops.numpy``."""

from __future__ import annotations

from compat.ops_cases._base import A, Table

t = Table()
X, Y, POS = A("x"), A("y"), A("pos")

# ---- elementwise, one argument
for name, arg in [
    ("abs", X), ("absolute", X), ("fabs", X), ("negative", X), ("sign", X), ("square", X), ("sqrt", POS),
    ("cbrt", X), ("exp", X), ("exp2", X), ("expm1", X), ("log", POS), ("log10", POS), ("log1p", POS),
    ("log2", POS), ("sin", X), ("cos", X), ("tan", A("unit")), ("arcsin", A("unit")), ("arccos", A("unit")),
    ("arctan", X), ("arcsinh", X), ("arccosh", A("ge1")), ("arctanh", A("unit")), ("sinh", X), ("cosh", X),
    ("tanh", X), ("ceil", X), ("floor", X), ("round", X), ("trunc", X), ("reciprocal", POS), ("deg2rad", X),
    ("rad2deg", X), ("sinc", X), ("i0", X), ("signbit", X), ("isfinite", A("xinf")), ("isinf", A("xinf")),
    ("isnan", A("xinf")), ("isneginf", A("xinf")), ("isposinf", A("xinf")), ("isreal", X), ("real", X),
    ("imag", X), ("conj", X), ("conjugate", X), ("angle", X), ("logical_not", A("b")),
    ("bitwise_invert", A("i")), ("bitwise_not", A("i")), ("copy", X), ("ravel", A("x3")),
]:
    t.add(f"numpy.{name}", arg)
for name in ["abs", "negative", "sign", "square", "ceil", "floor", "round", "trunc", "sqrt", "exp", "log1p"]:
    t.add(f"numpy.{name}", A("ipos"))
t.add("numpy.round", A("x3"), decimals=2)
t.add("numpy.round", A("ipos"), decimals=-1)
t.add("numpy.nan_to_num", A("xinf"))
t.add("numpy.nan_to_num", A("xinf"), nan=1.5, posinf=9.0, neginf=-9.0)
t.add("numpy.clip", X, -0.5, 0.5)
t.add("numpy.clip", A("i"), -2, 3)

# ---- elementwise, two arguments
for name, a, b in [
    ("add", X, Y), ("subtract", X, Y), ("multiply", X, Y), ("divide", X, POS), ("true_divide", X, POS),
    ("floor_divide", X, POS), ("power", POS, Y), ("mod", X, POS), ("fmod", X, POS), ("maximum", X, Y),
    ("minimum", X, Y), ("fmax", X, Y), ("fmin", X, Y), ("arctan2", X, Y), ("hypot", X, Y),
    ("logaddexp", X, Y), ("logaddexp2", X, Y), ("heaviside", X, 0.5), ("ldexp", X, A("i")),
    ("nextafter", X, Y), ("equal", A("i"), A("j")), ("not_equal", A("i"), A("j")), ("greater", X, Y),
    ("greater_equal", A("i"), A("j")), ("less", X, Y), ("less_equal", A("i"), A("j")),
    ("logical_and", A("b"), A("c")), ("logical_or", A("b"), A("c")), ("logical_xor", A("b"), A("c")),
    ("bitwise_and", A("i"), A("j")), ("bitwise_or", A("i"), A("j")), ("bitwise_xor", A("i"), A("j")),
    ("bitwise_left_shift", A("ipos"), A("ishift")), ("bitwise_right_shift", A("ipos"), A("ishift")),
    ("left_shift", A("ipos"), A("ishift")), ("right_shift", A("ipos"), A("ishift")), ("gcd", A("i"), A("j")),
    ("lcm", A("i"), A("j")), ("isclose", X, A("x_close")),
    ("allclose", X, A("x_close")), ("add", X, A("row")), ("multiply", A("col"), A("row")), ("add", X, 1.5),
    ("subtract", 2, A("i")), ("divide", A("i"), A("ipos")), ("floor_divide", A("i"), A("ipos")),
    ("mod", A("i"), A("ipos")), ("power", A("ipos"), 2), ("maximum", A("i"), 0.5), ("fmod", A("i"), A("ipos")),
]:
    t.add(f"numpy.{name}", a, b)
t.add("numpy.divide_no_nan", X, A("x0"), grad=False)  # not differentiable where x2 == 0
t.add("numpy.fmax", A("xnan"), A("x_nan2"), grad=False)  # NaN inputs: no finite differences
t.add("numpy.isclose", X, A("x_close"), rtol=0.0, atol=1e-3)
t.add("numpy.isclose", A("xnan"), A("xnan"), equal_nan=True)
t.add("numpy.where", A("b"), X, Y)
t.add("numpy.where", A("b"), X, 0.0)

# ---- reductions and statistics
for name in ["sum", "mean", "prod", "max", "min", "amax", "amin", "std", "var", "median", "ptp", "all", "any"]:
    t.add(f"numpy.{name}", A("x3"))
    t.add(f"numpy.{name}", A("x3"), axis=1)
    t.add(f"numpy.{name}", A("x3"), axis=(0, 2), keepdims=True)
for name in ["sum", "mean", "prod", "max", "min", "all", "any"]:
    t.add(f"numpy.{name}", A("i"), axis=-1)
t.add("numpy.max", A("x3"), axis=0, initial=0.5)
t.add("numpy.min", A("x3"), axis=0, initial=-0.5)
t.add("numpy.prod", A("i"), axis=0, dtype="float32")
for name in ["argmax", "argmin"]:
    t.add(f"numpy.{name}", A("x3"))
    t.add(f"numpy.{name}", A("x3"), axis=1)
    t.add(f"numpy.{name}", A("x3"), axis=-1, keepdims=True)
for name in ["nansum", "nanmean", "nanprod", "nanmax", "nanmin", "nanstd", "nanvar", "nanmedian"]:
    t.add(f"numpy.{name}", A("xnan"))
    t.add(f"numpy.{name}", A("xnan"), axis=1, keepdims=True)
for name in ["nanargmax", "nanargmin"]:
    t.add(f"numpy.{name}", A("xnan"), axis=1)
t.add("numpy.nancumsum", A("xnan"), axis=1)
t.add("numpy.nancumprod", A("xnan"), axis=0)
t.add("numpy.cumsum", A("x3"), axis=1)
t.add("numpy.cumsum", A("i"))
t.add("numpy.cumprod", A("x3"), axis=-1)
t.add("numpy.cumprod", A("b"), axis=0)
t.add("numpy.count_nonzero", A("i"))
t.add("numpy.count_nonzero", A("i"), axis=1)
t.add("numpy.average", A("x3"), axis=1)
t.add("numpy.average", X, axis=1, weights=A("row"))
t.add("numpy.average", X)
for name in ["quantile", "nanquantile"]:
    t.add(f"numpy.{name}", A("xnan") if name.startswith("nan") else A("x3"), 0.3, axis=1)
    t.add(f"numpy.{name}", A("xnan") if name.startswith("nan") else A("x3"), [0.1, 0.5, 0.9])
for method in ["lower", "higher", "nearest", "midpoint"]:
    t.add("numpy.quantile", A("x3"), 0.3, axis=-1, method=method)
t.add("numpy.percentile", A("x3"), 40.0, axis=0, keepdims=True)
t.add("numpy.nanpercentile", A("xnan"), [25.0, 75.0], axis=1)
t.add("numpy.diff", A("x3"))
t.add("numpy.diff", A("x3"), n=2, axis=1)
t.add("numpy.trapezoid", A("x3"))
t.add("numpy.trapezoid", X, x=A("sorted3"), axis=-1)
t.add("numpy.trapezoid", X, dx=0.5, axis=0)
t.add("numpy.histogram", A("v8"), bins=4, symbolic=False, grad=False)
t.add("numpy.histogram", A("v8"), bins=3, range=(-1.0, 1.0), symbolic=False, grad=False)
t.add("numpy.bincount", A("bc"), symbolic=False)
t.add("numpy.bincount", A("bc"), weights=A("bc_w"), minlength=8, symbolic=False)
t.add("numpy.corrcoef", A("m34"))
t.add("numpy.correlate", A("v5"), A("v3"))
t.add("numpy.correlate", A("v5"), A("v3"), mode="same")
t.add("numpy.correlate", A("v5"), A("v3"), mode="full")

# ---- creation (no tensor inputs: symbolic calls are meaningless)
for name, args, kwargs in [
    ("arange", (5,), {}), ("arange", (1, 7, 2), {}), ("arange", (0.0, 1.0, 0.25), {}),
    ("arange", (3,), {"dtype": "float32"}), ("linspace", (0.0, 1.0, 5), {}),
    ("linspace", (0.0, 2.0), {"num": 4, "endpoint": False}), ("linspace", (1, 3, 5), {"dtype": "int32"}),
    ("logspace", (0.0, 2.0, 3), {}), ("logspace", (0.0, 3.0, 4), {"base": 2, "endpoint": False}),
    ("geomspace", (1.0, 1000.0, 4), {}), ("eye", (3,), {}), ("eye", (3, 4), {"k": 1}), ("eye", (4, 3), {"k": -1}),
    ("identity", (3,), {"dtype": "int32"}), ("tri", (3,), {}), ("tri", (3, 4, 1), {}), ("zeros", ((2, 3),), {}),
    ("ones", ((2,),), {"dtype": "int32"}), ("full", ((2, 2), 7), {}), ("full", ((2,), 1.5), {"dtype": "float32"}),
    ("bartlett", (5,), {}), ("blackman", (5,), {}), ("hamming", (6,), {}), ("hanning", (6,), {}),
    ("kaiser", (6, 5.0), {}), ("array", ([[1, 2], [3, 4]],), {}), ("array", ([1.5, 2.5],), {"dtype": "float32"}),
    ("empty", ((2, 3),), {}),
]:
    t.add(f"numpy.{name}", *args, symbolic=False, **kwargs)
for name in ["zeros_like", "ones_like", "empty_like"]:
    t.add(f"numpy.{name}", X)
    t.add(f"numpy.{name}", A("i"), dtype="float32")
t.add("numpy.full_like", X, 2.5)
t.add("numpy.full_like", A("i"), 3, dtype="int32")
t.add("numpy.meshgrid", A("v3"), A("v4"))
t.add("numpy.meshgrid", A("v3"), A("v4"), indexing="ij")
t.add("numpy.vander", A("v3"))
t.add("numpy.vander", A("v3"), N=4, increasing=True)
t.add("numpy.diag", A("v3"))
t.add("numpy.diag", A("m34"), k=1)
t.add("numpy.diagflat", A("v3"), k=-1)
t.add("numpy.diagonal", A("x4"), offset=1, axis1=1, axis2=3)
t.add("numpy.diagonal", A("m34"))
t.add("numpy.trace", A("m34"))
t.add("numpy.trace", A("x4"), offset=-1, axis1=2, axis2=1)
t.add("numpy.tril", A("m34"))
t.add("numpy.triu", A("bm34"), k=1)
t.add("numpy.tril", A("m44"), k=-1)

# ---- shape and layout
t.add("numpy.reshape", A("x3"), (2, 12))
t.add("numpy.reshape", A("x3"), (-1, 3))
t.add("numpy.transpose", A("x3"))
t.add("numpy.transpose", A("x4"), axes=(0, 2, 3, 1))
t.add("numpy.swapaxes", A("x3"), 0, 2)
t.add("numpy.moveaxis", A("x4"), 1, -1)
t.add("numpy.moveaxis", A("x4"), [0, 1], [2, 3])
t.add("numpy.expand_dims", A("x3"), 1)
t.add("numpy.expand_dims", X, (0, 3))
t.add("numpy.squeeze", A("col"))
t.add("numpy.squeeze", A("col"), axis=1)
t.add("numpy.broadcast_to", A("row"), (4, 2, 3))
t.add("numpy.concatenate", [X, Y], axis=0)
t.add("numpy.concatenate", [X, A("i")], axis=1)
t.add("numpy.append", X, Y)
t.add("numpy.append", X, Y, axis=1)
t.add("numpy.stack", [X, Y], axis=1)
t.add("numpy.hstack", [X, Y])
t.add("numpy.vstack", [X, Y])
t.add("numpy.dstack", [X, Y])
t.add("numpy.split", A("x4"), 2, axis=2)
t.add("numpy.split", A("x4"), [1, 4], axis=-1)
t.add("numpy.array_split", A("x4"), 3, axis=3)
t.add("numpy.hsplit", A("x4"), 3)
t.add("numpy.vsplit", A("x4"), 2)
t.add("numpy.dsplit", A("x4"), [1, 3])
t.add("numpy.tile", X, (2, 1, 2))
t.add("numpy.tile", A("row"), 2)
t.add("numpy.repeat", X, 2)
t.add("numpy.repeat", X, 3, axis=1)
t.add("numpy.repeat", X, [1, 2], axis=0)
t.add("numpy.flip", A("x3"))
t.add("numpy.flip", A("x3"), axis=(0, 2))
t.add("numpy.fliplr", A("x3"))
t.add("numpy.flipud", A("x3"))
t.add("numpy.rot90", A("m34"))
t.add("numpy.rot90", A("x4"), k=3, axes=(1, 2))
t.add("numpy.roll", A("x3"), 2)
t.add("numpy.roll", A("x3"), -1, axis=1)
t.add("numpy.roll", A("x3"), (1, 2), axis=(0, 2))
t.add("numpy.pad", X, ((1, 2), (0, 1)))
t.add("numpy.pad", X, ((1, 1), (2, 0)), constant_values=3.0)
for mode in ["reflect", "symmetric"]:
    t.add("numpy.pad", A("x3"), ((0, 0), (1, 2), (2, 1)), mode=mode)
t.add("numpy.kron", A("m34"), A("x"))
t.add("numpy.cross", A("x"), A("y"))
t.add("numpy.cross", A("bm43"), A("bm43r"), axis=-1)

# ---- products
t.add("numpy.matmul", A("m34"), A("m43"))
t.add("numpy.matmul", A("bm34"), A("m43"))
t.add("numpy.matmul", A("v3"), A("m34"))
t.add("numpy.matmul", A("i"), A("it"))
t.add("numpy.dot", A("m34"), A("m43"))
t.add("numpy.dot", A("v3"), A("w3"))
t.add("numpy.dot", A("x4"), A("m54"))
t.add("numpy.vdot", A("v3"), A("w3"))
t.add("numpy.inner", X, Y)
t.add("numpy.outer", A("v3"), A("v4"))
t.add("numpy.tensordot", A("x3"), A("m34"), axes=([2], [0]))
t.add("numpy.tensordot", A("m34"), A("m43"), axes=1)
t.add("numpy.einsum", "ij,jk->ik", A("m34"), A("m43"))
t.add("numpy.einsum", "bij->bji", A("x3"))
t.add("numpy.einsum", "...j,j->...", A("x3"), A("v3"))
t.add("numpy.slogdet", A("bspd"))

# ---- indexing, sorting, searching
t.add("numpy.take", A("x3"), A("idx"), axis=1)
t.add("numpy.take", X, A("idx"))
t.add("numpy.take", A("x3"), A("idx2"), axis=-1)
t.add("numpy.take", X, A("idx_neg"), axis=1)
t.add("numpy.take_along_axis", X, A("idx2"), axis=1)
t.add("numpy.take_along_axis", X, A("idx_col"), axis=1)
t.add("numpy.get_item", A("x3"), 1)
t.add("numpy.sort", A("x3"))
t.add("numpy.sort", A("x3"), axis=0)
t.add("numpy.argsort", A("x3"), axis=1)
t.add("numpy.argsort", A("ivec"))
t.add("numpy.argpartition", A("v8"), 3, grad=False)
t.add("numpy.searchsorted", A("sorted"), A("v4"))
t.add("numpy.searchsorted", A("sorted"), A("v4"), side="right")
t.add("numpy.digitize", A("x"), A("bins"))
t.add("numpy.isin", A("ivec"), A("i"))
t.add("numpy.isin", A("ivec"), A("i"), invert=True)
t.add("numpy.select", [A("b"), A("c")], [X, Y])
t.add("numpy.select", [A("b"), A("c")], [X, Y], default=-1.0)
t.add("numpy.where", A("b"), symbolic=False)
t.add("numpy.nonzero", A("i"), symbolic=False)
t.add("numpy.unique", A("ivec"), symbolic=False)
t.add("numpy.unique", A("ivec"), return_index=True, return_inverse=True, return_counts=True, symbolic=False)
t.add("numpy.unique", A("ivec"), size=8, fill_value=-1)
t.add("numpy.unravel_index", A("ivec"), (3, 4))
t.add("numpy.view", A("i"), dtype="float32", grad=False)
t.add("numpy.view", A("x"), dtype="int32")
t.add("numpy.size", A("x3"), symbolic=False)
t.add("numpy.ndim", A("x3"), symbolic=False)

CASES = t.cases
