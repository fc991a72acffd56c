"""CSV reader: a `.csv` copy of a self-evaluation table or 决算 sheet becomes one table grid.

Finance staff save 自评表 and 决算 sheets from Excel as CSV (comma, semicolon or tab
separated, UTF-8 with BOM or GBK). Read as plain text, such a file is lines of commas and
no table reader sees its columns; read here, it is the same `Table` an XLSX sheet gives.
The bytes are decoded exactly as the text reader decodes them (BOM, UTF-8, GB18030); the
dialect is sniffed with the standard library's `csv.Sniffer`, falling back to Excel's
comma dialect. Title rows above the header go to the table's context, as for a spreadsheet
sheet; with no merged ranges to tell a caption from a form row such as
`项目名称,不动产登记…,,,`, a title row is one with a single text or a unit declaration
(`编制单位：…,,,单位：万元`, patterns/unit_declarations.json). CSV has no pages.

CSV carries no signature: the suffix names it, once the bytes are known to be text.
"""
from __future__ import annotations

import csv
import functools
import io

import regex

from .. import patternbook
from ..model import Document
from .builder import DocumentBuilder
from .errors import read_error
from .sheets import sheet_table
from .text import read_text_file

NAME = "csv"
LABEL = "CSV"
SUFFIXES = (".csv",)
BY_SUFFIX = True  # chosen by its suffix among text files, never by sniffing bytes
DELIMITERS = ",\t;|"
SNIFF_CHARS = 64 * 1024
MAX_FIELD_CHARS = 1 << 20  # one cell; a longer one is not a table


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    return False  # no signature: see BY_SUFFIX


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "binary data, not CSV text"


def dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The dialect of a CSV text; Excel's comma dialect when the sample is ambiguous."""
    sample = text[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel


@functools.lru_cache(maxsize=1)
def _declaration() -> regex.Pattern:
    """`单位：万元` (the first unit declaration; the bracketed `（万元）` also tops columns)."""
    return regex.compile(patternbook.entries("unit_declarations")[0]["regex"])


def is_title_row(texts: list[str]) -> bool:
    """A caption above a CSV table: one text, or a row declaring the table's unit."""
    return len(texts) <= 1 or any(_declaration().search(t) for t in texts)


def rows(text: str) -> list[list[str]]:
    """The cells of a CSV text, stripped, every row padded to the widest."""
    previous = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        grid = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), dialect(text))]
    finally:
        csv.field_size_limit(previous)
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid]


def read(path: str) -> Document:
    text, encoding = read_text_file(path, "CSV text")
    try:
        grid = rows(text)
    except csv.Error as exc:
        raise read_error(path, f"malformed CSV ({exc})") from None
    builder = DocumentBuilder(path, NAME)
    table = sheet_table(grid, [], "", is_title_row)
    if table is not None:
        cells, merged, context = table
        builder.add_table(cells, context=context.strip(), merged=merged)
    return builder.build(meta={"encoding": encoding})
