"""Find every quantity of a document — amounts, rates, counts, years, dates, periods — with its
unit, kind, label, year and provenance.

Prose is scanned on a normalised copy of `Document.text` (see normalize.py) and every match
is mapped back to its exact original span. Table cells get their unit inline, from a column
header (`全年预算数（万元）`), or from the table's declaration (`单位：万元`); score, weight,
rate and code columns are never money. The unit spellings, measure words, operators and
header kinds are data in patterns/ (units, counts, operators, unit_declarations,
column_kinds, dates).
"""
from __future__ import annotations

import bisect
import copy
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

import regex

from .. import patternbook
from .labels import strip_row_label
from ..model import Document, Quantity, Table
from .normalize import NormText, normalize
from .numerals import CN_CHARS, number_regex, parse_number

_WORD_CHAR = regex.compile(r"[\w.]")
_HAN = regex.compile(r"\p{Han}")
# the end of a number form jixiao does not read (`1E+308`, `1'000'000`): a number right
# after it is a piece of that form, not a figure of its own
_FOREIGN_NUMBER_LEFT = regex.compile(r"(?:\d[eE][+-]?|\d['’_])$")
_CN_NUMERAL = regex.compile(f"[{CN_CHARS}]+")
_CN_CHAR = regex.compile(f"[{CN_CHARS}]")
_PER = regex.compile(r"\s*/\s*(月|年|人|天|次)")
_PER_REACH = 16  # `/月` is looked for this far after an amount
_MULTIPLIER = regex.compile("[万亿千百]")
_BIG_MULTIPLIER = regex.compile("[万亿]")
_RATE_SUBJECT = regex.compile(r"[率度]")
_UNIT_BEFORE = regex.compile(r"(百万元|千万元|万元|亿元|千元)$")
_NUMERAL_CHAR = regex.compile(r"[\d.一二三四五六七八九十百千万亿零〇两]")
_DIGIT = regex.compile(r"\d")
_ANY_DIGIT = regex.compile(r"[\d０-９]")
_CODE = regex.compile(r"\d{3}(?:\d{2}){0,2}")  # 类/款/项 codes: 3, 5 or 7 digits
_DASHES = regex.compile(r"[-—/－\s]*")
_ZERO_LED = regex.compile(r"0\d+")
_HEADER_YEAR = regex.compile(r"(\d{4})年")
_DECLARATION_NEAR = regex.compile(r"[^|\n]{0,24}(?:单位|[(（]\s*(?:百万元|千元|万元|亿元|元|万兀)\s*[)）])[^|\n]{0,12}")

