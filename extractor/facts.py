"""Document-level and prose facts: the report's title/department/year/type, project lists
written in sentences, and budget lines (预算/决算 收入/支出 by year and 功能分类).

Cue words and name forms live in patterns/report_types.json, patterns/categories.json and
patterns/fund_rows.json; this module only walks the text and applies them.
"""
from __future__ import annotations

import bisect
import functools
import math
import statistics
import re
from decimal import Decimal
from typing import Any

from . import patternbook
from .model import BudgetLine, DocMeta, Document, Project, Quantity
from .normalize import normalize
from .selfeval import grade_of

# ---------------------------------------------------------------- document meta


@functools.lru_cache(maxsize=None)
def _title_rules() -> dict[str, Any]:
    types: list[tuple[str, list[str]]] = []
    rules: dict[str, Any] = {}
    for e in patternbook.entries("report_types"):
        if e["kind"] == "type":
            types.append((e["type"], e["cues"]))
        elif e["kind"] == "year":
            rules["year"] = re.compile(e["regex"])
            rules["bracketed"] = re.compile(e["bracketed"])
        elif e["kind"] == "department":
            rules["org"] = re.compile(e["regex"])
            rules["label"] = re.compile(e["labels"])
    rules["types"] = types
    return rules


def report_type_of(text: str) -> str:
    """The report type named by cue words in a title (first matching type wins)."""
    norm = normalize(text).text
    for rtype, cues in _title_rules()["types"]:
        if any(c in norm for c in cues):
            return rtype
    return "other"


def _has_cue(norm: str) -> bool:
    return any(c in norm for _t, cues in _title_rules()["types"] for c in cues)


def year_of(text: str) -> int | None:
    """The fiscal year a title names: a bracketed `（2022年度）` wins over the first `2023年`."""
    norm = normalize(text).text
    r = _title_rules()
    m = r["bracketed"].search(norm) or r["year"].search(norm)
    return int(m.group(1)) if m else None


def _org_prefix(run: str) -> str | None:
    """The longest prefix of `run` that is an organisation name (ends in an org suffix)."""
    org = _title_rules()["org"]
    for end in range(min(len(run), 42), 1, -1):
        if org.fullmatch(run[:end]):
            return run[:end]
    return None


_CJK_RUN = re.compile(r"[\u4e00-\u9fff（）()]+")


def department_of(text: str) -> str | None:
    """A department named in a title (the part before the year) or after a 单位 label."""
    norm = normalize(text).text
    r = _title_rules()
    y = r["year"].search(norm)
    if y:
        head = norm[: y.start()].strip(" |:：")
        if head and r["org"].fullmatch(head):
            return head
    for _t, cues in r["types"]:
        for cue in cues:
            k = norm.find(cue)
            head = norm[:k].strip(" |:：") if k > 0 else ""
            if head and r["org"].fullmatch(head):
                return head
    for m in r["label"].finditer(norm):
        run = _CJK_RUN.match(norm, m.end())
        if run:
            found = _org_prefix(run.group(0))
            if found:
                return found
    return None


def title_facts(text: str) -> dict[str, Any]:
    """Runner of patterns/report_types.json: the facts a title line carries."""
    return {"report_type": report_type_of(text), "report_year": year_of(text), "department": department_of(text)}


def _clean_line(line: str) -> str:
    return line.strip(" \t\u3000|")


def _title_from_lines(text: str) -> str | None:
    """Title = the first short line holding a report cue, with the org-name lines right above it."""
    lines = [_clean_line(x) for x in text.splitlines()[:30]]
    lines = [x for x in lines if x]
    head: list[str] = []
    for i, line in enumerate(lines[:8]):
        norm = normalize(line).text
        if len(norm) > 60:
            break
        joined = "".join(head + [line])
        # a cue word may be split by a wrapped title (`…支出绩效自` / `评报告`)
        if _has_cue(norm) or (head and len(joined) <= 60 and _has_cue(normalize(joined).text)):
            tail = lines[i + 1] if i + 1 < len(lines) else ""
            if _TITLE_TAIL.fullmatch(normalize(tail).text):
                joined += tail  # the last characters of a wrapped title (`报告`, `告`)
            return joined
        if re.search(r"[:：A-Za-z]", norm):
            head = []
        else:
            head.append(line)
    return None


