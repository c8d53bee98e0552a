"""Hand-made hostile files: each must fail with a clear ValueError before anything dangerous happens."""

from __future__ import annotations

import io
import json
import os
import pathlib
import resource
import sys
import zipfile

import h5py
import numpy as np
import pytest
from _rel_helpers import FIXTURES, ROOT
from _rel_models import mlp

KERAS_W = "layers/dense/vars/0"  # first Dense kernel in a Keras 3 weights file
LEGACY_W = "model_weights/a/a/kernel:0"  # ... in a legacy full-model .h5


# ---------------------------------------------------------------------- helpers
def _save(keras, tmp_path, kind: str) -> pathlib.Path:
    model = mlp(keras)
    model.fit(np.zeros((4, 4), "float32"), np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    p = tmp_path / {"keras": "m.keras", "h5": "m.h5", "weights": "m.weights.h5", "legacy_weights": "w.h5"}[kind]
    if kind in ("keras", "h5"):
        model.save(p)
    else:
        model.save_weights(p)
    return p


def _rezip(src: pathlib.Path, dst: pathlib.Path, replace: dict | None = None, extra: list | None = None) -> None:
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, replace.get(name, zin.read(name)))
        for item in extra or []:
            zout.writestr(*item)


def _edit_keras_weights(path: pathlib.Path, edit) -> None:
    """Apply ``edit(h5file)`` to the model.weights.h5 inside a .keras archive."""
    with zipfile.ZipFile(path) as z:
        raw = z.read("model.weights.h5")
    buf = io.BytesIO(raw)
    with h5py.File(buf, "r+") as f:
        edit(f)
    tmp = path.with_suffix(".tmp.keras")
    _rezip(path, tmp, replace={"model.weights.h5": buf.getvalue()})
    os.replace(tmp, path)


def _edit(path: pathlib.Path, kind: str, edit) -> None:
    if kind == "keras":
        _edit_keras_weights(path, edit)
    else:
        with h5py.File(path, "r+") as f:
            edit(f)


def _load(keras, path: pathlib.Path, kind: str, **kwargs):
    if kind in ("keras", "h5"):
        return keras.models.load_model(path, **kwargs)
    mlp(keras).load_weights(path, **kwargs)


def _weight_path(kind: str) -> str:
    return LEGACY_W if kind == "h5" else KERAS_W if kind in ("keras", "weights") else "a/a/kernel:0"


def _replace(f, name: str, maker) -> None:
    del f[name]
    maker(f, name)


def _saved_with_weight(keras, tmp_path, kind: str, maker) -> pathlib.Path:
    """A saved model file whose first kernel was deleted and rebuilt by ``maker(h5file, name)``."""
    p = _save(keras, tmp_path, kind)
    target = _weight_path(kind)
    _edit(p, kind, lambda f: _replace(f, target, maker))
    return p


KINDS = ["keras", "h5", "weights", "legacy_weights"]


