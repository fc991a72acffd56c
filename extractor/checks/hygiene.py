"""Template hygiene: placeholders left from the template (`XX局`, `XXXX年`, `某某单位`) and
doubled punctuation — what a reviewer marks before a report is published. Warnings: the
figures are not wrong, the document is unfinished. Patterns: patterns/template_leftovers.json.
"""
from __future__ import annotations

import functools

import regex

from .. import patternbook
from ..model import Flag, Report
from . import register


@functools.lru_cache(maxsize=1)
def _rules() -> list[tuple[str, str, regex.Pattern]]:
    return [(e["name"], e["what"], regex.compile(e["pattern"])) for e in patternbook.entries("template_leftovers")]


def _matches(text: str) -> list[tuple[str, str, regex.Match]]:
    return [(name, what, m) for name, what, rx in _rules() for m in rx.finditer(text)]


def example_leftovers(text: str) -> list[str]:
    """Runner of template_leftovers.json: the leftovers found, in text order."""
    return [m.group(0) for _n, _w, m in sorted(_matches(text), key=lambda x: x[2].start())]


@register("template-leftover")
def template_leftovers(report: Report) -> list[Flag]:
    doc = report.document
    flags: list[Flag] = []
    for name, what, m in _matches(doc.text or ""):
        s, e = m.span()
        flags.append(Flag(
            code="template-leftover", severity="warning", text=m.group(0),
            message=f"{what}：“{m.group(0)}”（模板遗留，发布前应填写或删除）",
            message_en=f"template leftover ({name}): '{m.group(0)}' should be filled in or removed before publication",
            page=doc.page_at(s), start=s, end=e, confidence=0.8))
    return flags
