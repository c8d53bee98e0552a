"""Weights created under ``FSDP``: each process keeps its chunk, and the chunks are process 0's values.

Processes whose random streams differ (torch seeds each process differently unless told otherwise)
still end with process 0's initial weights, as when a model built whole is broadcast from process 0;
values set differently on purpose are refused before training. Two CPU processes, gloo.
"""

import json
import subprocess
import sys

import pytest
import torch
from _launch import free_port, rank_env

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed unavailable")]

SCRIPT = """
import json, os, sys
import numpy as np
import torch
import keras_torch as keras
from keras_torch.core import pending

rank = int(os.environ["RANK"])
out = {}
torch.manual_seed(100 + rank)  # every process draws other random numbers
state = torch.get_rng_state()
keras.distribution.set_distribution(keras.distribution.FSDP())


def make():
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(8), keras.layers.Dense(4)])


model = make()
out["pending"] = len(pending.pending_in(model))
out["trainable"] = len(model.trainable_weights)
out["created"] = [w.tolist() for w in model.get_weights()]  # collective: the chunks gathered
x = np.linspace(-1, 1, 12, dtype="float32").reshape(2, 6)
out["eager"] = model(x).detach().numpy().tolist()  # an eager call splits the model
out["pending_after_call"] = len(pending.pending_in(model))

other = make()
other.set_weights([w * (rank + 1) for w in other.get_weights()])  # different values on purpose
other.compile("sgd", "mse")
try:
    other.fit(np.ones((4, 6)), np.ones((4, 4)), epochs=1, verbose=0)
    out["refused"] = ""
except ValueError as e:
    out["refused"] = str(e)

# built by its first call (inside fit): created whole, split as before
lazy = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(4)])
lazy.compile("sgd", "mse")
lazy.fit(np.ones((4, 6)), np.ones((4, 4)), epochs=1, verbose=0)
out["lazy_split"] = [type(p).__name__ for p in lazy.parameters()]
eager = keras.layers.Dense(3)
out["eager_layer"] = eager(x).detach().numpy().shape[1]  # a layer built by an eager call works at once

if rank == 0:  # what process 0 drew, in one process
    keras.distribution.set_distribution(None)
    torch.set_rng_state(state)
    alone = make()
    out["alone"] = [w.tolist() for w in alone.get_weights()]
    out["alone_eager"] = alone(x).detach().numpy().tolist()
with open(os.path.join(sys.argv[1], f"rank{rank}.json"), "w") as f:
    json.dump(out, f)
"""


def test_chunks_are_process_0s_values_and_different_values_are_refused(tmp_path):
    import numpy as np

    script = tmp_path / "created.py"
    script.write_text(SCRIPT)
    env = rank_env(WORLD_SIZE=2, MASTER_ADDR="127.0.0.1", MASTER_PORT=free_port())
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env={**env, "RANK": str(r), "LOCAL_RANK": str(r)})
             for r in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    res = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    alone = res[0]["alone"]
    for r, got in enumerate(res):
        assert got["pending"] == got["trainable"] == 4 and got["pending_after_call"] == 0, r  # all created split
        for a, b in zip(got["created"], alone):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=f"rank {r}")
        np.testing.assert_allclose(got["eager"], res[0]["alone_eager"], atol=1e-6, err_msg=f"rank {r}")
        assert "differ from process 0's" in got["refused"], got["refused"]
        assert got["lazy_split"] == ["DTensor"] * 4 and got["eager_layer"] == 3, got
