"""A target group's health check as a ``TargetGroupPolicy`` sets it (pure): the fields the
policy names over ELBv2's documented defaults for the target group (``CreateTargetGroup``:
HTTP — path ``/``, interval 30 s, timeout 5 s, 5 healthy and 2 unhealthy checks, code 200;
gRPC — path ``/AWS.ALB/healthcheck``, gRPC code 12; an NLB's TCP, TLS and UDP target
groups — a TCP check, interval 30 s, timeout 10 s, 5 and 2; an HTTP check there: path ``/``,
codes 200–399), in the API's field names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsgw.providers.aws.elbv2.plan.specs import TargetGroupSpec

HTTP_DEFAULTS: dict[str, Any] = {
    "HealthCheckEnabled": True,
    "HealthCheckProtocol": "HTTP",
    "HealthCheckPort": "traffic-port",
    "HealthCheckPath": "/",
    "HealthCheckIntervalSeconds": 30,
    "HealthCheckTimeoutSeconds": 5,
    "HealthyThresholdCount": 5,
    "UnhealthyThresholdCount": 2,
    "Matcher": {"HttpCode": "200"},
}
GRPC_DEFAULTS: dict[str, Any] = {
    **HTTP_DEFAULTS,
    "HealthCheckPath": "/AWS.ALB/healthcheck",
    "Matcher": {"GrpcCode": "12"},
}


STREAM_DEFAULTS: dict[str, Any] = {
    "HealthCheckEnabled": True,
    "HealthCheckProtocol": "TCP",
    "HealthCheckPort": "traffic-port",
    "HealthCheckIntervalSeconds": 30,
    "HealthCheckTimeoutSeconds": 10,
    "HealthyThresholdCount": 5,
    "UnhealthyThresholdCount": 2,
}
STREAM_HTTP_CHECK: dict[str, Any] = {"HealthCheckPath": "/", "Matcher": {"HttpCode": "200-399"}}
STREAM_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP")


def defaults(tg: TargetGroupSpec) -> dict[str, Any]:
    """ELBv2's defaults for the target group (an HTTPS one is checked over HTTPS)."""
    if tg.protocol in STREAM_PROTOCOLS:
        return dict(STREAM_DEFAULTS)
    base = dict(GRPC_DEFAULTS if tg.protocol_version == "GRPC" else HTTP_DEFAULTS)
    base["HealthCheckProtocol"] = tg.protocol
    return base


def wanted_health(tg: TargetGroupSpec) -> dict[str, Any]:
    """The health check the target group should have: its policy's fields over the
    defaults (the defaults alone without a policy)."""
    out = defaults(tg)
    if tg.policy is None:
        return out
    h = tg.policy.health
    named: dict[str, Any] = {
        "HealthCheckEnabled": h.enabled,
        "HealthCheckProtocol": h.protocol,
        "HealthCheckPort": str(h.port) if h.port is not None else None,
        "HealthCheckPath": h.path,
        "HealthCheckIntervalSeconds": h.interval_seconds,
        "HealthCheckTimeoutSeconds": h.timeout_seconds,
        "HealthyThresholdCount": h.healthy_threshold_count,
        "UnhealthyThresholdCount": h.unhealthy_threshold_count,
    }
    out.update({k: v for k, v in named.items() if v is not None})
    if tg.protocol in STREAM_PROTOCOLS and out["HealthCheckProtocol"] != "TCP":
        out = {**out, **STREAM_HTTP_CHECK, **{k: v for k, v in named.items() if v is not None}}
    if h.http_code is not None:
        out["Matcher"] = {"HttpCode": h.http_code}
    if h.grpc_code is not None:
        out["Matcher"] = {"GrpcCode": h.grpc_code}
    return out


def health_changes(have: Mapping[str, Any], want: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ModifyTargetGroup`` arguments taking ``have`` (a ``DescribeTargetGroups``
    entry) to ``want``."""
    changes = {}
    for key, value in want.items():
        current = have.get(key)
        if key == "Matcher":
            current = {k: v for k, v in (current or {}).items() if k in ("HttpCode", "GrpcCode")}
        elif isinstance(value, int) and not isinstance(value, bool) and current is not None:
            current = int(current)
        if current != value:
            changes[key] = value
    return changes
