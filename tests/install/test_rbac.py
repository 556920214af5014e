"""The chart's RBAC is exactly what `awsgw run` needs: the controller, started with the
environment the chart's Deployment renders, runs an ALB Gateway, a VPC Lattice Gateway
(an HTTPRoute and a GRPCRoute, which get their service's DNS name as an annotation) and an
NLB Gateway (examples/nlb: TCPRoutes, a UDPRoute, a TLSRoute) and a shared ALB Gateway
with a team's ListenerSet (examples/listenerset) through their lives against
FakeKube (and a moto server); every request it sends is allowed by the
rendered ClusterRole and Role, every verb they grant is used, and removing or adding one
fails the check.

The e2e tests' requests are checked the same way at the end of the session
(tests/install/plugin.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from awsgw.embedded import make_vpc, moto_server
from awsgw.testing.fakekube import FakeKube, RequestRecord
from tests.certs import self_signed_secret
from tests.install.chart import (
    NAMESPACE,
    ROOT,
    Rule,
    bound_rules,
    check_rbac,
    controller_requests,
    of_kind,
    render,
)

T = TypeVar("T")
CLUSTER = "rbac-check"
FAST = {
    "leaderElection": {"leaseDuration": 3, "renewDeadline": 2, "retryPeriod": 0.2},
    "controller": {"requeuePending": 0.2, "shutdownGrace": 5},
}
GATEWAY = ("gateway.networking.k8s.io/v1", "Gateway", "shop", "web")
MESH = ("gateway.networking.k8s.io/v1", "Gateway", "infra", "mesh")
EDGE = ("gateway.networking.k8s.io/v1", "Gateway", "data", "edge")
SHARED = ("gateway.networking.k8s.io/v1", "Gateway", "platform", "shared")
DNS = "awsgw.io/lattice-dns"
LATTICE = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: awsgw-lattice}
spec: {controllerName: awsgw.io/lattice}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: infra}
spec:
  gatewayClassName: awsgw-lattice
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: mesh}]}
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: inventory, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra, sectionName: http}]
  rules: [{backendRefs: [{name: store, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules: [{backendRefs: [{name: store, port: 8080}]}]
"""
"""A VPC Lattice Gateway with an HTTPRoute and a GRPCRoute (it needs an HTTPS listener)."""


