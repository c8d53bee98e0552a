"""JSON read from Keras files (``config.json``, ``model_config``...): size and nesting caps."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from keras_torch.saving.guards import limits


def json_depth_ok(obj: Any, limit: int | None = None) -> bool:
    """Whether ``obj`` (parsed JSON) nests at most ``limit`` containers deep (iterative walk)."""
    limit = limits.MAX_JSON_DEPTH if limit is None else limit
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, dict):
            if d > limit:
                return False
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            if d > limit:
                return False
            stack.extend((v, d + 1) for v in o)
    return True


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
    try:
        obj = json.loads(raw)
    except RecursionError:
        obj = None
        deep = True
    except ValueError as e:  # JSONDecodeError, huge integers
        raise ValueError(f"The {what}{where} is not valid JSON ({e}); the file is corrupted.") from None
    else:
        deep = not json_depth_ok(obj)
    if deep:
        raise ValueError(f"The {what}{where} nests deeper than {limits.MAX_JSON_DEPTH} levels; refusing it "
                         "(the file is corrupted or hostile).")
    return obj
