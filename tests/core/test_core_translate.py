"""translate.build_model: rule precedence, host groups and targets (Gateway API v1.6.1)."""

from __future__ import annotations

from typing import Any

from awsgw.core.attach import attach
from awsgw.core.backends import BackendKey
from awsgw.core.model import GatewayModel, HostGroup
from awsgw.core.translate import build_model
from awsgw.providers.registry import CATALOG
from tests.core.builders import (
    INFRA,
    backend,
    endpoint,
    endpoint_slice,
    gateway,
    gateway_class,
    http_route,
    listener,
    match,
    rule,
    service,
    store,
)

GW = f"{INFRA}/gw"
T1 = "2024-01-01T00:00:00Z"
T2 = "2024-02-01T00:00:00Z"


def model(*objects: Any, listeners: list[dict[str, Any]] | None = None) -> GatewayModel:
    st = store(
        gateway_class(),
        gateway(listeners=listeners or [listener(from_="All")]),
        service(),
        *objects,
    )
    att = attach(st, CATALOG)
    return build_model(att.gateways[GW], att, st)


def only_group(m: GatewayModel) -> HostGroup:
    [port] = m.ports
    [group] = port.groups
    return group


def order(m: GatewayModel) -> list[tuple[str, int, int]]:
    """(route name, rule index, match index) in model order."""
    return [(r.route.key.split("/")[1], r.rule_index, r.match_index) for r in only_group(m).rules]


def routes(m: GatewayModel) -> list[str]:
    return [r.route.key.split("/")[1] for r in only_group(m).rules]


def route(name: str, *rules: dict[str, Any], created: str = T1, **kwargs: Any) -> Any:
    return http_route(name, rules=list(rules), created=created, **kwargs)


# ---------------------------------------------------------------- match precedence


