"""TargetGroupPolicy resolution (pure): a policy applies whole or not at all, the older
of two on one Service port holds it, a port policy wins over a whole-Service one."""

from __future__ import annotations

from typing import Any

from awsgw.core.attach import attach
from awsgw.core.backends import BackendKey
from awsgw.providers.registry import CATALOG
from tests.core.builders import obj, store
from tests.support import GATEWAY_CLASS, objects, service

WORLD = (
    GATEWAY_CLASS
    + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules: [{backendRefs: [{name: app, port: 80}, {name: api, port: 80}]}]
"""
    + service("shop", "app", 80, ["10.0.1.1"])
    + service("shop", "api", 80, ["10.0.2.1"])
)


def policy(name: str, refs: list[dict[str, Any]], path: str, created: str) -> Any:
    return obj({"apiVersion": "awsgw.io/v1alpha1", "kind": "TargetGroupPolicy",
                "metadata": {"name": name, "namespace": "shop", "creationTimestamp": created},
                "spec": {"targetRefs": refs, "healthCheck": {"path": path}}})  # fmt: skip


def ref(name: str, section: str | None = None) -> dict[str, Any]:
    out = {"group": "", "kind": "Service", "name": name}
    if section:
        out["sectionName"] = section
    return out


def path_of(att: Any, name: str, st: Any) -> str | None:
    found = att.policies.for_backend(BackendKey("shop", name, 80), "shop/web", st)
    return found.health.path if found else None


def test_a_policy_with_a_target_missing_applies_nowhere() -> None:
    p = policy("p", [ref("app"), ref("absent")], "/p", "2026-01-01T00:00:00Z")
    st = store(*objects(WORLD), p)
    att = attach(st, CATALOG)
    verdict = att.policies.states["shop/p"].verdict
    assert (verdict.ok, verdict.reason) == (False, "TargetNotFound")
    assert path_of(att, "app", st) is None


def test_the_older_policy_holds_the_port_and_a_newer_one_elsewhere_applies() -> None:
    older = policy("older", [ref("app")], "/older", "2026-01-01T00:00:00Z")
    newer = policy("newer", [ref("app")], "/newer", "2026-02-01T00:00:00Z")
    other = policy("other", [ref("api")], "/api", "2026-03-01T00:00:00Z")
    st = store(*objects(WORLD), newer, other, older)
    att = attach(st, CATALOG)
    assert att.policies.states["shop/newer"].verdict.reason == "Conflicted"
    assert (path_of(att, "app", st), path_of(att, "api", st)) == ("/older", "/api")
