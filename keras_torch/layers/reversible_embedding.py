"""``ReversibleEmbedding``: an embedding that also projects hidden states back to the vocabulary."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import register_layer
from keras_torch.layers.core import Embedding


@register_layer()
class ReversibleEmbedding(Embedding):
    """Embedding whose ``reverse=True`` call maps ``(..., output_dim)`` hidden states to ``(..., input_dim)`` logits.

    The reverse projection uses the transposed ``embeddings`` (tied weights) or, with
    ``tie_weights=False``, its own ``reverse_embeddings`` weight of shape ``(output_dim, input_dim)``.
    There is no bias.

    Args:
        input_dim: Vocabulary size.
        output_dim: Embedding size.
        tie_weights: Reuse ``embeddings`` for the reverse projection.
        embeddings_initializer: Initializer of both weights.
        embeddings_regularizer: Regularizer of ``embeddings``.
        embeddings_constraint: Constraint of ``embeddings``.
        mask_zero: Whether id 0 is padding (forward calls propagate a mask).
        reverse_dtype: dtype of the reverse projection (default: the compute dtype).
        logit_soft_cap: If set, reverse logits become ``tanh(logits / cap) * cap``.
        **kwargs: ``Embedding``/``Layer`` arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        inputs: Integer ids, or hidden states with ``reverse=True``.
        reverse: Project hidden states to logits instead of embedding ids.

    Input shape:
        ``(batch, ...)`` ids, or ``(batch, ..., output_dim)`` with ``reverse=True``.

    Output shape:
        ``(batch, ..., output_dim)``, or ``(batch, ..., input_dim)`` with ``reverse=True``.

    Example:

    >>> embedding = keras.layers.ReversibleEmbedding(100, 32)
    >>> hidden = embedding(np.array([[1, 2, 3]]))
    >>> tuple(embedding(hidden, reverse=True).shape)
    (1, 3, 100)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        tie_weights: bool = True,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        reverse_dtype: str | None = None,
        logit_soft_cap: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape: Any = None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(name="reverse_embeddings", shape=(self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer)

    def call(self, inputs: torch.Tensor, reverse: bool = False) -> torch.Tensor:
        if not reverse:
            return super().call(inputs)
        kernel = self.embeddings.t() if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            dtype = to_torch_dtype(self.reverse_dtype)
            inputs, kernel = inputs.to(dtype), kernel.to(dtype)
        logits = torch.matmul(inputs, kernel.to(inputs.dtype))
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        # Only ids carry padding; hidden states given with reverse=True are floats and give no mask.
        dtype = inputs.dtype
        floating = dtype.is_floating_point if isinstance(dtype, torch.dtype) else str(dtype).startswith(("float", "bf"))
        return None if floating else super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape: Any, reverse: bool = False) -> tuple:
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return super().compute_output_shape(input_shape)

    def compute_output_spec(self, inputs: Any, reverse: bool = False, **kwargs: Any) -> Any:
        dtype = self.reverse_dtype if reverse and self.reverse_dtype is not None else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape, reverse=reverse), dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap}
