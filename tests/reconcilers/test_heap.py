"""A pass pauses the cyclic collector; overlapping passes still collect their cycles."""

from __future__ import annotations

import gc
import weakref

import pytest

from awsgw.reconcilers import heap
from awsgw.reconcilers.heap import frozen_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_the_collector_pauses_for_the_outermost_pass_only() -> None:
    assert gc.isenabled()
    with frozen_heap():
        assert not gc.isenabled()
        with frozen_heap():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pass_ending_while_another_runs_collects_its_cycles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap, "YOUNG_EVERY", 0.0)
    with frozen_heap():  # another worker's pass, still running
        with frozen_heap():
            gone = weakref.ref(Node())
        assert gone() is None, "collected though the collector is paused for the other pass"
        assert not gc.isenabled()
