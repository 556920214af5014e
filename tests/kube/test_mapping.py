"""Which Gateways an object change affects."""

from __future__ import annotations

import copy

from awsgw.core.store import Store
from awsgw.kube.mapping import CLASSES, FULL, affected, meaningful
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject
from tests.support import GATEWAY_CLASS, objects, service

WORLD = (
    GATEWAY_CLASS
    + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: alb
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {shared: "yes"}}}}
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: wildcard, namespace: certs}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: api, namespace: shop}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: shop}
spec:
  gatewayClassName: someone-else
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: api}, {name: web, namespace: infra}]
  rules:
  - backendRefs: [{name: store, port: 80}, {name: legacy, namespace: old, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: blog, namespace: shop}
spec:
  parentRefs: [{name: api}]
  rules:
  - backendRefs: [{name: blog, port: 80}]
"""
    + service("shop", "store", 80, ["10.0.0.1"])
)


def world() -> Store:
    return Store.of(objects(WORLD))


def obj(doc: dict[str, object]) -> KubeObject:
    parsed = parse_document(copy.deepcopy(doc), "test")
    assert parsed is not None
    return parsed


def changed(o: KubeObject, **spec: object) -> KubeObject:
    doc = copy.deepcopy(o.raw)
    doc.setdefault("spec", {}).update(spec)
    return obj(doc)


def test_route_change_affects_old_and_new_parents() -> None:
    store = world()
    route = store.get("HTTPRoute", "shop/blog", KubeObject)
    assert route is not None
    moved = changed(route, parentRefs=[{"name": "web", "namespace": "infra"}])
    assert affected("HTTPRoute", route, moved, store) == {"shop/api", "infra/web"}
    assert affected("HTTPRoute", None, route, store) == {"shop/api"}
    assert affected("HTTPRoute", route, None, store) == {"shop/api"}


def test_service_and_endpoint_slices_affect_gateways_of_routes_using_them() -> None:
    store = world()
    svc = store.get("Service", "shop/store", KubeObject)
    slices = store.endpoint_slices("shop", "store")
    assert svc is not None and slices
    assert affected("Service", None, svc, store) == {"shop/api", "infra/web"}
    edited = copy.deepcopy(slices[0].raw)
    edited["endpoints"] = [{"addresses": ["10.0.0.9"]}]
    assert affected("EndpointSlice", slices[0], obj(edited), store) == {"shop/api", "infra/web"}
    missing = obj({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "legacy",
                   "namespace": "old"}, "spec": {"ports": [{"port": 80}]}})  # fmt: skip
    assert affected("Service", None, missing, store) == {"shop/api", "infra/web"}
    unused = obj({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x",
                  "namespace": "shop"}})  # fmt: skip
    assert affected("Service", None, unused, store) == set()
    unlabelled = obj({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                      "metadata": {"name": "s", "namespace": "shop"}})  # fmt: skip
    assert affected("EndpointSlice", None, unlabelled, store) == set()


def test_grants_affect_gateways_reaching_into_their_namespace() -> None:
    store = world()
    grant = {
        "apiVersion": "gateway.networking.k8s.io/v1beta1",
        "kind": "ReferenceGrant",
        "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute",
                           "namespace": "shop"}], "to": [{"group": "", "kind": "Service"}]},
    }  # fmt: skip
    into_old = obj({**grant, "metadata": {"name": "g", "namespace": "old"}})
    into_certs = obj({**grant, "metadata": {"name": "g", "namespace": "certs"}})
    into_shop = obj({**grant, "metadata": {"name": "g", "namespace": "shop"}})
    assert affected("ReferenceGrant", None, into_old, store) == {"shop/api", "infra/web"}
    assert affected("ReferenceGrant", None, into_certs, store) == {"infra/web"}
    assert affected("ReferenceGrant", None, into_shop, store) == set(), "same namespace: no grant"


def test_secrets_namespaces_and_classes() -> None:
    store = world()
    cert = obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wildcard",
                "namespace": "certs"}, "type": "kubernetes.io/tls"})  # fmt: skip
    assert affected("Secret", None, cert, store) == {"infra/web"}
    other = obj(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "certs"}}
    )
    assert affected("Secret", None, other, store) == set()
    ns = obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    labelled = obj({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "team", "labels": {"shared": "yes"}}})  # fmt: skip
    assert affected("Namespace", ns, labelled, store) == {"infra/web"}, "Selector listeners only"
    gc = store.get("GatewayClass", "alb", KubeObject)
    assert gc is not None
    assert affected("GatewayClass", None, gc, store) == {CLASSES, "infra/web", "shop/api"}


def test_gateway_change_affects_itself_only() -> None:
    store = world()
    gw = store.get("Gateway", "shop/api", KubeObject)
    assert gw is not None
    assert affected("Gateway", gw, changed(gw, listeners=[{"name": "h", "port": 81,
                    "protocol": "HTTP"}]), store) == {"shop/api"}  # fmt: skip
    assert affected("Gateway", gw, None, store) == {"shop/api"}


def test_status_and_bookkeeping_echoes_affect_nothing() -> None:
    store = world()
    gw = store.get("Gateway", "shop/api", KubeObject)
    assert gw is not None
    doc = copy.deepcopy(gw.raw)
    doc["status"] = {"conditions": [{"type": "Programmed", "status": "True"}]}
    doc["metadata"].update(resourceVersion="99", finalizers=["awsgw.io/gateway-resources"])
    echo = obj(doc)
    assert not meaningful(gw, echo)
    assert affected("Gateway", gw, echo, store) == set()
    doc["metadata"]["labels"] = {"team": "a"}
    assert affected("Gateway", gw, obj(doc), store) == {"shop/api"}, "labels are not echoes"
    doc["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert meaningful(echo, obj(doc))


LATTICE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: infra}
spec:
  gatewayClassName: lattice
  listeners: [{name: https, port: 443, protocol: HTTPS}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - backendRefs: [{name: grpc, port: 50051}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - backendRefs: [{group: multicluster.x-k8s.io, kind: ServiceImport, name: cart, port: 80}]
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceExport
metadata: {name: store, namespace: shop}
"""


def test_grpc_routes_affect_their_parents_and_reach_services() -> None:
    store = Store.of(objects(WORLD + LATTICE))
    route = store.get("GRPCRoute", "shop/echo", KubeObject)
    assert route is not None
    moved = changed(route, parentRefs=[{"name": "api"}])
    assert affected("GRPCRoute", route, moved, store) == {"infra/mesh", "shop/api"}
    assert affected("GRPCRoute", route, None, store) == {"infra/mesh"}
    grpc = obj({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "grpc",
                "namespace": "shop"}})  # fmt: skip
    assert affected("Service", None, grpc, store) == {"infra/mesh"}


