"""ELBv2 create idempotency, which moto 5.2.5 lacks, filled faithfully to the API reference.

AWS (CreateLoadBalancer, CreateTargetGroup, CreateListener): "This operation is idempotent,
which means that it completes at most one time. If you attempt to create multiple load
balancers [target groups, listeners] with the same settings, each call succeeds." The same
name (a listener: the same port) with other settings fails with
``DuplicateLoadBalancerName``, ``DuplicateTargetGroupName`` or ``DuplicateListener``.

moto instead creates a second load balancer of the same name and a second listener on the
same port, and refuses a repeated identical CreateTargetGroup. So a create retried after a
lost answer misbehaves offline in ways AWS never would; these fills make it behave as AWS.

"Settings" are the create call's parameters as AWS resolves them (defaults filled in);
tags are not part of them.
"""

from __future__ import annotations

from typing import Any

_installed = False

TARGET_GROUP_SETTINGS = (
    "protocol",
    "protocol_version",
    "port",
    "vpc_id",
    "target_type",
    "ip_address_type",
    "health_check_protocol",
    "health_check_port",
    "health_check_path",
    "health_check_interval_seconds",
    "health_check_timeout_seconds",
    "health_check_enabled",
    "healthy_threshold_count",
    "unhealthy_threshold_count",
    "matcher",
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def load_balancer_settings(
    scheme: str | None,
    kind: str | None,
    ip_address_type: str | None,
    subnets: list[str],
    security_groups: list[str] | None,
) -> tuple[object, ...]:
    """What two CreateLoadBalancer calls must agree on to be the same load balancer."""
    return (
        scheme or "internet-facing",
        kind or "application",
        ip_address_type or "ipv4",
        tuple(sorted(subnets)),
        tuple(sorted(security_groups or [])),
    )


def target_group_settings(tg: Any) -> tuple[object, ...]:
    return tuple(
        _text(getattr(tg, name, None)) if name != "matcher" else getattr(tg, name, None)
        for name in TARGET_GROUP_SETTINGS
    )


def listener_settings(
    protocol: str | None,
    port: object,
    certificate: str | None,
    ssl_policy: str | None,
    alpn_policy: list[str] | None,
    actions: list[dict[str, Any]],
) -> tuple[object, ...]:
    """What two CreateListener calls on one port must agree on to be the same listener."""
    tls = (protocol or "").upper() in ("HTTPS", "TLS")
    return (
        (protocol or "").upper(),
        _text(port),
        certificate,
        ssl_policy if tls else None,
        tuple(alpn_policy or []),
        tuple(repr(sorted(a.items())) for a in actions),
    )


def install() -> None:
    """Patch moto's ELBv2 backend in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.elbv2 import models
    from moto.elbv2.exceptions import (
        DuplicateListenerError,
        DuplicateLoadBalancerName,
        DuplicateTargetGroupName,
    )

    backend = models.ELBv2Backend
    create_load_balancer = backend.create_load_balancer
    create_target_group = backend.create_target_group
    create_listener = backend.create_listener

    def idempotent_load_balancer(
        self: Any,
        name: str,
        security_groups: list[str],
        subnet_ids: list[str],
        subnet_mappings: list[dict[str, str]] | None = None,
        scheme: str = "internet-facing",
        loadbalancer_type: str | None = None,
        ip_address_type: str = "ipv4",
        tags: list[dict[str, str]] | None = None,
    ) -> Any:
        same = [lb for lb in self.load_balancers.values() if lb.name == name]
        if same:
            subnets = [*subnet_ids, *(m["SubnetId"] for m in subnet_mappings or [])]
            wanted = load_balancer_settings(
                scheme, loadbalancer_type, ip_address_type, subnets, security_groups
            )
            have = same[0]
            existing = load_balancer_settings(
                have.scheme,
                have.type,
                have.ip_address_type,
                [s.id for s in have.subnets],
                have.security_groups,
            )
            if wanted != existing:
                raise DuplicateLoadBalancerName()
            return have
        return create_load_balancer(
            self,
            name,
            security_groups,
            subnet_ids,
            subnet_mappings,
            scheme,
            loadbalancer_type,
            ip_address_type,
            tags,
        )

    def idempotent_target_group(self: Any, name: str, **kwargs: Any) -> Any:
        same = [tg for tg in self.target_groups.values() if tg.name == name]
        if not same:
            return create_target_group(self, name, **kwargs)
        existing = same[0]
        del self.target_groups[existing.arn]  # let moto build the candidate beside it
        try:
            candidate = create_target_group(self, name, **kwargs)
        finally:
            self.target_groups[existing.arn] = existing
        self.target_groups.pop(candidate.arn, None)
        self.tagging_service.delete_all_tags_for_resource(candidate.arn)
        if target_group_settings(candidate) != target_group_settings(existing):
            raise DuplicateTargetGroupName()
        return existing

    def idempotent_listener(
        self: Any,
        load_balancer_arn: str,
        protocol: str,
        port: str,
        ssl_policy: str,
        certificate: str | None,
        actions: list[dict[str, Any]],
        alpn_policy: list[str] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Any:
        balancer = self.load_balancers.get(load_balancer_arn)
        listeners = balancer.listeners.values() if balancer is not None else []
        same = [ls for ls in listeners if str(ls.port) == str(port)]
        if same:
            have = same[0]
            wanted = listener_settings(
                protocol,
                port,
                certificate,
                ssl_policy,
                alpn_policy,
                [models.FakeAction(a).data for a in actions],
            )
            existing = listener_settings(
                have.protocol,
                have.port,
                have.certificate,
                have.ssl_policy,
                have.alpn_policy,
                [a.data for a in have.default_actions],
            )
            if wanted != existing:
                raise DuplicateListenerError()
            return have
        return create_listener(
            self,
            load_balancer_arn,
            protocol,
            port,
            ssl_policy,
            certificate,
            actions,
            alpn_policy,
            tags,
        )

    backend.create_load_balancer = idempotent_load_balancer  # type: ignore[method-assign]
    backend.create_target_group = idempotent_target_group  # type: ignore[method-assign]
    backend.create_listener = idempotent_listener  # type: ignore[method-assign]
    _installed = True
