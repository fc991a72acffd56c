"""Tables printed without ruling lines, found from how their text lines up.

A 决算/预算 table exported with no borders reaches the reader as lines of text: every row a
line whose cells stand apart by wide gaps, the amounts in columns. Read as prose, a row
becomes a sentence and its figures lose their column headers. pdfplumber's `"text"` table
strategy was tried first: it merges neighbouring columns whose words nearly touch, adds an
empty row between every two lines and takes the caption lines above a table into it, so the
grid is rebuilt here from the page's lines, in one pass over them:

- a line is cut into *segments* where the space between two visible characters is at least
  `CELL_GAP` character widths (the words of one cell sit closer);
- lines whose boxes are separated by less than `ROW_GAP` of a character's height belong to
  one *band* (the lines of one table row: wrapped names, headers over several lines);
- a run of at least `MIN_ROWS` bands each holding a figure cell (`1,234.56`, `0.00`:
  `patterns/grid_cells.json`) beside other text is a table body; its columns are the gaps shared by all its segments (the
  union of their x-extents);
- bands right above the body whose segments all sit inside those columns are its header;
  bands below it that fit the columns (rows whose amounts are blank) go on with it, up to a
  line that straddles a column gap (a note, a caption, prose) or a wide vertical gap.

The table's cells are the segments of each band, column by column (wrapped lines joined);
the lines above it stay paragraphs and become its context, as for a ruled table. Prose never
forms a body: its lines are single segments, and a sentence that straddles the columns ends
the run.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import regex

from .. import patternbook

# two visible characters this many character widths apart or more are in different cells
CELL_GAP = 1.0
# lines whose boxes are closer than this share of a character's height are one table row
ROW_GAP = 0.45
# a body has at least this many rows holding an amount
MIN_ROWS = 3
# a band this many character heights below the previous one starts something else (blank rows
# of a table leave gaps of a row or two)
MAX_ROW_SPACING = 6.0
# no budget table has more columns: a run with more is scattered text (and the cost of
# placing cells stays bounded on hostile pages)
MAX_COLUMNS = 64


@dataclass
class Segment:
    text: str
    x0: float
    x1: float
    top: float


@dataclass
class Band:
    """The lines of one table row (or one line of anything else)."""

    lines: list[dict] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0

    @property
    def numeric(self) -> bool:
        """A row of a table body: several cells, one of them a figure."""
        return len(self.segments) >= 2 and any(_figure().fullmatch(s.text) for s in self.segments)


def find(lines: list[dict], char_w: float) -> tuple[list[tuple[tuple[float, float, float, float], list[list[str]]]],
                                                     list[dict]]:
    """The borderless tables among a page's text lines (pdfplumber line dicts with their
    `chars`, top to bottom): ([(bbox, cells)], the lines that are not in a table), each of
    these given `row`: whether it is printed as a table row (`row_like`). A line's
    segments are cut once, for both."""
    segments = {id(ln): _segments(ln, char_w) for ln in lines}
    for ln in lines:
        ln["row"] = row_like(segments[id(ln)])
    if len(lines) < MIN_ROWS:
        return [], lines
    bands = _bands(lines, segments, char_w)
    tables: list[tuple[tuple[float, float, float, float], list[list[str]]]] = []
    runs: list[tuple[int, int, list[tuple[float, float]]]] = []  # (first band, last band, columns)
    i = 0
    while i < len(bands):
        run, i = _run(bands, i, char_w, runs[-1][1] + 1 if runs else 0)
        if run is not None:
            runs.append(run)
    if not runs:
        return [], lines
    used = {k for start, end, _ in runs for k in range(start, end + 1)}
    for start, end, columns in runs:
        rows = bands[start:end + 1]
        cells = [_row_cells(b, columns) for b in rows]
        bbox = (min(s.x0 for b in rows for s in b.segments), rows[0].top,
                max(s.x1 for b in rows for s in b.segments), rows[-1].bottom)
        tables.append((bbox, cells))
    kept = [ln for k, b in enumerate(bands) if k not in used for ln in b.lines]
    kept.sort(key=lambda ln: (ln["top"], ln["x0"]))
    return tables, kept


def _run(bands: list[Band], i: int, char_w: float, floor: int
         ) -> tuple[tuple[int, int, list[tuple[float, float]]] | None, int]:
    """The table whose body starts at band `i` (first band, last band, columns) or None, and
    the band to look on from (past every band a table starting later in this run would
    hold, so that the page is read in one pass).

    The candidate is the run of bands from `i` with several segments each (a one-segment
    band inside it, a row with only its name, when the run goes on after it), near each
    other; it needs `MIN_ROWS` bands with a figure, and ends before the first band that
    straddles the columns of those. The header bands above it (down to `floor`) join it."""
    if not bands[i].numeric:
        return None, i + 1
    end = i
    while end + 1 < len(bands) and _near(bands[end], bands[end + 1], char_w) and (
            len(bands[end + 1].segments) >= 2 or (end + 2 < len(bands) and len(bands[end + 2].segments) >= 2
                                                  and _near(bands[end + 1], bands[end + 2], char_w))):
        end += 1
    while True:
        numeric = [k for k in range(i, end + 1) if bands[k].numeric]
        if len(numeric) < MIN_ROWS:
            return None, end + 1
        columns = _columns([s for k in numeric for s in bands[k].segments])
        if not 2 <= len(columns) <= MAX_COLUMNS:
            return None, end + 1
        bad = next((k for k in range(i, end + 1) if not _fits(bands[k], columns)), None)
        if bad is None:
            break
        end = bad - 1
    while end > i and not bands[end].numeric and len(bands[end].segments) < 2:
        end -= 1  # a trailing one-cell line (`注：无。`) is a note, not a row
    start = i
    while start - 1 >= floor and _heads(bands[start - 1], columns) and _near(bands[start - 1], bands[start], char_w):
        start -= 1
    return (start, end, columns), end + 1


def row_like(segments: list[Segment]) -> bool:
    """A line (cut into these segments) printed as a table row (cells apart, one a figure)
    that no table took: too few rows to be found as one. It is a line of its own, never a
    soft wrap of the line before or after (`2,074,962.01` / `使用非财政拨款结余` would run
    together)."""
    return len(segments) >= 2 and any(_figure().fullmatch(s.text) for s in segments)


def _segments(line: dict, char_w: float) -> list[Segment]:
    """The line cut where visible characters stand `CELL_GAP` widths apart."""
    out: list[Segment] = []
    text: list[str] = []
    x0 = x1 = 0.0
    for c in line["chars"]:
        if c["text"].isspace():
            continue
        gap = CELL_GAP * min(c.get("size") or char_w, char_w)
        if text and c["x0"] - x1 >= gap:
            out.append(Segment("".join(text), x0, x1, line["top"]))
            text = []
        if not text:
            x0 = c["x0"]
        text.append(c["text"])
        x1 = max(x1, c["x1"]) if len(text) > 1 else c["x1"]
    if text:
        out.append(Segment("".join(text), x0, x1, line["top"]))
    return out


def _bands(lines: list[dict], segments: dict[int, list[Segment]], char_w: float) -> list[Band]:
    """Lines grouped into bands: a line joins the band above when the space between them is
    less than `ROW_GAP` of a character's height (lines of one row may overlap).
    `segments`: each line's, by id."""
    bands: list[Band] = []
    for ln in sorted(lines, key=lambda ln: ln["top"]):
        segs = segments[id(ln)]
        if not segs:
            continue
        if bands and ln["top"] - bands[-1].bottom < ROW_GAP * char_w:
            band = bands[-1]
        else:
            band = Band(top=ln["top"], bottom=ln["bottom"])
            bands.append(band)
        band.lines.append(ln)
        band.segments += segs
        band.bottom = max(band.bottom, ln["bottom"])
    return bands


