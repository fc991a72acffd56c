"""Runs every positive and negative example of every pattern file in patterns/.

Adding a case means adding an example to a pattern file, not a test function here.
"""
from __future__ import annotations

import importlib
import json

import pytest

from extractor import patternbook
from extractor.jsonout import dumps


def _cases():
    for name in patternbook.pattern_files():
        book = patternbook.load(name)
        for entry in book["entries"]:
            for group in ("examples", "negatives"):
                for i, ex in enumerate(entry.get(group, [])):
                    yield pytest.param(book["runner"], ex, id=f"{name}:{entry['name']}:{group}{i}")


def _runner(spec: str):
    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("runner,example", list(_cases()))
def test_pattern_example(runner, example):
    got = json.loads(dumps(_runner(runner)(example["text"])))
    assert got == example["expect"], example["text"]


def test_enough_examples():
    total = sum(
        len(e.get("examples", [])) + len(e.get("negatives", []))
        for n in patternbook.pattern_files()
        for e in patternbook.load(n)["entries"]
    )
    assert total >= 200
