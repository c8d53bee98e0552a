"""``Distiller``: a model that trains a student to match a frozen teacher (Keras 3.15's algorithm)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch import metrics, tree
from keras_torch.core import registry
from keras_torch.distillation.distillation_loss import CATEGORY, _loss_function
from keras_torch.layers import Layer
from keras_torch.models import Model, Sequential

_FINAL = "final_output"


def _check_shapes(teacher: Any, student: Any, context: str) -> None:
    shape1, shape2 = tuple(teacher.shape), tuple(student.shape)
    if len(shape1) != len(shape2):
        raise ValueError(f"Teacher and student {context} shapes have different dimensions. Teacher: {shape1}, "
                         f"Student: {shape2}.")
    if any(a is not None and b is not None and a != b for a, b in zip(shape1, shape2)):
        raise ValueError(f"Teacher and student {context} shapes are incompatible. Teacher: {shape1}, Student: "
                         f"{shape2}. All dimensions must match.")


def _check_dtypes(teacher: Any, student: Any, context: str) -> None:
    if teacher.dtype != student.dtype:
        raise ValueError(f"Teacher and student {context} dtypes must match. Teacher: {teacher.dtype}, Student: "
                         f"{student.dtype}.")


@registry.register("Distiller", category="layers")
class Distiller(Model):
    """Trains ``student`` on ``(1 - w) * distillation_loss + w * student_loss`` against a frozen ``teacher``.

    Calling the distiller calls the student. ``compile(loss=...)`` sets the student's loss on the
    labels; ``fit`` logs ``student_loss``, ``distillation_loss`` and ``total_loss`` besides ``loss``
    and the compiled metrics. Feature distillation losses with layer names read those layers'
    outputs through functional feature extractors (teacher in inference mode, student training).

    Args:
        teacher: Trained ``keras.Model`` (made non-trainable).
        student: ``keras.Model`` to train; inputs and outputs must have the teacher's shapes and dtypes.
        distillation_losses: A ``DistillationLoss`` or a list of them.
        distillation_loss_weights: One weight per distillation loss (default: 1.0 each).
        student_loss_weight: Weight ``w`` in ``[0, 1]`` of the student loss.
        name: Model name.
        **kwargs: ``Model`` arguments.
    """

    def __init__(self, teacher: Model, student: Model, distillation_losses: Any,
                 distillation_loss_weights: list[float] | None = None, student_loss_weight: float = 0.5,
                 name: str = "distiller", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        for role, model in (("Teacher", teacher), ("Student", student)):
            if not isinstance(model, Model):
                raise ValueError(f"{role} must be a keras.Model, got {type(model)}")
        self._validate_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if not isinstance(student_loss_weight, (int, float)):
            raise ValueError(f"student_loss_weight must be a number, got {type(student_loss_weight)}")
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError(f"student_loss_weight must be between 0.0 and 1.0, got {student_loss_weight}")
        self.student_loss_weight = student_loss_weight
        if distillation_losses is None:
            raise ValueError("'distillation_losses' cannot be `None`. Provide a distillation loss (e.g., "
                             "LogitsDistillation or FeatureDistillation) or a list of distillation losses.")
        if not isinstance(distillation_losses, (list, tuple)):
            distillation_losses, distillation_loss_weights = [distillation_losses], [1.0]
        elif distillation_loss_weights is None:
            distillation_loss_weights = [1.0] * len(distillation_losses)
        elif len(distillation_loss_weights) != len(distillation_losses):
            raise ValueError(f"Number of distillation_loss_weights ({len(distillation_loss_weights)}) must match "
                             f"number of distillation_losses ({len(distillation_losses)})")
        self.distillation_losses = list(distillation_losses)
        self.distillation_loss_weights = list(distillation_loss_weights)
        for loss in self.distillation_losses:
            loss.validate_model_compatibility(teacher, student)
        self._teacher_feature_extractor = self._feature_extractor(teacher, "teacher_layer_name")
        self._student_feature_extractor = self._feature_extractor(student, "student_layer_name")
        self.teacher.trainable = False
        self.student_loss_tracker = metrics.Mean(name="student_loss")
        self.distillation_loss_tracker = metrics.Mean(name="distillation_loss")
        self.total_loss_tracker = metrics.Mean(name="total_loss")
        self._student_loss: Any = None  # set by compile()

    @staticmethod
    def _validate_models(teacher: Model, student: Model) -> None:
        t_in, s_in = getattr(teacher, "inputs", None), getattr(student, "inputs", None)
        if t_in is None or s_in is None:
            return
        tree.map_structure(lambda a, b: _check_shapes(a, b, "input"), t_in, s_in)
        t_out, s_out = getattr(teacher, "outputs", None), getattr(student, "outputs", None)
        if t_out is not None and s_out is not None:
            tree.map_structure(lambda a, b: _check_shapes(a, b, "output"), t_out, s_out)
        tree.map_structure(lambda a, b: _check_dtypes(a, b, "input"), t_in, s_in)
        if t_out is not None and s_out is not None:
            tree.map_structure(lambda a, b: _check_dtypes(a, b, "output"), t_out, s_out)

    def _feature_extractor(self, model: Model, attribute: str) -> Model | None:
        names: list[str] = []
        for loss in self.distillation_losses:
            name = getattr(loss, attribute, None)
            if name and name not in names:
                names.append(name)
        if not names:
            return None
        if getattr(model, "inputs", None) is None:
            raise ValueError(f"Cannot create feature extractor for {model.name}. The model has no symbolic inputs "
                             "attribute.")
        final = model.layers[-1].output if isinstance(model, Sequential) else model.output
        outputs = {_FINAL: final, **{name: model.get_layer(name=name).output for name in names}}
        return Model(inputs=model.inputs, outputs=outputs, name=f"{model.name}_multi_feature_extractor")

    def compile(self, optimizer: Any = "adam", loss: Any = None, metrics: Any = None, **kwargs: Any) -> None:
        """Compile with the student's ``loss`` (required; labels vs student outputs) and optional ``metrics``."""
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        self._student_loss = tree.map_structure(_loss_function, loss)
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        return self.student(inputs, training=training, **kwargs)

    def _features(self, loss: Any, features: dict[str, Any], attribute: str) -> Any:
        name = getattr(loss, attribute) or _FINAL
        if name not in features:
            raise ValueError(f"Layer '{name}' not found in extracted features. Available: {list(features)}")
        return features[name]

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                     training: bool = True) -> torch.Tensor:
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss: Any = 0.0
        if self.student_loss_weight > 0.0 and y is not None:
            values = tree.flatten(tree.map_structure(lambda fn, t, p: fn(t, p), self._student_loss, y, y_pred))
            student_loss = torch.stack(values).sum() if len(values) > 1 else values[0]
            if student_loss.ndim > 0:
                student_loss = torch.mean(student_loss)
        distillation_loss: Any = 0.0
        if self.student_loss_weight < 1.0:
            teacher_features = (self._teacher_feature_extractor(x, training=False)
                                if self._teacher_feature_extractor is not None
                                else {_FINAL: self.teacher(x, training=False)})
            student_features = (self._student_feature_extractor(x, training=True)
                                if self._student_feature_extractor is not None else {_FINAL: y_pred})
            for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights):
                if getattr(loss, "teacher_layer_name", None) is not None:
                    try:
                        teacher_out = self._features(loss, teacher_features, "teacher_layer_name")
                        student_out = self._features(loss, student_features, "student_layer_name")
                    except ValueError as err:
                        raise RuntimeError(
                            f"Failed to extract features for {type(loss).__name__} targeting teacher layer "
                            f"'{loss.teacher_layer_name}' and student layer '{loss.student_layer_name}'. Original "
                            f"error: {err}") from err
                else:
                    teacher_out, student_out = teacher_features[_FINAL], y_pred
                loss.validate_outputs(teacher_out, student_out)
                value = loss.compute_loss(teacher_out, student_out)
                if value.ndim > 0:
                    raise ValueError(f"Distillation loss {type(loss).__name__} returned a non-scalar loss with shape "
                                     f"{tuple(value.shape)}. The compute_loss method must return a scalar tensor.")
                distillation_loss = distillation_loss + weight * value
        total = self.student_loss_weight * student_loss + (1.0 - self.student_loss_weight) * distillation_loss
        with torch.no_grad():
            self.student_loss_tracker.update_state(student_loss)
            self.distillation_loss_tracker.update_state(distillation_loss)
            self.total_loss_tracker.update_state(total)
        return total

    def reset_metrics(self) -> None:
        super().reset_metrics()
        for tracker in (self.student_loss_tracker, self.distillation_loss_tracker, self.total_loss_tracker):
            tracker.reset_state()

    def get_config(self) -> dict[str, Any]:
        return {
            **Layer.get_config(self),  # (Model.get_config describes a functional graph; a Distiller has none)
            "teacher": registry.serialize_keras_object(self.teacher, "layers"),
            "student": registry.serialize_keras_object(self.student, "layers"),
            "distillation_losses": [registry.serialize_keras_object(loss, CATEGORY)
                                    for loss in self.distillation_losses],
            "distillation_loss_weights": self.distillation_loss_weights,
            "student_loss_weight": self.student_loss_weight,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Distiller:
        config = dict(config)
        for key in ("teacher", "student"):
            config[key] = registry.deserialize_keras_object(config[key], "layers", custom_objects)
        config["distillation_losses"] = [registry.deserialize_keras_object(c, CATEGORY, custom_objects)
                                         for c in config["distillation_losses"]]
        return cls(**config)

