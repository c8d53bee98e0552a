"""Convolutional LSTM: ``ConvLSTMCell`` and the ``ConvLSTM1D`` / ``ConvLSTM2D`` / ``ConvLSTM3D`` layers.

The recurrence is the LSTM step of ``_steps`` (kinds ``conv_lstm{1,2,3}d``) with a stride-1 "same"
convolution as the recurrent projection; the input projection of all time steps is one
convolution over ``(batch * time, channels, *spatial)``. Internally the feature maps are
channels-first; inputs, outputs and states keep the layer's ``data_format`` (Keras layout), so
``initial_state``, ``return_state`` and stateful states look exactly as in Keras.

Weights are stored in torch conv layout (``weight_ih`` (4F, C, *k), ``weight_hh`` (4F, F, *k),
``bias_ih`` (4F,)); Keras's ``kernel`` (*k, C, 4F), ``recurrent_kernel`` (*k, F, 4F) and ``bias``
appear in ``get_weights``/``set_weights`` and Keras files. Gate blocks are i, f, c, o in both.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import activations, initializers, regularizers
from keras_torch.core.config import standardize_data_format
from keras_torch.layers._args import register_layer, standardize_padding, standardize_tuple
from keras_torch.layers._padding import resolve_same, to_channels_first, to_channels_last
from keras_torch.layers.conv import conv_output_length, conv_to_keras, conv_to_torch
from keras_torch.layers.input_spec import InputSpec
from keras_torch.layers.rnn.cells import _Cell
from keras_torch.layers.rnn.rnn_layers import RNN

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

Tensor = torch.Tensor
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class ConvLSTMCell(_Cell):
    """Cell of a convolutional LSTM (Shi et al., 2015); Keras's ``ConvLSTMCell``.

    Args:
        rank: Number of spatial dims (1, 2 or 3).
        filters: Number of output filters (the state channels).
        kernel_size: int or tuple of ``rank`` ints.
        strides: Input convolution strides (not together with ``dilation_rate > 1``).
        padding: ``"valid"`` or ``"same"`` (input convolution; the recurrent one is always "same").
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.
        dilation_rate: Input convolution dilation.
        activation / recurrent_activation: Cell and gate activations (``tanh`` / ``sigmoid``).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed: As
            :class:`~keras_torch.layers.LSTMCell` (dropout masks are per gate, as in Keras).

    Input shape:
        ``inputs`` ``(batch, *spatial, channels)`` (or channels-first) and ``states`` ``[h, c]``.

    Output shape:
        ``(h, [h, c])``, each ``(batch, *conv_output_spatial, filters)`` (or channels-first).
    """

    _gates = 4
    _runs_sequences = True

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
            filters, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed, **kwargs,
        )
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}")
        self.rank = rank
        self.filters = self.units
        self.kernel_size = standardize_tuple(self.name, kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(self.name, strides, rank, "strides")
        self.padding = standardize_padding(self.name, padding)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(self.name, dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide `strides=1` or "
                f"`dilation_rate=1`. Received: strides={self.strides} and dilation_rate={self.dilation_rate} "
                f"(layer '{self.name}')"
            )
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = -1  # as Keras: the states are feature maps, see get_initial_state
        self.spatial_dims: tuple[int, ...] | None = None  # input spatial sizes, set by build
        self.input_dim: int | None = None  # input channels, set by build

    # ------------------------------------------------------------------ layout
    @property
    def _channels_last(self) -> bool:
        return self.data_format == "channels_last"

    def _to_cf(self, t: Tensor) -> Tensor:
        return t.permute(to_channels_first(t.ndim)) if self._channels_last else t

    def _from_cf(self, t: Tensor) -> Tensor:
        return t.permute(to_channels_last(t.ndim)) if self._channels_last else t

    def _seq_to_cf(self, x: Tensor) -> Tensor:
        """(B, T, *spatial, C) -> (B, T, C, *spatial)."""
        if not self._channels_last:
            return x
        return x.permute(0, 1, x.ndim - 1, *range(2, x.ndim - 1))

    def _seq_from_cf(self, x: Tensor) -> Tensor:
        if not self._channels_last:
            return x
        return x.permute(0, 1, *range(3, x.ndim), 2)

    # ------------------------------------------------------------------ weights
    def build(self, inputs_shape: Any, states_shape: Any = None) -> None:
        shape = tuple(inputs_shape)
        self.spatial_dims = shape[1:-1] if self._channels_last else shape[2:]
        channels = shape[-1] if self._channels_last else shape[1]
        if None in self.spatial_dims:
            raise ValueError("ConvLSTM layers only support static input shapes for the spatial dimension. "
                             f"Received invalid input shape: input_shape={shape} (layer '{self.name}')")
        if channels is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be defined. Found None. Full "
                             f"input shape received: input_shape={shape} (layer '{self.name}')")
        self.input_dim = channels
        f = self.filters
        to_torch, to_keras = conv_to_torch(self.rank), conv_to_keras(self.rank)
        self.weight_ih = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, 4 * f), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint, attr="weight_ih",
            to_torch=to_torch, to_keras=to_keras,
        )
        self.weight_hh = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (f, 4 * f), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint, attr="weight_hh",
            to_torch=to_torch, to_keras=to_keras,
        )
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                base = self.bias_initializer or initializers.get("glorot_uniform")  # None: add_weight's default

                def init(shape: Any, dtype: Any = None) -> Tensor:  # noqa: ARG001 - Keras signature
                    parts = [base((f,), dtype=dtype), initializers.get("ones")((f,), dtype=dtype),
                             base((2 * f,), dtype=dtype)]
                    return torch.cat([torch.as_tensor(p) for p in parts])

            self.bias_ih = self.add_weight(
                name="bias", shape=(4 * f,), initializer=init, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint, attr="bias_ih",
            )

    def _torch_params(self, dtype: torch.dtype) -> list[Tensor]:
        params = [self.weight_ih, self.weight_hh] + ([self.bias_ih] if self.use_bias else [])
        if params[0].dtype != dtype:
            params = [p.to(dtype) for p in params]
        return params

    @property
    def bias(self) -> Tensor | None:
        return self.bias_ih if self.use_bias and self.built else None

    # ------------------------------------------------------------------ the recurrence
    def _per_gate(self) -> int:
        return 4  # Keras draws one dropout mask per gate (dropout_mask_count = 4)

    def _fused_kind_for(self) -> str | None:
        return None

    def _step_kind(self) -> str:
        return f"conv_lstm{self.rank}d"

    def _input_projection(self, x: Tensor, params: list[Tensor], dp: Tensor | None) -> Tensor:
        """The input convolution of every step at once: ``x`` (B, T, C, *spatial) -> (B, T, 4F, *out)."""
        batch, steps = x.shape[0], x.shape[1]
        groups = 1
        if dp is None:
            flat = x.reshape(batch * steps, *x.shape[2:])
        else:  # per-gate masks (4, B, C, *spatial): the 4 masked inputs side by side, one grouped conv
            masked = x.unsqueeze(2) * dp.transpose(0, 1).unsqueeze(1)
            flat = masked.reshape(batch * steps, 4 * x.shape[2], *x.shape[3:])
            groups = 4
        padding: Any = 0
        if self.padding == "same":
            flat, padding = resolve_same(flat, slice(2, None), self.kernel_size, self.strides, self.dilation_rate,
                                         False)
        weight = params[0]
        out = _CONV[self.rank](flat, weight, params[2] if self.use_bias else None, self.strides, padding,
                               self.dilation_rate, groups)
        return out.reshape(batch, steps, *out.shape[1:])

    def _sequence(
        self, x: Tensor, states: list[Tensor], mask: Tensor | None, training: bool,
        return_sequences: bool, zero_output: bool,
    ) -> tuple[Tensor | None, Tensor, list[Tensor]]:
        """The base class's sequence run on channels-first maps; ``x`` and ``states`` in Keras layout."""
        seq, last, new = super()._sequence(self._seq_to_cf(x), [self._to_cf(s) for s in states], mask, training,
                                           return_sequences, zero_output)
        seq = self._seq_from_cf(seq) if seq is not None else None
        return seq, self._from_cf(last), [self._from_cf(s) for s in new]

    def call(self, inputs: Tensor, states: Any, training: bool = False) -> tuple[Tensor, list[Tensor]]:
        """One step (Keras per-step API, Keras layout): ``(h, [h, c])``."""
        x = self._to_cf(inputs)
        st = [self._to_cf(s) for s in states]
        dp, rdp = self._step_masks(x, st[0], training)
        params = self._torch_params(x.dtype)
        xp = self._input_projection(x.unsqueeze(1), params, dp)[:, 0]
        _, new = self._loop_step(params, rdp)(xp, st)
        h, c = (self._from_cf(s) for s in new)
        return h, [h, c]

    # ------------------------------------------------------------------ shapes / states
    def _state_shape(self, inputs_shape: Any) -> tuple:
        shape = tuple(inputs_shape)
        spatial = shape[1:-1] if self._channels_last else shape[2:]
        out = tuple(conv_output_length(n, k, s, d, self.padding)
                    for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if self._channels_last:
            return (shape[0], *out, self.filters)
        return (shape[0], self.filters, *out)

    def compute_output_shape(self, inputs_shape: Any, states_shape: Any = None) -> Any:
        out = self._state_shape(inputs_shape)
        return out, [out, out]

    def get_initial_state(self, batch_size: int | None = None) -> list[Tensor]:
        if self._channels_last:
            shape = (batch_size, *self.spatial_dims, self.input_dim)
        else:
            shape = (batch_size, self.input_dim, *self.spatial_dims)
        state = self._state_shape(shape)
        kw = {"dtype": self.weight_ih.dtype, "device": self.weight_ih.device} if self.built else {}
        return [torch.zeros(state, **kw), torch.zeros(state, **kw)]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            **self._common_config(),
            "seed": self.seed,
        }


