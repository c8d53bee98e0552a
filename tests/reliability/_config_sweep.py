"""The config type-confusion sweep: every registered layer x each key of its config x bad values.

Each case takes the first ``LAYER_DB`` entry of a layer (``tests/test_layer_table.py``: the
constructor arguments and input shapes every layer must have anyway), builds a model around it,
replaces one key of the layer's config by a bad value, and loads the result through
``model_from_json`` and through ``load_model`` (a ``.keras`` archive with the original weights).
A case is clean when either

* loading raises a ``ValueError``/``TypeError`` whose message names the layer and whose cause was
  raised *explicitly* by keras_torch (a ``raise`` statement in keras_torch: the layer's own argument
  check, the allocation budget...), not by torch, numpy or a builtin conversion; or
* loading succeeds and ``predict`` on the layer's sample input succeeds (the value was acceptable), or
  ``predict`` raises a ``ValueError``/``TypeError`` from a keras_torch ``raise`` (the layer's own check
  on the data, where Keras raises too: an OOV token with ``num_oov_indices=0``).

A documented omission (``NotProvidedError``: ``quantization_config=``...) counts as a clean refusal.

Anything else (a raw ``IndexError``, an error from inside torch at load or at predict, a crash, a
hang) is a finding. A new layer needs nothing here beyond its ``LAYER_DB`` entry; ``SKIP_KEYS``
lists the config keys a layer's sweep leaves out, with the reason.

    python tests/reliability/_config_sweep.py [--sample N] [--cases FILE]   # one worker, JSON lines out
"""

from __future__ import annotations

import json
import math
import pathlib
import sys
import traceback
import zipfile
import zlib
from typing import Any

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
for p in (HERE.parents[1], HERE.parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

# label -> the bad value written into the config
BAD_VALUES: dict[str, Any] = {
    "str": "x",
    "negative": -1,
    "zero": 0,
    "huge": 10**12,
    "nan": math.nan,
    "inf": math.inf,
    "nested": [[[]], {}],
    "object": {"class_name": "Junk", "config": {"a": [1]}},
    "none": None,
    "bool": True,
    # the rest of the kinds: values a conversion accepts but a size, count or rate must not
    "neg_inf": -math.inf,
    "huge_float": 1e20,  # `strides=1e20`: int() accepts it, torch's sizes overflow
    "fraction": 2.5,  # a float where an int is due
    "neg_huge": -(10**12),
    "overflow": 2**64,  # beyond int64: OverflowError in numpy and torch
    "empty_list": [],
    "empty_str": "",
    "num_str": "4",  # a number's text: Keras does not convert it either
}
# Keys a layer's sweep leaves out: (layer, key) -> why.
SKIP_KEYS: dict[tuple[str, str], str] = {
    ("Lambda", "function"): "named functions are the safe-mode allow-list's job (test_safe_functions.py)",
}
NOT_SWEPT = {"InputLayer", "Model", "Functional", "Sequential", "LSTMCell", "GRUCell", "SimpleRNNCell",
             "TorchModuleWrapper", "StackedRNNCells", "Lambda"}  # containers, cells, user code

_BASES: dict[str, Any] = {}
# keras_torch's sources as they were when the worker started: the judge reads the raising line from
# here, so that editing the package during a long sweep does not change the verdicts.
_SOURCES: dict[str, list[str]] = {}
_SCRATCH: list[pathlib.Path] = []


def _scratch() -> pathlib.Path:
    """A private temporary folder for the archives (removed at exit)."""
    if not _SCRATCH:
        import atexit
        import shutil
        import tempfile

        _SCRATCH.append(pathlib.Path(tempfile.mkdtemp(prefix="keras_torch_sweep_")))
        atexit.register(shutil.rmtree, _SCRATCH[0], True)
    return _SCRATCH[0]


class _Base:
    """The unmodified model around one layer: its JSON config, weights archive and sample inputs."""

    def __init__(self, layer_name: str) -> None:
        from test_layer_table import LAYER_DB, _materialize

        import keras_torch as keras
        from keras_torch.core import registry
        from keras_torch.testing.layer_test import _make_input

        kwargs, shape, opts = LAYER_DB[layer_name][0]
        cls = registry.get("layers", layer_name)
        layer = cls(**_materialize(kwargs))
        shapes = shape if isinstance(shape, list) else [shape]
        dtype = opts.get("dtype", "float32")
        inputs = [keras.Input(batch_shape=(None, *s[1:]), dtype=dtype) for s in shapes]
        if opts.get("unpack"):
            out = layer(*inputs)
        else:
            out = layer(inputs if len(inputs) > 1 else inputs[0])
        model = keras.Model(inputs, out)
        self.layer = layer.name
        self.config = json.loads(model.to_json())
        self.index = next(i for i, e in enumerate(self.config["config"]["layers"]) if e["config"].get("name") == layer.name)
        rng = np.random.default_rng(0)
        self.samples = [np.asarray(_make_input(tuple(s), dtype, rng, opts.get("high", 5))) for s in shapes]
        path = _scratch() / f"{layer_name}.keras"
        model.save(path)
        with zipfile.ZipFile(path) as z:
            self.members = {n: z.read(n) for n in z.namelist()}
        path.unlink()
        self.keys = sorted(self.config["config"]["layers"][self.index]["config"])


def _base(layer_name: str) -> _Base:
    if layer_name not in _BASES:
        _BASES[layer_name] = _Base(layer_name)
    return _BASES[layer_name]


def all_cases() -> list[str]:
    """Every case id, ``"Layer/key/bad"``, in a fixed order."""
    from test_layer_table import LAYER_DB

    out = []
    for name in sorted(LAYER_DB):
        if name in NOT_SWEPT:
            continue
        for key in _base(name).keys:
            if (name, key) in SKIP_KEYS:
                continue
            out.extend(f"{name}/{key}/{bad}" for bad in BAD_VALUES)
    return out


def sample(cases: list[str], one_in: int) -> list[str]:
    """A derandomised sample: the cases whose id hashes to 0 modulo ``one_in``."""
    return [c for c in cases if zlib.crc32(c.encode()) % one_in == 0]


def _explicit_cause(exc: BaseException) -> BaseException:
    """The exception behind keras_torch's wrappers (``LayerConfigError`` and the loader's rewrap)."""
    from keras_torch.saving.serialization import LayerConfigError, LayerConfigTypeError

    while isinstance(exc, (LayerConfigError, LayerConfigTypeError)) or (
            exc.__cause__ is not None and str(exc).startswith(("Could not load", "Could not rebuild"))):
        if exc.__cause__ is None:
            break
        exc = exc.__cause__
    return exc


def _names(text: str, names: tuple[str, ...]) -> bool:
    import re

    return any(re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text) for n in names)


