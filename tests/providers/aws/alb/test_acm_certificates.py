"""HTTPS and NLB TLS listeners present ACM certificates named by ARN in ``tls.options``
(``awsgw.io/certificate-arns``): used as they are when ISSUED, reported on their listener
otherwise, mixed with Secrets, never modified or deleted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.certs import self_signed_pem
from tests.conftest import MotoVpc
from tests.providers.aws.alb.test_certificates import acm_certificates, listener_status, secret
from tests.support import (
    GATEWAY_CLASS,
    NLB_CLASS,
    Harness,
    NlbHarness,
    condition,
    service,
    stream_service,
)

ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules: [{backendRefs: [{name: app, port: 80}]}]
""" + service("shop", "app", 80, ["10.0.1.1"])


TLS_ROUTE = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: kafka, namespace: shop}
spec:
  parentRefs: [{name: web, sectionName: secure}]
  rules: [{backendRefs: [{name: broker, port: 9092}]}]
""" + stream_service("shop", "broker", 9092, ["10.0.2.1"])


def imported(h: Any, hosts: tuple[str, ...]) -> str:
    """A certificate the account already holds (not awsgw's): imported, hence ISSUED."""
    cert, key = self_signed_pem(hosts)
    acm = h.aws.client("acm")
    return str(acm.import_certificate(Certificate=cert.encode(), PrivateKey=key.encode())[
        "CertificateArn"])  # fmt: skip


def gateway(
    arns: str | None,
    refs: str = "[]",
    cls: str = "alb",
    protocol: str = "HTTPS",
    hostname: str | None = None,
    discovery: bool = False,
) -> str:
    """Gateway shop/web: a TLS listener ``secure`` on 443 (ACM ``arns``, certificate
    ``discovery``) and an HTTP one on 80."""
    options = {"awsgw.io/certificate-arns": arns} if arns is not None else {}
    if discovery:
        options["awsgw.io/certificate-discovery"] = "true"
    host = f"\n    hostname: {hostname}" if hostname else ""
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: web, namespace: shop}}
spec:
  gatewayClassName: {cls}
  listeners:
  - name: secure
    port: 443
    protocol: {protocol}{host}
    tls:
      certificateRefs: {refs}
      options: {json.dumps(options)}
  - {{name: http, port: 80, protocol: HTTP}}
"""


def certificates_of(h: Any, key: str, port: int, lb_type: str = "application") -> list[str]:
    """The listener's certificates, the default first."""
    lb = h.lb(key, lb_type) if lb_type != "application" else h.lb(key)
    listeners = h.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    [listener] = [ls for ls in listeners if ls["Port"] == port]
    sni = h.elbv2.describe_listener_certificates(ListenerArn=listener["ListenerArn"])
    default = [c["CertificateArn"] for c in listener.get("Certificates", [])][:1]
    return default + sorted(c["CertificateArn"] for c in sni["Certificates"]
                            if not c.get("IsDefault"))  # fmt: skip


def test_an_issued_acm_certificate_is_presented_as_it_is(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    arn = imported(h, ("shop.example.com",))
    state = GATEWAY_CLASS + gateway(arn) + ROUTE
    result = h.run(state)
    gw = result.statuses[("Gateway", "shop/web")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "True"
    assert certificates_of(h, "shop/web", 443) == [arn]
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
    h.run(GATEWAY_CLASS)
    assert acm_certificates(h) == [arn], "the user's certificate stays"
    tags = h.aws.client("acm").list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
    assert tags == [], "and is never tagged"


def test_secrets_come_first_and_acm_arns_are_added_by_sni(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    first, second = imported(h, ("a.example.com",)), imported(h, ("b.example.com",))
    state = (GATEWAY_CLASS + gateway(f"{first}, {second}", "[{name: site}]") + ROUTE
             + secret("site", ["site.example.com"]))  # fmt: skip
    h.run(state)
    [default, *sni] = certificates_of(h, "shop/web", 443)
    assert default not in (first, second), "the Secret's certificate is the default"
    assert sni == sorted([first, second])


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (
            lambda h: h.aws.client("acm").request_certificate(DomainName="shop.example.com")[
                "CertificateArn"
            ],
            "is PENDING_VALIDATION, not ISSUED",
        ),
        (
            lambda h: (
                "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
            ),
            "does not exist in this account and region",
        ),
    ],  # fmt: skip
    ids=["pending", "missing"],
)
def test_an_acm_certificate_not_issued_fails_only_its_listener(
    aws_env: MotoVpc, make: Any, why: str
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    arn = make(h)
    gw = h.run(GATEWAY_CLASS + gateway(arn) + ROUTE).statuses[("Gateway", "shop/web")]
    secure = listener_status(gw, "secure")
    resolved = condition(secure, "ResolvedRefs")
    assert resolved["reason"] == "InvalidCertificateRef" and arn in resolved["message"]
    assert why in resolved["message"]
    assert condition(secure, "Programmed")["status"] == "False"
    assert condition(listener_status(gw, "http"), "Programmed")["status"] == "True"


def test_an_arn_of_another_shape_is_refused_before_aws(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    gw = h.run(GATEWAY_CLASS + gateway("not-an-arn") + ROUTE).statuses[("Gateway", "shop/web")]
    resolved = condition(listener_status(gw, "secure"), "ResolvedRefs")
    assert resolved["reason"] == "InvalidCertificateRef"
    assert "tls.options[awsgw.io/certificate-arns]: 'not-an-arn' is not an ACM" in resolved[
        "message"]  # fmt: skip


def test_an_nlb_tls_listener_presents_an_acm_certificate(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    arn = imported(h, ("kafka.example.com",))
    state = (
        NLB_CLASS
        + gateway(arn, cls="nlb", protocol="TLS").replace("tls:\n", "tls:\n      mode: Terminate\n")
        + TLS_ROUTE
    )
    gw = h.run(state).statuses[("Gateway", "shop/web")]
    assert condition(listener_status(gw, "secure"), "ResolvedRefs")["status"] == "True", gw
    assert h.connect("shop/web", 443, "TLS", "kafka.example.com").certificate.arn == arn
    h.run(NLB_CLASS)
    assert acm_certificates(h) == [arn]
