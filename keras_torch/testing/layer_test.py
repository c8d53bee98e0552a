"""``run_layer_test``: the checks every layer must pass (shared by tests/ and compat/).

build + output shape (eager and symbolic agree), config round trip, Keras weight converter
round trip, ``state_dict`` round trip, and one training step that changes every trainable weight.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

# The words string inputs are drawn from (text and lookup layers).
WORDS = ("the", "cat", "sat", "on", "a", "mat", "Dog!", "runs", "fast", "[UNK]")


def _make_input(shape: tuple, dtype: str, rng: np.random.Generator, int_high: int) -> torch.Tensor | np.ndarray:
    if dtype == "string":  # torch has no strings: text layers take numpy str arrays
        return rng.choice(np.array(WORDS[:int_high]), size=shape).astype(object)
    if dtype.startswith("int"):
        return torch.from_numpy(rng.integers(0, int_high, size=shape).astype(dtype))
    return torch.from_numpy(rng.standard_normal(shape).astype(dtype))


def run_layer_test(
    layer_cls: type,
    init_kwargs: dict[str, Any],
    input_shape: Any,
    expected_output_shape: Any = None,
    input_dtype: str = "float32",
    int_high: int = 5,
    call_kwargs: dict[str, Any] | None = None,
    run_training_check: bool = True,
    seed: int = 0,
    unpack_inputs: bool = False,
) -> Any:
    """Build ``layer_cls(**init_kwargs)`` on random inputs and run the shared checks.

    Args:
        layer_cls: The layer class.
        init_kwargs: Constructor arguments.
        input_shape: Input shape incl. batch (or a list of shapes for multi-input layers).
        expected_output_shape: Expected output shape (or list); ``None`` skips the check.
        input_dtype: dtype of generated inputs (``"int64"`` for ids, ``"string"`` for words).
        int_high: Exclusive upper bound for integer inputs (number of distinct words for strings).
        call_kwargs: Extra call arguments.
        run_training_check: Whether to run one optimisation step.
        seed: RNG seed for inputs.
        unpack_inputs: Pass a list of inputs as positional arguments (``layer(q, v)``).

    Returns:
        The built layer.
    """
    from keras_torch.core import tree
    from keras_torch.layers import Input

    rng = np.random.default_rng(seed)
    call_kwargs = call_kwargs or {}
    multi = isinstance(input_shape, list)
    shapes = input_shape if multi else [input_shape]
    inputs = [_make_input(tuple(s), input_dtype, rng, int_high) for s in shapes]
    x = inputs if multi else inputs[0]

    def call(lyr: Any, inp: Any, **kw: Any) -> Any:
        return lyr(*inp, **kw) if unpack_inputs else lyr(inp, **kw)

    layer = layer_cls(**init_kwargs)
    out = call(layer, x, **call_kwargs)
    outs = tree.flatten(out)
    got_shapes = [tuple(o.shape) for o in outs]
    if expected_output_shape is not None:
        exp = expected_output_shape if isinstance(expected_output_shape, list) else [expected_output_shape]
        assert got_shapes == [tuple(e) for e in exp], f"{layer.name}: output shapes {got_shapes} != {exp}"

    # Symbolic shapes agree with eager ones (batch dim left open).
    sym_in = [Input(batch_shape=(None,) + tuple(s[1:]), dtype=input_dtype) for s in shapes]
    layer2 = layer_cls(**init_kwargs)
    sym_out = call(layer2, sym_in if multi else sym_in[0], **call_kwargs)
    for kt, real in zip(tree.flatten(sym_out), outs):
        assert len(kt.shape) == real.ndim, f"{layer.name}: symbolic rank {kt.shape} vs eager {tuple(real.shape)}"
        for d_sym, d_real in zip(kt.shape[1:], real.shape[1:]):
            assert d_sym is None or d_sym == d_real, f"{layer.name}: symbolic {kt.shape} vs eager {tuple(real.shape)}"

    # Config round trip.
    cfg = layer.get_config()
    revived = layer_cls.from_config(cfg)
    assert revived.get_config() == cfg or _same_config(revived.get_config(), cfg), (
        f"{layer.name}: config round trip changed {cfg} -> {revived.get_config()}"
    )

    # Keras weights round trip (converter) and the revived layer computes the same thing.
    weights = layer.get_weights()
    if weights:
        call(revived, x, **call_kwargs)
        revived.set_weights(weights)
        for a, b in zip(revived.get_weights(), weights):
            np.testing.assert_array_equal(a, b)
        with torch.no_grad():
            out_a = tree.flatten(call(layer, x, **call_kwargs))
            out_b = tree.flatten(call(revived, x, **call_kwargs))
        for a, b in zip(out_a, out_b):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)
        assert layer.count_params() == sum(int(np.prod(w.shape)) for w in weights)
        # state_dict round trip (torch-native layout).
        sd = layer.state_dict()
        revived.load_state_dict(sd)
        for k, v in revived.state_dict().items():
            torch.testing.assert_close(v, sd[k])

    if run_training_check and layer.trainable_weights:
        params = layer.trainable_weights
        before = [p.detach().clone() for p in params]
        out = call(layer, x, training=True, **call_kwargs)
        loss = sum(torch.sum(o.float() ** 2) for o in tree.flatten(out) if o.is_floating_point())
        loss.backward()
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= 0.1 * p.grad
        changed = [not torch.equal(b, p.detach()) for b, p in zip(before, params)]
        assert any(changed), f"{layer.name}: one training step changed no trainable weight"
        for p in params:
            p.grad = None
    return layer


def _same_config(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - {"name"}
        return all(_same_config(a.get(k), b.get(k)) for k in keys)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_config(x, y) for x, y in zip(a, b))
    return a == b
