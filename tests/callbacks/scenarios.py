"""Callback scenarios run identically against real Keras 3 and keras_torch.

Each scenario drives callbacks through a fixed sequence of hook calls, with a fake clock and a
fake model, and returns what can be observed (printed text, decisions, files, warnings) as
plain JSON-able data. ``keras_reference_gen.py`` runs them with real Keras 3 (venv
``/opt/kref``) and writes ``keras_expected.py``; ``test_against_keras.py`` runs them with
keras_torch and compares. This module must import neither torch nor keras.

A scenario is ``fn(env) -> dict`` where ``env`` provides:
  ``K``            the callbacks module (``keras.callbacks`` or ``keras_torch.callbacks``)
  ``Progbar``      the progress bar class
  ``clock``        a :class:`Clock` installed as ``time.time``
  ``wrap(x)``      turns a Python float log value into what the loop would pass
  ``make_lr(lr)``  a learning-rate holder for the fake optimizer (float32 storage)
  ``callback_list(callbacks, **kw)``  a synchronous ``CallbackList``
  ``read_backup(dir)``  ``[epoch, batch]`` recorded by BackupAndRestore in ``dir``, or None
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from typing import Any

import numpy as np


class Clock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class FakeOptimizer:
    """``learning_rate`` reads/writes float32 storage, like a Keras variable."""

    built = True

    def __init__(self, make_lr: Any, lr: float) -> None:
        self._lr = make_lr(lr)

    @property
    def learning_rate(self) -> Any:
        return self._lr.get()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self._lr.set(value)


class FakeModel:
    def __init__(self, env: Any = None, lr: float = 0.01) -> None:
        self.stop_training = False
        self.version = 0
        self.set_weights_calls: list[list[float]] = []
        self.saved: list[tuple[str, str]] = []
        self.optimizer = FakeOptimizer(env.make_lr, lr) if env is not None else None

    def get_weights(self) -> list[np.ndarray]:
        return [np.array([float(self.version)])]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.set_weights_calls.append([float(w[0]) for w in weights])

    def save(self, filepath: str, overwrite: bool = True) -> None:
        self.saved.append(("save", filepath))

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        self.saved.append(("save_weights", filepath))


@contextlib.contextmanager
def capture() -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        yield out, w


def _warn_msgs(w: list[Any]) -> list[str]:
    return [str(x.message) for x in w]


def _logs(env: Any, d: dict[str, float]) -> dict[str, Any]:
    return {k: env.wrap(v) for k, v in d.items()}


# ----------------------------------------------------------------------------------- progbar
TRAIN_LOGS = [
    {"loss": 10.123456, "accuracy": 0.25, "neg": -0.5, "mae": 0.0005},
    {"loss": 9.87, "accuracy": 0.375, "neg": -0.25, "mae": 0.00049},
    {"loss": 9.5, "accuracy": 0.5, "neg": -0.0001, "mae": 0.002},
    {"loss": 1.23456789, "accuracy": 0.6, "neg": 0.0, "mae": 1e-7},
    {"loss": 0.999999, "accuracy": 0.7, "neg": 0.25, "mae": 12345.678},
]
# Fake-clock offsets of the 5 training batches of each epoch (seconds after epoch start):
# throttled updates (<0.05 s apart), seconds, minutes and hours of ETA.
BATCH_TIMES = [
    [0.3, 0.31, 0.33, 1.5, 90.0],
    [2.0, 3000.0, 3000.02, 3001.0, 3001.5],
    [0.0001, 0.0002, 0.0003, 0.0004, 0.0005],
]


def _fit(
    env: Any, verbose: Any, epochs: int, steps: Any, batch_times: list[list[float]], validation: bool
) -> dict[str, Any]:
    model = FakeModel(env)
    with capture() as (out, w):
        cbs = env.callback_list(
            [], add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs, steps=steps, model=model
        )
        cbs.on_train_begin()
        for epoch in range(epochs):
            start = env.clock.t
            cbs.on_epoch_begin(epoch)
            times = batch_times[epoch % len(batch_times)]
            for step, dt in enumerate(times):
                cbs.on_train_batch_begin(step)
                env.clock.t = start + dt
                logs = dict(TRAIN_LOGS[step % len(TRAIN_LOGS)])
                logs["loss"] += epoch
                cbs.on_train_batch_end(step, _logs(env, logs))
            epoch_logs = dict(TRAIN_LOGS[(len(times) - 1) % len(TRAIN_LOGS)])
            epoch_logs["loss"] += epoch
            if validation:
                cbs.on_test_begin()
                for step in range(3):
                    cbs.on_test_batch_begin(step)
                    env.clock.t += 0.5
                    cbs.on_test_batch_end(step, _logs(env, {"loss": 0.5, "accuracy": 0.5}))
                cbs.on_test_end(_logs(env, {"loss": 0.4321, "accuracy": 0.75}))
                epoch_logs.update({"val_loss": 0.4321, "val_accuracy": 0.75})
            env.clock.t += 0.25
            cbs.on_epoch_end(epoch, _logs(env, epoch_logs))
        cbs.on_train_end(_logs(env, epoch_logs))
    return {
        "stdout": out.getvalue(),
        "history": {k: [float(x) for x in v] for k, v in model.history.history.items()},
        "epochs": list(model.history.epoch),
        "params": {k: v for k, v in model.history.params.items()},
        "warnings": _warn_msgs(w),
    }


def fit_verbose1(env: Any) -> dict[str, Any]:
    return _fit(env, 1, 3, 5, BATCH_TIMES, validation=True)


def fit_verbose2(env: Any) -> dict[str, Any]:
    return _fit(env, 2, 3, 5, BATCH_TIMES, validation=True)


def fit_verbose_auto_one_epoch(env: Any) -> dict[str, Any]:
    return _fit(env, "auto", 1, 5, BATCH_TIMES, validation=False)


def fit_verbose0(env: Any) -> dict[str, Any]:
    return _fit(env, 0, 2, 5, BATCH_TIMES, validation=True)


def fit_unknown_steps_verbose1(env: Any) -> dict[str, Any]:
    return _fit(env, 1, 2, None, [[0.1, 0.2, 7.0]], validation=False)


def fit_unknown_steps_verbose2(env: Any) -> dict[str, Any]:
    return _fit(env, 2, 2, None, [[0.1, 0.2, 7.0]], validation=False)


def fit_many_steps(env: Any) -> dict[str, Any]:
    # 120 steps: the count is right-aligned on 3 digits, the bar fills gradually.
    return _fit(env, 1, 1, 120, [[0.02 * (i + 1) for i in range(120)]], validation=False)


def _evaluate(env: Any, verbose: Any, steps: Any) -> dict[str, Any]:
    model = FakeModel(env)
    with capture() as (out, w):
        cbs = env.callback_list([], add_progbar=verbose != 0, verbose=verbose, epochs=1, steps=steps, model=model)
        cbs.on_test_begin()
        for step in range(4):
            cbs.on_test_batch_begin(step)
            env.clock.t += 0.75
            cbs.on_test_batch_end(step, _logs(env, {"loss": 1.0 / (step + 1), "mse": 0.0001 * step}))
        cbs.on_test_end(_logs(env, {"loss": 0.52, "mse": 0.0003}))
    return {"stdout": out.getvalue(), "warnings": _warn_msgs(w)}


def evaluate_verbose1(env: Any) -> dict[str, Any]:
    return _evaluate(env, 1, 4)


def evaluate_verbose2(env: Any) -> dict[str, Any]:
    return _evaluate(env, 2, 4)


def evaluate_unknown_steps(env: Any) -> dict[str, Any]:
    return _evaluate(env, 1, None)


def predict_verbose1(env: Any) -> dict[str, Any]:
    model = FakeModel(env)
    with capture() as (out, w):
        cbs = env.callback_list([], add_progbar=True, verbose=1, epochs=1, steps=3, model=model)
        cbs.on_predict_begin()
        for step in range(3):
            cbs.on_predict_batch_begin(step)
            env.clock.t += 0.002
            cbs.on_predict_batch_end(step, {"outputs": env.wrap_array([[1.0, 2.0], [3.0, 4.0]])})
        cbs.on_predict_end()
    return {"stdout": out.getvalue(), "warnings": _warn_msgs(w)}


def progbar_direct(env: Any) -> dict[str, Any]:
    """Progbar used directly: averaged (stateless) metrics, stateful ones, add(), units."""
    res = {}
    for verbose in (1, 2):
        with capture() as (out, _):
            bar = env.Progbar(target=10, verbose=verbose, stateful_metrics=["acc"], unit_name="sample")
            seq = [(1, 0.0000005), (3, 0.0002), (4, 0.0021), (6, 0.7), (9, 1.2), (10, 5.0)]
            for i, (cur, dt) in enumerate(seq):
                env.clock.t += dt
                bar.update(cur, [("loss", 1.0 / (i + 1)), ("acc", 0.1 * i), ("tiny", -0.00001 * i)])
            env.clock.t += 0.1
            bar.add(2, [("loss", 0.5)])
        res[f"verbose{verbose}"] = out.getvalue()
    with capture() as (out, _):
        bar = env.Progbar(target=None, verbose=1, interval=0.0)
        for i in range(3):
            env.clock.t += 1.0
            bar.add(5, [("x", float(i))])
        bar.update(15, [("x", 3.0)], finalize=True)
    res["unknown_target"] = out.getvalue()
    with capture() as (out, _):
        bar = env.Progbar(target=3, verbose=1, stateless_metrics=["avg"])
        for i in range(3):
            env.clock.t += 0.5
            bar.update(i + 1, [("avg", float(i)), ("last", float(i))])
    res["stateless_list"] = out.getvalue()
    return res


def progbar_not_dynamic(env: Any) -> dict[str, Any]:
    """No tty, no ``posix`` module, no notebook: every update starts with a newline."""
    import sys

    saved = sys.modules.pop("posix", None)
    try:
        with capture() as (out, _):
            bar = env.Progbar(target=3, verbose=1)
    finally:
        if saved is not None:
            sys.modules["posix"] = saved
    with capture() as (out, _):
        for i in range(3):
            env.clock.t += 0.5
            bar.update(i + 1, [("loss", 1.0 / (i + 1))])
    return {"dynamic": bool(bar._dynamic_display), "stdout": out.getvalue()}


# ------------------------------------------------------------------------------ early stopping
def _early_stopping(env: Any, kwargs: dict[str, Any], values: list[Any], key: str = "val_loss") -> dict[str, Any]:
    model = FakeModel(env)
    trace = []
    with capture() as (out, w):
        cb = env.K.EarlyStopping(**kwargs)
        cb.set_model(model)
        cb.on_train_begin()
        for epoch, v in enumerate(values):
            model.version = epoch
            logs = {"loss": env.wrap(1.0)}
            if v is not None:
                logs[key] = env.wrap(v)
            cb.on_epoch_end(epoch, logs)
            best = None if cb.best is None else float(cb.best)
            trace.append([epoch, bool(model.stop_training), cb.wait, best, cb.best_epoch, cb.stopped_epoch])
            if model.stop_training:
                break
        cb.on_train_end()
    return {"trace": trace, "set_weights": model.set_weights_calls, "stdout": out.getvalue(), "warnings": _warn_msgs(w)}


LOSSES = [1.0, 0.9, 0.905, 0.899, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8]


def early_stopping_cases(env: Any) -> dict[str, Any]:
    return {
        "default": _early_stopping(env, {}, LOSSES),
        "patience2": _early_stopping(env, {"patience": 2, "verbose": 1}, LOSSES),
        "min_delta": _early_stopping(env, {"patience": 1, "min_delta": 0.01, "verbose": 1}, LOSSES),
        "min_delta_negative_given": _early_stopping(env, {"patience": 1, "min_delta": -0.01}, LOSSES),
        "restore_best": _early_stopping(env, {"patience": 3, "restore_best_weights": True, "verbose": 1}, LOSSES),
        "restore_best_no_stop": _early_stopping(
            env, {"patience": 30, "restore_best_weights": True, "verbose": 1}, LOSSES
        ),
        "start_from_epoch": _early_stopping(
            env, {"patience": 1, "start_from_epoch": 3, "restore_best_weights": True}, LOSSES
        ),
        "baseline_min": _early_stopping(env, {"patience": 2, "baseline": 0.85, "verbose": 1}, LOSSES),
        "baseline_max": _early_stopping(
            env,
            {"monitor": "val_acc", "mode": "max", "patience": 1, "baseline": 0.6},
            [0.5, 0.55, 0.7, 0.65, 0.62],
            key="val_acc",
        ),
        "max_mode": _early_stopping(
            env,
            {"monitor": "acc", "mode": "max", "patience": 1, "verbose": 1},
            [0.1, 0.2, 0.2, 0.3, 0.25, 0.2],
            key="acc",
        ),
        "float32_ties": _early_stopping(env, {"patience": 0}, [0.5, 0.5 - 1e-9, 0.5 - 1e-7]),
        "unknown_mode": _early_stopping(env, {"mode": "sideways", "patience": 1}, LOSSES[:4]),
        "missing_key": _early_stopping(env, {"patience": 1}, [None, None, 1.0, None]),
    }


def early_stopping_auto_unknown_metric(env: Any) -> dict[str, Any]:
    cb = env.K.EarlyStopping(monitor="val_f1")
    cb.set_model(FakeModel(env))
    cb.on_train_begin()
    try:
        cb.on_epoch_end(0, {"val_f1": env.wrap(0.5)})
    except ValueError as e:
        return {"error": str(e)}
    return {"error": None}


# ------------------------------------------------------------------------- ReduceLROnPlateau
def _reduce_lr(
    env: Any, kwargs: dict[str, Any], values: list[float], lr: float = 0.01, key: str = "val_loss"
) -> dict[str, Any]:
    model = FakeModel(env, lr=lr)
    trace = []
    with capture() as (out, w):
        cb = env.K.ReduceLROnPlateau(**kwargs)
        cb.set_model(model)
        cb.on_train_begin()
        for epoch, v in enumerate(values):
            logs = {key: env.wrap(v)}
            cb.on_epoch_end(epoch, logs)
            best = None if cb.best is None else float(cb.best)
            trace.append(
                [
                    epoch,
                    float(env.read_lr(model.optimizer.learning_rate)),
                    cb.wait,
                    cb.cooldown_counter,
                    best,
                    sorted(logs),
                    float(logs["learning_rate"]),
                ]
            )
    return {"trace": trace, "stdout": out.getvalue(), "warnings": _warn_msgs(w)}


def reduce_lr_cases(env: Any) -> dict[str, Any]:
    seq = [1.0, 0.99995, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 0.8, 0.81, 0.82]
    out = {
        "basic": _reduce_lr(env, {"patience": 1, "factor": 0.5, "verbose": 1}, seq),
        "cooldown_minlr": _reduce_lr(
            env, {"patience": 1, "factor": 0.1, "cooldown": 2, "min_lr": 1e-4, "verbose": 1}, seq, lr=0.001
        ),
        "min_delta_zero": _reduce_lr(env, {"patience": 2, "min_delta": 0.0}, seq),
        "max_mode": _reduce_lr(
            env,
            {"monitor": "val_acc", "mode": "max", "patience": 1, "factor": 0.2, "verbose": 1},
            [0.5, 0.6, 0.6, 0.59, 0.7, 0.7],
            key="val_acc",
        ),
        "missing": _reduce_lr(env, {"monitor": "val_other", "mode": "min", "patience": 1}, [1.0, 2.0]),
    }
    try:
        env.K.ReduceLROnPlateau(factor=1.0)
        out["factor_error"] = None
    except ValueError as e:
        out["factor_error"] = str(e)
    return out


# --------------------------------------------------------------------- LearningRateScheduler
def _lr_schedule(env: Any, schedule: Any, verbose: int, epochs: int = 4) -> dict[str, Any]:
    model = FakeModel(env, lr=0.1)
    cb = env.K.LearningRateScheduler(schedule, verbose=verbose)
    trace = []
    with capture() as (out, w):
        cb.set_model(model)
        try:
            for epoch in range(epochs):
                cb.on_epoch_begin(epoch)
                logs = {"loss": env.wrap(1.0)}
                cb.on_epoch_end(epoch, logs)
                trace.append([epoch, float(env.read_lr(model.optimizer.learning_rate)), float(logs["learning_rate"])])
            err = None
        except ValueError as e:
            err = str(e)
    return {"trace": trace, "stdout": out.getvalue(), "error": err, "warnings": _warn_msgs(w)}


def lr_scheduler_cases(env: Any) -> dict[str, Any]:
    return {
        "two_args": _lr_schedule(env, lambda epoch, lr: lr if epoch < 2 else lr * 0.5, 1),
        "one_arg": _lr_schedule(env, lambda epoch: 0.1 / (epoch + 1), 1),
        "numpy_float": _lr_schedule(env, lambda epoch, lr: np.float32(0.05), 0),
        "bad_return": _lr_schedule(env, lambda epoch, lr: 1, 0),
    }


# ---------------------------------------------------------------------------- TerminateOnNaN
def terminate_on_nan_cases(env: Any) -> dict[str, Any]:
    res = {}
    for name, losses in {"nan": [1.0, 0.5, float("nan"), 0.1], "inf": [1.0, float("inf")], "fine": [1.0, 2.0]}.items():
        model = FakeModel(env)
        cb = env.K.TerminateOnNaN()
        cb.set_model(model)
        trace = []
        with capture() as (out, _):
            for batch, v in enumerate(losses):
                cb.on_train_batch_end(batch, {"loss": env.wrap(v)})
                trace.append(bool(model.stop_training))
                if model.stop_training:
                    break
        res[name] = {"trace": trace, "stdout": out.getvalue()}
    cb = env.K.TerminateOnNaN(raise_error=True)
    cb.set_model(FakeModel(env))
    try:
        cb.on_train_batch_end(3, {"loss": env.wrap(float("nan"))})
        res["raise"] = None
    except RuntimeError as e:
        res["raise"] = str(e)
    return res


# --------------------------------------------------------------------------- ModelCheckpoint
def _checkpoint(env: Any, kwargs: dict[str, Any], epochs: list[dict[str, float]], batches: int = 0) -> dict[str, Any]:
    model = FakeModel(env)
    with capture() as (out, w):
        cb = env.K.ModelCheckpoint(**kwargs)
        cb.set_model(model)
        cb.on_train_begin()
        for epoch, logs in enumerate(epochs):
            cb.on_epoch_begin(epoch)
            for b in range(batches):
                cb.on_train_batch_begin(b)
                cb.on_train_batch_end(b, {"loss": env.wrap(1.0 / (b + 1))})
            cb.on_epoch_end(epoch, _logs(env, logs))
        cb.on_train_end()
    best = None if cb.best is None else float(cb.best)
    return {"saved": [list(s) for s in model.saved], "best": best, "stdout": out.getvalue(), "warnings": _warn_msgs(w)}


CKPT_EPOCHS = [
    {"loss": 1.0, "val_loss": 0.812},
    {"loss": 0.9, "val_loss": 0.7},
    {"loss": 0.8, "val_loss": 0.75},
    {"loss": 0.7, "val_loss": 0.69999999},
    {"loss": 0.6, "val_loss": 0.31234},
]


def checkpoint_cases(env: Any) -> dict[str, Any]:
    res = {
        "every_epoch": _checkpoint(
            env, {"filepath": "ckpt/model.{epoch:02d}-{val_loss:.2f}.keras", "verbose": 1}, CKPT_EPOCHS
        ),
        "best_only": _checkpoint(
            env, {"filepath": "ckpt/best.keras", "save_best_only": True, "verbose": 1}, CKPT_EPOCHS
        ),
        "best_only_max": _checkpoint(
            env,
            {"filepath": "ckpt/b-{epoch}.h5", "monitor": "loss", "mode": "max", "save_best_only": True, "verbose": 1},
            CKPT_EPOCHS,
        ),
        "threshold": _checkpoint(
            env,
            {
                "filepath": "ckpt/t.weights.h5",
                "save_weights_only": True,
                "save_best_only": True,
                "initial_value_threshold": 0.72,
                "verbose": 1,
            },
            CKPT_EPOCHS,
        ),
        "missing_monitor": _checkpoint(
            env,
            {"filepath": "ckpt/m.keras", "monitor": "val_acc", "mode": "max", "save_best_only": True},
            CKPT_EPOCHS[:2],
        ),
        "batch_freq": _checkpoint(
            env,
            {
                "filepath": "ckpt/{epoch:02d}-{batch:03d}-{loss:.3f}.weights.h5",
                "save_weights_only": True,
                "save_freq": 2,
            },
            CKPT_EPOCHS[:3],
            batches=3,
        ),
        "batch_freq_epoch_keys": _checkpoint(
            env, {"filepath": "ckpt/e{epoch}.keras", "save_freq": 4}, CKPT_EPOCHS[:3], batches=3
        ),
    }
    errors = {}
    for name, kw in {
        "bad_ext": {"filepath": "ckpt/model.pt"},
        "bad_weights_ext": {"filepath": "ckpt/model.h5", "save_weights_only": True},
        "bad_freq": {"filepath": "ckpt/model.keras", "save_freq": "batch"},
    }.items():
        try:
            env.K.ModelCheckpoint(**kw)
            errors[name] = None
        except ValueError as e:
            errors[name] = str(e)
    try:
        _checkpoint(env, {"filepath": "ckpt/{epoch}-{val_acc:.2f}.keras"}, CKPT_EPOCHS[:1])
        errors["format_key"] = None
    except KeyError as e:
        errors["format_key"] = str(e)
    res["errors"] = errors
    return res


# ------------------------------------------------------------------------------- CSVLogger
def _csv(env: Any, path: str, runs: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> str:
    for kwargs, epochs in runs:
        cb = env.K.CSVLogger(path, **kwargs)
        cb.set_model(FakeModel(env))
        cb.on_train_begin()
        for epoch, logs in enumerate(epochs):
            cb.on_epoch_end(epoch, {k: (env.wrap(v) if isinstance(v, float) else v) for k, v in logs.items()})
        cb.on_train_end()
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def csv_logger_cases(env: Any, tmpdir: str) -> dict[str, Any]:
    p = lambda name: os.path.join(tmpdir, name)  # noqa: E731
    train = [{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.25, "accuracy": 0.125}]
    val = [dict(d, val_loss=d["loss"] * 2, val_accuracy=0.1) for d in train]
    return {
        "no_val": _csv(env, p("a.csv"), [({}, train)]),
        "with_val_sep": _csv(env, p("b.csv"), [({"separator": ";"}, val)]),
        "append": _csv(env, p("c.csv"), [({"append": True}, train), ({"append": True}, val)]),
        "overwrite": _csv(env, p("d.csv"), [({}, train), ({}, train[:1])]),
        "list_and_str": _csv(env, p("e.csv"), [({}, [{"loss": 0.5, "v": [1, 2.5], "s": "text"}])]),
        "missing_key_later": _csv(env, p("f.csv"), [({}, [{"loss": 0.5, "val_loss": 1.0}, {"loss": 0.4}])]),
    }


# -------------------------------------------------------------------------- BackupAndRestore
class BackupModel(FakeModel):
    """Adds what BackupAndRestore needs: ``built``, ``load_weights``, a file-writing save."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.built = True
        self._initial_epoch = None
        self.loaded: list[str] = []

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        with open(filepath, "w") as f:
            f.write(str(self.version))

    def load_weights(self, filepath: str) -> None:
        self.loaded.append(os.path.basename(filepath))