def _near(a: Band, b: Band, char_w: float) -> bool:
    """`b` follows `a` closely enough to be the next row of the same table."""
    return b.top - a.bottom <= MAX_ROW_SPACING * max(char_w, 1.0)


def _columns(segments: list[Segment]) -> list[tuple[float, float]]:
    """The x-extents of the columns: the union of the segments' extents."""
    spans = sorted((s.x0, s.x1) for s in segments)
    out: list[list[float]] = []
    for x0, x1 in spans:
        if out and x0 <= out[-1][1]:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _overlaps(seg: Segment, columns: list[tuple[float, float]]) -> int:
    """How many columns' text a segment reaches into."""
    return sum(1 for a, b in columns if seg.x0 < b and seg.x1 > a)


def _fits(band: Band, columns: list[tuple[float, float]]) -> bool:
    """Every segment of the band lies within one column (a row of the body)."""
    return all(_overlaps(s, columns) <= 1 for s in band.segments)


def _heads(band: Band, columns: list[tuple[float, float]]) -> bool:
    """A header row: several segments, fewer than half of them spanning columns (a merged
    `财政拨款` over its sub-columns), none declaring the table's unit: the caption line
    `编制部门：…  金额单位：万元` is the table's context, even when its parts fit columns."""
    spanning = sum(1 for s in band.segments if _overlaps(s, columns) > 1)
    return len(band.segments) >= 2 and spanning * 2 < len(band.segments) and not any(
        _unit_label().search(s.text) for s in band.segments)


