"""The package's caches keyed by texts, which a benchmark clears to time a document the process
has not seen (`bench_build_report.py --cold`, `bench_pdf_readers.py --cold`)."""
from __future__ import annotations

import functools
import sys

# caches of single characters: a process soon holds every character it meets, so they stay
PER_CHARACTER = ("extractor.text.normalize._simplified", "extractor.text.normalize._mapped")


def bounded_caches() -> list:
    """Every `lru_cache` of the package with a maxsize above one (what holds texts), but
    those of single characters."""
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("extractor") or module is None:
            continue
        for obj in vars(module).values():
            wrapped = obj
            if isinstance(wrapped, functools._lru_cache_wrapper):  # type: ignore[attr-defined]
                size = wrapped.cache_parameters()["maxsize"]
                if (size is not None and size > 1 and wrapped not in found
                        and f"{wrapped.__module__}.{wrapped.__qualname__}" not in PER_CHARACTER):
                    found.append(wrapped)
    return found


def forget(caches: list) -> None:
    """Clear `caches` (`bounded_caches()`) and the whole texts `normalize` keeps."""
    from extractor.text.normalize import forget_long_texts

    for cache in caches:
        cache.cache_clear()
    forget_long_texts()
