"""Read the standard self-evaluation tables (项目支出/部门整体支出绩效自评表 and provincial
variants) into `Project` and `Indicator` rows.

The column *meanings* are stable across provinces while the header words vary, so every
header, row label and indicator-vocabulary word is matched through the synonym lists in
patterns/table_headers.json and patterns/fund_rows.json (exact match after dropping
bracketed qualifiers such as (A), (万元), (10分); or with one OCR misreading of a look-alike
character, patterns/ocr_misreads.json). A table is read as blocks found by their
headers: label/value cells (项目名称, 主管部门, 实施单位), the money block (a header row with
年初预算数/全年预算数/全年执行数…, then one row per fund source) and the indicator block
(一级/二级/三级指标… header, then one row per indicator, then 总分). Amounts become exact
元 with the unit the table declares (`项目资金（万元）`, `（元）`, or 万元 by default).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

from .. import patternbook
from ..model import DocMeta, Document, Indicator, Project, Quantity, Table
from ..text.misreads import LEAST_WORD, corrections
from ..text.normalize import normalize
from ..text.numerals import parse_number
from ..text.quantities import to_yuan, unit_declared

MONEY_ROLES = ("initial_budget", "adjusted_budget", "executed")
# money columns some forms add between budget and execution (统筹整合资金数, 扣除后预算金额, 全年到位资金)
EXTRA_MONEY_ROLES = ("pooled", "net_budget", "arrived")
FUND_COLUMN_ROLES = MONEY_ROLES + EXTRA_MONEY_ROLES + ("rate", "arrival_rate", "weight", "score", "exec_reason")
INDICATOR_ROLES = ("l1", "l2", "l3", "nature", "target", "target_adjusted", "measure_unit", "actual",
                   "weight", "score", "reason", "score_ratio")
LABEL_ROLES = ("project_name", "dept_name", "supervising_dept", "implementing_unit", "self_score")
_BRACKETED = re.compile(r"[（(][^()（）]*[)）]")
# a note whose other bracket was lost (OCR drops one half: `全年执行数B)`, `执行率（B/A`), or whose
# brackets OCR read as other punctuation (`调整预算数,A、`)
_HALF_BRACKETED = re.compile(r"[（(][^()（）]*$|(?<![（(A-Za-z/])[A-Za-z/]{1,3}[)）]$|[,，、.]\s?[A-Z](?:/[A-Z])?\s?[)）、,，.]?$")
_DROP = re.compile(r"^其中|[:：\s]")

# ---------------------------------------------------------------- cell vocabulary


def clean_label(text: str) -> str:
    """A cell's text reduced for synonym matching: NFKC, no spaces, no bracketed notes, no 其中/colons."""
    t = normalize(text).text
    t = _HALF_BRACKETED.sub("", _BRACKETED.sub("", t.replace("\n", "")))
    return _DROP.sub("", t.replace(" ", ""))


@functools.lru_cache(maxsize=None)
def _vocabulary() -> dict[str, str]:
    roles: dict[str, str] = {}
    for book in ("table_headers", "fund_rows"):
        for e in patternbook.entries(book):
            for s in e["synonyms"]:
                roles.setdefault(clean_label(s), e["role"])
    return roles


def vocabulary() -> frozenset[str]:
    """The form words (header, row and label synonyms) as `clean_label` reduces them."""
    return frozenset(_vocabulary())


@functools.lru_cache(maxsize=1)
def _longest_word() -> int:
    return max(map(len, _vocabulary()), default=0)


@functools.lru_cache(maxsize=8192)  # asked of every cell by several readers of a table, and of every token
def role_of(text: str) -> str | None:
    """The meaning of a header/label cell (`initial_budget`, `l3`, `fund:total`, …) or None."""
    if not text or not text.strip():
        return None
    # cheap refusals before normalising: a cell far longer than any header word (a paragraph),
    # or one with a digit outside brackets when no header word has one (`第3项支出1.00万元`)
    bare = _DROP.sub("", _BRACKETED.sub("", text))  # what clean_label keeps, before normalising
    if len(text) > 2 * _longest_word() + 8 and len(bare) > _longest_word() + 8:
        return None
    if not _digit_in_vocabulary() and not any(c in bare for c in "()（）") and any(c.isdigit() for c in bare):
        return None
    return _role_read(clean_label(text))[0]


