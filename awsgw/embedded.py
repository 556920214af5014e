"""The embedded AWS: an in-process moto server on loopback with a ready VPC.

For newcomers (``awsgw reconcile --aws embedded``) and tests: no AWS account needed. The VPC
has three availability zones of subnets tagged for both load balancer schemes and for the
cluster, exactly as ``kubernetes.io/role/*`` discovery expects on EKS.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from awsgw.settings import Settings
from awsgw.testing.faults import FaultPlan, faulty_moto_server

REGION = "us-east-1"
EMBEDDED_CLUSTER = "embedded"
"""The owner of what ``--aws embedded`` creates when AWSGW_CLUSTER_NAME is unset."""
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class EmbeddedAws:
    endpoint: str
    region: str
    vpc_id: str
    subnet_ids: tuple[str, ...]


def make_vpc(
    endpoint: str | None, cluster: str, region: str = REGION, cidr: str = "10.0.0.0/16"
) -> tuple[str, tuple[str, ...]]:
    """A VPC with one subnet per AZ (a, b, c) tagged for both schemes and the cluster."""
    ec2: Any = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    subnets = []
    for i, az in enumerate("abc"):
        subnet = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"{base[0]}.{base[1]}.{i * 16}.0/20",
            AvailabilityZone=f"{region}{az}",
            TagSpecifications=[
                {
                    "ResourceType": "subnet",
                    "Tags": [
                        {"Key": "kubernetes.io/role/elb", "Value": "1"},
                        {"Key": "kubernetes.io/role/internal-elb", "Value": "1"},
                        {"Key": f"kubernetes.io/cluster/{cluster}", "Value": "shared"},
                    ],
                }
            ],
        )["Subnet"]["SubnetId"]
        subnets.append(subnet)
    return vpc, tuple(subnets)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free loopback port, with awsgw's gap fills installed."""
    from moto.server import ThreadedMotoServer

    from awsgw.testing.moto import install

    install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextmanager
def embedded_aws(cluster: str, faults: FaultPlan | None = None) -> Iterator[EmbeddedAws]:
    """Start the embedded AWS and point this process's AWS settings at it; with ``faults``,
    awsgw's calls to it are throttled or lose their answers as the plan says."""
    server = moto_server() if faults is None else faulty_moto_server(faults)
    with server as endpoint:
        names = [*CREDENTIALS, "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"]
        saved = {k: os.environ.get(k) for k in names}
        os.environ.update(CREDENTIALS)
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = REGION
        try:
            vpc, subnets = make_vpc(endpoint, cluster)
            yield EmbeddedAws(endpoint, REGION, vpc, subnets)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@contextmanager
def aws_target(mode: str, settings: Settings) -> Iterator[Settings]:
    """``settings`` for ``--aws MODE``: as they are (``env``), or pointed at a fresh embedded
    AWS for the time of the block (``embedded``: its cluster name and VPC filled in)."""
    if mode != "embedded":
        yield settings
        return
    cluster = settings.cluster_name or EMBEDDED_CLUSTER
    with embedded_aws(cluster) as env:
        yield settings.model_copy(
            update={"cluster_name": cluster, "vpc_id": settings.vpc_id or env.vpc_id}
        )
