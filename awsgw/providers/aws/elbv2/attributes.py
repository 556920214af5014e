"""Load balancer attributes a ``LoadBalancerConfiguration`` may set, with their values and
defaults, as the ELBv2 API reference (``LoadBalancerAttribute``) lists them per load
balancer type."""

from __future__ import annotations

from awsgw.core.capabilities import OFF, ON, AttributeRule

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
