"""``model.summary()`` in Keras 3's layout (box table, totals with byte sizes)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import numpy as np

from keras_torch.core.naming import keras_class


def _fmt_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return "[" + ", ".join(_fmt_shape(s) for s in shape) + "]"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {_fmt_shape(v)}" for k, v in shape.items()) + "}"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _size(n_bytes: int) -> str:
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} TB"


def _tally(weights: list[Any]) -> tuple[int, int]:
    """(parameter count, bytes) as Keras counts them: every weight counted, each distinct one's bytes once."""
    count = sum(int(np.prod(tuple(w.shape))) for w in weights)
    unique = {id(w): w for w in weights}.values()
    return count, sum(int(np.prod(tuple(w.shape))) * _itemsize(w) for w in unique)


def _itemsize(w: Any) -> int:
    dtype = w.dtype
    return dtype.itemsize if hasattr(dtype, "itemsize") else np.dtype(str(dtype)).itemsize


def _output_shape(layer: Any) -> Any:
    try:
        if layer._inbound_nodes:
            from keras_torch.core import tree

            outs = tree.flatten(layer._inbound_nodes[0].outputs)
            shapes = [t.shape for t in outs]
            return shapes[0] if len(shapes) == 1 else shapes
        return layer.output_shape
    except (AttributeError, IndexError, ValueError, TypeError):
        return None


def _connected_to(layer: Any, model: Any) -> str:
    g = getattr(model, "_graph_obj", None)
    if g is None:
        return ""
    node_ids = {id(n) for n in g.nodes}
    parts: list[str] = []
    for node in layer._inbound_nodes:
        if id(node) not in node_ids or node.is_input:
            continue
        for t in node.input_tensors:
            src, ni, ti = t._keras_history
            parts.append(f"{src.name}[{ni}][{ti}]")
    return ", ".join(parts) if parts else "-"


def _count(layer: Any) -> int:
    try:
        return layer.count_params() if layer.built else 0
    except ValueError:
        return 0


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: list[float] | None = None,
    print_fn: Callable[..., Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
) -> None:
    """Print the summary table of ``model``."""
    print_fn = print_fn or print
    # Keras prints Sequential and subclassed models without the "Connected to" column.
    sequential_like = getattr(model, "_summary_as_sequential", False) or getattr(model, "_graph_obj", None) is None
    if sequential_like:
        default_len, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        align = ["left", "left", "right"]
    else:
        default_len, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["left", "left", "right", "left"]
    if show_trainable:
        default_len += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    line_length = line_length or min(default_len, shutil.get_terminal_size().columns - 4)
    widths, current = [], 0
    for pos in positions:
        w = int(pos * line_length) - current
        widths.append(w)
        current += w
    # Content widths as rich lays out the Keras table: width minus padding and border, with the
    # one leftover column shrunk so the whole line is exactly line_length wide.
    content = [w - 3 for w in widths]
    content[len(content) // 2 if len(content) == 3 else len(content) - 2] -= 1

    rows = []
    for layer in model.layers:
        name = f"{layer.name} ({keras_class(layer).__name__})"
        row = [name, _fmt_shape(_output_shape(layer)), f"{_count(layer):,}"]
        if not sequential_like:
            row.append(_connected_to(layer, model))
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        rows.append(row)

    def rule(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (c + 2) for c in content) + right

    def line(cells: list[str], sep: str) -> list[str]:
        wrapped = [_wrap(c, w) for c, w in zip(cells, content)]
        height = max(len(w) for w in wrapped)
        out = []
        for k in range(height):
            parts = []
            for cell_lines, w, a in zip(wrapped, content, align):
                text = cell_lines[k] if k < len(cell_lines) else ""
                text = text.rjust(w) if a == "right" else (text.center(w) if a == "center" else text.ljust(w))
                parts.append(" " + text + " ")
            out.append(sep + sep.join(parts) + sep)
        return out

    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━")]
    lines += line(header, "┃")
    lines.append(rule("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        lines += line(row, "│")
        lines.append(rule("├", "┼", "┤", "─") if i < len(rows) - 1 else rule("└", "┴", "┘", "─"))
    if not rows:
        lines.append(rule("└", "┴", "┘", "─"))
    trainable, trainable_bytes = _tally(model.trainable_weights)
    non_trainable, non_trainable_bytes = _tally(model.non_trainable_weights)
    opt = getattr(model, "optimizer", None)
    opt_built = opt is not None and getattr(opt, "built", False)
    n_opt, opt_bytes = _tally(opt.variables) if opt_built else (0, 0)
    # Keras 3 counts a built optimizer's variables in the total.
    total, total_bytes = trainable + non_trainable + n_opt, trainable_bytes + non_trainable_bytes + opt_bytes
    lines.append(f" Total params: {total:,} ({_size(total_bytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_size(trainable_bytes)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_size(non_trainable_bytes)})")
    if opt_built:
        lines.append(f" Optimizer params: {n_opt:,} ({_size(opt_bytes)})")
    for text in lines:
        print_fn(text)


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    out = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        cut = width if cut <= 0 else cut
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    out.append(text)
    return out
