"""`jixiao review`: one offline HTML page where a person accepts, rejects or edits each flag.

The page lists flags grouped by document and code, each beside its place (a page crop or
the source lines), with the evidence, the tolerance and the suggested fix as the check
wrote them. Decisions stay in the browser (localStorage, per page) and download as a
corrections file (CSV or JSON) that `jixiao convert --corrections FILE` applies.
"""
from __future__ import annotations

import hashlib
import html
from datetime import datetime, timezone
from typing import Any

from . import page
from .flags import DocInfo, FlagItem, gather, plain
from .._version import __version__

# the columns of a corrections file, in order (the page's CSV and JSON carry the same)
CORRECTION_FIELDS = ("flag_id", "doc", "doc_id", "code", "severity", "page", "start", "end", "table", "row", "col",
                     "text", "suggested", "decision", "corrected", "reviewer", "decided_at")


def _flag_record(item: FlagItem, doc_index: int) -> dict[str, Any]:
    r = item.row
    rec = {k: plain(r.get(k)) for k in ("code", "severity", "text", "page", "start", "end", "table", "row", "col",
                                         "message", "message_en", "evidence", "suggestion", "confidence")}
    rec.update(id=item.id, d=doc_index, img=item.image is not None, located=item.located, excerpt=item.excerpt)
    lines = (item.excerpt or {}).get("lines")
    if lines and r.get("start") is not None:
        rec["line"] = next((ln["n"] for ln in lines if any(p[1] for p in ln["parts"])), None)
    return rec


def page_data(items: list[FlagItem]) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON the page's script reads, and the images by flag id (loaded when seen)."""
    docs: list[DocInfo] = []
    index: dict[int, int] = {}
    flags = []
    for it in items:
        if id(it.doc) not in index:
            index[id(it.doc)] = len(docs)
            docs.append(it.doc)
        flags.append(_flag_record(it, index[id(it.doc)]))
    page_id = hashlib.sha256("|".join(f["id"] for f in flags).encode()).hexdigest()[:16]
    data = {
        "page_id": page_id, "tool_version": __version__,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "docs": [{"path": d.path, "doc_id": d.doc_id, "department": d.department, "year": d.year,
                  "title": d.title, "missing": d.missing} for d in docs],
        "flags": flags,
    }
    return data, {it.id: it.image for it in items if it.image}


_FILTERS = (("code", "检查项 code"), ("severity", "级别 severity"), ("department", "部门 department"),
            ("year", "年度 year"), ("decision", "审核 decision"))


def render(items: list[FlagItem], title: str = "jixiao 审核 review", failures: list[str] | None = None) -> str:
    """The whole review page as HTML text."""
    data, images = page_data(items)
    filters = "".join(f'<label>{html.escape(label)}<select id="filter-{key}"></select></label>'
                      for key, label in _FILTERS)
    failed = ""
    if failures:
        failed = ('<details class="failures"><summary>' + html.escape(f"{len(failures)} 个文件无法读取 files could not be read")
                  + "</summary><ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in failures) + "</ul></details>")
    body = (
        f'<header><h1>{html.escape(title)}</h1><div class="bar">{filters}'
        '<span>显示 shown <span id="shown">0</span> / <span id="total">0</span> · 已审 decided '
        '<span id="decided">0</span></span>'
        '<label>审核人 reviewer<input id="reviewer" autocomplete="name"></label>'
        '<button type="button" id="download-csv">下载 CSV</button>'
        '<button type="button" id="download-json">下载 JSON</button>'
        '<button type="button" id="clear">清除 clear</button></div>' + failed + "</header>"
        '<main id="flags"></main>'
    )
    return page.document(title, body, page.asset("review.css"), [page.asset("review.js")],
                         {"flag-data": data, "flag-images": images})


def build_review(inputs: list[str], out: str, quiet: bool = False, jobs: int | None = None) -> dict[str, Any]:
    """Gather the flags of `inputs` (files, folders, datasets) and write the page to `out`.

    Documents are read in `jobs` worker processes (default: the cores), so call this under
    `if __name__ == "__main__":` in a script.
    """
    items, failures = gather(inputs, quiet, jobs)
    text = render(items, failures=failures)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return {"flags": len(items), "documents": len({id(i.doc) for i in items}),
            "images": sum(1 for i in items if i.image), "failures": failures, "bytes": len(text.encode("utf-8"))}
