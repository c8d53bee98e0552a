"""Clear errors across the public training API: shapes, dtypes, empty data, optional NaN/inf checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _rel_models import mlp


def _xy(n=8, features=4, targets=2):
    return np.zeros((n, features), "float32"), np.zeros((n, targets), "float32")


# ---------------------------------------------------------------------- shapes
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict", "__call__", "train_on_batch", "predict_on_batch"])
def test_wrong_feature_shape_names_expected_and_received(call, keras):
    model = mlp(keras)
    x, y = _xy(features=5)
    args = {"fit": (x, y), "evaluate": (x, y), "train_on_batch": (x, y)}.get(call, (x,))
    kwargs = {"verbose": 0} if call in ("fit", "evaluate", "predict") else {}
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\).*found shape=\(\d+, 5\)"):
        getattr(model, call)(*args, **kwargs)


def test_wrong_rank(keras):
    # Keras 3 squeezes a trailing axis of size 1 (Functional._adjust_input_rank); any other extra axis is an error.
    assert mlp(keras).predict(np.zeros((8, 4, 1), "float32"), verbose=0).shape == (8, 2)
    with pytest.raises(ValueError, match=r"incompatible.*expected shape=\(None, 4\), found shape=\(8, 4, 2\)"):
        mlp(keras).predict(np.zeros((8, 4, 2), "float32"), verbose=0)


def test_sample_count_mismatch(keras):
    x, _ = _xy(8)
    _, y = _xy(7)
    with pytest.raises(ValueError, match="cardinality"):
        mlp(keras).fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        mlp(keras).fit(*_xy(8), sample_weight=np.ones(5), verbose=0)


def test_target_shape_mismatch_is_a_value_error(keras):
    x, y = _xy(targets=3)
    try:
        mlp(keras).fit(x, y, verbose=0)
    except ValueError as e:
        assert "(8, 3)" in str(e) and "(8, 2)" in str(e)
    else:
        pytest.fail("no error for targets of the wrong shape")


# ---------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("bad", [np.array([["a"] * 4] * 8), np.array([[None] * 4] * 8, dtype=object),
                                 np.array([[b"x"] * 4] * 8)])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict", "predict_on_batch"])
def test_non_numeric_inputs_name_the_dtype(bad, call, keras):
    model = mlp(keras)
    y = np.zeros((8, 2), "float32")
    kwargs = {"verbose": 0} if call != "predict_on_batch" else {}
    args = (bad, y) if call in ("fit", "evaluate") else (bad,)
    with pytest.raises(ValueError, match=f"dtype {bad.dtype}|numeric"):
        getattr(model, call)(*args, **kwargs)


def test_non_numeric_targets(keras):
    x, _ = _xy()
    with pytest.raises(ValueError, match="numeric"):
        mlp(keras).fit(x, np.array([["a", "b"]] * 8), verbose=0)


# ---------------------------------------------------------------------- empty data
def _empty_sources(keras):
    x, y = _xy(0)
    ds = torch.utils.data.TensorDataset(torch.zeros(0, 4), torch.zeros(0, 2))

    class EmptySeq(keras.utils.PyDataset):
        def __len__(self):
            return 0

        def __getitem__(self, i):
            raise IndexError(i)

    return {
        "arrays": lambda: ((x, y), {}),
        "generator": lambda: (((b for b in []),), {}),
        "dataloader": lambda: ((torch.utils.data.DataLoader(ds, batch_size=4),), {}),
        "pydataset": lambda: ((EmptySeq(),), {}),
        "steps=0": lambda: ((*_xy(8),), {"steps": 0}),
    }


@pytest.mark.parametrize("source", ["arrays", "generator", "dataloader", "pydataset", "steps=0"])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_empty_data_raises(call, source, keras):
    model = mlp(keras)
    args, kwargs = _empty_sources(keras)[source]()
    if call == "predict" and len(args) == 2:
        args = args[:1]
    if source == "steps=0":
        if call == "fit":
            kwargs = {"steps_per_epoch": 0}
        elif call == "predict":
            args = args[:1]
    try:
        result = getattr(model, call)(*args, verbose=0, **kwargs)
    except ValueError as e:
        msg = str(e).lower()
        assert "empty" in msg or "0 samples" in msg or "no batches" in msg or "at least one" in msg, e
        return
    except ZeroDivisionError as e:  # pragma: no cover - what must not happen
        pytest.fail(f"ZeroDivisionError instead of a clear error: {e}")
    pytest.fail(f"{call}() on empty {source} returned {result!r} instead of raising")


def test_empty_batch_apis(keras):
    model = mlp(keras)
    x, y = _xy(0)
    with pytest.raises(ValueError):
        model.train_on_batch(x, y)
    with pytest.raises(ValueError):
        model.test_on_batch(x, y)


# ---------------------------------------------------------------------- NaN / inf (opt-in)
@pytest.fixture
def check_numerics(keras):
    keras.config.set_check_numerics(True)
    yield
    keras.config.set_check_numerics(False)


def test_nan_inputs_pass_silently_by_default(keras):
    x, y = _xy()
    x[3, 1] = np.nan
    mlp(keras).fit(x, y, verbose=0)  # Keras does not check either: the opt-in check is off by default


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_check_numerics_refuses_bad_inputs(call, value, keras, check_numerics):
    x, y = _xy()
    x[5, 2] = value
    args = (x, y) if call != "predict" else (x,)
    with pytest.raises(ValueError, match=r"NaN/inf .*batch 0"):
        getattr(mlp(keras), call)(*args, verbose=0)


def test_check_numerics_refuses_bad_targets(keras, check_numerics):
    x, y = _xy()
    y[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN/inf"):
        mlp(keras).fit(x, y, verbose=0)


def test_check_numerics_reports_divergence(keras, check_numerics):
    x, y = _xy()
    model = mlp(keras)
    model.compile(optimizer=keras.optimizers.SGD(1e30), loss="mse")
    y[:] = 1e30
    with pytest.raises(ValueError, match="diverged"):
        model.fit(x + 1.0, y, epochs=5, verbose=0)


def test_check_numerics_off_again(keras, check_numerics):
    keras.config.set_check_numerics(False)
    x, y = _xy()
    x[0, 0] = np.nan
    mlp(keras).fit(x, y, verbose=0)
