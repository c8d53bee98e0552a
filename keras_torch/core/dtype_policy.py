"""Keras dtype policies: the variable dtype and the compute dtype of a layer (``mixed_float16``...)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config as _config
from keras_torch.core.dtypes import dtype_name, to_torch_dtype


class DTypePolicy:
    """A dtype policy: the dtype of a layer's variables and the dtype of its computations.

    ``"float32"`` (the default), ``"float16"`` or ``"bfloat16"`` use one dtype for both;
    ``"mixed_float16"`` / ``"mixed_bfloat16"`` keep float32 variables and compute in half precision
    (set one globally with ``keras.mixed_precision.set_global_policy`` or per layer with ``dtype=``).

    Args:
        name: Policy name: a dtype (``"float32"``, ``"float16"``, ``"bfloat16"``, ``"float64"``) or
            ``"mixed_float16"`` / ``"mixed_bfloat16"``. Default: the global policy's name.

    Example:

    >>> policy = keras.DTypePolicy("mixed_float16")
    >>> policy.variable_dtype, policy.compute_dtype
    ('float32', 'float16')
    >>> keras.layers.Dense(4, dtype=policy).dtype_policy.name
    'mixed_float16'
    """

    def __init__(self, name: str | None = None) -> None:
        name = name or _config.floatx()
        self.name = name
        if name.startswith("mixed_"):
            self.compute_dtype, self.variable_dtype = name[len("mixed_") :], "float32"
        else:
            self.compute_dtype = self.variable_dtype = dtype_name(name)
        self.torch_compute_dtype = to_torch_dtype(self.compute_dtype)
        # Mixed policies keep float32 inputs and weights; torch.autocast (set up by the trainer)
        # runs the ops in the compute dtype, as Keras's mixed precision does.
        self.autocast = self.compute_dtype == self.variable_dtype
        self.is_mixed = not self.autocast

    # Quantized policies (int8_from_float32...) are not provided; see core/omissions.py.
    quantization_mode: str | None = None

    def serialize(self) -> Any:
        return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": self.name}, "registered_name": None}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        # Keras: a plain policy equals a plain policy of the same name (FloatDTypePolicy is plain).
        plain = (DTypePolicy, FloatDTypePolicy)
        if type(self) in plain:
            return type(other) in plain and self.name == other.name
        return type(other) is type(self) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


class FloatDTypePolicy(DTypePolicy):
    """Keras's alias of :class:`DTypePolicy` (kept for files and scripts that name it).

    Example:

    >>> keras.FloatDTypePolicy("bfloat16").compute_dtype
    'bfloat16'
    """


GLOBAL_POLICY: dict[str, str | None] = {"name": None}


def set_global_policy(policy: Any) -> None:
    """Set the policy of layers created afterwards (a name such as ``"mixed_float16"`` or a policy).

    Args:
        policy: A policy name, a :class:`DTypePolicy`, or ``None`` to go back to ``floatx()``.

    Raises:
        ValueError: The name is not a float dtype or a ``mixed_*`` policy.
    """
    name = policy.name if isinstance(policy, DTypePolicy) else (None if policy is None else str(policy))
    if name is not None:
        DTypePolicy(name)  # validates the name
    GLOBAL_POLICY["name"] = name


def global_policy() -> DTypePolicy:
    """The policy new layers get (``DTypePolicy(floatx())`` unless one was set).

    Returns:
        A ``keras.DTypePolicy``.
    """
    return DTypePolicy(GLOBAL_POLICY["name"])


def resolve_policy(dtype: Any) -> DTypePolicy:
    if isinstance(dtype, DTypePolicy):
        return dtype
    if dtype is None:
        return DTypePolicy(GLOBAL_POLICY["name"])
    if isinstance(dtype, dict):
        cfg = dtype.get("config", {})
        return DTypePolicy(cfg.get("name", "float32"))
    if isinstance(dtype, torch.dtype) or not isinstance(dtype, str):
        return DTypePolicy(dtype_name(dtype))
    return DTypePolicy(dtype)


