"""Imported by the fork server that `convert`'s workers are forked from (`batch.WorkerPool`).

Importing it runs the warm-up the pool names in WARM_UP_ENV (importing the pipeline,
compiling the patterns, loading the dictionary) once, in the server: every worker forked
from the server then starts warm, in a few milliseconds and sharing those pages, instead of
each starting Python and warming up again (~0.6 s of CPU each).
"""
from __future__ import annotations

import gc
import importlib
import os

# the warm-up (`module:function`) the server runs when it imports this module
WARM_UP_ENV = "JIXIAO_WORKER_WARM_UP"


def _warm_up() -> None:
    target = os.environ.get(WARM_UP_ENV)
    if not target:
        return
    module, _, name = target.partition(":")
    try:
        getattr(importlib.import_module(module), name)()
    except Exception:  # noqa: BLE001 - a broken pipeline shows up per document, in the workers
        pass
    # what the server holds now is shared by every worker forked from it: out of the
    # collector's sight, a worker's collections do not write to those pages (each write
    # would copy a page into the worker)
    gc.collect()
    gc.freeze()


_warm_up()
