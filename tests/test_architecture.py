"""The import graph of keras_torch keeps the layering written in ARCHITECTURE.md.

Every ``import``/``from ... import`` of a keras_torch module counts, also those inside functions.
Exempt: imports inside a module-level ``__getattr__`` of a package ``__init__`` (lazy public
namespaces such as ``keras_torch.utils.plot_model``). Run ``python tests/test_architecture.py``
for a report.
"""

from __future__ import annotations

import ast
import pathlib
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[1] / "keras_torch"

# Lowest first. A package may import packages of a lower rank only (and itself); packages that
# share a rank (public facades) may not import each other.
RANKS: list[tuple[str, ...]] = [
    ("core",),
    ("utils",),
    ("activations",),
    ("ops",),
    ("random",),
    ("quantizers",),
    ("initializers",),
    ("regularizers",),
    ("constraints",),
    ("losses",),
    ("metrics",),
    ("layers",),
    ("optimizers",),
    ("saving",),
    ("export",),
    ("distribution",),
    ("callbacks",),
    ("trainers",),
    ("models",),
    ("applications", "backend", "config", "datasets", "dtensor", "dtype_policies", "experimental", "legacy",
     "mixed_precision", "preprocessing", "testing", "tree", "visualization"),
    ("distillation",),  # above the facades: it uses keras.tree
    ("<root>",),
    ("launcher",),
    ("__main__",),
]

# The one cycle Keras has too: Model(inputs, outputs) builds a Functional, a Functional is a Model.
ALLOWED_CYCLES = [{"keras_torch.models.model", "keras_torch.models.functional"}]


def _modules() -> dict[str, pathlib.Path]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _resolve(name: str, mods: dict) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def _lazy_getattr_nodes(tree: ast.Module, path: pathlib.Path) -> set[int]:
    if path.name != "__init__.py":
        return set()
    skip: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            skip.update(id(n) for n in ast.walk(node))
    return skip


def import_edges() -> list[tuple[str, str, int]]:
    """(importer, imported, line) for every keras_torch import in the package."""
    mods = _modules()
    edges = []
    for mod, path in sorted(mods.items()):
        tree = ast.parse(path.read_text(encoding="utf8"))
        skip = _lazy_getattr_nodes(tree, path)
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if _resolve(sub, mods) == sub else base)
            for target in targets:
                if target.split(".")[0] != "keras_torch":
                    continue
                resolved = _resolve(target, mods)
                if resolved and resolved != mod:
                    edges.append((mod, resolved, node.lineno))
    return edges


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<root>"


def _rank(package: str) -> int:
    for i, group in enumerate(RANKS):
        if package in group:
            return i
    raise AssertionError(f"package keras_torch.{package} has no rank in RANKS: add it (and to ARCHITECTURE.md)")


def upward_imports() -> list[str]:
    out = []
    for a, b, line in import_edges():
        pa, pb = package_of(a), package_of(b)
        if pa == pb:
            continue
        ra, rb = _rank(pa), _rank(pb)
        if rb > ra or (rb == ra and pa != pb):
            out.append(f"{a} -> {b} (line {line})")
    return sorted(set(out))


def cycles() -> list[set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in import_edges():
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        # Iterative Tarjan (the graph is deep enough to worry about recursion limits).
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    found.append(comp)

    for v in sorted(_modules()):
        if v not in index:
            strong(v)
    return found


def test_every_package_has_a_rank():
    for mod in _modules():
        _rank(package_of(mod))


def test_no_import_points_upward():
    assert upward_imports() == []


def test_no_import_cycle_but_model_functional():
    bad = [sorted(c) for c in cycles() if c not in ALLOWED_CYCLES]
    assert bad == []


if __name__ == "__main__":
    up = upward_imports()
    cyc = cycles()
    print(f"{len(up)} upward imports")
    print("\n".join("  " + u for u in up))
    print(f"{len(cyc)} cycles: {[len(c) for c in cyc]}")
    for c in cyc:
        print("  ", sorted(c))
    sys.exit(1 if up or [c for c in cyc if c not in ALLOWED_CYCLES] else 0)
