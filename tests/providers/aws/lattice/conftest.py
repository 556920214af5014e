"""Two clusters, each with its own VPC, sharing one (moto) AWS account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from awsgw.embedded import make_vpc
from tests.conftest import MotoVpc
from tests.providers.aws.lattice.support import Cluster


@pytest.fixture
def cluster(aws_env: MotoVpc) -> Cluster:
    return Cluster(aws_env.cluster, aws_env.vpc_id)


@pytest.fixture
def two_clusters(aws_env: MotoVpc) -> Iterator[tuple[Cluster, Cluster]]:
    vpc_a, _ = make_vpc(None, "cluster-a", cidr="10.10.0.0/16")
    vpc_b, _ = make_vpc(None, "cluster-b", cidr="10.20.0.0/16")
    yield Cluster("cluster-a", vpc_a), Cluster("cluster-b", vpc_b)