@functools.lru_cache(maxsize=1)
def _figure() -> regex.Pattern:
    """A figure cell (`patterns/grid_cells.json`)."""
    return regex.compile(next(e for e in patternbook.entries("grid_cells") if e["name"] == "figure")["regex"])


def cell_example(text: str) -> str | None:
    """Pattern-book runner: "figure" when `text` is a figure cell."""
    return "figure" if _figure().fullmatch(text) else None


@functools.lru_cache(maxsize=1)
def _unit_label() -> regex.Pattern:
    """The `单位：万元` declaration (`patterns/unit_declarations.json`, entry `unit-label`)."""
    entry = next(e for e in patternbook.entries("unit_declarations") if e["name"] == "unit-label")
    return regex.compile(entry["regex"])


def _assign(segs: list[Segment], columns: list[tuple[float, float]]) -> list[int]:
    """The columns of one line's segments (left to right): in order, each to a column right
    of the previous one's, nearest in total. A header word printed flush left in its cell
    sits in the gap after the previous column's right-aligned figures; order puts it right."""
    n, m = len(segs), len(columns)
    if n > m:
        return [min(range(m), key=lambda k: _distance(s, columns[k])) for s in segs]
    inf = float("inf")
    # best[i][k]: least cost of placing segments i.. with segment i in column k or right of it
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    for k in range(m + 1):
        best[n][k] = 0.0
    for i in range(n - 1, -1, -1):
        for k in range(m - 1, -1, -1):
            best[i][k] = min(best[i][k + 1], _distance(segs[i], columns[k]) + best[i + 1][k + 1])
    out, k = [], 0
    for i in range(n):
        while best[i][k] != _distance(segs[i], columns[k]) + best[i + 1][k + 1]:
            k += 1
        out.append(k)
        k += 1
    return out


def _distance(seg: Segment, column: tuple[float, float]) -> float:
    return max(0.0, column[0] - seg.x1, seg.x0 - column[1])


def _row_cells(band: Band, columns: list[tuple[float, float]]) -> list[str]:
    """One row of cells: each column's segments top to bottom, wrapped lines joined."""
    from .wrapping import join_cell_lines

    parts: list[list[Segment]] = [[] for _ in columns]
    by_line: dict[float, list[Segment]] = {}
    for s in band.segments:
        by_line.setdefault(s.top, []).append(s)
    for segs in by_line.values():
        segs.sort(key=lambda s: s.x0)
        for s, k in zip(segs, _assign(segs, columns)):
            parts[k].append(s)
    out = []
    for segs in parts:
        segs.sort(key=lambda s: (s.top, s.x0))
        lines: list[str] = []
        last_top = None
        for s in segs:
            if last_top is not None and abs(s.top - last_top) < 0.5:
                lines[-1] += s.text
            else:
                lines.append(s.text)
            last_top = s.top
        out.append(join_cell_lines("\n".join(lines)) if lines else "")
    return out
