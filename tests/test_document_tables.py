"""`Document.tables` is cached (the checks ask for it per quantity and cell): it must follow
the blocks when they grow or are replaced, the ways the readers and the flattened-table
finder change them."""
from __future__ import annotations

from extractor.model import Block, Document, Table


def _table(index: int) -> Table:
    return Table(cells=[[f"t{index}"]], index=index)


def test_tables_follow_the_blocks() -> None:
    first, second, third = _table(0), _table(1), _table(2)
    doc = Document(path="x.pdf", reader="pdf", blocks=[Block("paragraph", start=0, end=3), Block("table", table=first)])
    assert doc.tables == [first]
    assert doc.tables is doc.tables  # made once
    doc.blocks.append(Block("table", table=second))
    assert doc.tables == [first, second]
    doc.blocks = [Block("table", table=third), Block("table", table=None)]
    assert doc.tables == [third]
