"""Listener validation: protocol support, route kinds, conflicts and TLS certificate refs.

Pure: a Gateway (plus the Store for Secrets and ReferenceGrants) in, one ``ListenerState``
per listener out, with every condition the spec asks for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from awsgw.core.capabilities import Capabilities
from awsgw.core.conditions import Condition, Reason, Verdict
from awsgw.core.model import (
    AcmCertificate,
    Certificate,
    DiscoveredCertificates,
    ListenerCertificate,
)
from awsgw.core.refs import granted
from awsgw.core.store import Store
from awsgw.core.tls import check_tls_secret
from awsgw.objects import GATEWAY_GROUP, Gateway, Listener, RouteGroupKind

ACCEPTED = Verdict(True, Reason.ACCEPTED, "Listener is accepted")
NO_CONFLICTS = Verdict(False, Reason.NO_CONFLICTS, "No conflicts")
RESOLVED = Verdict(True, Reason.RESOLVED_REFS, "All references resolved")
PROGRAMMED = Verdict(True, Reason.PROGRAMMED, "Listener is programmed")


@dataclass
class ListenerState:
    """One listener as validated (built here; read-only once ``validate_listeners``
    returns). ``programmed`` is what the listener itself allows; the Gateway's and the
    cloud's part is added when the status is rendered."""

    listener: Listener
    supported_kinds: list[RouteGroupKind]
    accepted: Verdict = ACCEPTED
    conflicted: Verdict = NO_CONFLICTS
    resolved: Verdict = RESOLVED
    programmed: Verdict = PROGRAMMED
    certificates: list[tuple[str, str]] = field(default_factory=list)
    """Valid certificate Secrets as (namespace, name), first is the default certificate."""
    acm_arns: list[str] = field(default_factory=list)
    """ACM certificates ``tls.options`` names, after the Secrets (whether ACM holds them
    issued is the data plane's to check)."""
    discovery: bool = False
    """``tls.options`` asks for the ACM certificates covering the listener's hostnames."""
    set_key: str | None = None
    """The ListenerSet (``namespace/name``) it comes from; None: the Gateway's own."""

    @property
    def key(self) -> str:
        """What names the listener on its Gateway: its name, or for a ListenerSet's
        ``namespace/set/name`` (listener names never hold a ``/``, so the two never meet)."""
        name = self.listener.name
        return f"{self.set_key}/{name}" if self.set_key else name

    def admits(self, kind: str) -> bool:
        """Does the listener carry Routes of this Gateway API kind (``supportedKinds``)?"""
        return any(k.kind == kind and k.group == GATEWAY_GROUP for k in self.supported_kinds)

    def presented(
        self, read: Callable[[str, str], Certificate | None], attached: Iterable[str] = ()
    ) -> list[tuple[str, ListenerCertificate | None]]:
        """(key, certificate) of what the listener presents: its Secrets (``read`` by
        namespace and name; None when unreadable), its ACM ARNs, then what discovery finds
        for its hostname (without one: the ``attached`` Routes' hostnames)."""
        secrets = [(f"{ns}/{name}", read(ns, name)) for ns, name in self.certificates]
        arns: list[tuple[str, ListenerCertificate | None]] = [
            (arn, AcmCertificate(arn)) for arn in self.acm_arns
        ]
        if self.discovery:
            host = self.listener.hostname
            found = DiscoveredCertificates((host,) if host else tuple(dict.fromkeys(attached)))
            arns.append((found.key, found))
        return [*secrets, *arns]

    @property
    def usable(self) -> bool:
        """Is traffic served? (accepted, not conflicted, refs valid). Routes attach to a
        listener regardless (spec: listener status does not impact attachment)."""
        return self.accepted.ok and not self.conflicted.ok and self.resolved.ok

    @property
    def valid(self) -> bool:
        """Accepted and distinct: what keeps the Gateway itself accepted."""
        return self.accepted.ok and not self.conflicted.ok

    def conditions(
        self, generation: int, resolved: Verdict | None = None, programmed: Verdict | None = None
    ) -> list[Condition]:
        """The listener's conditions; ``resolved`` and ``programmed`` override its own (what
        the Gateway and the cloud made of it)."""
        return [
            Condition.of("Accepted", self.accepted, generation),
            Condition.of("Conflicted", self.conflicted, generation),
            Condition.of("ResolvedRefs", resolved or self.resolved, generation),
            Condition.of("Programmed", programmed or self.programmed, generation),
        ]


