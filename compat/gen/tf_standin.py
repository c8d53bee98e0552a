"""Results of the TensorFlow stand-in cases (``compat/tf_cases.py``, ``compat/tf_host_cases.py``) on real TensorFlow.

    /opt/kref/bin/python compat/generate_fixtures.py tf_standin

Writes ``compat/fixtures/tf_standin/values.npz``: the inputs (``in_<name>``; the encoded images made here
with TensorFlow's encoders and Pillow for BMP) and every output of every case (``<case>__<i>``, with
``<case>__n`` the number of outputs).
"""

from __future__ import annotations

import io
import pathlib
import tempfile

import numpy as np


def encoded_images(tf, img_u8: np.ndarray) -> dict[str, np.ndarray]:
    from PIL import Image

    bmp = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img_u8[:, :4])).save(bmp, format="BMP")  # (TF needs unpadded rows)
    raw = {"png_rgb": tf.io.encode_png(img_u8).numpy(), "png_gray": tf.io.encode_png(img_u8[..., :1]).numpy(),
           "jpeg": tf.io.encode_jpeg(img_u8, quality=95).numpy(), "bmp": bmp.getvalue()}
    return {k: np.array(v, dtype=bytes) for k, v in raw.items()}


def generate(out_dir: pathlib.Path) -> None:
    import tensorflow as tf

    from compat import tf_cases, tf_host_cases  # noqa: F401 - the host cases join tf_cases.CASES

    a = tf_cases.arrays()
    a.update(encoded_images(tf, a["img_u8"]))
    values = {f"in_{k}": v for k, v in a.items()}
    with tempfile.TemporaryDirectory() as tmp:
        tf_cases.prepare_dir(tmp, a)
        inputs = dict(a, dir=tmp)
        for key, case in tf_cases.CASES.items():
            tf.random.set_seed(0)
            outs = tf_cases.flatten_result(case.fn(tf, inputs))
            values[f"{key}__n"] = np.array(len(outs))
            for i, arr in enumerate(outs):
                values[f"{key}__{i}"] = arr
    np.savez_compressed(out_dir / "values.npz", **values)
    print(f"  {len(tf_cases.CASES)} cases (TF {tf.__version__})")
