"""A flag on its PDF page: the page rendered by pypdfium2, the span or cell highlighted, cropped.

The document model keeps text offsets, not coordinates, so the place is found again on the
page: pdfium's text search gives every occurrence of the flagged text, and the document
says which occurrence it is (how many times the text appears on that page before the flag,
in reading order: paragraphs by offset, table cells row by row). A text that pdfium cannot
find (a number wrapped inside its cell) falls back to its longest run of digits; failing
that the page top is shown without a highlight, and the page says so.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import regex

from ..model import Document

SCALE = 1.6  # 115 dpi: table digits stay legible, crops stay small
MARGIN = 70.0  # points of page shown above and below the highlighted span
MAX_BAND = 320.0  # points: a crop never grows taller than this around its highlight
_DIGITS = regex.compile(r"[0-9][0-9.,，]*[0-9]|[0-9]")

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass
class Target:
    """A place to highlight: the text and which occurrence of it on the page."""

    text: str
    occurrence: int
    strong: bool  # the flagged span itself (evidence is drawn lighter)


def occurrence_on_page(document: Document, page: int, text: str, start: int | None,
                       table: int | None, row: int | None, col: int | None) -> int:
    """How many times `text` occurs on `page` before the flagged place, in reading order."""
    if not text:
        return 0
    count = 0
    for block in document.blocks:
        if block.page != page:
            continue
        if block.kind == "paragraph" and block.start is not None and block.end is not None:
            if start is not None and block.start <= start < block.end + 1:
                return count + document.text[block.start:start].count(text)
            if start is not None and block.start > start:
                return count
            count += document.text[block.start:block.end].count(text)
        elif block.kind == "table" and block.table is not None:
            t = block.table
            if table is not None and t.index == table and row is not None and col is not None:
                for r in range(t.n_rows):
                    for c in range(len(t.cells[r])):
                        if (r, c) == (row, col):
                            return count
                        count += t.cells[r][c].count(text)
            count += sum(cell.count(text) for cells in t.cells for cell in cells)
    return count


def _search(textpage: Any, text: str) -> list[Box]:
    """Every occurrence of `text` on the page as one bounding box each."""
    found: list[Box] = []
    searcher = textpage.search(text, match_case=True)
    try:
        while len(found) < 500:
            hit = searcher.get_next()
            if not hit:
                break
            i, n = hit
            boxes = [textpage.get_charbox(k) for k in range(i, i + n)]
            boxes = [b for b in boxes if b[2] > b[0] or b[3] > b[1]] or boxes
            found.append((min(b[0] for b in boxes), min(b[1] for b in boxes),
                          max(b[2] for b in boxes), max(b[3] for b in boxes)))
    finally:
        searcher.close()
    return found


def locate(textpage: Any, target: Target) -> Box | None:
    """The box of the target's occurrence on the page, by its text or its digits."""
    texts = [target.text.strip()]
    digits = max(_DIGITS.findall(target.text), key=len, default="")
    if digits and digits != texts[0]:
        texts.append(digits)
    for text in texts:
        if not text:
            continue
        boxes = _search(textpage, text)
        if boxes:
            return boxes[min(target.occurrence, len(boxes) - 1)]
    return None


def _to_image(box: Box, rotation: int, w0: float, h0: float, scale: float) -> tuple[float, float, float, float]:
    """A box in unrotated PDF points as (x0, y0, x1, y1) pixels of the rendered (rotated) page."""
    def point(x: float, y: float) -> tuple[float, float]:
        if rotation == 90:
            return y, x
        if rotation == 180:
            return w0 - x, y
        if rotation == 270:
            return h0 - y, w0 - x
        return x, h0 - y

    (ax, ay), (bx, by) = point(box[0], box[1]), point(box[2], box[3])
    return (min(ax, bx) * scale, min(ay, by) * scale, max(ax, bx) * scale, max(ay, by) * scale)


def render_crop(pdf: Any, page: int, targets: list[Target], scale: float = SCALE,
                cache: dict[int, tuple[Any, Any, int]] | None = None) -> tuple[str, bool]:
    """The page band around the strong target as a PNG data URI, and whether it was found.

    Evidence targets that fall inside the band are outlined too. `cache` (page -> rendered
    image, text page, rotation) lets several flags of one page render it once; the caller
    closes the text pages it holds (`close_cache`).
    """
    from PIL import Image, ImageDraw

    cache = {} if cache is None else cache
    owned = page not in cache
    if owned:
        pg = pdf[page - 1]
        cache[page] = (pg.render(scale=scale).to_pil().convert("RGB"), pg.get_textpage(), pg.get_rotation() % 360)
    image, textpage, rotation = cache[page]
    boxes = [(t, locate(textpage, t)) for t in targets]
    w_px, h_px = image.size
    w0, h0 = (w_px / scale, h_px / scale) if rotation in (0, 180) else (h_px / scale, w_px / scale)
    pixels = [(t, _to_image(b, rotation, w0, h0, scale)) for t, b in boxes if b is not None]
    strong = [p for t, p in pixels if t.strong]
    if strong:
        y0 = max(0.0, min(p[1] for p in strong) - MARGIN * scale)
        y1 = min(float(h_px), max(p[3] for p in strong) + MARGIN * scale)
        y1 = min(y1, y0 + 2 * MARGIN * scale + MAX_BAND * scale)
    else:
        y0, y1 = 0.0, min(float(h_px), (2 * MARGIN + MAX_BAND) * scale)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 2 * scale
    for t, (x0, py0, x1, py1) in pixels:
        rect = (x0 - pad, py0 - pad, x1 + pad, py1 + pad)
        if t.strong:
            draw.rectangle(rect, fill=(255, 214, 0, 110), outline=(214, 40, 40, 255), width=max(2, int(scale * 1.5)))
        else:
            draw.rectangle(rect, outline=(30, 100, 220, 230), width=max(1, int(scale)))
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    band = image.crop((0, int(y0), w_px, int(y1)))
    if cache is not None and owned and len(cache) > 4:  # keep a few pages: flags come in page order
        oldest = next(iter(cache))
        cache.pop(oldest)[1].close()
    buf = io.BytesIO()
    band.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), bool(strong)


def close_cache(cache: dict[int, tuple[Any, Any, int]]) -> None:
    """Release the text pages a render cache holds."""
    for _, textpage, _ in cache.values():
        textpage.close()
    cache.clear()
