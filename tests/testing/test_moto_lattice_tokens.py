"""The moto fill for VPC Lattice ``clientToken`` idempotency (API reference: "If you retry a
request that completed successfully using the same client token and parameters, the retry
succeeds without performing any actions. If the parameters aren't identical, the retry
fails."), in ``mock_aws()`` and in a moto server."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.testing.test_moto_lattice import FIXED_404


def test_a_create_retried_with_its_token_answers_the_first_result(client: Any) -> None:
    first = client.create_service(name="svc-a", clientToken="token-1")
    again = client.create_service(name="svc-a", clientToken="token-1")
    assert again["id"] == first["id"] and again["arn"] == first["arn"]
    assert [s["id"] for s in client.list_services()["items"]] == [first["id"]]


def test_a_token_used_again_with_other_parameters_is_a_conflict(client: Any) -> None:
    client.create_service(name="svc-a", clientToken="token-1")
    with pytest.raises(ClientError) as refused:
        client.create_service(name="svc-b", clientToken="token-1")
    assert refused.value.response["Error"]["Code"] == "ConflictException"
    assert len(client.list_services()["items"]) == 1


def test_a_new_token_for_the_same_name_is_still_a_name_conflict(client: Any) -> None:
    client.create_service(name="svc-a", clientToken="token-1")
    with pytest.raises(ClientError) as refused:
        client.create_service(name="svc-a", clientToken="token-2")
    assert refused.value.response["Error"]["Code"] == "ConflictException"


def test_sub_resource_creates_are_idempotent_per_path(client: Any) -> None:
    svc = client.create_service(name="svc-a")["id"]
    kwargs: dict[str, Any] = {
        "serviceIdentifier": svc,
        "name": "http",
        "protocol": "HTTP",
        "port": 80,
        "defaultAction": FIXED_404,
        "clientToken": "listener-1",
    }
    first = client.create_listener(**kwargs)
    assert client.create_listener(**kwargs)["id"] == first["id"]
    assert len(client.list_listeners(serviceIdentifier=svc)["items"]) == 1
