"""keras_torch-specific callback behaviour (the parity with Keras is in test_against_keras.py).

Covers what Keras cannot be compared on: lazy conversion of tensor logs (no per-step device
sync), BackupAndRestore's own file format (round trip with a real optimizer, atomic writes,
fallback), TensorBoard without/with a writer, and the error messages for missing model methods.
"""

from __future__ import annotations

import logging
import os
import time

import h5py
import numpy as np
import pytest
import torch

import keras_torch.callbacks as K
import keras_torch.utils.progbar as progbar_module
from keras_torch.callbacks import _utils
from keras_torch.core import registry
from keras_torch.optimizers.adam import Adam


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(time, "time", c)
    return c


class TinyModel:
    """Two weights and a real keras_torch Adam optimizer."""

    def __init__(self, seed: float = 0.0) -> None:
        self.stop_training = False
        self.built = True
        self._initial_epoch = None
        self.w = [torch.full((3,), seed, requires_grad=True), torch.full((2, 2), seed + 1, requires_grad=True)]
        self.optimizer = Adam(learning_rate=0.01)

    @property
    def trainable_variables(self):
        return self.w

    def get_weights(self):
        return [w.detach().numpy().copy() for w in self.w]

    def set_weights(self, weights):
        with torch.no_grad():
            for w, v in zip(self.w, weights):
                w.copy_(torch.as_tensor(v))

    def train_step(self) -> None:
        self.optimizer.apply([torch.ones_like(w) * (i + 1) for i, w in enumerate(self.w)], self.w)


# ------------------------------------------------------------------------------ registry/API
def test_every_callback_is_registered_and_exported():
    names = {
        "BackupAndRestore",
        "CSVLogger",
        "Callback",
        "CallbackList",
        "EarlyStopping",
        "History",
        "LambdaCallback",
        "LearningRateScheduler",
        "ModelCheckpoint",
        "ProgbarLogger",
        "ReduceLROnPlateau",
        "TensorBoard",
        "TerminateOnNaN",
    }
    table = registry.registered("callbacks")
    for name in names:
        assert table[name] is getattr(K, name)


def test_base_callback_hooks_and_aliases():
    seen = []

    class C(K.Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, logs))

    c = C()
    assert c.model is None and c.params is None
    c.on_train_batch_begin(3)
    c.on_train_batch_end(3, {"loss": 1.0})
    c.on_test_batch_end(1, {})  # not an alias of on_batch_end
    assert seen == [("begin", 3), ("end", 3, {"loss": 1.0})]
    for hook in ("train", "test", "predict"):
        getattr(c, f"on_{hook}_begin")()
        getattr(c, f"on_{hook}_end")()
        getattr(c, f"on_{hook}_batch_begin")(0)
    c.on_epoch_begin(0)
    c.on_epoch_end(0, {})
    m = object()
    c.set_model(m)
    c.set_params({"epochs": 2})
    assert c.model is m and c.params == {"epochs": 2}


# ------------------------------------------------------------------------ lazy log conversion
class _Spy(K.Callback):
    def __init__(self):
        super().__init__()
        self.batch_logs = []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_logs.append(dict(logs))


def test_callback_list_leaves_batch_tensors_alone_without_user_batch_hooks():
    model = TinyModel()
    cbs = K.CallbackList(
        [K.EarlyStopping(monitor="loss"), K.CSVLogger(os.devnull)],
        add_history=True,
        add_progbar=True,
        verbose=1,
        epochs=1,
        steps=2,
        model=model,
    )
    assert not any(cbs._convert_batch_logs.values())
    seen = []
    cbs.callbacks[0].on_train_batch_end = lambda b, logs=None: seen.append(logs)  # after configuration
    t = torch.tensor(0.5)
    cbs.on_train_batch_end(0, {"loss": t, "acc": t})
    assert list(seen[0]) == ["acc", "loss"] and seen[0]["loss"] is t


