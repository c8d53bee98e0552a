"""``keras.utils.bounding_boxes``: box format conversion, clipping, affine/crop/pad, deltas and IoUs.

The formulas are Keras 3.15's (``keras/src/layers/preprocessing/image_preprocessing/bounding_boxes``)
on torch tensors; every function accepts arrays, tensors or nested lists and returns torch tensors.
Box formats (case-insensitive): ``"xyxy"``, ``"yxyx"``, ``"xywh"``, ``"center_xywh"``,
``"center_yxhw"`` and the relative ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"``,
``"rel_center_xywh"`` (fractions of the image ``height`` / ``width``).

The augmentation layers (``keras_torch.layers.image_preprocessing``) transform the boxes of a
``{"images": ..., "bounding_boxes": {"boxes": ..., "labels": ...}}`` input with these functions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config

__all__ = [
    "affine_transform",
    "clip_to_image_size",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "crop",
    "decode_deltas_to_boxes",
    "encode_box_to_deltas",
    "pad",
]

SUPPORTED_FORMATS = (
    "xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh",
)

_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64}


def _dtype(dtype: Any) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in _DTYPES:
        raise ValueError(f"Unsupported bounding box dtype {dtype!r}; expected one of {sorted(_DTYPES)}.")
    return _DTYPES[dtype]


def to_tensor(x: Any, dtype: torch.dtype | None = None, device: torch.device | None = None) -> torch.Tensor:
    """``x`` (tensor, array, number or nested list of those) as a torch tensor."""
    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, (list, tuple)):
        t = torch.as_tensor(np.asarray(_plain(x)))
    else:
        t = torch.as_tensor(np.asarray(x))
    if t.dtype == torch.float64 and dtype is None and not isinstance(x, torch.Tensor):
        t = t.to(torch.float32)
    if dtype is not None or device is not None:
        t = t.to(device=device if device is not None else t.device, dtype=dtype if dtype is not None else t.dtype)
    return t


def _plain(x: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return x


def _size(v: Any, like: torch.Tensor) -> Any:
    """A height/width (number or tensor) in the dtype and device of ``like``."""
    if v is None or isinstance(v, (int, float)):
        return v
    return to_tensor(v, like.dtype, like.device)


def _split(boxes: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return tuple(torch.split(boxes, 1, dim=-1))


def _cat(parts: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat(parts, dim=-1)


def _to_xyxy(boxes: torch.Tensor, source: str, height: Any, width: Any) -> torch.Tensor:
    a, b, c, d = _split(boxes)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return _cat([b, a, d, c])
    if source == "xywh":
        return _cat([a, b, a + c, b + d])
    if source == "center_xywh":
        return _cat([a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0])
    if source == "center_yxhw":
        return _cat([b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0])
    if source == "rel_xyxy":
        return _cat([a * width, b * height, c * width, d * height])
    if source == "rel_yxyx":
        return _cat([b * width, a * height, d * width, c * height])
    if source == "rel_xywh":
        return _cat([a * width, b * height, (a + c) * width, (b + d) * height])
    # rel_center_xywh
    return _cat([(a - c / 2.0) * width, (b - d / 2.0) * height, (a + c / 2.0) * width, (b + d / 2.0) * height])


def _from_xyxy(boxes: torch.Tensor, target: str, height: Any, width: Any) -> torch.Tensor:
    x1, y1, x2, y2 = _split(boxes)
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return _cat([y1, x1, y2, x2])
    if target == "xywh":
        return _cat([x1, y1, x2 - x1, y2 - y1])
    if target == "center_xywh":
        return _cat([x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0, x2 - x1, y2 - y1])
    if target == "center_yxhw":
        return _cat([y1 + (y2 - y1) / 2.0, x1 + (x2 - x1) / 2.0, y2 - y1, x2 - x1])
    if target == "rel_xyxy":
        return _cat([x1 / width, y1 / height, x2 / width, y2 / height])
    if target == "rel_yxyx":
        return _cat([y1 / height, x1 / width, y2 / height, x2 / width])
    if target == "rel_xywh":
        return _cat([x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height])
    # rel_center_xywh
    return _cat([(x1 + (x2 - x1) / 2.0) / width, (y1 + (y2 - y1) / 2.0) / height, (x2 - x1) / width,
                 (y2 - y1) / height])


def convert_format(boxes: Any, source: str, target: str, height: Any = None, width: Any = None,
                   dtype: Any = "float32") -> Any:
    """Convert boxes between formats.

    Args:
        boxes: ``(..., 4)`` boxes, or a dict whose ``"boxes"`` entry is converted (a new dict).
        source: Format of ``boxes``.
        target: Format to return.
        height: Image height (needed when either format is relative); a number or a tensor that
            broadcasts against ``boxes[..., :1]``.
        width: Image width (same rules).
        dtype: Float dtype of the result.

    Returns:
        The converted boxes (or a dict with converted ``"boxes"``).

    Raises:
        ValueError: unknown format, last dimension not 4, or missing height/width for a relative format.
    """
    if isinstance(boxes, dict):
        out = dict(boxes)
        out["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return out
    boxes = to_tensor(boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(f"`boxes` must be a tensor with the last dimension of 4. Received: boxes.shape={tuple(boxes.shape)}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format (source={source!r}, target={target!r}). "
                         f"Supported formats: {SUPPORTED_FORMATS}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or height is None):
        raise ValueError("convert_format() must receive `height` and `width` transforming between relative and "
                         f"absolute formats. convert_format() received source=`{source}`, target=`{target}`, but "
                         f"height={height} and width={width}.")
    boxes = boxes.to(_dtype(dtype))
    if source == target:
        return boxes
    height, width = _size(height, boxes), _size(width, boxes)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


def _area(boxes: torch.Tensor) -> torch.Tensor:
    x1, y1, x2, y2 = _split(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes: dict, height: Any = None, width: Any = None,
                       bounding_box_format: str = "xyxy") -> dict:
    """Clip boxes to the image; boxes left with no area get label ``-1``.

    Args:
        bounding_boxes: ``{"boxes": (..., N, 4), "labels": (..., N)}`` (labels optional).
        height: Image height (``"xyxy"``).
        width: Image width (``"xyxy"``).
        bounding_box_format: ``"xyxy"`` or ``"rel_xyxy"`` (clipped to ``[0, 1]``).

    Returns:
        A new dict with clipped ``boxes`` (and updated ``labels``).

    Raises:
        NotImplementedError: other formats (as Keras).
        ValueError: ``"xyxy"`` without ``height``/``width``.
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(f"clip_to_image_size supports 'xyxy' and 'rel_xyxy'; got {bounding_box_format!r}.")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = to_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    x1, y1, x2, y2 = _split(boxes)
    if bounding_box_format == "xyxy":
        h, w = _size(height, boxes), _size(width, boxes)
        clipped = [_clip(x1, 0, w), _clip(y1, 0, h), _clip(x2, 0, w), _clip(y2, 0, h)]
    else:
        clipped = [v.clamp(0.0, 1.0) for v in (x1, y1, x2, y2)]
    boxes = _cat(clipped)
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        labels = to_tensor(labels, device=boxes.device)
        areas = _area(boxes).squeeze(-1)
        result["labels"] = torch.where(areas > 0, labels, torch.full_like(labels, -1))
    return result


