"""pdfplumber's page objects (chars, lines, rects, curves, images) taken from pdfium instead
of pdfminer.

pdfminer interprets every content stream in Python, which is most of the PDF reader's
time; pdfium does it in C. The objects are built the way pdfminer and pdfplumber build them
(top-down coordinates, the font descriptor's descent, the PDF's glyph widths, pdfminer's
line/rect/curve classification of paths, content-stream order) and cached on an ordinary
pdfplumber `Page`, so pdfplumber's own table finder and text-line code run unchanged.

A page whose pdfium view could differ from pdfminer's is refused and read by pdfminer, and
`refusal` says which condition sent it: rotated or offset pages, form XObjects, type-3
fonts, fonts pdfminer measures by its own metrics while pdfium reads the PDF's (a
non-standard font named like a standard one), fractional glyph widths, characters without
a unicode mapping, rotated, vertical or multi-character glyphs, and text pdfium leaves out
of its text page. Two of pdfium's omissions are repaired: a text object holding a single
blank glyph (a space Word writes on its own), which pdfminer reports as a space, and a run
of spaces pdfium folds into its first, put back one advance apart. Where word spacing or
kerning moved the spaces of a run (pdfium reports neither), the run is put back filling
its gap evenly, as many spaces as whole widths fit: its count can then differ from
pdfminer's, which the PDF reader does not see (it measures visible characters only, and a
run of one blank or several splits words alike). Fonts that
are not embedded are measured by their dictionaries in both engines (the standard 14 by
the same Adobe metrics), so they no longer send a page to pdfminer.
"""
from __future__ import annotations

import ctypes
import itertools
import re
import weakref
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdftypes import PDFObjRef, resolve1

from . import pdf_fonts

# pdfium leaves a text object out of its text page when it is no wider than this (pt)
BLANK_OBJECT_WIDTH = 1e-4
# a gap this wide (pt) after a space of the same text object means pdfium dropped a space
SPACE_GAP = 0.5
# the folded spaces restored must end this close (pt) to where pdfium's next glyph starts
FOLDED_SPACE_SLACK = 0.01
# the 14 standard fonts whose metrics pdfium and pdfminer both build in (Symbol and
# ZapfDingbats map their glyphs differently)
STANDARD_FONTS = frozenset(
    f"{family}{style}" for family, styles in (
        ("Courier", ("", "-Bold", "-Oblique", "-BoldOblique")),
        ("Helvetica", ("", "-Bold", "-Oblique", "-BoldOblique")),
        ("Times", ("-Roman", "-Bold", "-Italic", "-BoldItalic")),
    ) for style in styles
)
# text render modes that stroke the glyphs' outlines (PDF 32000-1, table 106)
STROKED_TEXT_MODES = frozenset({1, 2, 5, 6})
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


class _Handle(ctypes.c_void_p):
    """A handle pdfium returns, kept as ctypes gives it (a subclass is not turned into an
    int), to be passed straight back to an `_unchecked` function."""


def _unchecked(function: Any, handle: type = ctypes.c_void_p) -> Any:
    """The same pdfium function with no argument conversion, for the calls made once per
    character or path segment (half the cost of a call that converts): the caller passes
    handles as `c_void_p`, indices as ints and outputs by `ctypes.byref`, nothing else.
    A handle it returns is an int, or a `_Handle` with `handle=_Handle`."""
    restype = handle if _is_handle(function.restype) else function.restype
    unchecked = ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)
    unchecked.argtypes = None
    return unchecked


class _C:
    """pdfium's functions as this module calls them (see `_opaque`)."""


for _name in (
    "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFPageObj_GetType", "FPDFPageObj_GetBounds",
    "FPDFPageObj_GetMatrix", "FPDFText_LoadPage", "FPDFText_ClosePage", "FPDFText_CountChars",
    "FPDFText_IsGenerated", "FPDFText_GetUnicode", "FPDFText_GetText", "FPDFText_HasUnicodeMapError", "FPDFText_GetTextObject",
    "FPDFText_GetMatrix", "FPDFText_GetCharOrigin", "FPDFText_GetCharBox", "FPDFText_GetFontSize", "FPDFTextObj_GetFont",
    "FPDFTextObj_GetFontSize", "FPDFFont_GetDescent", "FPDFFont_GetGlyphWidth", "FPDFFont_GetIsEmbedded",
    "FPDFFont_GetBaseFontName", "FPDFTextObj_GetTextRenderMode", "FPDFPageObj_GetStrokeWidth",
    "FPDFPath_CountSegments", "FPDFPath_GetPathSegment", "FPDFPathSegment_GetPoint",
    "FPDFPathSegment_GetType", "FPDFPathSegment_GetClose",
):
    setattr(_C, _name, staticmethod(_opaque(getattr(pdfium_c, _name))))
