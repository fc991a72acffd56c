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
    lst, sec, one, quoted = (by_name[n] for n in ("evaluated-projects", "section-heading", "named-project",
                                                     "quoted-funds"))
    return {
        "intro": re.compile(lst["intro"]),
        "sep": re.compile(lst["separators"]),
        "heading": re.compile(sec["heading"], re.M),
        "section_end": re.compile(sec["section_end"], re.M),
        "suffixes": sorted(by_name["title-name"]["suffixes"], key=len, reverse=True),
        "generic": frozenset(by_name["title-name"]["generic"]),
        "unit_generic": re.compile(by_name["title-name"]["unit_generic"]),
        "evaluation_suffixes": sorted(by_name["title-name"]["evaluation_suffixes"], key=len, reverse=True),
        "evaluated_fund": re.compile(by_name["title-name"]["evaluated_fund"]),
        "fields": [(f, tuple(cues)) for f, cues in by_name["fields"]["fields"].items()],  # (endswith takes a tuple)
        "lead_trim": re.compile(by_name["fields"]["lead_trim"]),
        "total_row": re.compile(by_name["fields"]["total_row"]),
        "explicit": re.compile(one["explicit"]),
        "single": re.compile(one["single"]),
        "fund_heading": re.compile(one["heading"], re.M),
        "phrase": re.compile(one["phrase"]),
        "prefix": re.compile(one["prefix"]),
        "name_suffix": re.compile(one["suffix"]),
        "units": {f: re.compile(rf"(?:{cue})\s*[:：]\s*(?P<v>[^\s:：|，。；]{{2,60}}?)(?=[\s|，。；]|$|{one['unit_end']})")
                  for f, cue in one["units"].items()},
        "quoted": re.compile(quoted["intro"]),
        "quoted_grade": re.compile(quoted["grade"]),
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

    def __init__(self, figures: list[Quantity], text: str = "", totals: list[Quantity] | None = None) -> None:
        self.items = sorted(figures, key=lambda q: q.start)
        self.starts = [q.start for q in self.items]
        self.text = text
        self.totals = totals or []  # cells of tables' 合计 rows, by their column's name

    def lead(self, q: Quantity) -> str:
        """The words of q's clause before it (from the previous figure or clause end)."""
        k = bisect.bisect_left(self.starts, q.start)
        lo = max(q.start - 30, 0)
        if k:
            lo = max(lo, self.items[k - 1].end or 0)
        lead = self.text[lo:q.start]
        cut = max(lead.rfind(c) for c in "。；;\n")
        return lead[cut + 1:]

    def between(self, start: int, end: int) -> list[Quantity]:
        """The figures that start in [start, end)."""
        return self.items[bisect.bisect_left(self.starts, start):bisect.bisect_left(self.starts, end)]


def _field_of(label: str | None, lead: str = "") -> str | None:
    """Which project field a figure's label names (patterns/project_lists.json `fields`); failing
    that, the words before it in its clause once total words are trimmed (`安排，共计239万元`)."""
    rules = _prose_rules()
    for words in (label, rules["lead_trim"].sub("", lead) if lead else None):
        if not words:
            continue
        norm = normalize(words).text
        for fld, cues in rules["fields"]:
            if norm.endswith(cues):
                return fld
    return None


def _own_part(figures: _Figures, q: Quantity, name: str) -> Quantity:
    """The part of q that the project's name labels, when q is a sum with a `其中` breakdown
    (`实际支出6.5万元（其中X经费6万元，Y经费0.5万元）` for project X: 6万元)."""
    if not name or not figures.text:
        return q

    def bare(words: str) -> str:  # labels are read without quotes
        return re.sub(r"[“”\"'‘’]", "", _core(words.removeprefix("其中")))

    core = bare(name)
    tail = figures.text[q.end:q.end + 200]
    stop = min((k for k in (tail.find("。"), tail.find("\n")) if k >= 0), default=len(tail))
    k = tail.find("其中", 0, stop)
    if k < 0 or k > 4:
        return q
    for part in figures.between(q.end + k, q.end + stop):
        if part.kind == "amount" and part.label and _same_core(core, bare(part.label)):
            return part
    return q


def _fits_rate(rate: Quantity, executed: Quantity, budgets: list[Quantity]) -> bool:
    """The rate is executed ÷ one of the budgets to its written precision (or that fraction
    written with a % sign, `0.9270%`, which the checks flag)."""
    if rate.value is None or executed.value_yuan is None:
        return False
    places = max(-rate.value.as_tuple().exponent, 0)
    tol = Decimal(1).scaleb(-places) / 2 + Decimal("0.01")
    for b in budgets:
        if b.value_yuan:
            pct = executed.value_yuan / b.value_yuan * 100
            if abs(pct - rate.value) <= tol or abs(pct / 100 - rate.value) <= tol:
                return True
    return False


def _fields_in(figures: _Figures, start: int, end: int, name: str = "",
               whole: bool = False) -> dict[str, Quantity]:
    """The figure of each project field among the figures in [start, end): the first one, unless
    the field is stated again and the first statement is off the other amounts' scale by a
    unit slip (`全年预算66.67元` … `全年预算数66.67万元`): the project row takes the statement
    that fits, and the checks flag the other. Read over a `whole` report, where parts of the
    project state figures of their own, a budget is one stated before the first spending
    figure, and the rate the one in the spending figure's sentence, else the first (in prose,
    then in a table's 合计 row) that is executed ÷ budget, else none."""
    kinds = {"initial_budget": "amount", "adjusted_budget": "amount", "executed": "amount", "execution_rate": "rate",
             "total_score": "count"}
    cands: dict[str, list[Quantity]] = {}
    for q in figures.between(start, end):
        fld = _field_of(q.label, figures.lead(q) if figures.text else "")
        if fld and q.kind == kinds[fld]:
            cands.setdefault(fld, []).append(q)
    if whole and "executed" in cands:
        spent = cands["executed"][0].start
        for fld in ("initial_budget", "adjusted_budget"):
            cands[fld] = [q for q in cands.get(fld, []) if q.start < spent]
            if not cands[fld]:
                del cands[fld]
    got = {fld: (_own_part(figures, qs[0], name) if kinds[fld] == "amount" else qs[0])
           for fld, qs in cands.items()}
    budgets = [got[f] for f in ("adjusted_budget", "initial_budget") if f in got]
    if whole and "execution_rate" in got and "executed" in got and budgets:
        spent = got["executed"]
        beside = [r for r in cands["execution_rate"] if 0 <= r.start - (spent.end or 0) < 40
                  and not re.search(r"[。\n]", figures.text[spent.end:r.start])]
        in_totals = [q for q in figures.totals if q.kind == "rate" and _field_of(q.extra.get("column")) == "execution_rate"]
        fit = beside or [r for r in cands["execution_rate"] + in_totals if _fits_rate(r, spent, budgets)]
        if fit:
            got["execution_rate"] = fit[0]
        else:
            del got["execution_rate"]  # some part's rate: the project's own is not stated in prose
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
        name = m.group("name").strip()
        out.append((name, _fields_in(figures, lo, hi, name)))
    return out


def _title_project(text: str, meta: DocMeta, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    """A project report's one project: the title names it between the year and the report words.
    An evaluation another body made of one fund (report type other, `…项目支出绩效评价结果`) names
    it on its title's own line, when the name holds a fund word."""
    rules = _prose_rules()
    if meta.report_type == "other" and meta.title:
        return _evaluated_fund(text, meta, figures)
    if meta.report_type != "project-self-eval" or not meta.title:
        return []
    name = _after_year(normalize(meta.title).text)
    for suffix in rules["suffixes"]:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    else:
        return []
    if _names_no_project(name):
        return []  # `项目绩效自评报告`, `某中学专项资金绩效自评价报告`: a heading that names no project
    return [(name, _fields_in(figures, 0, len(text), name, whole=True))] if name else []


def _names_no_project(name: str) -> bool:
    """A title's name part that is only a generic word or a unit and a generic word."""
    rules = _prose_rules()
    return name in rules["generic"] or bool(rules["unit_generic"].search(name))


def _after_year(title: str) -> str:
    """A title's words after its year (`…2022年度X` → `X`)."""
    y = title_rules()["year"].search(title)
    return re.sub(r"^度", "", title[y.end():] if y else title)


def _evaluated_fund(text: str, meta: DocMeta, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    """The fund an evaluation result names on its title line (the line ending in an evaluation
    word; the department's line above it is not part of the name)."""
    rules = _prose_rules()
    above = ""
    for line in text.splitlines()[:12]:
        line = re.sub(r"\s+", "", normalize(line).text)
        suffix = next((x for x in rules["evaluation_suffixes"] if line.endswith(x)), None)
        if suffix is None:
            above = line or above
            continue
        name = _after_year(line[: -len(suffix)])
        # the unit evaluated: its name leads the title line, or is the line above it (`2022年度某局`)
        unit = meta.department if meta.department and name.startswith(meta.department) else None
        if unit:
            name = name[len(unit):]
        elif title_rules()["org"].fullmatch(_after_year(above)):
            unit = _after_year(above)
        if not rules["evaluated_fund"].search(name) or _names_no_project(name):
            return []  # `部门整体支出绩效评价报告`: a department's, not a fund's
        fields: dict[str, Any] = dict(_fields_in(figures, 0, len(text), name, whole=True))
        if unit:
            fields["implementing_unit"] = unit
        return [(name, fields)]
    return []


def _prose_name(norm: str) -> str | None:
    """The one project a report's prose names: `项目名称：X` (its value may wrap onto the next
    line), `项目为一个：X`, a top-level heading that is a fund's name, or a sentence whose
    subject is `X项目` followed by a money word; tried in that order."""
    rules = _prose_rules()
    m = rules["explicit"].search(norm)
    if m:
        name = m.group("name") + (m.group("more") or "")
        return rules["prefix"].sub("", rules["name_suffix"].sub("", re.sub(r"\s+", "", name)))
    for key in ("single", "fund_heading"):
        m = rules[key].search(norm)
        if m:
            return m.group("name")
    for m in rules["phrase"].finditer(norm):
        name = rules["prefix"].sub("", m.group("name"))
        if len(name) > 2 and name not in rules["generic"]:
            return name
    return None


def _named_project(text: str, meta: DocMeta, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    """A report about one project that names it in its prose rather than its title (or more
    exactly than its title: the fund's own heading under a title naming the fund group). Only
    in a project report, or where `项目名称：` is written; the figures are those of the whole text."""
    rules = _prose_rules()
    norm = normalize(text).text
    if meta.report_type != "project-self-eval" and not rules["explicit"].search(norm):
        return []
    name = _prose_name(norm)
    if not name:
        return []
    units = {f: m.group("v") for f, rx in rules["units"].items() if (m := rx.search(norm))}
    for unit in [*units.values(), meta.department]:
        if unit and name.startswith(unit) and len(name) > len(unit):
            name = name[len(unit):]
    if not name or name in rules["generic"]:
        return []
    fields: dict[str, Any] = dict(_fields_in(figures, 0, len(text), name, whole=True))
    fields.update({f: v for f, v in units.items() if v != name})
    return [(name, fields)]


def _quoted_funds(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Funds a summary says it self-evaluated, named in quotes, with the grade a later sentence
    gives them (`“A”、“B”等专项资金绩效自评等次均为优秀`)."""
    rules = _prose_rules()
    norm = normalize(text).text
    names: list[str] = []
    for m in rules["quoted"].finditer(norm):
        names += [n for n in re.findall(r"“([^”]+)”", m.group("list")) if n not in names]
    grades: dict[str, str] = {}
    for m in rules["quoted_grade"].finditer(norm):
        for n in re.findall(r"“([^”]+)”", m.group("list")):
            grades.setdefault(n, m.group("grade"))
    return [(n, {"grade": grades[n]} if n in grades else {}) for n in names]


def _core(name: str) -> str:
    """A project name without year prefix and bracketed notes, for matching one project named twice."""
    n = normalize(name).text
    n = re.sub(r"[（(][^()（）]*[)）]", "", n)
    return re.sub(r"^(?:19|20)\d{2}年度?", "", n).strip("“”\"")


def _same_core(na: str, nb: str) -> bool:
    """Two project names (reduced by `_core`) name one project when one contains the other."""
    return bool(na) and bool(nb) and (na in nb or nb in na)



def _prose_projects(text: str, located: list[Quantity], meta: DocMeta, one_project: bool = True,
                    totals: list[Quantity] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(name, field → figure) for every project the prose describes, merged by name; a report
    about one project (`one_project`: no project came from a table) names it in its prose or title."""
    figures = _Figures(located, text, totals)
    found: list[tuple[str, dict[str, Any]]] = list(_listed(text, figures))
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
    for name, fields in _quoted_funds(text):
        if not any(_same_core(_core(name), c) for c in cores):
            found.append((name, fields))
            cores.append(_core(name))
    if not found and one_project:
        found = _named_project(text, meta, figures) or _title_project(text, meta, figures)
    return found


def prose_project_list(text: str) -> list[dict[str, str]]:
    """Runner of project_lists.json: name and figure texts per project the prose describes."""
    from ..text.quantities import find_quantities

    doc = Document(path="", reader="text", text=text)
    meta = document_meta(doc)
    figures = [q for q in find_quantities(doc, meta.report_year) if q.start is not None]
    return [dict({"name": name}, **{f: q if isinstance(q, str) else q.text for f, q in fields.items()})
            for name, fields in _prose_projects(text, figures, meta)]


def projects_from_prose(doc: Document, quantities: list[Quantity], meta: DocMeta,
                        table_projects: list[Project]) -> list[Project]:
    """Projects described in prose, source="text": a listing sentence (`本次评价项目共7个，分别为…
    X万元；…`), numbered headings (`1.2023年…专项经费主要任务及完成情况`) with the figures under
    them, funds named in quotes as self-evaluated, or a one-project report's project named in its
    prose (`项目名称：`, a fund heading, `X项目计划投资…`) or title. A listed amount is the project's funding as stated and
    goes to `adjusted_budget_yuan`. Projects already read from a table are skipped.
    """
    figures = [q for q in quantities if q.start is not None and q.end is not None]
    totals = [q for q in quantities if q.start is None and q.table is not None and q.label
              and _prose_rules()["total_row"].fullmatch(normalize(q.label).text)]
    out: list[Project] = []
    known = [_core(p.name) for p in table_projects]
    for name, stated in _prose_projects(doc.text, figures, meta, one_project=not table_projects,
                                         totals=totals):
        fields = {f: q for f, q in stated.items() if isinstance(q, Quantity)}
        words = {f: v for f, v in stated.items() if isinstance(v, str)}
        if meta.department and name.startswith(meta.department) and len(name) > len(meta.department):
            name = name[len(meta.department):]
        core = _core(name)
        if any(_same_core(core, k) for k in known):
            continue
        known.append(core)

        def yuan(fld: str):
            return fields[fld].value_yuan if fld in fields else None

        located = [q for q in fields.values() if q.start is not None]
        first = min(located, key=lambda q: q.start) if located else None
        p = Project(name=name, fiscal_year=(first.year if first else None) or meta.report_year,
                    initial_budget_yuan=yuan("initial_budget"), adjusted_budget_yuan=yuan("adjusted_budget"),
                    executed_yuan=yuan("executed"),
                    execution_rate=fields["execution_rate"].value if "execution_rate" in fields else None,
                    total_score=fields["total_score"].value if "total_score" in fields else None,
                    supervising_dept=words.get("supervising_dept"), implementing_unit=words.get("implementing_unit"),
                    page=first.page if first else None, source="text")
        p.grade = grade_of(p.total_score) or words.get("grade")
        p.extra["figures"] = {f: {"text": q.text, "start": q.start, "end": q.end} if q.start is not None
                              else {"text": q.text, "table": q.table, "row": q.row, "col": q.col}
                              for f, q in fields.items()}
        if "adjusted_budget" in fields:
            p.extra.update(amount_text=fields["adjusted_budget"].text, start=fields["adjusted_budget"].start,
                           end=fields["adjusted_budget"].end)
        out.append(p)
    return out