def _clip(x: torch.Tensor, low: Any, high: Any) -> torch.Tensor:
    if isinstance(high, torch.Tensor) or isinstance(low, torch.Tensor):
        low_t = low if isinstance(low, torch.Tensor) else torch.as_tensor(low, dtype=x.dtype, device=x.device)
        high_t = high if isinstance(high, torch.Tensor) else torch.as_tensor(high, dtype=x.dtype, device=x.device)
        return torch.minimum(torch.maximum(x, low_t), high_t)
    return x.clamp(low, high)


def inverse_affine_matrix(center_x: Any, center_y: Any, angle: torch.Tensor, translate_x: torch.Tensor,
                          translate_y: torch.Tensor, scale: torch.Tensor, shear_x: torch.Tensor, shear_y: torch.Tensor,
                          height: Any, width: Any) -> torch.Tensor:
    """``(batch, 3, 3)`` inverse of the rotate/scale/shear/translate map about ``(center_x, center_y)``
    (fractions of the image), angles in degrees (TensorFlow's ``_get_inverse_affine_matrix``)."""
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx = center_x * (width - 1)
    cy = center_y * (height - 1)
    rot = angle * (1.0 / 180.0 * math.pi)
    tx = -translate_x * (width - 1)
    ty = -translate_y * (height - 1)
    sx = shear_x * (1.0 / 180.0 * math.pi)
    sy = shear_y * (1.0 / 180.0 * math.pi)
    cos_sy, tan_sx = torch.cos(sy), torch.tan(sx)
    rot_minus_sy = rot - sy
    cx_plus_tx, cy_plus_ty = cx + tx, cy + ty
    a = torch.cos(rot_minus_sy) / cos_sy
    b = a * tan_sx + torch.sin(rot)
    c = -torch.sin(rot_minus_sy) / cos_sy
    d = torch.cos(rot) - c * tan_sx
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * cx_plus_tx - a1 * cy_plus_ty
    b2 = cy - b0 * cx_plus_tx - b1 * cy_plus_ty
    zeros, ones = torch.zeros_like(a0), torch.ones_like(a0)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], dim=-1).reshape(-1, 3, 3)


