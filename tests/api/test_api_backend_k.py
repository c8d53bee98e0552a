"""tf-keras 2 ``K.*`` functions against real tf-keras values (compat/fixtures/tfk_backend, cases in
compat/backend_cases.py), plus the behaviour of the ones without a deterministic value."""

import pathlib

import numpy as np
import pytest
import torch

import keras_torch as keras
from compat import backend_cases
from keras_torch import backend as K
from keras_torch.core import omissions

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "tfk_backend" / "values.npz"
VALUES = np.load(FIXTURE)
ARRAYS = {k[3:]: VALUES[k] for k in VALUES.files if k.startswith("in_")}
# Cases compared at a looser tolerance, and why.
LOOSE = {"ctc_batch_cost": 1e-4, "ctc_decode_greedy": 1e-4}  # float32 log-space sums over time
NOT_PROVIDED = {"ctc_decode_beam"}  # beam search: K.ctc_decode raises NotImplementedError (tested below)


def _resolve(a):
    if isinstance(a, backend_cases.A):
        return torch.as_tensor(ARRAYS[a.name])
    return a


def test_fixture_inputs_are_the_case_inputs():
    for name, array in backend_cases.arrays().items():
        np.testing.assert_array_equal(ARRAYS[name], array)


@pytest.mark.parametrize("case", sorted(set(backend_cases.CASES) - NOT_PROVIDED))
def test_matches_tf_keras(case):
    fn, args, kwargs = backend_cases.CASES[case]
    result = getattr(K, fn)(*[_resolve(a) for a in args], **{k: _resolve(v) for k, v in kwargs.items()})
    outputs = backend_cases.flatten_result(
        [r.detach().numpy() if isinstance(r, torch.Tensor) else r for r in result]
        if isinstance(result, (list, tuple)) else
        (result.detach().numpy() if isinstance(result, torch.Tensor) else result)
    )
    expected = [VALUES[k] for k in sorted((k for k in VALUES.files if k.rsplit("_", 1)[0] == case),
                                          key=lambda k: int(k.rsplit("_", 1)[1]))]
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        got = np.asarray(got.detach().numpy() if isinstance(got, torch.Tensor) else got)
        assert got.shape == want.shape, case
        tol = LOOSE.get(case, 1e-5)
        np.testing.assert_allclose(got.astype(want.dtype), want, rtol=tol, atol=tol, err_msg=case)


def test_beam_search_decoding_is_refused_precisely():
    with pytest.raises(NotImplementedError, match="beam search"):
        K.ctc_decode(torch.as_tensor(ARRAYS["ctc_probs"]), torch.as_tensor(ARRAYS["ctc_input_len_flat"]),
                     greedy=False)


def test_radial_constraint_and_tf2_metrics_match_tf_keras():
    for k in (3, 4, 5):
        got = keras.constraints.RadialConstraint()(torch.as_tensor(ARRAYS[f"radial{k}"]))
        np.testing.assert_array_equal(got.numpy(), VALUES[f"radial_{k}"])
    assert keras.constraints.radial_constraint is keras.constraints.RadialConstraint
    m = keras.metrics.MeanRelativeError(normalizer=ARRAYS["mre_norm"])
    m.update_state(ARRAYS["mre_true"], ARRAYS["mre_pred"])
    m.update_state(ARRAYS["mre_pred"], ARRAYS["mre_true"])
    np.testing.assert_allclose(m.result().numpy(), VALUES["mre"], rtol=1e-6)
    m = keras.metrics.MeanRelativeError(normalizer=ARRAYS["mre_norm"])
    m.update_state(ARRAYS["mre_true"], ARRAYS["mre_pred"], sample_weight=ARRAYS["mre_weight"])
    np.testing.assert_allclose(m.result().numpy(), VALUES["mre_weighted"], rtol=1e-6)
    m = keras.metrics.MeanTensor()
    m.update_state(ARRAYS["mre_true"])
    m.update_state(ARRAYS["mre_pred"], sample_weight=ARRAYS["mre_weight"])
    np.testing.assert_allclose(m.result().numpy(), VALUES["mean_tensor"], rtol=1e-6)
    with pytest.raises(ValueError, match="must always have the same shape"):
        m.update_state(np.ones((2, 2)))


def test_rnn_runs_the_step_function_with_masks():
    x = torch.arange(2 * 4 * 1, dtype=torch.float32).reshape(2, 4, 1)
    mask = torch.tensor([[True, True, False, True], [True, False, False, False]])

    def step(inp, states):
        total = states[0] + inp
        return total * 10, [total]

    last, outputs, states = K.rnn(step, x, [torch.zeros(2, 1)], mask=mask)
    # Sample 0: sums 0, 1, (masked: keep 1), 1 + 3 = 4; sample 1: 4, then masked.
    assert outputs[:, :, 0].tolist() == [[0.0, 10.0, 10.0, 40.0], [40.0, 40.0, 40.0, 40.0]]
    assert states[0][:, 0].tolist() == [4.0, 4.0] and last[:, 0].tolist() == [40.0, 40.0]
    _, zeroed, _ = K.rnn(step, x, [torch.zeros(2, 1)], mask=mask, zero_output_for_mask=True)
    assert zeroed[:, :, 0].tolist() == [[0.0, 10.0, 0.0, 40.0], [40.0, 0.0, 0.0, 0.0]]
    last_b, outputs_b, _ = K.rnn(step, x, [torch.zeros(2, 1)], go_backwards=True, return_all_outputs=False)
    assert outputs_b.shape == (2, 1, 1) and last_b[:, 0].tolist() == [60.0, 220.0]


