"""TLS Secret checks: what ACM would refuse is refused before any AWS call, naming why."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from awsgw.core.tls import check_tls_secret
from tests.certs import VALID_FROM, certificate_pem, key_pem, rsa_key

HOSTS = ("shop.example.com",)
NOW = VALID_FROM + dt.timedelta(days=1)


def data(cert: str, key: str) -> dict[str, str]:
    return {
        "tls.crt": base64.b64encode(cert.encode()).decode(),
        "tls.key": base64.b64encode(key.encode()).decode(),
    }


def good() -> tuple[str, str]:
    return certificate_pem(HOSTS, rsa_key()), key_pem(rsa_key())


def test_a_matching_valid_pair_passes() -> None:
    assert check_tls_secret(data(*good()), NOW) is None


def test_an_ecdsa_p256_pair_passes() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    assert check_tls_secret(data(certificate_pem(HOSTS, key), key_pem(key)), NOW) is None


def test_a_chain_after_the_leaf_passes() -> None:
    cert, key = good()
    chain = certificate_pem(("ca.example.com",), rsa_key(seed=1))
    assert check_tls_secret(data(cert + chain, key), NOW) is None


@pytest.mark.parametrize(
    "crt,key,expected",
    [
        ("not a certificate", None, "tls.crt: not a PEM certificate"),
        (
            "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n",
            None,
            "tls.crt: not a PEM certificate",
        ),
        (None, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", "tls.key: not a"),
    ],
)
def test_unparsable_pem_is_refused(crt: str | None, key: str | None, expected: str) -> None:
    cert, good_key = good()
    problem = check_tls_secret(data(crt or cert, key or good_key), NOW)
    assert problem is not None and problem.startswith(expected)


def test_a_key_of_another_certificate_is_refused() -> None:
    cert = certificate_pem(HOSTS, rsa_key())
    other = key_pem(rsa_key(seed=1))
    assert check_tls_secret(data(cert, other), NOW) == (
        "tls.key: does not match the certificate in tls.crt"
    )


def test_an_expired_certificate_is_refused_with_its_date() -> None:
    cert = certificate_pem(HOSTS, rsa_key(), not_before=VALID_FROM, days=30)
    later = VALID_FROM + dt.timedelta(days=31)
    assert check_tls_secret(data(cert, key_pem(rsa_key())), later) == (
        "tls.crt: expired on 2026-01-31T00:00:00Z"
    )
    assert check_tls_secret(data(cert, key_pem(rsa_key()))) is None  # no clock, no check


def test_a_certificate_not_valid_yet_is_refused() -> None:
    cert = certificate_pem(HOSTS, rsa_key(), not_before=VALID_FROM + dt.timedelta(days=10))
    problem = check_tls_secret(data(cert, key_pem(rsa_key())), NOW)
    assert problem == "tls.crt: not valid before 2026-01-11T00:00:00Z"


def test_an_encrypted_key_is_refused() -> None:
    cert = certificate_pem(HOSTS, rsa_key())
    problem = check_tls_secret(data(cert, key_pem(rsa_key(), password=b"secret")), NOW)
    assert problem == "tls.key: the private key is encrypted"


def test_a_key_type_acm_does_not_take_is_refused() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    problem = check_tls_secret(data(certificate_pem(HOSTS, key), key_pem(key)), NOW)
    assert problem is not None and "not supported by ACM" in problem


def test_missing_or_undecodable_fields_are_refused() -> None:
    cert, key = good()
    assert check_tls_secret({"tls.key": data(cert, key)["tls.key"]}, NOW) == "tls.crt: missing"
    assert check_tls_secret({**data(cert, key), "tls.key": "%%%"}, NOW) == "tls.key: not base64"
