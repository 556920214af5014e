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


def test_what_a_pass_returns_is_not_rescanned_by_a_young_collection() -> None:
    with frozen_heap():
        kept = [[] for _ in range(10_000)]  # survives the pass, as its results do
    young, _, _ = gc.get_count()
    assert young < 100, "the pass's values still count towards a young collection"
    assert len(kept) == 10_000


def test_cycles_a_pass_made_go_with_the_full_collection_a_later_pass_starts_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with frozen_heap():
        gone = weakref.ref(Node())
    monkeypatch.setattr(heap, "FULL_EVERY", 0.0)
    with frozen_heap():
        assert gone() is None