@functools.lru_cache(maxsize=8192)
def _role_read(clean: str) -> tuple[str | None, bool]:
    """The role of a cleaned cell and whether it took one OCR misreading (patterns/ocr_misreads.json)
    to read it: `年初预匏数` is 年初预算数, `实施第位` 实施单位; a short word is never read so."""
    vocabulary = _vocabulary()
    role = vocabulary.get(clean)
    if role is not None or len(clean) < LEAST_WORD:
        return role, False
    for fixed in corrections(clean):
        if len(fixed) >= LEAST_WORD and fixed in vocabulary:
            return vocabulary[fixed], True
    return None, False


def misread_cell(text: str) -> dict[str, Any]:
    """Runner of ocr_misreads.json: a cell's role and whether a misreading was needed."""
    role = role_of(text)
    return {"role": role, "misread": role is not None and _role_read(clean_label(text))[1]}


@functools.lru_cache(maxsize=1)
def _digit_in_vocabulary() -> bool:
    return any(c.isdigit() for word in _vocabulary() for c in word)


def _declared_unit(text: str) -> str | None:
    """The money unit a cell or caption declares (the one rule: patterns/unit_declarations.json)."""
    got = unit_declared(text) if text else None
    return got[0] if got else None


def classify_cell(text: str) -> dict[str, Any]:
    """Runner of table_headers.json and fund_rows.json: role and declared money unit of a cell."""
    role = role_of(text)
    return {"role": role, "unit": _declared_unit(text) if role is not None else None}


@functools.lru_cache(maxsize=None)
def _code_rx() -> re.Pattern[str]:
    return re.compile(patternbook.entries("code_prefixes")[0]["regex"])


def split_code(text: str) -> dict[str, str | None]:
    """Runner of code_prefixes.json: `51000021R000000019951-工资性支出` → code + name."""
    m = _code_rx().match(normalize(text).text)
    if m:
        return {"code": m.group(1), "name": m.group(2)}
    return {"code": None, "name": text.strip()}


@functools.lru_cache(maxsize=None)
def _target_rules() -> dict[str, Any]:
    number = next(e for e in patternbook.entries("indicator_targets") if e["kind"] == "number")
    prefix: list[tuple[str, str]] = []
    suffix: list[tuple[str, str]] = []
    for e in patternbook.entries("operators"):
        for f in e.get("prefix", []):
            prefix.append((normalize(f).text, e["operator"]))
        for f in e.get("suffix", []):
            suffix.append((normalize(f).text, e["operator"]))
    return {
        "number": re.compile(number["regex"]),
        "max_unit": number["max_unit_chars"],
        "aliases": number["unit_aliases"],
        "prefix": sorted(prefix, key=lambda p: -len(p[0])),
        "suffix": sorted(suffix, key=lambda p: -len(p[0])),
    }


def parse_target(text: str) -> dict[str, Any]:
    """Runner of indicator_targets.json: operator, number and unit of a 指标值/完成值 string.

    Only a string that is entirely `[operator] number [unit] [operator-suffix]` gets a value;
    qualitative text and dates stay None so no numeric rule is applied to them.
    """
    op, value, unit = _target_parts(text or "")
    return {"operator": op, "value": value, "unit": unit}


@functools.lru_cache(maxsize=8192)  # forms repeat their targets (`≥95%`, `100%`, `是`)
def _target_parts(text: str) -> tuple[str | None, Decimal | None, str | None]:
    """`parse_target`'s (operator, value, unit), read once per text."""
    rules = _target_rules()
    none = (None, None, None)
    t = normalize(text).text.strip()
    op = None
    for form, sign in rules["prefix"]:
        if t.startswith(form):
            op, t = sign, t[len(form):].strip()
            break
    for form, sign in rules["suffix"]:
        if t.endswith(form) and op is None:
            op, t = sign, t[: -len(form)].strip()
            break
    m = rules["number"].match(t)
    if not m:
        return none
    unit = t[m.end():].strip() or None
    if unit is not None and (len(unit) > rules["max_unit"] or re.search(r"\d", unit)):
        return none
    value = parse_number(m.group(0))
    if value is None:
        return none
    unit = rules["aliases"].get(unit, unit) if unit else None
    return op, value, unit


