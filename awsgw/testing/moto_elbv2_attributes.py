"""Load balancer attributes and WAF associations as the AWS API references document them,
where moto 5.2.5 differs.

- ``DescribeLoadBalancerAttributes`` answers every attribute of the load balancer's type,
  at its documented default until set; moto answers the few it set at creation (some at
  values AWS does not use: cross-zone ``false`` on an ALB).
- ``ModifyLoadBalancerAttributes`` refuses a key of the other type
  (``InvalidConfigurationRequest``) and a value outside the documented ones
  (``ValidationError``); moto takes any key of either type and any value.
- ``AssociateWebACL`` on a resource that already has a web ACL replaces the association (a
  resource has at most one); moto adds a second.

The keys and defaults below are the ELBv2 API reference's (``LoadBalancerAttribute``);
``tests/testing`` checks them against the reference text botocore ships.
"""

from __future__ import annotations

from typing import Any

SHARED = {
    "deletion_protection.enabled": "false",
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "ipv6.deny_all_igw_traffic": "false",
    "zonal_shift.config.enabled": "false",
}
DEFAULTS = {
    "application": {
        **SHARED,
        "load_balancing.cross_zone.enabled": "true",
        "idle_timeout.timeout_seconds": "60",
        "client_keep_alive.seconds": "3600",
        "connection_logs.s3.enabled": "false",
        "connection_logs.s3.bucket": "",
        "connection_logs.s3.prefix": "",
        "health_check_logs.s3.enabled": "false",
        "health_check_logs.s3.bucket": "",
        "health_check_logs.s3.prefix": "",
        "routing.http.desync_mitigation_mode": "defensive",
        "routing.http.drop_invalid_header_fields.enabled": "false",
        "routing.http.preserve_host_header.enabled": "false",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
        "routing.http.xff_client_port.enabled": "false",
        "routing.http.xff_header_processing.mode": "append",
        "routing.http2.enabled": "true",
        "waf.fail_open.enabled": "false",
    },
    "network": {
        **SHARED,
        "load_balancing.cross_zone.enabled": "false",
        "dns_record.client_routing_policy": "any_availability_zone",
        "secondary_ips.auto_assigned.per_subnet": "0",
    },
}
"""Load balancer type → attribute → default."""

BOOLEAN = ("true", "false")
VALUES: dict[str, tuple[str, ...]] = {
    "routing.http.desync_mitigation_mode": ("monitor", "defensive", "strictest"),
    "routing.http.xff_header_processing.mode": ("append", "preserve", "remove"),
    "dns_record.client_routing_policy": (
        "availability_zone_affinity",
        "partial_availability_zone_affinity",
        "any_availability_zone",
    ),
}
RANGES = {
    "idle_timeout.timeout_seconds": (1, 4000),
    "client_keep_alive.seconds": (60, 604800),
    "secondary_ips.auto_assigned.per_subnet": (0, 7),
}

_installed = False


def refusal(lb_type: str, key: str, value: str) -> tuple[str, str] | None:
    """(error code, message) AWS answers a modify of ``key`` to ``value`` with, or None."""
    if key not in DEFAULTS.get(lb_type, {}):
        return "InvalidConfigurationRequest", f"Key {key} not valid"
    if key.endswith(".enabled") and value not in BOOLEAN:
        return "ValidationError", f"{key} must be true or false"
    if key in VALUES and value not in VALUES[key]:
        return "ValidationError", f"{key} must be one of {', '.join(VALUES[key])}"
    if key in RANGES:
        low, high = RANGES[key]
        if not value.isdigit() or not low <= int(value) <= high:
            return "ValidationError", f"{key} must be from {low} to {high}"
    cross_zone = key == "load_balancing.cross_zone.enabled"
    if lb_type == "application" and cross_zone and value != "true":
        return "InvalidConfigurationRequest", "cross-zone load balancing is always on"
    return None


def install() -> None:
    """Patch moto's ELBv2 and WAFv2 backends in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.elbv2.exceptions import ELBClientError, LoadBalancerNotFoundError
    from moto.elbv2.models import ELBv2Backend
    from moto.wafv2.models import WAFV2Backend

    def described(self: Any, arn: str) -> dict[str, Any]:
        balancer = self.load_balancers.get(arn)
        if balancer is None:
            raise LoadBalancerNotFoundError()
        defaults = DEFAULTS.get(balancer.type, {})
        stored = balancer.__dict__.setdefault("_awsgw_attributes", {})
        return {**defaults, **stored}

    def modify(self: Any, arn: str, attrs: dict[str, Any]) -> dict[str, Any]:
        balancer = self.load_balancers.get(arn)
        if balancer is None:
            raise LoadBalancerNotFoundError()
        for key, value in attrs.items():
            refused = refusal(balancer.type, key, str(value))
            if refused is not None:
                raise ELBClientError(*refused)
        balancer.__dict__.setdefault("_awsgw_attributes", {}).update(attrs)
        return described(self, arn)

    associate = WAFV2Backend.associate_web_acl

    def associate_replacing(self: Any, web_acl_arn: str, resource_arn: str) -> None:
        if web_acl_arn in self.wacls:
            for acl in self.wacls.values():
                if resource_arn in acl.associated_resources:
                    acl.associated_resources.remove(resource_arn)
        associate(self, web_acl_arn, resource_arn)

    ELBv2Backend.describe_load_balancer_attributes = described  # type: ignore[method-assign]
    ELBv2Backend.modify_load_balancer_attributes = modify  # type: ignore[method-assign]
    WAFV2Backend.associate_web_acl = associate_replacing  # type: ignore[method-assign]
    _installed = True
