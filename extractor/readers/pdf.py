"""PDF reader (pdfplumber): paragraph text with pages, ruled tables as cell grids.

Tables are found from ruling lines (`page.find_tables()`), whether drawn as lines, rectangles
or thin filled outlines (curves: several 决算 generators draw each cell border as a filled
polygon with mitred ends); the characters inside a table's box go to its cells and are left out of the paragraph text, so a number is never counted
twice. Soft line wraps are joined (see `wrapping`), in paragraphs and inside cells. A PDF
whose pages carry drawings or images but no text layer is a scan: the reader returns it
with `needs_ocr=True` (and `meta["ocr_pages"]`) instead of failing, so a batch can route
it to OCR later. A page that is one big image with a handful of characters (a typed page
number) counts as a scan too; its few characters are left to the OCR pass.

Characters are grouped into lines by their boxes (`pdf_lines`), in paragraphs and in
cells, so figures drawn in another font or baseline stay in their sentence. One-row boxes
drawn behind the words of a sentence (shading, field frames) are prose, not tables.

Content streams are interpreted by pdfium (C) wherever `pdf_pdfium` can vouch that its
objects equal pdfminer's, which makes the reader several times faster; every other page is
parsed by pdfminer. Both feed the same pdfplumber code, so the Document is the same.
"""
from __future__ import annotations

import bisect
import statistics
from operator import itemgetter
from typing import Any

from ..model import Document, ReadError
from . import page_jobs, pdf_lines, pdf_rulings, pdf_textgrid, running_heads
from .builder import DocumentBuilder
from .errors import describe, read_error
from .wrapping import Line, group_paragraphs, is_folio, join_cell_lines, paragraph_pieces

NAME = "pdf"
LABEL = "PDF"
SUFFIXES = (".pdf",)
CONTEXT_LINES = 3
# a line ending this many character widths before the right edge ends its paragraph;
# a line starting this far right of the left edge opens one (first-line indent)
SHORT_LINE_CHARS = 2.0
INDENT_CHARS = 1.5
# a page whose images cover this share of it and that has fewer characters than
# SCAN_MAX_CHARS (a typed page number, a stamp caption) is a scan as well
SCAN_IMAGE_SHARE = 0.5
SCAN_MAX_CHARS = 20
# a one-row box at most this many times its text's size tall, with a cell ending in one
# of these marks, frames one line of prose
ONE_LINE_BOX = 2.0
PROSE_PUNCTUATION = "，、。；：,;"
# a page drawing more lines, rects and curves than this gets no ruling analysis
MAX_PAGE_RULINGS = 50_000
# pages with fewer text lines take the text column's edges from the whole document
MIN_LINES_FOR_PAGE_EDGES = 8
# pdfium reports positions in single precision, pdfminer in double: the same character
# lands up to ~1e-4 pt apart. Layout generators place text on round figures, so a line
# often ends exactly SHORT_LINE_CHARS widths before the column's edge (a centred title
# between symmetric margins) and a strict comparison would go either way depending on the
# engine. Distances are compared with this slack, a value between the 0.001 pt steps
# positions are written in, so that only engine noise falls inside it.
POSITION_SLACK = 0.0025


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    """`%PDF-` within the first 1024 bytes (readers tolerate a junk prefix), but not a PDF
    stored inside a zip archive."""
    return b"%PDF-" in head[:1024] and not head.startswith(b"PK\x03\x04")


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "not a PDF file (no %PDF signature)"


def read(path: str, use_pdfium: bool = True, ocr: str = "auto", jobs: int | None = None) -> Document:
    """The Document of a PDF; `use_pdfium=False` parses every page with pdfminer (the
    reference the pdfium pages are tested against). `ocr`: "auto" OCRs the scanned pages,
    "force" every page, "never" none (see `readers.ocr`). `jobs`: processes reading the
    pages of a long PDF (`page_jobs`; default from `extract -j`/`check -j`, else 1)."""
    with _opened(path) as pdf:
        try:
            return read_pages(path, pdf, use_pdfium=use_pdfium, ocr=ocr, jobs=jobs)
        except ReadError:
            raise
        except Exception as exc:
            if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
                raise read_error(path, "encrypted PDF (password required)") from None
            raise read_error(path, f"corrupt or truncated PDF ({describe(exc)})") from None