def test_exports_and_what_they_export_run_a_full_pass() -> None:
    store = Store.of(objects(WORLD + LATTICE))
    export = store.get("ServiceExport", "shop/store", KubeObject)
    assert export is not None
    assert affected("ServiceExport", None, export, store) == {FULL}
    assert affected("ServiceExport", export, None, store) == {FULL}
    svc = store.get("Service", "shop/store", KubeObject)
    slices = store.endpoint_slices("shop", "store")
    assert svc is not None and slices
    assert affected("Service", None, svc, store) == {"shop/api", "infra/web", FULL}
    edited = copy.deepcopy(slices[0].raw)
    edited["endpoints"] = [{"addresses": ["10.0.0.9"]}]
    assert FULL in affected("EndpointSlice", slices[0], obj(edited), store)
    unexported = Store.of(objects(WORLD))
    assert FULL not in affected("Service", None, svc, unexported)


def test_imports_affect_the_gateways_of_routes_using_them() -> None:
    store = Store.of(objects(WORLD + LATTICE))
    imported = obj({"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ServiceImport",
                    "metadata": {"name": "cart", "namespace": "shop"},
                    "spec": {"ports": [{"port": 80}]}})  # fmt: skip
    assert affected("ServiceImport", None, imported, store) == {"infra/mesh"}
    other = obj({**imported.raw, "metadata": {"name": "other", "namespace": "shop"}})
    assert affected("ServiceImport", None, other, store) == set()


CONFIGURED = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: tuned}
spec:
  controllerName: awsgw.io/alb
  parametersRef: {group: awsgw.io, kind: LoadBalancerConfiguration, namespace: platform,
                  name: defaults}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: own, namespace: shop}
spec:
  gatewayClassName: alb
  infrastructure: {parametersRef: {group: awsgw.io, kind: LoadBalancerConfiguration, name: prod}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: classed, namespace: shop}
