"""`awsgw run` against FakeKube and moto: create, update, targets, delete."""

from __future__ import annotations

import copy

from awsgw.providers.aws.alb.evaluate import load_listeners
from awsgw.providers.aws.common.requests import Request
from tests.e2e.conftest import GATEWAY, ROUTE, Cluster, condition, eventually

FINALIZER = "awsgw.io/gateway-resources"


def store_route(cluster: Cluster) -> dict:
    route = cluster.kube.get(*ROUTE, "shop", "store")
    assert route is not None
    return route


def evaluate(cluster: Cluster, host: str, path: str, **kw: object):
    arn = cluster.aws.lb_arn()
    assert arn
    return load_listeners(cluster.aws.elbv2, arn)[80].evaluate(Request(host, path, **kw))


def test_gateway_and_route_get_an_alb_a_status_and_events(cluster: Cluster) -> None:
    ctl = cluster.start()
    eventually(ctl.ready, 10, "caches synced")
    cluster.apply_quickstart()
    gw = eventually(cluster.programmed, 20, "Gateway Programmed")
    assert FINALIZER in gw["metadata"]["finalizers"]
    assert gw["status"]["addresses"][0]["value"].endswith(".elb.amazonaws.com")
    assert condition(gw["status"], "Programmed")["observedGeneration"] == 1
    route = eventually(lambda: store_route(cluster).get("status"), 10, "route status")
    parent = route["parents"][0]
    assert parent["controllerName"] == "awsgw.io/alb"
    assert condition(parent, "Accepted")["status"] == "True"
    gc = cluster.kube.get("gateway.networking.k8s.io/v1", "GatewayClass", None, "awsgw-alb")
    assert gc and condition(gc.get("status"), "Accepted")["status"] == "True"

    canary = evaluate(cluster, "store.example.com", "/cart/1", headers=(("x-canary", "true"),))
    assert [t[2] for t in canary.targets] == [["10.0.33.12:8080"]]
    moved = evaluate(cluster, "old.example.com", "/a")
    assert moved.status == 301

    events = cluster.kube.list("events.k8s.io/v1", "Event", "shop")
    programmed = [e for e in events if e["reason"] == "Programmed"]
    assert len(programmed) == 1, events
    assert programmed[0]["regarding"]["name"] == "web"
    assert programmed[0]["reportingController"] == "awsgw.io/alb"
    status_writes = [r for r in cluster.kube.requests if r.subresource == "status"]
    assert all(r.verb == "patch" for r in status_writes)
    assert ctl.metric_sum("awsgw_aws_calls_total") > 0
    assert ctl.metrics()["awsgw_leader"] == 1
    assert ctl.stop() == 0


def test_route_update_changes_the_rules_even_after_410(cluster: Cluster) -> None:
    ctl = cluster.start()
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "Gateway Programmed")
    eventually(lambda: evaluate(cluster, "store.example.com", "/cart").targets, 10)
    cluster.kube.compact()
    cluster.kube.close_watches()  # the controller must re-list (410) and carry on

    route = store_route(cluster)
    spec = copy.deepcopy(route["spec"])
    spec["rules"][0]["matches"][0]["path"]["value"] = "/basket"
    cluster.kube.apply({**route, "spec": spec})

    def canary_moved() -> bool:
        old = evaluate(cluster, "store.example.com", "/cart/1", headers=(("x-canary", "true"),))
        new = evaluate(cluster, "store.example.com", "/basket", headers=(("x-canary", "true"),))
        return [t[2] for t in new.targets] == [["10.0.33.12:8080"]] and len(old.targets) == 2

    eventually(canary_moved, 15, "rules follow the route")
    relists = ctl.metric_sum("awsgw_reflector_lists_total")
    assert relists > 8, "every kind listed at start, HTTPRoute again after the 410"
    parent = eventually(lambda: store_route(cluster).get("status"), 5)["parents"][0]
    assert condition(parent, "Accepted")["observedGeneration"] == 2
    assert ctl.stop() == 0


def test_endpoint_slice_change_reregisters_targets(cluster: Cluster) -> None:
    cluster.start()
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "Gateway Programmed")
    tgs = cluster.aws.owned()["tgs"]  # names are hashed: find the group by its targets
    by_targets = {n: cluster.aws.targets(n) for n in tgs}
    tg = next(n for n, t in by_targets.items() if t == {"10.0.1.10:8080", "10.0.17.11:8080"})
    slice_ = cluster.kube.get("discovery.k8s.io/v1", "EndpointSlice", "shop", "store-abc12")
    assert slice_ is not None
    slice_["endpoints"] = [
        {"addresses": ["10.0.1.10"], "conditions": {"ready": True}},
        {"addresses": ["10.0.2.20"], "conditions": {"ready": True}},
        {"addresses": ["10.0.3.30"], "conditions": {"ready": False}},
    ]
    cluster.kube.apply(slice_)
    eventually(lambda: cluster.aws.targets(tg) == {"10.0.1.10:8080", "10.0.2.20:8080"}, 15,
               "targets follow the EndpointSlice")  # fmt: skip


def test_deleting_the_gateway_removes_aws_resources_before_the_object(cluster: Cluster) -> None:
    ctl = cluster.start()
    cluster.apply_quickstart()
    eventually(cluster.programmed, 20, "Gateway Programmed")
    owned = cluster.aws.owned()
    assert len(owned["lbs"]) == 1 and len(owned["tgs"]) == 2 and len(owned["sgs"]) == 1
    cluster.kube.delete(*GATEWAY, "shop", "web")
    eventually(lambda: cluster.gateway() is None, 20, "the Gateway to disappear")
    assert cluster.aws.owned() == {"lbs": [], "tgs": [], "sgs": []}
    messages = [e.get("msg") for e in ctl.logs()]
    assert messages.index("AWS resources deleted") < messages.index("finalizer removed")
    route = store_route(cluster)
    assert route is not None
    assert ctl.stop() == 0