# per character (see `_unchecked`): owner object, unicode-map error, origin; and per text
# object (one per character in many PDFs): its matrix, font size and font
_OWNER, _MAP_ERROR, _ORIGIN, _MATRIX, _FONT_SIZE, _FONT = (_unchecked(getattr(pdfium_c, name)) for name in (
    "FPDFText_GetTextObject", "FPDFText_HasUnicodeMapError", "FPDFText_GetCharOrigin",
    "FPDFText_GetMatrix", "FPDFText_GetFontSize", "FPDFTextObj_GetFont"))
# per page object: the object (its address) and its type; per path: its matrix and its count of segments; per path segment: the segment, its
# point, type and whether it closes the subpath
_GET_OBJECT, _OBJECT_TYPE, _OBJECT_MATRIX, _COUNT_SEGMENTS = (_unchecked(getattr(pdfium_c, name)) for name in (
    "FPDFPage_GetObject", "FPDFPageObj_GetType", "FPDFPageObj_GetMatrix", "FPDFPath_CountSegments"))
_SEGMENT = _unchecked(pdfium_c.FPDFPath_GetPathSegment, _Handle)
_POINT, _SEGMENT_TYPE, _CLOSES = (_unchecked(getattr(pdfium_c, name)) for name in (
    "FPDFPathSegment_GetPoint", "FPDFPathSegment_GetType", "FPDFPathSegment_GetClose"))


def open_document(path: str) -> Any | None:
    """The pypdfium2 document, or None when pdfium cannot open it (pdfminer reports why)."""
    pdf_fonts.install()
    try:
        return pypdfium2.PdfDocument(path)
    except Exception:  # pypdfium2.PdfiumError and OS errors: the pdfminer path explains them
        return None


class Refused(Exception):
    """pdfium's view of a page could differ from pdfminer's; the message says which
    condition (the bench and the tests report it)."""


def load_objects(page: Any, document: Any) -> bool:
    """Give the pdfplumber `page` pdfium's objects of the same page of `document`; False
    (page untouched) when pdfium's view of the page could differ from pdfminer's."""
    return refusal(page, document) is None


def refusal(page: Any, document: Any) -> str | None:
    """Load pdfium's objects into `page` and return None, or return why the page is left
    to pdfminer (page untouched). The cheap checks on the page and font dictionaries come
    before pdfium loads the page."""
    try:
        _load(page, document)
    except Refused as exc:
        return str(exc)
    return None


def _load(page: Any, document: Any) -> None:
    if page.rotation:
        raise Refused("rotated page")
    if page.mediabox[0] != 0 or page.mediabox[1] != 0:
        raise Refused("media box not at the origin")
    standard = _check_fonts(page.page_obj.resources, page.pdf.stream)
    reads = pdf_fonts.substitute_reads()
    try:
        pdfium_page = document[page.page_number - 1]
    except Exception:  # pypdfium2.PdfiumError: a page pdfium cannot load is left to pdfminer
        raise Refused("pdfium cannot load the page") from None
    if pdf_fonts.substitute_reads() != reads:  # its fonts read a system font: keep it for the next documents
        pdf_fonts.keep_fonts(document, page.page_number - 1, pdfium_page)
    try:
        if abs(pdfium_page.get_width() - page.width) > 0.01 or abs(pdfium_page.get_height() - page.height) > 0.01:
            raise Refused("page size differs")
        objects = _PageReader(page, pdfium_page, standard).objects()
    finally:
        pdfium_page.close()
    page._objects = objects  # what pdfplumber's `Page.objects` caches after parsing


