"""Inference fusion of a functional graph: a convolution, the BatchNormalization after it, an ``Add``
of a residual and the activation that follows run as one convolution.

Why: in inference a BatchNormalization is a per-channel affine map, so it can be folded into the
convolution's kernel and bias (TensorFlow's grappler does the same for ``predict``); the residual
sum and a relu then ride on the convolution's output while it is still in cache (oneDNN post-ops on
the CPU). Each of these was a separate pass over the activation memory: at batch 32 a ResNet-50
spent about a fifth of its time in them.

Only used without autograd, outside export and training (``Graph.run`` decides), for chains whose
intermediate values nobody else reads; every call checks that the layers still allow it (no hooks,
one float dtype, shapes validated by an earlier unfused call) and otherwise runs them one by one.
The folded kernel is cached per weight version, so weights changed in place (``fit``,
``set_weights``) are folded again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import activations
from keras_torch.core import pending, tree
from keras_torch.core.context import CALL_CONTEXT, may_overwrite
from keras_torch.core.dtensor import is_sharded
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._padding import static_same_padding, to_channels_first, to_channels_last
from keras_torch.layers.activation_layers import ReLU
from keras_torch.layers.conv import BaseConv
from keras_torch.layers.core import Activation
from keras_torch.layers.merging import Add
from keras_torch.layers.normalization import BatchNormalization
from keras_torch.layers.reshaping import ZeroPadding2D
from keras_torch.layers.separable_conv import BaseDepthwiseConv

_FLOATS = (torch.float32, torch.float64)


def applies(training: Any) -> bool:
    """Whether a model call may run fused chains: no autograd, not training, not exporting, not traced
    by torch.compile or the TorchScript tracer (the callers check hooks themselves)."""
    return (not training and not torch.is_grad_enabled() and CALL_CONTEXT.export_mode is None
            and not torch.compiler.is_compiling() and not torch.jit.is_tracing())


def _conv_groups(layer: Any) -> int | None:
    """The groups of a plain (not subclassed-call, not LoRA/quantized) convolution, else ``None``."""
    cls = type(layer)
    if isinstance(layer, BaseConv) and cls.call is BaseConv.call:
        groups = layer.groups
    elif isinstance(layer, BaseDepthwiseConv) and cls.call is BaseDepthwiseConv.call:
        groups = getattr(layer, "_in_channels", None)
    else:
        return None
    if not layer.built or layer.padding == "causal":
        return None
    return groups


def _linear(conv: Any) -> bool:
    """A convolution without an activation of its own: what follows may fold into it."""
    return conv.activation is activations.linear


def _onednn_layout(conv: Any) -> bool:
    """2D channels_last: the oneDNN path's case, and so a convolution worth running alone as a chain
    (its kernel packed once instead of reordered per call: a third of the time of a large 1x1
    convolution at batch 1; its own relu as a post-op)."""
    return conv.rank == 2 and conv._channels_last


def _is_plain_bn(layer: Any, conv: Any) -> bool:
    return (
        type(layer) is BatchNormalization
        and layer.built
        and not layer.synchronized
        and layer._axis == (conv.rank + 1 if conv._channels_last else 1)
    )


def _post_activation(layer: Any) -> tuple[Callable[[torch.Tensor], torch.Tensor], bool] | None:
    """``(in-place function, is a plain relu)`` for an activation layer that may follow, else ``None``."""
    if type(layer) is Activation:
        fn = layer.activation
        return activations.inplace(fn) or fn, fn is activations.relu
    if type(layer) is ReLU and layer.negative_slope == 0.0 and layer.threshold == 0.0:
        if layer.max_value is None:
            return torch.relu_, True
        if layer.max_value == 6.0:
            return lambda x: F.hardtanh_(x, 0.0, 6.0), False
    return None


def _symmetric_pad(layer: Any, conv: Any) -> tuple[int, int] | None:
    """A ZeroPadding2D's per-side amounts when the valid convolution after it can pad the same way."""
    if type(layer) is not ZeroPadding2D or conv.rank != 2 or conv.padding != "valid":
        return None
    if layer.data_format != conv.data_format or any(a != b for a, b in layer._pairs):
        return None
    return layer._pairs[0][0], layer._pairs[1][0]


def _plain_kwargs(kwargs: dict) -> bool:
    """Call arguments a chain may drop: none, or ``mask=None`` / ``training=None|False`` as Keras 3
    files record them (a chain runs only outside training, where those mean the same)."""
    return all(k in ("mask", "training") and (v is None or v is False) for k, v in kwargs.items())


