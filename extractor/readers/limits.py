"""Size limits every reader enforces before it parses anything, and zip-container checks.

A published report is at most a few dozen MB; anything far larger, or a zip whose members
inflate far past their packed size (a zip bomb), would stall a batch run of thousands of
files, so it is refused up front with a ReadError instead of being parsed.
"""
from __future__ import annotations

import zipfile

from .errors import describe, read_error

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024
# a member this large must not inflate more than MAX_RATIO times its packed size
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_RATIO = 100
DTD_SCAN_BYTES = 4096


def zip_inflate_problem(archive: zipfile.ZipFile) -> str | None:
    """Why the archive would inflate past the limits, judged from its directory alone."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size >= RATIO_CHECK_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"member {info.filename} inflates {info.file_size // max(info.compress_size, 1)}x"
        if total > MAX_INFLATED_BYTES:
            return f"members inflate to more than {MAX_INFLATED_BYTES} bytes"
    return None


def dtd_problem(archive: zipfile.ZipFile) -> str | None:
    """An XML part that declares a DTD. Office Open XML forbids them; in a file they only
    serve entity attacks (billion laughs, external entities), and a DTD must come before
    the root element, so the first bytes of each part tell."""
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as member:
                head = member.read(DTD_SCAN_BYTES)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                return f"part {info.filename} declares a DTD, which Office files never do"
    return None


def check_archive(path: str, label: str) -> None:
    """Refuse a zip that is corrupt, would inflate past the limits, or carries a DTD,
    before parsing it."""
    try:
        with zipfile.ZipFile(path) as archive:
            problem = zip_inflate_problem(archive)
            if problem is None and (dtd := dtd_problem(archive)):
                raise read_error(path, f"{label} refused ({dtd})")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise read_error(path, f"not a {label} file (corrupt zip: {describe(exc)})") from None
    if problem:
        raise read_error(path, f"{label} inflates past the size limit ({problem})")


def zip_mismatch(head: bytes, label: str, main_part: str) -> str:
    """Why a file named as a zip-based format (`label` = "a DOCX") is not one."""
    if not head.startswith(b"PK"):
        return f"not {label} file (no zip signature)"
    return f"not {label} file (zip without {main_part})"
