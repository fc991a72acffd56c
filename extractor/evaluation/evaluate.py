"""Score the extractor against gold files: precision, recall and F1 per kind of fact.

A user trusts the dataset only as far as we can show how often each kind of fact and each
flag comes out right. `evaluate(dir)` runs `extractor.extract` on every document that has a
`NAME.gold.json` beside it (format: corpus/README.md) and compares:

- amounts: a multiset match on (value_yuan, text) — equal exact values whose texts are
  equal or one contains the other (an extractor may or may not take the `≥` in);
- rates: a multiset match on the value as written;
- projects, indicators and budget lines: rows paired by name (project name, 三级指标, item;
  code, year and ordinal prefixes ignored) and, among equal names, by the most agreeing
  fields; then every field the gold states is compared (numbers as Decimals, text after
  NFKC without spaces);
- flags: a predicted flag matches a planted one when the codes are equal and its text
  overlaps the planted text or one of the numbers in the broken relation (`related`).
"""
from __future__ import annotations

import json
import os
import re
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

import click

from ..jsonout import decimal_text

PROJECT_FIELDS = ("name", "code", "fiscal_year", "supervising_dept", "implementing_unit",
                  "initial_budget_yuan", "adjusted_budget_yuan", "executed_yuan", "execution_rate",
                  "exec_weight", "exec_score", "total_score", "grade")
BUDGET_LINE_FIELDS = ("item", "year", "stage", "direction", "category_code", "value_yuan")
INDICATOR_FIELDS = ("l1", "l2", "l3", "operator", "target_raw", "target_value", "target_unit",
                    "actual_raw", "actual_value", "weight", "score", "deviation_reason")
NUMERIC_FIELDS = {"year", "value_yuan", "fiscal_year", "initial_budget_yuan", "adjusted_budget_yuan", "executed_yuan",
                  "execution_rate", "exec_weight", "exec_score", "total_score", "target_value",
                  "actual_value", "weight", "score"}
_NAME_PREFIX = re.compile(r"^(?:[0-9A-Za-z]{6,}[-－—]|\d{4}年度?|[一二三四五六七八九十]+、|\d{1,2}[.、])")


# ---- small value helpers --------------------------------------------------------------

def norm(text: Any) -> str:
    """Text compared after NFKC and without white space (readers differ in both)."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def overlaps(a: str | None, b: str | None) -> bool:
    na, nb = norm(a or ""), norm(b or "")
    return bool(na and nb) and (na in nb or nb in na)


def num(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def name_key(name: Any) -> str:
    key = norm(name or "")
    key = _NAME_PREFIX.sub("", key)
    return key[:-2] if key.endswith("项目") and len(key) > 2 else key


def names_match(a: Any, b: Any) -> bool:
    ka, kb = name_key(a), name_key(b)
    return bool(ka and kb) and (ka == kb or (min(len(ka), len(kb)) >= 2 and (ka in kb or kb in ka)))


def same_value(field: str, gold: Any, pred: Any) -> bool:
    if field in NUMERIC_FIELDS:
        g, p = num(gold), num(pred)
        return g is not None and p is not None and g == p
    if field in ("name", "project_name", "item"):
        return names_match(gold, pred)
    return norm(gold) == norm(pred)


class PRF:
    """True/false positive and false negative counts with the derived rates."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def record(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": _round(p), "recall": _round(r), "f1": _round(f)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# ---- prediction (runs in worker processes) --------------------------------------------

def predict(path: str) -> dict[str, Any]:
    """The facts of one document, as plain data (strings for Decimals) so workers can return it."""
    from ..pipeline import extract_path as extract
    from ..model import ReadError

    try:
        report = extract(path)
    except ReadError as e:
        return {"error": str(e)}
    except Exception as e:  # a crash on one document must not stop the evaluation
        return {"error": f"{path}: {type(e).__name__}: {e}"}
    return prediction(report)


def prediction(report: Any) -> dict[str, Any]:
    """A Report as the plain data `Score.add` compares (quantities, projects and flags keep
    their page, so a gold that covers some pages only is scored on those)."""
    def s(v: Any) -> Any:
        return decimal_text(v) if isinstance(v, Decimal) else v

    return {
        "error": None,
        "meta": {"report_type": report.meta.report_type, "report_year": report.meta.report_year},
        "quantities": [{"kind": q.kind, "text": q.text, "value": s(q.value), "value_yuan": s(q.value_yuan),
                        "page": q.page} for q in report.quantities],
        "projects": [{k: s(v) for k, v in p.record().items()} for p in report.projects],
        "indicators": [{k: s(v) for k, v in i.record().items()} for i in report.indicators],
        "budget_lines": [{k: s(v) for k, v in b.record().items()} for b in report.budget_lines],
        "flags": [{"code": f.code, "severity": f.severity, "text": f.text, "page": f.page} for f in report.flags],
    }


