"""Undo the line wrapping of extracted PDF text, in paragraphs and inside table cells.

PDF text comes out one visual line at a time: Office exports wrap mid-sentence and even
mid-number (`增加 1062.85` / `万元`, `1614937.` / `31` in a narrow cell), which would cut a
quantity from its unit or split one number into two. Which breaks are real is data:
`patterns/paragraph_breaks.json` (sentence ends, item markers) and
`patterns/cell_line_breaks.json` (CJK ranges), each with the examples that prove it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .. import patternbook


@functools.lru_cache(maxsize=None)
def _sentence_end_chars() -> frozenset[str]:
    return frozenset("".join(e.get("chars", "") for e in patternbook.entries("paragraph_breaks")))


@functools.lru_cache(maxsize=None)
def _item_start() -> re.Pattern[str]:
    forms = [e["regex"] for e in patternbook.entries("paragraph_breaks") if "regex" in e]
    return re.compile(r"\s*(?:" + "|".join(forms) + ")")


@functools.lru_cache(maxsize=None)
def _cjk_ranges() -> tuple[tuple[int, int], ...]:
    return tuple(
        (int(lo, 16), int(hi, 16))
        for e in patternbook.entries("cell_line_breaks")
        for lo, hi in e.get("ranges", [])
    )


@functools.lru_cache(maxsize=None)
def _unit_start() -> re.Pattern[str]:
    """The money unit forms of patterns/units.json, longest first, at the start of a line (a
    `百分比` on the line under a target is the cell's 度量单位 written below it, not a wrap)."""
    forms = {f for e in patternbook.entries("units") if e.get("kind") == "amount" for f in e.get("forms", [])}
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


@functools.lru_cache(maxsize=None)
def _folios() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((e["name"], re.compile(r"\s*(?:" + e["regex"] + r")\s*")) for e in patternbook.entries("page_folios"))


def folio_example(line: str) -> str | None:
    """Runner of patterns/page_folios.json: which folio form a whole line is, if any."""
    return next((name for name, rx in _folios() if rx.fullmatch(line)), None)


def is_folio(line: str) -> bool:
    """A line that is only a page's number (`— 17 —`, `第 3 页`, `3 / 12`)."""
    return folio_example(line) is not None


def unit_continues(before: str, after: str) -> bool:
    """A line ending in a figure followed by a line starting with its money unit (`215.80` / `万元`):
    one quantity that wrapped (`number-unit` of patterns/cell_line_breaks.json)."""
    b = before.rstrip()
    return bool(b) and b[-1].isdigit() and _unit_start().match(after.lstrip()) is not None


def is_cjk(ch: str) -> bool:
    """A CJK ideograph or CJK/full-width punctuation: no space is written between them."""
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _cjk_ranges())


def ends_sentence(line: str) -> bool:
    s = line.rstrip()
    return bool(s) and s[-1] in _sentence_end_chars()


def starts_new_item(line: str) -> bool:
    """True when the line opens a numbered item, a part/chapter, a bullet or a note."""
    return _item_start().match(line) is not None


_NUMBER_TAIL = re.compile(r"[-+]?[0-9][0-9,]*\.?$|[-+]?[0-9]*\.$")
_NUMBER_HEAD = re.compile(r"\.?[0-9]")


def splits_number(before: str, after: str) -> bool:
    """True when a break between `before` and `after` falls inside one number."""
    return _NUMBER_TAIL.search(before) is not None and _NUMBER_HEAD.match(after) is not None and (
        before[-1] != "." or after[0] != "."
    )


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def paragraph_separator(before: str, after: str) -> str:
    """What replaces a soft wrap: nothing, or one space between two Latin words."""
    if not before or not after or splits_number(before, after):
        return ""
    return " " if _latin(before[-1]) and _latin(after[0]) else ""


def join_cell_lines(text: str) -> str:
    """Close up the wraps inside one table cell; keep breaks that separate real lines."""
    if "\n" not in text:
        return text
    lines = [ln.strip() for ln in text.split("\n")]
    out = lines[0]
    for line in lines[1:]:
        if not line:
            continue
        if not out:
            out = line
        elif splits_number(out, line) or unit_continues(out, line) or (is_cjk(out[-1]) and is_cjk(line[0])):
            out += line
        else:
            out += "\n" + line
    return out


@dataclass
class Line:
    """One visual line; `short`/`indented` come from its position on the page when known."""

    text: str
    page: int | None = None
    short: bool = False  # ends clearly before the right edge of the text column
    indented: bool = False  # starts clearly right of the left edge (a first-line indent)


def is_hard_break(before: Line, after: Line) -> bool:
    """True when `after` starts a new paragraph rather than continuing `before`."""
    if unit_continues(before.text, after.text):
        return False  # a figure's unit never opens a paragraph, however short the line before
    return (
        before.short
        or after.indented
        or ends_sentence(before.text)
        or starts_new_item(after.text)
    )


def group_paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Split consecutive lines into paragraphs at the hard breaks."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups and not is_hard_break(groups[-1][-1], line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def paragraph_pieces(group: list[Line]) -> list[tuple[int | None, str]]:
    """The (page, text) pieces of one paragraph, with the soft wraps joined."""
    pieces: list[tuple[int | None, str]] = []
    prev = ""
    for line in group:
        text = line.text.strip()
        sep = paragraph_separator(prev, text) if pieces else ""
        if pieces and pieces[-1][0] == line.page:
            pieces[-1] = (line.page, pieces[-1][1] + sep + text)
        else:
            if sep and pieces:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + sep)
            pieces.append((line.page, text))
        prev = text
    return pieces


def unwrap_example(text: str) -> str:
    """Pattern-book runner: join the lines of `text` by the text-only rules."""
    groups = group_paragraphs([Line(t) for t in text.split("\n")])
    return "\n".join("".join(t for _, t in paragraph_pieces(g)) for g in groups)


def cell_example(text: str) -> str:
    """Pattern-book runner: join the lines of one table cell."""
    return join_cell_lines(text)
