"""Attention layers: MultiHeadAttention, Attention (Luong), AdditiveAttention (Bahdanau)."""

from __future__ import annotations

import contextlib
import math
import string
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import constraints, initializers, regularizers
from keras_torch.core import config as _config
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import check_axis, check_rate, check_shape, register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.einsum_dense import EinsumDense

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention"]

# Keras 3 Softmax layer (slow path) and torch-backend dot_product_attention (fast path) masks.
_SOFTMAX_MASK_VALUE = -1e9
_SDPA_MASK_VALUE = -0.7 * 3.38953e38


def _letter(i: int) -> str:
    return string.ascii_lowercase[i]


def _build_proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    input_str = kernel_str = output_str = bias_axes = ""
    for i in range(free_dims):
        input_str += _letter(i)
        output_str += _letter(i)
    for i in range(bound_dims):
        c = _letter(free_dims + i)
        input_str += c
        kernel_str += c
    for i in range(output_dims):
        c = _letter(free_dims + bound_dims + i)
        kernel_str += c
        output_str += c
        bias_axes += c
    return f"{input_str},{kernel_str}->{output_str}", bias_axes, len(output_str)


def _build_attention_equation(rank: int, attn_axes: tuple[int, ...]) -> tuple[str, str, int]:
    target = "".join(_letter(i) for i in range(rank))
    batch_dims = tuple(i for i in range(rank) if i not in attn_axes + (rank - 1,))
    offset, source = rank, ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _letter(offset)
            offset += 1
    product = "".join([target[i] for i in batch_dims] + [target[i] for i in attn_axes] + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _output_shape(rank: int, known: list) -> list:
    return [None] * (rank - len(known)) + list(known)


def _masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None, axes: tuple[int, ...]) -> torch.Tensor:
    if mask is not None:
        scores = torch.where(mask, scores, torch.as_tensor(_SOFTMAX_MASK_VALUE, dtype=scores.dtype,
                                                           device=scores.device))
    if len(axes) == 1:
        out = torch.softmax(scores, dim=axes[0])
    else:
        out = torch.exp(scores - torch.logsumexp(scores, dim=axes, keepdim=True))
    return out if mask is None else torch.where(mask, out, 0.0)


def _mask_of(x: Any) -> Any:
    return getattr(x, "_keras_mask", None) if isinstance(x, torch.Tensor) else None


def _sdpa_kernels(flash: bool | None, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: Any,
                  causal: bool) -> Any:
    """The attention kernels torch may pick: any (``None``), any but flash (``False``), only flash (``True``)."""
    if flash is None:
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    if flash is False:
        return sdpa_kernel([SDPBackend.MATH, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION])
    from torch.backends.cuda import SDPAParams, can_use_flash_attention

    if not can_use_flash_attention(SDPAParams(q, k, v, mask, 0.0, causal, False), True):
        raise RuntimeError("Flash attention is not supported with the provided inputs (see the warnings above for "
                           "why); pass flash_attention=None to let torch choose the attention kernel.")
    return sdpa_kernel([SDPBackend.FLASH_ATTENTION])


