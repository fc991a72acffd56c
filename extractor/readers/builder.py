"""Assemble a Document block by block, keeping flat-text offsets and page starts right.

Every reader emits paragraphs and tables in reading order; the offsets of paragraphs in
`Document.text`, the `page_starts` list and the table indices are bookkeeping that must be
identical across formats, so it lives here once.
"""
from __future__ import annotations

from typing import Iterable

from ..model import Block, Document, Table


class DocumentBuilder:
    """Collects paragraphs (joined by "\\n" in the flat text) and tables in order."""

    def __init__(self, path: str, reader: str) -> None:
        self.path = path
        self.reader = reader
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []
        self.page_starts: list[int] = []
        self._n_tables = 0

    def _note_page(self, page: int | None, offset: int) -> None:
        """Pages up to `page` start no later than `offset` (pages without text start where
        the next page's text does)."""
        if page is None:
            return
        while len(self.page_starts) < page:
            self.page_starts.append(offset)

    def add_paragraph(self, pieces: str | Iterable[tuple[int | None, str]], page: int | None = None) -> None:
        """Add one paragraph: a string, or (page, text) pieces when it runs across pages."""
        if isinstance(pieces, str):
            pieces = [(page, pieces)]
        pieces = [(p, t) for p, t in pieces if t]
        if not pieces:
            return
        start = self._length + (1 if self._length else 0)
        if self._length:
            self._parts.append("\n")
            self._length += 1
        for p, text in pieces:
            self._note_page(p, self._length)
            self._parts.append(text)
            self._length += len(text)
        self.blocks.append(Block("paragraph", page=pieces[0][0], start=start, end=self._length))

    def add_table(
        self,
        cells: list[list[str]],
        page: int | None = None,
        context: str = "",
        merged: dict[tuple[int, int], tuple[int, int]] | None = None,
    ) -> Table:
        table = Table(self._n_tables, cells, page=page, context=context, merged=merged or {})
        self._n_tables += 1
        self.blocks.append(Block("table", page=page, table=table))
        return table

    def build(self, pages: int | None = None, needs_ocr: bool = False, meta: dict | None = None) -> Document:
        if pages is not None:
            self._note_page(pages, self._length)
        return Document(
            path=self.path,
            reader=self.reader,
            text="".join(self._parts),
            blocks=self.blocks,
            pages=pages,
            page_starts=self.page_starts if pages is not None else [],
            needs_ocr=needs_ocr,
            meta=meta or {},
        )
