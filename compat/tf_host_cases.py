"""TensorFlow stand-in cases run on the host: ``tf.strings``, ``tf.io``, ``tf.image`` and ``tf.data``.

Same contract as :mod:`compat.tf_cases` (whose ``CASES`` table these join). The encoded images
(``png_rgb``, ``png_gray``, ``jpeg``, ``bmp``) are made by the generator from ``img_u8`` and stored
with the other inputs; file paths never appear in results (cases return base names).
"""

from __future__ import annotations

import os
import re
import string
from typing import Any

import numpy as np

from compat.tf_cases import CASES, T, _simple, case

_TEXTS = ["Hello, World! <br />It's GREAT.", "  Ünïcode ÄÖÜ text\t", "numbers 3.5 and 42", ""]


def S(tf: Any) -> Any:  # noqa: N802
    return tf.constant(_TEXTS)


# ---------------------------------------------------------------------------- tf.strings
_simple("tf.strings.lower", lambda tf, a: tf.strings.lower(S(tf)))
_simple("tf.strings.lower#utf8", lambda tf, a: tf.strings.lower(S(tf), encoding="utf-8"))
_simple("tf.strings.upper", lambda tf, a: tf.strings.upper(S(tf)))
_simple("tf.strings.strip", lambda tf, a: tf.strings.strip(S(tf)))
_simple("tf.strings.regex_replace", lambda tf, a: tf.strings.regex_replace(
    tf.strings.regex_replace(tf.strings.lower(S(tf)), "<br />", " "), f"[{re.escape(string.punctuation)}]", ""))
_simple("tf.strings.regex_replace#groups", lambda tf, a: tf.strings.regex_replace(S(tf), r"(\w+) (\w+)", r"\2_\1"))
_simple("tf.strings.regex_replace#first", lambda tf, a: tf.strings.regex_replace(S(tf), r"\s+", "-",
                                                                                   replace_global=False))
_simple("tf.strings.regex_replace#whole", lambda tf, a: tf.strings.regex_replace(S(tf), "[0-9]+", r"<\0>"))
_simple("tf.strings.regex_full_match", lambda tf, a: tf.strings.regex_full_match(S(tf), r".*[0-9].*"))
_simple("tf.strings.split", lambda tf, a: tf.strings.split(tf.constant("  the quick\tbrown  fox ")))
_simple("tf.strings.split#sep", lambda tf, a: tf.strings.split(tf.constant("a,b,,c"), sep=","))
_simple("tf.strings.split#maxsplit", lambda tf, a: tf.strings.split(tf.constant("a b c d"), maxsplit=2))
_simple("tf.strings.join", lambda tf, a: tf.strings.join([S(tf), tf.constant("!")], separator=" "))
_simple("tf.strings.reduce_join", lambda tf, a: tf.strings.reduce_join(S(tf), separator="|"))
_simple("tf.strings.reduce_join#axis", lambda tf, a: tf.strings.reduce_join(tf.constant([["a", "b"], ["c", "d"]]),
                                                                            axis=0, separator="+"))
_simple("tf.strings.length", lambda tf, a: tf.strings.length(S(tf)))
_simple("tf.strings.length#utf8", lambda tf, a: tf.strings.length(S(tf), unit="UTF8_CHAR"))
_simple("tf.strings.substr", lambda tf, a: tf.strings.substr(tf.constant(["abcdef", "xyz"]), 1, 3))
_simple("tf.strings.substr#utf8", lambda tf, a: tf.strings.substr(tf.constant("Ünïcode"), 0, 3, unit="UTF8_CHAR"))
_simple("tf.strings.to_number", lambda tf, a: tf.strings.to_number(tf.constant(["1.5", "-2", "3e2"])))
_simple("tf.strings.to_number#int", lambda tf, a: tf.strings.to_number(tf.constant(["7", "-12"]), out_type=tf.int64))
_simple("tf.strings.as_string", lambda tf, a: tf.strings.as_string(tf.constant([1.5, -2.25])))
_simple("tf.strings.as_string#int", lambda tf, a: tf.strings.as_string(tf.constant([3, -40])))
_simple("tf.strings.as_string#precision", lambda tf, a: tf.strings.as_string(tf.constant([1.23456]), precision=2))
_simple("tf.string", lambda tf, a: tf.constant(["x"], dtype=tf.string))


@case("tf.strings.split#in_map")
def _split_in_map(tf: Any, a: Any) -> Any:
    ds = tf.data.Dataset.from_tensor_slices(_TEXTS[:3]).map(lambda t: tf.strings.reduce_join(
        tf.strings.split(tf.strings.lower(t)), separator="_"))
    return list(ds.as_numpy_iterator())