class FusedNode:
    """A pseudo-node of the fused graph: the chain, its inputs (the chain's first input and, with an
    ``Add``, the residual, which the chain may overwrite) and the chain's last output."""

    is_input = False

    def __init__(self, chain: FusedConv, call_args: tuple, output: KerasTensor) -> None:
        self.layer = chain
        self.call_args = call_args
        self.call_kwargs: dict = {}
        self.output_tensors = [output]


def fuse(nodes: list[Any], outputs: list[KerasTensor]) -> list[Any]:
    """The node list with each fusable chain replaced by one :class:`FusedNode` at its last node's place.

    A chain is ``[ZeroPadding2D] -> convolution -> [BatchNormalization] -> [Add] -> [activation]``
    (at least two of them) where each value is read once, by the next, and is no model output.

    Args:
        nodes: The graph's non-input nodes in execution order.
        outputs: The graph's outputs (never fused away).

    Returns:
        A new list; ``nodes`` itself when nothing fuses.
    """
    readers: dict[int, list[int]] = {}
    maker: dict[int, int] = {}
    for i, node in enumerate(nodes):
        for t in tree.flatten((node.call_args, node.call_kwargs)):
            if isinstance(t, KerasTensor):
                readers.setdefault(id(t), []).append(i)
        for t in node.output_tensors:
            maker[id(t)] = i
    kept = {id(t) for t in outputs}
    taken: set[int] = set()

    def only_reader(i: int) -> int | None:
        """The index of the one node that reads node ``i``'s single output, once (not yet in a chain)."""
        node = nodes[i]
        if len(node.output_tensors) != 1:
            return None
        out = node.output_tensors[0]
        users = readers.get(id(out), [])
        if len(users) != 1 or id(out) in kept or users[0] in taken:
            return None
        return users[0]

    def single_input(i: int | None) -> bool:
        if i is None:
            return False
        node = nodes[i]
        return _plain_kwargs(node.call_kwargs) and len(node.call_args) == 1 and isinstance(node.call_args[0], KerasTensor)

    fused_at: dict[int, FusedNode] = {}
    for i, node in enumerate(nodes):
        if i in taken or not single_input(i) or _conv_groups(node.layer) is None:
            continue
        conv, chain = node.layer, [i]
        pad = bn = add = act = None
        first_input = node.call_args[0]
        residual: KerasTensor | None = None
        residual_first = False
        p = maker.get(id(first_input))
        if p is not None and p not in taken and single_input(p) and only_reader(p) == i:
            if _symmetric_pad(nodes[p].layer, conv) is not None:
                pad = nodes[p].layer
                chain.insert(0, p)
                first_input = nodes[p].call_args[0]
        j = only_reader(i) if _linear(conv) else None
        if single_input(j) and _is_plain_bn(nodes[j].layer, conv):
            bn = nodes[j].layer
            chain.append(j)
            j = only_reader(j)
        if j is not None and type(nodes[j].layer) is Add and _plain_kwargs(nodes[j].call_kwargs):
            args = nodes[j].call_args
            pair = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else None
            last = nodes[chain[-1]].output_tensors[0]
            if pair is not None and len(pair) == 2 and all(isinstance(t, KerasTensor) for t in pair):
                if (pair[0] is last) != (pair[1] is last):
                    residual_first = pair[1] is last
                    residual = pair[0] if residual_first else pair[1]
                    add = nodes[j].layer
                    chain.append(j)
                    j = only_reader(j)
        if single_input(j) and _post_activation(nodes[j].layer) is not None:
            act = nodes[j].layer
            chain.append(j)
        if len(chain) == 1 and not _onednn_layout(conv):
            continue
        fused = FusedConv(conv, pad=pad, bn=bn, add=add, act=act, residual_first=residual_first)
        args = (first_input,) if residual is None else (first_input, residual)
        taken.update(chain)
        fused_at[chain[-1]] = FusedNode(fused, args, nodes[chain[-1]].output_tensors[0])
    if not fused_at:
        return nodes
    return [fused_at.get(i, node) for i, node in enumerate(nodes) if i not in taken or i in fused_at]


def fuse_layers(layers: list[Any]) -> list[tuple[int, int, FusedConv]]:
    """The fusable runs of a layer stack (a Sequential model): ``(start, stop, chain)`` per run of
    ``layers[start:stop]`` that ``chain`` replaces (no ``Add`` in a stack)."""
    runs = []
    i = 0
    while i < len(layers):
        conv = layers[i]
        if _conv_groups(conv) is None:
            i += 1
            continue
        start, stop = i, i + 1
        pad = bn = act = None
        if i > 0 and (not runs or runs[-1][1] < i) and _symmetric_pad(layers[i - 1], conv) is not None:
            pad, start = layers[i - 1], i - 1
        if stop < len(layers) and _linear(conv) and _is_plain_bn(layers[stop], conv):
            bn, stop = layers[stop], stop + 1
        if stop < len(layers) and _linear(conv) and _post_activation(layers[stop]) is not None:
            act, stop = layers[stop], stop + 1
        if stop - start > 1 or _onednn_layout(conv):
            runs.append((start, stop, FusedConv(conv, pad=pad, bn=bn, act=act)))
        i = stop
    return runs


