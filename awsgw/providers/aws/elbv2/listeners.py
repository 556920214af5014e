"""ELBv2 listeners as ALB and NLB share them: one per port, created with the owner tag,
modified in place (protocol, default actions, default certificate), SNI certificates kept in
step, stale owned listeners deleted; certificates from Secrets through ACM, a refusal by
ACM reported on the Gateway listeners of that certificate only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.conditions import Reason
from awsgw.core.findings import ListenerProblem
from awsgw.core.model import AcmCertificate, DiscoveredCertificates, ListenerCertificate
from awsgw.core.parameters import LoadBalancerParameters
from awsgw.providers.aws.common.certificates import Certificates, error_message, refused_by_acm
from awsgw.providers.aws.common.tags import CLUSTER_TAG, Conflict, owner_tags, tag_list
from awsgw.providers.aws.elbv2.describe import tags_of

TLS_PROTOCOLS = ("HTTPS", "TLS")
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""The security policy of awsgw's HTTPS and TLS listeners: TLS 1.3 and 1.2 (what the ELB
console picks for new listeners; ELBv2's API default still allows TLS 1.0)."""


def discovery_problem(hostnames: tuple[str, ...], uncovered: list[str]) -> str | None:
    """What certificate discovery could not do for a listener, or None."""
    option = "tls.options[awsgw.io/certificate-discovery]"
    if not hostnames:
        return (
            f"{option}: the listener has no hostname and no attached Route names one, "
            "so there is nothing to find a certificate for"
        )
    if uncovered:
        return f"{option}: no ISSUED ACM certificate covers {', '.join(uncovered)}"
    return None


def listener_policies(params: LoadBalancerParameters, port: int) -> dict[str, str]:
    """``ListenerWant`` security and ALPN policy of a port, where a configuration sets
    them."""
    ls = params.listener(port)
    out = {}
    if ls is not None and ls.ssl_policy:
        out["ssl_policy"] = ls.ssl_policy
    if ls is not None and ls.alpn_policy:
        out["alpn_policy"] = ls.alpn_policy
    return out


@dataclass
class ListenerWant:
    """What one port's listener should be."""

    port: int
    protocol: str
    default_actions: list[dict[str, Any]]
    """ELBv2 API shape."""
    certificates: list[str] = field(default_factory=list)
    """ACM ARNs, the default first (HTTPS and TLS listeners)."""
    ssl_policy: str = SSL_POLICY
    """Security policy of an HTTPS or TLS listener."""
    alpn_policy: str | None = None
    """ALPN policy of a TLS listener (NLB; None: ELBv2's ``None``)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The configuration's tags, set on a new listener."""


@dataclass
class LiveListeners:
    """A load balancer's listeners by port, with their tags."""

    by_port: dict[int, dict[str, Any]]
    tags: dict[str, dict[str, str]]

    def tags_of(self, ports: set[int]) -> dict[str, dict[str, str]]:
        """ARN → tags of the listeners on these ports (those that exist)."""
        arns = [ls["ListenerArn"] for port, ls in self.by_port.items() if port in ports]
        return {arn: self.tags.setdefault(arn, {}) for arn in arns}

    def owned(self, listener: dict[str, Any], cluster: str) -> bool:
        return self.tags.get(listener["ListenerArn"], {}).get(CLUSTER_TAG) == cluster