def _check_fonts(resources: Any, stream: Any = None) -> dict[str, float]:
    """The descent (per point of size) of each standard font of the page that pdfminer
    takes from its own metrics, by base font name; `Refused` when pdfium would measure a
    font differently from pdfminer. Reads the font dictionaries only.

    pdfminer measures a simple font named like one of its built-in metrics (`Helvetica`,
    `Arial`, ...) by those metrics, whatever the PDF says; pdfium uses the PDF's `/Widths`.
    Only the standard fonts without `/Widths` are measured alike (pdfium's built-in widths
    are the same Adobe metrics); their descent comes from pdfminer's table. Every other
    font, embedded or not, is measured by its dictionary in both: whole glyph widths and
    descent (in 1/1000 em) from its descriptor, since pdfium keeps widths and descent as
    integers where pdfminer takes them as written (fractional ones, as in some generators'
    TrueType subsets, would move characters by thousandths of a point). `stream`: the PDF
    file, where a long width array is looked at before it is parsed (`_written_integers`)."""
    fonts = resolve1((resolve1(resources) or {}).get("Font")) or {}
    standard: dict[str, float] = {}
    for spec in fonts.values():
        found = _checked_font(spec, stream)
        if found is not None and standard.setdefault(found[0], found[1]) != found[1]:
            raise Refused("font measured by pdfminer's built-in metrics")
    return standard


# per pdfminer document: font object number -> what `_font_check` found (pages share fonts)
_FONT_CHECKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _checked_font(spec: Any, stream: Any = None) -> tuple[str, float] | None:
    """`_font_check` of a font, once per font object of a document."""
    if not isinstance(spec, PDFObjRef) or spec.doc is None:
        return _font_check(spec, stream)
    memo = _FONT_CHECKS.setdefault(spec.doc, {})
    if spec.objid not in memo:
        try:
            memo[spec.objid] = _font_check(spec, stream)
        except Refused as exc:
            memo[spec.objid] = exc
    found = memo[spec.objid]
    if isinstance(found, Refused):
        raise Refused(str(found))
    return found


def _font_check(spec: Any, stream: Any = None) -> tuple[str, float] | None:
    """(base font name, descent per point) of a standard font pdfminer measures by its own
    metrics, None for a font both engines measure by its dictionary; `Refused` otherwise."""
    spec = resolve1(spec)
    if not isinstance(spec, dict):
        raise Refused("unreadable font dictionary")
    subtype = getattr(spec.get("Subtype"), "name", None)
    if subtype == "Type3":
        raise Refused("type-3 font")
    base = getattr(resolve1(spec.get("BaseFont")), "name", None)
    if subtype in ("Type1", "MMType1", "TrueType") and base in FONT_METRICS:
        if base not in STANDARD_FONTS or spec.get("Widths") is not None:
            raise Refused("font measured by pdfminer's built-in metrics")
        return base, FONT_METRICS[base][0]["Descent"] / 1000.0
    descendants = [resolve1(d) for d in resolve1(spec.get("DescendantFonts")) or []]
    numbers: list[Any] = []
    for part in [spec] + descendants:
        if not isinstance(part, dict):
            raise Refused("unreadable font dictionary")
        for key in ("Widths", "W"):
            if not _written_integers(part.get(key), stream):
                numbers.extend(_flat_numbers(part.get(key)))
    descriptor = resolve1((descendants[0] if descendants else spec).get("FontDescriptor"))
    if not isinstance(descriptor, dict):
        raise Refused("font without descriptor")
    numbers.append(resolve1(descriptor.get("Descent", 0)))
    if not all(isinstance(n, int) or (isinstance(n, float) and n.is_integer()) for n in numbers):
        raise Refused("fractional glyph widths or descent")
    return None


# an indirect array written with nothing but digits, signs, blanks and brackets holds
# integers only, whatever a parser makes of it
_INTEGER_ARRAY = re.compile(rb"\s*(\d+)\s+\d+\s+obj\s*\[[\d\s+\-\[\]]*\]\s*endobj")
# bytes of the file looked at for one array
MAX_ARRAY_BYTES = 1 << 20


