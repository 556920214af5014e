"""A Gateway with a LoadBalancerConfiguration is programmed with exactly those settings
(judged from AWS describe calls); a change is made in place with the fewest writes; what it
names of the user's (security groups, web ACL) is never changed; what awsgw set is taken back
when the configuration drops it."""

from __future__ import annotations

from typing import Any

import yaml

from tests.certs import self_signed_secret
from tests.conftest import MotoVpc
from tests.providers.aws.alb.test_acm_certificates import ROUTE, TLS_ROUTE
from tests.support import GATEWAY_CLASS, NLB_CLASS, Harness, NlbHarness, condition


def gateway(cls: str = "alb", https: bool = True, tls: bool = False) -> str:
    listeners: list[dict[str, Any]] = [{"name": "http", "port": 80, "protocol": "HTTP"}]
    for wanted, protocol in ((https, "HTTPS"), (tls, "TLS")):
        if wanted:
            listeners.append(
                {"name": protocol.lower(), "port": 443, "protocol": protocol,
                 "tls": {"certificateRefs": [{"name": "site"}]}}
            )  # fmt: skip
    doc = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "gatewayClassName": cls,
            "listeners": listeners,
            "infrastructure": {
                "parametersRef": {
                    "group": "awsgw.io",
                    "kind": "LoadBalancerConfiguration",
                    "name": "prod",
                }
            },
        },
    }
    secret = self_signed_secret("shop", "site", ["shop.example.com"])
    return "---\n" + yaml.safe_dump(doc) + "---\n" + yaml.safe_dump(secret)


def configuration(spec: dict[str, Any]) -> str:
    doc = {
        "apiVersion": "awsgw.io/v1alpha1",
        "kind": "LoadBalancerConfiguration",
        "metadata": {"name": "prod", "namespace": "shop"},
        "spec": spec,
    }
    return "---\n" + yaml.safe_dump(doc)


def user_group(h: Any, vpc: str, name: str = "corp") -> str:
    return str(h.aws.client("ec2").create_security_group(
        GroupName=name, Description="the user's", VpcId=vpc)["GroupId"])  # fmt: skip


def web_acl(h: Any) -> str:
    acl = h.aws.client("wafv2").create_web_acl(
        Name="corp", Scope="REGIONAL", DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                          "MetricName": "corp"},
    )  # fmt: skip
    return str(acl["Summary"]["ARN"])


def attributes(h: Any, arn: str) -> dict[str, str]:
    found = h.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in found}


def tags_of(h: Any, arns: list[str]) -> list[dict[str, str]]:
    found = h.elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]
    return [{t["Key"]: t["Value"] for t in d["Tags"]} for d in found]


def gateway_status(result: Any) -> dict[str, Any]:
    return result.statuses[("Gateway", "shop/web")]


