"""attach(): GatewayClasses, Gateways and listener validation (Gateway API v1.6.1)."""

from __future__ import annotations

from awsgw.core.attach import attach
from awsgw.core.capabilities import Catalog
from awsgw.providers.registry import CATALOG
from tests.core.builders import (
    APPS,
    GW_GROUP,
    INFRA,
    attached_routes,
    gateway,
    gateway_class,
    http_route,
    listener,
    listener_state,
    parent,
    parent_state,
    reference_grant,
    route_ref,
    store,
    tls_secret,
    world,
)

HTTPROUTE = {"group": GW_GROUP, "kind": "HTTPRoute"}
GRPCROUTE = {"group": GW_GROUP, "kind": "GRPCRoute"}


def kinds(ls) -> list[dict[str, str]]:
    return [{"group": k.group, "kind": k.kind} for k in ls.supported_kinds]


# ---------------------------------------------------------------- GatewayClass


def test_gateway_class_of_the_alb_controller_is_accepted() -> None:
    att = attach(store(gateway_class("alb")), CATALOG)
    cs = att.classes["alb"]
    assert cs.accepted.ok is True
    assert cs.accepted.reason == "Accepted"


def test_gateway_class_of_another_controller_gets_no_status() -> None:
    att = attach(store(gateway_class("other", "example.com/gateway-controller")), CATALOG)
    assert "other" not in att.classes


def test_gateways_of_a_foreign_class_are_ignored() -> None:
    att = attach(
        store(
            gateway_class("other", "example.com/gateway-controller"), gateway(class_name="other")
        ),
        CATALOG,
    )
    assert att.gateways == {}


def test_gateways_of_an_unknown_class_are_ignored() -> None:
    att = world(gateway(class_name="missing"))
    assert att.gateways == {}


RESERVING = Catalog(dict(CATALOG.rows), reserved=("awsgw.io/next",))


def test_reserved_controller_classes_are_not_accepted() -> None:
    att = attach(store(gateway_class("reserved", "awsgw.io/next")), RESERVING)
    assert att.classes["reserved"].accepted.ok is False


def test_gateways_of_a_reserved_class_are_not_accepted() -> None:
    att = attach(
        store(gateway_class("reserved", "awsgw.io/next"), gateway(class_name="reserved")),
        RESERVING,
    )
    assert att.gateways[f"{INFRA}/gw"].accepted[0] is False


def test_gateway_of_an_accepted_class_with_valid_listeners_is_accepted() -> None:
    att = world(gateway())
    assert att.gateways[f"{INFRA}/gw"].accepted == (True, "Accepted", "Gateway is accepted")


# ---------------------------------------------------------------- unsupported protocols


def test_unsupported_protocol_listener_is_not_accepted_and_supports_no_kinds() -> None:
    att = world(gateway(listeners=[listener("http"), listener("udp", port=53, protocol="UDP")]))
    udp = listener_state(att, "udp")
    assert udp.accepted[:2] == (False, "UnsupportedProtocol")
    assert udp.supported_kinds == []
    assert udp.programmed[0] is False


def test_valid_listener_next_to_an_unsupported_one_keeps_working() -> None:
    att = world(
        gateway(listeners=[listener("http"), listener("udp", port=53, protocol="UDP")]),
        http_route("r"),
    )
    http = listener_state(att, "http")
    assert http.accepted[:2] == (True, "Accepted")
    assert kinds(http) == [HTTPROUTE]
    assert attached_routes(att, "http") == 1
    assert attached_routes(att, "udp") == 0
    assert parent_state(att, f"{INFRA}/r").accepted[:2] == (True, "Accepted")


def test_gateway_with_some_unsupported_listeners_is_accepted_with_listeners_not_valid() -> None:
    att = world(gateway(listeners=[listener("http"), listener("udp", port=53, protocol="UDP")]))
    assert att.gateways[f"{INFRA}/gw"].accepted[:2] == (True, "ListenersNotValid")