def test_exact_path_comes_before_any_path_prefix() -> None:
    m = model(
        route("a", rule(match("/foo/bar/baz/long")), created=T1),
        route("b", rule(match("/x", type_="Exact")), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_longer_path_prefix_comes_first() -> None:
    m = model(
        route("a", rule(match("/a")), created=T1),
        route("b", rule(match("/abc")), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_method_match_comes_before_no_method() -> None:
    m = model(
        route("a", rule(match("/p")), created=T1),
        route("b", rule(match("/p", method="GET")), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_method_match_outranks_header_matches() -> None:
    m = model(
        route("a", rule(match("/p", headers=3)), created=T1),
        route("b", rule(match("/p", method="GET")), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_longer_prefix_outranks_method() -> None:
    m = model(
        route("a", rule(match("/p", method="GET")), created=T1),
        route("b", rule(match("/path")), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_more_header_matches_come_first() -> None:
    m = model(
        route("a", rule(match("/p", headers=1)), created=T1),
        route("b", rule(match("/p", headers=2)), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_header_matches_outrank_query_param_matches() -> None:
    m = model(
        route("a", rule(match("/p", query=3)), created=T1),
        route("b", rule(match("/p", headers=1)), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_more_query_param_matches_come_first() -> None:
    m = model(
        route("a", rule(match("/p", query=1)), created=T1),
        route("b", rule(match("/p", query=2)), created=T2),
    )
    assert routes(m) == ["b", "a"]


def test_oldest_route_wins_a_tie() -> None:
    m = model(
        route("a", rule(match("/p")), created=T2),
        route("b", rule(match("/p")), created=T1),
    )
    assert routes(m) == ["b", "a"]


def test_namespace_and_name_alphabetical_breaks_a_timestamp_tie() -> None:
    m = model(
        route(
            "zzz", rule(match("/p")), namespace="a-ns", parents=[{"name": "gw", "namespace": INFRA}]
        ),
        route(
            "b", rule(match("/p")), namespace="b-ns", parents=[{"name": "gw", "namespace": INFRA}]
        ),
        route(
            "a", rule(match("/p")), namespace="b-ns", parents=[{"name": "gw", "namespace": INFRA}]
        ),
    )
    assert [r.route.key for r in only_group(m).rules] == ["a-ns/zzz", "b-ns/a", "b-ns/b"]


def test_first_rule_wins_a_tie_within_a_route() -> None:
    m = model(route("a", rule(match("/p")), rule(match("/p")), rule(match("/p"))))
    assert order(m) == [("a", 0, 0), ("a", 1, 0), ("a", 2, 0)]


def test_match_precedence_applies_across_rules_of_one_route() -> None:
    m = model(route("a", rule(match("/")), rule(match("/x", type_="Exact"))))
    assert order(m) == [("a", 1, 0), ("a", 0, 0)]


def test_match_precedence_applies_across_matches_of_one_rule() -> None:
    m = model(route("a", rule(match("/"), match("/longer"))))
    assert order(m) == [("a", 0, 1), ("a", 0, 0)]


def test_route_without_matches_gets_the_default_prefix_slash() -> None:
    m = model(http_route("a", rules=[{"backendRefs": [backend()]}]))
    [r] = only_group(m).rules
    assert (r.match.path_type, r.match.path) == ("PathPrefix", "/")


# ---------------------------------------------------------------- route hostnames


def test_exact_route_hostname_comes_before_a_wildcard_route_hostname() -> None:
    m = model(
        route("wild", rule(match("/x", type_="Exact")), hostnames=["*.example.com"], created=T1),
        route("exact", rule(match("/")), hostnames=["foo.example.com"], created=T2),
    )
    assert routes(m) == ["exact", "wild"]
    assert only_group(m).rules[0].hostnames == ("foo.example.com",)


def test_longer_wildcard_route_hostname_comes_before_a_shorter_one() -> None:
    m = model(
        route("short", rule(match("/x", type_="Exact")), hostnames=["*.example.com"], created=T1),
        route("long", rule(match("/")), hostnames=["*.foo.example.com"], created=T2),
    )
    assert routes(m) == ["long", "short"]


def test_wildcard_route_hostname_comes_before_a_route_without_hostnames() -> None:
    m = model(
        route("any", rule(match("/x", type_="Exact")), created=T1),
        route("wild", rule(match("/")), hostnames=["*.example.com"], created=T2),
    )
    assert routes(m) == ["wild", "any"]
    assert only_group(m).rules[1].hostnames == ()


def test_exact_route_hostname_beats_a_wildcard_narrowed_to_the_same_listener_hostname() -> None:
    # Precedence goes to "the HTTPRoute with the largest number of characters in a matching
    # non-wildcard hostname": "foo.example.com" (15) beats "*.example.com" (0), even when the
    # listener hostname narrows the wildcard to the same name.
    m = model(
        route("wild", rule(match("/x", type_="Exact")), hostnames=["*.example.com"], created=T1),
        route("exact", rule(match("/")), hostnames=["foo.example.com"], created=T2),
        listeners=[listener(hostname="foo.example.com", from_="All")],
    )
    assert routes(m) == ["exact", "wild"]


def test_route_with_exact_and_wildcard_hostnames_gets_a_rule_per_class() -> None:
    m = model(route("a", rule(match("/")), hostnames=["*.example.com", "foo.example.com"]))
    assert [r.hostnames for r in only_group(m).rules] == [("foo.example.com",), ("*.example.com",)]


# ---------------------------------------------------------------- host groups


def test_host_groups_are_ordered_most_specific_listener_hostname_first() -> None:
    m = model(
        listeners=[
            listener("any", from_="All"),
            listener("wild", hostname="*.example.com", from_="All"),
            listener("exact", hostname="foo.example.com", from_="All"),
            listener("deep", hostname="*.foo.example.com", from_="All"),
        ]
    )
    [port] = m.ports
    assert [(g.listener, g.hostname) for g in port.groups] == [
        ("exact", "foo.example.com"),
        ("deep", "*.foo.example.com"),
        ("wild", "*.example.com"),
        ("any", None),
    ]


def test_routes_land_only_in_the_groups_of_their_listeners() -> None:
    m = model(
        route("foo", rule(match("/")), hostnames=["foo.example.com"]),
        route("bar", rule(match("/")), hostnames=["bar.example.com"]),
        listeners=[
            listener("exact", hostname="foo.example.com", from_="All"),
            listener("wild", hostname="*.example.com", from_="All"),
        ],
    )
    [port] = m.ports
    groups = {g.listener: [r.route.key for r in g.rules] for g in port.groups}
    assert groups == {"exact": [f"{INFRA}/foo"], "wild": [f"{INFRA}/bar", f"{INFRA}/foo"]}


def test_listeners_on_different_ports_get_their_own_port_models() -> None:
    m = model(
        listeners=[listener("b", port=8080, from_="All"), listener("a", port=80, from_="All")]
    )
    assert [(p.port, [g.listener for g in p.groups]) for p in m.ports] == [
        (80, ["a"]),
        (8080, ["b"]),
    ]


def test_conflicted_listeners_are_left_out_of_the_model() -> None:
    m = model(
        listeners=[
            listener("a", hostname="x.example.com", from_="All"),
            listener("b", hostname="x.example.com", from_="All"),
            listener("c", hostname="y.example.com", from_="All"),
        ]
    )
    [port] = m.ports
    assert [g.listener for g in port.groups] == ["c"]


# ---------------------------------------------------------------- backends and targets


def test_invalid_backend_keeps_its_weight_without_a_target() -> None:
    m = model(
        route("a", rule(match("/"), backends=[backend("svc", weight=3), backend("gone", weight=1)]))
    )
    [r] = only_group(m).rules
    assert [(b.backend, b.weight) for b in r.action.backends] == [
        (BackendKey(INFRA, "svc", 80), 3),
        (None, 1),
    ]
    assert list(m.targets) == [BackendKey(INFRA, "svc", 80)]


def test_targets_are_ready_endpoints_at_the_slice_port_named_like_the_service_port() -> None:
    m = model(
        service(
            "web",
            ports=[
                {"name": "metrics", "port": 9090, "targetPort": 9091},
                {"name": "http", "port": 80, "targetPort": "web"},
            ],
        ),
        endpoint_slice(
            "web-1",
            service_name="web",
            ports=[{"name": "metrics", "port": 9091}, {"name": "http", "port": 8081}],
            endpoints=[
                endpoint("10.0.0.1"),
                endpoint("10.0.0.2", ready=True),
                endpoint("10.0.0.3", ready=False),
            ],
        ),
        endpoint_slice(
            "web-2",
            service_name="web",
            ports=[{"name": "http", "port": 8081}],
            endpoints=[endpoint("10.0.1.1", ready=True)],
        ),
        endpoint_slice(
            "other-1",
            service_name="other",
            ports=[{"name": "http", "port": 8081}],
            endpoints=[endpoint("10.9.9.9")],
        ),
        route("a", rule(match("/"), backends=[backend("web", port=80)])),
    )
    assert m.targets == {
        BackendKey(INFRA, "web", 80): (
            ("10.0.0.1", 8081),
            ("10.0.0.2", 8081),
            ("10.0.1.1", 8081),
        )
    }


def test_targets_of_an_unnamed_service_port_use_the_unnamed_slice_port() -> None:
    m = model(
        service("web", ports=[{"port": 80, "targetPort": 8080}]),
        endpoint_slice(
            "web-1",
            service_name="web",
            ports=[{"port": 8088}],
            endpoints=[endpoint("10.0.0.1")],
        ),
        route("a", rule(match("/"), backends=[backend("web", port=80)])),
    )
    assert m.targets == {BackendKey(INFRA, "web", 80): (("10.0.0.1", 8088),)}


def test_service_without_ready_endpoints_has_no_targets() -> None:
    m = model(
        endpoint_slice(
            "svc-1", ports=[{"name": "http", "port": 8080}], endpoints=[endpoint("10.0.0.3", False)]
        ),
        route("a", rule(match("/"))),
    )
    assert m.targets == {BackendKey(INFRA, "svc", 80): ()}


# ---------------------------------------------------------------- redirects


def test_redirect_without_port_uses_the_well_known_port_of_its_scheme() -> None:
    redirect = {"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}
    m = model(route("a", rule(match("/"), backends=[], filters=[redirect])))
    [r] = only_group(m).rules
    assert r.action.redirect is not None
    assert r.action.redirect.port == 443
    assert r.action.backends == ()


def test_redirect_without_port_or_scheme_uses_the_listener_port() -> None:
    redirect = {"type": "RequestRedirect", "requestRedirect": {"hostname": "example.org"}}
    m = model(
        route("a", rule(match("/"), backends=[], filters=[redirect])),
        listeners=[listener(port=8080, from_="All")],
    )
    [r] = only_group(m).rules
    assert r.action.redirect is not None
    assert r.action.redirect.port == 8080
