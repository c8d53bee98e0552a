"""Subprocess worker of test_fuzz.py: loads every case of a corpus and reports one JSON line per case.

Usage: python _fuzz_worker.py CORPUS_DIR START

Runs in a subprocess so that a crash (segfault in the HDF5 C library) or a hang (a C loop no
signal can interrupt) is seen by the parent as a dead or silent worker, attributed to the case
being loaded. Before each case it prints ``START <i>``; after it, ``DONE <json>``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings


def main() -> None:
    corpus, start = sys.argv[1], int(sys.argv[2])
    warnings.simplefilter("ignore")
    import torch

    torch.set_num_threads(1)
    import keras_torch as keras

    cases = [json.loads(line) for line in open(os.path.join(corpus, "manifest.jsonl"), encoding="utf8")]
    models: dict[str, object] = {}
    scratch = os.environ["KT_FUZZ_SCRATCH"]  # cwd and TMPDIR of this process: must stay empty

    def model_for(ref: str):
        if ref not in models:
            models[ref] = keras.models.load_model(os.path.join(os.environ["KT_FIXTURES"], ref), compile=False)
        return models[ref]

    for i in range(start, len(cases)):
        case = cases[i]
        path = os.path.join(corpus, case["file"])
        if case["load"] != "model":
            model_for(case["ref"])  # warm up outside the timed case
        print(f"START {i}", flush=True)
        t0 = time.perf_counter()
        try:
            if case["load"] == "model":
                keras.models.load_model(path, compile=case.get("compile", True))
            else:
                model_for(case["ref"]).load_weights(path)
            outcome, msg = "ok", ""
        except BaseException as e:  # noqa: BLE001 - classified by the parent
            mod = type(e).__module__
            outcome = f"{mod}.{type(e).__name__}" if mod != "builtins" else type(e).__name__
            base = ("ValueError" if isinstance(e, ValueError) else "OSError" if isinstance(e, OSError) else "")
            msg = str(e)[:300]
            if base and outcome != base:
                outcome = f"{outcome}<{base}>"
        leftovers = sorted(os.listdir(scratch))
        print("DONE " + json.dumps({"i": i, "outcome": outcome, "msg": msg, "seconds": time.perf_counter() - t0,
                                    "leftovers": leftovers}), flush=True)


if __name__ == "__main__":
    main()
