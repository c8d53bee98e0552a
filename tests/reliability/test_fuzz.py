"""Property-based fuzzing of every Keras file reader with mutated real Keras files.

Hypothesis (derandomized: the same corpus on every run) generates ~600 mutations of the real
Keras/tf-keras fixture files in ``compat/fixtures/files``:

* byte level: bit flips, truncation, insertion, deletion and overwrites anywhere in the file, or
  inside the HDF5 member of a ``.keras`` archive (re-zipped with valid CRCs so the HDF5 parser,
  not the zip CRC check, sees the damage);
* zip structure: dropped, swapped, transplanted, renamed (``../``, absolute) and duplicated
  members, recompression, JSON mutations of ``config.json``/``metadata.json``;
* HDF5 structure: corrupted or retyped attributes (``model_config``, ``layer_names``,
  ``weight_names``...), datasets replaced by wrong shapes/dtypes/groups/bombs/links.

A worker subprocess loads the whole corpus (one import), so a crash or a hang in C code is seen
as a dead or silent worker and attributed to its case. Properties checked for every case: the
load succeeds or raises ``ValueError``/``OSError`` (no ``KeyError``/``TypeError``/... and no
``ValueError`` subclass leaking a raw parser message), no case takes longer than the per-case
limit, and nothing is written anywhere (the worker's cwd/TMPDIR/HOME stay empty, the corpus and
fixtures are unchanged).
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import selectors
import subprocess
import sys
import time
import zipfile

import h5py
import numpy as np
import pytest
from _rel_helpers import FIXTURES, HERE, subprocess_env
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')

WORKER = HERE / "_fuzz_worker.py"
PER_CASE_SECONDS = 30.0  # generous: the machine may be loaded; a real hang never ends
N_BYTES, N_ZIP, N_H5 = 300, 150, 150

MODEL_FILES = ["k3_mlp.keras", "k3_compiled.keras", "k3_text.keras", "k3_multi.keras", "k3_gru_v1.keras",
               "k3_mlp.h5", "k3_compiled.h5", "tfk_mlp.h5", "tfk_compiled.h5", "tfk_gru_v1.h5", "tfk_multi.h5"]
WEIGHT_FILES = {"k3_text.weights.h5": "k3_text.keras", "k3_cnn.weights.h5": "k3_cnn.keras",
                "tfk_cnn_weights.h5": "tfk_cnn.h5", "tfk_text_weights.h5": "tfk_text.h5"}
ALL_FILES = MODEL_FILES + list(WEIGHT_FILES)
KERAS_FILES = [f for f in MODEL_FILES if f.endswith(".keras")]
H5_FILES = [f for f in ALL_FILES if f.endswith(".h5")]

SETTINGS = dict(derandomize=True, database=None, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=12)
    | st.sampled_from(["Lambda", "Functional", "Sequential", "os", "system", "__lambda__", "function", "relu",
                       "../x", "Dense", "InputLayer", "keras.layers", "builtins"]),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=8,
)


# ---------------------------------------------------------------------- corpus writer
class Corpus:
    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.cases: list[dict] = []

    def add(self, source: str, data: bytes, what: str) -> None:
        i = len(self.cases)
        ext = ".keras" if source.endswith(".keras") else ".weights.h5" if source.endswith(".weights.h5") else ".h5"
        name = f"case{i:04d}{ext}"
        (self.root / name).write_bytes(data)
        case = {"file": name, "source": source, "what": what}
        if source in WEIGHT_FILES:
            case.update(load="weights", ref=WEIGHT_FILES[source])
        else:
            case.update(load="model", compile=source.endswith(("compiled.h5", "compiled.keras")))
        self.cases.append(case)

    def write_manifest(self) -> None:
        with open(self.root / "manifest.jsonl", "w", encoding="utf8") as f:
            for c in self.cases:
                f.write(json.dumps(c) + "\n")


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _apply_bytes(data: bytes, op: tuple) -> bytes:
    buf = bytearray(data)
    n = max(1, len(buf))
    kind = op[0]
    if kind == "flip":
        for pos, bit in op[1]:
            buf[pos % n] ^= 1 << bit
    elif kind == "truncate":
        del buf[op[1] % n:]
    elif kind == "insert":
        pos = op[1] % n
        buf[pos:pos] = op[2]
    elif kind == "delete":
        pos = op[1] % n
        del buf[pos:pos + op[2]]
    elif kind == "overwrite":
        pos = op[1] % n
        buf[pos:pos + len(op[2])] = op[2]
    return bytes(buf)


def _zip_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(n, z.read(n)) for n in z.namelist()]


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are intended
        with zipfile.ZipFile(buf, "w", compression=compression) as z:
            for name, content in members:
                z.writestr(name, content)
    return buf.getvalue()


def _json_paths(obj, prefix=()):
    """Every (path) to a value in a JSON tree (bounded)."""
    out = []
    stack = [(obj, prefix)]
    while stack and len(out) < 4000:
        o, p = stack.pop()
        if isinstance(o, dict):
            for k, v in o.items():
                out.append(p + (k,))
                stack.append((v, p + (k,)))
        elif isinstance(o, list):
            for i, v in enumerate(o):
                out.append(p + (i,))
                stack.append((v, p + (i,)))
    return out


def _mutate_json(text: bytes, pick: int, op: str, value) -> bytes:
    try:
        obj = json.loads(text)
    except ValueError:
        return text
    paths = _json_paths(obj)
    if not paths:
        return json.dumps(value).encode()
    path = paths[pick % len(paths)]
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "replace":
        parent[key] = value
    elif op == "nest":
        v = parent[key]
        for _ in range(200):
            v = [v]
        parent[key] = v
    elif op == "huge":
        parent[key] = 10**12
    elif op == "wrap":
        parent[key] = {"class_name": "Lambda", "config": {"function": {"class_name": "function", "config": "system",
                                                                          "module": "os"}}}
    return json.dumps(obj).encode()


def _h5_items(f) -> tuple[list[str], list[tuple[str, str]]]:
    datasets, attrs = [], [("/", k) for k in f.attrs]

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            datasets.append(name)
        for k in obj.attrs:
            attrs.append((name, k))

    f.visititems(visit)
    return datasets, attrs


def _mutate_h5(data: bytes, target: str, pick: int, op: str, value) -> bytes:
    buf = io.BytesIO(data)
    with h5py.File(buf, "r+") as f:
        datasets, attrs = _h5_items(f)
        if target == "attr" and attrs:
            obj, key = attrs[pick % len(attrs)]
            holder = f[obj]
            if op == "delete":
                del holder.attrs[key]
            elif op == "json":
                raw = holder.attrs[key]
                raw = raw.encode() if isinstance(raw, str) else bytes(raw) if isinstance(raw, (bytes, np.bytes_)) \
                    else json.dumps(np.asarray(raw).tolist(), default=str).encode()
                holder.attrs[key] = _mutate_json(raw, pick // 7, "replace", value)
            elif op == "numbers":
                holder.attrs[key] = np.arange(pick % 5 + 1, dtype="float64")
            elif op == "strings":
                holder.attrs[key] = np.array([b"x" * (pick % 9), b"..", b"/", b"\xff\xfe"])
            elif op == "random":
                holder.attrs[key] = np.void(json.dumps(value).encode()[:64] or b"\x00")
            elif op == "vlen":
                holder.attrs[key] = json.dumps(value)
        elif target == "dataset" and datasets:
            name = datasets[pick % len(datasets)]
            ds = f[name]
            shape, dtype = ds.shape, ds.dtype
            del f[name]
            if op == "shape":
                f.create_dataset(name, data=np.zeros(tuple(d + 1 for d in shape) or (2,), "float32"))
            elif op == "dtype_str":
                f.create_dataset(name, data=np.full(shape, b"ab", dtype="S2"))
            elif op == "dtype_num":
                f.create_dataset(name, data=np.ones(shape, dtype="float64" if dtype != np.float64 else "int8"))
            elif op == "scalar":
                f.create_dataset(name, data=np.float32(1.0))
            elif op == "group":
                f.create_group(name)
            elif op == "bomb":
                f.create_dataset(name, shape=(100_000, 100_000), dtype="float32", chunks=(1000, 1000),
                                 compression="gzip")
            elif op == "softlink":
                f[name] = h5py.SoftLink("/" + datasets[(pick + 1) % len(datasets)])
            elif op == "nan":
                f.create_dataset(name, data=np.full(shape, np.nan, dtype=dtype))
            # "delete": nothing re-created
        elif target == "group":
            groups = sorted({d.rsplit("/", 1)[0] for d in datasets if "/" in d})
            if groups:
                del f[groups[pick % len(groups)]]
    return buf.getvalue()


def _inner_weights(data: bytes, op: tuple) -> bytes:
    members = _zip_members(data)
    members = [(n, _apply_bytes(c, op) if n == "model.weights.h5" else c) for n, c in members]
    return _zip(members)


def _attr_message(data: bytes, name: bytes, nth: int = 0) -> tuple[int, int]:
    """(datatype offset, data offset) of the ``nth`` version-1 attribute message named ``name``."""
    p = -1
    for _ in range(nth + 1):
        p = data.index(name + b"\x00", p + 1)
    h = p - 8
    pad = lambda k: (k + 7) // 8 * 8  # noqa: E731
    dt = p + pad(int.from_bytes(data[h + 2:h + 4], "little"))
    ds = dt + pad(int.from_bytes(data[h + 4:h + 6], "little"))
    return dt, ds + pad(int.from_bytes(data[h + 6:h + 8], "little"))


def _patched(source: str, patches) -> bytes:
    data = bytearray(_read(source))
    for at, value in patches(bytes(data)):
        data[at:at + len(value)] = value
    return bytes(data)


# Files that crashed or hung the HDF5 library (or made it allocate gigabytes) before keras_torch
# checked for them, found by fuzzing; kept as fixed regression cases of the corpus.
REGRESSIONS = {
    "global heap object of size 0 (HDF5 loops forever)": (
        "k3_mlp.h5", lambda d: [(d.index(b"GCOL\x01") + 16, bytes(16))]),
    "vlen attribute type field 3 (h5py/HDF5 SIGSEGV), model_config": (
        "k3_mlp.h5", lambda d: [(_attr_message(d, b"model_config")[0] + 1, b"\x03")]),
    "vlen attribute type field 3 (h5py/HDF5 SIGSEGV), weight_names": (
        "tfk_cnn_weights.h5", lambda d: [(_attr_message(d, b"weight_names", 2)[0] + 1, b"\x03")]),
    "vlen attribute type field 3, layer_names": (
        "tfk_mlp.h5", lambda d: [(_attr_message(d, b"layer_names")[0] + 1, b"\x03")]),
    "vlen string charset 15": (
        "k3_mlp.h5", lambda d: [(_attr_message(d, b"model_config")[0] + 2, b"\x0f")]),
    "vlen string of 4 GiB at an undefined address (HDF5 allocates it)": (
        "tfk_mlp.h5", lambda d: [(_attr_message(d, b"layer_names")[1], b"\xff" * 16)]),
    "vlen string of 2 GB at a valid address": (
        "k3_mlp.h5", lambda d: [(_attr_message(d, b"model_config")[1], (2_000_000_000).to_bytes(4, "little"))]),
}


def build_corpus(root: pathlib.Path) -> Corpus:
    corpus = Corpus(root)
    for what, (source, patches) in REGRESSIONS.items():
        corpus.add(source, _patched(source, patches), f"regression: {what}")
    pos = st.integers(0, 2**31)
    byte_ops = st.one_of(
        st.tuples(st.just("flip"), st.lists(st.tuples(pos, st.integers(0, 7)), min_size=1, max_size=8)),
        st.tuples(st.just("truncate"), pos),
        st.tuples(st.just("insert"), pos, st.binary(min_size=1, max_size=32)),
        st.tuples(st.just("delete"), pos, st.integers(1, 64)),
        st.tuples(st.just("overwrite"), pos, st.binary(min_size=1, max_size=64)
                  | st.sampled_from([bytes(16), b"\xff" * 16, b"GCOL\x01\x00\x00\x00" + bytes(8)])),
    )

    @settings(max_examples=N_BYTES, **SETTINGS)
    @given(source=st.sampled_from(ALL_FILES), op=byte_ops, inner=st.booleans())
    def byte_cases(source, op, inner):
        data = _read(source)
        if inner and source.endswith(".keras"):
            corpus.add(source, _inner_weights(data, op), f"inner-{op[0]}")
        else:
            corpus.add(source, _apply_bytes(data, op), f"bytes-{op[0]}")

    @settings(max_examples=N_ZIP, **SETTINGS)
    @given(source=st.sampled_from(KERAS_FILES), op=st.sampled_from(
        ["drop", "swap", "transplant", "rename", "duplicate", "deflate", "config", "metadata"]),
        pick=st.integers(0, 10_000), jop=st.sampled_from(["delete", "replace", "nest", "huge", "wrap"]),
        value=json_values, evil=st.sampled_from(["../config.json", "/config.json", "assets/../../x.txt",
                                                  "C:\\config.json", "config.json", "model.weights.h5"]))
    def zip_cases(source, op, pick, jop, value, evil):
        members = _zip_members(_read(source))
        names = [n for n, _ in members]
        compression = zipfile.ZIP_STORED
        if op == "drop":
            del members[pick % len(members)]
        elif op == "swap":
            i, j = pick % len(members), (pick // 7) % len(members)
            members[i], members[j] = (members[i][0], members[j][1]), (members[j][0], members[i][1])
        elif op == "transplant":
            other = dict(_zip_members(_read(KERAS_FILES[pick % len(KERAS_FILES)])))
            members = [(n, other.get(n, c) if n == "model.weights.h5" else c) for n, c in members]
        elif op == "rename":
            i = pick % len(members)
            members[i] = (evil, members[i][1])
        elif op == "duplicate":
            members.append((names[pick % len(names)], json.dumps(value).encode()))
        elif op == "deflate":
            compression = zipfile.ZIP_DEFLATED
        elif op in ("config", "metadata"):
            target = "config.json" if op == "config" else "metadata.json"
            members = [(n, _mutate_json(c, pick, jop, value) if n == target else c) for n, c in members]
        corpus.add(source, _zip(members, compression), f"zip-{op}")

    @settings(max_examples=N_H5, **SETTINGS)
    @given(source=st.sampled_from(H5_FILES), target=st.sampled_from(["attr", "attr", "dataset", "dataset", "group"]),
           pick=st.integers(0, 10_000),
           aop=st.sampled_from(["delete", "json", "numbers", "strings", "random", "vlen"]),
           dop=st.sampled_from(["delete", "shape", "dtype_str", "dtype_num", "scalar", "group", "bomb", "softlink",
                                "nan"]),
           value=json_values)
    def h5_cases(source, target, pick, aop, dop, value):
        op = aop if target == "attr" else dop
        corpus.add(source, _mutate_h5(_read(source), target, pick, op, value), f"h5-{target}-{op}")

    byte_cases()
    zip_cases()
    h5_cases()
    corpus.write_manifest()
    return corpus


# ---------------------------------------------------------------------- runner
def run_corpus(corpus_dir: pathlib.Path, n: int, scratch: pathlib.Path) -> tuple[dict, list[str]]:
    """Run the worker over all cases; restart it after a crash or hang. Returns (results, problems)."""
    results: dict[int, dict] = {}
    problems: list[str] = []
    env = subprocess_env(KT_FUZZ_SCRATCH=str(scratch), KT_FIXTURES=str(FIXTURES), TMPDIR=str(scratch),
                         HOME=str(scratch), KERAS_HOME=str(scratch / ".keras-not-created"))
    start = 0
    while start < n:
        stderr_path = corpus_dir.parent / f"worker-{start}.stderr"
        with open(stderr_path, "wb") as err:
            proc = subprocess.Popen([sys.executable, str(WORKER), str(corpus_dir), str(start)], cwd=scratch,
                                    env=env, stdout=subprocess.PIPE, stderr=err)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        current, deadline = None, time.monotonic() + 180  # import + warm-up
        pending = b""
        stop_at = None
        while True:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                proc.kill()
                proc.wait()
                problems.append(f"case {current}: HANG (no result after {PER_CASE_SECONDS}s)"
                                if current is not None else "worker did not start in time")
                stop_at = current
                break
            events = sel.select(timeout=min(timeout, 1.0))
            if not events:
                if proc.poll() is not None and not pending:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc.wait()
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode("utf8", "replace")
                if text.startswith("START "):
                    current = int(text.split()[1])
                    deadline = time.monotonic() + PER_CASE_SECONDS
                elif text.startswith("DONE "):
                    r = json.loads(text[5:])
                    results[r["i"]] = r
                    current = None
                    deadline = time.monotonic() + PER_CASE_SECONDS
        sel.close()
        proc.stdout.close()
        if stop_at is None and proc.returncode != 0:
            problems.append(f"case {current}: CRASH (worker exit code {proc.returncode}): "
                            + stderr_path.read_text(errors="replace")[-2000:])
            stop_at = current
        if stop_at is None:
            break
        start = stop_at + 1
    return results, problems


ALLOWED = {"ValueError", "ok"}


def _allowed(outcome: str) -> bool:
    if outcome in ALLOWED or outcome.endswith("<OSError>") or outcome in ("OSError", "FileNotFoundError"):
        return True
    # keras_torch's own ValueError subclasses are fine; raw parser subclasses (JSONDecodeError,
    # UnicodeDecodeError, ...) leak a message that does not name the file.
    return outcome.startswith("keras_torch.") and outcome.endswith("<ValueError>")


def _snapshot(path: pathlib.Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in path.iterdir() if p.is_file()}


def test_fuzz_readers_with_mutated_keras_files(tmp_path):
    t0 = time.monotonic()
    corpus_dir = tmp_path / "corpus"
    scratch = tmp_path / "scratch"
    corpus_dir.mkdir()
    scratch.mkdir()
    fixtures_before = _snapshot(FIXTURES)
    corpus = build_corpus(corpus_dir)
    n = len(corpus.cases)
    assert n >= 500 + len(REGRESSIONS)
    corpus_before = _snapshot(corpus_dir)
    t_gen = time.monotonic() - t0
    results, problems = run_corpus(corpus_dir, n, scratch)
    for i, case in enumerate(corpus.cases):
        r = results.get(i)
        if r is None:
            if not any(p.startswith(f"case {i}:") for p in problems):
                problems.append(f"case {i}: no result")
            continue
        if case["what"].startswith("regression") and r["outcome"] != "ValueError":
            problems.append(f"case {i} ({case['what']}): expected a ValueError, got {r['outcome']}")
        if not _allowed(r["outcome"]):
            problems.append(f"case {i} ({case['source']}, {case['what']}): raised {r['outcome']}: {r['msg']}")
        if r["leftovers"]:
            problems.append(f"case {i}: left files in the worker's cwd/TMPDIR: {r['leftovers']}")
    assert _snapshot(corpus_dir) == corpus_before, "the readers modified or created files next to the input"
    assert _snapshot(FIXTURES) == fixtures_before
    assert not any(scratch.iterdir()), f"files written: {list(scratch.iterdir())}"
    outcomes: dict[str, int] = {}
    for r in results.values():
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    slowest = max((r["seconds"] for r in results.values()), default=0.0)
    print(f"\nfuzz: {n} mutated files ({N_BYTES} byte-level, {N_ZIP} zip, {N_H5} HDF5-structure); outcomes "
          f"{outcomes}; slowest case {slowest:.2f}s; corpus built in {t_gen:.1f}s, total {time.monotonic() - t0:.1f}s")
    assert not problems, "\n".join(problems[:40])
    # The corpus must exercise both outcomes: some mutations are harmless, most are detected.
    assert outcomes.get("ok", 0) > 10 and outcomes.get("ValueError", 0) > n // 3
