"""The fault layer answers as AWS does, so botocore's standard retries act on its faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awsgw.embedded import make_vpc
from awsgw.testing.faults import LOST, THROTTLE, FaultPlan, faulty_moto_server

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan.everywhere(1.0, lost_share=0.0)


@pytest.fixture
def endpoint(plan: FaultPlan, fast_retries: None) -> Iterator[str]:
    with faulty_moto_server(plan) as url:
        yield url


def client(endpoint: str, service: str, attempts: int = 1, agent: str = "awsgw/test") -> Any:
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts}, user_agent_extra=agent
    )
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", config=config, **KEYS
    )


@pytest.mark.parametrize(
    "service,call,code,status",
    [
        ("elbv2", "describe_load_balancers", "Throttling", 400),
        ("ec2", "describe_vpcs", "RequestLimitExceeded", 503),
        ("acm", "list_certificates", "ThrottlingException", 400),
        ("vpc-lattice", "list_services", "ThrottlingException", 429),
        ("resourcegroupstaggingapi", "get_resources", "ThrottlingException", 400),
    ],
)
def test_throttling_is_each_services_own_error_and_is_retried(
    endpoint: str, plan: FaultPlan, service: str, call: str, code: str, status: int
) -> None:
    with pytest.raises(ClientError) as refused:
        getattr(client(endpoint, service, attempts=3), call)()
    error = refused.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["ResponseMetadata"]["RetryAttempts"] == 2  # botocore saw throttling
    assert sum(n for (_, kind), n in plan.seen.items() if kind == THROTTLE) == 3


def test_a_lost_answer_is_carried_out_then_retried_as_a_server_error(
    endpoint: str, plan: FaultPlan
) -> None:
    plan.lost_share = 1.0
    plan.enabled = False
    vpc, _ = make_vpc(endpoint, "faults")
    plan.enabled = True
    elbv2 = client(endpoint, "elbv2", attempts=2)
    with pytest.raises(ClientError) as lost:
        elbv2.create_target_group(
            Name="tg-lost", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
        )
    assert lost.value.response["Error"]["Code"] == "InternalFailure"
    assert lost.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert plan.seen[("elasticloadbalancing", LOST)] == 2
    plan.enabled = False
    groups = client(endpoint, "elbv2").describe_target_groups()["TargetGroups"]
    assert [g["TargetGroupName"] for g in groups] == ["tg-lost"]  # done once, kept once


def test_requests_not_from_awsgw_pass_untouched(endpoint: str, plan: FaultPlan) -> None:
    elbv2 = client(endpoint, "elbv2", agent="the-test/1.0")
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert not plan.seen


def test_the_same_seed_makes_the_same_faults() -> None:
    def run(seed: int) -> list[str | None]:
        plan = FaultPlan.everywhere(0.3, seed=seed)
        return [plan.decide("ec2") for _ in range(200)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    faults = [k for k in run(7) if k]
    assert 30 <= len(faults) <= 90 and {LOST, THROTTLE} == set(faults)
