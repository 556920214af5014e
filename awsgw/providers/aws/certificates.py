"""TLS certificates from Secrets, imported into ACM: tagged with the owner, reused by
fingerprint, re-imported when the Secret changes, deleted when no listener uses them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from awsgw.core.model import Certificate
from awsgw.providers.aws.session import Aws
from awsgw.providers.aws.tags import CLUSTER_TAG, tag_list

SECRET_TAG = "awsgw.io/secret"
FINGERPRINT_TAG = "awsgw.io/fingerprint"


def fingerprint(cert: Certificate) -> str:
    return hashlib.sha256((cert.certificate + "\x00" + cert.private_key).encode()).hexdigest()[:32]


@dataclass
class Certificates:
    aws: Aws
    cluster: str
    _owned: dict[str, dict[str, str]] | None = field(default=None, repr=False)

    def owned(self) -> dict[str, dict[str, str]]:
        """ARN → tags of every certificate this cluster imported."""
        if self._owned is None:
            acm = self.aws.client("acm")
            found: dict[str, dict[str, str]] = {}
            for page in acm.get_paginator("list_certificates").paginate():
                for summary in page["CertificateSummaryList"]:
                    arn = summary["CertificateArn"]
                    tags = {
                        t["Key"]: t.get("Value", "")
                        for t in acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
                    }
                    if tags.get(CLUSTER_TAG) == self.cluster:
                        found[arn] = tags
            self._owned = found
        return self._owned

    def arn_for(self, cert: Certificate) -> str:
        """The ACM certificate holding exactly this Secret's content (imported if needed)."""
        fp = fingerprint(cert)
        for arn, tags in self.owned().items():
            if tags.get(FINGERPRINT_TAG) == fp:
                return arn
        kwargs: dict[str, Any] = {
            "Certificate": cert.leaf.encode(),
            "PrivateKey": cert.private_key.encode(),
            "Tags": tag_list(
                {
                    CLUSTER_TAG: self.cluster,
                    SECRET_TAG: f"{cert.namespace}/{cert.name}",
                    FINGERPRINT_TAG: fp,
                }
            ),
        }
        if cert.chain:
            kwargs["CertificateChain"] = cert.chain.encode()
        arn = str(self.aws.client("acm").import_certificate(**kwargs)["CertificateArn"])
        self.owned()[arn] = {CLUSTER_TAG: self.cluster, FINGERPRINT_TAG: fp}
        return arn

    def delete_unused(self, in_use: set[str]) -> None:
        acm = self.aws.client("acm")
        for arn in list(self.owned()):
            if arn not in in_use:
                acm.delete_certificate(CertificateArn=arn)
                del self.owned()[arn]