def _opened(path: str) -> Any:
    """The open pdfplumber PDF (a context manager), or the one-line ReadError saying why not."""
    import logging

    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    # pdfminer logs each damaged operator of a broken PDF as a warning (hundreds of lines);
    # the reader reports one line per file instead (set here, not at import: a text file
    # needs no logging)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    try:
        return pdfplumber.open(path)
    except PDFPasswordIncorrect:
        raise read_error(path, "encrypted PDF (password required)") from None
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise read_error(path, "encrypted PDF (password required)") from None
        raise read_error(path, f"corrupt PDF ({describe(cause)})") from None
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise read_error(path, f"corrupt PDF ({describe(exc)})") from None


def read_pages(path: str, pdf: Any, use_pdfium: bool = True, ocr: str = "auto", jobs: int | None = None) -> Document:
    """The Document of an open pdfplumber PDF. Each page's objects come from pdfium when
    `pdf_pdfium` vouches for them and from pdfminer otherwise; the same pdfplumber code
    finds the tables and lines either way. A long PDF's pages may be read in runs by
    forked processes (`page_jobs`): each page's items depend on that page alone."""
    from . import ocr as ocr_reader

    n_pages = len(pdf.pages)
    if n_pages == 0:
        raise read_error(path, "corrupt or truncated PDF (no pages)")
    parts = page_jobs.runs(n_pages, page_jobs.page_jobs(n_pages, jobs))
    if len(parts) == 1:
        runs = [_read_run(path, pdf, 0, n_pages, use_pdfium)]
    else:  # the first run on this open PDF, the others each on their own (a fork shares file offsets)
        runs = page_jobs.map_forked(
            lambda run: _read_run(path, pdf, *run, use_pdfium) if run[0] == 0 else _read_run_opened(path, *run, use_pdfium),
            parts)
    pages = [items for run in runs for items in run[0]]
    ocr_pages = [number for run in runs for number in run[1]]
    heavy_pages = [number for run in runs for number in run[2]]
    meta: dict[str, Any] = {}
    if ocr == "force" or (ocr == "auto" and ocr_pages):
        meta = ocr_reader.ocr_pages_of(path, pages, list(range(1, n_pages + 1)) if ocr == "force" else ocr_pages)
        ocr_pages = meta.pop("ocr_skipped_pages", [])
    builder = DocumentBuilder(path, NAME)
    _assemble(builder, pages)
    if ocr_pages:
        meta["reason"] = "needs OCR"
        meta["ocr_pages"] = ocr_pages
    if heavy_pages:
        meta["notes"] = [f"pages {', '.join(map(str, heavy_pages))}: more than {MAX_PAGE_RULINGS} drawn "
                         f"paths, no ruled tables looked for"]
    doc = builder.build(pages=n_pages, needs_ocr=bool(ocr_pages), meta=meta)
    ocr_reader.locate_confidence(doc)
    return doc


_Run = tuple[list[list[tuple[str, Any]]], list[int], list[int]]


def _read_run_opened(path: str, start: int, stop: int, use_pdfium: bool) -> _Run:
    with _opened(path) as pdf:
        return _read_run(path, pdf, start, stop, use_pdfium)


def _read_run(path: str, pdf: Any, start: int, stop: int, use_pdfium: bool) -> _Run:
    """Items of pages start+1 .. stop (see `_page_items`), and which of them are scans and
    which drew too many paths."""
    from . import pdf_pdfium  # pypdfium2 and pdfminer load with the first PDF, not with every command

    fast = pdf_pdfium.open_document(path) if use_pdfium else None
    if fast is not None and len(fast) != len(pdf.pages):
        fast.close()
        fast = None
    pages: list[list[tuple[str, Any]]] = []
    ocr_pages: list[int] = []
    heavy_pages: list[int] = []
    try:
        for number, page in enumerate(pdf.pages[start:stop], start + 1):
            if fast is not None:
                pdf_pdfium.load_objects(page, fast)
            items, needs_ocr, heavy = _page_items(page)
            if heavy:
                heavy_pages.append(number)
            page.close()
            if needs_ocr:
                ocr_pages.append(number)
            pages.append(items)
    finally:
        if fast is not None:
            fast.close()
    return pages, ocr_pages, heavy_pages