MONEY_FACTORS = {"元": 1, "千元": 10**3, "万元": 10**4, "百万元": 10**6, "千万元": 10**7, "亿元": 10**8}


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Exact value in 元, keeping the written precision (scaleb shifts the exponent)."""
    factor = MONEY_FACTORS[unit]
    return value.scaleb(len(str(factor)) - 1) if factor != 1 else value


@dataclass(frozen=True)
class _Unit:
    form: str
    unit: str
    kind: str
    confidence: float


class _Book:
    """Everything compiled once per process from patterns/."""

    def __init__(self) -> None:
        units: list[_Unit] = []
        for e in patternbook.entries("units"):
            for f in e["forms"]:
                units.append(_Unit(f, e["unit"], e["kind"], e.get("confidence", 1.0)))
        counts = patternbook.entries("counts")[0]
        self.count_words = sorted(counts["forms"], key=len, reverse=True)
        self.arabic_only = set(counts.get("arabic_only", []))
        self.ordinal_prefixes = tuple(counts.get("ordinal_prefixes", []))
        self.word_starts = {w: regex.compile(rx) for w, rx in counts.get("word_starts", {}).items()}
        self.units = sorted(units, key=lambda u: len(u.form), reverse=True)
        self.unit_by_form = {u.form: u for u in self.units}
        unit_alt = "|".join(regex.escape(u.form) for u in self.units)
        count_alt = "|".join(regex.escape(w) for w in self.count_words)
        self.op_prefix: dict[str, str] = {}
        self.op_suffix: dict[str, str] = {}
        self.ocr_prefix: dict[str, tuple[str, float]] = {}
        for e in patternbook.entries("operators"):
            for f in e.get("prefix", []):
                self.op_prefix[f] = e["operator"]
            for f in e.get("suffix", []):
                self.op_suffix[f] = e["operator"]
            for f in e.get("ocr_prefix", []):
                self.ocr_prefix[f] = (e["operator"], e.get("confidence", 0.5))
        pre_alt = "|".join(regex.escape(f) for f in sorted(self.op_prefix, key=len, reverse=True))
        suf_alt = "|".join(regex.escape(f) for f in sorted(self.op_suffix, key=len, reverse=True))
        num = number_regex()
        cn = f"[{CN_CHARS}]+"
        # one number (optionally a range of two) with what may surround it; it must end in a
        # unit or measure word (or start with 百分之), so the scanner sees only real quantities.
        # A number starts only where a run of digits (or of Chinese numerals) starts and is
        # taken whole (atomic groups): a hostile run of 50,000 digits costs one pass, not n².
        self.quantity = regex.compile(
            rf"(?P<op>{pre_alt})?(?P<pct>百分之)?(?P<sign>[-负](?=\d))?"
            rf"(?P<n1>(?<![\d.])(?>{num})|(?<![{CN_CHARS}])(?>{cn}))"
            rf"(?:(?P<u1>{unit_alt}))?"
            rf"(?:(?P<sep>至|到|~|-|—|－)(?P<n2>(?>{num})|(?>{cn})))?"
            rf"(?P<approx>余|多)?"
            rf"(?:(?P<unit>{unit_alt})|(?P<count>{count_alt}))?"
            rf"(?P<suf>{suf_alt})?"
            rf"(?(pct)|(?(u1)|(?(unit)|(?(count)|(?!)))))"
        )
        # a cell that holds nothing but a figure, a unit or an operator (`≥12.29亿元`, `万元`, `≤`,
        # `95%`): no row label, whatever its column (`指标性质 | 指标值 | 计量单位` before the actual)
        self.no_label = regex.compile(rf"(?:{pre_alt})?\s*(?:[-+]?\d[\d,.]*)?\s*[（(]?(?:{unit_alt}|{count_alt})?[）)]?\s*(?:{suf_alt})?")
        bare = next(e for e in patternbook.entries("units") if e.get("bare"))
        # `下达资金356.8万，`: a bare 万 after money words (no 元, no measure word following)
        # a digit may follow only as the next glued cell of the same kind (`854万854万(`)
        self.bare_wan = regex.compile(rf"(?<![\d.,])(?P<n1>(?>\d+(?:,\d{{3}})*(?:\.\d+)?)){regex.escape(bare['bare'])}"
                                      rf"(?![\p{{Han}}A-Za-z]|\d(?![\d.,]*{regex.escape(bare['bare'])}))")
        self.bare_unit = _Unit(bare["bare"], bare["unit"], "amount", bare.get("confidence", 1.0))
        self.bare_cues = regex.compile("|".join(regex.escape(c) for c in bare["cues"]))
        self.unit_decl = [regex.compile(e["regex"]) for e in patternbook.entries("unit_declarations")]
        self.unit_label = regex.compile(next(e["regex"] for e in patternbook.entries("unit_declarations")
                                             if e["name"] == "unit-label"))
        figures = {e["name"]: e for e in patternbook.entries("prose_figures")}
        self.money_like = regex.compile(figures["money-like"]["regex"])
        self.score_cue = regex.compile("(?:" + "|".join(map(regex.escape, figures["money-like"]["score_cues"])) + r")\s*$")
        kinds = []
        self.column_exact: dict[str, str] = {}
        for e in patternbook.entries("column_kinds"):
            for f in e["forms"]:
                kinds.append((f, e["kind"]))
            for f in e.get("exact_forms", []):  # one-character headers (类 | 款 | 项) name a column only alone
                self.column_exact[f] = e["kind"]
        self.column_forms = kinds
        # the forms by their first character: a header holds only the forms whose first
        # character it holds (an empty form, were there one, is in every text)
        self._forms_from: dict[str, list[int]] = {}
        for k, (f, _kind) in enumerate(kinds):
            self._forms_from.setdefault(f[:1], []).append(k)
        d = patternbook.load("dates")
        self.docnum = regex.compile(d["docnum_regex"])
        self.period = regex.compile(d["period_regex"])
        self.date = regex.compile(d["date_regex"])

    def forms_in(self, text: str) -> list[tuple[str, str]]:
        """The (form, kind) pairs of `column_forms` that may occur in `text`, in their order."""
        found = set(self._forms_from.get("", ()))
        for ch in set(text):
            found.update(self._forms_from.get(ch, ()))
        return [self.column_forms[k] for k in sorted(found)]


@functools.lru_cache(maxsize=1)
def book() -> _Book:
    """The compiled patterns, built once per process."""
    return _Book()


# ---------------------------------------------------------------- prose


def _year_value(text: str) -> int | None:
    v = parse_number(text)
    if v is None or v != v.to_integral_value():
        return None
    y = int(v)
    return y if 1949 <= y <= 2100 else None


def _date_quantities(nt: NormText, original: str) -> list[tuple[int, int, Quantity]]:
    """Years, dates and periods, as (norm_start, norm_end, quantity)."""
    b = book()
    found: list[tuple[int, int, Quantity]] = []
    taken = bytearray(len(nt.text) + 1)  # characters already in a document number or a date

    def take(s: int, e: int) -> None:
        taken[s:e] = b"\x01" * (e - s)

    for m in b.docnum.finditer(nt.text):
        take(*m.span())
    for rx, kind in ((b.period, "period"), (b.date, "date")):
        for m in rx.finditer(nt.text):
            s, e = m.span()
            if taken.find(1, s, e) != -1:  # overlaps one (a list scan here was quadratic)
                continue
            y = _year_value(m.group("y"))
            if y is None:
                continue
            mo = int(m.group("m")) if m.group("m") else None
            day = int(m.group("d")) if m.groupdict().get("d") else None
            extra: dict = {}
            if kind == "period":
                y2 = _year_value(m.group("y2")) if m.group("y2") else y
                m2 = int(m.group("m2")) if m.group("m2") else mo
                d2 = int(m.group("d2")) if m.groupdict().get("d2") and m.group("d2") else None
                if y2 is None or (m2 is None and d2 is None):
                    continue
                extra = {"start": _iso(y, mo, day), "end": _iso(y2, m2, d2)}
                q_kind = "period"
            elif mo is None:
                q_kind = "year"
                extra = {"fiscal": "度" in m.group(0)}
            else:
                q_kind = "date"
                extra = {"iso": _iso(y, mo, day)}
            os_, oe = nt.span(s, e)
            q = Quantity(kind=q_kind, text=original[os_:oe], value=Decimal(y), unit="年",
                         start=os_, end=oe, year=y, extra=extra)
            found.append((s, e, q))
            take(s, e)
    return found


def _iso(y: int, m: int | None, d: int | None) -> str:
    out = f"{y:04d}"
    if m:
        out += f"-{m:02d}"
        if d:
            out += f"-{d:02d}"
    return out


def _unit_of(form: str | None) -> _Unit | None:
    return book().unit_by_form.get(form) if form else None


def _scan(nt: NormText, original: str, masked: list[tuple[int, int]]) -> list[tuple[int, int, Quantity]]:
    """Amounts, rates and counts in normalised text (positions are normalised)."""
    text = nt.text
    mask = bytearray(len(text) + 1)
    for ms, me in masked:
        mask[ms:me] = b"\x01" * (me - ms)
    out: list[tuple[int, int, Quantity]] = []
    for mm in book().quantity.finditer(text):
        if mask.find(1, mm.start(), mm.end()) != -1:
            continue
        q = _quantity_from_match(mm, nt, original)
        if q is not None:
            out.append((mm.start(), mm.end(), q))
    taken = bytearray(mask)
    for ms, me, _q in out:
        taken[ms:me] = b"\x01" * (me - ms)
    bare = _bare_wan(nt, original, taken)
    for ms, me, _q in bare:
        taken[ms:me] = b"\x01" * (me - ms)
    return out + bare + _declared_in_line(nt, original, taken)


def _money_like(text: str, lo: int, hi: int, taken: bytearray | None = None):
    """The money-like figures (patterns/prose_figures.json) in text[lo:hi] that nothing took
    and no score cue names."""
    b = book()
    for m in b.money_like.finditer(text, lo, hi):
        if taken is not None and taken.find(1, m.start(), m.end()) != -1:
            continue
        if b.score_cue.search(text, max(lo, m.start() - 6), m.start()):
            continue
        yield m


def _declared_in_line(nt: NormText, original: str, taken: bytearray) -> list[tuple[int, int, Quantity]]:
    """Bare money-like figures on a line that declares a money unit (`金额单位:元`): a table
    flattened into one line, its figures detached from their labels. They are amounts of the
    declared unit; which row each belongs to is not decidable, so they get no label."""
    b = book()
    text = nt.text
    out: list[tuple[int, int, Quantity]] = []
    for d in b.unit_label.finditer(text):
        unit = d.group("unit")
        ls = text.rfind("\n", 0, d.start()) + 1
        le = text.find("\n", d.end())
        le = len(text) if le < 0 else le
        for m in _money_like(text, ls, le, taken):
            value = parse_number(m.group(0))
            if value is None:
                continue
            os_, oe = nt.span(*m.span())
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            out.append((m.start(), m.end(), Quantity(kind="amount", text=original[os_:oe], value=value, unit=unit,
                                                     unit_source="caption", value_yuan=to_yuan(value, unit),
                                                     start=os_, end=oe, confidence=0.9)))
    return out


def unitless_figures(text: str, quantities: list[Quantity]) -> list[tuple[int, int]]:
    """Original spans of the money-like figures of a prose text that no quantity covers: a
    figure that lost its unit (a year, date, count, rate, code or ordinal is no such figure)."""
    nt = normalize(text)
    taken = bytearray(len(nt.text) + 1)
    for q in quantities:
        if q.table is None and q.start is not None and q.end is not None:
            s, e = nt.index(q.start), nt.index(q.end)
            taken[s:e] = b"\x01" * (e - s)
    return [nt.span(*m.span()) for m in _money_like(nt.text, 0, len(nt.text), taken)]


_CLAUSE_START = regex.compile(r"[，,。；;：:！？!?\n（(]")


_FIGURES_ONLY = regex.compile(r"[\d.,万\s]*")


def _bare_wan_clause(text: str, s: int) -> str:
    """The words a bare-万 figure at s belongs to: its clause, or, when the figure opens its
    clause or line (a value after its label: `年度资金总额:` / `854万`; glued cells `854万854万`),
    the label before it."""
    pieces = _CLAUSE_START.split(text[max(0, s - 40):s])
    clause = pieces[-1]
    if _FIGURES_ONLY.fullmatch(clause):
        clause += next((p for p in reversed(pieces[:-1]) if p.strip()), "")
    return clause


def _bare_wan(nt: NormText, original: str, taken: bytearray) -> list[tuple[int, int, Quantity]]:
    """Amounts written with a bare 万 after a money word of the same clause (`拨付1200万，`)."""
    b = book()
    text = nt.text
    out: list[tuple[int, int, Quantity]] = []
    for mm in b.bare_wan.finditer(text):
        s, e = mm.span()
        if taken.find(1, s, e) != -1:
            continue
        if not b.bare_cues.search(_bare_wan_clause(text, s)):
            continue
        value = parse_number(mm.group("n1"))
        if value is None:
            continue
        os_, oe = nt.span(s, e)
        u = b.bare_unit
        q = Quantity(kind="amount", text=original[os_:oe], value=value, unit=u.unit, unit_source="inline",
                     value_yuan=to_yuan(value, u.unit), start=os_, end=oe, confidence=u.confidence)
        out.append((s, e, q))
    return out


def _quantity_from_match(mm: regex.Match, nt: NormText, original: str) -> Quantity | None:
    b = book()
    s, e = mm.span()
    # every group read once (one call, not one per look)
    op_w, pct, sign, n1, u1_w, sep, n2, approx, unit_w, count, suf = mm.group(
        "op", "pct", "sign", "n1", "u1", "sep", "n2", "approx", "unit", "count", "suf")
    text = nt.text
    # a digit glued on the left means we are inside a longer token (e.g. an id)
    if s > 0 and _WORD_CHAR.match(text[s - 1]) and not _HAN.match(text[s - 1]) and not op_w:
        return None
    if s > 1 and _FOREIGN_NUMBER_LEFT.search(text, max(0, s - 3), s):
        return None
    is_cn = bool(_CN_NUMERAL.fullmatch(n1))
    u1 = _unit_of(u1_w)
    unit = _unit_of(unit_w)
    op = b.op_prefix.get(op_w) if op_w else None
    if suf:
        op = op or b.op_suffix[suf]
    confidence = 1.0
    extra: dict = {}
    # a range needs a unit after its second number, and its separator must not be a date dash
    if n2 is not None and unit is None and count is None:
        n2 = None
    if n2 is not None and u1 is not None and unit is not None and u1.unit != unit.unit:
        n2 = None
    if n2 is None:
        # re-cut the match at the first number
        end_n1 = mm.end("n1")
        unit = u1 or (unit if sep is None else None)
        count = count if sep is None and u1 is None else None
        if sep is not None:
            e = mm.end("u1") if u1 else end_n1
            op = b.op_prefix.get(op_w) if op_w else None
        elif u1 is not None:
            e = mm.end("u1")
            if suf and mm.end("u1") == mm.start("suf"):
                e = mm.end("suf")
            else:
                op = b.op_prefix.get(op_w) if op_w else None
    if pct:
        if unit is not None or count is not None:
            return None
        unit = _Unit("百分之", "%", "rate", 1.0)
    if unit is None and count is None:
        return None
    if unit is not None and unit.kind == "amount" and count:
        count = None
    value = parse_number(n1)
    if value is None:
        return None
    kind = unit.kind if unit is not None else "count"
    if kind == "count":
        if is_cn and (n1 in ("一", "〇", "零") or count in b.arabic_only):
            return None
        if b.ordinal_prefixes and nt.text.endswith(b.ordinal_prefixes, 0, s):
            return None
        if count in b.word_starts and b.word_starts[count].match(nt.text, mm.end()):
            return None
        if approx:
            extra["approx"] = approx
    unit_name = unit.unit if unit is not None else count
    if unit is not None:
        confidence = min(confidence, unit.confidence)
    value_max = parse_number(n2) if n2 is not None else None
    # a trailing 万/亿 multiplier belongs to the unit: 260.85万元 is 260.85 of 万元
    if kind == "amount":
        value, unit_name, value_max = _fold_multiplier(n1, value, unit_name, n2, value_max)
        if value is None:
            return None
    if sign:
        value = -value
    if kind == "rate" and not pct and op_w is None and n2 is None:
        ocr = _ocr_operator(nt.text, s, n1, value)
        if ocr is not None:
            op, value, c = ocr
            confidence = min(confidence, c)
    os_, oe = nt.span(s, e)
    q = Quantity(kind=kind, text=original[os_:oe], value=value, unit=unit_name, unit_source="inline",
                 start=os_, end=oe, operator=op, value_max=value_max, confidence=confidence, extra=extra)
    if kind == "amount":
        q.value_yuan = to_yuan(value, unit_name)
        if value_max is not None:
            q.value_yuan_max = to_yuan(value_max, unit_name)
        dup = _duplicate_unit_before(nt, s)
        if dup is not None:
            q.extra["duplicate_unit"] = dup
    # an end position: without one the regex module looks for the pattern's required `/`
    # through the rest of the text first, which makes every call cost the whole document
    per = _PER.match(nt.text, e, e + _PER_REACH) if q.kind == "amount" else None
    if per:
        q.extra["per"] = per.group(1)
    return q


def _fold_multiplier(n1: str, value: Decimal, unit: str, n2: str | None, value_max: Decimal | None):
    """`260.85万` + `元` → (260.85, 万元); `1.5亿3000万` + `元` stays (180000000, 元)."""
    def split(n: str) -> tuple[str, str] | None:
        for suffix in ("百万", "千万", "万", "亿", "千"):
            if n.endswith(suffix):
                head = n[: -len(suffix)]
                if head and not _MULTIPLIER.search(head.lstrip("0123456789.")) or (
                    head and _CN_NUMERAL.fullmatch(head) and not _BIG_MULTIPLIER.search(head)
                ):
                    if parse_number(head) is not None:
                        return head, suffix + "元"
                return None
        return None

    if unit != "元":
        return value, unit, value_max
    s1 = split(n1)
    if n2 is not None:
        s2 = split(n2)
        if s2 is not None and (s1 is not None or parse_number(n1) is not None):
            base = s2[1]
            v1 = parse_number(s1[0]) if s1 else parse_number(n1)
            return v1, base, parse_number(s2[0])
        return value, unit, value_max
    if s1 is not None:
        return parse_number(s1[0]), s1[1], value_max
    return value, unit, value_max


def _ocr_operator(text: str, s: int, n1: str, value: Decimal) -> tuple[str, Decimal, float] | None:
    """`接种率290%` in an OCR'd target reads as `≥90%`: a 2/到/第 glued to a rate over 100."""
    b = book()
    if value <= 100 or not n1 or n1[0] not in b.ocr_prefix:
        return None
    rest = parse_number(n1[1:])
    if rest is None or rest > 100 or rest <= 0:
        return None
    before = text[max(0, s - 2):s]
    if not _RATE_SUBJECT.search(before):
        return None
    op, conf = b.ocr_prefix[n1[0]]
    return op, rest, conf


