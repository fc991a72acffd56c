"""Normalise text for matching while keeping a map back to the original characters.

Matching runs on a normalised copy (NFKC: full-width digits and punctuation, Kangxi radicals
such as `⽬`; white space dropped where it only separates a number from its unit or splits a
Chinese word, as in `348.63 万元` or `自 评任务`; format characters removed: zero-width
spaces and joiners, word joiner, BOM, bidi controls and soft hyphens, invisible marks that
web pages and PDF text layers leave inside figures, so `3\u200b2.10万元` is 32.10万元, not
2.10万元). Traditional characters are read as simplified ones, one for one (OpenCC's t2s
table), and the pinyin that mirror sites print after characters (`預(yù)算`) is dropped, so
`1516.64萬(wàn)元` reads as 1516.64万元 (rules and examples: patterns/scripts.json). Every
match is mapped back through `NormText.span` so a quantity's `text` is the exact substring
of the source, format characters and annotations included.
"""
from __future__ import annotations

import bisect
import functools
import unicodedata
from array import array
from dataclasses import dataclass
from typing import Iterable

import regex

from .. import patternbook

_EXTRA = {"−": "-", "–": "-", "﹣": "-", "兀": "兀"}
# format characters (Unicode Cf) that only steer rendering: dropped from the matching text
FORMAT_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"
                         "\u2066\u2067\u2068\u2069\u200e\u200f")


# typecode of the offset maps: 4-byte integers (files are refused past 200 MB, so offsets
# stay far below 2**31), half of what "q" took: 8 bytes per character of a long text
_INDEX = "i" if array("i").itemsize >= 4 else "l"


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


@dataclass
class NormText:
    text: str
    # normalised index -> original index; one extra entry for the end. An array of machine
    # integers: a list would hold one int object per character (36 bytes, not 8)
    to_orig: "array[int] | _Identity"

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if end <= start:
            o = self.to_orig[start]
            return o, o
        return self.to_orig[start], self.to_orig[end - 1] + 1

    def index(self, orig: int) -> int:
        """The normalised index of original offset `orig`: the first normalised character
        that comes from `orig` or later (the inverse of `span`, for mapped-back matches)."""
        if type(self.to_orig) is _Identity:  # no search through a map that stores nothing
            return min(max(orig, 0), len(self.text))
        return bisect.bisect_left(self.to_orig, orig, 0, len(self.text))


_HSPACE_RUN = regex.compile("[ \t\u3000\xa0\u2002\u2003\u2009\u200b]+")


@functools.lru_cache(maxsize=1)
def _script_rules() -> dict[str, dict]:
    return {e["name"]: e for e in patternbook.entries("scripts")}


@functools.lru_cache(maxsize=1)
def t2s():
    """OpenCC's traditional-to-simplified converter (pure Python `opencc-py`, or the C++
    `opencc` wheel: both install the module `opencc` with this API)."""
    import opencc

    return opencc.OpenCC("t2s")


_HAN = regex.compile(r"\p{Han}")
# the characters of GB2312 (a simplified-only character set, bar a few variants) that
# OpenCC's t2s converts: every other GB2312 character is its own simplified form, which
# spares loading OpenCC (a fifth of a one-line `extract`) for a text in simplified script;
# `tests/test_scripts.py` holds this to OpenCC's table, character by character
GB2312_CONVERTED = frozenset("乾菸薹拚捱摺吒後徵夥榘於袷麴醣麽")


def _simplified_already(ch: str) -> bool:
    """`ch` is a GB2312 character t2s leaves as it is."""
    if ch in GB2312_CONVERTED:
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=65536)
def _simplified(ch: str) -> str:
    """The simplified form of one Han character, or the character itself (a conversion that
    is not one character for one would break the offset map: none is made)."""
    if not _HAN.match(ch) or ch in _script_rules()["traditional"]["keep"] or _simplified_already(ch):
        return ch
    got = t2s().convert(ch)
    return got if len(got) == 1 else ch