def _written_integers(value: Any, stream: Any) -> bool:
    """True when `value` is an indirect array written in the file with integers only,
    seen in its bytes without parsing it: a CID font's /W array holds thousands of numbers,
    which pdfminer's parser takes milliseconds to read. False when unsure (a direct array,
    one in an object stream, a fraction or a reference in it): the caller parses it."""
    if stream is None or not isinstance(value, PDFObjRef) or value.doc is None:
        return False
    for xref in value.doc.xrefs:
        try:
            container, position, _ = xref.get_pos(value.objid)
        except KeyError:
            continue
        if container is not None:
            return False  # inside an object stream: compressed
        here = stream.tell()
        size = 1 << 16
        try:
            while True:
                stream.seek(position)
                head = stream.read(size)
                found = _INTEGER_ARRAY.match(head)
                if found or b"endobj" in head or len(head) < size or size >= MAX_ARRAY_BYTES:
                    break
                size *= 4
        finally:
            stream.seek(here)  # pdfminer's parser reads on from where the file stands
        return found is not None and int(found.group(1)) == value.objid
    return False


def _flat_numbers(value: Any) -> list[Any]:
    value = resolve1(value)
    if isinstance(value, list):
        return [n for item in value for n in _flat_numbers(item)]
    return [value] if value is not None else []


