"""Which characters of a PDF page share a text line, from their boxes.

pdfplumber puts characters on one line when their tops lie within a few points of each
other. PDFs from common 决算 generators draw the figures of a sentence in another font,
size or baseline than the Chinese words around them (Helvetica digits raised a point or
two beside 宋体 words): their tops differ by more than that tolerance, and every figure
of a line would move to a line of its own after the words (`本年收入合计 万元` and then
`1234.56`), cut off from its unit and its label. A line is what the eye sees, as pdfium
orders text: characters whose boxes overlap vertically by most of the smaller height,
then read by x. `level` gives the characters of such a line one common top, so that
pdfplumber's own word and line code reads them together, left to right.

`cell_text` is `extract_text(level(chars))` for the few characters of one table cell,
computed directly: a page of a 决算 holds thousands of cells, and pdfplumber's general
word and line machinery (an extractor object, generators, word dicts) costs more per
cell than the cell's text itself. `text_lines` is pdfplumber's `extract_text_lines` of a
page's levelled characters, computed directly for the same reason; both share the word
and line steps (`_word_lines`).
"""
from __future__ import annotations

from typing import Iterable

# characters share a line when their boxes overlap vertically by this share of the
# smaller box (consecutive lines of text do not overlap at all; a raised figure overlaps
# its words by most of its height)
MIN_OVERLAP = 0.5
# pdfplumber's defaults (`pdfplumber.utils.text.DEFAULT_X_TOLERANCE`, `..._Y_TOLERANCE`)
X_TOLERANCE = 3
Y_TOLERANCE = 3
# the ligatures pdfplumber's `extract_text` spells out (`pdfplumber.utils.text.LIGATURES`)
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


def level(chars: list[dict], tolerance: float) -> list[dict]:
    """`chars` with one common top for the characters of each visual line whose tops
    differ by more than `tolerance` (pdfplumber's y tolerance); the list itself, untouched,
    when no line needs it."""
    new_top = _common_tops(chars, tolerance)
    if not new_top:
        return chars
    return [_moved(c, new_top[id(c)]) if id(c) in new_top else c for c in chars]


def _common_tops(chars: list[dict], tolerance: float) -> dict[int, float]:
    """id(char) -> the common top of its visual line, for the lines that need one."""
    order = sorted((c for c in chars if c.get("upright", True)), key=lambda c: c["top"])
    lines: list[list[dict]] = []
    core_top = core_bottom = 0.0
    for char in order:
        height = char["bottom"] - char["top"]
        if lines:
            overlap = min(core_bottom, char["bottom"]) - max(core_top, char["top"])
            if overlap > 0 and overlap >= MIN_OVERLAP * min(height, core_bottom - core_top):
                lines[-1].append(char)
                continue
        lines.append([char])
        core_top, core_bottom = char["top"], char["bottom"]
    new_top: dict[int, float] = {}
    for line in lines:
        tops = [c["top"] for c in line]
        if max(tops) - min(tops) <= tolerance:
            continue
        # the words' top: blanks do not vote, since pdfium folds runs of them (see pdf_pdfium)
        common = _mode([c["top"] for c in line if not c["text"].isspace()] or tops)
        for c in line:
            new_top[id(c)] = common
    return new_top


def cell_text(chars: list[dict]) -> str:
    """pdfplumber's `extract_text(level(chars, Y_TOLERANCE))` with its default settings
    (words split at blanks and at gaps wider than X_TOLERANCE, lines clustered by top
    within Y_TOLERANCE, in that order), for upright characters; other input goes to
    pdfplumber itself. `tests/test_pdf_lines.py` holds the two to the same text."""
    if not chars:
        return ""
    if not all(c["upright"] and c["text"] for c in chars):
        from pdfplumber.utils import extract_text

        return extract_text(level(chars, Y_TOLERANCE))
    tops = [c["top"] for c in chars]
    low, high = min(tops), max(tops)
    if high - low <= Y_TOLERANCE and high <= low + Y_TOLERANCE:  # both tests below, as they round
        # one line with no top to level (most cells): its words, left to right
        return " ".join(word[1] for word in _words(sorted(zip(tops, chars), key=_x0_of_pair)))
    moved = _common_tops(chars, Y_TOLERANCE)
    lines = _word_lines([(moved.get(id(c), c["top"]), c) for c in chars], runs=False)
    return "\n".join(" ".join(word[1] for word in line) for line in lines)


