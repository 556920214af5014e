"""attach(): where HTTPRoutes attach, why not, attachedRoutes and backendRefs (v1.6.1)."""

from __future__ import annotations

import pytest

from awsgw.providers.aws.alb.capabilities import CONTROLLER as ALB
from tests.core.builders import (
    APPS,
    GW_GROUP,
    INFRA,
    attached_routes,
    backend,
    gateway,
    http_route,
    listener,
    listener_state,
    namespace,
    parent,
    parent_state,
    reference_grant,
    route_ref,
    rule,
    service,
    world,
)

ROUTE = f"{APPS}/r"


def accepted(att, key: str = ROUTE, index: int = 0) -> tuple[bool, str]:
    return parent_state(att, key, index).accepted[:2]


def resolved(att, key: str = ROUTE, index: int = 0) -> tuple[bool, str]:
    return parent_state(att, key, index).resolved[:2]


def cross_route(**kwargs) -> object:
    """Route ``apps/r`` with a parentRef to ``infra/gw``."""
    kwargs.setdefault("parents", [parent(namespace=INFRA)])
    return http_route("r", namespace=APPS, **kwargs)


# ---------------------------------------------------------------- allowedRoutes.namespaces


def test_listener_allows_routes_of_its_own_namespace_by_default() -> None:
    att = world(gateway(), service(), http_route("r"))
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")


def test_listener_refuses_routes_of_other_namespaces_by_default() -> None:
    att = world(gateway(), cross_route())
    assert accepted(att) == (False, "NotAllowedByListeners")
    assert attached_routes(att, "http") == 0


def test_refused_cross_namespace_route_still_has_resolved_refs_true() -> None:
    att = world(gateway(), service(namespace=APPS), cross_route())
    assert resolved(att) == (True, "ResolvedRefs")


def test_listener_from_same_refuses_other_namespaces() -> None:
    att = world(gateway(listeners=[listener(from_="Same")]), cross_route())
    assert accepted(att) == (False, "NotAllowedByListeners")


def test_listener_from_all_allows_every_namespace() -> None:
    att = world(gateway(listeners=[listener(from_="All")]), cross_route())
    assert accepted(att) == (True, "Accepted")
    assert attached_routes(att, "http") == 1


def test_selector_match_labels_allows_a_labelled_namespace() -> None:
    att = world(
        namespace(APPS, {"env": "prod"}),
        gateway(listeners=[listener(selector={"matchLabels": {"env": "prod"}})]),
        cross_route(),
    )
    assert accepted(att) == (True, "Accepted")


def test_selector_match_labels_refuses_a_namespace_with_another_value() -> None:
    att = world(
        namespace(APPS, {"env": "dev"}),
        gateway(listeners=[listener(selector={"matchLabels": {"env": "prod"}})]),
        cross_route(),
    )
    assert accepted(att) == (False, "NotAllowedByListeners")


def test_selector_refuses_a_namespace_without_labels() -> None:
    att = world(
        namespace(APPS),
        gateway(listeners=[listener(selector={"matchLabels": {"env": "prod"}})]),
        cross_route(),
    )
    assert accepted(att) == (False, "NotAllowedByListeners")


def test_selector_can_use_the_automatic_namespace_name_label() -> None:
    att = world(
        gateway(
            listeners=[listener(selector={"matchLabels": {"kubernetes.io/metadata.name": APPS}})]
        ),
        cross_route(),
    )
    assert accepted(att) == (True, "Accepted")


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ({"key": "env", "operator": "In", "values": ["prod", "staging"]}, True),
        ({"key": "env", "operator": "In", "values": ["dev"]}, False),
        ({"key": "env", "operator": "NotIn", "values": ["dev"]}, True),
        ({"key": "env", "operator": "NotIn", "values": ["prod"]}, False),
        ({"key": "env", "operator": "Exists"}, True),
        ({"key": "team", "operator": "Exists"}, False),
        ({"key": "team", "operator": "DoesNotExist"}, True),
        ({"key": "env", "operator": "DoesNotExist"}, False),
    ],
)
def test_selector_match_expressions_follow_label_selector_semantics(
    expression: dict, allowed: bool
) -> None:
    att = world(
        namespace(APPS, {"env": "prod"}),
        gateway(listeners=[listener(selector={"matchExpressions": [expression]})]),
        cross_route(),
    )
    want = (True, "Accepted") if allowed else (False, "NotAllowedByListeners")
    assert accepted(att) == want


