"""The moto fill for ACM ``ListCertificates`` (API reference: "Default filtering returns only
RSA_2048 certificates"; each summary has ``SubjectAlternativeNameSummaries``, the first 100
names, and ``HasAdditionalSubjectAlternativeNames``), in ``mock_aws()`` and a moto server."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from awsgw.providers.aws.common.certificates import KEY_TYPES
from tests.certs import certificate_pem, key_pem, rsa_key


def imported(acm: Any, hosts: tuple[str, ...], key: Any) -> str:
    cert = certificate_pem(hosts, key)
    found = acm.import_certificate(Certificate=cert.encode(), PrivateKey=key_pem(key).encode())
    return str(found["CertificateArn"])


def listed(acm: Any, **kwargs: Any) -> dict[str, dict[str, Any]]:
    pages = acm.get_paginator("list_certificates").paginate(**kwargs)
    return {c["CertificateArn"]: c for p in pages for c in p["CertificateSummaryList"]}


def test_without_key_types_only_rsa_2048_certificates_are_listed(acm: Any) -> None:
    rsa = imported(acm, ("a.example.com",), rsa_key())
    ecdsa = imported(acm, ("b.example.com",), ec.generate_private_key(ec.SECP256R1()))
    big = imported(acm, ("c.example.com",), rsa_key(4096))
    assert list(listed(acm)) == [rsa]
    assert sorted(listed(acm, Includes=KEY_TYPES)) == sorted([rsa, ecdsa, big])
    assert list(listed(acm, Includes={"keyTypes": ["EC_prime256v1"]})) == [ecdsa]


def test_a_summary_names_the_first_hundred_names(acm: Any) -> None:
    few = imported(acm, ("shop.example.com", "*.shop.example.com"), rsa_key())
    hosts = tuple(f"h{i}.example.com" for i in range(120))
    many = imported(acm, hosts, rsa_key())
    found = listed(acm, CertificateStatuses=["ISSUED"])
    assert found[few]["SubjectAlternativeNameSummaries"] == [
        "shop.example.com",
        "*.shop.example.com",
    ]
    assert found[few]["HasAdditionalSubjectAlternativeNames"] is False
    assert found[many]["SubjectAlternativeNameSummaries"] == list(hosts[:100])
    assert found[many]["HasAdditionalSubjectAlternativeNames"] is True
    described = acm.describe_certificate(CertificateArn=many)["Certificate"]
    assert described["SubjectAlternativeNames"] == list(hosts)
