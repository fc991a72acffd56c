"""Shared fixtures: where the real documents are (CI puts shared/ beside the repo)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real"
SEED = REAL / "ganzhou-2023-zhengwu-self-eval.txt"


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/real is not beside the repo")
    return REAL


@pytest.fixture(scope="session")
def seed_path(real_dir) -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


class RealReports(dict):
    """Each real document extracted at most once per test session (all of them cost ~35 s):
    `real_reports[path]` extracts on first use; a document is known by its file name, so the
    same file reached by two paths is not read twice."""

    def __getitem__(self, path: Path | str):
        return super().__getitem__(Path(path).name)

    def __missing__(self, name: str):
        from extractor import extract
        self[name] = report = extract(REAL / name)
        return report


@pytest.fixture(scope="session")
def real_reports() -> RealReports:
    return RealReports()