_CELL_KEYS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
    "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
    "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
)


class ConvLSTM(RNN):
    """N-D convolutional LSTM layer (the base of ConvLSTM1D/2D/3D); an ``RNN`` over a :class:`ConvLSTMCell`.

    Args:
        rank: Number of spatial dims.
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
        recurrent_activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        unit_forget_bias, kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed:
            As :class:`ConvLSTMCell`.
        activity_regularizer: Regularizer of the layer output.
        return_sequences, return_state, go_backwards, stateful: As :class:`~keras_torch.layers.RNN`.

    Input shape:
        ``(batch, time, *spatial, channels)`` (channels_last) or ``(batch, time, channels, *spatial)``.

    Output shape:
        ``(batch, [time,] *out_spatial, filters)`` (or channels-first); with ``return_state`` also
        the final ``h`` and ``c``.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
        **kwargs: Any,
    ) -> None:
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"),
        )
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, activity_regularizer=activity_regularizer,
                         **kwargs)
        self.input_spec = InputSpec(ndim=rank + 3)

    def __getattr__(self, name: str) -> Any:
        # Keras exposes the cell hyper-parameters on the layer (layer.filters, layer.kernel_size...).
        if name in _CELL_KEYS and "cell" in self._modules:
            return getattr(self._modules["cell"], name)
        return super().__getattr__(name)

    def compute_output_shape(self, sequences_shape: Any, initial_state_shape: Any = None) -> Any:
        shape = tuple(sequences_shape)
        batch, steps = shape[0], shape[1]
        state = self.cell._state_shape((batch,) + shape[2:])[1:]
        out = (batch, steps, *state) if self.return_sequences else (batch, *state)
        if self.return_state:
            return out, (batch, *state), (batch, *state)
        return out

    def get_config(self) -> dict[str, Any]:
        base = super().get_config()
        del base["cell"]
        cell = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            del cell[key]
        return {**base, **cell, "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> ConvLSTM:
        return super(RNN, cls).from_config(config)


@register_layer()
class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM.

    An LSTM whose input and recurrent transformations are 1D convolutions, run over the time axis
    of a sequence of 1D signals.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of one int, the convolution window.
        strides: Int or tuple of one int (input convolution only). Default 1.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: Int or tuple of one int. Default 1.
        activation: Activation of the cell and output (default ``"tanh"``).
        recurrent_activation: Activation of the gates (default ``"sigmoid"``).
        use_bias: Whether to use a bias. Default ``True``.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers (default
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``).
        unit_forget_bias: Initialise the forget gate bias to one (default ``True``).
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: Optional regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional constraints.
        dropout: Fraction of the inputs to drop (training only).
        recurrent_dropout: Fraction of the recurrent state to drop (training only).
        seed: Seed of the dropout masks.
        return_sequences: Return the whole output sequence instead of the last output.
        return_state: Also return the final hidden and cell states.
        go_backwards: Process the sequence backwards.
        stateful: Keep the last state of each batch as the initial state of the next.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, time, steps, channels)`` (channels_last) or ``(batch, time, channels, steps)``.

    Output shape:
        ``(batch, new_steps, filters)``; with ``return_sequences`` ``(batch, time, new_steps, filters)``;
        with ``return_state`` followed by the final ``h`` and ``c`` (each ``(batch, new_steps, filters)``).
        Channels_first puts ``filters`` before the spatial dimensions.

    Example:

    >>> layer = keras.layers.ConvLSTM1D(4, 3)
    >>> layer(np.random.rand(2, 5, 10, 3).astype("float32")).shape
    torch.Size([2, 8, 4])
    """

    def __init__(self, filters: int, kernel_size: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, *args, **kwargs)