def on_pages(pred: dict[str, Any], pages: Iterable[int] | None) -> dict[str, Any]:
    """`pred` restricted to the facts of `pages` (a gold's `"pages"`: the pages it covers);
    facts without a page are kept only when the gold covers the whole document."""
    if pages is None:
        return pred
    keep = set(pages)
    return {**pred, **{k: [x for x in pred.get(k, []) if x.get("page") in keep]
                       for k in ("quantities", "projects", "indicators", "budget_lines", "flags")}}


# ---- scoring ----------------------------------------------------------------------------

def match_amounts(gold: list[dict], pred: list[dict]) -> tuple[list[dict], list[dict]]:
    """(spurious predictions, missed gold) of a multiset match on (value_yuan, text): equal
    values whose texts are equal (preferred) or one inside the other. Items are dicts with
    `text` and `value_yuan` (anything Decimal() accepts); matched pairs = len(pred) − spurious."""
    by_value: dict[Decimal, list[dict]] = defaultdict(list)
    for g in gold:
        by_value[Decimal(g["value_yuan"])].append(g)
    spurious: list[dict] = []
    for p in pred:
        v = num(p.get("value_yuan"))
        cands = by_value.get(v) if v is not None else None
        hit = None
        if cands:
            hit = next((g for g in cands if norm(g["text"]) == norm(p["text"])), None)
            hit = hit or next((g for g in cands if overlaps(g["text"], p["text"])), None)
        if hit is None:
            spurious.append(p)
        else:
            cands.remove(hit)
    return spurious, [g for gs in by_value.values() for g in gs]


