"""TLS certificates from Secrets, imported into ACM: tagged with the owner, reused by
fingerprint, re-imported when the Secret changes, deleted when no listener uses them. ACM
certificates a listener names by ARN, or finds by discovery (the ``ISSUED`` ones whose names
cover its hostnames), are only read, never changed.

Each provider keeps its own set: a ``purpose`` (tag ``awsgw.io/certificate-for``) separates
them, so one provider never deletes what another uses (ALB's have no such tag)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.model import Certificate
from awsgw.providers.aws.common.naming import digest
from awsgw.providers.aws.common.session import Aws, error_code
from awsgw.providers.aws.common.tags import CLUSTER_TAG, tag_list
from awsgw.providers.aws.common.writes import Write
from awsgw.providers.changes import Resource, creating, deleting, pending

SECRET_TAG = "awsgw.io/secret"
FINGERPRINT_TAG = "awsgw.io/fingerprint"
PURPOSE_TAG = "awsgw.io/certificate-for"
CERTIFICATE = "ACM certificate"


def certificate(tags: dict[str, str], arn: str) -> Resource:
    """An imported certificate as change records name it: by its Secret."""
    secret = tags.get(SECRET_TAG)
    return Resource(CERTIFICATE, f"of Secret {secret}" if secret else arn)


KEY_TYPES = {
    "keyTypes": [
        "RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096",
        "EC_prime256v1", "EC_secp384r1", "EC_secp521r1",
    ]
}  # fmt: skip
"""``ListCertificates`` ``Includes``: every key type (without it ACM lists RSA_2048 only)."""

REFUSALS = frozenset({"ValidationException", "InvalidParameterException"})
"""ImportCertificate error codes that refuse the certificate itself (not a passing fault)."""


def refused_by_acm(exc: ClientError) -> bool:
    return error_code(exc) in REFUSALS


def error_message(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")


def covers(name: str, host: str) -> bool:
    """Does a certificate name cover a hostname? Equal (case-insensitively), or a wildcard
    name ``*.example.com`` for exactly one more label (``a.example.com``, not
    ``a.b.example.com``, not ``example.com``). A wildcard hostname is covered by the same
    wildcard only."""
    name, host = name.lower().rstrip("."), host.lower().rstrip(".")
    if name == host:
        return True
    if not name.startswith("*.") or host.startswith("*."):
        return False
    first, _, rest = host.partition(".")
    return bool(first) and rest == name[2:]


@dataclass(frozen=True)
class Issued:
    """An ``ISSUED`` ACM certificate as ``ListCertificates`` summarises it."""

    arn: str
    names: tuple[str, ...]
    since: dt.datetime
    """When it was issued or imported (newest wins)."""
    imported: bool = True
    """``Type`` ``IMPORTED``: only then can it be one awsgw imported from a Secret."""


def _imported(summary: dict[str, Any]) -> bool:
    """Could this ``ListCertificates`` summary be of a certificate awsgw imported? Its tags
    are read only then: an account's ACM-issued certificates cost no call each."""
    return bool(summary.get("Type", "IMPORTED") == "IMPORTED")


def fingerprint(cert: Certificate) -> str:
    return digest(cert.certificate, cert.private_key, size=32)


