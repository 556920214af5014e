"""The moto fill for ELBv2 create idempotency (API reference: CreateLoadBalancer,
CreateTargetGroup, CreateListener): the same settings return the existing resource, other
settings under the same name (port) fail with the Duplicate* error."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import MotoVpc

NOT_FOUND = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def load_balancer(elbv2: Any, env: MotoVpc, **extra: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "Name": "idem",
        "Subnets": list(env.subnet_ids[:2]),
        "Scheme": "internal",
        "Tags": [{"Key": "awsgw.io/cluster", "Value": "c"}],
        **extra,
    }
    lb: dict[str, Any] = elbv2.create_load_balancer(**kwargs)["LoadBalancers"][0]
    return lb


def test_a_repeated_identical_load_balancer_create_returns_the_same_one(
    aws_env: MotoVpc,
) -> None:
    elbv2 = boto3.client("elbv2")
    first = load_balancer(elbv2, aws_env)
    again = load_balancer(elbv2, aws_env, Subnets=list(reversed(aws_env.subnet_ids[:2])))
    assert again["LoadBalancerArn"] == first["LoadBalancerArn"]
    assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1
    tags = elbv2.describe_tags(ResourceArns=[first["LoadBalancerArn"]])["TagDescriptions"]
    assert tags[0]["Tags"] == [{"Key": "awsgw.io/cluster", "Value": "c"}]


def test_a_load_balancer_of_the_same_name_with_other_settings_is_refused(
    aws_env: MotoVpc,
) -> None:
    elbv2 = boto3.client("elbv2")
    load_balancer(elbv2, aws_env)
    with pytest.raises(ClientError) as scheme:
        load_balancer(elbv2, aws_env, Scheme="internet-facing")
    assert code(scheme) == "DuplicateLoadBalancerName"
    with pytest.raises(ClientError) as subnets:
        load_balancer(elbv2, aws_env, Subnets=list(aws_env.subnet_ids[1:3]))
    assert code(subnets) == "DuplicateLoadBalancerName"
    assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1


def target_group(elbv2: Any, env: MotoVpc, **extra: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "Name": "tg-idem",
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": env.vpc_id,
        "TargetType": "ip",
        **extra,
    }
    tg: dict[str, Any] = elbv2.create_target_group(**kwargs)["TargetGroups"][0]
    return tg


def test_a_repeated_identical_target_group_create_returns_the_same_one(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    first = target_group(elbv2, aws_env)
    again = target_group(elbv2, aws_env, ProtocolVersion="HTTP1")  # the default, spelt out
    assert again["TargetGroupArn"] == first["TargetGroupArn"]
    assert len(elbv2.describe_target_groups()["TargetGroups"]) == 1


def test_a_target_group_of_the_same_name_with_other_settings_is_refused(
    aws_env: MotoVpc,
) -> None:
    elbv2 = boto3.client("elbv2")
    target_group(elbv2, aws_env)
    for change in ({"Port": 9090}, {"HealthCheckPath": "/healthz"}, {"TargetType": "instance"}):
        with pytest.raises(ClientError) as refused:
            target_group(elbv2, aws_env, **change)
        assert code(refused) == "DuplicateTargetGroupName", change
    assert len(elbv2.describe_target_groups()["TargetGroups"]) == 1


def test_a_repeated_identical_listener_create_returns_the_same_one(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    arn = load_balancer(elbv2, aws_env)["LoadBalancerArn"]
    kwargs: dict[str, Any] = {
        "LoadBalancerArn": arn,
        "Protocol": "HTTP",
        "Port": 80,
        "DefaultActions": NOT_FOUND,
    }
    first = elbv2.create_listener(**kwargs)["Listeners"][0]
    again = elbv2.create_listener(**kwargs)["Listeners"][0]
    assert again["ListenerArn"] == first["ListenerArn"]
    assert len(elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]) == 1


def test_a_listener_on_a_taken_port_with_other_settings_is_refused(aws_env: MotoVpc) -> None:
    elbv2 = boto3.client("elbv2")
    arn = load_balancer(elbv2, aws_env)["LoadBalancerArn"]
    elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=NOT_FOUND)
    other = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}]
    with pytest.raises(ClientError) as refused:
        elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=other)
    assert code(refused) == "DuplicateListener"
    elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=81, DefaultActions=NOT_FOUND)
    assert len(elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]) == 2