_TITLE_TAIL = re.compile(r"(?:自?评?报?告|总结|结|表|情况)")
_TITLE_DELIMS = re.compile(r"[\s:：《》|，。,]")


def _title_in_run(text: str) -> str | None:
    """For flattened one-line text: the phrase around the first report cue in the opening."""
    nt = normalize(text[:1500])
    norm = nt.text
    hits = [(norm.find(c), c) for _t, cues in _title_rules()["types"] for c in cues if c in norm]
    if not hits:
        return None
    pos, cue = min(hits)
    start = pos
    while start > 0 and pos - start < 30 and not _TITLE_DELIMS.match(norm[start - 1]):
        start -= 1
    end = pos + len(cue)
    while end < len(norm) and end - pos < 30 and "\u4e00" <= norm[end] <= "\u9fff":
        end += 1
    m = _title_rules()["bracketed"].match(norm, end)
    if m:
        end = m.end()
    s, e = nt.span(start, end)
    return text[s:e]


def _signature_department(text: str) -> str | None:
    """A closing signature: an organisation line followed by a date line."""
    lines = [_clean_line(x) for x in text.rstrip().splitlines()[-6:]]
    lines = [x for x in lines if x]
    org = _title_rules()["org"]
    for a, b in zip(lines, lines[1:]):
        na = normalize(a).text
        if org.fullmatch(na) and re.match(r"(?:19|20)\d{2}年\d{1,2}月", normalize(b).text):
            return na
    return None


def document_meta(doc: Document) -> DocMeta:
    """Title, department, fiscal year and report type from the title, cover and signature."""
    text = doc.text
    declared = doc.meta.get("title")  # an HTML page's <title>, more reliable than its breadcrumbs
    title = declared if declared and _has_cue(normalize(declared).text) else None
    title = title or _title_from_lines(text) or _title_in_run(text)
    if title is None and doc.tables:
        # a spreadsheet: the title sits above the first table (its context) or in its first rows
        first = doc.tables[0]
        text = first.context + "\n" + "\n".join(" ".join(c for c in row if c) for row in first.cells[:4])
        title = _title_from_lines(text) or _title_in_run(text)
    meta = DocMeta(title=title)
    if title:
        meta.report_type = report_type_of(title)
        meta.report_year = year_of(title)
        meta.department = department_of(title)
    opening = text[:1500]
    if meta.report_year is None:
        m = _title_rules()["bracketed"].search(normalize(opening).text)
        meta.report_year = int(m.group(1)) if m else None
    if meta.department is None:
        meta.department = department_of(opening) or _signature_department(text)
        if meta.department is None:
            for line in text.splitlines()[:3]:
                cand = normalize(_clean_line(line)).text
                if cand and _title_rules()["org"].fullmatch(cand):
                    meta.department = cand
                    break
    if meta.report_type == "other" and title is None:
        meta.report_type = report_type_of(opening[:300])
    return meta


# ---------------------------------------------------------------- budget lines


@functools.lru_cache(maxsize=None)
def _budget_rules() -> dict[str, Any]:
    cats: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []
    stages: list[tuple[str, str]] = []
    skip: list[str] = []
    neutral: list[str] = []
    subset: list[str] = []
    for e in patternbook.entries("categories"):
        neutral += e.get("neutral", [])
        subset += e.get("subset_tables", [])
        if e["kind"] == "category":
            cats += [(n, e["code"]) for n in e["names"]]
        elif e["kind"] == "item":
            items += [(f, e["direction"]) for f in e["forms"]]
        elif e["kind"] == "stage":
            stages += [(c, e["stage"]) for c in e["cues"]]
        elif e["kind"] == "skip":
            skip += e["cues"]
    return {
        "cats": sorted(cats, key=lambda x: -len(x[0])),
        "items": sorted(items, key=lambda x: -len(x[0])),
        "stages": stages,
        "skip": skip,
        "neutral": neutral,
        "subset_tables": subset,
        "default_stage": next(e["stage"] for e in patternbook.entries("categories") if e.get("default")),
    }


