"""Write one small document description to PDF, DOCX, XLSX or TXT.

The generator (`synth`), the committed corpus and the tests all need the *same* report in
several formats, so the layout lives here once: a title, paragraphs, and ruled tables with
merged cells and caption lines (`收入支出决算总表`, `单位：万元`) right above them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMATS = ("pdf", "docx", "xlsx", "txt")
_FONT = "STSong-Light"


@dataclass
class Para:
    text: str
    # PDF: the paragraph starts on the last line of a page and runs on over the page break
    # (what a long report does to some of its sentences; set to put a break inside one)
    runs_over: bool = False


@dataclass
class TableSpec:
    """A grid of cell texts. `merged` holds inclusive (r0, c0, r1, c1) boxes; the cells a box
    covers (all but its top-left) should be "". `caption` lines are written above the table."""

    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    caption: str = ""
    # how a PDF draws the table's rulings: "grid" (stroked lines), "outline" (each border a
    # thin filled polygon, as several 决算 generators draw them) or "none" (no rulings at
    # all, amounts right-aligned: the columns show only by the text's alignment)
    rulings: str = "grid"
    narrow: bool = False  # PDF: figure columns narrower than their figures, which wrap in the cell

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def grid(self) -> list[list[str]]:
        """Rows padded to the same width."""
        n = self.n_cols
        return [list(r) + [""] * (n - len(r)) for r in self.rows]


@dataclass
class PageBreak:
    """A new page (PDF, DOCX); workbooks and text have no pages and skip it."""


@dataclass
class DocSpec:
    title: str
    blocks: list[Para | TableSpec | PageBreak] = field(default_factory=list)
    # a PDF prints its page number at the foot of every page as a 公文 does (`— 3 —`, GB/T 9704)
    folios: bool = False
    # a PDF prints this line (the document's title, a department's name) at the top of every page
    running_head: str = ""
    # a PDF's page as a 公文's (GB/T 9704): 16-point body on a 28.9-point leading, 22 lines of 28
    # characters in a 156 × 225 mm type area (else 10.5-point body, 18 mm margins, as office exports)
    official_page: bool = False


@dataclass(frozen=True)
class FigureFont:
    """Figures drawn in a second font, size and baseline from the Chinese around them, as
    common 决算 generators write them (Helvetica digits raised beside 宋体 words). Readers
    that group characters into lines by font or top detach every figure from its unit."""

    name: str = "Helvetica"
    scale: float = 1.15  # the figures' size over the words' size
    rise: float = 1.5  # points above the words' baseline


def render(spec: DocSpec, path: str | Path, encoding: str = "utf-8", figures: FigureFont | None = None) -> Path:
    """Write `spec` to `path` in the format its suffix names; `encoding` applies to TXT
    only, `figures` (a second font for the figures) to PDF only."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    writers = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx}
    if fmt == "txt":
        render_txt(spec, path, encoding)
    elif fmt == "pdf":
        render_pdf(spec, path, figures)
    elif fmt in writers:
        writers[fmt](spec, path)
    else:
        raise ValueError(f"unsupported format: {path.suffix!r} (use one of {FORMATS})")
    return path


def _caption_lines(t: TableSpec) -> list[str]:
    return [ln for ln in t.caption.split("\n") if ln.strip()]


# ---- TXT ----------------------------------------------------------------------------

def render_txt(spec: DocSpec, path: Path, encoding: str = "utf-8") -> None:
    """Plain text as web pages repost it: tables as one row per line, cells split by `|`."""
    lines = [spec.title, ""]
    for b in spec.blocks:
        if isinstance(b, PageBreak):
            continue
        if isinstance(b, Para):
            lines.append(b.text)
        else:
            lines.extend(_caption_lines(b))
            covered = _covered(b)
            for r, row in enumerate(b.grid()):
                cells = [c for ci, c in enumerate(row) if (r, ci) not in covered]
                lines.append(" | ".join(cells))
            lines.append("")
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def _covered(t: TableSpec) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in t.merged:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    out.add((r, c))
    return out