class _PageReader:
    """pdfminer's objects of one page, rebuilt from pdfium's; `objects()` raises `Refused` when
    they could differ."""

    def __init__(self, page: Any, pdfium_page: Any, standard: dict[str, float]) -> None:
        self.standard = standard
        self.page = page
        self.raw = pdfium_page.raw
        self.height = page.height
        self.doctop = page.initial_doctop
        self.number = page.page_number
        self.descents: dict[int, float | None] = {}
        # what `_path_items` has pdfium write into, made once for the page's paths
        self.path_matrix = pdfium_c.FS_MATRIX()
        self.point = (ctypes.c_float(), ctypes.c_float())
        self.at_path_matrix = ctypes.byref(self.path_matrix)
        self.at_point = (ctypes.byref(self.point[0]), ctypes.byref(self.point[1]))

    def objects(self) -> dict[str, list[dict]]:
        kinds: dict[str, list[dict]] = {}
        page = ctypes.c_void_p(ctypes.cast(self.raw, ctypes.c_void_p).value)  # see `_unchecked`
        raws = [_GET_OBJECT(page, k) for k in range(_C.FPDFPage_CountObjects(self.raw))]
        types = [_OBJECT_TYPE(ctypes.c_void_p(o)) for o in raws]
        if pdfium_c.FPDF_PAGEOBJ_FORM in types:
            raise Refused("form XObject")
        chars = self._chars(raws, types) if pdfium_c.FPDF_PAGEOBJ_TEXT in types else []
        if chars:
            kinds["char"] = chars
        for obj, kind in zip(raws, types):
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                for item in self._path_items(obj):
                    kinds.setdefault(item["object_type"], []).append(item)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                kinds.setdefault("image", []).append(self._image(obj))
        return kinds

    # ---- characters ------------------------------------------------------------------

    def _chars(self, raws: list, types: list[int]) -> list[dict]:
        """Chars in content-stream order, as pdfminer makes them; `Refused` when unsure.

        Many generators draw every character as a text object of its own (each placed
        where it stands), so what is asked of pdfium once per text object (matrix, font,
        size, descent) is asked once, through one reused matrix, and only objects that
        hold a blank go through `_unfold_spaces`. The text page lists an object's
        characters one after the other: they are taken in runs of one owner, and what a
        run shares (its object, a baseline's vertical extent) is looked up once."""
        textpage = _C.FPDFText_LoadPage(self.raw)
        try:
            index = {o: k for k, o in enumerate(raws)}
            text_objects = {o: k for o, k in index.items() if types[k] == pdfium_c.FPDF_PAGEOBJ_TEXT}
            # text object address -> its index, font, font size, glyphs (by code, at that font
            # and size: width, text, whether blank), x scale, descent and height (pt on the
            # page), characters
            objects: dict[int, tuple[int, int, float, dict[int, tuple[float, str, bool]], float, float, float, list[dict]]] = {}
            by_object: dict[int, list[dict]] = {}
            spaced: set[int] = set()  # indices of the text objects holding a blank
            widths: dict[tuple[int, float], dict[int, tuple[float, str, bool]]] = {}  # (font, size) -> code -> glyph
            prev_x0 = prev_k = prev_i = None
            ox, oy = ctypes.c_double(), ctypes.c_double()
            width = ctypes.c_float()
            matrix = pdfium_c.FS_MATRIX()
            n_chars = _C.FPDFText_CountChars(textpage)
            get_owner, map_error, origin = _OWNER, _MAP_ERROR, _ORIGIN  # unchecked: arguments as they expect
            handle, at_x, at_y = ctypes.c_void_p(textpage), ctypes.byref(ox), ctypes.byref(oy)
            at_matrix = ctypes.byref(matrix)
            get_matrix, get_font, get_size = _MATRIX, _FONT, _FONT_SIZE  # unchecked, as below
            owners = [get_owner(handle, i) for i in range(n_chars)]
            for obj in text_objects.keys() - set(owners):
                if not _blank(obj):
                    raise Refused("text object left out of pdfium's text page")  # not one blank glyph: text unknown
            codes = _page_codes(textpage, n_chars)
            distinct = set(codes)
            if distinct & UNMAPPED or any(0xD800 <= code <= 0xDFFF for code in distinct):
                raise Refused("character without a unicode mapping")  # none of them is one pdfium generates
            height, doctop, number = self.height, self.doctop, self.number
            descents = self.descents
            generated = _GENERATED_CODES
            for address, run in itertools.groupby(range(n_chars), owners.__getitem__):
                known = objects.get(address)
                if known is None:
                    k = index.get(address)
                    if k is None:  # none but the characters pdfium inserts (spaces, line ends) belong to no object
                        if all(codes[i] in generated and _C.FPDFText_IsGenerated(textpage, i) for i in run):
                            continue
                        raise Refused("text outside the page's own objects")
                    i = next(run)
                    get_matrix(handle, i, at_matrix)
                    if not (matrix.b == 0 and matrix.c == 0 and matrix.a > 0 and matrix.d > 0):
                        raise Refused("rotated or mirrored text")  # pdfminer's box is not upright
                    # pdfium's char matrix and font size are its text object's
                    font, font_size = get_font(ctypes.c_void_p(raws[k])), get_size(handle, i)
                    descent = descents[font] if font in descents else self._descent(font)
                    size = font_size * matrix.d
                    glyphs = widths.get((font, font_size))
                    if glyphs is None:
                        glyphs = widths[(font, font_size)] = {}
                    out = by_object[k] = []
                    known = objects[address] = (k, font, font_size, glyphs, matrix.a, descent * size, size, out)
                    run = itertools.chain((i,), run)
                k, font, font_size, glyphs, scale_x, descent, size, out = known
                add = out.append
                baseline = None  # the run's last origin y, and what it gives
                for i in run:
                    code = codes[i]
                    # pdfium's generated characters (the spaces and line ends it inserts) are blanks
                    if code in generated and _C.FPDFText_IsGenerated(textpage, i):
                        continue
                    if map_error(handle, i):
                        raise Refused("character without a unicode mapping")
                    origin(handle, i, at_x, at_y)
                    x = ox.value
                    if prev_k == k and x <= prev_x0 and _pieces_of_one_glyph(textpage, prev_i, i):
                        raise Refused("glyph of several characters")
                    prev_x0, prev_i, prev_k = x, i, k
                    glyph = glyphs.get(code)  # (width, text, blank)
                    if glyph is None:
                        if not _C.FPDFFont_GetGlyphWidth(font, code, font_size, width):
                            raise Refused("glyph width unknown")
                        text = chr(code)
                        glyph = glyphs[code] = (width.value, text, text.isspace())
                    advance, text, blank = glyph
                    if blank:
                        spaced.add(k)
                    if oy.value != baseline:
                        baseline = oy.value
                        y0 = baseline + descent
                        y1 = y0 + size
                        top = height - y1
                        bottom = height - y0
                        tall = y1 - y0
                        down = doctop + top
                    x1 = x + advance * scale_x
                    # what `_char` makes, inline: this loop runs once per character of the page
                    add({
                        "object_type": "char", "page_number": number, "text": text, "upright": True,
                        "x0": x, "x1": x1, "y0": y0, "y1": y1, "top": top, "bottom": bottom,
                        "doctop": down, "width": x1 - x, "height": tall, "size": tall,
                    })
            chars: list[dict] = []
            for obj, k in text_objects.items():  # in content-stream order
                shown = by_object.get(k)
                if shown is None:
                    chars.append(self._blank_char(obj))
                elif k in spaced:
                    chars.extend(_unfold_spaces(shown, obj, self._char))
                else:
                    chars.extend(shown)
            return chars
        finally:
            _C.FPDFText_ClosePage(textpage)

    def _blank_char(self, obj: Any) -> dict:
        """The one blank glyph of a zero-width text object pdfium leaves out of its text
        page (a space Word writes on its own), placed as pdfminer places it."""
        if not _blank(obj):
            raise Refused("text object left out of pdfium's text page")
        m = pdfium_c.FS_MATRIX()
        _C.FPDFPageObj_GetMatrix(obj, m)
        font_size = ctypes.c_float()
        if not (m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0) or not _C.FPDFTextObj_GetFontSize(obj, font_size):
            raise Refused("rotated or mirrored text")
        font = _C.FPDFTextObj_GetFont(obj)
        descent = self._descent(font)
        width = ctypes.c_float()
        if not _C.FPDFFont_GetGlyphWidth(font, 0x20, font_size, width):
            raise Refused("glyph width unknown")
        size = font_size.value * m.d
        y0 = m.f + descent * size
        return self._char(" ", m.e, m.e + width.value * m.a, y0, y0 + size)

    def _descent(self, font: int) -> float:
        """pdfminer's descent of a text object's font per point of size: its descriptor's,
        which pdfium reports too, or pdfminer's metrics of a standard font."""
        if font not in self.descents:
            if not font:
                raise Refused("text object without a font")
            name = ctypes.create_string_buffer(128)
            _C.FPDFFont_GetBaseFontName(font, name, len(name))
            standard = self.standard.get(name.value.decode("latin-1"))
            value = ctypes.c_float()
            if standard is not None:
                self.descents[font] = standard
            elif _C.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), value):
                self.descents[font] = value.value / 1000.0
            else:
                raise Refused("font without descent")
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
        path = ctypes.c_void_p(obj)  # see `_unchecked`
        m = self.path_matrix
        _OBJECT_MATRIX(path, self.at_path_matrix)
        a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
        ops: list[str] = []
        points: list[_Point] = []
        x, y = self.point
        at_x, at_y = self.at_point
        bezier = 0
        for s in range(_COUNT_SEGMENTS(path)):
            seg = _SEGMENT(path, s)
            _POINT(seg, at_x, at_y)
            point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = _SEGMENT_TYPE(seg)
            if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
                bezier += 1
                if bezier % 3:
                    continue  # control points: pdfminer keeps a curve's end point only
                ops.append("c")
            else:
                ops.append("m" if kind == pdfium_c.FPDF_SEGMENT_MOVETO else "l")
            points.append(point)
            if _CLOSES(seg):
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


