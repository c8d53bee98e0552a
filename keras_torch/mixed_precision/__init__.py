"""``keras.mixed_precision``: global dtype policy → ``torch.autocast`` in fit/evaluate/predict.

Under ``mixed_float16``/``mixed_bfloat16`` variables stay float32 and the train/test/predict
steps run inside ``torch.autocast``; float16 training also scales the loss (``GradScaler``).
"""

from __future__ import annotations

from typing import Any

from keras_torch.core.dtype_policy import DTypePolicy, global_policy, set_global_policy

Policy = DTypePolicy
dtype_policy = global_policy
set_dtype_policy = set_global_policy


class LossScaleOptimizer:
    """Accepted for tf.keras scripts; keras_torch scales float16 losses inside ``fit`` itself."""

    def __new__(cls, inner_optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return inner_optimizer
