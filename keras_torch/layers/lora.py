"""LoRA (low-rank adaptation) of ``Dense``, ``EinsumDense`` and ``Embedding``, as Keras 3 does it.

``layer.enable_lora(rank)`` (or ``lora_rank=`` in the constructor, applied at the end of ``build``)
freezes the layer's kernel and adds two trainable float32 factors; from then on the layer computes with
the merged kernel ``kernel + (lora_alpha / lora_rank) * lora_kernel_a @ lora_kernel_b``, which is what
``layer.kernel`` (``layer.embeddings``) returns. In Keras layout ``lora_kernel_a`` has the kernel's
shape with its last axis replaced by the rank and ``lora_kernel_b`` is ``(rank, kernel.shape[-1])``.
torch stores them like peft's ``lora_A`` / ``lora_B``: ``lora_A`` with the rank axis first (``(rank, in)``
for Dense), ``lora_B`` as ``(out, rank)``; their records convert to and from the Keras layout.

Files follow Keras's ``save_own_variables`` / ``load_own_variables``: ``.keras`` and ``.weights.h5``
files store the merged kernel (and the bias) only, and loading one sets the factors to zero, so the
layer computes with the merged kernel it saved. Legacy ``.h5`` files list every weight, as Keras's
legacy writer does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch

from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.variables import WeightRecord
from keras_torch.layers.weight_protocol import WeightView

__all__ = ["LoraMixin", "LoraMergedView"]


def _rank_first(t: torch.Tensor) -> torch.Tensor:
    return t.movedim(-1, 0)


def _rank_last(t: torch.Tensor) -> torch.Tensor:
    return t.movedim(0, -1)


def _transpose(t: torch.Tensor) -> torch.Tensor:
    return t.t()


class LoraMixin:
    """``enable_lora`` for a layer whose weight ``_lora_target`` LoRA adapts (see the module docstring).

    A layer using it calls :meth:`_init_lora` in ``__init__`` and :meth:`_build_lora` at the end of
    ``build``, and computes with :meth:`lora_merged` of its stored kernel while :attr:`lora_enabled`.
    """

    _lora_target: ClassVar[str] = "kernel"  # Keras name of the adapted weight ("embeddings" for Embedding)
    _lora_noun: ClassVar[str] = "kernel"  # how Keras's constraint error names it ("embedding")

    lora_rank: int | None  # LoRA rank; None (or 0) in the constructor: no LoRA at build
    lora_alpha: float | None  # the delta is scaled by lora_alpha / lora_rank
    lora_enabled: bool = False  # whether the factors exist and the layer computes with the merged kernel
    _lora_base: WeightRecord | None = None  # record of the adapted weight, once LoRA is enabled

    def _init_lora(self, lora_rank: int | None, lora_alpha: float | None) -> None:
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    def _build_lora(self, keep_alpha: bool) -> None:
        """End of ``build``: enable LoRA if the constructor asked for it.

        Args:
            keep_alpha: Whether the constructor's ``lora_alpha`` is kept. Keras 3.15's ``Dense`` and
                ``Embedding`` call ``enable_lora(lora_rank)`` here, which resets ``lora_alpha`` to the rank;
                ``EinsumDense`` passes it on.
        """
        if self.lora_rank:
            self.built = True
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha if keep_alpha else None)

    def enable_lora(
        self,
        rank: int,
        lora_alpha: float | None = None,
        a_initializer: Any = "he_uniform",
        b_initializer: Any = "zeros",
    ) -> None:
        """Freeze the kernel and add the trainable low-rank factors ``lora_*_a`` and ``lora_*_b``.

        Args:
            rank: Rank of the factors.
            lora_alpha: Scale numerator (default: ``rank``, a scale of 1).
            a_initializer: Initializer of the first factor (Keras layout).
            b_initializer: Initializer of the second factor; zeros keep the merged kernel unchanged.

        Raises:
            ValueError: If the layer has a kernel constraint, is not built, or already has LoRA.
        """
        target = self._lora_target
        if getattr(self, f"{target}_constraint", None):
            raise ValueError(
                f"Lora is incompatible with {self._lora_noun} constraints. In order to enable lora on this layer, "
                f"remove the `{target}_constraint` argument. (layer '{self.name}')"
            )
        if not self.built:
            raise ValueError(f"Cannot enable lora on a layer that isn't yet built. (layer '{self.name}')")
        if self.lora_enabled:
            raise ValueError(
                f"lora is already enabled. This can only be done once per layer. (layer '{self.name}')"
            )
        base = next(r for r in self._keras_records if r.name == target)
        stored = self.stored_tensor(base)
        shape = tuple((base.to_keras(stored) if base.to_keras is not None else stored).shape)
        regularizer = getattr(self, f"{target}_regularizer", None)
        # float32 factors, whatever the kernel's dtype: Keras keeps them so against under/overflow in training.
        self.lora_A = self.add_weight(
            name=f"lora_{target}_a", shape=shape[:-1] + (rank,), initializer=a_initializer, dtype="float32",
            regularizer=regularizer, attr="lora_A", to_torch=_rank_first, to_keras=_rank_last,
        )
        self.lora_B = self.add_weight(
            name=f"lora_{target}_b", shape=(rank, shape[-1]), initializer=b_initializer, dtype="float32",
            regularizer=regularizer, attr="lora_B", to_torch=_transpose, to_keras=_transpose,
        )
        stored.requires_grad_(False)  # Keras's `kernel.trainable = False`: frozen where it stands in `weights`
        self._lora_base = base
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def lora_merged(self, stored: torch.Tensor) -> torch.Tensor:
        """``stored + (lora_alpha / lora_rank) * a @ b`` in ``stored``'s torch layout, in the compute dtype."""
        delta = torch.matmul(_rank_last(self.lora_A), self.lora_B.t())  # Keras layout, as Keras multiplies
        to_torch = self._lora_base.to_torch
        if to_torch is not None:
            delta = to_torch(delta)
        merged = stored + (self.lora_alpha / self.lora_rank) * delta
        return merged.to(to_torch_dtype(self.compute_dtype))

    def _lora_keras_merged(self) -> torch.Tensor:
        base = self._lora_base
        merged = self.lora_merged(self.stored_tensor(base))
        return base.to_keras(merged) if base.to_keras is not None else merged

    def _lora_config(self) -> dict[str, Any]:
        """The LoRA keys Keras writes in ``get_config`` (only when a rank is set)."""
        if not self.lora_rank:
            return {}
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha}

    # Keras's save_own_variables / load_own_variables: the merged kernel, factors reset on load.
    def keras_saved_weights(self) -> list[torch.Tensor]:
        if not self.lora_enabled:
            return super().keras_saved_weights()
        factors = (f"lora_{self._lora_target}_a", f"lora_{self._lora_target}_b")
        with torch.no_grad():
            merged = self._lora_keras_merged()
        return [merged if name == self._lora_target else w
                for name, w in zip(self.keras_weight_names(), self.keras_weights()) if name not in factors]

    def load_keras_saved_weights(self, arrays: Sequence[Any]) -> None:
        if not self.lora_enabled:
            super().load_keras_saved_weights(arrays)
            return
        factors = (f"lora_{self._lora_target}_a", f"lora_{self._lora_target}_b")
        names, current = self.keras_weight_names(), self.keras_weights()
        saved = [n for n in names if n not in factors]
        if len(arrays) != len(saved):
            raise ValueError(f"Layer '{self.name}' expected {len(saved)} saved variables ({saved}), "
                             f"but received {len(arrays)}.")
        given = iter(arrays)
        self.load_keras_weights([torch.zeros(w.shape) if n in factors else next(given)
                                 for n, w in zip(names, current)])


class LoraMergedView(WeightView):
    """The adapted weight as ``layer.kernel`` / ``layer.embeddings`` shows it: merged while LoRA is enabled."""

    def read(self, layer: Any, stored: torch.Tensor) -> torch.Tensor:
        return layer.lora_merged(stored) if layer.lora_enabled else stored