# ---- DOCX ---------------------------------------------------------------------------

def render_docx(spec: DocSpec, path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    d.add_heading(spec.title, level=1)
    for b in spec.blocks:
        if isinstance(b, PageBreak):
            d.add_page_break()
            continue
        if isinstance(b, Para):
            d.add_paragraph(b.text)
            continue
        for ln in _caption_lines(b):
            d.add_paragraph(ln)
        grid = b.grid()
        table = d.add_table(rows=len(grid), cols=b.n_cols)
        table.style = "Table Grid"
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                if text:
                    table.cell(r, c).text = text
        for r0, c0, r1, c1 in b.merged:
            table.cell(r0, c0).merge(table.cell(r1, c1))
            table.cell(r0, c0).text = grid[r0][c0]  # merge concatenates paragraphs; keep one
        d.add_paragraph("")
    d.save(str(path))


# ---- XLSX ---------------------------------------------------------------------------

def render_xlsx(spec: DocSpec, path: Path) -> None:
    """One sheet: title row, paragraphs in column A, tables as ranges with real merges."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = max([t.n_cols for t in spec.blocks if isinstance(t, TableSpec)] or [1])
    ws.cell(row=1, column=1, value=spec.title)
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    r = 2
    for b in spec.blocks:
        if isinstance(b, PageBreak):
            continue
        if isinstance(b, Para):
            ws.cell(row=r, column=1, value=b.text)
            r += 1
            continue
        for ln in _caption_lines(b):
            ws.cell(row=r, column=1, value=ln)
            r += 1
        for i, row in enumerate(b.grid()):
            for c, text in enumerate(row):
                cell = ws.cell(row=r + i, column=c + 1)
                _set_xlsx_value(cell, text)
                cell.border = border
        for r0, c0, r1, c1 in b.merged:
            ws.merge_cells(start_row=r + r0, start_column=c0 + 1, end_row=r + r1, end_column=c1 + 1)
        r += len(b.rows) + 1
    wb.save(str(path))


_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?(%?)")


def _set_xlsx_value(cell, text: str) -> None:  # noqa: ANN001 (openpyxl cell)
    """Numbers as numeric cells with a format that shows the written decimals (`83.90%` is
    0.839 formatted `0.00%`), as exported workbooks store them; other text stays text."""
    if not text:
        return
    hit = _NUMBER.fullmatch(text)
    if hit is None:
        cell.value = text
        cell.data_type = "s"  # `=100%` or `=` (指标性质) must not become a formula
        return
    digits, percent = hit.group(1) or "", hit.group(2)
    number = Decimal(text.rstrip("%"))
    cell.value = float(number.scaleb(-2) if percent else number)
    cell.number_format = ("0." + "0" * len(digits) if digits else "0") + percent


# ---- PDF ----------------------------------------------------------------------------

def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def render_pdf(spec: DocSpec, path: Path, figures: FigureFont | None = None) -> None:
    """A text PDF with ruled tables (GRID), as office software exports them; with
    `figures`, every figure (digits with their separators and a trailing %) in that font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab import platypus
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .render_rulings import OutlinedTable

    _register_font()
    size, leading = (16, 28.9) if spec.official_page else (10.5, 16)
    body = ParagraphStyle("body", fontName=_FONT, fontSize=size, leading=leading, wordWrap="CJK",
                          allowOrphans=int(spec.official_page))
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11)
    # left, right, top, bottom margins
    margins = (28 * mm, 26 * mm, 37 * mm, 35 * mm) if spec.official_page else (18 * mm,) * 4
    page_w = A4[0] - margins[0] - margins[1]
    # on the official page's narrow column a long title wraps inside a word (`…绩效` / `自评报告`)
    title = ParagraphStyle("title", parent=body, fontSize=15.0, leading=22, alignment=1)
    story: list = [Paragraph(_markup(spec.title, figures, title.fontSize), title), Spacer(1, 4 * mm)]
    for b in spec.blocks:
        if isinstance(b, PageBreak):
            story.append(platypus.PageBreak())
            continue
        if isinstance(b, Para):
            if b.runs_over:
                story.append(_to_last_line(body.leading))
            story.append(Paragraph(_markup(b.text, figures, body.fontSize), body))
            continue
        for ln in _caption_lines(b):
            story.append(Paragraph(_markup(ln, figures, body.fontSize), body))
        grid = b.grid()
        right = ParagraphStyle("amount", parent=cell, alignment=2)
        data = [[Paragraph(_markup(t, figures, cell.fontSize), right if b.rulings == "none" and _AMOUNT.fullmatch(t)
                           else cell) if t else "" for t in row] for row in grid]
        kind = OutlinedTable if b.rulings == "outline" else Table
        widths = _col_widths(grid, page_w, b.merged, cell.fontSize, figures.scale if figures else 1.0)
        if b.narrow:
            widths = _narrowed(grid, widths, cell.fontSize)
        t = kind(data, colWidths=widths, repeatRows=0)
        style = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONTNAME", (0, 0), (-1, -1), _FONT),
        ]
        if b.rulings == "grid":
            style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in b.merged]
        t.setStyle(TableStyle(style))
        story += [t, Spacer(1, 4 * mm)]
    def furniture(canvas, doc) -> None:  # noqa: ANN001 - reportlab's page callback
        canvas.saveState()
        if spec.folios:
            canvas.setFont(_FONT, 10.5)
            canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {doc.page} —")
        if spec.running_head:  # at the text column's left edge, above it, smaller than the body
            canvas.setFont(_FONT, 9)
            canvas.drawString(margins[0], A4[1] - 10 * mm, spec.running_head)
        canvas.restoreState()

    pages = {"onFirstPage": furniture, "onLaterPages": furniture} if spec.folios or spec.running_head else {}
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=margins[0], rightMargin=margins[1],
                      topMargin=margins[2], bottomMargin=margins[3], title=spec.title).build(story, **pages)


