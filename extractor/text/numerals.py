"""Written numbers to exact Decimals: Arabic (thousands separators, any decimals, full-width),
Chinese and 大写 numerals, and mixed forms such as `1.5亿3000万` or `１万１千`.

The number forms the scanner looks for are the `regex` entries of patterns/numerals.json.
"""
from __future__ import annotations

import functools
import unicodedata
from decimal import Decimal, InvalidOperation

import regex

from .. import patternbook

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6,
           "陸": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
CN_CHARS = "".join(_DIGITS) + "".join(_SMALL) + "".join(_BIG)

_ARABIC = regex.compile(r"\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DIGIT = regex.compile(r"\d")
_MIXED_PART = regex.compile(r"(\d+(?:\.\d+)?)(百万|千万|[万亿千百]?)")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=None)
def number_regex() -> str:
    """One alternation of every number form in patterns/numerals.json (longest forms first)."""
    forms = {e["name"]: e["regex"] for e in patternbook.entries("numerals")}
    mixed, thousands, arabic = forms["mixed"], forms["thousands"], forms["arabic"]
    return rf"(?:{mixed}|{thousands}|{arabic})"


def _arabic(text: str) -> Decimal | None:
    if not _ARABIC.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _mixed(text: str) -> Decimal | None:
    """`1.5亿3000万` → 180000000; each multiplier must be smaller than the one before."""
    pos, total, last_mult = 0, Decimal(0), None
    while pos < len(text):
        m = _MIXED_PART.match(text, pos)
        if not m or m.end() == pos:
            return None
        num, mult = Decimal(m.group(1)), m.group(2)
        if not mult:
            if m.end() != len(text) or last_mult is None:
                return None
            # `1万1千` style tail without multiplier: 3000 after 1.5亿 is a plain number
            total += num
            pos = m.end()
            break
        factor = {"万": 10**4, "亿": 10**8, "千": 10**3, "百": 10**2, "百万": 10**6, "千万": 10**7}[mult]
        if last_mult is not None and factor >= last_mult:
            if mult == "万" and last_mult == 10**8:
                pass
            else:
                return None
        total += num * factor
        last_mult = factor
        pos = m.end()
    return total if last_mult is not None else None


def _chinese(text: str) -> Decimal | None:
    if not text or any(c not in CN_CHARS for c in text):
        return None
    if all(c in "零〇一二三四五六七八九两" for c in text) and len(text) >= 2:
        # digit-by-digit reading such as 二〇二三
        return Decimal("".join(str(_DIGITS[c]) for c in text))
    if text[0] in _BIG or (len(text) >= 2 and text[0] in "百佰千仟"):
        return None
    import cn2an  # 0.3 s to import: loaded on the first Chinese numeral, not by every command

    try:
        value = cn2an.cn2an(text.replace("貳", "贰").replace("參", "叁").replace("陸", "陆"), "normal")
    except Exception:  # cn2an raises ValueError and others on malformed input
        return None
    return Decimal(str(value))


# a written number longer than this (separators and Chinese numerals included), or with
# more significant digits than Decimal's default precision, is not a figure of a report
MAX_NUMBER_CHARS = 64
MAX_DIGITS = 28


@functools.lru_cache(maxsize=8192)
def parse_number(text: str) -> Decimal | None:
    """The exact value of one written number, or None if the text is not one number.

    The Decimal keeps the written precision (`100.00` stays `100.00`).
    """
    t = _nfkc(text).strip()
    if not t or len(t) > MAX_NUMBER_CHARS:
        return None
    sign = 1
    if t[0] in "-−负":
        sign, t = -1, t[1:]
        if not t or t[0] in "-−负":
            return None
    value = _arabic(t)
    if value is None and _DIGIT.search(t):
        value = _mixed(t)
    if value is None:
        value = _chinese(t)
    if value is None or len(value.as_tuple().digits) > MAX_DIGITS:
        return None  # no report states such a figure; exact arithmetic on it would overflow
    return -value if sign < 0 else value