def _duplicate_unit_before(nt: NormText, s: int) -> list[int] | None:
    """`预算万元260.85万元`: a money unit typed right before the number too."""
    m = _UNIT_BEFORE.search(nt.text[max(0, s - 4):s])
    if not m:
        return None
    ns = s - len(m.group(1))
    if ns > 0 and _NUMERAL_CHAR.match(nt.text[ns - 1]):
        return None  # the unit of the number before, as in `415万元15万元`
    return list(nt.span(ns, s))


def parse_quantities_in(text: str) -> list[Quantity]:
    """Every quantity in a free string, offsets relative to it (no labels or years)."""
    nt = normalize(text)
    dates = _date_quantities(nt, text)
    masked = [(s, e) for s, e, _ in dates] + [m.span() for m in book().docnum.finditer(nt.text)]
    found = dates + _scan(nt, text, masked)
    found.sort(key=lambda t: t[0])
    return [q for _, _, q in found]


def find_quantities(doc: Document, report_year: int | None = None) -> list[Quantity]:
    """All quantities of a document, prose first (in text order) then table cells."""
    out: list[Quantity] = []
    if doc.text:
        nt = normalize(doc.text)
        dates = _date_quantities(nt, doc.text)
        masked = [(s, e) for s, e, _ in dates] + [m.span() for m in book().docnum.finditer(nt.text)]
        masked += _flattened_cell_spans(doc, nt)
        found = dates + _scan(nt, doc.text, masked)
        found.sort(key=lambda t: t[0])
        from .context import assign_context

        prose = [q for _, _, q in found if not _ocr_joined(q, doc.text)]
        _mark_glued(prose, doc.text)
        assign_context(nt, prose, report_year)
        for q in prose:
            weight = q.extra.get("ocr_glued", {}).get("weight")
            if weight and q.label and q.label.endswith(weight) and len(q.label) > len(weight):
                q.label = q.label[: -len(weight)]  # the weight cut off the amount is no part of its name
        for q in prose:
            q.page = doc.page_at(q.start) if q.start is not None else None
        out.extend(prose)
    previous: tuple[Table, TableLayout] | None = None
    for t in doc.tables:
        lay = table_layout(t, previous, doc.text, doc.turns_page)
        out.extend(table_quantities(doc, t, report_year, lay))
        previous = (t, lay)
    return out


