"""``keras.utils.get_file``: download-and-cache with Keras's cache layout, plus offline mirrors.

Same semantics as Keras 3 (``keras/src/utils/file_utils.py``): files land in
``$KERAS_HOME/<cache_subdir>`` (default ``~/.keras/datasets``), so an existing Keras cache is reused
as is; ``file_hash`` (sha256 or md5, auto-detected from its length) is checked after download and
on cache hits; ``extract=True`` unpacks tar/zip archives. Differences, all on the safe side:

* downloads go to a temporary file that is renamed into place only once complete and verified,
  so an interrupted or corrupted download never poisons the cache (a bad file is removed and a
  ``ValueError`` names both hashes);
* archives with members escaping the extraction directory (``..``, absolute paths, links
  pointing outside) are refused with a ``ValueError`` instead of being partly extracted, and so
  are zip members that would decompress more than 100 times their stored size beyond 256 MiB
  (decompression bombs);
* an already extracted archive is not extracted again on every call;
* ``KERAS_TORCH_DATASETS_MIRROR`` (a URL prefix, or a local directory) replaces the Keras dataset
  hosts for air-gapped machines: ``https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz``
  is fetched from ``$KERAS_TORCH_DATASETS_MIRROR/mnist.npz``; ``KERAS_TORCH_MODELS_MIRROR`` does the
  same for the ``keras.applications`` weight files (``.../keras-applications/resnet/x.h5`` ->
  ``$KERAS_TORCH_MODELS_MIRROR/resnet/x.h5``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from typing import Any

MIRROR_ENV = "KERAS_TORCH_DATASETS_MIRROR"
# The same for the pretrained weights of keras.applications (kept apart: a datasets mirror rarely
# holds gigabytes of model weights).
MODELS_MIRROR_ENV = "KERAS_TORCH_MODELS_MIRROR"
MODELS_PREFIXES = ("https://storage.googleapis.com/tensorflow/keras-applications/",)

# Hosts of the files behind keras.datasets and the Keras/TF tutorials. With a mirror set, the
# part of the URL after one of these prefixes is appended to the mirror.
MIRRORED_PREFIXES = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "https://storage.googleapis.com/download.tensorflow.org/data/",
    "https://storage.googleapis.com/download.tensorflow.org/example_images/",
    "https://storage.googleapis.com/download.tensorflow.org/",
    "https://www.cs.toronto.edu/~kriz/",
    "https://ai.stanford.edu/~amaas/data/sentiment/",
)

__all__ = ["get_file", "hash_file", "validate_file", "extract_archive", "keras_home", "mirrored_url", "mirror_variable"]


class URLFetchError(OSError):
    """The file could not be downloaded (no network, HTTP error...)."""


def keras_home() -> str:
    """``$KERAS_HOME`` or ``~/.keras`` (``/tmp/.keras`` when the home directory is read-only)."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def path_to_string(path: Any) -> Any:
    return os.fspath(path) if isinstance(path, os.PathLike) else path


def _mirror_for(url: str) -> tuple[str, str, str] | None:
    """``(env variable, its value, rest of the URL)`` of the mirror serving ``url``, if one is set."""
    for env, prefixes in ((MODELS_MIRROR_ENV, MODELS_PREFIXES), (MIRROR_ENV, MIRRORED_PREFIXES)):
        for prefix in prefixes:
            if url.startswith(prefix):
                mirror = os.environ.get(env, "").strip()
                return (env, mirror, url[len(prefix):]) if mirror else None
    return None


def mirror_variable(origin: str) -> str:
    """The environment variable naming a mirror for ``origin`` (models or datasets)."""
    url = "https://" + origin[len("http://"):] if origin.startswith("http://") else origin
    return MODELS_MIRROR_ENV if url.startswith(MODELS_PREFIXES) else MIRROR_ENV


def mirrored_url(origin: str) -> str:
    """``origin`` rewritten to ``$KERAS_TORCH_DATASETS_MIRROR`` (dataset hosts) or
    ``$KERAS_TORCH_MODELS_MIRROR`` (``keras.applications`` weight files) when one is set."""
    url = origin
    if url.startswith("http://"):
        url = "https://" + url[len("http://") :]
    found = _mirror_for(url)
    if found is None:
        return origin
    _, mirror, rest = found
    if "://" not in mirror:  # a local directory
        mirror = urllib.parse.urljoin("file:", urllib.request.pathname2url(os.path.abspath(os.path.expanduser(mirror))))
    return mirror.rstrip("/") + "/" + rest


# --------------------------------------------------------------------------- hashing


def resolve_hasher(algorithm: Any, file_hash: str | None = None) -> Any:
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return hashlib.sha256()
    if algorithm not in ("auto", "md5"):
        raise ValueError(f"Unknown hash_algorithm={algorithm!r}: expected 'auto', 'sha256' or 'md5'.")
    return hashlib.md5()


