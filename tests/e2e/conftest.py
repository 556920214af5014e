"""End-to-end harness: FakeKube + a moto server + ``awsgw run`` as real subprocesses.

Intervals are shortened through AWSGW_ variables so every test finishes in seconds; every
wait polls with a bounded timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
import yaml

from awsgw.embedded import make_vpc, moto_server
from awsgw.kube.metrics import samples
from awsgw.testing.fakekube import FakeKube
from awsgw.testing.faults import FaultPlan, faulty_moto_server

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
LATTICE = ROOT / "examples" / "lattice"
CLUSTER = "e2e"
GATEWAY = ("gateway.networking.k8s.io/v1", "Gateway")
ROUTE = ("gateway.networking.k8s.io/v1", "HTTPRoute")
T = TypeVar("T")

FAST = {
    "AWSGW_LEASE_NAMESPACE": "kube-system",
    "AWSGW_LEASE_DURATION": "3",
    "AWSGW_LEASE_RENEW_DEADLINE": "2",
    "AWSGW_LEASE_RETRY_PERIOD": "0.2",
    "AWSGW_REQUEUE_PENDING": "0.2",
    "AWSGW_BACKOFF_BASE": "0.1",
    "AWSGW_BACKOFF_MAX": "1",
    "AWSGW_RESYNC_PERIOD": "300",
    "AWSGW_WATCH_TIMEOUT": "20",
    "AWSGW_AWS_MAX_ATTEMPTS": "2",
    "AWSGW_SHUTDOWN_GRACE": "5",
}


def eventually(check: Callable[[], T | None], timeout: float = 15.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy (bounded; no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(0.05)


def condition(status: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    for c in (status or {}).get("conditions") or []:
        if c.get("type") == kind:
            return dict(c)
    return {}


class Aws:
    """The moto server seen from the test: clients and this cluster's resources."""

    def __init__(self, endpoint: str, vpc: str) -> None:
        self.endpoint = endpoint
        self.vpc = vpc
        kw = {"endpoint_url": endpoint, "region_name": "us-east-1",
              "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # fmt: skip
        self.elbv2: Any = boto3.client("elbv2", **kw)
        self.ec2: Any = boto3.client("ec2", **kw)
        self.lattice: Any = boto3.client("vpc-lattice", **kw)

    def _tags(self, arns: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for i in range(0, len(arns), 20):
            for d in self.elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]:
                out[d["ResourceArn"]] = {t["Key"]: t["Value"] for t in d.get("Tags", [])}
        return out

    def owned(self) -> dict[str, list[str]]:
        """Names of every load balancer, target group and security group this cluster owns."""
        lbs = self.elbv2.describe_load_balancers()["LoadBalancers"]
        tgs = self.elbv2.describe_target_groups()["TargetGroups"]
        tags = self._tags([x["LoadBalancerArn"] for x in lbs] + [x["TargetGroupArn"] for x in tgs])
        sgs = self.ec2.describe_security_groups(
            Filters=[{"Name": "tag:awsgw.io/cluster", "Values": [CLUSTER]}]
        )["SecurityGroups"]
        return {
            "lbs": [x["LoadBalancerName"] for x in lbs
                    if tags[x["LoadBalancerArn"]].get("awsgw.io/cluster") == CLUSTER],
            "tgs": [x["TargetGroupName"] for x in tgs
                    if tags[x["TargetGroupArn"]].get("awsgw.io/cluster") == CLUSTER],
            "sgs": [x["GroupName"] for x in sgs],
        }  # fmt: skip

    def lb_arn(self) -> str | None:
        """The ARN of this cluster's load balancer when there is exactly one."""
        lbs = self.elbv2.describe_load_balancers()["LoadBalancers"]
        tags = self._tags([x["LoadBalancerArn"] for x in lbs]) if lbs else {}
        mine = [a for a, t in tags.items() if t.get("awsgw.io/cluster") == CLUSTER]
        return mine[0] if len(mine) == 1 else None

    def targets(self, tg_name: str) -> set[str]:
        tg = self.elbv2.describe_target_groups(Names=[tg_name])["TargetGroups"][0]
        health = self.elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])
        return {
            f"{d['Target']['Id']}:{d['Target']['Port']}"
            for d in health["TargetHealthDescriptions"]
            if d.get("TargetHealth", {}).get("State") != "draining"
        }


