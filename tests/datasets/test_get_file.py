"""``keras.utils.get_file`` against a local HTTP server (see conftest.py): download, cache, hashes,
extraction, path traversal, mirrors."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from keras_torch.utils import file_utils
from keras_torch.utils.file_utils import URLFetchError, get_file, hash_file, mirrored_url, validate_file

KERAS_HOST = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
PAYLOAD = b"keras_torch test payload\n" * 100


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(server, name: str, data: bytes) -> None:
    with open(server.path(name), "wb") as f:
        f.write(data)


def _cache(tmp_path, *parts: str) -> str:
    return os.path.join(str(tmp_path / "keras_home"), "datasets", *parts)


def _leftovers(directory: str) -> list[str]:
    return [n for n in os.listdir(directory) if n.endswith(".part") or ".extracting-" in n]


def test_download_through_mirror_then_cache_hit(server, tmp_path):
    _write(server, "blob.bin", PAYLOAD)
    path = get_file("blob.bin", origin=KERAS_HOST + "blob.bin", file_hash=_sha256(PAYLOAD))
    assert path == _cache(tmp_path, "blob.bin")
    assert open(path, "rb").read() == PAYLOAD
    assert server.requests == ["/blob.bin"]
    # Cache hit: no second request.
    assert get_file("blob.bin", origin=KERAS_HOST + "blob.bin", file_hash=_sha256(PAYLOAD)) == path
    assert server.requests == ["/blob.bin"]
    assert _leftovers(os.path.dirname(path)) == []


def test_fname_defaults_to_url_basename_and_direct_origin(server, tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_TORCH_DATASETS_MIRROR")
    _write(server, "direct.txt", b"hello")
    path = get_file(origin=server.url + "direct.txt")
    assert path == _cache(tmp_path, "direct.txt")
    assert open(path, "rb").read() == b"hello"


def test_hash_mismatch_raises_and_removes_file(server, tmp_path):
    _write(server, "bad.bin", PAYLOAD)
    wrong = "0" * 64
    with pytest.raises(ValueError, match="does not match") as info:
        get_file("bad.bin", origin=KERAS_HOST + "bad.bin", file_hash=wrong)
    msg = str(info.value)
    assert wrong in msg and _sha256(PAYLOAD) in msg and "sha256" in msg
    assert not os.path.exists(_cache(tmp_path, "bad.bin"))
    assert _leftovers(_cache(tmp_path)) == []


def test_md5_hash_and_stale_cache_redownload(server, tmp_path, capsys):
    _write(server, "words.json", b'{"a": 1}')
    md5 = hashlib.md5(b'{"a": 1}').hexdigest()
    os.makedirs(_cache(tmp_path), exist_ok=True)
    with open(_cache(tmp_path, "words.json"), "wb") as f:
        f.write(b"truncated")  # stale/corrupt cached copy
    path = get_file("words.json", origin=KERAS_HOST + "words.json", file_hash=md5)
    assert open(path, "rb").read() == b'{"a": 1}'
    assert server.requests == ["/words.json"]
    assert "re-download" in capsys.readouterr().out
    assert validate_file(path, md5) and hash_file(path, "md5") == md5
    # Deprecated md5_hash argument, explicit algorithm.
    assert get_file("words.json", origin=KERAS_HOST + "words.json", md5_hash=md5) == path
    assert get_file("words.json", origin=KERAS_HOST + "words.json", file_hash=md5, hash_algorithm="md5") == path
    assert server.requests == ["/words.json"]


def test_existing_keras_cache_is_reused_without_network(server, tmp_path):
    os.makedirs(_cache(tmp_path), exist_ok=True)
    with open(_cache(tmp_path, "mnist.npz"), "wb") as f:
        f.write(PAYLOAD)
    path = get_file("mnist.npz", origin=KERAS_HOST + "mnist.npz", file_hash=_sha256(PAYLOAD))
    assert path == _cache(tmp_path, "mnist.npz")
    assert server.requests == []


def test_force_download_and_cache_dir_subdir(server, tmp_path):
    _write(server, "f.bin", b"v1")
    other = tmp_path / "elsewhere"
    path = get_file("f.bin", origin=KERAS_HOST + "f.bin", cache_dir=str(other), cache_subdir="models")
    assert path == str(other / "models" / "f.bin")
    _write(server, "f.bin", b"v2")
    assert open(get_file("f.bin", origin=KERAS_HOST + "f.bin", cache_dir=str(other), cache_subdir="models"),
                "rb").read() == b"v1"
    path = get_file("f.bin", origin=KERAS_HOST + "f.bin", cache_dir=str(other), cache_subdir="models",
                    force_download=True)
    assert open(path, "rb").read() == b"v2"
    absolute = tmp_path / "abs_subdir"
    assert get_file("f.bin", origin=KERAS_HOST + "f.bin", cache_subdir=str(absolute)) == str(absolute / "f.bin")


def test_http_error_is_clear_and_leaves_nothing(server, tmp_path):
    with pytest.raises(URLFetchError, match="URL fetch failure on .*missing.bin: 404"):
        get_file("missing.bin", origin=KERAS_HOST + "missing.bin")
    assert not os.path.exists(_cache(tmp_path, "missing.bin"))
    assert _leftovers(_cache(tmp_path)) == []


def test_unreachable_host_suggests_mirror(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_TORCH_DATASETS_MIRROR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    with pytest.raises(URLFetchError, match="KERAS_TORCH_DATASETS_MIRROR"):
        get_file("x.bin", origin="http://127.0.0.1:9/x.bin")  # discard port: connection refused


def _tar_bytes(members: dict, mode: str = "w:gz", links: dict | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buf.getvalue()


def _zip_bytes(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_extract_tar_keras3_layout_and_no_reextract(server, tmp_path):
    data = _tar_bytes({"pkg/a.txt": b"A", "pkg/sub/b.txt": b"B"})
    _write(server, "pkg.tar.gz", data)
    out = get_file("pkg", origin=KERAS_HOST + "pkg.tar.gz", extract=True, file_hash=_sha256(data))
    assert out == _cache(tmp_path, "pkg")
    assert os.path.isfile(_cache(tmp_path, "pkg_archive"))
    assert open(os.path.join(out, "pkg", "sub", "b.txt"), "rb").read() == b"B"
    mtime = os.path.getmtime(os.path.join(out, "pkg", "a.txt"))
    assert get_file("pkg", origin=KERAS_HOST + "pkg.tar.gz", extract=True, file_hash=_sha256(data)) == out
    assert server.requests == ["/pkg.tar.gz"]
    assert os.path.getmtime(os.path.join(out, "pkg", "a.txt")) == mtime
    assert _leftovers(_cache(tmp_path)) == []
    # With an extension in fname: the archive keeps the name, files go to <stem>_extracted.
    out2 = get_file("pkg.tar.gz", origin=KERAS_HOST + "pkg.tar.gz", extract=True)
    assert out2 == _cache(tmp_path, "pkg_extracted")
    assert os.path.isfile(os.path.join(out2, "pkg", "a.txt"))
    # untar (Keras 2 argument) behaves like extract with a tar archive.
    assert get_file("pkg", origin=KERAS_HOST + "pkg.tar.gz", untar=True) == out


def test_extract_zip(server, tmp_path):
    _write(server, "z.zip", _zip_bytes({"z/one.txt": b"1", "z/two/2.txt": b"2"}))
    out = get_file("z", origin=KERAS_HOST + "z.zip", extract=True)
    assert open(os.path.join(out, "z", "two", "2.txt"), "rb").read() == b"2"


@pytest.mark.parametrize(
    "kind,members,links",
    [
        ("tar", {"ok.txt": b"x", "../evil.txt": b"pwned"}, None),
        ("tar", {"ok.txt": b"x", "sub/../../evil.txt": b"pwned"}, None),
        ("tar", {"ok.txt": b"x"}, {"link": "../../outside"}),
        ("zip", {"ok.txt": b"x", "../evil.txt": b"pwned"}, None),
    ],
)
def test_path_traversal_is_refused(server, tmp_path, kind, members, links):
    data = _tar_bytes(members, links=links) if kind == "tar" else _zip_bytes(members)
    _write(server, f"evil.{kind}", data)
    with pytest.raises(ValueError, match="Refusing to extract archive member .*path traversal"):
        get_file("evil", origin=KERAS_HOST + f"evil.{kind}", extract=True)
    assert not os.path.exists(_cache(tmp_path, "evil.txt"))
    assert not os.path.exists(str(tmp_path / "keras_home" / "evil.txt"))
    assert not os.path.exists(_cache(tmp_path, "evil"))  # nothing half-extracted
    assert _leftovers(_cache(tmp_path)) == []


def test_absolute_member_refused(tmp_path):
    archive = tmp_path / "abs.tar"
    archive.write_bytes(_tar_bytes({"/tmp/keras_torch_abs_evil.txt": b"x"}, mode="w"))
    with pytest.raises(ValueError, match="absolute path"):
        file_utils.extract_archive(str(archive), str(tmp_path / "out"))
    assert not os.path.exists("/tmp/keras_torch_abs_evil.txt")


def test_mirrored_url_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_TORCH_DATASETS_MIRROR", raising=False)
    assert mirrored_url(KERAS_HOST + "mnist.npz") == KERAS_HOST + "mnist.npz"
    monkeypatch.setenv("KERAS_TORCH_DATASETS_MIRROR", "https://mirror.example/keras/")
    assert mirrored_url(KERAS_HOST + "mnist.npz") == "https://mirror.example/keras/mnist.npz"
    assert mirrored_url("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz") == \
        "https://mirror.example/keras/cifar-10-python.tar.gz"
    assert mirrored_url("https://example.org/other.bin") == "https://example.org/other.bin"
    monkeypatch.setenv("KERAS_TORCH_DATASETS_MIRROR", str(tmp_path))
    assert mirrored_url(KERAS_HOST + "imdb.npz").startswith("file://")


def test_mirror_can_be_a_local_directory(tmp_path, monkeypatch):
    mirror = tmp_path / "offline"
    mirror.mkdir()
    (mirror / "reuters.npz").write_bytes(PAYLOAD)
    monkeypatch.setenv("KERAS_TORCH_DATASETS_MIRROR", str(mirror))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    path = get_file("reuters.npz", origin=KERAS_HOST + "reuters.npz", file_hash=_sha256(PAYLOAD))
    assert open(path, "rb").read() == PAYLOAD


def test_origin_required():
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
