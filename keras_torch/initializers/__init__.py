"""Keras initializers (``keras.initializers``), producing torch tensors in **Keras layout**.

Layers initialise every weight in its Keras shape (so fans are Keras's) and only then convert it
to the torch-native layout they store.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import budget, registry
from keras_torch.core import config as _config

_CAT = "initializers"


def _dtype(dtype: Any) -> torch.dtype:
    from keras_torch.core.dtypes import to_torch_dtype

    return to_torch_dtype(dtype or _config.floatx())


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """Keras ``compute_fans``: receptive field × in/out channels (Keras layout, channels last)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


@registry.register("Initializer", "initializer", category=_CAT)
class Initializer:
    """Base class of initializers: ``initializer(shape, dtype=None)`` returns a tensor of initial values.

    Layers take them as ``kernel_initializer``, ``bias_initializer``...; keras_torch calls them with the
    Keras-layout shape of the weight (e.g. ``(input_dim, units)`` for a ``Dense`` kernel), so fan-in and
    fan-out are the ones Keras uses. Subclasses implement ``__call__(shape, dtype=None)`` and, to be
    saved with a model, ``get_config()``.

    Example:

    >>> class Constant3(keras.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return keras.ops.full(shape, 3.0, dtype=dtype)
    >>> layer = keras.layers.Dense(2, kernel_initializer=Constant3())
    >>> layer.build((None, 1))
    >>> layer.get_weights()[0]
    array([[3., 3.]], dtype=float32)
    """

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        config = dict(config)
        config.pop("dtype", None)  # Keras 1/2 files
        return cls(**config)

    def clone(self) -> Initializer:
        return type(self).from_config(self.get_config())


class _Seeded(Initializer):
    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._calls = 0

    def _generator(self) -> torch.Generator | None:
        if self.seed is None:
            return None
        # A seeded Keras initializer gives a different (but reproducible) value per call.
        g = torch.Generator().manual_seed(int(self.seed) + self._calls)
        self._calls += 1
        return g

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


@registry.register("Zeros", "zeros", "zero", category=_CAT)
class Zeros(Initializer):
    """Initializer that gives tensors of zeros.

    Example:

    >>> initializers.Zeros()((2, 2))
    tensor([[0., 0.],
            [0., 0.]])
    """

    def __call__(self, shape, dtype=None):
        return torch.zeros(tuple(shape), dtype=_dtype(dtype))


@registry.register("Ones", "ones", "one", category=_CAT)
class Ones(Initializer):
    """Initializer that gives tensors of ones.

    Example:

    >>> initializers.Ones()((2,))
    tensor([1., 1.])
    """

    def __call__(self, shape, dtype=None):
        return torch.ones(tuple(shape), dtype=_dtype(dtype))


@registry.register("Constant", "constant", category=_CAT)
class Constant(Initializer):
    """Initializer that gives tensors filled with one value.

    Args:
        value: A scalar (or an array broadcastable to the requested shape).

    Example:

    >>> initializers.Constant(3.0)((2,))
    tensor([3., 3.])
    """

    def __init__(self, value: Any = 0.0) -> None:
        if isinstance(value, int) and not -(2**63) <= value < 2**64:  # numpy would hold it as an object
            raise ValueError(f"Constant initializer: value {value} does not fit in 64 bits.")
        self.value = value

    def __call__(self, shape, dtype=None):
        return torch.broadcast_to(torch.as_tensor(np.asarray(self.value), dtype=_dtype(dtype)), tuple(shape)).clone()

    def get_config(self):
        v = self.value
        return {"value": v.tolist() if isinstance(v, np.ndarray) else v}


