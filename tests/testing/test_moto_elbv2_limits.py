"""awsgw.testing.moto: the ELBv2 limits moto 5.2.5 does not enforce, checked directly and
through moto's mock_aws after install()."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from awsgw.providers.aws.alb.plan.rules import DesiredRule, ExistingRule, plan_alb_rules
from awsgw.testing.moto_elbv2 import (
    RULES_PER_LISTENER,
    check_actions,
    check_conditions,
    condition_values,
    install,
)


def host(*values: str) -> dict[str, Any]:
    return {"Field": "host-header", "HostHeaderConfig": {"Values": list(values)}}


def path(*values: str) -> dict[str, Any]:
    return {"Field": "path-pattern", "PathPatternConfig": {"Values": list(values)}}


def header(name: str, *values: str) -> dict[str, Any]:
    return {
        "Field": "http-header",
        "HttpHeaderConfig": {"HttpHeaderName": name, "Values": list(values)},
    }


def query(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "Field": "query-string",
        "QueryStringConfig": {"Values": [{"Key": k, "Value": v} for k, v in pairs]},
    }


def method(*values: str) -> dict[str, Any]:
    return {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": list(values)}}


def forward(*weights: int, arns: list[str] | None = None) -> dict[str, Any]:
    names = arns or [f"arn:tg/{i}" for i in range(len(weights))]
    return {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": arn, "Weight": w} for arn, w in zip(names, weights, strict=True)
            ]
        },
    }


FIXED_404 = {
    "Type": "fixed-response",
    "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
}


# ----------------------------------------------------------------------------- pure checks
def test_condition_values_counts_typed_and_legacy_values() -> None:
    assert condition_values(host("a", "b")) == 2
    assert condition_values(header("x", "1", "2", "3")) == 3
    assert condition_values(query(("a", "1"), ("b", "2"))) == 2
    assert condition_values({"Field": "path-pattern", "Values": ["/a"]}) == 1


def test_check_conditions_accepts_five_values_across_conditions() -> None:
    assert check_conditions([host("a", "b", "c"), path("/x", "/x/*")]) is None


def test_check_conditions_refuses_six_values_in_a_rule() -> None:
    problem = check_conditions([host("a", "b", "c"), path("/x", "/x/*"), method("GET")])

    assert problem is not None
    assert "5" in problem


def test_check_conditions_refuses_four_values_in_one_condition() -> None:
    problem = check_conditions([host("a", "b", "c", "d")])

    assert problem is not None
    assert "3" in problem


def test_check_conditions_refuses_four_query_pairs_in_one_condition() -> None:
    assert check_conditions([query(("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"))]) is not None


@pytest.mark.parametrize(
    "twice",
    [
        host("a"),
        path("/a"),
        method("GET"),
        {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}},
    ],
    ids=lambda c: c["Field"],
)
def test_check_conditions_refuses_a_repeated_single_field(twice: dict[str, Any]) -> None:
    problem = check_conditions([twice, twice])

    assert problem is not None
    assert twice["Field"] in problem


def test_check_conditions_allows_repeated_header_and_query_conditions() -> None:
    conditions = [header("x-a", "1"), header("x-b", "2"), query(("a", "1")), query(("b", "2"))]

    assert check_conditions(conditions) is None


def test_check_actions_accepts_weights_0_to_999_and_five_groups() -> None:
    assert check_actions([forward(0, 999, 1, 2, 3)]) is None


def test_check_actions_refuses_weight_1000() -> None:
    assert check_actions([forward(1000)]) is not None


def test_check_actions_refuses_negative_weight() -> None:
    assert check_actions([forward(-1, 1)]) is not None


def test_check_actions_refuses_six_target_groups() -> None:
    assert check_actions([forward(1, 1, 1, 1, 1, 1)]) is not None


def test_check_actions_accepts_non_forward_actions() -> None:
    assert check_actions([FIXED_404]) is None
    assert check_actions([{"Type": "forward", "TargetGroupArn": "arn:tg/0"}]) is None


# ----------------------------------------------------------------------------- through moto
@dataclass
class Listener:
    elbv2: Any
    arn: str
    tg_arns: list[str]


@pytest.fixture
def listener(monkeypatch: pytest.MonkeyPatch) -> Iterator[Listener]:
    """mock_aws with the gap fills: a VPC, two subnets, an ALB, six target groups and an
    HTTP listener answering 404."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    install()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        elbv2 = boto3.client("elbv2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
            for cidr, az in (("10.0.0.0/20", "us-east-1a"), ("10.0.16.0/20", "us-east-1b"))
        ]
        lb = elbv2.create_load_balancer(Name="limits", Subnets=subnets, Scheme="internal")
        lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
        tg_arns = [
            elbv2.create_target_group(
                Name=f"tg-{i}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
            )["TargetGroups"][0]["TargetGroupArn"]
            for i in range(6)
        ]
        arn = elbv2.create_listener(
            LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=[FIXED_404]
        )["Listeners"][0]["ListenerArn"]
        yield Listener(elbv2, arn, tg_arns)