def test_map_fn_and_folds():
    x = torch.arange(6.0).reshape(3, 2)
    torch.testing.assert_close(K.map_fn(lambda r: r * 2, x), x * 2)
    a, b = K.map_fn(lambda pair: (pair[0] + pair[1], pair[0] * pair[1]), (x, x))
    torch.testing.assert_close(a, x * 2) and torch.testing.assert_close(b, x * x)
    assert K.foldl(lambda acc, r: acc * 10 + r[0], x, initializer=torch.tensor(0.0)).item() == 24.0
    assert K.foldr(lambda acc, r: acc * 10 + r[0], x, initializer=torch.tensor(0.0)).item() == 420.0
    torch.testing.assert_close(K.foldl(lambda acc, r: acc + r, x), x.sum(0))


def test_function_placeholder_and_learning_phase():
    inp = K.placeholder(shape=(None, 3))
    assert K.is_keras_tensor(inp) and inp.shape == (None, 3)
    dense = keras.layers.Dense(2)
    out = dense(inp)
    fn = K.function([inp], [out])
    x = np.ones((4, 3), "float32")
    result = fn([x])
    assert isinstance(result, list) and len(result) == 1
    np.testing.assert_allclose(result[0], dense(torch.as_tensor(x)).detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="`updates` argument is not supported"):
        K.function([inp], [out], updates=[1])
    with pytest.raises(ValueError, match="needs a `shape` or an `ndim`"):
        K.placeholder()
    assert K.placeholder(ndim=2).shape == (None, None)
    assert K.in_train_phase(1, 2, training=True) == 1 and K.in_test_phase(1, 2, training=True) == 2
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1 and K.in_train_phase(lambda: "x", "y") == "x"
    assert K.learning_phase() == 0


def test_gradients_eagerly_and_precise_error():
    w = K.variable(np.array([1.0, 2.0]))
    loss = K.sum(K.square(w) * 3)
    (grad,) = K.gradients(loss, [w])
    assert grad.tolist() == [6.0, 12.0]
    assert K.gradients(loss, [w, K.variable(1.0)])[1] is None
    with pytest.raises(ValueError, match="cannot differentiate a symbolic KerasTensor"):
        K.gradients(K.placeholder(shape=(None, 1)), [w])
    with pytest.raises(ValueError, match="has no autograd history"):
        K.gradients(torch.ones(()), [w])


def test_variables_and_updates():
    v = K.variable([1, 2], name="v")
    assert v.dtype == torch.float32 and v.name == "v" and v.requires_grad
    K.update_add(v, [1.0, 1.0])
    K.update_sub(v, 0.5)
    np.testing.assert_allclose(K.eval(v), [1.5, 2.5])
    K.moving_average_update(v, np.array([3.5, 0.5]), 0.75)
    np.testing.assert_allclose(K.eval(v), [2.0, 2.0])
    K.update(v, np.zeros(2))
    assert K.eval(v).tolist() == [0.0, 0.0]
    assert K.eval(K.eye(3)).tolist() == np.eye(3).tolist()
    assert K.random_uniform_variable((100,), 2.0, 3.0, seed=1).min() >= 2.0
    assert abs(float(K.random_normal_variable((4000,), 1.0, 0.5, seed=1).mean()) - 1.0) < 0.05
    with pytest.raises(NotImplementedError, match="add_weight"):
        K.variable(1.0, constraint=keras.constraints.NonNeg())


def test_random_functions_and_dropout():
    t = K.truncated_normal((20000,), mean=1.0, stddev=2.0, seed=3)
    assert t.min() >= -3.0 and t.max() <= 5.0 and abs(float(t.mean()) - 1.0) < 0.05
    b = K.random_bernoulli((20000,), p=0.3, seed=3)
    assert set(b.unique().tolist()) <= {0.0, 1.0} and abs(float(b.mean()) - 0.3) < 0.02
    x = torch.ones(10000)
    dropped = K.dropout(x, 0.25, seed=5)
    assert set(dropped.unique().tolist()) <= {0.0, float(np.float32(1.0 / 0.75))}
    assert abs(float((dropped == 0).float().mean()) - 0.25) < 0.02
    per_row = K.dropout(torch.ones(100, 8), 0.5, noise_shape=(100, 1), seed=5)
    assert all(len(set(row.tolist())) == 1 for row in per_row)


def test_sparse_helpers_and_print_tensor(capsys):
    sparse = K.ctc_label_dense_to_sparse(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([2, 1]))
    assert K.is_sparse(sparse) and not K.is_sparse(torch.ones(1))
    assert K.to_dense(sparse).tolist() == [[1, 2, 0], [4, 0, 0]]
    x = torch.arange(3.0)
    assert K.print_tensor(x, message="x =") is x
    assert capsys.readouterr().out.strip() == "x = [0. 1. 2.]"


def test_keras3_backend_names():
    assert K.standardize_dtype(torch.float16) == "float16" and K.is_float_dtype("bfloat16")
    assert K.result_type("int32", "float16") == "float16"
    assert K.backend() == "torch" and K.is_keras_tensor(keras.Input((2,)))


def test_tf_only_backend_names_are_documented_omissions():
    for name in ("manual_variable_initialization", "experimental"):
        with pytest.raises(omissions.NotProvidedError) as info:
            getattr(K, name)
        assert str(info.value) == omissions.message(f"backend.{name}")
