"""``GroupedQueryAttention`` (Keras 3.15, also exported as ``GroupQueryAttention``).

Ainslie et al. (2023): ``num_key_value_heads`` key/value heads are shared by groups of the
``num_query_heads`` query heads (1 group = multi-query attention, as many groups as query heads =
multi-head attention). Sub-layers ``query``/``key``/``value``/``attention_output`` (and ``gate``
with ``use_gate``) are :class:`EinsumDense` with Keras's equations, built in Keras's order so the
weights line up: query, key, gate, value, attention_output.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import constraints, initializers, regularizers
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import MAX_DIM, check_rate, register_layer
from keras_torch.layers.attention import _SDPA_MASK_VALUE, _mask_of, _masked_softmax
from keras_torch.layers.base import Layer
from keras_torch.layers.einsum_dense import EinsumDense

__all__ = ["GroupedQueryAttention", "GroupQueryAttention"]


def _positive_int(layer: str, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Received an invalid value for argument `{arg}`, expected a positive integer. "
                         f"Received: {arg}={value!r} (layer {layer})")
    return value


@register_layer("GroupedQueryAttention", "GroupQueryAttention")
class GroupedQueryAttention(Layer):
    """Grouped-query attention (Ainslie et al., 2023).

    Like :class:`MultiHeadAttention`, but ``num_query_heads`` query heads share ``num_key_value_heads``
    key/value heads (each key/value head serves ``num_query_heads // num_key_value_heads`` query heads),
    which shrinks the key/value projections and caches.

    Args:
        head_dim: Size of each attention head.
        num_query_heads: Number of query heads.
        num_key_value_heads: Number of key/value heads; must divide ``num_query_heads``.
        dropout: Dropout rate on the attention probabilities (training only).
        use_bias: Whether the projections add biases.
        sliding_window: ``None`` or a positive int: each query attends only to keys less than
            ``sliding_window`` positions away (with ``use_causal_mask``, Mistral's causal sliding window).
        flash_attention: Accepted for compatibility (torch picks its attention kernel itself).
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer's output.
        kernel_constraint: Optional constraint of the kernel (applied after each optimizer step).
        bias_constraint: Optional constraint of the bias.
        use_gate: Gate the attention output with ``sigmoid(query @ W_gate)`` (Gated Attention).
        seed: Seed of the dropout.
        **kwargs: Base layer arguments.

    Call arguments:
        query: ``(batch, target_len, dim)``.
        value: ``(batch, source_len, dim)``.
        key: Optional, defaults to ``value``.
        query_mask, value_mask, key_mask: Optional padding masks.
        attention_mask: Optional boolean ``(batch, target_len, source_len)``, True where attention is allowed.
        return_attention_scores: Also return the attention probabilities.
        training: Whether dropout is active.
        use_causal_mask: Mask out future positions.

    Input shape:
        ``query`` ``(batch, target_len, dim)``, ``value``/``key`` ``(batch, source_len, dim)``.

    Output shape:
        ``(batch, target_len, dim)``; with ``return_attention_scores`` also
        ``(batch, num_query_heads, target_len, source_len)``.

    Example:

    >>> layer = keras.layers.GroupQueryAttention(head_dim=8, num_query_heads=4, num_key_value_heads=2)
    >>> x = np.random.rand(2, 6, 16).astype("float32")
    >>> layer(x, x).shape
    torch.Size([2, 6, 16])
    """

    def __init__(
        self,
        head_dim: int,
        num_query_heads: int,
        num_key_value_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        sliding_window: int | None = None,
        flash_attention: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.head_dim = _positive_int(self.name, "head_dim", head_dim)
        self.num_query_heads = _positive_int(self.name, "num_query_heads", num_query_heads)
        self.num_key_value_heads = _positive_int(self.name, "num_key_value_heads", num_key_value_heads)
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(f"`num_query_heads` must be divisible by `num_key_value_heads` (layer {self.name}). "
                             f"Received: num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = check_rate(self.name, dropout, "dropout")
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(sliding_window, int)
                                           or not 0 < sliding_window <= MAX_DIM):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer (at most {MAX_DIM}). "
                             f"Received: sliding_window={sliding_window} (layer {self.name})")
        self.sliding_window = sliding_window
        if flash_attention and self.dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 "
                             f"to use flash attention (layer {self.name}).")
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._sub_activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))
        self._gqa_shapes: dict[str, Any] | None = None  # build shapes (the build config), set by build

    # ------------------------------------------------------------------ build
    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:  # the base class only knows the first argument; built on first call
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self.feature_dim = query_shape[-1]

        def make(equation: str, heads: int, bias_axes: str, name: str, in_shape: tuple, **kw: Any) -> EinsumDense:
            return EinsumDense(equation, output_shape=(None, heads, self.head_dim),
                               bias_axes=bias_axes if self.use_bias else None, name=name, **self._sublayer_kwargs(),
                               **kw)

        self._query_dense = make("bqm,muh->bquh", self.num_query_heads, "uh", "query", query_shape)
        self._query_dense.build(query_shape)
        self._key_dense = make("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "key", key_shape)
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = make("bqm,muh->bquh", self.num_query_heads, "uh", "gate", query_shape,
                                    activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = make("bkm,mvh->bkvh", self.num_key_value_heads, "vh", "value", value_shape)
        self._value_dense.build(value_shape)
        self._output_dense = EinsumDense("bquh,uhm->bqm", output_shape=(None, self.feature_dim),
                                         bias_axes="m" if self.use_bias else None, name="attention_output",
                                         **self._sublayer_kwargs())
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))
        shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape)}
        if key_shape is not value_shape:
            shapes["key_shape"] = list(key_shape)
        self._gqa_shapes = shapes
        self.built = True

    def _sublayer_kwargs(self) -> dict[str, Any]:
        def fresh(init: Any) -> Any:
            return init.clone() if hasattr(init, "clone") else init

        return dict(
            kernel_initializer=fresh(self.kernel_initializer), bias_initializer=fresh(self.bias_initializer),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self._sub_activity_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint, dtype=self._dtype_policy,
        )

    def _ensure_built(self, query: Any, value: Any, key: Any) -> None:
        if self._gqa_shapes is not None:
            return
        self.build(tuple(query.shape), tuple(value.shape), None if key is None else tuple(key.shape))
        if isinstance(query, torch.Tensor) and query.device.type != "cpu":
            self.to(query.device)

    def get_build_config(self) -> dict[str, Any] | None:
        return None if self._gqa_shapes is None else {"shapes_dict": dict(self._gqa_shapes)}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        shapes = (config or {}).get("shapes_dict")
        if shapes and self._gqa_shapes is None:
            self.build(shapes["query_shape"], shapes["value_shape"], shapes.get("key_shape"))

    # ------------------------------------------------------------------ call
    def call(
        self,
        query: torch.Tensor,
        value: torch.Tensor,
        key: torch.Tensor | None = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
    ) -> Any:
        self._ensure_built(query, value, key)
        query_mask = _mask_of(query) if query_mask is None else query_mask
        value_mask = _mask_of(value) if value_mask is None else value_mask
        if key_mask is None and key is not None:
            key_mask = _mask_of(key)
        if key is None:
            key = value
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None and self.sliding_window is None)
        if not causal_only:
            attention_mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask,
                                                          attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = torch.repeat_interleave(self._key_dense(key), self.num_repeats, dim=2)
        v = torch.repeat_interleave(self._value_dense(value), self.num_repeats, dim=2)
        out, scores = self._compute_attention(q, k, v, attention_mask, training, return_attention_scores, causal_only)
        out = self._output_dense(out * gate if gate is not None else out)
        if return_attention_scores:
            return out, scores
        return out

    def _compute_attention(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, attention_mask: Any,
                           training: bool | None, return_scores: bool, causal_only: bool) -> tuple:
        if not (self.dropout > 0.0 or return_scores):
            mask = None
            if attention_mask is not None:
                while attention_mask.ndim < 4:
                    attention_mask = attention_mask.unsqueeze(-3)
                mask = torch.where(attention_mask.to(torch.bool), 0.0, _SDPA_MASK_VALUE).to(query.dtype)
            out = F.scaled_dot_product_attention(
                query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2),
                attn_mask=mask, is_causal=causal_only, scale=self._inverse_sqrt_head_dim,
            )
            return out.transpose(1, 2), None
        if causal_only:
            attention_mask = _causal_mask(query.shape[1], value.shape[1], query.device)
        scores = torch.einsum("bquh,bkuh->buqk", query * self._inverse_sqrt_head_dim, key)
        if attention_mask is not None:
            attention_mask = attention_mask.to(torch.bool)
            while attention_mask.ndim < scores.ndim:
                attention_mask = attention_mask.unsqueeze(-3)
        scores = _masked_softmax(scores, attention_mask, (-1,))
        probs = F.dropout(scores, self.dropout, True) if (training and self.dropout > 0) else scores
        return torch.einsum("buqk,bkuh->bquh", probs, value), scores

    def _compute_attention_mask(self, query: torch.Tensor, value: torch.Tensor, query_mask: Any, value_mask: Any,
                                key_mask: Any, attention_mask: Any, use_causal_mask: bool) -> Any:
        auto = None
        if query_mask is not None:
            auto = torch.as_tensor(query_mask, device=query.device).to(torch.bool).unsqueeze(-1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = torch.as_tensor(m, device=query.device).to(torch.bool).unsqueeze(-2)
                auto = m if auto is None else auto & m
        if use_causal_mask:
            m = _causal_mask(query.shape[1], value.shape[1], query.device)
            auto = m if auto is None else auto & m
        if self.sliding_window is not None:
            rows = torch.arange(query.shape[1], device=query.device).view(1, -1, 1)
            cols = torch.arange(value.shape[1], device=query.device).view(1, 1, -1)
            m = torch.abs(rows - cols) < self.sliding_window
            auto = m if auto is None else auto & m
        if auto is not None:
            attention_mask = auto if attention_mask is None else (
                torch.as_tensor(attention_mask, device=query.device).to(torch.bool) & auto)
        return attention_mask

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return _mask_of(inputs)

    # ------------------------------------------------------------------ shapes / config
    def compute_output_shape(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> tuple:
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if query_shape[-1] != value_shape[-1]:
                raise ValueError(
                    "The last dimension of `query_shape` and `value_shape` must be equal, but are "
                    f"{query_shape[-1]}, {value_shape[-1]}. Received: query_shape={query_shape}, "
                    f"value_shape={value_shape} (layer {self.name})")
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError(
                    "All dimensions of `value` and `key`, except the last one, must be equal. "
                    f"Received: value_shape={value_shape} and key_shape={key_shape} (layer {self.name})")
        return query_shape

    def compute_output_spec(self, query: Any, value: Any, key: Any = None, *args: Any,
                            return_attention_scores: bool = False, **kwargs: Any) -> Any:
        self._ensure_built(query, value, key)
        out = KerasTensor(self.compute_output_shape(query.shape, value.shape, None if key is None else key.shape),
                          self.compute_dtype)
        if return_attention_scores:
            kv_len = value.shape[1] if key is None else key.shape[1]
            return out, KerasTensor((query.shape[0], self.num_query_heads, query.shape[1], kv_len), self.compute_dtype)
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._sub_activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        }


def _causal_mask(q_len: int, v_len: int, device: torch.device) -> torch.Tensor:
    return torch.ones((1, q_len, v_len), dtype=torch.bool, device=device).tril()


GroupQueryAttention = GroupedQueryAttention