def create(ls: Listener, priority: int, conditions: list[dict[str, Any]], actions=None) -> str:  # type: ignore[no-untyped-def]
    return ls.elbv2.create_rule(
        ListenerArn=ls.arn,
        Priority=priority,
        Conditions=conditions,
        Actions=actions or [FIXED_404],
    )["Rules"][0]["RuleArn"]


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def non_default_rules(ls: Listener) -> list[dict[str, Any]]:
    """Every page of DescribeRules (it answers 50 rules at a time), default rule excluded."""
    rules: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ListenerArn": ls.arn}
    while True:
        page = ls.elbv2.describe_rules(**kwargs)
        rules += page["Rules"]
        if not page.get("NextMarker"):
            break
        kwargs["Marker"] = page["NextMarker"]
    return [r for r in rules if not r["IsDefault"]]


def test_install_is_idempotent(listener: Listener) -> None:
    install()
    install()
    create(listener, 1, [path("/a")])

    with pytest.raises(ClientError) as exc:
        create(listener, 2, [host("a", "b", "c", "d")])
    assert error_code(exc) == "ValidationError"


def test_valid_rules_are_created(listener: Listener) -> None:
    create(
        listener, 1, [host("a.example.com", "b.example.com", "c.example.com"), path("/x", "/x/*")]
    )
    create(listener, 2, [header("x-a", "1"), header("x-b", "2"), query(("k", "v")), method("GET")])
    create(listener, 3, [path("/w")], [forward(999, 0, 1, 2, 3, arns=listener.tg_arns[:5])])

    assert len(non_default_rules(listener)) == 3


def test_six_condition_values_fail_with_validation_error(listener: Listener) -> None:
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [host("a", "b", "c"), path("/x", "/x/*"), method("GET")])

    assert error_code(exc) == "ValidationError"
    assert non_default_rules(listener) == []


def test_four_values_in_one_condition_fail_with_validation_error(listener: Listener) -> None:
    with pytest.raises(ClientError) as exc:
        create(
            listener, 1, [host("a.example.com", "b.example.com", "c.example.com", "d.example.com")]
        )

    assert error_code(exc) == "ValidationError"


def test_two_host_header_conditions_fail_with_validation_error(listener: Listener) -> None:
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [host("a.example.com"), host("b.example.com")])

    assert error_code(exc) == "ValidationError"


def test_two_path_pattern_conditions_fail_with_validation_error(listener: Listener) -> None:
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [path("/a"), path("/b")])

    assert error_code(exc) == "ValidationError"


def test_weight_1000_fails_with_validation_error(listener: Listener) -> None:
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [path("/a")], [forward(1000, 1, arns=listener.tg_arns[:2])])

    assert error_code(exc) == "ValidationError"


def test_six_target_groups_fail_with_validation_error(listener: Listener) -> None:
    with pytest.raises(ClientError) as exc:
        create(listener, 1, [path("/a")], [forward(1, 1, 1, 1, 1, 1, arns=listener.tg_arns)])

    assert error_code(exc) == "ValidationError"