def backup_cases(env: Any, tmpdir: str) -> dict[str, Any]:
    """When BackupAndRestore saves, which epoch/batch it records, and the resumed epoch."""
    res: dict[str, Any] = {}
    for name, kwargs in {
        "epoch": {},
        "every_2_batches": {"save_freq": 2},
        "keep": {"delete_checkpoint": False},
    }.items():
        d = os.path.join(tmpdir, name)
        model = BackupModel(env)
        cb = env.K.BackupAndRestore(d, **kwargs)
        cb.set_model(model)
        cb.on_train_begin()
        trace = [["begin", model._initial_epoch, env.read_backup(d)]]
        for epoch in range(2):
            cb.on_epoch_begin(epoch)
            for b in range(3):
                model.version = 10 * epoch + b
                cb.on_train_batch_begin(b)
                cb.on_train_batch_end(b, {"loss": env.wrap(1.0)})
                trace.append(["batch", epoch, b, env.read_backup(d)])
            cb.on_epoch_end(epoch, {"loss": env.wrap(1.0)})
            trace.append(["epoch", epoch, env.read_backup(d)])
        # "Crash": no on_train_end. A new run resumes from the backup.
        model2 = BackupModel(env)
        cb2 = env.K.BackupAndRestore(d, **kwargs)
        cb2.set_model(model2)
        cb2.on_train_begin()
        trace.append(["resumed", model2._initial_epoch])
        cb2.on_train_end()
        trace.append(["after_end_exists", os.path.exists(d)])
        res[name] = trace
    errors = {}
    for name, kw in {"empty_dir": {"backup_dir": ""}, "bad_freq": {"backup_dir": "x", "save_freq": "batch"}}.items():
        try:
            env.K.BackupAndRestore(**kw)
            errors[name] = None
        except ValueError as e:
            errors[name] = str(e)
    model = BackupModel(env)
    model.built = False
    cb = env.K.BackupAndRestore(os.path.join(tmpdir, "unbuilt"))
    cb.set_model(model)
    try:
        cb.on_train_begin()
        errors["unbuilt"] = None
    except ValueError as e:
        errors["unbuilt"] = str(e).replace(repr(model), "<model>").replace(str(model), "<model>")
    res["errors"] = errors
    return res


