"""Small builders for core tests: Kubernetes objects from plain dicts.

Every builder returns a typed object produced by ``awsgw.manifests.parse_document``, so the
objects are exactly what the controller would read from a manifest or the API.
"""

from __future__ import annotations

import base64
from typing import Any

from awsgw.core.attach import Attachment, ParentState, attach
from awsgw.core.listeners import ListenerState
from awsgw.core.store import Store
from awsgw.core.verdicts import judge
from awsgw.manifests import parse_document
from awsgw.objects import KubeObject, RouteRef
from awsgw.providers.registry import CATALOG
from tests.certs import self_signed_pem

GW_API = "gateway.networking.k8s.io/v1"
GW_GROUP = "gateway.networking.k8s.io"
ALB = "awsgw.io/alb"
INFRA = "infra"
APPS = "apps"


def obj(doc: dict[str, Any]) -> KubeObject:
    parsed = parse_document(doc, "test")
    assert parsed is not None, f"awsgw does not read {doc.get('kind')}"
    return parsed


def _meta(
    name: str,
    namespace: str | None,
    *,
    generation: int = 1,
    created: str | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "generation": generation}
    if namespace is not None:
        meta["namespace"] = namespace
    if created is not None:
        meta["creationTimestamp"] = created
    if labels:
        meta["labels"] = labels
    return meta


def gateway_class(
    name: str = "alb",
    controller: str = ALB,
    *,
    generation: int = 1,
    status: dict[str, Any] | None = None,
) -> KubeObject:
    doc: dict[str, Any] = {
        "apiVersion": GW_API,
        "kind": "GatewayClass",
        "metadata": _meta(name, None, generation=generation),
        "spec": {"controllerName": controller},
    }
    if status is not None:
        doc["status"] = status
    return obj(doc)


