"""Events: events.k8s.io/v1 bodies, one per (object, reason) per window, never fatal."""

from __future__ import annotations

from typing import cast

from awsgw.kube.api import KubeApi, KubeError
from awsgw.kube.events import EventRecorder
from awsgw.kube.resources import EVENTS
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject
from tests.clock import Clock
from tests.kube.fakes import MemoryApi


def gateway(name: str = "web", uid: str = "u-1") -> KubeObject:
    doc = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": "shop", "uid": uid, "resourceVersion": "7"},
        "spec": {"gatewayClassName": "alb", "listeners": [{"name": "h", "port": 80,
                 "protocol": "HTTP"}]},
    }  # fmt: skip
    obj = parse_document(doc, "test")
    assert obj is not None
    return obj


def recorder(api: MemoryApi, clock: Clock) -> EventRecorder:
    return EventRecorder(cast(KubeApi, api), "awsgw.io/alb", "replica-1", 600.0, clock)


def test_event_body_is_events_v1_and_regarding_the_object() -> None:
    api = MemoryApi()
    assert recorder(api, Clock()).record(gateway(), "Normal", "Programmed", "ok " * 600)
    [(key, event)] = api.objects.items()
    assert key[0] == EVENTS.plural and key[1] == "shop"
    assert event["apiVersion"] == "events.k8s.io/v1"
    assert event["reportingController"] == "awsgw.io/alb"
    assert event["reportingInstance"] == "replica-1"
    assert event["type"] == "Normal" and event["reason"] == "Programmed"
    assert len(event["note"]) == 1024
    assert event["regarding"] == {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "name": "web",
        "namespace": "shop",
        "uid": "u-1",
        "resourceVersion": "7",
    }
    assert event["eventTime"].endswith("Z") and "." in event["eventTime"]


def test_dedupe_per_object_and_reason_within_the_window() -> None:
    api, clock = MemoryApi(), Clock()
    rec = recorder(api, clock)
    for _ in range(50):
        rec.record(gateway(), "Warning", "AWSError", "boom")
    rec.record(gateway(), "Normal", "Programmed", "ok")
    rec.record(gateway("api", "u-2"), "Warning", "AWSError", "boom")
    assert len(api.writes) == 3
    clock.now += 601
    rec.record(gateway(), "Warning", "AWSError", "boom")
    assert len(api.writes) == 4
    rec.forget(gateway(), "AWSError")
    rec.record(gateway(), "Warning", "AWSError", "again")
    assert len(api.writes) == 5


def test_a_failed_event_is_logged_not_raised_and_not_remembered() -> None:
    api = MemoryApi()
    rec = recorder(api, Clock())
    api.fail_next = [KubeError(500, "boom")]
    assert not rec.record(gateway(), "Warning", "AWSError", "x")
    assert rec.record(gateway(), "Warning", "AWSError", "x"), "the next one goes through"
    api.may_write = lambda: False
    assert not rec.record(gateway(), "Normal", "Programmed", "x"), "not the leader: no event"