# the characters pdfium may insert into its text page (`FPDFText_IsGenerated`)
_GENERATED_CODES = frozenset(map(ord, " \r\n"))


def _page_codes(textpage: int, n_chars: int) -> list[int]:
    """The unicode value of every character of a text page, in one call to pdfium
    (`FPDFText_GetText`) rather than one per character; per character where the page's text
    does not hold exactly one UTF-16 unit per character (pdfium leaves some out of it)."""
    buffer = (ctypes.c_ushort * (n_chars + 1))()
    if _C.FPDFText_GetText(textpage, 0, n_chars, buffer) == n_chars + 1:
        return list(buffer)[:n_chars]
    return [_C.FPDFText_GetUnicode(textpage, i) for i in range(n_chars)]


def _pieces_of_one_glyph(textpage: int, before: int, index: int) -> bool:
    """True when characters `before` and `index` of a text object, the second drawn no
    further right than the first, may be the pieces of one glyph mapped to several
    characters (a ligature), which pdfium splits and pdfminer keeps as one character:
    pdfium gives the pieces the same origin and the same box. Two glyphs that differ there
    are two characters in both engines (a zero-advance tab before a full stop, or text
    kerned back)."""
    boxes = []
    for i in (before, index):
        box = (ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double())
        _C.FPDFText_GetCharBox(textpage, i, *box)
        boxes.append(tuple(v.value for v in box))
    ox, oy, px, py = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    _C.FPDFText_GetCharOrigin(textpage, before, px, py)
    _C.FPDFText_GetCharOrigin(textpage, index, ox, oy)
    return boxes[0] == boxes[1] and (px.value, py.value) == (ox.value, oy.value)


