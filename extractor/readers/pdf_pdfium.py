"""pdfplumber's page objects (chars, lines, rects, curves, images) taken from pdfium instead
of pdfminer.

pdfminer interprets every content stream in Python, which is most of the PDF reader's
time; pdfium does it in C. The objects are built the way pdfminer and pdfplumber build them
(top-down coordinates, the font descriptor's descent, the PDF's glyph widths, pdfminer's
line/rect/curve classification of paths, content-stream order) and cached on an ordinary
pdfplumber `Page`, so pdfplumber's own table finder and text-line code run unchanged.

A page whose pdfium view could differ from pdfminer's is refused and read by pdfminer:
rotated or offset pages, form XObjects, characters without a unicode mapping, rotated,
vertical or multi-character glyphs, and text pdfium leaves out of its text page (its
duplicate filter, runs of spaces it folds into one, single glyphs of fonts it substitutes).
The one omission it repairs is a text object holding a single blank glyph (a space Word
writes on its own), which pdfminer reports as a space.
"""
from __future__ import annotations

import ctypes
import re
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.pdftypes import resolve1

# pdfium leaves a text object out of its text page when it is no wider than this (pt)
BLANK_OBJECT_WIDTH = 1e-4
# a gap this wide (pt) after a space of the same text object means pdfium dropped a space
SPACE_GAP = 0.5
# unicode values pdfium reports for a glyph it could not map
UNMAPPED = frozenset({0, 0xFFFD, 0xFFFE, 0xFFFF})

_Point = tuple[float, float]


def _is_handle(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, ctypes._Pointer) and kind._type_.__name__.startswith("struct_fpdf")


def _opaque(function: Any) -> Any:
    """The same pdfium function taking and returning its handles as plain addresses (ints):
    pypdfium2's pointer objects cannot be compared or hashed without a costly cast, and
    this module keys objects and fonts by address for every character."""
    restype = ctypes.c_void_p if _is_handle(function.restype) else function.restype
    argtypes = [ctypes.c_void_p if _is_handle(a) else a for a in function.argtypes]
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


class _C:
    """pdfium's functions as this module calls them (see `_opaque`)."""


for _name in (
    "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFPageObj_GetType", "FPDFPageObj_GetBounds",
    "FPDFPageObj_GetMatrix", "FPDFText_LoadPage", "FPDFText_ClosePage", "FPDFText_CountChars",
    "FPDFText_IsGenerated", "FPDFText_GetUnicode", "FPDFText_HasUnicodeMapError", "FPDFText_GetTextObject",
    "FPDFText_GetMatrix", "FPDFText_GetCharOrigin", "FPDFText_GetFontSize", "FPDFTextObj_GetFont",
    "FPDFTextObj_GetFontSize", "FPDFFont_GetDescent", "FPDFFont_GetGlyphWidth", "FPDFFont_GetIsEmbedded",
    "FPDFPath_CountSegments", "FPDFPath_GetPathSegment", "FPDFPathSegment_GetPoint",
    "FPDFPathSegment_GetType", "FPDFPathSegment_GetClose",
):
    setattr(_C, _name, staticmethod(_opaque(getattr(pdfium_c, _name))))


# a page painting more paths than this is not a ruled table (a table of 2,000 cells draws
# a few thousand); a larger content stream than HEAVY_CONTENT_BYTES is counted with pdfium
MAX_PAGE_PATHS = 50_000
HEAVY_CONTENT_BYTES = 256 * 1024
LENIENT_DESCENT = -0.2  # a font pdfium cannot tell the descent of (the standard 14's are near it)
PATH_HEAVY = "path-heavy"


def open_document(path: str) -> Any | None:
    """The pypdfium2 document, or None when pdfium cannot open it (pdfminer reports why)."""
    try:
        return pypdfium2.PdfDocument(path)
    except Exception:  # pypdfium2.PdfiumError and OS errors: the pdfminer path explains them
        return None


