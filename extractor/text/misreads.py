"""Form words as OCR engines misread them: one look-alike character (patterns/ocr_misreads.json).

`年初预匏数` is 年初预算数 and `实施第位` is 实施单位 on an OCR'd form. The document text is never
rewritten: a caller asks whether a form word *reads* at a position of the text with one
misreading, and the span it gets is the page's own (`项Fl资金` is four characters for 项目资金's
four, `Fl` standing for 目). One misreading per word and words of four or more characters
only, so the rest of the word must agree exactly.
"""
from __future__ import annotations

import functools
from array import array
from collections.abc import Iterable

import regex

from .. import patternbook

LEAST_WORD = 4  # a shorter word with one character off is too likely another word


@functools.lru_cache(maxsize=1)
def misreads() -> tuple[tuple[str, str], ...]:
    """(read, means) pairs: what the page shows for a form character."""
    return tuple((e["read"], e["means"]) for e in patternbook.entries("ocr_misreads"))


@functools.lru_cache(maxsize=1)
def _by_means() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for read, means in misreads():
        out.setdefault(means, []).append(read)
    return {k: tuple(v) for k, v in out.items()}


def corrections(text: str) -> Iterable[str]:
    """`text` with exactly one misreading corrected, every way it has one."""
    for read, means in misreads():
        k = text.find(read)
        while k >= 0:
            yield text[:k] + means + text[k + len(read):]
            k = text.find(read, k + 1)


@functools.lru_cache(maxsize=1)
def _by_read_first() -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for read, means in misreads():
        out.setdefault(read[0], []).append((read, means))
    return {k: tuple(v) for k, v in out.items()}


def first_chars(text: str, i: int) -> tuple[str, ...]:
    """The form characters a word read at text[i] may start with (its own, or what a misreading
    there stands for)."""
    return (text[i:i + 1],) + tuple(means for read, means in _by_read_first().get(text[i:i + 1], ())
                                    if text.startswith(read, i))


@functools.lru_cache(maxsize=1)
def _misread_rx() -> regex.Pattern:
    """Any look-alike character (or pair) of the table."""
    return regex.compile("|".join(regex.escape(r) for r, _m in misreads()))


@functools.lru_cache(maxsize=8)
def next_misread(text: str) -> "array[int]":
    """For every position of `text`, where the next look-alike character starts (len(text) if
    none): a word can be read with a misreading at i only if one starts within its length."""
    hits = _misread_rx()
    out = array("i", [len(text)]) * (len(text) + 1)
    nxt = len(text)
    starts = {m.start() for m in hits.finditer(text, overlapped=True)}
    for k in range(len(text) - 1, -1, -1):
        if k in starts:
            nxt = k
        out[k] = nxt
    return out


def any_misread(text: str) -> bool:
    """Does a look-alike character stand anywhere in `text` (one search, where `next_misread`
    maps every position)?"""
    return _misread_rx().search(text) is not None


def misread_end(word: str, text: str, i: int) -> int | None:
    """End of `word` read at text[i] with exactly one misreading, or None (exact matches and
    words shorter than LEAST_WORD are not this function's)."""
    if len(word) < LEAST_WORD:
        return None
    j, used = i, False
    for ch in word:
        if j < len(text) and text[j] == ch:
            j += 1
            continue
        if used:
            return None
        read = next((r for r in _by_means().get(ch, ()) if text.startswith(r, j)), None)
        if read is None:
            return None
        j += len(read)
        used = True
    return j if used else None


__all__ = ["LEAST_WORD", "any_misread", "corrections", "first_chars", "misread_end", "misreads", "next_misread"]
