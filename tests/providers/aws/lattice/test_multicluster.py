"""Two clusters, one AWS account: cluster A exports a Service, cluster B's Route reaches it
through a shared service network; withdrawing the export stops B from resolving it and
leaves nothing of A's behind. Requests are judged from VPC Lattice state alone."""

from __future__ import annotations

from tests.providers.aws.lattice.support import (
    LATTICE_CLASS,
    Cluster,
    dns,
    export,
    gateway,
    ips,
    service_import,
)
from tests.support import condition, service

CART_A = service("shop", "cart", 80, ["10.10.5.1", "10.10.5.2"])
EXPORTING = LATTICE_CLASS + gateway() + CART_A + export("shop", "cart")
ROUTE_B = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: front, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs:
    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: cart, port: 80, weight: 3}
    - {name: cart-local, port: 80, weight: 1}
  - backendRefs: [{name: web, port: 80}]
"""
LOCAL_B = service("shop", "cart-local", 80, ["10.20.7.1"]) + service(
    "shop", "web", 80, ["10.20.8.1"]
)
IMPORTING = LATTICE_CLASS + gateway() + ROUTE_B + LOCAL_B + service_import("shop", "cart")


def parent(result: object, key: str = "shop/front") -> dict[str, object]:
    return result.statuses[("HTTPRoute", key)]["parents"][0]  # type: ignore[attr-defined, no-any-return]


def exported_groups(c: Cluster) -> list[dict[str, object]]:
    groups = c.lattice.list_target_groups()["items"]
    return [g for g in groups if g["name"].startswith("export-")]


def test_route_in_b_reaches_the_service_exported_by_a(
    two_clusters: tuple[Cluster, Cluster],
) -> None:
    a, b = two_clusters
    assert a.run(EXPORTING).failed == []
    result = b.run(IMPORTING)
    assert result.failed == []
    assert condition(parent(result), "ResolvedRefs")["status"] == "True"
    host = dns(result, "shop/front")
    out = b.send(host, "/cart/items")
    assert out.status == 200
    weights = {name[:7]: w for name, w, _ in out.targets}
    assert weights == {"export-": 3, "k8s-car": 1}
    assert ips(out) == {"10.10.5.1:8080", "10.10.5.2:8080", "10.20.7.1:8080"}
    # a client in A's VPC reaches B's service too: both VPCs joined the one network
    assert ips(a.send(host, "/")) == {"10.20.8.1:8080"}
    networks = b.lattice.list_service_networks()["items"]
    assert [n["name"] for n in networks] == ["mesh"]
    owner = b.lattice.list_tags_for_resource(resourceArn=networks[0]["arn"])["tags"]
    assert owner["awsgw.io/cluster"] == "cluster-a"  # B adopted it without tagging it


def test_exported_group_is_tagged_with_cluster_namespace_and_name(
    two_clusters: tuple[Cluster, Cluster],
) -> None:
    a, _ = two_clusters
    a.run(EXPORTING)
    [group] = exported_groups(a)
    tags = a.lattice.list_tags_for_resource(resourceArn=group["arn"])["tags"]
    assert tags["awsgw.io/cluster"] == "cluster-a"
    assert (tags["awsgw.io/export-namespace"], tags["awsgw.io/export-name"]) == ("shop", "cart")
    assert tags["awsgw.io/export-port"] == "80"
    targets = a.lattice.list_targets(targetGroupIdentifier=group["id"])["items"]
    assert {(t["id"], t["port"]) for t in targets} == {("10.10.5.1", 8080), ("10.10.5.2", 8080)}


def test_import_without_exporting_cluster_is_backend_not_found(
    two_clusters: tuple[Cluster, Cluster],
) -> None:
    _, b = two_clusters
    result = b.run(IMPORTING)
    resolved = condition(parent(result), "ResolvedRefs")
    assert (resolved["status"], resolved["reason"]) == ("False", "BackendNotFound")
    assert "no cluster exports it" in resolved["message"]
    assert condition(parent(result), "Accepted")["status"] == "True"
    out = b.send(dns(result, "shop/front"), "/cart")
    assert ips(out) == {"10.20.7.1:8080"}  # the import's share lands on an empty group
    assert {w for _, w, _ in out.targets} == {3, 1}


def test_withdrawn_export_stops_resolving_and_leaves_nothing_behind(
    two_clusters: tuple[Cluster, Cluster],
) -> None:
    a, b = two_clusters
    a.run(EXPORTING)
    b.run(IMPORTING)
    without_export = LATTICE_CLASS + gateway() + CART_A
    a.run(without_export)  # B still forwards to it: withdrawn, not deleted yet
    assert len(exported_groups(a)) == 1
    assert a.aws.counter.write_calls() == {"vpc-lattice:TagResource": 1}
    result = b.run(IMPORTING)
    assert condition(parent(result), "ResolvedRefs")["reason"] == "BackendNotFound"
    assert "10.10.5.1:8080" not in ips(b.send(dns(result, "shop/front"), "/cart"))
    a.run(without_export)
    assert exported_groups(a) == []
    a.run(without_export)
    b.run(IMPORTING)
    assert a.aws.counter.writes == 0 and b.aws.counter.writes == 0


def test_importer_never_deletes_the_exported_groups(two_clusters: tuple[Cluster, Cluster]) -> None:
    a, b = two_clusters
    a.run(EXPORTING)
    b.run(IMPORTING)
    b.run(LATTICE_CLASS)  # B's Gateway and Route are gone
    assert len(exported_groups(a)) == 1
    deletes = [op for op in b.aws.counter.write_calls() if "Delete" in op]
    assert "vpc-lattice:DeleteTargetGroup" in deletes  # B's own local groups only
    assert b.lattice.list_service_networks()["items"][0]["name"] == "mesh"


def test_repeated_runs_of_both_clusters_make_no_writes(
    two_clusters: tuple[Cluster, Cluster],
) -> None:
    a, b = two_clusters
    a.run(EXPORTING)
    b.run(IMPORTING)
    a.run(EXPORTING)
    b.run(IMPORTING)
    assert a.aws.counter.write_calls() == {} and b.aws.counter.write_calls() == {}


def test_both_clusters_leaving_deletes_everything(two_clusters: tuple[Cluster, Cluster]) -> None:
    a, b = two_clusters
    a.run(EXPORTING)
    b.run(IMPORTING)
    a.run(LATTICE_CLASS)  # A leaves first: its network is still used by B
    assert [n["name"] for n in a.lattice.list_service_networks()["items"]] == ["mesh"]
    b.run(LATTICE_CLASS)
    a.run(LATTICE_CLASS)  # now nobody uses it: A deletes the network it created
    client = a.lattice
    assert client.list_service_networks()["items"] == []
    assert client.list_services()["items"] == []
    assert client.list_target_groups()["items"] == []
    assert client.list_service_network_vpc_associations()["items"] == []