def load_objects(page: Any, document: Any) -> bool | str:
    """Give the pdfplumber `page` pdfium's objects of the same page of `document`; False
    (page untouched) when pdfium's view of the page could differ from pdfminer's. The
    cheap checks on the page and font dictionaries come before pdfium loads the page.

    A page whose content stream is large is loaded whatever its fonts: if it paints more
    than MAX_PAGE_PATHS paths (a drawing, or a file built to stall pdfminer's interpreter
    for minutes), its characters are taken from pdfium (substituted fonts' metrics are
    close enough) and its paths are left out, so no ruling analysis runs. Returns
    `PATH_HEAVY` then."""
    if page.rotation or page.mediabox[0] != 0 or page.mediabox[1] != 0:
        return False
    vouched = _fonts_pdfium_reads_exactly(page.page_obj.resources)
    if not vouched and _content_bytes(page) < HEAVY_CONTENT_BYTES:
        return False
    try:
        pdfium_page = document[page.page_number - 1]
    except Exception:  # pypdfium2.PdfiumError: a page pdfium cannot load is left to pdfminer
        return False
    try:
        if abs(pdfium_page.get_width() - page.width) > 0.01 or abs(pdfium_page.get_height() - page.height) > 0.01:
            return False
        reader = _PageReader(page, pdfium_page, lenient=not vouched)
        objects = reader.objects()
    finally:
        pdfium_page.close()
    if objects is None or not (vouched or reader.path_heavy):
        return False
    page._objects = objects  # what pdfplumber's `Page.objects` caches after parsing
    return PATH_HEAVY if reader.path_heavy else True


def _content_bytes(page: Any) -> int:
    """Stored (compressed) size of the page's content streams, from their dictionaries."""
    total = 0
    for ref in page.page_obj.contents or []:
        stream = resolve1(ref)
        length = resolve1(getattr(stream, "attrs", {}).get("Length", 0))
        total += length if isinstance(length, int) else 0
    return total


def _fonts_pdfium_reads_exactly(resources: Any) -> bool:
    """True when every font of the page is embedded and writes whole glyph widths and
    descent (in 1/1000 em). pdfium substitutes a font that is not embedded (other metrics,
    and it may lack the glyphs), and it keeps widths and descent as integers where pdfminer
    takes them as written, so fractional ones (some generators' TrueType subsets) would
    move characters by thousandths of a point. Reads the font dictionaries only."""
    fonts = resolve1((resolve1(resources) or {}).get("Font")) or {}
    for spec in fonts.values():
        spec = resolve1(spec)
        if not isinstance(spec, dict):
            return False
        descendants = [resolve1(d) for d in resolve1(spec.get("DescendantFonts")) or []]
        if spec.get("Subtype") is not None and getattr(spec["Subtype"], "name", None) == "Type3":
            return False
        numbers: list[Any] = []
        for part in [spec] + descendants:
            if not isinstance(part, dict):
                return False
            for key in ("Widths", "W"):
                numbers.extend(_flat_numbers(part.get(key)))
        descriptor = resolve1((descendants[0] if descendants else spec).get("FontDescriptor"))
        if not isinstance(descriptor, dict) or not any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")):
            return False
        numbers.append(resolve1(descriptor.get("Descent", 0)))
        if not all(isinstance(n, int) or (isinstance(n, float) and n.is_integer()) for n in numbers):
            return False
    return True


def _flat_numbers(value: Any) -> list[Any]:
    value = resolve1(value)
    if isinstance(value, list):
        return [n for item in value for n in _flat_numbers(item)]
    return [value] if value is not None else []


