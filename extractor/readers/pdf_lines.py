"""Which characters of a PDF page share a text line, from their boxes.

pdfplumber puts characters on one line when their tops lie within a few points of each
other. PDFs from common 决算 generators draw the figures of a sentence in another font,
size or baseline than the Chinese words around them (Helvetica digits raised a point or
two beside 宋体 words): their tops differ by more than that tolerance, and every figure
of a line would move to a line of its own after the words (`本年收入合计 万元` and then
`1234.56`), cut off from its unit and its label. A line is what the eye sees, as pdfium
orders text: characters whose boxes overlap vertically by most of the smaller height,
then read by x. `level` gives the characters of such a line one common top, so that
pdfplumber's own word and line code reads them together, left to right.
"""
from __future__ import annotations

# characters share a line when their boxes overlap vertically by this share of the
# smaller box (consecutive lines of text do not overlap at all; a raised figure overlaps
# its words by most of its height)
MIN_OVERLAP = 0.5


def level(chars: list[dict], tolerance: float) -> list[dict]:
    """`chars` with one common top for the characters of each visual line whose tops
    differ by more than `tolerance` (pdfplumber's y tolerance); the list itself, untouched,
    when no line needs it."""
    order = sorted((c for c in chars if c.get("upright", True)), key=lambda c: c["top"])
    lines: list[list[dict]] = []
    core_top = core_bottom = 0.0
    for char in order:
        height = char["bottom"] - char["top"]
        if lines:
            overlap = min(core_bottom, char["bottom"]) - max(core_top, char["top"])
            if overlap > 0 and overlap >= MIN_OVERLAP * min(height, core_bottom - core_top):
                lines[-1].append(char)
                continue
        lines.append([char])
        core_top, core_bottom = char["top"], char["bottom"]
    new_top: dict[int, float] = {}
    for line in lines:
        tops = [c["top"] for c in line]
        if max(tops) - min(tops) <= tolerance:
            continue
        # the words' top: blanks do not vote, since pdfium folds runs of them (see pdf_pdfium)
        common = _mode([c["top"] for c in line if not c["text"].isspace()] or tops)
        for c in line:
            new_top[id(c)] = common
    if not new_top:
        return chars
    return [_moved(c, new_top[id(c)]) if id(c) in new_top else c for c in chars]


def _mode(values: list[float]) -> float:
    """The most frequent value (the words' top, not the figures'), the first on a tie."""
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: counts[v])


def _moved(char: dict, top: float) -> dict:
    shift = top - char["top"]
    return dict(char, top=top, doctop=char["doctop"] + shift)