_CELL_NUMBER = re.compile(r"-?[\d,]*\d(?:\.\d+)?")


@functools.lru_cache(maxsize=8192)  # every reader of a form asks for its cells' numbers
def cell_number(text: str) -> Decimal | None:
    """A bare number in a cell (`215,457.6`, `100.00%`, `-3`); None for `—`, `/`, text."""
    t = normalize(text or "").text.strip().rstrip("%").strip()
    if t.endswith("万") and t[:-1][-1:].isdigit():
        t = t[:-1]  # `251.89万`: a money cell with its unit's bare 万 (its row reads it as 万元)
    if not t or not _CELL_NUMBER.fullmatch(t):
        return None
    return parse_number(t)


def grade_of(total: Decimal | None) -> str | None:
    """优 ≥ 90, 良 80–89, 中 60–79, 差 < 60 (MOF 预算司 bands)."""
    if total is None:
        return None
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"


# ---------------------------------------------------------------- reading one table


def _roles(t: Table) -> list[list[str | None]]:
    return [[role_of(c) for c in row] for row in t.cells]


def _value_right(t: Table, roles: list[list[str | None]], r: int, c: int) -> tuple[str, int, int] | None:
    """The first non-empty, non-label cell to the right of (r, c)."""
    row = t.cells[r]
    for cc in range(c + 1, len(row)):
        txt = row[cc].strip()
        if not txt or t.merged.get((r, cc), (r, cc)) == t.merged.get((r, c), (r, c)):
            continue
        if roles[r][cc] is not None:
            return None
        return txt, r, cc
    return None


def _header_row(roles: list[list[str | None]], start: int, end: int, wanted: tuple[str, ...], need: set[str],
                least: int) -> int | None:
    for r in range(start, end):
        got = {x for x in roles[r] if x in wanted}
        if len(got) >= least and got & need:
            return r
    return None


