"""core/allocator.py: after the first fit/evaluate/predict, a freed large host block is reused without
new page faults (glibc), unless the user set malloc up or turned it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from keras_torch.core import allocator

# Steady-state page faults of a predict whose activations (64 MiB each) are above glibc's largest
# mmap threshold (32 MiB): each would be a fresh mapping, zero-filled on first touch, unless reused.
_PROBE = """
import json, resource, numpy as np
import keras_torch as keras
from keras_torch.core import allocator
x = keras.Input((256, 256, 64))
h = keras.layers.Dense(64)(x)
h = keras.layers.ReLU()(keras.layers.BatchNormalization()(h))
model = keras.Model(x, keras.layers.Dense(64)(h))
data = np.ones((4, 256, 256, 64), "float32")
faults = []
for _ in range(7):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    model.predict_on_batch(data)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({"faults": sorted(faults[2:]), "state": allocator.STATE}))
"""

_PAGES = (64 << 20) // 4096


def _probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != allocator._ENV}
    out = subprocess.run([sys.executable, "-c", _PROBE], env={**clean, **env}, capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux") or allocator._glibc() is None, reason="glibc only")
def test_freed_large_blocks_are_reused_without_page_faults():
    on = _probe()
    assert on["state"]["retaining"] and on["state"]["reason"] == "auto"
    off = _probe(KERAS_TORCH_RETAIN_MEMORY="0")
    assert not off["state"]["retaining"]
    assert off["faults"][2] > 2 * _PAGES, off  # glibc's default: fresh pages for every activation
    assert on["faults"][2] < off["faults"][2] / 4, (on, off)  # medians: reused memory


def test_user_settings_win():
    assert allocator.wanted({}) == (True, "auto")
    assert allocator.wanted({"KERAS_TORCH_RETAIN_MEMORY": "0"})[0] is False
    assert allocator.wanted({"MALLOC_MMAP_THRESHOLD_": "131072"}) == (False, "MALLOC_MMAP_THRESHOLD_ is set")
    assert allocator.wanted({"LD_PRELOAD": "/usr/lib/libjemalloc.so.2"}) == (False, "jemalloc is preloaded")
    assert allocator.wanted({"GLIBC_TUNABLES": "glibc.malloc.mmap_max=0"})[0] is False
    assert allocator.wanted({"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2"})[0] is True
    assert allocator.wanted({"LD_PRELOAD": "libtcmalloc.so", "KERAS_TORCH_RETAIN_MEMORY": "1"})[0] is True