# ------------------------------------------------------------------- callback list plumbing
def callback_list_order(env: Any) -> dict[str, Any]:
    """Order of callbacks, shared logs dict and the Keras-2 batch alias."""
    calls: list[Any] = []

    class Recorder(env.K.Callback):
        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            calls.append(["on_batch_end", batch, sorted(logs)])

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs["added_by_recorder"] = 1.0
            calls.append(["on_epoch_end", epoch, sorted(logs)])

    model = FakeModel(env)
    rec = Recorder()
    history = env.K.History()
    cbs = env.callback_list(
        [rec, history], add_history=True, add_progbar=False, verbose=0, epochs=1, steps=2, model=model
    )
    names = [type(c).__name__ for c in cbs.callbacks]
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"b": env.wrap(1.0), "a": {"nested": env.wrap(2.0)}})
    cbs.on_epoch_end(0, {"loss": env.wrap(1.0)})
    cbs.on_train_end()
    return {
        "names": names,
        "calls": calls,
        "history_is_given": model.history is history,
        "history": {k: [float(x) for x in v] for k, v in history.history.items()},
        "rec_params": dict(rec.params),
        "rec_model_is_model": rec.model is model,
    }


SCENARIOS = {
    "fit_verbose1": fit_verbose1,
    "fit_verbose2": fit_verbose2,
    "fit_verbose_auto_one_epoch": fit_verbose_auto_one_epoch,
    "fit_verbose0": fit_verbose0,
    "fit_unknown_steps_verbose1": fit_unknown_steps_verbose1,
    "fit_unknown_steps_verbose2": fit_unknown_steps_verbose2,
    "fit_many_steps": fit_many_steps,
    "evaluate_verbose1": evaluate_verbose1,
    "evaluate_verbose2": evaluate_verbose2,
    "evaluate_unknown_steps": evaluate_unknown_steps,
    "predict_verbose1": predict_verbose1,
    "progbar_direct": progbar_direct,
    "progbar_not_dynamic": progbar_not_dynamic,
    "early_stopping_cases": early_stopping_cases,
    "early_stopping_auto_unknown_metric": early_stopping_auto_unknown_metric,
    "reduce_lr_cases": reduce_lr_cases,
    "lr_scheduler_cases": lr_scheduler_cases,
    "terminate_on_nan_cases": terminate_on_nan_cases,
    "checkpoint_cases": checkpoint_cases,
    "callback_list_order": callback_list_order,
}
# Scenarios that need a scratch directory: fn(env, tmpdir).
DIR_SCENARIOS = {"csv_logger_cases": csv_logger_cases, "backup_cases": backup_cases}
