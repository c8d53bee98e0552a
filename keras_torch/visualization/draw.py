"""``draw_bounding_boxes`` and ``draw_segmentation_masks`` (Keras 3.15's formulas, on NumPy arrays)."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_torch.core import config as core_config
from keras_torch.utils.bounding_boxes import convert_format


def _numpy(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def _check_batched(images: Any) -> tuple[int, ...]:
    shape = tuple(np.shape(images))
    if len(shape) != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={shape}")
    return shape


def _import_cv2() -> Any:
    try:
        import cv2
    except ImportError:
        raise ImportError("The `draw_bounding_boxes` function requires the `cv2` package  (OpenCV). Please install "
                          "it with `pip install opencv-python`.") from None
    return cv2


def draw_bounding_boxes(
    images: Any,
    bounding_boxes: dict[str, Any],
    bounding_box_format: str,
    class_mapping: dict[int, str] | None = None,
    color: tuple[int, int, int] = (128, 128, 128),
    line_thickness: int = 2,
    text_thickness: int = 1,
    font_scale: float = 1.0,
    data_format: str | None = None,
) -> np.ndarray:
    """Draw bounding boxes (and class labels) on a batch of images with OpenCV.

    Float images are read as ``[0, 1]`` when their maximum is at most 1, else as ``[0, 255]``; the
    result is ``uint8``. Boxes with label -1 are skipped.

    Args:
        images: ``(batch, height, width, channels)`` images (channels first with ``data_format``).
        bounding_boxes: Dict with ``"boxes"`` ``(batch, num_boxes, 4)``, ``"labels"``
            ``(batch, num_boxes)`` and optionally ``"confidences"``.
        bounding_box_format: Format of the boxes (``"xyxy"``, ``"rel_yxyx"``, ``"center_xywh"``...).
        class_mapping: Class id -> label text drawn above each box.
        color: RGB color of boxes and text.
        line_thickness: Box line thickness.
        text_thickness: Text thickness (``line_thickness`` when falsy).
        font_scale: Font scale of the labels.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Returns:
        The annotated ``uint8`` images, shaped like ``images``.

    Raises:
        ImportError: OpenCV is not installed.
        ValueError / TypeError: ``images`` is not 4D or ``bounding_boxes`` is not a dict with
            ``"boxes"`` and ``"labels"``.
    """
    cv2 = _import_cv2()
    class_mapping = class_mapping or {}
    text_thickness = text_thickness or line_thickness
    data_format = data_format or core_config.image_data_format()
    shape = _check_batched(images)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"`bounding_boxes` should be a dict. Received: bounding_boxes={bounding_boxes} of type "
                        f"{type(bounding_boxes)}")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError("`bounding_boxes` should be a dict containing 'boxes' and 'labels' keys. Received: "
                         f"bounding_boxes={bounding_boxes}")
    height, width = (shape[-3], shape[-2]) if data_format == "channels_last" else (shape[-2], shape[-1])
    converted = convert_format(dict(bounding_boxes), bounding_box_format, "xyxy", height, width)
    pixels = _numpy(images)
    if pixels.dtype.kind == "f" and pixels.size > 0:
        pixels = np.clip(pixels, 0, 1) * 255 if pixels.max() <= 1.0 else np.clip(pixels, 0, 255)
    pixels = pixels.astype("uint8")
    boxes, labels = _numpy(converted["boxes"]), _numpy(converted["labels"])
    confidences = _numpy(converted["confidences"]) if "confidences" in converted else None
    result = []
    for i in range(pixels.shape[0]):
        image = pixels[i]
        for j in range(boxes[i].shape[0]):
            x1, y1, x2, y2 = (int(v) for v in boxes[i][j].astype("int32"))
            c = int(labels[i][j].astype("int32"))
            if c == -1:
                continue
            cv2.rectangle(image, (x1, y1), (x2, y2), color, line_thickness)
            if c in class_mapping:
                label = class_mapping[c]
                if confidences is not None:
                    label = f"{label} | {confidences[i][j]:.2f}"
                cv2.putText(img=image, text=label, org=_text_location(x1, y1, font_scale, text_thickness),
                            fontFace=cv2.FONT_HERSHEY_SIMPLEX, fontScale=font_scale, color=color,
                            thickness=text_thickness)
        result.append(image)
    return np.stack(result, axis=0)


def _text_location(x: int, y: int, font_scale: float, thickness: int) -> tuple[int, int]:
    # Above the box when there is room, else just inside its top-left corner (Keras's rule).
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3


def draw_segmentation_masks(
    images: Any,
    segmentation_masks: Any,
    num_classes: int | None = None,
    color_mapping: dict[int, Any] | None = None,
    alpha: float = 0.8,
    blend: bool = True,
    ignore_index: int = -1,
    data_format: str | None = None,
) -> np.ndarray:
    """Color each pixel of a batch of images by its segmentation class.

    Class ``k`` (``0 <= k < num_classes``) is painted with ``color_mapping[k]`` (default: Keras's
    generated palette); with ``blend`` the colors are mixed ``alpha``-weighted into the image and
    pixels equal to ``ignore_index`` keep the image.

    Args:
        images: ``(batch, height, width, channels)`` images in ``[0, 255]``.
        segmentation_masks: Integer ``(batch, height, width, 1)`` class indices.
        num_classes: Number of classes (default: the largest index in the masks).
        color_mapping: Class index -> RGB color.
        alpha: Weight of the mask colors when blending.
        blend: Blend the colors into the images (``uint8`` result) rather than painting over them
            (``float32`` result).
        ignore_index: Mask value left unpainted when blending.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Returns:
        The images with masks drawn.

    Raises:
        ValueError: ``images`` is not 4D.
        TypeError: the masks are not integers.
    """
    data_format = data_format or core_config.image_data_format()
    _check_batched(images)
    pixels, masks = _numpy(images), _numpy(segmentation_masks)
    if data_format == "channels_first":
        pixels, masks = pixels.transpose(0, 2, 3, 1), masks.transpose(0, 2, 3, 1)
    pixels = pixels.astype("float32")
    if masks.dtype.kind not in "iu":
        raise TypeError(f"`segmentation_masks` must be in integer dtype. Received: segmentation_masks.dtype="
                        f"{masks.dtype}")
    if num_classes is None:
        num_classes = int(masks.max())
    colors = _color_palette(num_classes) if color_mapping is None else [color_mapping[i] for i in range(num_classes)]
    valid = np.squeeze(masks != ignore_index, axis=-1)
    one_hot = masks[..., 0, None] == np.arange(num_classes)  # out-of-range indices select no class
    painted = pixels.copy()
    for k, color in enumerate(colors):
        painted[one_hot[..., k]] = np.asarray(color, dtype="float32")[None, :]
    if not blend:
        return painted
    mixed = pixels * (1 - alpha) + painted * alpha
    return np.where(valid[..., None], mixed, pixels).astype("uint8")


def _color_palette(num_classes: int) -> list[list[int]]:
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [((i * palette) % 255).tolist() for i in range(num_classes)]
