"""Numeric cases of ``keras.ops`` core (control flow, scatter...), math, linalg, image and einops."""

from __future__ import annotations

from compat.ops_cases._base import A, Table

t = Table()
X = A("x")

# ---- core
t.add("ops.cast", A("x"), "int32", grad=False)
t.add("ops.cast", A("i"), "float16")
t.add("ops.cast", A("x"), "bool")
t.add("ops.saturate_cast", A("big"), "uint8")
t.add("ops.saturate_cast", A("big"), "int8")
t.add("ops.saturate_cast", A("i"), "uint8")
t.add("ops.convert_to_tensor", [[1, 2], [3, 4]], symbolic=False)
t.add("ops.convert_to_tensor", [1.5, 2], symbolic=False)
t.add("ops.convert_to_tensor", X, dtype="float64", symbolic=False)
t.add("ops.convert_to_numpy", X, symbolic=False)
t.add("ops.dtype", A("i"), symbolic=False)
t.add("ops.shape", A("x3"), symbolic=False)
t.add("ops.is_tensor", X, call=lambda K, x: K.ops.is_tensor(K.ops.convert_to_tensor(x)), symbolic=False)
t.add("ops.stop_gradient", X, grad=False)
t.add("ops.unstack", A("x3"))
t.add("ops.unstack", A("x3"), axis=1)
t.add("ops.unstack", A("x3"), num=3, axis=-1)
t.add("ops.slice", A("x3"), (0, 1, 1), (2, 2, 2))
t.add("ops.slice_update", A("x3"), (0, 1, 0), A("upd"))
t.add("ops.scatter", A("sc_idx"), A("sc_val"), (4, 3))
t.add("ops.scatter", A("sc_idx1"), A("sc_rows"), (4, 3))
t.add("ops.scatter_update", A("m43"), A("sc_idx"), A("sc_val"))
t.add("ops.scatter_update", A("m43"), A("sc_idx1"), A("sc_rows"))
t.add("ops.cond", X, call=lambda K, x: K.ops.cond(True, lambda: x * 2.0, lambda: x - 1.0))
t.add("ops.cond", X, call=lambda K, x: K.ops.cond(K.ops.sum(x) > 100.0, lambda: x * 2.0, lambda: x - 1.0),
      symbolic=False)
t.add("ops.switch", X, call=lambda K, x: K.ops.switch(1, [lambda v: v + 1.0, lambda v: v * 3.0], x))
t.add("ops.fori_loop", X, call=lambda K, x: K.ops.fori_loop(0, 3, lambda i, v: v * 2.0 + K.ops.cast(i, "float32"), x))
t.add("ops.while_loop", X, call=lambda K, x: K.ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 1.5), (0, x)),
      symbolic=False)
t.add("ops.while_loop", X, call=lambda K, x: K.ops.while_loop(
    lambda v: K.ops.sum(v) < 50.0, lambda v: v + 1.0, x, maximum_iterations=4), symbolic=False)
t.add("ops.scan", A("x3"), call=lambda K, x: K.ops.scan(lambda c, v: (c + v, c * v), K.ops.zeros((4, 3)), x))
t.add("ops.scan", A("x3"), call=lambda K, x: K.ops.scan(lambda c, v: (c * 0.5 + v, c), K.ops.ones((4, 3)), x,
                                                          reverse=True))
t.add("ops.scan", call=lambda K: K.ops.scan(lambda c, _: (c + 1, c * 2), 1, None, length=4), symbolic=False)
t.add("ops.associative_scan", A("x3"), call=lambda K, x: K.ops.associative_scan(lambda a, b: a + b, x, axis=1))
t.add("ops.associative_scan", A("x3"), call=lambda K, x: K.ops.associative_scan(
    lambda a, b: K.ops.maximum(a, b), x, reverse=True))
t.add("ops.map", A("x3"), call=lambda K, x: K.ops.map(lambda v: K.ops.sum(v, axis=0), x))
t.add("ops.vectorized_map", A("x3"), call=lambda K, x: K.ops.vectorized_map(lambda v: K.ops.matmul(v, K.ops.transpose(v)), x))
t.add("ops.custom_gradient", X, call=lambda K, x: K.ops.custom_gradient(
    lambda v: (K.ops.log1p(K.ops.exp(v)), lambda upstream: upstream * K.ops.sigmoid(v)))(x), grad=False)