@pytest.mark.parametrize(
    "make",
    [
        lambda: _Spy(),
        lambda: K.LambdaCallback(on_train_batch_end=lambda b, logs: None),
    ],
)
def test_callback_list_converts_batch_logs_for_user_batch_hooks(make):
    cb = make()
    cbs = K.CallbackList([cb], add_history=True, model=TinyModel(), verbose=0, epochs=1, steps=1)
    assert cbs._convert_batch_logs["on_train_batch_end"]
    assert not cbs._convert_batch_logs["on_test_batch_end"]
    spy = _Spy()
    cbs.append(spy)
    cbs.on_train_batch_end(0, {"loss": torch.tensor(0.25), "out": {"x": torch.tensor([1.0, 2.0])}})
    logs = spy.batch_logs[0]
    assert type(logs["loss"]) is float and logs["loss"] == 0.25
    assert isinstance(logs["x"], np.ndarray)  # flattened, non-scalar -> numpy like Keras


def test_lambda_callback_with_only_epoch_hooks_does_not_force_conversion():
    cbs = K.CallbackList([K.LambdaCallback(on_epoch_end=lambda e, logs: None)], model=TinyModel())
    assert not any(cbs._convert_batch_logs.values())


def test_epoch_logs_become_python_floats_in_history():
    model = TinyModel()
    cbs = K.CallbackList(None, add_history=True, model=model, verbose=0, epochs=2, steps=1)
    cbs.on_train_begin()
    for epoch in range(2):
        cbs.on_epoch_begin(epoch)
        cbs.on_epoch_end(epoch, {"loss": torch.tensor(0.5, dtype=torch.float64) / (epoch + 1), "val_loss": 0.1})
    cbs.on_train_end()
    assert model.history.history == {"loss": [0.5, 0.25], "val_loss": [0.1, 0.1]}
    assert all(type(v) is float for v in model.history.history["loss"])
    assert model.history.epoch == [0, 1]


def test_progbar_converts_only_when_printing(clock, monkeypatch, capsys):
    calls = []
    real = progbar_module._to_number

    def counting(v):
        calls.append(v)
        return real(v)

    monkeypatch.setattr(progbar_module, "_to_number", counting)
    logger = K.ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 100})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    loss = torch.tensor(0.5)
    for step in range(100):
        clock.t += 0.001  # 100 steps in 0.1 s: at most a few printed lines
        logger.on_train_batch_end(step, {"loss": loss})
    printed = capsys.readouterr().out.count("\r")
    assert printed <= 3
    assert len(calls) == printed  # one conversion per printed line, not per step
    logger.on_epoch_end(0, {"loss": 0.5})
    assert capsys.readouterr().out.endswith("loss: 0.5000\n")


def test_progbar_accepts_tensor_values_for_averaged_metrics(clock, capsys):
    bar = progbar_module.Progbar(target=2, verbose=2)
    bar.update(1, [("loss", torch.tensor(1.0))])
    bar.update(2, [("loss", torch.tensor(0.5, dtype=torch.bfloat16))], finalize=False)
    bar.update(2, [("acc", torch.tensor([0.5, 1.0]))])
    assert capsys.readouterr().out == "2/2 - 0s - 0s/step - loss: 0.7500 - acc: 0.7500\n"


def test_print_msg_can_go_to_logging(caplog, capsys):
    progbar_module.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="keras_torch"):
            progbar_module.print_msg("hello")
    finally:
        progbar_module.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert "hello" in caplog.text


def test_to_python_helpers():
    assert _utils.to_python(1) == 1.0 and type(_utils.to_python(1)) is float
    assert _utils.to_python("abc") == "abc"
    assert _utils.to_python(torch.tensor(2.5, dtype=torch.bfloat16)) == 2.5
    assert _utils.to_python(torch.tensor([[3.0]])) == 3.0
    arr = _utils.to_python(torch.tensor([1.0, 2.0], dtype=torch.bfloat16))
    assert isinstance(arr, np.ndarray) and arr.tolist() == [1.0, 2.0]
    assert _utils.tensor_to_python("1.5") == "1.5"
    assert _utils.pythonify_logs({"b": 1, "a": {"z": torch.tensor(1.0)}}) == {"z": 1.0, "b": 1.0}


# ---------------------------------------------------------------------------- MonitorCallback
class _Metric:
    def __init__(self, name, direction=None):
        self.name = name
        if direction:
            self._direction = direction


