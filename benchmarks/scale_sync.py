"""A restart's sync in-process: moto in this process, the world of ``scale.documents``
programmed once by a full pass, then — as a restarted controller does — one pass per
Gateway key with fresh providers, and one edit of one Route.

Run one size: ``.venv/bin/python benchmarks/scale.py sync-one GATEWAYS ROUTES`` (a JSON
line: AWS reads and writes per key, seconds, peak RSS); ``scale.py sync`` runs each size in
its own process, so each peak memory is its own.
"""

from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import asdict, dataclass
from typing import Any

from moto import mock_aws
from world import store_of

from awsgw.core.store import Store
from awsgw.embedded import make_vpc
from awsgw.manifests import parse_document
from awsgw.objects import HTTPRoute
from awsgw.providers.aws.alb.capabilities import CONTROLLER
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.session import Aws
from awsgw.reconcilers.gateways import reconcile, reconcile_all
from awsgw.testing.moto import install

NOW = "2026-01-01T00:00:00Z"
CLUSTER = "bench"


class MotoClock:
    """Seconds spent inside moto (its in-process stub answers every call): moto finds
    resources by scanning the whole account (EC2 tag filters: every tag for every security
    group), so its time grows with the account where AWS's does not; awsgw's own time is
    the rest."""

    seconds = 0.0

    @classmethod
    def install(cls) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        answer = BotocoreStubber.__call__

        def timed(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return answer(self, *args, **kwargs)
            finally:
                cls.seconds += time.perf_counter() - started

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign]


@dataclass(frozen=True)
class SyncFigures:
    gateways: int
    routes: int
    reads_per_key: float
    writes: int
    sync_seconds: float
    moto_seconds: float
    edit_reads: int
    edit_writes: int
    peak_rss_mb: float


def _edited(store: Store) -> Store:
    """The same world with the first rule of ``team0/r0`` matching another path."""
    route = store.get("HTTPRoute", "team0/r0", HTTPRoute)
    assert route is not None
    doc = dict(route.raw)
    spec = dict(doc["spec"])
    rules = [dict(r) for r in spec["rules"]]
    rules[0] = {**rules[0], "matches": [{"path": {"type": "PathPrefix", "value": "/moved"}}]}
    doc["spec"] = {**spec, "rules": rules}
    edited = parse_document(doc, "HTTPRoute team0/r0")
    assert edited is not None
    edited._order = route._order
    copy = Store({kind: dict(objs) for kind, objs in store.objects.items()})
    copy.put(edited)
    return copy


def sync_one(gateways: int, routes: int) -> SyncFigures:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    }.items():  # fmt: skip
        os.environ[key] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    install()
    MotoClock.install()
    with mock_aws():
        vpc, _ = make_vpc(None, CLUSTER)
        store = store_of(gateways, routes)
        setup = Aws.create(max_attempts=1)
        result = reconcile_all(store, {CONTROLLER: AlbProvider(setup, CLUSTER, vpc)}, NOW)
        assert not result.failed, result.failed[:3]

        aws = Aws.create(max_attempts=1)  # the restarted process: nothing cached
        keys = sorted(gw.key for gw in store.gateways())
        started, in_moto = time.perf_counter(), MotoClock.seconds
        for key in keys:
            passed = reconcile(store, {CONTROLLER: AlbProvider(aws, CLUSTER, vpc)}, NOW, key)
            assert not passed.failed, passed.failed[:3]
        sync_seconds = time.perf_counter() - started
        moto_seconds = MotoClock.seconds - in_moto
        reads, writes = aws.counter.reads, aws.counter.writes

        aws.counter.reset()
        edited = _edited(store)
        passed = reconcile(edited, {CONTROLLER: AlbProvider(aws, CLUSTER, vpc)}, NOW, "team0/web")
        assert not passed.failed, passed.failed[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return SyncFigures(
        gateways, routes, reads / len(keys), writes, sync_seconds, moto_seconds,
        aws.counter.reads, aws.counter.writes, peak,
    )  # fmt: skip


def main(gateways: int, routes: int) -> None:
    print(json.dumps(asdict(sync_one(gateways, routes))))
