"""Load balancer attributes a ``LoadBalancerConfiguration`` may set, with their values and
defaults, as the ELBv2 API reference (``LoadBalancerAttribute``) lists them per load
balancer type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from awsgw.core.capabilities import OFF, ON, AttributeRule, TargetGroupRules

TEXT = AttributeRule(default="")

SHARED = {
    "deletion_protection.enabled": OFF,
    "access_logs.s3.enabled": OFF,
    "access_logs.s3.bucket": TEXT,
    "access_logs.s3.prefix": TEXT,
    # its default depends on the scheme: never reset
    "ipv6.deny_all_igw_traffic": AttributeRule(("true", "false")),
    "zonal_shift.config.enabled": OFF,
}
"""Application and Network Load Balancers."""

ALB_ATTRIBUTES = {
    **SHARED,
    # an ALB balances across zones always: the attribute exists, only "true" is accepted
    "load_balancing.cross_zone.enabled": AttributeRule(("true",), default="true"),
    "idle_timeout.timeout_seconds": AttributeRule(low=1, high=4000, default="60"),
    "client_keep_alive.seconds": AttributeRule(low=60, high=604800, default="3600"),
    "connection_logs.s3.enabled": OFF,
    "connection_logs.s3.bucket": TEXT,
    "connection_logs.s3.prefix": TEXT,
    "health_check_logs.s3.enabled": OFF,
    "health_check_logs.s3.bucket": TEXT,
    "health_check_logs.s3.prefix": TEXT,
    "routing.http.desync_mitigation_mode": AttributeRule(
        ("monitor", "defensive", "strictest"), default="defensive"
    ),
    "routing.http.drop_invalid_header_fields.enabled": OFF,
    "routing.http.preserve_host_header.enabled": OFF,
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": OFF,
    "routing.http.xff_client_port.enabled": OFF,
    "routing.http.xff_header_processing.mode": AttributeRule(
        ("append", "preserve", "remove"), default="append"
    ),
    "routing.http2.enabled": ON,
    "waf.fail_open.enabled": OFF,
}

NLB_ATTRIBUTES = {
    **SHARED,
    "load_balancing.cross_zone.enabled": OFF,
    "dns_record.client_routing_policy": AttributeRule(
        (
            "availability_zone_affinity",
            "partial_availability_zone_affinity",
            "any_availability_zone",
        ),
        default="any_availability_zone",
    ),
    # "after you set this value, you can't decrease it": never reset
    "secondary_ips.auto_assigned.per_subnet": AttributeRule(low=0, high=7),
}

ATTRIBUTES = {"application": ALB_ATTRIBUTES, "network": NLB_ATTRIBUTES}
"""Load balancer type → its attributes."""

LB_PARAMETERS = frozenset(
    {
        "scheme",
        "ipAddressType",
        "subnets",
        "securityGroups",
        "attributes",
        "tags",
        "shieldAdvanced",
        "listeners.sslPolicy",
    }
)
"""``LoadBalancerConfiguration`` fields both ELBv2 data planes honour."""
ALB_PARAMETERS = LB_PARAMETERS | {"wafv2WebACLArn"}
NLB_PARAMETERS = LB_PARAMETERS | {"listeners.alpnPolicy"}

ANY = AttributeRule()
"""Values ELBv2 checks itself (``off`` or a number of targets, a cookie name)."""
SECONDS_A_WEEK = AttributeRule(low=1, high=604800, default="86400")
SHARED_TARGET_GROUP = {
    "deregistration_delay.timeout_seconds": AttributeRule(low=0, high=3600, default="300"),
    "stickiness.enabled": OFF,
    "load_balancing.cross_zone.enabled": AttributeRule(
        ("true", "false", "use_load_balancer_configuration"),
        default="use_load_balancer_configuration",
    ),
    "target_group_health.dns_failover.minimum_healthy_targets.count": AttributeRule(default="1"),
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": AttributeRule(
        default="off"
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": AttributeRule(
        default="1"
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": (
        AttributeRule(default="off")
    ),
}
"""Target groups of Application and Network Load Balancers (``TargetGroupAttribute``)."""

ALB_TARGET_GROUP_ATTRIBUTES = {
    **SHARED_TARGET_GROUP,
    "stickiness.type": AttributeRule(("lb_cookie", "app_cookie"), default="lb_cookie"),
    "load_balancing.algorithm.type": AttributeRule(
        ("round_robin", "least_outstanding_requests", "weighted_random"), default="round_robin"
    ),
    "load_balancing.algorithm.anomaly_mitigation": AttributeRule(("on", "off"), default="off"),
    # 30–900 seconds, or 0 (the default) for no slow start
    "slow_start.duration_seconds": AttributeRule(low=0, high=900, default="0"),
    "stickiness.app_cookie.cookie_name": ANY,
    "stickiness.app_cookie.duration_seconds": SECONDS_A_WEEK,
    "stickiness.lb_cookie.duration_seconds": SECONDS_A_WEEK,
}
NLB_TARGET_GROUP_ATTRIBUTES = {
    **SHARED_TARGET_GROUP,
    "stickiness.type": AttributeRule(("source_ip",), default="source_ip"),
    # their defaults depend on the protocol and target type: never reset
    "deregistration_delay.connection_termination.enabled": AttributeRule(("true", "false")),
    "preserve_client_ip.enabled": AttributeRule(("true", "false")),
    "proxy_protocol_v2.enabled": OFF,
    "target_health_state.unhealthy.connection_termination.enabled": ON,
    "target_health_state.unhealthy.draining_interval_seconds": AttributeRule(
        low=0, high=360000, default="0"
    ),
}


def attribute_changes(
    rules: Mapping[str, AttributeRule], want: Mapping[str, str], found: Iterable[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """The ``Attributes`` of a modify call taking ``found`` (a describe answer) to ``want``
    with every other attribute the rules know at its documented default."""
    desired = {k: r.default for k, r in rules.items() if r.default is not None}
    desired.update(want)
    have = {a["Key"]: a.get("Value", "") for a in found}
    return [
        {"Key": k, "Value": v}
        for k, v in sorted(desired.items())
        if (k in have and have[k] != v) or (k in want and k not in have)
    ]


ALB_TARGET_GROUPS = TargetGroupRules(
    "ALB target groups",
    frozenset({"healthCheck", "attributes", "protocolVersion", "targetType", "protocol"}),
    ALB_TARGET_GROUP_ATTRIBUTES,
    frozenset({"HTTP", "HTTPS"}),
)
NLB_TARGET_GROUPS = TargetGroupRules(
    "NLB target groups",
    frozenset({"healthCheck", "attributes", "targetType"}),
    NLB_TARGET_GROUP_ATTRIBUTES,
)
