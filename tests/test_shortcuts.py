"""The cheap tests and one-pass forms that make `build_report` faster decide exactly as the
full computations they stand in front of (bench/bench_build_report.py times them)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from extractor.model import Table
from extractor.tables import flattened, glued
from extractor.text.quantities import _row_labels

ROOT = Path(__file__).resolve().parents[1]

# glued runs, near misses and prose; a look-alike (`预匏`), notes, colons and spaces before figures
GLUED_CASES = [
    "资金投入情况(万元)全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额:390390100%",
    "年度资金总额： 390 全年预算数(A)全年执行数(B)",
    "年初预匏数全年预算数全年执行数年度资金总额:100100",
    "全年预算数(A)全年执行数(B)执行率(B/A)其中：当年财政拨款 50 50",
    "全年预算数,A、全年执行数,B、年度资金总额３９０",
    "预算执行率=预算执行数/调整后预算数×100%，全年执行数为预算的95%",
    "全年预算数（这是一个超过二十四个字的很长很长很长很长的说明文字）全年执行数 12",
    "本年度全年预算数为100万元，全年执行数为98万元，执行率98%。",
    "年度资金总额全年执行数②",
    "本年度全年预算数为一百万元，全年执行数为九十八万元，共完成12项工作。",
]


def _line_tokens() -> list[str]:
    """Tokens of the corpus's texts and of the real texts beside the repo (if there: OCR'd
    forms with look-alikes and glued runs), then the cases above."""
    files = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT.parent / "shared" / "real").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    return [t.text for text in texts for t in flattened.tokenize(text)] + GLUED_CASES


def test_every_digit_may_be_a_digit():
    rx = re.compile(glued._MAYBE_DIGIT)
    missed = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isdigit() and not rx.fullmatch(c)]
    assert missed == []
    assert rx.fullmatch("年") is None and rx.fullmatch("A") is None and rx.fullmatch("²")


def test_the_word_then_digit_test_never_changes_is_glued(monkeypatch):
    texts = _line_tokens()
    fast = [glued.is_glued(t) for t in texts]
    refused = sum(1 for t in texts if not glued._word_then_digit(glued.normalize(t).text))
    monkeypatch.setattr(glued, "_word_then_digit", lambda n: True)
    glued._pieces_of.cache_clear()
    full = [glued.is_glued(t) for t in texts]
    assert fast == full
    assert fast[-len(GLUED_CASES):] == [True, True, True, True, True, False, True, True, True, False]
    assert refused >= 10  # the cheap test does refuse prose (else it saves nothing)


@pytest.mark.parametrize("text, refused", [
    ("本年度全年预算数为100万元，全年执行数为98万元。", True),
    ("全年预算数（万元）：100 全年执行数", False),
    ("全年执行数 ① 全年预算数", False),
])
def test_the_word_then_digit_test(text, refused):
    assert glued._word_then_digit(glued.normalize(text).text) is (not refused)


def test_row_labels_are_the_nearest_label_and_code_on_the_left():
    t = Table(index=0, cells=[["2010101", "一、行政运行", "12.5", "其中：", "3", "——", "4"]])
    got = _row_labels(t, 0, set())
    assert got == [(None, None), (None, "2010101"), ("一、行政运行", "2010101"), ("一、行政运行", "2010101"),
                   ("其中：", "2010101"), ("其中：", "2010101"), ("其中：", "2010101")]
    t2 = Table(index=0, cells=[["类", "201", "基本支出", "7"]])
    assert _row_labels(t2, 0, {1})[3] == ("基本支出", "201")


@pytest.mark.parametrize("run, pieces", [
    # a look-alike word (`预匏` for 预算): the cutter must stop within its reach to read it
    ("年初预匏数100全年执行数(B)90", ["年初预匏数", "100", "全年执行数(B)", "90"]),
    ("全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额:390390100%",
     ["全年预算数(A)", "全年执行数(B)", "执行率(B/A)", "年度资金总额:", "390390100%"]),
    ("项目资金:———全年执行数２３", ["项目资金:", "———", "全年执行数", "23"]),
])
def test_the_cutter_visits_every_position_that_can_start_a_piece(run, pieces):
    n = glued.normalize(run).text
    assert [n[a:b] for a, b in glued._pieces(n)] == pieces
