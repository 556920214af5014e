"""Attachment → GatewayModel: rules per listener in exact Gateway API precedence."""

from __future__ import annotations

import base64
from operator import itemgetter
from typing import Any

from awsgw.core import hostnames as hn
from awsgw.core.attach import Attachment, GatewayState, Placement, route_order
from awsgw.core.backends import ResolvedBackend, instance_targets, ready_targets
from awsgw.core.model import (
    REQUEST_PROTOCOLS,
    Action,
    Certificate,
    GatewayModel,
    HostGroup,
    KeyValueMatch,
    Match,
    PortModel,
    Redirect,
    Rewrite,
    Rule,
    WeightedBackend,
    add_certificates,
)
from awsgw.core.store import Store
from awsgw.core.streams import stream_listeners
from awsgw.objects import (
    GRPCRoute,
    GRPCRouteMatch,
    GRPCRouteRule,
    HTTPHeaderMatch,
    HTTPPathModifier,
    HTTPQueryParamMatch,
    HTTPRoute,
    HTTPRouteFilter,
    HTTPRouteMatch,
    HTTPRouteRule,
)

WELL_KNOWN_PORTS = {"http": 80, "https": 443}
MODELLED_FILTERS = {"RequestRedirect", "URLRewrite"}


PATH_RANK = {"Exact": 0, "PathPrefix": 1}


MatchKey = tuple[int, int, int, int, int]


def match_key(m: Match) -> MatchKey:
    """Spec precedence of a match, smallest first: Exact path, longest prefix, method,
    most headers, most query params (RegularExpression paths rank after prefixes)."""
    kind = PATH_RANK.get(m.path_type, 2)
    return (kind, -len(m.path), 0 if m.method else 1, -len(m.headers), -len(m.query))


KeyValues = list[HTTPHeaderMatch] | list[HTTPQueryParamMatch]


def _key_values(items: KeyValues) -> tuple[KeyValueMatch, ...]:
    return tuple(KeyValueMatch(i.type, i.name, i.value) for i in items) if items else ()


def _match(m: HTTPRouteMatch) -> Match:
    headers, query = _key_values(m.headers), _key_values(m.query_params)
    return Match(m.path.type, m.path.value, headers, query, m.method)


def grpc_match(m: GRPCRouteMatch) -> Match:
    """A GRPCRoute match as the HTTP/2 request it selects: ``POST /<service>/<method>``.

    Service and method: an Exact path; service only: a PathPrefix; method only: a
    ``GRPCMethod`` path (any service, that method; ``path`` is ``/<method>``); a
    RegularExpression match: a RegularExpression path (which providers may refuse). The
    spec's precedence (service characters, then method characters, then headers) is the
    HTTP precedence of these paths."""
    headers = _key_values(m.headers)
    method = m.method
    if method is None or (method.service is None and method.method is None):
        return Match("PathPrefix", "/", headers)
    if method.type == "Exact" and method.service and method.method:
        return Match("Exact", f"/{method.service}/{method.method}", headers)
    if method.type == "Exact" and method.service:
        return Match("PathPrefix", f"/{method.service}", headers)
    if method.type == "Exact":
        return Match("GRPCMethod", f"/{method.method}", headers)
    service, name = method.service or "[^/]+", method.method or "[^/]+"
    return Match("RegularExpression", f"/{service}/{name}", headers)


def _path_value(p: HTTPPathModifier | None) -> str | None:
    if p is None:
        return None
    return p.replace_full_path if p.type == "ReplaceFullPath" else p.replace_prefix_match


def _redirect(f: HTTPRouteFilter, listener_port: int) -> Redirect | None:
    r = f.request_redirect
    if r is None:
        return None
    port = r.port
    if port is None:
        port = WELL_KNOWN_PORTS.get(r.scheme.lower(), listener_port) if r.scheme else listener_port
    return Redirect(
        scheme=r.scheme,
        hostname=r.hostname,
        port=port,
        path_type=r.path.type if r.path else None,
        path=_path_value(r.path),
        status_code=r.status_code,
    )


def _action(
    rule: HTTPRouteRule | GRPCRouteRule, backends: list[ResolvedBackend], listener_port: int
) -> Action:
    redirect = rewrite = None
    unsupported: tuple[str, ...] = ()
    if rule.filters:
        redirect = next(
            (_redirect(f, listener_port) for f in rule.filters if f.type == "RequestRedirect"),
            None,
        )
        for f in rule.filters:
            if f.type == "URLRewrite" and f.url_rewrite is not None:
                p = f.url_rewrite.path
                rewrite = Rewrite(f.url_rewrite.hostname, p.type if p else None, _path_value(p))
        unsupported = tuple(sorted({f.type for f in rule.filters} - MODELLED_FILTERS))
    backend_filters = {f"backendRef {f.type}" for ref in rule.backend_refs for f in ref.filters}
    if backend_filters:
        unsupported += tuple(sorted(backend_filters))
    weighted = tuple([WeightedBackend(b.key, b.weight) for b in backends])
    return Action(
        backends=() if redirect else weighted,
        redirect=redirect,
        rewrite=rewrite,
        unsupported=unsupported,
    )


