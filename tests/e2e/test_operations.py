"""`awsgw run` in operation: crash and restart, two replicas, no-op changes, drift repair,
unreadable objects."""

from __future__ import annotations

import copy
from typing import Any

from awsgw.providers.aws.alb.evaluate import load_listeners
from awsgw.providers.aws.common.requests import Request
from tests.e2e.conftest import GATEWAY, ROUTE, Cluster, Controller, eventually

LEASE = ("coordination.k8s.io/v1", "Lease", "kube-system", "awsgw-controller")


def canary_backend(cluster: Cluster, path: str = "/cart/1") -> list[list[str]]:
    arn = cluster.aws.lb_arn()
    if arn is None:
        return []
    listener = load_listeners(cluster.aws.elbv2, arn).get(80)
    if listener is None:
        return []
    outcome = listener.evaluate(Request("store.example.com", path, headers=(("x-canary", "true"),)))
    return [t[2] for t in outcome.targets]


def move_canary(cluster: Cluster, path: str) -> None:
    route = cluster.kube.get(*ROUTE, "shop", "store")
    assert route is not None
    spec = copy.deepcopy(route["spec"])
    spec["rules"][0]["matches"][0]["path"]["value"] = path
    cluster.kube.apply({**route, "spec": spec})


def quiet(ctl: Controller) -> bool:
    m = ctl.metrics()
    idle = ("awsgw_workqueue_depth", "awsgw_workqueue_delayed", "awsgw_workqueue_in_flight")
    return all(m.get(name) == 0 for name in idle)


def test_kill_9_mid_reconcile_then_restart_converges_without_duplicates_or_orphans(
    cluster: Cluster,
) -> None:
    cluster.kube.inject("patch", "gateways", status=500, times=3, subresource="status")
    ctl = cluster.start()
    cluster.apply_quickstart()
    eventually(lambda: cluster.aws.owned()["lbs"], 20, "the load balancer to be created")
    ctl.kill()  # SIGKILL while the reconcile is under way: no status was written yet
    assert cluster.programmed() is None
    cluster.start()  # same identity: it takes its own lease back at once
    eventually(cluster.programmed, 25, "Programmed after the restart")
    eventually(lambda: canary_backend(cluster) == [["10.0.33.12:8080"]], 10, "rules")
    owned = cluster.aws.owned()
    assert (len(owned["lbs"]), len(owned["tgs"]), len(owned["sgs"])) == (1, 2, 1), owned
    arn = cluster.aws.lb_arn()
    assert arn is not None
    listeners = cluster.aws.elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    assert len(listeners) == 1
    cluster.kube.delete(*GATEWAY, "shop", "web")
    eventually(lambda: cluster.gateway() is None, 20, "the Gateway to go")
    assert cluster.aws.owned() == {"lbs": [], "tgs": [], "sgs": []}


def test_two_replicas_exactly_one_writes_and_the_other_takes_over(cluster: Cluster) -> None:
    a = cluster.start("replica-a")
    eventually(lambda: a.metrics().get("awsgw_leader") == 1, 10, "replica-a leading")
    b = cluster.start("replica-b")
    eventually(b.ready, 10, "replica-b synced")
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "Programmed")
    eventually(lambda: canary_backend(cluster), 10)
    writers = {r.user_agent for r in cluster.writes()}
    assert writers == {"awsgw/0.1.0 (replica-a)"}, writers
    assert b.metrics()["awsgw_leader"] == 0
    assert b.metric_sum("awsgw_aws_calls_total") == 0, "the standby makes no AWS call at all"
    assert a.aws_writes() > 0

    assert a.stop() == 0, "SIGTERM: clean exit"
    lease = cluster.kube.get(*LEASE)
    assert lease is not None and lease["spec"]["holderIdentity"] in ("", "replica-b")
    eventually(lambda: b.metrics().get("awsgw_leader") == 1, 10, "replica-b takes over")
    before = len(cluster.writes())
    move_canary(cluster, "/basket")
    eventually(lambda: canary_backend(cluster, "/basket") == [["10.0.33.12:8080"]], 15)
    later = {r.user_agent for r in cluster.writes()[before:]}
    assert later == {"awsgw/0.1.0 (replica-b)"}, later
    assert b.aws_writes() > 0


def test_a_change_needing_no_aws_work_writes_nothing(cluster: Cluster) -> None:
    ctl = cluster.start()
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "Programmed")
    eventually(lambda: quiet(ctl), 10, "an idle queue")
    aws_writes, kube_writes = ctl.aws_writes(), len(cluster.writes())
    key = 'awsgw_reconcile_total{kind="gateway",result="success"}'
    reconciles = ctl.metrics()[key]

    gw: Any = cluster.gateway()
    gw["metadata"]["labels"] = {"team": "web"}  # not an echo: the Gateway is reconciled
    cluster.kube.apply(gw)
    cluster.kube.apply({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": "unrelated", "namespace": "shop"},
                        "spec": {"ports": [{"port": 80}]}})  # fmt: skip
    eventually(lambda: ctl.metrics()[key] > reconciles and quiet(ctl), 10, "a reconcile")
    assert ctl.aws_writes() == aws_writes
    assert cluster.writes()[kube_writes:] == [], "no status write, no finalizer write, no Event"
    assert ctl.metrics()[key] == reconciles + 1, "one reconcile; status echoes queue nothing"


def test_periodic_resync_repairs_drift_made_outside_awsgw(cluster: Cluster) -> None:
    cluster.start(AWSGW_RESYNC_PERIOD="1")
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "Programmed")
    eventually(lambda: canary_backend(cluster) == [["10.0.33.12:8080"]], 10)
    arn = cluster.aws.lb_arn()
    assert arn is not None
    listener = cluster.aws.elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"][0]

    def rule_arns() -> set[str]:
        rules = cluster.aws.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
        return {r["RuleArn"] for r in rules if not r["IsDefault"]}

    deleted = rule_arns()
    for rule in deleted:
        cluster.aws.elbv2.delete_rule(RuleArn=rule)

    def repaired() -> bool:
        now = rule_arns()
        return len(now) == len(deleted) and not now & deleted

    eventually(repaired, 10, "the rules to be created again")
    eventually(lambda: canary_backend(cluster) == [["10.0.33.12:8080"]], 10, "routing as before")


def test_unreadable_objects_are_logged_and_skipped(cluster: Cluster) -> None:
    ctl = cluster.start()
    cluster.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bad"}})
    cluster.kube.apply({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "broken", "namespace": "bad"},
        "spec": {"gatewayClassName": "awsgw-alb",
                 "listeners": [{"name": "h", "port": 70000, "protocol": "HTTP"}]},
    })  # fmt: skip
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "the readable Gateway is programmed")
    warnings = [e for e in ctl.logs() if e.get("level") == "warning"]
    assert any("Gateway bad/broken" in e["msg"] for e in warnings), warnings
    assert ctl.get("/healthz")[0] == 200
    assert len(cluster.aws.owned()["lbs"]) == 1
    broken = cluster.kube.get(*GATEWAY, "bad", "broken")
    assert broken is not None and "status" not in broken
