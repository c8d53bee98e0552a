"""``keras_torch.random``: Keras's seeding semantics and the moments of every distribution."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import random as kr

ROOT = pathlib.Path(__file__).resolve().parents[2]
N = 200_000


def _draws(seed):
    return [
        kr.normal((5,), seed=seed), kr.uniform((5,), seed=seed), kr.randint((5,), 0, 100, seed=seed),
        kr.truncated_normal((5,), seed=seed), kr.gamma((5,), 2.0, seed=seed), kr.beta((5,), 2.0, 3.0, seed=seed),
        kr.binomial((5,), 10, 0.4, seed=seed), kr.categorical(torch.zeros(2, 7), 5, seed=seed),
        kr.shuffle(torch.arange(10), seed=seed), kr.dropout(torch.ones(2, 5), 0.5, seed=seed),
    ]


def test_int_seed_is_stateless_and_reproducible():
    for a, b in zip(_draws(1234), _draws(1234)):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not torch.equal(kr.normal((20,), seed=1), kr.normal((20,), seed=2))


def test_seed_generator_advances_and_replays():
    gen = kr.SeedGenerator(7)
    first, second = kr.normal((8,), seed=gen), kr.normal((8,), seed=gen)
    assert not torch.equal(first, second)
    replay = kr.SeedGenerator(7)
    torch.testing.assert_close(kr.normal((8,), seed=replay), first, rtol=0, atol=0)
    torch.testing.assert_close(kr.normal((8,), seed=replay), second, rtol=0, atol=0)
    assert replay.state.tolist() == [7, 2]


def test_seed_generator_config_and_errors():
    gen = kr.SeedGenerator(3, name="gen")
    assert gen.get_config() == {"seed": 3, "name": "gen"}
    clone = kr.SeedGenerator.from_config(gen.get_config())
    torch.testing.assert_close(kr.uniform((4,), seed=clone), kr.uniform((4,), seed=kr.SeedGenerator(3)))
    with pytest.raises(ValueError, match="must be an integer"):
        kr.SeedGenerator("3")
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        kr.SeedGenerator(1, backend="jax")
    with pytest.raises(ValueError, match="SeedGenerator"):
        kr.normal((2,), seed=1.5)


def test_unordered_draw_scrambles_the_state():
    gen = kr.SeedGenerator(11)
    gen.next(ordered=False)
    assert gen.state.tolist() == [(12 * 5387) % 933199, (1 * 5387) % 933199]


def test_set_random_seed_makes_unseeded_draws_reproducible():
    keras.utils.set_random_seed(99)
    first = _draws(None) + [kr.SeedGenerator().next()]
    keras.utils.set_random_seed(99)
    again = _draws(None) + [kr.SeedGenerator().next()]
    for a, b in zip(first, again):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_seeded_draws_are_the_same_in_another_process():
    code = ("import torch; from keras_torch import random as kr; "
            "print(repr(kr.normal((6,), seed=2024).tolist())); print(repr(kr.gamma((3,), 1.5, seed=5).tolist()))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    lines = out.strip().splitlines()
    assert lines[0] == repr(kr.normal((6,), seed=2024).tolist())
    assert lines[1] == repr(kr.gamma((3,), 1.5, seed=5).tolist())


def test_seeded_global_samplers_restore_the_global_generator():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    kr.gamma((4,), 2.0, seed=1)
    kr.beta((4,), 1.0, 2.0, seed=1)
    torch.testing.assert_close(torch.rand(3), expected)


def _moments(x):
    x = x.double()
    return x.mean().item(), x.std().item()


def test_normal_and_uniform_moments():
    m, s = _moments(kr.normal((N,), mean=2.0, stddev=3.0, seed=1))
    assert abs(m - 2.0) < 0.05 and abs(s - 3.0) < 0.05
    u = kr.uniform((N,), minval=-1.0, maxval=3.0, seed=2)
    assert u.min() >= -1.0 and u.max() < 3.0
    m, s = _moments(u)
    assert abs(m - 1.0) < 0.02 and abs(s - 4.0 / np.sqrt(12.0)) < 0.02


def test_truncated_normal_bounds_and_moments():
    x = kr.truncated_normal((N,), mean=1.0, stddev=2.0, seed=3)
    assert x.min() >= 1.0 - 4.0 and x.max() <= 1.0 + 4.0
    m, s = _moments(x)
    assert abs(m - 1.0) < 0.03 and abs(s - 2.0 * 0.8796) < 0.03  # std of N(0,1) truncated at +/-2


def test_randint_range_and_moments():
    x = kr.randint((N,), 3, 13, seed=4)
    assert x.dtype == torch.int32 and x.min() == 3 and x.max() == 12
    m, s = _moments(x)
    assert abs(m - 7.5) < 0.05 and abs(s - np.sqrt((10**2 - 1) / 12)) < 0.05


def test_gamma_beta_binomial_moments():
    m, s = _moments(kr.gamma((N,), 3.0, seed=5))
    assert abs(m - 3.0) < 0.05 and abs(s**2 - 3.0) < 0.1
    m, s = _moments(kr.beta((N,), 2.0, 5.0, seed=6))
    assert abs(m - 2.0 / 7.0) < 0.005 and abs(s**2 - 10.0 / (49.0 * 8.0)) < 0.002
    m, s = _moments(kr.binomial((N,), 20, 0.3, seed=7))
    assert abs(m - 6.0) < 0.05 and abs(s**2 - 4.2) < 0.1


def test_categorical_frequencies_follow_the_softmax():
    logits = torch.log(torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]))
    draws = kr.categorical(logits, N // 4, seed=8)
    assert draws.shape == (2, N // 4) and draws.dtype == torch.int32
    for row, p in zip(draws, torch.softmax(logits, -1)):
        freq = torch.bincount(row.long(), minlength=3).double() / row.numel()
        torch.testing.assert_close(freq, p.double(), atol=0.01, rtol=0)
    with pytest.raises(ValueError, match="2-D"):
        kr.categorical(torch.zeros(3), 2)


def test_dropout_rate_scale_and_noise_shape():
    x = torch.ones(400, 500)
    for seed in (None, 9):
        y = kr.dropout(x, 0.3, seed=seed)
        kept = y != 0
        assert abs(kept.double().mean().item() - 0.7) < 0.01
        torch.testing.assert_close(y[kept], torch.full_like(y[kept], 1 / 0.7))
    y = kr.dropout(torch.ones(8, 6, 5), 0.5, noise_shape=(None, 1, 5), seed=10)
    assert torch.equal(y, y[:, :1, :].expand_as(y))
    assert torch.equal(kr.dropout(x, 0.0), x) and not kr.dropout(x, 1.0).any()
    with pytest.raises(ValueError, match="rate"):
        kr.dropout(x, 1.5)


def test_shuffle_permutes_slices_along_the_axis():
    x = torch.arange(24).reshape(4, 6)
    y = kr.shuffle(x, axis=1, seed=11)
    assert sorted(y[0].tolist()) == list(range(6))
    assert torch.equal(y - y[:, :1], x[:, y[0]] - x[:, y[0][:1]])  # one permutation for every row


def test_dtypes_and_errors():
    assert kr.normal((2,)).dtype == torch.float32
    assert kr.normal((2,), dtype="float64").dtype == torch.float64
    assert kr.uniform((2,), dtype="bfloat16").dtype == torch.bfloat16
    assert kr.uniform((), seed=1).shape == ()
    assert kr.gamma((2,), 1.0, dtype="float16").dtype == torch.float16
    with pytest.raises(ValueError, match="floating point"):
        kr.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer"):
        kr.randint((2,), 0, 3, dtype="float32")


def test_dropout_inside_a_functional_model():
    inp = keras.Input((6,))
    out = kr.dropout(inp, 0.5, seed=kr.SeedGenerator(1))
    assert out.shape == (None, 6)
    y = keras.Model(inp, out)(torch.ones(3, 6))
    assert set(y.unique().tolist()) <= {0.0, 2.0}
