"""The API server's table printers for the built-in kinds: columns and cells as kubectl shows
them (wide columns included, as the server always sends them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from awsgw.testing.fakekube.printers import builtin_printers

NOW = datetime(2025, 1, 1, 1, 0, 0, tzinfo=UTC)
CREATED = {"name": "x", "creationTimestamp": "2025-01-01T00:00:00Z"}  # an hour before NOW


def _row(group: str, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
    printer = builtin_printers()[(group, plural)]
    names = [c.name for c in printer.columns]
    return dict(zip(names, printer.cells(obj, NOW), strict=True))


@pytest.mark.parametrize(
    ("group", "plural", "obj", "expected"),
    [
        (
            "",
            "secrets",
            {"metadata": CREATED, "type": "Opaque", "data": {"a": "", "b": ""}},
            {"Name": "x", "Type": "Opaque", "Data": 2, "Age": "60m"},
        ),
        (
            "",
            "configmaps",
            {"metadata": CREATED, "data": {"a": ""}, "binaryData": {"b": ""}},
            {"Name": "x", "Data": 2, "Age": "60m"},
        ),
        (
            "coordination.k8s.io",
            "leases",
            {"metadata": CREATED, "spec": {"holderIdentity": "pod-1"}},
            {"Name": "x", "Holder": "pod-1", "Age": "60m"},
        ),
        (
            "discovery.k8s.io",
            "endpointslices",
            {
                "metadata": CREATED,
                "addressType": "IPv4",
                "ports": [{"port": 80}, {"name": "grpc"}, {}],
                "endpoints": [{"addresses": [f"10.0.0.{i}"]} for i in range(5)],
            },
            {
                "Name": "x",
                "AddressType": "IPv4",
                "Ports": "80,grpc,*",
                "Endpoints": "10.0.0.0,10.0.0.1,10.0.0.2 + 2 more...",
                "Age": "60m",
            },
        ),
        (
            "discovery.k8s.io",
            "endpointslices",
            {"metadata": CREATED, "addressType": "IPv4"},
            {
                "Name": "x",
                "AddressType": "IPv4",
                "Ports": "<unset>",
                "Endpoints": "<unset>",
                "Age": "60m",
            },
        ),
        (
            "",
            "nodes",
            {
                "metadata": {**CREATED, "labels": {"node-role.kubernetes.io/worker": ""}},
                "spec": {"unschedulable": True},
                "status": {
                    "conditions": [{"type": "Ready", "status": "False"}],
                    "addresses": [{"type": "InternalIP", "address": "10.0.0.9"}],
                    "nodeInfo": {"kubeletVersion": "v1.34.0"},
                },
            },
            {
                "Name": "x",
                "Status": "NotReady,SchedulingDisabled",
                "Roles": "worker",
                "Age": "60m",
                "Version": "v1.34.0",
                "Internal-IP": "10.0.0.9",
                "External-IP": "<none>",
                "OS-Image": "<unknown>",
                "Kernel-Version": "<unknown>",
                "Container-Runtime": "<unknown>",
            },
        ),
        (
            "",
            "services",
            {
                "metadata": CREATED,
                "spec": {
                    "type": "LoadBalancer",
                    "clusterIPs": ["10.96.0.10"],
                    "ports": [{"port": 443, "nodePort": 30443, "protocol": "TCP"}],
                },
                "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}},
            },
            {
                "Name": "x",
                "Type": "LoadBalancer",
                "Cluster-IP": "10.96.0.10",
                "External-IP": "lb.example.com",
                "Port(s)": "443:30443/TCP",
                "Age": "60m",
                "Selector": "<none>",
            },
        ),
        (
            "events.k8s.io",
            "events",
            {
                "metadata": CREATED,
                "involvedObject": {"kind": "HTTPRoute", "name": "r", "fieldPath": "spec"},
                "reportingComponent": "awsgw",
                "reportingInstance": "pod-1",
                "eventTime": "2025-01-01T00:30:00.000000Z",
                "series": {"count": 4, "lastObservedTime": "2025-01-01T00:59:00.000000Z"},
                "type": "Warning",
                "reason": "Refused",
                "message": "no",
            },
            {
                "Last Seen": "60s",
                "Type": "Warning",
                "Reason": "Refused",
                "Object": "httproute/r",
                "Subobject": "spec",
                "Source": "awsgw, pod-1",
                "Message": "no",
                "First Seen": "30m",
                "Count": 4,
                "Name": "x",
            },
        ),
    ],
)
def test_built_in_printers_compute_the_api_servers_cells(
    group: str, plural: str, obj: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert _row(group, plural, obj) == expected


def test_only_wide_columns_have_priority_one() -> None:
    events = builtin_printers()[("", "events")]
    assert [c.name for c in events.columns if c.priority == 0] == [
        "Last Seen",
        "Type",
        "Reason",
        "Object",
        "Message",
    ]
    assert all(c.description for c in builtin_printers()[("", "services")].columns)
