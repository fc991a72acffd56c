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


@pytest.fixture(scope="session")
def real_reports() -> dict[str, object]:
    """File name -> extracted Report of a real document, filled as tests ask (each real PDF is
    read once per session, whichever test asks first)."""
    return {}
