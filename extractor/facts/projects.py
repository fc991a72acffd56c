"""Projects written in prose: listing sentences, numbered headings, or the title.

Cue words live in patterns/project_lists.json.
"""
from __future__ import annotations

import bisect
import functools
import math
import re
import statistics
from decimal import Decimal
from typing import Any

from .. import patternbook
from ..model import DocMeta, Document, Project, Quantity
from ..tables.selfeval import grade_of
from ..text.normalize import normalize, simplified
from ..text.titles import title_rules
from .meta import document_meta

@functools.lru_cache(maxsize=None)
def _prose_rules() -> dict[str, Any]:
    by_name = {e["name"]: e for e in patternbook.entries("project_lists")}
    lst, sec = by_name["evaluated-projects"], by_name["section-heading"]
    return {
        "intro": re.compile(lst["intro"]),
        "sep": re.compile(lst["separators"]),
        "heading": re.compile(sec["heading"], re.M),
        "section_end": re.compile(sec["section_end"], re.M),
        "suffixes": sorted(by_name["title-name"]["suffixes"], key=len, reverse=True),
        "fields": list(by_name["fields"]["fields"].items()),
    }


def _list_items(text: str) -> list[tuple[int, int]]:
    """Original-text spans of the items of every project-list sentence."""
    nt = normalize(text)
    rules = _prose_rules()
    spans: list[tuple[int, int]] = []
    for m in rules["intro"].finditer(nt.text):
        end = len(nt.text)
        for stop in ("。", "\n"):
            k = nt.text.find(stop, m.end())
            if k >= 0:
                end = min(end, k)
        pos = m.end()
        for part in list(rules["sep"].finditer(nt.text, m.end(), end)) + [None]:
            stop_at = part.start() if part else end
            if stop_at > pos:
                spans.append(nt.span(pos, stop_at))
            pos = part.end() if part else end
    return spans


