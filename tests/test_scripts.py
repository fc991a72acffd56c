"""Traditional script and mirror-site pinyin: read as simplified, provenance kept exact."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor.pipeline import extract_path
from extractor.text.normalize import normalize
from extractor.text.quantities import parse_quantities_in

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"


def test_annotation_and_traditional_map_back_to_the_original():
    src = "政府性基金預(yù)算財政撥款收入30萬(wàn)元。"
    nt = normalize(src)
    assert nt.text == "政府性基金预算财政拨款收入30万元。"
    s = nt.text.index("30万元")
    a, b = nt.span(s, s + len("30万元"))
    assert src[a:b] == "30萬(wàn)元"
    assert nt.index(a) == s and nt.index(b) == s + len("30万元")


def test_a_figure_split_by_an_annotation_keeps_its_unit():
    [q] = parse_quantities_in("本年支出1942.57萬(wàn)元")
    assert (q.kind, q.text, q.value_yuan, q.unit) == ("amount", "1942.57萬(wàn)元", Decimal("19425700"), "万元")


@pytest.fixture(scope="module")
def tianshui():
    path = next(REAL.glob("63_*"))
    return path, extract_path(path)


def test_traditional_report_gives_its_amounts_with_simplified_labels(tianshui):
    path, report = tianshui
    text = path.read_text("utf-8")
    amounts = [q for q in report.quantities if q.kind == "amount"]
    for q in amounts:
        assert text[q.start:q.end] == q.text
    first = [(q.text, q.value_yuan, q.label) for q in amounts[:4]]
    assert first == [("1687.45萬元", Decimal("16874500"), "收入"),
                     ("1516.64萬元", Decimal("15166400"), "财政拨款收入"),
                     ("170.81萬元", Decimal("1708100"), "事业收入"),
                     ("0萬元", Decimal("0"), "经营收入")]


def test_gb2312_characters_left_alone_are_those_t2s_leaves_alone():
    """The shortcut that spares loading OpenCC (a GB2312 character is its own simplified
    form, but for GB2312_CONVERTED) gives OpenCC's answer on every Han character of GB2312."""
    import opencc

    from extractor.text import normalize as nz

    t2s = opencc.OpenCC("t2s")
    han = [ch for b1 in range(0xB0, 0xF8) for b2 in range(0xA1, 0xFF)
           for ch in [bytes([b1, b2]).decode("gb2312", errors="ignore")] if ch]
    assert len(han) == 6763
    changed = {ch for ch in han if t2s.convert(ch) != ch}
    assert changed == nz.GB2312_CONVERTED
    assert all(nz._simplified_already(ch) for ch in han if ch not in changed)
    assert not any(nz._simplified_already(ch) for ch in "後於預財撥萬")