class Score:
    """Accumulates the comparison of every document."""

    def __init__(self) -> None:
        self.quantities: dict[str, PRF] = defaultdict(PRF)
        self.projects: dict[str, PRF] = defaultdict(PRF)
        self.indicators: dict[str, PRF] = defaultdict(PRF)
        self.budget_lines: dict[str, PRF] = defaultdict(PRF)
        self.flags: dict[str, PRF] = defaultdict(PRF)
        self.planted: dict[str, Counter] = defaultdict(Counter)
        self.meta: dict[str, Counter] = defaultdict(Counter)
        self.false_errors = 0
        self.clean_docs = 0
        self.clean_false_errors = 0
        self.misses: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.documents = 0
        self.per_document: list[dict[str, Any]] = []

    def miss(self, doc: str, kind: str, what: str, text: Any, value: Any = None) -> None:
        self.misses.append({"doc": doc, "kind": kind, "type": what, "text": text, "value": value})

    def add(self, gold: dict[str, Any], pred: dict[str, Any], per_document: bool = True) -> None:
        """Score one document; a gold with `"pages"` is scored on those pages only."""
        doc = gold["doc"]
        self.documents += 1
        if pred.get("error"):
            self.errors.append({"doc": doc, "error": pred["error"]})
            pred = {"quantities": [], "projects": [], "indicators": [], "budget_lines": [], "flags": [], "meta": {}}
        pred = on_pages(pred, gold.get("pages"))
        if per_document:
            self.per_document.append(document_summary(gold, pred))
        self._amounts(doc, gold.get("amounts", []), [q for q in pred["quantities"] if q["kind"] == "amount"])
        self._rates(doc, gold.get("rates", []), [q for q in pred["quantities"] if q["kind"] == "rate"])
        self._rows(doc, "project", self.projects, PROJECT_FIELDS, gold.get("projects", []), pred["projects"],
                   key="name")
        self._rows(doc, "indicator", self.indicators, INDICATOR_FIELDS, gold.get("indicators", []),
                   pred["indicators"], key="l3")
        self._rows(doc, "budget line", self.budget_lines, BUDGET_LINE_FIELDS, gold.get("budget_lines", []),
                   pred.get("budget_lines", []), key="item")
        self._flags(doc, gold.get("flags", []), pred["flags"])
        for field, gkey in (("report_type", "report_type"), ("report_year", "fiscal_year")):
            if gold.get(gkey) is not None:
                ok = str(pred.get("meta", {}).get(field)) == str(gold[gkey])
                self.meta[field]["right" if ok else "wrong"] += 1

    def _amounts(self, doc: str, gold: list[dict], pred: list[dict]) -> None:
        spurious, missed = match_amounts(gold, pred)
        self.quantities["amount"].add(tp=len(pred) - len(spurious), fp=len(spurious), fn=len(missed))
        for p in spurious:
            self.miss(doc, "amount", "spurious", p["text"], p.get("value_yuan"))
        for g in missed:
            self.miss(doc, "amount", "missed", g["text"], g["value_yuan"])

    def _rates(self, doc: str, gold: list[dict], pred: list[dict]) -> None:
        want = Counter(Decimal(g["value"]) for g in gold)
        texts = {Decimal(g["value"]): g["text"] for g in gold}
        tp = 0
        left = []
        for p in pred:
            v = num(p.get("value"))
            if v is not None and want[v] > 0:
                want[v] -= 1
                tp += 1
            else:
                left.append(p)
        fn = sum(want.values())
        self.quantities["rate"].add(tp=tp, fp=len(left), fn=fn)
        for p in left:
            self.miss(doc, "rate", "spurious", p["text"], p.get("value"))
        for v, k in want.items():
            for _ in range(k):
                self.miss(doc, "rate", "missed", texts[v], decimal_text(v))

    def _rows(self, doc: str, kind: str, table: dict[str, PRF], fields: Iterable[str], gold: list[dict],
              pred: list[dict], key: str) -> None:
        """Pair predicted rows with gold rows by name; then score each field the gold states.
        A gold field counts once however many duplicate rows repeat it."""
        found: set[tuple[int, str]] = set()
        for p in pred:
            cands = [i for i, g in enumerate(gold) if names_match(g.get(key), p.get(key))]
            if kind == "indicator" and len(cands) > 1:
                cands = [i for i in cands if names_match(gold[i].get("project_name"), p.get("project_name"))] or cands
            best = max(cands, key=lambda i: sum(same_value(f, gold[i].get(f), p.get(f)) for f in fields
                                                 if gold[i].get(f) is not None), default=None)
            for f in fields:
                pv = p.get(f)
                if pv is None or pv == "":
                    continue
                if best is None:
                    table[f].add(fp=1)
                    continue
                gv = gold[best].get(f)
                if gv is None:
                    continue  # the gold says nothing here (not stated or not scored)
                if same_value(f, gv, pv):
                    if (best, f) not in found:
                        found.add((best, f))
                        table[f].add(tp=1)
                else:
                    table[f].add(fp=1)
                    self.miss(doc, kind, f"wrong {f}", p.get(key), {"gold": gv, "got": pv})
            if best is None:
                self.miss(doc, kind, "spurious", p.get(key))
        for i, g in enumerate(gold):
            for f in fields:
                if g.get(f) is not None and (i, f) not in found:
                    table[f].add(fn=1)
                    if f == key:
                        self.miss(doc, kind, "missed", g.get(key))

    def _flags(self, doc: str, gold: list[dict], pred: list[dict]) -> None:
        used: set[int] = set()
        # a gold flag with a `count` stands for that many flags of the same figure
        # a flag on the gold's page, then an error before a warning: short texts (`10`, `0.58`)
        # recur on many pages, and a warning elsewhere must not take a genuine error's place
        order = sorted(range(len(pred)), key=lambda i: pred[i].get("severity") != "error")
        for g in [g for g in gold for _ in range(int(g.get("count", 1)))]:
            texts = [g["text"]] + list(g.get("related", []))
            places = [i for i in order if i not in used and pred[i]["code"] == g["code"]]
            if g.get("page") is not None:
                places = [i for i in places if pred[i].get("page") == g["page"]] + \
                         [i for i in places if pred[i].get("page") != g["page"]]
            hit = next((i for i in places if overlaps(pred[i]["text"], g["text"])), None)
            if hit is None:
                hit = next((i for i in places if any(overlaps(pred[i]["text"], t) for t in texts[1:])), None)
            self.planted[g.get("kind") or g["code"]]["total"] += 1
            if hit is None:
                self.flags[g["code"]].add(fn=1)
                self.miss(doc, "flag", "missed", g["text"], g["code"])
            else:
                used.add(hit)
                self.flags[g["code"]].add(tp=1)
                self.planted[g.get("kind") or g["code"]]["found"] += 1
        extra_errors = 0
        for i, p in enumerate(pred):
            if i not in used:
                self.flags[p["code"]].add(fp=1)
                self.miss(doc, "flag", "spurious", p["text"], p["code"])
                extra_errors += p.get("severity") == "error"
        self.false_errors += extra_errors
        if not gold:
            self.clean_docs += 1
            self.clean_false_errors += extra_errors

    def record(self) -> dict[str, Any]:
        all_flags = PRF()
        for prf in self.flags.values():
            all_flags.add(prf.tp, prf.fp, prf.fn)
        planted_total = sum(c["total"] for c in self.planted.values())
        planted_found = sum(c["found"] for c in self.planted.values())
        return {
            "documents": self.documents,
            "failed": self.errors,
            "quantities": {k: v.record() for k, v in sorted(self.quantities.items())},
            "projects": {f: self.projects[f].record() for f in PROJECT_FIELDS if f in self.projects},
            "indicators": {f: self.indicators[f].record() for f in INDICATOR_FIELDS if f in self.indicators},
            "budget_lines": {f: self.budget_lines[f].record() for f in BUDGET_LINE_FIELDS if f in self.budget_lines},
            "flags": {**{k: v.record() for k, v in sorted(self.flags.items())}, "all": all_flags.record()},
            "planted": {k: {"found": c["found"], "total": c["total"],
                            "recall": _round(c["found"] / c["total"]) if c["total"] else None}
                        for k, c in sorted(self.planted.items())},
            "planted_recall": _round(planted_found / planted_total) if planted_total else None,
            "false_error_flags_per_doc": _round(self.false_errors / self.documents) if self.documents else None,
            "false_error_flags_per_clean_doc": _round(self.clean_false_errors / self.clean_docs) if self.clean_docs else None,
            "meta": {k: {"right": c["right"], "wrong": c["wrong"]} for k, c in self.meta.items()},
            "misses": self.misses,
            "per_document": self.per_document,
        }