def _column_map(t: Table, roles: list[list[str | None]], r: int, wanted: tuple[str, ...]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, role in enumerate(roles[r]):
        if role in wanted and role not in cols:
            cols[role] = c
    return cols


def _table_unit(t: Table, start: int, end: int) -> str:
    """The money unit the form declares: a bracketed unit in a header/label cell, the caption, or 万元."""
    for r in range(start, end):
        for c in t.cells[r]:
            got = classify_cell(c)
            if got["unit"]:
                return got["unit"]
    # the forms are in 万元 unless they say otherwise (domain.md §5.1: amount_unit default 万元)
    return _declared_unit(t.context) or "万元"


def _year_in(texts: list[str]) -> int | None:
    from ..text.titles import year_of

    for txt in texts:
        if "年" in txt:
            y = year_of(txt)
            if y:
                return y
    return None


@functools.lru_cache(maxsize=8192)
def _readable(text: str) -> str:
    """A cell's text in simplified script without mirror pinyin where the page printed those
    (then NFKC'd, as normalising reads it); any other cell exactly as written."""
    if not text or text.isascii():
        return text
    n = normalize(text).text
    return n if n != "".join(unicodedata.normalize("NFKC", text).split()) else text


def _strip_weight(text: str) -> tuple[str, Decimal | None]:
    """`产出指标(50分)` → (`产出指标`, 50)."""
    t = normalize(text).text
    m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$", t)
    if m:
        return t[: m.start()].strip(), Decimal(m.group(1))
    return t.strip(), None


def _cell_ref(t: Table, r: int, c: int) -> dict[str, Any]:
    ref: dict[str, Any] = {"table": t.index, "row": r, "col": c, "text": t.cells[r][c]}
    span = t.spans.get((r, c))
    if span:
        ref["start"], ref["end"] = span
    return ref


def _fund_rows(t: Table, roles, hdr: int, end: int, unit: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    cols = _column_map(t, roles, hdr, FUND_COLUMN_ROLES)
    first_value_col = min(cols.values())
    rows: list[dict[str, Any]] = []
    for r in range(hdr + 1, end):
        label = None
        for c in range(0, first_value_col):
            role = roles[r][c] if c < len(roles[r]) else None
            if role and role.startswith("fund:"):
                label = (role[5:], t.cells[r][c], c)
        if label is None:
            if any(x is not None and x.startswith("fund:") for x in roles[r]):
                continue
            if rows:
                break
            continue
        entry: dict[str, Any] = {"source": label[0], "label": normalize(label[1]).text.strip(), "table": t.index,
                                 "row": r, "col": label[2], "unit": unit, "values": {}}
        for role, c in cols.items():
            if c >= len(t.cells[r]) or role == "exec_reason":
                continue
            v = cell_number(t.cells[r][c])
            if v is None:
                continue
            cell = _cell_ref(t, r, c)
            cell["value"] = v
            if role in MONEY_ROLES + EXTRA_MONEY_ROLES:
                own = "万元" if normalize(t.cells[r][c]).text.strip().endswith("万") else unit
                cell["yuan"] = to_yuan(v, own)
            if role in ("rate", "arrival_rate"):
                cell["percent_sign"] = "%" in t.cells[r][c]
            entry["values"][role] = cell
        rows.append(entry)
    return rows, cols


def _indicators(t: Table, roles, hdr: int, end: int, project: str | None, cols: dict[str, int] | None = None,
                levels: dict[str, str | None] | None = None) -> tuple[list[Indicator], dict | None]:
    """The indicator rows under header row `hdr` (or, for a continuation, from row hdr + 1
    with the columns `cols` and the 一级/二级指标 `levels` of the page before)."""
    cols = _column_map(t, roles, hdr, INDICATOR_ROLES) if cols is None else cols
    out: list[Indicator] = []
    total: dict[str, Any] | None = None
    last = dict(levels) if levels else {"l1": None, "l2": None}
    for r in range(hdr + 1, end):
        row_roles = set(roles[r])
        if row_roles & {"self_score", "fund:total"}:
            nums = [(c, cell_number(x)) for c, x in enumerate(t.cells[r])]
            nums = [(c, v) for c, v in nums if v is not None]
            total = {"row": r, "numbers": nums}
            break
        if row_roles & {"l1", "l3", "project_name", "dept_name"}:
            break

        def text(role: str) -> str:
            """The cell as read (traditional script and mirror pinyin normalised, NFKC kept out)."""
            c = cols.get(role)
            return _readable(t.cell(r, c)).strip() if c is not None else ""

        for lvl in ("l1", "l2"):
            v = text(lvl)
            if v:
                last[lvl] = v
        l3 = text("l3")
        target_raw = text("target")
        actual_raw = text("actual")
        if not l3 and not target_raw and not actual_raw:
            continue
        parsed = parse_target(target_raw)
        nature = normalize(text("nature")).text.strip()
        operator = parsed["operator"]
        if nature in ("=", "≥", "≤", ">", "<"):
            operator = nature
        # a bare figure's unit: its row's 计量单位 cell, or the label declaring it (`预计运营收入（亿元）`)
        unit = normalize(text("measure_unit")).text.strip() or parsed["unit"] or (
            _declared_unit(l3) if parsed["value"] is not None else None)
        extra: dict[str, Any] = {"table": t.index, "row": r, "cells": {}}
        for role, c in cols.items():
            if c < len(t.cells[r]) and t.cells[r][c].strip():
                extra["cells"][role] = _cell_ref(t, r, c)
        l1, l1_weight = _strip_weight(last["l1"]) if last["l1"] else (None, None)
        l2, l2_weight = _strip_weight(last["l2"]) if last["l2"] else (None, None)
        if l1_weight is not None:
            extra["l1_weight"] = l1_weight
        if l2_weight is not None:
            extra["l2_weight"] = l2_weight
        if nature and nature not in ("=", "≥", "≤", ">", "<"):
            extra["nature"] = nature
        if text("target_adjusted"):
            extra["target_adjusted"] = text("target_adjusted")
        out.append(Indicator(
            project_name=project, l1=l1, l2=l2, l3=normalize(l3).text.strip() or None, operator=operator,
            target_raw=target_raw or None, target_value=parsed["value"], target_unit=unit,
            actual_raw=actual_raw or None, actual_value=parse_target(actual_raw)["value"],
            weight=cell_number(text("weight")), score=cell_number(text("score")),
            deviation_reason=text("reason") or None, page=t.page, extra=extra,
        ))
    return out, total


def _sections(t: Table, roles) -> list[tuple[int, int]]:
    """Row ranges of the forms in a table: a new one starts at each 项目名称/部门名称 label after the first."""
    starts = [r for r in range(t.n_rows) if {"project_name", "dept_name"} & set(roles[r])]
    if len(starts) <= 1:
        return [(0, t.n_rows)]
    bounds = [0] + starts[1:] + [t.n_rows]
    return list(zip(bounds, bounds[1:]))


def _split_party(text: str | None, label: str = "") -> tuple[str | None, str | None]:
    """A department cell as (name, code); under a label that announces a code (`…及部门预算编码`,
    `…及代码`), a leading run of digits is that code however short (`331省农业农村厅`)."""
    if not text:
        return None, None
    got = split_code(text)
    m = re.fullmatch(r"\s*(\d{2,12})\s*(\D.*)", normalize(got["name"]).text)
    if got["code"] is None and m and re.search(r"编码|代码", normalize(label).text):
        return m.group(2).strip(), m.group(1)
    return normalize(got["name"]).text.strip(), got["code"]


def _label_and_value(t: Table, labels: dict[str, tuple[str, int, int]], role: str) -> tuple[str | None, str]:
    """The value cell of a head label and the label cell's text (the cell left of the value)."""
    if role not in labels:
        return None, ""
    txt, r, c = labels[role]
    return txt, next((t.cells[r][k] for k in range(c - 1, -1, -1) if t.cells[r][k].strip()), "")


def read_table(t: Table, meta: DocMeta | None = None,
               carry: Project | None = None) -> list[tuple[Project | None, list[Indicator]]]:
    """Every self-evaluation form in one table: (project or None for a continuation, indicators).

    A continuation (an indicator block without its form's head, the next page of a PDF) gives
    its 总分 row to `carry`, the project read last.
    """
    roles = _roles(t)
    found: list[tuple[Project | None, list[Indicator]]] = []
    for start, end in _sections(t, roles):
        labels: dict[str, tuple[str, int, int]] = {}
        for r in range(start, end):
            for c, role in enumerate(roles[r]):
                if role in LABEL_ROLES and role not in labels:
                    v = _value_right(t, roles, r, c)
                    if v:
                        labels[role] = v
        fund_hdr = _header_row(roles, start, end, MONEY_ROLES + ("rate",), set(MONEY_ROLES), 2)
        if fund_hdr is None:  # a declaration's one money column, under its block heading
            one = _header_row(roles, start, end, MONEY_ROLES, set(MONEY_ROLES), 1)
            fund_hdr = one if one is not None and roles[one][0] == "fund_block" else None
        ind_hdr = _header_row(roles, start, end, INDICATOR_ROLES, {"l3", "target", "actual"}, 3)
        if fund_hdr is None and ind_hdr is None:
            continue
        name_cell = labels.get("project_name") or labels.get("dept_name")
        project: Project | None = None
        if name_cell or fund_hdr is not None:
            project = _project(t, roles, start, end, fund_hdr, ind_hdr, labels, meta)
        indicators: list[Indicator] = []
        if ind_hdr is not None:
            indicators, total = _indicators(t, roles, ind_hdr, end, project.name if project else None)
            target = project if project is not None else carry
            if target is not None and total is not None:
                _apply_total(t, target, total, _column_map(t, roles, ind_hdr, INDICATOR_ROLES))
                target.grade = grade_of(target.total_score)
        if project is not None and project.total_score is None and "self_score" in labels:
            txt, r, c = labels["self_score"]
            project.total_score = cell_number(txt)
            project.extra["total_cell"] = _cell_ref(t, r, c)
        if project is not None:
            project.grade = grade_of(project.total_score)
        found.append((project, indicators))
    return found


# a form's title: [date/year prefix] fund or project name + the form's own name
_FORM_TITLE = re.compile(r"^(?:.*?\d{4}\s*年度?)?(?P<name>.*?)(?:部门整体支出|部门预算项目支出|财政项目支出|项目支出)?"
                         r"绩效(?:目标)?(?:自评|评价)表")


def _name_from_title(cells: list[str]) -> str | None:
    """The fund a form without a 项目名称 cell evaluates, as its title names it
    (`2024年度林业草原改革发展资金绩效评价表` → 林业草原改革发展资金); None for a bare form name."""
    for c in cells:
        m = _FORM_TITLE.match(normalize(c).text.strip().lstrip("*").strip())
        if m:
            name = m.group("name").strip(" :：*")
            return name if len(name) >= 2 else None
    return None


def _project(t: Table, roles, start: int, end: int, fund_hdr: int | None, ind_hdr: int | None,
             labels: dict[str, tuple[str, int, int]], meta: DocMeta | None) -> Project:
    name_cell = labels.get("project_name") or labels.get("dept_name")
    title_texts = [c for r in range(start, min(end, start + 3)) for c in t.cells[r]] + [t.context]
    raw_name = name_cell[0] if name_cell else (_name_from_title(title_texts[:-1])
                                               or (meta.department if meta else None) or "")
    split = split_code(raw_name)
    sup, sup_code = _split_party(*_label_and_value(t, labels, "supervising_dept"))
    imp, imp_code = _split_party(*_label_and_value(t, labels, "implementing_unit"))
    year = _year_in(title_texts) or (meta.report_year if meta else None)
    p = Project(name=normalize(split["name"]).text.strip() if split["name"] else raw_name, code=split["code"],
                fiscal_year=year, supervising_dept=sup, implementing_unit=imp, page=t.page, source="table")
    p.extra["table"] = t.index
    if name_cell:
        p.extra["name_cell"] = _cell_ref(t, name_cell[1], name_cell[2])
    if sup_code:
        p.extra["supervising_dept_code"] = sup_code
    if imp_code:
        p.extra["implementing_unit_code"] = imp_code
    if fund_hdr is not None:
        unit = _table_unit(t, start, end)
        fund_end = ind_hdr if ind_hdr is not None and ind_hdr > fund_hdr else end
        rows, cols = _fund_rows(t, roles, fund_hdr, fund_end, unit)
        p.extra["fund_rows"] = rows
        p.extra["fund_columns"] = cols
        p.extra["unit"] = unit
        total = next((x for x in rows if x["source"] == "total"), rows[0] if rows else None)
        if total is not None:
            vals = total["values"]

            def val(role: str, key: str = "value") -> Decimal | None:
                return vals[role][key] if role in vals else None

            p.initial_budget_yuan = val("initial_budget", "yuan")
            p.adjusted_budget_yuan = val("adjusted_budget", "yuan")
            p.executed_yuan = val("executed", "yuan")
            p.execution_rate = val("rate")
            p.exec_weight = val("weight")
            p.exec_score = val("score")
        if p.exec_weight is None and "weight" not in cols:
            p.exec_weight = _block_weight(t, roles, fund_hdr)
    return p


def _block_weight(t: Table, roles, hdr: int) -> Decimal | None:
    """The money block's weight written in its heading cell (`预算执行情况(万元) (20分)`) when the
    form has no 分值 column."""
    for c, role in enumerate(roles[hdr]):
        if role == "fund_block":
            return _strip_weight(t.cells[hdr][c])[1]
    return None


def _apply_total(t: Table, p: Project, total: dict[str, Any], cols: dict[str, int]) -> None:
    """总分 row: the score column (or the last number) is the total score; the weight column the 100."""
    nums = dict(total["numbers"])
    r = total["row"]
    score_col = cols.get("score")
    weight_col = cols.get("weight")
    score = nums.get(score_col) if score_col is not None else None
    weight = nums.get(weight_col) if weight_col is not None else None
    ordered = [v for _c, v in total["numbers"]]
    if score is None and len(ordered) >= 2:
        weight, score = ordered[0], ordered[1]
        score_col = total["numbers"][1][0]
    elif score is None and len(ordered) == 1 and ordered[0] != 100:
        score, score_col = ordered[0], total["numbers"][0][0]
    if weight is None and ordered and ordered[0] == 100:
        weight = ordered[0]
    if score is not None:
        p.total_score = score
        p.extra["total_cell"] = _cell_ref(t, r, score_col)
    if weight is not None:
        p.extra["total_weight"] = weight


# ---------------------------------------------------------------- whole document


def _trailing_total(t: Table, p: Project) -> None:
    """A form's 合计/总分 row that a page break pushed into a table of its own."""
    if p.total_score is not None:
        return
    roles = _roles(t)
    for r in range(min(2, t.n_rows)):
        first = next((x for x in roles[r] if x is not None), None)
        if first in ("self_score", "fund:total") and first == roles[r][0]:
            nums = [(c, cell_number(x)) for c, x in enumerate(t.cells[r])]
            _apply_total(t, p, {"row": r, "numbers": [(c, v) for c, v in nums if v is not None]}, {})
            p.grade = grade_of(p.total_score)
            return


def _continued_indicators(doc: Document, prev: Table, t: Table, p: Project,
                          read: list[Indicator]) -> list[Indicator] | None:
    """The indicator rows of a form that a page break carried into a table with no header of
    its own: the table on the page after the form's, as many columns wide, read with the
    columns of the form's indicator header (None when `t` is not such a continuation)."""
    if t.n_cols != prev.n_cols or not t.n_rows or not doc.turns_page(prev.page, t.page):
        return None
    prev_roles = _roles(prev)
    start, end = _sections(prev, prev_roles)[-1]
    hdr = _header_row(prev_roles, start, end, INDICATOR_ROLES, {"l3", "target", "actual"}, 3)
    if hdr is None:
        return None
    cols = _column_map(prev, prev_roles, hdr, INDICATOR_ROLES)
    before = next((i for i in reversed(read) if i.extra.get("table") == prev.index), None)
    levels = {"l1": before.l1, "l2": before.l2} if before is not None else None
    found, total = _indicators(t, _roles(t), -1, t.n_rows, p.name, cols, levels)
    if not found:
        return None
    if total is not None and p.total_score is None:
        _apply_total(t, p, total, cols)
        p.grade = grade_of(p.total_score)
    return found


def read_selfeval(doc: Document, quantities: list[Quantity], meta: DocMeta) -> tuple[list[Project], list[Indicator]]:
    """Projects and indicators of every self-evaluation form among the document's tables.

    A table holding only an indicator block (a form continued on the next page) attaches its
    indicators to the last project read.
    """
    projects: list[Project] = []
    indicators: list[Indicator] = []
    last_form: int | None = None
    for t in doc.tables:
        forms = read_table(t, meta, projects[-1] if projects else None)
        if not forms and projects and last_form == t.index - 1:
            more = _continued_indicators(doc, doc.tables[last_form], t, projects[-1], indicators)
            if more is None:
                _trailing_total(t, projects[-1])
            else:
                forms = [(None, more)]
        if forms:
            last_form = t.index
            doc.meta.setdefault("selfeval_tables", []).append(t.index)
        for project, inds in forms:
            if project is not None:
                projects.append(project)
            elif projects:
                for ind in inds:
                    ind.project_name = projects[-1].name
            indicators.extend(inds)
    return projects, indicators
