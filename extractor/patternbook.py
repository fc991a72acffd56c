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
from typing import Any


@functools.lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    """The parsed pattern file `patterns/<name>.json`."""
    text = resources.files("extractor.patterns").joinpath(f"{name}.json").read_text("utf-8")
    return json.loads(text)


def entries(name: str) -> list[dict[str, Any]]:
    return load(name)["entries"]


def text_file(name: str) -> str:
    """A non-JSON pattern resource (e.g. the jieba user dictionary)."""
    return resources.files("extractor.patterns").joinpath(name).read_text("utf-8")


def pattern_files() -> list[str]:
    return sorted(
        p.name[:-5] for p in resources.files("extractor.patterns").iterdir() if p.name.endswith(".json")
    )