_JOINED_AFTER = regex.compile(r"\d+[$^=]")


def _ocr_joined(q: Quantity, text: str) -> bool:
    """A rate joined to another figure by a character no form writes between figures (`290$290%`,
    `8250%5=50%`: OCR's reading of a `%` or `≥`): which digits are whose is undecidable, so no
    rate is read there rather than one the page does not state."""
    if q.kind != "rate" or q.start is None or q.end is None:
        return False
    before = text[max(0, q.start - 2):q.start]
    if _JOINED_AFTER.match(text, q.end):
        return True
    if q.text[:1] in "=＝":
        return bool(before) and before[-1].isdigit()
    return bool(regex.search(r"\d[$^]$", before))


def _mark_glued(qs: list[Quantity], text: str) -> None:
    """OCR glues a table's weight onto the next cell (`415万元15万元4`: weight 4, amount 15万元):
    an amount that runs straight into another whose digits it ends with is uncertain. It is
    cut when the indicator row decides it: the digits before the repeat are a weight (at most
    100), the row's target equals its actual (the repeat), and a score no greater than the
    weight follows the actual; the amount is then the target alone, its span the page's."""
    for a, b in zip(qs, qs[1:]):
        if a.kind != b.kind or a.unit != b.unit or a.end is None or b.start is None:
            continue
        # a rate's cells may keep one OCR'd separator (`880%^80%8`); an amount's run straight on
        gap = text[a.end:b.start]
        if a.kind == "amount" and gap or a.kind == "rate" and not _RATE_GAP.fullmatch(gap):
            continue
        da, db = str(abs(a.value)), str(abs(b.value))
        if da != db and da.endswith(db):
            prefix = da[: len(da) - len(db)]
            a.confidence = min(a.confidence, 0.3)
            a.extra["ocr_glued"] = {"prefix": prefix, "repeats": b.text}
            _cut_weight(a, b, prefix, text)


