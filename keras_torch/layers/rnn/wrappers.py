"""Wrappers: ``Bidirectional`` (an RNN run both ways) and ``TimeDistributed`` (a layer per timestep)."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import _VF

from keras_torch.core import registry, tree
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.rnn import _ops
from keras_torch.layers.rnn.rnn_layers import GRU, LSTM
from keras_torch.layers.rnn.stacked import build_cell
from keras_torch.layers.wrapper import Wrapper

Tensor = torch.Tensor

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone_rnn(layer: Layer, **overrides: Any) -> Layer:
    """A fresh layer with ``layer``'s config (Keras serializes and deserializes the wrapped layer)."""
    config = layer.get_config()
    config.update(overrides)
    try:
        return type(layer).from_config(config)
    except (TypeError, ValueError):  # e.g. an RNN over an unregistered custom cell
        new = copy.deepcopy(layer)
        for k, v in overrides.items():
            setattr(new, k, v)
        return new


def _removeprefix(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


@register_layer()
class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards and merges the outputs.

    The wrapped layer is re-created from its config as ``forward_<name>`` and (unless
    ``backward_layer`` is given) ``backward_<name>`` with ``go_backwards=True``; weights are the
    forward layer's then the backward layer's. Two built-in LSTMs (or GRUs with
    ``reset_after=True``) with the standard activations and no mask run as one bidirectional torch
    kernel.

    Args:
        layer: A recurrent layer instance (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN``...).
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or ``None`` (a list
            of both outputs).
        weights: Optional initial weights (forward layer's then backward layer's).
        backward_layer: Optional recurrent layer for the backward direction (must have
            ``go_backwards=True`` and the same ``return_sequences``/``return_state``/``stateful``).

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        The wrapped layer's output with the last axis doubled for ``"concat"``; with
        ``return_state`` followed by the forward then backward states.

    Example:

    >>> layer = keras.layers.Bidirectional(keras.layers.LSTM(16, return_sequences=True))
    >>> layer(np.random.rand(4, 10, 8).astype("float32")).shape
    torch.Size([4, 10, 32])
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights: list[Any] | None = None,
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        super().__init__(weights=weights, **kwargs)
        self.forward_layer = _clone_rnn(layer, name=f"forward_{_removeprefix(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _clone_rnn(
                layer, go_backwards=True, name=f"backward_{_removeprefix(layer.name, 'backward_')}"
            )
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self) -> None:
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. Received: "
                f"forward_layer.go_backwards {fwd.go_backwards}, backward_layer.go_backwards={bwd.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(fwd, attr), getattr(bwd, attr)
            if a != b:
                raise ValueError(f'Forward layer and backward layer are expected to have the same value for attribute '
                                 f'"{attr}", got "{a}" for forward layer and "{b}" for backward layer')

    def _move_own_state(self, device: torch.device) -> None:
        self.to(device)

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                build_cell(sub, sequences_shape)

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        out = self.forward_layer.compute_output_shape(sequences_shape)
        states: tuple = ()
        if self.return_state:
            out, states = out[0], tuple(out[1:])
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (out[-1] * 2 if out[-1] is not None else None,)
        elif self.merge_mode is None:
            out = (tuple(out), tuple(out))
        if self.return_state:
            if self.merge_mode is None:
                return out + states + states
            return (tuple(out),) + states + states
        return out if self.merge_mode is None else tuple(out)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            out = [mask, mask] if not self.merge_mode else [mask]
        else:
            out = [None, None] if not self.merge_mode else [None]
        if self.return_state:
            n_states = len(tree.flatten(self.forward_layer.state_size)) * 2
            return out + [None] * n_states
        return out if len(out) > 1 else out[0]

    @property
    def states(self) -> tuple | None:
        fwd, bwd = getattr(self.forward_layer, "states", None), getattr(self.backward_layer, "states", None)
        if fwd and bwd:
            return tuple(fwd) + tuple(bwd)
        return None

    def reset_state(self) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self) -> None:
        self.reset_state()

    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if initial_state is not None and not tree.is_nested(initial_state):
            initial_state = [initial_state]
        fused = self._fused(sequences, initial_state, mask, training)
        if fused is not None:
            return fused
        fwd_state = bwd_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fwd_state, bwd_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=fwd_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, mask=mask, training=training)
        states: tuple = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        return self._merge(y, y_rev, states)

    def _merge(self, y: Tensor, y_rev: Tensor, states: tuple) -> Any:
        mode = self.merge_mode
        if mode == "concat":
            out: Any = torch.cat([y, y_rev], -1)
        elif mode == "sum":
            out = y + y_rev
        elif mode == "ave":
            out = (y + y_rev) / 2
        elif mode == "mul":
            out = y * y_rev
        else:
            out = (y, y_rev)
        if self.return_state:
            return (*out, *states) if mode is None else (out, *states)
        return out

    def _fused(self, x: Tensor, initial_state: Any, mask: Any, training: bool | None) -> Any:
        """Both directions in one torch bidirectional kernel, when the two layers allow it."""
        fwd, bwd = self.forward_layer, self.backward_layer
        if mask is not None or self.stateful or type(fwd) is not type(bwd) or type(fwd) not in (LSTM, GRU):
            return None
        if fwd.go_backwards or not bwd.go_backwards or not (fwd.built and bwd.built):
            return None
        fc, bc = fwd.cell, bwd.cell
        kind = fc._fused_kind_for()
        if kind is None or bc._fused_kind_for() != kind or fc.units != bc.units or fc.use_bias != bc.use_bias:
            return None
        if training and (fc.dropout or fc.recurrent_dropout or bc.dropout or bc.recurrent_dropout):
            return None
        n_states = 2 if kind == "lstm" else 1
        if initial_state is not None and len(tree.flatten(initial_state)) != 2 * n_states:
            return None
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
        if initial_state is None:
            zeros = torch.zeros((2, x.shape[0], fc.units), dtype=x.dtype, device=x.device)
            hx = [zeros] * n_states
        else:
            flat = [torch.as_tensor(s).to(device=x.device, dtype=x.dtype) for s in tree.flatten(initial_state)]
            hx = [torch.stack([flat[i], flat[n_states + i]]) for i in range(n_states)]
        params = fc._torch_params(x.dtype) + bc._torch_params(x.dtype)
        h0 = tuple(hx) if kind == "lstm" else hx[0]
        res = getattr(_VF, kind)(x, h0, params, fc.use_bias, 1, 0.0, _ops._train_flag(), True, True)
        out, finals = res[0], res[1:]
        units = fc.units
        if self.return_sequences:
            if self.merge_mode == "concat" and not self.return_state:
                return out
            y, y_rev = out[..., :units], out[..., units:]
        else:
            y, y_rev = finals[0][0], finals[0][1]
        states = tuple(f[0] for f in finals) + tuple(f[1] for f in finals)
        return self._merge(y, y_rev, states)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": registry.serialize_keras_object(self.forward_layer, "layers"),
            "backward_layer": registry.serialize_keras_object(self.backward_layer, "layers"),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Bidirectional:
        config = copy.deepcopy(config)
        config["layer"] = registry.deserialize_keras_object(config["layer"], "layers", custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = registry.deserialize_keras_object(backward, "layers", custom_objects)
        return cls(**config)


# Layers whose training-mode output depends on the whole batch: applied step by step, like Keras.
_BATCH_DEPENDENT = ("BatchNormalization", "SyncBatchNormalization")


@register_layer()
class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice of the input (axis 1).

    The batch and time axes are folded into one (``(batch*timesteps, ...)``) and the inner layer is
    called once, which equals Keras's per-step application for layers that treat samples
    independently (all but batch normalization in training, which runs step by step).

    Args:
        layer: The layer to apply (``Dense``, ``Conv2D``, ``Flatten``, a model...).

    Input shape:
        ``(batch, timesteps, ...)`` where ``...`` is the inner layer's input shape.

    Output shape:
        ``(batch, timesteps, ...)`` where ``...`` is the inner layer's output shape.

    Example:

    >>> layer = keras.layers.TimeDistributed(keras.layers.Dense(8))
    >>> layer(np.random.rand(4, 10, 3).astype("float32")).shape
    torch.Size([4, 10, 8])
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def _move_own_state(self, device: torch.device) -> None:
        self.to(device)

    def build(self, input_shape: Any) -> None:
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            build_cell(self.layer, child)

    def compute_output_shape(self, input_shape: Any) -> Any:
        child = self.layer.compute_output_shape(self._child_shape(tuple(input_shape)))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs: Tensor, training: bool | None = None, mask: Any = None) -> Any:
        batch, steps = inputs.shape[0], inputs.shape[1]
        if mask is not None:
            mask = tree.flatten(mask)[0]
            if mask.dim() < 2 or tuple(mask.shape[:2]) != (batch, steps):
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape {tuple(mask.shape)} "
                                 f"that is incompatible with the input shape {tuple(inputs.shape)}.")
        if training and type(self.layer).__name__ in _BATCH_DEPENDENT:
            outs = [self.layer(inputs[:, t], training=training,
                               **({"mask": mask[:, t]} if mask is not None else {})) for t in range(steps)]
            return _stack_steps(outs)
        folded = inputs.reshape(batch * steps, *inputs.shape[2:])
        kw: dict[str, Any] = {"training": training}
        if mask is not None:
            kw["mask"] = mask.reshape(batch * steps, *mask.shape[2:])
        out = self.layer(folded, **kw)
        return tree.map_structure(lambda t: t.reshape(batch, steps, *t.shape[1:]), out)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": registry.serialize_keras_object(self.layer, "layers")}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> TimeDistributed:
        config = dict(config)
        layer = registry.deserialize_keras_object(config.pop("layer"), "layers", custom_objects)
        return cls(layer, **config)


def _stack_steps(outs: list[Any]) -> Any:
    if isinstance(outs[0], torch.Tensor):
        return torch.stack(outs, 1)
    flat = [tree.flatten(o) for o in outs]
    return tree.pack_like(outs[0], [torch.stack(list(parts), 1) for parts in zip(*flat)])


__all__ = ["Bidirectional", "TimeDistributed"]
