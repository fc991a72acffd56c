"""Runners of pattern examples that need more than one stage (patterns/*.json `runner`).

They build a small document from an example text and run the stages the rule lives in, so
they sit above the pipeline; the single-stage runners live beside their rules.
"""
from __future__ import annotations

from ..model import Block, Document
from ..pipeline import build_report
from ..text.quantities import find_quantities


def _doc(text: str) -> Document:
    return Document(path="<example>", reader="text", text=text, blocks=[Block("paragraph", None, 0, len(text))])


def example_labels(text: str) -> list[list]:
    """Runner of labels.json: [text, label, year] of each amount and rate, as the pipeline assigns them."""
    return [[q.text, q.label, q.year] for q in find_quantities(_doc(text)) if q.kind in ("amount", "rate")]


def example_stale(text: str) -> list[list[str]]:
    """Runner of stale_names.json: [old name, suggested name] of each flag of the text."""
    return [[f.text, f.suggestion["text"]] for f in build_report(_doc(text)).flags if f.code == "stale-category"]