@registry.register("RandomNormal", "random_normal", "normal", category=_CAT)
class RandomNormal(_Seeded):
    """Initializer drawing from a normal distribution.

    Args:
        mean: Mean of the distribution.
        stddev: Standard deviation of the distribution.
        seed: An int for reproducible values (each call still draws new values, reproducibly), or None.

    Example:

    >>> w = initializers.RandomNormal(stddev=0.01, seed=1)((3, 4))
    >>> w.shape
    torch.Size([3, 4])
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        t = torch.empty(tuple(shape), dtype=torch.float32)
        t.normal_(self.mean, self.stddev, generator=self._generator())
        return t.to(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@registry.register("RandomUniform", "random_uniform", "uniform", category=_CAT)
class RandomUniform(_Seeded):
    """Initializer drawing from a uniform distribution on ``[minval, maxval)``.

    Args:
        minval: Lower bound.
        maxval: Upper bound.
        seed: An int for reproducible values (each call still draws new values, reproducibly), or None.

    Example:

    >>> w = initializers.RandomUniform(-1.0, 1.0, seed=1)((1000,))
    >>> bool(w.min() >= -1.0 and w.max() < 1.0)
    True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        t = torch.empty(tuple(shape), dtype=torch.float32)
        t.uniform_(self.minval, self.maxval, generator=self._generator())
        return t.to(_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(shape, mean: float, stddev: float, gen: torch.Generator | None) -> torch.Tensor:
    t = torch.empty(tuple(shape), dtype=torch.float32)
    # TF truncates at two standard deviations.
    torch.nn.init.trunc_normal_(t, mean, stddev, mean - 2 * stddev, mean + 2 * stddev, generator=gen)
    return t


@registry.register("TruncatedNormal", "truncated_normal", category=_CAT)
class TruncatedNormal(_Seeded):
    """Initializer drawing from a normal distribution truncated at two standard deviations from the mean.

    Args:
        mean: Mean of the distribution.
        stddev: Standard deviation before truncation.
        seed: An int for reproducible values (each call still draws new values, reproducibly), or None.

    Example:

    >>> w = initializers.TruncatedNormal(stddev=1.0, seed=1)((1000,))
    >>> bool(w.abs().max() <= 2.0)
    True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _truncated_normal(shape, self.mean, self.stddev, self._generator()).to(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@registry.register("VarianceScaling", "variance_scaling", category=_CAT)
class VarianceScaling(_Seeded):
    """Initializer whose scale adapts to the fans of the weight shape.

    The variance is ``scale / n`` with ``n`` the fan-in, the fan-out or their average (``mode``); the
    values come from a truncated normal, an untruncated normal or a uniform distribution of that
    variance. Fans follow Keras's layout: ``(..., in, out)`` with the receptive field multiplied in.

    Args:
        scale: Positive scaling factor.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal" (alias "normal"), "untruncated_normal" or "uniform".
        seed: An int for reproducible values (each call still draws new values, reproducibly), or None.
        input_axes: Accepted for Keras configs (EinsumDense fans); not used.
        output_axes: Accepted for Keras configs (EinsumDense fans); not used.

    Raises:
        ValueError: for a non-positive ``scale`` or an unknown ``mode`` or ``distribution``.

    Example:

    >>> init = initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=0)
    >>> bool(init((100, 10)).abs().max() <= (3 * 2.0 / 100) ** 0.5)
    True
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Any = None,
        output_axes: Any = None,
    ) -> None:
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected fan_in, fan_out or fan_avg.")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras 2 alias
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}.")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        denom = {"fan_in": max(1.0, fan_in), "fan_out": max(1.0, fan_out)}.get(
            self.mode, max(1.0, (fan_in + fan_out) / 2.0)
        )
        scale = self.scale / denom
        gen = self._generator()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            t = _truncated_normal(shape, 0.0, stddev, gen)
        elif self.distribution == "untruncated_normal":
            t = torch.empty(tuple(shape)).normal_(0.0, math.sqrt(scale), generator=gen)
        else:
            limit = math.sqrt(3.0 * scale)
            t = torch.empty(tuple(shape)).uniform_(-limit, limit, generator=gen)
        return t.to(_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _fixed_vs(name: str, scale: float, mode: str, distribution: str, summary: str, example: str) -> type:
    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        # Keras 3.15 configs carry input_axes/output_axes (used by EinsumDense fans): accepted.
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}

    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config})
    cls.__doc__ = (
        f"{summary}\n\n    ``VarianceScaling(scale={scale}, mode={mode!r}, distribution={distribution!r})``.\n\n"
        "    Args:\n"
        "        seed: An int for reproducible values (each call still draws new values, reproducibly), or None.\n"
        "        **kwargs: Accepted for Keras configs (``input_axes``/``output_axes``); not used.\n\n"
        f"    Example:\n\n{example}"
    )
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return registry.register(name, snake, category=_CAT)(cls)


