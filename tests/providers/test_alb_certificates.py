"""HTTPS listeners take their certificates from Secrets through ACM."""

from __future__ import annotations

import yaml

from tests.conformance.certs import self_signed_secret
from tests.conftest import MotoVpc
from tests.support import GATEWAY_CLASS, Harness, condition


def secret(name: str, hosts: list[str]) -> str:
    return "---\n" + yaml.safe_dump(self_signed_secret("shop", name, hosts))


def gateway(cert: str = "site") -> str:
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: web, namespace: shop}}
spec:
  gatewayClassName: alb
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {{certificateRefs: [{{name: {cert}}}]}}
  - name: other
    port: 443
    protocol: HTTPS
    hostname: other.example.com
    tls: {{certificateRefs: [{{name: other}}]}}
"""


def acm_certificates(h: Harness) -> list[str]:
    acm = h.aws.client("acm")
    return sorted(c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"])


def listener_certificates(h: Harness) -> tuple[str, list[str]]:
    lb = h.lb("shop/web")
    listener = h.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    sni = h.elbv2.describe_listener_certificates(ListenerArn=listener["ListenerArn"])
    extra = sorted(c["CertificateArn"] for c in sni["Certificates"] if not c.get("IsDefault"))
    return listener["Certificates"][0]["CertificateArn"], extra


def test_https_listener_imports_each_secret_once_and_attaches_the_rest_by_sni(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    state = (
        GATEWAY_CLASS
        + gateway()
        + secret("site", ["site.example.com"])
        + secret("other", ["other.example.com"])
    )
    result = h.run(state)
    status = result.statuses[("Gateway", "shop/web")]
    assert condition(status, "Programmed")["status"] == "True"
    certs = acm_certificates(h)
    assert len(certs) == 2
    default, sni = listener_certificates(h)
    assert sorted([default, *sni]) == certs
    tags = h.aws.client("acm").list_tags_for_certificate(CertificateArn=default)["Tags"]
    assert {"Key": "awsgw.io/cluster", "Value": aws_env.cluster} in tags
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_changed_secret_is_reimported_and_the_old_certificate_deleted(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    other = secret("other", ["other.example.com"])
    h.run(GATEWAY_CLASS + gateway() + secret("site", ["site.example.com"]) + other)
    before = acm_certificates(h)
    h.run(GATEWAY_CLASS + gateway() + secret("site", ["renewed.example.com"]) + other)
    after = acm_certificates(h)
    assert len(after) == 2 and after != before
    default, _ = listener_certificates(h)
    assert default in after and default not in before


def test_missing_secret_makes_the_listener_unresolved(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    result = h.run(GATEWAY_CLASS + gateway("absent") + secret("other", ["other.example.com"]))
    listeners = result.statuses[("Gateway", "shop/web")]["listeners"]
    https = next(ls for ls in listeners if ls["name"] == "https")
    assert condition(https, "ResolvedRefs")["reason"] == "InvalidCertificateRef"
    assert condition(https, "Programmed")["status"] == "False"


def test_certificates_no_listener_uses_are_deleted(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(
        GATEWAY_CLASS
        + gateway()
        + secret("site", ["a.example.com"])
        + secret("other", ["other.example.com"])
    )
    h.run(GATEWAY_CLASS)
    assert acm_certificates(h) == []
