"""ELBv2 listeners as ALB and NLB share them: one per port, created with the owner tag,
modified in place (protocol, default actions, default certificate), SNI certificates kept in
step, stale owned listeners deleted; certificates from Secrets through ACM, a refusal by
ACM reported on the Gateway listeners of that certificate only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError

from awsgw.core.conditions import Reason
from awsgw.core.findings import ListenerProblem
from awsgw.core.model import AcmCertificate, DiscoveredCertificates, ListenerCertificate
from awsgw.core.parameters import LoadBalancerParameters
from awsgw.providers.aws.common.certificates import Certificates, error_message, refused_by_acm
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.aws.common.tags import CLUSTER_TAG, Conflict, owner_tags, tag_list
from awsgw.providers.aws.common.writes import Write, exists
from awsgw.providers.aws.elbv2.describe import tags_of
from awsgw.providers.aws.elbv2.inventory import ElbInventory
from awsgw.providers.aws.elbv2.plan.text import actions_text
from awsgw.providers.aws.elbv2.resources import LISTENER, LISTENER_CERTIFICATE
from awsgw.providers.aws.elbv2.target_groups import ELBV2
from awsgw.providers.changes import Change, Resource, creating, deleting, modifying, pending

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

    def __init__(
        self, aws: Aws, cluster: str, certificates: Certificates, inventory: ElbInventory
    ) -> None:
        self.aws = aws
        self.elbv2 = aws.client("elbv2")
        self.cluster = cluster
        self.certificates = certificates
        self.inv = inventory
        self.ensured: set[tuple[str, int]] = set()
        """(load balancer ARN, port) of the listeners ``ensure`` made or kept this pass."""
        self.in_use: set[str] = set()
        """ACM ARNs the pass's listeners use (what the certificate cleanup keeps)."""
        self.refused: list[ListenerProblem] = []
        """Gateway listeners whose certificate ACM refused, since the last ``reset``."""

    def reset(self) -> None:
        self.refused = []

    def live(self, lb_arn: str) -> LiveListeners:
        """A load balancer's listeners (none on one a plan would create; not those a plan
        deleted)."""
        if not exists(lb_arn):
            return LiveListeners({}, {})
        gone = self.aws.writer.removed
        found = {
            ls["Port"]: ls
            for page in self.elbv2.get_paginator("describe_listeners").paginate(
                LoadBalancerArn=lb_arn
            )
            for ls in page["Listeners"]
            if ls["ListenerArn"] not in gone
        }
        self.certificates.hint(
            c["CertificateArn"] for ls in found.values() for c in ls.get("Certificates", [])
        )
        for port, ls in found.items():
            self.inv.labels[ls["ListenerArn"]] = self._listener(lb_arn, port)
        return LiveListeners(
            found, tags_of(self.elbv2, [ls["ListenerArn"] for ls in found.values()])
        )

    def certificates_of(self, lb_arns: list[str]) -> set[str]:
        """ACM ARNs the listeners of these load balancers use now, default and SNI (for the
        certificate cleanup of a pass that did not program every listener itself)."""
        found: set[str] = set()
        paginator = self.elbv2.get_paginator("describe_listeners")
        for lb_arn in filter(exists, lb_arns):
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
        resource = self._listener(lb_arn, want.port)
        self.ensured.add((lb_arn, want.port))
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
            arn = self._create(resource, kwargs, want)
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
                change = modifying(resource, self._diffs(have, changes))
                self._send("modify_listener", {"ListenerArn": arn, **changes}, change)
        if len(want.certificates) > 1 or (have is not None and want.certificates):
            self._sync_sni(resource, arn, want.certificates)
        return arn

    def _listener(self, lb_arn: str, port: int) -> Resource:
        return self.inv.resource(lb_arn).child(LISTENER, str(port))

    def _send(self, method: str, params: dict[str, Any], *changes: Change) -> dict[str, Any]:
        return self.aws.write(Write(ELBV2, method, params, changes))

    def _actions(self, actions: list[dict[str, Any]]) -> list[str]:
        return actions_text(actions, lambda arn: self.inv.resource(arn).name)

    def _create(self, resource: Resource, kwargs: dict[str, Any], want: ListenerWant) -> str:
        values = {
            "Protocol": want.protocol,
            "Port": want.port,
            "DefaultActions": self._actions(want.default_actions),
            "Certificate": want.certificates[0] if want.certificates else None,
            "SslPolicy": kwargs.get("SslPolicy"),
            "AlpnPolicy": want.alpn_policy if "AlpnPolicy" in kwargs else None,
            "Tags": {t["Key"]: t["Value"] for t in kwargs["Tags"]},
        }
        planned = {"ListenerArn": pending(f"ListenerArn of {resource}")}
        change = creating(resource, values)
        write = Write(ELBV2, "create_listener", kwargs, (change,), ("Listeners", 0), planned)
        arn = str(self.aws.write(write)["ListenerArn"])
        self.inv.labels[arn] = resource
        return arn

    def _diffs(self, have: dict[str, Any], changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Change record fields of a ``ModifyListener``: field → (old, new)."""
        diffs: dict[str, tuple[Any, Any]] = {}
        for key, new in changes.items():
            old = have.get(key)
            if key == "DefaultActions":
                old, new = self._actions(old or []), self._actions(new)
            elif key == "Certificates":
                key = "Certificate"
                old = next((c["CertificateArn"] for c in old or []), None)
                new = new[0]["CertificateArn"]
            diffs[key] = (old, new)
        return diffs

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
                arn = stale["ListenerArn"]
                change = deleting(self.inv.resource(arn), {"Protocol": stale.get("Protocol")})
                write = Write(ELBV2, "delete_listener", {"ListenerArn": arn}, (change,))
                self.aws.write(replace(write, removes=(arn,)))

    def _sync_sni(self, listener: Resource, arn: str, certs: list[str]) -> None:
        """The listener's SNI certificates (none yet on one a plan would create)."""
        listed = (
            self.elbv2.describe_listener_certificates(ListenerArn=arn)["Certificates"]
            if exists(arn)
            else []
        )
        have = {c["CertificateArn"] for c in listed if not c.get("IsDefault")}
        want = set(certs[1:])
        if want - have:
            add = sorted(want - have)
            changes = [creating(listener.child(LISTENER_CERTIFICATE, a), {}) for a in add]
            params = {"ListenerArn": arn, "Certificates": [{"CertificateArn": a} for a in add]}
            self._send("add_listener_certificates", params, *changes)
        if have - want:
            gone = sorted(have - want)
            changes = [deleting(listener.child(LISTENER_CERTIFICATE, a)) for a in gone]
            params = {"ListenerArn": arn, "Certificates": [{"CertificateArn": a} for a in gone]}
            self._send("remove_listener_certificates", params, *changes)
