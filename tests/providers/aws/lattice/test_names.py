"""VPC Lattice names: what awsgw gives, and what it can tell is never its own."""

from __future__ import annotations

import pytest

from awsgw.objects import RouteRef
from awsgw.providers.aws.lattice.plan.names import (
    SERVICE_NAMES,
    TARGET_GROUP_NAMES,
    VALID_NAME,
    export_group_name,
    service_name,
    target_group_name,
)

ODD = ["a", "x" * 80, "UPPER.and_under", "--", "9", "ns-with-many-parts-and-more"]


@pytest.mark.parametrize("name", ODD)
@pytest.mark.parametrize("namespace", ODD)
@pytest.mark.parametrize("cluster", ["c", "prod-eu"])
def test_every_name_awsgw_gives_is_valid_and_recognisably_its_kind(
    name: str, namespace: str, cluster: str
) -> None:
    service = service_name(cluster, RouteRef("HTTPRoute", f"{namespace}/{name}"))
    assert SERVICE_NAMES.fullmatch(service) and VALID_NAME.fullmatch(service)
    assert len(service) <= 40
    for group in (
        target_group_name(cluster, f"{namespace}/{name}:80", "HTTP1"),
        export_group_name(cluster, namespace, name, 8080),
    ):
        assert TARGET_GROUP_NAMES.fullmatch(group) and VALID_NAME.fullmatch(group)
        assert len(group) <= 128


@pytest.mark.parametrize("foreign", ["payments", "checkout-v2", "tg-legacy", "svc-1234567"])
def test_names_awsgw_never_gives_are_told_apart(foreign: str) -> None:
    assert not SERVICE_NAMES.fullmatch(foreign)
    assert not TARGET_GROUP_NAMES.fullmatch(foreign)