def _assemble(builder: DocumentBuilder, pages: list[list[tuple[str, Any]]]) -> None:
    """Paragraphs (wraps joined, across page ends too) and tables, in reading order. A page's
    number printed as its first or last line (`— 17 —`, `patterns/page_folios.json`) and a
    running header or footer (`running_heads`: the same line at the top or foot of most pages)
    are left out: a sentence running on over the page break would be joined to them."""
    pages = running_heads.without_running_heads([_without_folios(items) for items in pages], _without_folios)
    all_raw = [item for items in pages for kind, item in items if kind == "line"]
    doc_edges = _edges(all_raw)
    run: list[Line] = []  # text lines since the last table, across pages
    gap = 0.0  # room left at the end of the run's last line (on its own page)

    def flush() -> None:
        for group in group_paragraphs(run):
            builder.add_paragraph(paragraph_pieces(group))
        run.clear()

    for number, items in enumerate(pages, 1):
        raw = [item for kind, item in items if kind == "line"]
        left, right = _edges(raw) if len(raw) >= MIN_LINES_FOR_PAGE_EDGES else doc_edges
        page_lines: list[Line] = []
        for kind, item in items:
            if kind == "line":
                if run and run[-1].short and item["lead_w"] > gap + POSITION_SLACK:
                    run[-1].short = False  # its next word did not fit (on this page or the last): a wrap
                row = item.get("row", False)  # a table row too short to be found (OCR lines carry none)
                if page_lines and row:
                    page_lines[-1].short = True  # is a line of its own, not the wrap of the line above
                gap = right - item["x1"]
                line = Line(
                    text=item["text"],
                    page=number,
                    short=row or _at_least(gap, SHORT_LINE_CHARS * item["char_w"]),
                    indented=_at_least(item["x0"] - left, INDENT_CHARS * item["char_w"]),
                )
                run.append(line)
                page_lines.append(line)
            else:
                flush()
                cells, merged = item
                builder.add_table(cells, page=number, context=_context(page_lines[-CONTEXT_LINES:]), merged=merged)
                page_lines.clear()
    flush()


