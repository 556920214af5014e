"""A Lattice target group's health check as a ``TargetGroupPolicy`` sets it (pure): the
fields the policy names over the VPC Lattice defaults (``CreateTargetGroup``
``HealthCheckConfig``: HTTP on the traffic port, path ``/``, every 30 s, timeout 5 s, 5
healthy and 2 unhealthy checks, code 200), in the VPC Lattice API's names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsgw.core.policies import TargetGroupParameters

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "protocol": "HTTP",
    "protocolVersion": "HTTP1",
    "path": "/",
    "healthCheckIntervalSeconds": 30,
    "healthCheckTimeoutSeconds": 5,
    "healthyThresholdCount": 5,
    "unhealthyThresholdCount": 2,
    "matcher": {"httpCode": "200"},
}


def wanted_health(policy: TargetGroupParameters) -> dict[str, Any]:
    h = policy.health
    named: dict[str, Any] = {
        "enabled": h.enabled,
        "protocol": h.protocol,
        "port": h.port,
        "path": h.path,
        "healthCheckIntervalSeconds": h.interval_seconds,
        "healthCheckTimeoutSeconds": h.timeout_seconds,
        "healthyThresholdCount": h.healthy_threshold_count,
        "unhealthyThresholdCount": h.unhealthy_threshold_count,
        "matcher": {"httpCode": h.http_code} if h.http_code else None,
    }
    return {**DEFAULTS, **{k: v for k, v in named.items() if v is not None}}


def differs(have: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    """Whether a live ``healthCheck`` differs from ``want`` in any field ``want`` names."""
    return any(have.get(k) != v for k, v in want.items())