GlorotUniform = _fixed_vs(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Glorot (Xavier) uniform initializer: uniform on ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``.",
    "    >>> w = initializers.GlorotUniform(seed=0)((20, 10))\n"
    "    >>> bool(w.abs().max() <= (6 / 30) ** 0.5)\n"
    "    True\n",
)
GlorotNormal = _fixed_vs(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Glorot (Xavier) normal initializer: truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``.",
    "    >>> initializers.GlorotNormal(seed=0)((20, 10)).shape\n"
    "    torch.Size([20, 10])\n",
)
HeUniform = _fixed_vs(
    "HeUniform", 2.0, "fan_in", "uniform",
    "He uniform initializer: uniform on ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``.",
    "    >>> w = initializers.HeUniform(seed=0)((24, 8))\n"
    "    >>> bool(w.abs().max() <= (6 / 24) ** 0.5)\n"
    "    True\n",
)
HeNormal = _fixed_vs(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "He normal initializer: truncated normal with ``stddev = sqrt(2 / fan_in)`` (suits ReLU layers).",
    "    >>> initializers.HeNormal(seed=0)((3, 3, 16, 32)).shape\n"
    "    torch.Size([3, 3, 16, 32])\n",
)
LecunUniform = _fixed_vs(
    "LecunUniform", 1.0, "fan_in", "uniform",
    "LeCun uniform initializer: uniform on ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``.",
    "    >>> w = initializers.LecunUniform(seed=0)((12, 4))\n"
    "    >>> bool(w.abs().max() <= (3 / 12) ** 0.5)\n"
    "    True\n",
)
LecunNormal = _fixed_vs(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "LeCun normal initializer: truncated normal with ``stddev = sqrt(1 / fan_in)`` (suits SELU layers).",
    "    >>> initializers.LecunNormal(seed=0)((12, 4)).shape\n"
    "    torch.Size([12, 4])\n",
)
registry.register("glorot_uniform", category=_CAT)(GlorotUniform)
registry.register("glorot_normal", category=_CAT)(GlorotNormal)
registry.register("he_uniform", category=_CAT)(HeUniform)
registry.register("he_normal", category=_CAT)(HeNormal)
registry.register("lecun_uniform", category=_CAT)(LecunUniform)
registry.register("lecun_normal", category=_CAT)(LecunNormal)