# ---------------------------------------------------------------------- HDF5 links and storage
@pytest.mark.parametrize("kind", KINDS)
def test_soft_link_refused(kind, keras, tmp_path):
    p = _saved_with_weight(keras, tmp_path, kind, lambda f, n: f.__setitem__(n, h5py.SoftLink("/" + n + "_x")))
    with pytest.raises(ValueError, match="SoftLink"):
        _load(keras, p, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_external_link_refused(kind, keras, tmp_path):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["kernel"] = np.full((4, 3), 7.0, "float32")
    p = _saved_with_weight(keras, tmp_path, kind, lambda f, n: f.__setitem__(n, h5py.ExternalLink(str(secret),
                                                                                                   "/kernel")))
    with pytest.raises(ValueError, match="ExternalLink"):
        _load(keras, p, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_external_dataset_refused(kind, keras, tmp_path):
    """A dataset whose bytes live in another file (e.g. /etc/passwd) must never be read into the weights."""
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.full((4, 3), 7.0, "float32").tobytes())
    p = _saved_with_weight(keras, tmp_path, kind, lambda f, n: f.create_dataset(
        n, shape=(4, 3), dtype="float32", external=[(str(raw), 0, 48)]))
    with pytest.raises(ValueError, match="external"):
        _load(keras, p, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_virtual_dataset_refused(kind, keras, tmp_path):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        f["k"] = np.full((4, 3), 7.0, "float32")
    def make(f, n):
        layout = h5py.VirtualLayout(shape=(4, 3), dtype="float32")
        layout[:] = h5py.VirtualSource(str(src), "k", shape=(4, 3))
        f.create_virtual_dataset(n, layout)

    p = _saved_with_weight(keras, tmp_path, kind, make)
    with pytest.raises(ValueError, match="virtual"):
        _load(keras, p, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_string_dataset_refused(kind, keras, tmp_path):
    p = _saved_with_weight(keras, tmp_path, kind, lambda f, n: f.create_dataset(
        n, data=np.array([["abc"] * 3] * 4, dtype="S3")))
    with pytest.raises(ValueError, match="non-numeric"):
        _load(keras, p, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_shape_bomb_not_read(kind, keras, tmp_path, no_hang):
    """A 4 TB declared dataset (stored as a few bytes) is refused from its shape, without allocating."""
    p = _saved_with_weight(keras, tmp_path, kind, lambda f, n: f.create_dataset(
        n, shape=(1_000_000, 1_000_000), dtype="float32", chunks=(1000, 1000), compression="gzip"))
    assert p.stat().st_size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with no_hang(60), pytest.raises(ValueError, match="shape"):
        _load(keras, p, kind)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


def test_dataset_bomb_check_without_expected_shape(tmp_path):
    from keras_torch.saving.guards import hdf5 as h5_guard

    with h5py.File(tmp_path / "b.h5", "w") as f:
        ds = f.create_dataset("x", shape=(1_000_000, 1_000_000), dtype="float32", chunks=(1000, 1000),
                              compression="gzip")
        with pytest.raises(ValueError, match="bomb"):
            h5_guard.read_dataset(ds)
        with pytest.raises(ValueError, match="more than any variable"):
            h5_guard.read_dataset(ds, max_elements=100)


@pytest.mark.parametrize("kind", ["weights", "keras", "h5"])
def test_optimizer_bomb_is_refused_and_optimizer_starts_fresh(kind, keras, tmp_path, no_hang):
    p = _save(keras, tmp_path, kind)

    def edit(f):
        g = f["optimizer/vars"] if "optimizer/vars" in f else f["optimizer_weights"]
        name = sorted(g.keys())[-1] if "optimizer/vars" in f else sorted(
            (k for k in g.keys()), key=len)[-1]
        if "optimizer_weights" in f:  # legacy: datasets nested below the optimizer name
            def first_ds(grp):
                for k in grp:
                    if isinstance(grp[k], h5py.Dataset):
                        return grp[k].name
                    found = first_ds(grp[k])
                    if found:
                        return found
            path = first_ds(g)
            del f[path]
            f.create_dataset(path, shape=(100_000, 100_000), dtype="float32", chunks=(1000, 1000),
                             compression="gzip")
            return
        del g[name]
        g.create_dataset(name, shape=(100_000, 100_000), dtype="float32", chunks=(1000, 1000), compression="gzip")

    _edit(p, kind, edit)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with no_hang(60), pytest.warns(UserWarning, match="optimizer"):
        if kind == "weights":
            m = mlp(keras)
            m.load_weights(p)
        else:
            keras.models.load_model(p)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000


def test_hard_link_cycle_refused(keras, tmp_path):
    p = _save(keras, tmp_path, "weights")
    with h5py.File(p, "r+") as f:
        f["layers/dense/loop"] = f["layers"]  # a hard link back up the tree
    with pytest.raises(ValueError, match="linked more than once|nested deeper"):
        mlp(keras).load_weights(p)


# ---------------------------------------------------------------------- attributes and JSON
def _set_model_config(p: pathlib.Path, text: str) -> None:
    with h5py.File(p, "r+") as f:
        f.attrs["model_config"] = text


def test_config_over_size_limit(keras, tmp_path, monkeypatch):
    from keras_torch.saving.guards import limits

    p = _save(keras, tmp_path, "h5")
    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 1000)
    with pytest.raises(ValueError, match="limit"):
        keras.models.load_model(p)


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 150 + "1" + "}" * 150])
def test_deeply_nested_config(text, keras, tmp_path):
    p = _save(keras, tmp_path, "h5")
    _set_model_config(p, text)
    with pytest.raises(ValueError, match="nests deeper"):
        keras.models.load_model(p)


@pytest.mark.parametrize("text", ["42", '"Sequential"', "[]", '{"class_name": 3}', "{not json",
                                  '{"class_name": "Sequential", "config": {"layers": 5}}',
                                  '{"class_name": "Dense", "config": {"units": "many"}}'])
def test_malformed_config(text, keras, tmp_path):
    p = _save(keras, tmp_path, "h5")
    _set_model_config(p, text)
    with pytest.raises(ValueError):
        keras.models.load_model(p)


def test_attribute_claiming_more_than_file(tmp_path, monkeypatch):
    from keras_torch.saving.guards import hdf5 as h5_guard
    from keras_torch.saving.guards import limits

    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 10)
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f.attrs.create("big", np.zeros(10, "float64"))
        with pytest.raises(ValueError, match="more than the file can hold"):
            h5_guard.check_attr(f.attrs, "big", file_size=1)


