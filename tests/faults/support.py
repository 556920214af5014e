"""Fault scenarios: `awsgw reconcile` (in this process, as a user runs it: files in, exit code
and statuses out) against a moto server with faults in front, step after step, and what this
cluster then owns in AWS, read around the faults."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from awsgw.cli import main
from awsgw.providers.aws.common.certificates import KEY_TYPES
from awsgw.testing.faults import FaultPlan
from tests.support import condition

CALLS = re.compile(r"AWS calls: (\d+) reads, (\d+) writes")
CLUSTER_TAG = "awsgw.io/cluster"
GATEWAY_TAG = "awsgw.io/gateway"
MAX_RUNS = 10
"""Runs of `awsgw reconcile` a step may take to converge under faults."""


@dataclass(frozen=True)
class Run:
    code: int
    statuses: dict[tuple[str, str], dict[str, Any]]
    reads: int
    writes: int
    stderr: str


@dataclass
class Owned:
    """What this cluster owns in AWS, and any duplicate among it."""

    load_balancers: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(Gateway key, load balancer type) → owned load balancers."""
    target_groups: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(Gateway, backend, protocol[/version]) → owned target groups."""
    security_groups: Counter[str] = field(default_factory=Counter)
    duplicate_listeners: list[str] = field(default_factory=list)
    duplicate_rules: list[str] = field(default_factory=list)
    certificates: Counter[str] = field(default_factory=Counter)
    """Fingerprint → owned ACM certificates."""
    lattice: list[str] = field(default_factory=list)
    """ARNs of owned VPC Lattice resources."""

    def duplicates(self) -> list[str]:
        found = [f"load balancers of {k}: {n}" for k, n in self.load_balancers.items() if n > 1]
        found += [f"target groups of {k}: {n}" for k, n in self.target_groups.items() if n > 1]
        found += [f"security groups of {k}: {n}" for k, n in self.security_groups.items() if n > 1]
        found += [f"certificates {k}: {n}" for k, n in self.certificates.items() if n > 1]
        return found + self.duplicate_listeners + self.duplicate_rules

    def empty(self) -> bool:
        return not (
            self.load_balancers
            or self.target_groups
            or self.security_groups
            or self.certificates
            or self.lattice
        )


class World:
    """One cluster's files, one faulty AWS; the test reads AWS without faults."""

    def __init__(self, endpoint: str, vpc: str, cluster: str, plan: FaultPlan, tmp: Path) -> None:
        self.endpoint, self.vpc, self.cluster, self.plan = endpoint, vpc, cluster, plan
        self.tmp = tmp
        self.steps = 0
        self.runs_per_step: list[int] = []
        config = Config(user_agent_extra="the-test/1.0")
        kw = {"endpoint_url": endpoint, "region_name": "us-east-1", "config": config,
              "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # fmt: skip
        self.elbv2: Any = boto3.client("elbv2", **kw)
        self.ec2: Any = boto3.client("ec2", **kw)
        self.acm: Any = boto3.client("acm", **kw)
        self.tagging: Any = boto3.client("resourcegroupstaggingapi", **kw)
        self.wafv2: Any = boto3.client("wafv2", **kw)
        self.shield: Any = boto3.client("shield", **kw)

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for key, value in {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWSGW_CLUSTER_NAME": self.cluster,
            "AWSGW_VPC_ID": self.vpc,
        }.items():
            monkeypatch.setenv(key, value)

    def reconcile(self, text: str) -> Run:
        """One `awsgw reconcile -f <files> -o json` run."""
        folder = self.tmp / f"step-{self.steps}"
        folder.mkdir(exist_ok=True)
        (folder / "world.yaml").write_text(text)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["reconcile", "-f", str(folder), "-o", "json", "--wait", "5"])
        calls = CALLS.search(err.getvalue())
        statuses = {}
        if out.getvalue():
            for item in json.loads(out.getvalue())["items"]:
                meta = item["metadata"]
                key = f"{meta.get('namespace', '')}/{meta['name']}".lstrip("/")
                statuses[(item["kind"], key)] = item.get("status") or {}
        reads, writes = (int(calls.group(1)), int(calls.group(2))) if calls else (-1, -1)
        return Run(code, statuses, reads, writes, err.getvalue())

    def converge(self, text: str, programmed: list[str]) -> Run:
        """Run under faults until exit 0 with every named Gateway Programmed; then once
        without faults, which must write nothing."""
        self.steps += 1
        self.plan.enabled = True
        for attempt in range(1, MAX_RUNS + 1):
            run = self.reconcile(text)
            done = run.code == 0 and all(
                condition(run.statuses.get(("Gateway", g), {"conditions": []}), "Programmed").get(
                    "status"
                )
                == "True"
                for g in programmed
            )
            if done:
                self.runs_per_step.append(attempt)
                break
        else:
            raise AssertionError(f"step {self.steps} did not converge: {run.stderr[-2000:]}")
        self.plan.enabled = False
        clean = self.reconcile(text)
        assert clean.code == 0, clean.stderr
        assert clean.writes == 0, f"step {self.steps}: a clean run wrote: {clean.stderr}"
        return clean

    # ------------------------------------------------------------------ what is owned
    def tags_of(self, arns: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for i in range(0, len(arns), 20):
            for d in self.elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]:
                out[d["ResourceArn"]] = {t["Key"]: t["Value"] for t in d["Tags"]}
        return out

    def owned(self) -> Owned:
        owned = Owned()
        lbs = self.elbv2.describe_load_balancers()["LoadBalancers"]
        tgs = self.elbv2.describe_target_groups()["TargetGroups"]
        tags = self.tags_of(
            [lb["LoadBalancerArn"] for lb in lbs] + [t["TargetGroupArn"] for t in tgs]
        )
        for lb in lbs:
            mine = tags.get(lb["LoadBalancerArn"], {})
            if mine.get(CLUSTER_TAG) != self.cluster:
                continue
            owned.load_balancers[(mine.get(GATEWAY_TAG, "?"), lb["Type"])] += 1
            listeners = self.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])
            ports = Counter(ls["Port"] for ls in listeners["Listeners"])
            owned.duplicate_listeners += [
                f"{lb['LoadBalancerName']}: {n} listeners on {p}" for p, n in ports.items() if n > 1
            ]
            for ls in listeners["Listeners"]:
                rules = self.elbv2.describe_rules(ListenerArn=ls["ListenerArn"])["Rules"]
                same = Counter(
                    json.dumps(r["Conditions"], sort_keys=True)
                    for r in rules
                    if not r.get("IsDefault")
                )
                owned.duplicate_rules += [
                    f"{lb['LoadBalancerName']}:{ls['Port']}: {n} rules alike"
                    for n in same.values()
                    if n > 1
                ]
        for tg in tgs:
            mine = tags.get(tg["TargetGroupArn"], {})
            if mine.get(CLUSTER_TAG) == self.cluster:
                backend = mine.get("awsgw.io/backend", "")
                protocol = "/".join(filter(None, (tg["Protocol"], tg.get("ProtocolVersion"))))
                owned.target_groups[(mine.get(GATEWAY_TAG, "?"), backend, protocol)] += 1
        groups = self.ec2.describe_security_groups(
            Filters=[{"Name": f"tag:{CLUSTER_TAG}", "Values": [self.cluster]}]
        )["SecurityGroups"]
        for g in groups:
            owned.security_groups[
                {t["Key"]: t["Value"] for t in g["Tags"]}.get(GATEWAY_TAG, "?")
            ] += 1
        for summary in self.acm.list_certificates(Includes=KEY_TYPES)["CertificateSummaryList"]:
            arn = summary["CertificateArn"]
            cert_tags = {
                t["Key"]: t.get("Value", "")
                for t in self.acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]
            }
            if cert_tags.get(CLUSTER_TAG) == self.cluster:
                owned.certificates[cert_tags.get("awsgw.io/fingerprint", arn)] += 1
        found = self.tagging.get_resources(
            TagFilters=[{"Key": CLUSTER_TAG, "Values": [self.cluster]}],
            ResourceTypeFilters=["vpc-lattice"],
        )["ResourceTagMappingList"]
        owned.lattice = sorted(r["ResourceARN"] for r in found)
        return owned
