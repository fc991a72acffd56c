"""pdfium's substitutes for fonts a PDF does not embed, loaded once per process instead of
once per document.

A PDF that names a font without embedding it (the CID font `STSong-Light` of many Chinese
generators, `SimSun`, `Arial`) makes pdfium load a system font in its place. pdfium keeps
the loaded substitutes in a cache, but only while a page still uses them, and a font
collection (`.ttc`, such as Debian's 21 MB `uming.ttc`, the usual CJK substitute) is read
whole from disk *before* that cache is even looked up. So every document paid for reading
the collection again: ~5 ms of the 6 ms pdfium took for a one-page PDF.

Two things make the substitutes stay:

- `install()` wraps pdfium's default system font info (`FPDF_SYSFONTINFO`) so that a face
  of a collection is handed over as a single font file: the same bytes, with the face
  pdfium picks (its own rule, `_face_offset`) listed first in the collection's header,
  which is the face FreeType then opens. pdfium looks a single font up in its cache before
  reading it, so a substitute still in use is not read again. Glyphs, boxes and rendering
  are the same face's.
- `keep_fonts()` copies a page whose loading read a substitute into a small in-memory
  keeper document and keeps that page loaded: its fonts, and the substitutes under them,
  stay in pdfium's cache for the next documents. At most `MAX_KEPT_PAGES` pages are kept
  (one per distinct substitute, weight and style in practice); after that documents read
  substitutes as before. The keeper holds no file open: the page is copied. The price:
  pdfium holds each substitute for the life of the process (21 MB for `uming.ttc`), where
  it allocated and freed it for every document.
"""
from __future__ import annotations

import ctypes
import struct
from typing import Any

import pypdfium2  # noqa: F401  (initialises the library)
import pypdfium2.raw as pdfium_c

# pdfium's tag for "the whole font collection" in GetFontData
TTCF_TABLE = 0x74746366  # 'ttcf'
# pages kept loaded to hold substitutes in pdfium's cache, per process
MAX_KEPT_PAGES = 16
MAX_KEPT_OBJECTS = 20_000

_state: dict[str, Any] = {"installed": False, "reads": 0, "keeper": None, "pages": []}


def install() -> bool:
    """Put the collection-as-single-font wrapper in front of pdfium's default system font
    info (once per process); False where pdfium has no default font info."""
    if _state["installed"]:
        return True
    default = pdfium_c.FPDF_GetDefaultSystemFontInfo()
    if not default:
        return False
    base = default.contents
    fields = dict(pdfium_c.FPDF_SYSFONTINFO._fields_)
    info = pdfium_c.FPDF_SYSFONTINFO()
    info.version = 1
    callbacks: dict[str, Any] = {}

    def delegate(name: str) -> Any:
        function = getattr(base, name)
        return lambda this, *args: function(default, *args)

    for name in ("EnumFonts", "MapFont", "GetFont", "GetFaceName", "GetFontCharset", "DeleteFont"):
        callbacks[name] = fields[name](delegate(name))
    callbacks["Release"] = fields["Release"](lambda this: None)  # the default info lives with the process
    callbacks["GetFontData"] = fields["GetFontData"](
        lambda this, font, table, buffer, size: _font_data(base, default, font, table, buffer, size))
    for name, callback in callbacks.items():
        setattr(info, name, callback)
    pdfium_c.FPDF_SetSystemFontInfo(ctypes.byref(info))
    # pdfium keeps the struct's address and calls back into these functions
    _state.update(installed=True, info=info, default=default, callbacks=callbacks)
    return True


def _font_data(base: Any, default: Any, font: Any, table: int, buffer: Any, size: int) -> int:
    """GetFontData of the default font info, a collection's face served as a single font."""
    try:
        whole = base.GetFontData(default, font, TTCF_TABLE, None, 0)
        if not whole:
            if table == 0 and buffer and size:
                _state["reads"] += 1
            return base.GetFontData(default, font, table, buffer, size)
        if table == TTCF_TABLE:
            return 0  # not a collection: pdfium then looks the font up in its cache first
        if table != 0:
            return base.GetFontData(default, font, table, buffer, size)
        if not buffer or size < whole:
            return whole
        offset = _face_offset(base, default, font, whole)
        if base.GetFontData(default, font, TTCF_TABLE, buffer, whole) != whole:
            return 0
        _state["reads"] += 1
        _first_face(buffer, whole, offset)
        return whole
    except Exception:  # a callback must not raise into pdfium: no data, pdfium falls back
        return 0


def _face_offset(base: Any, default: Any, font: Any, whole: int) -> int:
    """Where the table directory of the face pdfium opens for this font starts: pdfium takes
    the face listed at (collection size - font size), else the first (its `GetTTCIndex`)."""
    return whole - base.GetFontData(default, font, 0, None, 0)


def _first_face(buffer: Any, whole: int, offset: int) -> None:
    """Move the face whose directory starts at `offset` to the head of the collection's
    list of faces in `buffer` (the collection's bytes); when no face starts there pdfium
    takes the first, so nothing moves."""
    address = ctypes.cast(buffer, ctypes.c_void_p).value
    count = struct.unpack(">I", ctypes.string_at(address + 8, 4))[0]
    if 12 + 4 * count > whole:
        return
    offsets = list(struct.unpack(f">{count}I", ctypes.string_at(address + 12, 4 * count)))
    if offset in offsets[1:]:
        k = offsets.index(offset)
        offsets[0], offsets[k] = offsets[k], offsets[0]
        ctypes.memmove(address + 12, struct.pack(f">{count}I", *offsets), 4 * count)


def substitute_reads() -> int:
    """How many times pdfium read a font from the system so far (a cache miss)."""
    return _state["reads"]


def kept_pages() -> int:
    """How many pages are kept loaded to hold substitutes (see `keep_fonts`)."""
    return len(_state["pages"])


def _light(page: Any) -> bool:
    """A loaded page cheap to keep: no image (its data would be copied and held for the
    process's life) and at most MAX_KEPT_OBJECTS objects (a hostile page may hold millions)."""
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    if count > MAX_KEPT_OBJECTS:
        return False
    return not any(pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page.raw, i)) == pdfium_c.FPDF_PAGEOBJ_IMAGE
                   for i in range(count))


def keep_fonts(document: Any, index: int, page: Any) -> bool:
    """Keep a copy of page `index` of the pypdfium2 `document` (`page`, loaded) loaded, so
    that the substitutes its loading read stay in pdfium's cache (see the module's
    docstring); False when the limit is reached, the page is not light (`_light`) or pdfium
    cannot copy it."""
    pages = _state["pages"]
    if len(pages) >= MAX_KEPT_PAGES or not _light(page):
        return False
    keeper = _state["keeper"]
    if keeper is None:
        keeper = _state["keeper"] = pdfium_c.FPDF_CreateNewDocument()
        if not keeper:
            return False
    at = pdfium_c.FPDF_GetPageCount(keeper)
    if not pdfium_c.FPDF_ImportPagesByIndex(keeper, document.raw, (ctypes.c_int * 1)(index), 1, at):
        return False
    kept = pdfium_c.FPDF_LoadPage(keeper, at)
    if not kept:
        return False
    pages.append(kept)
    return True
