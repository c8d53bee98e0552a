"""Build-on-first-use loader for the compiled relu-LSTM time loops (``_lstm_loop.cpp``).

The extension is compiled once per machine and torch version with
``torch.utils.cpp_extension`` (about a minute; needs a C++ compiler and ninja) and cached in
torch's extension directory (``TORCH_EXTENSIONS_DIR``, default ``~/.cache/torch_extensions``).
Without a toolchain, or with ``KERAS_TORCH_BUILD_KERNELS=0``, :func:`loops` returns ``None`` and
the TorchScript loops run: the same math, slower. :data:`STATUS` says which one is in use.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import sys

import torch

SOURCE = pathlib.Path(__file__).with_name("_lstm_loop.cpp")
STATUS = "not loaded"


def _name() -> str:
    return "keras_torch_lstm_relu_" + re.sub(r"[^0-9a-zA-Z]+", "_", torch.__version__)


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
        name = _name()
        root = os.environ.get("TORCH_EXTENSIONS_DIR") or cpp_extension.get_default_build_root()
        built = any(pathlib.Path(root).glob(f"**/{name}/{name}*.so"))
        if not built:
            print(f"keras_torch: building the CPU relu-LSTM kernel once (about a minute; cached under {root})",
                  file=sys.stderr, flush=True)
        module = cpp_extension.load(name=name, sources=[str(SOURCE)], extra_cflags=["-O3"], verbose=False)
    except Exception as e:  # noqa: BLE001 - any build/load problem: the TorchScript loops are the same math
        STATUS = f"build failed ({type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''})"
        return None
    STATUS = "compiled"
    return module.forward_loop, module.backward_loop
