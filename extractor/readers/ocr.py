"""OCR: a page image into the text lines and table grids every other reader produces.

A recognizer (RapidOCR on onnxruntime, whose Chinese models ship inside its wheel; or
Tesseract with `chi_sim` from the system's packages) returns text boxes with a
confidence. The layout is rebuilt from geometry: ruling lines found in the image make
table grids (merged cells where a separator is missing), boxes inside a grid cell are that
cell's text, the other boxes are grouped into lines top to bottom. The page items have the
shape `pdf._assemble` takes, so paragraphs, captions and tables come out exactly as from a
text PDF. Known misreadings inside numbers (`O`/`0`, `l`/`1`, `兀`/`元`, `,` for `.`) are
corrected from `patterns/ocr_confusions.json` and lower that box's confidence; the
confidence of every box and cell is kept (`OcrPage.spans`/`cells`) so each quantity can
carry it (`apply_confidence`).

Nothing is fetched at run time; an image larger than MAX_PIXELS is refused and pages past
`max_pages()` are left unread (listed in `meta["ocr_skipped_pages"]`).
"""
from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterable

from .. import patternbook
from .wrapping import join_cell_lines

MODES = ("auto", "never", "force")
ENGINES = ("rapidocr", "tesseract")
# pages rendered at this resolution; images larger than MAX_SIDE are scaled down to it
RENDER_DPI = 200
MAX_SIDE = 2400
MAX_PIXELS = 80_000_000  # a decompression bomb is refused before it is decoded
MAX_PAGES = 200  # pages OCR'd per document by default; a longer scan is cut (and says so)
PAGES_ENV = "JIXIAO_OCR_PAGES"  # the limit set by `--ocr-pages` (and inherited by workers)
TESSERACT_TIMEOUT = 120
INSTALL_HINT = ("OCR needs RapidOCR (pip install 'jixiao[ocr]') or Tesseract "
                "(apt-get install tesseract-ocr tesseract-ocr-chi-sim)")


class OcrUnavailable(Exception):
    """No recognizer is installed."""


@dataclass
class Box:
    """One recognized piece of text: its pixel box and the recognizer's confidence (0–1)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class OcrPage:
    """Page items for `pdf._assemble` plus the confidences to carry: `spans` holds, per text
    line (in order), its text and (start, end, confidence) of its boxes within it; `cells`
    holds, per table (in order), {(row, col): confidence}."""

    items: list[tuple[str, Any]]
    spans: list[tuple[str, list[tuple[int, int, float]]]] = field(default_factory=list)
    cells: list[dict[tuple[int, int], float]] = field(default_factory=list)


# ---------------------------------------------------------------- recognizers

def max_pages() -> int:
    """Pages OCR'd per document: $JIXIAO_OCR_PAGES (set by `--ocr-pages`), else MAX_PAGES."""
    try:
        return max(0, int(os.environ[PAGES_ENV]))
    except (KeyError, ValueError):
        return MAX_PAGES


def engine_name(preferred: str | None = None) -> str:
    """The recognizer to use: `preferred`, $JIXIAO_OCR_ENGINE, else RapidOCR if installed,
    else Tesseract if on PATH. Raises OcrUnavailable naming what to install."""
    name = preferred or os.environ.get("JIXIAO_OCR_ENGINE") or None
    available = [e for e in ENGINES if _available(e)]
    if name:
        if name not in ENGINES:
            raise OcrUnavailable(f"unknown OCR engine {name!r} (one of {', '.join(ENGINES)})")
        if name not in available:
            raise OcrUnavailable(INSTALL_HINT)
        return name
    if not available:
        raise OcrUnavailable(INSTALL_HINT)
    return available[0]


def _available(engine: str) -> bool:
    if engine == "rapidocr":
        import importlib.util

        return importlib.util.find_spec("rapidocr_onnxruntime") is not None
    return shutil.which("tesseract") is not None and "chi_sim" in _tesseract_langs()


@functools.lru_cache(maxsize=1)
def _tesseract_langs() -> str:
    try:
        return subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.lru_cache(maxsize=1)
