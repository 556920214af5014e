"""Which passes run at once under several workers: Gateway passes side by side, a full pass
alone (and not starved), a data plane planned together one pass at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from awsgw.kube.pass_locks import PassLocks
from awsgw.kube.worker import PLANNED_TOGETHER

ALB, LATTICE = "awsgw.io/alb", "awsgw.io/lattice"


def run(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_lattice_is_the_data_plane_planned_together() -> None:
    assert {LATTICE} == PLANNED_TOGETHER


def test_passes_over_distinct_gateways_run_side_by_side() -> None:
    locks = PassLocks([LATTICE])
    both_inside = threading.Barrier(2, timeout=5)

    def one_pass() -> None:
        with locks.gateway(ALB):
            both_inside.wait()  # raises BrokenBarrierError if the other cannot enter

    threads = [run(one_pass), run(one_pass)]
    for t in threads:
        t.join(10)
    assert not both_inside.broken


def test_a_full_pass_waits_for_gateway_passes_and_holds_back_new_ones() -> None:
    locks = PassLocks([LATTICE])
    order: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def gateway_pass(name: str, hold: bool) -> None:
        with locks.gateway(ALB):
            order.append(f"{name} in")
            if hold:
                inside.set()
                release.wait(5)
            order.append(f"{name} out")

    def full_pass() -> None:
        with locks.full():
            order.append("full in")
            order.append("full out")

    first = run(lambda: gateway_pass("a", hold=True))
    assert inside.wait(5)
    full = run(full_pass)
    time.sleep(0.05)  # the full pass is waiting now
    late = run(lambda: gateway_pass("b", hold=False))
    time.sleep(0.05)
    assert order == ["a in"], "neither the full pass nor a later Gateway pass got in"
    release.set()
    for t in (first, full, late):
        t.join(5)
    assert order == ["a in", "a out", "full in", "full out", "b in", "b out"]


def test_passes_of_a_data_plane_planned_together_take_turns() -> None:
    locks = PassLocks([LATTICE])
    active, peak = 0, 0
    guard = threading.Lock()
    alb_overlapped = threading.Event()

    def lattice_pass() -> None:
        nonlocal active, peak
        with locks.gateway(LATTICE):
            with guard:
                active += 1
                peak = max(peak, active)
            time.sleep(0.02)
            with guard:
                active -= 1

    def alb_pass() -> None:
        with locks.gateway(ALB), guard:
            if active:
                alb_overlapped.set()

    threads = [run(lattice_pass) for _ in range(4)]
    time.sleep(0.005)
    threads += [run(alb_pass) for _ in range(4)]
    for t in threads:
        t.join(5)
    assert peak == 1
    assert alb_overlapped.is_set(), "an ALB pass need not wait for VPC Lattice"


def test_a_gateway_of_unknown_class_waits_for_every_data_plane_planned_together() -> None:
    locks = PassLocks([LATTICE])
    entered = threading.Event()

    def unknown_pass() -> None:
        with locks.gateway(None):
            entered.set()

    with locks.gateway(LATTICE):
        t = run(unknown_pass)
        time.sleep(0.05)
        assert not entered.is_set()
    t.join(5)
    assert entered.is_set()