def _unfold_spaces(chars: list[dict], obj: int, make: Any) -> list[dict]:
    """One text object's characters with the spaces pdfium folded put back.

    Of a run of blank glyphs shown one after the other (Word pads table-of-contents lines,
    form fields and centred titles this way) pdfium's text page keeps only the first. The
    run ends where the object's next glyph starts, or, at the end of the object, at the
    object's right bound (a blank glyph has no extent: the bound is the last one's origin).
    The gap must hold a whole number of space advances, the advance being the space's width
    plus the object's character spacing (what separates its other glyphs), as pdfminer lays
    them out, or else fill the gap evenly (`_restored_spaces`)."""
    if not any(char["text"].isspace() for char in chars):
        return chars
    extras = {round(b["x0"] - a["x1"], 3) for a, b in zip(chars, chars[1:]) if not a["text"].isspace()}
    if len(extras) > 1:
        extras = set()  # spacing varies inside the object: only the plain advance is tried
    out: list[dict] = []
    for n, char in enumerate(chars):
        out.append(char)
        if not char["text"].isspace():
            continue
        if n + 1 < len(chars):
            if chars[n + 1]["x0"] - char["x1"] <= SPACE_GAP:
                continue
            last, after = chars[n + 1]["x0"], True  # the next glyph's origin
        else:
            right = _right(obj)
            if right < char["x1"] - SPACE_GAP:
                continue
            last, after = right, False  # the last folded space's origin
        out.extend(_restored_spaces(char, last, after, sorted(extras) + [0.0], make))
    return out


def _restored_spaces(space: dict, last: float, after: bool, extras: list[float], make: Any) -> list[dict]:
    """Copies of `space`, one advance apart, up to the origin `last` (the copy there
    included unless `after`: then it is where the next glyph starts). The advance is the
    space's width plus one of `extras` where that lands exactly on `last`; otherwise word
    spacing or kerning moved the spaces and they fill the gap evenly."""
    width = space["x1"] - space["x0"]
    for extra in extras:
        advance = width + extra
        if advance <= SPACE_GAP:
            continue
        steps = round((last - space["x0"]) / advance)
        count = steps - 1 if after else steps
        if count >= 1 and abs(space["x0"] + steps * advance - last) <= FOLDED_SPACE_SLACK:
            return _copies(space, advance, count, make)
    # word spacing (which pdfium does not report) moved the spaces: the run fills the gap
    # evenly, with as many spaces as whole widths fit, which is the count pdfminer reads
    # while the run's added spacing stays under half a space
    steps = round((last - space["x0"]) / width) if width > SPACE_GAP else 0
    count = steps - 1 if after else steps
    if count < 1:
        raise Refused("run of spaces folded by pdfium, spaced unevenly")
    return _copies(space, (last - space["x0"]) / steps, count, make)


def _copies(space: dict, advance: float, count: int, make: Any) -> list[dict]:
    width = space["x1"] - space["x0"]
    return [make(space["text"], space["x0"] + n * advance, space["x0"] + n * advance + width,
                 space["y0"], space["y1"]) for n in range(1, count + 1)]


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
    glyph with an empty outline in an embedded font. Text drawn stroked (fake bold, render
    modes 1, 2, 5, 6) has its bounds widened by the line width, so a blank glyph's are that
    wide. (A font pdfium substitutes may merely lack the glyph, and a wider object was
    dropped as a duplicate: their text is unknown.)"""
    left, bottom, right, top = _bounds(obj)
    font = _C.FPDFTextObj_GetFont(obj)
    extent = BLANK_OBJECT_WIDTH
    if _C.FPDFTextObj_GetTextRenderMode(obj) in STROKED_TEXT_MODES:
        line_width = ctypes.c_float()
        if _C.FPDFPageObj_GetStrokeWidth(obj, line_width):
            extent += line_width.value
    return right - left <= extent and top - bottom <= extent and bool(font)