# ---- math
t.add("ops.erf", X)
t.add("ops.erfc", X)
t.add("ops.erfinv", A("unit"))
t.add("ops.rsqrt", A("pos"))
t.add("ops.logsumexp", A("x3"))
t.add("ops.logsumexp", A("x3"), axis=1, keepdims=True)
t.add("ops.logsumexp", A("x3"), axis=(0, 2))
t.add("ops.cdist", A("x3"), A("cd_y"))
t.add("ops.cdist", A("m34"), A("m54"))
t.add("ops.top_k", A("x3"), 2)
t.add("ops.top_k", A("v8"), 3, sorted=True)
t.add("ops.in_top_k", A("topk_t"), A("logits"), 2)
t.add("ops.logdet", A("bspd"))
t.add("ops.extract_sequences", A("signal"), 8, 4)
t.add("ops.extract_sequences", A("signal"), 5, 3)
for name in ["segment_sum", "segment_max", "segment_min", "segment_prod"]:
    t.add(f"ops.{name}", A("seg_data"), A("seg_ids"), num_segments=3)
    t.add(f"ops.{name}", A("seg_data"), A("seg_ids"), sorted=True, symbolic=False)
t.add("ops.segment_sum", A("seg_data"), A("seg_ids"), symbolic=False)
t.add("ops.fft", (A("cplx_re"), A("cplx_im")))
t.add("ops.fft2", (A("spec_re"), A("spec_im")))
t.add("ops.ifft2", (A("spec_re"), A("spec_im")))
t.add("ops.rfft", A("signal"))
t.add("ops.rfft", A("signal"), fft_length=16)
t.add("ops.irfft", (A("spec_re"), A("spec_im")))
t.add("ops.irfft", (A("spec_re"), A("spec_im")), fft_length=10)
t.add("ops.stft", A("signal"), 8, 4, 8)
t.add("ops.stft", A("signal"), 6, 3, 8, window=None, center=False)
t.add("ops.stft", A("signal"), 8, 2, 16, window="hamming")
t.add("ops.istft", (A("stft_re"), A("stft_im")), 8, 4, 8)
t.add("ops.istft", (A("stft_re"), A("stft_im")), 8, 4, 8, length=20, center=False)
t.add("ops.view_as_real", A("vc"), call=lambda K, x: K.ops.view_as_real(K.ops.view_as_complex(x)))
t.add("ops.view_as_complex", A("vc"))

# ---- linalg
# Symmetrized / triangle-masked inputs: the ops read one triangle, so gradcheck perturbs only that.
t.add("linalg.cholesky", A("spd"), call=lambda K, x: K.ops.cholesky((x + K.ops.transpose(x)) / 2), symbolic=False)
t.add("linalg.cholesky", A("bspd"), call=lambda K, x: K.ops.cholesky(
    (x + K.ops.swapaxes(x, -1, -2)) / 2, upper=True))
t.add("linalg.cholesky_inverse", A("tril"), call=lambda K, x: K.ops.cholesky_inverse(K.ops.tril(x)))
t.add("linalg.cholesky_inverse", A("triu"), call=lambda K, x: K.ops.cholesky_inverse(K.ops.triu(x), upper=True))
t.add("linalg.det", A("m33"))
t.add("linalg.det", A("bm33"))
t.add("linalg.inv", A("spd"))
t.add("linalg.inv", A("bm33"))
t.add("linalg.solve", A("spd"), A("m34"))
t.add("linalg.solve", A("bspd"), A("bm34"))
t.add("linalg.solve_triangular", A("tril"), A("m34"), lower=True)
t.add("linalg.solve_triangular", A("triu"), A("m34"))
t.add("linalg.lstsq", A("m43"), A("m43b"))
t.add("linalg.lstsq", A("m43"), A("v4"), grad=False)
t.add("linalg.pinv", A("m34"))
t.add("linalg.matrix_rank", A("m34"))
t.add("linalg.matrix_rank", A("rank2"))
for ord_ in [None, "fro", "nuc", 1, 2, -1, float("inf")]:
    t.add("linalg.norm", A("m34"), ord=ord_, grad=ord_ not in ("nuc", 2))
for ord_ in [None, 1, 2, 3, 0, float("inf"), float("-inf")]:
    t.add("linalg.norm", A("x3"), ord=ord_, axis=-1, grad=ord_ != 0)
t.add("linalg.norm", A("x3"), axis=(1, 2), keepdims=True)
t.add("linalg.svd", A("m34"), compute_uv=False)
t.add("linalg.svd", A("m43"), call=lambda K, x: [K.ops.abs(v) for v in K.ops.svd(x, full_matrices=False)],
      grad=False)
t.add("linalg.qr", A("m43"), call=lambda K, x: [K.ops.abs(v) for v in K.ops.qr(x)], grad=False)
t.add("linalg.qr", A("m43"), call=lambda K, x: [K.ops.abs(v) for v in K.ops.qr(x, mode="complete")], grad=False)
t.add("linalg.eigh", A("spd"), call=lambda K, x: [v if i == 0 else K.ops.abs(v) for i, v in enumerate(K.ops.eigh(x))],
      grad=False)
