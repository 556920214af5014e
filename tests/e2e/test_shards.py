"""``awsgw run --shards N`` with three replicas against the fake API server and a moto server:
each replica holds its share of the shard Leases, every Gateway is reconciled by exactly one
replica, and when one replica is killed (-9) its shards and Gateways move to the others
within the lease duration."""

from __future__ import annotations

import collections
from typing import Any

import yaml

from awsgw.providers.aws.alb.plan.compile import lb_name
from awsgw.testing.faults import FaultPlan
from tests.e2e.conftest import CLUSTER, ROUTE, Cluster, Controller, eventually
from tests.support import service

SHARDS = 6
GATEWAYS = [f"team{i}/web" for i in range(6)]
CLASS = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "GatewayClass",
    "metadata": {"name": "awsgw-alb"},
    "spec": {"controllerName": "awsgw.io/alb"},
}


def apply_gateways(cluster: Cluster) -> None:
    cluster.kube.apply(CLASS)
    for key in GATEWAYS:
        ns = key.split("/")[0]
        cluster.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        listener = {"name": "http", "port": 80, "protocol": "HTTP"}
        cluster.kube.apply({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "web", "namespace": ns},
            "spec": {"gatewayClassName": "awsgw-alb", "listeners": [listener]},
        })  # fmt: skip
        cluster.kube.apply({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "app", "namespace": ns},
            "spec": {"parentRefs": [{"name": "web"}], "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/app"}}],
                "backendRefs": [{"name": "app", "port": 80}],
            }]},
        })  # fmt: skip
        for doc in yaml.safe_load_all(service(ns, "app", 80, ["10.0.40.1"])):
            if doc:
                cluster.kube.apply(doc)


def reconciled_by(replicas: list[Controller], since: dict[str, int] | None = None) -> Any:
    """Gateway key → identities that logged a reconcile of it (after ``since`` log lines)."""
    found: dict[str, set[str]] = collections.defaultdict(set)
    for ctl in replicas:
        for entry in ctl.logs()[(since or {}).get(ctl.identity, 0) :]:
            if entry.get("msg") == "reconciled" and entry.get("key") in GATEWAYS:
                found[entry["key"]].add(ctl.identity)
    return found


def status_writers(cluster: Cluster, start: int = 0) -> dict[str, set[str]]:
    found: dict[str, set[str]] = collections.defaultdict(set)
    for r in cluster.writes()[start:]:
        if r.resource == "gateways" and r.subresource == "status":
            found[f"{r.namespace}/{r.name}"].add(r.user_agent)
    return found


def rule_paths(cluster: Cluster, key: str) -> str:
    """The path conditions of a Gateway's listener rules, as text."""
    elbv2 = cluster.aws.elbv2
    try:
        lb = elbv2.describe_load_balancers(Names=[lb_name(CLUSTER, key)])["LoadBalancers"][0]
    except elbv2.exceptions.LoadBalancerNotFoundException:
        return ""
    paths: list[str] = []
    for listener in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
        for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
            paths += [str(c.get("PathPatternConfig")) for c in rule["Conditions"]]
    return " ".join(paths)


def programmed(cluster: Cluster) -> bool:
    return all(cluster.programmed("web", key.split("/")[0]) for key in GATEWAYS)


def balanced(replicas: list[Controller], each: int) -> bool:
    metrics = [r.metrics() for r in replicas]
    return all(
        m.get("awsgw_shards_held") == each and m.get("awsgw_shard_members") == len(replicas)
        for m in metrics
    )


def test_three_replicas_share_the_gateways_and_take_over_a_killed_ones(cluster: Cluster) -> None:
    env = {"AWSGW_SHARDS": str(SHARDS), "AWSGW_WORKERS": "2"}
    replicas = [cluster.start(f"replica-{n}", **env) for n in "abc"]
    eventually(lambda: balanced(replicas, SHARDS // 3), 30, "two shards each")
    apply_gateways(cluster)
    eventually(lambda: programmed(cluster), 60, "every Gateway Programmed")

    owners = reconciled_by(replicas)
    assert set(owners) == set(GATEWAYS)
    assert all(len(ids) == 1 for ids in owners.values()), owners
    assert len({next(iter(ids)) for ids in owners.values()}) > 1, "the work is spread"
    writers = status_writers(cluster)
    assert all(len(agents) == 1 for agents in writers.values()), writers

    victim_id = next(iter(owners["team0/web"]))
    victim = next(r for r in replicas if r.identity == victim_id)
    survivors = [r for r in replicas if r is not victim]
    victim.kill()
    eventually(lambda: balanced(survivors, SHARDS // 2), 20, "the survivors hold every shard")

    marks = {r.identity: len(r.logs()) for r in survivors}
    writes_before = len(cluster.writes())
    route = cluster.kube.get(*ROUTE, "team0", "app")
    assert route is not None
    route["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/moved"
    cluster.kube.apply(route)
    assert "/app" in rule_paths(cluster, "team0/web")
    eventually(lambda: "/moved" in rule_paths(cluster, "team0/web"), 20, "the moved rule")

    def survivor_logged() -> Any:  # the log line follows the status write, after AWS
        found = reconciled_by(survivors, marks)
        return found if found["team0/web"] else None

    after = eventually(survivor_logged, 10, "a survivor's log of the reconcile")
    assert len(after["team0/web"]) == 1, after
    for key, agents in status_writers(cluster, writes_before).items():
        assert len(agents) == 1 and victim_id not in next(iter(agents)), (key, agents)


def test_sharded_replicas_converge_under_aws_faults_without_duplicates(
    faulty_cluster: Cluster, faults: FaultPlan
) -> None:
    env = {"AWSGW_SHARDS": str(SHARDS), "AWSGW_WORKERS": "2"}
    replicas = [faulty_cluster.start(f"replica-{n}", **env) for n in "abc"]
    eventually(lambda: balanced(replicas, SHARDS // 3), 30, "two shards each")
    faults.enabled = True
    apply_gateways(faulty_cluster)
    eventually(lambda: programmed(faulty_cluster), 120, "every Gateway Programmed")
    faults.enabled = False
    owners = reconciled_by(replicas)
    assert all(len(ids) == 1 for ids in owners.values()), owners
    owned = faulty_cluster.aws.owned()
    assert len(owned["lbs"]) == len(GATEWAYS), owned["lbs"]
    assert len(owned["tgs"]) == len(GATEWAYS), "one target group per Gateway's Service"