def _rules_for(
    placement: Placement, backends: list[list[ResolvedBackend]], listener_port: int
) -> list[tuple[Any, Rule]]:
    """(sort key, rule) for every (hostname class, rule, match) of a placed Route."""
    route = placement.route
    if not isinstance(route, HTTPRoute | GRPCRoute):
        return []  # stream Routes never reach a request listener (its supportedKinds)
    classes: dict[tuple[int, int], list[str]] = {}
    for name, origin in placement.hostnames:  # Route hostname precedence: its own names
        classes.setdefault(hn.precedence_key(origin), []).append(name)
    if not classes:
        classes[hn.precedence_key(None)] = []
    rules: list[HTTPRouteRule | GRPCRouteRule] = list(route.spec.rules)
    order, ref = route_order(route), route.ref
    # a rule's action and matches are the same in every hostname class: built once
    built: list[tuple[int, int, Match, MatchKey, Action]] = []
    for ri, rule in enumerate(rules):
        if isinstance(rule, GRPCRouteRule):
            matches = [grpc_match(m) for m in rule.matches or [GRPCRouteMatch()]]
        else:
            matches = [_match(m) for m in rule.matches or [HTTPRouteMatch()]]
        action = _action(rule, backends[ri], listener_port)
        built += [(ri, mi, m, match_key(m), action) for mi, m in enumerate(matches)]
    out = []
    for host_key, names in sorted(classes.items()):
        hosts = tuple(names)
        out += [
            ((host_key, mkey, order, ri, mi), Rule(ref, ri, mi, hosts, match, action))
            for ri, mi, match, mkey, action in built
        ]
    return out


def certificate(store: Store, namespace: str, name: str) -> Certificate | None:
    secret = store.secret(namespace, name)
    if secret is None:
        return None
    try:
        crt = base64.b64decode(secret.data["tls.crt"]).decode()
        key = base64.b64decode(secret.data["tls.key"]).decode()
    except (KeyError, ValueError):
        return None
    return Certificate(namespace, name, crt, key)


def _group_order(group: HostGroup) -> tuple[tuple[int, int], str]:
    return (hn.precedence_key(group.hostname), group.listener)


def build_model(gws: GatewayState, attachment: Attachment, store: Store) -> GatewayModel:
    """The neutral model of one accepted Gateway."""
    gw = gws.gateway
    ports: dict[int, PortModel] = {}
    placements = attachment.placements.get(gw.key, [])
    for ls in gws.all_listeners:
        if not ls.usable or ls.listener.protocol not in REQUEST_PROTOCOLS:
            continue
        listener = ls.listener
        port = ports.setdefault(listener.port, PortModel(listener.port, listener.protocol))
        key = ls.key
        placed = [p for p in placements if p.listener == key]
        attached = [name for p in placed for name, _ in p.hostnames]
        presented = ls.presented(lambda ns, name: certificate(store, ns, name), attached)
        add_certificates(port.certificates, port.certificate_listeners, key, presented)
        group = HostGroup(key, listener.hostname)
        keyed = []
        for p in placed:
            backends = attachment.backends_for(p.route, gws.controller)
            keyed += _rules_for(p, backends, listener.port)
        keyed.sort(key=itemgetter(0))
        group.rules = [rule for _, rule in keyed]
        port.groups.append(group)
    for port in ports.values():
        port.groups.sort(key=_group_order)
    streams = stream_listeners(gws, attachment, lambda ns, name: certificate(store, ns, name))
    used = [
        wb.backend
        for port in ports.values()
        for group in port.groups
        for rule in group.rules
        for wb in rule.action.backends
    ]
    used += [wb.backend for s in streams for r in s.routes for wb in r.backends]
    used_keys = [key for key in dict.fromkeys(used) if key is not None]
    shaped = {
        key: params
        for key in used_keys
        if (params := attachment.policies.for_backend(key, gw.key, store)) is not None
    }
    targets = {
        key: (
            instance_targets(store, key)
            if key in shaped and shaped[key].target_type == "instance"
            else ready_targets(store, key)
        )
        for key in used_keys
    }
    annotations = dict(gw.metadata.annotations)
    if gw.spec.infrastructure:
        annotations.update(gw.spec.infrastructure.annotations)
    placed_routes = {p.route.ref: p.route for p in placements}.values()
    routes = tuple(r.ref for r in sorted(placed_routes, key=route_order))
    return GatewayModel(
        gw.key,
        annotations,
        sorted(ports.values(), key=lambda p: p.port),
        targets,
        routes,
        streams,
        tuple(a.value for a in gw.spec.addresses if a.type == "IPAddress" and a.value),
        gws.parameters,
        shaped,
    )