def test_selector_match_labels_and_expressions_must_both_hold() -> None:
    selector = {
        "matchLabels": {"env": "prod"},
        "matchExpressions": [{"key": "team", "operator": "In", "values": ["web"]}],
    }
    att = world(
        namespace(APPS, {"env": "prod", "team": "db"}),
        gateway(listeners=[listener(selector=selector)]),
        cross_route(),
    )
    assert accepted(att) == (False, "NotAllowedByListeners")


def test_route_attaches_only_to_the_listeners_that_allow_it() -> None:
    att = world(
        gateway(
            listeners=[
                listener("same", port=80, from_="Same"),
                listener("all", port=8080, from_="All"),
            ]
        ),
        cross_route(),
    )
    assert accepted(att) == (True, "Accepted")
    assert attached_routes(att, "same") == 0
    assert attached_routes(att, "all") == 1


# ---------------------------------------------------------------- parentRef sectionName / port


def two_listeners() -> object:
    return gateway(
        listeners=[
            listener("http", port=80, from_="All"),
            listener("alt", port=8080, from_="All"),
        ]
    )


def test_parent_ref_section_name_matching_no_listener_is_no_matching_parent() -> None:
    att = world(two_listeners(), cross_route(parents=[parent(namespace=INFRA, section="http1")]))
    assert accepted(att) == (False, "NoMatchingParent")
    assert attached_routes(att, "http") == 0


def test_parent_ref_port_matching_no_listener_is_no_matching_parent() -> None:
    att = world(two_listeners(), cross_route(parents=[parent(namespace=INFRA, port=81)]))
    assert accepted(att) == (False, "NoMatchingParent")


def test_parent_ref_section_name_and_port_must_name_the_same_listener() -> None:
    att = world(
        two_listeners(), cross_route(parents=[parent(namespace=INFRA, section="http", port=8080)])
    )
    assert accepted(att) == (False, "NoMatchingParent")


def test_parent_ref_section_name_attaches_to_that_listener_only() -> None:
    att = world(two_listeners(), cross_route(parents=[parent(namespace=INFRA, section="alt")]))
    assert accepted(att) == (True, "Accepted")
    assert attached_routes(att, "alt") == 1
    assert attached_routes(att, "http") == 0


def test_parent_ref_port_attaches_to_the_listeners_on_that_port() -> None:
    att = world(two_listeners(), cross_route(parents=[parent(namespace=INFRA, port=8080)]))
    assert accepted(att) == (True, "Accepted")
    assert attached_routes(att, "alt") == 1
    assert attached_routes(att, "http") == 0


def test_parent_ref_without_namespace_means_the_route_namespace() -> None:
    att = world(gateway(), http_route("r", parents=[parent()]))
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")


def test_each_parent_ref_gets_its_own_parent_state() -> None:
    att = world(
        two_listeners(),
        cross_route(
            parents=[
                parent(namespace=INFRA, section="http"),
                parent(namespace=INFRA, section="nope"),
            ]
        ),
    )
    assert accepted(att, ROUTE, 0) == (True, "Accepted")
    assert accepted(att, ROUTE, 1) == (False, "NoMatchingParent")


# ---------------------------------------------------------------- hostnames


def intersection_gateway() -> object:
    return gateway(
        "hi",
        listeners=[
            listener("listener-1", hostname="very.specific.com"),
            listener("listener-2", hostname="*.wildcard.io"),
            listener("listener-3", hostname="*.anotherwildcard.io"),
        ],
    )


def hi_route(name: str, hostnames: list[str]) -> object:
    return http_route(name, hostnames=hostnames, parents=[parent("hi", namespace=INFRA)])


def test_route_hostnames_not_intersecting_any_listener_are_no_matching_listener_hostname() -> None:
    att = world(
        intersection_gateway(),
        hi_route("no-intersecting-hosts", ["specific.but.wrong.com", "wildcard.io"]),
    )
    assert accepted(att, f"{INFRA}/no-intersecting-hosts") == (
        False,
        "NoMatchingListenerHostname",
    )
    for name in ("listener-1", "listener-2", "listener-3"):
        assert attached_routes(att, name, f"{INFRA}/hi") == 0


