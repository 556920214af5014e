"""The objects a pass reads live as long as the pass: keep the cyclic garbage collector
from rescanning them.

A pass allocates many short-lived values (rules, conditions, plans) beside a large Store of
parsed objects; CPython's collector scans every tracked object of the oldest generation on
each full collection, and a pass's own values survive into it, so with the collector on
the cost of a pass grows faster than its objects (``benchmarks/scale.py``: ten times the
Routes of a Gateway cost x25 with it, x8 without). ``frozen_heap`` moves what exists at the
start of the outermost pass to the permanent generation (``gc.freeze``) and pauses the
cyclic collector for the pass; at its end both are undone. Reference counting frees
everything as usual meanwhile; only reference cycles made during a pass wait for its end.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the heap and pause the collector for the outermost of nested (or
    concurrent) passes."""
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.freeze()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.enable()
                gc.unfreeze()
