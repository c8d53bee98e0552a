"""tf-keras 2's ``LocallyConnected1D`` / ``LocallyConnected2D``: convolutions whose weights are not shared.

One computation for the three tf-keras ``implementation`` modes: the input patches of every output
position (one gather) times that position's own kernel ``(positions, channels *
prod(kernel_size), filters)``. torch has no such module, so the kernel is stored in the chosen
implementation's tf-keras layout (as EinsumDense keeps Keras's), and each call gathers the
per-position kernels from it with an index fixed at build:

* ``implementation=1``: ``(positions, prod(kernel_size) * channels, filters)``, patch features
  in the data format's order (tf-keras ``local_conv``);
* ``implementation=2``: the dense ``(*in_spatial, channels, *out_spatial, filters)`` kernel
  (channels_first: ``(channels, *in_spatial, filters, *out_spatial)``); entries outside the
  receptive fields are never read (tf-keras masks them), so they get no gradient;
* ``implementation=3``: the values of the sparse ``(outputs, inputs)`` matrix, in tf-keras's
  sorted ``conv_kernel_idxs`` order.

So ``get_weights``, ``count_params`` and files are tf-keras's for each mode.

The bias is ``(*out_spatial, filters)`` in every mode; with channels_first it is added *reshaped*
(not transposed) to ``(filters, *out_spatial)``, exactly as tf-keras's ``bias_add`` does.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import torch

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core import budget as _budget
from keras_torch.core.config import standardize_data_format
from keras_torch.layers._args import check_strictly_positive, register_layer, standardize_padding, standardize_tuple
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = ["LocallyConnected1D", "LocallyConnected2D"]


def _output_length(size: int, k: int, s: int, padding: str) -> int:
    """tf-keras ``conv_output_length`` (dilation 1)."""
    length = size if padding == "same" else size - k + 1
    return (length + s - 1) // s


class _LocallyConnected(Layer):
    """Rank-generic locally-connected layer; see the module docstring for the weight layouts.

    Args:
        filters: Number of output filters.
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple of ``rank`` ints.
        padding: ``"valid"`` or ``"same"`` (``"same"`` needs ``implementation`` 2 or 3; windows
            start ``kernel_size // 2`` cells before ``position * strides``).
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.
        activation: Activation (default linear).
        use_bias: Whether to add the per-position bias.
        kernel_initializer / bias_initializer / kernel_regularizer / bias_regularizer /
        activity_regularizer / kernel_constraint / bias_constraint: As for convolutions (applied
            to the Keras-layout kernel of the chosen implementation).
        implementation: 1, 2 or 3: the tf-keras kernel layout (same numerics in all three).

    Input shape:
        ``(batch, *spatial, channels)`` or ``(batch, channels, *spatial)``; spatial sizes must be known.

    Output shape:
        ``(batch, *out_spatial, filters)`` or ``(batch, filters, *out_spatial)``.
    """

    rank: int = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        implementation: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = check_strictly_positive(self.name, "filters", filters)
        self.kernel_size = standardize_tuple(self.name, kernel_size, self.rank, "kernel_size")
        self.strides = standardize_tuple(self.name, strides, self.rank, "strides")
        self.padding = standardize_padding(self.name, padding)
        if self.padding != "valid" and implementation == 1:
            raise ValueError(f"Invalid border mode for {type(self).__name__} (only \"valid\" is supported if "
                             f"implementation is 1): {padding}")
        if implementation not in (1, 2, 3):
            raise ValueError(f"Unrecognized implementation mode: {implementation}.")
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.implementation = implementation
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._pads: tuple[tuple[int, int], ...] = ()  # (left, right) input padding per spatial dim, set by build
        self._padded_gather = False  # whether the kernel gather reads unconnected (zero) entries, set by build

    @property
    def _channels_last(self) -> bool:
        return self.data_format == "channels_last"

    # ------------------------------------------------------------------ weights
    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        spatial = shape[1:-1] if self._channels_last else shape[2:]
        channels = shape[-1] if self._channels_last else shape[1]
        if None in spatial or channels is None:
            raise ValueError(f"The spatial dimensions and the channels of the inputs to a {type(self).__name__} "
                             f"layer should be fully-defined, but layer '{self.name}' received the inputs shape {shape}")
        out = tuple(_output_length(n, k, s, self.padding) for n, k, s in zip(spatial, self.kernel_size, self.strides))
        if min(out) <= 0:
            raise ValueError(f"One of the dimensions in the output is <= 0 due to downsampling in {self.name}. Consider "
                             f"increasing the input size. Received input shape {shape} which would produce output "
                             "shape with a zero or negative value in a dimension.")
        self.output_spatial = out
        lefts = [k // 2 if self.padding == "same" else 0 for k in self.kernel_size]
        self._pads = tuple((left, max(0, (o - 1) * s + k - left - n))
                           for left, o, s, k, n in zip(lefts, out, self.strides, self.kernel_size, spatial))
        padded = [n + left + right for n, (left, right) in zip(spatial, self._pads)]
        starts = np.array(list(itertools.product(*[range(o) for o in out]))) * np.array(self.strides)
        offsets = np.array(list(itertools.product(*[range(k) for k in self.kernel_size])))
        coords = starts[:, None, :] + offsets[None]  # (positions, kernel cells, rank), in the padded input
        self.register_buffer("_patch_index", torch.as_tensor(np.ravel_multi_index(
            tuple(coords.reshape(-1, self.rank).T), padded)), persistent=False)
        keras_shape, keras_index, pos_index = self._kernel_layout(spatial, channels, out)
        self.kernel = self.add_weight(
            name="kernel", shape=keras_shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        size = int(np.prod(out)) * channels * int(np.prod(self.kernel_size)) * self.filters
        gather = np.full(size, int(np.prod(keras_shape)), dtype=np.int64)  # unconnected -> an appended zero
        gather[pos_index] = keras_index
        self._padded_gather = bool(np.any(gather == int(np.prod(keras_shape))))
        identity = not self._padded_gather and np.array_equal(gather, np.arange(size))
        # (not part of the state: a function of the layer's arguments and input shape)
        self.register_buffer("_gather", None if identity else torch.as_tensor(gather), persistent=False)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(*out, self.filters), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={(-1 if self._channels_last else 1): channels})

    def _kernel_layout(self, spatial: tuple, channels: int, out: tuple) -> tuple[tuple, np.ndarray, np.ndarray]:
        """(Keras kernel shape, flat Keras kernel indices, flat per-position kernel indices) of every connected
        weight; the per-position kernels are ``(positions, channels, prod(kernel_size), filters)``."""
        ksize, f = self.kernel_size, self.filters
        positions = np.array(list(itertools.product(*[range(o) for o in out])), dtype=np.int64)  # (P, r)
        offsets = np.array(list(itertools.product(*[range(k) for k in ksize])), dtype=np.int64)  # (K, r)
        lefts = np.array([p[0] for p in self._pads], dtype=np.int64)
        inputs = positions[:, None, :] * np.array(self.strides) - lefts + offsets[None]  # (P, K, r)
        n_pos, n_off = len(positions), len(offsets)
        # every (position, channel, offset, filter) of the per-position kernels: the grid is 4 int64 arrays
        _budget.charge(4 * 8 * n_pos * channels * n_off * f, f"the kernel layout of layer '{self.name}'")
        p, c, j, fo = np.meshgrid(np.arange(n_pos), np.arange(channels), np.arange(n_off), np.arange(f), indexing="ij")
        p, c, j, fo = p.ravel(), c.ravel(), j.ravel(), fo.ravel()
        pos_index = (p * channels * n_off + c * n_off + j) * f + fo
        ins = inputs[p, j]  # (M, r)
        valid = np.all((ins >= 0) & (ins < np.array(spatial)), axis=1)
        outs = positions[p]
        cl = self._channels_last
        if self.implementation == 1:
            feature = j * channels + c if cl else c * n_off + j
            shape = (n_pos, channels * n_off, f)
            keras_index = (p * channels * n_off + feature) * f + fo
            return shape, keras_index, pos_index
        ins, outs, c, fo, pos_index = ins[valid], outs[valid], c[valid], fo[valid], pos_index[valid]
        if self.implementation == 2:
            if cl:
                shape = (*spatial, channels, *out, f)
                keras_index = np.ravel_multi_index((*ins.T, c, *outs.T, fo), shape)
            else:
                shape = (channels, *spatial, f, *out)
                keras_index = np.ravel_multi_index((c, *ins.T, fo, *outs.T), shape)
            return shape, keras_index, pos_index
        # implementation 3: the sparse matrix entries, sorted by (output index, input index)
        if cl:
            out_flat = np.ravel_multi_index((*outs.T, fo), (*out, f))
            in_flat = np.ravel_multi_index((*ins.T, c), (*spatial, channels))
        else:
            out_flat = np.ravel_multi_index((fo, *outs.T), (f, *out))
            in_flat = np.ravel_multi_index((c, *ins.T), (channels, *spatial))
        order = np.lexsort((in_flat, out_flat))
        keras_index = np.empty_like(order)
        keras_index[order] = np.arange(len(order))
        return (len(order),), keras_index, pos_index

    def _position_kernels(self) -> torch.Tensor:
        """The kernel of every output position: (positions, channels * prod(kernel_size), filters)."""
        flat = self.kernel.reshape(-1)
        if self._gather is not None:
            if self._padded_gather:
                flat = torch.cat([flat, flat.new_zeros(1)])
            flat = flat[self._gather]
        return flat.reshape(int(np.prod(self.output_spatial)), -1, self.filters)

    # ------------------------------------------------------------------ call
    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs.permute(0, self.rank + 1, *range(1, self.rank + 1)) if self._channels_last else inputs
        if any(left or right for left, right in self._pads):
            x = torch.nn.functional.pad(x, [v for left_right in reversed(self._pads) for v in left_right])
        batch, channels = x.shape[0], x.shape[1]
        # the patch of every output position, by a gather fixed at build (exports as one ONNX Gather)
        patches = x.reshape(batch, channels, -1).index_select(2, self._patch_index)
        patches = patches.reshape(batch, channels, -1, int(np.prod(self.kernel_size))).transpose(1, 2)
        patches = patches.reshape(batch, patches.shape[1], -1)
        out = torch.einsum("bpk,pkf->bpf", patches, self._position_kernels().to(patches.dtype))
        out = out.reshape(batch, *self.output_spatial, self.filters)
        r = self.rank
        if self._channels_last:
            if self.use_bias:
                out = out + self.bias.to(out.dtype)
        else:
            out = out.permute(0, r + 1, *range(1, r + 1))
            if self.use_bias:  # tf-keras bias_add reshapes (does not transpose) the bias for channels_first
                out = out + self.bias.to(out.dtype).reshape(self.filters, *self.output_spatial)
        return self.activation(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        spatial = shape[1:-1] if self._channels_last else shape[2:]
        out = tuple(None if n is None else _output_length(n, k, s, self.padding)
                    for n, k, s in zip(spatial, self.kernel_size, self.strides))
        return (shape[0], *out, self.filters) if self._channels_last else (shape[0], self.filters, *out)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "implementation": self.implementation,
        }


@register_layer()
class LocallyConnected1D(_LocallyConnected):
    """Locally-connected layer over one spatial dimension (tf-keras 2's ``LocallyConnected1D``).

    Works like ``Conv1D`` except that the weights are not shared: every output position has its own
    kernel. Reads tf-keras 2 files of all three ``implementation`` layouts.

    Args:
        filters: Number of output filters.
        kernel_size: Int or tuple of 1 int, the window size.
        strides: Int or tuple of 1 int. Default 1.
        padding: ``"valid"`` or ``"same"`` (``"same"`` needs ``implementation`` 2 or 3).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        activation: Activation (default linear).
        use_bias: Whether to add a bias per output position and filter.
        kernel_initializer, bias_initializer: Initializers (default ``"glorot_uniform"`` / ``"zeros"``).
        kernel_regularizer, bias_regularizer, activity_regularizer: Optional regularizers.
        kernel_constraint, bias_constraint: Optional constraints.
        implementation: 1, 2 or 3, the tf-keras kernel layout (the same numbers in all three).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``; ``steps`` must be known.

    Output shape:
        ``(batch, new_steps, filters)`` (or ``(batch, filters, new_steps)``).

    Example:

    >>> layer = keras.layers.LocallyConnected1D(4, 3)
    >>> layer(np.random.rand(2, 10, 3).astype("float32")).shape
    torch.Size([2, 8, 4])
    """

    rank = 1


@register_layer()
class LocallyConnected2D(_LocallyConnected):
    """Locally-connected layer over two spatial dimensions (tf-keras 2's ``LocallyConnected2D``).

    Works like ``Conv2D`` except that the weights are not shared: every output position has its own
    kernel. Reads tf-keras 2 files of all three ``implementation`` layouts.

    Args:
        filters: Number of output filters.
        kernel_size: Int or tuple of 2 ints, the window size.
        strides: Int or tuple of 2 ints. Default 1.
        **kwargs: ``padding`` (``"valid"`` or ``"same"``, the latter with ``implementation`` 2 or 3),
            ``data_format``, ``activation``, ``use_bias``, ``kernel_initializer``, ``bias_initializer``,
            ``kernel_regularizer``, ``bias_regularizer``, ``activity_regularizer``, ``kernel_constraint``,
            ``bias_constraint``, ``implementation`` (1, 2 or 3) as in :class:`LocallyConnected1D`, and
            base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``; sizes must be known.

    Output shape:
        ``(batch, new_rows, new_cols, filters)`` (or channels_first).

    Example:

    >>> layer = keras.layers.LocallyConnected2D(4, 3)
    >>> layer(np.random.rand(2, 8, 8, 3).astype("float32")).shape
    torch.Size([2, 6, 6, 4])
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, **kwargs)