def test_attached_routes_count_hostname_intersections_per_listener() -> None:
    # Conformance HTTPRouteHostnameIntersection: listener-1 = 2, listener-2 = 1, listener-3 = 1.
    att = world(
        intersection_gateway(),
        hi_route(
            "specific-host-matches-listener-specific-host",
            ["non.matching.com", "*.nonmatchingwildcard.io", "very.specific.com"],
        ),
        hi_route(
            "specific-host-matches-listener-wildcard-host",
            ["non.matching.com", "wildcard.io", "foo.wildcard.io", "bar.wildcard.io"],
        ),
        hi_route(
            "wildcard-host-matches-listener-specific-host", ["non.matching.com", "*.specific.com"]
        ),
        hi_route("wildcard-host-matches-listener-wildcard-host", ["*.anotherwildcard.io"]),
        hi_route("no-intersecting-hosts", ["specific.but.wrong.com", "wildcard.io"]),
    )
    counts = {
        name: attached_routes(att, name, f"{INFRA}/hi")
        for name in ("listener-1", "listener-2", "listener-3")
    }
    assert counts == {"listener-1": 2, "listener-2": 1, "listener-3": 1}
    for name in (
        "specific-host-matches-listener-specific-host",
        "specific-host-matches-listener-wildcard-host",
        "wildcard-host-matches-listener-specific-host",
        "wildcard-host-matches-listener-wildcard-host",
    ):
        assert accepted(att, f"{INFRA}/{name}") == (True, "Accepted")


def test_placement_keeps_only_the_intersecting_hostnames() -> None:
    att = world(
        intersection_gateway(),
        hi_route("r", ["non.matching.com", "wildcard.io", "foo.wildcard.io"]),
    )
    placements = att.placements[f"{INFRA}/hi"]
    served = [(p.listener, p.hostnames) for p in placements]
    assert served == [("listener-2", (("foo.wildcard.io", "foo.wildcard.io"),))]


def test_route_without_hostnames_attaches_to_every_listener() -> None:
    att = world(intersection_gateway(), hi_route("r", []))
    for name in ("listener-1", "listener-2", "listener-3"):
        assert attached_routes(att, name, f"{INFRA}/hi") == 1


# ---------------------------------------------------------------- attachedRoutes


def test_attached_routes_count_only_accepted_routes() -> None:
    att = world(
        gateway(listeners=[listener(hostname="foo.example.com")]),
        http_route("a"),
        http_route("b", hostnames=["foo.example.com"]),
        http_route("not-accepted", hostnames=["not-accepted.test.com"]),
    )
    assert attached_routes(att, "http") == 2
    assert accepted(att, f"{INFRA}/not-accepted") == (False, "NoMatchingListenerHostname")


def test_route_referencing_one_listener_twice_counts_once() -> None:
    att = world(
        gateway(),
        http_route("r", parents=[parent(namespace=INFRA), parent(namespace=INFRA, section="http")]),
    )
    assert attached_routes(att, "http") == 1


def test_attached_routes_count_routes_from_several_namespaces() -> None:
    att = world(
        gateway(listeners=[listener(from_="All")]),
        http_route("r", namespace=INFRA),
        http_route("r", namespace=APPS, parents=[parent(namespace=INFRA)]),
    )
    assert attached_routes(att, "http") == 2


def test_routes_attach_to_conflicted_listeners_for_the_count() -> None:
    # "the AttachedRoutes field count MUST be set for Listeners, even if the Accepted
    # condition of an individual Listener is set to False"
    att = world(
        gateway(
            listeners=[
                listener("a", hostname="x.io"),
                listener("b", hostname="x.io"),
                listener("c", port=8080),
            ]
        ),
        http_route("r", parents=[parent(namespace=INFRA, section="a")]),
    )
    assert listener_state(att, "a").accepted[0] is False
    assert attached_routes(att, "a") == 1


# ---------------------------------------------------------------- backendRefs


def test_backend_ref_to_a_missing_service_is_backend_not_found() -> None:
    att = world(gateway(), http_route("r", rules=[rule(backends=[backend("nonexistent")])]))
    assert resolved(att, f"{INFRA}/r") == (False, "BackendNotFound")
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")


def test_backend_ref_of_an_unknown_kind_is_invalid_kind() -> None:
    att = world(
        gateway(),
        http_route(
            "r",
            rules=[
                rule(backends=[backend("x", group="unknownkind.example.com", kind="NonExistent")])
            ],
        ),
    )
    assert resolved(att, f"{INFRA}/r") == (False, "InvalidKind")
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")


