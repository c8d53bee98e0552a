"""Distillation losses: how a teacher's outputs (or features) are compared with the student's."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch import losses, tree
from keras_torch.core import registry

CATEGORY = "distillation"


def _loss_function(item: Any) -> Any:
    if isinstance(item, str):
        return losses.get(item)
    return item


def _total(values: list[Any]) -> torch.Tensor:
    return torch.stack([torch.as_tensor(v, dtype=torch.float32) for v in values]).sum()


@registry.register("DistillationLoss", category=CATEGORY)
class DistillationLoss:
    """Base class of distillation losses: ``compute_loss(teacher_outputs, student_outputs)`` returns a scalar."""

    def compute_loss(self, teacher_outputs: Any, student_outputs: Any, **kwargs: Any) -> torch.Tensor:
        """The scalar loss between matching teacher and student outputs (subclasses implement it)."""
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs: Any, student_outputs: Any) -> None:
        """Raise ``ValueError`` unless teacher and student outputs have the same structure."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher: Any, student: Any) -> None:
        """Raise ``ValueError`` if this loss cannot distill ``teacher`` into ``student`` (default: any pair)."""


@registry.register("FeatureDistillation", category=CATEGORY)
class FeatureDistillation(DistillationLoss):
    """Match intermediate features (or final outputs) of teacher and student.

    Args:
        loss: Loss (name or callable, or a structure of them matching the outputs; ``None`` entries
            are skipped) applied as ``mean(loss(teacher_features, student_features))``.
        teacher_layer_name: Layer of the teacher whose output is distilled (default: final output).
        student_layer_name: Layer of the student trained to match it (default: final output).
    """

    def __init__(self, loss: Any = "mse", teacher_layer_name: str | None = None,
                 student_layer_name: str | None = None) -> None:
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = tree.map_structure(_loss_function, loss)
        if all(item is None for item in tree.flatten(self.loss)):
            raise ValueError("The `loss` argument in `FeatureDistillation` must contain at least one non-`None` "
                             "value.")

    def validate_model_compatibility(self, teacher: Any, student: Any) -> None:
        if self.teacher_layer_name is not None or self.student_layer_name is not None:
            subclassed = [role for role, model in (("teacher", teacher), ("student", student))
                          if getattr(model, "inputs", None) is None]
            if subclassed:
                raise ValueError("FeatureDistillation with specific layer names requires Functional or Sequential "
                                 f"models. The {' and '.join(subclassed)} model(s) appear to be subclassed (no "
                                 "symbolic inputs/outputs). Either use Functional/Sequential models, or use "
                                 "FeatureDistillation without layer names (to distill final outputs only), or use "
                                 "LogitsDistillation instead.")
        for role, model, name in (("teacher", teacher, self.teacher_layer_name),
                                  ("student", student, self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as err:
                    raise ValueError(f"In {role} model: {err}") from None

    def validate_outputs(self, teacher_outputs: Any, student_outputs: Any) -> None:
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as err:
            raise ValueError(f"Loss structure mismatch. Loss structure: {tree.structure(self.loss)}, Output "
                             f"structure: {tree.structure(teacher_outputs)}. Error: {err}") from None

    def compute_loss(self, teacher_outputs: Any, student_outputs: Any, **kwargs: Any) -> torch.Tensor:
        def apply(fn: Any, teacher: Any, student: Any) -> Any:
            return 0.0 if fn is None else torch.mean(fn(teacher, student))

        return _total(tree.flatten(tree.map_structure(apply, self.loss, teacher_outputs, student_outputs)))

    def get_config(self) -> dict[str, Any]:
        return {"loss": losses.serialize(self.loss), "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FeatureDistillation:
        config = dict(config)
        config["loss"] = losses.deserialize(config["loss"])
        return cls(**config)


@registry.register("LogitsDistillation", category=CATEGORY)
class LogitsDistillation(DistillationLoss):
    """Match the student's logits to the teacher's, both divided by a temperature.

    With a ``KLDivergence`` loss object the scaled logits go through a softmax and the loss is
    multiplied by ``temperature ** 2``; any other loss (including the default ``"kl_divergence"``
    name, which resolves to the plain function) is applied to the scaled logits, as Keras does.

    Args:
        temperature: Positive softening temperature.
        loss: Loss name, callable or structure of them (``None`` entries skipped).
    """

    def __init__(self, temperature: float = 3.0, loss: Any = "kl_divergence") -> None:
        self.temperature = temperature
        self.loss = tree.map_structure(_loss_function, loss)
        if all(item is None for item in tree.flatten(self.loss)):
            raise ValueError("At least one loss must be non-`None`.")
        if not isinstance(temperature, (int, float)):
            raise ValueError(f"temperature must be a number, got {type(temperature)}")
        if temperature <= 0.0:
            raise ValueError("temperature must be positive.")

    def compute_loss(self, teacher_outputs: Any, student_outputs: Any, **kwargs: Any) -> torch.Tensor:
        def scaled(x: Any) -> torch.Tensor:
            return torch.as_tensor(x) / self.temperature

        def apply(fn: Any, teacher: torch.Tensor, student: torch.Tensor) -> Any:
            if fn is None:
                return 0.0
            if isinstance(fn, losses.KLDivergence):
                loss = torch.mean(fn(torch.softmax(teacher, dim=-1), torch.softmax(student, dim=-1)))
                return loss * self.temperature**2
            return torch.mean(fn(teacher, student))

        values = tree.map_structure(apply, self.loss, tree.map_structure(scaled, teacher_outputs),
                                    tree.map_structure(scaled, student_outputs))
        return _total(tree.flatten(values))

    def get_config(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "loss": losses.serialize(self.loss)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LogitsDistillation:
        config = dict(config)
        config["loss"] = losses.deserialize(config["loss"])
        return cls(**config)
