"""Which chart line a budget item belongs to (`patterns/report_series.json`): 总额, 基本, 项目, 三公."""
from __future__ import annotations

import functools

import regex

from .. import patternbook
from ..text.normalize import normalize

SERIES_ZH = {"total": "支出总额", "basic": "基本支出", "project": "项目支出", "three_public": "三公经费"}

_NOISE = regex.compile(r"[\s\"'“”‘’「」]+")
_LEAD = regex.compile(r"^(?:其中[:：]?|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．])+")
_NOTE = regex.compile(r"[(（][^()（）]*[)）]$")


def _key(text: str) -> str:
    t = _NOISE.sub("", normalize(text).text)
    t = _LEAD.sub("", t)
    return _NOTE.sub("", t)


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return {_key(s): e["series"] for e in patternbook.entries("report_series") for s in e["synonyms"]}


def classify_item(text: str) -> dict[str, str | None]:
    """Runner of report_series.json: the series of a budget item, or None."""
    return {"series": _table().get(_key(text or ""))}