@functools.lru_cache(maxsize=1)
def _to_last_line_class() -> type:
    from reportlab.platypus import Flowable

    class ToLastLine(Flowable):
        """Blank room down to the page's last line: the paragraph after it starts there."""

        def __init__(self, leading: float) -> None:
            super().__init__()
            self.leading = leading

        def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
            self.height = max(0.0, avail_h - self.leading * 1.5)
            return avail_w, self.height

        def draw(self) -> None:
            pass

    return ToLastLine


def _to_last_line(leading: float) -> Any:
    """A flowable that leaves room for one line of `leading` at the foot of the page (reportlab
    loads with the first PDF rendered, so the class is made then)."""
    return _to_last_line_class()(leading)


def _col_widths(grid: list[list[str]], total: float, merged: list[tuple[int, int, int, int]],
               font_size: float, figure_scale: float = 1.0) -> list[float]:
    """Column widths in points: every number and short label fits on one line (a wrapped
    number is a trap of its own, not what these samples test); long text shares the rest.
    Figures are `figure_scale` times the words' size."""
    n = max(len(r) for r in grid)
    spanning = {(r0, c0) for r0, c0, r1, c1 in merged if c1 > c0}

    def width(text: str) -> float:
        return sum(font_size * (0.6 * figure_scale if ord(ch) < 0x2000 else 1.0) for ch in text) + 14

    floor = [18.0] * n
    want = [18.0] * n
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if not text or (r, c) in spanning:
                continue
            w = width(text)
            if (any(ch.isdigit() for ch in text) and len(text) <= 16) or len(text) <= 3:
                floor[c] = max(floor[c], w)
            want[c] = max(want[c], min(w, font_size * 7 + 14))
    want = [max(w, f) for w, f in zip(want, floor)]
    spare = total - sum(floor)
    extra = [w - f for w, f in zip(want, floor)]
    if spare <= 0 or sum(extra) == 0:
        return [f * total / sum(floor) for f in floor] if spare < 0 else [f + spare / n for f in floor]
    k = min(1.0, spare / sum(extra))
    widths = [f + e * k for f, e in zip(floor, extra)]
    rest = total - sum(widths)
    return [w + rest / n for w in widths]


