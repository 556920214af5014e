"""Load balancer attributes a ``LoadBalancerConfiguration`` may set, with their values, as the
ELBv2 API reference (``LoadBalancerAttribute``) lists them per load balancer type."""

from __future__ import annotations

from awsgw.core.capabilities import BOOLEAN, AttributeRule

TEXT = AttributeRule()

SHARED = {
    "deletion_protection.enabled": BOOLEAN,
    "access_logs.s3.enabled": BOOLEAN,
    "access_logs.s3.bucket": TEXT,
    "access_logs.s3.prefix": TEXT,
    "ipv6.deny_all_igw_traffic": BOOLEAN,
    "zonal_shift.config.enabled": BOOLEAN,
}
"""Application and Network Load Balancers."""

ALB_ATTRIBUTES = {
    **SHARED,
    # an ALB balances across zones always: the attribute exists, only "true" is accepted
    "load_balancing.cross_zone.enabled": AttributeRule(("true",)),
    "idle_timeout.timeout_seconds": AttributeRule(low=1, high=4000),
    "client_keep_alive.seconds": AttributeRule(low=60, high=604800),
    "connection_logs.s3.enabled": BOOLEAN,
    "connection_logs.s3.bucket": TEXT,
    "connection_logs.s3.prefix": TEXT,
    "health_check_logs.s3.enabled": BOOLEAN,
    "health_check_logs.s3.bucket": TEXT,
    "health_check_logs.s3.prefix": TEXT,
    "routing.http.desync_mitigation_mode": AttributeRule(("monitor", "defensive", "strictest")),
    "routing.http.drop_invalid_header_fields.enabled": BOOLEAN,
    "routing.http.preserve_host_header.enabled": BOOLEAN,
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": BOOLEAN,
    "routing.http.xff_client_port.enabled": BOOLEAN,
    "routing.http.xff_header_processing.mode": AttributeRule(("append", "preserve", "remove")),
    "routing.http2.enabled": BOOLEAN,
    "waf.fail_open.enabled": BOOLEAN,
}

NLB_ATTRIBUTES = {
    **SHARED,
    "load_balancing.cross_zone.enabled": BOOLEAN,
    "dns_record.client_routing_policy": AttributeRule(
        (
            "availability_zone_affinity",
            "partial_availability_zone_affinity",
            "any_availability_zone",
        )
    ),
    "secondary_ips.auto_assigned.per_subnet": AttributeRule(low=0, high=7),
}

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