def pooled(fields: dict[str, PRF]) -> dict[str, Any]:
    """All fields of a kind of row counted together (a document's 'project fields' figure)."""
    total = PRF()
    for prf in fields.values():
        total.add(prf.tp, prf.fp, prf.fn)
    rec = total.record()
    if rec["f1"] is None and total.fn:
        rec["f1"] = 0.0  # gold rows and nothing predicted: a miss, not 'nothing to score'
    return rec


def document_summary(gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, Any]:
    """One document's figures: amounts and rates P/R/F1, project fields pooled, and the error
    flags that match no gold flag (false alarms) or the gold flags not raised."""
    one = Score()
    one.add(gold, pred, per_document=False)
    rec = one.record()
    missed_flags = sum(1 for m in one.misses if m["kind"] == "flag" and m["type"] == "missed")
    return {"doc": gold["doc"], "pages": gold.get("pages"),
            "amount": rec["quantities"].get("amount", PRF().record()),
            "rate": rec["quantities"].get("rate", PRF().record()),
            "project_fields": pooled(one.projects),
            "false_error_flags": one.false_errors, "missed_flags": missed_flags}


def gold_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).rglob("*.gold.json"))


def evaluate(directory: str | Path, jobs: int | None = None) -> dict[str, Any]:
    """Extract every document of `directory` that has a gold file and score it (see module doc)."""
    started = time.perf_counter()
    golds = [(g, json.loads(g.read_text("utf-8"))) for g in gold_files(directory)]
    paths = [str(g.parent / gold["doc"]) for g, gold in golds]
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs > 1 and len(paths) > 4:
        with ProcessPoolExecutor(jobs) as pool:
            preds = list(pool.map(predict, paths, chunksize=max(1, len(paths) // (jobs * 8))))
    else:
        preds = [predict(p) for p in paths]
    score = Score()
    by_layout: dict[str, Score] = defaultdict(Score)
    for (_, gold), pred in zip(golds, preds):
        score.add(gold, pred)
        by_layout[gold.get("layout") or "default"].add(gold, pred, per_document=False)
    out = score.record()
    if len(by_layout) > 1:  # a weak layout is visible at a glance (`jixiao synth --layouts`)
        out["layouts"] = {name: _layout_summary(s.record()) for name, s in sorted(by_layout.items())}
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def _layout_summary(rec: dict[str, Any]) -> dict[str, Any]:
    """Per layout: documents, amounts F1, the lowest F1 of any budget-line field, false errors."""
    lines = [v["f1"] for v in rec["budget_lines"].values() if v["f1"] is not None]
    return {"documents": rec["documents"], "amount_f1": rec["quantities"].get("amount", {}).get("f1"),
            "budget_line_f1_min": min(lines) if lines else None,
            "false_error_flags_per_doc": rec["false_error_flags_per_doc"]}


# ---- the command ------------------------------------------------------------------------

def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def format_table(result: dict[str, Any], misses: int = 30) -> str:
    lines = [f"{result['documents']} documents, {len(result['failed'])} failed, {result['seconds']} s", ""]

    def section(title: str, rows: dict[str, dict]) -> None:
        lines.append(f"{title:<28} {'prec':>6} {'recall':>6} {'F1':>6}   tp/fp/fn")
        for name, v in rows.items():
            lines.append(f"  {name:<26} {_fmt(v['precision'])} {_fmt(v['recall'])} {_fmt(v['f1'])}   "
                         f"{v['tp']}/{v['fp']}/{v['fn']}")
        lines.append("")

    section("quantities", result["quantities"])
    section("projects (fields)", result["projects"])
    section("indicators (fields)", result["indicators"])
    section("budget lines (fields)", result["budget_lines"])
    section("flags (codes)", result["flags"])
    lines.append("planted errors found")
    for kind, v in result["planted"].items():
        lines.append(f"  {kind:<26} {v['found']}/{v['total']}  recall {_fmt(v['recall'])}")
    lines.append(f"  {'all':<26} recall {_fmt(result['planted_recall'])}")
    lines.append(f"false error flags per document: {result['false_error_flags_per_doc']}"
                 f" (per clean document: {result['false_error_flags_per_clean_doc']})")
    for field, v in result["meta"].items():
        lines.append(f"document {field}: {v['right']} right, {v['wrong']} wrong")
    if result.get("layouts"):
        lines += ["", f"{'layout':<28} {'docs':>6} {'amount F1':>10} {'lines F1 min':>13} {'false errors/doc':>17}"]
        for name, v in result["layouts"].items():
            lines.append(f"  {name:<26} {v['documents']:>6} {_fmt(v['amount_f1']):>10} "
                         f"{_fmt(v['budget_line_f1_min']):>13} {v['false_error_flags_per_doc']!s:>17}")
    if result.get("per_document") and 1 < len(result["per_document"]) <= 100:
        lines += ["", f"{'document':<44} {'amount P':>8} {'R':>6} {'F1':>6} {'rate F1':>7} {'proj F1':>7} "
                      f"{'false err':>9} {'missed':>6}"]
        for d in result["per_document"]:
            name = Path(d["doc"]).name[:40] + ("*" if d.get("pages") else "")
            lines.append(f"  {name:<42} {_fmt(d['amount']['precision']):>8} {_fmt(d['amount']['recall'])} "
                         f"{_fmt(d['amount']['f1'])} {_fmt(d['rate']['f1']):>7} {_fmt(d['project_fields']['f1']):>7} "
                         f"{d['false_error_flags']:>9} {d['missed_flags']:>6}")
        if any(d.get("pages") for d in result["per_document"]):
            lines.append("  * scored on the pages its gold covers")
    for u in result["failed"]:
        lines.append(f"failed: {u['doc']}: {u['error']}")
    if result["misses"] and misses:
        lines += ["", f"misses (first {min(misses, len(result['misses']))} of {len(result['misses'])}):"]
        for m in result["misses"][:misses]:
            value = "" if m["value"] is None else f"  {m['value']}"
            lines.append(f"  {m['doc']}: {m['kind']} {m['type']}: {m['text']}{value}")
    return "\n".join(lines)


@click.command("eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="worker processes (default: cores, at most 4)")
@click.option("--misses", type=click.IntRange(min=0), default=30, show_default=True, help="misses listed in the table")
def eval_command(directory: str, fmt: str, jobs: int | None, misses: int) -> None:
    """Score extraction and checks on DIRECTORY's documents against their NAME.gold.json files."""
    if not gold_files(directory):
        raise click.UsageError(f"no *.gold.json files in {directory}")
    result = evaluate(directory, jobs=jobs)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(result, misses))
