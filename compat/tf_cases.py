"""TensorFlow stand-in cases (tensors, math, nn, linalg, random) shared by the fixture generator and the tests.

A case is a function ``(tf, a) -> result`` run twice: with real TensorFlow by
``compat/gen/tf_standin.py`` (results stored in ``compat/fixtures/tf_standin/values.npz``) and with
``keras_torch.launcher.tf`` by ``tests/launcher/test_tf_standin.py``. ``a`` maps input names to numpy
arrays (:func:`arrays`, stored in the fixture as ``in_<name>``) plus ``a["dir"]``, a directory
prepared by :func:`prepare_dir`. The key of a case is the TensorFlow symbol it checks (``tf.math.log``,
``tf.data.Dataset.window``), optionally ``#variant``. Host-side cases (strings, files, images,
``tf.data``) are in :mod:`compat.tf_host_cases`.

Random functions cannot give TensorFlow's numbers: their cases return statistics (``tol`` is then
the allowed difference) or properties that hold on both.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    fn: Callable[[Any, Any], Any]
    tol: float = 1e-5


def arrays() -> dict[str, np.ndarray]:
    """Deterministic inputs (float32 unless the name says otherwise)."""
    rng = np.random.default_rng(2121)

    def n(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype("float32")

    return {
        "x": n(3, 4), "y": n(3, 4), "v": n(5), "m": n(4, 4) + 4 * np.eye(4, dtype="float32"), "b": n(2, 3, 4),
        "pos": rng.uniform(0.2, 2.0, (3, 4)).astype("float32"), "unit": rng.uniform(-0.9, 0.9, (3, 4)).astype("float32"),
        "ge1": rng.uniform(1.1, 3.0, (3, 4)).astype("float32"),
        "ints": rng.integers(-5, 6, (3, 4)).astype("int32"), "labels": np.array([0, 2, 1], dtype="int32"),
        "probs": (lambda p: p / p.sum(-1, keepdims=True))(rng.uniform(0.1, 1, (3, 4)).astype("float32")),
        "binary": rng.integers(0, 2, (3, 4)).astype("float32"),
        "img": rng.uniform(0, 1, (2, 6, 5, 3)).astype("float32"),
        "img_u8": rng.integers(0, 256, (6, 5, 3)).astype("uint8"),
        "seq": np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype="int32"),
    }


def prepare_dir(root: str, a: dict[str, np.ndarray]) -> None:
    """Files the host cases read: class folders of images and a text file (from the stored bytes)."""
    for sub, key in (("cat", "png_rgb"), ("dog", "png_gray")):
        os.makedirs(os.path.join(root, "img", sub), exist_ok=True)
        with open(os.path.join(root, "img", sub, f"{key}.png"), "wb") as f:
            f.write(bytes(a[key].item()))
    with open(os.path.join(root, "lines.txt"), "w", encoding="utf-8", newline="") as f:
        f.write("first line\nsecond, line\r\nthird\n")


def T(tf: Any, a: Any, name: str) -> Any:  # noqa: N802 - short helper used by every case
    return tf.constant(a[name])


CASES: dict[str, Case] = {}


def case(key: str, tol: float = 1e-5) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        if key in CASES:
            raise KeyError(f"duplicate case {key}")
        CASES[key] = Case(fn, tol)
        return fn

    return register


def _simple(key: str, fn: Callable, tol: float = 1e-5) -> None:
    CASES[key] = Case(fn, tol)


# ---------------------------------------------------------------------------- creation, conversion, shapes
_simple("tf.constant", lambda tf, a: tf.constant([1.5, 2.0, -3.25]))
_simple("tf.constant#int", lambda tf, a: tf.constant([[1, 2], [3, 4]]))
_simple("tf.constant#shape", lambda tf, a: tf.constant(7.0, shape=[2, 3]))
_simple("tf.constant#bool", lambda tf, a: tf.constant([True, False]))
_simple("tf.convert_to_tensor", lambda tf, a: tf.convert_to_tensor(a["x"]) * 2)
_simple("tf.convert_to_tensor#dtype_hint", lambda tf, a: tf.convert_to_tensor(3, dtype_hint=tf.float32))
_simple("tf.cast", lambda tf, a: tf.cast(a["x"] * 3, tf.int32))
_simple("tf.cast#bool", lambda tf, a: tf.cast(tf.constant([0.0, 2.0]), tf.bool))
_simple("tf.is_tensor", lambda tf, a: tf.constant([tf.is_tensor(T(tf, a, "x")), tf.is_tensor(a["x"])]))
_simple("tf.zeros", lambda tf, a: tf.zeros((2, 3)))
_simple("tf.zeros#int", lambda tf, a: tf.zeros([2], dtype=tf.int32))
_simple("tf.ones", lambda tf, a: tf.ones((2, 1), dtype="float64"))
_simple("tf.zeros_like", lambda tf, a: tf.zeros_like(T(tf, a, "ints")))
_simple("tf.ones_like", lambda tf, a: tf.ones_like(T(tf, a, "x"), dtype=tf.int32))
_simple("tf.fill", lambda tf, a: tf.fill([2, 2], 9))
_simple("tf.eye", lambda tf, a: tf.eye(2, 3))
_simple("tf.eye#batch", lambda tf, a: tf.eye(2, batch_shape=[3]))
_simple("tf.range", lambda tf, a: tf.range(5))
_simple("tf.range#float", lambda tf, a: tf.range(1.0, 3.0, 0.5))
_simple("tf.range#tensor", lambda tf, a: tf.range(tf.shape(T(tf, a, "x"))[0]))
_simple("tf.linspace", lambda tf, a: tf.linspace(0.0, 1.0, 5))
_simple("tf.shape", lambda tf, a: tf.shape(T(tf, a, "b")))
_simple("tf.rank", lambda tf, a: tf.rank(T(tf, a, "b")))
_simple("tf.size", lambda tf, a: tf.size(T(tf, a, "b")))
_simple("tf.reshape", lambda tf, a: tf.reshape(T(tf, a, "b"), [4, -1]))
_simple("tf.reshape#shape_tensor", lambda tf, a: tf.reshape(T(tf, a, "x"), tf.stack([tf.shape(T(tf, a, "x"))[1], -1])))
_simple("tf.transpose", lambda tf, a: tf.transpose(T(tf, a, "x")))
_simple("tf.transpose#perm", lambda tf, a: tf.transpose(T(tf, a, "b"), perm=[2, 0, 1]))
_simple("tf.expand_dims", lambda tf, a: tf.expand_dims(T(tf, a, "x"), -1))
_simple("tf.squeeze", lambda tf, a: tf.squeeze(tf.zeros((1, 3, 1))))
_simple("tf.squeeze#axis", lambda tf, a: tf.squeeze(tf.zeros((1, 3, 1)), axis=[0]))
_simple("tf.concat", lambda tf, a: tf.concat([T(tf, a, "x"), T(tf, a, "y")], axis=1))
_simple("tf.stack", lambda tf, a: tf.stack([T(tf, a, "x"), T(tf, a, "y")], axis=1))
_simple("tf.unstack", lambda tf, a: tf.unstack(T(tf, a, "x"), axis=1))
_simple("tf.split", lambda tf, a: tf.split(T(tf, a, "x"), 2, axis=1))
_simple("tf.split#sizes", lambda tf, a: tf.split(T(tf, a, "x"), [1, -1, 2], axis=1))
_simple("tf.tile", lambda tf, a: tf.tile(T(tf, a, "x"), [2, 1]))
_simple("tf.repeat", lambda tf, a: tf.repeat(T(tf, a, "x"), 2, axis=0))
_simple("tf.repeat#flat", lambda tf, a: tf.repeat(tf.constant([1, 2]), [1, 3]))
_simple("tf.broadcast_to", lambda tf, a: tf.broadcast_to(T(tf, a, "v"), [2, 5]))
_simple("tf.pad", lambda tf, a: tf.pad(T(tf, a, "x"), [[1, 0], [0, 2]]))
_simple("tf.pad#value", lambda tf, a: tf.pad(T(tf, a, "x"), [[1, 1], [1, 1]], constant_values=-1.0))
_simple("tf.pad#reflect", lambda tf, a: tf.pad(T(tf, a, "x"), [[2, 1], [1, 2]], mode="REFLECT"))
_simple("tf.pad#symmetric", lambda tf, a: tf.pad(T(tf, a, "x"), [[2, 1], [3, 2]], mode="SYMMETRIC"))
_simple("tf.reverse", lambda tf, a: tf.reverse(T(tf, a, "x"), axis=[1]))
_simple("tf.roll", lambda tf, a: tf.roll(T(tf, a, "x"), shift=1, axis=1))
_simple("tf.gather", lambda tf, a: tf.gather(T(tf, a, "x"), [2, 0]))
_simple("tf.gather#axis", lambda tf, a: tf.gather(T(tf, a, "x"), [[3, 1], [0, 0]], axis=1))
_simple("tf.gather#batch_dims", lambda tf, a: tf.gather(T(tf, a, "x"), [[1, 0], [3, 3], [2, 1]], axis=1,
                                                           batch_dims=1))
_simple("tf.gather_nd", lambda tf, a: tf.gather_nd(T(tf, a, "x"), [[0, 1], [2, 3]]))
_simple("tf.gather_nd#rows", lambda tf, a: tf.gather_nd(T(tf, a, "b"), [[1], [0]]))
_simple("tf.scatter_nd", lambda tf, a: tf.scatter_nd([[1], [3], [1]], [5.0, 6.0, 7.0], [5]))
_simple("tf.tensor_scatter_nd_update", lambda tf, a: tf.tensor_scatter_nd_update(T(tf, a, "x"), [[0, 0], [2, 1]],
                                                                                    [10.0, 20.0]))
_simple("tf.tensor_scatter_nd_add", lambda tf, a: tf.tensor_scatter_nd_add(T(tf, a, "x"), [[0, 0], [0, 0]],
                                                                              [1.0, 2.0]))
_simple("tf.boolean_mask", lambda tf, a: tf.boolean_mask(T(tf, a, "x"), [True, False, True]))
_simple("tf.boolean_mask#2d", lambda tf, a: tf.boolean_mask(T(tf, a, "x"), T(tf, a, "x") > 0))
_simple("tf.where", lambda tf, a: tf.where(T(tf, a, "x") > 0, T(tf, a, "x"), T(tf, a, "y")))
_simple("tf.where#indices", lambda tf, a: tf.where(T(tf, a, "x") > 0))
_simple("tf.one_hot", lambda tf, a: tf.one_hot(T(tf, a, "labels"), 3))
_simple("tf.one_hot#values", lambda tf, a: tf.one_hot([0, 5, -1, 1], 3, on_value=2.0, off_value=-1.0, axis=0))
_simple("tf.sequence_mask", lambda tf, a: tf.sequence_mask([1, 3, 0], 4))
_simple("tf.sequence_mask#float", lambda tf, a: tf.sequence_mask([2, 1], dtype=tf.float32))
_simple("tf.meshgrid", lambda tf, a: tf.meshgrid(tf.range(3), tf.range(2)))
_simple("tf.unique", lambda tf, a: tf.unique(T(tf, a, "seq")))
_simple("tf.argsort", lambda tf, a: tf.argsort(T(tf, a, "v")))
_simple("tf.argsort#desc", lambda tf, a: tf.argsort(T(tf, a, "x"), axis=0, direction="DESCENDING"))
_simple("tf.sort", lambda tf, a: tf.sort(T(tf, a, "x"), direction="DESCENDING"))
_simple("tf.clip_by_value", lambda tf, a: tf.clip_by_value(T(tf, a, "x"), -0.5, 0.5))
_simple("tf.clip_by_norm", lambda tf, a: tf.clip_by_norm(T(tf, a, "x"), 1.0))
_simple("tf.clip_by_norm#axes", lambda tf, a: tf.clip_by_norm(T(tf, a, "x"), 1.0, axes=[1]))
_simple("tf.clip_by_global_norm", lambda tf, a: tf.clip_by_global_norm([T(tf, a, "x"), T(tf, a, "v")], 1.5))
_simple("tf.identity", lambda tf, a: tf.identity(T(tf, a, "x")))
_simple("tf.stop_gradient", lambda tf, a: tf.stop_gradient(T(tf, a, "x")))
_simple("tf.ensure_shape", lambda tf, a: tf.ensure_shape(T(tf, a, "x"), [None, 4]))
_simple("tf.get_static_value", lambda tf, a: tf.get_static_value(T(tf, a, "x")))
_simple("tf.executing_eagerly", lambda tf, a: tf.constant(tf.executing_eagerly()))
_simple("tf.as_dtype", lambda tf, a: tf.zeros([1], dtype=tf.as_dtype("int64")))
_simple("tf.TensorShape", lambda tf, a: tf.constant([d or -1 for d in tf.TensorShape([None, 3]).as_list()]
                                                    + [tf.TensorShape([2, 5]).rank]))
_simple("tf.TensorSpec", lambda tf, a: tf.constant(tf.TensorSpec([None, 2], tf.int32).shape.as_list()[1]))


@case("tf.cond")
def _cond(tf: Any, a: Any) -> Any:
    x = T(tf, a, "x")
    return [tf.cond(tf.reduce_sum(x) > 100, lambda: x * 2, lambda: x - 1),
            tf.cond(tf.constant(True), lambda: tf.ones(2), lambda: tf.zeros(2))]


@case("tf.case")
def _case(tf: Any, a: Any) -> Any:
    x = tf.constant(3)
    return tf.case([(x < 2, lambda: tf.constant(10)), (x < 5, lambda: tf.constant(20))], default=lambda: tf.constant(30))


@case("tf.while_loop")
def _while(tf: Any, a: Any) -> Any:
    return tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 2), [tf.constant(0), tf.constant(1.0)])


@case("tf.map_fn")
def _map_fn(tf: Any, a: Any) -> Any:
    return tf.map_fn(lambda row: tf.reduce_sum(row * row), T(tf, a, "x"))


@case("tf.map_fn#tuple")
def _map_fn_tuple(tf: Any, a: Any) -> Any:
    return tf.map_fn(lambda p: p[0] * p[1], (T(tf, a, "x"), T(tf, a, "y")), fn_output_signature=tf.float32)


@case("tf.vectorized_map")
def _vmap(tf: Any, a: Any) -> Any:
    return tf.vectorized_map(lambda row: tf.tensordot(row, row, 1), T(tf, a, "x"))


@case("tf.numpy_function")
def _numpy_function(tf: Any, a: Any) -> Any:
    return tf.numpy_function(lambda v: np.sort(v)[::-1].astype(np.float32), [T(tf, a, "v")], tf.float32)


@case("tf.py_function")
def _py_function(tf: Any, a: Any) -> Any:
    return tf.py_function(lambda v: v * 3.0, [T(tf, a, "v")], tf.float32)


@case("tf.print")
def _print(tf: Any, a: Any) -> Any:
    path = os.path.join(a["dir"], "printed.txt")
    tf.print("values:", tf.constant([1, 2, 3]), tf.constant(2.5), output_stream="file://" + path)
    tf.print(tf.constant([[1.5, 2.0], [3.0, 4.0]]), output_stream="file://" + path)
    tf.print(tf.range(10), tf.constant(["a", "b"]), [1, 2], tf.constant([True, False]), output_stream="file://" + path)
    tf.print(tf.reshape(tf.range(24), [2, 3, 4]), summarize=1, sep="|", end="$\n", output_stream="file://" + path)
    with open(path, encoding="utf-8") as f:
        return tf.constant(f.read())


@case("tf.name_scope")
def _name_scope(tf: Any, a: Any) -> Any:
    with tf.name_scope("block"):
        return T(tf, a, "x") + 1


@case("tf.device")
def _device(tf: Any, a: Any) -> Any:
    with tf.device("/CPU:0"):
        return T(tf, a, "x") * 2


@case("tf.Variable")
def _variable(tf: Any, a: Any) -> Any:
    v = tf.Variable(a["x"])
    v.assign_add(tf.ones_like(v))
    w = tf.Variable(3)
    w.assign(w * 2)
    u = tf.Variable([1.0, 2.0], trainable=False)
    u.assign_sub([0.5, 0.5])
    return [v.numpy(), tf.shape(v), w, u, tf.constant([v.trainable, u.trainable])]


@case("tf.function")
def _function(tf: Any, a: Any) -> Any:
    @tf.function
    def f(x, y):
        return tf.reduce_sum(x * y, axis=1)

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def g(x):
        return tf.nn.relu(x)

    return [f(T(tf, a, "x"), T(tf, a, "y")), g(T(tf, a, "x"))]


@case("tf.UnconnectedGradients")
def _unconnected(tf: Any, a: Any) -> Any:
    x, z = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = x * x
    return tape.gradient(y, [x, z], unconnected_gradients=tf.UnconnectedGradients.ZERO)


# ---------------------------------------------------------------------------- tf.math (elementwise)
for _name, _input in [("abs", "x"), ("negative", "x"), ("sign", "x"), ("square", "x"), ("sqrt", "pos"),
                      ("rsqrt", "pos"), ("reciprocal", "pos"), ("exp", "x"), ("expm1", "x"), ("log", "pos"),
                      ("log1p", "pos"), ("floor", "x"), ("ceil", "x"), ("round", "x"), ("sin", "x"), ("cos", "x"),
                      ("tan", "unit"), ("asin", "unit"), ("acos", "unit"), ("atan", "x"), ("sinh", "x"),
                      ("cosh", "x"), ("tanh", "x"), ("asinh", "x"), ("acosh", "ge1"), ("atanh", "unit"),
                      ("sigmoid", "x"), ("softplus", "x"), ("log_sigmoid", "x"), ("erf", "x"), ("lgamma", "pos"),
                      ("digamma", "pos"), ("is_nan", "x"), ("is_inf", "x"), ("is_finite", "x")]:
    _simple(f"tf.math.{_name}", lambda tf, a, n=_name, i=_input: getattr(tf.math, n)(T(tf, a, i) * (3 if n == "round" else 1)))
_simple("tf.math.logical_not", lambda tf, a: tf.math.logical_not(T(tf, a, "x") > 0))
_simple("tf.math.round#half", lambda tf, a: tf.round(tf.constant([0.5, 1.5, 2.5, -0.5])))

for _name in ["add", "subtract", "multiply", "maximum", "minimum", "equal", "not_equal", "greater",
              "greater_equal", "less", "less_equal", "squared_difference", "divide", "truediv", "floordiv",
              "floormod", "mod", "divide_no_nan", "multiply_no_nan", "atan2"]:
    _simple(f"tf.math.{_name}", lambda tf, a, n=_name: getattr(tf.math, n)(T(tf, a, "x"), T(tf, a, "y")))
_simple("tf.math.pow", lambda tf, a: tf.math.pow(T(tf, a, "pos"), T(tf, a, "x")))
_simple("tf.math.add#scalar", lambda tf, a: tf.add(T(tf, a, "x"), 2))
_simple("tf.math.divide#int", lambda tf, a: tf.divide(T(tf, a, "ints"), 2))
_simple("tf.math.floordiv#int", lambda tf, a: tf.math.floordiv(T(tf, a, "ints"), 3))
_simple("tf.math.floormod#int", lambda tf, a: tf.math.floormod(T(tf, a, "ints"), 3))
_simple("tf.math.divide_no_nan#zero", lambda tf, a: tf.math.divide_no_nan(T(tf, a, "x"), tf.zeros((3, 4))))
_simple("tf.math.xlogy", lambda tf, a: tf.math.xlogy(T(tf, a, "binary"), T(tf, a, "pos")))
for _name in ["logical_and", "logical_or", "logical_xor"]:
    _simple(f"tf.math.{_name}", lambda tf, a, n=_name: getattr(tf.math, n)(T(tf, a, "x") > 0, T(tf, a, "y") > 0))
_simple("tf.math.scalar_mul", lambda tf, a: tf.math.scalar_mul(2.5, T(tf, a, "x")))
_simple("tf.math.add_n", lambda tf, a: tf.add_n([T(tf, a, "x"), T(tf, a, "y"), T(tf, a, "x")]))
_simple("tf.math.l2_normalize", lambda tf, a: tf.math.l2_normalize(T(tf, a, "x"), axis=1))
_simple("tf.math.l2_normalize#all", lambda tf, a: tf.math.l2_normalize(T(tf, a, "x")))

# ---------------------------------------------------------------------------- tf.math (reductions, scans)
for _name in ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_variance",
              "reduce_std", "reduce_logsumexp", "reduce_euclidean_norm"]:
    _simple(f"tf.math.{_name}", lambda tf, a, n=_name: getattr(tf.math, n)(T(tf, a, "x")))
    _simple(f"tf.math.{_name}#axis", lambda tf, a, n=_name: getattr(tf.math, n)(T(tf, a, "b"), axis=[0, 2]))
    _simple(f"tf.math.{_name}#keepdims", lambda tf, a, n=_name: getattr(tf.math, n)(T(tf, a, "x"), 1, keepdims=True))
for _name in ["reduce_sum", "reduce_mean", "reduce_max", "reduce_prod"]:
    _simple(f"tf.math.{_name}#int", lambda tf, a, n=_name: getattr(tf.math, n)(T(tf, a, "ints"), axis=1))
_simple("tf.math.reduce_any", lambda tf, a: tf.reduce_any(T(tf, a, "x") > 1.5, axis=1))
_simple("tf.math.reduce_all", lambda tf, a: tf.reduce_all(T(tf, a, "x") > -3.0, axis=0))
_simple("tf.math.count_nonzero", lambda tf, a: tf.math.count_nonzero(T(tf, a, "ints"), axis=0))
_simple("tf.math.argmax", lambda tf, a: tf.argmax(T(tf, a, "x")))
_simple("tf.math.argmax#axis", lambda tf, a: tf.argmax(T(tf, a, "x"), axis=1, output_type=tf.int32))
_simple("tf.math.argmax#bool", lambda tf, a: tf.argmax(tf.constant([False, True, True])))
_simple("tf.math.argmin", lambda tf, a: tf.argmin(T(tf, a, "x"), axis=-1))
_simple("tf.math.cumsum", lambda tf, a: tf.cumsum(T(tf, a, "x"), axis=1))
_simple("tf.math.cumsum#exclusive", lambda tf, a: tf.math.cumsum(T(tf, a, "x"), axis=0, exclusive=True, reverse=True))
_simple("tf.math.cumprod", lambda tf, a: tf.math.cumprod(T(tf, a, "x"), axis=1, exclusive=True))
_simple("tf.math.top_k", lambda tf, a: tf.math.top_k(T(tf, a, "x"), k=2))
_simple("tf.math.in_top_k", lambda tf, a: tf.math.in_top_k(T(tf, a, "labels"), T(tf, a, "x"), 2))
_simple("tf.math.bincount", lambda tf, a: tf.math.bincount(tf.constant([1, 1, 3, 0]), minlength=5))
_simple("tf.math.bincount#weights", lambda tf, a: tf.math.bincount(tf.constant([1, 1, 3]), weights=[0.5, 1.0, 2.0]))
_simple("tf.math.confusion_matrix", lambda tf, a: tf.math.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1]))
_simple("tf.math.confusion_matrix#classes", lambda tf, a: tf.math.confusion_matrix([0, 1], [1, 1], num_classes=3,
                                                                                     weights=[2, 3]))
_simple("tf.math.softmax", lambda tf, a: tf.math.softmax(T(tf, a, "x")))
_simple("tf.math.log_softmax", lambda tf, a: tf.math.log_softmax(T(tf, a, "x"), axis=0))
_simple("tf.math.segment_sum", lambda tf, a: tf.math.segment_sum(T(tf, a, "x"), [0, 0, 1]))
_simple("tf.math.unsorted_segment_sum", lambda tf, a: tf.math.unsorted_segment_sum(T(tf, a, "x"), [2, 0, 2], 4))

# ---------------------------------------------------------------------------- tf.nn
for _name in ["relu", "relu6", "elu", "selu", "softsign", "gelu", "leaky_relu", "silu", "swish", "sigmoid", "tanh",
              "softplus", "softmax", "log_softmax"]:
    _simple(f"tf.nn.{_name}", lambda tf, a, n=_name: getattr(tf.nn, n)(T(tf, a, "x") * 3))
_simple("tf.nn.gelu#approximate", lambda tf, a: tf.nn.gelu(T(tf, a, "x"), approximate=True))
_simple("tf.nn.leaky_relu#alpha", lambda tf, a: tf.nn.leaky_relu(T(tf, a, "x"), alpha=0.05))
_simple("tf.nn.l2_normalize", lambda tf, a: tf.nn.l2_normalize(T(tf, a, "x"), axis=-1))
_simple("tf.nn.top_k", lambda tf, a: tf.nn.top_k(T(tf, a, "x"), 3))
_simple("tf.nn.bias_add", lambda tf, a: tf.nn.bias_add(T(tf, a, "b"), T(tf, a, "x")[0]))
_simple("tf.nn.sigmoid_cross_entropy_with_logits",
        lambda tf, a: tf.nn.sigmoid_cross_entropy_with_logits(labels=T(tf, a, "binary"), logits=T(tf, a, "x")))
_simple("tf.nn.weighted_cross_entropy_with_logits",
        lambda tf, a: tf.nn.weighted_cross_entropy_with_logits(T(tf, a, "binary"), T(tf, a, "x"), 2.5))
_simple("tf.nn.softmax_cross_entropy_with_logits",
        lambda tf, a: tf.nn.softmax_cross_entropy_with_logits(labels=T(tf, a, "probs"), logits=T(tf, a, "x")))
_simple("tf.nn.sparse_softmax_cross_entropy_with_logits",
        lambda tf, a: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=T(tf, a, "labels"), logits=T(tf, a, "x")))
_simple("tf.nn.l2_loss", lambda tf, a: tf.nn.l2_loss(T(tf, a, "x")))
_simple("tf.nn.moments", lambda tf, a: tf.nn.moments(T(tf, a, "b"), axes=[0, 1]))
_simple("tf.nn.moments#keepdims", lambda tf, a: tf.nn.moments(T(tf, a, "x"), axes=[1], keepdims=True))
_simple("tf.nn.batch_normalization", lambda tf, a: tf.nn.batch_normalization(
    T(tf, a, "x"), T(tf, a, "y")[0], T(tf, a, "pos")[0], T(tf, a, "y")[1], T(tf, a, "pos")[1], 1e-3))
_simple("tf.nn.embedding_lookup", lambda tf, a: tf.nn.embedding_lookup(T(tf, a, "x"), [[2, 0], [1, 1]]))
_simple("tf.nn.compute_average_loss", lambda tf, a: tf.nn.compute_average_loss(T(tf, a, "v"), global_batch_size=10))
_simple("tf.nn.compute_average_loss#weights",
        lambda tf, a: tf.nn.compute_average_loss(T(tf, a, "v"), sample_weight=T(tf, a, "v") > 0))
_simple("tf.nn.scale_regularization_loss", lambda tf, a: tf.nn.scale_regularization_loss(tf.constant(2.5)))


@case("tf.nn.dropout")
def _dropout(tf: Any, a: Any) -> Any:
    x = tf.ones((200, 100))
    y = tf.nn.dropout(x, rate=0.25)
    kept = tf.cast(y > 0, tf.float32)
    values = tf.boolean_mask(y, y > 0)
    return [tf.round(tf.reduce_mean(kept) * 20) / 20, tf.reduce_max(values), tf.reduce_min(values),
            tf.nn.dropout(x, rate=0.0)[:2, :2]]


# ---------------------------------------------------------------------------- tf.linalg
_simple("tf.linalg.matmul", lambda tf, a: tf.linalg.matmul(T(tf, a, "x"), T(tf, a, "y"), transpose_b=True))
_simple("tf.linalg.matmul#batched", lambda tf, a: tf.matmul(T(tf, a, "b"), T(tf, a, "m")))
_simple("tf.linalg.matmul#transpose_a", lambda tf, a: tf.matmul(T(tf, a, "x"), T(tf, a, "y"), transpose_a=True))
_simple("tf.linalg.matvec", lambda tf, a: tf.linalg.matvec(T(tf, a, "m"), T(tf, a, "x")[0]))
_simple("tf.linalg.tensordot", lambda tf, a: tf.tensordot(T(tf, a, "b"), T(tf, a, "m"), axes=[[2], [0]]))
_simple("tf.linalg.tensordot#int", lambda tf, a: tf.tensordot(T(tf, a, "x"), T(tf, a, "m"), 1))
_simple("tf.linalg.einsum", lambda tf, a: tf.einsum("bij,jk->bik", T(tf, a, "b"), T(tf, a, "m")))
_simple("tf.linalg.norm", lambda tf, a: tf.norm(T(tf, a, "x")))
_simple("tf.linalg.norm#axis", lambda tf, a: tf.norm(T(tf, a, "x"), axis=1, keepdims=True))
_simple("tf.linalg.norm#ord1", lambda tf, a: tf.linalg.norm(T(tf, a, "x"), ord=1, axis=0))
_simple("tf.linalg.inv", lambda tf, a: tf.linalg.inv(T(tf, a, "m")), tol=1e-4)
_simple("tf.linalg.det", lambda tf, a: tf.linalg.det(T(tf, a, "m")), tol=1e-4)
_simple("tf.linalg.diag", lambda tf, a: tf.linalg.diag(T(tf, a, "x")))
_simple("tf.linalg.diag_part", lambda tf, a: tf.linalg.diag_part(T(tf, a, "m")))
_simple("tf.linalg.trace", lambda tf, a: tf.linalg.trace(T(tf, a, "b")[:, :3, :3]))
_simple("tf.linalg.band_part", lambda tf, a: tf.linalg.band_part(T(tf, a, "m"), -1, 0))
_simple("tf.linalg.band_part#band", lambda tf, a: tf.linalg.band_part(T(tf, a, "b"), 1, 2))
_simple("tf.linalg.eye", lambda tf, a: tf.linalg.eye(3))
_simple("tf.linalg.l2_normalize", lambda tf, a: tf.linalg.l2_normalize(T(tf, a, "v")))


# ---------------------------------------------------------------------------- tf.random (statistics)
def _stats(tf: Any, x: Any) -> Any:
    x = tf.cast(x, tf.float32)
    return [tf.reduce_mean(x), tf.math.reduce_std(x), tf.reduce_min(x), tf.reduce_max(x)]


@case("tf.random.set_seed")
def _set_seed(tf: Any, a: Any) -> Any:
    tf.random.set_seed(7)
    first = tf.random.normal((5,)), tf.random.uniform((3,), seed=3)
    tf.random.set_seed(7)
    second = tf.random.normal((5,)), tf.random.uniform((3,), seed=3)
    return tf.constant([bool(tf.reduce_all(first[0] == second[0])), bool(tf.reduce_all(first[1] == second[1]))])


_simple("tf.random.normal", lambda tf, a: _stats(tf, tf.random.normal((20000,), mean=1.0, stddev=2.0))[:2], tol=0.06)
_simple("tf.random.normal#dtype", lambda tf, a: tf.zeros_like(tf.random.normal((2, 3), dtype=tf.float64)))
_simple("tf.random.uniform", lambda tf, a: _stats(tf, tf.random.uniform((20000,), -2.0, 4.0)), tol=0.05)
_simple("tf.random.uniform#int", lambda tf, a: _stats(tf, tf.random.uniform((20000,), 0, 10, dtype=tf.int32))[2:])
_simple("tf.random.truncated_normal", lambda tf, a: _stats(tf, tf.random.truncated_normal((20000,), stddev=0.5)),
        tol=0.05)
_simple("tf.random.categorical", lambda tf, a: _stats(tf, tf.random.categorical(tf.math.log([[0.2, 0.3, 0.5]]),
                                                                                20000)), tol=0.03)
_simple("tf.random.shuffle", lambda tf, a: tf.sort(tf.random.shuffle(T(tf, a, "seq"))))


def flatten_result(result: Any) -> list[np.ndarray]:
    """A case's result as numpy arrays, the same way for TensorFlow and the stand-in: nested
    lists/tuples/dicts flattened (dicts by sorted key), tensors through ``.numpy()``, strings as bytes."""
    if isinstance(result, dict):
        return [a for k in sorted(result) for a in flatten_result(result[k])]
    if isinstance(result, (list, tuple)):
        return [a for item in result for a in flatten_result(item)]
    if hasattr(result, "detach"):  # a torch tensor
        result = result.detach().cpu().numpy()
    elif hasattr(result, "numpy") and callable(result.numpy):
        result = result.numpy()
    arr = np.asarray(result)
    if arr.dtype.kind in "OU" or isinstance(result, (str, bytes)):
        flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1)]
        arr = np.array(flat, dtype=bytes).reshape(arr.shape) if flat else np.zeros(arr.shape, dtype="S1")
    return [arr]
