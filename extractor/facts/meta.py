"""Document meta: the report's title, department, fiscal year and type."""
from __future__ import annotations

import re

from ..model import DocMeta, Document
from ..text.normalize import normalize
from ..text.quantities import parse_quantities_in
from ..text.titles import department_of, has_cue, report_type_of, title_rules, year_of

# characters of a document's opening looked in for its fiscal year when no title line names one
OPENING_CHARS = 3000


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
        if has_cue(norm) or (head and len(joined) <= 60 and has_cue(normalize(joined).text)):
            tail = lines[i + 1] if i + 1 < len(lines) else ""
            if _TITLE_TAIL.fullmatch(normalize(tail).text):
                joined += tail  # the last characters of a wrapped title (`报告`, `告`)
            return joined
        if re.search(r"[:：A-Za-z]", norm):
            head = []
        else:
            head.append(line)
    return None


_BUDGET_TITLE = re.compile(r"(?:19|20)\d{2}\s*年度?\S{0,12}(?:预算|决算)")
_TITLE_TAIL = re.compile(r"(?:自?评?报?告|总结|结|表|情况)")
_TITLE_DELIMS = re.compile(r"[\s:：《》|，。,]")


def _title_in_run(text: str) -> str | None:
    """For flattened one-line text: the phrase around the first report cue in the opening."""
    nt = normalize(text[:1500])
    norm = nt.text
    hits = [(norm.find(c), c) for _t, cues in title_rules()["types"] for c in cues if c in norm]
    if not hits:
        return None
    pos, cue = min(hits)
    start = pos
    while start > 0 and pos - start < 30 and not _TITLE_DELIMS.match(norm[start - 1]):
        start -= 1
    end = pos + len(cue)
    while end < len(norm) and end - pos < 30 and "\u4e00" <= norm[end] <= "\u9fff":
        end += 1
    m = title_rules()["bracketed"].match(norm, end)
    if m:
        end = m.end()
    s, e = nt.span(start, end)
    return text[s:e]


def _signature_department(text: str) -> str | None:
    """A closing signature: an organisation line followed by a date line."""
    lines = [_clean_line(x) for x in text.rstrip().splitlines()[-6:]]
    lines = [x for x in lines if x]
    org = title_rules()["org"]
    for a, b in zip(lines, lines[1:]):
        na = normalize(a).text
        if org.fullmatch(na) and re.match(r"(?:19|20)\d{2}年\d{1,2}月", normalize(b).text):
            return na
    return None


def _opening_year(text: str) -> int | None:
    """The fiscal year of a document whose title and cover name none (a web page's title,
    `部门整体支出绩效评价报告`; a cover printing `2026 年度` / `福州市商务局` / `部门预算` on
    three lines): the first year its opening states as a year, not as a date (`2021年部门决算
    收支完成情况`, not `发布时间:2022-04-15` or `报告日期：2021 年 8 月 22 日`), before its first
    figure. A year first met among the figures (a section's heading, `二、2021年度执行情况`)
    dates that section, not the document."""
    for q in sorted(parse_quantities_in(text[:OPENING_CHARS]), key=lambda q: q.start or 0):
        if q.kind in ("amount", "rate"):
            return None
        if q.kind == "year" and q.value is not None:
            return int(q.value)
    return None


def document_meta(doc: Document) -> DocMeta:
    """Title, department, fiscal year and report type from the title, cover and signature."""
    text = doc.text
    declared = doc.meta.get("title")  # an HTML page's <title>, more reliable than its breadcrumbs
    title = declared if declared and has_cue(normalize(declared).text) else None
    title = title or _title_from_lines(text) or _title_in_run(text)
    if title is None and doc.tables:
        # a spreadsheet: the title sits above the first table (its context) or in one of its first
        # rows, alone in it (a merged title row; a row of several cells is the table's own words)
        first = doc.tables[0]
        alone = [filled[0] for row in first.cells[:4] for filled in [[c for c in row if c.strip()]] if len(filled) == 1]
        text = first.context + "\n" + "\n".join(alone)
        title = _title_from_lines(text) or _title_in_run(text)
    meta = DocMeta(title=title)
    if title:
        meta.report_type = report_type_of(title)
        meta.report_year = year_of(title)
        meta.department = department_of(title)
    opening = text[:1500]
    if meta.report_year is None:
        m = title_rules()["bracketed"].search(normalize(opening).text)
        meta.report_year = int(m.group(1)) if m else None
    if meta.report_year is None:
        # a title of no known report type (`…2026年度部门预算`) still names the fiscal year
        # (in the text's opening lines, or above a workbook's first table)
        lines = [normalize(_clean_line(x)).text for x in doc.text.splitlines()[:8] + text.splitlines()[:8]]
        meta.report_year = next((year_of(x) for x in lines if x and len(x) <= 60
                                 and _BUDGET_TITLE.search(x) and year_of(x)), None)
    if meta.report_year is None:
        # (a workbook's opening is its first table's context, `text`: its own text names the sheets)
        meta.report_year = _opening_year(doc.text) or (_opening_year(text) if text is not doc.text else None)
    if meta.department is None:
        meta.department = department_of(opening) or _signature_department(text)
        if meta.department is None:
            for line in text.splitlines()[:3]:
                cand = normalize(_clean_line(line)).text
                if cand and title_rules()["org"].fullmatch(cand):
                    meta.department = cand
                    break
    if meta.report_type == "other" and title is None:
        meta.report_type = report_type_of(opening[:300])
    return meta