def eventually(check: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def condition(status: dict[str, Any] | None, kind: str) -> str:
    for c in (status or {}).get("conditions") or []:
        if c.get("type") == kind:
            return str(c.get("status"))
    return ""


def chart_environment(docs: list[dict[str, Any]], pod: str) -> dict[str, str]:
    """The container environment of the chart's Deployment, as the kubelet would set it."""
    container = of_kind(docs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    out = {}
    for var in container["env"]:
        if "value" in var:
            out[var["name"]] = var["value"]
        elif var["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}:
            out[var["name"]] = pod
        else:
            raise AssertionError(f"unexpected environment variable {var}")
    return out


def run_controller_through_a_gateway_life(tmp: Path) -> list[RequestRecord]:
    with moto_server() as endpoint, FakeKube(bookmark_interval=1.0) as kube:
        vpc, _ = make_vpc(endpoint, CLUSTER)
        docs = render({"clusterName": CLUSTER, "vpcId": vpc, "region": "us-east-1", **FAST})
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSGW_"))}
        env.update(chart_environment(docs, pod="awsgw-5d8c7b9f4-x2x7q"))
        env.update(  # what EKS provides (credentials, API server), and a free local port
            AWS_ENDPOINT_URL=endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            KUBECONFIG=str(kube.write_kubeconfig(tmp / "kubeconfig")),
            AWSGW_METRICS_ADDRESS="127.0.0.1:0",
            NO_PROXY="127.0.0.1",
        )
        log_path = tmp / "controller.log"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "awsgw", "run"], env=env, stdout=log, stderr=log, cwd=ROOT
            )
        try:
            _drive(kube, docs, proc, log_path)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        return controller_requests(kube.requests)


def _drive(kube: FakeKube, docs: list[dict[str, Any]], proc: Any, log_path: Path) -> None:
    def logs() -> list[dict[str, Any]]:
        out = []
        for line in log_path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"msg": line})
        return out

    def leading() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"awsgw run exited {proc.returncode}: {log_path.read_text()}")
        lease = kube.get("coordination.k8s.io/v1", "Lease", NAMESPACE, "awsgw-controller")
        return bool(lease and lease["spec"].get("holderIdentity"))

    eventually(leading, 20, "the controller to take the lease")
    for gc in of_kind(docs, "GatewayClass"):  # the chart's own GatewayClass
        kube.apply(gc)
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    for path in sorted((ROOT / "examples" / "quickstart").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc["kind"] != "GatewayClass":
                kube.apply(doc)

    def programmed() -> bool:
        gw = kube.get(*GATEWAY)
        route = kube.get("gateway.networking.k8s.io/v1", "HTTPRoute", "shop", "store")
        gc = kube.get("gateway.networking.k8s.io/v1", "GatewayClass", None, "awsgw-alb")
        return (
            condition((gw or {}).get("status"), "Programmed") == "True"
            and bool((route or {}).get("status"))
            and condition((gc or {}).get("status"), "Accepted") == "True"
        )

    eventually(programmed, 30, "the Gateway to be Programmed, with Route and class statuses")
    eventually(lambda: kube.list("events.k8s.io/v1", "Event", "shop"), 10, "an Event")
    kube.apply(TARGET_GROUP_POLICY)  # a health check on the quickstart's store Service

    def policy_reported() -> bool:
        found = kube.get("awsgw.io/v1alpha1", "TargetGroupPolicy", "shop", "store")
        ancestors = ((found or {}).get("status") or {}).get("ancestors") or []
        return any(condition(a, "Accepted") == "True" for a in ancestors)

    eventually(policy_reported, 30, "the TargetGroupPolicy's ancestor status")

    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "infra"}})
    kube.apply(self_signed_secret("infra", "mesh", ["*.example.com"]))
    for doc in yaml.safe_load_all(LATTICE):
        kube.apply(doc)

    def lattice_programmed() -> bool:
        mesh = kube.get(*MESH)
        routes = [
            kube.get("gateway.networking.k8s.io/v1", kind, "shop", name)
            for kind, name in (("HTTPRoute", "inventory"), ("GRPCRoute", "echo"))
        ]
        return condition((mesh or {}).get("status"), "Programmed") == "True" and all(
            (r or {}).get("status") and DNS in ((r or {})["metadata"].get("annotations") or {})
            for r in routes
        )

    eventually(lattice_programmed, 30, "the Lattice Gateway Programmed, Routes with DNS names")

    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}})
    for path in sorted((ROOT / "examples" / "nlb").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc["kind"] != "GatewayClass":
                kube.apply(doc)

    def nlb_programmed() -> bool:
        edge = kube.get(*EDGE)
        routes = [
            kube.get("gateway.networking.k8s.io/v1", kind, "data", name)
            for kind, name in (("TCPRoute", "postgres"), ("UDPRoute", "dns-udp"),
                               ("TLSRoute", "vault"))
        ]  # fmt: skip
        return condition((edge or {}).get("status"), "Programmed") == "True" and all(
            (r or {}).get("status") for r in routes
        )

    eventually(nlb_programmed, 30, "the NLB Gateway Programmed, with TCP, UDP and TLS Routes")
    for path in sorted((ROOT / "examples" / "listenerset").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc["kind"] != "GatewayClass":
                kube.apply(doc)

    def listener_set_programmed() -> bool:
        found = kube.get("gateway.networking.k8s.io/v1", "ListenerSet", "team", "team-web")
        route = kube.get("gateway.networking.k8s.io/v1", "HTTPRoute", "team", "web")
        return condition((found or {}).get("status"), "Programmed") == "True" and bool(
            (route or {}).get("status")
        )

    eventually(listener_set_programmed, 30, "the ListenerSet Programmed, its Route's status")
    for gateway in (GATEWAY, MESH, EDGE, SHARED):
        kube.delete(*gateway)
    eventually(lambda: kube.get(*SHARED) is None, 30, "the shared Gateway's finalizer to go")
    eventually(lambda: kube.get(*GATEWAY) is None, 30, "the Gateway's finalizer to go")
    eventually(lambda: kube.get(*MESH) is None, 30, "the Lattice Gateway's finalizer to go")
    eventually(lambda: kube.get(*EDGE) is None, 30, "the NLB Gateway's finalizer to go")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0, log_path.read_text()
    assert any(e.get("msg") == "stopped" for e in logs())


TARGET_GROUP_POLICY = {
    "apiVersion": "awsgw.io/v1alpha1",
    "kind": "TargetGroupPolicy",
    "metadata": {"name": "store", "namespace": "shop"},
    "spec": {
        "targetRefs": [{"group": "", "kind": "Service", "name": "store"}],
        "healthCheck": {"path": "/healthz"},
    },
}


@pytest.fixture(scope="module")
def requests(tmp_path_factory: pytest.TempPathFactory) -> list[RequestRecord]:
    return run_controller_through_a_gateway_life(tmp_path_factory.mktemp("rbac"))


def chart_rules(values: dict[str, Any] | None = None) -> list[Rule]:
    docs = render(values or {"clusterName": CLUSTER})
    sa = of_kind(docs, "ServiceAccount")[0]["metadata"]["name"]
    return bound_rules(docs, sa)


RULES = chart_rules()


def test_every_request_of_the_controller_is_allowed_and_every_grant_used(
    requests: list[RequestRecord],
) -> None:
    assert requests, "the controller sent nothing?"
    assert check_rbac(RULES, requests, all_ran=True) == []


def _rules_without(rule: Rule, verb: str, resource: str) -> list[Rule]:
    out = [r for r in RULES if r != rule]
    for resources, verbs in (
        ([x for x in rule.resources if x != resource], rule.verbs),
        ([resource], [v for v in rule.verbs if v != verb]),
    ):
        if resources and verbs:
            out.append(
                Rule(
                    rule.role,
                    rule.index,
                    rule.namespace,
                    rule.api_groups,
                    tuple(resources),
                    tuple(verbs),
                    rule.resource_names,
                )
            )
    return out


@pytest.mark.parametrize(
    ("rule", "verb", "resource"),
    [
        pytest.param(r, v, res, id=f"{r.role}#{r.index}-{v}-{res}")
        for r in RULES
        for v in r.verbs
        for res in r.resources
    ],
)
def test_removing_any_verb_denies_a_request(
    requests: list[RequestRecord], rule: Rule, verb: str, resource: str
) -> None:
    problems = check_rbac(_rules_without(rule, verb, resource), requests, all_ran=False)
    assert problems, f"removing {verb} {resource} from {rule} denied nothing"
    assert all(p.startswith(f"RBAC denies the controller's {verb} ") for p in problems), problems


@pytest.mark.parametrize(
    ("group", "resource", "verb"),
    [
        ("gateway.networking.k8s.io", "gateways", "delete"),
        ("", "secrets", "get"),
        ("gateway.networking.k8s.io", "httproutes", "update"),
        ("coordination.k8s.io", "leases", "list"),
    ],
)
def test_a_needless_grant_fails_the_check(
    requests: list[RequestRecord], group: str, resource: str, verb: str
) -> None:
    extra = Rule("extra", 0, "", (group,), (resource,), (verb,))
    assert check_rbac([*RULES, extra], requests, all_ran=True) == [
        f"ClusterRole extra rule #0 grants {verb} on {group or 'core'} {resource}, which the "
        "controller never used"
    ]


def test_the_lease_rules_hold_in_the_release_namespace_only(
    requests: list[RequestRecord],
) -> None:
    lease = next(r for r in requests if r.resource == "leases" and r.verb == "update")
    elsewhere = dataclasses.replace(lease, namespace="default")
    other_lease = dataclasses.replace(lease, name="someone-else")
    assert check_rbac(RULES, [lease], all_ran=False) == []
    assert check_rbac(RULES, [elsewhere], all_ran=False)
    assert check_rbac(RULES, [other_lease], all_ran=False)


def test_secrets_are_only_listed_and_watched(requests: list[RequestRecord]) -> None:
    verbs = {r.verb for r in requests if r.resource == "secrets"}
    assert verbs == {"list", "watch"}
    get = RequestRecord("get", "", "v1", "secrets", "", "shop", "tls", "awsgw/x", 200)
    assert check_rbac(RULES, [get], all_ran=False)
