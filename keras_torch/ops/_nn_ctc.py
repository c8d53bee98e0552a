"""Connectionist temporal classification: ``ctc_loss`` and ``ctc_decode`` (greedy and prefix beam
search), with Keras's argument conventions (batch-major logits, ``mask_index`` = blank label).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


def _ctc_loss_rule(target: Any, output: Any, target_length: Any, output_length: Any, mask_index: int = 0) -> Any:
    return d.spec(d.shape_of(output)[:1], d.float_of(d.dtypes.to_torch(output.dtype)))


@d.op(rule=_ctc_loss_rule)
def ctc_loss(target: Any, output: Any, target_length: Any, output_length: Any, mask_index: int = 0) -> Tensor:
    """CTC negative log-likelihood of each sequence.

    Args:
        target: ``(batch, max_label_length)`` integer labels (padded).
        output: ``(batch, max_length, num_classes)`` logits.
        target_length: ``(batch,)`` label lengths.
        output_length: ``(batch,)`` output lengths.
        mask_index: Index of the blank class.

    Returns:
        ``(batch,)`` losses.

    Raises:
        ValueError: for inputs of the wrong rank.

    Example:

    >>> logits = ops.zeros((1, 4, 3))
    >>> ops.ctc_loss(ops.array([[1, 2]]), logits, ops.array([2]), ops.array([4]))
    tensor([1.6864])
    """
    logits = d.tensor(output)
    if logits.ndim != 3:
        raise ValueError(f"`output` must be 3-D (batch, max_length, num_classes). Received: shape={tuple(logits.shape)}")
    dt = d.result_of(logits.dtype, torch.float32)
    labels = d.tensor(target, device=logits.device).to(torch.int64)
    if labels.ndim != 2:
        raise ValueError(f"`target` must be 2-D (batch, max_label_length). Received: shape={tuple(labels.shape)}")
    log_probs = torch.log_softmax(logits.to(dt), dim=-1).transpose(0, 1)
    return F.ctc_loss(log_probs, labels, d.tensor(output_length, device=logits.device).to(torch.int64),
                      d.tensor(target_length, device=logits.device).to(torch.int64), blank=int(mask_index),
                      reduction="none", zero_infinity=False)


def _greedy(x: Tensor, lengths: Tensor, merge_repeated: bool, blank: int) -> tuple[Tensor, Tensor]:
    batch, steps, _ = x.shape
    best = torch.argmax(x, dim=-1).to(torch.int32)
    scores = torch.amax(x, dim=-1)
    beyond = torch.arange(steps, device=x.device)[None, :] >= lengths[:, None]
    best = torch.where(beyond, torch.full_like(best, blank), best)
    scores = torch.where(beyond, torch.zeros_like(scores), scores)
    if merge_repeated:
        repeat = F.pad(best[:, 1:] == best[:, :-1], (1, 0))
        best = torch.where(repeat, torch.full_like(best, blank), best)
    dropped = best == blank
    # Keep the surviving labels in order, then pad with -1.
    order = torch.where(dropped, steps, torch.arange(steps, device=x.device)[None, :].expand(batch, -1))
    order = torch.argsort(order, dim=-1, stable=True)
    paths = torch.take_along_dim(torch.where(dropped, -1, best), order, dim=-1)
    return paths.unsqueeze(0), -torch.sum(scores, dim=1, keepdim=True)


def _logaddexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def _beam_one(log_probs: list[list[float]], blank: int, beam_width: int) -> list[tuple[tuple[int, ...], float]]:
    """Prefix beam search over one sequence of log-probabilities; best prefixes first."""
    neg = -math.inf
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, neg]}  # prefix -> [log p(blank end), log p(label end)]
    for row in log_probs:
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = _logaddexp(pb, pnb)
            for c, p in enumerate(row):
                if c == blank:
                    e = nxt.setdefault(prefix, [neg, neg])
                    e[0] = _logaddexp(e[0], total + p)
                    continue
                ext = prefix + (c,)
                e = nxt.setdefault(ext, [neg, neg])
                if prefix and prefix[-1] == c:
                    e[1] = _logaddexp(e[1], pb + p)
                    same = nxt.setdefault(prefix, [neg, neg])
                    same[1] = _logaddexp(same[1], pnb + p)
                else:
                    e[1] = _logaddexp(e[1], total + p)
        ranked = sorted(nxt.items(), key=lambda kv: _logaddexp(*kv[1]), reverse=True)
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda kv: _logaddexp(*kv[1]), reverse=True)
    return [(prefix, _logaddexp(*ps)) for prefix, ps in ranked]


def _beam_search(x: Tensor, lengths: Tensor, beam_width: int, top_paths: int, blank: int) -> tuple[Tensor, Tensor]:
    batch, steps, _ = x.shape
    log_probs = torch.log_softmax(x.double(), dim=-1).cpu()
    paths = torch.full((top_paths, batch, steps), -1, dtype=torch.int32)
    scores = torch.full((batch, top_paths), -math.inf, dtype=x.dtype)
    for b in range(batch):
        ranked = _beam_one(log_probs[b, : int(lengths[b])].tolist(), blank, beam_width)
        for k, (prefix, score) in enumerate(ranked[:top_paths]):
            if prefix:
                paths[k, b, : len(prefix)] = torch.tensor(prefix, dtype=torch.int32)
            scores[b, k] = score
    return paths.to(x.device), scores.to(x.device)


def _ctc_decode_rule(inputs: Any, sequence_lengths: Any, strategy: str = "greedy", beam_width: int = 100,
                     top_paths: int = 1, merge_repeated: bool = True, mask_index: int = 0) -> Any:
    b, t = d.shape_of(inputs)[:2]
    paths = 1 if strategy == "greedy" else top_paths
    return d.spec((paths, b, t), "int32"), d.spec((b, paths), d.float_of(d.dtypes.to_torch(inputs.dtype)))


@d.op(rule=_ctc_decode_rule)
def ctc_decode(inputs: Any, sequence_lengths: Any, strategy: str = "greedy", beam_width: int = 100, top_paths: int = 1,
               merge_repeated: bool = True, mask_index: int = 0) -> tuple[Tensor, Tensor]:
    """Decode CTC outputs into label sequences.

    Args:
        inputs: ``(batch, max_length, num_classes)`` logits.
        sequence_lengths: ``(batch,)`` lengths.
        strategy: "greedy" or "beam_search".
        beam_width: Beams kept per step ("beam_search").
        top_paths: Number of paths returned ("beam_search").
        merge_repeated: Merge repeated labels ("greedy").
        mask_index: Index of the blank class.

    Returns:
        ``(paths, scores)``: ``(top_paths, batch, max_length)`` int32 labels padded with -1, and
        ``(batch, top_paths)`` scores (greedy: minus the sum of the best logits; beam search:
        path log-probabilities).

    Raises:
        ValueError: for an unknown strategy.

    Example:

    >>> probs = ops.array([[[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]])
    >>> decoded, scores = ops.ctc_decode(probs, ops.array([4]))
    >>> decoded
    tensor([[[ 1,  2, -1, -1]]], dtype=torch.int32)
    """
    x = d.tensor(inputs)
    x = x.to(d.result_of(x.dtype, torch.float32))
    lengths = d.tensor(sequence_lengths, device=x.device).to(torch.int64)
    blank = int(mask_index) % x.shape[-1] if mask_index is not None else x.shape[-1] - 1
    if strategy == "greedy":
        return _greedy(x, lengths, merge_repeated, blank)
    if strategy == "beam_search":
        return _beam_search(x, lengths, int(beam_width), int(top_paths), blank)
    raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and 'beam_search'.")