class _PageReader:
    """pdfminer's objects of one page, rebuilt from pdfium's; `objects()` is None when
    they could differ."""

    def __init__(self, page: Any, pdfium_page: Any, lenient: bool = False) -> None:
        self.lenient = lenient  # substituted fonts accepted, with their own descent
        self.path_heavy = False
        self.page = page
        self.raw = pdfium_page.raw
        self.height = page.height
        self.doctop = page.initial_doctop
        self.number = page.page_number
        self.descents: dict[int, float | None] = {}

    def objects(self) -> dict[str, list[dict]] | None:
        kinds: dict[str, list[dict]] = {}
        raws = [_C.FPDFPage_GetObject(self.raw, k) for k in range(_C.FPDFPage_CountObjects(self.raw))]
        types = [_C.FPDFPageObj_GetType(o) for o in raws]
        if pdfium_c.FPDF_PAGEOBJ_FORM in types:
            return None
        self.path_heavy = types.count(pdfium_c.FPDF_PAGEOBJ_PATH) > MAX_PAGE_PATHS
        chars = self._chars(raws, types) if pdfium_c.FPDF_PAGEOBJ_TEXT in types else []
        if chars is None:
            return None
        if chars:
            kinds["char"] = chars
        for obj, kind in zip(raws, types):
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH and not self.path_heavy:
                for item in self._path_items(obj):
                    kinds.setdefault(item["object_type"], []).append(item)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                kinds.setdefault("image", []).append(self._image(obj))
        return kinds

    # ---- characters ------------------------------------------------------------------

    def _chars(self, raws: list, types: list[int]) -> list[dict] | None:
        """Chars in content-stream order, as pdfminer makes them; None when unsure."""
        textpage = _C.FPDFText_LoadPage(self.raw)
        try:
            index = {o: k for k, o in enumerate(raws)}
            # text object address -> index, font, descent, font size, x and y scale
            objects: dict[int, tuple[int, int, float, float, float, float]] = {}
            by_object: dict[int, list[dict]] = {}
            prev_x0 = prev_k = prev_char = None
            ox, oy = ctypes.c_double(), ctypes.c_double()
            width = ctypes.c_float()
            n_chars = _C.FPDFText_CountChars(textpage)
            shown = {_C.FPDFText_GetTextObject(textpage, i) for i in range(n_chars)}
            if any(kind == pdfium_c.FPDF_PAGEOBJ_TEXT and obj not in shown and not _blank(obj)
                   for obj, kind in zip(raws, types)):
                return None  # a text object pdfium dropped that is not one blank glyph: text unknown
            for i in range(n_chars):
                if _C.FPDFText_IsGenerated(textpage, i):
                    continue
                code = _C.FPDFText_GetUnicode(textpage, i)
                if code in UNMAPPED or 0xD800 <= code <= 0xDFFF or _C.FPDFText_HasUnicodeMapError(textpage, i):
                    return None
                address = _C.FPDFText_GetTextObject(textpage, i)
                if address not in objects:
                    if address not in index:
                        return None  # text outside the page's own objects
                    matrix = pdfium_c.FS_MATRIX()
                    _C.FPDFText_GetMatrix(textpage, i, matrix)
                    if not (matrix.b == 0 and matrix.c == 0 and matrix.a > 0 and matrix.d > 0):
                        return None  # rotated or mirrored text: pdfminer's box is not upright
                    obj = raws[index[address]]
                    descent = self._descent(obj)
                    if descent is None:
                        return None
                    # pdfium's char matrix and font size are its text object's
                    objects[address] = (index[address], _C.FPDFTextObj_GetFont(obj), descent,
                                        _C.FPDFText_GetFontSize(textpage, i), matrix.a, matrix.d)
                k, font, descent, font_size, scale_x, scale_y = objects[address]
                _C.FPDFText_GetCharOrigin(textpage, i, ox, oy)
                if prev_k == k and ox.value <= prev_x0:
                    return None  # one glyph mapped to several characters, or moving back
                prev_x0 = ox.value
                if prev_char is not None and prev_k == k and prev_char["text"].isspace() and (
                    ox.value - prev_char["x1"] > SPACE_GAP
                ):
                    return None  # pdfium folds a run of spaces into one
                if not _C.FPDFFont_GetGlyphWidth(font, code, font_size, width):
                    return None
                size = font_size * scale_y
                y0 = oy.value + descent * size
                prev_char = self._char(chr(code), ox.value, ox.value + width.value * scale_x, y0, y0 + size)
                prev_k = k
                by_object.setdefault(k, []).append(prev_char)
            chars: list[dict] = []
            for k, (obj, kind) in enumerate(zip(raws, types)):
                if kind != pdfium_c.FPDF_PAGEOBJ_TEXT:
                    continue
                if k in by_object:
                    if by_object[k][-1]["text"].isspace() and _right(obj) >= by_object[k][-1]["x1"] - SPACE_GAP:
                        return None  # a glyph after the last space: pdfium folded spaces
                    chars.extend(by_object[k])
                    continue
                blank = self._blank_char(obj)
                if blank is None:
                    return None
                chars.append(blank)
            return chars
        finally:
            _C.FPDFText_ClosePage(textpage)

    def _blank_char(self, obj: Any) -> dict | None:
        """The one blank glyph of a zero-width text object pdfium leaves out of its text
        page (a space Word writes on its own), placed as pdfminer places it."""
        if not _blank(obj):
            return None
        m = pdfium_c.FS_MATRIX()
        _C.FPDFPageObj_GetMatrix(obj, m)
        font_size = ctypes.c_float()
        if not (m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0) or not _C.FPDFTextObj_GetFontSize(obj, font_size):
            return None
        font = _C.FPDFTextObj_GetFont(obj)
        descent = self._descent(obj)
        width = ctypes.c_float()
        if descent is None or not _C.FPDFFont_GetGlyphWidth(font, 0x20, font_size, width):
            return None
        size = font_size.value * m.d
        y0 = m.f + descent * size
        return self._char(" ", m.e, m.e + width.value * m.a, y0, y0 + size)

    def _descent(self, text_obj: int) -> float | None:
        """pdfminer's descent of a text object's embedded font: the font descriptor's, per
        point of size, which pdfium reports too. None for a font pdfium substitutes: its
        metrics (the standard 14 fonts') and glyph mapping (Symbol) are not pdfminer's."""
        font = _C.FPDFTextObj_GetFont(text_obj)
        if font not in self.descents:
            value = ctypes.c_float()
            ok = font and (self.lenient or _C.FPDFFont_GetIsEmbedded(font)) and _C.FPDFFont_GetDescent(
                font, ctypes.c_float(1000.0), value)
            self.descents[font] = value.value / 1000.0 if ok else (LENIENT_DESCENT if self.lenient else None)
        return self.descents[font]

    def _char(self, text: str, x0: float, x1: float, y0: float, y1: float) -> dict:
        top = self.height - y1
        bottom = self.height - y0
        return {
            "object_type": "char", "page_number": self.number, "text": text, "upright": True,
            "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": top, "bottom": bottom,
            "doctop": self.doctop + top, "width": x1 - x0, "height": y1 - y0, "size": y1 - y0,
        }

    # ---- graphics --------------------------------------------------------------------

    def _image(self, obj: Any) -> dict:
        return self._box("image", *_bounds(obj))

    def _box(self, kind: str, x0: float, y0: float, x1: float, y1: float) -> dict:
        top = self.height - y1
        return {
            "object_type": kind, "page_number": self.number, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
            "top": top, "bottom": self.height - y0, "doctop": self.doctop + top,
            "width": x1 - x0, "height": y1 - y0,
        }

    def _path_items(self, obj: Any) -> list[dict]:
        """pdfminer's LTLine/LTRect/LTCurve objects for one painted path."""
        m = pdfium_c.FS_MATRIX()
        _C.FPDFPageObj_GetMatrix(obj, m)
        a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
        ops: list[str] = []
        points: list[_Point] = []
        x, y = ctypes.c_float(), ctypes.c_float()
        bezier = 0
        for s in range(_C.FPDFPath_CountSegments(obj)):
            seg = _C.FPDFPath_GetPathSegment(obj, s)
            _C.FPDFPathSegment_GetPoint(seg, x, y)
            point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = _C.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
                bezier += 1
                if bezier % 3:
                    continue  # control points: pdfminer keeps a curve's end point only
                ops.append("c")
            else:
                ops.append("m" if kind == pdfium_c.FPDF_SEGMENT_MOVETO else "l")
            points.append(point)
            if _C.FPDFPathSegment_GetClose(seg):
                ops.append("h")
                points.append(points[_subpath_start(ops)])
        items: list[dict] = []
        shape = "".join(ops)
        if shape[:1] != "m":
            return items
        if shape.count("m") > 1:
            for sub in re.finditer(r"m[^m]+", shape):
                items.extend(self._classify(shape[sub.start():sub.end()], points[sub.start():sub.end()]))
        else:
            items.extend(self._classify(shape, points))
        return items

    def _classify(self, shape: str, pts: list[_Point]) -> list[dict]:
        """pdfminer's `paint_path` decision for one subpath (pdfminer/converter.py)."""
        pts = list(pts)
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts.pop()
        if shape in {"mlh", "ml"}:
            return [self._curve("line", pts[:2])]
        if shape in {"mlllh", "mllll"}:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            closed = pts[0] == pts[4]
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            )
            if closed and square:
                rx0, rx1 = sorted((pts[0][0], pts[2][0]))
                ry0, ry1 = sorted((pts[0][1], pts[2][1]))
                return [self._curve("rect", [(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)])]
        return [self._curve("curve", pts)]

    def _curve(self, kind: str, pts: list[_Point]) -> dict:
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        item = self._box(kind, min(xs), min(ys), max(xs), max(ys))
        item["pts"] = [(x, self.height - y) for x, y in pts]
        return item


def _subpath_start(ops: list[str]) -> int:
    """Index (ops and points run in parallel) of the `m` that opened the current subpath."""
    return max(i for i, op in enumerate(ops) if op == "m") if "m" in ops else 0


def _bounds(obj: int) -> tuple[float, float, float, float]:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    _C.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    return left.value, bottom.value, right.value, top.value


def _right(obj: int) -> float:
    return _bounds(obj)[2]


def _blank(obj: int) -> bool:
    """A text object pdfium left out of its text page because it has no extent: a single
    glyph with an empty outline in an embedded font. (A font pdfium substitutes may merely
    lack the glyph, and a wider object was dropped as a duplicate: their text is unknown.)"""
    left, bottom, right, top = _bounds(obj)
    font = _C.FPDFTextObj_GetFont(obj)
    return right - left <= BLANK_OBJECT_WIDTH and top - bottom <= BLANK_OBJECT_WIDTH and bool(
        font and _C.FPDFFont_GetIsEmbedded(font)
    )
