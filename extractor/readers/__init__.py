"""Readers: one module per file format, each turning a file into a `Document`.

`read(path)` picks the reader from the file's signature (magic bytes), not from its
suffix: a `.xls` that is really an XLSX zip is read as XLSX, one that is an HTML table as
HTML. A suffix that claims a binary format the bytes do not have is an error (`not a DOCX
file (no zip signature)`), so a misnamed file is reported instead of being read as garbage
text.

A reader module exposes `NAME`, `LABEL`, `SUFFIXES`, `matches(head, zip_names)`,
`mismatch(head, zip_names)` and `read(path)` (readers in OCR_READERS also take
`ocr="auto"|"never"|"force"`); adding a format is adding a module to `READER_MODULES`. Every failure is a `ReadError` with one line `<path>: <reason>`; no
library exception escapes.
"""
from __future__ import annotations

import importlib
import os
import zipfile
from types import ModuleType

from ..model import Document, ReadError
from .errors import describe, read_error
from . import limits

__all__ = ["read", "reader_for", "READER_MODULES"]

# sniffing order: specific signatures first, text (the fallback) last
READER_MODULES = ("pdf", "images", "legacy_office", "docx", "xlsx", "xls", "html", "delimited", "text")
# readers that can OCR: `read(path, ocr=...)`
OCR_READERS = ("pdf", "image")
# readers that recognise a file by its decoded text, not by a binary signature: a file they
# take must not carry a binary format's suffix, unless the reader lists that suffix in its
# DISGUISE_SUFFIXES (an HTML table saved as `.xls` by a finance system)
TEXT_READERS = ("html", "csv", "text")
HEAD_BYTES = 8192
# suffixes of formats no reader handles yet, when the bytes are not some other known format
UNSUPPORTED_SUFFIXES: dict[str, str] = {}


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in READER_MODULES]


def _zip_names(path: str, head: bytes) -> frozenset[str]:
    if not head.startswith(b"PK"):
        return frozenset()
    try:
        with zipfile.ZipFile(path) as archive:
            return frozenset(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return frozenset()


def _head(path: str) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise read_error(path, "no such file") from None
    except OSError as exc:
        raise read_error(path, f"cannot open ({describe(exc)})") from None
    if os.path.isdir(path):
        raise read_error(path, "is a directory, not a file")
    if st.st_size == 0:
        raise read_error(path, "empty file (0 bytes)")
    if st.st_size > limits.MAX_FILE_BYTES:
        raise read_error(path, f"file of {st.st_size} bytes is larger than the {limits.MAX_FILE_BYTES} byte limit")
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as exc:
        raise read_error(path, f"cannot open ({describe(exc)})") from None


def reader_for(path: str) -> ModuleType:
    """The reader module for `path`, chosen by signature; ReadError if none fits."""
    head = _head(path)
    zip_names = _zip_names(path, head)
    modules = _modules()
    chosen = next(m for m in modules if m.matches(head, zip_names))
    if chosen.NAME not in TEXT_READERS:
        return chosen
    suffix = os.path.splitext(path)[1].lower()
    if suffix in getattr(chosen, "DISGUISE_SUFFIXES", ()):
        return chosen
    if suffix in UNSUPPORTED_SUFFIXES:
        raise read_error(path, UNSUPPORTED_SUFFIXES[suffix])
    for module in modules:
        if module.NAME not in TEXT_READERS and suffix in module.SUFFIXES:
            raise read_error(path, module.mismatch(head, zip_names))
    if zip_names:
        raise read_error(path, "zip archive that is neither DOCX nor XLSX (not supported)")
    if chosen.NAME == "text":
        # text with no markup: a format with no signature (CSV) is told by its suffix
        return next((m for m in modules if getattr(m, "BY_SUFFIX", False) and suffix in m.SUFFIXES), chosen)
    return chosen


def read(path: str, ocr: str = "auto") -> Document:
    """Read one file of any supported format. Raises ReadError (one line) on bad input.

    `ocr`: "auto" reads pages without a text layer (and images) by OCR, "force" OCRs every
    page of a PDF, "never" leaves scans unread (`Document.needs_ocr`)."""
    path = str(path)
    if ocr not in ("auto", "never", "force"):
        raise ValueError(f"ocr must be auto, never or force, not {ocr!r}")
    reader = None
    try:
        reader = reader_for(path)
        if reader.NAME in OCR_READERS:
            return reader.read(path, ocr=ocr)
        return reader.read(path)
    except ReadError:
        raise
    except MemoryError:
        raise read_error(path, "out of memory while reading") from None
    except Exception as exc:  # a library failure on a damaged file must not escape as a traceback
        label = reader.LABEL if reader is not None else "file"
        raise read_error(path, f"cannot read {label} ({describe(exc)})") from None