spec:
  gatewayClassName: tuned
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: plain, namespace: shop}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
"""


def config(namespace: str, name: str, spec: dict[str, object]) -> KubeObject:
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "LoadBalancerConfiguration",
           "metadata": {"name": name, "namespace": namespace}, "spec": spec}  # fmt: skip
    parsed = parse_document(doc, "test")
    assert parsed is not None
    return parsed


def test_a_configuration_change_reaches_the_gateways_that_use_it() -> None:
    store = Store.of(objects(GATEWAY_CLASS + CONFIGURED))
    old, new = config("shop", "prod", {}), config("shop", "prod", {"scheme": "internal"})
    assert affected("LoadBalancerConfiguration", old, new, store) == {"shop/own"}
    old, new = config("platform", "defaults", {}), config("platform", "defaults", {"tags": {}})
    assert affected("LoadBalancerConfiguration", old, new, store) == {CLASSES, "shop/classed"}
    other = config("other", "prod", {})
    assert affected("LoadBalancerConfiguration", None, other, store) == set()


ROUTED = (
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
  rules: [{backendRefs: [{name: app, port: 80}]}]
"""
)
"""Gateway shop/web, and a Route on it to Service app."""


def test_a_policy_change_reaches_the_gateways_whose_routes_use_its_services() -> None:
    store = Store.of(objects(ROUTED))

    def policy(service: str, spec: object = None) -> KubeObject:
        doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "TargetGroupPolicy",
               "metadata": {"name": "p", "namespace": "shop"},
               "spec": spec if spec is not None else {
                   "targetRefs": [{"group": "", "kind": "Service", "name": service}]}}  # fmt: skip
        parsed = parse_document(doc, "test")
        assert parsed is not None
        return parsed

    assert affected("TargetGroupPolicy", None, policy("app"), store) == {"shop/web"}
    assert affected("TargetGroupPolicy", None, policy("other"), store) == set()
    malformed = policy("app", {"targetRefs": "app"})
    assert affected("TargetGroupPolicy", policy("app"), malformed, store) == {"shop/web"}


def test_a_node_change_reaches_gateways_whose_policies_ask_for_instance_targets() -> None:
    instances = """
---
apiVersion: awsgw.io/v1alpha1
kind: TargetGroupPolicy
metadata: {name: p, namespace: shop}
spec:
  targetRefs: [{group: "", kind: Service, name: app}]
  targetType: instance
"""
    doc = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"},
           "spec": {"providerID": "aws:///us-east-1a/i-0123456789abcdef0"}}  # fmt: skip
    parsed = parse_document(doc, "test")
    assert parsed is not None
    assert affected("Node", None, parsed, Store.of(objects(ROUTED))) == set()
    assert affected("Node", None, parsed, Store.of(objects(ROUTED + instances))) == {"shop/web"}


SETS = (
    GATEWAY_CLASS
    + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shared, namespace: platform}
spec:
  gatewayClassName: alb
  allowedListeners: {namespaces: {from: All}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team-web, namespace: team}
spec:
  parentRef: {name: shared, namespace: platform}
  listeners:
  - name: secure
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: team-cert}, {name: shared-cert, namespace: certs}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: team}
spec:
  parentRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: team-web}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"""
    + service("team", "web", 80, ["10.0.2.20"])
)


def test_listener_sets_their_routes_and_certificates_reach_the_gateway_they_name() -> None:
    store = Store.of(objects(SETS))
    ls = store.listener_sets()[0]
    assert affected("ListenerSet", None, ls, store) == {"platform/shared"}
    moved = changed(ls, parentRef={"name": "other", "namespace": "platform"})
    assert affected("ListenerSet", ls, moved, store) == {"platform/shared", "platform/other"}
    route = store.http_routes()[0]
    assert affected("HTTPRoute", None, route, store) == {"platform/shared"}
    svc = next(o for o in objects(SETS) if o.kind == "Service")
    assert affected("Service", None, svc, store) == {"platform/shared"}
    for namespace, name in (("team", "team-cert"), ("certs", "shared-cert")):
        secret = obj({"apiVersion": "v1", "kind": "Secret",
                      "metadata": {"name": name, "namespace": namespace}})  # fmt: skip
        assert affected("Secret", None, secret, store) == {"platform/shared"}
    grant = obj({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
                 "metadata": {"name": "g", "namespace": "certs"},
                 "spec": {"from": [], "to": []}})  # fmt: skip
    assert affected("ReferenceGrant", None, grant, store) == {"platform/shared"}
