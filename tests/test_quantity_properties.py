"""Properties of amount extraction over generated spellings: the value is exact, the unit
kept, and the span points at the exact source text, whatever the number's written form."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.text.quantities import MONEY_FACTORS, parse_quantities_in

FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
UNITS = ["元", "万元", "亿元", "千元"]
LEADS = ["预算收入", "其中：财政拨款", "实际支出", "项目资金共计", "一般公共服务支出"]


def _written(value: Decimal, thousands: bool) -> str:
    text = format(value, "f")
    if thousands:
        whole, _, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = f"{int(whole.lstrip('-')):,}"
        text = sign + whole + ("." + frac if frac else "")
    return text


@settings(max_examples=200, deadline=None)
@given(
    digits=st.integers(min_value=0, max_value=10**12),
    scale=st.integers(min_value=0, max_value=6),
    negative=st.booleans(),
    thousands=st.booleans(),
    fullwidth=st.booleans(),
    space=st.booleans(),
    unit=st.sampled_from(UNITS),
    lead=st.sampled_from(LEADS),
)
def test_amount_round_trip(digits, scale, negative, thousands, fullwidth, space, unit, lead):
    value = Decimal(digits).scaleb(-scale)
    if negative and value:
        value = -value
    number = _written(value, thousands)
    if fullwidth:
        number = number.translate(FULLWIDTH)
    written = number + (" " if space else "") + unit
    text = f"{lead}{written}，详见附表。"
    found = [q for q in parse_quantities_in(text) if q.kind == "amount"]
    assert len(found) == 1, text
    q = found[0]
    assert q.text == written
    assert text[q.start:q.end] == written
    assert q.value == value and q.unit == unit
    assert q.value_yuan == value * MONEY_FACTORS[unit]
    assert q.value_yuan.as_tuple().exponent == value.as_tuple().exponent + len(str(MONEY_FACTORS[unit])) - 1