def _rapid() -> Any:
    """The RapidOCR engine, loaded once per process from the models inside its wheel. It uses
    OMP_NUM_THREADS threads when set (`convert` workers set 1: they parallelise by process),
    else onnxruntime's default (every core)."""
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    threads = int(os.environ.get("OMP_NUM_THREADS") or -1)
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)


def recognize(image: Any, engine: str | None = None) -> list[Box]:
    """Text boxes of a PIL image with confidences, misreadings inside numbers corrected."""
    name = engine_name(engine)
    raw = _recognize_rapid(image) if name == "rapidocr" else _recognize_tesseract(image)
    boxes = []
    for b in raw:
        text, factor = fix_confusions(b.text)
        if text.strip():
            b.text, b.confidence = text.strip(), round(b.confidence * factor, 3)
            boxes.append(b)
    return boxes


def _recognize_rapid(image: Any) -> list[Box]:
    import numpy as np

    result, _ = _rapid()(np.asarray(image.convert("RGB")), use_cls=False)
    boxes = []
    for points, text, score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append(Box(text, min(xs), min(ys), max(xs), max(ys), float(score)))
    return boxes


def _recognize_tesseract(image: Any) -> list[Box]:
    """Tesseract's words (TSV), joined into runs within a line where they nearly touch."""
    buf = io.BytesIO()
    image.convert("L").save(buf, format="PNG")
    proc = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6", "tsv"],
                          input=buf.getvalue(), capture_output=True, timeout=TESSERACT_TIMEOUT)
    words: dict[tuple[str, str, str], list[Box]] = {}
    for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or not f[11].strip() or float(f[10]) < 0:
            continue
        x, y, w, h = (int(v) for v in f[6:10])
        words.setdefault((f[2], f[3], f[4]), []).append(Box(f[11], x, y, x + w, y + h, float(f[10]) / 100))
    boxes = []
    for line in words.values():
        line.sort(key=lambda b: b.x0)
        run = [line[0]]
        for b in line[1:]:
            if b.x0 - run[-1].x1 > 0.8 * max(b.height, run[-1].height):
                boxes.append(_join(run))
                run = []
            run.append(b)
        boxes.append(_join(run))
    return boxes


def _join(run: list[Box]) -> Box:
    return Box("".join(b.text for b in run), min(b.x0 for b in run), min(b.top for b in run),
               max(b.x1 for b in run), max(b.bottom for b in run), min(b.confidence for b in run))


# ---------------------------------------------------------------- misreadings

@functools.lru_cache(maxsize=1)
def _confusions() -> list[tuple[re.Pattern[str], str, float]]:
    return [(re.compile(e["regex"]), e["replace"], float(e["confidence"]))
            for e in patternbook.entries("ocr_confusions")]


def fix_confusions(text: str) -> tuple[str, float]:
    """`text` with known misreadings inside numbers corrected, and the factor (≤ 1) its
    confidence is lowered by: the lowest factor of the corrections made."""
    factor = 1.0
    for pattern, replace, conf in _confusions():
        text, n = pattern.subn(lambda m: replace * len(m.group()), text)
        if n:
            factor = min(factor, conf)
    return text, factor


def confusion_example(text: str) -> dict[str, Any]:
    """Pattern-book runner: the corrected text and the confidence factor."""
    fixed, factor = fix_confusions(text)
    return {"text": fixed, "confidence": factor}


# ---------------------------------------------------------------- images