# ---------------------------------------------------------------------------- tf.io
def _img(a: Any, sub: str, key: str) -> str:
    return os.path.join(a["dir"], "img", sub, f"{key}.png")


_simple("tf.io.read_file", lambda tf, a: tf.io.read_file(_img(a, "cat", "png_rgb")))


@case("tf.io.write_file")
def _write_file(tf: Any, a: Any) -> Any:
    path = os.path.join(a["dir"], "written.bin")
    tf.io.write_file(path, tf.constant(b"\x00\x01abc"))
    return tf.io.read_file(path)


@case("tf.io.gfile")
def _gfile(tf: Any, a: Any) -> Any:
    gf = tf.io.gfile
    root = os.path.join(a["dir"], "gfile")
    gf.makedirs(os.path.join(root, "sub"))
    gf.mkdir(os.path.join(root, "other"))
    with gf.GFile(os.path.join(root, "sub", "a.txt"), "w") as f:
        f.write("content")
    gf.copy(os.path.join(root, "sub", "a.txt"), os.path.join(root, "b.txt"))
    listing = [int(gf.exists(root)), int(gf.isdir(os.path.join(root, "b.txt"))),
               len(gf.glob(os.path.join(root, "*", "*.txt")))]
    names = sorted(gf.listdir(root))
    walked = sorted(len(files) for _, _, files in gf.walk(root))
    gf.remove(os.path.join(root, "b.txt"))
    gf.rmtree(root)
    return [tf.constant(listing + [int(gf.exists(root))]), tf.constant(names), tf.constant(walked)]


_simple("tf.io.decode_png", lambda tf, a: tf.io.decode_png(tf.constant(a["png_rgb"].item())))
_simple("tf.io.decode_jpeg", lambda tf, a: tf.io.decode_jpeg(tf.constant(a["jpeg"].item())), tol=0.6)
_simple("tf.io.decode_image", lambda tf, a: tf.io.decode_image(tf.constant(a["png_gray"].item())))
_simple("tf.io.decode_bmp", lambda tf, a: tf.io.decode_bmp(tf.constant(a["bmp"].item())))

# ---------------------------------------------------------------------------- tf.image
_simple("tf.image.decode_png", lambda tf, a: tf.image.decode_png(tf.io.read_file(_img(a, "dog", "png_gray")),
                                                                 channels=3))
_simple("tf.image.decode_jpeg", lambda tf, a: tf.image.decode_jpeg(tf.constant(a["jpeg"].item()), channels=1),
        tol=0.6)
_simple("tf.image.decode_image", lambda tf, a: tf.image.decode_image(tf.constant(a["png_rgb"].item()), channels=4,
                                                                     dtype=tf.float32))
_simple("tf.image.decode_bmp", lambda tf, a: tf.image.decode_bmp(tf.constant(a["bmp"].item())))
_simple("tf.image.convert_image_dtype", lambda tf, a: tf.image.convert_image_dtype(T(tf, a, "img_u8"), tf.float32))
_simple("tf.image.convert_image_dtype#to_uint8",
        lambda tf, a: tf.image.convert_image_dtype(T(tf, a, "img"), tf.uint8))
_simple("tf.image.convert_image_dtype#saturate",
        lambda tf, a: tf.image.convert_image_dtype(T(tf, a, "img") * 2 - 0.5, tf.uint8, saturate=True))
_simple("tf.image.convert_image_dtype#int", lambda tf, a: tf.image.convert_image_dtype(T(tf, a, "img_u8"), tf.int32))
_simple("tf.image.resize", lambda tf, a: tf.image.resize(T(tf, a, "img"), [9, 4]))
_simple("tf.image.resize#uint8", lambda tf, a: tf.image.resize(T(tf, a, "img_u8"), [3, 7]), tol=1e-4)
_simple("tf.image.resize#nearest", lambda tf, a: tf.image.resize(T(tf, a, "img_u8"), [4, 8],
                                                                   method=tf.image.ResizeMethod.NEAREST_NEIGHBOR))
