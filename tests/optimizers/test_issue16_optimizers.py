"""Adafactor, Lamb, Muon, LossScaleOptimizer, ScheduleFreeAdamW beyond the Keras trajectories.

The trajectories themselves (plain variables, Keras 3 fixtures) are in ``test_parity.py``. Here:
weights stored in a torch layout get Keras's update (Adafactor factors Keras's axes; Muon is
transpose-equivariant), Muon's variable routing, the dynamic loss scale, state round trips, fit.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import optimizers


def _keras_layout_twin(layer_weight: torch.Tensor) -> torch.nn.Parameter:
    return torch.nn.Parameter(layer_weight.to_keras(layer_weight.detach()).clone())


@pytest.mark.parametrize("make", [lambda: keras.layers.Conv2D(4, 3), lambda: keras.layers.Dense(5)])
def test_adafactor_factors_keras_axes_of_torch_layout_weights(make):
    layer = make()
    layer.build((None, 6, 6, 3) if isinstance(layer, keras.layers.Conv2D) else (None, 7))
    w = layer.trainable_weights[0]
    twin = _keras_layout_twin(w)
    a, b = optimizers.Adafactor(learning_rate=0.1), optimizers.Adafactor(learning_rate=0.1)
    gen = torch.Generator().manual_seed(0)
    for _ in range(3):
        g_keras = torch.randn(twin.shape, generator=gen)
        w.grad, twin.grad = w.to_torch(g_keras), g_keras
        a.step([w])
        b.step([twin])
        torch.testing.assert_close(w.to_keras(w.detach()), twin.detach(), atol=1e-6, rtol=1e-6)
    # the saved state is Keras's: r, c of the Keras shape, the velocity in Keras layout
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(x, y, atol=1e-6, rtol=1e-6)


def test_muon_is_transpose_equivariant_and_routes_variables():
    dense = keras.layers.Dense(3)
    emb = keras.layers.Embedding(10, 4)
    dense.build((None, 6))
    emb.build((None, 2))
    kernel, bias = dense.trainable_weights
    table = emb.trainable_weights[0]
    twin = _keras_layout_twin(kernel)
    opt, ref = optimizers.Muon(learning_rate=0.05), optimizers.Muon(learning_rate=0.05)
    opt.build([kernel, bias, table])
    ref.build([twin])
    # Muon for the kernel; AdamW (a velocity slot) for the bias and the embedding table
    assert [v is None for v in opt.adam_velocities] == [True, False, False]
    gen = torch.Generator().manual_seed(1)
    for _ in range(3):
        g = torch.randn(twin.shape, generator=gen)
        kernel.grad, twin.grad = kernel.to_torch(g), g
        bias.grad, table.grad = torch.randn(bias.shape, generator=gen), torch.randn(table.shape, generator=gen)
        opt.step([kernel, bias, table])
        ref.step([twin])
        torch.testing.assert_close(kernel.to_keras(kernel.detach()), twin.detach(), atol=1e-6, rtol=1e-5)
    excluded = optimizers.Muon(exclude_layers=["dense"])
    excluded.build([kernel])
    assert excluded.adam_velocities[0] is not None


def test_loss_scale_optimizer_dynamic_scale():
    w = torch.nn.Parameter(torch.ones(3))
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.5), initial_scale=8.0, dynamic_growth_steps=2)
    assert float(opt.scale_loss(torch.tensor(1.0))) == 8.0  # before build: initial_scale
    opt.apply_gradients([(torch.full((3,), 8.0), w)])  # unscaled gradient 1
    torch.testing.assert_close(w.detach(), torch.full((3,), 0.5))
    assert (int(opt.step_counter), float(opt.dynamic_scale)) == (1, 8.0)
    w.grad = torch.tensor([float("inf"), 0.0, 0.0])
    opt.step([w])  # non-finite: skipped, scale halved, counter reset
    torch.testing.assert_close(w.detach(), torch.full((3,), 0.5))
    assert (int(opt.step_counter), float(opt.dynamic_scale)) == (0, 4.0)
    for _ in range(2):
        opt.apply_gradients([(torch.full((3,), 4.0), w)])
    assert (int(opt.step_counter), float(opt.dynamic_scale)) == (0, 8.0)  # grew after 2 finite steps
    assert int(opt.iterations) == 3 == int(opt.inner_optimizer.iterations)
    assert float(opt.scale_loss(torch.tensor(2.0))) == 16.0
    assert float(opt.learning_rate) == 0.5


def test_loss_scale_optimizer_state_round_trip():
    w = torch.nn.Parameter(torch.ones(2, 2))
    opt = optimizers.LossScaleOptimizer(optimizers.Adam(), initial_scale=2.0)
    opt.apply_gradients([(torch.ones(2, 2), w)])
    store: dict = {}
    opt.save_own_variables(store)
    assert len(store) == len(opt.variables) == 4 + 4  # own 4, Adam: iteration, lr, m, v
    fresh = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(fresh.inner_optimizer, optimizers.Adam)
    fresh.load_own_variables(store)  # deferred until built
    w2 = torch.nn.Parameter(torch.ones(2, 2))
    fresh.build([w2])
    for a, b in zip(fresh.get_weights(), opt.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic=False"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False)


def test_schedule_free_starts_z_at_the_variable_and_lamb_trust_ratio():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = optimizers.ScheduleFreeAdamW()
    opt.build([w])
    torch.testing.assert_close(opt._momentums[0], w.detach())
    zero = torch.nn.Parameter(torch.zeros(3))
    lamb = optimizers.Lamb(learning_rate=0.1)
    lamb.apply_gradients([(torch.ones(3), zero)])  # ||w|| = 0: trust ratio 1, the plain Adam-like step
    torch.testing.assert_close(zero.detach(), torch.full((3,), -0.1), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["adafactor", "lamb", "muon", "schedulefreeadamw"])
def test_fit_with_new_optimizers(name):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=name, loss="mse")
    x = np.random.default_rng(0).standard_normal((64, 4)).astype("float32")
    y = x.sum(1, keepdims=True)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][-1] < history.history["loss"][0]
