"""How a failed AWS call is reported: a quota refused it, or a passing fault did."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from awsgw.providers.aws.common.session import failure_of


@pytest.mark.parametrize(
    ("code", "quota"),
    [
        ("TooManyLoadBalancers", True),
        ("ServiceQuotaExceededException", True),
        ("LimitExceeded", True),
        ("RequestLimitExceeded", False),
        ("TooManyRequestsException", False),
        ("Throttling", False),
    ],
)
def test_a_throttled_call_is_not_a_quota(code: str, quota: bool) -> None:
    exc = ClientError({"Error": {"Code": code, "Message": "no"}}, "CreateLoadBalancer")
    assert failure_of(exc).quota is quota