def test_weight_names_of_wrong_type(keras, tmp_path):
    p = _save(keras, tmp_path, "legacy_weights")
    with h5py.File(p, "r+") as f:
        f["a"].attrs["weight_names"] = np.array([1.5 + 2j, 3j])
    with pytest.raises(ValueError, match="weight_names"):
        mlp(keras).load_weights(p)


# ---------------------------------------------------------------------- HDF5 library hangs
def _vlen_heap_file(keras, tmp_path) -> pathlib.Path:
    p = _save(keras, tmp_path, "h5")
    with h5py.File(p, "r+") as f:  # a vlen str attribute (as Keras 3 writes them) lives in a global heap
        f.attrs["model_config"] = f.attrs["model_config"].decode() if isinstance(
            f.attrs["model_config"], bytes) else f.attrs["model_config"]
    data = bytearray(p.read_bytes())
    i = data.index(b"GCOL\x01")
    data[i + 16:i + 32] = bytes(16)  # zero the first heap object's header: HDF5 would loop forever
    p.write_bytes(bytes(data))
    return p


def test_corrupted_global_heap_does_not_hang(keras, tmp_path, no_hang):
    """HDF5 1.14 spins forever in H5HG__cache_heap_deserialize on a zero-sized heap object (found by fuzzing)."""
    p = _vlen_heap_file(keras, tmp_path)
    with no_hang(60), pytest.raises(ValueError, match="global heap"):
        keras.models.load_model(p)


def _vlen_attr_data_offset(data: bytes, name: bytes) -> int:
    """Byte offset of the first vlen descriptor of attribute ``name`` (v1 attribute message layout)."""
    p = data.index(name + b"\x00")
    h = p - 8
    assert data[h] == 1  # h5py's default (earliest) format: version-1 attribute messages
    pad = lambda k: (k + 7) // 8 * 8  # noqa: E731
    dt = p + pad(int.from_bytes(data[h + 2:h + 4], "little"))
    ds = dt + pad(int.from_bytes(data[h + 4:h + 6], "little"))
    return ds + pad(int.from_bytes(data[h + 6:h + 8], "little"))


@pytest.mark.parametrize("attr", ["model_config", "layer_names"])
def test_vlen_attribute_with_huge_declared_length(attr, keras, tmp_path, no_hang):
    """A vlen string attribute declaring a 2 GB length: refused before HDF5 allocates it (found by fuzzing)."""
    p = _save(keras, tmp_path, "h5")
    with h5py.File(p, "r+") as f:  # rewrite as vlen strings, as Keras 3 writes them
        holder = f if attr == "model_config" else f["model_weights"]
        value = holder.attrs[attr]
        text = lambda v: v.decode() if isinstance(v, bytes) else str(v)  # noqa: E731
        holder.attrs[attr] = text(value) if isinstance(value, (bytes, str)) else [text(v) for v in value]
    data = bytearray(p.read_bytes())
    at = _vlen_attr_data_offset(bytes(data), attr.encode())
    data[at:at + 4] = (2_000_000_000).to_bytes(4, "little")
    p.write_bytes(bytes(data))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with no_hang(60), pytest.raises(ValueError, match="declares a 2000000000-byte string"):
        keras.models.load_model(p)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000


# ---------------------------------------------------------------------- zip archives
@pytest.mark.parametrize("evil", ["../escape.txt", "/tmp/abs_escape.txt", "assets/../../escape.txt",
                                  "C:/escape.txt"])
