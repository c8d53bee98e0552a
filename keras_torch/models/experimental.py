"""tf-keras 2's ``models.experimental``: ``SharpnessAwareMinimization``."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.models.model import Model
from keras_torch.trainers import data_adapter

__all__ = ["SharpnessAwareMinimization"]


def _split(value: Any, parts: int | None) -> list[Any]:
    if value is None:
        return [None] * (parts or 1)
    if parts is None:
        return [value]
    return list(torch.chunk(torch.as_tensor(value), parts))


@registry.register("SharpnessAwareMinimization", category="layers")
class SharpnessAwareMinimization(Model):
    """Sharpness-Aware Minimization (Foret et al., 2020) around a model, as tf-keras 2 trains it.

    Each training step computes the loss gradient, moves the weights by ``rho * g / ||g||`` (the
    locally worst direction), takes the gradient there (training mode), restores the weights and
    applies that gradient with the compiled optimizer. With ``num_batch_splits`` the batch is cut
    into equal parts whose gradients are summed. As in tf-keras the ``loss`` metric averages both
    loss evaluations of each split (at the weights and at the perturbed weights).

    Args:
        model: The model to train.
        rho: Size of the weight perturbation.
        num_batch_splits: Number of equal parts each batch is cut into (``None``: one).
        name: Model name.

    Example:

    >>> base = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> model = keras.models.experimental.SharpnessAwareMinimization(base, rho=0.05)
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((8, 3)), np.zeros((8, 1)), epochs=2, verbose=0)
    """

    def __init__(self, model: Model, rho: float = 0.05, num_batch_splits: int | None = None,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.model = model
        self.rho = rho
        self.num_batch_splits = num_batch_splits

    def call(self, inputs: Any, **kwargs: Any) -> Any:
        return self.model(inputs, **kwargs)

    def _loss(self, y: Any, y_pred: Any, sample_weight: Any) -> torch.Tensor:
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        with torch.no_grad():
            self._loss_tracker.update_state(loss, sample_weight=y_pred.shape[0])
        return loss

    def train_step(self, data: Any) -> dict[str, Any]:
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        variables = list(self.model.trainable_weights)
        total: list[torch.Tensor] | None = None
        predictions = []
        for xb, yb, swb in zip(_split(x, self.num_batch_splits), _split(y, self.num_batch_splits),
                               _split(sample_weight, self.num_batch_splits)):
            # tf-keras calls the model without `training` here: inference mode.
            pred = self(xb, training=False)
            predictions.append(pred.detach())
            grads = torch.autograd.grad(self._loss(yb, pred, swb), variables, allow_unused=True)
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads
                                                         if g is not None]))
            scale = self.rho / (norm + 1e-12)
            epsilons = [None if g is None else g * scale for g in grads]
            with torch.no_grad():
                for v, e in zip(variables, epsilons):
                    if e is not None:
                        v.add_(e)
            pred = self(xb, training=True)
            grads = torch.autograd.grad(self._loss(yb, pred, swb), variables, allow_unused=True)
            total = list(grads) if total is None else [a if b is None else (b if a is None else a + b)
                                                       for a, b in zip(total, grads)]
            with torch.no_grad():
                for v, e in zip(variables, epsilons):
                    if e is not None:
                        v.sub_(e)
        self.optimizer.apply(total, variables)
        with torch.no_grad():
            return self.compute_metrics(x, y, torch.cat(predictions), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "model": registry.serialize_keras_object(self.model, "layers"), "rho": self.rho,
                "num_batch_splits": self.num_batch_splits}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
                    ) -> SharpnessAwareMinimization:
        config = dict(config)
        config["model"] = registry.deserialize_keras_object(config["model"], "layers", custom_objects)
        return cls(**{k: v for k, v in config.items() if k in ("model", "rho", "num_batch_splits", "name")})