class _Container:
    def __init__(self, metrics):
        self.metrics = metrics


@pytest.mark.parametrize("nested", [True, False])
def test_auto_mode_reads_metric_direction(nested):
    metrics = [_Metric("accuracy", "up"), _Metric("mae", "down")]
    model = TinyModel()
    model.metrics = [_Metric("loss"), _Container(metrics)] if nested else [_Metric("loss"), *metrics]
    for monitor, op in [("val_accuracy", ">"), ("mae", "<"), ("loss", "<")]:
        cb = K.EarlyStopping(monitor=monitor, min_delta=0.1)
        cb.set_model(model)
        cb._set_monitor_op()
        assert cb._is_improvement(1.0, 0.5) == (op == ">")
        assert cb.min_delta == (0.1 if op == ">" else -0.1)


def test_reduce_lr_on_real_optimizer_keeps_float32_storage():
    model = TinyModel()
    cb = K.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5)
    cb.set_model(model)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"loss": torch.tensor(1.0)})
    cb.on_epoch_end(1, {"loss": torch.tensor(1.0)})
    assert float(model.optimizer.learning_rate) == float(np.float32(0.005))
    assert model.optimizer.learning_rate.dtype == torch.float32


def test_lr_scheduler_on_real_optimizer():
    model = TinyModel()
    cb = K.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    cb.set_model(model)
    cb.on_epoch_begin(0)
    logs = {"loss": 1.0}
    cb.on_epoch_end(0, logs)
    assert logs["learning_rate"] == float(np.float32(0.005))


# ---------------------------------------------------------------------------- ModelCheckpoint
def test_checkpoint_needs_model_save(tmp_path):
    cb = K.ModelCheckpoint(str(tmp_path / "m.keras"))
    cb.set_model(TinyModel())
    with pytest.raises(NotImplementedError, match=r"model\.save\(filepath, overwrite=True\)"):
        cb.on_epoch_end(0, {"val_loss": 1.0})
    cb = K.ModelCheckpoint(tmp_path / "sub" / "w-{epoch}.weights.h5", save_weights_only=True)  # PathLike ok
    cb.set_model(TinyModel())
    with pytest.raises(NotImplementedError, match="save_weights"):
        cb.on_epoch_end(0, {})
    assert not (tmp_path / "sub").exists()


def test_checkpoint_saves_with_tensor_logs_and_creates_dirs(tmp_path):
    saved = []

    class M(TinyModel):
        def save(self, filepath, overwrite=True):
            saved.append(filepath)
            open(filepath, "w").close()

    cb = K.ModelCheckpoint(str(tmp_path / "a" / "b" / "{epoch:02d}-{val_loss:.3f}.keras"), save_best_only=True)
    cb.set_model(M())
    cb.on_epoch_end(0, {"val_loss": torch.tensor(0.25)})
    cb.on_epoch_end(1, {"val_loss": torch.tensor(0.5)})
    assert saved == [str(tmp_path / "a" / "b" / "01-0.250.keras")]
    assert os.path.exists(saved[0])


def test_checkpoint_directory_path_error(tmp_path):
    class M(TinyModel):
        def save(self, filepath, overwrite=True):
            raise IsADirectoryError(filepath)

    cb = K.ModelCheckpoint(str(tmp_path / "dir.keras"))
    cb.set_model(M())
    with pytest.raises(OSError, match="Please specify a non-directory filepath"):
        cb.on_epoch_end(0, {})


# -------------------------------------------------------------------------------- CSVLogger
def test_csv_logger_flushes_every_epoch_and_converts_tensors(tmp_path):
    path = tmp_path / "log.csv"
    cb = K.CSVLogger(path)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"loss": torch.tensor(0.5, dtype=torch.float64), "val_loss": torch.tensor([1.0, 2.0])})
    # Read before on_train_end: flushed. Keras quotes the list string again (csv escaping).
    assert path.read_bytes() == b'epoch,loss,val_loss\r\n0,0.5,"""[1.0, 2.0]"""\r\n'
    cb.on_train_end()