def stage_in(text: str) -> str | None:
    """决算 → final, 预算 → budget (决算 checked first: 预算 also appears in 决算 headings and in
    fund names such as 一般公共预算, which are dropped first)."""
    for name in _budget_rules()["neutral"]:
        text = text.replace(name, "")
    for cue, stage in _budget_rules()["stages"]:
        if cue in text:
            return stage
    return None


def _category_match(norm: str) -> tuple[str, str] | None:
    """(name, code) of the category name or old alias (医疗卫生支出 → 210) that `norm` ends with."""
    for name, code in _budget_rules()["cats"]:
        if norm.endswith(name):
            return name, code
    return None


def category_code(text: str) -> str | None:
    """The 功能分类 类 code of a name ending in a category name or an old alias."""
    got = _category_match(normalize(text).text)
    return got[1] if got else None


def classify_budget_label(text: str) -> dict[str, Any]:
    """Runner of categories.json: direction, stage and category code a label names, or all None."""
    none = {"direction": None, "stage": None, "category_code": None}
    norm = normalize(text or "").text.strip(" 。；;，,:：")
    rules = _budget_rules()
    if not norm or any(c in norm for c in rules["skip"]) or re.search(r"[(（](?:款|项)[)）]$", norm):
        return none
    norm = re.sub(r"[(（]类[)）]$", "", norm)
    cat = _category_match(norm)
    if cat:
        return {"direction": "expenditure", "stage": stage_in(norm[: -len(cat[0])]), "category_code": cat[1]}
    for form, direction in rules["items"]:
        if norm.endswith(form):
            return {"direction": direction, "stage": stage_in(norm), "category_code": None}
    return none


_HEADING = re.compile(r"^\s*(?:[（(]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9]+[.．、]|[一二三四五六七八九十]+、)")


def _stage_from_context(text: str, start: int) -> str | None:
    """Stage cue in the amount's own line, else in the nearest heading line above it."""
    line_start = text.rfind("\n", 0, start) + 1
    own = stage_in(normalize(text[line_start:start]).text)
    if own:
        return own
    if _HEADING.match(text[line_start:start]) and line_start > 0:
        # an item of a numbered list: the stage is named in the sentence that opens the list
        end = line_start
        prev = text.rfind("\n", 0, end - 1) + 1
        while prev > 0 and _HEADING.match(text[prev:end]) and not text[prev:end].rstrip().endswith(("：", ":")):
            end = prev
            prev = text.rfind("\n", 0, end - 1) + 1
        intro = text[prev:end].rstrip()
        if intro.endswith(("：", ":")):
            got = stage_in(normalize(intro).text)
            if got:
                return got
    pos = line_start
    for _ in range(12):
        if pos <= 0:
            break
        prev = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev:pos].strip()
        pos = prev
        if len(line) <= 40 and _HEADING.match(line):
            got = stage_in(normalize(line).text)
            if got:
                return got
    return None


def _table_category(doc: Document, q: Quantity) -> str | None:
    """A 科目编码 cell in the quantity's row (`201`, `2010301`), else the category of its label."""
    t = doc.tables[q.table] if q.table is not None and q.table < len(doc.tables) else None
    if t is not None and q.row is not None:
        for cell in t.cells[q.row]:
            c = normalize(cell).text.strip()
            if re.fullmatch(r"2\d{2}(?:\d{2}){0,2}", c):
                return c
    return category_code(q.label or "")


def _caption(doc: Document, index: int) -> str | None:
    """The title line of a 决算/预算 table (`支出决算表`), or that of the table it continues."""
    tables = doc.tables
    t = tables[index]
    lines = [normalize(x).text.strip() for x in t.context.splitlines()]
    titled = [x for x in lines if x.endswith("表") and len(x) <= 40]
    if titled:
        return titled[-1]
    if not t.context.strip() and index > 0 and tables[index - 1].n_cols == t.n_cols:
        return _caption(doc, index - 1)
    return None