def test_backend_ref_of_a_valid_service_resolves() -> None:
    att = world(gateway(), service(), http_route("r"))
    assert resolved(att, f"{INFRA}/r") == (True, "ResolvedRefs")
    [[b]] = att.backends[(route_ref(f"{INFRA}/r"), ALB)]
    assert b.problem is None
    assert str(b.key) == f"{INFRA}/svc:80"


def cross_backend_route() -> object:
    return http_route("r", rules=[rule(backends=[backend("web-backend", namespace=APPS)])])


GOOD_FROM = {"group": GW_GROUP, "kind": "HTTPRoute", "namespace": INFRA}
GOOD_TO = {"group": "", "kind": "Service", "name": "web-backend"}


def test_cross_namespace_backend_without_grant_is_ref_not_permitted() -> None:
    att = world(gateway(), service("web-backend", namespace=APPS), cross_backend_route())
    assert resolved(att, f"{INFRA}/r") == (False, "RefNotPermitted")
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")


def test_missing_cross_namespace_backend_without_grant_is_ref_not_permitted() -> None:
    att = world(gateway(), cross_backend_route())
    assert resolved(att, f"{INFRA}/r") == (False, "RefNotPermitted")


def test_cross_namespace_backend_with_a_matching_grant_resolves() -> None:
    att = world(
        gateway(),
        service("web-backend", namespace=APPS),
        reference_grant(namespace=APPS, from_=GOOD_FROM, to=GOOD_TO),
        cross_backend_route(),
    )
    assert resolved(att, f"{INFRA}/r") == (True, "ResolvedRefs")


def test_grant_without_to_name_allows_every_service_of_the_namespace() -> None:
    att = world(
        gateway(),
        service("web-backend", namespace=APPS),
        reference_grant(namespace=APPS, from_=GOOD_FROM, to={"group": "", "kind": "Service"}),
        cross_backend_route(),
    )
    assert resolved(att, f"{INFRA}/r") == (True, "ResolvedRefs")


@pytest.mark.parametrize(
    ("grant_namespace", "from_", "to"),
    [
        pytest.param(INFRA, GOOD_FROM, GOOD_TO, id="namespace"),
        pytest.param(APPS, {**GOOD_FROM, "group": "not-the-group"}, GOOD_TO, id="from.group"),
        pytest.param(APPS, {**GOOD_FROM, "kind": "Gateway"}, GOOD_TO, id="from.kind"),
        pytest.param(APPS, {**GOOD_FROM, "namespace": "other"}, GOOD_TO, id="from.namespace"),
        pytest.param(APPS, GOOD_FROM, {**GOOD_TO, "group": "not-the-group"}, id="to.group"),
        pytest.param(APPS, GOOD_FROM, {**GOOD_TO, "kind": "Secret"}, id="to.kind"),
        pytest.param(APPS, GOOD_FROM, {**GOOD_TO, "name": "not-web-backend"}, id="to.name"),
    ],
)
def test_reference_grant_with_one_wrong_field_is_ref_not_permitted(
    grant_namespace: str, from_: dict, to: dict
) -> None:
    att = world(
        gateway(),
        service("web-backend", namespace=APPS),
        reference_grant(namespace=grant_namespace, from_=from_, to=to),
        cross_backend_route(),
    )
    assert resolved(att, f"{INFRA}/r") == (False, "RefNotPermitted")
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")


def test_one_ungranted_rule_makes_the_route_ref_not_permitted_but_accepted() -> None:
    att = world(
        gateway(),
        service("app-backend-v1", namespace=APPS),
        service("app-backend-v2", namespace=APPS),
        reference_grant(
            namespace=APPS,
            from_=GOOD_FROM,
            to={"group": "", "kind": "Service", "name": "app-backend-v1"},
        ),
        http_route(
            "r",
            rules=[
                rule(backends=[backend("app-backend-v2", namespace=APPS)]),
                rule(backends=[backend("app-backend-v1", namespace=APPS)]),
            ],
        ),
    )
    assert resolved(att, f"{INFRA}/r") == (False, "RefNotPermitted")
    assert accepted(att, f"{INFRA}/r") == (True, "Accepted")
    bad, good = att.backends[(route_ref(f"{INFRA}/r"), ALB)]
    assert bad[0].key is None
    assert good[0].problem is None


def test_invalid_backends_do_not_stop_the_route_from_counting_as_attached() -> None:
    att = world(gateway(), http_route("r", rules=[rule(backends=[backend("nonexistent")])]))
    assert attached_routes(att, "http") == 1
