"""Build-on-first-use loader for the compiled relu-LSTM time loops (``_lstm_loop.cpp``).

The extension is compiled once per machine and torch version with
``torch.utils.cpp_extension`` (about a minute; needs a C++ compiler and ninja) and cached in
torch's extension directory (``TORCH_EXTENSIONS_DIR``, default ``~/.cache/torch_extensions``).
Without a toolchain, or with ``KERAS_TORCH_BUILD_KERNELS=0``, :func:`loops` returns ``None`` and
the TorchScript loops run: the same math, slower. :data:`STATUS` says which one is in use.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
import shutil
import sys

import torch

SOURCE = pathlib.Path(__file__).with_name("_lstm_loop.cpp")
STATUS = "not loaded"


def _name(code: bytes) -> str:
    """Unique per torch version and source text: checkouts with the same source share one build."""
    version = re.sub(r"[^0-9a-zA-Z]+", "_", torch.__version__)
    return f"keras_torch_lstm_relu_{version}_{hashlib.sha256(code).hexdigest()[:12]}"


def _stable_source(root: str, name: str, code: bytes) -> pathlib.Path:
    """The source copied to a path that does not depend on where keras_torch is installed (a
    different path would change the build command and make ninja rebuild)."""
    src = pathlib.Path(root) / "keras_torch_sources" / f"{name}.cpp"
    if not src.exists():
        src.parent.mkdir(parents=True, exist_ok=True)
        tmp = src.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(code)
        os.replace(tmp, src)
    return src


def loops() -> tuple | None:
    """``(forward_loop, backward_loop)`` of the compiled extension, or ``None``."""
    global STATUS
    if os.environ.get("KERAS_TORCH_BUILD_KERNELS", "1").strip().lower() in ("0", "false", "no"):
        STATUS = "disabled by KERAS_TORCH_BUILD_KERNELS=0"
        return None
    try:
        from torch.utils import cpp_extension

        if not cpp_extension.is_ninja_available() or shutil.which(os.environ.get("CXX", "c++")) is None:
            STATUS = "no C++ toolchain (ninja and a C++ compiler are needed)"
            return None
        code = SOURCE.read_bytes()
        name = _name(code)
        root = os.environ.get("TORCH_EXTENSIONS_DIR") or cpp_extension.get_default_build_root()
        src = _stable_source(root, name, code)
        if not any(pathlib.Path(root).glob(f"**/{name}/{name}*.so")):
            print(f"keras_torch: building the CPU relu-LSTM kernel once (about a minute; cached under {root})",
                  file=sys.stderr, flush=True)
        module = cpp_extension.load(name=name, sources=[str(src)], extra_cflags=["-O3"], verbose=False)
    except Exception as e:  # noqa: BLE001 - any build/load problem: the TorchScript loops are the same math
        STATUS = f"build failed ({type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''})"
        return None
    STATUS = "compiled"
    return module.forward_loop, module.backward_loop