def load_image(data: Any) -> Any:
    """A PIL image, refusing ones above MAX_PIXELS before decoding and scaling ones larger
    than MAX_SIDE down (recognizers gain nothing past ~200 dpi)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    image = data if isinstance(data, Image.Image) else Image.open(data)
    return fit(image)


def fit(image: Any) -> Any:
    from PIL import Image

    if image.width * image.height > MAX_PIXELS:
        raise ValueError(f"image of {image.width}x{image.height} pixels is larger than the limit")
    image = image.convert("L")
    side = max(image.width, image.height)
    if side > MAX_SIDE:
        s = MAX_SIDE / side
        image = image.resize((round(image.width * s), round(image.height * s)), Image.LANCZOS)
    return image


def deskew(image: Any) -> Any:
    """The image turned level: the angle (within ±3°) whose row profile of dark pixels is the
    sharpest, found on a small copy (text lines and ruling lines then lie on rows)."""
    import numpy as np
    from PIL import Image

    small = image.copy()
    small.thumbnail((800, 800))
    dark = Image.fromarray(((np.asarray(small) < 160) * 255).astype("uint8"))

    def sharpness(angle: float) -> float:
        rows = np.asarray(dark.rotate(angle, resample=Image.BILINEAR)).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    best = max((a / 4 for a in range(-12, 13)), key=sharpness)
    best = max((best + d / 20 for d in range(-4, 5)), key=sharpness)
    if abs(best) < 0.05:
        return image
    return image.rotate(best, resample=Image.BICUBIC, expand=False, fillcolor=255)


# ---------------------------------------------------------------- ruling lines → grids

@dataclass
class _Seg:
    pos: float  # y of a horizontal segment, x of a vertical one
    lo: float
    hi: float


def _close_gaps(dark: Any, gap: int) -> Any:
    """Rows of `dark` with gaps of up to `gap` pixels between dark pixels filled: specks of
    scanner noise and JPEG ringing break a thin ruling line into pieces otherwise."""
    import numpy as np

    padded = np.pad(dark.astype(np.int32), ((0, 0), (gap, gap)))
    cum = np.concatenate([np.zeros((dark.shape[0], 1), np.int32), np.cumsum(padded, axis=1)], axis=1)
    w = dark.shape[1]
    left = cum[:, gap:gap + w] - cum[:, 0:w]
    right = cum[:, 2 * gap + 1:2 * gap + 1 + w] - cum[:, gap + 1:gap + 1 + w]
    return dark | ((left > 0) & (right > 0))


def _segments(dark: Any, min_len: int) -> list[_Seg]:
    """Horizontal runs of dark pixels at least `min_len` long (small gaps closed), merged
    across the rows of a thick line (call on the transpose for vertical lines)."""
    import numpy as np

    dark = _close_gaps(dark, max(2, dark.shape[1] // 600))
    padded = np.zeros((dark.shape[0], dark.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    d = np.diff(padded, axis=1)
    ys, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)
    keep = ends - starts >= min_len
    runs = sorted(zip(ys[keep].tolist(), starts[keep].tolist(), ends[keep].tolist()))
    segs: list[list[float]] = []  # [y_first, y_last, lo, hi]
    for y, lo, hi in runs:
        for s in reversed(segs[-8:]):
            if y - s[1] <= 1 and lo < s[3] and hi > s[2]:
                s[1], s[2], s[3] = y, min(s[2], lo), max(s[3], hi)
                break
        else:
            segs.append([y, y, lo, hi])
    return [_Seg((s[0] + s[1]) / 2, s[2], s[3]) for s in segs]


def _cluster(values: Iterable[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


@dataclass
class Grid:
    """A ruled table found in an image: column edges `xs`, row edges `ys`, and for each grid
    position the position of the merged cell it belongs to (its top-left)."""

    xs: list[float]
    ys: list[float]
    owner: dict[tuple[int, int], tuple[int, int]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def position(self, x: float, y: float) -> tuple[int, int] | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        r = min(bisect_right(self.ys, y) - 1, len(self.ys) - 2)
        c = min(bisect_right(self.xs, x) - 1, len(self.xs) - 2)
        return self.owner[(r, c)]


def find_grids(image: Any) -> list[Grid]:
    """Ruled tables: groups of horizontal and vertical lines that cross, at least 2 of each
    (3 cells) — a lone underline or frame is not a table."""
    import numpy as np

    dark = np.asarray(image) < 160
    h, w = dark.shape
    tol = max(3.0, w / 400)
    hs = _segments(dark, max(w // 30, 20))
    vs = [v for v in _segments(dark.T, max(h // 80, 15))]
    # a vertical segment belongs to a table only if it touches horizontal lines at both ends
    def touches(v: _Seg, y: float) -> bool:
        return any(abs(s.pos - y) <= 2 * tol and s.lo - tol <= v.pos <= s.hi + tol for s in hs)

    vs = [v for v in vs if touches(v, v.lo) and touches(v, v.hi)]
    if len(hs) < 2 or len(vs) < 2:
        return []
    # connected components of crossing segments
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, s in enumerate(hs):
        for j, v in enumerate(vs):
            if s.lo - tol <= v.pos <= s.hi + tol and v.lo - tol <= s.pos <= v.hi + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[_Seg], list[_Seg]]] = {}
    for i, s in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(s)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    grids = []
    for hgroup, vgroup in groups.values():
        if len(hgroup) >= 2 and len(vgroup) >= 2:
            grid = _grid(hgroup, vgroup, tol)
            if grid is not None:
                grids.append(grid)
    return sorted(grids, key=lambda g: g.ys[0])


def _grid(hs: list[_Seg], vs: list[_Seg], tol: float) -> Grid | None:
    # open-sided tables (no outer verticals) take their extent from the horizontal lines
    xs = _cluster([v.pos for v in vs] + [min(s.lo for s in hs), max(s.hi for s in hs)], tol)
    ys = _cluster([s.pos for s in hs] + [min(v.lo for v in vs), max(v.hi for v in vs)], tol)
    if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) < 3:
        return None

    def v_sep(x: float, y: float) -> bool:  # a vertical line at x crosses height y
        return any(abs(v.pos - x) <= tol and v.lo - tol <= y <= v.hi + tol for v in vs)

    def h_sep(y: float, x: float) -> bool:
        return any(abs(s.pos - y) <= tol and s.lo - tol <= x <= s.hi + tol for s in hs)

    n_r, n_c = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(n_r) for c in range(n_c)}

    def find(p: tuple[int, int]) -> tuple[int, int]:
        while parent[p] != p:
            p = parent[p]
        return p

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(n_r):
        ym = (ys[r] + ys[r + 1]) / 2
        for c in range(n_c - 1):
            if not v_sep(xs[c + 1], ym):
                union((r, c), (r, c + 1))
    for c in range(n_c):
        xm = (xs[c] + xs[c + 1]) / 2
        for r in range(n_r - 1):
            if not h_sep(ys[r + 1], xm):
                union((r, c), (r + 1, c))
    owner = {p: find(p) for p in parent}
    # the top-left of a merged region is its smallest row, then smallest column
    regions: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for p, o in owner.items():
        regions.setdefault(o, []).append(p)
    for members in regions.values():
        top_left = min(members)
        for p in members:
            owner[p] = top_left
    return Grid(xs, ys, owner)


# ---------------------------------------------------------------- boxes → page items

def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into visual lines (a box joins a line its vertical centre falls in),
    each sorted left to right, lines top to bottom."""
    lines: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        for line in reversed(lines[-3:]):
            top = min(x.top for x in line)
            bottom = max(x.bottom for x in line)
            if top <= b.cy <= bottom and not any(b.x0 < x.x1 and x.x0 < b.x1 for x in line):
                line.append(b)
                break
        else:
            lines.append([b])
    for line in lines:
        line.sort(key=lambda b: b.x0)
    return sorted(lines, key=lambda ln: min(b.top for b in ln))


