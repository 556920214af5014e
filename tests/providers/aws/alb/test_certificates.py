"""HTTPS listeners take their certificates from Secrets through ACM."""

from __future__ import annotations

import json
from typing import Any

import yaml

from awsgw.core.store import Store
from awsgw.providers.aws.alb.capabilities import CONTROLLER
from awsgw.providers.aws.alb.provider import AlbProvider
from awsgw.providers.aws.common.certificates import KEY_TYPES
from awsgw.reconcilers.gateways import SHARED, reconcile
from tests.certs import certificate_pem, key_pem, rsa_key, self_signed_secret, tls_secret_doc
from tests.conftest import MotoVpc
from tests.support import GATEWAY_CLASS, NOW, Harness, condition, objects


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
    return sorted(
        c["CertificateArn"]
        for c in acm.list_certificates(Includes=KEY_TYPES)["CertificateSummaryList"]
    )


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


SECOND_GATEWAY = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: plain, namespace: shop}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, port: 80, protocol: HTTP}
"""


def listener_status(status: dict[str, Any], name: str) -> dict[str, Any]:
    return next(ls for ls in status["listeners"] if ls["name"] == name)


def test_a_secret_with_a_mismatched_key_fails_only_its_listener(aws_env: MotoVpc) -> None:
    """The key of another certificate: that listener is ResolvedRefs=False /
    InvalidCertificateRef naming the Secret, not programmed, and ACM is never asked; the
    other listener and the other Gateway are programmed as usual."""
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    cert = certificate_pem(("site.example.com",), rsa_key())
    bad = "---\n" + yaml.safe_dump(tls_secret_doc("shop", "site", cert, key_pem(rsa_key(seed=1))))
    state = GATEWAY_CLASS + gateway() + bad + secret("other", ["other.example.com"])
    result = h.run(state + SECOND_GATEWAY)

    web = result.statuses[("Gateway", "shop/web")]
    assert condition(web, "Programmed")["status"] == "True"
    https = listener_status(web, "https")
    resolved = condition(https, "ResolvedRefs")
    assert resolved["status"] == "False" and resolved["reason"] == "InvalidCertificateRef"
    assert "shop/site" in resolved["message"] and "does not match" in resolved["message"]
    assert condition(https, "Programmed")["status"] == "False"
    assert condition(listener_status(web, "other"), "Programmed")["status"] == "True"
    plain = result.statuses[("Gateway", "shop/plain")]
    assert condition(plain, "Programmed")["status"] == "True"
    assert len(acm_certificates(h)) == 1  # only the good Secret was imported
    assert not result.failed


def test_a_certificate_acm_still_refuses_is_reported_on_its_listener_only(
    aws_env: MotoVpc,
) -> None:
    """ACM may refuse what passed the checks (a rule awsgw does not know): that listener's
    conditions say so, the call is not retried as a fault, and the rest is programmed."""
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    site = self_signed_secret("shop", "site", ["site.example.com"])

    class Refusal:
        status_code = 400

    def refuse(params: dict[str, Any], **_: Any) -> tuple[Refusal, dict[str, Any]] | None:
        tags = {t["Key"]: t["Value"] for t in json.loads(params["body"])["Tags"]}
        if tags.get("awsgw.io/secret") != "shop/site":
            return None
        error = {"Code": "ValidationException", "Message": "The certificate is not valid"}
        return Refusal(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    h.aws.session.events.register("before-call.acm.ImportCertificate", refuse)
    state = GATEWAY_CLASS + gateway() + "---\n" + yaml.safe_dump(site)
    result = h.run(state + secret("other", ["other.example.com"]) + SECOND_GATEWAY)

    web = result.statuses[("Gateway", "shop/web")]
    assert condition(web, "Programmed")["status"] == "True"
    https = listener_status(web, "https")
    resolved = condition(https, "ResolvedRefs")
    assert resolved["reason"] == "InvalidCertificateRef"
    assert (
        "Secret shop/site: ACM refused the certificate: ValidationException"
        in (resolved["message"])
    )
    assert condition(https, "Programmed")["status"] == "False"
    assert condition(listener_status(web, "other"), "Programmed")["status"] == "True"
    default, sni = listener_certificates(h)
    assert sni == [] and default == acm_certificates(h)[0]
    assert condition(result.statuses[("Gateway", "shop/plain")], "Programmed")["status"] == "True"
    assert not result.failed


def test_a_pass_over_one_gateway_finds_its_unchanged_certificate_without_listing_acm(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    one = gateway().split("  - name: other")[0]
    state = GATEWAY_CLASS + one + secret("site", ["site.example.com"])
    h.run(state)
    assert len(acm_certificates(h)) == 1
    result = h.run(state, only="shop/web")
    assert condition(result.statuses[("Gateway", "shop/web")], "Programmed")["status"] == "True"
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
    assert ("acm", "ListCertificates") not in h.aws.counter.calls, "no listing of the account"
    changed = GATEWAY_CLASS + one + secret("site", ["renewed.example.com"])
    h.run(changed, only="shop/web")  # a new fingerprint: looked up among the owned, imported
    assert h.aws.counter.write_calls().get("acm:ImportCertificate") == 1


def test_the_accounts_acm_issued_certificates_cost_no_read_of_their_tags(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    tag_reads: list[str] = []
    h.aws.session.events.register(  # before the first client: clients copy the handlers
        "before-parameter-build.acm.ListTagsForCertificate",
        lambda params, **_: tag_reads.append(params["CertificateArn"]),
    )
    acm = h.aws.client("acm")
    issued = {
        acm.request_certificate(DomainName=f"app{i}.example.com")["CertificateArn"]
        for i in range(5)
    }
    h.run(GATEWAY_CLASS + gateway() + secret("site", ["site.example.com"]))
    h.run(GATEWAY_CLASS)  # what awsgw imported goes: ACM's certificates are listed again
    assert h.aws.counter.calls[("acm", "ListCertificates")] >= 1
    assert tag_reads and not issued & set(tag_reads)
    assert set(acm_certificates(h)) == issued, "ACM's own certificates are left alone"


def test_a_partial_full_pass_keeps_the_certificates_of_gateways_it_did_not_program(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    one = gateway().split("  - name: other")[0]
    theirs = (
        one.replace("namespace: shop", "namespace: team")
        + "---\n"
        + yaml.safe_dump(self_signed_secret("team", "site", ["team.example.com"]))
    )
    state = GATEWAY_CLASS + one + secret("site", ["site.example.com"]) + theirs
    h.run(state)
    assert len(acm_certificates(h)) == 2
    provider = AlbProvider(h.aws, aws_env.cluster, aws_env.vpc_id, wait_active=5)
    mine = {"shop/web", SHARED}.__contains__  # this replica's shards: not team/web's
    result = reconcile(Store.of(objects(state)), {CONTROLLER: provider}, NOW, owns=mine)
    assert not result.failed, result.failed
    assert len(acm_certificates(h)) == 2, "team/web's certificate is in use by its listener"