def _listed(text: str, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    out: list[tuple[str, dict[str, Quantity]]] = []
    for s, e in _list_items(text):
        inside = [q for q in figures.between(s, e) if q.kind == "amount" and q.end <= e]
        if not inside:
            continue
        q = inside[-1]
        name = simplified(text[s:q.start]).strip(" \t，,、:：")
        if name:
            out.append((name, {"adjusted_budget": q}))
    return out


class _Figures:
    """The located figures of a text in text order, found by bisection: a report with
    thousands of sections or list items stays linear."""

    def __init__(self, figures: list[Quantity]) -> None:
        self.items = sorted(figures, key=lambda q: q.start)
        self.starts = [q.start for q in self.items]

    def between(self, start: int, end: int) -> list[Quantity]:
        """The figures that start in [start, end)."""
        return self.items[bisect.bisect_left(self.starts, start):bisect.bisect_left(self.starts, end)]


def _field_of(label: str | None) -> str | None:
    """Which project field a figure's label names (patterns/project_lists.json `fields`)."""
    if not label:
        return None
    norm = normalize(label).text
    for fld, cues in _prose_rules()["fields"]:
        if any(norm.endswith(c) for c in cues):
            return fld
    return None


def _fields_in(figures: _Figures, start: int, end: int) -> dict[str, Quantity]:
    """The figure of each project field among the figures in [start, end): the first one, unless
    the field is stated again and the first statement is off the other amounts' scale by a
    unit slip (`全年预算66.67元` … `全年预算数66.67万元`): the project row takes the statement
    that fits, and the checks flag the other."""
    kinds = {"initial_budget": "amount", "adjusted_budget": "amount", "executed": "amount", "execution_rate": "rate",
             "total_score": "count"}
    cands: dict[str, list[Quantity]] = {}
    for q in figures.between(start, end):
        fld = _field_of(q.label)
        if fld and q.kind == kinds[fld]:
            cands.setdefault(fld, []).append(q)
    got = {fld: qs[0] for fld, qs in cands.items()}
    amounts = [f for f in got if kinds[f] == "amount" and got[f].value_yuan]
    for fld in amounts:
        others = [_magnitude(got[g].value_yuan) for g in amounts if g != fld]
        if len(cands[fld]) < 2 or not others:
            continue
        ref = statistics.median(others)
        first = _magnitude(got[fld].value_yuan)
        fits = [q for q in cands[fld][1:] if q.value_yuan and abs(_magnitude(q.value_yuan) - ref) < 1]
        if abs(first - ref) >= 2 and fits:
            got[fld] = fits[0]
    return got


def _magnitude(v: Decimal) -> float:
    return math.log10(abs(float(v)))


def _sections(text: str, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    """Projects named by numbered headings, with the figures of the paragraphs under them."""
    rules = _prose_rules()
    nt = normalize(text)  # headings are read on the normalised text (traditional script too)
    norm = nt.text
    heads = list(rules["heading"].finditer(norm))
    out = []
    for k, m in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(norm)
        stop = rules["section_end"].search(norm, m.end(), end)
        end = stop.start() if stop else end
        lo, hi = nt.span(m.end(), end)
        out.append((m.group("name").strip(), _fields_in(figures, lo, hi)))
    return out


def _title_project(text: str, meta: DocMeta, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    """A project report's one project: the title names it between the year and the report words."""
    if meta.report_type != "project-self-eval" or not meta.title:
        return []
    title = normalize(meta.title).text
    y = title_rules()["year"].search(title)
    name = title[y.end():] if y else title
    name = re.sub(r"^度", "", name)
    for suffix in _prose_rules()["suffixes"]:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    else:
        return []
    return [(name, _fields_in(figures, 0, len(text)))] if name else []


def _core(name: str) -> str:
    """A project name without year prefix and bracketed notes, for matching one project named twice."""
    n = normalize(name).text
    n = re.sub(r"[（(][^()（）]*[)）]", "", n)
    return re.sub(r"^(?:19|20)\d{2}年度?", "", n).strip("“”\"")


def _same_core(na: str, nb: str) -> bool:
    """Two project names (reduced by `_core`) name one project when one contains the other."""
    return bool(na) and bool(nb) and (na in nb or nb in na)



def _prose_projects(text: str, located: list[Quantity], meta: DocMeta) -> list[tuple[str, dict[str, Quantity]]]:
    """(name, field → figure) for every project the prose describes, merged by name."""
    figures = _Figures(located)
    found = _listed(text, figures)
    cores = [_core(n) for n, _ in found]
    for name, fields in _sections(text, figures):
        core = _core(name)  # names reduced once, not once per comparison
        twin = next((found[i][1] for i, c in enumerate(cores) if _same_core(core, c)), None)
        if twin is None:
            found.append((name, fields))
            cores.append(core)
        else:
            for fld, q in fields.items():
                twin.setdefault(fld, q)
    if not found:
        found = _title_project(text, meta, figures)
    return found


def prose_project_list(text: str) -> list[dict[str, str]]:
    """Runner of project_lists.json: name and figure texts per project the prose describes."""
    from ..text.quantities import find_quantities

    doc = Document(path="", reader="text", text=text)
    meta = document_meta(doc)
    figures = [q for q in find_quantities(doc, meta.report_year) if q.start is not None]
    return [dict({"name": name}, **{f: q.text for f, q in fields.items()})
            for name, fields in _prose_projects(text, figures, meta)]


def projects_from_prose(doc: Document, quantities: list[Quantity], meta: DocMeta,
                        table_projects: list[Project]) -> list[Project]:
    """Projects described in prose, source="text": a listing sentence (`本次评价项目共7个，分别为…
    X万元；…`), numbered headings (`1.2023年…专项经费主要任务及完成情况`) with the figures under
    them, or a project report's title. A listed amount is the project's funding as stated and
    goes to `adjusted_budget_yuan`. Projects already read from a table are skipped.
    """
    figures = [q for q in quantities if q.start is not None and q.end is not None]
    out: list[Project] = []
    known = [_core(p.name) for p in table_projects]
    for name, fields in _prose_projects(doc.text, figures, meta):
        if meta.department and name.startswith(meta.department) and len(name) > len(meta.department):
            name = name[len(meta.department):]
        core = _core(name)
        if any(_same_core(core, k) for k in known):
            continue
        known.append(core)

        def yuan(fld: str):
            return fields[fld].value_yuan if fld in fields else None

        first = min(fields.values(), key=lambda q: q.start) if fields else None
        p = Project(name=name, fiscal_year=(first.year if first else None) or meta.report_year,
                    initial_budget_yuan=yuan("initial_budget"), adjusted_budget_yuan=yuan("adjusted_budget"),
                    executed_yuan=yuan("executed"),
                    execution_rate=fields["execution_rate"].value if "execution_rate" in fields else None,
                    total_score=fields["total_score"].value if "total_score" in fields else None,
                    page=first.page if first else None, source="text")
        p.grade = grade_of(p.total_score)
        p.extra["figures"] = {f: {"text": q.text, "start": q.start, "end": q.end} for f, q in fields.items()}
        if "adjusted_budget" in fields:
            p.extra.update(amount_text=fields["adjusted_budget"].text, start=fields["adjusted_budget"].start,
                           end=fields["adjusted_budget"].end)
        out.append(p)
    return out
