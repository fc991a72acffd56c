"""Input files wherever a cluster keeps them: local paths as they are, URLs through fsspec.

`s3://bucket/reports/`, `hdfs://…`, `gcs://…` (or any protocol fsspec knows) work where the
user has installed the filesystem package (s3fs, gcsfs, …); jixiao depends only on fsspec,
in its `cluster` extra. A worker converts a URL from a local copy in a temporary folder
(the readers need a seekable file), copied inside its limits: the per-document time limit
covers the download, and a copy stops one byte past the size limit readers enforce.
A URL keeps naming its document everywhere (`documents.path`, `quantities.doc`, errors).
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Iterator

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(path: str) -> bool:
    """`s3://…`, `file://…` and the like; plain and Windows paths are not."""
    return bool(_URL.match(path))


def _fs(url: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    return url_to_fs(url)


def _os_error(exc: Exception) -> OSError:
    """Any filesystem library's failure as an OSError (what the run turns into an error row)."""
    return exc if isinstance(exc, OSError) else OSError(f"{type(exc).__name__}: {exc}")


def walk_url(url: str, suffixes: frozenset[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The document files at or under `url` (sorted, as URLs) and the other files by skip
    reason (hidden, not a document), with the rules of the local walk. Raises OSError."""
    from .walk import HIDDEN, NOT_A_DOCUMENT

    try:
        fs, root = _fs(url)
        if fs.isfile(root):
            return [url], {}
        if not fs.isdir(root):
            raise FileNotFoundError(f"{url}: no such file or directory")
        names = sorted(fs.find(root, detail=False))
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - missing package, credentials, network: say which
        raise OSError(f"{url}: cannot list: {_os_error(exc)}") from exc
    found: list[str] = []
    skipped: dict[str, list[str]] = {}
    base = root.rstrip("/")
    for name in names:
        relative = name[len(base):].lstrip("/") if name.startswith(base) else name
        full = fs.unstrip_protocol(name)
        if any(part.startswith(".") for part in relative.split("/")):
            skipped.setdefault(HIDDEN, []).append(full)
        elif os.path.splitext(name)[1].lower() in suffixes:
            found.append(full)
        else:
            skipped.setdefault(NOT_A_DOCUMENT, []).append(full)
    return found, skipped


def walk_sources(inputs: list[str], exclude: set[str] = frozenset()) -> Any:
    """`walk.walk_inputs` for local paths, with URL inputs listed through fsspec after them.
    A URL input is not a root whose vanished files get `status='missing'`."""
    from .errors import RunError
    from .walk import document_suffixes, walk_inputs

    walk = walk_inputs([i for i in inputs if not is_url(i)], exclude)
    urls = [i for i in inputs if is_url(i)]
    if not urls:
        return walk
    found = dict.fromkeys(walk.files)
    suffixes = document_suffixes()
    for url in urls:
        try:
            files, skipped = walk_url(url, suffixes)
        except OSError as exc:
            raise RunError(str(exc)) from exc
        found.update(dict.fromkeys(files))
        for reason, names in skipped.items():
            walk.skipped[reason] += names
    walk.files = list(found)
    return walk


def stat(path: str) -> tuple[int, int | None]:
    """Size in bytes and modification time in ns (None where the filesystem keeps none)."""
    if not is_url(path):
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    try:
        fs, inner = _fs(path)
        size = int(fs.size(inner))
        try:
            mtime_ns: int | None = int(fs.modified(inner).timestamp() * 1_000_000_000)
        except (NotImplementedError, KeyError, AttributeError, TypeError, ValueError):
            mtime_ns = None
        return size, mtime_ns
    except Exception as exc:  # noqa: BLE001
        raise _os_error(exc) from exc


def open_input(path: str) -> IO[bytes]:
    """The file's bytes for reading (a context manager), local or remote."""
    if not is_url(path):
        return open(path, "rb")
    import fsspec

    try:
        return fsspec.open(path, "rb").open()
    except Exception as exc:  # noqa: BLE001
        raise _os_error(exc) from exc


@contextmanager
def local_copy(url: str) -> Iterator[str]:
    """A local copy of `url` under its own name in a temporary folder, removed afterwards."""
    from ..model import ReadError
    from ..readers.limits import MAX_FILE_BYTES

    with tempfile.TemporaryDirectory(prefix="jixiao-") as tmp:
        local = os.path.join(tmp, os.path.basename(url.rstrip("/")) or "document")
        try:
            with open_input(url) as src, open(local, "wb") as dst:
                shutil.copyfileobj(_Capped(src, MAX_FILE_BYTES + 1), dst)
        except OSError as exc:
            raise ReadError(f"{url}: cannot read: {exc.strerror or exc}") from None
        yield local


class _Capped:
    """A reader that stops after `limit` bytes (the copy of a huge file stops early)."""

    def __init__(self, f: IO[bytes], limit: int) -> None:
        self.f, self.left = f, limit

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.f.read(self.left if n < 0 else min(n, self.left))
        self.left -= len(data)
        return data
