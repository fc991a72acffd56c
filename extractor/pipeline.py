"""reader → quantities → facts → checks: the one direction data flows in.

A document is one report, built at once; only a prose text longer than `SECTION_CHARS`
(a year of reports in one plain-text file, tens of MB) is built in sections, so that the
memory a reading worker holds is that of a section and its results, not of the whole file's
millions of figures (a 100 MB text holds about two million). The whole document's meta
(title, year, department) applies to every section, and every offset, page and table index
of a section's report is moved to where it is in the whole document, so the parts together
are the records of the whole file. What a section boundary can lose — a relation between
figures on both sides of it — is kept small by cutting before a heading line where there
is one near the target size, and is never met in documents below the size.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from .model import Block, DocMeta, Document, Report

# characters of text above which a table-free document is built in sections, and the size of
# a section (about 3 MB of Chinese in UTF-8; the largest real report is well under a tenth)
SECTION_CHARS = 1_000_000
# how far past the target size a section may run to end before a heading line
HEADING_REACH = 0.25


def build_report(doc: Document, meta_of: Callable[[Document], DocMeta] | None = None,
                 clock: Callable[[str], None] | None = None) -> Report:
    """Run every format-blind stage on a document that a reader produced (`meta_of`: how the
    document-level facts are read when `doc` is a section of a larger document; `clock`:
    called with each stage's name as it ends, so a benchmark times the stages of this one
    sequence rather than a copy of it)."""
    from . import facts
    from .tables import flattened, selfeval
    from .text import quantities
    from .checks import run_checks
    from .readers import ocr

    tick = clock or _no_clock
    flattened.add_flattened_tables(doc)
    tick("flattened")
    report = Report(document=doc)
    report.meta = (meta_of or facts.document_meta)(doc)
    tick("meta")
    report.quantities = quantities.find_quantities(doc, report_year=report.meta.report_year)
    ocr.apply_confidence(doc, report.quantities)
    tick("quantities")
    report.projects, report.indicators = selfeval.read_selfeval(doc, report.quantities, report.meta)
    tick("selfeval")
    report.projects += facts.projects_from_prose(doc, report.quantities, report.meta, report.projects)
    tick("prose projects")
    report.budget_lines = facts.budget_lines(doc, report.quantities, report.meta)
    tick("budget lines")
    report.flags = ocr.soften_flags(run_checks(report), report.quantities)
    tick("checks")
    return report


def _no_clock(stage: str) -> None:
    """`build_report`'s clock when nobody times it."""


def extract_path(path: str | Path, ocr: str = "auto") -> Report:
    """Read one file (any supported format) and build its report. Raises ReadError.
    `ocr`: auto | never | force (see `readers.read`)."""
    from .readers import read
    from .text.normalize import forget_long_texts

    try:
        return build_report(read(str(path), ocr=ocr))
    finally:
        forget_long_texts()


def extract_parts(path: str | Path, ocr: str = "auto", section_chars: int = SECTION_CHARS) -> Iterator[Report]:
    """The report of one file in parts: one part, `extract_path`'s report, for any document
    up to `section_chars` characters or with tables; a long prose text in sections (see the
    module's docstring). A worker streams the parts out one by one. Raises ReadError."""
    from .readers import read

    yield from report_parts(read(str(path), ocr=ocr), section_chars)


def report_parts(doc: Document, section_chars: int = SECTION_CHARS) -> Iterator[Report]:
    """`build_report(doc)` as one part, or section by section for a long table-free text."""
    from . import facts
    from .text.normalize import forget_long_texts

    try:
        if len(doc.text) <= section_chars or any(b.kind != "paragraph" for b in doc.blocks):
            yield build_report(doc)
            return
        meta: list[DocMeta] = []

        def meta_of(section: Document) -> DocMeta:
            # the whole text's meta (a signature at its end names the department); tables
            # only as far as the first section recognised them (for a title above a table)
            if not meta:
                meta.append(facts.document_meta(Document(doc.path, doc.reader, doc.text, doc.blocks + [
                    b for b in section.blocks if b.kind == "table"], meta=doc.meta)))
            return meta[0]

        tables = 0
        for section, base in _sections(doc, section_chars):
            part = build_report(section, meta_of)
            forget_long_texts()
            _move(part, doc, base, tables)
            tables += len(section.tables)
            yield part
    finally:
        forget_long_texts()


def _sections(doc: Document, size: int) -> Iterator[tuple[Document, int]]:
    """(section, offset of its text in `doc.text`): runs of whole paragraphs of about `size`
    characters, each ending before a heading line where one starts within reach."""
    from .text.context import is_heading

    blocks = doc.blocks
    first = 0
    while first < len(blocks):
        base = blocks[first].start or 0
        last = first
        while last + 1 < len(blocks) and (blocks[last + 1].start or 0) - base < size:
            last += 1
        cut = last + 1  # the first paragraph of the next section
        reach = base + int(size * (1 + HEADING_REACH))
        ahead = cut
        while ahead < len(blocks) and (blocks[ahead].start or 0) < reach:
            if is_heading(doc.text[blocks[ahead].start:blocks[ahead].end]):
                cut = ahead
                break
            ahead += 1
        end = blocks[cut - 1].end or base
        yield _section(doc, blocks[first:cut], base, end), base
        first = cut


def _section(doc: Document, blocks: list[Block], base: int, end: int) -> Document:
    """The paragraphs `blocks` of `doc` as a document of their own, offsets from `base`."""
    return Document(
        path=doc.path, reader=doc.reader, text=doc.text[base:end],
        blocks=[Block(b.kind, b.page, (b.start or 0) - base, (b.end or 0) - base) for b in blocks],
        pages=doc.pages, page_starts=[s - base for s in doc.page_starts], needs_ocr=doc.needs_ocr,
        meta=doc.meta,
    )


def _move(part: Report, doc: Document, base: int, tables: int) -> None:
    """Offsets and table indices of a section's report, moved to the whole document's."""
    part.document = Document(path=doc.path, reader=doc.reader, pages=doc.pages, needs_ocr=doc.needs_ocr,
                             meta=doc.meta)
    for item in [*part.quantities, *part.flags, *(e for f in part.flags for e in f.evidence)]:
        if item.start is not None:
            item.start += base
        if item.end is not None:
            item.end += base
        if item.table is not None:
            item.table += tables
