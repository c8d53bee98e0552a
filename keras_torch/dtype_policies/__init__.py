"""``keras.dtype_policies``: the dtype policy classes and their (de)serialization.

The quantized policies of Keras 3 (``Int4DTypePolicy``, ``GPTQDTypePolicy``...) are listed in
:mod:`keras_torch.core.omissions`.
"""

from __future__ import annotations

from typing import Any

from keras_torch.core import omissions as _omissions
from keras_torch.core.dtype_policy import DTypePolicy, FloatDTypePolicy, global_policy, resolve_policy
from keras_torch.dtype_policies.policy_map import DTypePolicyMap

__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "deserialize", "get", "serialize"]

_CLASSES = {cls.__name__: cls for cls in (DTypePolicy, FloatDTypePolicy, DTypePolicyMap)}


def serialize(dtype_policy: DTypePolicy) -> dict[str, Any]:
    """The Keras 3 config dict of a policy (``{"module", "class_name", "config", "registered_name"}``).

    Args:
        dtype_policy: A :class:`DTypePolicy` (or subclass) instance.

    Returns:
        A JSON-serializable dict.
    """
    out = dtype_policy.serialize()
    out["class_name"] = type(dtype_policy).__name__
    return out


def deserialize(config: dict[str, Any], custom_objects: dict | None = None) -> DTypePolicy:
    """Rebuild a policy from :func:`serialize`'s output (or a Keras 2 ``{"class_name", "config"}``).

    Args:
        config: The config dict.
        custom_objects: Extra ``{name: class}`` for custom policy classes.

    Returns:
        The policy.

    Raises:
        ValueError: ``class_name`` is not a known policy class.
    """
    classes = {**_CLASSES, **(custom_objects or {})}
    name = config.get("class_name")
    if name not in classes:
        if _omissions.omission(f"dtype_policies.{name}") is not None:
            raise _omissions.NotProvidedError(_omissions.message(f"dtype_policies.{name}"))
        raise ValueError(f"Unknown dtype policy class: '{name}'. Expected one of {sorted(classes)}.")
    return classes[name].from_config(dict(config.get("config") or {}))


def get(identifier: Any) -> DTypePolicy:
    """A policy from a name (``"mixed_float16"``), a config dict, a policy, a dtype, or ``None`` (global policy).

    Args:
        identifier: What to interpret.

    Returns:
        A :class:`DTypePolicy`.

    Raises:
        ValueError: The identifier cannot be interpreted.
    """
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    try:
        return resolve_policy(identifier)
    except (TypeError, ValueError, KeyError) as err:
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
                         f"Received: dtype={identifier}") from err


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
