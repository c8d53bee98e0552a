"""Audio spectrogram layers (Keras 3.15): ``STFTSpectrogram`` and ``MelSpectrogram``.

``STFTSpectrogram`` computes the STFT as strided 1D convolutions with (trainable) windowed DFT
kernels, like Keras; the kernels are stored in ``torch.nn.Conv1d`` layout (``fft_bins, 1,
frame_length``). ``MelSpectrogram`` has no weights: ``torch.stft`` of the reflect-padded signal
(Keras's ``center=True``), a mel filterbank (HTK formula, computed in float32 as Keras does) and
optionally decibels. (An ONNX export computes that DFT as a convolution, see ``MelSpectrogram._stft``.)
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch import initializers
from keras_torch.core.config import standardize_data_format
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.layers._args import check_float, check_numbers, check_size, register_layer
from keras_torch.layers._padding import resolve_same
from keras_torch.layers.base import Layer
from keras_torch.layers.conv import conv_output_length, conv_to_keras, conv_to_torch
from keras_torch.layers.input_spec import InputSpec

__all__ = ["STFTSpectrogram", "MelSpectrogram"]

_EPSILON = 1e-7  # keras.config.epsilon()
_MODES = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]
_FLOATS = (torch.float16, torch.float32, torch.float64)


@register_layer()
class STFTSpectrogram(Layer):
    """Short-time Fourier transform of each channel of a 1D signal, as a strided convolution.

    Args:
        mode: ``"log"`` (default; log magnitude), ``"magnitude"``, ``"psd"`` (power spectral
            density), ``"real"``, ``"imag"``, ``"angle"`` or ``"stft"`` (real and imaginary parts
            concatenated on the frequency axis).
        frame_length: Window length in samples (default 256).
        frame_step: Hop between frames (default ``frame_length // 2``), in ``[1, frame_length]``.
        fft_length: FFT size, >= ``frame_length`` (default: the next power of two).
        window: ``"hann"`` (default), ``"hamming"``, another window name, an array, or ``None``.
        periodic: Use the periodic window (default ``False``).
        scaling: ``"density"`` (default), ``"spectrum"`` or ``None``: how the window is normalized.
        padding: ``"valid"`` (default) or ``"same"`` (TensorFlow rule).
        expand_dims: Output one image-like axis per input channel instead of stacking channels.
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.

    Input shape:
        ``(batch, time, channels)`` (channels_last) or ``(batch, channels, time)``, float.

    Output shape:
        ``(batch, frames, channels * bins)``, ``(batch, channels * bins, frames)``, or with
        ``expand_dims`` ``(batch, frames, bins, channels)`` / ``(batch, channels, frames, bins)``;
        ``bins = fft_length // 2 + 1`` (twice that for ``"stft"``).

    Example:

    >>> layer = keras.layers.STFTSpectrogram(frame_length=256, frame_step=128, fft_length=256)
    >>> layer(np.random.rand(2, 1024, 1).astype("float32")).shape
    torch.Size([2, 7, 129])
    """

    def __init__(
        self,
        mode: str = "log",
        frame_length: int = 256,
        frame_step: int | None = None,
        fft_length: int | None = None,
        window: Any = "hann",
        periodic: bool = False,
        scaling: str | None = "density",
        padding: str = "valid",
        expand_dims: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        label = kwargs.get("name") if isinstance(kwargs.get("name"), str) else "STFTSpectrogram"  # not built yet
        check_size(label, "frame_length", frame_length)
        for arg, size in (("frame_step", frame_step), ("fft_length", fft_length)):
            if size is not None:
                check_size(label, arg, size)
        if not isinstance(periodic, bool):
            raise ValueError(f"Layer '{label}': `periodic` must be a bool. Received: periodic={periodic!r}")
        if window is not None and not isinstance(window, str):
            check_numbers(label, "window", window)
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than `frame_length`. Received "
                             f"frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. Received "
                             f"fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two. Received fft_length={fft_length}",
                          stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        if isinstance(window, str):
            initializers.STFT("real", window)  # rejects unknown window names now, not at build
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape: Any) -> None:
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        for side in ("real", "imag"):
            if self.mode != ("imag" if side == "real" else "real"):
                kernel = self.add_weight(
                    name=f"{side}_kernel", shape=shape,
                    initializer=initializers.STFT(side, window, self.scaling, self.periodic),
                    to_torch=conv_to_torch(1), to_keras=conv_to_keras(1),
                )
                setattr(self, f"{side}_kernel", kernel)

    def _apply_conv(self, inputs: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """Every channel through the kernel: (batch, channels, bins, frames)."""
        x = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        batch, channels, steps = x.shape
        x = x.reshape(batch * channels, 1, steps)
        padding: Any = 0
        if self.padding == "same":
            x, padding = resolve_same(x, slice(2, None), (self.frame_length,), (self._frame_step,), (1,), False)
        out = F.conv1d(x, kernel.to(x.dtype), None, self._frame_step, padding)
        return out.reshape(batch, channels, out.shape[1], out.shape[2])

    def _adjust_shapes(self, outputs: torch.Tensor) -> torch.Tensor:
        batch, channels, bins, frames = outputs.shape
        if self.expand_dims:
            return outputs.permute(0, 3, 2, 1) if self.data_format == "channels_last" else outputs.transpose(2, 3)
        flat = outputs.reshape(batch, channels * bins, frames)
        return flat.transpose(1, 2) if self.data_format == "channels_last" else flat

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dtype not in _FLOATS:
            raise TypeError(f"Invalid input type. Expected `float16`, `float32` or `float64`. Received: input "
                            f"type={str(inputs.dtype).replace('torch.', '')} (layer '{self.name}')")
        real = self._apply_conv(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._apply_conv(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._adjust_shapes(real)
        if self.mode == "imag":
            return self._adjust_shapes(imag)
        if self.mode == "angle":
            return self._adjust_shapes(torch.atan2(imag, real))
        if self.mode == "stft":
            return self._adjust_shapes(torch.cat([real, imag], 2))
        power = torch.square(real) + torch.square(imag)
        if self.mode == "psd":  # one-sided spectrum: the interior bins count twice
            return self._adjust_shapes(power + F.pad(power[:, :, 1:-1, :], (0, 0, 1, 1)))
        linear = self._adjust_shapes(torch.sqrt(torch.clamp(power, min=_EPSILON)))
        if self.mode == "magnitude":
            return linear
        return torch.log(torch.clamp(linear, min=_EPSILON))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        channels = shape[-1] if self.data_format == "channels_last" else shape[1]
        steps = shape[1] if self.data_format == "channels_last" else shape[-1]
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = conv_output_length(steps, self.frame_length, self._frame_step, 1, self.padding)
        if self.expand_dims:
            if self.data_format == "channels_last":
                return (shape[0], frames, bins, channels)
            return (shape[0], channels, frames, bins)
        total = None if channels is None else bins * channels
        return (shape[0], frames, total) if self.data_format == "channels_last" else (shape[0], total, frames)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "mode": self.mode,
            "frame_length": self.frame_length,
            "frame_step": self.frame_step,
            "fft_length": self.fft_length,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
            "padding": self.padding,
            "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        }


# HTK mel scale constants (Keras mel_spectrogram.py).
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(hertz: torch.Tensor) -> torch.Tensor:
    return _MEL_HIGH_FREQUENCY_Q * torch.log(1.0 + hertz / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float,
                                lower_edge_hertz: float, upper_edge_hertz: float) -> torch.Tensor:
    """Keras's ``(num_spectrogram_bins, num_mel_bins)`` triangular HTK filterbank, computed in float32.

    The DC bin gets no weight; each band rises linearly in mel from its lower edge to its center
    and falls to its upper edge, with peak 1.
    """
    f32 = torch.float32
    nyquist = torch.tensor(sampling_rate, dtype=f32) / 2.0
    linear = torch.linspace(0.0, float(nyquist), num_spectrogram_bins, dtype=f32)[1:]
    bins_mel = _hertz_to_mel(linear).unsqueeze(1)
    lo = _hertz_to_mel(torch.tensor(lower_edge_hertz, dtype=f32))
    hi = _hertz_to_mel(torch.tensor(upper_edge_hertz, dtype=f32))
    edges = torch.linspace(float(lo), float(hi), num_mel_bins + 2, dtype=f32)
    lower, center, upper = edges[:-2].unsqueeze(0), edges[1:-1].unsqueeze(0), edges[2:].unsqueeze(0)
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = torch.clamp(torch.minimum(lower_slopes, upper_slopes), min=0.0)
    return F.pad(weights, (0, 0, 1, 0))


@register_layer()
class MelSpectrogram(Layer):
    """Mel-scaled spectrogram of raw audio.

    Args:
        fft_length: FFT size (default 2048).
        sequence_stride: Hop between frames (default 512).
        sequence_length: Window length (default ``fft_length``), <= ``fft_length``.
        window: ``"hann"`` (default), ``"hamming"``, an array of ``sequence_length`` values, or ``None``.
        sampling_rate: Sample rate of the input in Hz (default 16000).
        num_mel_bins: Number of mel bands (default 128).
        min_freq: Lowest frequency of the mel bands, in Hz (default 20).
        max_freq: Highest frequency of the mel bands, in Hz (default ``sampling_rate / 2``).
        power_to_db: Return decibels (default ``True``).
        top_db: Dynamic range kept below the maximum (over the whole batch, as Keras), in dB.
        mag_exp: Exponent of the magnitude (2 = power spectrogram).
        min_power: Floor of the power before the log.
        ref_power: Power mapped to 0 dB.

    Input shape:
        ``(batch, samples)`` or ``(samples,)``.

    Output shape:
        ``(batch, num_mel_bins, frames)`` (or ``(num_mel_bins, frames)``) with
        ``frames = 1 + (samples + 2 * (fft_length // 2) - fft_length) // sequence_stride``.

    Example:

    >>> layer = keras.layers.MelSpectrogram(fft_length=512, sequence_stride=256, num_mel_bins=40)
    >>> layer(np.random.rand(2, 4096).astype("float32")).shape
    torch.Size([2, 40, 17])
    """

    def __init__(
        self,
        fft_length: int = 2048,
        sequence_stride: int = 512,
        sequence_length: int | None = None,
        window: Any = "hann",
        sampling_rate: int = 16000,
        num_mel_bins: int = 128,
        min_freq: float = 20.0,
        max_freq: float | None = None,
        power_to_db: bool = True,
        top_db: float = 80.0,
        mag_exp: float = 2.0,
        min_power: float = 1e-10,
        ref_power: float = 1.0,
        **kwargs: Any,
    ) -> None:
        label = kwargs.get("name") if isinstance(kwargs.get("name"), str) else "MelSpectrogram"  # not built yet
        for arg, size in (("fft_length", fft_length), ("sequence_stride", sequence_stride),
                          ("sequence_length", sequence_length), ("sampling_rate", sampling_rate),
                          ("num_mel_bins", num_mel_bins)):
            if size is not None or arg != "sequence_length":
                check_size(label, arg, size)
        # as floats: torch's arithmetic overflows on a Python int beyond int64 (mag_exp=2**64)
        min_freq, max_freq, top_db, mag_exp, min_power, ref_power = (
            check_float(label, arg, value, allow_none=arg in ("max_freq", "top_db"))
            for arg, value in (("min_freq", min_freq), ("max_freq", max_freq), ("top_db", top_db),
                               ("mag_exp", mag_exp), ("min_power", min_power), ("ref_power", ref_power)))
        if window is not None and not isinstance(window, str):
            raise ValueError(f"Layer '{label}': `window` must be 'hann', 'hamming' or None. Received: window={window!r}")
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to  `sequence_length`. Received: "
                             f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}.")
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError(f'If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                             f"Received: window={window}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)
        self._mel: dict[tuple, torch.Tensor] = {}  # (device, dtype) -> filterbank, built on first use

    def _window(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor | None:
        """The analysis window centered in ``fft_length`` samples (TensorFlow's periodic windows)."""
        n = self.sequence_length
        if self.window is None:
            return None
        if self.window == "hann":
            win = torch.hann_window(n, periodic=True, dtype=dtype, device=device)
        elif self.window == "hamming":
            win = torch.hamming_window(n, periodic=True, dtype=dtype, device=device)
        else:
            win = torch.as_tensor(np.asarray(self.window), dtype=dtype, device=device)
            if win.ndim != 1 or win.shape[0] != n:
                raise ValueError(f"The shape of `window` must be equal to [sequence_length].Received: window "
                                 f"shape={tuple(win.shape)} (layer '{self.name}')")
        left = (self.fft_length - n) // 2
        return F.pad(win, (left, self.fft_length - n - left))

    def _filterbank(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        key = (device, dtype)
        if key not in self._mel:
            matrix = linear_to_mel_weight_matrix(self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate,
                                                 self.min_freq, self.max_freq)
            self._mel[key] = matrix.to(device=device, dtype=dtype)
        return self._mel[key]

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        compute = inputs.dtype if inputs.dtype in (torch.float32, torch.float64) else torch.float32
        x = inputs.to(compute)
        single = x.ndim == 1
        flat = x.reshape(-1, x.shape[-1])
        pad = self.fft_length // 2
        flat = F.pad(flat.unsqueeze(1), (pad, pad), mode="reflect")[:, 0]
        window = self._window(compute, x.device)
        if window is None:
            window = torch.ones(self.fft_length, dtype=compute, device=x.device)
        real, imag = self._stft(flat, window)
        spec = torch.sqrt(torch.square(real) + torch.square(imag))
        spec = torch.pow(spec, self.mag_exp).transpose(1, 2)  # (batch, frames, bins)
        out = torch.matmul(spec, self._filterbank(compute, x.device))
        if self.power_to_db:
            out = self._dbscale(out)
        out = out.transpose(-1, -2).reshape(*x.shape[:-1], self.num_mel_bins, -1)
        if single:
            out = out.reshape(self.num_mel_bins, -1)
        return out.to(inputs.dtype if inputs.dtype.is_floating_point else self.compute_dtype)

    def _stft(self, frames: torch.Tensor, window: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Real and imaginary parts (batch, bins, frames) of the windowed FFT of ``frames`` (batch, samples).

        ``torch.stft`` in eager calls. ONNX export (whose exporter takes no complex tensors) computes the
        same DFT as a strided convolution with windowed cosine / sine kernels.
        """
        if CALL_CONTEXT.export_mode is None:
            spec = torch.stft(frames, self.fft_length, self.sequence_stride, self.fft_length, window, center=False,
                              return_complex=True)
            return spec.real, spec.imag
        n = self.fft_length
        arg = 2.0 * math.pi * np.outer(np.arange(n // 2 + 1), np.arange(n)) / n
        kernels = torch.as_tensor(np.stack([np.cos(arg), -np.sin(arg)]), dtype=frames.dtype, device=frames.device)
        out = F.conv1d(frames.unsqueeze(1), (kernels * window).reshape(-1, 1, n), stride=self.sequence_stride)
        return out[:, : n // 2 + 1], out[:, n // 2 + 1:]

    def _dbscale(self, x: torch.Tensor) -> torch.Tensor:
        log_spec = 10.0 * torch.log10(torch.clamp(x, min=self.min_power))
        ref = torch.abs(torch.tensor(self.ref_power, dtype=x.dtype, device=x.device))
        log_spec = log_spec - 10.0 * torch.log10(torch.clamp(ref, min=self.min_power))
        if self.top_db is None:  # Keras: no floor
            return log_spec
        return torch.maximum(log_spec, torch.amax(log_spec) - self.top_db)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        samples = shape[-1]
        frames = None if samples is None else 1 + (samples + 2 * (self.fft_length // 2) - self.fft_length) \
            // self.sequence_stride
        return (*shape[:-1], self.num_mel_bins, frames)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length,
            "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "power_to_db": self.power_to_db,
            "top_db": self.top_db,
            "mag_exp": self.mag_exp,
            "min_power": self.min_power,
            "ref_power": self.ref_power,
        }
