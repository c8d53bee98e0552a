"""Safe mode allow-lists pure functions: none of them may change keras.config or any module's state.

Every function a file may name in safe mode (``keras_torch.layers._safe_functions``) is called
with sample tensors; before and after each call the test snapshots ``keras.config``, torch's
global state, the registries and the globals of every ``keras_torch`` module. A static check
complements it: no allowed function's own code assigns globals or calls a known state setter.
"""

from __future__ import annotations

import ast
import inspect
import json
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch


def _fingerprint(value, depth: int = 0):
    """Identity of ``value`` and, for containers and simple objects, of what they hold (three levels)."""
    if isinstance(value, (int, float, str, bool, bytes)) or value is None:
        return value
    if depth > 2:
        return id(value)
    if isinstance(value, dict):
        return (id(value), tuple((k if isinstance(k, (str, int)) else id(k), _fingerprint(v, depth + 1))
                                 for k, v in list(value.items())))
    if isinstance(value, (set, frozenset)):
        return (id(value), tuple(sorted(map(id, value))))
    if isinstance(value, (list, tuple)):
        return (id(value), tuple(_fingerprint(v, depth + 1) for v in value))
    if inspect.ismodule(value) or inspect.isclass(value) or callable(value):
        return id(value)
    try:
        attrs = vars(value)
    except TypeError:
        return id(value)
    return (id(value), tuple((k, _fingerprint(v, depth + 1)) for k, v in list(attrs.items())))


def _state(keras) -> dict:
    snap = {
        "config": (keras.config.floatx(), keras.config.epsilon(), keras.config.image_data_format(),
                   keras.config.is_traceback_filtering_enabled(), keras.config.max_epochs(),
                   keras.config.max_steps_per_epoch()),
        "torch": (torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads(),
                  torch.get_rng_state().numpy().tobytes()),
        "numpy_rng": json.dumps(np.random.get_state()[1][:8].tolist()),
    }
    for name, mod in list(sys.modules.items()):
        if not name.startswith("keras_torch") or mod is None:
            continue
        for k, v in list(vars(mod).items()):
            if k.startswith("__") or inspect.ismodule(v) or inspect.isfunction(v) or inspect.isclass(v):
                continue
            snap[f"{name}.{k}"] = _fingerprint(v)
    return snap


def _sample(*shape: int) -> torch.Tensor:
    """Deterministic values in (0, 1) (drawing random ones would itself move torch's generator)."""
    n = int(np.prod(shape))
    return (torch.arange(n, dtype=torch.float32).reshape(shape) % 7 + 1) / 8


def _calls():
    x = _sample(2, 3)
    img = _sample(1, 4, 4, 2)
    seq = _sample(2, 5, 3)
    ints = torch.tensor([[0, 1, 2], [2, 1, 0]])
    sq = _sample(3, 3) + 3 * torch.eye(3)  # well conditioned, positive definite once symmetrised
    sq = sq + sq.T
    return [(x,), (x, x), (x, 1), (x, -1), (x, x, x), (img,), (img, _sample(2, 2, 2, 2)), (seq,),
            (seq, _sample(3, 3, 4)), (ints,), (ints, 3), (x, [1, 0]), (x, (3, 2)), (x, 2, 1), (3,), (sq,), (sq, sq),
            (x, "float16"), (img, 2), (img, (2, 2)), (x, _sample(3, 2)), (x, 0, 1), ((x, x),), (_sample(16), 8, 4, 8),
            (x, [0, 0], [1, 1]), (img, (2, 2), (2, 2)), (seq, 2), (_sample(4),), (_sample(2, 4, 4, 4, 2), 2),
            (torch.arange(6.0), torch.tensor([1.0, 3.0]))]


def _exercise(fn) -> bool:
    ok = False
    for args in _calls():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(*args)
                ok = True
            except Exception:  # noqa: BLE001 - only state changes matter here, errors are fine
                continue
    return ok


_SETTERS = ("set_epsilon", "set_floatx", "set_image_data_format", "set_value", "batch_set_value", "clear_session",
            "manual_seed", "set_learning_phase", "reset_uids", "set_default_dtype", "set_device",
            "enable_unsafe_deserialization")


