"""How much of the Keras 3 and tf-keras 2 public API keras_torch provides, from the committed snapshot.

    python -m compat.api_coverage             # coverage per library and top-level module
    python -m compat.api_coverage --missing   # ... and every missing name

Each public name of the snapshot (``compat/fixtures/api_snapshot``, written by
``compat/gen/api_snapshot.py``) is mapped to keras_torch the way ``keras-torch run`` maps imports
(:func:`keras_torch.launcher.aliases.target_name`: ``keras.layers.Dense`` ->
``keras_torch.layers.Dense``, ``tf_keras.layers.experimental.preprocessing.Rescaling`` ->
``keras_torch.layers.Rescaling``) and is then *provided* (it resolves), *omitted* (covered by
:data:`keras_torch.core.omissions.OMISSIONS`) or *missing*. Coverage counts the names that are not
modules, applications excluded (``keras.applications`` is measured on its own line).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pathlib
import sys
from typing import Any

from keras_torch.core import omissions
from keras_torch.launcher.aliases import target_name

SNAPSHOT_DIR = pathlib.Path(__file__).resolve().parent / "fixtures" / "api_snapshot"
SNAPSHOTS = {"Keras 3.15": "keras3_15.json", "tf-keras 2.21": "tfkeras2_21.json"}

PROVIDED, OMITTED, MISSING = "provided", "omitted", "missing"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One public name of a snapshot and where keras_torch serves it."""

    name: str  # as the library spells it: "tf_keras.backend.conv2d"
    kind: str  # module / class / function / constant
    path: str  # below keras_torch, after the import aliases: "backend.conv2d"

    @property
    def area(self) -> str:
        """The top-level public module (``layers``, ``ops``...; ``<top>`` for ``keras.Model``)."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 2 or self.kind == "module" else "<top>"

    @property
    def counted(self) -> bool:
        """Counts towards the coverage percentage (modules and applications do not)."""
        return self.kind != "module" and self.area != "applications"


def load(filename: str) -> list[Entry]:
    """The entries of one snapshot file."""
    data = json.loads((SNAPSHOT_DIR / filename).read_text(encoding="utf8"))
    entries = []
    for name, kind in data["names"].items():
        if kind == "module":
            target = target_name(name)
        else:
            module, _, attr = name.rpartition(".")
            target = f"{target_name(module)}.{attr}"
        entries.append(Entry(name, kind, target[len("keras_torch") :].lstrip(".")))
    return entries


def access(path: str) -> Any:
    """``keras_torch.<path>`` by attribute access, importing submodules that are not loaded yet."""
    obj: Any = importlib.import_module("keras_torch")
    done = "keras_torch"
    for part in path.split("."):
        done = f"{done}.{part}"
        try:
            obj = getattr(obj, part)
        except omissions.NotProvidedError:
            raise
        except AttributeError:
            try:
                obj = importlib.import_module(done)
            except ModuleNotFoundError as err:
                if err.name != done:
                    raise
                raise AttributeError(f"keras_torch has no '{done}'") from None
    return obj


def status(entry: Entry) -> str:
    """``provided`` / ``omitted`` / ``missing`` (omitted wins when the table covers the name)."""
    if omissions.omission(entry.path) is not None:
        return OMITTED
    try:
        if entry.kind == "module":
            importlib.import_module(f"keras_torch.{entry.path}" if entry.path else "keras_torch")
        else:
            module, _, attr = f"keras_torch.{entry.path}".rpartition(".")
            getattr(importlib.import_module(module), attr)
    except (AttributeError, ImportError):
        return MISSING
    return PROVIDED


@dataclasses.dataclass
class Report:
    """Coverage of one library."""

    library: str
    statuses: dict[Entry, str]

    def count(self, which: str, counted: bool = True) -> int:
        return sum(1 for e, s in self.statuses.items() if s == which and (e.counted or not counted))

    @property
    def total(self) -> int:
        return sum(1 for e in self.statuses if e.counted)

    @property
    def percent(self) -> float:
        return 100.0 * self.count(PROVIDED) / self.total

    def missing(self) -> list[Entry]:
        return [e for e, s in self.statuses.items() if s == MISSING]

    def by_area(self) -> dict[str, tuple[int, int, int]]:
        """area -> (provided, omitted, missing) of the counted names (applications included)."""
        out: dict[str, list[int]] = {}
        for e, s in self.statuses.items():
            if e.kind == "module":
                continue
            row = out.setdefault(e.area, [0, 0, 0])
            row[(PROVIDED, OMITTED, MISSING).index(s)] += 1
        return {k: (v[0], v[1], v[2]) for k, v in sorted(out.items())}


def report(library: str) -> Report:
    return Report(library, {e: status(e) for e in load(SNAPSHOTS[library])})


def render(reports: list[Report], show_missing: bool = False) -> str:
    lines = []
    for r in reports:
        lines.append(f"{r.library}: {r.count(PROVIDED)}/{r.total} names provided ({r.percent:.1f}%), "
                     f"{r.count(OMITTED)} omitted, {r.count(MISSING)} missing (applications and modules not counted)")
        for area, (p, o, m) in r.by_area().items():
            lines.append(f"  {area:<18} {p:>4} provided {o:>4} omitted {m:>4} missing")
        if show_missing:
            lines.append("  missing: " + ", ".join(e.name for e in r.missing()))
    return "\n".join(lines)


if __name__ == "__main__":
    print(render([report(lib) for lib in SNAPSHOTS], show_missing="--missing" in sys.argv))