def test_gateway_with_only_unsupported_listeners_is_not_accepted() -> None:
    att = world(gateway(listeners=[listener("invalid", port=1111, protocol="INVALID")]))
    gws = att.gateways[f"{INFRA}/gw"]
    assert gws.accepted[:2] == (False, "ListenersNotValid")
    invalid = listener_state(att, "invalid")
    assert invalid.accepted[:2] == (False, "UnsupportedProtocol")
    assert invalid.supported_kinds == []
    assert attached_routes(att, "invalid") == 0


# ---------------------------------------------------------------- conflicts


def test_listeners_with_the_same_port_and_hostname_are_hostname_conflicted() -> None:
    att = world(
        gateway(
            listeners=[
                listener("a", hostname="foo.example.com"),
                listener("b", hostname="foo.example.com"),
                listener("c", hostname="bar.example.com"),
            ]
        )
    )
    for name in ("a", "b"):
        ls = listener_state(att, name)
        assert ls.conflicted[:2] == (True, "HostnameConflict")
        assert ls.accepted[0] is False
    c = listener_state(att, "c")
    assert c.conflicted[:2] == (False, "NoConflicts")
    assert c.accepted[:2] == (True, "Accepted")
    assert att.gateways[f"{INFRA}/gw"].accepted[:2] == (True, "ListenersNotValid")


def test_listeners_without_hostname_on_one_port_are_hostname_conflicted() -> None:
    att = world(gateway(listeners=[listener("a"), listener("b")]))
    for name in ("a", "b"):
        assert listener_state(att, name).conflicted[:2] == (True, "HostnameConflict")


def test_listeners_on_one_port_with_different_protocols_are_protocol_conflicted() -> None:
    att = world(
        tls_secret("cert"),
        gateway(
            listeners=[
                listener("http", port=8443, hostname="a.example.com"),
                listener(
                    "https",
                    port=8443,
                    protocol="HTTPS",
                    hostname="b.example.com",
                    certs=[{"name": "cert"}],
                ),
                listener("other", port=80),
            ]
        ),
    )
    for name in ("http", "https"):
        ls = listener_state(att, name)
        assert ls.conflicted[:2] == (True, "ProtocolConflict")
        assert ls.accepted[0] is False
    assert listener_state(att, "other").accepted[0] is True
    assert att.gateways[f"{INFRA}/gw"].accepted[:2] == (True, "ListenersNotValid")


def test_gateway_with_only_conflicted_listeners_is_not_accepted() -> None:
    att = world(gateway(listeners=[listener("a"), listener("b")]))
    assert att.gateways[f"{INFRA}/gw"].accepted[:2] == (False, "ListenersNotValid")


def test_listeners_on_one_port_with_distinct_hostnames_do_not_conflict() -> None:
    att = world(
        gateway(
            listeners=[
                listener("any"),
                listener("wild", hostname="*.example.com"),
                listener("exact", hostname="foo.example.com"),
            ]
        )
    )
    for name in ("any", "wild", "exact"):
        ls = listener_state(att, name)
        assert ls.conflicted[:2] == (False, "NoConflicts")
        assert ls.accepted[:2] == (True, "Accepted")
    assert att.gateways[f"{INFRA}/gw"].accepted[:2] == (True, "Accepted")


def test_listeners_with_the_same_hostname_on_different_ports_do_not_conflict() -> None:
    att = world(
        gateway(
            listeners=[
                listener("a", port=80, hostname="foo.example.com"),
                listener("b", port=8080, hostname="foo.example.com"),
            ]
        )
    )
    for name in ("a", "b"):
        assert listener_state(att, name).conflicted[0] is False


# ---------------------------------------------------------------- allowedRoutes.kinds


def test_listener_with_only_invalid_route_kinds_supports_none() -> None:
    att = world(gateway(listeners=[listener(kinds=[{"kind": "InvalidRoute"}])]))
    ls = listener_state(att, "http")
    assert ls.resolved[:2] == (False, "InvalidRouteKinds")
    assert ls.supported_kinds == []
    assert attached_routes(att, "http") == 0


