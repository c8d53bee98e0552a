"""``RNN`` (any cell) and the built-in SimpleRNN, LSTM and GRU layers.

Where the weights live: in the cell (``layer.cell``, as in Keras, so ``get_weights`` order and
the Keras weight paths are ``<layer>/<cell>/kernel, recurrent_kernel, bias``). For SimpleRNN, LSTM
and GRU the cell is *not* a registered torch sub-module; the layer registers the cell's tensors
under the ``torch.nn.RNN/LSTM/GRU`` names instead (``weight_ih_l0``, ``weight_hh_l0``,
``bias_ih_l0``, ``bias_hh_l0``), so ``layer.state_dict()`` loads into
``torch.nn.LSTM(in, units, batch_first=True)`` (GRU: ``torch.nn.GRU`` when ``reset_after=True``;
SimpleRNN: ``torch.nn.RNN``). A generic ``RNN(cell)`` keeps the cell registered as ``cell``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from keras_torch import regularizers
from keras_torch.core import registry, tree
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer, _call_signature
from keras_torch.layers.input_spec import InputSpec
from keras_torch.layers.rnn import _ops
from keras_torch.layers.rnn.cells import GRUCell, LSTMCell, SimpleRNNCell, _Cell
from keras_torch.layers.rnn.stacked import StackedRNNCells, build_cell

Tensor = torch.Tensor


def _first_shape(shape: Any) -> tuple:
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return tuple(shape[0])
    return tuple(shape)


def _fast_cells(cell: Any) -> list[_Cell] | None:
    """The built-in cells behind ``cell`` when all of them can run whole sequences, else None."""
    cells = list(cell.cells) if isinstance(cell, StackedRNNCells) else [cell]
    for c in cells:
        base = next((b for b in type(c).__mro__ if b.__dict__.get("_runs_sequences")), None)
        if base is None or type(c).call is not base.call or type(c)._loop_step is not base._loop_step:
            return None
    return cells


@register_layer()
class RNN(Layer):
    """Recurrent layer running a cell (or a list of cells, stacked) over the time axis.

    Args:
        cell: A cell instance (``call(inputs, states) -> (output, new_states)`` and ``state_size``)
            or a list of cells (wrapped in :class:`StackedRNNCells`).
        return_sequences: Return the full output sequence instead of the last output.
        return_state: Also return the final states (``output, *states``).
        go_backwards: Process the sequence backwards and return the reversed sequence.
        stateful: Reuse the last states of each batch as initial states of the next batch.
        unroll: Accepted for compatibility (the loop is the same either way).
        zero_output_for_mask: Output zeros (instead of the previous output) at masked steps.

    Call arguments:
        sequences: ``(batch, timesteps, features)``.
        initial_state: Tensor or list of tensors (nested per cell for stacked cells).
        mask: ``(batch, timesteps)`` booleans, ``True`` for valid steps (arrives automatically
            from ``Embedding(mask_zero=True)`` / ``Masking``).
        training: Enables dropout / recurrent dropout.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, timesteps, units)`` with ``return_sequences`` else ``(batch, units)``; with
        ``return_state`` a tuple ``(output, *states)``.

    Example:

    >>> cells = [keras.layers.LSTMCell(16), keras.layers.LSTMCell(8)]
    >>> layer = keras.layers.RNN(cells, return_sequences=True)
    >>> layer(np.random.rand(4, 10, 3).astype("float32")).shape
    torch.Size([4, 10, 8])
    """

    # (cell attribute, layer attribute) pairs registered on the layer instead of the cell.
    _aliases: tuple[tuple[str, str], ...] = ()

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or list of "
                             f"integers, one integer per RNN state). Received: cell={cell}")
        if kwargs.pop("time_major", False):
            raise ValueError("`time_major=True` is not supported: inputs must be (batch, timesteps, features).")
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        if self._aliases:
            self.__dict__["cell"] = cell  # not a torch sub-module: the layer owns the tensors
        else:
            self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states: list[Tensor] | None = None
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one for each state "
                             f"tensor). Received: {state_size!r}")
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    # ------------------------------------------------------------------ module plumbing
    def _direct_sublayers(self):
        if "cell" in self.__dict__:
            yield self.__dict__["cell"]
        yield from super()._direct_sublayers()

    def _register_aliases(self) -> None:
        cell = self.cell
        for cell_attr, name in self._aliases:
            if cell_attr in cell._parameters:
                self.register_parameter(name, cell._parameters[cell_attr])
            elif cell_attr in cell._buffers:
                self.register_buffer(name, cell._buffers[cell_attr])

    def _apply(self, fn: Any, recurse: bool = True) -> RNN:
        out = super()._apply(fn, recurse)
        if self._aliases and self.built:
            cell = self.cell
            for cell_attr, name in self._aliases:  # .to()/.cuda() may replace tensors: re-share them
                if name in self._parameters:
                    cell._parameters[cell_attr] = self._parameters[name]
                elif name in self._buffers:
                    cell._buffers[cell_attr] = self._buffers[name]
        return out

    def _move_own_state(self, device: torch.device) -> None:
        self.to(device)

    @contextlib.contextmanager
    def _cell_in_module_tree(self) -> Iterator[None]:
        """Register the cell as sub-module ``cell`` (and hide the layer's aliases of its tensors) for
        the duration: ``torch.export`` swaps only tensors it reaches through the module tree, and the
        cell reads its own attributes, so it would otherwise mix real and fake tensors."""
        if not self._aliases or not self.built or "cell" in self._modules:
            yield
            return
        hidden = {}
        for _, name in self._aliases:
            for store in (self._parameters, self._buffers):
                if name in store:
                    hidden[name] = (store, store.pop(name))
        self._modules["cell"] = self.__dict__["cell"]
        try:
            yield
        finally:
            self._modules.pop("cell", None)
            for name, (store, val) in hidden.items():
                store[name] = val

    # ------------------------------------------------------------------ build / shapes
    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        shape = _first_shape(sequences_shape)
        if len(shape) < 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of shape (batch, timesteps, features); "
                             f"received input shape {shape}.")
        step_shape = (shape[0],) + shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            build_cell(self.cell, step_shape)
        if self._aliases:
            self._register_aliases()

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        shape = _first_shape(sequences_shape)
        batch, length = shape[0], shape[1]
        states_shape = []
        for size in self.state_size:
            if isinstance(size, int):
                states_shape.append((batch, size))
            else:
                states_shape.append([(batch, s) for s in size])
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = self.state_size[0]
        out = (batch, length, output_size) if self.return_sequences else (batch, output_size)
        if self.return_state:
            return (out, *states_shape)
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        mask = tree.flatten(mask)[0] if mask is not None else None
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * len(self.state_size)
        return out_mask

    # ------------------------------------------------------------------ states
    def get_initial_state(self, batch_size: int) -> list[Any]:
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            init = fn(batch_size=batch_size)
            return list(init) if tree.is_nested(init) else [init]
        return [torch.zeros((batch_size, d)) for d in self.state_size]

    def _initial_states(self, initial_state: Any, x: Tensor) -> list[Any]:
        batch = x.shape[0]
        structure = self.get_initial_state(batch)
        if initial_state is None and self.stateful:
            stored = self.states
            if stored is None:
                stored = [s.to(device=x.device, dtype=x.dtype) for s in tree.flatten(structure)]
                if CALL_CONTEXT.export_mode is None:  # an export's runs leave the layer as it was
                    self.states = stored
            elif stored[0].shape[0] != batch:
                raise ValueError(
                    f"If an RNN is stateful, the batch size of the input sequences must be the same as the batch "
                    f"size of the initial state.\n- Expected batch size: {stored[0].shape[0]}\n"
                    f"- Received batch size: {batch}"
                )
            initial_state = stored
        if initial_state is None:
            flat = tree.flatten(structure)
        else:
            flat = tree.flatten(initial_state)
            expected = len(tree.flatten(structure))
            if len(flat) != expected:
                raise ValueError(f"Layer '{self.name}' expects {expected} initial state tensor(s), "
                                 f"but received {len(flat)}.")
        flat = [torch.as_tensor(s).to(device=x.device, dtype=x.dtype) for s in flat]
        return tree.pack_like(structure, flat)

    def reset_state(self, states: Any = None) -> None:
        """Zero the stored states of a stateful layer (or set them to ``states``)."""
        if self.states is None:
            return
        if states is None:
            self.states = [torch.zeros_like(s) for s in self.states]
        else:
            flat = tree.flatten(states)
            self.states = [torch.as_tensor(v).to(s) for v, s in zip(flat, self.states)]

    def reset_states(self, states: Any = None) -> None:
        self.reset_state(states)

    # ------------------------------------------------------------------ call
    def call(
        self,
        sequences: Tensor,
        initial_state: Any = None,
        mask: Any = None,
        training: bool = False,
    ) -> Any:
        if isinstance(sequences, (list, tuple)):  # Keras 2 style [x, *initial_states]
            if len(sequences) > 1 and initial_state is None:
                initial_state = list(sequences[1:])
            sequences = sequences[0]
        if mask is not None:
            mask = tree.flatten(mask)[0]
        x = sequences
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
        states = self._initial_states(initial_state, x)
        if mask is not None:
            mask = mask.to(device=x.device, dtype=torch.bool)
        if self.go_backwards:
            x = x.flip(1)
            mask = mask.flip(1) if mask is not None else None
        cells = _fast_cells(self.cell)
        if cells is not None:
            seq, last, new_states = self._run_cells(cells, x, states, mask, training)
        else:
            seq, last, new_states = self._run_generic(x, states, mask, training)
        if self.stateful and CALL_CONTEXT.export_mode is None:  # (not from an export's probe runs or trace)
            self.states = [s.detach() for s in tree.flatten(new_states)]
        output = seq if self.return_sequences else last
        if self.return_state:
            return (output, *new_states)
        return output

    def _run_cells(self, cells: list[_Cell], x: Tensor, states: list[Any], mask: Tensor | None,
                   training: bool) -> tuple[Tensor | None, Tensor, list[Any]]:
        stacked = isinstance(self.cell, StackedRNNCells)
        per_cell = states if stacked else [states]
        new_states: list[Any] = []
        seq, last = x, None
        for i, (cell, st) in enumerate(zip(cells, per_cell)):
            top = i == len(cells) - 1
            nested = tree.is_nested(st)
            seq, last, ns = cell._sequence(
                seq, list(st) if nested else [st], mask, training,
                return_sequences=self.return_sequences or not top, zero_output=self.zero_output_for_mask and top,
            )
            new_states.append(ns if nested else ns[0])
        return seq, last, (new_states if stacked else new_states[0])

    def _run_generic(self, x: Tensor, states: list[Any], mask: Tensor | None,
                     training: bool) -> tuple[Tensor | None, Tensor, list[Any]]:
        cell = self.cell
        kw = {"training": training} if (isinstance(cell, Layer) and _call_signature(type(cell))[0]) else {}

        def step(x_t: Tensor, flat: list) -> tuple[Tensor, list]:
            out, new = cell(x_t, tuple(tree.pack_like(states, flat)), **kw)
            return out, tree.flatten(new)

        try:
            seq, last, flat = _ops.run_loop(step, x, tree.flatten(states), mask, self.zero_output_for_mask,
                                            self.return_sequences)
        finally:
            _reset_dropout(cell)
        return seq, last, tree.pack_like(states, flat)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": registry.serialize_keras_object(self.cell, "layers"),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> RNN:
        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, list):
            cell = [registry.deserialize_keras_object(c, "layers", custom_objects) for c in cell]
        elif isinstance(cell, dict) and not isinstance(cell, Layer):
            cell = registry.deserialize_keras_object(cell, "layers", custom_objects)
        return cls(cell, **config)


def _reset_dropout(cell: Any) -> None:
    for c in (cell.cells if isinstance(cell, StackedRNNCells) else [cell]):
        if isinstance(c, _Cell):
            c.reset_dropout_mask()
            c.reset_recurrent_dropout_mask()


class _BuiltinRNN(RNN):
    """SimpleRNN / LSTM / GRU: an ``RNN`` whose cell arguments are layer arguments."""

    _aliases = (("weight_ih", "weight_ih_l0"), ("weight_hh", "weight_hh_l0"),
                ("bias_ih", "bias_ih_l0"), ("bias_hh", "bias_hh_l0"))
    _cell_class: type = _Cell
    _cell_keys: tuple[str, ...] = ()
    _config_drop: tuple[str, ...] = ()  # cell keys Keras leaves out of the layer config

    def _init_layer(self, cell_kwargs: dict[str, Any], rnn_kwargs: dict[str, Any], kwargs: dict[str, Any]) -> None:
        kwargs.pop("implementation", None)
        use_cudnn = kwargs.pop("use_cudnn", "auto")
        if use_cudnn not in ("auto", True, False):
            raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, "
                             f"False}}. Received: use_cudnn={use_cudnn}")
        cell = self._cell_class(
            **cell_kwargs, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name=f"{self._cell_class.__name__[:-4].lower().replace('simplernn', 'simple_rnn')}_cell",
        )
        RNN.__init__(self, cell, **rnn_kwargs, **kwargs)
        self.use_cudnn = use_cudnn
        self.input_spec = InputSpec(ndim=3)

    def __getattr__(self, name: str) -> Any:
        # Keras exposes the cell hyper-parameters on the layer (layer.units, layer.activation...).
        if name in type(self)._cell_keys and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        return super().__getattr__(name)

    def get_config(self) -> dict[str, Any]:
        base = super().get_config()
        del base["cell"]
        cell = self.cell.get_config()
        for k in ("name", "trainable", "dtype", *self._config_drop):
            cell.pop(k, None)
        cell["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return {**base, **cell}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> RNN:
        return cls(**config)


_COMMON_KEYS = (
    "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
)


@register_layer()
class SimpleRNN(_BuiltinRNN):
    """Fully-connected RNN whose output is fed back as the next state; stored like ``torch.nn.RNN``.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation function (default ``"tanh"``; ``tanh`` and ``relu`` run torch's fused kernel).
        use_bias: Whether the layer uses bias vectors. Default ``True``.
        kernel_initializer: Initializer of the input kernel (default ``"glorot_uniform"``).
        recurrent_initializer: Initializer of the recurrent kernel (default ``"orthogonal"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the input kernel.
        recurrent_regularizer: Optional regularizer of the recurrent kernel.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer's output.
        kernel_constraint: Optional constraint of the input kernel.
        recurrent_constraint: Optional constraint of the recurrent kernel.
        bias_constraint: Optional constraint of the bias.
        dropout: Fraction of the input units to drop (training only), between 0 and 1. Default 0.
        recurrent_dropout: Fraction of the recurrent state units to drop (training only). Default 0.
        seed: Seed of the dropout masks.
        return_sequences: Return the whole output sequence ``(batch, timesteps, units)`` instead of the last
            output only. Default ``False``.
        return_state: Also return the final state(s) after the output. Default ``False``.
        go_backwards: Process the input sequence backwards (and return the reversed sequence). Default ``False``.
        stateful: Use the last state of each sample of a batch as the initial state of the same sample in the
            next batch (reset with ``layer.reset_states()``). Default ``False``.
        unroll: Accepted for compatibility (the computation is the same either way).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, timesteps, units)`` with ``return_sequences`` else ``(batch, units)``; with
        ``return_state`` also the final state ``(batch, units)``.

    Example:

    >>> x = np.random.rand(4, 10, 8).astype("float32")
    >>> keras.layers.SimpleRNN(16)(x).shape
    torch.Size([4, 16])
    >>> out, state = keras.layers.SimpleRNN(16, return_sequences=True, return_state=True)(x)
    >>> out.shape, state.shape
    (torch.Size([4, 10, 16]), torch.Size([4, 16]))
    """

    _cell_class = SimpleRNNCell
    _cell_keys = _COMMON_KEYS
    _config_drop = ("seed",)

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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        cell_kwargs = dict(
            units=units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
        )
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                          activity_regularizer=activity_regularizer)
        self._init_layer(cell_kwargs, rnn_kwargs, kwargs)


@register_layer()
class LSTM(_BuiltinRNN):
    """Long Short-Term Memory layer (Hochreiter 1997); stored like ``torch.nn.LSTM``.

    With ``activation="tanh"``, ``recurrent_activation="sigmoid"`` and no recurrent dropout in
    training, it runs torch's fused LSTM kernel (cuDNN on GPU), also for masks that are one
    contiguous block of valid steps per sample; otherwise a Python loop over time.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation of the cell state and output (default ``"tanh"``).
        recurrent_activation: Activation of the gates (default ``"sigmoid"``).
        use_bias: Whether the layer uses bias vectors. Default ``True``.
        kernel_initializer: Initializer of the input kernel (default ``"glorot_uniform"``).
        recurrent_initializer: Initializer of the recurrent kernel (default ``"orthogonal"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        unit_forget_bias: Add 1 to the forget gate bias at initialization (Jozefowicz et al.). Default ``True``.
        kernel_regularizer: Optional regularizer of the input kernel.
        recurrent_regularizer: Optional regularizer of the recurrent kernel.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer's output.
        kernel_constraint: Optional constraint of the input kernel.
        recurrent_constraint: Optional constraint of the recurrent kernel.
        bias_constraint: Optional constraint of the bias.
        dropout: Fraction of the input units to drop (training only), between 0 and 1. Default 0.
        recurrent_dropout: Fraction of the recurrent state units to drop (training only). Default 0.
        seed: Seed of the dropout masks.
        return_sequences: Return the whole output sequence ``(batch, timesteps, units)`` instead of the last
            output only. Default ``False``.
        return_state: Also return the final state(s) after the output. Default ``False``.
        go_backwards: Process the input sequence backwards (and return the reversed sequence). Default ``False``.
        stateful: Use the last state of each sample of a batch as the initial state of the same sample in the
            next batch (reset with ``layer.reset_states()``). Default ``False``.
        unroll: Accepted for compatibility (the computation is the same either way).
        use_cudnn: Accepted for compatibility (the fused kernel is used whenever possible).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, timesteps, units)`` with ``return_sequences`` else ``(batch, units)``; with
        ``return_state`` also the final ``h`` and ``c`` ``(batch, units)``.

    Example:

    >>> x = np.random.rand(4, 10, 8).astype("float32")
    >>> keras.layers.LSTM(16)(x).shape
    torch.Size([4, 16])
    >>> out, h, c = keras.layers.LSTM(16, return_sequences=True, return_state=True)(x)
    >>> out.shape, h.shape, c.shape
    (torch.Size([4, 10, 16]), torch.Size([4, 16]), torch.Size([4, 16]))
    """

    _cell_class = LSTMCell
    _cell_keys = _COMMON_KEYS + ("recurrent_activation", "unit_forget_bias")

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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        cell_kwargs = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
        )
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                          activity_regularizer=activity_regularizer)
        self._init_layer(cell_kwargs, rnn_kwargs, dict(kwargs, use_cudnn=use_cudnn))


@register_layer()
class GRU(_BuiltinRNN):
    """Gated Recurrent Unit (Cho et al. 2014); stored like ``torch.nn.GRU`` (gate order r, z, n).

    ``reset_after=True`` (default) with ``tanh``/``sigmoid`` runs torch's fused GRU kernel;
    ``reset_after=False`` (Keras 1/2 files), other activations and arbitrary masks run a loop.

    Args:
        units: Positive integer, dimensionality of the output space.
        activation: Activation of the candidate state (default ``"tanh"``).
        recurrent_activation: Activation of the gates (default ``"sigmoid"``).
        use_bias: Whether the layer uses bias vectors. Default ``True``.
        kernel_initializer: Initializer of the input kernel (default ``"glorot_uniform"``).
        recurrent_initializer: Initializer of the recurrent kernel (default ``"orthogonal"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the input kernel.
        recurrent_regularizer: Optional regularizer of the recurrent kernel.
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer's output.
        kernel_constraint: Optional constraint of the input kernel.
        recurrent_constraint: Optional constraint of the recurrent kernel.
        bias_constraint: Optional constraint of the bias.
        dropout: Fraction of the input units to drop (training only), between 0 and 1. Default 0.
        recurrent_dropout: Fraction of the recurrent state units to drop (training only). Default 0.
        seed: Seed of the dropout masks.
        return_sequences: Return the whole output sequence ``(batch, timesteps, units)`` instead of the last
            output only. Default ``False``.
        return_state: Also return the final state(s) after the output. Default ``False``.
        go_backwards: Process the input sequence backwards (and return the reversed sequence). Default ``False``.
        stateful: Use the last state of each sample of a batch as the initial state of the same sample in the
            next batch (reset with ``layer.reset_states()``). Default ``False``.
        unroll: Accepted for compatibility (the computation is the same either way).
        reset_after: Apply the reset gate after the recurrent matrix multiplication (Keras 3, cuDNN and torch
            convention; default ``True``). ``False`` is the Keras 1/2 "reset before" variant, run as a loop.
        use_cudnn: Accepted for compatibility.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, timesteps, units)`` with ``return_sequences`` else ``(batch, units)``; with
        ``return_state`` also the final state ``(batch, units)``.

    Example:

    >>> x = np.random.rand(4, 10, 8).astype("float32")
    >>> keras.layers.GRU(16)(x).shape
    torch.Size([4, 16])
    >>> keras.layers.GRU(16, return_sequences=True)(x).shape
    torch.Size([4, 10, 16])
    """

    _cell_class = GRUCell
    _cell_keys = _COMMON_KEYS + ("recurrent_activation", "reset_after")

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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        reset_after: bool = True,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        cell_kwargs = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            reset_after=reset_after, seed=seed,
        )
        rnn_kwargs = dict(return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                          activity_regularizer=activity_regularizer)
        self._init_layer(cell_kwargs, rnn_kwargs, dict(kwargs, use_cudnn=use_cudnn))


__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU"]
