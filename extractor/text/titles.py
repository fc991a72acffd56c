"""Titles: the report type, fiscal year and department a title line names.

Shared by the table readers (a form's year) and the document facts, so it sits in the text
layer. Cue words and name forms live in patterns/report_types.json.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from .. import patternbook
from .normalize import normalize

@functools.lru_cache(maxsize=None)
def title_rules() -> dict[str, Any]:
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
    for rtype, cues in title_rules()["types"]:
        if any(c in norm for c in cues):
            return rtype
    return "other"


def has_cue(norm: str) -> bool:
    return any(c in norm for _t, cues in title_rules()["types"] for c in cues)


def year_of(text: str) -> int | None:
    """The fiscal year a title names: a bracketed `（2022年度）` wins over the first `2023年`."""
    norm = normalize(text).text
    r = title_rules()
    m = r["bracketed"].search(norm) or r["year"].search(norm)
    return int(m.group(1)) if m else None


def _org_prefix(run: str) -> str | None:
    """The longest prefix of `run` that is an organisation name (ends in an org suffix)."""
    org = title_rules()["org"]
    for end in range(min(len(run), 42), 1, -1):
        if org.fullmatch(run[:end]):
            return run[:end]
    return None


_CJK_RUN = re.compile(r"[\u4e00-\u9fff（）()]+")


def department_of(text: str) -> str | None:
    """A department named in a title (the part before the year) or after a 单位 label."""
    norm = normalize(text).text
    r = title_rules()
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
