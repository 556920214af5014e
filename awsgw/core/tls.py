"""TLS Secret checks (pure): is a ``kubernetes.io/tls`` Secret's content a certificate and key
that ACM would import?

What ACM requires of an imported certificate (ACM User Guide, "Prerequisites for importing
ACM certificates"; ImportCertificate): PEM-encoded certificate, chain and key; an X.509 v3
leaf with a non-empty issuer; an unencrypted private key of at most 5,120 bytes that matches
the leaf's public key; RSA 1024/2048/3072/4096 or ECDSA P-256/P-384/P-521; and the time of
import between the leaf's NotBefore and NotAfter. A Secret that fails any of these is
refused here, naming what is wrong, before any AWS call.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

MAX_KEY_BYTES = 5120
RSA_SIZES = (1024, 2048, 3072, 4096)
EC_CURVES = ("secp256r1", "secp384r1", "secp521r1")


@dataclass(frozen=True)
class TlsPair:
    """A parsed Secret: the leaf's validity window, or what makes it unusable."""

    problem: str | None
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None

    def problem_at(self, now: dt.datetime | None) -> str | None:
        """The problem, including the validity window when a time is given."""
        if self.problem is not None or now is None:
            return self.problem
        assert self.not_before is not None and self.not_after is not None
        if now < self.not_before:
            return f"tls.crt: not valid before {_iso(self.not_before)}"
        if now > self.not_after:
            return f"tls.crt: expired on {_iso(self.not_after)}"
        return None


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode(data: dict[str, str], key: str) -> bytes | str:
    """The base64-decoded value, or why it cannot be read."""
    value = data.get(key)
    if not value:
        return f"{key}: missing"
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return f"{key}: not base64"


def _key_problem(key: object) -> str | None:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size not in RSA_SIZES:
            return f"tls.key: RSA {key.key_size}-bit keys are not supported by ACM"
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if key.curve.name not in EC_CURVES:
            return f"tls.key: ECDSA curve {key.curve.name} is not supported by ACM"
        return None
    return f"tls.key: {type(key).__name__.removeprefix('_')} keys are not supported by ACM"


@lru_cache(maxsize=1024)
def _parse(crt: bytes, key: bytes) -> TlsPair:
    try:
        certificates = x509.load_pem_x509_certificates(crt)
    except ValueError:
        return TlsPair("tls.crt: not a PEM certificate")
    leaf = certificates[0]
    if leaf.version != x509.Version.v3:
        return TlsPair("tls.crt: not an X.509 v3 certificate")
    if not leaf.issuer.rdns:
        return TlsPair("tls.crt: the certificate has no issuer")
    if len(key) > MAX_KEY_BYTES:
        return TlsPair(f"tls.key: larger than the {MAX_KEY_BYTES} bytes ACM takes")
    try:
        private = serialization.load_pem_private_key(key, password=None)
    except TypeError:
        return TlsPair("tls.key: the private key is encrypted")
    except ValueError:
        return TlsPair("tls.key: not a PEM private key")
    problem = _key_problem(private)
    if problem is not None:
        return TlsPair(problem)
    spki = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    if private.public_key().public_bytes(*spki) != leaf.public_key().public_bytes(*spki):
        return TlsPair("tls.key: does not match the certificate in tls.crt")
    return TlsPair(None, leaf.not_valid_before_utc, leaf.not_valid_after_utc)


def check_tls_secret(data: dict[str, str], now: dt.datetime | None = None) -> str | None:
    """What keeps a Secret's ``tls.crt``/``tls.key`` from being imported into ACM (None: it
    can be); the validity window is checked when ``now`` is given."""
    crt, key = _decode(data, "tls.crt"), _decode(data, "tls.key")
    if isinstance(crt, str):
        return crt
    if isinstance(key, str):
        return key
    return _parse(crt, key).problem_at(now)