def test_listener_with_valid_and_invalid_route_kinds_lists_only_the_valid_ones() -> None:
    att = world(
        gateway(listeners=[listener(kinds=[{"kind": "InvalidRoute"}, {"kind": "HTTPRoute"}])])
    )
    ls = listener_state(att, "http")
    assert ls.resolved[:2] == (False, "InvalidRouteKinds")
    assert kinds(ls) == [HTTPROUTE]


def test_route_kind_of_another_group_is_invalid() -> None:
    att = world(
        gateway(listeners=[listener(kinds=[{"group": "example.com", "kind": "HTTPRoute"}])])
    )
    ls = listener_state(att, "http")
    assert ls.resolved[:2] == (False, "InvalidRouteKinds")
    assert ls.supported_kinds == []


def test_route_kind_incompatible_with_the_listener_protocol_is_invalid() -> None:
    att = world(gateway(listeners=[listener(kinds=[{"kind": "TCPRoute"}])]))
    assert listener_state(att, "http").resolved[:2] == (False, "InvalidRouteKinds")


def test_listener_with_explicit_httproute_kind_resolves() -> None:
    att = world(gateway(listeners=[listener(kinds=[{"kind": "HTTPRoute"}])]))
    ls = listener_state(att, "http")
    assert ls.resolved[:2] == (True, "ResolvedRefs")
    assert kinds(ls) == [HTTPROUTE]


def test_listener_without_kinds_supports_the_kinds_of_its_protocol() -> None:
    att = world(gateway())
    assert kinds(listener_state(att, "http")) == [HTTPROUTE]


def test_empty_route_kinds_mean_the_kinds_of_the_listener_protocol() -> None:
    # allowedRoutes.kinds: "When unspecified or empty, the kinds of Routes selected are
    # determined using the Listener protocol."
    att = world(gateway(listeners=[listener(kinds=[])]), http_route("r"))
    ls = listener_state(att, "http")
    assert kinds(ls) == [HTTPROUTE]
    assert ls.resolved[0] is True
    assert parent_state(att, f"{INFRA}/r").accepted[:2] == (True, "Accepted")


def test_route_cannot_attach_to_a_listener_with_only_invalid_kinds() -> None:
    att = world(gateway(listeners=[listener(kinds=[{"kind": "InvalidRoute"}])]), http_route("r"))
    assert parent_state(att, f"{INFRA}/r").accepted[:2] == (False, "NotAllowedByListeners")


def test_route_attaches_to_a_listener_with_valid_and_invalid_kinds() -> None:
    att = world(
        gateway(listeners=[listener(kinds=[{"kind": "InvalidRoute"}, {"kind": "HTTPRoute"}])]),
        http_route("r"),
    )
    assert parent_state(att, f"{INFRA}/r").accepted[:2] == (True, "Accepted")
    assert attached_routes(att, "http") == 1


# ---------------------------------------------------------------- TLS certificates


def https(certs: list[dict[str, str]], name: str = "https") -> dict:
    return listener(name, port=443, protocol="HTTPS", certs=certs)


def test_https_listener_with_a_valid_secret_resolves() -> None:
    att = world(tls_secret("cert"), gateway(listeners=[https([{"name": "cert"}])]))
    ls = listener_state(att, "https")
    assert ls.resolved[:2] == (True, "ResolvedRefs")
    assert ls.certificates == [(INFRA, "cert")]


def test_https_listener_with_a_missing_secret_has_invalid_certificate_ref() -> None:
    att = world(gateway(listeners=[https([{"name": "missing"}])]))
    ls = listener_state(att, "https")
    assert ls.resolved[:2] == (False, "InvalidCertificateRef")
    assert ls.accepted[0] is True
    assert ls.programmed[0] is False
    assert kinds(ls) == [HTTPROUTE, GRPCROUTE]


def test_cross_namespace_certificate_without_grant_is_ref_not_permitted() -> None:
    att = world(
        tls_secret("cert", namespace=APPS),
        gateway(listeners=[https([{"name": "cert", "namespace": APPS}])]),
    )
    assert listener_state(att, "https").resolved[:2] == (False, "RefNotPermitted")


