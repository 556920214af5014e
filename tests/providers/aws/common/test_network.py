"""Deleting a Gateway's security group waits out DependencyViolation (the load balancer's
network interfaces linger), for as long as allowed and no longer."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from awsgw.providers.aws.common.network import SecurityGroups
from awsgw.providers.aws.common.session import Aws

GROUP = {
    "GroupId": "sg-1",
    "GroupName": "gw",
    "OwnerId": "123456789012",
    "Description": "d",
    "VpcId": "vpc-1",
    "Tags": [
        {"Key": "awsgw.io/cluster", "Value": "c"},
        {"Key": "awsgw.io/gateway", "Value": "a/b"},
    ],
}


def groups_with(
    stubber_setup: list[tuple[str, dict[str, object] | str]],
) -> tuple[SecurityGroups, Stubber, list[float]]:
    aws = Aws.create(
        max_attempts=1, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    ec2 = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    ).client("ec2")
    aws._clients["ec2"] = ec2
    stubber = Stubber(ec2)
    stubber.add_response("describe_security_groups", {"SecurityGroups": [GROUP]})
    for op, answer in stubber_setup:
        if isinstance(answer, str):
            stubber.add_client_error(op, service_error_code=answer)
        else:
            stubber.add_response(op, answer)
    stubber.activate()
    slept: list[float] = []
    return SecurityGroups(aws, "c", sleep=slept.append), stubber, slept


def test_dependency_violation_is_retried_until_the_group_goes() -> None:
    groups, stubber, slept = groups_with(
        [
            ("delete_security_group", "DependencyViolation"),
            ("delete_security_group", "DependencyViolation"),
            ("delete_security_group", {}),
        ]
    )
    groups.delete("a/b", wait=300)
    stubber.assert_no_pending_responses()
    assert len(slept) == 2


def test_without_a_wait_dependency_violation_is_reported_at_once() -> None:
    groups, _, slept = groups_with([("delete_security_group", "DependencyViolation")])
    with pytest.raises(ClientError):
        groups.delete("a/b")
    assert slept == []


def test_other_errors_are_not_retried() -> None:
    groups, _, slept = groups_with([("delete_security_group", "UnauthorizedOperation")])
    with pytest.raises(ClientError):
        groups.delete("a/b", wait=300)
    assert slept == []
