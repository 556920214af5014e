"""`awsgw run` with a VPC Lattice Gateway: a service network joined by the VPC, each Route a
Lattice service whose DNS name lands on the Route (annotation and one Event), exports
published; optional CRDs the API does not serve do not hold the controller back."""

from __future__ import annotations

from typing import Any

from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.lattice.evaluate import send
from tests.e2e.conftest import GATEWAY, ROUTE, Cluster, condition, eventually

FINALIZER = "awsgw.io/gateway-resources"
DNS = "awsgw.io/lattice-dns"
MESH = ("infra", "mesh")


def inventory(cluster: Cluster) -> dict[str, Any]:
    route = cluster.kube.get(*ROUTE, "shop", "inventory")
    assert route is not None
    return route


def annotated(cluster: Cluster) -> str | None:
    return (inventory(cluster)["metadata"].get("annotations") or {}).get(DNS)


def lattice_events(cluster: Cluster, reason: str) -> list[dict[str, Any]]:
    return [
        e for ns in ("shop", "infra") for e in cluster.kube.list("events.k8s.io/v1", "Event", ns)
        if e["reason"] == reason and e["reportingController"] == "awsgw.io/lattice"
    ]  # fmt: skip


def exported(cluster: Cluster) -> list[str]:
    groups = cluster.aws.lattice.list_target_groups()["items"]
    return [g["name"] for g in groups if g["name"].startswith("export-inventory-")]


def test_lattice_gateway_and_route_get_a_network_a_service_and_its_dns_name(
    cluster: Cluster,
) -> None:
    ctl = cluster.start()
    eventually(ctl.ready, 10, "caches synced")
    cluster.apply_lattice()
    gw = eventually(lambda: cluster.programmed(*reversed(MESH)), 20, "Gateway Programmed")
    assert FINALIZER in gw["metadata"]["finalizers"]
    assert "is joined by VPC" in condition(gw["status"], "Programmed")["message"]
    dns = eventually(lambda: annotated(cluster), 10, "the DNS annotation on the Route")
    [svc] = cluster.aws.lattice.list_services()["items"]
    assert dns == svc["dnsEntry"]["domainName"]
    parent = eventually(lambda: inventory(cluster).get("status"), 5)["parents"][0]
    assert parent["controllerName"] == "awsgw.io/lattice"
    assert dns in condition(parent, "Accepted")["message"]
    out = send(cluster.aws.lattice, cluster.aws.vpc, Request(dns, "/stock/42"))
    assert {t for _, w, ts in out.targets if w for t in ts} == {"10.0.1.20:8080", "10.0.17.21:8080"}
    assert eventually(lambda: exported(cluster), 10, "the export published")

    [event] = eventually(lambda: lattice_events(cluster, "LatticeService"), 10, "an Event")
    assert event["regarding"]["kind"] == "HTTPRoute" and dns in event["note"]
    assert len(lattice_events(cluster, "Programmed")) == 1
    patches = [r for r in cluster.kube.requests if r.verb == "patch"
               and r.resource == "httproutes" and not r.subresource]  # fmt: skip
    assert len(patches) == 1, "the annotation is written once"

    cluster.kube.delete(*GATEWAY, *MESH)
    eventually(lambda: cluster.gateway(*reversed(MESH)) is None, 20, "the Gateway to go")
    assert cluster.aws.lattice.list_service_networks()["items"] == []
    assert cluster.aws.lattice.list_services()["items"] == []
    assert exported(cluster), "the export stays published: it belongs to no Gateway"
    assert ctl.stop() == 0


def test_crds_the_api_does_not_serve_neither_crash_nor_block_readiness(
    cluster: Cluster,
) -> None:
    for plural in ("serviceexports", "serviceimports", "grpcroutes"):
        cluster.kube.inject("list", plural, status=404, times=3)
    ctl = cluster.start(AWSGW_MISSING_CRD_RETRY="0.5")
    eventually(ctl.ready, 10, "ready although three kinds are not served")
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "the ALB Gateway Programmed meanwhile")

    def served() -> bool:
        return sum(e.get("msg") == "now served by the API" for e in ctl.logs()) == 3

    eventually(served, 15, "the CRDs served at last")
    missing = [e for e in ctl.logs() if "not served by the API" in str(e.get("msg"))]
    assert sorted(e["kind"] for e in missing) == ["GRPCRoute", "ServiceExport", "ServiceImport"]
    assert ctl.proc.poll() is None
    cluster.apply_lattice()  # the ServiceExport, now listed, is published
    eventually(lambda: exported(cluster), 20, "the export published")
    assert ctl.stop() == 0