_simple("tf.image.resize#bicubic", lambda tf, a: tf.image.resize(T(tf, a, "img"), [4, 9], method="bicubic"), tol=1e-4)
_simple("tf.image.resize#area", lambda tf, a: tf.image.resize(T(tf, a, "img"), [3, 2], method="area"), tol=1e-4)
_simple("tf.image.resize#antialias", lambda tf, a: tf.image.resize(T(tf, a, "img"), [3, 2], antialias=True), tol=1e-4)
_simple("tf.image.resize#aspect", lambda tf, a: tf.image.resize(T(tf, a, "img"), [4, 4], preserve_aspect_ratio=True))
_simple("tf.image.ResizeMethod", lambda tf, a: tf.image.resize(T(tf, a, "img"), [3, 3], method=tf.image.ResizeMethod.AREA),
        tol=1e-4)
_simple("tf.image.flip_left_right", lambda tf, a: tf.image.flip_left_right(T(tf, a, "img")))
_simple("tf.image.flip_up_down", lambda tf, a: tf.image.flip_up_down(T(tf, a, "img_u8")))
_simple("tf.image.rot90", lambda tf, a: tf.image.rot90(T(tf, a, "img_u8")))
_simple("tf.image.rot90#k", lambda tf, a: tf.image.rot90(T(tf, a, "img"), k=3))
_simple("tf.image.crop_to_bounding_box", lambda tf, a: tf.image.crop_to_bounding_box(T(tf, a, "img"), 1, 2, 3, 2))
_simple("tf.image.pad_to_bounding_box", lambda tf, a: tf.image.pad_to_bounding_box(T(tf, a, "img_u8"), 1, 2, 8, 9))
_simple("tf.image.central_crop", lambda tf, a: tf.image.central_crop(T(tf, a, "img_u8"), 0.5))
_simple("tf.image.resize_with_crop_or_pad", lambda tf, a: tf.image.resize_with_crop_or_pad(T(tf, a, "img"), 4, 8))
_simple("tf.image.extract_patches", lambda tf, a: tf.image.extract_patches(
    T(tf, a, "img"), sizes=[1, 2, 2, 1], strides=[1, 2, 2, 1], rates=[1, 1, 1, 1], padding="VALID"))
_simple("tf.image.extract_patches#same", lambda tf, a: tf.image.extract_patches(
    T(tf, a, "img"), sizes=[1, 3, 2, 1], strides=[1, 2, 3, 1], rates=[1, 1, 1, 1], padding="SAME"))
_simple("tf.image.rgb_to_grayscale", lambda tf, a: tf.image.rgb_to_grayscale(T(tf, a, "img")))
_simple("tf.image.rgb_to_grayscale#uint8", lambda tf, a: tf.image.rgb_to_grayscale(T(tf, a, "img_u8")))
_simple("tf.image.grayscale_to_rgb", lambda tf, a: tf.image.grayscale_to_rgb(T(tf, a, "img")[..., :1]))
_simple("tf.image.adjust_brightness", lambda tf, a: tf.image.adjust_brightness(T(tf, a, "img"), 0.2))
_simple("tf.image.adjust_brightness#uint8", lambda tf, a: tf.image.adjust_brightness(T(tf, a, "img_u8"), 0.2))
_simple("tf.image.adjust_contrast", lambda tf, a: tf.image.adjust_contrast(T(tf, a, "img"), 1.7))
_simple("tf.image.per_image_standardization", lambda tf, a: tf.image.per_image_standardization(T(tf, a, "img")),
        tol=1e-4)
_simple("tf.image.per_image_standardization#uint8",
        lambda tf, a: tf.image.per_image_standardization(T(tf, a, "img_u8")), tol=1e-4)


def _one_of(tf: Any, out: Any, options: list[Any]) -> Any:
    return tf.constant(any(bool(tf.reduce_all(tf.equal(out, o))) for o in options))


_simple("tf.image.random_flip_left_right", lambda tf, a: _one_of(
    tf, tf.image.random_flip_left_right(T(tf, a, "img_u8")),
    [T(tf, a, "img_u8"), tf.image.flip_left_right(T(tf, a, "img_u8"))]))
_simple("tf.image.random_flip_up_down", lambda tf, a: _one_of(
    tf, tf.image.random_flip_up_down(T(tf, a, "img_u8")),
    [T(tf, a, "img_u8"), tf.image.flip_up_down(T(tf, a, "img_u8"))]))


@case("tf.image.random_brightness")
def _random_brightness(tf: Any, a: Any) -> Any:
    x = T(tf, a, "img")
    delta = tf.image.random_brightness(x, 0.3) - x
    return tf.constant([bool(tf.reduce_max(tf.abs(delta)) <= 0.3 + 1e-6),
                        bool(tf.reduce_max(delta) - tf.reduce_min(delta) < 1e-5)])


