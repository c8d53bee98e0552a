"""``keras.mixed_precision``: global dtype policy → ``torch.autocast`` in fit/evaluate/predict.

Under ``mixed_float16``/``mixed_bfloat16`` variables stay float32 and the train/test/predict
steps run inside ``torch.autocast``; float16 training also scales the loss (``GradScaler``).
"""

from __future__ import annotations

from typing import Any

from keras_torch.core.dtype_policy import GLOBAL_POLICY as _GLOBAL_POLICY
from keras_torch.core.dtype_policy import DTypePolicy

Policy = DTypePolicy


def set_global_policy(policy: Any) -> None:
    """Set the policy for layers created afterwards (``"mixed_float16"``, ``"float32"``...)."""
    name = policy.name if isinstance(policy, DTypePolicy) else (None if policy is None else str(policy))
    if name is not None:
        DTypePolicy(name)  # validates the name
    _GLOBAL_POLICY["name"] = name


def global_policy() -> DTypePolicy:
    return DTypePolicy(_GLOBAL_POLICY["name"])


def dtype_policy() -> DTypePolicy:
    return global_policy()


def set_dtype_policy(policy: Any) -> None:
    set_global_policy(policy)


class LossScaleOptimizer:
    """Accepted for tf.keras scripts; keras_torch scales float16 losses inside ``fit`` itself."""

    def __new__(cls, inner_optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return inner_optimizer
