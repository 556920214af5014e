"""Shared fixtures: an in-process moto (with awsgw's gap fills) holding a ready VPC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from awsgw.embedded import make_vpc
from awsgw.testing.moto import install

CLUSTER = "test-cluster"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files of translation tests from what the code produces now",
    )
    parser.addoption(
        "--conformance-report",
        metavar="PATH",
        default=None,
        help="write a ConformanceReport-shaped YAML of the offline conformance run",
    )


@dataclass(frozen=True)
class MotoVpc:
    cluster: str
    vpc_id: str
    subnet_ids: tuple[str, ...]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoVpc]:
    """Fake credentials, us-east-1, no endpoint override, moto patched and started."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWSGW_CLUSTER_NAME", "AWSGW_VPC_ID"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    install()
    with mock_aws():
        vpc, subnets = make_vpc(None, CLUSTER)
        yield MotoVpc(CLUSTER, vpc, subnets)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard retries with their backoff scaled down 100 times (in this
    process): the same retries on the same errors, without seconds of sleep."""
    from botocore.retries.standard import ExponentialBackoff

    scaled = {"throttling_base_scale": 0.01, "non_throttling_base_scale": 0.0005}
    monkeypatch.setattr(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG", scaled)


def pytest_configure(config: pytest.Config) -> None:
    """Record the AWS calls awsgw makes and the requests `awsgw run` sends to FakeKube in
    every test; at the end, check them against iam/policy.json and the chart's RBAC."""
    from tests.install.plugin import PermissionChecks

    config.pluginmanager.register(PermissionChecks(config), "awsgw-permission-checks")
