"""Leader election: acquire, renew, respect another holder, take over an expired lease, stop
writing the moment renewals lapse, release on shutdown."""

from __future__ import annotations

from typing import Any, cast

import pytest

from awsgw.kube.api import KubeApi, KubeError
from awsgw.kube.leader import LeaderElector, LeaseConfig
from awsgw.kube.resources import LEASES
from tests.clock import Clock
from tests.kube.fakes import MemoryApi


def elector(
    api: MemoryApi, clock: Clock, identity: str, changes: list[bool] | None = None
) -> LeaderElector:
    cfg = LeaseConfig("awsgw", "kube-system", identity, 15.0, 10.0, 2.0)
    sink = changes if changes is not None else []
    return LeaderElector(cast(KubeApi, api), cfg, clock, on_change=sink.append)


def lease(api: MemoryApi) -> dict[str, Any]:
    found = api.get(LEASES, "kube-system", "awsgw")
    assert found is not None
    spec: dict[str, Any] = found["spec"]
    return spec


def test_first_candidate_creates_the_lease_and_renews_it() -> None:
    api, clock, changes = MemoryApi(), Clock(), []
    a = elector(api, clock, "a", changes)
    assert a.try_acquire_or_renew() and a.is_leader()
    assert changes == [True]
    first = lease(api)
    assert first["holderIdentity"] == "a" and first["leaseTransitions"] == 0
    assert first["leaseDurationSeconds"] == 15
    clock.now += 2
    assert a.try_acquire_or_renew()
    assert lease(api)["acquireTime"] == first["acquireTime"]
    assert lease(api)["leaseTransitions"] == 0
    assert changes == [True], "renewals do not re-announce leadership"


def test_second_candidate_waits_for_expiry_measured_on_its_own_clock() -> None:
    api, clock = MemoryApi(), Clock()
    a, b = elector(api, clock, "a"), elector(api, clock, "b")
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew() and not b.is_leader()
    clock.now += 14.9
    assert not b.try_acquire_or_renew(), "not expired yet from b's first observation"
    clock.now += 0.2
    assert b.try_acquire_or_renew() and b.is_leader()
    assert lease(api)["holderIdentity"] == "b"
    assert lease(api)["leaseTransitions"] == 1
    assert not a.try_acquire_or_renew(), "the old leader sees the new holder"
    assert not a.is_leader()


def test_a_renewing_holder_keeps_the_lease() -> None:
    api, clock = MemoryApi(), Clock()
    a, b = elector(api, clock, "a"), elector(api, clock, "b")
    a.try_acquire_or_renew()
    for _ in range(20):
        clock.now += 2
        assert a.try_acquire_or_renew()
        assert not b.try_acquire_or_renew()


def test_leadership_ends_at_the_renew_deadline_without_any_call() -> None:
    api, clock, changes = MemoryApi(), Clock(), []
    a = elector(api, clock, "a", changes)
    a.try_acquire_or_renew()
    api.fail_next = [KubeError(0, "unreachable")] * 10
    clock.now += 9.9
    assert not a.try_acquire_or_renew()
    assert a.is_leader(), "still within the renew deadline"
    clock.now += 0.2
    assert not a.is_leader(), "writes stop at once, before the lease could expire for others"
    assert not a.try_acquire_or_renew()
    assert changes == [True, False]


def test_a_conflicting_update_means_someone_else_won() -> None:
    api, clock = MemoryApi(), Clock()
    a = elector(api, clock, "a")
    api.fail_next = [KubeError(409, "conflict")]
    assert not a.try_acquire_or_renew() and not a.is_leader()


def test_release_hands_over_at_once() -> None:
    api, clock = MemoryApi(), Clock()
    a, b = elector(api, clock, "a"), elector(api, clock, "b")
    a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    a.release()
    assert not a.is_leader()
    assert lease(api)["holderIdentity"] == ""
    assert b.try_acquire_or_renew(), "a released lease is free without waiting"


@pytest.mark.parametrize("holder", ["", None])
def test_an_empty_holder_is_free(holder: str | None) -> None:
    api, clock = MemoryApi(), Clock()
    api.put(LEASES, {"metadata": {"name": "awsgw", "namespace": "kube-system"},
                     "spec": {"holderIdentity": holder, "leaseDurationSeconds": 15}})  # fmt: skip
    assert elector(api, clock, "a").try_acquire_or_renew()
