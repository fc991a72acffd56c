"""Candidate money amounts of a PDF, per page, from poppler's `pdftotext -layout`: the
independent half of the differential review that writes `gold/real/*.gold.json`.

Deliberately simple, and sharing no code with jixiao, so that the two disagree where either
is wrong: a page's table region is every line under a declared money unit (`单位：万元`,
`金额单位：元`, `（万元）` in a header) up to the end of the page (a unit stays declared
on the following pages until prose starts); in it every number with a decimal point or
thousands separators is an amount, and so is a bare integer that stands in a line with
such amounts (not the first token, which is a row number or code). Outside tables only a
number followed by 元/万元/亿元 (or a bare 万 after it) counts. Row numbers (行次/栏次
lines), codes, years, percentages and counts are left out.

Usage (a development tool; needs poppler-utils):
    python tools/gold_candidates.py DOC.pdf                 # candidates per page, as JSON
    python tools/gold_candidates.py DOC.pdf --compare PRED  # pages where jixiao's amounts differ
PRED is a JSON file with a `quantities` list (kind, text, value_yuan, page), e.g. the
output of `extractor.evaluation.evaluate.predict` with pages.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

UNIT_DECL = re.compile(r"(?:金额)?单位[：:]\s*(万\s*元|元|亿元|千元)|[（(](万元|元)[）)]")
FACTOR = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
NUMBER = re.compile(r"(?<![\d.,\-A-Za-z\[])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d.,%％])")
_BREAK = r"[ \t]*(?:\n[ \t]*){0,2}"  # spaces, or a line break (double-spaced pages leave a blank line)
PROSE = re.compile(r"(?<![\d.,])(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)" + _BREAK
                   + r"(亿" + _BREAK + r"元|万" + _BREAK + r"元|千[ \t]*元|元|万(?=[，。、；,;）)]))")
PERCENT_OR_COUNT = re.compile(r"^\s*(?:%|％|个|人|辆|项|次|名|家|台|套|户|条|页|张|天|平方|m|号|批)")
PROSE_LINE = re.compile(r"[\u4e00-\u9fff]{12,}[，。；]")


def pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")


def _value(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _is_amount_token(tok: str) -> bool:
    return "." in tok or "," in tok


def _is_code(line: str, t: re.Match, toks: list[re.Match], i: int) -> bool:
    """An integer that is no cell figure: glued to what follows (`1、`, `任务1`), followed by a
    name (`245001 西安市…`, `50101 工资奖金津补贴`), or part of a split code (`302 99 502 99`,
    `210 15 05`: a 2-digit part, or the ≤3-digit part before one)."""
    after, before = line[t.end():], line[:t.start()]
    if after[:1] not in ("", " ", "\t") or before[-1:] not in ("", " ", "\t"):
        return True
    if re.match(r"\s*[\u4e00-\u9fffA-Za-z]", after):
        return True
    nxt = toks[i + 1].group() if i + 1 < len(toks) else ""
    prv = toks[i - 1].group() if i else ""
    two = re.compile(r"\d\d")
    return bool(two.fullmatch(t.group()) and re.fullmatch(r"\d{2,3}", prv)
                or re.fullmatch(r"\d{2,3}", t.group()) and two.fullmatch(nxt))


def candidates(pdf: Path) -> dict[int, list[dict[str, str]]]:
    """{page: [{text, value_yuan, where}]} in reading order."""
    result: dict[int, list[dict[str, str]]] = {}
    unit: str | None = None
    for n, page in enumerate(pages(pdf), start=1):
        found: list[dict[str, str]] = []
        lines = page.splitlines()
        row_numbers = "行次" in page
        prose_page = sum(bool(PROSE_LINE.search(l)) for l in lines) >= 3
        if prose_page:
            unit = None
        prose_at: dict[int, list[dict[str, str]]] = {}
        spans: list[tuple[int, int]] = []
        for pm in PROSE.finditer(page):
            u = re.sub(r"\s", "", pm.group(2))
            u = "万元" if u == "万" else u
            line_no = page.count("\n", 0, pm.start())
            prose_at.setdefault(line_no, []).append(
                {"text": pm.group(1) + u, "value_yuan": str(_value(pm.group(1)) * FACTOR[u]), "where": "prose"})
            spans.append(pm.span())
        offset = 0
        for line_no, line in enumerate(lines):
            base, offset = offset, offset + len(line) + 1
            found += prose_at.get(line_no, [])
            m = UNIT_DECL.search(line)
            if m:
                unit = (m.group(1) or m.group(2)).replace(" ", "")
                if unit == "元" and re.search(r"单位[：:]\s*万\s*$", lines[line_no - 1] if line_no else ""):
                    unit = "万元"  # `单位：万` / `元` split over two lines
            elif re.search(r"单位[：:]\s*万\s*$", line) and line_no + 1 < len(lines) \
                    and re.match(r"\s*元\s*$", lines[line_no + 1]):
                unit = "万元"
            if re.search(r"行次|栏次|\*\*|^\s*(?:\d+\s+){3,}\d+\s*$", line):
                continue  # column-number rows
            if unit is None or PROSE_LINE.search(line):
                continue
            toks = [t for t in NUMBER.finditer(line) if not any(a <= base + t.start() < b for a, b in spans)]
            toks = [t for t in toks if not PERCENT_OR_COUNT.match(line[t.end():])
                    and not (re.fullmatch(r"\d{4}", t.group()) and re.match(r"\s*年", line[t.end():]))]
            has_amount = any(_is_amount_token(t.group()) for t in toks) or unit == "元"
            for i, t in enumerate(toks):
                tok = t.group()
                if not _is_amount_token(tok):
                    if row_numbers:
                        continue  # a 行次 column: its integers are row numbers
                    before = line[:t.start()].strip()
                    if not has_amount or i == 0 and not before or len(tok) in (3, 5, 7) and not before:
                        continue
                    if re.fullmatch(r"20\d\d|19\d\d", tok) or _is_code(line, t, toks, i):
                        continue
                found.append({"text": tok, "value_yuan": str(_value(tok) * FACTOR[unit]), "where": "table"})
        result[n] = found
    return result


RATE = re.compile(r"(?<![\d.])((?:(?<![%％])-)?\d+(?:\.\d+)?)\s*[%％]")  # `40%-30%`: two rates, not -30


def rates(pdf: Path) -> dict[int, list[dict[str, str]]]:
    """{page: [{text, value}]}: every number written with a percent sign."""
    return {n: [{"text": m.group(0).replace(" ", ""), "value": m.group(1)} for m in RATE.finditer(page)]
            for n, page in enumerate(pages(pdf), start=1)}


def draft(pdf: Path, doc: str) -> dict:
    """A gold skeleton from the candidates alone, for the reader to correct page by page."""
    cands, pcts = candidates(pdf), rates(pdf)
    return {"doc": doc, "how": "", "report_type": None, "fiscal_year": None,
            "amounts": [{"text": c["text"], "value_yuan": c["value_yuan"], "page": n}
                        for n, cs in cands.items() for c in cs],
            "rates": [{"text": r["text"], "value": r["value"], "page": n} for n, rs in pcts.items() for r in rs],
            "projects": [], "flags": []}


def compare(cands: dict[int, list[dict]], pred: dict) -> dict[int, dict[str, list[str]]]:
    """Per page, the amounts only the candidates have and those only jixiao has."""
    got: dict[int, Counter] = {}
    for q in pred["quantities"]:
        if q["kind"] == "amount" and q.get("value_yuan") is not None:
            got.setdefault(q.get("page") or 0, Counter())[Decimal(q["value_yuan"]).normalize()] += 1
    out: dict[int, dict[str, list[str]]] = {}
    for page in sorted(set(cands) | set(got)):
        want = Counter(Decimal(c["value_yuan"]).normalize() for c in cands.get(page, []))
        have = got.get(page, Counter())
        if want != have:
            out[page] = {"only_candidates": sorted(str(v) for v in (want - have).elements()),
                         "only_jixiao": sorted(str(v) for v in (have - want).elements())}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", type=Path)
    ap.add_argument("--compare", type=Path, help="jixiao's predictions (JSON with quantities)")
    ap.add_argument("--draft", metavar="DOC", help="print a gold skeleton whose `doc` is DOC")
    args = ap.parse_args(argv)
    if args.draft:
        print(json.dumps(draft(args.pdf, args.draft), ensure_ascii=False, indent=1))
        return 0
    cands = candidates(args.pdf)
    if args.compare:
        diff = compare(cands, json.loads(args.compare.read_text("utf-8")))
        total = sum(len(v) for v in cands.values())
        print(json.dumps({"candidates": total, "pages_differing": len(diff), "diff": diff}, ensure_ascii=False, indent=1))
    else:
        print(json.dumps(cands, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
