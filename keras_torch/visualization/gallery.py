"""Image galleries drawn with matplotlib (imported when a function is called), as Keras 3.15's."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from keras_torch.core import config as core_config
from keras_torch.visualization.draw import _check_batched, _numpy, draw_bounding_boxes, draw_segmentation_masks


def _import_matplotlib(function: str) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(f"The `{function}` function requires the `matplotlib` package. Please install it with "
                          "`pip install matplotlib`.") from None
    return plt


def plot_image_gallery(
    images: Any,
    y_true: Any = None,
    y_pred: Any = None,
    label_map: dict[int, str] | None = None,
    rows: int | None = None,
    cols: int | None = None,
    value_range: tuple[float, float] = (0, 255),
    scale: float = 2,
    path: str | None = None,
    show: bool | None = None,
    transparent: bool = True,
    dpi: int = 60,
    legend_handles: list[Any] | None = None,
    data_format: str | None = None,
) -> None:
    """Show (or save to ``path``) a ``rows x cols`` grid of images, titled with labels/predictions.

    Args:
        images: ``(batch, height, width, channels)`` images.
        y_true: Integer labels shown as "Label: ..." (needs ``label_map``).
        y_pred: Integer predictions shown as "Pred: ..." (needs ``label_map``).
        label_map: Class id -> name.
        rows: Grid rows (default: ``ceil(sqrt(batch))``).
        cols: Grid columns (default: ``batch // rows``).
        value_range: Range of the image values, mapped to ``[0, 255]``.
        scale: Size of each image in inches.
        path: File to save the figure to (then nothing is shown).
        show: Show the figure (default: when no ``path``).
        transparent: Transparent background when saving.
        dpi: Resolution when saving.
        legend_handles: matplotlib handles for a figure legend.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the Keras config).

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: both ``path`` and ``show``, a non-4D batch, or labels without ``label_map``.
    """
    plt = _import_matplotlib("plot_image_gallery")
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be provided.")
    show = show if show is not None else path is None
    data_format = data_format or core_config.image_data_format()
    shape = tuple(np.shape(images))
    batch_size = shape[0] if len(shape) == 4 else 1
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or int(math.ceil(batch_size // rows))
    if len(shape) != 4:
        raise ValueError("`plot_images_gallery()` requires you to batch your `np.array` samples together.")
    pixels = _numpy(images)[: min(rows * cols, batch_size)].astype("float32")
    if data_format == "channels_first":
        pixels = pixels.transpose(0, 2, 3, 1)
    fig, axes = plt.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale), frameon=False,
                             layout="tight", squeeze=True, sharex="row", sharey="col")
    fig.subplots_adjust(wspace=0, hspace=0)
    if isinstance(axes, np.ndarray) and axes.ndim == 1:
        axes = np.expand_dims(axes, 0 if rows == 1 else -1)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    low, high = value_range
    if (low, high) != (0, 255):
        pixels = (pixels - low) / (high - low) * 255.0
    labels = None if y_true is None else _numpy(y_true)
    preds = None if y_pred is None else _numpy(y_pred)
    for row in range(rows):
        for col in range(cols):
            index = row * cols + col
            axis = axes[row, col] if isinstance(axes, np.ndarray) else axes
            axis.imshow(pixels[index].astype("uint8"))
            axis.margins(x=0, y=0)
            axis.axis("off")
            title = []
            if labels is not None and index < len(labels):
                title.append(f"Label: {label_map.get(labels[index], 'Unknown')}")
            if preds is not None and index < len(preds):
                title.append(f"Pred: {label_map.get(preds[index], 'Unknown')}")
            if title:
                axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        plt.close()
    elif show:
        plt.show()
        plt.close()


def plot_bounding_box_gallery(
    images: Any,
    bounding_box_format: str,
    y_true: dict[str, Any] | None = None,
    y_pred: dict[str, Any] | None = None,
    value_range: tuple[float, float] = (0, 255),
    true_color: tuple[int, int, int] = (0, 188, 212),
    pred_color: tuple[int, int, int] = (255, 235, 59),
    line_thickness: int = 2,
    font_scale: float = 1.0,
    text_thickness: int | None = None,
    class_mapping: dict[int, str] | None = None,
    ground_truth_mapping: dict[int, str] | None = None,
    prediction_mapping: dict[int, str] | None = None,
    legend: bool = False,
    legend_handles: list[Any] | None = None,
    rows: int | None = None,
    cols: int | None = None,
    data_format: str | None = None,
    **kwargs: Any,
) -> None:
    """Plot images with ground-truth and predicted boxes drawn (see :func:`draw_bounding_boxes`).

    Args:
        images: ``(batch, height, width, channels)`` images.
        bounding_box_format: Format of the boxes.
        y_true: Ground-truth boxes dict (``"boxes"``, ``"labels"``).
        y_pred: Predicted boxes dict (``"boxes"``, ``"labels"``, optional ``"confidences"``).
        value_range: Range of the image values.
        true_color: RGB color of ground-truth boxes.
        pred_color: RGB color of predicted boxes.
        line_thickness: Box line thickness.
        font_scale: Label font scale.
        text_thickness: Label thickness.
        class_mapping: Class id -> label for both kinds of boxes.
        ground_truth_mapping: Overrides ``class_mapping`` for ground truth.
        prediction_mapping: Overrides ``class_mapping`` for predictions.
        legend: Add a "Ground Truth" / "Prediction" legend.
        legend_handles: Custom legend handles (not with ``legend``).
        rows: Grid rows.
        cols: Grid columns.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: Passed to :func:`plot_image_gallery`.

    Raises:
        ImportError: matplotlib (or OpenCV, to draw boxes) is not installed.
        ValueError: a non-4D batch, or both ``legend`` and ``legend_handles``.
    """
    _import_matplotlib("plot_bounding_box_gallery")
    from matplotlib import patches

    prediction_mapping = prediction_mapping or class_mapping
    ground_truth_mapping = ground_truth_mapping or class_mapping
    data_format = data_format or core_config.image_data_format()
    _check_batched(images)
    plotted = _numpy(images)
    if data_format == "channels_first":
        plotted = plotted.transpose(0, 2, 3, 1)
    draw = functools.partial(draw_bounding_boxes, bounding_box_format=bounding_box_format,
                             line_thickness=line_thickness, text_thickness=text_thickness, font_scale=font_scale)
    if y_true is not None:
        plotted = draw(plotted, y_true, color=true_color, class_mapping=ground_truth_mapping)
    if y_pred is not None:
        plotted = draw(plotted, y_pred, color=pred_color, class_mapping=prediction_mapping)
    if legend:
        if legend_handles:
            raise ValueError("Only pass `legend` OR `legend_handles` to "
                             "`keras.visualization.plot_bounding_box_gallery()`.")
        legend_handles = [patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
                          patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction")]
    return plot_image_gallery(plotted, value_range=value_range, legend_handles=legend_handles, rows=rows, cols=cols,
                              **kwargs)


def plot_segmentation_mask_gallery(
    images: Any,
    num_classes: int,
    value_range: tuple[float, float] = (0, 255),
    y_true: Any = None,
    y_pred: Any = None,
    color_mapping: dict[int, Any] | None = None,
    blend: bool = True,
    alpha: float = 0.8,
    ignore_index: int = -1,
    data_format: str | None = None,
    **kwargs: Any,
) -> None:
    """Plot each image next to its true and predicted masks (see :func:`draw_segmentation_masks`).

    Args:
        images: ``(batch, height, width, channels)`` images.
        num_classes: Number of segmentation classes.
        value_range: Range of the image values.
        y_true: Integer ``(batch, height, width, 1)`` true masks.
        y_pred: Integer ``(batch, height, width, 1)`` predicted masks.
        color_mapping: Class index -> RGB color.
        blend: Blend the masks into the images.
        alpha: Blend weight of the masks.
        ignore_index: Mask value left unpainted.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: Passed to :func:`plot_image_gallery`.

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: a non-4D batch.
    """
    _import_matplotlib("plot_segmentation_mask_gallery")
    data_format = data_format or core_config.image_data_format()
    shape = _check_batched(images)
    pixels = _numpy(images)
    if data_format == "channels_first":
        pixels = pixels.transpose(0, 2, 3, 1)
    draw = functools.partial(draw_segmentation_masks, num_classes=num_classes, color_mapping=color_mapping,
                             alpha=alpha, ignore_index=ignore_index, blend=blend, data_format="channels_last")
    drawn = []
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = _numpy(masks)
            if data_format == "channels_first":
                masks = masks.transpose(0, 2, 3, 1)
            drawn.append(draw(pixels, masks.astype("int32")))
    gallery = []
    for i in range(shape[0]):
        gallery.append(pixels[i])
        gallery.extend(d[i] for d in drawn)
    return plot_image_gallery(np.stack(gallery, axis=0), value_range=value_range, rows=shape[0], cols=1 + len(drawn),
                              **kwargs)
