"""Watches: event order, replay from a resourceVersion, bookmarks, 410 Gone, stream endings."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, gateway, namespace, route, watch_events

GATEWAYS = f"/apis/{GW}/v1/namespaces/default/gateways"
ROUTES = f"/apis/{GW}/v1/httproutes"


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def test_a_live_watch_sees_added_modified_deleted_in_order(kube: FakeKube) -> None:
    start = kube.resource_version
    seen: list[dict[str, Any]] = []
    reader = threading.Thread(
        target=lambda: seen.extend(
            watch_events(kube, f"{GATEWAYS}?watch=true&resourceVersion={start}", count=3)
        )
    )
    reader.start()
    kube.apply(gateway("gw"))
    kube.apply(gateway("gw", addresses=[{"value": "10.0.0.1"}]))
    kube.delete(f"{GW}/v1", "Gateway", "default", "gw")
    reader.join(timeout=5)
    assert _types(seen) == ["ADDED", "MODIFIED", "DELETED"]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in seen]
    assert versions == sorted(versions) and versions[0] > int(start)
    assert seen[1]["object"]["metadata"]["generation"] == 2
    assert seen[2]["object"]["kind"] == "Gateway"


def test_a_watch_from_a_resource_version_replays_only_later_changes(kube: FakeKube) -> None:
    kube.apply(gateway("old"))
    start = kube.resource_version
    kube.apply(gateway("new"))
    kube.apply(gateway("old", addresses=[]))
    events = watch_events(kube, f"{GATEWAYS}?watch=1&resourceVersion={start}", count=2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "new"),
        ("MODIFIED", "old"),
    ]


@pytest.mark.parametrize("resource_version", ["", "&resourceVersion=0"])
def test_a_watch_without_a_resource_version_starts_with_the_existing_objects(
    kube: FakeKube, resource_version: str
) -> None:
    kube.apply(namespace("other"))
    kube.apply(gateway("b"))
    kube.apply(gateway("a"))
    kube.apply(gateway("c", namespace="other"))
    events = watch_events(kube, f"{GATEWAYS}?watch=true{resource_version}", count=2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
    ]


def test_bookmarks_carry_only_the_global_resource_version(kube: FakeKube) -> None:
    kube.apply(gateway("gw"))
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "elsewhere"}})
    start = time.monotonic()
    events = watch_events(
        kube,
        f"{GATEWAYS}?watch=1&resourceVersion={kube.resource_version}&allowWatchBookmarks=true",
        count=1,
    )
    assert time.monotonic() - start < 2
    assert events == [
        {
            "type": "BOOKMARK",
            "object": {
                "kind": "Gateway",
                "apiVersion": f"{GW}/v1",
                "metadata": {"resourceVersion": kube.resource_version},
            },
        }
    ]


def test_no_bookmarks_unless_asked_and_timeout_seconds_ends_the_stream(kube: FakeKube) -> None:
    start = time.monotonic()
    events = watch_events(kube, f"{GATEWAYS}?watch=1&timeoutSeconds=1")
    assert events == [] and 0.9 < time.monotonic() - start < 3


def test_a_watch_from_a_compacted_resource_version_gets_a_410_error_event(kube: FakeKube) -> None:
    start = kube.resource_version
    kube.apply(gateway("gw"))
    kube.compact()
    events = watch_events(kube, f"{GATEWAYS}?watch=1&resourceVersion={start}")
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert status["kind"] == "Status" and status["code"] == 410
    assert status["reason"] == "Expired"
    current = watch_events(
        kube,
        f"{GATEWAYS}?watch=1&resourceVersion={kube.resource_version}&allowWatchBookmarks=true",
        count=1,
    )
    assert _types(current) == ["BOOKMARK"]


def test_a_watch_behind_the_bounded_history_gets_410() -> None:
    with FakeKube(history=3) as kube:
        start = kube.resource_version
        for i in range(4):
            kube.apply(gateway(f"gw{i}"))
        events = watch_events(kube, f"{GATEWAYS}?watch=1&resourceVersion={start}")
        assert _types(events) == ["ERROR"]
        tail = watch_events(kube, f"{GATEWAYS}?watch=1&resourceVersion={int(start) + 1}", count=3)
        assert _types(tail) == ["ADDED"] * 3


def test_the_client_stream_retries_a_410_once_then_raises(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    start = kube.resource_version
    kube.apply(gateway("gw"))
    kube.compact()
    stream = watch.Watch().stream(
        custom.list_namespaced_custom_object,
        GW,
        "v1",
        "default",
        "gateways",
        resource_version=start,
        _request_timeout=TIMEOUT,
    )
    with pytest.raises(ApiException) as err:
        next(iter(stream))
    assert err.value.status == 410
    watches = [r for r in kube.requests if r.verb == "watch"]
    assert len(watches) == 2 and all(f"resourceVersion={start}" in r.path for r in watches)


def test_the_client_stream_yields_typed_objects_and_bookmarks(
    kube: FakeKube, core: client.CoreV1Api
) -> None:
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
    seen: list[tuple[str, Any]] = []
    w = watch.Watch()
    for event in w.stream(
        core.list_namespaced_config_map,
        "default",
        allow_watch_bookmarks=True,
        timeout_seconds=5,
        _request_timeout=TIMEOUT,
    ):
        seen.append((event["type"], event["object"]))
        if event["type"] == "BOOKMARK":
            w.stop()
    assert seen[0][0] == "ADDED" and isinstance(seen[0][1], client.V1ConfigMap)
    assert seen[-1][0] == "BOOKMARK" and len(seen) == 2
    assert w.resource_version == kube.resource_version


def test_close_watches_ends_streams_and_the_client_resumes_from_its_last_version(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    kube.apply(gateway("a"))
    names: list[tuple[str, str]] = []
    w = watch.Watch()

    def consume() -> None:
        for event in w.stream(
            custom.list_namespaced_custom_object,
            GW,
            "v1",
            "default",
            "gateways",
            _request_timeout=TIMEOUT,
        ):
            names.append((event["type"], event["raw_object"]["metadata"]["name"]))
            if len(names) == 2:
                w.stop()

    reader = threading.Thread(target=consume)
    reader.start()
    deadline = time.monotonic() + 5
    while not names and time.monotonic() < deadline:
        time.sleep(0.01)
    kube.close_watches()
    kube.apply(gateway("b"))
    reader.join(timeout=5)
    assert names == [("ADDED", "a"), ("ADDED", "b")]
    watches = [r for r in kube.requests if r.verb == "watch"]
    assert len(watches) == 2 and "resourceVersion=" in watches[1].path


def test_label_selector_watches_see_objects_enter_and_leave(kube: FakeKube) -> None:
    start = kube.resource_version
    kube.apply(route("r", labels={"app": "web"}))
    kube.apply(route("r", labels={"app": "api"}))
    kube.apply(route("other", labels={"app": "api"}))
    kube.apply(route("r", labels={"app": "web"}))
    kube.delete(f"{GW}/v1", "HTTPRoute", "default", "r")
    events = watch_events(
        kube, f"{ROUTES}?watch=1&labelSelector=app%3Dweb&resourceVersion={start}", count=4
    )
    assert _types(events) == ["ADDED", "DELETED", "ADDED", "DELETED"]
    assert {e["object"]["metadata"]["name"] for e in events} == {"r"}


def test_a_field_selector_watches_one_object(kube: FakeKube) -> None:
    start = kube.resource_version
    kube.apply(gateway("a"))
    kube.apply(gateway("b"))
    events = watch_events(
        kube, f"{GATEWAYS}?watch=1&fieldSelector=metadata.name%3Db&resourceVersion={start}", count=1
    )
    assert events[0]["object"]["metadata"]["name"] == "b"


def test_a_client_that_goes_away_releases_its_watch(kube: FakeKube) -> None:
    watch_events(kube, f"{GATEWAYS}?watch=1&allowWatchBookmarks=1", count=1)
    deadline = time.monotonic() + 3
    while kube.open_watches and time.monotonic() < deadline:
        time.sleep(0.02)
    assert kube.open_watches == 0
