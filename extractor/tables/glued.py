"""Cells that a flattening glued together with no separator at all.

Web mirrors and OCR dumps print a self-evaluation table as one run of characters:
`资金投入情况(万元)全年预算数(A)全年执行数(B)执行率(B/A)年度资金总额:390390100%`. Two things
are recovered here, both without any knowledge of a particular document:

- **labels**: a glued run is cut where a header or row word of the form vocabulary
  (patterns/table_headers.json, fund_rows.json) begins, with its bracketed note and colon,
  and between words and figures;
- **figures**: a run of digits such as `390390100%` is cut into one figure per column of the
  row's header. A cut is kept only where the form decides it: every piece is a well-formed
  number, a percent stands in a rate column, weights are at most 100 and scores at most their
  weight, 执行率 equals 执行数 / 预算数 to the precision written (or within 0.1 point), and the
  money figures of one row share one number of decimals when several cuts remain. A run with
  no single such cut stays whole (no figure rather than a wrong one).
"""
from __future__ import annotations

import bisect
import functools
import re
from decimal import Decimal

from .. import patternbook
from ..text.misreads import any_misread, first_chars, misread_end, misreads, next_misread
from ..text.normalize import normalize

_NUMBER = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
_FIGURES = re.compile(r"[\d.,%]*\d[\d.,%]*")
_OPEN, _CLOSE = "(（", ")）"
_MONEY = ("initial_budget", "adjusted_budget", "executed", "pooled", "net_budget", "arrived")
_RATES = ("rate", "arrival_rate")
_RATE_SLACK = Decimal("0.1")  # hand-filled forms round 46/148 = 31.08% to 31.00%
_MAX_WEIGHT = Decimal(100)
_DASHES = "—–-/"  # placeholder cells of a glued row, one character each
_SUB_ROW = "其中"  # opens a fund row's sub-rows (其中:中央财政资金)
# a column note whose brackets OCR read as other punctuation (`调整预算数,A、`)
_OCR_NOTE = re.compile(r"[,，、.][A-Z](?:/[A-Z])?[)）、,，.]")
# every character `str.isdigit` accepts, and more: a digit is alphanumeric (`\w`), and no
# ASCII letter, underscore or CJK ideograph is a digit (tests/test_shortcuts.py checks it)
_MAYBE_DIGIT = r"[^\W_A-Za-z\u3400-\u4dbf\u4e00-\u9fff]"


