"""The moto fill for load balancer attributes, against the ELBv2 API reference text botocore
ships (``LoadBalancerAttribute.Key``): the keys of each load balancer type and their
defaults, and the target group keys awsgw accepts from policies (``TargetGroupAttribute.Key``);
and the WAF association that replaces the one before."""

from __future__ import annotations

import re

import botocore.session
import pytest

from awsgw.providers.aws.elbv2.attributes import ATTRIBUTES
from awsgw.testing.moto_elbv2_attributes import DEFAULTS, refusal


def documented() -> dict[str, set[str]]:
    """Load balancer type → attribute keys, as the reference lists them by section."""
    model = botocore.session.get_session().get_service_model("elbv2")
    text = model.shape_for("LoadBalancerAttribute").members["Key"].documentation
    sections = re.split(r"<p>The following attributes? (?:are|is) supported by ", text)[1:]
    found: dict[str, set[str]] = {"application": set(), "network": set()}
    for section in sections:
        keys = set(re.findall(r"<code>([a-z0-9_.]+\.[a-z0-9_.]+)</code>\s*-", section))
        if section.startswith("all load balancers") or section.startswith("both"):
            found["application"] |= keys
            found["network"] |= keys
        elif section.startswith("only Application"):
            found["application"] |= keys
        elif section.startswith("only Network"):
            found["network"] |= keys
    return found


@pytest.mark.parametrize("lb_type", ["application", "network"])
def test_the_keys_of_each_type_are_the_references(lb_type: str) -> None:
    keys = documented()[lb_type]
    assert keys, "the reference text was read"
    assert set(DEFAULTS[lb_type]) == keys
    assert set(ATTRIBUTES[lb_type]) == keys, "and awsgw accepts exactly those"


def test_the_defaults_awsgw_returns_to_are_the_references() -> None:
    for lb_type, rules in ATTRIBUTES.items():
        for key, rule in rules.items():
            if rule.default is not None:
                assert rule.default == DEFAULTS[lb_type][key], (lb_type, key)


def test_a_key_of_the_other_type_or_a_value_outside_the_documented_ones_is_refused() -> None:
    assert refusal("network", "idle_timeout.timeout_seconds", "60") == (
        "InvalidConfigurationRequest",
        "Key idle_timeout.timeout_seconds not valid",
    )
    assert refusal("application", "idle_timeout.timeout_seconds", "4001") is not None
    assert refusal("application", "routing.http2.enabled", "yes") is not None
    assert refusal("application", "load_balancing.cross_zone.enabled", "false") is not None
    assert refusal("network", "load_balancing.cross_zone.enabled", "false") is None


def test_a_web_acl_association_replaces_the_one_before(aws_env: object) -> None:
    import boto3

    waf = boto3.client("wafv2", region_name="us-east-1")
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                  "MetricName": "m"}  # fmt: skip
    first, second = (
        waf.create_web_acl(Name=n, Scope="REGIONAL", DefaultAction={"Allow": {}},
                           VisibilityConfig=visibility)["Summary"]["ARN"]
        for n in ("first", "second")
    )  # fmt: skip
    resource = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"
    waf.associate_web_acl(WebACLArn=first, ResourceArn=resource)
    waf.associate_web_acl(WebACLArn=second, ResourceArn=resource)
    assert waf.get_web_acl_for_resource(ResourceArn=resource)["WebACL"]["ARN"] == second
    waf.disassociate_web_acl(ResourceArn=resource)
    assert "WebACL" not in waf.get_web_acl_for_resource(ResourceArn=resource)


def documented_target_group_keys() -> dict[str, set[str]]:
    """Target group type → attribute keys, as the reference lists them by section (Lambda
    and Gateway Load Balancer target groups left out: awsgw makes neither)."""
    model = botocore.session.get_session().get_service_model("elbv2")
    text = model.shape_for("TargetGroupAttribute").members["Key"].documentation
    sections = re.split(r"<p>The following attributes? (?:are|is) supported ", text)[1:]
    found: dict[str, set[str]] = {"application": set(), "network": set()}
    for section in sections:
        keys = set(re.findall(r"<code>([a-z0-9_.]+\.[a-z0-9_.]+)</code>\s*[-–]", section))
        head = section[:120]
        if (
            head.startswith("by all load balancers")
            or "Application Load Balancers and Network" in head
        ):
            found["application"] |= keys
            found["network"] |= keys
        elif "Application Load Balancer and the target is an instance" in head:
            found["application"] |= keys
        elif head.startswith("only by Network"):
            found["network"] |= keys
    return found


def test_the_target_group_keys_awsgw_accepts_are_the_references() -> None:
    from awsgw.providers.aws.elbv2.attributes import (
        ALB_TARGET_GROUP_ATTRIBUTES,
        NLB_TARGET_GROUP_ATTRIBUTES,
    )

    keys = documented_target_group_keys()
    assert set(ALB_TARGET_GROUP_ATTRIBUTES) == keys["application"]
    assert set(NLB_TARGET_GROUP_ATTRIBUTES) == keys["network"]