@dataclass
class Certificates:
    aws: Aws
    cluster: str
    purpose: str | None = None
    _owned: dict[str, dict[str, str]] | None = field(default=None, repr=False)
    _imported: bool = field(default=False, repr=False)
    _status: dict[str, str] = field(default_factory=dict, repr=False)
    _issued: list[Issued] | None = field(default=None, repr=False)
    _tags: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _hints: list[str] = field(default_factory=list, repr=False)

    def new_pass(self) -> None:
        """Forget what was read of certificates awsgw does not own (their status, the
        issued ones); what it owns is kept, every import and delete updates it."""
        self._status, self._issued, self._tags, self._hints = {}, None, {}, []

    def hint(self, arns: Iterable[str]) -> None:
        """ACM certificates the listeners being programmed use now: ``arn_for`` looks at
        their tags first, so an unchanged Secret costs no listing of the account's
        certificates."""
        for arn in arns:
            if ":acm:" in arn and arn not in self._hints:
                self._hints.append(arn)

    def _hinted(self, fp: str) -> str | None:
        for arn in self._hints:
            try:
                tags = self._tags_of(arn)
            except ClientError:  # deleted meanwhile, or not readable: the listing decides
                continue
            if self._ours(tags) and tags.get(FINGERPRINT_TAG) == fp:
                return arn
        return None

    def _ours(self, tags: dict[str, str]) -> bool:
        """Imported by this cluster for this purpose?"""
        return tags.get(CLUSTER_TAG) == self.cluster and tags.get(PURPOSE_TAG) == self.purpose

    def _tags_of(self, arn: str) -> dict[str, str]:
        if arn not in self._tags:
            found = self.aws.client("acm").list_tags_for_certificate(CertificateArn=arn)
            self._tags[arn] = {t["Key"]: t.get("Value", "") for t in found.get("Tags", [])}
        return self._tags[arn]

    def owned(self) -> dict[str, dict[str, str]]:
        """ARN → tags of every certificate this cluster imported for this purpose."""
        if self._owned is None:
            acm = self.aws.client("acm")
            found: dict[str, dict[str, str]] = {}
            for page in acm.get_paginator("list_certificates").paginate(Includes=KEY_TYPES):
                for summary in page["CertificateSummaryList"]:
                    if not _imported(summary):
                        continue  # ACM's own or a private CA's: never one awsgw imported
                    arn = summary["CertificateArn"]
                    tags = self._tags_of(arn)
                    if self._ours(tags):
                        found[arn] = tags
            self._owned = found
        return self._owned

    def arn_for(self, cert: Certificate) -> str:
        """The ACM certificate holding exactly this Secret's content (imported if needed):
        one the listeners use now (``hint``), else one of the account's owned ones."""
        fp = fingerprint(cert)
        hinted = self._hinted(fp) if self._owned is None else None
        if hinted is not None:
            return hinted
        for arn, tags in self.owned().items():
            if tags.get(FINGERPRINT_TAG) == fp:
                return arn
        tags = {CLUSTER_TAG: self.cluster, SECRET_TAG: f"{cert.namespace}/{cert.name}"}
        tags[FINGERPRINT_TAG] = fp
        if self.purpose is not None:
            tags[PURPOSE_TAG] = self.purpose
        kwargs: dict[str, Any] = {
            "Certificate": cert.leaf.encode(),
            "PrivateKey": cert.private_key.encode(),
            "Tags": tag_list(tags),
        }
        if cert.chain:
            kwargs["CertificateChain"] = cert.chain.encode()
        resource = certificate(tags, "")
        change = creating(resource, {"Tags": tags})
        planned = {"CertificateArn": pending(f"CertificateArn of {resource}")}
        write = Write("acm", "import_certificate", kwargs, (change,), planned=planned)
        arn = str(self.aws.write(write)["CertificateArn"])
        self.owned()[arn] = tags
        self._imported = True
        return arn

    def unusable(self, arn: str) -> str | None:
        """Why the ACM certificate ``arn`` (not awsgw's) cannot be presented, or None when
        it is ``ISSUED``. Read once per pass."""
        if arn not in self._status:
            try:
                found = self.aws.client("acm").describe_certificate(CertificateArn=arn)
                self._status[arn] = str(found["Certificate"].get("Status", "UNKNOWN"))
            except ClientError as exc:
                code = error_code(exc)
                if code not in ("ResourceNotFoundException", "ValidationException"):
                    raise
                self._status[arn] = "NOT_FOUND"
        status = self._status[arn]
        if status == "ISSUED":
            return None
        if status == "NOT_FOUND":
            return f"ACM certificate {arn} does not exist in this account and region"
        return f"ACM certificate {arn} is {status}, not ISSUED"

    def _issued_certificates(self) -> list[Issued]:
        if self._issued is None:
            acm = self.aws.client("acm")
            found = []
            pages = acm.get_paginator("list_certificates").paginate(
                CertificateStatuses=["ISSUED"], Includes=KEY_TYPES
            )
            for page in pages:
                for c in page["CertificateSummaryList"]:
                    names = list(c.get("SubjectAlternativeNameSummaries") or [])
                    if c.get("HasAdditionalSubjectAlternativeNames"):  # the first 100 only
                        full = acm.describe_certificate(CertificateArn=c["CertificateArn"])
                        names = full["Certificate"].get("SubjectAlternativeNames", names)
                    if c.get("DomainName"):
                        names.append(c["DomainName"])
                    since = c.get("IssuedAt") or c.get("ImportedAt") or c.get("CreatedAt")
                    epoch = dt.datetime.fromtimestamp(0, dt.UTC)
                    arn = c["CertificateArn"]
                    found.append(Issued(arn, tuple(names), since or epoch, _imported(c)))
            self._issued = found
        return self._issued

    def discover(self, hostnames: Iterable[str]) -> tuple[list[str], list[str]]:
        """(ARNs, uncovered hostnames): per hostname, the newest ``ISSUED`` certificate
        whose names cover it (read once per pass); certificates awsgw imported from
        Secrets (of any cluster) are never picked, they go when their Secret goes."""
        arns: list[str] = []
        uncovered: list[str] = []
        for host in hostnames:
            covering = [
                c
                for c in self._issued_certificates()
                if any(covers(n, host) for n in c.names)
                and not (c.imported and CLUSTER_TAG in self._tags_of(c.arn))
            ]
            if not covering:
                uncovered.append(host)
                continue
            arns.append(max(covering, key=lambda c: (c.since, c.arn)).arn)
        return list(dict.fromkeys(arns)), uncovered

    def delete_unused(self, in_use: set[str]) -> None:
        """Delete owned certificates no listener uses. After an import in this pass, ACM is
        read again: ImportCertificate is not idempotent, so a retried import whose first
        answer was lost left a certificate nobody recorded; its tags find it."""
        if self._imported:
            self._owned, self._imported = None, False
        for arn, tags in list(self.owned().items()):
            if arn not in in_use:
                change = deleting(certificate(tags, arn), {"CertificateArn": arn})
                write = Write("acm", "delete_certificate", {"CertificateArn": arn}, (change,))
                try:
                    self.aws.write(write)
                except ClientError as exc:  # ACM refuses a certificate something uses
                    if error_code(exc) != "ResourceInUseException":
                        raise
                    continue
                del self.owned()[arn]