class FusedConv:
    """Runs ``[ZeroPadding2D] -> conv -> [BatchNormalization] -> [Add residual] -> [activation]`` as one
    convolution (see the module docstring).

    Args:
        conv: The convolution layer (linear activation).
        pad: The symmetric ZeroPadding2D before it, or ``None``.
        bn: The BatchNormalization after it, or ``None``.
        add: The ``Add`` layer, or ``None``.
        act: The activation layer last, or ``None``.
        residual_first: Whether the residual was the ``Add``'s first input (for the unfused run).
    """

    _fresh_output = True  # new memory, or the donated residual (see Layer._fresh_output)

    def __init__(self, conv: Any, pad: Any = None, bn: Any = None, add: Any = None, act: Any = None,
                 residual_first: bool = False) -> None:
        self.conv, self.pad, self.bn, self.add, self.act = conv, pad, bn, add, act
        self.residual_first = residual_first
        self.layers = [lyr for lyr in (pad, conv, bn, add, act) if lyr is not None]
        self.groups = _conv_groups(conv)
        if act is not None:
            post = _post_activation(act)
        elif not _linear(conv):  # the convolution's own activation
            post = activations.inplace(conv.activation) or conv.activation, conv.activation is activations.relu
        else:
            post = None
        self.post, self.post_is_relu = post if post is not None else (None, False)
        self.bare = pad is None and bn is None and add is None and act is None  # a convolution alone
        self.validated: set[tuple] = set()  # input shapes an unfused call has checked
        self._folded: tuple | None = None  # (weights key, kernel, bias)
        self._packed: tuple | None = None  # (weights key, oneDNN kernel, bias): replaces _folded

    # ---------------------------------------------------------------- entry
    def __call__(self, x: Any, residual: Any = None, training: bool | None = None) -> Any:
        first = self.layers[0]._dtype_policy
        if type(x) is torch.Tensor and x.is_floating_point() and x.dtype != first.torch_compute_dtype and first.autocast:
            x = x.to(first.torch_compute_dtype)  # as the first layer's __call__ would
        shapes = (x.shape if type(x) is torch.Tensor else None,
                  residual.shape if type(residual) is torch.Tensor else None)
        if shapes in self.validated and self._may_fuse(x, residual):
            return self._fused(x, residual)
        out = self._unfused(x, residual, training)
        if type(out) is torch.Tensor and self._may_fuse(x, residual):
            if len(self.validated) >= 256:  # inputs of ever new sizes: forget, do not grow without bound
                self.validated.clear()
            self.validated.add(shapes)
        return out

    def _unfused(self, x: Any, residual: Any, training: bool | None) -> Any:
        kw = {} if training is None else {"training": training}
        y = self.pad(x, **kw) if self.pad is not None else x
        y = self.conv(y, **kw)
        if self.bn is not None:
            y = self.bn(y, **kw)
        if self.add is not None:
            y = self.add([residual, y] if self.residual_first else [y, residual], **kw)
        if self.act is not None:
            y = self.act(y, **kw)
        return y

    def _may_fuse(self, x: Any, residual: Any) -> bool:
        if type(x) is not torch.Tensor or x.dtype not in _FLOATS:
            return False
        for lyr in self.layers:
            if lyr._forward_hooks or lyr._forward_pre_hooks or lyr._activity_regularizer is not None:
                return False
            if lyr._remat_mode is not None:
                return False
        conv = self.conv
        if conv.weight.dtype != x.dtype or conv._dtype_policy.torch_compute_dtype != x.dtype:
            return False
        if is_sharded(conv.weight) or pending.any_created():  # a DTensor, or weights not split yet
            return False
        if self.bn is not None and any(t is not None and t.dtype != x.dtype for t in self._bn_tensors()):
            return False
        if self.add is not None:
            if type(residual) is not torch.Tensor or residual.dtype != x.dtype:
                return False
            if getattr(residual, "_keras_mask", None) is not None:
                return False
        return True

    def _bn_tensors(self) -> tuple:
        bn = self.bn
        return bn.running_mean, bn.running_var, bn.weight, bn.bias

    # ---------------------------------------------------------------- folding
    def _key(self) -> tuple:
        """Identifies the weights' current values: storage and in-place version of each tensor."""
        conv = self.conv
        tensors = (conv.weight, conv.bias) + (self._bn_tensors() if self.bn is not None else ())
        return tuple((t.data_ptr(), t._version) if t is not None else None for t in tensors)

    def _folded_weights(self, key: tuple) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The kernel and bias with the BatchNormalization folded in (Keras's inference formula
        ``(x - mean) * rsqrt(var + epsilon) * gamma + beta`` per output channel, in float64)."""
        if self._folded is not None and self._folded[0] == key:
            return self._folded[1], self._folded[2]
        conv, bn = self.conv, self.bn
        w, b = conv.weight.detach(), None if conv.bias is None else conv.bias.detach()
        if bn is not None:
            mean, var, gamma, beta = (None if t is None else t.detach().double() for t in self._bn_tensors())
            scale = torch.rsqrt(var + bn.epsilon)
            if gamma is not None:
                scale = scale * gamma
            shift = -mean * scale if beta is None else beta - mean * scale
            if b is not None:
                shift = shift + b.double() * scale
            cl = w.ndim == 4 and w.is_contiguous(memory_format=torch.channels_last)
            w = (w.double() * scale.view(-1, *([1] * (w.ndim - 1)))).to(conv.weight.dtype)
            if cl:
                w = w.contiguous(memory_format=torch.channels_last)
            b = shift.to(conv.weight.dtype)
        self._folded = (key, w, b)
        return w, b

    # ---------------------------------------------------------------- running
    def _fused(self, x: torch.Tensor, residual: torch.Tensor | None) -> torch.Tensor:
        if x.device.type == "cpu":
            out = self._onednn(x, residual)
            if out is not None:
                return out
        if self.bare:  # alone, only the oneDNN path differs from the layer's own call
            return self.conv.call(x)
        w, b = self._folded_weights(self._key())
        if self.pad is not None:
            x = F.pad(x, self.pad._pad)
        out = self.conv._run_conv(x, w, b, self.groups, self.conv.padding)
        if residual is not None:
            out.add_(residual)  # Add's sum (commutative: the same bits in either order)
        return self.post(out) if self.post is not None else out

    def _onednn(self, x: torch.Tensor, residual: torch.Tensor | None) -> torch.Tensor | None:
        """oneDNN convolution with the padding, bias, residual sum and relu in it (2D, channels_last,
        float32, symmetric padding), else ``None``. The sum goes into the residual's memory when the
        graph donated it (no new output, and no separate read of the residual)."""
        conv = self.conv
        if not _onednn_layout(conv) or x.dtype != torch.float32 or not _onednn_ok():
            return None
        if self.pad is not None:
            padding = list(_symmetric_pad(self.pad, conv))
        elif conv.padding == "same":
            pads = static_same_padding(tuple(x.shape[1:3]), conv.kernel_size, conv.strides, conv.dilation_rate)
            if any(left != right for left, right in pads):
                return None
            padding = [left for left, _ in pads]
        else:
            padding = [0, 0]
        xc = x.permute(to_channels_first(4))
        rc = None if residual is None else residual.permute(to_channels_first(4))
        cl = torch.channels_last
        if not xc.is_contiguous(memory_format=cl) or (rc is not None and not rc.is_contiguous(memory_format=cl)):
            return None
        stride, dilation, groups = list(conv.strides), list(conv.dilation_rate), self.groups
        key = self._key()
        packed = self._packed
        # Packed for the first input shape seen; oneDNN takes it for other batch sizes as fast (it
        # reorders when a shape wants another layout), so a changing batch size does not repack.
        if packed is None or packed[0] != key:
            w, b = self._folded_weights(key)
            kernel = torch._C._nn.mkldnn_reorder_conv2d_weight(
                w.contiguous().to_mkldnn(), padding, stride, dilation, groups, list(xc.shape))
            self._packed = packed = (key, kernel, b)
            self._folded = None  # the packed kernel replaces the folded one (a second copy of the weights)
        _, kernel, b = packed
        unary = "relu" if self.post_is_relu else None
        if rc is None:
            out = torch.ops.mkldnn._convolution_pointwise(
                xc, kernel, b, padding, stride, dilation, groups, unary or "none", [], "").permute(
                to_channels_last(4))
        elif may_overwrite(self, residual):
            torch.ops.mkldnn._convolution_pointwise_.binary(
                rc, xc, kernel, b, padding, stride, dilation, groups, "add", None, unary, [], None)
            out = residual
        else:
            out = torch.ops.mkldnn._convolution_pointwise.binary(
                xc, rc, kernel, b, padding, stride, dilation, groups, "add", None, unary, [], None).permute(
                to_channels_last(4))
        if self.post is not None and not self.post_is_relu:
            out = self.post(out)
        return out


@functools.cache
def _onednn_built() -> bool:
    return torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_convolution_pointwise")


def _onednn_ok() -> bool:
    return _onednn_built() and torch.backends.mkldnn.enabled
