"""Helpers on symbolic tensors (``keras.utils.get_source_inputs``)."""

from __future__ import annotations

from typing import Any

from keras_torch.core import tree
from keras_torch.core.symbolic import KerasTensor


def get_source_inputs(tensor: Any) -> Any:
    """The input tensors (from ``keras.Input``) that ``tensor`` is computed from, without duplicates.

    Args:
        tensor: A symbolic tensor.

    Returns:
        A list of input KerasTensors; ``tensor`` itself when it has no layer history.
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    operation, node_index, _ = history
    if not operation._inbound_nodes:
        return [tensor]
    node = operation._inbound_nodes[node_index]
    if node.is_input:
        return tree.flatten(node.output_tensors)
    sources: list[KerasTensor] = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not s for s in sources):
                sources.append(source)
    return sources
