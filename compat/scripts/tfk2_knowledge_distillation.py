"""Knowledge distillation (Keras example, tf.keras 2 style): a `Distiller` model holding a trained teacher and a
student, its `train_step` computing the student and distillation losses under `tf.GradientTape` (softened
`tf.nn.softmax` targets, KL divergence) and updating the student only; `test_step` and `compute_metrics`."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.random.set_seed(5)
np.random.seed(5)


class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def call(self, x):
        return self.student(x)

    def train_step(self, data):
        x, y = data
        teacher_predictions = self.teacher(x, training=False)
        with tf.GradientTape() as tape:
            student_predictions = self.student(x, training=True)
            student_loss = self.student_loss_fn(y, student_predictions)
            distillation_loss = (
                self.distillation_loss_fn(
                    tf.nn.softmax(teacher_predictions / self.temperature, axis=1),
                    tf.nn.softmax(student_predictions / self.temperature, axis=1),
                )
                * self.temperature**2
            )
            loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
        trainable_vars = self.student.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        results = self.compute_metrics(x, y, student_predictions, sample_weight=None)
        results.update({"student_loss": student_loss, "distillation_loss": distillation_loss})
        return results

    def test_step(self, data):
        x, y = data
        y_prediction = self.student(x, training=False)
        student_loss = self.student_loss_fn(y, y_prediction)
        results = self.compute_metrics(x, y, y_prediction, sample_weight=None)
        results.update({"student_loss": student_loss})
        return results


# Offline "digits": 10x10 images, class = which of 4 quadrants holds a bright blob.
rng = np.random.default_rng(5)
labels = rng.integers(0, 4, 1000)
images = rng.uniform(0, 0.3, (1000, 10, 10, 1)).astype("float32")
for img, label in zip(images, labels):
    r, c = divmod(int(label), 2)
    img[r * 5 + 1 : r * 5 + 4, c * 5 + 1 : c * 5 + 4, 0] += 0.7
x_train, y_train, x_test, y_test = images[:800], labels[:800], images[800:], labels[800:]

teacher = keras.Sequential([
    keras.Input(shape=(10, 10, 1)),
    layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
    layers.LeakyReLU(negative_slope=0.2),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
    layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
    layers.Flatten(),
    layers.Dense(4),
], name="teacher")
student = keras.Sequential([
    keras.Input(shape=(10, 10, 1)),
    layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same"),
    layers.LeakyReLU(negative_slope=0.2),
    layers.Flatten(),
    layers.Dense(4),
], name="student")
student_scratch = keras.models.clone_model(student)

teacher.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=[keras.metrics.SparseCategoricalAccuracy()])
teacher.fit(x_train, y_train, epochs=3, verbose=0)
teacher_acc = teacher.evaluate(x_test, y_test, verbose=0)[1]

distiller = Distiller(student=student, teacher=teacher)
distiller.compile(
    optimizer=keras.optimizers.Adam(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
    student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    distillation_loss_fn=keras.losses.KLDivergence(),
    alpha=0.1,
    temperature=10,
)
teacher_before = [w.copy() for w in teacher.get_weights()]
history = distiller.fit(x_train, y_train, epochs=3, verbose=0)
results = distiller.evaluate(x_test, y_test, verbose=0, return_dict=True)

student_scratch.compile(optimizer=keras.optimizers.Adam(),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                        metrics=[keras.metrics.SparseCategoricalAccuracy()])
student_scratch.fit(x_train, y_train, epochs=3, verbose=0)
scratch_acc = student_scratch.evaluate(x_test, y_test, verbose=0)[1]

print(f"RESULT teacher_acc={teacher_acc:.3f} distilled_acc={results['sparse_categorical_accuracy']:.3f} "
      f"scratch_acc={scratch_acc:.3f}")
assert {"student_loss", "distillation_loss", "sparse_categorical_accuracy"} <= set(history.history)
assert "student_loss" in results
assert all(np.array_equal(a, b) for a, b in zip(teacher_before, teacher.get_weights()))  # only the student trained
assert teacher_acc > 0.9 and results["sparse_categorical_accuracy"] > 0.9
