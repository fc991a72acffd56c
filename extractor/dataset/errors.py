"""The error of a run as a whole (as opposed to one document's error row)."""
from __future__ import annotations


class RunError(Exception):
    """The run itself cannot proceed (a missing input, an unwritable dataset, a full disk)."""
