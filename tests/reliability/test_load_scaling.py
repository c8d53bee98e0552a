"""Issue #22 finding 2: loading time grows linearly with the size of hostile configs.

Each family is loaded at 4 sizes, each size doubling the previous one; the time of the largest
over the smallest must stay within ``SLACK`` times the size ratio (8). Before the fixes these
families were quadratic (a unique-name scan per ``Sequential.add``: 20k ``ReLU`` layers took 67 s)
or worse (the config deep-copied at each of 20 nesting levels: 438 s and 8.2 GB for a 15 kB file),
i.e. ratios of 64 and more. The quick run uses small sizes; ``-m slow`` uses 8x larger ones.
"""

from __future__ import annotations

import json
import time

import pytest

# Time ratio allowed beyond the size ratio: a loaded 2-core machine makes single timings noisy,
# but a quadratic family shows 64x where this allows 24x.
SLACK = 3.0


def _relu_stack(n: int) -> str:
    layers = [{"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "in"}}]
    layers += [{"class_name": "ReLU", "config": {"name": f"relu_{i}"}} for i in range(n)]
    return json.dumps({"class_name": "Sequential", "config": {"name": "stack", "layers": layers}})


def _nested_with_junk(n: int, depth: int = 20) -> str:
    """``depth`` nested Sequentials; the innermost config carries ``n`` empty lists under an unknown key."""
    inner: dict = {"class_name": "Sequential", "config": {
        "name": "s0", "junk": [[] for _ in range(n)],
        "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "in0"}},
                   {"class_name": "ReLU", "config": {"name": "r0"}}]}}
    for d in range(1, depth):
        inner = {"class_name": "Sequential", "config": {"name": f"s{d}", "layers": [inner]}}
    return json.dumps(inner)


def _load_seconds(keras, text: str) -> float:
    best = float("inf")
    for _ in range(2):  # the better of two: one run can be slowed by a neighbour process
        start = time.perf_counter()
        keras.models.model_from_json(text)
        best = min(best, time.perf_counter() - start)
    return best


FAMILIES = {
    "relu_stack": (_relu_stack, 250),  # quick sizes 250..2000 layers
    "nested_junk": (_nested_with_junk, 25_000),  # quick sizes 25k..200k lists (0.1..0.8 MB of JSON)
}


def _check_linear(keras, family: str, scale: int) -> None:
    build, base = FAMILIES[family]
    sizes = [base * scale * 2**i for i in range(4)]
    times = [_load_seconds(keras, build(n)) for n in sizes]
    ratio = times[-1] / max(times[0], 1e-3)
    size_ratio = sizes[-1] / sizes[0]
    assert ratio <= SLACK * size_ratio, (
        f"{family}: load time grows faster than linearly: sizes {sizes} took "
        f"{[round(t, 3) for t in times]} s (ratio {ratio:.1f} for a size ratio of {size_ratio:.0f})")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_load_time_is_linear(keras, family, no_hang):
    with no_hang(120):
        _check_linear(keras, family, 1)


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_load_time_is_linear_at_scale(keras, family, no_hang):
    with no_hang(600):
        _check_linear(keras, family, 8)
