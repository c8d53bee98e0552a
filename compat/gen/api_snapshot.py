"""The public names of real Keras 3 and tf-keras 2, so API coverage is measured, not guessed.

    /opt/kref/bin/python compat/generate_fixtures.py api_snapshot

Walks every public module of ``keras`` (3.x) and ``tf_keras`` (2.x) recursively -- a module is
public when it is reached through an attribute without a leading underscore and is not the
``src`` implementation tree -- and writes one JSON file per library under
``compat/fixtures/api_snapshot/``::

    {"library": "keras", "version": "3.15.1",
     "names": {"keras.layers": "module", "keras.layers.Dense": "class", ...}}

Kinds: ``module``, ``class``, ``function`` (any other callable) and ``constant``. A module that
re-exports another module under a different name (``keras.src``) is left out; tf-keras's
``protobuf`` package (generated protocol-buffer descriptors, not an API anyone calls) too.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pathlib
import types

LIBRARIES = {"keras": "keras3_15.json", "tf_keras": "tfkeras2_21.json"}
SKIPPED_MODULES = ("src", "protobuf")


def kind_of(obj: object) -> str:
    """``class`` / ``function`` / ``constant`` (modules are handled by the walk)."""
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "constant"


def public_names(root: str) -> dict[str, str]:
    """Every public ``root.a.b.Name`` reachable from ``root`` mapped to its kind."""
    names: dict[str, str] = {}

    def walk(module_name: str) -> None:
        module = importlib.import_module(module_name)
        for attr in sorted(dir(module)):
            if attr.startswith("_"):
                continue
            obj = getattr(module, attr)
            full = f"{module_name}.{attr}"
            if isinstance(obj, types.ModuleType):
                # A submodule is public under the name it was defined with; aliases of other
                # modules (keras.src, tf_keras's generated pb2 cross-links) are not API.
                if obj.__name__ == full and attr not in SKIPPED_MODULES:
                    names[full] = "module"
                    walk(full)
                continue
            names[full] = kind_of(obj)

    walk(root)
    return dict(sorted(names.items()))


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    for root, filename in LIBRARIES.items():
        module = importlib.import_module(root)
        names = public_names(root)
        payload = {"library": root, "version": module.__version__, "names": names}
        text = json.dumps(payload, indent=0, sort_keys=False) + "\n"
        (out_dir / filename).write_text(text, encoding="utf8")
        print(f"  {root} {module.__version__}: {len(names)} names -> {filename}")