def affine_transform(boxes: Any, angle: Any, translate_x: Any, translate_y: Any, scale: Any, shear_x: Any,
                     shear_y: Any, height: Any, width: Any, center_x: Any = None, center_y: Any = None,
                     bounding_box_format: str = "xyxy") -> torch.Tensor:
    """Apply a per-image rotation/translation/scale/shear to ``(batch, N, 4)`` ``"xyxy"`` boxes.

    Each box becomes the axis-aligned bounding box of its four transformed corners.

    Args:
        boxes: ``(batch, N, 4)`` boxes.
        angle: ``(batch,)`` rotation in degrees.
        translate_x: ``(batch,)`` horizontal translation (fraction of the width).
        translate_y: ``(batch,)`` vertical translation (fraction of the height).
        scale: ``(batch,)`` scale factor.
        shear_x: ``(batch,)`` shear angle in degrees (x).
        shear_y: ``(batch,)`` shear angle in degrees (y).
        height: Image height.
        width: Image width.
        center_x: Transformation centre (fraction of the width), default 0.5.
        center_y: Transformation centre (fraction of the height), default 0.5.
        bounding_box_format: Only ``"xyxy"`` (as Keras).

    Returns:
        ``(batch, N, 4)`` transformed boxes.

    Raises:
        NotImplementedError: for another ``bounding_box_format``.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"affine_transform supports bounding_box_format='xyxy' only; got {bounding_box_format!r}.")
    angle = to_tensor(angle)
    tx, ty, sc, sx, sy = (to_tensor(v, angle.dtype, angle.device) for v in (translate_x, translate_y, scale, shear_x,
                                                                            shear_y))
    matrix = inverse_affine_matrix(0.5 if center_x is None else center_x, 0.5 if center_y is None else center_y,
                                   angle, tx, ty, sc, sx, sy, height, width)
    boxes = to_tensor(boxes, matrix.dtype, matrix.device)
    bsz, n = boxes.shape[0], boxes.shape[1]
    b = boxes
    points = torch.stack([b[..., 0], b[..., 1], b[..., 2], b[..., 1], b[..., 2], b[..., 3], b[..., 0], b[..., 3]], -1)
    points = points.reshape(bsz, n, 4, 2)
    points = torch.cat([points, torch.ones(bsz, n, 4, 1, dtype=points.dtype, device=points.device)], -1)
    transformed = torch.einsum("bnxy,byz->bnxz", points, matrix[:, :2, :].transpose(1, 2))
    return torch.cat([transformed.amin(dim=2), transformed.amax(dim=2)], -1)


def crop(boxes: Any, top: Any, left: Any, height: Any, width: Any, bounding_box_format: str = "xyxy") -> torch.Tensor:
    """Shift ``"xyxy"`` boxes into a crop window at ``(top, left)`` of size ``(height, width)`` and clip them to it.

    Args:
        boxes: Boxes ``(..., 4)`` in "xyxy" format (pixels).
        top: Top offset of the crop window.
        left: Left offset of the crop window.
        height: Height of the crop window.
        width: Width of the crop window.
        bounding_box_format: Must be "xyxy".

    Returns:
        The boxes in the coordinates of the crop, clipped to it.

    Raises:
        NotImplementedError: for another ``bounding_box_format``.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"crop supports bounding_box_format='xyxy' only; got {bounding_box_format!r}.")
    boxes = to_tensor(boxes)
    top, left = _size(top, boxes), _size(left, boxes)
    height, width = _size(height, boxes), _size(width, boxes)
    x1, y1, x2, y2 = _split(boxes)
    return _cat([_clip(x1 - left, 0, width), _clip(y1 - top, 0, height), _clip(x2 - left, 0, width),
                 _clip(y2 - top, 0, height)])