_RATE_GAP = regex.compile(r"[^\w\s]?")
_SCORE_AFTER = regex.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d+)?(?![\d.%％万亿元])")


def _cut_weight(a: Quantity, b: Quantity, prefix: str, text: str) -> None:
    if a.start is None or b.end is None or not regex.fullmatch(r"[1-9]\d?|100", prefix):
        return
    if not a.text.startswith(prefix) or a.text[len(prefix):] != b.text or b.operator is not None:
        return
    score = _SCORE_AFTER.match(text, b.end)
    if score is None or Decimal(score.group(0)) > Decimal(prefix):
        return
    a.text, a.start, a.value, a.value_yuan = b.text, a.start + len(prefix), b.value, b.value_yuan
    a.confidence = 0.8
    a.extra["ocr_glued"]["weight"] = prefix
    a.extra["ocr_glued"]["score"] = score.group(0)


def _flattened_cell_spans(doc: Document, nt: NormText) -> list[tuple[int, int]]:
    """Normalised spans of cells of tables recognised in the text: those are read as cells."""
    spans = []
    orig_spans = [sp for t in doc.tables for sp in t.spans.values()]
    if not orig_spans:
        return spans
    for os_, oe in orig_spans:
        ns = bisect.bisect_left(nt.to_orig, os_)
        ne = bisect.bisect_left(nt.to_orig, oe)
        spans.append((ns, ne))
    return spans


# ---------------------------------------------------------------- tables


@functools.lru_cache(maxsize=4096)
def unit_declared(text: str) -> tuple[str, float] | None:
    """The unit a header or caption declares (`单位：万元`, `（万元）`), with a confidence."""
    t = normalize(text).text
    for rx in book().unit_decl:
        m = rx.search(t)
        if m:
            u = m.group("unit").replace("\n", "")  # (a narrow cell wraps `（万` / `元）`)
            return ("万元", 0.6) if u == "万兀" else (u, 1.0)
    return None


@functools.lru_cache(maxsize=4096)
def column_kind(header: str) -> str:
    """money | rate | score | code | target | count | note | unknown, from header text (latest match wins)."""
    t = normalize(header).text
    exact = book().column_exact.get(t.replace(" ", "").replace("\u3000", ""))
    if exact:
        return exact
    best: tuple[int, int, str] | None = None
    for form, kind in book().forms_in(t):
        i = t.rfind(form)
        if i < 0:
            continue
        key = (i + len(form), len(form))
        if best is None or key > best[:2]:
            best = (key[0], key[1], kind)
    return best[2] if best else "unknown"


@functools.lru_cache(maxsize=8192)
def _is_bare_number(text: str) -> bool:
    t = normalize(text).text.strip()
    return bool(t) and parse_number(t) is not None and bool(_DIGIT.search(t))


@dataclass
class TableLayout:
    """What a table's headers say: which rows are headers, each column's kind and unit."""

    header_rows: set[int]
    code_cols: set[int]
    table_unit: tuple[str, float] | None
    decl_cells: dict[tuple[int, int], tuple[str, float]]
    inherited_headers: dict[int, str]  # column -> header text of the table this one continues


def _is_data_row(t: Table, r: int) -> bool:
    return any(_is_bare_number(x) for x in t.cells[r] if x.strip()) and not is_numbering_row(t, r)


@functools.lru_cache(maxsize=4096)
def _numbering_cell(text: str) -> int | str | None:
    """A cell of a column-numbering row: its integer, "label" for 栏次/行次/`**`, else None."""
    s = normalize(text).text.strip().replace(" ", "")
    if s.isdigit() and len(s) <= 3:
        return int(s)
    if s and (set(s) <= {"*", "＊"} or column_kind(s) == "code" and len(s) <= 4):
        return "label"
    return None


def is_numbering_row(t: Table, r: int) -> bool:
    """A row that numbers the columns (`栏次 | 1 | 2 | 3`, `** | ** | 1 | 2 | 3`): neither
    header words nor figures: consecutive integers and nothing else, three or more of them
    unless a 栏次/行次 cell names the row."""
    nums: list[int] = []
    named = False
    for x in t.cells[r]:
        if not x.strip():
            continue
        got = _numbering_cell(x)
        if got is None:
            return False
        if got == "label":
            named = True
        else:
            nums.append(got)
    return len(nums) >= (1 if named else 3) and nums == list(range(nums[0], nums[0] + len(nums)))


def _is_reheader_row(t: Table, r: int) -> bool:
    """A header row inside a table (the indicator block of a self-evaluation form)."""
    filled = [x for x in t.cells[r] if x.strip()]
    if len(filled) < 3 or _is_data_row(t, r):
        return False
    return any(column_kind(x) in ("score", "rate", "target", "code") for x in filled)