@case("tf.image.random_contrast")
def _random_contrast(tf: Any, a: Any) -> Any:
    x = T(tf, a, "img")
    out = tf.image.random_contrast(x, 0.5, 1.5)
    mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)
    ratio = (out - mean) / (x - mean)
    return tf.constant([bool(tf.reduce_min(ratio) >= 0.5 - 1e-3), bool(tf.reduce_max(ratio) <= 1.5 + 1e-3)])


@case("tf.image.random_crop")
def _random_crop(tf: Any, a: Any) -> Any:
    x = T(tf, a, "img_u8")
    crop = tf.image.random_crop(x, [3, 2, 3])
    found = any(bool(tf.reduce_all(tf.equal(crop, x[i : i + 3, j : j + 2]))) for i in range(4) for j in range(4))
    return [tf.shape(crop), tf.constant(found)]


# ---------------------------------------------------------------------------- tf.data
def _items(ds: Any) -> list[Any]:
    return list(ds.as_numpy_iterator())


Dataset = "tf.data.Dataset"
_simple(f"{Dataset}.from_tensor_slices", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices(
    (a["x"], a["labels"]))))
_simple(f"{Dataset}.from_tensor_slices#dict", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices(
    {"a": [1.5, 2.5], "b": ["u", "v"]})))
_simple(f"{Dataset}.from_tensors", lambda tf, a: _items(tf.data.Dataset.from_tensors(a["x"])))
_simple(f"{Dataset}.from_generator", lambda tf, a: _items(tf.data.Dataset.from_generator(
    lambda: ((np.full((i,), i, "int32"), float(i)) for i in range(1, 4)),
    output_signature=(tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.float32)))))
_simple(f"{Dataset}.range", lambda tf, a: _items(tf.data.Dataset.range(2, 11, 3)))
_simple(f"{Dataset}.zip", lambda tf, a: _items(tf.data.Dataset.zip((tf.data.Dataset.range(3),
                                                                   tf.data.Dataset.range(10, 15)))))
_simple(f"{Dataset}.zip#dict", lambda tf, a: _items(tf.data.Dataset.zip({"i": tf.data.Dataset.range(2),
                                                                        "s": tf.data.Dataset.from_tensor_slices(["a", "b"])})))
_simple(f"{Dataset}.list_files", lambda tf, a: _items(tf.data.Dataset.list_files(
    os.path.join(a["dir"], "img", "*", "*.png"), shuffle=False).map(lambda p: tf.strings.regex_replace(p, ".*/img/", ""))))
_simple(f"{Dataset}.list_files#shuffled", lambda tf, a: tf.sort(tf.strings.length(tf.constant(_items(
    tf.data.Dataset.list_files(os.path.join(a["dir"], "img", "*", "*.png")))))).shape[0])
_simple(f"{Dataset}.map", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices((a["x"], a["labels"])).map(
    lambda x, y: (tf.reduce_sum(x) * 2, tf.one_hot(y, 3)))))
_simple(f"{Dataset}.filter", lambda tf, a: _items(tf.data.Dataset.range(10).filter(lambda v: v % 3 == 0)))
_simple(f"{Dataset}.enumerate", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices(["p", "q"]).enumerate(5)))
_simple(f"{Dataset}.flat_map", lambda tf, a: _items(tf.data.Dataset.range(3).flat_map(
    lambda v: tf.data.Dataset.range(v))))
_simple(f"{Dataset}.interleave", lambda tf, a: _items(tf.data.Dataset.range(1, 4).interleave(
    lambda v: tf.data.Dataset.from_tensors(v).repeat(3), cycle_length=2, block_length=2)))
_simple(f"{Dataset}.shuffle", lambda tf, a: sorted(_items(tf.data.Dataset.range(12).shuffle(5))))
_simple(f"{Dataset}.shuffle#full", lambda tf, a: [len(set(_items(tf.data.Dataset.range(50).shuffle(50, seed=1)))),
                                                  _items(tf.data.Dataset.range(50).shuffle(50, seed=1)) != list(range(50))])
_simple(f"{Dataset}.batch", lambda tf, a: _items(tf.data.Dataset.range(7).batch(3)))
_simple(f"{Dataset}.batch#drop", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices(
    (a["x"], ["a", "b", "c"])).batch(2, drop_remainder=True)))
_simple(f"{Dataset}.padded_batch", lambda tf, a: _items(tf.data.Dataset.range(1, 5).map(
    lambda v: tf.fill([v], v)).padded_batch(2)))
