"""DOCX reader (python-docx): paragraphs and tables in body order, merged cells once.

python-docx returns the same cell object at every grid position a merged cell covers, so a
naive grid would repeat `合计` or an amount across the span and sums would count it twice.
The text stays at the top-left position, covered positions hold "" and are listed in
`Table.merged`. Nested tables are flattened into their cell's text; past MAX_NESTING
levels a table is read as its paragraphs only, with a note in `meta["notes"]`. The grid is
worked out here in one pass over the rows (python-docx follows a vertical merge upwards
recursively, once per covered cell: a long merge is quadratic and then a RecursionError).
The zip directory is checked for inflation limits before any XML is parsed.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..model import Document
from .builder import DocumentBuilder
from .errors import describe, read_error
from .limits import check_archive, zip_mismatch

NAME = "docx"
LABEL = "DOCX"
SUFFIXES = (".docx", ".docm")
CONTEXT_PARAGRAPHS = 3
MAIN_PART = "word/document.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R, _HYPERLINK, _T = _W + "r", _W + "hyperlink", _W + "t"
_RUN_TEXT = tuple(_W + t for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
MAX_NESTING = 4  # tables inside tables deeper than this are read as lines of text


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    return MAIN_PART in zip_names


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return zip_mismatch(head, "a DOCX", MAIN_PART)


def read(path: str) -> Document:
    import docx

    check_archive(path, LABEL)
    try:
        document = docx.Document(path)
    except Exception as exc:
        raise read_error(path, f"corrupt DOCX ({describe(exc)})") from None
    builder = DocumentBuilder(path, NAME)
    recent: list[str] = []  # paragraphs since the last table, for table context
    notes: list[str] = []
    for kind, item in _body_items(document):
        if kind == "p":
            text = _paragraph_text(item)
            if text.strip():
                builder.add_paragraph(text)
                recent.append(text.strip())
        else:
            cells, merged = _table_grid(item, notes)
            if cells:
                builder.add_table(cells, context="\n".join(recent[-CONTEXT_PARAGRAPHS:]), merged=merged)
                recent.clear()
    return builder.build(meta={"notes": sorted(set(notes))} if notes else None)


def _body_items(document: Any) -> Iterator[tuple[str, Any]]:
    """('p', element) and ('tbl', Table) in body order, looking into content controls."""
    def walk(parent: Any) -> Iterator[tuple[str, Any]]:
        for child in parent.iterchildren():
            if child.tag == _W + "p":
                yield "p", child
            elif child.tag == _W + "tbl":
                yield "tbl", child
            elif child.tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    yield from walk(content)

    yield from walk(document.element.body)


def _paragraph_text(p: Any) -> str:
    """Text of a w:p element: runs, tabs and breaks, including runs inside hyperlinks; what
    python-docx's `Paragraph.text` gives, walking the children directly (its XPath queries,
    one per paragraph and one per run, were most of the reading time of a long document)."""
    parts: list[str] = []
    for item in p.iterchildren(_R, _HYPERLINK):
        for run in (item,) if item.tag == _R else item.iterchildren(_R):
            for e in run.iterchildren(*_RUN_TEXT):
                # w:t holds its text; tabs and breaks say what they stand for (python-docx)
                parts.append((e.text or "") if e.tag == _T else str(e))
    return "".join(parts)


def _rows(tbl: Any) -> Iterator[Any]:
    """The table's own w:tr elements, also inside content controls or tracked insertions,
    but not the rows of tables nested in its cells."""
    stack = [iter(tbl.iterchildren())]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == _W + "tr":
            yield child
        elif child.tag != _W + "tc" and child.tag != _W + "tbl":
            stack.append(iter(child.iterchildren()))


def _cell_text(tc: Any, notes: list[str], depth: int = 1) -> str:
    """A cell's paragraphs, one per line; a nested table's rows flattened into lines."""
    lines: list[str] = []
    for child in tc.iterchildren():
        if child.tag == _W + "p":
            lines.append(_paragraph_text(child))
        elif child.tag == _W + "tbl":
            if depth >= MAX_NESTING:
                notes.append(f"tables nested deeper than {MAX_NESTING} levels read as lines of text")
                lines.extend(_paragraph_text(p) for p in child.iter(_W + "p"))
                continue
            for tr in _rows(child):
                row = [_cell_text(c, notes, depth + 1) for c in tr.iterchildren(_W + "tc")]
                lines.append(" ".join(t for t in row if t))
    return "\n".join(line for line in lines if line.strip()).strip()


def _int_attr(parent: Any, tag: str, default: int) -> int:
    el = parent.find(_W + tag) if parent is not None else None
    try:
        return max(int(el.get(_W + "val")), 0) if el is not None else default
    except (TypeError, ValueError):
        return default


def _grid_rows(tbl: Any) -> Iterator[list[Any]]:
    """Each row as the w:tc holding the content at each of its positions: a cell spanning
    n grid columns appears n times, a vertically continued cell as the cell it continues
    (python-docx's `row.cells`, computed row by row from a grid-offset map of the row above)."""
    above: dict[int, tuple[Any, int]] = {}  # grid offset -> (content tc, its span)
    for tr in _rows(tbl):
        offset = _int_attr(tr.find(_W + "trPr"), "gridBefore", 0)
        here: dict[int, tuple[Any, int]] = {}
        row: list[Any] = []
        for tc in tr.iterchildren(_W + "tc"):
            pr = tc.find(_W + "tcPr")
            span = max(_int_attr(pr, "gridSpan", 1), 1)
            vmerge = pr.find(_W + "vMerge") if pr is not None else None
            root = (tc, span)
            if vmerge is not None and vmerge.get(_W + "val", "continue") == "continue" and offset in above:
                root = above[offset]
            here[offset] = root
            row.extend([root[0]] * root[1])
            offset += span
        above = here
        yield row


def _table_grid(tbl: Any, notes: list[str]) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    seen: dict[Any, tuple[int, int]] = {}  # content tc -> where its text went
    cells: list[list[str]] = []
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(_grid_rows(tbl)):
        out: list[str] = []
        for c, tc in enumerate(row):
            if tc in seen:
                merged[(r, c)] = seen[tc]
                out.append("")
            else:
                seen[tc] = (r, c)
                out.append(_cell_text(tc, notes))
        cells.append(out)
    return cells, merged