BAD_CERT = Reason.INVALID_CERTIFICATE_REF


def _not_programmed(state: ListenerState, why: str) -> None:
    state.programmed = Verdict(False, Reason.INVALID, why)


def _kinds(
    listener: Listener,
    state: ListenerState,
    allowed: tuple[str, ...],
    notes_of: Mapping[str, str],
) -> None:
    requested = listener.allowed_routes.kinds
    if not requested:  # unspecified or empty: the kinds of the listener protocol
        state.supported_kinds = [RouteGroupKind(group=GATEWAY_GROUP, kind=k) for k in allowed]
        return
    valid = [k for k in requested if k.group == GATEWAY_GROUP and k.kind in allowed]
    state.supported_kinds = [RouteGroupKind(group=k.group, kind=k.kind) for k in valid]
    invalid = [k for k in requested if k not in valid]
    if invalid:
        names = ", ".join(f"{k.group}/{k.kind}" for k in invalid)
        notes = [notes_of[k.kind] for k in invalid if k.kind in notes_of]
        why = f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""
        state.resolved = Verdict(
            False,
            Reason.INVALID_ROUTE_KINDS,
            f"spec.listeners[{listener.name}].allowedRoutes.kinds: unsupported {names}{why}",
        )


@dataclass(frozen=True)
class ListenerOwner:
    """Whose listeners are validated: certificates resolve in its namespace, and a
    ReferenceGrant must admit its kind (a Gateway's grants are not a ListenerSet's)."""

    kind: str
    namespace: str
    set_key: str | None = None
    """A ListenerSet's ``namespace/name``."""


def _certificates(
    owner: ListenerOwner,
    listener: Listener,
    state: ListenerState,
    store: Store,
    caps: Capabilities,
    now: dt.datetime | None,
) -> None:
    tls = listener.tls
    where = f"spec.listeners[{listener.name}].tls"
    modes = caps.tls_modes.get(listener.protocol, ())
    if tls is not None and tls.mode == "Passthrough" and "Passthrough" in modes:
        return  # the TLS stream reaches the backend untouched: no certificate here
    arns = _acm_arns(listener, state, caps)
    _discovery(listener, state, caps)
    if not state.accepted.ok:
        return
    if tls is None or not (tls.certificate_refs or arns or state.discovery):
        state.resolved = Verdict(False, BAD_CERT, f"{where}.certificateRefs: required")
        return
    if tls.mode not in modes:
        message = (
            f"{where}.mode: {caps.short} only terminates TLS"
            if modes == ("Terminate",)
            else f"{where}.mode: {tls.mode} is not supported by {caps.short}"
        )
        state.supported_kinds = []
        state.accepted = Verdict(False, Reason.UNSUPPORTED_VALUE, message)
        return
    for i, ref in enumerate(tls.certificate_refs):
        ns = ref.namespace or owner.namespace
        name = f"{where}.certificateRefs[{i}] {ns}/{ref.name}"
        if ref.group != "" or ref.kind != "Secret":
            state.resolved = Verdict(False, BAD_CERT, f"{name}: kind must be core Secret")
            continue
        if not granted(
            store,
            from_group=GATEWAY_GROUP,
            from_kind=owner.kind,
            from_namespace=owner.namespace,
            to_group="",
            to_kind="Secret",
            to_namespace=ns,
            to_name=ref.name,
        ):
            state.resolved = Verdict(
                False, Reason.REF_NOT_PERMITTED, f"{name}: no ReferenceGrant allows it"
            )
            continue
        secret = store.secret(ns, ref.name)
        if secret is None:
            state.resolved = Verdict(False, BAD_CERT, f"{name}: Secret not found")
            continue
        problem = check_tls_secret(secret.data, now)
        if problem is not None:
            state.resolved = Verdict(False, BAD_CERT, f"{name}: {problem}")
            continue
        state.certificates.append((ns, ref.name))