@functools.lru_cache(maxsize=65536)
def _mapped(ch: str) -> str:
    if ch in FORMAT_CHARS:
        return ""
    m = _EXTRA.get(ch) or unicodedata.normalize("NFKC", ch)
    return _simplified(m) if len(m) == 1 else m


@functools.lru_cache(maxsize=1)
def _annotation_rx() -> tuple[regex.Pattern, regex.Pattern, frozenset[str]]:
    rule = _script_rules()["pinyin-annotation"]
    # after its character; where a PDF line wrapped between the two, or inside the reading
    # (a narrow cell: `指标(b` / `iāo)`), the line break goes too
    letters = rule["letters"]
    candidate = regex.compile(
        rf"(?:(?<=\p{{Han}})\n)?(?<=\p{{Han}}|^|\n)\(((?:[{letters}]|\n){{1,7}})\)")
    return candidate, regex.compile(rule["syllable"]), frozenset(rule["neutral"])


def _is_annotation(letters: str) -> bool:
    """Is `letters` (from `學(xué)`) one pinyin syllable: toned, or a known toneless one?"""
    _, syllable, neutral = _annotation_rx()
    if letters.count("\n") > 1:
        return False
    letters = letters.replace("\n", "")
    if not 1 <= len(letters) <= 6:
        return False
    bare = "".join(c for c in unicodedata.normalize("NFD", letters).replace("u\u0308", "v")
                   if not unicodedata.combining(c))
    if not syllable.fullmatch(bare):
        return False
    return bare != letters.replace("ü", "v") or letters in neutral


def _drop_annotations(text: str, idx: "array[int] | _Identity") -> tuple[str, "array[int] | _Identity"]:
    """Remove pinyin annotations after Han characters, keeping the offset map."""
    if "(" not in text:
        return text, idx
    cuts = [m.span() for m in _annotation_rx()[0].finditer(text) if _is_annotation(m.group(1))]
    if not cuts:
        return text, idx
    parts: list[str] = []
    out = array(_INDEX)
    pos = 0
    for s, e in cuts:
        parts.append(text[pos:s])
        out.extend(idx[pos:s])
        pos = e
    parts.append(text[pos:])
    out.extend(idx[pos:len(text)])
    return "".join(parts), out