@register_layer()
class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM.

    An LSTM whose input and recurrent transformations are 2D convolutions, run over the time axis
    of a sequence of images.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints, the convolution window.
        strides: Int or tuple of 2 ints (input convolution only). Default 1.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: Int or tuple of 2 ints. Default 1.
        activation: Activation of the cell and output (default ``"tanh"``).
        recurrent_activation: Activation of the gates (default ``"sigmoid"``).
        use_bias: Whether to use a bias. Default ``True``.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers (default
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``).
        unit_forget_bias: Initialise the forget gate bias to one (default ``True``).
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: Optional regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional constraints.
        dropout: Fraction of the inputs to drop (training only).
        recurrent_dropout: Fraction of the recurrent state to drop (training only).
        seed: Seed of the dropout masks.
        return_sequences: Return the whole output sequence instead of the last output.
        return_state: Also return the final hidden and cell states.
        go_backwards: Process the sequence backwards.
        stateful: Keep the last state of each batch as the initial state of the next.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, time, rows, cols, channels)`` (channels_last) or ``(batch, time, channels, rows, cols)``.

    Output shape:
        ``(batch, new_rows, new_cols, filters)``; with ``return_sequences``
        ``(batch, time, new_rows, new_cols, filters)``;
        with ``return_state`` followed by the final ``h`` and ``c`` (each ``(batch, new_rows, new_cols, filters)``).
        Channels_first puts ``filters`` before the spatial dimensions.

    Example:

    >>> layer = keras.layers.ConvLSTM2D(4, 3)
    >>> layer(np.random.rand(2, 5, 8, 8, 3).astype("float32")).shape
    torch.Size([2, 6, 6, 4])
    """

    def __init__(self, filters: int, kernel_size: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, *args, **kwargs)


@register_layer()
class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM.

    An LSTM whose input and recurrent transformations are 3D convolutions, run over the time axis
    of a sequence of volumes.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 3 ints, the convolution window.
        strides: Int or tuple of 3 ints (input convolution only). Default 1.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: Int or tuple of 3 ints. Default 1.
        activation: Activation of the cell and output (default ``"tanh"``).
        recurrent_activation: Activation of the gates (default ``"sigmoid"``).
        use_bias: Whether to use a bias. Default ``True``.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers (default
            ``"glorot_uniform"``, ``"orthogonal"``, ``"zeros"``).
        unit_forget_bias: Initialise the forget gate bias to one (default ``True``).
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: Optional regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: Optional constraints.
        dropout: Fraction of the inputs to drop (training only).
        recurrent_dropout: Fraction of the recurrent state to drop (training only).
        seed: Seed of the dropout masks.
        return_sequences: Return the whole output sequence instead of the last output.
        return_state: Also return the final hidden and cell states.
        go_backwards: Process the sequence backwards.
        stateful: Keep the last state of each batch as the initial state of the next.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, time, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, time, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, new_dim1, new_dim2, new_dim3, filters)``; with ``return_sequences``
        ``(batch, time, new_dim1, new_dim2, new_dim3, filters)``;
        with ``return_state`` followed by the final ``h`` and ``c`` (each
        ``(batch, new_dim1, new_dim2, new_dim3, filters)``).
        Channels_first puts ``filters`` before the spatial dimensions.

    Example:

    >>> layer = keras.layers.ConvLSTM3D(4, 3)
    >>> layer(np.random.rand(2, 5, 6, 6, 6, 3).astype("float32")).shape
    torch.Size([2, 4, 4, 4, 4])
    """

    def __init__(self, filters: int, kernel_size: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, *args, **kwargs)

