"""Lattice test helpers: one cluster's reconcile passes against moto, and requests judged
from VPC Lattice state alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsgw.core.store import Store
from awsgw.objects import RouteRef
from awsgw.providers.aws.common.requests import Request
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.lattice.capabilities import CONTROLLER as LATTICE_CONTROLLER
from awsgw.providers.aws.lattice.evaluate import LatticeOutcome, send
from awsgw.providers.aws.lattice.plan.names import DNS_ANNOTATION
from awsgw.providers.aws.lattice.plan.specs import LatticeLimits
from awsgw.providers.aws.lattice.provider import LatticeProvider
from awsgw.reconcilers.gateways import PassResult, reconcile_all
from tests.support import NOW, objects

LATTICE_CLASS = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: awsgw.io/lattice}
"""


def gateway(name: str = "mesh", ns: str = "infra", listeners: str = "") -> str:
    listeners = listeners or (
        "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n"
    )
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: {name}, namespace: {ns}}}
spec:
  gatewayClassName: lattice
  listeners:
{listeners}"""


def export(ns: str, name: str) -> str:
    return f"""
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceExport
metadata: {{name: {name}, namespace: {ns}}}
"""


def service_import(ns: str, name: str, port: int = 80) -> str:
    return f"""
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: {{name: {name}, namespace: {ns}}}
spec:
  type: ClusterSetIP
  ports: [{{port: {port}, protocol: TCP}}]
"""


@dataclass
class Cluster:
    """One cluster (name and VPC) running awsgw's Lattice provider against moto."""

    name: str
    vpc_id: str
    security_groups: tuple[str, ...] = ()
    limits: LatticeLimits = field(default_factory=LatticeLimits)

    def __post_init__(self) -> None:
        self.aws = Aws.create(max_attempts=1)
        self.calls: list[str] = []
        self.aws.session.events.register("before-call.vpc-lattice.*", self._record)

    def _record(self, event_name: str, **kwargs: Any) -> None:
        self.calls.append(event_name.rsplit(".", 1)[-1])

    def writes(self) -> list[str]:
        """Lattice write operations of the last run, in order."""
        return [c for c in self.calls if not c.startswith(("Get", "List"))]

    def provider(self) -> LatticeProvider:
        return LatticeProvider(self.aws, self.name, self.vpc_id, self.security_groups, self.limits)

    def run(self, text: str) -> PassResult:
        self.aws.counter.reset()
        self.calls.clear()
        providers: dict[str, Any] = {LATTICE_CONTROLLER: self.provider()}
        return reconcile_all(Store.of(objects(text)), providers, NOW)

    @property
    def lattice(self) -> Any:
        return self.aws.client("vpc-lattice")

    def send(self, host: str, path: str = "/", port: int = 80, **kw: Any) -> LatticeOutcome:
        """A request from a client in this cluster's VPC."""
        return send(self.lattice, self.vpc_id, Request(host=host, path=path, port=port, **kw))


def dns(result: PassResult, route: str, kind: str = "HTTPRoute") -> str:
    return result.annotations[RouteRef(kind, route)][DNS_ANNOTATION]


def ips(outcome: LatticeOutcome) -> set[str]:
    """Every target address the outcome forwards to (weight > 0)."""
    return {t for _, w, targets in outcome.targets if w > 0 for t in targets}