FULL = {
    "scheme": "internet-facing",
    "attributes": {
        "idle_timeout.timeout_seconds": "120",
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "access_logs.s3.enabled": "true",
        "access_logs.s3.bucket": "corp-logs",
    },
    "tags": {"team": "shop", "cost-center": "42"},
    "shieldAdvanced": True,
    "listeners": [{"port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}],
}


def test_a_configured_alb_has_exactly_those_settings(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    sg, acl = user_group(h, aws_env.vpc_id), web_acl(h)
    spec = {**FULL, "securityGroups": [sg], "wafv2WebACLArn": acl,
            "subnets": {"ids": list(aws_env.subnet_ids[:2])}}  # fmt: skip
    state = GATEWAY_CLASS + gateway() + configuration(spec) + ROUTE
    gw = gateway_status(h.run(state))
    assert condition(gw, "Programmed")["status"] == "True", gw
    lb = h.lb("shop/web")
    arn = lb["LoadBalancerArn"]
    assert lb["Scheme"] == "internet-facing"
    assert sorted(az["SubnetId"] for az in lb["AvailabilityZones"]) == sorted(
        aws_env.subnet_ids[:2]
    )
    assert sg in lb["SecurityGroups"] and len(lb["SecurityGroups"]) == 2
    attrs = attributes(h, arn)
    assert attrs["idle_timeout.timeout_seconds"] == "120"
    assert attrs["access_logs.s3.bucket"] == "corp-logs"
    assert attrs["routing.http2.enabled"] == "true", "the others stay at their defaults"
    listeners = h.elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    [https] = [ls for ls in listeners if ls["Port"] == 443]
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    [http] = [ls for ls in listeners if ls["Port"] == 80]
    rules = h.elbv2.describe_rules(ListenerArn=http["ListenerArn"])["Rules"]
    tgs = h.elbv2.describe_target_groups(LoadBalancerArn=arn)["TargetGroups"]
    arns = [arn, https["ListenerArn"], tgs[0]["TargetGroupArn"]]
    arns += [r["RuleArn"] for r in rules if not r["IsDefault"]]
    for tags in tags_of(h, arns):
        assert tags["team"] == "shop" and tags["cost-center"] == "42", tags
    waf = h.aws.client("wafv2").get_web_acl_for_resource(ResourceArn=arn)
    assert waf["WebACL"]["ARN"] == acl
    protection = h.aws.client("shield").describe_protection(ResourceArn=arn)["Protection"]
    assert protection["ResourceArn"] == arn
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
    h.run(GATEWAY_CLASS)
    groups = h.aws.client("ec2").describe_security_groups(GroupIds=[sg])["SecurityGroups"]
    assert groups, "the user's security group stays"
    assert h.aws.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]
    assert h.aws.client("shield").list_protections()["Protections"] == [], "ours goes"


def test_a_changed_attribute_is_one_modify_and_a_dropped_one_returns_to_its_default(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + gateway(https=False) + ROUTE
    h.run(base + configuration({"attributes": {"idle_timeout.timeout_seconds": "120"}}))
    h.run(base + configuration({"attributes": {"idle_timeout.timeout_seconds": "300"}}))
    assert h.aws.counter.write_calls() == {
        "elastic-load-balancing-v2:ModifyLoadBalancerAttributes": 1
    }
    arn = h.lb("shop/web")["LoadBalancerArn"]
    assert attributes(h, arn)["idle_timeout.timeout_seconds"] == "300"
    h.run(base + configuration({}))
    assert attributes(h, arn)["idle_timeout.timeout_seconds"] == "60"
    h.run(base + configuration({}))
    assert h.aws.counter.writes == 0
    described = h.aws.counter.calls[("elastic-load-balancing-v2", "DescribeLoadBalancerAttributes")]
    assert described == 0, "nothing is read for a Gateway whose configuration sets none"


def test_tags_are_changed_in_place_and_removed_when_dropped(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + gateway(https=False) + ROUTE
    h.run(base + configuration({"tags": {"team": "shop"}}))
    h.run(base + configuration({"tags": {"team": "cart", "tier": "1"}}))
    arn = h.lb("shop/web")["LoadBalancerArn"]
    tgs = h.elbv2.describe_target_groups(LoadBalancerArn=arn)["TargetGroups"]
    for tags in tags_of(h, [arn, tgs[0]["TargetGroupArn"]]):
        assert (tags["team"], tags["tier"]) == ("cart", "1")
    h.run(base + configuration({}))
    for tags in tags_of(h, [arn, tgs[0]["TargetGroupArn"]]):
        assert "team" not in tags and "tier" not in tags
        assert tags["awsgw.io/cluster"] == aws_env.cluster, "awsgw's own tags stay"


def test_a_security_group_that_does_not_exist_changes_nothing(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + gateway(https=False) + ROUTE
    h.run(base + configuration({}))
    gw = gateway_status(h.run(base + configuration({"securityGroups": ["sg-0123456789abcdef0"]})))
    programmed = condition(gw, "Programmed")
    assert (programmed["status"], programmed["reason"]) == ("False", "Invalid")
    assert "LoadBalancerConfiguration shop/prod spec.securityGroups:" in programmed["message"]
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_a_missing_configuration_creates_nothing(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    gw = gateway_status(h.run(GATEWAY_CLASS + gateway(https=False) + ROUTE))
    accepted = condition(gw, "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "InvalidParameters")
    assert "LoadBalancerConfiguration shop/prod not found" in accepted["message"]
    assert h.aws.counter.writes == 0


def test_a_dropped_web_acl_is_disassociated_only_when_awsgw_associated_it(
    aws_env: MotoVpc,
) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    acl = web_acl(h)
    base = GATEWAY_CLASS + gateway(https=False) + ROUTE
    h.run(base + configuration({"wafv2WebACLArn": acl}))
    arn = h.lb("shop/web")["LoadBalancerArn"]
    waf = h.aws.client("wafv2")
    h.run(base + configuration({}))
    assert "WebACL" not in waf.get_web_acl_for_resource(ResourceArn=arn)
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=arn)  # the user's own, by hand
    h.run(base + configuration({}))
    assert waf.get_web_acl_for_resource(ResourceArn=arn)["WebACL"]["ARN"] == acl


def test_an_nlb_takes_its_attributes_and_alpn_policy(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    spec = {"attributes": {"load_balancing.cross_zone.enabled": "true"},
            "listeners": [{"port": 443, "alpnPolicy": "HTTP2Preferred",
                           "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"}]}  # fmt: skip
    state = NLB_CLASS + gateway("nlb", https=False, tls=True) + configuration(spec) + ROUTE
    state += TLS_ROUTE.replace("sectionName: secure", "sectionName: tls")
    gw = gateway_status(h.run(state))
    assert condition(gw, "Accepted")["status"] == "True", gw
    lb = h.lb("shop/web")
    assert attributes(h, lb["LoadBalancerArn"])["load_balancing.cross_zone.enabled"] == "true"
    found = h.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    [tls] = [ls for ls in found if ls["Port"] == 443]
    assert tls["AlpnPolicy"] == ["HTTP2Preferred"]
    assert tls["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    h.run(state)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()


def test_a_scheme_change_is_announced_then_the_alb_is_replaced(aws_env: MotoVpc) -> None:
    h = Harness(aws_env.cluster, aws_env.vpc_id)
    base = GATEWAY_CLASS + gateway(https=False) + ROUTE
    h.run(base + configuration({}))
    before = h.lb("shop/web")["LoadBalancerArn"]
    public = base + configuration({"scheme": "internet-facing"})
    programmed = condition(gateway_status(h.run(public)), "Programmed")
    assert programmed["status"] == "False"
    assert programmed["message"].startswith(
        "the scheme changes from internal to internet-facing: the Application Load Balancer "
        "is replaced by a new one on the next pass"
    )
    assert h.lb("shop/web")["LoadBalancerArn"] == before, "nothing replaced yet"
    gw = gateway_status(h.run(public))
    assert condition(gw, "Programmed")["status"] == "True", gw
    after = h.lb("shop/web")
    assert after["LoadBalancerArn"] != before and after["Scheme"] == "internet-facing"
    h.run(public)
    assert h.aws.counter.writes == 0, h.aws.counter.write_calls()
