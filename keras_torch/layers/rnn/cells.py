"""Recurrent cells: SimpleRNNCell, LSTMCell and GRUCell.

Weights are stored in the torch ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` layout
(``weight_ih`` (G*u, in), ``weight_hh`` (G*u, u), ``bias_ih``, ``bias_hh``), so a cell's
``state_dict`` loads into the torch cell. Keras layouts (``kernel`` (in, G*u), ``recurrent_kernel``
(u, G*u), ``bias``) appear only in ``get_weights``/``set_weights``:

* LSTM gate blocks are i, f, c, o in both; SimpleRNN/LSTM have a single Keras bias, so torch's
  ``bias_hh`` is a zero buffer outside the Keras weights (added into ``bias`` if a torch
  state_dict made it non-zero).
* GRU: Keras z, r, h blocks are stored in torch order r, z, n. With ``reset_after=True`` the Keras
  bias ``(2, 3u)`` is torch's ``bias_ih`` (row 0) and ``bias_hh`` (row 1); ``reset_after=False``
  (no torch equivalent) keeps one ``bias_ih`` ``(3u,)``.

Besides the Keras per-step ``call``, each cell has ``_sequence`` which runs a whole sequence with
the fused torch kernels or a tight loop (see ``_ops``); ``RNN`` uses it for the built-in cells.
The recurrence itself (one time step) is written once per cell kind in ``_steps``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core import tree
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.layers._args import check_float, check_positive_int, register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.rnn import _lstm_loop, _ops, _steps

Tensor = torch.Tensor


def _transpose(t: Tensor) -> Tensor:
    return t.t()


def _swap_first_two(t: Tensor, dim: int) -> Tensor:
    """Swap the first two of three equal gate blocks along ``dim`` (Keras z,r,h <-> torch r,z,n)."""
    a, b, c = t.chunk(3, dim)
    return torch.cat([b, a, c], dim)


def _gru_kernel_to_torch(k: Tensor) -> Tensor:
    return _swap_first_two(k, 1).t()


def _gru_kernel_to_keras(w: Tensor) -> Tensor:
    return _swap_first_two(w.t(), 1)


def _gru_bias(b: Tensor) -> Tensor:
    return _swap_first_two(b, 0)


class _Cell(Layer):
    """Shared constructor arguments, dropout masks and weight plumbing of the built-in cells.

    A concrete built-in cell class marks itself with ``_runs_sequences = True`` in its body: ``RNN``
    then runs whole sequences through ``_sequence`` for it (and for subclasses that keep its
    ``call`` and ``_loop_step``), instead of calling the cell step by step.
    """

    _gates = 1
    _fused_kind: str | None = None

    def __init__(
        self,
        units: int,
        activation: Any,
        recurrent_activation: Any,
        use_bias: bool,
        kernel_initializer: Any,
        recurrent_initializer: Any,
        bias_initializer: Any,
        kernel_regularizer: Any,
        recurrent_regularizer: Any,
        bias_regularizer: Any,
        kernel_constraint: Any,
        recurrent_constraint: Any,
        bias_constraint: Any,
        dropout: float,
        recurrent_dropout: float,
        seed: int | None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("implementation", None)  # Keras 2 / Keras 3 internal switch, no effect here
        super().__init__(**kwargs)
        self.units = check_positive_int(self.name, "units", units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        # Keras clamps the rates into [0, 1] (NaN counts as 0) rather than refusing them
        self.dropout = min(1.0, max(0.0, check_float(self.name, "dropout", dropout, allow_nan=True)))
        self.recurrent_dropout = min(1.0, max(0.0, check_float(self.name, "recurrent_dropout", recurrent_dropout,
                                                               allow_nan=True)))
        self.seed = seed
        self._generators: dict[torch.device, torch.Generator] = {}
        self._dropout_mask: Tensor | None = None
        self._recurrent_dropout_mask: Tensor | None = None
        self.output_size = self.units

    # ------------------------------------------------------------------ weights
    def _add_kernels(self, in_dim: int, to_torch: Any, to_keras: Any) -> None:
        g, u = self._gates, self.units
        self.weight_ih = self.add_weight(
            name="kernel", shape=(in_dim, g * u), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            attr="weight_ih", to_torch=to_torch, to_keras=to_keras,
        )
        self.weight_hh = self.add_weight(
            name="recurrent_kernel", shape=(u, g * u), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
            attr="weight_hh", to_torch=to_torch, to_keras=to_keras,
        )

    def _add_single_bias(self, initializer: Any) -> None:
        """Keras bias -> ``bias_ih``; torch's ``bias_hh`` is a zero buffer outside the Keras weights."""
        n = self._gates * self.units
        self.bias_ih = self.add_weight(
            name="bias", shape=(n,), initializer=initializer, regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, attr="bias_ih",
        )
        self.register_buffer("bias_hh", torch.zeros(n, dtype=self.bias_ih.dtype))

    def keras_weights(self) -> list[Tensor]:
        ws = super().keras_weights()
        hh = self._buffers.get("bias_hh")
        if hh is not None and len(ws) == 3:
            ws[2] = ws[2] + hh
        return ws

    def load_keras_weights(self, arrays: Sequence[Any]) -> None:
        super().load_keras_weights(arrays)
        hh = self._buffers.get("bias_hh")
        if hh is not None:
            hh.zero_()

    def _torch_params(self, dtype: torch.dtype) -> list[Tensor]:
        params = [self.weight_ih, self.weight_hh]
        if self.use_bias:
            params += [self.bias_ih, self.bias_hh]
        if params[0].dtype != dtype:
            params = [p.to(dtype) for p in params]
        return params

    @property
    def kernel(self) -> Tensor:
        """Input kernel in Keras layout ``(in, G*units)``."""
        return self.keras_weights()[0]

    @property
    def recurrent_kernel(self) -> Tensor:
        """Recurrent kernel in Keras layout ``(units, G*units)``."""
        return self.keras_weights()[1]

    @property
    def bias(self) -> Tensor | None:
        """Bias in Keras layout (``None`` without bias)."""
        if not self.use_bias or not self.built:
            return None
        return self.keras_weights()[2]

    # ------------------------------------------------------------------ dropout (Keras DropoutRNNCell)
    def _generator(self, device: torch.device) -> torch.Generator | None:
        if self.seed is None:
            return None
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(int(self.seed))
        return self._generators[device]

    def _masks(self, ref: Tensor, rate: float, count: int | None) -> Tensor:
        return _ops.dropout_masks(ref, rate, count, self._generator(ref.device))

    def _per_gate(self) -> int | None:
        # Keras switches to per-gate masks (implementation 1) when recurrent dropout is set.
        return self._gates if (self._gates > 1 and self.recurrent_dropout > 0) else None

    def get_dropout_mask(self, step_input: Tensor) -> Tensor | None:
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._masks(step_input, self.dropout, self._per_gate())
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input: Tensor) -> Tensor | None:
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._masks(step_input, self.recurrent_dropout, self._per_gate())
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    def _step_masks(self, inputs: Tensor, h: Tensor, training: bool) -> tuple[Tensor | None, Tensor | None]:
        dp = self.get_dropout_mask(inputs) if training and 0.0 < self.dropout < 1.0 else None
        rdp = self.get_recurrent_dropout_mask(h) if training and 0.0 < self.recurrent_dropout < 1.0 else None
        return dp, rdp

    # ------------------------------------------------------------------ states
    def get_initial_state(self, batch_size: int | None = None) -> list[Tensor]:
        ref = self.weight_ih if self.built else None
        kw = {"dtype": ref.dtype, "device": ref.device} if ref is not None else {}
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [torch.zeros((batch_size, d), **kw) for d in sizes]

    def _input_projection(self, x: Tensor, params: list[Tensor], dp: Tensor | None) -> Tensor:
        """All-timestep input projection ``x @ W^T + b_ih`` (+ ``b_hh`` where it is additive)."""
        bias = None
        if self.use_bias:
            bias = params[2] if not self._bias_hh_additive() else params[2] + params[3]
        if dp is not None and dp.dim() == 2:
            x = x * dp.unsqueeze(1)
            dp = None
        return _ops.gate_projection(x, params[0], bias, dp)

    def _bias_hh_additive(self) -> bool:
        return True

    def call(self, inputs: Tensor, states: Any, training: bool = False) -> tuple[Tensor, Any]:
        """One step: ``(output, new_states)``; states keep the list/tensor form they came in."""
        nested = tree.is_nested(states)
        st = list(states) if nested else [states]
        dp, rdp = self._step_masks(inputs, st[0], training)
        params = self._torch_params(inputs.dtype)
        xp = self._input_projection(inputs.unsqueeze(1), params, dp)[:, 0]
        out, new = self._loop_step(params, rdp)(xp, st)
        return out, (new if nested or len(new) > 1 else new[0])

    def _sequence(
        self, x: Tensor, states: list[Tensor], mask: Tensor | None, training: bool,
        return_sequences: bool, zero_output: bool,
    ) -> tuple[Tensor | None, Tensor, list[Tensor]]:
        """Run the cell over ``x`` (B, T, in); returns (sequence or None, last output, states)."""
        if CALL_CONTEXT.export_mode is not None and not training and (mask is not None or self._fused_kind_for() is None):
            # Traced for export: unmasked standard activations keep torch's fused kernel (ONNX
            # LSTM/GRU/RNN ops, dynamic over time); everything else runs this cell's own step.
            return self._export_sequence(x, states, mask, return_sequences, zero_output)
        params = self._torch_params(x.dtype)
        dp = self._masks(x[:, 0], self.dropout, self._per_gate()) if training and 0 < self.dropout < 1 else None
        rdp = None
        if training and 0 < self.recurrent_dropout < 1:
            rdp = self._masks(states[0], self.recurrent_dropout, self._per_gate())
        kind = self._fused_kind_for() if rdp is None else None
        if kind is not None:
            xin = x * dp.unsqueeze(1) if dp is not None else x
            res = _ops.fused_sequence(kind, xin, states, params, self.use_bias, mask, zero_output, return_sequences)
            if res is not None:
                return res
        xp = self._input_projection(x, params, dp)
        if rdp is None and mask is None:
            res = self._custom_sequence(xp, states, params, return_sequences)
            if res is not None:
                return res
        step = self._loop_step(params, rdp)
        return _ops.run_loop(step, xp, list(states), mask, zero_output, return_sequences)

    def _export_sequence(
        self, x: Tensor, states: list[Tensor], mask: Tensor | None, return_sequences: bool, zero_output: bool,
    ) -> tuple[Tensor | None, Tensor, list[Tensor]]:
        """``_sequence`` (inference) while a model is traced for export.

        ONNX: the scripted loop of this cell's step (``_steps.scripted_loop``), which the exporter
        turns into a ``Loop`` over the dynamic time axis. ``torch.export``, or an activation
        TorchScript cannot compile: the Python loop (unrolled by the trace). Never the masked fused
        path, whose choice reads the mask's values on the host (``mask.cpu()``, ``torch.equal``).
        """
        params = self._torch_params(x.dtype)
        xp = self._input_projection(x, params, None)
        if CALL_CONTEXT.export_mode == "onnx":
            kind = self._step_kind()
            act, ract = self._step_activations()
            loop = _steps.scripted_loop(kind, act, ract, mask is not None, zero_output, return_sequences)
            if loop is not None:
                w1, w2, b = _steps.step_weights(kind, params[1], self._recurrent_bias(params))
                h = states[0]
                two = kind in _steps.TWO_STATES
                c = states[1] if two else h
                # (the mask argument is unused when unmasked)
                m = _ops.time_major_mask(mask, xp.dim() - 1) if mask is not None else xp[:1, :1, :1] > 0
                seq, last, h, c = loop(xp.transpose(0, 1), m, h, c, w1, w2, b)
                return (seq if return_sequences else None), last, ([h, c] if two else [h])
        return _ops.run_loop(self._loop_step(params, None), xp, list(states), mask, zero_output, return_sequences)

    def _fused_kind_for(self) -> str | None:
        raise NotImplementedError

    def _step_kind(self) -> str:
        """This cell's recurrence in ``_steps`` (``lstm``, ``gru_after``, ``gru_before``, ``simple``, ``conv_lstm``)."""
        raise NotImplementedError

    def _step_activations(self) -> tuple[Any, Any]:
        """(activation, recurrent activation) as plain torch functions (Keras bookkeeping skipped per step)."""
        return _ops.raw(self.activation), _ops.raw(self.recurrent_activation)

    def _recurrent_bias(self, params: list[Tensor]) -> Tensor | None:
        """The bias applied to the recurrent projection, where it is not additive (GRU reset_after)."""
        return None

    def _loop_step(self, params: list[Tensor], rdp: Tensor | None) -> _ops.StepFn:
        """One time step ``(xp_t, states) -> (output, new states)`` from ``_steps`` (``rdp``: recurrent dropout)."""
        kind = self._step_kind()
        step = _steps.specialize(kind, *self._step_activations(), rdp is not None)
        w1, w2, b = _steps.step_weights(kind, params[1], self._recurrent_bias(params))
        if kind in _steps.TWO_STATES:

            def lstm_step(xp_t: Tensor, states: list) -> tuple[Tensor, list]:
                h, c = step(xp_t, states[0], states[1], w1, w2, b, rdp)
                return h, [h, c]

            return lstm_step

        def one_state_step(xp_t: Tensor, states: list) -> tuple[Tensor, list]:
            h, _ = step(xp_t, states[0], states[0], w1, w2, b, rdp)
            return h, [h]

        return one_state_step

    def _custom_sequence(
        self, xp: Tensor, states: list[Tensor], params: list[Tensor], return_sequences: bool
    ) -> tuple[Tensor | None, Tensor, list[Tensor]] | None:
        """A hand-differentiated time loop for activations torch has no fused kernel for (or None)."""
        return None

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch = input_shape[0]
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return (batch, self.units), [(batch, d) for d in sizes]

    def _common_config(self) -> dict[str, Any]:
        return {
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


@register_layer()
class SimpleRNNCell(_Cell):
    """Cell of a fully-connected RNN: ``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``.

    Stored like ``torch.nn.RNNCell`` (``weight_ih``, ``weight_hh``, ``bias_ih``, zero ``bias_hh``).

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation (default ``tanh``; ``None`` means linear).
        use_bias: Whether to use a bias vector.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        recurrent_initializer: Initializer of the recurrent kernel (default ``"orthogonal"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel.
        recurrent_regularizer: Optional regularizer of the recurrent kernel.
        bias_regularizer: Optional regularizer of the bias.
        kernel_constraint: Optional constraint of the kernel (applied after each optimizer step).
        recurrent_constraint: Optional constraint of the recurrent kernel.
        bias_constraint: Optional constraint of the bias.
        dropout: Fraction of the inputs to drop (training only).
        recurrent_dropout: Fraction of the recurrent state to drop (training only).
        seed: Seed for the dropout masks.

    Input shape:
        ``inputs`` ``(batch, features)`` and ``states`` ``[(batch, units)]``.

    Output shape:
        ``(output (batch, units), [new_state])``.

    Example:

    >>> layer = keras.layers.RNN(keras.layers.SimpleRNNCell(16))
    >>> layer(np.random.rand(4, 10, 8).astype("float32")).shape
    torch.Size([4, 16])
    """

    _gates = 1
    _runs_sequences = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units, activation, None, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
            kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed, **kwargs,
        )
        self.state_size = self.units

    def build(self, input_shape: Any) -> None:
        self._add_kernels(input_shape[-1], _transpose, _transpose)
        if self.use_bias:
            self._add_single_bias(self.bias_initializer)

    def _fused_kind_for(self) -> str | None:
        if _ops.is_tanh(self.activation):
            return "rnn_tanh"
        if _ops.is_relu(self.activation):
            return "rnn_relu"
        return None

    def _step_kind(self) -> str:
        return "simple"

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._common_config(),
            "seed": self.seed,
        }


