"""Optimistic concurrency: a stale metadata.resourceVersion is 409 Conflict on PUT and PATCH."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.utils import retry_on_conflict

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, TIMEOUT, condition, gateway


def test_a_replace_with_a_stale_resource_version_is_409_conflict(
    custom: client.CustomObjectsApi,
) -> None:
    stale = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        {"spec": {"gatewayClassName": "b"}},
        _request_timeout=TIMEOUT,
    )
    with pytest.raises(ApiException) as err:
        custom.replace_namespaced_custom_object(
            GW, "v1", "default", "gateways", "gw", stale, _request_timeout=TIMEOUT
        )
    assert err.value.status == 409
    status = json.loads(err.value.body)
    assert status["reason"] == "Conflict"
    assert status["message"] == (
        f'Operation cannot be fulfilled on gateways.{GW} "gw": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_a_patch_carrying_a_stale_resource_version_is_409_and_one_without_is_not(
    custom: client.CustomObjectsApi,
) -> None:
    created = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    rv = created["metadata"]["resourceVersion"]
    custom.patch_namespaced_custom_object_status(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        {"metadata": {"resourceVersion": rv}, "status": {"addresses": []}},
        _request_timeout=TIMEOUT,
    )
    with pytest.raises(ApiException) as err:
        custom.patch_namespaced_custom_object_status(
            GW,
            "v1",
            "default",
            "gateways",
            "gw",
            {"metadata": {"resourceVersion": rv}, "status": {"addresses": [{"value": "x"}]}},
            _request_timeout=TIMEOUT,
        )
    assert err.value.status == 409
    custom.patch_namespaced_custom_object_status(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        {"status": {"addresses": [{"value": "x"}]}},
        _request_timeout=TIMEOUT,
    )


def test_a_status_replace_with_a_stale_resource_version_is_409(
    custom: client.CustomObjectsApi,
) -> None:
    stale = custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    custom.patch_namespaced_custom_object(
        GW,
        "v1",
        "default",
        "gateways",
        "gw",
        {"metadata": {"labels": {"a": "b"}}},
        _request_timeout=TIMEOUT,
    )
    stale["status"] = {"addresses": []}
    with pytest.raises(ApiException) as err:
        custom.replace_namespaced_custom_object_status(
            GW, "v1", "default", "gateways", "gw", stale, _request_timeout=TIMEOUT
        )
    assert err.value.status == 409


def test_retry_on_conflict_rereads_and_wins_after_a_concurrent_write(
    kube: FakeKube, custom: client.CustomObjectsApi
) -> None:
    custom.create_namespaced_custom_object(
        GW, "v1", "default", "gateways", gateway("gw"), _request_timeout=TIMEOUT
    )
    attempts: list[str] = []

    def set_status() -> Any:
        current = custom.get_namespaced_custom_object(
            GW, "v1", "default", "gateways", "gw", _request_timeout=TIMEOUT
        )
        attempts.append(current["metadata"]["resourceVersion"])
        if len(attempts) == 1:  # someone else writes between our read and our write
            kube.apply(gateway("gw", addresses=[{"value": "10.0.0.1"}]))
        current["status"] = {"conditions": [condition("Accepted")]}
        return custom.replace_namespaced_custom_object_status(
            GW, "v1", "default", "gateways", "gw", current, _request_timeout=TIMEOUT
        )

    result = retry_on_conflict(set_status, sleep_func=lambda _: None)
    assert len(attempts) == 2 and attempts[0] != attempts[1]
    assert result["status"]["conditions"][0]["type"] == "Accepted"
    assert [r.status_code for r in kube.requests if r.subresource == "status"] == [409, 200]


def test_leases_replace_with_optimistic_concurrency(api_client: client.ApiClient) -> None:
    leases = client.CoordinationV1Api(api_client)
    body = client.V1Lease(
        metadata=client.V1ObjectMeta(name="awsgw"),
        spec=client.V1LeaseSpec(holder_identity="a", lease_duration_seconds=15),
    )
    created = leases.create_namespaced_lease("kube-system", body, _request_timeout=TIMEOUT)
    created.spec.holder_identity = "b"
    leases.replace_namespaced_lease("awsgw", "kube-system", created, _request_timeout=TIMEOUT)
    created.spec.holder_identity = "c"
    with pytest.raises(ApiException) as err:
        leases.replace_namespaced_lease("awsgw", "kube-system", created, _request_timeout=TIMEOUT)
    assert err.value.status == 409
    read = leases.read_namespaced_lease("awsgw", "kube-system", _request_timeout=TIMEOUT)
    assert read.spec.holder_identity == "b"