def pad(boxes: Any, top: Any, left: Any, height: Any = None, width: Any = None,
        bounding_box_format: str = "xyxy") -> torch.Tensor:
    """Shift ``"xyxy"`` boxes by the ``top``/``left`` padding of their image.

    Args:
        boxes: Boxes ``(..., 4)`` in "xyxy" format (pixels).
        top: Rows added above the image.
        left: Columns added left of the image.
        height: Accepted for API compatibility (not needed for the shift).
        width: Accepted for API compatibility (not needed for the shift).
        bounding_box_format: Must be "xyxy".

    Returns:
        The shifted boxes.

    Raises:
        NotImplementedError: for another ``bounding_box_format``.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"pad supports bounding_box_format='xyxy' only; got {bounding_box_format!r}.")
    boxes = to_tensor(boxes)
    top, left = _size(top, boxes), _size(left, boxes)
    x1, y1, x2, y2 = _split(boxes)
    return _cat([x1 + left, y1 + top, x2 + left, y2 + top])


def _check_variance(variance: Any) -> torch.Tensor | None:
    if variance is None:
        return None
    variance = to_tensor(variance, torch.float32)
    if variance.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def _hw(image_shape: Any) -> tuple[Any, Any]:
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(anchors: Any, boxes: Any, anchor_format: str, box_format: str,
                         encoding_format: str = "center_yxhw", variance: Any = None,
                         image_shape: Any = None) -> torch.Tensor:
    """Deltas of ``boxes`` relative to ``anchors`` (centre offsets over anchor size, log size ratios).

    Args:
        anchors: ``(N, 4)`` anchors.
        boxes: ``(N, 4)`` or ``(batch, N, 4)`` boxes.
        anchor_format: Format of ``anchors``.
        box_format: Format of ``boxes``.
        encoding_format: ``"center_yxhw"`` or ``"center_xywh"``.
        variance: Optional 4 factors the deltas are divided by.
        image_shape: ``(height, width, channels)`` for relative formats.

    Returns:
        The deltas, in ``encoding_format`` order.

    Raises:
        ValueError: bad ``variance`` length or ``encoding_format``.
    """
    variance = _check_variance(variance)
    if encoding_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`encoding_format` should be one of 'center_xywh' or 'center_yxhw', got {encoding_format}")
    height, width = _hw(image_shape)
    enc_anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width).to(enc_anchors.device)
    anchor_dims = torch.clamp(enc_anchors[..., 2:], min=_config.epsilon())
    box_dims = torch.clamp(boxes[..., 2:], min=_config.epsilon())
    deltas = torch.cat([(boxes[..., :2] - enc_anchors[..., :2]) / anchor_dims, torch.log(box_dims / anchor_dims)], -1)
    if variance is not None:
        deltas = deltas / variance.to(deltas.device)
    return deltas


def decode_deltas_to_boxes(anchors: Any, boxes_delta: Any, anchor_format: str, box_format: str,
                           encoded_format: str = "center_yxhw", variance: Any = None,
                           image_shape: Any = None) -> Any:
    """Boxes in ``box_format`` from deltas relative to ``anchors`` (the inverse of :func:`encode_box_to_deltas`).

    Args:
        anchors: ``(N, 4)`` anchors, or a dict of them per feature level.
        boxes_delta: Deltas with the structure of ``anchors`` (``(N, 4)`` or ``(batch, N, 4)``).
        anchor_format: Format of ``anchors``.
        box_format: Format of the returned boxes.
        encoded_format: ``"center_yxhw"`` or ``"center_xywh"``.
        variance: Optional 4 factors the deltas are multiplied by.
        image_shape: ``(height, width, channels)`` for relative formats.

    Returns:
        Decoded boxes (a dict per level when ``anchors`` is a dict).

    Raises:
        ValueError: bad ``variance`` length or ``encoded_format``.
    """
    variance = _check_variance(variance)
    if encoded_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`encoded_format` should be 'center_xywh' or 'center_yxhw', but got '{encoded_format}'.")
    height, width = _hw(image_shape)

    def decode(anchor: Any, delta: Any) -> torch.Tensor:
        enc = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = to_tensor(delta, enc.dtype, enc.device)
        if variance is not None:
            delta = delta * variance.to(delta.device)
        box = torch.cat([delta[..., :2] * enc[..., 2:] + enc[..., :2], torch.exp(delta[..., 2:]) * enc[..., 2:]], -1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)


def _rel_shape(bounding_box_format: str, image_shape: Any) -> tuple[Any, Any]:
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument "
                         f"must be provided. Received `image_shape`: {image_shape}")
    return _hw(image_shape)


def compute_iou(boxes1: Any, boxes2: Any, bounding_box_format: str, use_masking: bool = False, mask_val: int = -1,
                image_shape: Any = None) -> torch.Tensor:
    """Pairwise IoU of two sets of boxes: ``(M, N)``, or ``(batch, M, N)`` when either set is batched.

    Args:
        boxes1: ``(M, 4)`` or ``(batch, M, 4)``.
        boxes2: ``(N, 4)`` or ``(batch, N, 4)``.
        bounding_box_format: Format of both sets.
        use_masking: Give ``mask_val`` to pairs where either box has all coordinates negative.
        mask_val: Value of masked pairs.
        image_shape: ``(height, width, channels)`` for relative formats.

    Returns:
        The IoU table.

    Raises:
        ValueError: ranks other than 2 or 3, or a relative format without ``image_shape``.
    """
    b1, b2 = to_tensor(boxes1), to_tensor(boxes2)
    for name, b in (("boxes1", b1), ("boxes2", b2)):
        if b.ndim not in (2, 3):
            raise ValueError(f"compute_iou() expects {name} to be batched, or to be unbatched. Received "
                             f"len(boxes1.shape)={b1.ndim}, len(boxes2.shape)={b2.ndim}. Expected either "
                             f"len({name}.shape)=2 AND or len({name}.shape)=3.")
    height, width = _rel_shape(bounding_box_format, image_shape)
    b1 = convert_format(b1, bounding_box_format, "yxyx", height, width)
    b2 = convert_format(b2, bounding_box_format, "yxyx", height, width).to(b1.device)
    perm = (1, 0) if b2.ndim == 2 else (0, 2, 1)
    y_min1, x_min1, y_max1, x_max1 = _split(b1)
    y_min2, x_min2, y_max2, x_max2 = _split(b2)
    ih = torch.minimum(y_max1, y_max2.permute(perm)) - torch.maximum(y_min1, y_min2.permute(perm))
    iw = torch.minimum(x_max1, x_max2.permute(perm)) - torch.maximum(x_min1, x_min2.permute(perm))
    intersect = ih.clamp(min=0) * iw.clamp(min=0)
    area1 = ((y_max1 - y_min1) * (x_max1 - x_min1)).squeeze(-1)
    area2 = ((y_max2 - y_min2) * (x_max2 - x_min2)).squeeze(-1)
    area2 = area2.unsqueeze(1 if area2.ndim == 2 else 0)
    union = area1.unsqueeze(-1) + area2 - intersect
    res = intersect / (union + _config.epsilon())
    if not use_masking:
        return res
    perm1 = (1, 0) if b1.ndim == 2 else (0, 2, 1)
    background = (b1.amax(-1, keepdim=True) < 0) | (b2.amax(-1, keepdim=True) < 0).permute(perm1)
    return torch.where(background, torch.full_like(res, float(mask_val)), res)


def compute_ciou(boxes1: Any, boxes2: Any, bounding_box_format: str, image_shape: Any = None) -> torch.Tensor:
    """Complete IoU (IoU minus the normalised centre distance and an aspect-ratio term) of matching boxes.

    Args:
        boxes1: ``(..., 4)`` boxes.
        boxes2: ``(..., 4)`` boxes (same leading shape or broadcastable).
        bounding_box_format: Format of both (relative formats are rejected, as in Keras).
        image_shape: Unused for absolute formats.

    Returns:
        ``(...)`` CIoU values.

    Raises:
        ValueError: for a relative format.
    """
    if "rel" in bounding_box_format:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument "
                         f"must be provided. Received `image_shape`: {image_shape}")
    height, width = _hw(image_shape)
    eps = _config.epsilon()
    b1 = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    b2 = convert_format(boxes2, bounding_box_format, "xyxy", height, width).to(b1.device)
    x_min1, y_min1, x_max1, y_max1 = _split(b1)
    x_min2, y_min2, x_max2, y_max2 = _split(b2)
    width_1, height_1 = x_max1 - x_min1, y_max1 - y_min1 + eps
    width_2, height_2 = x_max2 - x_min2, y_max2 - y_min2 + eps
    inter = (torch.minimum(x_max1, x_max2) - torch.maximum(x_min1, x_min2)).clamp(min=0) * \
        (torch.minimum(y_max1, y_max2) - torch.maximum(y_min1, y_min2)).clamp(min=0)
    union = width_1 * height_1 + width_2 * height_2 - inter + eps
    iou = (inter / (union + eps)).squeeze(-1)
    convex_w = torch.maximum(x_max1, x_max2) - torch.minimum(x_min1, x_min2)
    convex_h = torch.maximum(y_max1, y_max2) - torch.minimum(y_min1, y_min2)
    diag2 = (convex_w**2 + convex_h**2 + eps).squeeze(-1)
    centers2 = (((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2
                + ((y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2) ** 2).squeeze(-1)
    v = ((4 / math.pi**2) * (torch.atan(width_2 / height_2) - torch.atan(width_1 / height_1)) ** 2).squeeze(-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (centers2 / diag2 + v * alpha)


def validate_bounding_boxes(bounding_boxes: Any) -> None:
    """Check ``{"boxes": (..., N, 4), "labels": (..., N)}`` structure and ranks (Keras's messages).

    Raises:
        ValueError: wrong structure or ranks.
    """
    if not isinstance(bounding_boxes, dict) or "labels" not in bounding_boxes or "boxes" not in bounding_boxes:
        raise ValueError("Expected `bounding_boxes` agurment to be a dict with keys 'boxes' and 'labels'. "
                         f"Received: bounding_boxes={bounding_boxes}")
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    if isinstance(boxes, list):
        if not isinstance(labels, list):
            raise ValueError("If `bounding_boxes['boxes']` is a list, then `bounding_boxes['labels']` must also be "
                             f"a list.Received: bounding_boxes['labels']={labels}")
        if len(boxes) != len(labels):
            raise ValueError("If `bounding_boxes['boxes']` and `bounding_boxes['labels']` are both lists, they must "
                             f"have the same length. Received: len(bounding_boxes['boxes'])={len(boxes)} and "
                             f"len(bounding_boxes['labels'])={len(labels)} and ")
        return
    boxes_rank, labels_rank = len(np.shape(boxes)), len(np.shape(labels))
    if boxes_rank == 2:
        if labels_rank not in (1, 2):
            raise ValueError(f"Found bounding_boxes['boxes'].shape={tuple(np.shape(boxes))} and expected "
                             "bounding_boxes['labels'] to have rank 1 or 2, but received: "
                             f"bounding_boxes['labels'].shape={tuple(np.shape(labels))} ")
    elif boxes_rank == 3:
        if labels_rank not in (2, 3):
            raise ValueError(f"Found bounding_boxes['boxes'].shape={tuple(np.shape(boxes))} and expected "
                             "bounding_boxes['labels'] to have rank 2 or 3, but received: "
                             f"bounding_boxes['labels'].shape={tuple(np.shape(labels))} ")
    else:
        raise ValueError("Expected `bounding_boxes['boxes']` to have rank 2 or 3, with shape (num_boxes, 4) or "
                         f"(batch_size, num_boxes, 4). Received: bounding_boxes['boxes'].shape={tuple(np.shape(boxes))}")


def densify_bounding_boxes(bounding_boxes: dict, is_batched: bool = False, max_boxes: int | None = None,
                           boxes_default_value: float = 0, labels_default_value: int = -1,
                           device: torch.device | None = None) -> dict:
    """Boxes and labels as dense tensors; a batch of ragged Python lists is padded to its longest entry.

    Args:
        bounding_boxes: ``{"boxes": ..., "labels": ...}`` of tensors, arrays or (ragged) lists.
        is_batched: Whether the lists hold one entry per image.
        max_boxes: Pad/truncate to this many boxes (default: the longest entry).
        boxes_default_value: Value of padded box coordinates.
        labels_default_value: Label of padded boxes.
        device: Device of the returned tensors.

    Returns:
        ``{"boxes": float32 tensor, "labels": tensor}`` (other keys kept).
    """
    validate_bounding_boxes(bounding_boxes)
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    out = dict(bounding_boxes)
    if isinstance(boxes, list) and is_batched and _ragged(boxes):
        boxes, labels = _plain(boxes), _plain(labels)
        n = max_boxes if max_boxes is not None else max(len(b) for b in boxes)
        new_boxes, new_labels = [], []
        for b, lab in zip(boxes, labels):
            b, lab = [list(np.asarray(v, dtype=np.float32).reshape(4)) for v in b][:n], list(lab)[:n]
            fill = n - len(b)
            new_boxes.append(b + [[boxes_default_value] * 4] * fill)
            new_labels.append([int(v) for v in lab] + [labels_default_value] * fill)
        out["boxes"] = torch.tensor(new_boxes, dtype=torch.float32, device=device).reshape(len(boxes), n, 4)
        out["labels"] = torch.tensor(new_labels, dtype=torch.int32, device=device).reshape(len(boxes), n)
        return out
    out["boxes"] = to_tensor(boxes, torch.float32, device)
    out["labels"] = to_tensor(labels, device=device)
    return out


def _ragged(batch: list) -> bool:
    lengths = {len(b) if isinstance(b, (list, tuple, np.ndarray, torch.Tensor)) else -1 for b in batch}
    return len(lengths) > 1
