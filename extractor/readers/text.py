"""Plain-text reader: detects the encoding of old archives and rejects binary junk.

Archived reports come as UTF-8 (with or without BOM), UTF-16 with BOM (Windows "Unicode"
saves) and GB18030/GBK (older Chinese systems). The same report in any of them must give
the same `Document.text`, so the reader decodes by BOM, then strict UTF-8, then strict
GB18030, and normalises newlines. Bytes that decode only as control characters or rare
code points are binary data mislabelled as text and are refused.
"""
from __future__ import annotations

import codecs
import unicodedata

from ..model import Block, Document
from .errors import read_error

NAME = "text"
LABEL = "text"
SUFFIXES = (".txt", ".text")  # a README.md in an archive is not a report; .csv: delimited.py
# share of suspicious characters above which the bytes are taken for binary data
MAX_CONTROL_SHARE = 0.01
MIN_COMMON_SHARE_GB = 0.9
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    """The fallback reader: it takes anything, `read` decides whether it is text."""
    return True


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "binary data, not text"


def _control_share(text: str) -> float:
    bad = sum(1 for ch in text if (ch < " " and ch not in _ALLOWED_CONTROLS) or ch in "\x7f\ufffd")
    return bad / max(len(text), 1)


def _common(ch: str) -> bool:
    """Characters real Chinese reports are made of (random bytes decoded as GB18030 are not)."""
    o = ord(ch)
    return (
        o < 0x80
        or 0x4E00 <= o <= 0x9FFF
        or 0x3000 <= o <= 0x303F
        or 0xFF00 <= o <= 0xFFEF
        or 0x2000 <= o <= 0x27BF
        or unicodedata.category(ch) in ("Lu", "Ll", "Nd", "Zs")
    )


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` names, if any."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def is_binary(text: str) -> bool:
    """True when decoded text holds too many control characters to be a report."""
    return _control_share(text) > MAX_CONTROL_SHARE


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of `data`; ValueError when it is not text in a known encoding."""
    encoding = bom_encoding(data)
    if encoding is not None:
        return data.decode(encoding), encoding
    if b"\x00" in data:
        raise ValueError("binary data, not text (NUL bytes)")
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    if bad == 0:
        return text, "utf-8"
    if bad <= len(text) // 1000 or (bad == 1 and text.endswith("\ufffd")):
        # a few broken sequences, or a file cut mid-character, in UTF-8 text: decoding
        # it as GB18030 instead would turn every Chinese character into mojibake
        return text, "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError("binary data, not text (not UTF-8, UTF-16 or GB18030)") from None
    common = sum(1 for ch in text if _common(ch)) / max(len(text), 1)
    if common < MIN_COMMON_SHARE_GB:
        raise ValueError("binary data, not text (bytes decode to rare characters)")
    return text, "gb18030"


def read_text_file(path: str, what: str = "text") -> tuple[str, str]:
    """(text, encoding) of a file in any Chinese encoding, or a one-line ReadError saying it
    is binary data, not `what` (the CSV reader decodes through this too)."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise read_error(path, f"binary data, not {what} (undecodable bytes)") from None
    except ValueError as exc:
        raise read_error(path, str(exc).replace("not text", f"not {what}")) from None
    if is_binary(text):
        raise read_error(path, f"binary data, not {what} (control characters)")
    return text, encoding


def read(path: str) -> Document:
    text, encoding = read_text_file(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + (len(line) - len(line.lstrip()))
            blocks.append(Block("paragraph", start=start, end=start + len(stripped)))
        offset += len(line) + 1
    return Document(path=path, reader=NAME, text=text, blocks=blocks, meta={"encoding": encoding})