def judge_error(exc: BaseException, names: tuple[str, ...]) -> str | None:
    """``None`` when ``exc`` is a clean refusal of the layer's config, else what is wrong with it.

    Args:
        exc: What loading raised.
        names: The ways the message may name the layer (its name; its class when the name itself was
            replaced).
    """
    if not isinstance(exc, (ValueError, TypeError)):
        return f"{type(exc).__name__} is neither ValueError nor TypeError: {exc}"
    if not _names(str(exc), names):
        return f"message does not name the layer: {exc}"
    cause = _explicit_cause(exc)
    from keras_torch.core.omissions import NotProvidedError

    if isinstance(cause, NotProvidedError):  # a documented omission (quantization...): refused by name
        return None
    if not isinstance(cause, (ValueError, TypeError)):
        return f"caused by {type(cause).__name__}: {cause}"
    frames = traceback.extract_tb(cause.__traceback__, limit=None)
    if not frames:
        return None
    last = frames[-1]
    if "keras_torch" not in last.filename:
        return f"{type(cause).__name__} raised in {pathlib.Path(last.filename).name}:{last.lineno}: {cause}"
    line = _source_line(last.filename, last.lineno)
    if not line.startswith("raise"):
        return (f"{type(cause).__name__} from `{line}` "
                f"({pathlib.Path(last.filename).name}:{last.lineno}), not an argument check: {cause}")
    return None


def _snapshot_sources() -> None:
    import keras_torch

    root = pathlib.Path(keras_torch.__file__).parent
    for path in root.rglob("*.py"):
        _SOURCES[str(path)] = path.read_text().splitlines()


def _source_line(filename: str, lineno: int | None) -> str:
    lines = _SOURCES.get(filename)
    if lines is None:
        lines = _SOURCES[filename] = pathlib.Path(filename).read_text().splitlines()
    return lines[lineno - 1].strip() if lineno and 0 < lineno <= len(lines) else ""


def _explicit_refusal(exc: BaseException) -> bool:
    """A ``ValueError``/``TypeError`` raised by a ``raise`` statement of keras_torch (not torch, numpy...)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return isinstance(exc, (ValueError, TypeError)) and bool(frames) and "keras_torch" in frames[-1].filename \
        and _source_line(frames[-1].filename, frames[-1].lineno).startswith("raise")


def run_case(case: str) -> dict[str, Any]:
    """``{"case", "ok", "path", "detail"}`` for one case (both loaders)."""
    import warnings

    import keras_torch as keras

    name, key, bad = case.split("/")
    base = _base(name)
    cfg = json.loads(json.dumps(base.config))
    cfg["config"]["layers"][base.index]["config"][key] = BAD_VALUES[bad]
    text = json.dumps(cfg)
    predicted = False
    for path in ("model_from_json", "load_model"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if path == "model_from_json":
                    model = keras.models.model_from_json(text)
                else:
                    archive = _scratch() / "case.keras"
                    try:
                        with zipfile.ZipFile(archive, "w") as z:
                            for member, data in base.members.items():
                                z.writestr(member, text if member == "config.json" else data)
                        model = keras.models.load_model(archive, compile=False)
                    finally:
                        archive.unlink(missing_ok=True)
            except Exception as e:  # noqa: BLE001 - judged
                names = (base.layer, name) if key == "name" else (base.layer,)
                problem = judge_error(e, names)
                if problem is not None:
                    return {"case": case, "ok": False, "path": path, "detail": problem[:400]}
                continue
            if predicted:
                continue  # the same config already ran through the other loader
            try:
                model.predict(base.samples if len(base.samples) > 1 else base.samples[0], verbose=0)
            except Exception as e:  # noqa: BLE001 - judged
                if _explicit_refusal(e):  # the layer's own check on the data (Keras raises there too)
                    return {"case": case, "ok": True, "path": path, "detail": ""}
                return {"case": case, "ok": False, "path": path,
                        "detail": f"accepted at load, then predict raised {type(e).__name__}: {str(e)[:300]}"}
            predicted = True
    return {"case": case, "ok": True, "path": "", "detail": ""}


def main(argv: list[str]) -> None:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--sample", type=int, default=1, help="run one case in N (derandomised)")
    p.add_argument("--cases", default=None, help="file with one case id per line (default: all)")
    p.add_argument("--list", action="store_true", help="print the case ids and exit")
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # workers run side by side
    _snapshot_sources()
    cases = pathlib.Path(args.cases).read_text().split() if args.cases else sample(all_cases(), args.sample)
    if args.list:
        print("\n".join(cases))
        return
    for case in cases:
        print(json.dumps(run_case(case)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
