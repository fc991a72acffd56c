"""决算/预算 tables printed without ruling lines, or with rulings parsers do not see as lines:
a layout family of the layouts test (PDF only).

Real 部门决算/预算 PDFs draw their tables three ways: stroked lines (what office software
exports), thin filled polygons (several generators draw every cell border as a filled
quadrilateral: a PDF parser sees curves, not lines), or nothing at all (the columns show
only by the alignment of the text, amounts flush right). A document is generated once, as
the 支出决算表 of the `ledger` family or, every other seed, the side-by-side 收支总表 with 行次
columns of the `totals` family (at most `MAX_COLUMNS` columns), and printed
- `ruled`: with stroked grid lines (the reference);
- `outlined`: its borders filled polygons;
- `bare`: no rulings at all;
- `barebracket`: no rulings, and the ledger's codes in brackets glued to the names
  (`[2010101]行政运行`, levels indented), as 广州's 部门预算 prints them.
Every layout must give the facts of `ruled` (tests/test_layouts.py).
"""
from __future__ import annotations

from typing import Any

from .render import DocSpec, TableSpec

BORDERLESS_LAYOUTS = ("ruled", "outlined", "bare", "barebracket")
# wider 总表 (four views of three amount columns: 16 columns) wrap every name and figure
# character by character on a portrait page; real ones are printed landscape
MAX_COLUMNS = 9
_RULINGS = {"ruled": "grid", "outlined": "outline", "bare": "none", "barebracket": "none"}


def make_borderless_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """A 支出决算表 (even seeds) or a side-by-side 收支总表 with 行次 (odd seeds) whose tables
    are drawn as `layout` says."""
    from .layouts import make_ledger_document, make_totals_document

    if layout not in BORDERLESS_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (use one of {BORDERLESS_LAYOUTS})")
    last = str(seed).rsplit(":", 1)[-1]
    if not last.isdigit() or int(last) % 2 == 0:
        spec, gold = make_ledger_document(f"borderless:{seed}", "bracket" if layout == "barebracket" else "joined", fmt)
    else:
        for attempt in range(50):  # a 总表 that fits a portrait page without wrapping every cell
            spec, gold = make_totals_document(f"borderless:{seed}:{attempt}", "rowno", fmt)
            if max(b.n_cols for b in spec.blocks if isinstance(b, TableSpec)) <= MAX_COLUMNS:
                break
    for block in spec.blocks:
        if isinstance(block, TableSpec):
            block.rulings = _RULINGS[layout]
    gold["layout"] = layout
    return spec, gold


def _family():
    from .layouts import LayoutFamily

    return LayoutFamily("borderless", BORDERLESS_LAYOUTS, make_borderless_document, reference="ruled", formats=("pdf",))


BORDERLESS = _family()
