"""The VPC Lattice provider end to end against moto: what AWS holds, how requests route
(judged from Lattice state alone), how few writes each change costs, what it never touches."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, dns, gateway, ips
from tests.support import condition, service

ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /cart}
      headers: [{name: x-canary, value: "yes"}]
    - path: {type: PathPrefix, value: /basket}
      method: POST
    backendRefs: [{name: v2, port: 80}]
  - matches:
    - path: {type: Exact, value: /exact}
    backendRefs: [{name: v2, port: 80}]
  - backendRefs:
    - {name: v1, port: 80, weight: 90}
    - {name: v2, port: 80, weight: 10}
"""
BACKENDS = service("shop", "v1", 80, ["10.0.1.1", "10.0.1.2"]) + service(
    "shop", "v2", 80, ["10.0.2.1"]
)
STATE = LATTICE_CLASS + gateway() + ROUTE + BACKENDS
V1 = {"10.0.1.1:8080", "10.0.1.2:8080"}
V2 = {"10.0.2.1:8080"}


def route_parent(result: Any, key: str = "shop/store", kind: str = "HTTPRoute") -> Any:
    return result.statuses[(kind, key)]["parents"][0]


def test_gateway_becomes_a_tagged_service_network_joined_by_the_vpc(cluster: Cluster) -> None:
    result = cluster.run(STATE)
    gw = result.statuses[("Gateway", "infra/mesh")]
    assert condition(gw, "Programmed")["status"] == "True"
    assert gw["listeners"][0]["attachedRoutes"] == 1
    [network] = cluster.lattice.list_service_networks()["items"]
    assert network["name"] == "mesh"
    tags = cluster.lattice.list_tags_for_resource(resourceArn=network["arn"])["tags"]
    assert tags == {"awsgw.io/cluster": cluster.name, "awsgw.io/gateway": "infra/mesh"}
    [link] = cluster.lattice.list_service_network_vpc_associations(vpcIdentifier=cluster.vpc_id)[
        "items"
    ]
    assert link["serviceNetworkId"] == network["id"]


def test_route_becomes_a_service_whose_dns_name_is_reported(cluster: Cluster) -> None:
    result = cluster.run(STATE)
    [svc] = cluster.lattice.list_services()["items"]
    assert len(svc["name"]) <= 40 and svc["name"].startswith("store-shop-")
    host = dns(result, "shop/store")
    assert host == svc["dnsEntry"]["domainName"]
    accepted = condition(route_parent(result), "Accepted")
    assert accepted["status"] == "True" and host in accepted["message"]
    tags = cluster.lattice.list_tags_for_resource(resourceArn=svc["arn"])["tags"]
    assert tags == {"awsgw.io/cluster": cluster.name, "awsgw.io/route": "HTTPRoute shop/store"}
    again = cluster.run(STATE)
    assert cluster.lattice.list_services()["items"][0]["name"] == svc["name"]  # stable
    assert dns(again, "shop/store") == host


def test_requests_route_as_the_spec_says(cluster: Cluster) -> None:
    host = dns(cluster.run(STATE), "shop/store")
    assert ips(cluster.send(host, "/cart/items", headers=(("X-Canary", "yes"),))) == V2
    assert ips(cluster.send(host, "/cart", headers=(("x-canary", "yes"),))) == V2
    # PathPrefix matches whole segments; header values compare exactly
    split = cluster.send(host, "/cartx", headers=(("x-canary", "yes"),))
    assert sorted(w for _, w, _ in split.targets) == [1, 9]
    assert cluster.send(host, "/cart", headers=(("x-canary", "YES"),)).targets[0][1] in (1, 9)
    assert ips(cluster.send(host, "/basket/1", method="POST")) == V2
    assert ips(cluster.send(host, "/basket/1", method="GET")) == V1 | V2
    assert ips(cluster.send(host, "/exact")) == V2
    assert ips(cluster.send(host, "/Exact")) == V1 | V2  # paths are case-sensitive
    assert cluster.send("other.example.com").status == 0  # no such service


def test_host_reaches_its_service_case_insensitively_with_or_without_a_port(
    cluster: Cluster,
) -> None:
    """Host names compare case-insensitively (RFC 9110); a Lattice service is found by its
    DNS name, whatever the case of the Host and its port."""
    host = dns(cluster.run(STATE), "shop/store")
    assert ips(cluster.send(host.upper(), "/exact")) == V2
    assert ips(cluster.send(f"{host.title()}:80", "/exact")) == V2


