"""The client-side rate limit: a token bucket per AWS service, taken by every HTTP attempt."""

from __future__ import annotations

import pytest

from awsgw.providers.aws.common.rate_limit import RateLimits
from awsgw.providers.aws.common.session import Aws
from awsgw.settings import Settings
from tests.clock import Clock
from tests.conftest import MotoVpc


def test_every_aws_attempt_of_a_limited_service_takes_a_token(aws_env: MotoVpc) -> None:
    t = Clock(0.0)
    limits = RateLimits({"elastic-load-balancing-v2": (4.0, 2)}, clock=t, sleep=t.sleep)
    aws = Aws.create(max_attempts=1)
    elbv2 = aws.client("elbv2")  # a client made before the limit gets it too
    aws.limit_rate(limits)
    for _ in range(4):
        elbv2.describe_load_balancers()
    aws.client("ec2").describe_vpcs()  # a service without a limit never waits
    assert limits.snapshot()["elastic-load-balancing-v2"] == (2, 0.5)
    assert t.slept == [0.25, 0.25]


def test_settings_read_rate_limits_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().aws_rate_limits["elastic-load-balancing-v2"] == (10.0, 40)
    monkeypatch.setenv("AWSGW_AWS_RATE_LIMITS", '{"ec2": [2.5, 5]}')
    assert Settings().aws_rate_limits == {"ec2": (2.5, 5)}


def test_a_write_that_waited_for_a_token_is_refused_if_leadership_went_meanwhile(
    aws_env: MotoVpc,
) -> None:
    leading = [True]
    t = Clock(0.0)

    def sleep(seconds: float) -> None:  # the lease lapses while the write waits
        t.sleep(seconds)
        leading[0] = False

    limits = RateLimits({"elastic-load-balancing-v2": (1.0, 1)}, clock=t, sleep=sleep)
    aws = Aws.create(max_attempts=1)
    aws.guard_writes(lambda: leading[0], lambda op: PermissionError(op))
    aws.limit_rate(limits)
    elbv2 = aws.client("elbv2")
    kwargs = {"Protocol": "HTTP", "Port": 80, "VpcId": aws_env.vpc_id, "TargetType": "ip"}
    elbv2.create_target_group(Name="first", **kwargs)
    with pytest.raises(PermissionError, match="CreateTargetGroup"):
        elbv2.create_target_group(Name="second", **kwargs)
    names = [tg["TargetGroupName"] for tg in elbv2.describe_target_groups()["TargetGroups"]]
    assert names == ["first"]