@register_layer()
class LSTMCell(_Cell):
    """Cell of an LSTM (Hochreiter 1997), stored like ``torch.nn.LSTMCell``.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Cell/output activation (default ``tanh``).
        recurrent_activation: Gate activation (default ``sigmoid``; ``hard_sigmoid`` is Keras 3's
            ``relu6(x + 3) / 6``).
        use_bias: Whether to use a bias vector.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        recurrent_initializer: Initializer of the recurrent kernel (default ``"orthogonal"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        unit_forget_bias: Initialise the forget-gate bias to one (default ``True``).
        kernel_regularizer: Optional regularizer of the kernel.
        recurrent_regularizer: Optional regularizer of the recurrent kernel.
        bias_regularizer: Optional regularizer of the bias.
        kernel_constraint: Optional constraint of the kernel (applied after each optimizer step).
        recurrent_constraint: Optional constraint of the recurrent kernel.
        bias_constraint: Optional constraint of the bias.
        dropout: Fraction of the inputs to drop (training only).
        recurrent_dropout: Fraction of the recurrent state to drop (training only).
        seed: Seed for the dropout masks.

    Input shape:
        ``inputs`` ``(batch, features)`` and ``states`` ``[h (batch, units), c (batch, units)]``.

    Output shape:
        ``(h, [h, c])``.

    Example:

    >>> layer = keras.layers.RNN(keras.layers.LSTMCell(16))
    >>> layer(np.random.rand(4, 10, 8).astype("float32")).shape
    torch.Size([4, 16])
    """

    _gates = 4
    _runs_sequences = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed, **kwargs,
        )
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape: Any) -> None:
        self._add_kernels(input_shape[-1], _transpose, _transpose)
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                # None means add_weight's default for a float weight, whichever way the bias is built
                base, u = self.bias_initializer or initializers.get("glorot_uniform"), self.units

                def init(shape: Any, dtype: Any = None) -> Tensor:  # noqa: ARG001 - Keras signature
                    parts = [base((u,), dtype=dtype), initializers.get("ones")((u,), dtype=dtype),
                             base((2 * u,), dtype=dtype)]
                    return torch.cat([torch.as_tensor(np.asarray(p) if not torch.is_tensor(p) else p)
                                      for p in parts])

            self._add_single_bias(init)

    def _fused_kind_for(self) -> str | None:
        ok = _ops.is_tanh(self.activation) and _ops.is_sigmoid(self.recurrent_activation)
        return "lstm" if ok else None

    def _custom_sequence(
        self, xp: Tensor, states: list[Tensor], params: list[Tensor], return_sequences: bool
    ) -> tuple[Tensor | None, Tensor, list[Tensor]] | None:
        if not (_ops.is_relu(self.activation) and _ops.is_sigmoid(self.recurrent_activation)):
            return None
        if not torch.is_grad_enabled() or xp.dtype not in (torch.float32, torch.float64):
            return None  # inference: the plain loop records nothing anyway
        if torch.jit.is_tracing() or torch.jit.is_scripting() or torch.compiler.is_compiling():
            return None
        if _lstm_loop.autocast_enabled(xp.device.type):
            return None  # mixed precision: the generic loop follows autocast op by op
        return _lstm_loop.lstm_sequence(xp, states[0], states[1], params[1], return_sequences)

    def _step_kind(self) -> str:
        return "lstm"

    def get_config(self) -> dict[str, Any]:
        cfg = self._common_config()
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            **cfg,
            "seed": self.seed,
        }