t.add("linalg.eig", A("triu"), call=lambda K, x: K.ops.sort(K.ops.real(K.ops.eig(x)[0])), grad=False)
t.add("linalg.lu_factor", A("m33"), grad=False)
t.add("linalg.jvp", X, A("tangent"), call=lambda K, x, v: K.ops.jvp(
    lambda a: K.ops.sin(a) * a, (K.ops.convert_to_tensor(x),), (K.ops.convert_to_tensor(v),)),
      symbolic=False, grad=False)

# ---- image
IMG = A("img")
for interp in ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"]:
    t.add("image.resize", IMG, (4, 5), interpolation=interp)
for interp in ["bilinear", "bicubic", "lanczos3"]:
    t.add("image.resize", IMG, (9, 8), interpolation=interp, antialias=True)
    t.add("image.resize", IMG, (3, 4), interpolation=interp, antialias=True)
t.add("image.resize", IMG, (4, 3), crop_to_aspect_ratio=True)
t.add("image.resize", IMG, (4, 3), pad_to_aspect_ratio=True, fill_value=0.5)
t.add("image.resize", A("img_cf"), (3, 3), data_format="channels_first")
t.add("image.resize", A("img1"), (8, 8))
for interp, fill in [("bilinear", "constant"), ("nearest", "constant"), ("bilinear", "nearest"),
                     ("bilinear", "reflect"), ("nearest", "wrap")]:
    t.add("image.affine_transform", IMG, A("affine"), interpolation=interp, fill_mode=fill, fill_value=0.25,
          grad=False)
t.add("image.affine_transform", A("img_cf"), A("affine"), data_format="channels_first", grad=False)
for order, fill in [(1, "constant"), (0, "constant"), (1, "nearest"), (1, "wrap"), (1, "reflect")]:
    t.add("image.map_coordinates", A("grid"), A("coords"), order, fill_mode=fill, fill_value=0.5, grad=False)
t.add("image.perspective_transform", IMG, A("start_pts"), A("end_pts"), grad=False)
t.add("image.perspective_transform", IMG, A("start_pts"), A("end_pts"), interpolation="nearest", grad=False)
t.add("image.crop_images", IMG, top_cropping=1, left_cropping=2, target_height=3, target_width=2)
t.add("image.crop_images", IMG, bottom_cropping=2, right_cropping=1, top_cropping=1, left_cropping=0)
t.add("image.pad_images", IMG, top_padding=1, left_padding=2, target_height=9, target_width=10)
t.add("image.pad_images", A("img_cf"), bottom_padding=2, right_padding=1, top_padding=0, left_padding=1,
      data_format="channels_first")
t.add("image.extract_patches", A("patch_img"), 3)
t.add("image.extract_patches", A("patch_img"), (2, 3), strides=(2, 1), padding="same")
t.add("image.extract_patches", A("patch_img"), 2, strides=1, dilation_rate=2)
t.add("image.extract_patches_3d", A("vol"), 2)
t.add("image.extract_patches_3d", A("vol"), (2, 3, 2), strides=1, padding="same")
t.add("image.gaussian_blur", IMG)
t.add("image.gaussian_blur", IMG, kernel_size=(5, 3), sigma=(1.5, 0.7))
t.add("image.rgb_to_grayscale", IMG)
t.add("image.rgb_to_grayscale", A("img_cf"), data_format="channels_first")
t.add("image.rgb_to_hsv", IMG, grad=False)
t.add("image.hsv_to_rgb", A("hsv"), grad=False)
t.add("image.sobel_edges", IMG)
t.add("image.ssim", IMG, A("img_b"), filter_size=3)
t.add("image.ssim", IMG, A("img_b"), max_val=2.0, filter_size=5, filter_sigma=1.0)
t.add("image.scale_and_translate", IMG, (2, 9, 7, 3), A("sat_scale"), A("sat_shift"), (1, 2), "bilinear")
t.add("image.scale_and_translate", IMG, (2, 4, 4, 3), A("sat_scale2"), A("sat_shift"), (1, 2), "cubic")
t.add("image.scale_and_translate", IMG, (2, 4, 4, 3), A("sat_scale2"), A("sat_shift"), (1, 2), "lanczos3",
      antialias=False)
t.add("image.elastic_transform", IMG, call=lambda K, x: K.ops.shape(K.ops.image.elastic_transform(x, seed=3)),
      symbolic=False)

# ---- einops
t.add("ops.rearrange", IMG, "b h w c -> b c h w")
t.add("ops.rearrange", IMG, "b (h p) w c -> b h (p w c)", p=2)
t.add("ops.rearrange", A("x3"), "b t c -> (b t) c")

CASES = t.cases