CERTIFICATE_ARNS = "awsgw.io/certificate-arns"
"""``tls.options`` key: comma-separated ARNs of ACM certificates the listener presents."""
CERTIFICATE_DISCOVERY = "awsgw.io/certificate-discovery"
"""``tls.options`` key: ``"true"`` presents the ISSUED ACM certificates covering the
listener's hostnames."""
ACM_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+")


def _refuse_option(state: ListenerState, where: str, why: str) -> None:
    state.supported_kinds = []
    state.accepted = Verdict(False, Reason.UNSUPPORTED_VALUE, f"{where}: {why}")


def _discovery(listener: Listener, state: ListenerState, caps: Capabilities) -> None:
    raw = (listener.tls.options if listener.tls is not None else {}).get(CERTIFICATE_DISCOVERY)
    if raw is None:
        return
    where = f"spec.listeners[{listener.name}].tls.options[{CERTIFICATE_DISCOVERY}]"
    if not caps.acm_certificates:
        _refuse_option(state, where, f"{caps.short} takes certificates from Secrets only")
    elif raw not in ("true", "false"):
        _refuse_option(state, where, f'{raw!r} is not "true" or "false"')
    else:
        state.discovery = raw == "true"


def _acm_arns(listener: Listener, state: ListenerState, caps: Capabilities) -> list[str]:
    """The ARNs of ``tls.options[awsgw.io/certificate-arns]``, each checked for shape."""
    raw = (listener.tls.options if listener.tls is not None else {}).get(CERTIFICATE_ARNS)
    if raw is None:
        return []
    where = f"spec.listeners[{listener.name}].tls.options[{CERTIFICATE_ARNS}]"
    if not caps.acm_certificates:
        _refuse_option(state, where, f"{caps.short} takes certificates from Secrets only")
        return []
    arns = list(dict.fromkeys(a.strip() for a in raw.split(",") if a.strip()))
    if not arns:
        state.resolved = Verdict(False, BAD_CERT, f"{where}: no ARN given")
    for arn in arns:
        if ACM_ARN.fullmatch(arn) is None:
            shape = "arn:aws:acm:REGION:ACCOUNT:certificate/ID"
            message = f"{where}: {arn!r} is not an ACM certificate ARN ({shape})"
            state.resolved = Verdict(False, BAD_CERT, message)
        else:
            state.acm_arns.append(arn)
    return arns


def _tls_mode(listener: Listener) -> str | None:
    if listener.protocol != "TLS":
        return None
    return listener.tls.mode if listener.tls is not None else "Terminate"


def _conflicts(states: list[ListenerState], caps: Capabilities) -> None:
    """Listeners sharing a port and transport must share a protocol and differ in hostname
    (TCP and UDP listeners have none that counts). UDP and a TCP-borne protocol on one port
    do not conflict: they are different ports to the network. TLS listeners of different
    ``tls.mode`` on one port conflict unless the data plane serves mixed modes; they then
    support no Route kind."""
    by_port: dict[tuple[int, bool], list[ListenerState]] = {}
    for s in states:
        if s.accepted.ok:
            by_port.setdefault((s.listener.port, s.listener.protocol == "UDP"), []).append(s)
    for group in by_port.values():
        protocols = {s.listener.protocol for s in group}
        if len(protocols) > 1:
            for s in group:
                s.conflicted = Verdict(
                    True,
                    Reason.PROTOCOL_CONFLICT,
                    f"port {s.listener.port} is used with protocols {sorted(protocols)}",
                )
            continue
        modes = {_tls_mode(s.listener) for s in group}
        if len(modes) > 1 and not caps.mixed_tls_modes:
            for s in group:
                s.supported_kinds = []
                s.conflicted = Verdict(
                    True,
                    Reason.PROTOCOL_CONFLICT,
                    f"port {s.listener.port} is used by TLS listeners in modes "
                    f"{sorted(str(m) for m in modes)}: {caps.product} cannot both terminate "
                    "and pass through TLS on one port",
                )
            continue
        seen: dict[str, list[ListenerState]] = {}
        for s in group:
            hostname = "" if s.listener.protocol in ("TCP", "UDP") else s.listener.hostname
            seen.setdefault((hostname or "").lower(), []).append(s)
        for hostname, same in seen.items():
            if len(same) > 1:
                for s in same:
                    s.conflicted = Verdict(
                        True,
                        Reason.HOSTNAME_CONFLICT,
                        f"port {s.listener.port} hostname {hostname or '(any)'} "
                        "is used by several listeners",
                    )