@register_layer()
class GRUCell(_Cell):
    """Cell of a GRU (Cho et al. 2014), stored like ``torch.nn.GRUCell`` (gate order r, z, n).

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Candidate activation (default ``tanh``).
        recurrent_activation: Gate activation (default ``sigmoid``).
        use_bias: Whether to use a bias vector.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        recurrent_initializer: Initializer of the recurrent kernel (default ``"orthogonal"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel.
        recurrent_regularizer: Optional regularizer of the recurrent kernel.
        bias_regularizer: Optional regularizer of the bias.
        kernel_constraint: Optional constraint of the kernel (applied after each optimizer step).
        recurrent_constraint: Optional constraint of the recurrent kernel.
        bias_constraint: Optional constraint of the bias.
        dropout: Fraction of the inputs to drop (training only).
        recurrent_dropout: Fraction of the recurrent state to drop (training only).
        reset_after: Apply the reset gate after the recurrent matmul (Keras 3 / cuDNN / torch
            convention, default ``True``); ``False`` is the Keras 1/2 "reset before" variant.
        seed: Seed for the dropout masks.

    Input shape:
        ``inputs`` ``(batch, features)`` and ``states`` ``[(batch, units)]``.

    Output shape:
        ``(h, [h])``.

    Example:

    >>> layer = keras.layers.RNN(keras.layers.GRUCell(16))
    >>> layer(np.random.rand(4, 10, 8).astype("float32")).shape
    torch.Size([4, 16])
    """

    _gates = 3
    _runs_sequences = True

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed, **kwargs,
        )
        self.reset_after = bool(reset_after)
        self.state_size = self.units

    def build(self, input_shape: Any) -> None:
        self._add_kernels(input_shape[-1], _gru_kernel_to_torch, _gru_kernel_to_keras)
        if not self.use_bias:
            return
        n = 3 * self.units
        if not self.reset_after:
            self.bias_ih = self.add_weight(
                name="bias", shape=(n,), initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint, attr="bias_ih", to_torch=_gru_bias, to_keras=_gru_bias,
            )
            return
        # Keras bias (2, 3u) = torch (bias_ih, bias_hh): two records, one Keras weight.
        init = initializers.get(self.bias_initializer or "glorot_uniform")  # None: add_weight's default
        full = torch.as_tensor(init((2, n), dtype=self.variable_dtype))
        for row, attr in enumerate(("bias_ih", "bias_hh")):
            self.add_weight(
                name="bias" if row == 0 else "bias_hh", shape=(n,), initializer=_Fixed(full[row]),
                attr=attr, to_torch=_gru_bias, to_keras=_gru_bias,
            )
        if self.bias_constraint is not None:
            for row, attr in enumerate(("bias_ih", "bias_hh")):
                getattr(self, attr).__dict__["constraint"] = self._row_constraint(row)

    def _keras_bias(self) -> Tensor:
        return torch.stack([_gru_bias(self.bias_ih), _gru_bias(self.bias_hh)])

    def _row_constraint(self, row: int) -> Any:
        constraint = self.bias_constraint

        def apply(t: Tensor) -> Tensor:
            full = self._keras_bias()
            full = torch.stack([_gru_bias(t) if r == row else full[r] for r in range(2)])
            return _gru_bias(torch.as_tensor(constraint(full))[row])

        return apply

    def _merged_bias(self) -> bool:
        """Keras bias (2, 3u) = torch (bias_ih, bias_hh): two records, one Keras weight."""
        return bool(self.use_bias and self.reset_after and self.built)

    def keras_weight_names(self) -> list[str]:
        names = super().keras_weight_names()
        return names[:3] if self._merged_bias() else names

    def keras_weights(self) -> list[Tensor]:
        ws = super().keras_weights()
        if self._merged_bias():
            ws = ws[:2] + [torch.stack(ws[2:4])]
        return ws

    def regularization_losses(self) -> list[Tensor]:
        losses = super().regularization_losses()
        if self._merged_bias() and self.bias_regularizer is not None:
            losses.append(self.bias_regularizer(self._keras_bias()))
        return losses

    def load_keras_weights(self, arrays: Sequence[Any]) -> None:
        arrays = list(arrays)
        if self.use_bias and self.reset_after and len(arrays) == 3:
            bias = torch.as_tensor(np.asarray(arrays[2]) if not torch.is_tensor(arrays[2]) else arrays[2])
            if tuple(bias.shape) != (2, 3 * self.units):
                raise ValueError(
                    f"Layer '{self.name}' weight 'bias' has shape {(2, 3 * self.units)}, "
                    f"but the provided value has shape {tuple(bias.shape)}."
                )
            arrays = arrays[:2] + [bias[0], bias[1]]
        elif self.use_bias and self.reset_after:
            raise ValueError(f"Layer '{self.name}' expected 3 weights (kernel, recurrent_kernel, bias), "
                             f"but received {len(arrays)}.")
        super().load_keras_weights(arrays)

    def _torch_params(self, dtype: torch.dtype) -> list[Tensor]:
        params = [self.weight_ih, self.weight_hh]
        if self.use_bias:
            params.append(self.bias_ih)
            if self.reset_after:
                params.append(self.bias_hh)
        if params[0].dtype != dtype:
            params = [p.to(dtype) for p in params]
        return params

    def _bias_hh_additive(self) -> bool:
        return False

    def _fused_kind_for(self) -> str | None:
        ok = self.reset_after and _ops.is_tanh(self.activation) and _ops.is_sigmoid(self.recurrent_activation)
        return "gru" if ok else None

    def _step_kind(self) -> str:
        return "gru_after" if self.reset_after else "gru_before"

    def _recurrent_bias(self, params: list[Tensor]) -> Tensor | None:
        return params[3] if (self.use_bias and self.reset_after) else None

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            **self._common_config(),
            "reset_after": self.reset_after,
            "seed": self.seed,
        }


class _Fixed:
    """Initializer returning a precomputed value (one row of a jointly initialised Keras weight)."""

    def __init__(self, value: Tensor) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        return self.value.clone()


__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell"]
