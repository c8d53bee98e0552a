"""Per-call overhead of ``keras_torch.ops`` over the raw torch call, on small tensors.

    python benchmarks/ops_overhead.py                 # default: 7 rounds
    python benchmarks/ops_overhead.py --rounds 15 --json out.json

Each pair (``ops.add(a, b)`` vs ``torch.add(a, b)``, ...) is timed back to back in every round,
interleaved: the best of 5 ``timeit`` runs of 2000 calls each (one torch thread; the minimum is
the least noisy estimate of a call's cost). The ratio is the median over rounds, so machine drift
cancels. Target: ``ops.add`` and ``ops.matmul`` within 1.3x of torch.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import timeit

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from keras_torch import ops  # noqa: E402

TARGETS = {"add": 1.3, "matmul": 1.3}


def _pairs() -> dict:
    a, b = torch.randn(8, 8), torch.randn(8, 8)
    v = torch.randn(8, 8)
    return {
        "add": (lambda: ops.add(a, b), lambda: torch.add(a, b)),
        "matmul": (lambda: ops.matmul(a, b), lambda: torch.matmul(a, b)),
        "multiply": (lambda: ops.multiply(a, b), lambda: torch.mul(a, b)),
        "add(tensor, 1.0)": (lambda: ops.add(a, 1.0), lambda: torch.add(a, 1.0)),
        "exp": (lambda: ops.exp(v), lambda: torch.exp(v)),
        "relu": (lambda: ops.relu(v), lambda: torch.relu(v)),
        "sum(axis=-1)": (lambda: ops.sum(v, axis=-1), lambda: torch.sum(v, dim=-1)),
        "reshape": (lambda: ops.reshape(v, (4, 16)), lambda: torch.reshape(v, (4, 16))),
    }


def _best(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def measure(rounds: int, number: int = 2000) -> dict[str, dict[str, float]]:
    """Median per-call times (microseconds) and ratios per op."""
    torch.set_num_threads(1)
    results: dict[str, dict[str, list[float]]] = {}
    for _ in range(rounds):
        for name, (ours, raw) in _pairs().items():
            ours(), raw()  # warm-up
            t_raw = _best(raw, number)
            t_ours = _best(ours, number)
            r = results.setdefault(name, {"ops_us": [], "torch_us": [], "ratio": []})
            r["ops_us"].append(t_ours)
            r["torch_us"].append(t_raw)
            r["ratio"].append(t_ours / t_raw)
    return {name: {k: statistics.median(v) for k, v in r.items()} for name, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=pathlib.Path, default=None)
    args = parser.parse_args()
    res = measure(args.rounds)
    print(f"{'op':<20}{'keras_torch.ops (us)':>22}{'torch (us)':>12}{'ratio':>8}  target")
    for name, r in res.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else (f"<= {target}  {'met' if r['ratio'] <= target else 'MISSED'}")
        print(f"{name:<20}{r['ops_us']:>22.2f}{r['torch_us']:>12.2f}{r['ratio']:>8.2f}  {verdict}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