def validate_listeners(
    gw: Gateway, store: Store, caps: Capabilities, now: dt.datetime | None = None
) -> list[ListenerState]:
    """One ``ListenerState`` per listener of the Gateway, conditions filled in. ``now``: the
    time certificates must be valid at (unchecked without it)."""
    states = _validate(gw.spec.listeners, ListenerOwner("Gateway", gw.namespace), store, caps, now)
    _conflicts(states, caps)
    _settle(states)
    return states


def validate_set_listeners(
    listeners: list[Listener],
    owner: ListenerOwner,
    higher: list[ListenerState],
    store: Store,
    caps: Capabilities,
    now: dt.datetime | None = None,
) -> list[ListenerState]:
    """A ListenerSet's listeners, merged after ``higher`` (the Gateway's valid listeners and
    those of older sets, in the spec's precedence): a listener that conflicts with a
    higher one, or an earlier one of its own set, is the one conflicted."""
    states = _validate(listeners, owner, store, caps, now)
    kept = [s for s in higher if s.valid]
    for s in states:
        # a conflict is reported before anything else about the listener (even a protocol
        # the data plane does not serve), as the upstream precedence tests expect
        conflict = _conflict_with(kept, s, caps)
        if conflict is not None:
            s.conflicted = conflict
            s.supported_kinds = []
        elif s.accepted.ok:
            kept.append(s)
    _settle(states)
    return states


def _conflict_with(
    higher: list[ListenerState], s: ListenerState, caps: Capabilities
) -> Verdict | None:
    """Why ``s`` conflicts with a listener of higher precedence (None: it does not)."""
    mine = s.listener
    udp = mine.protocol == "UDP"
    for h in higher:
        other = h.listener
        if other.port != mine.port or (other.protocol == "UDP") != udp:
            continue
        where = f"{h.set_key + ' ' if h.set_key else ''}listener {other.name}"
        if other.protocol != mine.protocol:
            message = f"port {mine.port} is used with protocol {other.protocol} by {where}"
            return Verdict(True, Reason.PROTOCOL_CONFLICT, message)
        if _tls_mode(other) != _tls_mode(mine) and not caps.mixed_tls_modes:
            message = f"port {mine.port} is used in TLS mode {_tls_mode(other)} by {where}"
            return Verdict(True, Reason.PROTOCOL_CONFLICT, message)
        if (
            mine.protocol in ("TCP", "UDP")
            or (other.hostname or "").lower() == (mine.hostname or "").lower()
        ):
            host = mine.hostname or "(any)"
            message = f"port {mine.port} hostname {host} is used by {where}"
            return Verdict(True, Reason.HOSTNAME_CONFLICT, message)
    return None


def _validate(
    listeners: list[Listener],
    owner: ListenerOwner,
    store: Store,
    caps: Capabilities,
    now: dt.datetime | None,
) -> list[ListenerState]:
    states = []
    for listener in listeners:
        allowed = caps.route_kinds.get(listener.protocol)
        state = ListenerState(listener=listener, supported_kinds=[], set_key=owner.set_key)
        if allowed is None:
            state.accepted = Verdict(
                False,
                Reason.UNSUPPORTED_PROTOCOL,
                f"spec.listeners[{listener.name}].protocol: {listener.protocol} is not "
                f"supported by {caps.product} ({', '.join(caps.route_kinds)})",
            )
        else:
            _kinds(listener, state, allowed, caps.kind_notes)
            if listener.protocol in caps.tls_modes:
                _certificates(owner, listener, state, store, caps, now)
        states.append(state)
    return states


def _settle(states: list[ListenerState]) -> None:
    """What a conflict, a refusal or an unresolved reference leaves of each listener."""
    for s in states:
        if s.conflicted.ok:
            s.accepted = s.programmed = Verdict(False, s.conflicted.reason, s.conflicted.message)
        elif not s.accepted.ok:
            _not_programmed(s, s.accepted.message)
        elif not s.resolved.ok:
            _not_programmed(s, s.resolved.message)
