"""Checks: each family is a module exposing functions `Report -> list[Flag]`, registered here.

A check module registers its functions with `@register`; `run_checks` runs them all in
a fixed order, and flags come out sorted by position, so output is deterministic.
"""
from __future__ import annotations

import functools
from typing import Callable, TypeVar

from ..model import Flag, Report

CheckFn = Callable[[Report], list[Flag]]
T = TypeVar("T")
_REGISTRY: list[tuple[str, CheckFn]] = []
_FAMILIES = ("units", "arithmetic", "periods", "selfeval", "categories", "ledger", "hygiene", "disclosure", "restatement")


def register(name: str) -> Callable[[CheckFn], CheckFn]:
    """Decorator: add a `Report -> list[Flag]` function to the checks `run_checks` runs."""
    def deco(fn: CheckFn) -> CheckFn:
        _REGISTRY.append((name, fn))
        return fn

    return deco


def per_report(fn: Callable[[Report], T]) -> Callable[[Report], T]:
    """`fn(report)` computed once for the report being checked (the last one asked about),
    so the check families share what one of them read (relations, the disclosure model)."""
    last: list = [None, None]

    @functools.wraps(fn)
    def once(report: Report) -> T:
        if last[0] is not report:
            last[0], last[1] = report, fn(report)
        return last[1]

    def forget() -> None:
        """Drop the report held (a benchmark times the reading again)."""
        last[:] = [None, None]

    once.forget = forget  # type: ignore[attr-defined]
    return once


def _load() -> None:
    """Import every family once; a family imported earlier on its own stays registered once."""
    import importlib

    global _loaded
    if _loaded:  # (nothing to do for every report after the first)
        return
    for mod in _FAMILIES:
        importlib.import_module(f"{__name__}.{mod}")
    _loaded = True


_loaded = False
# the registry in the fixed order, and the registry's size it was sorted at (checks register
# only by appending, so it is sorted again only when one was added)
_order: tuple[int, list[tuple[str, CheckFn]]] = (-1, [])


def _ordered() -> list[tuple[str, CheckFn]]:
    global _order
    if _order[0] != len(_REGISTRY):
        _order = (len(_REGISTRY), sorted(_REGISTRY, key=_family_rank))
    return _order[1]


def _family_rank(entry: tuple[str, CheckFn]) -> int:
    family = entry[1].__module__.rpartition(".")[2]
    return _FAMILIES.index(family) if family in _FAMILIES else len(_FAMILIES)


def run_checks(report: Report) -> list[Flag]:
    """All registered checks, flags sorted by position; a figure two families flag with one
    code (a 项 cell breaking its 款's sum and its row's column identity) is flagged once."""
    _load()
    from .units import merge_same

    flags: list[Flag] = []
    for _name, fn in _ordered():  # the fixed order, whatever was imported first
        flags.extend(fn(report))
    placed = [f for f in flags if f.start is not None or f.table is not None]
    flags = merge_same(placed) + [f for f in flags if f.start is None and f.table is None]
    flags.sort(key=lambda f: (f.page or 0, f.start if f.start is not None else 10**9,
                              f.table or 0, f.row or 0, f.col or 0, f.code, f.message))
    return flags
