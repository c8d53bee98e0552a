"""``keras.random``: seeded random tensors on torch (every public name of Keras 3.15's ``keras.random``)."""

from keras_torch.random.random import (
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from keras_torch.random.seed_generator import SeedGenerator

__all__ = [
    "SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal", "randint", "shuffle",
    "truncated_normal", "uniform",
]