@registry.register("Orthogonal", "orthogonal", "OrthogonalInitializer", category=_CAT)
class Orthogonal(_Seeded):
    """Initializer giving an orthogonal matrix (QR decomposition of a normal sample), times ``gain``.

    Shapes of rank above 2 are treated as ``(prod(shape[:-1]), shape[-1])`` and reshaped back.

    Args:
        gain: Multiplicative factor.
        seed: An int for reproducible values (each call still draws new values, reproducibly), or None.

    Example:

    >>> w = initializers.Orthogonal(seed=0)((3, 3))
    >>> bool(ops.allclose(w @ w.T, ops.eye(3), atol=1e-5))
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape}")
        num_rows = int(np.prod(shape[:-1]))
        num_cols = shape[-1]
        flat = (max(num_cols, num_rows), min(num_cols, num_rows))
        # The QR's outputs and the scaled copy (the input is a counted factory), and its O(m n^2) work.
        what = f"Orthogonal initializer of shape {shape}"
        budget.charge(8 * (2 * flat[0] * flat[1] + flat[1] * flat[1]), what)
        budget.charge_work(flat[0] * flat[1] * flat[1], what)
        a = torch.empty(flat, dtype=torch.float64).normal_(0.0, 1.0, generator=self._generator())
        q, r = torch.linalg.qr(a)
        q = q * torch.sign(torch.diagonal(r))
        if num_rows < num_cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


@registry.register("Identity", "identity", "IdentityInitializer", category=_CAT)
class Identity(Initializer):
    """Initializer giving the identity matrix times ``gain`` (2-D shapes only; non-square ones get ones on
    the main diagonal).

    Args:
        gain: Multiplicative factor.

    Example:

    >>> initializers.Identity(gain=2.0)((2, 3))
    tensor([[2., 0., 0.],
            [0., 2., 0.]])
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer requires a 2D shape. Received: shape={tuple(shape)}")
        return (self.gain * torch.eye(*shape)).to(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


@registry.register("STFT", "STFTInitializer", "stft", category=_CAT)
class STFT(Initializer):
    """Keras 3 ``STFTInitializer``: windowed DFT basis (real or imaginary part) for conv kernels.

    ``shape`` is ``(frame_length, 1, fft_bins)`` with ``fft_bins = fft_length // 2 + 1``; the kernel
    is ``cos`` (real) or ``sin`` (imag) of ``-2 pi n k / fft_length``, times the window, divided by
    its L2 norm (``"density"``) or L1 norm (``"spectrum"``). ``periodic`` windows are the
    ``frame_length + 1`` symmetric window without its last point (scipy's ``fftbins=True``).

    Args:
        side: "real" (cosine basis) or "imag" (sine basis).
        window: A window name ("hann", "hamming", "blackman", "bartlett", "boxcar"), an array of
            ``frame_length`` values, or None.
        scaling: "density", "spectrum" or None (no normalization of the window).
        periodic: Use the periodic form of a named window.

    Example:

    >>> initializers.STFT(side="real", window="hann")((8, 1, 5)).shape
    torch.Size([8, 1, 5])
    """

    _WINDOWS = {"hann": np.hanning, "hanning": np.hanning, "hamming": np.hamming, "blackman": np.blackman,
                "bartlett": np.bartlett, "boxcar": np.ones, "ones": np.ones}

    def __init__(self, side: str = "real", window: Any = "hann", scaling: str | None = "density",
                 periodic: bool = False) -> None:
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str) and window not in self._WINDOWS:
            raise ValueError(f"Unknown window '{window}'. keras_torch supports {sorted(self._WINDOWS)} "
                             "(or pass the window values as an array).")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        frame_length, _, fft_bins = shape
        # numpy temporaries (phase, cos/sin, windowed kernel) in float64 at most, before they exist.
        budget.charge(4 * 8 * int(frame_length) * int(fft_bins), f"STFT initializer of shape {tuple(shape)}")
        fft_length = (fft_bins - 1) * 2
        torch_dtype = _dtype(dtype)
        # Keras's op order in the target precision (float32 phases differ from float64 by ~1e-6).
        dt = np.float32 if torch_dtype in (torch.float32, torch.float16, torch.bfloat16) else np.float64
        n = np.arange(frame_length, dtype=dt).reshape(frame_length, 1, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            freq = np.arange(fft_bins, dtype=dt).reshape(1, 1, fft_bins) / dt(fft_length)
            arg = (dt(-2) * n) * freq * np.arccos(dt(-1))
        kernel = np.cos(arg) if self.side == "real" else np.sin(arg)
        if self.window is not None:
            if isinstance(self.window, str):
                win = self._WINDOWS[self.window](frame_length + int(self.periodic))[:frame_length]
            else:
                win = np.asarray(self.window, dtype="float64")
            if win.ndim != 1 or win.shape[-1] != frame_length:
                raise ValueError(f"The shape of `window` must be equal to [frame_length]. Received: window shape={win.shape}")
            scale = 1.0
            if self.scaling == "density":
                scale = np.sqrt(np.sum(win**2))
            elif self.scaling == "spectrum":
                scale = np.sum(np.abs(win))
            kernel = kernel * win.astype(dt)[:, None, None] / dt(scale)
        return torch.as_tensor(kernel, dtype=torch_dtype)

    def get_config(self):
        return {"side": self.side, "window": self.window, "scaling": self.scaling, "periodic": self.periodic}


# Keras's lowercase spellings are the classes themselves (``keras.initializers.he_normal(seed=1)``).
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, identity, stft = VarianceScaling, Orthogonal, Identity, STFT
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
OrthogonalInitializer, IdentityInitializer, STFTInitializer = Orthogonal, Identity, STFT


def serialize(initializer: Any) -> Any:
    """Serialize an initializer to its Keras config.

    Args:
        initializer: An initializer instance.

    Returns:
        A dict ``{"module": ..., "class_name": ..., "config": ...}`` as Keras writes it.

    Example:

    >>> initializers.serialize(initializers.Constant(2.0))["class_name"]
    'Constant'
    """
    return registry.serialize_keras_object(initializer, _CAT)


def deserialize(config: Any, custom_objects: dict | None = None) -> Initializer:
    """Rebuild an initializer from a config dict or a name.

    Args:
        config: A config dict (as :func:`serialize` gives) or a registered name such as "he_normal".
        custom_objects: Extra ``{name: class}`` to look names up in.

    Returns:
        The initializer instance.

    Example:

    >>> type(initializers.deserialize("zeros")).__name__
    'Zeros'
    """
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="initializer")


def get(identifier: Any, custom_objects: dict | None = None) -> Initializer | None:
    """Resolve a string, config dict, Initializer, class or callable ``(shape, dtype) -> tensor``.

    Args:
        identifier: None, a name, a config dict, an initializer, an initializer class (instantiated
            with defaults), a callable ``(shape, dtype) -> tensor`` or a number (a :class:`Constant`).
        custom_objects: Extra ``{name: class}`` to look names up in.

    Returns:
        The initializer (None for None).

    Raises:
        ValueError: for an identifier of another type.

    Example:

    >>> type(initializers.get("glorot_uniform")).__name__
    'GlorotUniform'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, custom_objects)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    if isinstance(identifier, (int, float)):
        return Constant(identifier)
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
