"""JSON read from Keras files (``config.json``, ``model_config``...): size and nesting caps."""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from keras_torch.saving.guards import limits


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (parsing and rebuilding a config tree).

    A config is millions of fresh containers at worst, none of them garbage; each allocation burst
    would trigger a collection that walks them all again (4x slower on 5M empty lists). Pausing is
    process-wide but only delays collection: it is re-enabled on exit, as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# A JSON string (escapes included; unrolled so the regex runs in linear time).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_text_depth(text: str) -> int:
    """How deep the containers of JSON ``text`` nest, found without parsing it (C-speed passes).

    Strings are removed, then the brackets' running depth is a cumulative sum: checking it before
    ``json.loads`` costs a few linear passes, where walking the parsed tree costs a Python step per
    value (millions of empty lists in a 15 kB compressed file).
    """
    brackets = _STRING.sub("", text).encode("utf8", "replace").translate(None, _NOT_BRACKETS)
    depth, deepest, chunk = 0, 0, 1 << 22
    for at in range(0, len(brackets), chunk):
        codes = np.frombuffer(brackets, np.uint8, count=min(chunk, len(brackets) - at), offset=at)
        running = np.cumsum(np.where((codes == 91) | (codes == 123), 1, -1), dtype=np.int64) + depth  # [ {
        deepest = max(deepest, int(running.max()))
        depth = int(running[-1])
    return deepest


def parse_json(raw: Any, what: str, path: str = "", max_bytes: int | None = None) -> Any:
    """``json.loads`` with a size cap, a nesting cap and ``ValueError``s naming ``what`` and ``path``."""
    where = f" of '{path}'" if path else ""
    max_bytes = limits.MAX_CONFIG_BYTES if max_bytes is None else max_bytes
    if isinstance(raw, np.ndarray) and raw.shape == ():
        raw = raw.item()
    if isinstance(raw, (bytes, bytearray, np.bytes_)):
        if len(raw) > max_bytes:
            raise ValueError(f"The {what}{where} is {limits.mib(len(raw))}, over the {limits.mib(max_bytes)} limit; "
                             "refusing to parse it (the file is corrupted or hostile).")
        try:
            raw = bytes(raw).decode("utf8")
        except UnicodeDecodeError as e:
            raise ValueError(f"The {what}{where} is not valid UTF-8 ({e}); the file is corrupted.") from None
    if not isinstance(raw, str):
        raise ValueError(f"The {what}{where} is not a JSON string (got {type(raw).__name__}); the file is corrupted.")
    if len(raw) > max_bytes:
        raise ValueError(f"The {what}{where} is {limits.mib(len(raw))}, over the {limits.mib(max_bytes)} limit; "
                         "refusing to parse it (the file is corrupted or hostile).")
    deep = json_text_depth(raw) > limits.MAX_JSON_DEPTH
    if not deep:
        try:
            with paused_gc():
                obj = json.loads(raw)
        except RecursionError:
            deep = True
        except ValueError as e:  # JSONDecodeError, huge integers
            raise ValueError(f"The {what}{where} is not valid JSON ({e}); the file is corrupted.") from None
    if deep:
        raise ValueError(f"The {what}{where} nests deeper than {limits.MAX_JSON_DEPTH} levels; refusing it "
                         "(the file is corrupted or hostile).")
    return obj
