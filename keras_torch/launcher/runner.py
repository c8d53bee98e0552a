"""``keras-torch run SCRIPT.py [ARGS...]``: run an unchanged Keras script on keras_torch."""

from __future__ import annotations

import atexit
import gc
import os
import runpy
import subprocess
import sys
import traceback
import warnings
from typing import NoReturn

from keras_torch.utils.progbar import end_open_line

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_user_frame(filename: str) -> bool:
    path = os.path.abspath(filename)
    return not (path.startswith(_PKG_DIR) or "runpy" in filename or filename.startswith("<frozen"))


def format_user_error(exc: BaseException) -> str:
    """Traceback limited to the user's own frames, so errors point at their lines."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_user_frame(f.filename)]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def run_script(script: str, args: list[str] | None = None) -> int:
    """Run ``script`` as ``__main__`` with keras/tensorflow/tf_keras imports served by keras_torch.

    Returns the script's exit code (0, its ``sys.exit`` code, or 1 after an uncaught error).
    """
    from keras_torch.launcher import install

    if not os.path.exists(script):
        print(f"keras-torch run: no such script: {script}", file=sys.stderr)
        return 2
    install()
    # TensorFlow scripts call float(loss) on a tape's loss; torch warns about the tensor's autograd
    # graph there, which means nothing to a TensorFlow script.
    warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad=True to a scalar")
    old_argv, old_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [script] + list(args or [])
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        end_open_line()  # (a Ctrl-C'd fit leaves its progress bar line open)
        print("KeyboardInterrupt", file=sys.stderr)
        return 130
    except BaseException as exc:  # noqa: BLE001 - report any script error the way Python would
        end_open_line()
        _mark_distributed_failure(exc)
        sys.stderr.write(format_user_error(exc))
        return 1
    finally:
        sys.argv = old_argv
        if old_path0 is not None and sys.path and sys.path[0] != old_path0:
            sys.path.pop(0)
    return 0


def end_worker(code: int) -> NoReturn:
    """End a torchrun worker process: exit handlers and flushed output, then no C++ teardown.

    Python's exit handlers still run (the process group's orderly teardown among them, and the
    script's own), but the C++ static destruction that follows is skipped: there gloo's threads
    could abort a worker that had finished its work ("terminate called without an active
    exception", about one launch in ten on this project's CI machine), failing a job that succeeded.

    Args:
        code: The exit status.
    """
    gc.collect()  # the script's unreachable objects (open files among them) are finalized now
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stream must not keep the status from the launcher
                pass
        os._exit(code)


def _mark_distributed_failure(exc: BaseException) -> None:
    # A failing rank must not wait on its peers when it exits (see keras_torch.distribution.process_group).
    mod = sys.modules.get("keras_torch.distribution.process_group")
    if mod is not None:
        mod.mark_failed()
    if os.environ.get("TORCHELASTIC_ERROR_FILE"):  # under torchrun: its failure summary shows this error
        try:
            from torch.distributed.elastic.multiprocessing.errors import ErrorHandler

            ErrorHandler().record_exception(exc)
        except Exception:  # noqa: BLE001 - reporting must never mask the script's own error
            pass


def launch_distributed(nproc: int, script: str, args: list[str] | None = None) -> int:
    """``keras-torch run --nproc N``: start N processes with torchrun, each running the script.

    Single node (``--standalone``: rendezvous on a free local port). Each process joins the
    group when ``fit``/``evaluate``/``predict`` first runs: NCCL with ``cuda:LOCAL_RANK`` when
    CUDA is available (N must not exceed the GPU count), gloo on CPU otherwise. If any process
    fails, torchrun stops the others and this returns non-zero. For several nodes call torchrun
    yourself (see ``keras_torch.distribution``).
    """
    if not os.path.exists(script):
        print(f"keras-torch run: no such script: {script}", file=sys.stderr)
        return 2
    nproc = int(nproc)
    env = dict(os.environ)
    if "OMP_NUM_THREADS" not in env:  # torchrun would set 1 and warn; give each rank its share of the cores
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // max(1, nproc)))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}",
           "-m", "keras_torch", "run", script, *(args or [])]
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130