class Listeners:
    """One pass's listener writes."""

    def __init__(self, elbv2: Any, cluster: str, certificates: Certificates) -> None:
        self.elbv2 = elbv2
        self.cluster = cluster
        self.certificates = certificates
        self.in_use: set[str] = set()
        """ACM ARNs the pass's listeners use (what the certificate cleanup keeps)."""
        self.refused: list[ListenerProblem] = []
        """Gateway listeners whose certificate ACM refused, since the last ``reset``."""

    def reset(self) -> None:
        self.refused = []

    def live(self, lb_arn: str) -> LiveListeners:
        found = {
            ls["Port"]: ls
            for page in self.elbv2.get_paginator("describe_listeners").paginate(
                LoadBalancerArn=lb_arn
            )
            for ls in page["Listeners"]
        }
        self.certificates.hint(
            c["CertificateArn"] for ls in found.values() for c in ls.get("Certificates", [])
        )
        return LiveListeners(
            found, tags_of(self.elbv2, [ls["ListenerArn"] for ls in found.values()])
        )

    def certificates_of(self, lb_arns: list[str]) -> set[str]:
        """ACM ARNs the listeners of these load balancers use now, default and SNI (for the
        certificate cleanup of a pass that did not program every listener itself)."""
        found: set[str] = set()
        paginator = self.elbv2.get_paginator("describe_listeners")
        for lb_arn in lb_arns:
            for page in paginator.paginate(LoadBalancerArn=lb_arn):
                for ls in page["Listeners"]:
                    if not ls.get("Certificates"):
                        continue
                    arn = ls["ListenerArn"]
                    listed = self.elbv2.describe_listener_certificates(ListenerArn=arn)
                    found.update(c["CertificateArn"] for c in listed["Certificates"])
                    found.update(c["CertificateArn"] for c in ls["Certificates"])
        return found

    def certificate_arns(
        self, certs: list[ListenerCertificate], listeners_of: dict[str, list[str]]
    ) -> list[str]:
        """ACM ARNs of a port's certificates; one ACM refuses (a Secret's) or does not hold
        issued (an ARN's) is left out and the Gateway listeners it belongs to
        (``listeners_of``: certificate key → listeners) are reported."""
        arns: list[str] = []
        for cert in certs:
            if isinstance(cert, DiscoveredCertificates):
                found, uncovered = self.certificates.discover(cert.hostnames)
                arns += found
                lack = discovery_problem(cert.hostnames, uncovered)
                if lack is not None:
                    for listener in listeners_of.get(cert.key, []):
                        problem = ListenerProblem(listener, Reason.INVALID_CERTIFICATE_REF, lack)
                        self.refused.append(problem)
                continue
            if isinstance(cert, AcmCertificate):
                why = self.certificates.unusable(cert.arn)
                if why is None:
                    arns.append(cert.arn)
                    continue
                for listener in listeners_of.get(cert.key, []):
                    problem = ListenerProblem(listener, Reason.INVALID_CERTIFICATE_REF, why)
                    self.refused.append(problem)
                continue
            try:
                arns.append(self.certificates.arn_for(cert))
            except ClientError as exc:
                if not refused_by_acm(exc):
                    raise
                secret = cert.key
                message = f"Secret {secret}: ACM refused the certificate: {error_message(exc)}"
                for listener in listeners_of.get(secret, []):
                    problem = ListenerProblem(listener, Reason.INVALID_CERTIFICATE_REF, message)
                    self.refused.append(problem)
        arns = list(dict.fromkeys(arns))
        self.in_use.update(arns)
        return arns

    def ensure(
        self,
        lb_arn: str,
        gateway: str,
        want: ListenerWant,
        have: dict[str, Any] | None,
        same_default: Callable[[list[dict[str, Any]]], bool],
    ) -> str:
        """The port's listener (created, or modified where it differs); its ARN.
        ``same_default`` tells whether live default actions are the wanted ones."""
        if have is None:
            kwargs: dict[str, Any] = {
                "LoadBalancerArn": lb_arn,
                "Protocol": want.protocol,
                "Port": want.port,
                "DefaultActions": want.default_actions,
                "Tags": tag_list({**want.tags, **owner_tags(self.cluster, gateway)}),
            }
            if want.certificates:
                kwargs["Certificates"] = [{"CertificateArn": want.certificates[0]}]
            if want.protocol in TLS_PROTOCOLS:
                kwargs["SslPolicy"] = want.ssl_policy
            if want.protocol == "TLS" and want.alpn_policy is not None:
                kwargs["AlpnPolicy"] = [want.alpn_policy]
            arn: str = self.elbv2.create_listener(**kwargs)["Listeners"][0]["ListenerArn"]
        else:
            arn = have["ListenerArn"]
            changes: dict[str, Any] = {}
            if have["Protocol"] != want.protocol:
                changes["Protocol"] = want.protocol
            if want.protocol in TLS_PROTOCOLS and have.get("SslPolicy") != want.ssl_policy:
                changes["SslPolicy"] = want.ssl_policy  # required too on a change to TLS
            alpn = have.get("AlpnPolicy") or ["None"]
            if want.protocol == "TLS" and alpn != [want.alpn_policy or "None"]:
                changes["AlpnPolicy"] = [want.alpn_policy or "None"]
            if not same_default(have.get("DefaultActions", [])):
                changes["DefaultActions"] = want.default_actions
            default = [c["CertificateArn"] for c in have.get("Certificates", [])][:1]
            if want.certificates and default != want.certificates[:1]:
                changes["Certificates"] = [{"CertificateArn": want.certificates[0]}]
            if changes:
                self.elbv2.modify_listener(ListenerArn=arn, **changes)
        if len(want.certificates) > 1 or (have is not None and want.certificates):
            self._sync_sni(arn, want.certificates)
        return arn

    def check_owned(self, live: LiveListeners, port: int) -> dict[str, Any] | None:
        """The live listener on a port, if any; one of another owner is a conflict."""
        have = live.by_port.get(port)
        if have is not None and not live.owned(have, self.cluster):
            raise Conflict(f"listener on port {port} is not owned by this cluster")
        return have

    def delete_stale(self, live: LiveListeners, kept: set[int]) -> None:
        """Owned listeners on ports no longer wanted."""
        for port, stale in live.by_port.items():
            if port not in kept and live.owned(stale, self.cluster):
                self.elbv2.delete_listener(ListenerArn=stale["ListenerArn"])

    def _sync_sni(self, arn: str, certs: list[str]) -> None:
        listed = self.elbv2.describe_listener_certificates(ListenerArn=arn)["Certificates"]
        have = {c["CertificateArn"] for c in listed if not c.get("IsDefault")}
        want = set(certs[1:])
        if want - have:
            self.elbv2.add_listener_certificates(
                ListenerArn=arn, Certificates=[{"CertificateArn": a} for a in sorted(want - have)]
            )
        if have - want:
            self.elbv2.remove_listener_certificates(
                ListenerArn=arn, Certificates=[{"CertificateArn": a} for a in sorted(have - want)]
            )
