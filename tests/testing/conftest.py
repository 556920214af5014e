"""A bare VPC Lattice or ACM client in ``mock_aws()`` or in a moto server, for the fills' tests."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from awsgw.embedded import moto_server
from awsgw.testing.moto import install


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


def _client(
    service: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config = Config(retries={"total_max_attempts": 1})
    if request.param == "server":
        endpoint = request.getfixturevalue("server")
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        yield boto3.client(service, "us-east-1", endpoint_url=endpoint, config=config)
        return
    install()
    with mock_aws():
        yield boto3.client(service, "us-east-1", config=config)


@pytest.fixture(params=["mock_aws", "server"])
def client(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A VPC Lattice client."""
    yield from _client("vpc-lattice", request, monkeypatch)


@pytest.fixture(params=["mock_aws", "server"])
def acm(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An ACM client."""
    yield from _client("acm", request, monkeypatch)