class _Identity:
    """The map of a text normalisation left unchanged: index i is i, nothing stored."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return i % self.n


def _identity(n: int) -> "array[int]":
    return array(_INDEX, range(n))


def _nfkc_with_map(original: str) -> tuple[str, "array[int]"]:
    """NFKC per character; only the distinct characters that change are looked at."""
    changing = {ch: m for ch in set(original) if (m := _mapped(ch)) != ch}
    if all(len(m) == 1 for m in changing.values()):
        text = original.translate(str.maketrans(changing)) if changing else original
        return text, _identity(len(original))
    chars: list[str] = []
    idx = array(_INDEX)
    for i, ch in enumerate(original):
        m = changing.get(ch, ch)
        chars.append(m)
        idx.extend([i] * len(m))
    return "".join(chars), idx


def normalize(original: str) -> NormText:
    """NFKC per character, then drop horizontal spaces that do not separate two ASCII tokens
    (or stand next to a table bar or line break). The result is shared: do not mutate it."""
    if len(original) < 64:
        return _normalize_short(original)
    if len(original) < LINE_CHARS:
        return _normalize_line(original)
    return _normalize_long(original)


# a text shorter than this is a line or a cell: several stages normalise each line of a
# document (the flattened-table reader's tokens, titles), so a few hundred are kept (at most
# ~3 MiB with their offsets); a longer one is a document's text, of which a few are kept
LINE_CHARS = 1024


@functools.lru_cache(maxsize=8192)
def _normalize_short(original: str) -> NormText:
    return _normalize(original)


@functools.lru_cache(maxsize=256)
def _normalize_line(original: str) -> NormText:
    return _normalize(original)


@functools.lru_cache(maxsize=4)
def _normalize_long(original: str) -> NormText:
    """Several stages normalise the same document text; it is done once."""
    return _normalize(original)


# characters whose normal form is one character that is neither a space nor the bracket of
# a pinyin annotation, learnt as they are met (bounded by the characters in use), and the
# translation table of those among them that change
_ONE_FOR_ONE: set[str] = set()
_CHANGES: dict[int, str] = {}
_NOT_PLAIN = frozenset(" \t\u3000\xa0\u2002\u2003\u2009\u200b(")


def _plain(original: str) -> str | None:
    """The normal form of `original` when it is made only of characters normalised one for
    one and no space to drop (most short cells and paragraphs: one set operation and a
    `str.translate` instead of the full pass), else None."""
    chars = set(original)
    if not chars <= _ONE_FOR_ONE:
        for ch in chars - _ONE_FOR_ONE:
            m = _mapped(ch)
            if len(m) != 1 or ch in _NOT_PLAIN or m in _NOT_PLAIN:
                return None
            _ONE_FOR_ONE.add(ch)
            if m != ch:
                _CHANGES[ord(ch)] = m
    return original.translate(_CHANGES)


def _normalize(original: str) -> NormText:
    if original.isascii() and " " not in original and "\t" not in original:
        return NormText(original, _Identity(len(original) + 1))  # nothing to change
    plain = _plain(original)
    if plain is not None:
        return NormText(plain, _Identity(len(original) + 1))  # no character added or dropped
    text, idx = _nfkc_with_map(original)
    text, idx = _drop_annotations(text, idx)
    parts: list[str] = []
    out_idx = array(_INDEX)
    pos = 0
    for m in _HSPACE_RUN.finditer(text):
        s, e = m.span()
        parts.append(text[pos:s])
        out_idx.extend(idx[pos:s])
        prev = text[s - 1] if s > 0 else ""
        nxt = text[e] if e < len(text) else ""
        if prev and nxt and ((_is_ascii_alnum(prev) and _is_ascii_alnum(nxt)) or prev in "|\n" or nxt in "|\n"):
            parts.append(" ")
            out_idx.append(idx[s])
        pos = e
    parts.append(text[pos:])
    out_idx.extend(idx[pos:])
    out_idx.append(len(original))
    return NormText("".join(parts), out_idx)


def simplified(text: str) -> str:
    """`text` in simplified script without mirror-site pinyin, punctuation and spacing kept:
    for names shown to people (normalize() is for matching)."""
    if text.isascii():
        return text
    mapped = "".join(_simplified(ch) for ch in text)
    return _drop_annotations(mapped, _identity(len(mapped)))[0]


# what may stand between the characters of a word of prose a PDF spaced out (wide character
# spacing, justified lines: `与上年 相 比 增 加`, `万 元`)
_LETTER_GAP = "[ \u3000]*"
_BLANKS = regex.compile(r"[\s\u3000]+")


def spaced_words(words: Iterable[str]) -> str:
    """A regular expression of the literal `words` as alternatives, longest first, each allowing
    blanks between its characters; `unspaced` gives back the word a match spells."""
    return "|".join(_LETTER_GAP.join(regex.escape(ch) for ch in w) for w in sorted(words, key=len, reverse=True))


def unspaced(text: str) -> str:
    """`text` without its blanks (a label, scope or cue word read from spaced-out prose)."""
    return _BLANKS.sub("", text)


def example_normalize(text: str) -> str:
    """Runner of scripts.json: the normalised text."""
    return normalize(text).text


def forget_long_texts() -> None:
    """Drop the cached normalisations of whole documents (the text and an offset per
    character: ~5 MiB per MB of text) once a document is done, so a worker does not hold
    them while it sends the report, nor carry them into the next document."""
    _normalize_long.cache_clear()