def _flattened_unit(t: Table, text: str) -> tuple[str, float] | None:
    """A table rebuilt from flattened text declares its unit somewhere in the text it came
    from, before its first number (`部门(单位)总体 资金(万元)`), even if no cell kept it."""
    if not t.spans or not text:
        return None
    first = min(s for s, _ in t.spans.values())
    data = [sp[0] for (r, c), sp in t.spans.items() if _is_bare_number(t.cells[r][c])]
    if not data:
        return None
    region = text[max(0, first - 80):min(data)]
    for m in _DECLARATION_NEAR.finditer(region):
        d = unit_declared(m.group(0))
        if d:
            return d
    return None


def _caption_row_unit(t: Table, decl: dict[tuple[int, int], tuple[str, float]],
                      first_data: int) -> tuple[tuple[int, int], tuple[str, float]] | None:
    """A `单位：万元` cell in a caption row of the grid (the title or `预算单位：…` line
    printed inside the table, above its column header) declares the unit of the whole
    table, not of the column it happens to stand in."""
    for (r, c), d in sorted(decl.items()):
        if r >= first_data or not book().unit_label.fullmatch(normalize(t.cells[r][c]).text.strip()):
            continue
        filled = [x for x in t.cells[r] if x.strip()]
        if len(filled) <= 2 and r + 1 < first_data:
            return (r, c), d
    return None


def table_layout(t: Table, previous: tuple[Table, "TableLayout"] | None = None, text: str = "",
                 turns_page: Callable[[int | None, int | None], bool] | None = None) -> TableLayout:
    """Header rows (the block above the first data row, and re-headers), code columns and
    declared units; a headless table at the top of a page continues the previous one
    (`turns_page(a, b)`: page b follows page a, `Document.turns_page`)."""
    header_rows: set[int] = set()
    first_data = t.n_rows
    for r in range(t.n_rows):
        if _is_data_row(t, r):
            first_data = r
            break
        if any(x.strip() for x in t.cells[r]):
            header_rows.add(r)
    header_rows |= {r for r in range(first_data, t.n_rows) if r != first_data and _is_reheader_row(t, r)}
    if previous is not None and header_rows and all(
            _is_outline_line(t, r) or is_line_row(previous[0], t, r) for r in header_rows):
        header_rows = set()  # lines with blank figures at the top of a continuation page, not a header
    table_unit = unit_declared(t.context) if t.context else None
    decl: dict[tuple[int, int], tuple[str, float]] = {}
    for r in range(t.n_rows):
        for c, txt in enumerate(t.cells[r]):
            if txt and ("单位" in txt or "(" in txt or "（" in txt):
                d = unit_declared(txt)
                if d:
                    decl[(r, c)] = d
    caption_decl = _caption_row_unit(t, decl, first_data)
    if caption_decl is not None:  # (its row names no column either)
        table_unit = table_unit or caption_decl[1]
        del decl[caption_decl[0]]
        header_rows.discard(caption_decl[0][0])
    # (a `栏次 | | 1` numbering row's own 栏次 cell does not make its column one of codes)
    named_rows = [r for r in header_rows if not is_numbering_row(t, r)]  # (asked once per row, not per cell)
    code_cols = {c for c in range(t.n_cols) for r in named_rows if column_kind(t.cell(r, c)) == "code"}
    if table_unit is None and not decl:
        table_unit = _flattened_unit(t, text)
    inherited: dict[int, str] = {}
    if previous is not None and table_unit is None and not decl:
        pt, pl = previous
        # a table at the top of the next page continues the previous one: headless, or with
        # the header printed again (then its own header rows name the columns)
        if pt.n_cols == t.n_cols and turns_page is not None and turns_page(pt.page, t.page) and (
                not header_rows or _repeats_header(pt, pl, t, header_rows)):
            table_unit, code_cols = pl.table_unit, set(pl.code_cols) | code_cols
            if not header_rows:
                inherited = {c: _column_header(pt, pl, pt.n_rows, c) for c in range(t.n_cols)}
            if not table_unit and pl.decl_cells:
                table_unit = next(iter(pl.decl_cells.values()))
    return TableLayout(header_rows, code_cols, table_unit, decl, inherited)


@functools.lru_cache(maxsize=1)
def _outline_prefixes() -> tuple[regex.Pattern, ...]:
    ranks = next(e["ranks"] for e in patternbook.entries("ledger_rows") if e["name"] == "outline-prefix")
    return tuple(regex.compile(r["pattern"]) for r in ranks)


def _is_outline_line(t: Table, r: int) -> bool:
    """A row whose only words are one line label with an outline prefix (`（十九）住房保障支出`)."""
    filled = [normalize(x).text.strip() for x in t.cells[r] if x.strip()]
    return len(filled) == 1 and any(p.match(filled[0]) for p in _outline_prefixes())


def is_line_row(prev: Table, t: Table, r: int) -> bool:
    """Row r of t, a table that may continue `prev`, reads as lines whose figures are blank:
    its words stand only in columns where `prev` prints row labels under its figures, and
    none in the columns of `prev`'s figures (a header names those too)."""
    if prev.n_cols != t.n_cols:
        return False
    data = [pr for pr in range(prev.n_rows) if _is_data_row(prev, pr)]
    figure_cols = {c for pr in data for c in range(prev.n_cols) if _is_bare_number(prev.cells[pr][c])}
    label_cols = {c for pr in data for c in range(prev.n_cols)
                  if prev.cells[pr][c].strip() and not _is_bare_number(prev.cells[pr][c])} - figure_cols
    filled = {c for c in range(t.n_cols) if t.cells[r][c].strip()}
    return bool(filled) and filled <= label_cols


def _repeats_header(pt: Table, pl: "TableLayout", t: Table, header_rows: set[int]) -> bool:
    """The header rows of t are the previous table's first header rows, word for word."""
    if t.context.strip() and "续" not in t.context and t.context.replace(" ", "") != pt.context.replace(" ", ""):
        return False  # a caption of its own (not the previous one printed again): a new table
    mine = sorted(header_rows)
    theirs = sorted(pl.header_rows)[:len(mine)]
    return len(theirs) == len(mine) and all(
        "".join(t.cells[a]).replace(" ", "") == "".join(pt.cells[b]).replace(" ", "") for a, b in zip(mine, theirs))


