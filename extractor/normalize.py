"""Normalise text for matching while keeping a map back to the original characters.

Matching runs on a normalised copy (NFKC: full-width digits and punctuation, Kangxi radicals
such as `⽬`; white space dropped where it only separates a number from its unit or splits a
Chinese word, as in `348.63 万元` or `自 评任务`). Every match is mapped back through
`NormText.span` so a quantity's `text` is the exact substring of the source.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_HSPACE = {" ", "\t", "\u3000", "\xa0", "\u2002", "\u2003", "\u2009", "\u200b"}
_EXTRA = {"−": "-", "–": "-", "﹣": "-", "兀": "兀"}


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


@dataclass
class NormText:
    text: str
    to_orig: list[int]  # normalised index -> original index; one extra entry for the end

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if end <= start:
            o = self.to_orig[start]
            return o, o
        return self.to_orig[start], self.to_orig[end - 1] + 1


def normalize(original: str) -> NormText:
    """NFKC per character, then drop horizontal spaces that do not separate two ASCII tokens."""
    chars: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(original):
        n = _EXTRA.get(ch) or unicodedata.normalize("NFKC", ch)
        for c in n:
            chars.append(c)
            idx.append(i)
    out: list[str] = []
    out_idx: list[int] = []
    n = len(chars)
    i = 0
    while i < n:
        c = chars[i]
        if c in _HSPACE or c == " ":
            j = i
            while j < n and (chars[j] in _HSPACE or chars[j] == " "):
                j += 1
            prev = out[-1] if out else ""
            nxt = chars[j] if j < n else ""
            if prev and nxt and _is_ascii_alnum(prev) and _is_ascii_alnum(nxt):
                out.append(" ")
                out_idx.append(idx[i])
            elif prev and nxt and (prev in "|\n" or nxt in "|\n"):
                out.append(" ")
                out_idx.append(idx[i])
            i = j
            continue
        out.append(c)
        out_idx.append(idx[i])
        i += 1
    out_idx.append(len(original))
    return NormText("".join(out), out_idx)