def test_the_101st_rule_fails_with_too_many_rules(listener: Listener) -> None:
    for i in range(RULES_PER_LISTENER):
        create(listener, i + 1, [path(f"/r{i}")])

    with pytest.raises(ClientError) as exc:
        create(listener, RULES_PER_LISTENER + 1, [path("/one-too-many")])

    assert error_code(exc) == "TooManyRules"
    assert len(non_default_rules(listener)) == RULES_PER_LISTENER


def test_a_deleted_rule_frees_room_under_the_rule_quota(listener: Listener) -> None:
    arns = [create(listener, i + 1, [path(f"/r{i}")]) for i in range(RULES_PER_LISTENER)]
    listener.elbv2.delete_rule(RuleArn=arns[0])

    create(listener, RULES_PER_LISTENER + 1, [path("/fits-again")])

    assert len(non_default_rules(listener)) == RULES_PER_LISTENER


def test_modify_rule_enforces_condition_limits(listener: Listener) -> None:
    arn = create(listener, 1, [path("/a")])

    with pytest.raises(ClientError) as exc:
        listener.elbv2.modify_rule(RuleArn=arn, Conditions=[host("a", "b", "c", "d")])

    assert error_code(exc) == "ValidationError"


def test_modify_rule_enforces_weight_limits(listener: Listener) -> None:
    arn = create(listener, 1, [path("/a")])

    with pytest.raises(ClientError) as exc:
        listener.elbv2.modify_rule(
            RuleArn=arn, Actions=[forward(1000, 1, arns=listener.tg_arns[:2])]
        )

    assert error_code(exc) == "ValidationError"


def test_modify_rule_with_valid_content_succeeds(listener: Listener) -> None:
    arn = create(listener, 1, [path("/a")])

    listener.elbv2.modify_rule(
        RuleArn=arn,
        Conditions=[host("a.example.com"), path("/b", "/b/*")],
        Actions=[forward(3, 1, arns=listener.tg_arns[:2])],
    )

    (rule,) = non_default_rules(listener)
    assert {c["Field"] for c in rule["Conditions"]} == {"host-header", "path-pattern"}


def test_swapping_two_rule_priorities_in_one_call_succeeds(listener: Listener) -> None:
    """ELBv2 SetRulePriorities: "You can reorder the rules as long as there are no priority
    conflicts in the new order." moto 5.2.5 refuses any priority held before the call, so
    an exchange (which rule_plan's renumbering near priority 50000 produces) fails only in
    moto; the gap fill should accept it like AWS does."""
    first = create(listener, 10, [path("/a")])
    second = create(listener, 20, [path("/b")])

    listener.elbv2.set_rule_priorities(
        RulePriorities=[{"RuleArn": first, "Priority": 20}, {"RuleArn": second, "Priority": 10}]
    )

    by_arn = {r["RuleArn"]: r["Priority"] for r in non_default_rules(listener)}
    assert by_arn == {first: "20", second: "10"}


def test_a_renumbering_plan_near_the_top_priority_applies_to_moto(listener: Listener) -> None:
    """The swap above, as awsgw really produces it: two rules at 10 and 49999 reordered.
    rule_plan renumbers from 10 (one rule takes the other's priority in one
    SetRulePriorities call), which AWS accepts and moto 5.2.5 refuses."""
    first = create(listener, 10, [path("/a")])
    second = create(listener, 49999, [path("/b")])
    existing = [
        ExistingRule(first, 10, (("path-pattern", ("/a",)),), (("fixed-response", "404"),)),
        ExistingRule(second, 49999, (("path-pattern", ("/b",)),), (("fixed-response", "404"),)),
    ]
    desired = [DesiredRule(r.conditions, r.actions) for r in (existing[1], existing[0])]
    plan = plan_alb_rules(existing, desired)
    assert plan.set_priorities and not (plan.create or plan.delete or plan.modify)

    listener.elbv2.set_rule_priorities(
        RulePriorities=[{"RuleArn": a, "Priority": p} for a, p in plan.set_priorities.items()]
    )

    order = sorted(non_default_rules(listener), key=lambda r: int(r["Priority"]))
    assert [r["RuleArn"] for r in order] == [second, first]