def _header_block(lay: TableLayout, r: int) -> tuple[int, ...]:
    """The header rows right above row r (the nearest run of them, at most 4), top first."""
    h = r - 1
    while h >= 0 and h not in lay.header_rows:
        h -= 1
    rows: list[int] = []
    while h >= 0 and h in lay.header_rows and len(rows) < 4:
        rows.append(h)
        h -= 1
    return tuple(reversed(rows))


def _header_text(t: Table, lay: TableLayout, block: tuple[int, ...], c: int) -> str:
    """A column's header text over a block of header rows (through merges, repeats once)."""
    if not block:
        return lay.inherited_headers.get(c, "")
    parts: list[str] = []
    for h in block:
        if is_numbering_row(t, h):
            continue
        txt = t.cell(h, c)
        if txt and (not parts or parts[-1] != txt):
            parts.append(txt)
    return "".join(parts)


def _column_header(t: Table, lay: TableLayout, r: int, c: int) -> str:
    """Texts of the header rows right above row r in column c (through merges)."""
    return _header_text(t, lay, _header_block(lay, r), c)


def _row_labels(t: Table, r: int, code_cols: set[int]) -> list[tuple[str | None, str | None]]:
    """For every column c of row r: the nearest text cell left of (r, c), and the row's nearest
    category code cell left of it, if any (one pass over the row, not one per cell; the label
    as the cell writes it, `strip_row_label` makes it a label)."""
    out: list[tuple[str | None, str | None]] = []
    label: str | None = None
    code: str | None = None
    for cc in range(len(t.cells[r])):
        out.append((label, code))
        txt = t.cell(r, cc).strip()
        if not txt:
            continue
        if cc in code_cols or cc == 0:
            norm = normalize(txt).text
            is_code = _CODE.fullmatch(norm) is not None
            if cc in code_cols or is_code:
                if is_code:
                    code = norm
                continue
        if not _is_bare_number(txt) and not _DASHES.fullmatch(txt) and not _figure_only(txt):
            label = txt
    return out


@functools.lru_cache(maxsize=4096)
def _figure_only(text: str) -> bool:
    """A cell of a figure, a unit or an operator alone (`≥12.29亿元`, `万元`, `≤`): names nothing."""
    return book().no_label.fullmatch(normalize(text).text.strip()) is not None


def table_quantities(doc: Document, t: Table, report_year: int | None,
                     layout: TableLayout | None = None) -> list[Quantity]:
    """Quantities of one table's cells, with units from headers or the table's declaration."""
    out: list[Quantity] = []
    if not t.cells:
        return out
    lay = layout or table_layout(t)
    headers: dict[tuple[tuple[int, ...], int], str] = {}
    block: tuple[int, ...] = ()
    unit_cols: list[int] | None = None  # the columns under a 计量单位 header, found when first needed
    for r in range(t.n_rows):
        if r == 0 or r - 1 in lay.header_rows:
            block = _header_block(lay, r)  # changes only below a header row
            unit_cols = None
        labels: list[tuple[str | None, str | None]] | None = None
        for c in range(len(t.cells[r])):
            if (r, c) in t.merged:
                continue
            txt = t.cells[r][c]
            if not txt or not _ANY_DIGIT.search(txt) and not _CN_CHAR.search(txt):
                continue
            span = t.spans.get((r, c))
            header = headers.get((block, c))
            if header is None:
                header = headers[(block, c)] = _header_text(t, lay, block, c)
            if labels is None:
                labels = _row_labels(t, r, lay.code_cols)
            label, code = labels[c]
            label = strip_row_label(label) if label else None
            kind = column_kind(header) if header else "unknown"
            qs = [] if _is_bare_number(txt) else _cell_inline(txt, span)
            if not qs and r not in lay.header_rows and kind not in ("code", "score", "count", "note", "unit") and "万" in normalize(txt).text:
                # the money word may stand in any label cell of the row before the figure (`成本指标 |
                # 采购成本 | ≤396万元 | 378.27万`), not only in the nearest one
                row_words = " ".join(x for x in t.cells[r][:c] if x and not _ANY_DIGIT.search(x))
                qs = _bare_wan_cell(txt, span, kind, f"{label or ''} {row_words} {header or ''}")
            if not qs and kind == "target" and r not in lay.header_rows and _is_bare_number(txt):
                if unit_cols is None:
                    unit_cols = [k for k in range(t.n_cols) if column_kind(_header_text(t, lay, block, k)) == "unit"]
                qs = _row_unit_cell(t, r, c, txt, span, unit_cols)
            if (not qs and r not in lay.header_rows and _is_bare_number(txt) and c not in lay.code_cols
                    and kind not in ("code", "score", "count", "target", "note", "unit")):
                q = _bare_cell(r, c, txt, span, kind, header, lay, label)
                if q is not None:
                    qs = [q]
            for q in qs:
                q.table, q.row, q.col, q.page = t.index, r, c, t.page
                if q.year is None and q.kind in ("amount", "rate", "count"):
                    q.year = _header_year(header) or report_year
                if q.label is None and q.kind in ("amount", "rate", "count"):
                    q.label = label or (strip_row_label(header) if header else None)
                q.extra.setdefault("column", header or None)
                if code:
                    q.extra["category_code"] = code
                out.append(q)
    return out


def _row_unit_cell(t: Table, r: int, c: int, txt: str, span: tuple[int, int] | None,
                   unit_cols: list[int]) -> list[Quantity]:
    """A target figure whose money unit its row states: in the row's 计量单位 cell (`指标值 1517.95 |
    计量单位 万元`, when the table has one unit column and the cell holds a unit and nothing
    else), or declared by a label of the row before it (`预计运营收入（亿元） | 21.59`). An amount
    whose text and offsets are the figure's own, the unit coming from the table
    (`table-header`). A target of another unit (`95 | %`, `12 | 件`) stays the indicator's
    field the self-evaluation reader takes (its target value and unit), as before."""
    stripped = txt.strip()
    unit = ""
    if len(unit_cols) == 1:
        unit = t.cell(r, unit_cols[0]).strip()
    if not unit:
        unit = next((d[0] for x in reversed(t.cells[r][:c]) if x and not _is_bare_number(x)
                     for d in [unit_declared(x)] if d), "")
    if not unit or _ANY_DIGIT.search(unit):
        return []
    found = [q for q in parse_quantities_in(stripped + unit) if q.kind == "amount"]
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(stripped) + len(unit):
        return []
    q = found[0]
    q.text, q.unit_source, q.start, q.end = stripped, "table-header", None, None
    if span is not None:
        lead = len(txt) - len(txt.lstrip())
        q.start, q.end = span[0] + lead, span[0] + lead + len(stripped)
    return [q]


