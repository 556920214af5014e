"""Offline Gateway API conformance: the upstream v1.6.1 manifests, replayed step by step
against awsgw and moto, judged from AWS state alone: HTTP requests by awsgw's ALB rule
evaluator (on an NLB Gateway, the chained ALB behind the listener), TCP, UDP and TLS
connections by the NLB evaluator (listener, weighted target groups, certificate by SNI).

The echo Deployments of the base manifests become EndpointSlices with distinct pod IPs, so a
request's backend is the Deployment owning the target IP it lands on. Objects get creation
timestamps in apply order; a spec change bumps ``metadata.generation``.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import yaml

from awsgw.core.store import Store
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject
from awsgw.providers.aws.alb import capabilities as alb_capabilities
from awsgw.providers.aws.alb.evaluate import AlbOutcome, load_listeners
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.nlb import capabilities as nlb_capabilities
from awsgw.providers.aws.nlb.evaluate import NlbState
from awsgw.providers.aws.nlb.provider import NlbProvider
from awsgw.providers.base import Provider
from awsgw.reconcilers.gateways import reconcile_all
from tests.certs import self_signed_secret

SHARED = Path(os.environ.get("AWSGW_SHARED", Path(__file__).resolve().parents[3] / "shared"))
CONFORMANCE = SHARED / "gateway-api" / "v1.6.1" / "conformance"


STREAM_KINDS = ("TCPRoute", "UDPRoute", "TLSRoute")


def stream_kinds(features: list[str]) -> set[str]:
    """The L4 Route kinds a test exercises (``TLSRouteModeTerminate`` is a TLSRoute test)."""
    return {k for k in STREAM_KINDS for f in features if f.startswith(k)}


class Evaluator(Protocol):
    def evaluate(self, request: Request) -> AlbOutcome: ...


@dataclass(frozen=True)
class Plane:
    """The data plane a conformance run drives: its GatewayClass, its provider, which upstream
    tests it takes, and how a request or connection sent to a Gateway's address is judged
    from AWS state alone."""

    name: str
    class_name: str
    controller: str
    features: tuple[str, ...]
    unsupported: Mapping[str, str]
    provider: Callable[[Aws, str, str], Provider]
    """(AWS, cluster name, VPC id) → the provider under test."""
    listeners: Callable[[Aws, str], Mapping[int, Evaluator]]
    """(AWS, the Gateway's address) → its HTTP listeners by port, each judging requests."""
    takes: Callable[[list[str]], bool]
    """Whether a test with these features belongs to this plane's profiles."""
    connections: Callable[[Aws, str], NlbState] | None = None
    """(AWS, the Gateway's address) → its L4 listeners, judging connections."""
    network_addresses: Callable[[Aws], tuple[dict[str, str], dict[str, str]]] | None = None
    """AWS → a usable and an unusable ``spec.addresses`` entry (the suite's
    ``UsableNetworkAddresses`` / ``UnusableNetworkAddresses``), for planes with static
    addresses."""


def _load_balancer(aws: Aws, address: str) -> str:
    elbv2 = aws.client("elbv2")
    for page in elbv2.get_paginator("describe_load_balancers").paginate():
        for lb in page["LoadBalancers"]:
            if lb["DNSName"] == address:
                return str(lb["LoadBalancerArn"])
    raise Failure(f"no load balancer answers at {address}")


def alb_listeners(aws: Aws, address: str) -> Mapping[int, Evaluator]:
    return load_listeners(aws.client("elbv2"), _load_balancer(aws, address))


def nlb_state(aws: Aws, address: str) -> NlbState:
    return NlbState(aws.client("elbv2"), _load_balancer(aws, address), aws.client("acm"))


def nlb_http_listeners(aws: Aws, address: str) -> Mapping[int, Evaluator]:
    """The HTTP listeners of an NLB Gateway: each NLB port that hands connections to the
    chained ALB, judged by that ALB's listener on the same port."""
    state = nlb_state(aws, address)
    out: dict[int, Evaluator] = {}
    for port in state.listeners:
        chained = state.connect(port, "TCP").chained
        if chained:
            alb = load_listeners(aws.client("elbv2"), chained)
            if port in alb:
                out[port] = alb[port]
    return out


def elastic_ips(aws: Aws) -> tuple[dict[str, str], dict[str, str]]:
    """An Elastic IP of the account (usable), and an IPv4 address of the documentation range
    (RFC 5737) that is no Elastic IP of it (unusable). Neither is ever connected to."""
    usable = aws.client("ec2").allocate_address(Domain="vpc")["PublicIp"]
    return {"type": "IPAddress", "value": usable}, {"type": "IPAddress", "value": "192.0.2.10"}


PLACEHOLDERS = ("PLACEHOLDER_USABLE_ADDRS", "PLACEHOLDER_UNUSABLE_ADDRS")


def substitute_addresses(value: Any, usable: dict[str, str], unusable: dict[str, str]) -> Any:
    """As the suite does: each ``{value: PLACEHOLDER_*_ADDRS}`` address becomes the given
    address, and a bare placeholder string its value."""
    by_name = dict(zip(PLACEHOLDERS, (usable, unusable), strict=True))
    if isinstance(value, dict):
        if set(value) == {"value"} and value["value"] in by_name:
            return dict(by_name[value["value"]])
        return {k: substitute_addresses(v, usable, unusable) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_addresses(v, usable, unusable) for v in value]
    if isinstance(value, str) and value in by_name:
        return by_name[value]["value"]
    return value


ALB = Plane(
    "alb",
    "awsgw-alb",
    alb_capabilities.CONTROLLER,
    alb_capabilities.FEATURES,
    alb_capabilities.UNSUPPORTED,
    lambda aws, cluster, vpc: AlbProvider(aws, cluster, vpc, wait_active=5),
    alb_listeners,
    lambda features: not stream_kinds(features),
)
NLB = Plane(
    "nlb",
    "awsgw-nlb",
    nlb_capabilities.CONTROLLER,
    nlb_capabilities.FEATURES,
    nlb_capabilities.UNSUPPORTED,
    lambda aws, cluster, vpc: NlbProvider(aws, cluster, vpc, wait_active=5),
    nlb_http_listeners,
    lambda features: True,  # the HTTP tests too: its HTTP listeners are the chained ALB's
    nlb_state,
    elastic_ips,
)
PLANES = (ALB, NLB)
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PROGRAMMATIC_SECRETS = [
    # the server certificates the upstream suite creates before the tests (suite.go)
    ("gateway-conformance-web-backend", "certificate", ["*"]),
    (
        "gateway-conformance-infra",
        "tls-validity-checks-certificate",
        ["*", "*.org", "*.wildcard.org"],
    ),
    (
        "gateway-conformance-infra",
        "tls-checks-certificate",
        ["abc.example.com", "other.example.com"],
    ),
    ("gateway-conformance-infra", "tls-passthrough-checks-certificate", ["abc.example.com"]),
    ("gateway-conformance-app-backend", "tls-passthrough-checks-certificate", ["abc.example.com"]),
    ("gateway-conformance-infra", "tls-terminate-checks-certificate", ["tls.example.com"]),
]


def _key(doc: dict[str, Any]) -> tuple[str, str, str]:
    meta = doc["metadata"]
    return (doc["kind"], meta.get("namespace", ""), meta["name"])


def _spec_part(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("metadata", "status")}


def merge(base: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7386)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(base) if isinstance(base, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out


@dataclass
class Cluster:
    """The objects of a fake cluster, with apply-order timestamps and generations."""

    docs: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    clock: int = 0
    pod_ips: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Pod IP → (namespace, Deployment name)."""
    deployment_ips: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def apply(self, doc: dict[str, Any]) -> None:
        doc = copy.deepcopy(doc)
        key = _key(doc)
        old = self.docs.get(key)
        meta = doc.setdefault("metadata", {})
        if old is None:
            self.clock += 1
            meta["creationTimestamp"] = (START + dt.timedelta(seconds=self.clock)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            meta["generation"] = 1
        else:
            meta["creationTimestamp"] = old["metadata"]["creationTimestamp"]
            changed = _spec_part(old) != _spec_part(doc)
            meta["generation"] = old["metadata"]["generation"] + (1 if changed else 0)
            if "status" in old:
                doc["status"] = old["status"]
        self.docs[key] = doc
        if doc["kind"] == "Deployment":
            self._endpoints_for(doc)
        elif doc["kind"] == "Service" and old is None:
            for (kind, _, _), d in list(self.docs.items()):
                if kind == "Deployment":
                    self._endpoints_for(d)

    def patch(self, kind: str, namespace: str, name: str, change: dict[str, Any]) -> None:
        self.apply(merge(self.docs[(kind, namespace, name)], change))

    def replace_spec(self, kind: str, namespace: str, name: str, spec: dict[str, Any]) -> None:
        doc = copy.deepcopy(self.docs[(kind, namespace, name)])
        doc["spec"] = spec
        self.apply(doc)

    def delete(self, kind: str, namespace: str, name: str) -> None:
        self.docs.pop((kind, namespace, name), None)

    def _endpoints_for(self, deployment: dict[str, Any]) -> None:
        """EndpointSlices for every Service selecting the Deployment's pods."""
        ns = deployment["metadata"]["namespace"]
        name = deployment["metadata"]["name"]
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        replicas = deployment["spec"].get("replicas", 1)
        if (ns, name) not in self.deployment_ips:
            index = len(self.deployment_ips) + 1
            ips = [f"10.{100 + index // 250}.{index % 250}.{i + 1}" for i in range(replicas)]
            self.deployment_ips[(ns, name)] = ips
            for ip in ips:
                self.pod_ips[ip] = (ns, name)
        ips = self.deployment_ips[(ns, name)]
        for (kind, sns, sname), svc in list(self.docs.items()):
            selector = (svc.get("spec") or {}).get("selector") or {}
            if kind != "Service" or sns != ns or not selector:
                continue
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            ports = [
                {
                    "name": p.get("name", ""),
                    "port": p.get("targetPort", p["port"]),
                    "protocol": p.get("protocol", "TCP"),
                }
                for p in svc["spec"].get("ports", [])
                if isinstance(p.get("targetPort", p["port"]), int)
            ]
            self.apply(
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": f"{sname}-{name}",
                        "namespace": ns,
                        "labels": {"kubernetes.io/service-name": sname},
                    },
                    "addressType": "IPv4",
                    "ports": ports,
                    "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ips],
                }
            )

    def objects(self) -> list[KubeObject]:
        out = []
        for i, doc in enumerate(self.docs.values()):
            obj = parse_document(doc, f"{doc['kind']} {doc['metadata']['name']}")
            if obj is not None:
                obj._order = i
                out.append(obj)
        return out


