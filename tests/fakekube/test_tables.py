"""Tables (what kubectl get asks for) and partial object metadata on get, list and watch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from awsgw.testing.fakekube import FakeKube
from awsgw.testing.fakekube.ages import human_duration, since
from awsgw.testing.fakekube.jsonpath import find, print_value

from .conftest import GW, condition, gateway, request, route, watch_events

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
KUBECTL = f"{TABLE},application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
GATEWAYS = f"/apis/{GW}/v1/namespaces/default/gateways"


def _programmed(kube: FakeKube) -> None:
    kube.apply(gateway("web"))
    addresses = [
        {"type": "Hostname", "value": "web.elb"},
        {"type": "IPAddress", "value": "1.2.3.4"},
    ]
    status = {"addresses": addresses, "conditions": [condition("Programmed")]}
    kube.apply_status({**gateway("web"), "status": status})


def _cells(table: dict[str, Any]) -> list[dict[str, Any]]:
    names = [c["name"] for c in table["columnDefinitions"]]
    return [dict(zip(names, row["cells"], strict=True)) for row in table["rows"]]


def test_a_gateway_list_as_a_table_has_the_crd_printer_columns(kube: FakeKube) -> None:
    _programmed(kube)
    kube.apply(gateway("idle"))
    reply = request(kube, "GET", GATEWAYS, headers={"Accept": KUBECTL})
    table = reply.body
    assert reply.headers["Content-Type"] == "application/json;g=meta.k8s.io;v=v1;as=Table"
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert table["metadata"]["resourceVersion"] == kube.resource_version
    columns = table["columnDefinitions"]
    assert [(c["name"], c["type"]) for c in columns] == [
        ("Name", "string"),
        ("Class", "string"),
        ("Address", "string"),
        ("Programmed", "string"),
        ("Age", "date"),
    ]
    assert columns[0]["format"] == "name" and columns[0]["description"]
    idle, web = _cells(table)
    assert web == {
        "Name": "web",
        "Class": "awsgw",
        "Address": "web.elb",  # the first value the path reaches, as the API server shows it
        "Programmed": "True",
        "Age": web["Age"],
    }
    assert web["Age"].endswith("s") and idle["Address"] is None and idle["Programmed"] is None
    partial = table["rows"][1]["object"]
    assert partial["kind"] == "PartialObjectMetadata"
    assert partial["metadata"]["name"] == "web" and "spec" not in partial


def test_include_object_chooses_what_each_row_carries(kube: FakeKube) -> None:
    kube.apply(route("r", hostnames=["a.example.com", "b.example.com"]))
    path = f"/apis/{GW}/v1/namespaces/default/httproutes/r"
    whole = request(kube, "GET", f"{path}?includeObject=Object", headers={"Accept": TABLE}).body
    (row,) = whole["rows"]
    assert row["cells"][1] == '["a.example.com","b.example.com"]'
    assert row["object"]["kind"] == "HTTPRoute" and row["object"]["spec"]["hostnames"]
    none = request(kube, "GET", f"{path}?includeObject=None", headers={"Accept": TABLE}).body
    assert none["rows"][0]["object"] is None
    bad = request(kube, "GET", f"{path}?includeObject=All", headers={"Accept": TABLE})
    assert bad.status == 400 and "includeObject" in bad.body["message"]


def test_built_in_kinds_use_the_api_servers_printers(kube: FakeKube) -> None:
    kube.apply(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "store", "namespace": "default"},
            "spec": {"selector": {"app": "store"}, "ports": [{"port": 80}, {"port": 443}]},
        }
    )
    services = request(
        kube, "GET", "/api/v1/namespaces/default/services", headers={"Accept": KUBECTL}
    )
    (service,) = _cells(services.body)
    assert service["Type"] == "ClusterIP" and service["Cluster-IP"].startswith("10.")
    assert service["External-IP"] == "<none>" and service["Port(s)"] == "80/TCP,443/TCP"
    assert service["Selector"] == "app=store"
    assert [c["priority"] for c in services.body["columnDefinitions"]][-1] == 1, "wide only"
    namespaces = _cells(request(kube, "GET", "/api/v1/namespaces", headers={"Accept": TABLE}).body)
    assert {(n["Name"], n["Status"]) for n in namespaces} >= {("default", "Active")}
    kube.apply(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "e", "namespace": "default"},
            "involvedObject": {"kind": "Gateway", "name": "web", "namespace": "default"},
            "reason": "Programmed",
            "message": "ready ",
            "type": "Normal",
            "count": 2,
        }
    )
    for path in ("/api/v1/namespaces/default/events", "/apis/events.k8s.io/v1/events"):
        (event,) = _cells(request(kube, "GET", path, headers={"Accept": TABLE}).body)
        assert (event["Object"], event["Message"], event["Count"]) == ("gateway/web", "ready", 2)
        assert event["Last Seen"] == "<unknown>" and event["Name"] == "e"


def test_a_table_watch_sends_column_definitions_with_the_first_event_only(kube: FakeKube) -> None:
    kube.apply(gateway("a"))
    kube.apply(gateway("b"))
    events = watch_events(kube, f"{GATEWAYS}?watch=true", count=2, headers={"Accept": KUBECTL})
    first, second = (e["object"] for e in events)
    assert [e["type"] for e in events] == ["ADDED", "ADDED"]
    assert first["kind"] == "Table" and first["columnDefinitions"][0]["name"] == "Name"
    assert second["columnDefinitions"] is None
    assert [r["cells"][0] for r in (*first["rows"], *second["rows"])] == ["a", "b"]


def test_metadata_only_clients_get_partial_object_metadata(kube: FakeKube) -> None:
    kube.apply(gateway("a"))
    accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    listed = request(kube, "GET", GATEWAYS, headers={"Accept": accept}).body
    assert listed["kind"] == "PartialObjectMetadataList"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["a"]
    one = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
    got = request(kube, "GET", f"{GATEWAYS}/a", headers={"Accept": one}).body
    assert got["kind"] == "PartialObjectMetadata" and "spec" not in got
    plain = request(kube, "GET", f"{GATEWAYS}/a", headers={"Accept": "application/yaml"}).body
    assert plain["kind"] == "Gateway", "what cannot be served is answered in JSON"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ('.status.conditions[?(@.type=="Ready")].status', ["True"]),
        (".status.addresses[*].value", ["a", "b"]),
        (".status.addresses[-1].value", ["b"]),
        (".spec['hostnames']", [["h"]]),
        (".status.conditions[?(@.count>1)].type", ["Ready"]),
        (".status.missing.deeper", []),
    ],
)
def test_jsonpath_finds_what_printer_columns_point_at(path: str, expected: list[Any]) -> None:
    obj = {
        "spec": {"hostnames": ["h"]},
        "status": {
            "addresses": [{"value": "a"}, {"value": "b"}],
            "conditions": [
                {"type": "Idle", "status": "False"},
                {"type": "Ready", "status": "True", "count": 2},
            ],
        },
    }
    assert find(path, obj) == expected


def test_printed_values_and_ages_read_as_kubectl_shows_them() -> None:
    assert [print_value(v) for v in (["a<b"], 80, 1.5, 80.0, True, None)] == [
        '["a\\u003cb"]',
        "80",
        "1.5",
        "80",
        "true",
        None,
    ]
    assert [human_duration(s) for s in (59, 150, 600, 3 * 3600 + 60, 50 * 3600, 400 * 86400)] == [
        "59s",
        "2m30s",
        "10m",
        "3h1m",
        "2d2h",
        "400d",
    ]
    now = datetime(2025, 1, 2, tzinfo=UTC)
    assert since((now - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), now) == "30h"
    assert since("", now) == "<unknown>" and since("yesterday", now) == "<invalid>"
