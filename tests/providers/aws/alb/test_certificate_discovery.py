"""``tls.options[awsgw.io/certificate-discovery]: "true"``: a listener presents, per
hostname it serves (its own, or without one its Routes'), the newest ISSUED ACM certificate
whose names cover it; certificates awsgw imported from Secrets are never picked; what is
found is used as it is, never changed or deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric import ec
from moto.acm.models import acm_backends

from tests.certs import certificate_pem, key_pem, self_signed_pem
from tests.conftest import MotoVpc
from tests.providers.aws.alb.test_acm_certificates import TLS_ROUTE, certificates_of
from tests.providers.aws.alb.test_acm_certificates import gateway as acm_gateway
from tests.providers.aws.alb.test_certificates import acm_certificates, listener_status, secret
from tests.support import GATEWAY_CLASS, NLB_CLASS, Harness, NlbHarness, condition, service


def imported(h: Any, hosts: tuple[str, ...], days_ago: int = 0, key: Any = None) -> str:
    """A certificate the account already holds, imported ``days_ago``."""
    if key is None:
        cert, pem = self_signed_pem(hosts)
    else:
        cert, pem = certificate_pem(hosts, key), key_pem(key)
    acm = h.aws.client("acm")
    arn = str(acm.import_certificate(Certificate=cert.encode(), PrivateKey=pem.encode())[
        "CertificateArn"])  # fmt: skip
    bundle = acm_backends["123456789012"]["us-east-1"]._certificates[arn]
    bundle.created_at = dt.datetime.now() - dt.timedelta(days=days_ago)
    return arn


def gateway(
    hostname: str | None, refs: str = "[]", cls: str = "alb", protocol: str = "HTTPS"
) -> str:
    return acm_gateway(None, refs, cls, protocol, hostname, discovery=True)


def route(*hostnames: str) -> str:
    doc = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "store", "namespace": "shop"},
        "spec": {
            "parentRefs": [{"name": "web"}],
            "hostnames": list(hostnames),
            "rules": [{"backendRefs": [{"name": "app", "port": 80}]}],
        },
    }
    return "---\n" + yaml.safe_dump(doc) + service("shop", "app", 80, ["10.0.1.1"])


def test_the_newest_certificate_covering_the_listener_hostname_is_presented(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    imported(h, ("*.example.com",), days_ago=30)
    newest = imported(h, ("shop.example.com", "www.example.com"), days_ago=1)
    imported(h, ("shop.example.com",), days_ago=90)
    imported(h, ("other.example.com",))
    h.aws.client("acm").request_certificate(DomainName="shop.example.com")  # pending: never
    state = GATEWAY_CLASS + gateway("shop.example.com") + route()
    gw = h.run(state).statuses[("Gateway", "shop/web")]
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "True", gw
    assert certificates_of(h, "shop/web", 443) == [newest]
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_without_a_listener_hostname_the_routes_hostnames_are_covered(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    wildcard = imported(h, ("*.example.com",))
    api = imported(h, ("api.example.org",), key=ec.generate_private_key(ec.SECP256R1()))
    state = GATEWAY_CLASS + gateway(None) + route("shop.example.com", "api.example.org")
    gw = h.run(state).statuses[("Gateway", "shop/web")]
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "True", gw
    assert certificates_of(h, "shop/web", 443) == [wildcard, api], "an EC key is found too"


def test_a_hostname_no_certificate_covers_fails_only_its_listener(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    imported(h, ("*.example.com",))
    state = GATEWAY_CLASS + gateway(None) + route("a.b.example.com", "shop.example.com")
    gw = h.run(state).statuses[("Gateway", "shop/web")]
    secure = listener_status(gw, "secure")
    resolved = condition(secure, "ResolvedRefs")
    assert resolved["reason"] == "InvalidCertificateRef"
    assert "no ISSUED ACM certificate covers a.b.example.com" in resolved["message"]
    assert "shop.example.com" not in resolved["message"]
    assert condition(listener_status(gw, "http"), "Programmed")["status"] == "True"


def test_nothing_to_discover_for_is_said(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    imported(h, ("*.example.com",))
    gw = h.run(GATEWAY_CLASS + gateway(None) + route()).statuses[("Gateway", "shop/web")]
    resolved = condition(listener_status(gw, "secure"), "ResolvedRefs")
    assert resolved["reason"] == "InvalidCertificateRef"
    assert "no hostname and no attached Route names one" in resolved["message"]


def test_certificates_awsgw_imported_are_not_discovered(aws_env: MotoVpc) -> None:
    """A Secret's certificate imported for one listener goes when its Secret goes: discovery
    on another listener never leans on it."""
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    state = GATEWAY_CLASS + gateway("shop.example.com", "[{name: site}]") + route()
    state += secret("site", ["shop.example.com"])
    gw = h.run(state).statuses[("Gateway", "shop/web")]
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "False"
    assert "no ISSUED ACM certificate covers shop.example.com" in str(gw)
    [own] = acm_certificates(h)
    mine = imported(h, ("shop.example.com",))
    h.run(state)
    assert certificates_of(h, "shop/web", 443) == [own, mine], "the Secret's is the default"
    h.run(GATEWAY_CLASS)
    assert acm_certificates(h) == [mine], "the discovered certificate stays"
    tags = h.aws.client("acm").list_tags_for_certificate(CertificateArn=mine).get("Tags", [])
    assert tags == [], "and is never tagged"


def test_a_certificate_issued_later_is_picked_up_on_a_later_pass(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    state = GATEWAY_CLASS + gateway("shop.example.com") + route()
    h.run(state)
    arn = imported(h, ("shop.example.com",))
    gw = h.run(state).statuses[("Gateway", "shop/web")]
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "True", gw
    assert certificates_of(h, "shop/web", 443) == [arn]


def test_an_nlb_tls_listener_discovers_its_certificate(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    arn = imported(h, ("kafka.example.com",))
    listeners = gateway("kafka.example.com", cls="nlb", protocol="TLS")
    listeners = listeners.replace("tls:\n", "tls:\n      mode: Terminate\n")
    gw = h.run(NLB_CLASS + listeners + TLS_ROUTE).statuses[("Gateway", "shop/web")]
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "True", gw
    assert h.connect("shop/web", 443, "TLS", "kafka.example.com").certificate.arn == arn
