"""Test helpers: build objects from YAML text, run one reconcile pass, inspect AWS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from awsgw.core.store import Store
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject
from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB_CONTROLLER
from awsgw.providers.aws.alb.evaluate import AlbOutcome, LiveListener, load_listeners
from awsgw.providers.aws.alb.plan.compile import AlbLimits
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.common.session import Aws
from awsgw.reconcilers.gateways import PassResult, reconcile

NOW = "2026-01-01T00:00:00Z"
GATEWAY_CLASS = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: awsgw.io/alb}
"""


def objects(text: str) -> list[KubeObject]:
    out = []
    for i, doc in enumerate(d for d in yaml.safe_load_all(text) if d):
        obj = parse_document(doc, f"test document {i + 1}")
        assert obj is not None, doc
        obj._order = i
        out.append(obj)
    return out


def service(
    ns: str,
    name: str,
    port: int,
    ips: list[str],
    target_port: int = 8080,
    protocol: str | None = None,
    port_name: str = "http",
) -> str:
    """A Service with one port (of ``protocol``, if given) plus its EndpointSlice with ready
    endpoints."""
    endpoints = "".join(f"\n- addresses: [{ip}]" for ip in ips) or " []"
    of = f", protocol: {protocol}" if protocol else ""
    return f"""
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  ports: [{{name: {port_name}, port: {port}, targetPort: {target_port}{of}}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: {name}-1
  namespace: {ns}
  labels: {{kubernetes.io/service-name: {name}}}
addressType: IPv4
ports: [{{name: {port_name}, port: {target_port}{of}}}]
endpoints:{endpoints}
"""


@dataclass
class Harness:
    """One cluster's view: run passes against moto and read the result back from AWS."""

    cluster: str
    vpc_id: str
    limits: AlbLimits = AlbLimits()

    def __post_init__(self) -> None:
        self.aws = Aws.create(max_attempts=1)

    def run(self, text: str, only: str | None = None) -> PassResult:
        """A full pass over ``text`` (or one over the Gateway ``only``), counting its calls."""
        provider = AlbProvider(self.aws, self.cluster, self.vpc_id, self.limits, wait_active=5)
        self.aws.counter.reset()
        return reconcile(Store.of(objects(text)), {ALB_CONTROLLER: provider}, NOW, only)

    @property
    def elbv2(self) -> Any:
        return self.aws.client("elbv2")

    def lb(self, gateway_key: str) -> dict[str, Any]:
        lbs = self.elbv2.describe_load_balancers()["LoadBalancers"]
        tags = (
            {
                d["ResourceArn"]: {t["Key"]: t["Value"] for t in d["Tags"]}
                for d in self.elbv2.describe_tags(
                    ResourceArns=[lb["LoadBalancerArn"] for lb in lbs]
                )["TagDescriptions"]
            }
            if lbs
            else {}
        )
        mine = [
            lb
            for lb in lbs
            if tags[lb["LoadBalancerArn"]].get("awsgw.io/gateway") == gateway_key
            and tags[lb["LoadBalancerArn"]].get("awsgw.io/cluster") == self.cluster
        ]
        assert len(mine) == 1, mine
        return mine[0]

    def listeners(self, gateway_key: str) -> dict[int, LiveListener]:
        return load_listeners(self.elbv2, self.lb(gateway_key)["LoadBalancerArn"])

    def send(
        self, gateway_key: str, host: str, path: str = "/", port: int = 80, **kw: Any
    ) -> AlbOutcome:
        listener = self.listeners(gateway_key)[port]
        return listener.evaluate(Request(host=host, path=path, port=port, **kw))


def deny_get_resources(aws: Aws) -> None:
    """Make the account refuse the caller ``tag:GetResources``, as an IAM policy without it
    does (AccessDeniedException, answered before the call is sent)."""

    class Denied:
        status_code = 400

    def deny(**_: Any) -> tuple[Denied, dict[str, Any]]:
        error = {"Code": "AccessDeniedException", "Message": "not authorized: tag:GetResources"}
        return Denied(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    aws.session.events.register("before-call.resource-groups-tagging-api.GetResources", deny)


def backend_ips(outcome: AlbOutcome) -> set[str]:
    """Every target address the outcome forwards to (weight > 0)."""
    return {t for _, w, targets in outcome.targets if w > 0 for t in targets}


def condition(status: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in status["conditions"] if c["type"] == kind)


NLB_CLASS = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: awsgw.io/nlb}
"""


def stream_service(
    ns: str, name: str, port: int, ips: list[str], protocol: str = "TCP", target_port: int = 9000
) -> str:
    """A Service with one port of ``protocol`` plus its EndpointSlice with ready endpoints."""
    return service(ns, name, port, ips, target_port, protocol, port_name="p")


@dataclass
class NlbHarness:
    """Passes of the NLB data plane against moto, read back from AWS."""

    cluster: str
    vpc_id: str

    def __post_init__(self) -> None:
        self.aws = Aws.create(max_attempts=1)

    def run(self, text: str, only: str | None = None) -> PassResult:
        """A full pass over ``text`` (or one over the Gateway ``only``), counting its calls."""
        from awsgw.providers.aws.nlb.capabilities import CONTROLLER
        from awsgw.providers.aws.nlb.provider import NlbProvider

        provider = NlbProvider(self.aws, self.cluster, self.vpc_id, wait_active=5)
        self.aws.counter.reset()
        return reconcile(Store.of(objects(text)), {CONTROLLER: provider}, NOW, only)

    @property
    def elbv2(self) -> Any:
        return self.aws.client("elbv2")

    def owned(self) -> dict[str, dict[str, str]]:
        """ARN → tags of every ELBv2 load balancer and target group of this cluster."""
        from awsgw.providers.aws.elbv2.describe import tags_of

        arns = [
            lb["LoadBalancerArn"] for lb in self.elbv2.describe_load_balancers()["LoadBalancers"]
        ]
        arns += [tg["TargetGroupArn"] for tg in self.elbv2.describe_target_groups()["TargetGroups"]]
        tags = tags_of(self.elbv2, arns)
        return {a: t for a, t in tags.items() if t.get("awsgw.io/cluster") == self.cluster}

    def lb(self, gateway_key: str, lb_type: str = "network") -> dict[str, Any]:
        owned = self.owned()
        found = [
            lb
            for lb in self.elbv2.describe_load_balancers()["LoadBalancers"]
            if owned.get(lb["LoadBalancerArn"], {}).get("awsgw.io/gateway") == gateway_key
            and lb["Type"] == lb_type
        ]
        assert len(found) == 1, found
        return found[0]

    def connect(
        self, gateway_key: str, port: int, protocol: str = "TCP", sni: str | None = None
    ) -> Any:
        from awsgw.providers.aws.nlb.evaluate import NlbState

        state = NlbState(
            self.elbv2, self.lb(gateway_key)["LoadBalancerArn"], self.aws.client("acm")
        )
        return state.connect(port, protocol, sni)

    def send(self, gateway_key: str, host: str, path: str = "/", port: int = 80) -> AlbOutcome:
        """An HTTP request to an NLB Gateway's HTTP listener, followed into its chained ALB."""
        connection = self.connect(gateway_key, port)
        assert connection.chained, connection
        listener = load_listeners(self.elbv2, connection.chained)[port]
        return listener.evaluate(Request(host=host, path=path, port=port))


def target_ips(connection: Any) -> set[str]:
    """Every target of a connection's forward with a weight above 0."""
    return {t for _, w, targets in connection.targets if w > 0 for t in targets}
