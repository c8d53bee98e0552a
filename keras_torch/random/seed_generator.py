"""``keras.random.SeedGenerator`` and how random ops turn a ``seed`` argument into a torch generator.

Seeding semantics (as Keras):

* an ``int`` seed is stateless: the same seed gives the same values on every call, in every process;
* a :class:`SeedGenerator` is stateful: each draw advances it, so successive calls differ while the
  whole sequence is reproducible from its initial seed;
* ``None`` draws from torch's global generator, which ``keras.utils.set_random_seed`` (Python,
  NumPy and torch) makes reproducible.
"""

from __future__ import annotations

import random as _python_random
from typing import Any

import torch

from keras_torch.core import naming
from keras_torch.core.variables import KerasVariable


def make_default_seed() -> int:
    """A fresh seed from Python's ``random`` (seeded by ``keras.utils.set_random_seed``)."""
    return _python_random.randint(1, int(1e9))


class SeedGenerator:
    """State of a reproducible stream of random draws: ``[seed, counter]``, advanced by each draw.

    Args:
        seed: Initial seed (an int); None draws one from Python's ``random``.
        name: Name of the generator (default: unique ``seed_generator_N``).
        **kwargs: Keras's ``backend`` argument is not supported (keras_torch has one backend).

    Raises:
        ValueError: for a non-int seed or unknown keyword arguments.

    Example:

    >>> gen = keras.random.SeedGenerator(seed=42)
    >>> a = keras.random.normal((2,), seed=gen)
    >>> b = keras.random.normal((2,), seed=gen)  # differs from a; the pair is reproducible
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or naming.uniquify("seed_generator")
        self._initial_seed = seed  # as given (None stays None in get_config)
        if seed is None:
            seed = make_default_seed()
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        if not -(2**63) <= seed < 2**63:  # the state is an int64 tensor
            raise ValueError(f"Argument `seed` must fit in 64 bits (a signed integer). Received: seed={seed}")
        self.state = KerasVariable(torch.tensor([seed, 0], dtype=torch.int64), requires_grad=False)
        self.state.__dict__["_keras_name"] = "seed_generator_state"

    def next(self, ordered: bool = True) -> torch.Tensor:
        """The current ``[seed, counter]`` (a copy); advances the state.

        Args:
            ordered: Increment the counter (True) or scramble the state (False).

        Returns:
            int64 tensor of shape ``(2,)``.
        """
        current = self.state.detach().clone()
        with torch.no_grad():
            if ordered:
                self.state[1] += 1
            else:
                self.state.copy_((self.state + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name} seed={self._initial_seed}>"


def draw_seed(seed: Any) -> torch.Tensor | None:
    """``[seed, counter]`` for an int or a :class:`SeedGenerator`; None for ``seed=None``.

    Raises:
        ValueError: for any other ``seed``.
    """
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, int) and not isinstance(seed, bool):
        return torch.tensor([seed, 0], dtype=torch.int64)
    if seed is None:
        return None
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
        f"Received: seed={seed} (of type {type(seed)})")


def torch_generator(seed: Any, device: torch.device | str | None = None) -> torch.Generator | None:
    """A torch generator seeded from ``seed`` (as Keras's torch backend seeds it), or None (the
    global generator) for ``seed=None``."""
    drawn = draw_seed(seed)
    if drawn is None:
        return None
    dev = torch.device(device) if device is not None else torch.empty(0).device
    gen = torch.Generator(device=dev)
    gen.manual_seed(int(drawn[0] + drawn[1]) & 0xFFFFFFFF)
    return gen
