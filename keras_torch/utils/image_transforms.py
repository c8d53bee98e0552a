"""Image array transforms of ``keras.preprocessing.image``: ``smart_resize`` and tf-keras 2's random
affine / channel / brightness augmentations (numpy in, numpy out).

The affine transforms use ``scipy.ndimage`` and the brightness shift uses Pillow, as in tf-keras;
both are imported only when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.utils.dataset_utils import _resize
from keras_torch.utils.image_utils import array_to_img, img_to_array


def smart_resize(x: Any, size: Any, interpolation: str = "bilinear", data_format: str = "channels_last",
                 backend_module: Any = None) -> Any:
    """Resize to ``size`` without distorting: center-crop the largest window of the target aspect ratio, then resize.

    Args:
        x: An image ``(h, w, c)`` or a batch ``(b, h, w, c)`` (channels first with ``data_format``);
            numpy array or tensor.
        size: ``(height, width)``.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"area"``, ``"lanczos3"``...
        data_format: ``"channels_last"`` or ``"channels_first"``.
        backend_module: Accepted for Keras compatibility.

    Returns:
        float32 images of the new size, a numpy array for numpy input, else a tensor.
    """
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    is_tensor = isinstance(x, torch.Tensor)
    images = x.detach().cpu().numpy() if is_tensor else np.asarray(x)
    if images.ndim not in (3, 4):
        raise ValueError(f"Expected an image array with shape `(height, width, channels)`, or `(batch_size, height, "
                         f"width, channels)`, but got input with incorrect rank, of shape {images.shape}.")
    channels_first = data_format == "channels_first"
    batch = images if images.ndim == 4 else images[None]
    if channels_first:
        batch = np.moveaxis(batch, 1, -1)
    out = np.stack([_resize(img, tuple(size), interpolation, crop=True, pad=False) for img in batch])
    if channels_first:
        out = np.moveaxis(out, -1, 1)
    if images.ndim == 3:
        out = out[0]
    return torch.as_tensor(out) if is_tensor else out


def _scipy_ndimage() -> Any:
    try:
        from scipy import ndimage
    except ImportError as err:
        raise ImportError("Image transformations require SciPy. Install SciPy.") from err
    return ndimage


def transform_matrix_offset_center(matrix: np.ndarray, x: int, y: int) -> np.ndarray:
    """``matrix`` applied about the center of an ``x`` by ``y`` image."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def apply_affine_transform(x: np.ndarray, theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
                           zx: float = 1, zy: float = 1, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                           fill_mode: str = "nearest", cval: float = 0.0, order: int = 1) -> np.ndarray:
    """Rotate (degrees), shift (pixels), shear (degrees) and zoom a 3D image about its center.

    Args:
        x: The image (3D, channels first or last as ``channel_axis`` says).
        theta: Rotation angle in degrees.
        tx: Shift along the rows (pixels).
        ty: Shift along the columns (pixels).
        shear: Shear angle in degrees.
        zx: Zoom along the rows.
        zy: Zoom along the columns.
        row_axis: Axis of the rows.
        col_axis: Axis of the columns.
        channel_axis: Axis of the channels (0 or 2).
        fill_mode: Points outside the input: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: Value for ``fill_mode="constant"``.
        order: Spline interpolation order.

    Returns:
        The transformed image.
    """
    if np.unique([row_axis, col_axis, channel_axis]).size != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError(f"Invalid axis' indices: {({row_axis, col_axis, channel_axis}) - {0, 1, 2}}")
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images.")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed and the first and last dimensions.")
    matrices = []
    if theta != 0:
        t = np.deg2rad(theta)
        matrices.append(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        matrices.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        s = np.deg2rad(shear)
        matrices.append(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        matrices.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not matrices:
        return x
    transform = matrices[0]
    for m in matrices[1:]:
        transform = transform @ m
    transform = transform_matrix_offset_center(transform, x.shape[row_axis], x.shape[col_axis])
    x = np.rollaxis(x, channel_axis, 0)
    if col_axis > row_axis:
        transform[:, [0, 1]] = transform[:, [1, 0]]
        transform[[0, 1]] = transform[[1, 0]]
    ndimage = _scipy_ndimage()
    channels = [ndimage.affine_transform(channel, transform[:2, :2], transform[:2, 2], order=order, mode=fill_mode,
                                         cval=cval) for channel in x]
    return np.rollaxis(np.stack(channels, axis=0), 0, channel_axis + 1)


def random_rotation(x: np.ndarray, rg: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                    fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    """Rotate by an angle drawn from ``[-rg, rg]`` degrees (numpy's global generator).

    Args:
        x: Rank-3 image array.
        rg: Largest rotation, in degrees.
        row_axis: Row axis of ``x``.
        col_axis: Column axis of ``x``.
        channel_axis: Channel axis of ``x``.
        fill_mode: How points outside the image are filled: "constant", "nearest", "reflect" or "wrap".
        cval: Fill value of "constant" mode.
        interpolation_order: Spline order of the resampling (needs SciPy).

    Returns:
        The rotated image array.
    """
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shift(x: np.ndarray, wrg: float, hrg: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                 fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    """Shift by fractions drawn from ``[-hrg, hrg]`` of the height and ``[-wrg, wrg]`` of the width.

    Args:
        x: Rank-3 image array.
        wrg: Largest horizontal shift, as a fraction of the width.
        hrg: Largest vertical shift, as a fraction of the height.
        row_axis: Row axis of ``x``.
        col_axis: Column axis of ``x``.
        channel_axis: Channel axis of ``x``.
        fill_mode: How points outside the image are filled: "constant", "nearest", "reflect" or "wrap".
        cval: Fill value of "constant" mode.
        interpolation_order: Spline order of the resampling (needs SciPy).

    Returns:
        The shifted image array.
    """
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shear(x: np.ndarray, intensity: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                 fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    """Shear by an angle drawn from ``[-intensity, intensity]`` degrees.

    Args:
        x: Rank-3 image array.
        intensity: Largest shear angle, in degrees.
        row_axis: Row axis of ``x``.
        col_axis: Column axis of ``x``.
        channel_axis: Channel axis of ``x``.
        fill_mode: How points outside the image are filled: "constant", "nearest", "reflect" or "wrap".
        cval: Fill value of "constant" mode.
        interpolation_order: Spline order of the resampling (needs SciPy).

    Returns:
        The sheared image array.
    """
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_zoom(x: np.ndarray, zoom_range: Any, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    """Zoom rows and columns by factors drawn from ``zoom_range`` (two floats).

    Args:
        x: Rank-3 image array.
        zoom_range: ``(low, high)`` range of the zoom factors (drawn separately for rows and columns).
        row_axis: Row axis of ``x``.
        col_axis: Column axis of ``x``.
        channel_axis: Channel axis of ``x``.
        fill_mode: How points outside the image are filled: "constant", "nearest", "reflect" or "wrap".
        cval: Fill value of "constant" mode.
        interpolation_order: Spline order of the resampling (needs SciPy).

    Returns:
        The zoomed image array.

    Raises:
        ValueError: for a range that is not two numbers.
    """
    if len(zoom_range) != 2:
        raise ValueError(f"`zoom_range` should be a tuple or list of two floats. Received: {zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def apply_channel_shift(x: np.ndarray, intensity: float, channel_axis: int = 0) -> np.ndarray:
    """Add ``intensity`` to every channel, clipped to the image's original value range.

    Args:
        x: Image array.
        intensity: Value added to every channel.
        channel_axis: Channel axis of ``x``.

    Returns:
        The shifted image array.
    """
    x = np.rollaxis(x, channel_axis, 0)
    low, high = np.min(x), np.max(x)
    x = np.stack([np.clip(channel + intensity, low, high) for channel in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def random_channel_shift(x: np.ndarray, intensity_range: float, channel_axis: int = 0) -> np.ndarray:
    """:func:`apply_channel_shift` with an intensity drawn from ``[-intensity_range, intensity_range]``.

    Args:
        x: Image array.
        intensity_range: Largest absolute shift.
        channel_axis: Channel axis of ``x``.

    Returns:
        The shifted image array.
    """
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def apply_brightness_shift(x: np.ndarray, brightness: float, scale: bool = True) -> np.ndarray:
    """Scale the brightness by ``brightness`` (Pillow's ``ImageEnhance.Brightness``), channels last.

    Args:
        x: Image array ``(h, w, channels)``.
        brightness: Brightness factor (1 keeps the image; below 1 darkens).
        scale: Rescale the values to 0-255 before the shift (as :func:`array_to_img`).

    Returns:
        The image array.

    Raises:
        ImportError: without Pillow.
    """
    try:
        from PIL import ImageEnhance
    except ImportError as err:
        raise ImportError("Using brightness shifts requires PIL. Install PIL or Pillow.") from err
    low, high = np.min(x), np.max(x)
    local_scale = (low < 0) or (high > 255)
    image = ImageEnhance.Brightness(array_to_img(x, scale=local_scale or scale)).enhance(brightness)
    x = img_to_array(image)
    if not scale and local_scale:
        x = x / 255 * (high - low) + low
    return x


def random_brightness(x: np.ndarray, brightness_range: Any, scale: bool = True) -> np.ndarray:
    """:func:`apply_brightness_shift` with a factor drawn from ``brightness_range`` (two floats).

    Args:
        x: Image array ``(h, w, channels)``.
        brightness_range: ``(low, high)`` range of the factor.
        scale: Rescale the values to 0-255 before the shift.

    Returns:
        The image array.

    Raises:
        ValueError: for a range that is not two numbers.
    """
    if len(brightness_range) != 2:
        raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
    return apply_brightness_shift(x, np.random.uniform(brightness_range[0], brightness_range[1]), scale)