@register_layer()
class MultiHeadAttention(Layer):
    """Multi-head attention layer (Vaswani et al., 2017), with Keras's weight layouts.

    Projects ``query``, ``key`` and ``value`` into ``num_heads`` heads, computes scaled dot-product attention
    in each head, and projects the concatenated heads back. The projections are :class:`EinsumDense`
    sub-layers ``query``/``key``/``value``/``attention_output`` with kernels ``(dim, num_heads, key_dim)``
    ... ``(num_heads, value_dim, output_dim)``, as in Keras files. Without dropout or returned scores,
    rank-3 inputs run torch's ``F.scaled_dot_product_attention``.

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each query/key head.
        value_dim: Size of each value head (default ``key_dim``).
        dropout: Dropout rate on the attention probabilities (training only).
        use_bias: Whether the projections add biases. Default ``True``.
        output_shape: Size (int or tuple) of the output's last dimensions; default: the query's last dimension.
        attention_axes: Axes over which attention is applied (default: all axes but batch, heads and features).
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer's output.
        kernel_constraint: Optional constraint of the kernel (applied after each optimizer step).
        bias_constraint: Optional constraint of the bias.
        seed: Seed of the dropout.
        flash_attention: Accepted for compatibility (torch picks its attention kernel itself).
        sliding_window: ``None`` or a positive int: each query attends only to keys less than this many
            positions away.
        use_gate: Gate the attention output with ``sigmoid(query @ W_gate)``.
        **kwargs: Base layer arguments.

    Call arguments:
        query: ``(batch, target_len, query_dim)``.
        value: ``(batch, source_len, value_dim)``.
        key: Optional ``(batch, source_len, key_dim)``; defaults to ``value``.
        attention_mask: Optional boolean ``(batch, target_len, source_len)``, True where attention is allowed.
        return_attention_scores: Also return the attention probabilities.
        training: Whether dropout is active.
        use_causal_mask: Mask out future positions (decoder self-attention).

    Input shape:
        ``query`` ``(batch, target_len, query_dim)``, ``value``/``key`` ``(batch, source_len, dim)``.

    Output shape:
        ``(batch, target_len, output_dim)`` (``output_dim`` defaults to ``query_dim``); with
        ``return_attention_scores`` also the scores ``(batch, num_heads, target_len, source_len)``.

    Example:

    >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> query = np.random.rand(3, 8, 16).astype("float32")
    >>> value = np.random.rand(3, 5, 16).astype("float32")
    >>> out, scores = layer(query, value, return_attention_scores=True)
    >>> out.shape, scores.shape
    (torch.Size([3, 8, 16]), torch.Size([3, 2, 8, 5]))
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        seed: int | None = None,
        flash_attention: Any = None,
        sliding_window: int | None = None,
        use_gate: bool = False,
        **kwargs: Any,
    ) -> None:
        # As in Keras 3, the activity regularizer applies to the projections *and* to the output.
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for arg, v in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"Received an invalid value for argument `{arg}`, expected a positive integer. "
                                 f"Received: {arg}={v!r} (layer {self.name})")
        if value_dim is not None and (isinstance(value_dim, bool) or not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError(f"Received an invalid value for argument `value_dim`, expected a positive integer or "
                             f"`None`. Received: value_dim={value_dim!r} (layer {self.name})")
        if sliding_window is not None or use_gate:
            raise ValueError(f"Layer '{self.name}': `sliding_window` and `use_gate` are not supported by keras_torch.")
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = check_rate(self.name, dropout, "dropout")
        self._use_bias = bool(use_bias)
        self._output_shape = check_shape(self.name, "output_shape", output_shape, allow_none=True) or None
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._sub_activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"Layer '{self.name}': `attention_axes` must be an int, list, or tuple. "
                             f"Received: attention_axes={attention_axes!r}")
        elif attention_axes:
            check_axis(self.name, "attention_axes", attention_axes)
        self._attention_axes = tuple(attention_axes) if attention_axes else None
        self.seed = seed
        # Keras: False/None defer to keras.config.disable_flash_attention(); True insists on the kernel.
        self._flash_attention = flash_attention or _config.is_flash_attention_enabled()
        if self._flash_attention and self._dropout > 0.0:
            raise ValueError(f"Layer '{self.name}': dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._mha_shapes: dict[str, Any] | None = None
        self.supports_masking = True

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # Keras attribute names (read-only aliases of the sub-layers).
    _query_dense = property(lambda self: self.query_dense)
    _key_dense = property(lambda self: self.key_dense)
    _value_dense = property(lambda self: self.value_dense)
    _output_dense = property(lambda self: self.output_dense)

    # ------------------------------------------------------------------ build
    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        if value_shape is None:  # the base class only knows the first argument; built on first call
            return
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = tuple(query_shape), tuple(value_shape), tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape} (layer {self.name})"
            )
        common = self._sublayer_kwargs()

        def make(rank: int, bound: int, out_dims: list, name: str, in_shape: tuple) -> EinsumDense:
            eq, bias_axes, out_rank = _build_proj_equation(rank - 1, bound_dims=bound, output_dims=len(out_dims))
            layer = EinsumDense(eq, output_shape=_output_shape(out_rank - 1, out_dims),
                                bias_axes=bias_axes if self._use_bias else None, name=name, **common)
            layer._build_shapes = in_shape
            layer.build(in_shape)
            layer.built = True
            return layer

        self.query_dense = make(len(query_shape), 1, [self._num_heads, self._key_dim], "query", query_shape)
        self.key_dense = make(len(key_shape), 1, [self._num_heads, self._key_dim], "key", key_shape)
        self.value_dense = make(len(value_shape), 1, [self._num_heads, self._value_dim], "value", value_shape)
        rank = len(query_shape) + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
            if not all(0 < a < rank - 2 for a in self._attention_axes):
                raise ValueError(f"Layer '{self.name}': attention_axes={self._attention_axes} must name axes between "
                                 f"the batch axis and the feature axis of a rank-{rank - 1} query.")
        self._dot_product_equation, self._combine_equation, scores_rank = _build_attention_equation(
            rank, self._attention_axes)
        self._norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        out_dims = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        out_in_shape = list(self.query_dense.compute_output_shape(query_shape))
        out_in_shape[-1] = self._value_dim
        self.output_dense = make(len(query_shape), 2, out_dims, "attention_output", tuple(out_in_shape))
        shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape)}
        if key_shape is not value_shape:
            shapes["key_shape"] = list(key_shape)
        self._mha_shapes = shapes
        self.built = True

    def _sublayer_kwargs(self) -> dict[str, Any]:
        return dict(
            kernel_initializer=self._kernel_initializer.clone() if hasattr(self._kernel_initializer, "clone")
            else self._kernel_initializer,
            bias_initializer=self._bias_initializer.clone() if hasattr(self._bias_initializer, "clone")
            else self._bias_initializer,
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._sub_activity_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            dtype=self._dtype_policy,
        )

    def _ensure_built(self, query: Any, value: Any, key: Any) -> None:
        if self._mha_shapes is not None:
            return
        self.build(tuple(query.shape), tuple(value.shape), None if key is None else tuple(key.shape))
        if isinstance(query, torch.Tensor) and query.device.type != "cpu":
            for sub in (self.query_dense, self.key_dense, self.value_dense, self.output_dense):
                sub.to(query.device)

    def get_build_config(self) -> dict[str, Any] | None:
        return None if self._mha_shapes is None else {"shapes_dict": dict(self._mha_shapes)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MultiHeadAttention:
        """Also reads tf-keras configs, which carry the build shapes and ``softmax_robust_masking``."""
        config = dict(config)
        shapes = {k: config.pop(k, None) for k in ("query_shape", "value_shape", "key_shape")}
        if config.pop("softmax_robust_masking", False):
            raise ValueError("MultiHeadAttention(softmax_robust_masking=True) from tf-keras is not supported.")
        layer = super().from_config(config)
        if shapes["query_shape"] is not None and shapes["value_shape"] is not None:
            layer.build(shapes["query_shape"], shapes["value_shape"], shapes["key_shape"])
        return layer

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if not config or self._mha_shapes is not None:
            return
        shapes = config.get("shapes_dict")
        if shapes is None and config.get("input_shape") is not None:
            shapes = {"query_shape": config["input_shape"], "value_shape": config["input_shape"]}
        if shapes:
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
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"Layer '{self.name}': returning attention scores is not supported when flash "
                             "attention is enabled. Please disable flash attention to access attention scores.")
        self._ensure_built(query, value, key)
        # Keras 3 fills `*_mask` from the tensors' masks; the query mask always comes from the query.
        query_mask = _mask_of(query)
        if value_mask is None:
            value_mask = _mask_of(value)
        if key_mask is None and key is not None:
            key_mask = _mask_of(key)
        if key is None:
            key = value
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None)
        if not causal_only:
            attention_mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask,
                                                          attention_mask, use_causal_mask)
        q = self.query_dense(query)
        k = self.key_dense(key)
        v = self.value_dense(value)
        out, scores = self._compute_attention(q, k, v, attention_mask, training, return_attention_scores,
                                              causal_only)
        out = self.output_dense(out)
        if return_attention_scores:
            return out, scores
        return out

    def _compute_attention(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, attention_mask: Any,
                           training: bool | None, return_attention_scores: bool, causal_only: bool) -> tuple:
        if not (self._dropout > 0.0 or return_attention_scores or query.ndim != 4):
            mask = None
            if attention_mask is not None:
                while attention_mask.ndim < 4:
                    attention_mask = attention_mask.unsqueeze(-3)
                mask = torch.where(attention_mask.to(torch.bool), 0.0, _SDPA_MASK_VALUE).to(query.dtype)
            q, k, v = query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2)
            with _sdpa_kernels(self._flash_attention, q, k, v, mask, causal_only):
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal_only,
                                                     scale=self._inverse_sqrt_key_dim)
            return out.transpose(1, 2), None
        if causal_only:
            attention_mask = self._causal_mask(query.shape[1], value.shape[1], query.device)
        query = query * self._inverse_sqrt_key_dim
        scores = torch.einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:
            attention_mask = attention_mask.to(torch.bool)
            axis = -len(self._attention_axes) * 2 - 1
            while attention_mask.ndim < scores.ndim:
                attention_mask = attention_mask.unsqueeze(axis)
        scores = _masked_softmax(scores, attention_mask, self._norm_axes)
        probs = F.dropout(scores, self._dropout, True) if (training and self._dropout > 0) else scores
        return torch.einsum(self._combine_equation, probs, value), scores

    @staticmethod
    def _causal_mask(q_len: int, v_len: int, device: torch.device) -> torch.Tensor:
        return torch.ones((1, q_len, v_len), dtype=torch.bool, device=device).tril()

    def _compute_attention_mask(self, query: torch.Tensor, value: torch.Tensor, query_mask: Any, value_mask: Any,
                                key_mask: Any, attention_mask: Any, use_causal_mask: bool) -> Any:
        auto = None
        if query_mask is not None:
            auto = query_mask.to(torch.bool).unsqueeze(-1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = m.to(torch.bool).unsqueeze(-2)
                auto = m if auto is None else auto & m
        if use_causal_mask:
            m = self._causal_mask(query.shape[1], value.shape[1], query.device)
            auto = m if auto is None else auto & m
        if attention_mask is not None:
            attention_mask = torch.as_tensor(attention_mask, device=query.device).to(torch.bool)
        if auto is not None:
            attention_mask = auto if attention_mask is None else attention_mask & auto
        return attention_mask

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return _mask_of(inputs)

    # ------------------------------------------------------------------ shapes / config
    def compute_output_shape(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> tuple:
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError(
                    "All dimensions of `value` and `key`, except the last one, must be equal. "
                    f"Received: value_shape={value_shape} and key_shape={key_shape} (layer {self.name})"
                )
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def compute_output_spec(self, query: Any, value: Any, key: Any = None, *args: Any,
                            return_attention_scores: bool = False, **kwargs: Any) -> Any:
        self._ensure_built(query, value, key)
        out = KerasTensor(self.compute_output_shape(query.shape, value.shape, None if key is None else key.shape),
                          self.compute_dtype)
        if return_attention_scores:
            if len(query.shape) == 3:
                scores_shape = (query.shape[0], self._num_heads, query.shape[1], value.shape[1])
            else:
                scores_shape = self._infer_scores_shape(query.shape, value.shape)
            return out, KerasTensor(scores_shape, self.compute_dtype)
        return out

    def _infer_scores_shape(self, q_shape: tuple, v_shape: tuple) -> tuple:
        batch = tuple(q_shape[i] for i in range(len(q_shape) - 1) if i not in self._attention_axes)
        return (batch + (self._num_heads,) + tuple(q_shape[a] for a in self._attention_axes)
                + tuple(v_shape[a] for a in self._attention_axes))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": False,
            "output_shape": list(self._output_shape) if self._output_shape else None,
            "attention_axes": list(self._attention_axes) if self._attention_axes else None,
            "sliding_window": None,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._sub_activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        }


@register_layer()
class Attention(Layer):
    """Dot-product attention layer (Luong-style).

    Computes ``scores = query @ key^T`` (``score_mode="dot"``) or ``sum(tanh(query + key))``
    (``"concat"``), optionally scaled, takes the softmax over the value positions and returns the
    weighted sum of ``value``.

    Args:
        use_scale: Learn a scalar ``scale`` multiplying the scores. Default ``False``.
        score_mode: ``"dot"`` (default) or ``"concat"``.
        dropout: Dropout rate on the attention distribution (training only).
        seed: Seed of the dropout.
        **kwargs: Base layer arguments.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to ``value``).
        mask: Optional ``[query_mask (batch, Tq), value_mask (batch, Tv)]``; taken from the inputs' masks
            by default.
        training: Whether dropout is active.
        return_attention_scores: Also return the attention distribution.
        use_causal_mask: Mask out future positions (decoder self-attention).

    Input shape:
        ``query`` ``(batch, Tq, dim)``, ``value`` ``(batch, Tv, dim)`` and optionally ``key`` ``(batch, Tv, dim)``.

    Output shape:
        ``(batch, Tq, dim)``; with ``return_attention_scores`` also the scores ``(batch, Tq, Tv)``.

    Example:

    >>> query = np.random.rand(2, 4, 8).astype("float32")
    >>> value = np.random.rand(2, 6, 8).astype("float32")
    >>> out, scores = keras.layers.Attention()([query, value], return_attention_scores=True)
    >>> out.shape, scores.shape
    (torch.Size([2, 4, 8]), torch.Size([2, 4, 6]))
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = check_rate(self.name, dropout, "dropout")
        self.seed = seed
        if self.score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                             f"Received: score_mode={score_mode} (layer {self.name})")
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        else:
            self.scale = None
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        else:
            self.concat_score_weight = None

    def _calculate_scores(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        qk = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            qk = self.scale * qk
        return self.concat_score_weight * torch.sum(torch.tanh(qk), dim=-1)

    def call(self, inputs: list, mask: Any = None, training: bool = False, return_attention_scores: bool = False,
             use_causal_mask: bool = False) -> Any:
        self._validate_inputs(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = v_mask
        if use_causal_mask:
            causal = torch.ones((1,) + tuple(scores.shape[-2:]), dtype=torch.bool, device=scores.device).tril()
            scores_mask = causal if v_mask is None else (v_mask.to(torch.bool).unsqueeze(-2) & causal)
        if scores_mask is not None:
            padding = ~scores_mask.to(torch.bool)
            if padding.ndim == 2:
                padding = padding.unsqueeze(-2)
            big = 65504.0 if scores.dtype == torch.float16 else 1.0e9
            scores = torch.where(padding, scores - big, scores)
        weights = torch.softmax(scores, dim=-1)
        dropped = F.dropout(weights, self.dropout, True) if (training and self.dropout > 0) else weights
        out = torch.matmul(dropped, v)
        if q_mask is not None:
            out = torch.where(q_mask.to(torch.bool).unsqueeze(-1), out, 0.0)
        return (out, weights) if return_attention_scores else out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*input_shape[0][:-1], input_shape[1][-1])

    def compute_output_spec(self, inputs: Any, *args: Any, return_attention_scores: bool = False, **kwargs: Any) -> Any:
        self._validate_inputs(inputs)
        shapes = [tuple(x.shape) for x in inputs]
        out = KerasTensor(self.compute_output_shape(shapes), self.compute_dtype)
        if return_attention_scores:
            key_shape = shapes[2] if len(shapes) > 2 else shapes[1]
            return out, KerasTensor((*shapes[0][:-1], key_shape[-2]), self.compute_dtype)
        return out

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or (inputs and not isinstance(inputs[0], (list, tuple, torch.Tensor,
                                                                                            KerasTensor))):
            raise ValueError(f"{name} layer '{self.name}' must be called on a list of inputs, namely [query, value] "
                             f"or [query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer '{self.name}' accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(f"{name} layer '{self.name}' mask must be a list, namely [query_mask, value_mask]. "
                                 f"Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer '{self.name}' accepts mask list of length 2 or 3. "
                                 f"Received: mask of length {len(mask)}.")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


@register_layer()
class AdditiveAttention(Attention):
    """Additive attention layer (Bahdanau-style).

    Computes ``scores = sum(scale * tanh(query + key), axis=-1)`` over every query/key pair, takes the
    softmax over the value positions and returns the weighted sum of ``value``.

    Args:
        use_scale: Learn a per-feature ``scale`` vector (``glorot_uniform`` initialised). Default ``True``.
        dropout: Dropout rate on the attention distribution (training only).
        **kwargs: Base layer arguments.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to ``value``).
        mask: Optional ``[query_mask (batch, Tq), value_mask (batch, Tv)]``.
        training: Whether dropout is active.
        return_attention_scores: Also return the attention distribution.
        use_causal_mask: Mask out future positions.

    Input shape:
        ``query`` ``(batch, Tq, dim)``, ``value`` ``(batch, Tv, dim)`` and optionally ``key`` ``(batch, Tv, dim)``.

    Output shape:
        ``(batch, Tq, dim)``; with ``return_attention_scores`` also the scores ``(batch, Tq, Tv)``.

    Example:

    >>> query = np.random.rand(2, 4, 8).astype("float32")
    >>> value = np.random.rand(2, 6, 8).astype("float32")
    >>> keras.layers.AdditiveAttention()([query, value]).shape
    torch.Size([2, 4, 8])
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        else:
            self.scale = None

    def _calculate_scores(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        t = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        return torch.sum(self.scale * t if self.use_scale else t, dim=-1)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        del cfg["score_mode"]
        return cfg