@functools.lru_cache(maxsize=1)
def _words() -> tuple[str, ...]:
    """Form words, longest first (matching prefers the longest word at a position)."""
    out: set[str] = set()
    for book in ("table_headers", "fund_rows"):
        for e in patternbook.entries(book):
            for s in e["synonyms"]:
                raw = normalize(s).text.replace(" ", "")
                w = re.sub(r"[（(][^()（）]*[)）]", "", raw)
                out.update(x for x in (w, raw) if len(x) >= 2)
    # a word that is two words glued (`执行率得分` = 执行率 + 得分) would swallow a glued header pair
    out = {w for w in out if not any(w[:k] in out and w[k:] in out for k in range(2, len(w) - 1))}
    return tuple(sorted(out, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _words_longest() -> int:
    return max(map(len, _words()), default=0)


@functools.lru_cache(maxsize=1)
def _by_head() -> dict[str, tuple[str, ...]]:
    """Form words of three or more characters by their first two characters."""
    out: dict[str, list[str]] = {}
    for w in _words():
        if len(w) >= 3:
            out.setdefault(w[:2], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def _two_words(n: str) -> bool:
    """Does `n` contain two different form words of three or more characters? (one pass over
    its positions, not one substring search per word)"""
    heads = _by_head()
    seen: set[str] = set()
    for i in range(len(n) - 2):
        for w in heads.get(n[i:i + 2], ()):
            if n.startswith(w, i):
                seen.add(w)
                if len(seen) >= 2:
                    return True
    return False


@functools.lru_cache(maxsize=1)
def _by_first() -> dict[str, tuple[str, ...]]:
    """Form words by their first character, longest first (`_word_at` tries only these)."""
    out: dict[str, list[str]] = {}
    for w in _words():
        out.setdefault(w[0], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def _word_at(text: str, i: int) -> int:
    """End of the form word starting at i (with its bracketed note and colon), or i. A word
    OCR misread by one look-alike character (`年初预匏数`, text/misreads.py) is a word too."""
    by_first = _by_first()
    exact = next((w for w in by_first.get(text[i:i + 1], ()) if text.startswith(w, i)), "")
    j = i + len(exact)
    if next_misread(text)[i] < i + _words_longest():
        # a longer word with one misreading wins over a shorter exact one (`年初预算将` is 年初预算数)
        j = next((e for c in first_chars(text, i) for w in by_first.get(c, ())
                  if len(w) > len(exact) and (e := misread_end(w, text, i)) is not None), j)
    if j == i:
        return i
    if j < len(text) and text[j] in _OPEN:
        close = min((k for k in (text.find(c, j) for c in _CLOSE) if k > 0), default=-1)
        if 0 < close - j <= 24:
            j = close + 1
    elif m := _OCR_NOTE.match(text, j):
        j = m.end()
    while j < len(text) and text[j] in ":：":
        j += 1
    return j


def is_glued(text: str) -> bool:
    """A cell worth cutting: at least two form words of three or more characters, one of them
    with a figure glued right after it (`年度资金总额:390390100%`); a note that merely names
    columns (`预算执行率=预算执行数/调整后预算数…`) is not a glued table."""
    n = normalize(text).text
    if len(n) < 12 or not re.search(r"\d", n):
        return False
    if not _word_then_digit(n) or not _two_words(n):  # the cheaper test first
        return False
    pieces = [n[a:b] for a, b in _pieces(n)]
    return any(_word_at(p, 0) == len(p) and q[0].isdigit() for p, q in zip(pieces, pieces[1:]))


def cut_labels(text: str) -> list[tuple[int, int]]:
    """Spans (into `text`) of the pieces of a glued run: form words, figure runs, other text."""
    nt = normalize(text)
    return [nt.span(a, b) for a, b in _pieces(nt.text)]


@functools.lru_cache(maxsize=1)
def _word_digit_rx() -> re.Pattern[str] | None:
    """A form word, its bracketed note (the first closing bracket within 24 characters, as
    `_word_at` takes it) or OCR'd note, colons, spaces, then what may be a digit (`_MAYBE_DIGIT`);
    None when a word or a look-alike could open with a bracket or a figure
    character (then a piece other than a word piece could read as a word, and the test of
    `_word_then_digit` would not be implied by `is_glued`'s)."""
    opening = set(_OPEN) | set("0123456789.,%")
    starts = [w[0] for w in _words()] + [read[0] for read, _means in misreads()]
    if any(c in opening or c.isdigit() for c in starts):
        return None
    words = "|".join(re.escape(w) for w in _words())
    return re.compile(rf"(?:{words})(?:[{_OPEN}][^{_CLOSE}]{{0,23}}[{_CLOSE}]|{_OCR_NOTE.pattern})?[:：]*\s*"
                      rf"(?={_MAYBE_DIGIT})")


def _word_then_digit(n: str) -> bool:
    """A cheap test implied by `is_glued`'s last one (a word piece right before a piece that
    opens with a digit), so False here means False there: the piece after a word piece
    starts where the word (with its note and colons) ends or, past spaces only, where a word,
    figure or dash piece starts, so its first character is the first one past those spaces;
    and without look-alikes in `n` a word piece is an exact form word. With a look-alike
    somewhere the full test runs."""
    rx = _word_digit_rx()
    if rx is None or any_misread(n):
        return True
    return rx.search(n) is not None


def _pieces(n: str) -> list[tuple[int, int]]:
    """The pieces of a glued run (`is_glued` and `cut_labels` ask for the same cell's in turn)."""
    return list(_pieces_of(n))


@functools.lru_cache(maxsize=1)
def _stop_rx() -> re.Pattern[str]:
    """Where a bracket, a dash, a digit or a form word starts (a look-ahead: every position)."""
    marks = re.escape(_OPEN + _CLOSE + _DASHES)
    return re.compile(rf"(?=[{marks}\d]|" + "|".join(re.escape(w) for w in _words()) + ")")


def _stops(n: str) -> list[int]:
    """The positions of `n` where `_pieces_of` can do anything but step on: a bracket (the
    depth), a dash, a digit (a figure starts only at one), where a form word starts, or where
    one read with a look-alike can (a look-alike within a word's length ahead, as `_word_at`
    asks); elsewhere no word, dash or figure starts and the depth stays."""
    stops = {m.start() for m in _stop_rx().finditer(n)}
    reach = _words_longest()
    for k in set(next_misread(n)):
        if k < len(n):
            stops.update(range(max(0, k - reach + 1), k + 1))
    return sorted(stops)


@functools.lru_cache(maxsize=64)
def _pieces_of(n: str) -> tuple[tuple[int, int], ...]:
    pieces: list[tuple[int, int]] = []
    i = start = 0
    depth = 0
    stops = _stops(n)
    at = 0

    def flush(a: int, b: int) -> None:
        if b > a and n[a:b].strip():
            pieces.append((a, b))

    while True:
        at = bisect.bisect_left(stops, i, at)  # the next position where anything can happen
        if at == len(stops):
            break
        i = stops[at]
        ch = n[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if depth == 0:
            j = _word_at(n, i)
            if j > i:
                flush(start, i)
                pieces.append((i, j))
                i = start = j
                continue
            if ch in _DASHES and pieces and pieces[-1][1] == i == start and _figure_or_dash(n, pieces[-1]):
                pieces.append((i, i + 1))  # `———` after a glued row's figures: one empty cell each
                i = start = i + 1
                continue
            m = _FIGURES.match(n, i) if ch.isdigit() else None
            if m and not _ends_cell(n, m.end()) and not (pieces and pieces[-1][1] == i and _score_after(n, pieces[-1], m)):
                m = None  # `15万元`, `2370人`: a figure with its unit stays one piece
            if m:
                flush(start, i)
                pieces.append((i, m.end()))
                i = start = m.end()
                continue
        i += 1
    flush(start, len(n))
    return tuple(pieces)


def _ends_cell(n: str, j: int) -> bool:
    """A figure run ends its cell where the text ends, a form word, another cell's 其中 or a
    placeholder cell (`———`) begins, or where words follow its percent (no unit follows a `%`:
    `64.864.864.8100%年度总体目标…`)."""
    return (j >= len(n) or _word_at(n, j) > j or n.startswith(_SUB_ROW, j) or n[j] in _DASHES
            or n[j - 1] == "%" and "\u4e00" <= n[j] <= "\u9fff")


@functools.lru_cache(maxsize=1)
def _score_words() -> frozenset[str]:
    """The words of a form's total-score label (自评得分, 总分 …)."""
    return frozenset(normalize(w).text for e in patternbook.entries("table_headers") if e["role"] == "self_score"
                     for w in e["synonyms"])


def _score_after(n: str, label: tuple[int, int], m: re.Match[str]) -> bool:
    """A score right after its label ends at the words that follow it (`自评得分98财政审核评分`):
    a number of at most 100 and no `分` after it."""
    word = n[label[0]:label[1]].rstrip(":：")
    j = m.end()
    return (word in _score_words() and _NUMBER.fullmatch(m.group(0)) is not None and Decimal(m.group(0)) <= 100
            and j < len(n) and "\u4e00" <= n[j] <= "\u9fff" and n[j] != "分")


def _figure_or_dash(n: str, piece: tuple[int, int]) -> bool:
    text = n[piece[0]:piece[1]]
    return text in _DASHES or bool(_FIGURES.fullmatch(text))


def _decimals(s: str) -> int:
    return len(s.split(".")[1]) if "." in s else 0


def _rate_ok(rate: str, done: str | None, budget: str | None) -> bool:
    if done is None or budget is None:
        return True
    b, d, r = Decimal(budget), Decimal(done), Decimal(rate.rstrip("%"))
    if b == 0:
        return r == 0
    slack = max(Decimal(5) / (10 ** (_decimals(rate.rstrip("%")) + 1)), _RATE_SLACK)
    return abs(d / b * 100 - r) <= slack


def _consistent(pieces: list[str], roles: list[str]) -> bool:
    got = dict(zip(roles, pieces))
    weight, score = got.get("weight"), got.get("score")
    if weight is not None and Decimal(weight) > _MAX_WEIGHT:
        return False
    if score is not None and weight is not None and Decimal(score) > Decimal(weight):
        return False
    if "rate" in got:
        budget = got.get("adjusted_budget") or got.get("net_budget") or got.get("initial_budget")
        if not _rate_ok(got["rate"], got.get("executed"), budget):
            return False
    if "arrival_rate" in got:
        budget = got.get("net_budget") or got.get("adjusted_budget") or got.get("initial_budget")
        if not _rate_ok(got["arrival_rate"], got.get("arrived"), budget):
            return False
    return True


def _cuts(run: str, roles: list[str]) -> list[list[str]]:
    """Every cut of `run` into one well-formed figure per role."""
    out: list[list[str]] = []

    def walk(i: int, k: int, acc: list[str]) -> None:
        if k == len(roles):
            if i == len(run):
                out.append(list(acc))
            return
        rate = roles[k] in _RATES
        for m in range(i + 1, len(run) + 1):
            piece = run[i:m]
            body = piece[:-1] if rate and piece.endswith("%") else piece
            if rate != piece.endswith("%") or not _NUMBER.fullmatch(body):
                if "%" in piece:
                    break
                continue
            acc.append(piece)
            walk(m, k + 1, acc)
            acc.pop()

    walk(0, 0, [])
    return out


def glued_figures(text: str) -> bool:
    """A figure run that is several figures: a percent inside it, or a 'rate' no form writes."""
    t = text.strip()
    if not re.fullmatch(r"[\d.,%]+", t):
        return False
    if t.count(".") >= 2 and "%" not in t:
        return True  # `293.63302.71270.93`: one decimal point per figure
    if "%" not in t:
        return False
    if "%" in t[:-1] or not _NUMBER.fullmatch(t[:-1]):
        return True
    return Decimal(t[:-1]) > 1000


def cut_figures(run: str, roles: list[str], exact: bool = False) -> list[tuple[str, int, int]] | None:
    """One (role, start, end) per figure of a glued run such as `1484631.00%` under the header
    roles of its row (trailing weight/rate/score columns may be missing unless `exact`); None
    when undecided."""
    roles = [r for r in roles if r != "exec_reason"]
    if not any(r in _MONEY for r in roles):
        return None
    found: list[tuple[tuple[int, int, Decimal], list[str], list[str]]] = []
    for n in range(len(roles), 1, -1):
        if n < len(roles) and (exact or roles[n] not in ("weight", "score") + _RATES):
            break
        head = roles[:n]
        found += [(_preference(c, head), c, head) for c in _cuts(run, head) if _consistent(c, head)]
    if not found:
        return None
    found.sort(key=lambda x: x[0])
    if len(found) > 1 and found[0][0] == found[1][0]:
        return None
    out, pos = [], 0
    for piece, role in zip(found[0][1], found[0][2]):
        out.append((role, pos, pos + len(piece)))
        pos += len(piece)
    return out


def _preference(pieces: list[str], roles: list[str]) -> tuple[int, int, Decimal]:
    """Among consistent cuts: money figures of one precision first, then cuts whose 执行率 says
    something (0 executed agrees with any budget), then the cut whose 执行率 the figures
    reproduce most exactly."""
    got = dict(zip(roles, pieces))
    mixed = int(len({_decimals(p) for p, r in zip(pieces, roles) if r in _MONEY}) > 1)
    error = Decimal(0)
    budget = got.get("adjusted_budget") or got.get("net_budget") or got.get("initial_budget")
    if "rate" in got and got.get("executed") and budget and Decimal(budget) != 0:
        error = abs(Decimal(got["executed"]) / Decimal(budget) * 100 - Decimal(got["rate"].rstrip("%")))
    silent = int(got.get("executed") is not None and Decimal(got["executed"]) == 0
                 or "rate" in got and Decimal(got["rate"].rstrip("%")) == 0)
    return mixed, silent, error


# a list a page ran together: a header declaring a money unit, then name–figure pairs
_LIST_UNIT = re.compile(r"[（(](?:万元|元)[)）]")
_PAIR = re.compile(r"([\u4e00-\u9fff]{2,12}?)((?:0|[1-9]\d*)(?:\.\d+)?)(?=[\u4e00-\u9fff]|$)")
_LEAST_PAIRS = 4


def name_figure_lists(text: str) -> list[tuple[tuple[int, int], list[tuple[tuple[int, int], tuple[int, int]]]]]:
    """Glued two-column lists (an allocation table: `乡镇补助经费(万元)备注龙涓镇5长卿镇1.5…全县合计35`):
    per list the span of its header (the words before and the unit note) and the (name, figure)
    spans of its rows, all into `text`; at least four rows, every one a name glued to a figure."""
    nt = normalize(text)
    n = nt.text
    out = []
    for m in _LIST_UNIT.finditer(n):
        start = m.start()
        while start > 0 and "\u4e00" <= n[start - 1] <= "\u9fff" and m.start() - start < 12:
            start -= 1
        pairs, pos = [], m.end()
        while (p := _PAIR.match(n, pos)) is not None:
            pairs.append((nt.span(p.start(1), p.end(1)), nt.span(p.start(2), p.end(2))))
            pos = p.end()
        if len(pairs) >= _LEAST_PAIRS:
            out.append((nt.span(start, m.end()), pairs))
    return out


__all__ = ["cut_figures", "cut_labels", "glued_figures", "is_glued", "name_figure_lists"]
