"""The objects a pass reads live as long as the pass: keep the cyclic garbage collector
from rescanning them.

A pass allocates many short-lived values (rules, conditions, plans) beside a large Store of
parsed objects; CPython's collector scans every tracked object of the oldest generation on
each full collection, and a pass's own values survive into it, so with the collector on
the cost of a pass grows faster than its objects (``benchmarks/scale.py``: ten times the
Routes of a Gateway cost x25 with it, x8 without). ``frozen_heap`` moves what exists at the
start of the outermost pass to the permanent generation (``gc.freeze``) and pauses the
cyclic collector for the pass. At its end what the pass made joins the oldest generation
unvisited (a young collection would otherwise walk every value the pass still returns,
hundreds of thousands at 10k Routes, only for reference counting to free them a moment
later) and the collector resumes. Reference counting frees everything as usual; only
reference cycles made during a pass wait, for the full collection that starts a pass at
most every ``FULL_EVERY`` seconds."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_young_at = 0.0
YOUNG_EVERY = 1.0
"""Seconds between young collections while passes overlap (several workers)."""
FULL_EVERY = 60.0
"""Seconds between full collections, made as an outermost pass starts."""
_full_at = time.monotonic()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the heap and pause the collector for the outermost of nested (or
    concurrent) passes. While passes overlap without end (workers busy through a long
    catch-up), a pass that ends collects the young generation, at most every
    ``YOUNG_EVERY`` seconds: its cycles go without waiting for an idle moment."""
    global _depth, _young_at, _full_at
    with _lock:
        _depth += 1
        if _depth == 1:
            if time.monotonic() - _full_at >= FULL_EVERY:
                _full_at = time.monotonic()
                gc.collect()
            gc.freeze()
            gc.disable()
    young = False
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()  # the pass's own values too; the young count restarts at 0
                gc.unfreeze()  # all of it is in the oldest generation now
                gc.enable()
            elif time.monotonic() - _young_at >= YOUNG_EVERY:
                _young_at, young = time.monotonic(), True
        if young:
            gc.collect(0)