def _without_folios(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A page's items without the folio line at its top or bottom."""
    start, end = 0, len(items)
    if end and items[-1][0] == "line" and is_folio(items[-1][1]["text"]):
        end -= 1
    if start < end and items[0][0] == "line" and is_folio(items[0][1]["text"]):
        start += 1
    return items if (start, end) == (0, len(items)) else items[start:end]


def _at_least(distance: float, length: float) -> bool:
    """`distance` >= `length` up to the engines' rounding (see POSITION_SLACK)."""
    return distance > length - POSITION_SLACK


def _edges(raw: list[dict]) -> tuple[float, float]:
    """Left and right edge of the text column: where most lines start and full lines end."""
    if not raw:
        return 0.0, 0.0
    xs0 = sorted(ln["x0"] for ln in raw)
    xs1 = sorted(ln["x1"] for ln in raw)
    return xs0[int(len(xs0) * 0.05)], xs1[min(len(xs1) - 1, int(len(xs1) * 0.95))]


def _context(lines: list[Line]) -> str:
    """The lines above a table with their soft wraps joined (a caption, `单位：万元`)."""
    return "\n".join("".join(t for _, t in paragraph_pieces(g)) for g in group_paragraphs(lines))


def _page_items(page: Any, path_heavy: bool = False) -> tuple[list[tuple[str, Any]], bool, bool]:
    """Text lines (pdfplumber line dicts plus `char_w`) and tables of one page, top to
    bottom, whether the page is a scan (graphics but no text layer), and whether it drew
    too many paths for its rulings to be analysed (`path_heavy`: pdfium already left them out)."""
    if not page.chars:
        return [], bool(page.images or page.rects or page.lines or page.curves or path_heavy), path_heavy
    # what is measured on the characters counts only visible ones: the Document must not
    # depend on how many blanks a run holds (pdfium folds runs whose count it cannot know)
    visible = [c for c in page.chars if not c["text"].isspace()]
    if len(visible) < SCAN_MAX_CHARS and _image_share(page) >= SCAN_IMAGE_SHARE:
        return [], True, path_heavy
    path_heavy = path_heavy or len(page.lines) + len(page.rects) + len(page.curves) > MAX_PAGE_RULINGS
    by_middle = _by_middle(page.chars) if (page.lines or page.rects or page.curves) and not path_heavy else None
    tables = _tables(page, by_middle) if by_middle else []
    boxes = [bbox for bbox, _ in tables]
    text_chars = _outside(page.chars, boxes, by_middle) if boxes else page.chars
    sizes = [c["size"] for c in visible[:400]]
    char_w = statistics.median(sizes) if sizes else 10.0
    items: list[tuple[float, int, str, Any]] = []
    lines = [ln for ln in _text_lines(page, text_chars) if ln["text"].strip()]
    found, lines = pdf_textgrid.find(lines, char_w)  # tables drawn without rulings; `row` of each line
    for ln in lines:
        ln["lead_w"] = _lead_width(ln.pop("chars"))
        items.append((ln["top"], 0, "line", dict(ln, char_w=char_w)))
    for bbox, grid in tables + [(bbox, (cells, {})) for bbox, cells in found]:
        items.append((bbox[1], 1, "table", grid))
    items.sort(key=lambda it: (it[0], it[1]))
    return [(kind, item) for _, _, kind, item in items], False, path_heavy


def _text_lines(page: Any, chars: list[dict]) -> list[dict]:
    """pdfplumber's text lines (with their `chars`) of these characters of the page,
    grouped into lines by their boxes first (`pdf_lines`): a figure in another font or
    baseline stays in its sentence."""
    chars = pdf_lines.level(chars, pdf_lines.Y_TOLERANCE)
    lines = pdf_lines.text_lines(chars)  # the same lines, computed directly (None: pdfplumber must)
    if lines is None:
        from pdfplumber.utils import chars_to_textmap

        textmap = chars_to_textmap(chars, layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height)
        lines = textmap.extract_text_lines(return_chars=True)
    return lines


def _lead_width(chars: list[dict]) -> float:
    """Width of the figure or Latin word a line starts with (0 when it starts with a
    Chinese character): a line before it that ends short of the edge by less than this
    was wrapped because the word did not fit, not ended."""
    end = 0
    while end < len(chars) and chars[end]["text"].isascii() and not chars[end]["text"].isspace():
        end += 1
    return chars[end - 1]["x1"] - chars[0]["x0"] if end else 0.0


def _image_share(page: Any) -> float:
    area = sum(img["width"] * img["height"] for img in page.images)
    return area / max(page.width * page.height, 1.0)


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _outside(chars: list[dict], boxes: list[tuple[float, float, float, float]],
             by_middle: tuple[list[float], list[tuple[int, dict]]]) -> list[dict]:
    """The characters (in page order) whose middle lies in none of `boxes` (`_inside`),
    each box taking its rows' characters by bisection in `by_middle` (`_by_middle(chars)`)."""
    middles, order = by_middle
    taken: set[int] = set()
    for x0, top, x1, bottom in boxes:
        lo, hi = bisect.bisect_left(middles, top), bisect.bisect_right(middles, bottom)
        for middle, (n, c) in zip(middles[lo:hi], order[lo:hi]):
            if top <= middle <= bottom and x0 <= (c["x0"] + c["x1"]) / 2 <= x1:
                taken.add(n)
    return [c for n, c in enumerate(chars) if n not in taken]


def _tables(page: Any, chars: tuple[list[float], list[tuple[int, dict]]] | None = None,
            ) -> list[tuple[tuple[float, float, float, float], tuple[list[list[str]], dict]]]:
    """Ruled tables of a page: (bbox, (cells, merged)). Single boxes around text are not
    tables, nor are one-row boxes that share their line with text outside them or frame
    one line of punctuated prose: shading or field frames drawn behind the words of a
    sentence (`收入 [0.00] [万元，]`). `chars`: `_by_middle(page.chars)` when already made."""
    found = []
    chars = chars or _by_middle(page.chars)
    for table in pdf_rulings.find_tables(page):  # pdfplumber's `page.find_tables()`, faster
        rows = table.rows  # pdfplumber makes them anew at every call
        raw = _cell_texts(rows, chars)
        if len(raw) * max((len(r) for r in raw), default=0) < 2:
            continue
        cells = [[join_cell_lines(c) if c else "" for c in row] for row in raw]
        if not any(any(c for c in row) for row in cells):
            continue
        bbox = tuple(table.bbox)
        found.append((bbox, (cells, _merged(rows, bbox))))
    tables = [bbox for bbox, (cells, _) in found if len(cells) > 1]
    return [t for t in found if len(t[1][0]) > 1 or not (
        _text_beside(t[0], tables + [t[0]], chars) or (_one_line(t[0], chars) and _punctuated(t[1][0][0]))
    )]


def _punctuated(cells: list[str]) -> bool:
    """A row with a cell ending in sentence punctuation: boxes cut from a sentence
    (`局机关设办公室 | 、 | 机关党总支 | 、`), not a row of a table continued on this page."""
    return any(c.strip() and c.strip()[-1] in PROSE_PUNCTUATION for c in cells)


def _one_line(bbox: tuple[float, float, float, float], chars: tuple[list[float], list]) -> bool:
    """True when a one-row box is no taller than one line of the text inside it (with
    room for its padding): a frame or shading behind a line of prose."""
    middles, order = chars
    _, top, _, bottom = bbox
    sizes = [c["size"] for _, c in order[bisect.bisect_left(middles, top):bisect.bisect_right(middles, bottom)]
             if not c["text"].isspace()]
    return bool(sizes) and bottom - top <= ONE_LINE_BOX * statistics.median(sizes)


def _text_beside(bbox: tuple[float, float, float, float], boxes: list, chars: tuple[list[float], list]) -> bool:
    """True when a visible character outside `boxes` (the box itself and the tables of
    several rows) has its middle within `bbox`'s height: the box sits inside a line of
    running text, or beside other one-row boxes of the same line."""
    middles, order = chars
    _, top, _, bottom = bbox
    return any(
        not c["text"].isspace() and not _inside(c, boxes)
        for _, c in order[bisect.bisect_left(middles, top):bisect.bisect_right(middles, bottom)]
    )


def _by_middle(chars: list[dict]) -> tuple[list[float], list[tuple[int, dict]]]:
    """The characters sorted by the middle of their height, with their page order."""
    middle = [(c["top"] + c["bottom"]) / 2 for c in chars]
    ranks = sorted(range(len(chars)), key=middle.__getitem__)  # stable: page order among equal middles
    return [middle[n] for n in ranks], [(n, chars[n]) for n in ranks]


_first = itemgetter(0)


def _cell_texts(rows: list[Any], chars: tuple[list[float], list[tuple[int, dict]]]) -> list[list[str | None]]:
    """What pdfplumber's `Table.extract()` returns for a table of these `rows` (a character belongs to the cell that
    holds the middle of its box; None for a position a merged cell covers), with two
    differences: a row's characters, and a cell's within its row, are found by bisection,
    not by testing every character of the page against every row and cell (a large table
    stays linear), and
    each cell's characters are grouped into lines by their boxes (`pdf_lines.cell_text`,
    pdfplumber's `extract_text` computed directly), so a figure drawn in another font or
    baseline stays beside its words."""
    middles, order = chars
    out: list[list[str | None]] = []
    for row in rows:
        _, top, _, bottom = row.bbox
        lo, hi = bisect.bisect_left(middles, top), bisect.bisect_left(middles, bottom)
        # the row's characters by the middle of their width, with their page order and the
        # middle of their height
        by_x = sorted(((c["x0"] + c["x1"]) / 2, n, middle, c) for middle, (n, c) in zip(middles[lo:hi], order[lo:hi]))
        middles_x = [x for x, _, _, _ in by_x]
        cells: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            x0, top, x1, bottom = cell
            inside = [(n, c) for _, n, middle, c in by_x[bisect.bisect_left(middles_x, x0):bisect.bisect_left(middles_x, x1)]
                      if top <= middle < bottom]
            inside.sort(key=_first)  # page order
            cells.append(pdf_lines.cell_text([c for _, c in inside]))
        out.append(cells)
    return out


def _merged(rows: list[Any], bbox: tuple[float, float, float, float]) -> dict[tuple[int, int], tuple[int, int]]:
    """Covered grid position -> top-left position of the spanning cell, in a table of
    these `rows` within `bbox`.

    pdfplumber leaves None where a merged cell covers a grid position; the owner is the
    cell whose box contains the centre of that position.
    """
    n_cols = max((len(r.cells) for r in rows), default=0)
    col_x: list[float | None] = [None] * n_cols
    origin: dict[tuple, tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for c, box in enumerate(row.cells):
            if box is not None:
                origin.setdefault(tuple(box), (r, c))
                if col_x[c] is None:
                    col_x[c] = box[0]
    x0, top, x1, bottom = bbox
    xs = [x if x is not None else x0 for x in col_x] + [x1]
    ys = [row.bbox[1] for row in rows] + [bottom]
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for c in range(n_cols):
            if c < len(row.cells) and row.cells[c] is not None:
                continue
            cx, cy = (xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2
            for box, pos in origin.items():
                if box[0] <= cx <= box[2] and box[1] <= cy <= box[3] and pos != (r, c):
                    merged[(r, c)] = pos
                    break
    return merged