_simple(f"{Dataset}.padded_batch#shapes", lambda tf, a: _items(tf.data.Dataset.range(1, 4).map(
    lambda v: (tf.fill([v], v), v)).padded_batch(2, padded_shapes=([4], []), padding_values=(tf.constant(-1, tf.int64),
                                                                                           tf.constant(0, tf.int64)))))
_simple(f"{Dataset}.unbatch", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices(a["b"]).unbatch()))
_simple(f"{Dataset}.window", lambda tf, a: _items(tf.data.Dataset.range(7).window(3, shift=2, drop_remainder=True)
                                                  .flat_map(lambda w: w.batch(3))))
_simple(f"{Dataset}.window#tuple", lambda tf, a: _items(tf.data.Dataset.zip(
    (tf.data.Dataset.range(5), tf.data.Dataset.range(5).map(lambda v: v * 10))).window(2).flat_map(
    lambda u, w: tf.data.Dataset.zip((u.batch(2), w.batch(2))))))
_simple(f"{Dataset}.window#stride", lambda tf, a: _items(tf.data.Dataset.range(8).window(2, shift=3, stride=2)
                                                         .flat_map(lambda w: w.batch(2))))
_simple(f"{Dataset}.repeat", lambda tf, a: _items(tf.data.Dataset.range(3).repeat(2)))
_simple(f"{Dataset}.take", lambda tf, a: _items(tf.data.Dataset.range(10).repeat().take(4)))
_simple(f"{Dataset}.skip", lambda tf, a: _items(tf.data.Dataset.range(6).skip(4)))
_simple(f"{Dataset}.take_while", lambda tf, a: _items(tf.data.Dataset.range(10).take_while(lambda v: v < 4)))
_simple(f"{Dataset}.shard", lambda tf, a: _items(tf.data.Dataset.range(10).shard(3, 1)))
_simple(f"{Dataset}.concatenate", lambda tf, a: _items(tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(5, 7))))
_simple(f"{Dataset}.prefetch", lambda tf, a: _items(tf.data.Dataset.range(3).prefetch(tf.data.AUTOTUNE)))
_simple(f"{Dataset}.with_options", lambda tf, a: _items(tf.data.Dataset.range(2).with_options(tf.data.Options())))
_simple(f"{Dataset}.apply", lambda tf, a: _items(tf.data.Dataset.range(4).apply(lambda d: d.map(lambda v: v + 1))))
_simple(f"{Dataset}.reduce", lambda tf, a: tf.data.Dataset.range(5).reduce(tf.constant(0, tf.int64), lambda s, v: s + v))
_simple(f"{Dataset}.get_single_element", lambda tf, a: tf.data.Dataset.from_tensors(a["v"]).get_single_element())
_simple(f"{Dataset}.as_numpy_iterator", lambda tf, a: _items(tf.data.Dataset.from_tensor_slices(
    (["x", "yz"], [[1, 2], [3, 4]]))))


@case(f"{Dataset}.cache")
def _cache(tf: Any, a: Any) -> Any:
    calls = []

    def count(v: Any) -> Any:
        calls.append(1)
        return v * 2

    ds = tf.data.Dataset.range(4).map(lambda v: tf.py_function(count, [v], tf.int64)).cache()
    first, second = _items(ds), _items(ds)
    return [np.array(first), np.array(second), np.array(len(calls))]


@case(f"{Dataset}.cardinality")
def _cardinality(tf: Any, a: Any) -> Any:
    base = tf.data.Dataset.range(10)
    return tf.stack([base.cardinality(), base.batch(3).cardinality(), base.batch(3, drop_remainder=True).cardinality(),
                     base.repeat().cardinality(), base.filter(lambda v: v > 2).cardinality(),
                     base.take(4).cardinality(), base.skip(3).cardinality(), base.shard(3, 0).cardinality(),
                     tf.data.experimental.cardinality(base.concatenate(base)),
                     tf.constant(tf.data.INFINITE_CARDINALITY, tf.int64),
                     tf.constant(tf.data.UNKNOWN_CARDINALITY, tf.int64)])


_simple("tf.data.TextLineDataset", lambda tf, a: _items(tf.data.TextLineDataset(os.path.join(a["dir"], "lines.txt"))))
_simple("tf.data.experimental.cardinality", lambda tf, a: tf.data.experimental.cardinality(
    tf.data.Dataset.range(4).batch(3)))
_simple("tf.data.Options", lambda tf, a: _items(tf.data.Dataset.range(2).with_options(tf.data.Options())))

__all__ = ["CASES"]