def _header_year(header: str) -> int | None:
    m = _HEADER_YEAR.search(normalize(header).text)
    return _year_value(m.group(1)) if m else None


@functools.lru_cache(maxsize=4096)
def _cell_figures(txt: str) -> tuple[Quantity, ...]:
    """The amounts, rates and counts written in a cell's text, offsets into it: read once per
    text (forms repeat their cells: `100%`, `≥90%`, `绩效指标(90分)`); never handed out, only
    copies (`_copy`), since every caller fills in where its copy stands."""
    return tuple(q for q in parse_quantities_in(txt) if q.kind in ("amount", "rate", "count"))


def _copy(q: Quantity) -> Quantity:
    """A quantity of its own: the same fields, its `extra` copied through nested containers."""
    new = copy.copy(q)
    new.extra = copy.deepcopy(q.extra) if q.extra else {}
    return new


def _cell_inline(txt: str, span: tuple[int, int] | None) -> list[Quantity]:
    qs = [_copy(q) for q in _cell_figures(txt)]
    for q in qs:
        if span is not None and q.start is not None:
            q.start, q.end = span[0] + q.start, span[0] + q.end
        else:
            q.start = q.end = None
    return qs


def _bare_wan_cell(txt: str, span: tuple[int, int] | None, kind: str, context: str) -> list[Quantity]:
    """A cell that is one figure with a bare 万 (`3665万`), or glued copies of it (`854万854万`), is
    万元 in a money column or on a row or column whose words are money words (`项目成本`)."""
    b = book()
    t = normalize(txt).text
    found = list(b.bare_wan.finditer(t))
    if not found or "".join(m.group() for m in found) != t.strip():
        return []
    if kind != "money" and not b.bare_cues.search(normalize(context).text):
        return []
    out = []
    for m in found:
        value = parse_number(m.group("n1"))
        if value is None:
            continue
        u = b.bare_unit
        start = end = None
        if span is not None and len(t) == len(txt):  # offsets only where normalising kept them
            start, end = span[0] + m.start(), span[0] + m.end()
        out.append(Quantity(kind="amount", text=txt[m.start():m.end()] if len(t) == len(txt) else m.group(),
                            value=value, unit=u.unit, unit_source="inline", value_yuan=to_yuan(value, u.unit),
                            start=start, end=end, confidence=u.confidence))
    return out


def _bare_cell(r: int, c: int, txt: str, span, kind: str, header: str, lay: TableLayout,
               label: str | None) -> Quantity | None:
    """A bare number gets the unit its column, row group or table declares."""
    value = parse_number(normalize(txt).text.strip())
    if value is None or _ZERO_LED.fullmatch(txt.strip()):
        return None  # `01`, `05`: a code part (款/项), never a figure
    stripped = txt.strip()
    start = end = None
    if span is not None:
        lead = len(txt) - len(txt.lstrip())
        start, end = span[0] + lead, span[0] + lead + len(stripped)
    if kind == "rate":
        return Quantity(kind="rate", text=stripped, value=value, unit="%", unit_source="column-header",
                        start=start, end=end)
    unit, source, conf = None, None, 1.0
    col_decl = unit_declared(header) if header else None
    if col_decl:
        unit, source, conf = col_decl[0], "column-header", col_decl[1]
    else:
        # nearest declaration cell above-left in the table, else the caption
        best = None
        for (dr, dc), d in lay.decl_cells.items():
            if dr <= r and dc <= c and (best is None or (dr, dc) > best[0]):
                best = ((dr, dc), d)
        if best is not None:
            unit, source, conf = best[1][0], "table-header", best[1][1]
        elif lay.table_unit is not None:
            unit, source, conf = lay.table_unit[0], "table-header", lay.table_unit[1]
    if unit is None:
        return None
    if kind == "unknown" and not (label and column_kind(label) == "money"):
        conf = min(conf, 0.8)
    return Quantity(kind="amount", text=stripped, value=value, unit=unit, unit_source=source,
                    value_yuan=to_yuan(value, unit), start=start, end=end, confidence=conf)


# ---------------------------------------------------------------- pattern-example runners


def _compact(q: Quantity) -> dict:
    d = {"kind": q.kind, "text": q.text, "value": q.value, "unit": q.unit}
    if q.kind == "amount":
        d["value_yuan"] = q.value_yuan
    for k in ("operator", "value_max", "value_yuan_max"):
        if getattr(q, k) is not None:
            d[k] = getattr(q, k)
    if q.kind == "period":
        d.update(q.extra)
    return d


def example_quantities(text: str) -> list[dict]:
    """Runner of units/counts/operators/dates.json: every quantity of the text, compactly."""
    return [_compact(q) for q in parse_quantities_in(text)]


def example_prose_figures(text: str) -> dict:
    """Runner of prose_figures.json: amounts of a declared unit, and figures with no unit."""
    qs = parse_quantities_in(text)
    declared = [[q.text, q.value_yuan] for q in qs if q.unit_source == "caption"]
    return {"declared": declared, "unitless": [text[s:e] for s, e in unitless_figures(text, qs)]}


def example_number(text: str) -> Decimal | None:
    """Runner of numerals.json."""
    return parse_number(text)


def example_unit_declaration(text: str) -> str | None:
    """Runner of unit_declarations.json."""
    d = unit_declared(text)
    return d[0] if d else None


def example_column_kind(text: str) -> str:
    """Runner of column_kinds.json."""
    return column_kind(text)


def warm_up() -> None:
    """Compile the patterns once (batch workers call this). jieba's dictionary is not loaded
    here: few documents have a label long enough to segment (none of `jixiao synth`'s, some
    hundred labels over all of `../shared/real/`), and loading it costs more than the rest of
    the warm-up together, in the fork server every `convert` worker waits for."""
    book()

