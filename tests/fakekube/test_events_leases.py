"""Events through CoreV1Api and EventsV1Api (one object, two shapes), and Lease timestamps."""

from __future__ import annotations

import datetime as dt

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from awsgw.testing.fakekube import FakeKube

from .conftest import TIMEOUT, raw, watch_events

UTC = dt.UTC


def _event(name: str = "gw.1", **overrides: object) -> client.EventsV1Event:
    fields: dict[str, object] = {
        "metadata": client.V1ObjectMeta(name=name),
        "event_time": dt.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        "reason": "Programmed",
        "note": "load balancer ready",
        "type": "Normal",
        "action": "Reconcile",
        "reporting_controller": "awsgw.io/alb",
        "reporting_instance": "awsgw-0",
        "regarding": client.V1ObjectReference(
            kind="Gateway",
            name="gw",
            namespace="default",
            api_version="gateway.networking.k8s.io/v1",
        ),
    }
    fields.update(overrides)
    return client.EventsV1Event(**fields)


def test_an_events_v1_event_reads_back_through_both_apis(api_client: client.ApiClient) -> None:
    events = client.EventsV1Api(api_client)
    created = events.create_namespaced_event("default", _event(), _request_timeout=TIMEOUT)
    assert created.note == "load balancer ready" and created.regarding.name == "gw"
    core = client.CoreV1Api(api_client).read_namespaced_event(
        "gw.1", "default", _request_timeout=TIMEOUT
    )
    assert core.message == "load balancer ready" and core.involved_object.kind == "Gateway"
    assert core.reporting_component == "awsgw.io/alb"
    assert core.event_time == dt.datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    listed = events.list_namespaced_event(
        "default", field_selector="regarding.name=gw", _request_timeout=TIMEOUT
    )
    assert [e.metadata.name for e in listed.items] == ["gw.1"]


def test_a_core_event_is_listed_by_the_events_api_and_filtered_by_involved_object(
    kube: FakeKube, core: client.CoreV1Api
) -> None:
    body = client.CoreV1Event(
        metadata=client.V1ObjectMeta(generate_name="gw."),
        involved_object=client.V1ObjectReference(kind="Gateway", name="gw", namespace="default"),
        reason="Accepted",
        message="ok",
        type="Normal",
        count=1,
    )
    made = core.create_namespaced_event("default", body, _request_timeout=TIMEOUT)
    listed = core.list_namespaced_event(
        "default", field_selector="involvedObject.name=gw", _request_timeout=TIMEOUT
    )
    assert [e.metadata.name for e in listed.items] == [made.metadata.name]
    assert (
        core.list_namespaced_event(
            "default", field_selector="involvedObject.name=x", _request_timeout=TIMEOUT
        ).items
        == []
    )
    status, body_v1 = raw(
        kube, "GET", f"/apis/events.k8s.io/v1/namespaces/default/events/{made.metadata.name}"
    )
    assert status == 200 and body_v1["note"] == "ok" and body_v1["deprecatedCount"] == 1


def test_events_v1_validation_requires_the_reporting_fields(api_client: client.ApiClient) -> None:
    events = client.EventsV1Api(api_client)
    with pytest.raises(ApiException) as err:
        events.create_namespaced_event(
            "default", _event(action=None, type="Odd"), _request_timeout=TIMEOUT
        )
    assert err.value.status == 422
    with pytest.raises(ApiException) as err:
        other = client.V1ObjectReference(kind="Gateway", name="gw", namespace="other")
        events.create_namespaced_event("default", _event(regarding=other), _request_timeout=TIMEOUT)
    assert err.value.status == 422


def test_an_events_v1_watch_sees_the_new_shape(
    kube: FakeKube, api_client: client.ApiClient
) -> None:
    start = kube.resource_version
    client.EventsV1Api(api_client).create_namespaced_event(
        "default", _event(), _request_timeout=TIMEOUT
    )
    events = watch_events(
        kube,
        f"/apis/events.k8s.io/v1/namespaces/default/events?watch=1&resourceVersion={start}",
        count=1,
    )
    obj = events[0]["object"]
    assert obj["apiVersion"] == "events.k8s.io/v1" and obj["note"] == "load balancer ready"
    assert "message" not in obj


def test_lease_times_are_stored_as_utc_micro_time(
    kube: FakeKube, api_client: client.ApiClient
) -> None:
    leases = client.CoordinationV1Api(api_client)
    renew = dt.datetime(2025, 1, 2, 5, 4, 5, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    body = client.V1Lease(
        metadata=client.V1ObjectMeta(name="awsgw"),
        spec=client.V1LeaseSpec(
            holder_identity="a", renew_time=renew, acquire_time=renew, lease_duration_seconds=15
        ),
    )
    created = leases.create_namespaced_lease("kube-system", body, _request_timeout=TIMEOUT)
    assert created.spec.renew_time == renew
    stored = kube.get("coordination.k8s.io/v1", "Lease", "kube-system", "awsgw")
    assert stored is not None
    assert stored["spec"]["renewTime"] == "2025-01-02T03:04:05.250000Z"


def test_a_time_without_a_zone_is_rejected_as_the_api_server_does(
    api_client: client.ApiClient,
) -> None:
    naive = dt.datetime(2025, 1, 2, 3, 4, 5, 1)
    body = client.V1Lease(
        metadata=client.V1ObjectMeta(name="awsgw"),
        spec=client.V1LeaseSpec(holder_identity="a", renew_time=naive),
    )
    with pytest.raises(ApiException) as err:
        client.CoordinationV1Api(api_client).create_namespaced_lease(
            "kube-system", body, _request_timeout=TIMEOUT
        )
    assert err.value.status == 400