def _first_amount_of_row(t, q: Quantity) -> bool:
    """True for the amount right after its row label (the 合计/决算数 column of its side)."""
    if q.row is None or q.col is None or q.row >= len(t.cells):
        return False
    for c in range(q.col - 1, -1, -1):
        txt = t.cells[q.row][c].strip() if c < len(t.cells[q.row]) else ""
        if txt:
            return not re.fullmatch(r"[-\d.,%\s]+", txt) or bool(re.fullmatch(r"2\d{2}(?:\d{2}){0,2}", txt))
    return False


def budget_lines(doc: Document, quantities: list[Quantity], meta: DocMeta) -> list[BudgetLine]:
    """预算/决算 收入/支出/结余 lines by year, from prose labels and 决算 table rows.

    Prose: an amount whose label names a budget item (patterns/categories.json); the stage
    comes from the label or the section heading above. Tables: the first amount of each row
    of a table whose caption names a 决算/预算 table.
    """
    out: list[BudgetLine] = []
    seen: dict[tuple, int] = {}
    rows_taken: set[tuple[int, int, str]] = set()
    from_table: list[bool] = []
    for q in quantities:
        if q.kind != "amount" or q.value_yuan is None or not q.label:
            continue
        cls = classify_budget_label(q.label)
        if cls["direction"] is None:
            continue
        if q.start is not None:
            stage = cls["stage"] or _stage_from_context(doc.text, q.start)
            code = cls["category_code"]
        elif q.table is not None and q.table < len(doc.tables):
            caption = _caption(doc, q.table)
            if caption is None or any(w in caption for w in _budget_rules()["subset_tables"]):
                continue
            stage = stage_in(caption) or cls["stage"]
            key = (q.table, q.row or 0, q.label)
            if stage is None or key in rows_taken or not _first_amount_of_row(doc.tables[q.table], q):
                continue
            rows_taken.add(key)
            code = _table_category(doc, q)
            if ("收入" in caption) != ("支出" in caption):
                cls = dict(cls, direction="income" if "收入" in caption else "expenditure")
        else:
            continue
        if stage is None and (meta.report_type == "final-accounts" or q.start is not None):
            stage = _budget_rules()["default_stage"]
        if stage is None:
            continue
        year = q.year or meta.report_year
        item = normalize(q.label).text.strip()
        item = re.sub(r"^(?:[0-9]+[.．、]|[一二三四五六七八九十]+、|(?:19|20)\d{2}年度?)+", "", item) or item
        dedup = (year, stage, cls["direction"], item, q.value_yuan)
        line = BudgetLine(year=year, stage=stage, direction=cls["direction"], item=item, category_code=code,
                          value_yuan=q.value_yuan, text=q.text, page=q.page)
        if dedup in seen:
            at = seen[dedup]
            if q.table is not None and not from_table[at]:  # the table is the source
                out[at], from_table[at] = line, True
            continue
        seen[dedup] = len(out)
        out.append(line)
        from_table.append(q.table is not None)
    # a sentence restating a line of a 决算 table is not a second line (the table is the source)
    tabled = {(b.year, b.stage, b.direction, b.item) for b, t in zip(out, from_table) if t}
    return [b for b, t in zip(out, from_table) if t or (b.year, b.stage, b.direction, b.item) not in tabled]


# ---------------------------------------------------------------- projects in prose


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
        name = text[s:q.start].strip(" \t，,、:：")
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
    heads = list(rules["heading"].finditer(text))
    out = []
    for k, m in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
        stop = rules["section_end"].search(text, m.end(), end)
        end = stop.start() if stop else end
        out.append((normalize(m.group("name")).text.strip(), _fields_in(figures, m.end(), end)))
    return out


def _title_project(text: str, meta: DocMeta, figures: _Figures) -> list[tuple[str, dict[str, Quantity]]]:
    """A project report's one project: the title names it between the year and the report words."""
    if meta.report_type != "project-self-eval" or not meta.title:
        return []
    title = normalize(meta.title).text
    y = _title_rules()["year"].search(title)
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
    from .quantities import find_quantities

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
