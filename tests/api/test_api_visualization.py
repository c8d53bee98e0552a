"""keras.visualization against Keras 3.15 (compat/fixtures/breadth_k3/draw_masks.npz).

OpenCV and matplotlib are optional: draw_bounding_boxes and the galleries are checked with small
recording stand-ins for ``cv2`` / ``matplotlib.pyplot`` (the drawing itself is theirs).
"""

from __future__ import annotations

import pathlib
import sys
import types

import numpy as np
import pytest

import keras_torch as keras

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "breadth_k3" / "draw_masks.npz"
v = keras.visualization


def test_draw_segmentation_masks_matches_keras():
    ref = np.load(FIXTURE)
    images, masks = ref["images"], ref["masks"]
    out = v.draw_segmentation_masks(images, masks, num_classes=4)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, ref["blended"])
    painted = v.draw_segmentation_masks(images, masks, num_classes=4, blend=False)
    assert painted.dtype == np.float32
    np.testing.assert_array_equal(painted, ref["painted"])
    mapped = v.draw_segmentation_masks(images, masks, num_classes=3, alpha=0.3,
                                       color_mapping={0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255)})
    np.testing.assert_array_equal(mapped, ref["mapped"])
    np.testing.assert_array_equal(v.draw_segmentation_masks(images, masks), ref["inferred"])
    first = v.draw_segmentation_masks(images.transpose(0, 3, 1, 2), masks.transpose(0, 3, 1, 2), num_classes=4,
                                      data_format="channels_first")
    np.testing.assert_array_equal(first, ref["blended"])
    with pytest.raises(TypeError, match="must be in integer dtype"):
        v.draw_segmentation_masks(images, masks.astype("float32"))
    with pytest.raises(ValueError, match="must be batched 4D tensor"):
        v.draw_segmentation_masks(images[0], masks[0])


class _Recorder(types.ModuleType):
    def __init__(self, name):
        super().__init__(name)
        self.calls = []
        self.FONT_HERSHEY_SIMPLEX = 0

    def rectangle(self, image, p1, p2, color, thickness):
        self.calls.append(("rectangle", p1, p2, tuple(color), thickness))

    def putText(self, **kw):  # noqa: N802 (OpenCV's name)
        self.calls.append(("putText", kw["text"], kw["org"], kw["thickness"]))


def test_draw_bounding_boxes_converts_and_draws_with_opencv(monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", None)
    images = np.full((1, 40, 50, 3), 0.5, "float32")
    boxes = {"boxes": np.array([[[0.1, 0.2, 0.5, 0.6], [0, 0, 1, 1]]], "float32"), "labels": np.array([[1, -1]]),
             "confidences": np.array([[0.875, 0.1]])}
    with pytest.raises(ImportError, match="requires the `cv2` package"):
        v.draw_bounding_boxes(images, boxes, "rel_yxyx")
    cv2 = _Recorder("cv2")
    monkeypatch.setitem(sys.modules, "cv2", cv2)
    out = v.draw_bounding_boxes(images, boxes, "rel_yxyx", class_mapping={1: "cat"})
    assert out.dtype == np.uint8 and out.shape == images.shape and int(out[0, 0, 0, 0]) == 127
    # rel_yxyx (0.1, 0.2, 0.5, 0.6) on 40x50 is x1=10, y1=4, x2=30, y2=20; the -1 label is skipped
    assert cv2.calls == [("rectangle", (10, 4), (30, 20), (128, 128, 128), 2),
                         ("putText", "cat | 0.88", (13, 32), 1)]
    with pytest.raises(ValueError, match="'boxes' and 'labels' keys"):
        v.draw_bounding_boxes(images, {"boxes": boxes["boxes"]}, "xyxy")


def test_galleries_need_matplotlib_and_plot_through_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    images = np.zeros((2, 4, 4, 3), "float32")
    for fn, args in ((v.plot_image_gallery, ()), (v.plot_segmentation_mask_gallery, (3,)),
                     (v.plot_bounding_box_gallery, ("xyxy",))):
        with pytest.raises(ImportError, match="requires the `matplotlib` package"):
            fn(images, *args)

    calls = []

    class Axis:
        def imshow(self, image):
            calls.append(("imshow", image.shape))

        def margins(self, **kw):
            pass

        def axis(self, mode):
            pass

        def set_title(self, title, fontsize):
            calls.append(("title", title))

    class Figure:
        def subplots_adjust(self, **kw):
            pass

    pyplot = types.ModuleType("matplotlib.pyplot")
    def subplots(nrows, ncols, **kw):
        axes = np.empty((nrows, ncols), dtype=object)
        for index in np.ndindex(axes.shape):
            axes[index] = Axis()
        return Figure(), axes.squeeze()

    pyplot.subplots = subplots
    pyplot.savefig = lambda fname, **kw: calls.append(("savefig", fname))
    pyplot.close = lambda: calls.append(("close",))
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = pyplot
    monkeypatch.setitem(sys.modules, "matplotlib", matplotlib)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    masks = np.ones((2, 4, 4, 1), "int32")
    v.plot_segmentation_mask_gallery(images, 3, y_true=masks, path=str(tmp_path / "g.png"))
    assert [c for c in calls if c[0] == "imshow"] == [("imshow", (4, 4, 3))] * 4  # 2 rows x (image, mask)
    assert calls[-2:] == [("savefig", str(tmp_path / "g.png")), ("close",)]
    with pytest.raises(ValueError, match="a `label_map` must also be provided"):
        v.plot_image_gallery(images, y_true=[0, 1])
