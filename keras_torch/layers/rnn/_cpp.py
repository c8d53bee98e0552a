"""Build-on-first-use loader for the compiled relu-LSTM time loops (``_lstm_loop.cpp``).

The extension is compiled once per build environment (torch install, Python, compiler: see
:func:`build_environment`) with ``torch.utils.cpp_extension`` (about a minute; needs a C++
compiler and ninja) and cached in torch's extension directory (``TORCH_EXTENSIONS_DIR``, default
``~/.cache/torch_extensions``), one build per environment, each announced by one line on stderr.
Without a toolchain, or with ``KERAS_TORCH_BUILD_KERNELS=0``, :func:`loops` returns ``None`` and
the TorchScript loops run: the same math, slower. :data:`STATUS` says which one is in use.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shutil
import sys
import sysconfig

import torch

SOURCE = pathlib.Path(__file__).with_name("_lstm_loop.cpp")
STATUS = "not loaded"


def build_environment() -> dict[str, str]:
    """What the build command depends on beyond the source: two virtualenvs with the same torch
    version but their own torch install (include paths), Python or compiler get separate builds,
    so they never invalidate each other's."""
    return {
        "torch": torch.__version__,
        "torch_dir": os.path.dirname(os.path.realpath(torch.__file__)),
        "python_include": sysconfig.get_paths().get("include", ""),
        "python": sys.version,
        "cxx": os.environ.get("CXX", "c++"),
        "cxx11_abi": str(torch._C._GLIBCXX_USE_CXX11_ABI),
    }


def _name(code: bytes, env: dict[str, str]) -> str:
    """Unique per source text and build environment (torch version first, for people reading the cache)."""
    version = re.sub(r"[^0-9a-zA-Z]+", "_", env["torch"])
    key = hashlib.sha256(code + json.dumps(env, sort_keys=True).encode()).hexdigest()[:12]
    return f"keras_torch_lstm_relu_{version}_{key}"


def _needs_build(root: str, name: str, src: pathlib.Path) -> bool:
    """Whether loading ``name`` will compile (no library yet, or one older than its source)."""
    built = list(pathlib.Path(root).glob(f"**/{name}/{name}*.so"))
    return not built or max(p.stat().st_mtime for p in built) < src.stat().st_mtime


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
        name = _name(code, build_environment())
        root = os.environ.get("TORCH_EXTENSIONS_DIR") or cpp_extension.get_default_build_root()
        src = _stable_source(root, name, code)
        if _needs_build(root, name, src):
            print(f"keras_torch: building the CPU relu-LSTM kernel for this environment (about a minute, once; "
                  f"cached as {os.path.join(root, name)})", file=sys.stderr, flush=True)
        module = cpp_extension.load(name=name, sources=[str(src)], extra_cflags=["-O3"], verbose=False)
    except Exception as e:  # noqa: BLE001 - any build/load problem: the TorchScript loops are the same math
        STATUS = f"build failed ({type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''})"
        return None
    STATUS = "compiled"
    return module.forward_loop, module.backward_loop