def hash_file(fpath: Any, algorithm: Any = "sha256", chunk_size: int = 65535) -> str:
    """sha256 (or md5) hex digest of a file."""
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: Any, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    """Whether ``fpath`` has hash ``file_hash`` (sha256 or md5; ``auto`` picks by length)."""
    return hash_file(fpath, resolve_hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _algorithm_name(algorithm: str, file_hash: str) -> str:
    return resolve_hasher(algorithm, file_hash).name


# --------------------------------------------------------------------------- extraction


def _within(base: str, path: str) -> bool:
    try:
        return os.path.commonpath([base, path]) == base
    except ValueError:
        return False


def _check_member(base: str, name: str, link: str | None = None, hard: bool = False) -> None:
    def refuse(why: str) -> None:
        raise ValueError(f"Refusing to extract archive member {name!r}: {why} (path traversal). "
                         "The archive may be malicious; nothing was extracted.")

    if os.path.isabs(name) or name.startswith(("/", "\\")):
        refuse("absolute path")
    dest = os.path.realpath(os.path.join(base, name))
    if not _within(base, dest):
        refuse("it would be written outside the extraction directory")
    if link is not None:
        if os.path.isabs(link):
            refuse(f"link to absolute path {link!r}")
        target = os.path.realpath(os.path.join(base, link) if hard else os.path.join(os.path.dirname(dest), link))
        if not _within(base, target):
            refuse(f"link target {link!r} is outside the extraction directory")


# Decompression-bomb guard for extraction (as Keras's ``_reject_zip_extract_bomb``): a zip member
# above the floor that expands more than EXTRACT_MAX_EXPANSION times its stored size is refused.
EXTRACT_BOMB_FLOOR_BYTES = 1 << 28  # 256 MiB
EXTRACT_MAX_EXPANSION = 100


def _check_zip_bomb(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if info.file_size > EXTRACT_BOMB_FLOOR_BYTES and info.file_size > EXTRACT_MAX_EXPANSION * info.compress_size:
            raise ValueError(
                f"Refusing to extract archive member {info.filename!r}: it declares {info.file_size} bytes but only "
                f"{info.compress_size} are stored (a potential decompression bomb); nothing was extracted."
            )


def _safe_extract(archive: Any, path: str) -> None:
    base = os.path.realpath(path)
    if isinstance(archive, zipfile.ZipFile):
        for info in archive.infolist():
            _check_member(base, info.filename)
        _check_zip_bomb(archive)
        archive.extractall(path)
        return
    members = archive.getmembers()
    for info in members:
        if info.issym() or info.islnk():
            _check_member(base, info.name, info.linkname, hard=info.islnk())
        elif info.isdev():
            raise ValueError(f"Refusing to extract archive member {info.name!r}: device files are not allowed.")
        else:
            _check_member(base, info.name)
    kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    archive.extractall(path, members=members, **kwargs)


def extract_archive(file_path: Any, path: Any = ".", archive_format: Any = "auto") -> bool:
    """Extract a tar (.tar, .tar.gz, .tgz, .tar.bz2, .tar.xz) or zip archive into ``path``.

    Returns ``True`` if the file was an archive of an accepted format and was extracted. Members
    that would land outside ``path`` make it raise ``ValueError`` (nothing is extracted).
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = path_to_string(file_path), path_to_string(path)
    for kind in archive_format:
        if kind == "tar":
            opener, is_match = tarfile.open, tarfile.is_tarfile
        elif kind == "zip":
            opener, is_match = zipfile.ZipFile, zipfile.is_zipfile
        else:
            raise NotImplementedError(f"archive_format={kind!r} (expected 'tar', 'zip', 'auto' or None)")
        if is_match(file_path):
            os.makedirs(path, exist_ok=True)
            with opener(file_path) as archive:
                _safe_extract(archive, path)
            return True
    return False


def _extract_atomically(archive_path: str, extraction_dir: str, archive_format: Any) -> bool:
    parent = os.path.dirname(extraction_dir) or "."
    tmp = tempfile.mkdtemp(dir=parent, prefix=os.path.basename(extraction_dir) + ".extracting-")
    try:
        ok = extract_archive(archive_path, tmp, archive_format)
        if not ok:
            return False
        if os.path.isdir(extraction_dir):
            shutil.rmtree(extraction_dir)
        elif os.path.exists(extraction_dir):
            os.remove(extraction_dir)
        os.replace(tmp, extraction_dir)
        return True
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- download


def _nonempty_dir(path: str) -> bool:
    return os.path.isdir(path) and bool(os.listdir(path))


def _download(url: str, origin: str, target: str, file_hash: str | None, hash_algorithm: str) -> None:
    """Stream ``url`` to a temp file beside ``target``, verify it, then rename it into place."""
    from keras_torch.utils.progbar import Progbar

    shown = url if url == origin else f"{url} (mirror of {origin})"
    print(f"Downloading data from {shown}")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=os.path.basename(target) + ".", suffix=".part")
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url) as response:  # noqa: S310
                total = response.headers.get("Content-Length") if hasattr(response, "headers") else None
                total = int(total) if total and str(total).isdigit() else None
                bar = Progbar(total) if sys.stdout.isatty() and total else None
                done = 0
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    out.write(chunk)
                    done += len(chunk)
                    if bar is not None:
                        bar.update(min(done, total))
        except urllib.error.HTTPError as e:
            raise URLFetchError(f"URL fetch failure on {url}: {e.code} -- {e.reason}") from None
        except urllib.error.URLError as e:
            hint = "" if url != origin else (
                f" No network? Set {mirror_variable(origin)} to a URL or directory holding "
                f"'{os.path.basename(urllib.parse.urlsplit(origin).path)}', or put the file at '{target}'.")
            raise URLFetchError(f"URL fetch failure on {url}: {e.errno} -- {e.reason}.{hint}") from None
        if file_hash is not None and not validate_file(tmp, file_hash, algorithm=hash_algorithm):
            actual = hash_file(tmp, resolve_hasher(hash_algorithm, file_hash))
            raise ValueError(
                f"Incomplete or corrupted file detected: the {_algorithm_name(hash_algorithm, file_hash)} file "
                f"hash of the data downloaded from {url} is {actual}, which does not match the expected "
                f"{file_hash}. The file was removed."
            )
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def get_file(
    fname: Any = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: Any = None,
    force_download: bool = False,
) -> str:
    """Download a file from a URL if it is not already in the cache; return its local path.

    The file at ``origin`` is saved as ``<cache_dir>/<cache_subdir>/<fname>`` (by default
    ``~/.keras/datasets/<fname>``, or under ``$KERAS_HOME``). Set ``KERAS_TORCH_DATASETS_MIRROR`` to
    fetch the Keras dataset files from a mirror URL or a local directory.

    Args:
        fname: Local file name (default: the last part of ``origin``'s path). With ``extract=True``
            and no extension, it names the extraction directory.
        origin: URL of the file.
        untar: Deprecated, same as ``extract=True`` with a tar archive.
        md5_hash: Deprecated, same as ``file_hash`` with ``hash_algorithm="md5"``.
        file_hash: Expected sha256 or md5 hash of the file; checked after download (a mismatch
            raises ``ValueError`` and removes the file) and on cache hits (a mismatch re-downloads).
        cache_subdir: Subdirectory of the cache dir (an absolute path is used as is).
        hash_algorithm: ``"auto"`` (by hash length), ``"sha256"`` or ``"md5"``.
        extract: Extract the tar/zip archive and return the extraction directory.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"``, a list of those, or None.
        cache_dir: Cache root (default ``$KERAS_HOME`` or ``~/.keras``).
        force_download: Download even if the file is cached.

    Returns:
        The path of the downloaded file, or of the extraction directory when extracting.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    origin = path_to_string(origin)
    if cache_dir is None:
        cache_dir = keras_home()
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir_base = os.path.expanduser(path_to_string(cache_dir))
    try:
        os.makedirs(datadir_base, exist_ok=True)
    except OSError:
        pass
    if not os.access(datadir_base, os.W_OK):
        datadir_base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    datadir = os.path.join(datadir_base, path_to_string(cache_subdir))
    os.makedirs(datadir, exist_ok=True)

    provided_fname = fname
    fname = path_to_string(fname)
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. "
                             "Please specify the `fname` argument.")
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        # Keras 2 accepted a path here; keep its meaning (relative to the cache dir).
        datadir = os.path.join(datadir, os.path.dirname(fname))
        os.makedirs(datadir, exist_ok=True)
        fname = os.path.basename(fname)

    if extract or untar:
        if provided_fname and "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, f"{fname}_archive")
    else:
        download_target = os.path.join(datadir, fname)
        extraction_dir = None

    if force_download:
        download = True
    elif extraction_dir is not None and not os.path.exists(download_target) and _nonempty_dir(extraction_dir):
        return extraction_dir  # extracted earlier, archive since deleted to save space
    elif os.path.exists(download_target):
        download = False
        if file_hash is not None and not validate_file(download_target, file_hash, algorithm=hash_algorithm):
            print(f"A local file was found, but it seems to be incomplete or outdated because the "
                  f"{_algorithm_name(hash_algorithm, file_hash)} file hash does not match the original value of "
                  f"{file_hash} so we will re-download the data.")
            download = True
    else:
        download = True

    if download:
        _download(mirrored_url(origin), origin, download_target, file_hash, hash_algorithm)

    if extraction_dir is not None:
        if untar:
            archive_format = "tar"
        if not download and _nonempty_dir(extraction_dir):
            return extraction_dir  # already extracted
        if not _extract_atomically(download_target, extraction_dir, archive_format):
            warnings.warn(f"Could not extract archive {download_target} (format {archive_format!r}).", stacklevel=2)
        return extraction_dir
    return download_target
