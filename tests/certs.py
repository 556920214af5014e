"""Self-signed certificates and TLS Secrets for tests (as the upstream conformance suite
creates them programmatically), good or bad on purpose."""

from __future__ import annotations

import base64
import datetime as dt
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

VALID_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


@lru_cache(maxsize=8)
def rsa_key(bits: int = 2048, seed: int = 0) -> rsa.RSAPrivateKey:
    """A fresh RSA key per (size, seed), kept for the session (key generation is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate_pem(
    hosts: tuple[str, ...],
    key: PrivateKey,
    not_before: dt.datetime = VALID_FROM,
    days: int = 3650,
) -> str:
    """A self-signed certificate for the hosts (SANs), signed with ``key``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0].replace("*", "star"))])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: PrivateKey, password: bytes | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


@lru_cache(maxsize=32)
def self_signed_pem(hosts: tuple[str, ...]) -> tuple[str, str]:
    """(certificate PEM, private key PEM) for the hosts (SANs), valid for ten years from
    2026-01-01 (the tests' clock)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return certificate_pem(hosts, key), key_pem(key)


def tls_secret_doc(namespace: str, name: str, cert: str, key: str) -> dict[str, Any]:
    """A ``kubernetes.io/tls`` Secret holding the given PEM texts."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "kubernetes.io/tls",
        "data": {
            "tls.crt": base64.b64encode(cert.encode()).decode(),
            "tls.key": base64.b64encode(key.encode()).decode(),
        },
    }


def self_signed_secret(namespace: str, name: str, hosts: list[str]) -> dict[str, Any]:
    cert, key = self_signed_pem(tuple(hosts))
    return tls_secret_doc(namespace, name, cert, key)