def test_zip_path_traversal_refused(evil, keras, tmp_path):
    base = _save(keras, tmp_path, "keras")
    p = tmp_path / "evil.keras"
    _rezip(base, p, extra=[(evil, b"pwned")])
    listing = sorted(os.listdir(tmp_path.parent))
    with pytest.raises(ValueError, match="absolute or parent-directory"):
        keras.models.load_model(p)
    with pytest.raises(ValueError, match="absolute or parent-directory"):
        mlp(keras).load_weights(p)
    assert sorted(os.listdir(tmp_path.parent)) == listing
    assert not os.path.exists("/tmp/abs_escape.txt")


def test_zip_bomb_refused(keras, tmp_path, monkeypatch):
    from keras_torch.saving.guards import limits

    base = _save(keras, tmp_path, "keras")
    p = tmp_path / "bomb.keras"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(p, "w") as zout:
        for name in zin.namelist():
            if name == "model.weights.h5":
                zout.writestr(name, zin.read(name) + bytes(20 << 20), compress_type=zipfile.ZIP_DEFLATED)
            else:
                zout.writestr(name, zin.read(name))
    monkeypatch.setattr(limits, "ZIP_BOMB_FLOOR_BYTES", 1 << 20)
    with pytest.raises(ValueError, match="decompression bomb"):
        keras.models.load_model(p)


def test_zip_member_size_caps(keras, tmp_path, monkeypatch):
    from keras_torch.saving.guards import limits

    base = _save(keras, tmp_path, "keras")
    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 100)
    with pytest.raises(ValueError, match="limit"):
        keras.models.load_model(base)


def test_zip_encrypted_member_refused(keras, tmp_path):
    base = _save(keras, tmp_path, "keras")
    p = tmp_path / "enc.keras"
    data = bytearray(base.read_bytes())
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        i = data.find(sig)
        while i >= 0:
            if data[i + name_at:i + name_at + 11] == b"config.json":
                data[i + flag_at] |= 0x1  # "encrypted" general purpose flag
            i = data.find(sig, i + 4)
    p.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="encrypted"):
        keras.models.load_model(p)


def test_zip_duplicate_member_refused(keras, tmp_path):
    base = _save(keras, tmp_path, "keras")
    p = tmp_path / "dup.keras"
    with pytest.warns(UserWarning, match="Duplicate"):
        _rezip(base, p, extra=[("config.json", b'{"class_name": "Sequential", "config": {}}')])
    with pytest.raises(ValueError, match="two members"):
        keras.models.load_model(p)


def test_npz_weights_never_unpickle(keras, tmp_path):
    """A .keras whose weights are an .npz holding a pickled object array: refused, the pickle never runs."""
    base = _save(keras, tmp_path, "keras")
    canary = tmp_path / "pickle_ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(canary), "w"))

    buf = io.BytesIO()
    np.savez(buf, **{"layers/dense/vars/0": np.array([Evil()], dtype=object)})
    p = tmp_path / "npz.keras"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(p, "w") as zout:
        for name in ("metadata.json", "config.json"):
            zout.writestr(name, zin.read(name))
        zout.writestr("model.weights.npz", buf.getvalue())
    with pytest.raises(ValueError):
        keras.models.load_model(p)
    assert not canary.exists()


# ---------------------------------------------------------------------- class and function lookup
_CANARY_MODULE = "kt_reliability_canary_module"


