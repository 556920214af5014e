"""Attachment → the stream listeners of a Gateway's model (TCP, UDP, TLS; pure).

A stream listener forwards whole connections: the Routes placed on it are listed oldest
first (the spec's conflict order), each with the weighted backends of its first rule."""

from __future__ import annotations

from collections.abc import Callable

from awsgw.core.attach import Attachment, GatewayState, Placement, route_order
from awsgw.core.model import (
    STREAM_PROTOCOLS,
    Certificate,
    RouteBackends,
    StreamListener,
    WeightedBackend,
    add_certificates,
)


def stream_listeners(
    gws: GatewayState,
    attachment: Attachment,
    certificate: Callable[[str, str], Certificate | None],
) -> list[StreamListener]:
    """The Gateway's usable TCP, UDP and TLS listeners with the Routes placed on them;
    ``certificate(namespace, name)`` reads a TLS Secret (None: unreadable)."""
    placements: list[Placement] = attachment.placements.get(gws.gateway.key, [])
    out = []
    for ls in gws.all_listeners:
        listener = ls.listener
        if not ls.usable or listener.protocol not in STREAM_PROTOCOLS:
            continue
        tls_mode = (
            (listener.tls.mode if listener.tls else "Terminate")
            if (listener.protocol == "TLS")
            else None
        )
        stream = StreamListener(
            ls.key, listener.port, listener.protocol, tls_mode, listener.hostname
        )
        placed = sorted(
            (p for p in placements if p.listener == ls.key),
            key=lambda p: route_order(p.route),
        )
        attached = [name for p in placed for name, _ in p.hostnames]
        presented = ls.presented(certificate, attached)
        add_certificates(stream.certificates, stream.certificate_listeners, ls.key, presented)
        for p in placed:
            rules = attachment.backends_for(p.route, gws.controller)
            first = rules[0] if rules else []
            backends = tuple(WeightedBackend(b.key, b.weight) for b in first)
            hostnames = tuple(name for name, _ in p.hostnames)
            stream.routes.append(RouteBackends(p.route.ref, backends, len(rules), hostnames))
        out.append(stream)
    return out
