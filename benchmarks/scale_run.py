"""``awsgw run`` as a black box restarting over Gateways it already programmed: a fake API
server and a moto server on loopback, the world of ``world.py`` (20 Routes per Gateway).

A first ``awsgw run`` programs every Gateway and stops; the Gateways' statuses are then
cleared (so "caught up" is visible from outside), optionally ``secrets`` unrelated Secrets of
100 KB (Helm release Secrets) are added, and a second ``awsgw run`` starts: the figures are
the seconds until every Gateway is Programmed again, its AWS reads per Gateway and writes
(from its metrics), and its peak RSS (``VmHWM``).

The AWS rate limits are raised for the benchmark (moto answers in a millisecond; the
default limits would make the figures those of the limiter).

Run one size: ``.venv/bin/python benchmarks/scale.py run-one GATEWAYS SECRETS``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from world import documents

from awsgw.embedded import make_vpc, moto_server
from awsgw.kube.metrics import samples
from awsgw.testing.fakekube import FakeKube

ROUTES = 20
CLUSTER = "bench"
SECRET_BYTES = 100 * 1024
GATEWAY = ("gateway.networking.k8s.io/v1", "Gateway")
READS = ('operation="Describe', 'operation="Get', 'operation="List')


def _wait(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class Run:
    """One ``awsgw run`` subprocess and what its log and metrics say."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "awsgw", "run", "--metrics-address", "127.0.0.1:0"],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.address = ""
        _wait(self._serving, 30, "awsgw run serving")

    def _serving(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"awsgw run exited:\n{self.log.read_text()[-2000:]}")
        for line in self.log.read_text().splitlines():
            if '"serving health and metrics"' in line:
                self.address = json.loads(line)["address"]
                return True
        return False

    def metrics(self) -> dict[str, float]:
        import urllib.request

        with urllib.request.urlopen(f"http://{self.address}/metrics", timeout=5) as resp:
            return samples(resp.read().decode())

    def aws_calls(self) -> tuple[float, float]:
        """(reads, writes) the process made, after retries."""
        calls = {k: v for k, v in self.metrics().items() if k.startswith("awsgw_aws_calls_total")}
        reads = sum(v for k, v in calls.items() if any(r in k for r in READS))
        return reads, sum(calls.values()) - reads

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def _programmed(kube: FakeKube, gateways: int) -> bool:
    for g in range(gateways):
        gw = kube.get(*GATEWAY, f"team{g}", "web") or {}
        conditions = (gw.get("status") or {}).get("conditions") or []
        if not any(c.get("type") == "Programmed" and c.get("status") == "True" for c in conditions):
            return False
    return True


def run_one(gateways: int, secrets: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, moto_server() as endpoint, FakeKube() as kube:
        vpc, _ = make_vpc(endpoint, CLUSTER)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSGW_"))}
        env.update(
            AWS_ENDPOINT_URL=endpoint, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing", AWSGW_CLUSTER_NAME=CLUSTER, AWSGW_VPC_ID=vpc,
            KUBECONFIG=str(kube.write_kubeconfig(Path(tmp) / "kubeconfig")),
            AWSGW_LEASE_NAMESPACE="kube-system", AWSGW_RESYNC_PERIOD="3600",
            AWSGW_AWS_RATE_LIMITS=json.dumps({"elastic-load-balancing-v2": [1000, 1000]}),
            NO_PROXY="127.0.0.1",
        )  # fmt: skip
        for g in range(gateways):
            kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team{g}"}})
        for doc in documents(gateways, ROUTES):
            kube.apply(doc)
        first = Run(env, Path(tmp) / "first.log")
        _wait(lambda: _programmed(kube, gateways), 600, "the first run to program everything")
        first.stop()

        for g in range(gateways):
            gw: dict[str, Any] = kube.get(*GATEWAY, f"team{g}", "web") or {}
            kube.apply_status({**gw, "status": {}})
        blob = "A" * (SECRET_BYTES * 4 // 3)  # base64 of 100 KB
        for s in range(secrets):
            kube.apply({
                "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                "metadata": {"name": f"sh.helm.release.v1.app{s}.v1", "namespace": "team0"},
                "data": {"release": blob},
            })  # fmt: skip

        started = time.monotonic()
        second = Run(env, Path(tmp) / "second.log")
        _wait(lambda: _programmed(kube, gateways), 600, "the restart to catch up")
        catch_up = time.monotonic() - started
        reads, writes = second.aws_calls()
        peak = second.peak_rss_mb()
        second.stop()
    return {
        "gateways": gateways, "secrets": secrets, "catch_up_seconds": catch_up,
        "reads_per_gateway": reads / gateways, "writes": writes, "peak_rss_mb": peak,
    }  # fmt: skip


def main(gateways: int, secrets: int) -> None:
    print(json.dumps(run_one(gateways, secrets)))
