"""Optimizer API: lookup, configs, learning rate, state save/load, constraints, convergence."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from keras_torch import optimizers
from keras_torch.optimizers import schedules

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion"]


def _params(seed: int = 0) -> list[torch.nn.Parameter]:
    g = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(3, 4, generator=g)), torch.nn.Parameter(torch.randn(4, generator=g))]


def _grads(step: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(100 + step)
    return [torch.randn(3, 4, generator=g), torch.randn(4, generator=g)]


def _run(opt, params, steps, start=0) -> None:
    for k in range(start, start + steps):
        for p, g in zip(params, _grads(k)):
            p.grad = g.to(p.device)
        opt.step(params)


# ----------------------------------------------------------------------------- get / serialize
@pytest.mark.parametrize(
    "name, cls",
    [
        ("adam", "Adam"),
        ("Adam", "Adam"),
        ("ADAM", "Adam"),
        ("sgd", "SGD"),
        ("SGD", "SGD"),
        ("rmsprop", "RMSprop"),
        ("RMSProp", "RMSprop"),
        ("adamw", "AdamW"),
        ("AdamW", "AdamW"),
        ("nadam", "Nadam"),
        ("adagrad", "Adagrad"),
        ("adadelta", "Adadelta"),
        ("adamax", "Adamax"),
        ("ftrl", "Ftrl"),
        ("lion", "Lion"),
    ],
)
def test_get_by_name_is_case_insensitive(name: str, cls: str) -> None:
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls
    assert opt.get_config()["name"].startswith(opt.get_config()["name"].split("_")[0])


def test_get_unknown_name_suggests() -> None:
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamm'\. Did you mean 'adam'\?"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


def test_get_passthrough_and_none() -> None:
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None


def test_get_from_keras3_and_keras2_dicts() -> None:
    k3 = {
        "module": "keras.optimizers",
        "class_name": "Adam",
        "config": {"learning_rate": 0.01, "amsgrad": True},
        "registered_name": None,
    }
    opt = optimizers.get(k3)
    assert isinstance(opt, optimizers.Adam) and opt.amsgrad and float(opt.learning_rate) == pytest.approx(0.01)
    # tf.keras 2.11+ config (extra `jit_compile` / `is_legacy_optimizer` keys).
    tfk = {
        "module": "keras.optimizers",
        "class_name": "Adam",
        "config": {
            "name": "Adam",
            "weight_decay": None,
            "clipnorm": None,
            "global_clipnorm": None,
            "clipvalue": None,
            "use_ema": False,
            "ema_momentum": 0.99,
            "ema_overwrite_frequency": None,
            "jit_compile": False,
            "is_legacy_optimizer": False,
            "learning_rate": 0.0010000000474974513,
            "beta_1": 0.9,
            "beta_2": 0.999,
            "epsilon": 1e-07,
            "amsgrad": False,
        },
        "registered_name": None,
    }
    assert optimizers.get(tfk).name == "Adam"
    # Legacy tf.keras optimizer config: `decay` is ignored with a warning (as Keras 3 does).
    legacy = {
        "class_name": "SGD",
        "config": {"name": "SGD", "learning_rate": 0.01, "decay": 0.01, "momentum": 0.9, "nesterov": False},
    }
    with pytest.warns(UserWarning, match="decay"):
        opt = optimizers.deserialize(legacy)
    assert opt.momentum == 0.9
    # Lower-case class names and schedules inside configs.
    opt = optimizers.deserialize(
        {
            "class_name": "rmsprop",
            "config": {
                "learning_rate": {
                    "class_name": "ExponentialDecay",
                    "config": {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5},
                }
            },
        }
    )
    assert isinstance(opt._learning_rate, schedules.ExponentialDecay)


@pytest.mark.parametrize("cls", ALL)
def test_config_round_trip(cls: str) -> None:
    opt = getattr(optimizers, cls)(learning_rate=0.05, clipnorm=1.5, name="opt_x")
    config = opt.get_config()
    assert config["learning_rate"] == float(np.float32(0.05))
    again = type(opt).from_config(config)
    assert again.get_config() == config
    ser = optimizers.serialize(opt)
    assert ser["module"] == "keras.optimizers" and ser["class_name"] == cls
    assert optimizers.deserialize(ser).get_config() == config


def test_schedule_config_round_trip() -> None:
    opt = optimizers.AdamW(learning_rate=schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=3))
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    assert config["weight_decay"] == 0.004
    again = optimizers.AdamW.from_config(config)
    assert again.get_config() == config


def test_keras2_kwargs_and_validation() -> None:
    assert float(optimizers.legacy.Adam(lr=0.5).learning_rate) == 0.5
    assert optimizers.legacy.SGD is optimizers.SGD
    optimizers.Adam(jit_compile=True, is_legacy_optimizer=False)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(foo=1)
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=2.0)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")


def test_default_names_follow_keras() -> None:
    assert optimizers.RMSprop().name.startswith("rm_sprop")
    assert optimizers.AdamW().name.startswith("adam_w")
    a, b = optimizers.Lion(), optimizers.Lion()
    assert a.name != b.name


# ----------------------------------------------------------------------------- learning rate
def test_learning_rate_get_set() -> None:
    opt = optimizers.Adam(learning_rate=0.01)
    lr = opt.learning_rate
    assert torch.is_tensor(lr) and lr.dtype == torch.float32 and float(lr) == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    assert opt.learning_rate is lr  # updated in place: the variable object is stable
    opt.lr = 0.25  # Keras 2 alias
    assert float(opt.lr) == 0.25
    opt.learning_rate = torch.tensor(0.125)
    assert float(opt.learning_rate) == 0.125
    lr.fill_(0.0625)  # K.set_value style in-place write is picked up
    assert float(opt.get_config()["learning_rate"]) == 0.0625
    assert len(opt.variables) == 2
    opt.learning_rate = schedules.ExponentialDecay(0.1, 1, 0.5)  # replace by a schedule
    assert len(opt.variables) == 1  # the learning_rate variable is untracked, like Keras
    assert float(opt.learning_rate) == pytest.approx(0.1)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_learning_rate_follows_schedule_and_callable() -> None:
    params = _params()
    opt = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([1], [0.1, 0.01]))
    values = []
    for k in range(3):
        values.append(float(opt.learning_rate))
        _run(opt, params, 1, start=k)
    assert values == [pytest.approx(0.1), pytest.approx(0.1), pytest.approx(0.01)]
    opt = optimizers.SGD(learning_rate=lambda: 0.3)
    assert float(opt.learning_rate) == pytest.approx(0.3)
    _run(opt, params, 1)


def test_iterations_counts_steps() -> None:
    params = _params()
    opt = optimizers.Adam()
    assert opt.iterations.dtype == torch.int64 and int(opt.iterations) == 0
    _run(opt, params, 3)
    assert int(opt.iterations) == 3
    opt = optimizers.SGD(gradient_accumulation_steps=2)
    _run(opt, params, 5)
    assert int(opt.iterations) == 2 and int(opt.variables[0]) == 5


# ----------------------------------------------------------------------------- state
@pytest.mark.parametrize("cls", ALL)
def test_save_load_own_variables_round_trip(cls: str) -> None:
    kwargs = {"learning_rate": 0.01, "use_ema": True} if cls in ("Adam", "SGD") else {"learning_rate": 0.01}
    if cls == "SGD":
        kwargs["momentum"] = 0.9
    p1, p2 = _params(1), _params(1)
    opt1 = getattr(optimizers, cls)(**kwargs)
    _run(opt1, p1, 3)
    store: dict = {}
    opt1.save_own_variables(store)
    assert list(store) == [str(i) for i in range(len(opt1.variables))]
    assert all(isinstance(v, np.ndarray) for v in store.values())

    opt2 = getattr(optimizers, cls)(**kwargs)
    opt2.build(p2)
    opt2.load_own_variables(store)
    for a, b in zip(opt1.get_weights(), opt2.get_weights()):
        np.testing.assert_array_equal(a, b)
    with torch.no_grad():
        for a, b in zip(p1, p2):
            b.copy_(a)
    _run(opt1, p1, 2, start=3)
    _run(opt2, p2, 2, start=3)
    for a, b in zip(p1, p2):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_load_before_build_is_deferred_until_first_step() -> None:
    p1, p2 = _params(2), _params(2)
    opt1 = optimizers.Nadam()
    _run(opt1, p1, 2)
    store: dict = {}
    opt1.save_own_variables(store)
    opt2 = optimizers.Nadam()
    opt2.load_own_variables(store)  # not built yet: kept for later
    with torch.no_grad():
        for a, b in zip(p1, p2):
            b.copy_(a)
    _run(opt1, p1, 1, start=2)
    _run(opt2, p2, 1, start=2)
    assert int(opt2.iterations) == 3
    for a, b in zip(p1, p2):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_load_mismatch_warns_and_skips() -> None:
    opt = optimizers.Adam()
    opt.build(_params())
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        opt.load_own_variables({"0": np.array(3), "1": np.array(0.1, np.float32)})
    assert int(opt.iterations) == 0


def test_get_set_weights() -> None:
    params = _params()
    opt = optimizers.RMSprop(momentum=0.5, centered=True)
    with pytest.raises(ValueError, match="not yet been built"):
        opt.set_weights([])
    _run(opt, params, 2)
    weights = opt.get_weights()
    assert [w.shape for w in weights] == [(), (), (3, 4), (4,), (3, 4), (4,), (3, 4), (4,)]
    opt.set_weights([np.zeros_like(w) for w in weights])
    assert int(opt.iterations) == 0 and float(opt.learning_rate) == 0.0
    with pytest.raises(ValueError, match="not compatible"):
        opt.set_weights([np.zeros((2,))] + weights[1:])


def test_state_dict_round_trip() -> None:
    params = _params()
    opt = optimizers.Adamax()
    _run(opt, params, 2)
    state = opt.state_dict()
    other = optimizers.Adamax()
    other.load_state_dict(state)
    other.build(_params())
    assert int(other.iterations) == 2


# ----------------------------------------------------------------------------- hooks
def test_constraint_hook_applied_after_update() -> None:
    w = torch.nn.Parameter(torch.zeros(4))
    w.constraint = lambda t: torch.clamp(t, -0.05, 0.05)
    free = torch.nn.Parameter(torch.zeros(4))
    opt = optimizers.SGD(learning_rate=1.0)
    w.grad = torch.tensor([1.0, -1.0, 0.01, 0.0])
    free.grad = w.grad.clone()
    opt.step([w, free])
    torch.testing.assert_close(w.detach(), torch.tensor([-0.05, 0.05, -0.01, 0.0]))
    torch.testing.assert_close(free.detach(), torch.tensor([-1.0, 1.0, -0.01, 0.0]))


def test_step_skips_none_grads_and_unknown_variables_raise() -> None:
    a, b = _params()
    b_before = b.detach().clone()
    opt = optimizers.Adam()
    a.grad = torch.ones_like(a)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.step([a, b])
    torch.testing.assert_close(b.detach(), b_before)
    assert len(opt.variables) == 6  # slots exist for every built variable, like Keras
    stranger = torch.nn.Parameter(torch.zeros(2))
    stranger.grad = torch.ones(2)
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.step([stranger])
    a.grad = None
    with pytest.raises(ValueError, match="No gradients"):
        opt.step([a, b])
    opt.step([])  # no variables: no-op
    assert int(opt.iterations) == 1


def test_step_without_arguments_uses_built_variables_and_zero_grad() -> None:
    params = _params()
    opt = optimizers.SGD(learning_rate=0.1)
    with pytest.raises(ValueError):
        opt.step()
    opt.build(params)
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_exclude_from_weight_decay() -> None:
    class Named(torch.nn.Parameter):  # keras_torch weights carry their Keras name like this
        name = property(lambda self: self.__dict__.get("_keras_name", "variable"))

    kernel = Named(torch.ones(2))
    bias = Named(torch.ones(2))
    bias.__dict__["_keras_name"] = "bias"
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    kernel.grad, bias.grad = torch.zeros(2), torch.zeros(2)
    opt.step([kernel, bias])
    torch.testing.assert_close(kernel.detach(), torch.full((2,), 0.95))
    torch.testing.assert_close(bias.detach(), torch.ones(2))


def test_apply_and_apply_gradients_forms() -> None:
    a1, b1 = _params()
    a2, b2 = _params()
    o1, o2 = optimizers.Adam(), optimizers.Adam()
    grads = _grads(0)
    it = o1.apply_gradients(zip(grads, [a1, b1]))
    assert int(it) == 1
    o2.build([a2, b2])
    o2.apply([g.numpy() for g in grads])  # numpy gradients, variables from build
    torch.testing.assert_close(a1, a2, rtol=0, atol=0)
    with pytest.raises(ValueError, match="one-to-on"):
        o2.apply(grads[:1])


def test_minimize_tf_keras_compat() -> None:
    w = torch.nn.Parameter(torch.tensor(10.0))
    opt = optimizers.RMSprop(learning_rate=0.1)
    opt.minimize(lambda: (w**2) / 2.0, [w])
    assert float(w.detach()) == pytest.approx(9.683772, abs=1e-5)  # the Keras docstring example


def test_custom_keras_style_optimizer_update_step() -> None:
    class MySGD(optimizers.Optimizer):
        def __init__(self, **kwargs):
            super().__init__(learning_rate=0.1, **kwargs)

        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.velocity = self.add_optimizer_variables(variables, "velocity")

        def update_step(self, gradient, variable, learning_rate):
            v = self.velocity[self._get_variable_index(variable)]
            self.assign(v, v * 0.5 - gradient * learning_rate)
            self.assign_add(variable, v)

    w = torch.nn.Parameter(torch.zeros(2))
    opt = MySGD()
    for _ in range(2):
        w.grad = torch.ones(2)
        opt.step([w])
    torch.testing.assert_close(w.detach(), torch.full((2,), -0.25))
    assert len(opt.variables) == 3


def test_loss_scale_helpers() -> None:
    opt = optimizers.SGD(loss_scale_factor=8.0)
    assert opt.scale_loss(torch.tensor(2.0)) == 16.0
    assert optimizers.SGD().scale_loss(3.0) == 3.0


# ----------------------------------------------------------------------------- convergence
@pytest.mark.parametrize(
    "opt_fn",
    [
        lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9),
        lambda: optimizers.Adam(learning_rate=0.05),
        lambda: optimizers.AdamW(learning_rate=0.05, weight_decay=1e-4),
        lambda: optimizers.RMSprop(learning_rate=0.01),
        lambda: optimizers.Nadam(learning_rate=0.05),
        lambda: optimizers.Adamax(learning_rate=0.1),
        lambda: optimizers.Adagrad(learning_rate=0.5),
        lambda: optimizers.Lion(learning_rate=0.02),
    ],
)
def test_linear_regression_converges(opt_fn) -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, 3, generator=g)
    true_w, true_b = torch.tensor([[1.5], [-2.0], [0.5]]), 0.3
    y = x @ true_w + true_b
    w = torch.nn.Parameter(torch.zeros(3, 1))
    b = torch.nn.Parameter(torch.zeros(1))
    opt = opt_fn()
    for _ in range(400):
        loss = torch.mean((x @ w + b - y) ** 2)
        w.grad = b.grad = None
        loss.backward()
        opt.step([w, b])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        final = float(torch.mean((x @ w + b - y) ** 2))
    assert final < 1e-2, final


# ----------------------------------------------------------------------------- devices
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@cuda
@pytest.mark.parametrize("cls", ALL)
def test_cuda_step_has_no_host_sync_and_matches_cpu(cls: str) -> None:
    kwargs = {"learning_rate": schedules.CosineDecay(0.01, 10)} if cls != "AdamW" else {}
    cpu = _params(3)
    dev = [torch.nn.Parameter(p.detach().cuda()) for p in cpu]
    o_cpu, o_dev = getattr(optimizers, cls)(**kwargs), getattr(optimizers, cls)(**kwargs)
    _run(o_cpu, cpu, 3)
    for p, g in zip(dev, _grads(0)):
        p.grad = g.cuda()
    o_dev.step(dev)  # first step builds (allocations are fine)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for k in (1, 2):
            grads = [g.cuda(non_blocking=True) for g in _grads(k)]
            for p, g in zip(dev, grads):
                p.grad = g
            o_dev.step(dev)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for a, b in zip(cpu, dev):
        torch.testing.assert_close(a.detach(), b.detach().cpu(), rtol=1e-5, atol=1e-6)


@cuda
def test_state_follows_model_to_device() -> None:
    params = _params()
    opt = optimizers.Adam()
    _run(opt, params, 2)
    with torch.no_grad():
        for p in params:
            p.data = p.data.cuda()
    _run(opt, params, 1, start=2)
    assert all(v.device.type == "cuda" for v in opt.variables)
    with torch.no_grad():
        for p in params:
            p.data = p.data.cpu()
    _run(opt, params, 1, start=3)
    assert all(v.device.type == "cpu" for v in opt.variables)
    assert int(opt.iterations) == 4


def test_state_follows_recreated_parameters_by_position() -> None:
    params = _params()
    opt = optimizers.Adam()
    _run(opt, params, 2)
    fresh = [torch.nn.Parameter(p.detach().clone()) for p in params]  # e.g. load_state_dict(assign=True)
    ref_opt = optimizers.Adam()
    ref_params = [torch.nn.Parameter(p.detach().clone()) for p in params]
    ref_opt.build(ref_params)
    ref_opt.set_weights(opt.get_weights())
    _run(opt, fresh, 1, start=2)
    _run(ref_opt, ref_params, 1, start=2)
    for a, b in zip(fresh, ref_params):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_overwrite_with_gradient_variables() -> None:
    a = torch.nn.Parameter(torch.zeros(3))
    a.overwrite_with_gradient = True
    b = torch.nn.Parameter(torch.zeros(3))
    opt = optimizers.Adam()
    a.grad, b.grad = torch.full((3,), 5.0), torch.ones(3)
    opt.step([a, b])
    torch.testing.assert_close(a.detach(), torch.full((3,), 5.0))
    assert len(opt.variables) == 4  # no slots for the overwritten variable, like Keras


def test_aliases_modules() -> None:
    assert optimizers.experimental.AdamW is optimizers.AdamW
    assert optimizers.legacy.RMSprop is optimizers.RMSprop
