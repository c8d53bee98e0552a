"""Categorical feature layers: CategoryEncoding, Discretization, Hashing, HashedCrossing.

Their outputs follow Keras 3 on its TensorFlow backend (the reference for these layers): the
same bins, hash values, dtypes and the same encoding of the ``one_hot``/``multi_hot``/``count``
modes (:func:`encode_categorical`). ``CategoryEncoding`` and ``Discretization`` are torch ops and
export; ``Hashing`` and ``HashedCrossing`` hash in Python (FarmHash / SipHash, bit-exact with
TensorFlow, see ``keras_torch.utils.fingerprint``) and refuse to be exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import check_int, check_numbers, register_layer
from keras_torch.layers._strings import is_string_data, refuse_export, to_model_device, to_string_array
from keras_torch.layers.base import Layer
from keras_torch.layers.preprocessing_layer import adapt_batches
from keras_torch.utils import fingerprint

__all__ = ["CategoryEncoding", "Discretization", "HashedCrossing", "Hashing", "encode_categorical"]

_DEFAULT_CROSS_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash_key
_INT64_MAX = (1 << 63) - 1


def check_mode(layer_or_name: Any, value: Any, allowed: Iterable[str], arg: str = "output_mode") -> None:
    """Raise the Keras error for a string argument outside ``allowed``, naming the layer."""
    allowed = tuple(allowed)
    if value not in allowed:
        who = layer_or_name if isinstance(layer_or_name, str) else type(layer_or_name).__name__
        raise ValueError(f"Invalid value for argument `{arg}` of {who}. Expected one of {list(allowed)}. "
                         f"Received: {arg}={value!r}")


def refuse_sparse(layer_name: str, sparse: bool) -> None:
    if sparse:
        raise ValueError(f"{layer_name}: `sparse=True` can only be used with the TensorFlow backend; keras_torch "
                         "returns dense tensors.")


def _scatter_counts(x: torch.Tensor, depth: int, binary: bool, dtype: torch.dtype,
                    weights: torch.Tensor | None) -> torch.Tensor:
    """``bincount`` along the last axis of a rank-1/2 index tensor; indices outside ``[0, depth)`` are dropped."""
    rows = x.reshape(1, -1) if x.ndim == 1 else x
    valid = (rows >= 0) & (rows < depth)
    idx = torch.where(valid, rows, torch.zeros_like(rows)).long()
    if weights is not None:
        w = weights.reshape(rows.shape)
        out_dtype = w.dtype
    else:
        w = torch.ones(rows.shape, dtype=torch.float64, device=x.device)
        out_dtype = dtype
    w = torch.where(valid, w.to(torch.float64), torch.zeros((), dtype=torch.float64, device=x.device))
    out = torch.zeros((rows.shape[0], depth), dtype=torch.float64, device=x.device).scatter_add_(1, idx, w)
    if binary:
        out = (out > 0).to(torch.float64)
    out = out.to(out_dtype)
    return out[0] if x.ndim == 1 else out


def _one_hot(x: torch.Tensor, depth: int, dtype: torch.dtype) -> torch.Tensor:
    """``tf.one_hot``: indices outside ``[0, depth)`` give all-zero rows."""
    valid = (x >= 0) & (x < depth)
    idx = torch.where(valid, x, torch.zeros_like(x)).long()
    return (torch.nn.functional.one_hot(idx, depth) * valid.unsqueeze(-1)).to(dtype)


def encode_categorical(inputs: torch.Tensor, output_mode: str, depth: int, dtype: Any,
                       count_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Keras's ``encode_categorical_inputs`` (TensorFlow backend) on an integer tensor.

    Args:
        inputs: Integer indices.
        output_mode: ``"int"`` (cast only), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        depth: Size of the encoded axis.
        dtype: Output dtype (the weights' dtype for weighted counts).
        count_weights: Per-index weights summed in ``"count"`` mode.

    Returns:
        ``one_hot``: a new last axis of size ``depth`` (a trailing axis of size 1 is replaced).
        ``multi_hot`` / ``count``: rank 1-2 inputs encode their last axis; higher ranks reduce
        axis 1 (as Keras does).
    """
    dtype = to_torch_dtype(dtype)
    if output_mode == "int":
        return inputs.to(dtype)
    x = inputs.long()
    if x.ndim == 0:
        x = x.unsqueeze(-1)
    if output_mode in ("multi_hot", "count") and x.ndim <= 2:
        return _scatter_counts(x, depth, output_mode == "multi_hot", dtype, count_weights)
    if output_mode == "one_hot":
        if x.ndim > 1 and x.shape[-1] == 1:
            x = x.squeeze(-1)
        return _one_hot(x, depth, dtype)
    encoded = _one_hot(x, depth, dtype)
    axis = 1 if x.ndim > 1 else 0
    if output_mode == "multi_hot":
        return encoded.amax(dim=axis)
    if count_weights is not None:
        encoded = encoded.to(count_weights.dtype) * count_weights.unsqueeze(-1)
    return encoded.sum(dim=axis)