def test_several_matches_become_several_lattice_rules_in_precedence_order(
    cluster: Cluster,
) -> None:
    cluster.run(STATE)
    [svc] = cluster.lattice.list_services()["items"]
    [listener] = cluster.lattice.list_listeners(serviceIdentifier=svc["id"])["items"]
    ids = {"serviceIdentifier": svc["id"], "listenerIdentifier": listener["id"]}
    summaries = cluster.lattice.list_rules(**ids)["items"]
    rules = [
        cluster.lattice.get_rule(ruleIdentifier=r["id"], **ids)
        for r in summaries
        if not r["isDefault"]
    ]
    paths = [
        r["match"]["httpMatch"]["pathMatch"]["match"]
        for r in sorted(rules, key=lambda r: r["priority"])
    ]
    assert paths == [
        {"exact": "/exact"},
        {"exact": "/basket"},
        {"prefix": "/basket/"},
        {"exact": "/cart"},
        {"prefix": "/cart/"},
        {"prefix": "/"},
    ]


def test_repeated_run_makes_no_aws_writes(cluster: Cluster) -> None:
    cluster.run(STATE)
    cluster.run(STATE)
    assert cluster.aws.counter.writes == 0, cluster.aws.counter.write_calls()


def test_changing_one_rule_backend_makes_one_write(cluster: Cluster) -> None:
    host = dns(cluster.run(STATE), "shop/store")
    changed = STATE.replace(
        "{type: Exact, value: /exact}\n    backendRefs: [{name: v2",
        "{type: Exact, value: /exact}\n    backendRefs: [{name: v1",
    )
    assert changed != STATE
    cluster.run(changed)
    assert cluster.aws.counter.write_calls() == {"vpc-lattice:BatchUpdateRule": 1}
    assert ips(cluster.send(host, "/exact")) == V1


def test_endpoint_changes_register_and_deregister_targets(cluster: Cluster) -> None:
    host = dns(cluster.run(STATE), "shop/store")
    cluster.run(STATE.replace("[10.0.1.2]", "[10.0.1.3]"))
    assert cluster.aws.counter.write_calls() == {
        "vpc-lattice:DeregisterTargets": 1,
        "vpc-lattice:RegisterTargets": 1,
    }
    assert ips(cluster.send(host, "/")) == {"10.0.1.1:8080", "10.0.1.3:8080"} | V2


def test_deleted_gateway_deletes_owned_resources_in_dependency_order(cluster: Cluster) -> None:
    cluster.run(STATE)
    result = cluster.run(LATTICE_CLASS + BACKENDS)
    assert result.deleted == ["infra/mesh"]
    writes = cluster.writes()
    order = [
        "DeleteServiceNetworkServiceAssociation",
        "DeleteServiceNetworkVpcAssociation",
        "DeleteServiceNetwork",
        "DeleteService",
        "DeregisterTargets",
        "DeleteTargetGroup",
    ]
    assert [w for w in dict.fromkeys(writes)] == order, writes
    client = cluster.lattice
    assert client.list_services()["items"] == []
    assert client.list_target_groups()["items"] == []
    assert client.list_service_networks()["items"] == []


def test_removing_every_lattice_class_and_gateway_leaves_nothing_owned(cluster: Cluster) -> None:
    """Files with no Lattice GatewayClass or Gateway left: what this cluster owns in VPC
    Lattice (found by one tag-scoped read) is deleted, exports withdrawn included."""
    from tests.providers.aws.lattice.support import export
    from tests.support import GATEWAY_CLASS

    cluster.run(STATE + export("shop", "v1"))
    assert cluster.lattice.list_services()["items"]
    result = cluster.run(GATEWAY_CLASS + BACKENDS + export("shop", "v1"))
    assert result.deleted == ["infra/mesh"] and not result.failed
    client = cluster.lattice
    assert client.list_services()["items"] == []
    assert client.list_target_groups()["items"] == []
    assert client.list_service_networks()["items"] == []
    links = client.list_service_network_vpc_associations(vpcIdentifier=cluster.vpc_id)
    assert links["items"] == []
    cluster.run(GATEWAY_CLASS + BACKENDS)
    assert cluster.calls == [], "nothing owned is left: no Lattice call at all"


def test_an_account_where_lattice_is_denied_is_logged_once_and_skipped(
    cluster: Cluster, caplog: Any
) -> None:
    from tests.support import GATEWAY_CLASS, deny_get_resources

    deny_get_resources(cluster.aws)
    with caplog.at_level("WARNING", logger="awsgw.lattice"):
        first = cluster.run(GATEWAY_CLASS + BACKENDS)
        second = cluster.run(GATEWAY_CLASS + BACKENDS)
    assert not first.failed and not second.failed
    assert [r.getMessage() for r in caplog.records] == [
        "VPC Lattice is not readable here (An error occurred (AccessDeniedException) when "
        "calling the GetResources operation: not authorized: tag:GetResources): skipped"
    ]


