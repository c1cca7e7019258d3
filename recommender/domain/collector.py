"""The cyclic garbage collector, paused where the work makes many objects and no reference cycles.

A decision builds thousands of objects (millions for a large catalog) that reference counting frees;
none of them form cycles (tests/test_decision_path.py checks). Each pass of the cyclic collector
on the way would rescan every object made so far, which made a large catalog's decision grow faster
than the catalog.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """The collector off inside, back as it was after (nested pauses are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
