"""The subject a number belongs to (`预算收入`, `一般公共服务支出`, `热线场地改造费用`).

A label is cut from the clause before the number: back to punctuation or the previous
number, after the last year in it, without ordinals, cue words, verbs, copulas or the
department that opens it. jieba (with the budget-term user dictionary in patterns/) keeps
terms whole when the clause is shortened. The word lists are patterns/labels.json.
"""
from __future__ import annotations

import functools
import logging
from typing import Any

import regex

from .. import patternbook
from .normalize import simplified

_BOUNDARY = regex.compile(r"[，,。；;：:、\n|（）()《》【】\[\]!！?？]")
_YEARISH = regex.compile(
    r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年度?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
    r"(?:\s*(?:至|到|-|—)\s*(?:\d{4}\s*年)?\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
)
_ORDINAL = regex.compile(
    r"^\s*(?:\d+(?:\.\d+)*\s*[.、．]|[（(]\s*\d+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|"
    r"[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十\d]+[条项章节部分])\s*"
)
_SPACES = regex.compile(r"\s+")
_HAN = regex.compile(r"\p{Han}")
_QIZHONG = regex.compile(r"^其中[:：]?")
_QUOTES = regex.compile(r"[“”\"'‘’「」『』]")


@functools.lru_cache(maxsize=1)
def _words() -> dict[str, list[str]]:
    out = {e["name"]: sorted(e["words"], key=len, reverse=True) for e in patternbook.entries("labels") if "words" in e}
    return out


@functools.lru_cache(maxsize=1)
def _qualifier() -> regex.Pattern:
    return regex.compile(next(e["regex"] for e in patternbook.entries("labels") if e["name"] == "qualifiers"))


@functools.lru_cache(maxsize=1)
def tokenizer() -> Any:
    """A jieba tokenizer with the budget-term dictionary, built once per process."""
    import marshal
    import sys
    import types

    # jieba finds its files through pkg_resources when it can import it (~60 ms of import,
    # more than a third of jieba's); without it, it opens the same files from its folder
    hidden = "pkg_resources" not in sys.modules
    if hidden:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if hidden:
            del sys.modules["pkg_resources"]
    # jieba reads its dictionary cache with `marshal.load` on the open file, which reads it in
    # small pieces (0.6-1.5 s per process); `marshal.loads` on the file's bytes gives the same
    # dictionary in 0.3 s
    jieba.marshal = types.SimpleNamespace(load=lambda file: marshal.loads(file.read()), dump=marshal.dump)
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for line in patternbook.text_file("budget_terms.txt").splitlines():
        parts = line.split()
        if parts:
            tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
    return tk


def _strip_words(s: str, words: list[str], leading: bool) -> str:
    changed = True
    while changed and s:
        changed = False
        for w in words:
            if leading and s.startswith(w) and len(s) > len(w):
                s, changed = s[len(w):], True
                break
            if not leading and s.endswith(w) and len(s) > len(w):
                s, changed = s[: -len(w)], True
                break
    return s


@functools.lru_cache(maxsize=16384)  # a long document repeats its labels (支出, 预算执行率)
def clean_label(clause: str) -> str | None:
    """Turn the words before a number into its label, or None if nothing is left."""
    w = _words()
    s = _QUOTES.sub("", clause)
    s = _SPACES.sub("", s)
    years = list(_YEARISH.finditer(s))
    if years:
        tail = s[years[-1].end():]
        s = tail if tail else s[: years[-1].start()]
    s = _ORDINAL.sub("", s)
    for _ in range(3):
        before = s
        s = _strip_words(s, w["leading-words"], leading=True)
        s = _strip_words(s, w["trailing-words"], leading=False)
        # a department opening the clause is the speaker, not the subject
        for suf in w["subject-suffixes"]:
            i = s.find(suf)
            if (i >= 3 or (i >= 1 and s[:i] in ("我", "本", "该", "我局"))) and i + len(suf) < len(s):
                s = s[i + len(suf):]
                break
        if s == before:
            break
    if s in w["leading-words"] or s in w["trailing-words"]:
        return None
    s = s.strip("的之")
    if not s or not _HAN.search(s):
        return None
    limit = patternbook.load("labels")["max_chars"]
    if len(s) > limit:
        tokens = list(tokenizer().cut(s))
        kept: list[str] = []
        for tok in reversed(tokens):
            if sum(map(len, kept)) + len(tok) > limit and kept:
                break
            kept.insert(0, tok)
        s = "".join(kept)
    return s or None


def label_before(text: str, start: int, floor: int = 0) -> str | None:
    """The label of the number starting at `start`, reading back no further than `floor`."""
    lo = max(floor, start - 60)
    seg = text[lo:start]
    qualifier = _qualifier()
    m = qualifier.search(seg)
    if m:  # `社会保障和就业支出（类）754.75万元`: the qualifier is no boundary
        seg = seg[: m.start()]
    cut = None
    for m in _BOUNDARY.finditer(seg):
        cut = m.end()
    if cut is not None:
        seg = seg[cut:]
    return clean_label(seg)


@functools.lru_cache(maxsize=1)
def _code_in_label() -> regex.Pattern:
    """A 功能分类/经济分类 code written in a row label (`[2014001]行政运行`), from ledger_rows.json."""
    entry = next(e for e in patternbook.entries("ledger_rows") if e["name"] == "code-in-label")
    return regex.compile(entry["pattern"])


@functools.lru_cache(maxsize=8192)  # every figure of a row asks for its row's label
def strip_row_label(text: str) -> str | None:
    """A table row label without ordinals, codes, `其中：`, colons and line breaks, in
    simplified script (a traditional or pinyin-annotated cell reads as its simplified form)."""
    s = _SPACES.sub("", simplified(text))
    s = _code_in_label().sub("", s, count=1)
    s = _ORDINAL.sub("", s)
    s = _QIZHONG.sub("", s)
    s = s.strip(":：")
    s = _unit_tail().sub("", s) or s
    return s or None


@functools.lru_cache(maxsize=1)
def _unit_tail() -> regex.Pattern:
    """A unit declared in brackets at a label's end (`项目总成本（万元）`, `完成率(%)`): the unit
    is the figure's, the label names what it measures."""
    forms = sorted({f for e in patternbook.entries("units") for f in e.get("forms", [])}, key=len, reverse=True)
    return regex.compile(r"[（(](?:" + "|".join(regex.escape(f) for f in forms) + r")[)）]$")
