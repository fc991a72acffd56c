"""Load the pattern data in `patterns/` (installed as `extractor.patterns`).

Every pattern file is JSON of this shape:

    {"runner": "module:function",          # how its examples are run
     "description": "...",
     "entries": [{"name": "...", ...rule data...,
                  "examples":  [{"text": "...", "expect": ...}, ...],
                  "negatives": [{"text": "...", "expect": ...}, ...]}]}

`runner(text)` must return exactly `expect` (after a JSON round trip) for every example
and every negative; tests/test_patterns.py runs them all. Files are parsed once per process.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def _root():
    """Installed: the `extractor.patterns` package; in a source tree: the repo's patterns/."""
    try:
        return resources.files("extractor.patterns")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "patterns"


@functools.lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    """The parsed pattern file `patterns/<name>.json`."""
    return json.loads(_root().joinpath(f"{name}.json").read_text("utf-8"))


def entries(name: str) -> list[dict[str, Any]]:
    """The named entries of a pattern file."""
    return load(name)["entries"]


def text_file(name: str) -> str:
    """A non-JSON pattern resource (e.g. the jieba user dictionary)."""
    return _root().joinpath(name).read_text("utf-8")


def pattern_files() -> list[str]:
    """Names of every JSON pattern file (what the example test runs)."""
    return sorted(
        p.name[:-5] for p in _root().iterdir() if p.name.endswith(".json")
    )