def test_allow_list_has_no_state_setters(keras):
    from keras_torch.layers._safe_functions import safe_functions

    allowed = safe_functions()
    assert len(allowed) > 400
    named = {name.rsplit(".", 1)[1] for name in allowed}
    assert not named & set(_SETTERS)
    for bad in (keras.backend.set_epsilon, keras.backend.set_floatx, keras.backend.set_image_data_format,
                keras.backend.clear_session, keras.backend.set_value, keras.backend.random_normal,
                keras.backend.dropout, keras.ops.empty):
        assert bad not in allowed.values()


def test_no_allowed_function_assigns_globals_or_calls_setters(keras):
    """Static half: the allowed functions' own code has no ``global`` statement and calls no setter."""
    from keras_torch.layers._safe_functions import safe_functions

    offenders = []
    for name, fn in safe_functions().items():
        try:
            source = textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))
        except (OSError, TypeError):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                offenders.append((name, "global"))
            elif isinstance(node, ast.Call):
                callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if callee in _SETTERS:
                    offenders.append((name, callee))
    assert offenders == []


def test_no_allowed_function_mutates_config_or_module_state(keras):
    """Dynamic half: call every allowed function; keras.config, torch and every module's globals stay put."""
    from keras_torch.layers._safe_functions import safe_functions

    allowed = list(safe_functions().items())
    for _, fn in allowed:  # first calls may fill lazy caches (compiled kernels, tables): not state
        _exercise(fn)
    called, changed = 0, []

    def diff(before: dict, after: dict) -> list:
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    for at in range(0, len(allowed), 50):  # snapshots are slow: check in chunks, then one by one
        chunk = allowed[at:at + 50]
        before = _state(keras)
        called += sum(_exercise(fn) for _, fn in chunk)
        if not diff(before, _state(keras)):
            continue
        for name, fn in chunk:
            before = _state(keras)
            _exercise(fn)
            if diff(before, _state(keras)):
                changed.append((name, diff(before, _state(keras))[:5]))
    assert changed == []
    assert called >= 0.9 * len(allowed), f"only {called} of {len(allowed)} functions ran on the sample inputs"


@pytest.mark.parametrize("module, name", [("keras.backend", "set_epsilon"), ("keras.backend", "set_floatx"),
                                          ("keras.backend", "set_image_data_format"),
                                          ("keras.backend", "clear_session"), ("keras.backend", "set_value"),
                                          ("keras.backend", "random_normal"), ("keras.ops", "empty"),
                                          ("keras_torch.core.config", "set_epsilon")])
def test_lambda_naming_a_state_setter_is_refused(keras, tmp_path, module, name):
    """Finding 1: a Lambda whose function is K.set_epsilon loaded under default safe_mode (epsilon -> 0.0)."""
    eps = keras.config.epsilon()
    entry = {"module": module, "class_name": "function", "config": name, "registered_name": name}
    cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [1], "name": "i"}},
        {"class_name": "Lambda", "config": {"name": "gadget", "function": entry}}]}}
    with pytest.raises(ValueError, match="gadget"):
        keras.models.model_from_json(json.dumps(cfg))
    path = tmp_path / "m.keras"
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        z.writestr("config.json", json.dumps(cfg))
        z.writestr("model.weights.h5", b"")
    with pytest.raises(ValueError, match="gadget"):
        keras.models.load_model(path)
    assert keras.config.epsilon() == eps
    assert float(keras.losses.binary_crossentropy(np.ones((1, 1)), np.zeros((1, 1)))[0]) < 20


def test_pure_functions_still_load(keras):
    for module, name in (("keras.ops", "square"), ("keras.backend", "square"), ("keras.activations", "relu"),
                         ("keras_torch.backend", "l2_normalize")):
        entry = {"module": module, "class_name": "function", "config": name, "registered_name": None}
        cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [2, 3], "name": "i"}},
            {"class_name": "Lambda", "config": {"name": "ok", "function": entry, "output_shape": [3]}}]}}
        model = keras.models.model_from_json(json.dumps(cfg))
        assert model.predict(np.ones((2, 3), "float32"), verbose=0).shape[0] == 2