def test_missing_cross_namespace_certificate_without_grant_is_ref_not_permitted() -> None:
    # InvalidCertificateRef "must be used only when the reference is allowed".
    att = world(gateway(listeners=[https([{"name": "nope", "namespace": APPS}])]))
    assert listener_state(att, "https").resolved[:2] == (False, "RefNotPermitted")


def test_cross_namespace_certificate_with_a_grant_resolves() -> None:
    att = world(
        tls_secret("cert", namespace=APPS),
        reference_grant(
            namespace=APPS,
            from_={"group": GW_GROUP, "kind": "Gateway", "namespace": INFRA},
            to={"group": "", "kind": "Secret", "name": "cert"},
        ),
        gateway(listeners=[https([{"name": "cert", "namespace": APPS}])]),
    )
    ls = listener_state(att, "https")
    assert ls.resolved[:2] == (True, "ResolvedRefs")
    assert ls.certificates == [(APPS, "cert")]


def test_certificate_ref_of_a_non_secret_kind_is_invalid() -> None:
    att = world(
        tls_secret("cert"),
        gateway(listeners=[https([{"group": "", "kind": "ConfigMap", "name": "cert"}])]),
    )
    assert listener_state(att, "https").resolved[:2] == (False, "InvalidCertificateRef")


def test_routes_attach_to_a_listener_with_an_unresolved_certificate() -> None:
    att = world(gateway(listeners=[https([{"name": "missing"}])]), http_route("r"))
    assert parent_state(att, f"{INFRA}/r").accepted[:2] == (True, "Accepted")
    assert attached_routes(att, "https") == 1


def test_gateway_with_only_an_unresolved_certificate_listener_stays_accepted() -> None:
    att = world(gateway(listeners=[https([{"name": "missing"}])]))
    assert att.gateways[f"{INFRA}/gw"].accepted[0] is True


def test_gateway_with_an_unresolved_certificate_listener_reports_listeners_not_valid() -> None:
    att = world(
        tls_secret("cert"),
        gateway(listeners=[https([{"name": "missing"}], "bad"), listener("http")]),
    )
    assert att.gateways[f"{INFRA}/gw"].accepted[:2] == (True, "ListenersNotValid")
    assert listener_state(att, "http").accepted[:2] == (True, "Accepted")


def test_route_parented_only_by_a_foreign_gateway_gets_no_parent_entry() -> None:
    att = world(
        gateway_class("other", "example.com/other"),
        gateway("theirs", class_name="other"),
        http_route("r", parents=[parent("theirs", namespace=INFRA)]),
    )
    assert route_ref(f"{INFRA}/r") not in att.route_parents


# ---------------------------------------------------------------- TLS modes


def nlb_world(*listeners: dict) -> object:
    return attach(
        store(
            gateway_class("nlb", "awsgw.io/nlb"),
            gateway(listeners=list(listeners), class_name="nlb"),
            tls_secret("cert"),
        ),
        CATALOG,
    )


def test_tls_listeners_of_both_modes_on_one_port_conflict_where_modes_cannot_mix() -> None:
    terminate = listener("term", port=8443, protocol="TLS", hostname="a.example.com",
                         certs=[{"name": "cert"}])  # fmt: skip
    passthrough = listener("pass", port=8443, protocol="TLS", hostname="b.example.com")
    passthrough["tls"] = {"mode": "Passthrough"}
    att = nlb_world(terminate, passthrough)
    for name in ("term", "pass"):
        state = listener_state(att, name)
        assert state.accepted[:2] == (False, "ProtocolConflict")
        assert "cannot both terminate and pass through" in state.accepted.message
        assert state.supported_kinds == []


def test_tls_listeners_of_one_mode_share_a_port_by_hostname() -> None:
    one = listener("one", port=8443, protocol="TLS", hostname="a.example.com")
    two = listener("two", port=8443, protocol="TLS", hostname="b.example.com")
    one["tls"] = two["tls"] = {"mode": "Passthrough"}
    att = nlb_world(one, two)
    assert listener_state(att, "one").accepted.ok and listener_state(att, "two").accepted.ok