def _int_tensor(x: Any) -> torch.Tensor:
    t = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if t.is_floating_point():
        t = t.to(torch.int64)  # Keras casts float features to int64 (truncation) before hashing
    return t


@register_layer()
class CategoryEncoding(Layer):
    """Encodes integer features as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: Number of categories; inputs must lie in ``[0, num_tokens)``.
        output_mode: ``"multi_hot"`` (default), ``"one_hot"`` or ``"count"`` (``"binary"`` is
            ``"multi_hot"``).
        sparse: Only ``False`` (TensorFlow returns ``SparseTensor`` s).

    Call arguments:
        inputs: Integer tensor.
        count_weights: Weights of each input in ``"count"`` mode.

    Input shape:
        ``(batch,)``, ``(batch, 1)`` or ``(batch, n)``.

    Output shape:
        ``(batch, num_tokens)`` (``one_hot`` of ``(batch, n)``: ``(batch, n, num_tokens)``).

    Example:

    >>> keras.layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 0]))
    tensor([[0., 0., 0., 1.],
            [1., 0., 0., 0.]])
    >>> keras.layers.CategoryEncoding(num_tokens=4, output_mode="count")(np.array([[0, 1, 1]]))
    tensor([[1., 2., 0., 0.]])
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        check_int(self.name, "num_tokens", num_tokens)
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        refuse_sparse(f"Layer '{self.name}'", sparse)
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs: torch.Tensor, count_weights: Any = None) -> torch.Tensor:
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                                 f"Received `count_weights={count_weights}`.")
            count_weights = torch.as_tensor(count_weights, dtype=self._dtype_policy.torch_compute_dtype)
        return encode_categorical(_int_tensor(inputs), self.output_mode, self.num_tokens,
                                  self._dtype_policy.torch_compute_dtype, count_weights)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if input_shape[-1] != 1 or len(input_shape) == 1:
                return input_shape + (self.num_tokens,)
            return input_shape[:-1] + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def compute_output_spec(self, inputs: Any, count_weights: Any = None) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}


# ----------------------------------------------------------------------------- Discretization
def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Keras's quantile summary of ``values``: ``[[boundaries], [weights]]`` about ``1 / epsilon`` wide."""
    values = np.sort(np.reshape(values, [-1]))
    elements = np.size(values)
    num_buckets = 1.0 / epsilon
    step = max(elements / num_buckets, 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Interpolate a summary down to about ``1 / epsilon`` bins (Keras's ``compress_summary``)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def merge_summaries(prev_summary: np.ndarray, next_summary: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)


@register_layer()
class Discretization(Layer):
    """Buckets continuous features by ranges: ``bin_boundaries`` or quantiles learned by :meth:`adapt`.

    Args:
        bin_boundaries: Sorted boundaries; ``x`` goes to bin ``i`` when
            ``bin_boundaries[i-1] <= x < bin_boundaries[i]``.
        num_bins: Number of bins :meth:`adapt` computes (instead of ``bin_boundaries``).
        epsilon: Error tolerance of the adapted quantiles.
        output_mode: ``"int"`` (bin index, int32), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: Only ``False``.
        name: Optional name of the layer.
        dtype: Output dtype (default: an integer dtype in ``"int"`` mode, floatx otherwise).

    Input shape:
        Any.

    Output shape:
        ``"int"``: the input shape; others: see :func:`encode_categorical`.

    Example:

    >>> layer = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer(np.array([[-1.5, 0.5, 1.0, 3.0]]))
    tensor([[0, 1, 2, 3]], dtype=torch.int32)
    """

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, dtype: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
                             f"`'count'`. Received: sparse={sparse} and output_mode={output_mode}")
        refuse_sparse(f"Layer '{self.name}'", sparse)
        check_mode(self, output_mode, ("int", "one_hot", "multi_hot", "count"))
        check_int(self.name, "num_bins", num_bins, allow_none=True)
        if bin_boundaries is not None and check_numbers(self.name, "bin_boundaries", bin_boundaries).ndim != 1:
            raise ValueError(f"Layer '{self.name}': `bin_boundaries` must be a flat list of numbers. "
                             f"Received: bin_boundaries={bin_boundaries!r}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary: np.ndarray | None = None if self.bin_boundaries else np.array([[], []], dtype="float32")
        self.built = True

    @property
    def output_dtype(self) -> str:
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Compute ``num_bins`` quantile boundaries of ``data`` (an array or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        for batch in adapt_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        elif hasattr(data, "numpy") and callable(data.numpy):
            data = data.numpy()
        data = np.array(data).astype("float32")
        self.summary = merge_summaries(summarize(data, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is None:
            return
        self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        x = torch.as_tensor(inputs)
        # TensorFlow's Bucketize keeps the boundaries as float32 and compares in the input's precision.
        boundaries = torch.tensor(self.bin_boundaries, dtype=torch.float32, device=x.device)
        if x.dtype == torch.float64:
            boundaries = boundaries.double()
        elif x.dtype != torch.float32:
            x = x.to(torch.float32)
        indices = torch.bucketize(x.contiguous(), boundaries, right=True)
        return encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1, self.output_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self) -> dict[str, Any]:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        # An adapted layer's config holds both `num_bins` and the learned `bin_boundaries`.
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = [float(b) for b in boundaries]
            return layer
        return cls(**config)


# ----------------------------------------------------------------------------- hashing
def _hash_strings(values: np.ndarray, num_bins: int, salt: list[int] | None) -> np.ndarray:
    """``to_hash_bucket_fast`` (or ``_strong`` with ``salt``) of each string, hashing each distinct value once."""
    uniques, inverse = np.unique(values.astype(object).ravel(), return_inverse=True)
    if salt is None:
        hashed = [fingerprint.fingerprint64(str(u)) % num_bins for u in uniques]
    else:
        hashed = [fingerprint.siphash64(salt, str(u)) % num_bins for u in uniques]
    return np.asarray(hashed, dtype=np.int64)[inverse].reshape(values.shape)


def _as_hash_input(x: Any, encoding: str, what: str) -> np.ndarray:
    """Strings as an object array of ``str``; numbers as their decimal text (floats truncated to int64)."""
    if is_string_data(x):
        return to_string_array(x, encoding, what)
    ints = _int_tensor(x).cpu().numpy().astype(np.int64)
    out = np.empty(ints.shape, dtype=object)
    out.ravel()[:] = [str(v) for v in ints.ravel().tolist()] if ints.size else []
    return out


@register_layer()
class Hashing(Layer):
    """Hashes strings or integers into ``num_bins`` bins, bit-exact with Keras (FarmHash ``Fingerprint64``).

    Integers (and floats, truncated to int64) are hashed as their decimal text, as Keras does.

    Args:
        num_bins: Number of bins (including the mask bin when ``mask_value`` is set).
        mask_value: A value mapped to bin 0 (other values then hash into ``[1, num_bins)``).
        salt: An int or two ints: use SipHash-2-4 keyed with them (``to_hash_bucket_strong``).
        output_mode: ``"int"`` (int64 bins), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: Only ``False``.

    Input shape:
        Strings or integers of any shape (see ``keras_torch.layers._strings``).

    Output shape:
        ``"int"``: the input shape; others: see :func:`encode_categorical`.

    Example:

    >>> layer = keras.layers.Hashing(num_bins=3)
    >>> layer(np.array([["A"], ["B"], ["C"]])).shape
    torch.Size([3, 1])
    """

    _takes_strings = True

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None, output_mode: str = "int",
                 sparse: bool = False, **kwargs: Any) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else _config.floatx()
        super().__init__(**kwargs)
        check_int(self.name, "num_bins", num_bins, allow_none=True)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        if output_mode == "int" and self._dtype_policy.name not in ("int32", "int64"):
            raise ValueError(f"When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             f"Received: dtype={kwargs['dtype']}")
        accepted = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in accepted:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {accepted}. Received: "
                             f"output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                             f"`\"count\"`. Received: sparse={sparse} and output_mode={output_mode}")
        refuse_sparse(f"Layer '{self.name}'", sparse)
        self.num_bins = int(num_bins)
        if mask_value is not None and not isinstance(mask_value, (str, bytes, int, float, np.generic)):
            raise ValueError(f"Layer '{self.name}': `mask_value` must be a single string or number. "
                             f"Received: mask_value={mask_value!r}")
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt: list[int] | None = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(
                    isinstance(s, int) and not isinstance(s, bool) for s in salt):
                self.salt = list(salt)
            elif isinstance(salt, int) and not isinstance(salt, bool):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")
        self.built = True

    def hash_values(self, inputs: Any) -> torch.Tensor:
        """The bin of every input value (int64, the shape of ``inputs``)."""
        values = _as_hash_input(inputs, "utf-8", f"Layer '{self.name}'")
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            raw = values if is_string_data(inputs) else _int_tensor(inputs).cpu().numpy()
            mask = np.asarray(raw == self.mask_value)
        hashed = _hash_strings(values, bins, self.salt)
        if mask is not None:
            hashed = np.where(mask, 0, hashed + 1)
        return torch.from_numpy(np.ascontiguousarray(hashed, dtype=np.int64))

    def call(self, inputs: Any) -> torch.Tensor:
        refuse_export(self)
        shape = np.shape(inputs) if not isinstance(inputs, torch.Tensor) else tuple(inputs.shape)
        if self.output_mode == "one_hot" and len(shape) > 0 and shape[-1] == 1:
            inputs = inputs.squeeze(-1) if isinstance(inputs, torch.Tensor) else np.squeeze(np.asarray(inputs), -1)
        return to_model_device(encode_categorical(self.hash_values(inputs), self.output_mode, self.num_bins,
                                                  self._dtype_policy.torch_compute_dtype))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if len(input_shape) == 0:
            return (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": self.sparse}


@register_layer()
class HashedCrossing(Layer):
    """Crosses two or more categorical features and hashes each combination, as ``tf.sparse.cross_hashed``.

    Args:
        num_bins: Number of hash bins.
        output_mode: ``"int"`` (int64 bins) or ``"one_hot"``.
        sparse: Only ``False``.
        name: Optional name of the layer.
        dtype: Dtype of the output for ``"one_hot"`` mode.

    Call arguments:
        inputs: A list/tuple of at least two integer or string features of equal shape ``()``,
            ``(batch,)`` or ``(batch, 1)``.

    Output shape:
        ``"int"``: the feature shape; ``"one_hot"``: ``(batch, num_bins)``.

    Input shape:
        A list of at least two features of equal shape.

    Example:

    >>> layer = keras.layers.HashedCrossing(num_bins=5)
    >>> layer([np.array([1, 2, 1]), np.array(["a", "b", "a"])]).shape
    torch.Size([3])
    """

    _takes_strings = True

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        refuse_sparse(f"Layer '{self.name}'", sparse)
        check_mode(self, output_mode, ("int", "one_hot"))
        self.num_bins = check_int(self.name, "num_bins", num_bins, min_value=1)
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _feature_hashes(self, x: Any) -> np.ndarray:
        """The per-value inputs of ``FingerprintCat64``: the int64 value itself, or a string's fingerprint."""
        if is_string_data(x):
            strings = to_string_array(x, "utf-8", f"Layer '{self.name}'")
            uniques, inverse = np.unique(strings.ravel(), return_inverse=True)
            prints = np.array([fingerprint.fingerprint64(u) for u in uniques], dtype=object)
            return prints[inverse].reshape(strings.shape)
        t = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
        if t.is_floating_point() or t.dtype == torch.bool:
            raise ValueError("All `HashedCrossing` inputs should have an integer or string dtype. Received: "
                             f"{t.dtype}")
        ints = t.cpu().numpy().astype(np.int64)
        return np.array([v & ((1 << 64) - 1) for v in ints.ravel().tolist()], dtype=object).reshape(ints.shape)

    def call(self, inputs: Any) -> torch.Tensor:
        refuse_export(self)
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: "
                             f"inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        features = [self._feature_hashes(x) for x in inputs]
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or `(batch_size, "
                             f"1)`. Received shapes: {[f.shape for f in features]}")
        if any(f.shape != shape for f in features[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received shapes: "
                             f"{[f.shape for f in features]}")
        modulus = self.num_bins if self.num_bins else _INT64_MAX
        crossed = []
        for values in zip(*(f.ravel().tolist() for f in features)):
            h = _DEFAULT_CROSS_KEY
            for v in values:
                h = fingerprint.fingerprint_cat64(h, v)
            crossed.append(h % modulus)
        out = torch.tensor(crossed, dtype=torch.int64).reshape(shape)
        return to_model_device(encode_categorical(out, self.output_mode, self.num_bins,
                                                  self._dtype_policy.torch_compute_dtype))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2 or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"Expected as input a list/tuple of 2 tensors. Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape([tuple(x.shape) for x in inputs]), self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}