HTTPS_CERTIFICATE = "tls-validity-checks-certificate"
"""The suite's programmatic certificate (``*``) an HTTPS adaptation's listeners present."""


def over_https(doc: dict[str, Any], gateways: list[str]) -> dict[str, Any]:
    """The HTTPS adaptation of a Gateway the case names: each HTTP listener on port 80
    becomes HTTPS on 443 presenting ``HTTPS_CERTIFICATE`` (for a data plane that serves the
    test's Route kind only over TLS: gRPC on ALB). Other documents are unchanged."""
    meta = doc.get("metadata") or {}
    if (
        doc.get("kind") != "Gateway"
        or f"{meta.get('namespace')}/{meta.get('name')}" not in gateways
    ):
        return doc
    doc = copy.deepcopy(doc)
    for ls in doc["spec"]["listeners"]:
        if ls["protocol"] == "HTTP" and ls["port"] == 80:
            ls.update(protocol="HTTPS", port=443,
                      tls={"certificateRefs": [{"name": HTTPS_CERTIFICATE}]})  # fmt: skip
    return doc


def https_requests(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps of an HTTPS adaptation: requests to port 80 go to 443 over https."""
    out = copy.deepcopy(steps)
    for step in out:
        for req in step.get("requests", []):
            if int(req.get("port", 80)) == 80:
                req.update(port=443, scheme="https")
    return out


def load_manifest(relative: str, plane: Plane = ALB) -> list[dict[str, Any]]:
    text = (CONFORMANCE / relative).read_text().replace("{GATEWAY_CLASS_NAME}", plane.class_name)
    return [d for d in yaml.safe_load_all(text) if d]


def new_cluster(
    manifests: list[str], plane: Plane = ALB, https_gateways: list[str] | None = None
) -> Cluster:
    """The suite's set-up: class, base manifests, programmatic Secrets, then the test's own
    (the Gateways of ``https_gateways`` in their HTTPS adaptation)."""
    cluster = Cluster()
    cluster.apply(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": plane.class_name},
            "spec": {"controllerName": plane.controller},
        }
    )
    adapt = https_gateways or []
    services_first = sorted(
        (over_https(d, adapt) for d in load_manifest("base/manifests.yaml", plane)),
        key=lambda d: d["kind"] == "Deployment",
    )
    for doc in services_first:
        cluster.apply(doc)
    for ns, name, hosts in PROGRAMMATIC_SECRETS:
        cluster.apply(self_signed_secret(ns, name, hosts))
    for manifest in manifests:
        docs = [over_https(d, adapt) for d in load_manifest(manifest, plane)]
        for doc in sorted(docs, key=lambda d: d["kind"] == "Deployment"):
            cluster.apply(doc)
    return cluster


class Failure(AssertionError):
    """A conformance expectation that did not hold."""


@dataclass
class Runner:
    """Reconciles a Cluster into moto and checks expectations against AWS and statuses."""

    cluster: Cluster
    cluster_name: str
    vpc_id: str
    plane: Plane = ALB
    aws: Aws = field(default_factory=lambda: Aws.create(max_attempts=1))

    def reconcile(self) -> None:
        provider = self.plane.provider(self.aws, self.cluster_name, self.vpc_id)
        store = Store.of(self.cluster.objects())
        now = (START + dt.timedelta(seconds=self.cluster.clock + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        result = reconcile_all(store, {self.plane.controller: provider}, now)
        if result.failed:
            raise Failure(f"AWS failures: {result.failed}")
        for (kind, key), status in result.statuses.items():
            ns, _, name = key.rpartition("/")
            doc = self.cluster.docs.get((kind, ns, name))
            if doc is not None:
                doc["status"] = status

    # ------------------------------------------------------------------ status checks
    def doc(self, kind: str, namespace: str, name: str) -> dict[str, Any]:
        found = self.cluster.docs.get((kind, namespace, name))
        if found is None:
            raise Failure(f"{kind} {namespace}/{name} does not exist")
        return found


def conditions_match(
    where: str, expected: list[dict[str, Any]], actual: list[dict[str, Any]], generation: int
) -> None:
    for cond in actual:
        if cond.get("observedGeneration") != generation:
            raise Failure(
                f"{where}: condition {cond['type']} has observedGeneration "
                f"{cond.get('observedGeneration')}, want {generation}"
            )
    for want in expected:
        got = next((c for c in actual if c["type"] == want["type"]), None)
        if got is None:
            raise Failure(f"{where}: no {want['type']} condition in {actual}")
        for k in ("status", "reason"):
            if k in want and str(got[k]) != str(want[k]):
                raise Failure(
                    f"{where}: {want['type']} {k} is {got[k]!r}, want {want[k]!r} "
                    f"({got.get('message')})"
                )


def check_gateway(runner: Runner, want: dict[str, Any], previous_generation: int | None) -> None:
    doc = runner.doc("Gateway", want["namespace"], want["name"])
    where = f"Gateway {want['namespace']}/{want['name']}"
    gen = doc["metadata"]["generation"]
    status = doc.get("status") or {}
    conditions_match(where, want.get("conditions", []), status.get("conditions", []), gen)
    if want.get("addresses"):
        addresses = status.get("addresses") or []
        if not addresses or not all(a.get("type") for a in addresses):
            raise Failure(f"{where}: no typed address in status")
    if "address_values" in want:
        values = [a.get("value") for a in status.get("addresses") or []]
        if values != want["address_values"]:
            raise Failure(f"{where}: status addresses {values}, want {want['address_values']}")
    if (
        want.get("generation_changed")
        and previous_generation is not None
        and gen == previous_generation
    ):
        raise Failure(f"{where}: generation did not change")
    if "attached_listener_sets" in want:
        got_sets = status.get("attachedListenerSets", 0)
        if got_sets != want["attached_listener_sets"]:
            raise Failure(f"{where}: attachedListenerSets {got_sets}, "
                          f"want {want['attached_listener_sets']}")  # fmt: skip
    if want.get("zero_routes"):
        attached = {ls["name"]: ls["attachedRoutes"] for ls in status.get("listeners", [])}
        if not attached or any(attached.values()):
            raise Failure(f"{where}: want 0 attached Routes on every listener, have {attached}")
    expected = want.get("listeners")
    if expected is None:
        return
    strict = any("attachedRoutes" in ls or "supportedKinds" in ls for ls in expected)
    check_listeners(where, expected, status, gen, strict)


def check_listener_set(runner: Runner, want: dict[str, Any]) -> None:
    """A ListenerSet's conditions (ListenerSetMustHaveCondition) and listener entries
    (ListenerSetListenersMustHaveConditions, ListenerSetStatusMustHaveListeners)."""
    doc = runner.doc("ListenerSet", want["namespace"], want["name"])
    where = f"ListenerSet {want['namespace']}/{want['name']}"
    gen = doc["metadata"]["generation"]
    status = doc.get("status") or {}
    conditions_match(where, want.get("conditions", []), status.get("conditions", []), gen)
    if "listeners" in want:
        check_listeners(where, want["listeners"], status, gen, bool(want.get("exact_listeners")))


def check_listeners(
    where: str, expected: list[dict[str, Any]], status: dict[str, Any], gen: int, strict: bool
) -> None:
    """Listener entries of a Gateway or ListenerSet status: each expected one by name (all of
    them and no other when ``strict``) with its conditions, attachedRoutes, supportedKinds."""
    actual = {ls["name"]: ls for ls in status.get("listeners", [])}
    if strict and set(actual) != {ls["name"] for ls in expected}:
        raise Failure(f"{where}: listener statuses {sorted(actual)}, "
                      f"want {sorted(ls['name'] for ls in expected)}")  # fmt: skip
    for ls in expected:
        got = actual.get(ls["name"])
        if got is None:
            raise Failure(f"{where}: no status for listener {ls['name']}")
        lw = f"{where} listener {ls['name']}"
        conditions_match(lw, ls.get("conditions", []), got.get("conditions", []), gen)
        if "attachedRoutes" in ls and got["attachedRoutes"] != ls["attachedRoutes"]:
            raise Failure(
                f"{lw}: attachedRoutes {got['attachedRoutes']}, want {ls['attachedRoutes']}"
            )
        if "supportedKinds" in ls:
            kinds = {
                (k.get("group", "gateway.networking.k8s.io"), k["kind"])
                for k in got.get("supportedKinds", [])
            }
            wanted = {
                (k.get("group") or "gateway.networking.k8s.io", k["kind"])
                for k in ls["supportedKinds"]
            }
            if (not wanted and kinds) or not wanted <= kinds:
                raise Failure(f"{lw}: supportedKinds {sorted(kinds)}, want {sorted(wanted)}")


def check_route(runner: Runner, want: dict[str, Any]) -> None:
    doc = runner.doc(want["kind"], want["namespace"], want["name"])
    where = f"{want['kind']} {want['namespace']}/{want['name']}"
    gen = doc["metadata"]["generation"]
    parents = (doc.get("status") or {}).get("parents", [])
    for p in parents:
        conditions_match(where, [], p.get("conditions", []), gen)
    if want.get("no_accepted_parents"):
        ours = [p for p in parents if p.get("controllerName") == runner.plane.controller]
        if len(ours) > 1 or any(
            c["type"] == "Accepted" and c["status"] == "True" for p in ours for c in p["conditions"]
        ):
            raise Failure(f"{where}: want no accepted parent, have {ours}")
    for expected in want.get("parents", []):
        kind = "ListenerSet" if "listenerset" in expected else "Gateway"
        gw_ns, _, gw_name = expected.get("gateway", expected.get("listenerset", "")).partition("/")
        candidates = [
            p
            for p in parents
            if p.get("controllerName") == runner.plane.controller
            and p["parentRef"].get("group") == "gateway.networking.k8s.io"
            and p["parentRef"].get("kind") == kind
            and p["parentRef"]["name"] == gw_name
            and p["parentRef"].get("namespace", want["namespace"]) == gw_ns
        ]  # like upstream, sectionName and port are not compared
        errors = []
        for cand in candidates:
            try:
                conditions_match(where, expected.get("conditions", []), cand["conditions"], gen)
                break
            except Failure as exc:
                errors.append(str(exc))
        else:
            raise Failure(f"{where}: no parent status matches {expected}: {errors or parents}")


# ------------------------------------------------------------------ requests


def gateway_address(runner: Runner, gateway: str) -> str:
    ns, _, name = gateway.partition("/")
    status = runner.doc("Gateway", ns, name).get("status") or {}
    address = next((a["value"] for a in status.get("addresses", [])), None)
    if address is None:
        raise Failure(f"Gateway {gateway} has no address")
    return str(address)


def send(runner: Runner, req: dict[str, Any]) -> tuple[AlbOutcome, str]:
    address = gateway_address(runner, req["gateway"])
    listeners = runner.plane.listeners(runner.aws, address)
    port = int(req.get("port", 80))
    if port not in listeners:
        raise Failure(f"Gateway {req['gateway']} has no listener on port {port}")
    host = req.get("host") or address
    headers = tuple((k, str(v)) for k, v in (req.get("headers") or {}).items())
    scheme = req.get("scheme", "http")
    if "grpc" in req:
        request = Request.grpc_call(host, req["grpc"], headers, port, scheme)
    else:
        request = Request(host, req.get("path", "/"), req.get("method", "GET"), headers, port,
                          scheme)  # fmt: skip
    return listeners[port].evaluate(request), host


def check_request(runner: Runner, req: dict[str, Any]) -> None:
    outcome, host = send(runner, req)
    want = req["expect"]
    method, path = ("gRPC", "/" + req["grpc"]) if "grpc" in req else (
        req.get("method", "GET"), req.get("path", "/"))  # fmt: skip
    where = (
        f"{method} {req.get('scheme', 'http')}://{req.get('host') or '<gw>'}"
        f":{req.get('port', 80)}{path} {req.get('headers') or ''}"
    )
    statuses = want.get("statuses") or [want.get("status", 200)]
    if outcome.status not in statuses:
        raise Failure(f"{where}: status {outcome.status}, want {statuses} ({outcome})")
    if "backend" in want:
        pods = {t.rsplit(":", 1)[0] for _, w, targets in outcome.targets if w > 0 for t in targets}
        owners = {runner.cluster.pod_ips.get(ip) for ip in pods}
        expected = (want.get("namespace", "gateway-conformance-infra"), want["backend"])
        if owners != {expected}:
            raise Failure(f"{where}: backends {owners}, want {expected}")
    if "shares" in want:
        owners: dict[str, int] = {}
        for _, weight, targets in outcome.targets:
            for owner in {runner.cluster.pod_ips.get(t.rsplit(":", 1)[0]) for t in targets}:
                if owner is not None:
                    owners[owner[1]] = owners.get(owner[1], 0) + weight
        total = sum(owners.values())
        for backend, share in want["shares"].items():
            got = owners.get(backend, 0) / total if total else 0.0
            if abs(got - float(share)) > 0.05:
                raise Failure(f"{where}: {backend} gets {got:.2f} of the requests, want {share}")
    if "grpc" in req and outcome.action == "forward":
        plain = {n: v for n, v in outcome.versions.items() if v != "GRPC"}
        if plain or not outcome.versions:
            raise Failure(f"{where}: a gRPC call reaches target groups {plain or outcome.targets}, "
                          "not gRPC ones")  # fmt: skip
    if "path" in want and outcome.path is not None:
        got = outcome.path.split("?", 1)[0]
        if got != want["path"]:
            raise Failure(f"{where}: backend sees path {got!r}, want {want['path']!r}")
    if "host" in want:
        seen = (outcome.host or host).split(":", 1)[0]
        if seen != want["host"]:
            raise Failure(f"{where}: backend sees host {seen!r}, want {want['host']!r}")
    if "redirect" in want:
        check_redirect(where, want["redirect"], outcome, req)
    for key in ("request_headers", "absent_request_headers", "response_headers"):
        if want.get(key):
            raise Failure(f"{where}: {key} cannot be judged: ALB does not modify headers")


def check_redirect(
    where: str, want: dict[str, Any], outcome: AlbOutcome, req: dict[str, Any]
) -> None:
    if outcome.location is None:
        raise Failure(f"{where}: no redirect ({outcome})")
    loc = urlsplit(outcome.location)
    scheme = loc.scheme
    port = str(loc.port) if loc.port else {"http": "80", "https": "443"}[scheme]
    got = {"scheme": scheme, "host": loc.hostname, "port": port, "path": loc.path}
    for k, v in want.items():
        expected = str(v)
        if k == "port" and not expected:
            continue
        if got.get(k) != expected:
            raise Failure(
                f"{where}: redirect {k} {got.get(k)!r}, want {expected!r} "
                f"(Location {outcome.location})"
            )


def listener_port(runner: Runner, gateway: str, listener: str) -> int:
    ns, _, name = gateway.partition("/")
    for ls in runner.doc("Gateway", ns, name)["spec"]["listeners"]:
        if ls["name"] == listener:
            return int(ls["port"])
    raise Failure(f"Gateway {gateway} has no listener {listener}")


def check_connection(runner: Runner, conn: dict[str, Any]) -> None:
    """A TCP, UDP or TLS connection to a Gateway's address, judged from the NLB's listener,
    its target groups' weights and registered targets, and the certificate it presents."""
    if runner.plane.connections is None:
        raise Failure(f"the {runner.plane.name} data plane takes no L4 connections")
    gateway = conn["gateway"]
    port = conn.get("port") or listener_port(runner, gateway, conn["listener"])
    protocol = conn.get("protocol", "TCP")
    state = runner.plane.connections(runner.aws, gateway_address(runner, gateway))
    got = state.connect(int(port), protocol, conn.get("sni"))
    where = f"{protocol} {gateway}:{port}" + (f" (SNI {conn['sni']})" if conn.get("sni") else "")
    want = conn["expect"]
    owners: dict[tuple[str, str] | None, int] = {}
    for _, weight, targets in got.targets:
        for owner in {runner.cluster.pod_ips.get(t.rsplit(":", 1)[0]) for t in targets}:
            owners[owner] = owners.get(owner, 0) + weight
    reached = {o for o, w in owners.items() if w > 0}
    if want.get("refused"):
        if got.refused is None and reached:
            raise Failure(f"{where}: want the connection refused, it reaches {sorted(reached)}")
        return
    if got.refused is not None:
        raise Failure(f"{where}: refused: {got.refused}")
    namespace = want.get("namespace", "gateway-conformance-infra")
    if "backend" in want and reached != {(namespace, want["backend"])}:
        raise Failure(f"{where}: backends {reached}, want {(namespace, want['backend'])}")
    if "shares" in want:
        total = sum(owners.values())
        shares = {o[1]: w / total for o, w in owners.items() if o and total}
        for backend, share in want["shares"].items():
            if abs(shares.get(backend, 0.0) - float(share)) > 0.05:
                raise Failure(f"{where}: {backend} gets {shares.get(backend, 0.0):.2f} of the "
                              f"connections, want {share} ({shares})")  # fmt: skip
    if "certificate" in want:
        cert = got.certificate
        if cert is None or not cert.covers(want["certificate"]):
            raise Failure(f"{where}: presented {cert}, want a certificate for "
                          f"{want['certificate']}")  # fmt: skip
    if want.get("passthrough") and got.certificate is not None:
        raise Failure(f"{where}: the NLB terminates TLS ({got.listener}); want passthrough")


def encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
