"""jixiao: the name users install is the name they import.

The code lives in the `extractor` package (kept importable for existing scripts); this
module is its public face under the distribution's name: `import jixiao;
jixiao.extract("report.pdf")`. Every public name of `extractor` is reachable here, including
ones added later, because attribute lookups fall through to `extractor`.
"""
from __future__ import annotations

from typing import Any

import extractor as _extractor
from extractor import *  # noqa: F401,F403  (the API: extract, check, convert, Report, ...)
from extractor import __all__ as _api, __version__  # noqa: F401

__all__ = list(_api)


def __getattr__(name: str) -> Any:
    """Names `extractor` has but does not list in `__all__` (e.g. `load_dataset`) still resolve."""
    try:
        return getattr(_extractor, name)
    except AttributeError:
        raise AttributeError(f"module 'jixiao' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_extractor)))