# ------------------------------------------------------------------------- BackupAndRestore
def _train_epochs(cb, model, epochs, start=0, steps=2):
    for epoch in range(start, epochs):
        cb.on_epoch_begin(epoch)
        for b in range(steps):
            cb.on_train_batch_begin(b)
            model.train_step()
            cb.on_train_batch_end(b, {"loss": torch.tensor(1.0)})
        cb.on_epoch_end(epoch, {"loss": 1.0})


def test_backup_round_trip_restores_weights_optimizer_and_epoch(tmp_path):
    d = tmp_path / "backup"
    model = TinyModel(seed=1.0)
    cb = K.BackupAndRestore(d)
    cb.set_model(model)
    cb.on_train_begin()
    assert model._initial_epoch is None
    _train_epochs(cb, model, 2)  # then "crash": no on_train_end
    weights, opt_weights = model.get_weights(), model.optimizer.get_weights()
    assert int(opt_weights[0]) == 4  # 4 optimizer steps
    assert sorted(os.listdir(d)) == ["latest.backup.h5"]  # no temp file left behind

    fresh = TinyModel(seed=-5.0)  # different weights, unbuilt optimizer
    assert not fresh.optimizer.built
    cb2 = K.BackupAndRestore(d)
    cb2.set_model(fresh)
    cb2.on_train_begin()
    assert fresh._initial_epoch == 2
    for a, b in zip(fresh.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert fresh.optimizer.built
    for a, b in zip(fresh.optimizer.get_weights(), opt_weights):
        np.testing.assert_array_equal(a, b)
    # Resumed training continues from the restored state, exactly like uninterrupted training.
    _train_epochs(cb2, fresh, 3, start=2)
    _train_epochs(cb, model, 3, start=2)
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    cb2.on_train_end()
    assert not d.exists()


def test_backup_write_is_atomic(tmp_path, monkeypatch):
    d = tmp_path / "b"
    model = TinyModel(seed=1.0)
    cb = K.BackupAndRestore(d)
    cb.set_model(model)
    cb.on_train_begin()
    _train_epochs(cb, model, 1)
    before = (d / "latest.backup.h5").read_bytes()

    original = h5py.Group.create_dataset
    calls = {"n": 0}

    def failing(self, name, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return original(self, name, *a, **k)

    monkeypatch.setattr(h5py.Group, "create_dataset", failing)
    with pytest.raises(OSError, match="disk full"):
        _train_epochs(cb, model, 2, start=1)
    monkeypatch.undo()
    assert os.listdir(d) == ["latest.backup.h5"]
    assert (d / "latest.backup.h5").read_bytes() == before
    fresh = TinyModel(seed=3.0)
    cb2 = K.BackupAndRestore(d)
    cb2.set_model(fresh)
    cb2.on_train_begin()
    assert fresh._initial_epoch == 1


def test_backup_double_checkpoint_falls_back_to_previous(tmp_path):
    d = tmp_path / "b"
    model = TinyModel(seed=1.0)
    cb = K.BackupAndRestore(d, double_checkpoint=True)
    cb.set_model(model)
    cb.on_train_begin()
    _train_epochs(cb, model, 2)
    assert sorted(os.listdir(d)) == ["latest.backup.h5", "latest.backup.h5.bkp"]
    (d / "latest.backup.h5").write_bytes(b"corrupted")
    fresh = TinyModel(seed=3.0)
    cb2 = K.BackupAndRestore(d, double_checkpoint=True)
    cb2.set_model(fresh)
    cb2.on_train_begin()
    assert fresh._initial_epoch == 1  # the previous (epoch 1) backup

    (d / "latest.backup.h5.bkp").unlink()
    cb3 = K.BackupAndRestore(d)
    cb3.set_model(TinyModel())
    with pytest.raises(OSError):
        cb3.on_train_begin()


def test_backup_save_freq_false_only_restores(tmp_path):
    d = tmp_path / "b"
    model = TinyModel()
    cb = K.BackupAndRestore(d, save_freq=False)
    cb.set_model(model)
    cb.on_train_begin()
    _train_epochs(cb, model, 2)
    assert not d.exists()


# ------------------------------------------------------------------------------ TensorBoard
def test_tensorboard_requires_package():
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install tensorboard"):
            K.TensorBoard()
    else:
        pytest.skip("tensorboard is installed")


class _FakeWriter:
    instances: list[_FakeWriter] = []

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.scalars = []
        self.histograms = []
        self.closed = False
        _FakeWriter.instances.append(self)

    def add_scalar(self, tag, value, global_step=None):
        assert type(value) is float
        self.scalars.append((tag, round(value, 6), global_step))

    def add_histogram(self, tag, values, global_step=None):
        self.histograms.append((tag, np.asarray(values).shape, global_step))

    def flush(self):
        pass

    def close(self):
        self.closed = True


def test_tensorboard_tags_and_steps(monkeypatch, tmp_path):
    from keras_torch.callbacks import tensorboard as tb

    _FakeWriter.instances = []
    monkeypatch.setattr(tb, "_summary_writer_class", lambda: _FakeWriter)
    with pytest.raises(ValueError, match="Profiling is not yet available with the torch backend"):
        K.TensorBoard(profile_batch=2)

    class Layer:
        name = "dense"
        weights = [torch.zeros(2, 3), torch.zeros(3)]

    model = TinyModel()
    model.layers = [Layer()]
    cb = K.TensorBoard(log_dir=tmp_path, histogram_freq=2, update_freq=2)
    cbs = K.CallbackList([cb], model=model, verbose=0, epochs=2, steps=3)
    cbs.on_train_begin()
    for epoch in range(2):
        cbs.on_epoch_begin(epoch)
        for b in range(3):
            cbs.on_train_batch_begin(b)
            cbs.on_train_batch_end(b, {"loss": torch.tensor(float(b))})
        cbs.on_test_begin()
        for b in range(2):
            cbs.on_test_batch_begin(b)
            cbs.on_test_batch_end(b, {"loss": 0.0})
        cbs.on_test_end({"loss": 0.25})
        cbs.on_epoch_end(epoch, {"loss": 1.0 + epoch, "val_loss": 0.25})
    cbs.on_train_end()

    writers = {os.path.basename(w.log_dir): w for w in _FakeWriter.instances}
    train, val = writers["train"], writers["validation"]
    assert os.path.dirname(train.log_dir) == str(tmp_path)
    assert train.scalars == [
        ("batch_loss", 1.0, 2),
        ("epoch_loss", 1.0, 0),
        ("epoch_learning_rate", 0.01, 0),
        ("batch_loss", 0.0, 4),
        ("batch_loss", 2.0, 6),
        ("epoch_loss", 2.0, 1),
        ("epoch_learning_rate", 0.01, 1),
    ]
    # evaluation_* only when the global test batch is a multiple of update_freq (Keras' record_if)
    assert val.scalars == [
        ("evaluation_loss_vs_iterations", 0.25, 0),
        ("epoch_loss", 0.25, 0),
        ("evaluation_loss_vs_iterations", 0.25, 0),
        ("epoch_loss", 0.25, 1),
    ]
    assert train.histograms == [("dense/weight_0/histogram", (2, 3), 0), ("dense/weight_1/histogram", (3,), 0)]
    assert train.closed and val.closed


# ------------------------------------------------------------------------------------- CUDA
@pytest.mark.gpu
def test_cuda_tensor_logs_through_every_callback(tmp_path, clock, capsys):
    dev = torch.device("cuda")
    model = TinyModel()
    cbs = K.CallbackList(
        [K.TerminateOnNaN(), K.CSVLogger(tmp_path / "log.csv"), K.EarlyStopping(monitor="loss")],
        add_history=True,
        add_progbar=True,
        verbose=1,
        epochs=1,
        steps=2,
        model=model,
    )
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for b in range(2):
        cbs.on_train_batch_begin(b)
        clock.t += 1
        cbs.on_train_batch_end(b, {"loss": torch.tensor(0.5, device=dev), "vec": torch.ones(2, device=dev)})
    cbs.on_epoch_end(0, {"loss": torch.tensor(0.25, device=dev, dtype=torch.bfloat16)})
    cbs.on_train_end()
    assert model.history.history == {"loss": [0.25]}
    assert "loss: 0.5000" in capsys.readouterr().out
    assert not model.stop_training