def text_lines(chars: list[dict]) -> list[dict] | None:
    """pdfplumber's text lines of `chars` (already `level`led), as
    `chars_to_textmap(chars).extract_text_lines(return_chars=True)` gives them with its
    default settings: dicts of `text`, `x0`, `top`, `x1`, `bottom` and the line's `chars`
    (a character of several letters, as a ligature, once per letter). None for input
    pdfplumber must handle itself (rotated characters, or a character whose text is empty
    or holds a blank among several letters). A page's text lines are its longest step
    after reading the characters, and pdfplumber builds a word dict, a text map entry per
    letter and a regular-expression match per line to make them; `tests/test_pdf_lines.py`
    holds the two to the same lines."""
    spelled = False  # a character of several letters
    for c in chars:
        text = c["text"]
        if not c["upright"] or not text:
            return None
        if len(text) > 1:
            if any(ch.isspace() for ch in text):
                return None
            spelled = True
        elif text in LIGATURES:
            spelled = True
    out = []
    for line in _word_lines([(c["top"], c) for c in chars], runs=True):
        line_chars = [c for _, _, pairs, start, end in line for _, c in pairs[start:end]]
        if spelled:
            line_chars = [c for c in line_chars for _ in LIGATURES.get(c["text"], c["text"])]
        out.append({
            "text": " ".join(text for _, text, _, _, _ in line),
            "x0": min(c["x0"] for c in line_chars),
            "top": min(c["top"] for c in line_chars),
            "x1": max(c["x1"] for c in line_chars),
            "bottom": max(c["bottom"] for c in line_chars),
            "chars": line_chars,
        })
    return out


# a word: its top, its text, and where its characters are, (top, char) pairs[start:end]
_Word = tuple[float, str, list[tuple[float, dict]], int, int]


def _word_lines(pairs: list[tuple[float, dict]], runs: bool) -> list[list[_Word]]:
    """pdfplumber's words of upright (top, char) pairs, in its lines: the characters'
    lines are their tops clustered (each within Y_TOLERANCE of the one before), each read
    in x0 order; the words' lines are the words' tops clustered alike, a line per cluster
    in the order of the clusters (`extract_text`), or with `runs` a line per run of words
    of one cluster in the order the words were made (the text map behind
    `extract_text_lines` keeps that order)."""
    line_of = clusters(top for top, _ in pairs)
    lines: list[list[tuple[float, dict]]] = [[] for _ in range(max(line_of.values(), default=-1) + 1)]
    for top, c in pairs:
        lines[line_of[top]].append((top, c))
    words = [word for line in lines for word in _words(sorted(line, key=_x0_of_pair))]
    word_line_of = clusters(top for top, _, _, _, _ in words)
    out: list[list[_Word]] = []
    if not runs:
        out = [[] for _ in range(max(word_line_of.values(), default=-1) + 1)]
        for word in words:
            out[word_line_of[word[0]]].append(word)
        return out
    last = None
    for word in words:
        k = word_line_of[word[0]]
        if k != last:
            out.append([])
            last = k
        out[-1].append(word)
    return out


def clusters(values: Iterable[float], tolerance: float = Y_TOLERANCE) -> dict[float, int]:
    """value -> its cluster, the sorted distinct values chained where each lies within
    `tolerance` of the one before (pdfplumber's `cluster_list`, as its text lines and its
    table edges use it)."""
    cluster_of: dict[float, int] = {}
    last = None
    for value in sorted(set(values)):
        cluster_of[value] = 0 if last is None else cluster_of[last] + (value > last + tolerance)
        last = value
    return cluster_of


def _words(line: list[tuple[float, dict]]) -> list[_Word]:
    """The words of one line's (top, char) pairs in x0 order: cut at blanks, at a gap
    wider than X_TOLERANCE, at a jump in top (pdfplumber's cut at a step back to the left
    cannot happen once they are in x0 order)."""
    words: list[_Word] = []
    word: list[str] = []
    start = 0
    word_top = prev_top = prev_x1 = 0.0
    spelled, x_tolerance, y_tolerance = LIGATURES.get, X_TOLERANCE, Y_TOLERANCE  # once per line, not per character
    for k, (top, c) in enumerate(line):
        text = c["text"]
        if text.isspace():
            if word:
                words.append((word_top, "".join(word), line, start, k))
                word = []
            continue
        if word and (c["x0"] > prev_x1 + x_tolerance or abs(top - prev_top) > y_tolerance):
            words.append((word_top, "".join(word), line, start, k))
            word = []
        if not word:
            word_top = top
            start = k
        elif top < word_top:
            word_top = top
        word.append(spelled(text, text))
        prev_top, prev_x1 = top, c["x1"]
    if word:
        words.append((word_top, "".join(word), line, start, len(line)))
    return words


def _x0_of_pair(pair: tuple[float, dict]) -> float:
    return pair[1]["x0"]


def _mode(values: list[float]) -> float:
    """The most frequent value (the words' top, not the figures'), the first on a tie."""
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: counts[v])


def _moved(char: dict, top: float) -> dict:
    shift = top - char["top"]
    return dict(char, top=top, doctop=char["doctop"] + shift)
