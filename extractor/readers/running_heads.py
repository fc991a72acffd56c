"""Running headers and footers of PDF pages: the same line printed at the top or foot of most pages.

Published 预算/决算 PDFs print the document's title or the department's name on every page
(`无锡市统计局2026年度部门预算公开`). The PDF reader joins a sentence running on over a page
break, and joined such a header into it (`…资金` + header + `1,600万元…`), and read the header
as prose on every page. A page's folio (`wrapping.is_folio`) is told by its form; a header's
text is ordinary words, so it is told by its repetition instead:

- it is the first (or last) line of its page, with the same text once blanks are removed and
  every digit run is read as one (`第3页` and `第12页` are the same furniture), at the same
  height (within one character size of the position most of its copies share);
- on at least `MIN_PAGES` pages and at least `MIN_SHARE` of the pages that have text (a cover,
  a contents page or a part's title page may go without it);
- and on at least one page that holds no table. A table's caption or its `单位：万元` line
  repeated at the top of every page the table runs over is as regular, but it only ever stands
  above a table: the table reader needs it, and it is kept.

A header is left out of every page but the first page with text, where the lines at its top
are the document's title or the first mention of its department (the title and meta readers
read them there, and nothing runs on into them); a line of digits alone (a bare page number)
and a footer are left out there too (a footer stands between a sentence and its next page).
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

MIN_PAGES = 3
MIN_SHARE = 0.6
MAX_LINES = 3  # a header or footer of up to three lines (a title over a department's name)

_DIGITS = re.compile(r"\d+")

Items = list[tuple[str, Any]]


def furniture_key(text: str) -> str:
    """What a running header's copies share: the text without blanks, each digit run as `#`."""
    return _DIGITS.sub("#", "".join(text.split()))


def running_heads(pages: list[Items]) -> dict[int, set[int]]:
    """Which items (page index → item indexes) are copies of a running header or footer."""
    with_text = [i for i, items in enumerate(pages) if any(kind == "line" for kind, _ in items)]
    groups: dict[tuple[str, str], list[tuple[int, int, dict]]] = {}
    for i in with_text:
        items = pages[i]
        for edge, at in (("head", 0), ("foot", len(items) - 1)):
            kind, item = items[at]
            if kind == "line" and item.get("top") is not None:
                groups.setdefault((edge, furniture_key(item["text"])), []).append((i, at, item))
    found: dict[int, set[int]] = {}
    for (_, key), copies in groups.items():
        copies = _at_one_height(copies)
        if len(copies) < MIN_PAGES or len(copies) < MIN_SHARE * len(with_text):
            continue
        if all(any(kind == "table" for kind, _ in pages[i]) for i, _, _ in copies):
            continue  # only ever above (or below) a table: its caption, unit line or note
        for i, at, _ in copies:
            found.setdefault(i, set()).add(at)
    return found


def _at_one_height(copies: list[tuple[int, int, dict]]) -> list[tuple[int, int, dict]]:
    """The copies printed at the height most of them share (one character size of slack)."""
    tops = sorted(c[2]["top"] for c in copies)

    def around(c: tuple[int, int, dict]) -> int:
        top, slack = c[2]["top"], c[2].get("char_w", 0.0)
        return bisect.bisect_right(tops, top + slack) - bisect.bisect_left(tops, top - slack)

    anchor = max(copies, key=around)[2]
    return [c for c in copies
            if abs(c[2]["top"] - anchor["top"]) <= max(anchor.get("char_w", 0.0), c[2].get("char_w", 0.0))]


def without_running_heads(pages: list[Items], edges: Callable[[Items], Items] | None = None) -> list[Items]:
    """The pages without their running headers and footers (see the module's docstring), but
    for the header lines in words at the top of the first page with text. A header of several
    lines goes a line per round (at most `MAX_LINES`); `edges` strips what else a page's new
    first or last line may be after each round (the PDF reader's folio)."""
    first = next((i for i, items in enumerate(pages) if any(kind == "line" for kind, _ in items)), None)
    titles: set[int] = set()  # ids of the first page's header lines, kept
    out = pages
    for _ in range(MAX_LINES):
        found = running_heads(out)
        if not found:
            break
        if first is not None and 0 in found.get(first, ()):
            kind, item = out[first][0]
            if any(ch.isalpha() for ch in item["text"]):
                titles.add(id(item))
        out = [[it for at, it in enumerate(items) if at not in found.get(i, ())] for i, items in enumerate(out)]
        if edges is not None:
            out = [edges(items) for items in out]
    if titles:
        kept = titles | {id(item) for _, item in out[first]}
        out[first] = [(kind, item) for kind, item in pages[first] if id(item) in kept]
    return out
