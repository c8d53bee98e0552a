"""Shared test setup: deterministic, strict numerics, no network."""

import os

import numpy as np
import pytest
import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    torch.manual_seed(0)
    yield


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: interop tests count as slow
def pytest_collection_modifyitems(config, items):
    have_cuda = torch.cuda.is_available()
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device")
    # Exhaustive checks (every member of a family, e.g. all 71 keras.applications architectures) are opt-in:
    # KERAS_TORCH_EXHAUSTIVE=1 or `-m exhaustive`. `slow` end-to-end checks run by default.
    markexpr = config.getoption("markexpr") or ""
    run_exhaustive = os.environ.get("KERAS_TORCH_EXHAUSTIVE") == "1" or "exhaustive" in markexpr
    skip_exhaustive = pytest.mark.skip(reason="exhaustive: set KERAS_TORCH_EXHAUSTIVE=1 (or -m exhaustive) to run it")
    for item in items:
        if "gpu" in item.keywords and not have_cuda:
            item.add_marker(skip_gpu)
        if "exhaustive" in item.keywords and not run_exhaustive:
            item.add_marker(skip_exhaustive)
        if "interop" in item.keywords:
            item.add_marker(pytest.mark.slow)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class PooledRuns:
    """``python -m keras_torch run SCRIPT`` for the parametrized ``name`` cases of a test module,
    two at a time (one torch thread each); every test then takes its own finished result.

    The first request from a module submits every selected case of that module (plus ``also``), so
    the subprocesses overlap with each other instead of running one per test.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1)))
        self._runs: dict = {}
        self._modules: set = set()

    @staticmethod
    def run(script: str, cwd, env: dict | None = None, timeout: int = 300, args: tuple = ()):
        import subprocess
        import sys

        full_env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", KERAS_TORCH_DEVICE="cpu",
                        PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        return subprocess.run([sys.executable, "-m", "keras_torch", "run", script, *args], cwd=str(cwd), env=full_env,
                              capture_output=True, text=True, timeout=timeout)

    def result(self, name: str, folder: str, request, tmp_path_factory, env: dict | None = None,
               also: tuple = (), skip=lambda name: False, args=lambda name: ()):
        """``args(name)``: the script's command-line arguments."""
        module = request.node.path

        def submit(n: str) -> None:
            if (module, n) not in self._runs:
                cwd = tmp_path_factory.mktemp("run")
                self._runs[(module, n)] = self._pool.submit(self.run, os.path.join(folder, n), cwd, env, 300,
                                                            tuple(args(n)))

        if module not in self._modules:
            self._modules.add(module)
            selected = [item.callspec.params["name"] for item in request.session.items
                        if item.path == module and "name" in getattr(getattr(item, "callspec", None), "params", {})]
            for n in [*selected, *also]:
                if not skip(n):
                    submit(n)
        submit(name)
        return self._runs[(module, name)].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def pooled_runs():
    runs = PooledRuns()
    yield runs
    runs.close()
