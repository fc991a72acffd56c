"""Give each prose quantity its label and the fiscal year it refers to.

The year of a number is the last year stated before it in the same sentence — unless that
year is a comparison (`比2021年预算增加…`) — else the year of the section heading it sits
under (`2.2022年度收支情况`), else the report's fiscal year. Both are read on the normalised
text (normalize.py), so a traditional or pinyin-annotated document gets the labels and
year cues of its simplified reading.
"""
from __future__ import annotations

import functools

import regex

from .. import patternbook

from .labels import label_before
from .normalize import NormText
from ..model import Quantity

_LAST_SENTENCE_END = regex.compile(r"(?r)[。；;！!？?\n]")  # searched from the right
_COMPARISON_BEFORE = regex.compile(r"(?:比|较|同比|与|相比|对比|上年|较上年)\s*$")
_HEADING = regex.compile(
    r"^\s*(?:\d+(?:\.\d+)*\s*[.、．]|[（(]\s*[\d一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*、)"
)
_YEAR_KINDS = ("year", "date", "period")
_HEADING_YEAR = regex.compile(r"(\d{4})\s*年")


def is_heading(line: str) -> bool:
    """Is `line` a short numbered heading (where a section's year starts)?"""
    stripped = line.strip()
    return bool(stripped) and len(stripped) <= 40 and bool(_HEADING.match(stripped)) and not stripped.endswith("。")


def _headings(text: str) -> list[tuple[int, int | None]]:
    """(offset, year or None) of each short numbered heading line."""
    out: list[tuple[int, int | None]] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if is_heading(stripped):
            m = _HEADING_YEAR.search(stripped)
            year = int(m.group(1)) if m and 1949 <= int(m.group(1)) <= 2100 else None
            out.append((pos, year))
        pos += len(line) + 1
    return out


def assign_context(nt: NormText, quantities: list[Quantity], report_year: int | None) -> None:
    """Set `label` and `year` of prose quantities in place (they must be in text order);
    their offsets are original ones, mapped into the normalised text `nt`."""
    text = nt.text
    pos = {id(q): (nt.index(q.start), nt.index(q.end if q.end is not None else q.start))
           for q in quantities if q.start is not None}
    headings = _headings(text)
    hi = 0
    section_year: int | None = None
    sentence_start = 0
    sentence_year: int | None = None
    floor = 0
    prev_count: Quantity | None = None
    prev_amount: Quantity | None = None
    for q in quantities:
        if q.start is None:
            continue
        start, end = pos[id(q)]
        while hi < len(headings) and headings[hi][0] <= start:
            section_year = headings[hi][1]
            hi += 1
        last_end = _last_sentence_end(text, sentence_start, start)
        if last_end is not None:
            sentence_start = last_end
            sentence_year = None
            floor = max(floor, last_end)
        if q.kind in _YEAR_KINDS:
            if not _COMPARISON_BEFORE.search(text[max(0, start - 4):start]):
                sentence_year = q.year
            floor = end or floor
            continue
        q.year = sentence_year or section_year or report_year
        # a figure whose unit a flattened table's line declares is detached from its row label
        label = None if q.unit_source == "caption" else label_before(text, start, floor)
        if label is None and prev_count is not None and prev_count.end == q.start:
            label = prev_count.label
        if label is None and q.kind == "rate" and prev_amount is not None and prev_amount.label:
            amount_end = pos[id(prev_amount)][1]
            if amount_end >= sentence_start and _share_cue(text, amount_end, start):
                label = f"{prev_amount.label}占比"
        q.label = label
        floor = end or floor
        prev_count = q if q.kind == "count" else None
        if q.kind == "amount":
            prev_amount = q


def _share_cue(text: str, lo: int, hi: int) -> bool:
    """Only punctuation, spaces and a share cue (`，占`) between an amount and a rate."""
    between = regex.sub(r"[\s，,、:：]", "", text[lo:hi])
    return between in _share_cues()


@functools.lru_cache(maxsize=1)
def _share_cues() -> frozenset[str]:
    return frozenset(next(e["cues"] for e in patternbook.entries("labels") if e["name"] == "share"))


def _last_sentence_end(text: str, lo: int, hi: int) -> int | None:
    """End of the last sentence end in text[lo:hi] (one search from the right), or None."""
    m = _LAST_SENTENCE_END.search(text, lo, hi) if hi > lo else None
    return m.end() if m else None