def test_removed_route_deletes_its_service_and_unused_groups(cluster: Cluster) -> None:
    cluster.run(STATE)
    cluster.run(LATTICE_CLASS + gateway() + BACKENDS)
    assert cluster.lattice.list_services()["items"] == []
    assert cluster.lattice.list_target_groups()["items"] == []
    assert len(cluster.lattice.list_service_networks()["items"]) == 1


def test_existing_network_is_adopted_untouched_and_never_deleted(cluster: Cluster) -> None:
    client = cluster.lattice
    foreign = client.create_service_network(name="mesh", tags={"team": "net"})
    other = client.create_service(name="someone-elses")
    client.create_service_network_service_association(
        serviceIdentifier=other["id"], serviceNetworkIdentifier=foreign["id"]
    )
    cluster.run(STATE)
    assert [n["id"] for n in client.list_service_networks()["items"]] == [foreign["id"]]
    assert client.list_tags_for_resource(resourceArn=foreign["arn"])["tags"] == {"team": "net"}
    cluster.run(LATTICE_CLASS)
    assert [n["id"] for n in client.list_service_networks()["items"]] == [foreign["id"]]
    assert [s["name"] for s in client.list_services()["items"]] == ["someone-elses"]
    links = client.list_service_network_service_associations(
        serviceNetworkIdentifier=foreign["id"]
    )["items"]
    assert [a["serviceId"] for a in links] == [other["id"]]


def test_foreign_resources_of_the_same_name_are_never_modified(cluster: Cluster) -> None:
    from awsgw.objects import RouteRef
    from awsgw.providers.aws.lattice.plan.names import service_name

    client = cluster.lattice
    taken = client.create_service(
        name=service_name(cluster.name, RouteRef("HTTPRoute", "shop/store"))
    )
    result = cluster.run(STATE)
    gw = result.statuses[("Gateway", "infra/mesh")]
    assert condition(gw, "Programmed")["reason"] == "Invalid"
    assert "not owned" in condition(gw, "Programmed")["message"]
    assert client.list_listeners(serviceIdentifier=taken["id"])["items"] == []


def test_the_accounts_other_lattice_services_cost_no_read_of_their_tags(
    cluster: Cluster,
) -> None:
    cluster.run(STATE)
    cluster.run(STATE)
    alone = cluster.calls.count("ListTagsForResource")
    client = cluster.lattice
    for i in range(5):
        client.create_service(name=f"payments-{i}")
        client.create_target_group(
            name=f"legacy-{i}",
            type="IP",
            config={"port": 80, "protocol": "HTTP", "vpcIdentifier": cluster.vpc_id},
        )
    result = cluster.run(STATE)
    assert condition(result.statuses[("Gateway", "infra/mesh")], "Programmed")["status"] == "True"
    assert cluster.calls.count("ListTagsForResource") == alone
    assert cluster.writes() == []


def test_security_groups_of_the_vpc_association_follow_the_setting(aws_env: Any) -> None:
    first = Cluster(aws_env.cluster, aws_env.vpc_id, security_groups=("sg-11111111",))
    first.run(STATE)
    second = Cluster(aws_env.cluster, aws_env.vpc_id, security_groups=("sg-22222222",))
    second.run(STATE)
    assert second.aws.counter.write_calls() == {"vpc-lattice:UpdateServiceNetworkVpcAssociation": 1}
    none = Cluster(aws_env.cluster, aws_env.vpc_id)
    none.run(STATE)  # the last group cannot be removed: the association is made again
    assert none.writes() == [
        "DeleteServiceNetworkVpcAssociation",
        "CreateServiceNetworkVpcAssociation",
    ]
    [link] = none.lattice.list_service_network_vpc_associations()["items"]
    got = none.lattice.get_service_network_vpc_association(
        serviceNetworkVpcAssociationIdentifier=link["id"]
    )
    assert got.get("securityGroupIds", []) == []


def test_vpc_in_another_network_is_reported_not_moved(cluster: Cluster) -> None:
    client = cluster.lattice
    other = client.create_service_network(name="elsewhere")
    client.create_service_network_vpc_association(
        serviceNetworkIdentifier=other["id"], vpcIdentifier=cluster.vpc_id
    )
    result = cluster.run(STATE)
    programmed = condition(result.statuses[("Gateway", "infra/mesh")], "Programmed")
    assert programmed["status"] == "False"
    assert "elsewhere" in programmed["message"] and "one service network" in programmed["message"]


def test_invalid_network_name_is_reported(cluster: Cluster) -> None:
    result = cluster.run(LATTICE_CLASS + gateway(name="my.mesh") + BACKENDS)
    programmed = condition(result.statuses[("Gateway", "infra/my.mesh")], "Programmed")
    assert programmed["status"] == "False"
    assert "awsgw.io/lattice-service-network" in programmed["message"]
    assert cluster.lattice.list_service_networks()["items"] == []


