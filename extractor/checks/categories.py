"""`stale-category`: a report of a later year that still writes a 功能分类 name the
classification dropped (医疗卫生与计划生育支出 in a 2023 report: a pre-2019 template reused,
domain.md E4). The renamings and their last year are patterns/stale_names.json."""
from __future__ import annotations

import functools

import regex

from .. import patternbook
from ..model import Evidence, Flag, Report
from . import register


_SPACES = regex.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _renamings() -> list[dict]:
    return sorted(patternbook.entries("stale_names"), key=lambda e: len(e["name"]), reverse=True)


class _Cells:
    """Every table cell with its text and that text without spaces, squeezed once for all the
    names looked for; `squeezed` is all of them joined by NUL, which no name holds, so a name
    is in it exactly when it is in one cell's squeezed text (one search rules the cells out)."""

    def __init__(self, report: Report) -> None:
        self.cells = [(t, r, c, cell) for t in report.document.tables
                      for r, row in enumerate(t.cells) for c, cell in enumerate(row)]
        self.squeezed = _SPACES.sub("", "\0".join(cell for _t, _r, _c, cell in self.cells))


def _occurrences(report: Report, old: str, cells: _Cells) -> list[Evidence]:
    """Where the old name is written: prose spans, then table cells."""
    doc = report.document
    out = [Evidence(old, doc.page_at(m.start()), m.start(), m.end()) for m in regex.finditer(regex.escape(old), doc.text)
           ] if old in doc.text else []
    if old in cells.squeezed:
        for t, r, c, cell in cells.cells:
            if old in _SPACES.sub("", cell):
                out.append(Evidence(cell.strip(), t.page, None, None, t.index, r, c))
    return out


def _covered(e: Evidence, longer: list[Evidence]) -> bool:
    """`医疗卫生支出` inside `…医疗卫生与计划生育支出`? (it is not, but shorter names may sit in longer ones)."""
    return any(o.start is not None and e.start is not None and o.start <= e.start and e.end <= o.end for o in longer)


@register("stale-category")
def check_stale_categories(report: Report) -> list[Flag]:
    """One warning per stale name, at its first occurrence, counting the others."""
    year = report.meta.report_year
    if year is None:
        return []
    flags: list[Flag] = []
    seen: list[Evidence] = []
    cells: _Cells | None = None
    for e in _renamings():
        if year <= e["last_year"]:
            continue
        if cells is None:
            cells = _Cells(report)
        places = [p for p in _occurrences(report, e["name"], cells) if not _covered(p, seen)]
        if not places:
            continue
        seen += places
        first, others = places[0], places[1:]
        more = f"（全文共{len(places)}处）" if others else ""
        more_en = f" ({len(places)} places in all)" if others else ""
        flags.append(Flag(
            code="stale-category", severity="warning", text=first.text,
            message=(f"{year}年度报告使用了{e['last_year'] + 1}年起已停用的功能分类科目名称“{e['name']}”"
                     f"（{e['code']}类，现名“{e['current']}”）{more}，可能沿用了旧年度模板。"),
            message_en=(f"a {year} report writes the category name '{e['name']}', dropped after {e['last_year']} "
                        f"(class {e['code']} is now '{e['current']}'){more_en}: an old template may have been reused."),
            page=first.page, start=first.start, end=first.end, table=first.table, row=first.row, col=first.col,
            evidence=others, suggestion={"text": e["current"], "category_code": e["code"]}, confidence=0.9))
    return flags
