"""DOCX reader (python-docx): paragraphs and tables in body order, merged cells once.

python-docx returns the same cell object at every grid position a merged cell covers, so a
naive grid would repeat `合计` or an amount across the span and sums would count it twice.
The text stays at the top-left position, covered positions hold "" and are listed in
`Table.merged`. Nested tables are flattened into their cell's text. The zip directory is
checked for inflation limits before any XML is parsed.
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
    for kind, item in _body_items(document):
        if kind == "p":
            text = _paragraph_text(item)
            if text.strip():
                builder.add_paragraph(text)
                recent.append(text.strip())
        else:
            cells, merged = _table_grid(item)
            if cells:
                builder.add_table(cells, context="\n".join(recent[-CONTEXT_PARAGRAPHS:]), merged=merged)
                recent.clear()
    return builder.build()


def _body_items(document: Any) -> Iterator[tuple[str, Any]]:
    """('p', element) and ('tbl', Table) in body order, looking into content controls."""
    from docx.table import Table

    def walk(parent: Any) -> Iterator[tuple[str, Any]]:
        for child in parent.iterchildren():
            if child.tag == _W + "p":
                yield "p", child
            elif child.tag == _W + "tbl":
                yield "tbl", Table(child, document._body)
            elif child.tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    yield from walk(content)

    yield from walk(document.element.body)


def _paragraph_text(p: Any) -> str:
    """Text of a w:p element: runs, tabs and breaks, including runs inside hyperlinks."""
    from docx.text.paragraph import Paragraph

    return Paragraph(p, None).text


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs, one per line; a nested table's rows flattened into lines."""
    lines: list[str] = []
    for child in tc.iterchildren():
        if child.tag == _W + "p":
            lines.append(_paragraph_text(child))
        elif child.tag == _W + "tbl":
            for tr in child.iter(_W + "tr"):
                row = [_cell_text(c) for c in tr.iterchildren(_W + "tc")]
                lines.append(" ".join(t for t in row if t))
    return "\n".join(line for line in lines if line.strip()).strip()


def _table_grid(table: Any) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    # keyed by the lxml element itself: holding it keeps one proxy per node, so a merged
    # cell seen again is the same key (an id() of a freed proxy could be reused)
    seen: dict[Any, tuple[int, int]] = {}
    cells: list[list[str]] = []
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        out: list[str] = []
        for c, cell in enumerate(row.cells):
            key = cell._tc
            if key in seen:
                merged[(r, c)] = seen[key]
                out.append("")
            else:
                seen[key] = (r, c)
                out.append(_cell_text(cell._tc))
        cells.append(out)
    return cells, merged