def test_a_new_top_rule_is_one_create_between_the_others(cluster: Cluster) -> None:
    host = dns(cluster.run(STATE), "shop/store")
    added = STATE.replace(
        "  - matches:\n    - path: {type: Exact, value: /exact}",
        "  - matches:\n    - path: {type: Exact, value: /aaa}\n"
        "    backendRefs: [{name: v1, port: 80}]\n"
        "  - matches:\n    - path: {type: Exact, value: /exact}",
    )
    assert added != STATE
    cluster.run(added)
    assert cluster.aws.counter.write_calls() == {"vpc-lattice:CreateRule": 1}
    assert ips(cluster.send(host, "/aaa")) == V1 and ips(cluster.send(host, "/exact")) == V2


def test_target_groups_are_deleted_only_after_their_targets_drained(
    cluster: Cluster, monkeypatch: Any
) -> None:
    from moto.vpclattice.models import vpclattice_backends

    from awsgw.testing import moto_lattice

    cluster.run(STATE)
    monkeypatch.setattr(moto_lattice, "DRAIN_SECONDS", 300.0)
    removed = LATTICE_CLASS + gateway() + BACKENDS
    cluster.run(removed)
    assert "DeregisterTargets" in cluster.writes() and "DeleteTargetGroup" not in cluster.writes()
    assert len(cluster.lattice.list_target_groups()["items"]) == 2
    cluster.run(removed)  # still draining: nothing to do
    assert cluster.aws.counter.writes == 0
    backend = vpclattice_backends["123456789012"]["us-east-1"]
    for targets in backend.awsgw_targets.values():  # the deregistration delay passes
        for state in targets.values():
            state[1] = 0.0
    cluster.run(removed)
    assert cluster.writes() == ["DeleteTargetGroup", "DeleteTargetGroup"]
    assert cluster.lattice.list_target_groups()["items"] == []


def test_no_lattice_class_means_no_lattice_call(cluster: Cluster) -> None:
    from tests.providers.aws.lattice.support import export
    from tests.support import GATEWAY_CLASS

    cluster.run(GATEWAY_CLASS + BACKENDS)
    assert cluster.calls == []
    cluster.run(GATEWAY_CLASS + BACKENDS + export("shop", "v1"))
    assert cluster.calls == [], "an export of a cluster not using VPC Lattice publishes nothing"


def test_works_against_a_moto_server(monkeypatch: Any) -> None:
    from awsgw.embedded import make_vpc, moto_server

    for key in ("AWS_PROFILE", "AWSGW_CLUSTER_NAME", "AWSGW_VPC_ID"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        vpc, _ = make_vpc(endpoint, "served")
        served = Cluster("served", vpc)
        result = served.run(STATE)
        assert result.failed == []
        host = dns(result, "shop/store")
        assert ips(served.send(host, "/cart/x", headers=(("x-canary", "yes"),))) == V2
        served.run(STATE)
        assert served.aws.counter.writes == 0
        served.run(LATTICE_CLASS)
        assert served.lattice.list_services()["items"] == []


def test_invalid_backend_answers_500_and_route_stays_accepted(cluster: Cluster) -> None:
    broken = STATE.replace(
        "{type: Exact, value: /exact}\n    backendRefs: [{name: v2",
        "{type: Exact, value: /exact}\n    backendRefs: [{name: missing",
    )
    assert broken != STATE
    result = cluster.run(broken)
    parent = route_parent(result)
    assert condition(parent, "Accepted")["status"] == "True"
    assert condition(parent, "ResolvedRefs")["reason"] == "BackendNotFound"
    out = cluster.send(dns(result, "shop/store"), "/exact")
    assert (out.action, out.status) == ("fixed-response", 500)


def test_each_route_is_its_own_service_reached_by_its_own_name(cluster: Cluster) -> None:
    other = ROUTE.replace("name: store,", "name: other,").replace(
        "name: v2, port: 80}]", "name: v1, port: 80}]"
    )
    result = cluster.run(STATE + other)
    store, second = dns(result, "shop/store"), dns(result, "shop/other")
    assert store != second
    assert ips(cluster.send(store, "/exact")) == V2
    assert ips(cluster.send(second, "/exact")) == V1
    assert len(cluster.lattice.list_target_groups()["items"]) == 2  # shared per Service port


def test_a_second_lattice_gateway_names_the_network_the_vpc_joined_this_pass(
    cluster: Cluster,
) -> None:
    result = cluster.run(STATE + gateway(name="other"))
    assert condition(result.statuses[("Gateway", "infra/mesh")], "Programmed")["status"] == "True"
    programmed = condition(result.statuses[("Gateway", "infra/other")], "Programmed")
    assert programmed["status"] == "False"
    assert "service network mesh;" in programmed["message"], programmed
