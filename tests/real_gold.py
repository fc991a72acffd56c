"""The gold files of the real documents (`gold/real/*.gold.json`, format: corpus/README.md)
and the scoring of one extracted real document against its gold; shared by
test_real_gold.py and test_real_false_alarms.py."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from extractor.evaluation.evaluate import Score, document_summary, on_pages, prediction

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "gold" / "real"


def gold_paths() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.gold.json"))


def load_gold(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def document_of(gold_path: Path, gold: dict[str, Any]) -> Path:
    """The real document a gold names (`doc` is relative to the gold's folder)."""
    return (gold_path.parent / gold["doc"]).resolve()


def golds_by_document() -> dict[str, dict[str, Any]]:
    """{document file name: gold} for every gold file."""
    out = {}
    for path in gold_paths():
        gold = load_gold(path)
        out[Path(gold["doc"]).name] = gold
    return out


def summary(gold: dict[str, Any], report: Any) -> dict[str, Any]:
    """Amounts, rates and project fields of one report against its gold (its pages only)."""
    return document_summary(gold, on_pages(prediction(report), gold.get("pages")))


def error_flags(report: Any, pages: list[int] | None = None) -> Counter:
    """(code, text) of the report's error flags, on `pages` when given."""
    return Counter((f.code, f.text.strip()) for f in report.flags
                   if f.severity == "error" and (pages is None or f.page in pages))


def gold_flags(gold: dict[str, Any]) -> Counter:
    return Counter((f["code"], f["text"].strip()) for f in gold.get("flags", []))


__all__ = ["Score", "gold_paths", "load_gold", "document_of", "golds_by_document", "summary",
           "error_flags", "gold_flags"]
