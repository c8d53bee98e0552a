"""The bundled UCI handwritten digits (1797 real 8x8 scans, CC BY 4.0; see data/LICENSE-digits.txt).

Pure numpy (no torch) so the real-Keras reference generator can load exactly the same data.
"""

from __future__ import annotations

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.npz")


def _resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize of (n, h, w) images, half-pixel centres (torch align_corners=False)."""
    n, h, w = images.shape

    def coords(src: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = (np.arange(size) + 0.5) * (src / size) - 0.5
        pos = np.clip(pos, 0, src - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, src - 1)
        return lo, hi, (pos - lo).astype("float32")

    y0, y1, wy = coords(h)
    x0, x1, wx = coords(w)
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return (top * (1 - wy)[None, :, None] + bottom * wy[None, :, None]).astype("float32")


def load_data(size: int = 28, test_fraction: float = 0.2, seed: int = 0) -> tuple:
    """``(x_train, y_train), (x_test, y_test)``: float32 images ``(n, size, size, 1)`` in [0, 1].

    Args:
        size: Output side (28 gives MNIST-shaped inputs for the tutorial's CNN; 10 gives the
            100 features of its MLP after flattening).
        test_fraction: Fraction held out for testing (fixed, seeded split).
        seed: Seed of the split.
    """
    with np.load(_PATH) as data:
        images = data["images"].astype("float32") / 16.0
        labels = data["target"].astype("int64")
    x = _resize_bilinear(images, size).clip(0, 1)[..., None]
    order = np.random.RandomState(seed).permutation(len(x))
    x, labels = x[order], labels[order]
    n_test = int(len(x) * test_fraction)
    return (x[n_test:], labels[n_test:]), (x[:n_test], labels[:n_test])