def listener(
    name: str = "http",
    *,
    port: int = 80,
    protocol: str = "HTTP",
    hostname: str | None = None,
    from_: str | None = None,
    selector: dict[str, Any] | None = None,
    kinds: list[dict[str, str]] | None = None,
    certs: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A listener mapping; ``certs`` sets ``tls.certificateRefs`` (mode Terminate)."""
    out: dict[str, Any] = {"name": name, "port": port, "protocol": protocol}
    if hostname is not None:
        out["hostname"] = hostname
    allowed: dict[str, Any] = {}
    if from_ is not None or selector is not None:
        namespaces: dict[str, Any] = {"from": from_ or "Selector"}
        if selector is not None:
            namespaces["selector"] = selector
        allowed["namespaces"] = namespaces
    if kinds is not None:
        allowed["kinds"] = kinds
    if allowed:
        out["allowedRoutes"] = allowed
    if certs is not None:
        out["tls"] = {"mode": "Terminate", "certificateRefs": certs}
    return out


def gateway(
    name: str = "gw",
    listeners: list[dict[str, Any]] | None = None,
    *,
    namespace: str = INFRA,
    class_name: str = "alb",
    generation: int = 1,
    status: dict[str, Any] | None = None,
) -> KubeObject:
    doc: dict[str, Any] = {
        "apiVersion": GW_API,
        "kind": "Gateway",
        "metadata": _meta(name, namespace, generation=generation),
        "spec": {
            "gatewayClassName": class_name,
            "listeners": listeners if listeners is not None else [listener()],
        },
    }
    if status is not None:
        doc["status"] = status
    return obj(doc)


def parent(
    name: str = "gw",
    *,
    namespace: str | None = None,
    section: str | None = None,
    port: int | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if namespace is not None:
        out["namespace"] = namespace
    if section is not None:
        out["sectionName"] = section
    if port is not None:
        out["port"] = port
    return out


def backend(
    name: str = "svc",
    *,
    port: int | None = 80,
    namespace: str | None = None,
    group: str | None = None,
    kind: str | None = None,
    weight: int | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if port is not None:
        out["port"] = port
    if namespace is not None:
        out["namespace"] = namespace
    if group is not None:
        out["group"] = group
    if kind is not None:
        out["kind"] = kind
    if weight is not None:
        out["weight"] = weight
    return out


def match(
    path: str = "/",
    *,
    type_: str = "PathPrefix",
    method: str | None = None,
    headers: int = 0,
    query: int = 0,
) -> dict[str, Any]:
    """An HTTPRouteMatch with ``headers``/``query`` generated exact matches."""
    out: dict[str, Any] = {"path": {"type": type_, "value": path}}
    if method is not None:
        out["method"] = method
    if headers:
        out["headers"] = [{"name": f"x-h{i}", "value": "v"} for i in range(headers)]
    if query:
        out["queryParams"] = [{"name": f"q{i}", "value": "v"} for i in range(query)]
    return out


def rule(
    *matches: dict[str, Any],
    backends: list[dict[str, Any]] | None = None,
    filters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if matches:
        out["matches"] = list(matches)
    out["backendRefs"] = backends if backends is not None else [backend()]
    if filters is not None:
        out["filters"] = filters
    return out


def http_route(
    name: str = "route",
    *,
    namespace: str = INFRA,
    parents: list[dict[str, Any]] | None = None,
    hostnames: list[str] | None = None,
    rules: list[dict[str, Any]] | None = None,
    created: str | None = None,
    generation: int = 1,
    status: dict[str, Any] | None = None,
) -> KubeObject:
    spec: dict[str, Any] = {
        "parentRefs": parents if parents is not None else [parent(namespace=INFRA)],
        "rules": rules if rules is not None else [rule()],
    }
    if hostnames is not None:
        spec["hostnames"] = hostnames
    doc: dict[str, Any] = {
        "apiVersion": GW_API,
        "kind": "HTTPRoute",
        "metadata": _meta(name, namespace, generation=generation, created=created),
        "spec": spec,
    }
    if status is not None:
        doc["status"] = status
    return obj(doc)


def namespace(name: str, labels: dict[str, str] | None = None) -> KubeObject:
    return obj(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(name, None, labels=labels)}
    )


def service(
    name: str = "svc",
    *,
    namespace: str = INFRA,
    ports: list[dict[str, Any]] | None = None,
) -> KubeObject:
    return obj(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(name, namespace),
            "spec": {"ports": ports if ports is not None else [{"name": "http", "port": 80}]},
        }
    )


def endpoint_slice(
    name: str,
    *,
    service_name: str = "svc",
    namespace: str = INFRA,
    ports: list[dict[str, Any]] | None = None,
    endpoints: list[dict[str, Any]] | None = None,
) -> KubeObject:
    return obj(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": _meta(name, namespace, labels={"kubernetes.io/service-name": service_name}),
            "addressType": "IPv4",
            "ports": ports if ports is not None else [{"name": "http", "port": 8080}],
            "endpoints": endpoints or [],
        }
    )


def endpoint(address: str, ready: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"addresses": [address]}
    if ready is not None:
        out["conditions"] = {"ready": ready}
    return out


def tls_secret(name: str = "cert", *, namespace: str = INFRA) -> KubeObject:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    cert, key = self_signed_pem(("example.com",))

    return obj(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": _meta(name, namespace),
            "type": "kubernetes.io/tls",
            "data": {"tls.crt": b64(cert), "tls.key": b64(key)},
        }
    )


def reference_grant(
    name: str = "grant",
    *,
    namespace: str,
    from_: dict[str, str],
    to: dict[str, str],
) -> KubeObject:
    return obj(
        {
            "apiVersion": "gateway.networking.k8s.io/v1beta1",
            "kind": "ReferenceGrant",
            "metadata": _meta(name, namespace),
            "spec": {"from": [from_], "to": [to]},
        }
    )


def store(*objects: KubeObject) -> Store:
    return Store.of(objects)


def world(*objects: KubeObject, with_class: bool = True) -> Attachment:
    """``attach()`` over the objects, plus the ``alb`` GatewayClass unless told not to."""
    extra = [gateway_class()] if with_class else []
    return attach(store(*extra, *objects), CATALOG)


def route_ref(route_key: str) -> RouteRef:
    """``ns/name`` (an HTTPRoute) or ``Kind ns/name``."""
    kind, _, key = route_key.rpartition(" ")
    return RouteRef(kind or "HTTPRoute", key)


def attached_routes(
    att: Attachment, name: str, gateway_key: str = f"{INFRA}/gw", problems: Any = ()
) -> int:
    """A listener's attachedRoutes once the attachment is judged (with ``problems``)."""
    return judge(att, problems).attached_routes(gateway_key)[name]


def listener_state(att: Attachment, name: str, gateway_key: str = f"{INFRA}/gw") -> ListenerState:
    found = [ls for ls in att.gateways[gateway_key].listeners if ls.listener.name == name]
    assert len(found) == 1, f"listener {name} not found once"
    return found[0]


def parent_state(att: Attachment, route_key: str, index: int = 0) -> ParentState:
    return att.route_parents[route_ref(route_key)][index]


def by_type(conditions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    types = [c["type"] for c in conditions]
    assert len(types) == len(set(types)), f"duplicate condition types {types}"
    return {c["type"]: c for c in conditions}
