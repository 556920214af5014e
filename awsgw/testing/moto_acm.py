"""ACM ``ListCertificates`` as the ACM API reference documents it, where moto 5.2.5 differs.

- "Default filtering returns only ``RSA_2048`` certificates" (``Includes.keyTypes``): moto
  returns every key type when ``Includes`` is absent, so a caller that forgets the filter
  would find its EC and RSA-4096 certificates offline and lose them on AWS.
- Each ``CertificateSummary`` carries ``SubjectAlternativeNameSummaries`` (the first 100
  names, the domain name included) and ``HasAdditionalSubjectAlternativeNames`` (true when
  there are more; ``DescribeCertificate`` has them all): moto's summaries have neither.
"""

from __future__ import annotations

from typing import Any

SUMMARY_NAMES = 100
"""How many subject alternative names a ``ListCertificates`` summary carries."""
DEFAULT_KEY_TYPES = ["RSA_2048"]

_installed = False


def summary(described: dict[str, Any]) -> dict[str, Any]:
    """A ``CertificateSummary`` of a ``DescribeCertificate`` ``Certificate``."""
    out = dict(described)
    names = list(described.get("SubjectAlternativeNames") or [])
    domain = described.get("DomainName")
    if domain and domain not in names:
        names.insert(0, domain)
    out["SubjectAlternativeNameSummaries"] = names[:SUMMARY_NAMES]
    out["HasAdditionalSubjectAlternativeNames"] = len(names) > SUMMARY_NAMES
    out["InUse"] = bool(out.pop("InUseBy", []))
    out["Exported"] = described.get("Options", {}).get("Export") == "ENABLED"
    return out


def install() -> None:
    """Patch moto's ACM responses in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.acm.responses import AWSCertificateManagerResponse
    from moto.core.responses import ActionResult

    def list_certificates(self: Any) -> Any:
        statuses = self._get_param("CertificateStatuses")
        includes = dict(self._get_param("Includes") or {})
        includes.setdefault("keyTypes", DEFAULT_KEY_TYPES)
        certs = [
            summary(bundle.describe()["Certificate"])
            for bundle in self.acm_backend.list_certificates(statuses, includes)
        ]
        return ActionResult(result={"CertificateSummaryList": certs})

    AWSCertificateManagerResponse.list_certificates = list_certificates  # type: ignore[method-assign]
    _installed = True