class Controller:
    """One ``awsgw run`` subprocess with its log file and metrics endpoint."""

    def __init__(self, env: dict[str, str], log: Path, identity: str) -> None:
        self.identity = identity
        self.log_path = log
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "awsgw", "run", "--identity", identity,
             "--metrics-address", "127.0.0.1:0"],
            env=env, stdout=self.log, stderr=self.log, cwd=ROOT,
        )  # fmt: skip
        self.address = eventually(self._address, 20, f"{identity} serving")

    def logs(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"msg": line})
        return out

    def _address(self) -> str | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"awsgw run exited {self.proc.returncode}:\n{self.text()}")
        for entry in self.logs():
            if entry.get("msg") == "serving health and metrics":
                return str(entry["address"])
        return None

    def text(self) -> str:
        return self.log_path.read_text()

    def get(self, path: str) -> tuple[int, str]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"http://{self.address}{path}", timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def metrics(self) -> dict[str, float]:
        """Samples by their full name with labels, e.g. ``awsgw_leader``."""
        return samples(self.get("/metrics")[1])

    def metric_sum(self, prefix: str, *, where: Callable[[str], bool] = lambda s: True) -> float:
        return sum(v for k, v in self.metrics().items() if k.startswith(prefix) and where(k))

    def aws_writes(self) -> float:
        reads = ('operation="Describe', 'operation="Get', 'operation="List')
        return self.metric_sum(
            "awsgw_aws_calls_total", where=lambda k: not any(r in k for r in reads)
        )

    def ready(self) -> bool:
        return self.get("/readyz")[0] == 200

    def stop(self, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self.log.close()
        return code

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self.log.close()


class Cluster:
    """A FakeKube, a moto server with a VPC, and the controllers started against them."""

    def __init__(self, kube: FakeKube, aws: Aws, tmp: Path) -> None:
        self.kube = kube
        self.aws = aws
        self.tmp = tmp
        self.kubeconfig = kube.write_kubeconfig(tmp / "kubeconfig")
        self.controllers: list[Controller] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSGW_"))}
        env.update(FAST)
        env.update(
            AWS_ENDPOINT_URL=self.aws.endpoint,
            AWS_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWSGW_CLUSTER_NAME=CLUSTER,
            AWSGW_VPC_ID=self.aws.vpc,
            KUBECONFIG=str(self.kubeconfig),
            NO_PROXY="127.0.0.1",
        )
        env.update(extra)
        return env

    def start(self, identity: str = "replica-a", **env: str) -> Controller:
        c = Controller(self.env(**env), self.tmp / f"{identity}.log", identity)
        self.controllers.append(c)
        return c

    def apply_quickstart(self) -> None:
        self.apply_folder(QUICKSTART, "shop")

    def apply_lattice(self) -> None:
        """examples/lattice: a VPC Lattice Gateway, an HTTPRoute, an exported Service."""
        self.apply_folder(LATTICE, "infra", "shop")

    def apply_folder(self, folder: Path, *namespaces: str) -> None:
        for ns in namespaces:
            self.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for path in sorted(folder.glob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text()):
                if doc:
                    self.kube.apply(doc)

    def gateway(self, name: str = "web", ns: str = "shop") -> dict[str, Any] | None:
        return self.kube.get(*GATEWAY, ns, name)

    def programmed(self, name: str = "web", ns: str = "shop") -> dict[str, Any] | None:
        gw = self.gateway(name, ns)
        status = (gw or {}).get("status")
        return gw if condition(status, "Programmed").get("status") == "True" else None

    def writes(self) -> list[Any]:
        """Kubernetes writes other than Lease traffic."""
        return [
            r for r in self.kube.requests
            if r.verb in ("create", "update", "patch", "delete") and r.resource != "leases"
        ]  # fmt: skip


def reset_moto(endpoint: str) -> None:
    """moto's state is per process: start from an empty account whatever ran before."""
    import urllib.request

    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
    ).close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with moto_server() as endpoint, FakeKube(bookmark_interval=1.0) as kube:
        yield from _cluster(endpoint, kube, tmp_path)


@pytest.fixture
def faults() -> FaultPlan:
    """30% of awsgw's AWS calls throttled or answered 500 after being carried out."""
    return FaultPlan.everywhere(0.3, seed=5)


@pytest.fixture
def faulty_cluster(tmp_path: Path, faults: FaultPlan) -> Iterator[Cluster]:
    with faulty_moto_server(faults) as endpoint, FakeKube(bookmark_interval=1.0) as kube:
        faults.enabled = False
        yield from _cluster(endpoint, kube, tmp_path)


def _cluster(endpoint: str, kube: FakeKube, tmp_path: Path) -> Iterator[Cluster]:
    reset_moto(endpoint)
    vpc, _ = make_vpc(endpoint, CLUSTER)
    c = Cluster(kube, Aws(endpoint, vpc), tmp_path)
    try:
        yield c
    finally:
        for ctl in c.controllers:
            if ctl.proc.poll() is None:
                ctl.kill()