def _line_text(line: list[Box]) -> tuple[str, list[tuple[int, int, float]]]:
    """A line's text (boxes far apart are separated by a space) and each box's span in it."""
    text = ""
    spans = []
    for i, b in enumerate(line):
        if i and b.x0 - line[i - 1].x1 > 0.8 * b.height:
            text += " "
        spans.append((len(text), len(text) + len(b.text), b.confidence))
        text += b.text
    return text, spans


def page_items(image: Any, boxes: list[Box]) -> OcrPage:
    """The page's text lines and table grids top to bottom, as `pdf._assemble` takes them."""
    grids = find_grids(image)
    in_cells: list[dict[tuple[int, int], list[Box]]] = [{} for _ in grids]
    free: list[Box] = []
    for b in boxes:
        for g, grid in zip(in_cells, grids):
            pos = grid.position(b.cx, b.cy)
            if pos is not None:
                g.setdefault(pos, []).append(b)
                break
        else:
            free.append(b)
    page = OcrPage(items=[])
    entries: list[tuple[float, int, str, Any]] = []
    heights = sorted(b.height for b in boxes) or [20.0]
    char_w = heights[len(heights) // 2]
    for line in _lines(free):
        text, spans = _line_text(line)
        entries.append((min(b.top for b in line), 0, "line",
                        {"text": text, "x0": line[0].x0, "x1": line[-1].x1, "top": min(b.top for b in line),
                         "char_w": char_w, "spans": spans, "lead_w": _lead_width(text, line)}))
    for grid, cell_boxes in zip(grids, in_cells):
        if not cell_boxes:
            continue  # a ruled frame with nothing in it (a signature box, a stamp frame)
        n_r, n_c = len(grid.ys) - 1, len(grid.xs) - 1
        cells = [[""] * n_c for _ in range(n_r)]
        conf: dict[tuple[int, int], float] = {}
        for (r, c), bs in cell_boxes.items():
            cells[r][c] = join_cell_lines("\n".join(_line_text(ln)[0] for ln in _lines(bs)))
            conf[(r, c)] = min(b.confidence for b in bs)
        merged = {p: o for p, o in grid.owner.items() if p != o}
        entries.append((grid.ys[0], 1, "table", ((cells, merged), conf)))
    entries.sort(key=lambda e: (e[0], e[1]))
    for _, _, kind, item in entries:
        if kind == "line":
            page.spans.append((item["text"], item.pop("spans")))
            page.items.append(("line", item))
        else:
            grid_cells, conf = item
            page.cells.append(conf)
            page.items.append(("table", grid_cells))
    return page


def read_image(image: Any, engine: str | None = None) -> OcrPage:
    """OCR one page image (PIL): levelled, recognized, laid out."""
    image = deskew(fit(image))
    return page_items(image, recognize(image, engine))


# ---------------------------------------------------------------- PDFs

def render_pdf_pages(path: str, numbers: Iterable[int], dpi: int = RENDER_DPI) -> Iterable[tuple[int, Any]]:
    """(page number, PIL image) of the 1-based `numbers` of a PDF, rendered by pdfium."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        for n in numbers:
            page = pdf[n - 1]
            try:
                w, h = page.get_size()
                scale = min(dpi / 72, MAX_SIDE / max(w, h, 1))
                yield n, page.render(scale=scale, grayscale=True).to_pil()
            finally:
                page.close()
    finally:
        pdf.close()


def ocr_pages_of(path: str, pages: list[list[tuple[str, Any]]], numbers: list[int],
                 engine: str | None = None) -> dict[str, Any]:
    """Replace the items of the 1-based PDF pages `numbers` (at most MAX_PAGES) by their
    OCR. Returns the meta to record: `ocr_read_pages`, `ocr_engine`, the pages left unread
    (`ocr_skipped_pages`: past the limit, no recognizer installed, or the page failed, with
    `ocr_note` saying why) and, for `locate_confidence`, the pages read under `_ocr`."""
    try:
        name = engine_name(engine)
    except OcrUnavailable as exc:
        return {"ocr_skipped_pages": list(numbers), "ocr_note": str(exc)}
    limit = max_pages()
    done, skipped = numbers[:limit], numbers[limit:]
    meta: dict[str, Any] = {"ocr_engine": name}
    if skipped:
        meta["ocr_note"] = f"OCR stops after {limit} pages"
    read: dict[int, OcrPage] = {}
    for n, image in render_pdf_pages(path, done):
        try:
            read[n] = read_image(image, name)
        except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as exc:
            skipped.append(n)
            meta["ocr_note"] = f"OCR failed on page {n} ({type(exc).__name__})"
            continue
        pages[n - 1] = read[n].items
    meta.update(ocr_read_pages=sorted(read), _ocr=read)
    if skipped:
        meta["ocr_skipped_pages"] = sorted(skipped)
    return meta


# ---------------------------------------------------------------- confidence

def locate_confidence(doc: Any) -> None:
    """Record where the OCR'd text and cells (`meta["_ocr"]`, removed) landed in the built
    Document, with their confidence: `meta["ocr_spans"]` [(start, end, conf)] and
    `meta["ocr_cells"]` {(table, row, col): conf}."""
    read: dict[int, OcrPage] | None = doc.meta.pop("_ocr", None)
    if not read:
        return
    spans: list[tuple[int, int, float]] = []
    cells: dict[tuple[int, int, int], float] = {}
    text = doc.text
    tables_by_page: dict[int, list[int]] = {}
    for t in doc.tables:
        tables_by_page.setdefault(t.page or 0, []).append(t.index)
    for number in sorted(read):
        page = read[number]
        lo = doc.page_starts[number - 1] if number - 1 < len(doc.page_starts) else 0
        cursor = lo
        for line, boxes in page.spans:
            at = text.find(line.strip(), cursor)
            if at < 0:
                continue
            shift = at - (len(line) - len(line.lstrip()))
            spans += [(shift + s, shift + e, c) for s, e, c in boxes]
            cursor = at + len(line.strip())
        for index, conf in zip(tables_by_page.get(number, []), page.cells):
            cells.update({(index, r, c): v for (r, c), v in conf.items()})
    doc.meta["ocr_spans"] = spans
    doc.meta["ocr_cells"] = cells


def apply_confidence(doc: Any, quantities: list[Any]) -> None:
    """Each quantity read from OCR'd text or cells carries the lowest confidence of the boxes
    it was read from (and keeps a lower one its own reading gave it)."""
    spans = doc.meta.get("ocr_spans")
    cells = doc.meta.get("ocr_cells")
    if spans is None and cells is None:
        return
    starts = [s for s, _, _ in spans or []]
    for q in quantities:
        found: list[float] = []
        if q.table is not None and cells and (q.table, q.row, q.col) in cells:
            found.append(cells[(q.table, q.row, q.col)])
        elif q.start is not None and spans:  # prose, and tables rebuilt from OCR'd text
            i = bisect_right(starts, q.end) - 1
            while i >= 0 and spans[i][1] > q.start:
                s, e, c = spans[i]
                if s < q.end and e > q.start:
                    found.append(c)
                i -= 1
        if found:
            q.confidence = round(min([q.confidence] + found), 3)
            q.extra["ocr"] = True


LOW_CONFIDENCE = 0.9  # an OCR'd figure read with less is called uncertain in the flags on it


def soften_flags(flags: list[Any], quantities: list[Any]) -> list[Any]:
    """A check that rests on an OCR'd figure of low confidence is a warning that says so:
    a misread is not a mistake of the report."""
    by_span = {(q.start, q.end): q for q in quantities if q.extra.get("ocr") and q.start is not None}
    by_cell = {(q.table, q.row, q.col): q for q in quantities if q.extra.get("ocr") and q.table is not None}
    if not by_span and not by_cell:
        return flags
    for f in flags:
        sources = [f] + list(f.evidence or [])
        found = [by_cell.get((s.table, s.row, s.col)) if s.table is not None else by_span.get((s.start, s.end))
                 for s in sources]
        low = min((q.confidence for q in found if q is not None), default=1.0)
        if low < LOW_CONFIDENCE:
            f.severity = "warning"
            f.confidence = round(min(f.confidence, low), 3)
            f.message += f"（所依据的数字为OCR识别，置信度{low:.2f}，可能是识别错误）"
            f.message_en += f" (an OCR'd figure with confidence {low:.2f}: possibly a misreading)"
    return flags


def warm_up() -> None:
    """Load the recognizer's models now if RapidOCR is installed (a worker does this before
    its memory limit is set); nothing happens without it."""
    try:
        if engine_name() == "rapidocr":
            _rapid()
    except (OcrUnavailable, ImportError, OSError, RuntimeError):
        pass


def _lead_width(text: str, line: list) -> float:
    """Width of the figure or Latin word a line starts with (0 before a Chinese character),
    shared out of the line's width by characters: what `pdf._assemble` uses to tell a wrap."""
    n = 0
    while n < len(text) and text[n].isascii() and not text[n].isspace():
        n += 1
    return (line[-1].x1 - line[0].x0) * n / len(text) if n and text else 0.0