_BARE_FIGURE = re.compile(r"-?[0-9][0-9,]*\.[0-9]+")


def _narrowed(grid: list[list[str]], widths: list[float], font_size: float) -> list[float]:
    """Columns of bare figures made one digit narrower than their longest figure (a cell's
    padding included), so that it wraps (`1682.7` over `6`); the width saved goes to the others."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out = list(widths)
    for c in range(len(widths)):
        figs = [row[c] for row in grid[1:] if c < len(row) and _BARE_FIGURE.fullmatch(row[c])]
        if figs and len(figs) >= (len(grid) - 1) // 2:
            longest = max(figs, key=lambda x: stringWidth(x, _FONT, font_size))
            out[c] = stringWidth(longest[:-1], _FONT, font_size) + 12.5  # (6 pt padding a side)
    rest = [c for c in range(len(widths)) if out[c] == widths[c]]
    spare = sum(widths) - sum(out)
    for c in rest:
        out[c] += spare / len(rest)
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_FIGURE = re.compile(r"[0-9][0-9,.]*%?")
_AMOUNT = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?")


def _markup(text: str, figures: FigureFont | None, size: float) -> str:
    """`text` as reportlab paragraph markup, its figures in the `figures` font (the words
    being `size` points)."""
    if figures is None:
        return _esc(text)
    big = round(size * figures.scale, 2)
    tag = f'<font name="{figures.name}" size="{big:g}"><super rise="{figures.rise:g}" size="{big:g}">'
    out, at = [], 0
    for hit in _FIGURE.finditer(text):
        out += [_esc(text[at:hit.start()]), tag, _esc(hit.group()), "</super></font>"]
        at = hit.end()
    out.append(_esc(text[at:]))
    return "".join(out)


# ---- scans (OCR fixtures) -------------------------------------------------------------------

def render_text_pdf(paragraphs: list[str], path: str | Path) -> Path:
    """A plain text PDF of `paragraphs` in STSong-Light (a report typed in Word)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    _register_font()
    style = ParagraphStyle("zh", fontName=_FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(_esc(p), style) for p in paragraphs])
    return Path(path)


def scan_images(pdf: str | Path, dpi: int = 200, noise: float = 0.0, skew: float = 0.0,
                jpeg: int | None = None, seed: int = 0) -> list:
    """The pages of a PDF as a scanner would deliver them (grey PIL images): rendered by
    pdfium at `dpi`, turned `skew` degrees, with salt-and-pepper `noise` (share of pixels)
    and JPEG artefacts at quality `jpeg`. Non-embedded CJK fonts need a system CJK font."""
    import io
    import random

    import pypdfium2
    from PIL import Image

    rng = random.Random(seed)
    doc = pypdfium2.PdfDocument(str(pdf))
    images = []
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if skew:
                img = img.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
            if noise:
                px = img.load()
                for _ in range(int(img.width * img.height * noise)):
                    px[rng.randrange(img.width), rng.randrange(img.height)] = rng.choice((0, 255))
            if jpeg:
                buf = io.BytesIO()
                img.save(buf, format="JPEG", quality=jpeg)
                img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
            images.append(img)
    finally:
        doc.close()
    return images


def printed_as(items: list[dict], text: str, what: str, grow=None) -> list[dict]:  # noqa: ANN001
    """Gold items with their `text` as `text` prints them (another script, more decimals),
    found in document order; `grow(want, normalised_text, end)` may extend a match."""
    from ..text.normalize import normalize

    nt = normalize(text)
    out, cursor = [], 0
    for it in items:
        want = normalize(it["text"]).text
        at = nt.text.find(want, cursor)
        if at < 0:
            raise ValueError(f"{it['text']!r} is not in the {what} document")
        end = grow(want, nt.text, at + len(want)) if grow else at + len(want)
        s, e = nt.span(at, end)
        out.append(dict(it, text=text[s:e]))
        cursor = end
    return out