def test_a_tls_mode_the_data_plane_does_not_serve_is_an_unsupported_value() -> None:
    https = listener("https", port=443, protocol="HTTPS", certs=[{"name": "cert"}])
    https["tls"]["mode"] = "Passthrough"
    att = attach(store(gateway_class(), gateway(listeners=[https]), tls_secret("cert")), CATALOG)
    state = listener_state(att, "https")
    assert state.accepted[:2] == (False, "UnsupportedValue")
    assert "only terminates TLS" in state.accepted.message and state.supported_kinds == []


# ---------------------------------------------------------------- ACM certificates by ARN

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"


def with_arns(value: str, certs: list[dict] | None = None) -> dict:
    https = listener("https", port=443, protocol="HTTPS", certs=certs or [])
    https["tls"]["options"] = {"awsgw.io/certificate-arns": value}
    return https


def test_acm_arns_alone_resolve_an_https_listener() -> None:
    att = attach(store(gateway_class(), gateway(listeners=[with_arns(f"{ARN}, {ARN}")])), CATALOG)
    state = listener_state(att, "https")
    assert state.resolved.ok and state.acm_arns == [ARN]


def test_acm_arns_follow_the_secrets_of_a_listener() -> None:
    gw = gateway(listeners=[with_arns(ARN, [{"name": "cert"}])])
    state = listener_state(attach(store(gateway_class(), gw, tls_secret("cert")), CATALOG), "https")
    assert state.certificates == [(INFRA, "cert")] and state.acm_arns == [ARN]


def test_a_value_that_is_no_acm_arn_is_an_invalid_certificate_ref() -> None:
    wrong = "arn:aws:iam::123456789012:server-certificate/site"
    gw = gateway(listeners=[with_arns(f"{ARN},{wrong}")])
    state = listener_state(attach(store(gateway_class(), gw), CATALOG), "https")
    assert state.resolved[:2] == (False, "InvalidCertificateRef")
    assert "tls.options[awsgw.io/certificate-arns]" in state.resolved.message
    assert wrong in state.resolved.message


def test_vpc_lattice_refuses_acm_arns_with_the_reason() -> None:
    gw = gateway(listeners=[with_arns(ARN)], class_name="lattice")
    att = attach(store(gateway_class("lattice", "awsgw.io/lattice"), gw), CATALOG)
    state = listener_state(att, "https")
    assert state.accepted[:2] == (False, "UnsupportedValue")
    assert "takes certificates from Secrets only" in state.accepted.message


def with_discovery(value: str, certs: list[dict] | None = None) -> dict:
    https = listener("https", port=443, protocol="HTTPS", certs=certs or [])
    https["tls"]["options"] = {"awsgw.io/certificate-discovery": value}
    return https


def test_certificate_discovery_alone_resolves_an_https_listener() -> None:
    att = attach(store(gateway_class(), gateway(listeners=[with_discovery("true")])), CATALOG)
    state = listener_state(att, "https")
    assert state.resolved.ok and state.discovery


def test_certificate_discovery_false_needs_certificate_refs() -> None:
    att = attach(store(gateway_class(), gateway(listeners=[with_discovery("false")])), CATALOG)
    state = listener_state(att, "https")
    assert state.resolved[:2] == (False, "InvalidCertificateRef") and not state.discovery


def test_certificate_discovery_takes_true_or_false_only() -> None:
    att = attach(store(gateway_class(), gateway(listeners=[with_discovery("yes")])), CATALOG)
    state = listener_state(att, "https")
    assert state.accepted[:2] == (False, "UnsupportedValue")
    assert "tls.options[awsgw.io/certificate-discovery]: 'yes' is not" in state.accepted.message


def test_vpc_lattice_refuses_certificate_discovery_with_the_reason() -> None:
    gw = gateway(listeners=[with_discovery("true")], class_name="lattice")
    att = attach(store(gateway_class("lattice", "awsgw.io/lattice"), gw), CATALOG)
    state = listener_state(att, "https")
    assert state.accepted[:2] == (False, "UnsupportedValue")
    assert "takes certificates from Secrets only" in state.accepted.message
