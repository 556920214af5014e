"""A pass over one Gateway attaches, plans and writes statuses from that Gateway, the
Gateways its Routes also name, and nothing else, and agrees with a pass over every Gateway
on everything it writes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from awsgw.core.attach import attach
from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Reason
from awsgw.core.findings import Failure, GatewayObservation, RuleProblem
from awsgw.core.scope import gateway_scope
from awsgw.core.store import Store
from awsgw.manifests import ManifestError, parse_document
from awsgw.objects import KubeObject
from awsgw.providers.aws.alb.capabilities import ALB
from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB_CONTROLLER
from awsgw.providers.aws.alb.plan.compile import compile_alb
from awsgw.providers.aws.lattice.capabilities import CONTROLLER as LATTICE_CONTROLLER
from awsgw.providers.base import PassScope, ProviderPass
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.gateways import reconcile
from tests.fuzz.test_fuzz_pipeline import CLASSES, corpus, mutate
from tests.support import objects

NOW = "2026-06-01T00:00:00Z"

WORLD = (
    """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: awsgw.io/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: awsgw.io/lattice}
"""
    + "".join(
        f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: {name}, namespace: infra}}
spec:
  gatewayClassName: {cls}
  listeners:
  - {{name: http, port: 80, protocol: HTTP, allowedRoutes: {{namespaces: {{from: All}}}}}}
"""
        for name, cls in [("a", "alb"), ("b", "alb"), ("c", "alb")]
        + [("l1", "lattice"), ("l2", "lattice")]
    )
    + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: apps}
spec:
  parentRefs: [{name: a, namespace: infra}, {name: b, namespace: infra}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: only-c, namespace: apps}
spec:
  parentRefs: [{name: c, namespace: infra}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: in-lattice, namespace: apps}
spec:
  parentRefs: [{name: l1, namespace: infra}]
"""
)


def test_scope_holds_the_gateway_and_the_co_parents_of_its_routes() -> None:
    store = Store.of(objects(WORLD))
    assert gateway_scope(store, CATALOG, "infra/a") == {"infra/a", "infra/b"}
    assert gateway_scope(store, CATALOG, "infra/b") == {"infra/a", "infra/b"}
    assert gateway_scope(store, CATALOG, "infra/c") == {"infra/c"}
    assert gateway_scope(store, CATALOG, "infra/gone") == {"infra/gone"}


def test_gateways_of_a_data_plane_planned_together_come_together() -> None:
    store = Store.of(objects(WORLD))
    assert gateway_scope(store, CATALOG, "infra/l2") == {"infra/l1", "infra/l2"}


def test_scoped_attachment_reads_only_the_routes_naming_its_gateways() -> None:
    store = Store.of(objects(WORLD))
    scoped = attach(store, CATALOG, scope={"infra/c"})
    assert set(scoped.gateways) == {"infra/c"}
    assert [r.name for r in scoped.routes.values()] == ["only-c"]


@dataclass
class PlanOnly:
    """A data plane that plans like the ALB and applies nothing (every Gateway programmed):
    the pure half of a pass, to compare passes."""

    capabilities: Capabilities = ALB
    planned: list[set[str]] = field(default_factory=list)

    def begin(self, scope: PassScope) -> ProviderPass:
        self.planned.append(set(scope.gateways))
        specs = {k: compile_alb(m, "scope") for k, m in scope.gateways.items()}
        return _Pass(tuple(p for s in specs.values() for p in s.findings))


@dataclass
class _Pass:
    problems: tuple[RuleProblem, ...]
    failures: list[Failure] = field(default_factory=list)

    def apply_shared(self) -> list[Failure]:
        return []

    def apply(self, gateway: str) -> GatewayObservation:
        return GatewayObservation(gateway, True, Reason.PROGRAMMED, "planned", "lb.example")

    def delete(self, gateway: str) -> None:
        pass

    def owned(self) -> set[str]:
        return set()

    def collect(self) -> None:
        pass


def test_a_pass_over_one_gateway_plans_its_scope_only() -> None:
    provider = PlanOnly()
    reconcile(Store.of(objects(WORLD)), {ALB_CONTROLLER: provider}, NOW, only="infra/c")
    assert provider.planned == [{"infra/c"}]


def _store(docs: list[dict[str, object]]) -> Store:
    parsed: list[KubeObject] = []
    for i, doc in enumerate(docs):
        try:
            obj = parse_document(doc, f"document {i}")
        except ManifestError:
            continue
        if obj is not None:
            obj._order = i
            parsed.append(obj)
    return Store.of(parsed)


def _agree(store: Store) -> int:
    """Compare one full pass with a pass per Gateway; the number of statuses compared."""
    providers = {ALB_CONTROLLER: PlanOnly(), LATTICE_CONTROLLER: PlanOnly()}
    whole = reconcile(store, providers, NOW).statuses
    compared = 0
    for gw in store.gateways():
        single = reconcile(store, providers, NOW, only=gw.key).statuses
        for entry, status in single.items():
            assert status == whole.get(entry), f"pass over {gw.key}: {entry} differs"
            compared += 1
    return compared


def test_a_pass_per_gateway_writes_what_the_whole_pass_writes() -> None:
    base, files = corpus()
    compared = sum(_agree(_store([*CLASSES, *base, *docs])) for docs in files)
    assert compared > 500


@pytest.mark.parametrize("seed", range(3))
def test_passes_agree_on_mutated_worlds(seed: int) -> None:
    rng = random.Random(seed)
    base, files = corpus()
    compared = 0
    for docs in rng.sample(files, 20):
        mutated = [mutate(d, rng) if rng.random() < 0.3 else d for d in docs]
        compared += _agree(_store([*CLASSES, *base, *mutated]))
    assert compared > 0