@pytest.fixture
def canary_module(tmp_path, monkeypatch):
    """A module on sys.path that creates a file when imported: no config may import it."""
    mark = tmp_path / "imported"
    (tmp_path / f"{_CANARY_MODULE}.py").write_text(
        f"open({str(mark)!r}, 'w').close()\n"
        "def evil(*a, **k):\n    raise SystemExit('evil function ran')\n"
        "class Evil:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield mark
    sys.modules.pop(_CANARY_MODULE, None)


def _keras_with_layer_entry(keras, tmp_path, mutate) -> pathlib.Path:
    base = _save(keras, tmp_path, "keras")
    with zipfile.ZipFile(base) as z:
        cfg = json.loads(z.read("config.json"))
    mutate(cfg["config"]["layers"][-1])
    p = tmp_path / "custom.keras"
    _rezip(base, p, replace={"config.json": json.dumps(cfg)})
    return p


@pytest.mark.parametrize("entry", [
    {"module": _CANARY_MODULE, "class_name": "Evil", "registered_name": None},
    {"module": "subprocess", "class_name": "Popen", "registered_name": None},
    {"module": "os", "class_name": "system", "registered_name": "os>system"},
    {"module": "builtins", "class_name": "eval", "registered_name": None},
])
def test_unknown_classes_are_never_imported(entry, keras, tmp_path, canary_module):
    p = _keras_with_layer_entry(keras, tmp_path, lambda e: e.update(entry))
    with pytest.raises(ValueError, match="Unknown layer"):
        keras.models.load_model(p)
    assert not canary_module.exists()
    assert _CANARY_MODULE not in sys.modules


def _lambda_model(keras, fn):
    L = keras.layers
    return keras.Sequential([keras.Input((3,)), L.Lambda(fn, output_shape=(3,), name="lam")])


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_lambda_bytecode_refused_by_load_model(ext, keras, tmp_path):
    ran = tmp_path / "lambda_ran"
    model = _lambda_model(keras, lambda x, p=str(ran): (open(p, "w").close(), x)[1])
    path = tmp_path / f"lam{ext}"
    model.save(path)
    ran.unlink(missing_ok=True)  # saving may have traced the function
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    assert not ran.exists()
    # Opting out runs the file's code: that is exactly what safe_mode protects against.
    loaded = keras.models.load_model(path, safe_mode=False)
    loaded.predict(np.ones((1, 3), "float32"), verbose=0)
    assert ran.exists()


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_enable_unsafe_deserialization_is_global_opt_out(ext, keras, tmp_path):
    from keras_torch import config as kt_config
    from keras_torch.core import config as core_config

    model = _lambda_model(keras, lambda x: x * 2.0)
    path = tmp_path / f"lam{ext}"
    model.save(path)
    from keras_torch.layers.lambda_layer import Lambda

    cfg = model.layers[-1].get_config()
    try:
        kt_config.enable_unsafe_deserialization()
        assert isinstance(Lambda.from_config(cfg), Lambda)
        # As in Keras 3, an explicit load_model(safe_mode=True) (the default) still wins.
        with pytest.raises(ValueError, match="safe_mode"):
            keras.models.load_model(path)
    finally:
        core_config._UNSAFE["enabled"] = False
    with pytest.raises(ValueError, match="safe_mode"):
        Lambda.from_config(cfg)


@pytest.mark.parametrize("fixture", ["tfk_lambda.h5", "k3_lambda.keras"])
def test_real_keras_lambda_files_refused(fixture, keras):
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(FIXTURES / fixture)


@pytest.mark.parametrize("ref", [("builtins", "print"), ("os", "system"), ("time", "sleep"),
                                 ("faulthandler", "_sigsegv"), (_CANARY_MODULE, "evil")])
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_lambda_named_function_outside_keras_refused(ref, ext, keras, tmp_path, canary_module):
    """A Lambda naming any function of any imported module would be a call gadget: refused in safe mode."""
    module, name = ref
    if module == _CANARY_MODULE:
        import importlib

        importlib.import_module(_CANARY_MODULE)  # even an already-imported module is off limits
        canary_module.unlink()
    model = _lambda_model(keras, keras.activations.relu)
    path = tmp_path / f"fn{ext}"
    model.save(path)
    if ext == ".keras":
        def patch(e):
            e["config"]["function"] = {"module": module, "class_name": "function", "config": name,
                                       "registered_name": name}
        with zipfile.ZipFile(path) as z:
            cfg = json.loads(z.read("config.json"))
        for e in cfg["config"]["layers"]:
            if e["class_name"] == "Lambda":
                patch(e)
        p = tmp_path / "patched.keras"
        _rezip(path, p, replace={"config.json": json.dumps(cfg)})
    else:
        p = path
        with h5py.File(p, "r+") as f:
            cfg = json.loads(f.attrs["model_config"])
            for e in cfg["config"]["layers"]:
                if e["class_name"] == "Lambda":
                    e["config"].update(function=name, function_type="function", module=module)
            f.attrs["model_config"] = json.dumps(cfg).encode()
    with pytest.raises(ValueError, match="neither one of the pure math functions"):
        keras.models.load_model(p)
    assert not canary_module.exists()


def test_lambda_keras_functions_still_load(keras, tmp_path):
    for fn in (keras.activations.relu, keras.ops.square):
        model = _lambda_model(keras, fn)
        for ext in (".keras", ".h5"):
            model.save(tmp_path / f"ok{ext}")
            loaded = keras.models.load_model(tmp_path / f"ok{ext}")
            x = np.array([[-1.0, 2.0, 3.0]], "float32")
            np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# ---------------------------------------------------------------------- resources
def test_fifo_is_refused_without_hanging(keras, tmp_path, no_hang):
    fifo = tmp_path / "pipe.keras"
    os.mkfifo(fifo)
    with no_hang(60), pytest.raises(ValueError, match="not a regular file"):
        keras.models.load_model(fifo)


def test_config_asking_for_huge_tensors_is_refused_before_allocating(keras, tmp_path, no_hang, monkeypatch):
    monkeypatch.delenv("KERAS_TORCH_LOAD_MEMORY_LIMIT", raising=False)

    def huge(e):
        e["config"]["units"] = 10**9  # Dense(3 -> 1e9): 12 GB kernel declared by a 20 kB file

    p = _keras_with_layer_entry(keras, tmp_path, huge)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with no_hang(60), pytest.raises(ValueError, match="KERAS_TORCH_LOAD_MEMORY_LIMIT"):
        keras.models.load_model(p)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000


def test_memory_limit_env_override(keras, tmp_path, monkeypatch):
    p = _save(keras, tmp_path, "keras")
    monkeypatch.setenv("KERAS_TORCH_LOAD_MEMORY_LIMIT", "16")
    with pytest.raises(ValueError, match="KERAS_TORCH_LOAD_MEMORY_LIMIT"):
        keras.models.load_model(p)
    monkeypatch.setenv("KERAS_TORCH_LOAD_MEMORY_LIMIT", "0")
    keras.models.load_model(p)
    monkeypatch.setenv("KERAS_TORCH_LOAD_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="number of bytes"):
        keras.models.load_model(p)


# Seeded: test ids must be identical in every collecting process (pytest-xdist workers).
_RANDOM_JUNK = np.random.default_rng(1234).bytes(4096)


@pytest.mark.parametrize("content", [b"PK\x03\x04" + bytes(100), b"\x89HDF\r\n\x1a\n" + bytes(100),
                                     b"PK\x05\x06" + bytes(18), _RANDOM_JUNK],
                         ids=["zip-header", "hdf5-header", "zip-end-record", "random"])
@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
def test_junk_with_valid_magic(content, ext, keras, tmp_path):
    p = tmp_path / f"junk{ext}"
    p.write_bytes(content)
    with pytest.raises(ValueError):
        keras.models.load_model(p)
    with pytest.raises(ValueError):
        mlp(keras).load_weights(p)


# ---------------------------------------------------------------------- static guarantees
def _calls(tree):
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                yield f"{f.value.id}.{f.attr}", node
            elif isinstance(f, ast.Name):
                yield f.id, node


def _kw(node, name):
    import ast

    for k in node.keywords:
        if k.arg == name and isinstance(k.value, ast.Constant):
            return k.value.value
    return None


def test_no_unsafe_deserializers_in_the_package():
    """torch.load only with weights_only=True, no pickle/marshal/eval outside the gated Lambda loader."""
    import ast

    problems = []
    for path in (ROOT / "keras_torch").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf8"))
        for name, node in _calls(tree):
            where = f"{rel}:{node.lineno}"
            if name == "torch.load" and _kw(node, "weights_only") is not True:
                problems.append(f"{where}: torch.load without weights_only=True")
            if name.endswith(".load") and _kw(node, "allow_pickle") is True:
                problems.append(f"{where}: load(allow_pickle=True)")
            if name in ("pickle.load", "pickle.loads", "dill.load", "dill.loads", "joblib.load", "shelve.open"):
                problems.append(f"{where}: unrestricted unpickling ({name})")
            if name == "marshal.loads" and rel != "keras_torch/layers/lambda_layer.py":
                problems.append(f"{where}: marshal.loads outside the safe_mode-gated Lambda loader")
            if name in ("eval", "exec"):
                problems.append(f"{where}: {name}()")
    assert not problems, "\n".join(problems)
