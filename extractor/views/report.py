"""`jixiao report DATASET -o report.html`: a dataset as pictures and tables, one offline page.

Charts are Vega-Lite specifications written with altair; the page runs them with Vega,
Vega-Lite and vega-embed inlined from the `vl-convert-python` package, which ships those
libraries (about 0.9 MB bundled) so nothing is fetched from a CDN. Plotly would do too,
but its inlined script alone is 4.8 MB, most of the 5 MB a report may weigh.

Figures are read through the exports, so accepted corrections show; amounts in 万元.
"""
from __future__ import annotations

import functools
import html
import os
import sqlite3
from collections import Counter, defaultdict
from decimal import Decimal
from statistics import mean
from typing import Any

from . import page
from ..dataset.corrections import present
from ..dataset.exports import table_frame_rows
from .series import SERIES_ZH, classify_item
from .._version import __version__

_STAGE_ZH = {"budget": "预算", "final": "决算"}
_STATUS_ZH = {"ok": "已转换 ok", "error": "出错 error", "needs_ocr": "需OCR needs OCR"}
RATE_CAP = 200  # execution rates above this (a misread) go into the last bin


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega + Vega-Lite + vega-embed as one script, at the Vega-Lite version altair writes."""
    import altair as alt
    import vl_convert

    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    version = major_minor if major_minor in vl_convert.get_vegalite_versions() else None
    return vl_convert.javascript_bundle(vl_version=version)


def _rows(conn: sqlite3.Connection, table: str) -> list[dict[str, Any]]:

    header, rows = table_frame_rows(conn, table, "元")
    return [dict(zip(header, r)) for r in rows]


def _wan(v: Decimal | None) -> float | None:
    return None if v is None else float(v / 10000)


def collect(dataset: str) -> dict[str, Any]:
    """The figures the report draws, from a dataset (read-only)."""
    conn = sqlite3.connect(f"file:{dataset}?mode=ro", uri=True)
    try:
        docs = _rows(conn, "documents")
        by_id: dict[str, dict[str, Any]] = {}
        for d in docs:
            if d["doc_id"]:
                by_id.setdefault(d["doc_id"], d)
        series: dict[tuple, list[float]] = defaultdict(list)
        for line in _rows(conn, "budget_lines"):
            d = by_id.get(line["doc_id"])
            name = classify_item(line["item"])["series"] if line["direction"] == "expenditure" else None
            if d is None or not d["department"] or name is None or line["year"] is None or line["value_yuan"] is None:
                continue
            series[(d["department"], line["year"], line["stage"], name)].append(_wan(line["value_yuan"]))
        lines = [{"department": k[0], "year": str(k[1]), "stage": _STAGE_ZH.get(k[2], k[2]),
                  "series": SERIES_ZH[k[3]], "wan": round(mean(v), 6), "documents": len(v)}
                 for k, v in sorted(series.items())]
        rates = []
        for p in _rows(conn, "projects"):
            d = by_id.get(p["doc_id"])
            if p["execution_rate"] is not None:
                rates.append({"rate": min(float(p["execution_rate"]), RATE_CAP),
                              "year": str((d or {}).get("report_year") or "未知")})
        flags = Counter()
        for f in _rows(conn, "flags"):
            d = by_id.get(f["doc_id"]) or {}
            flags[(f["code"], str(d.get("report_year") or "未知"), f["severity"])] += 1
        status = Counter()
        for d in docs:
            state = "needs_ocr" if d["needs_ocr"] else (d["status"] or "error")
            status[(_STATUS_ZH.get(state, state), d["report_type"] or "—")] += 1
        corrections = (conn.execute("SELECT decision, COUNT(*) FROM corrections GROUP BY decision").fetchall()
                       if present(conn) else [])
    finally:
        conn.close()
    return {
        "documents": docs, "lines": lines, "rates": rates,
        "flags": [{"code": k[0], "year": k[1], "severity": k[2], "n": n} for k, n in sorted(flags.items())],
        "status": [{"status": k[0], "type": k[1], "n": n} for k, n in sorted(status.items())],
        "corrections": dict(corrections),
    }


def charts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Vega-Lite specifications (altair), keyed by the element they go into."""
    import altair as alt

    specs: dict[str, Any] = {}
    if data["lines"]:
        points = Counter(r["department"] for r in data["lines"])
        departments = sorted(points)
        busiest = max(departments, key=lambda d: (points[d], d))  # shown first: the most years and lines
        pick = alt.param(name="dept", value=busiest,
                         bind=alt.binding_select(options=departments, name="部门 department "))
        specs["chart-lines"] = alt.Chart(alt.Data(values=data["lines"])).mark_line(point=True).encode(
            x=alt.X("year:O", title="年度 year"),
            y=alt.Y("wan:Q", title="万元"),
            color=alt.Color("series:N", title="支出 line"),
            strokeDash=alt.StrokeDash("stage:N", title="阶段 stage"),
            tooltip=["department:N", "year:O", "stage:N", "series:N", "wan:Q", "documents:Q"],
        ).add_params(pick).transform_filter("datum.department == dept").properties(
            width=560, height=260, title="部门支出：总额、基本、项目、三公 (budget lines across years)")
    if data["rates"]:
        specs["chart-rates"] = alt.Chart(alt.Data(values=data["rates"])).mark_bar().encode(
            x=alt.X("rate:Q", bin=alt.Bin(step=5), title=f"执行率 execution rate % (>{RATE_CAP} 计入末组)"),
            y=alt.Y("count():Q", title="项目 projects"),
            tooltip=["count():Q"],
        ).properties(width=420, height=220, title="执行率分布 execution-rate distribution")
    if data["flags"]:
        specs["chart-flags"] = alt.Chart(alt.Data(values=data["flags"])).mark_bar().encode(
            x=alt.X("year:O", title="年度 year"),
            y=alt.Y("sum(n):Q", title="问题 flags"),
            color=alt.Color("code:N", title="检查项 code"),
            tooltip=["code:N", "year:O", "severity:N", "sum(n):Q"],
        ).properties(width=420, height=220, title="问题按检查项与年度 flags by code and year")
    if data["status"]:
        specs["chart-status"] = alt.Chart(alt.Data(values=data["status"])).mark_bar().encode(
            y=alt.Y("status:N", title=None),
            x=alt.X("sum(n):Q", title="文件 documents"),
            color=alt.Color("type:N", title="类型 report type"),
            tooltip=["status:N", "type:N", "sum(n):Q"],
        ).properties(width=420, height=120, title="文件状态 documents by status")
    return {k: v.to_dict() for k, v in specs.items()}


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in r) + "</tr>"
                   for r in rows)
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render(dataset: str, title: str = "jixiao 数据概览 report") -> tuple[str, dict[str, Any]]:
    """The report page as HTML text, and the figures it shows."""
    data = collect(dataset)
    specs = charts(data)
    docs = data["documents"]
    ok = sum(1 for d in docs if d["status"] == "ok")
    n_flags = sum(f["n"] for f in data["flags"])
    errors = sum(f["n"] for f in data["flags"] if f["severity"] == "error")
    depts: dict[str, Counter] = defaultdict(Counter)
    for d in docs:
        depts[d["department"] or "（未知 unknown）"]["documents"] += 1
    per_doc = Counter()
    for f in data["flags"]:
        per_doc[f["code"]] += f["n"]
    summary = _table(["文件 documents", "已转换 ok", "问题 flags", "其中错误 errors", "审核更正 corrections"],
                     [[len(docs), ok, n_flags, errors,
                       ", ".join(f"{k} {v}" for k, v in sorted(data["corrections"].items())) or "0"]])
    codes = _table(["检查项 code", "数量 flags"], [[c, n] for c, n in per_doc.most_common()])
    lines = _table(["部门 department", "年度 year", "阶段 stage", "支出 line", "万元", "文件 documents"],
                   [[r["department"], r["year"], r["stage"], r["series"], r["wan"], r["documents"]]
                    for r in data["lines"]][:500])
    charts_html = "".join(f'<div class="chart" id="{k}"></div>' for k in specs) or \
        "<p>数据集中没有可绘制的数据 nothing to draw</p>"
    body = (f"<header><h1>{html.escape(title)}</h1><p class=\"sub\">{html.escape(os.path.basename(dataset))} · jixiao "
            f"{html.escape(__version__)}</p></header><main>{summary}<div class=\"charts\">{charts_html}</div>"
            f"<h2>问题按检查项 flags by code</h2>{codes}<h2>部门支出 budget lines (万元)</h2>{lines}</main>")
    run = ("(function(){var specs=JSON.parse(document.getElementById('chart-specs').textContent);"
           "Object.keys(specs).forEach(function(id){vegaEmbed('#'+id,specs[id],{actions:false,renderer:'svg'})"
           ".catch(function(e){console.error(e);});});})();")
    text = page.document(title, body, page.asset("report.css"), [vega_bundle(), run], {"chart-specs": specs},
                         allow_eval=True)
    return text, {"documents": len(docs), "flags": n_flags, "charts": len(specs), "lines": len(data["lines"]),
                  "projects_with_rate": len(data["rates"])}


def build_report(dataset: str, out: str) -> dict[str, Any]:
    """Write the report page of `dataset` to `out`; returns what it shows and its size."""
    text, summary = render(dataset)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    summary["bytes"] = len(text.encode("utf-8"))
    return summary
