"""`awsgw run` with 30% of its AWS calls throttled or answered 500 after being carried out:
it retries with backoff, converges, says what happened in Events, duplicates nothing, and
does not storm AWS."""

from __future__ import annotations

import time

from awsgw.testing.faults import FaultPlan
from tests.e2e.conftest import GATEWAY, Cluster, eventually

MAX_CALLS_PER_MINUTE = 1200
"""awsgw's requests (retries included) the controller may send per minute under faults:
a write storm would be far above it."""


def test_the_controller_converges_under_faults_without_duplicates_or_storms(
    faulty_cluster: Cluster, faults: FaultPlan
) -> None:
    cluster = faulty_cluster
    ctl = cluster.start()
    eventually(ctl.ready, 20, "caches synced")
    faults.enabled = True
    started = time.monotonic()
    cluster.apply_quickstart()
    eventually(cluster.programmed, 120, "Gateway Programmed under faults")

    def both_groups() -> dict[str, list[str]] | None:
        owned = cluster.aws.owned()
        return owned if len(owned["tgs"]) == 2 else None

    owned = eventually(both_groups, 60, "both target groups")
    assert len(owned["lbs"]) == 1 and len(owned["sgs"]) == 1, owned
    assert sum(faults.seen.values()) > 0, "faults were injected"
    minutes = (time.monotonic() - started) / 60
    assert sum(faults.requests.values()) / max(minutes, 1 / 6) < MAX_CALLS_PER_MINUTE

    faults.enabled = False  # a quiet AWS: nothing more to write once converged
    eventually(lambda: cluster.programmed(), 30, "still Programmed")
    failed_calls = ctl.metric_sum(
        "awsgw_aws_calls_total", where=lambda k: 'outcome="success"' not in k
    )

    faults.enabled = True
    cluster.kube.delete(*GATEWAY, "shop", "web")
    eventually(lambda: cluster.gateway() is None, 120, "Gateway deleted under faults")
    faults.enabled = False
    assert cluster.aws.owned() == {"lbs": [], "tgs": [], "sgs": []}
    events = cluster.kube.list("events.k8s.io/v1", "Event", "shop")
    reasons = {e["reason"] for e in events}
    assert "Programmed" in reasons, reasons
    if failed_calls:  # a call failed past its retries: the Gateway's Events said so
        assert "AWSError" in reasons, reasons
    assert ctl.stop() == 0
