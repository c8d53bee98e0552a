"""``keras.Function``: a callable graph of operations between symbolic inputs and outputs."""

from __future__ import annotations

from typing import Any

from keras_torch.core import tree
from keras_torch.core.symbolic import KerasTensor, Operation
from keras_torch.models.graph import Graph


class Function(Operation):
    """The computation from ``inputs`` to ``outputs`` (KerasTensors), replayed on real tensors when called.

    Unlike a functional ``Model`` it has no training API and owns no weights: it runs the layers
    and ops recorded between the tensors.

    Args:
        inputs: KerasTensor(s) from ``keras.Input`` (a tensor, list, tuple or dict).
        outputs: KerasTensor(s) computed from ``inputs`` (any nesting).
        name: Optional name.

    Raises:
        ValueError: An input or output is not symbolic, or an output does not depend on the inputs.

    Example:

    >>> x = keras.Input((3,))
    >>> y = keras.ops.relu(x) + 1
    >>> fn = keras.Function(x, y)
    >>> fn(np.array([[-1.0, 0.0, 2.0]], "float32"))
    tensor([[1., 1., 3.]])
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._graph = Graph(inputs, outputs)
        self._input_names = [t.name for t in self._graph.inputs]

    @property
    def inputs(self) -> list[KerasTensor]:
        """The flat list of symbolic inputs."""
        return list(self._graph.inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        """The flat list of symbolic outputs."""
        return list(self._graph.outputs)

    @property
    def operations(self) -> list[Any]:
        """The layers and ops run, in execution order (input layers first)."""
        return list(self._graph.layers)

    def call(self, inputs: Any) -> Any:
        """Outputs (nested like ``outputs``) for real ``inputs`` (nested like ``inputs``)."""
        return self._graph.run(inputs, self._input_names)

    def compute_output_spec(self, inputs: Any) -> Any:
        """Output KerasTensors for symbolic ``inputs`` (shapes as the recorded outputs, batch from inputs)."""
        return tree.map_structure(lambda t: KerasTensor(t.shape, t.dtype), self._graph.outputs_struct)
