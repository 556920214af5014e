"""`awsgw plan` as a pull-request pipeline runs it: files in, the AWS diff and an exit code
out (0 no changes, 3 changes pending, 2 bad input, 1 an AWS call failed), and never a write:
every AWS call it makes is recorded (``RECORD_AWSGW_AWS_CALLS``) and is a read."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from awsgw.cli import main
from awsgw.embedded import make_vpc, moto_server
from awsgw.providers.aws.common.session import READ_PREFIXES, RECORD_CALLS_ENV
from awsgw.testing.faults import FaultPlan, faulty_moto_server
from tests.cli.test_reconcile import QUICKSTART, ROOT, awsgw, clean_env
from tests.e2e.conftest import reset_moto
from tests.install.iam import operation_name

CLUSTER = "prod"
EXAMPLES = ROOT / "examples"


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str
    calls: list[str]
    """``service-id:Operation`` of every AWS call made."""

    @property
    def doc(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.stdout)
        return loaded

    def writes(self) -> list[str]:
        return [c for c in self.calls if not c.split(":", 1)[1].startswith(READ_PREFIXES)]


@contextlib.contextmanager
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Record this test's AWS calls in a file of its own (and hand them on to the session's
    permission checks after)."""
    session = os.environ.get(RECORD_CALLS_ENV)
    mine = tmp_path / "calls.txt"
    mine.touch()
    monkeypatch.setenv(RECORD_CALLS_ENV, str(mine))
    try:
        yield mine
    finally:
        if session:
            with open(session, "a", encoding="utf-8") as f:
                f.write(mine.read_text())


def run(calls: Path, *args: str) -> Done:
    """One `awsgw ...` in this process; the AWS calls it made."""
    start = len(calls.read_text().splitlines())
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    made = [line.split()[0] for line in calls.read_text().splitlines()[start:]]
    return Done(code, out.getvalue(), err.getvalue(), made)


def changes(done: Done) -> list[tuple[str, str]]:
    return [(c["action"], c["resource"]) for c in done.doc["changes"]]


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty moto account on loopback with a ready VPC, this process pointed at it; the
    file its AWS calls are recorded in."""
    with moto_server() as endpoint, recorded(tmp_path, monkeypatch) as calls:
        reset_moto(endpoint)
        vpc, _ = make_vpc(endpoint, CLUSTER)
        for key, value in {
            "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWSGW_CLUSTER_NAME": CLUSTER,
            "AWSGW_VPC_ID": vpc, "AWSGW_AWS_MAX_ATTEMPTS": "1",
        }.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        yield calls


def test_quickstart_on_empty_embedded_aws_is_a_plan_of_creates_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls.txt"
    env = clean_env(**{RECORD_CALLS_ENV: str(calls)})
    done = awsgw("plan", "-f", str(QUICKSTART), "--aws", "embedded", "-o", "json", env=env)
    assert done.returncode == 3, done.stderr
    doc = json.loads(done.stdout)
    kinds = sorted(c["kind"] for c in doc["changes"])
    assert kinds == sorted(
        ["security group", "security group rule", "load balancer", "listener"]
        + ["listener rule"] * 3
        + ["target group"] * 2
        + ["target"] * 3
    )
    assert {c["action"] for c in doc["changes"]} == {"create"}
    assert doc["summary"] == {"create": 12, "modify": 0, "delete": 0, "writes": 11}
    [lb] = [c for c in doc["changes"] if c["kind"] == "load balancer"]
    assert {"name": "DNSName", "old": None, "new": "(known after apply)"} in lb["fields"]
    gateway = next(s for s in doc["statuses"] if s["kind"] == "Gateway")
    assert gateway["status"]["addresses"] == [{"type": "Hostname", "value": "(known after apply)"}]
    made = [line.split()[0] for line in calls.read_text().splitlines()]
    assert made and all(c.split(":", 1)[1].startswith(READ_PREFIXES) for c in made), made
    assert " 0 writes" in done.stderr


def test_after_reconcile_the_plan_is_no_changes_and_exits_0(account: Path) -> None:
    assert run(account, "reconcile", "-f", str(QUICKSTART), "--wait", "5", "-q").code == 0
    done = run(account, "plan", "-f", str(QUICKSTART))
    assert done.code == 0, done.stderr
    assert done.stdout.rstrip().endswith("No changes. AWS matches the manifests.")
    assert "Gateway shop/web (awsgw.io/alb): no changes" in done.stdout
    assert "Programmed; address gw-shop-web-" in done.stdout
    assert done.calls and done.writes() == []


def test_an_edited_route_is_exactly_its_rule_modified(account: Path, tmp_path: Path) -> None:
    assert run(account, "reconcile", "-f", str(QUICKSTART), "--wait", "5", "-q").code == 0
    edited = tmp_path / "edited"
    shutil.copytree(QUICKSTART, edited)
    routes = edited / "routes.yaml"
    routes.write_text(routes.read_text().replace("weight: 90", "weight: 50"))
    done = run(account, "plan", "-f", str(edited), "-o", "json")
    assert done.code == 3, done.stderr
    [change] = done.doc["changes"]
    assert change["action"] == "modify" and change["kind"] == "listener rule"
    assert change["name"] == "20" and change["gateway"] == "shop/web"
    assert change["operations"] == ["elasticloadbalancing:ModifyRule"]
    [field] = change["fields"]
    assert field["name"] == "Actions"
    assert [a.count("(weight 90)") for a in field["old"]] == [1]
    assert [a.count("(weight 50)") for a in field["new"]] == [1]
    assert done.doc["summary"] == {"create": 0, "modify": 1, "delete": 0, "writes": 1}
    text = run(account, "plan", "-f", str(edited))
    assert "~ listener rule 20 of listener 80 of load balancer gw-shop-web-" in text.stdout
    assert "Plan: 0 to create, 1 to change, 0 to destroy." in text.stdout
    assert done.writes() == [] and text.writes() == []


def test_a_removed_gateway_is_a_plan_of_deletes(account: Path, tmp_path: Path) -> None:
    assert run(account, "reconcile", "-f", str(QUICKSTART), "--wait", "5", "-q").code == 0
    only_class = tmp_path / "class.yaml"
    text = (QUICKSTART / "gateway.yaml").read_text()
    only_class.write_text(text.split("---")[0])
    done = run(account, "plan", "-f", str(only_class), "-o", "json")
    assert done.code == 3, done.stderr
    assert {c["action"] for c in done.doc["changes"]} == {"delete"}
    assert sorted(c["kind"] for c in done.doc["changes"]) == [
        "load balancer",
        "security group",
        "target group",
        "target group",
    ]
    assert {c["gateway"] for c in done.doc["changes"]} == {"shop/web"}
    shown = run(account, "plan", "-f", str(only_class)).stdout
    assert "Gateway shop/web (awsgw.io/alb):\n  - load balancer gw-shop-web-" in shown
    assert "Plan: 0 to create, 0 to change, 4 to destroy." in shown
    assert done.writes() == []


def test_bad_input_exits_2_with_reconciles_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
        "metadata: {name: web, namespace: a}\n"
        "spec:\n  gatewayClassName: alb\n  listeners:\n"
        "  - {name: http, port: 70000, protocol: HTTP}\n"
    )
    planned = awsgw("plan", "-f", str(bad), "--aws", "embedded", env=clean_env())
    reconciled = awsgw("reconcile", "-f", str(bad), "--aws", "embedded", env=clean_env())
    assert (planned.returncode, reconciled.returncode) == (2, 2)
    assert f"{bad}, document 1 (Gateway web): field spec.listeners[0].port" in planned.stderr
    assert planned.stderr.splitlines()[-1] == reconciled.stderr.splitlines()[-1]
    assert planned.stdout == ""
    missing = awsgw("plan", "-f", str(QUICKSTART), env=clean_env(AWS_REGION="us-east-1"))
    assert missing.returncode == 2 and "AWSGW_CLUSTER_NAME" in missing.stderr


def test_an_aws_call_that_fails_exits_1_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = FaultPlan({"elasticloadbalancing": 1.0}, lost_share=0.0)
    with faulty_moto_server(faults) as endpoint, recorded(tmp_path, monkeypatch) as calls:
        faults.enabled = False
        reset_moto(endpoint)
        vpc, _ = make_vpc(endpoint, CLUSTER)
        for key, value in {
            "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWSGW_CLUSTER_NAME": CLUSTER, "AWSGW_VPC_ID": vpc, "AWSGW_AWS_MAX_ATTEMPTS": "1",
        }.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        faults.enabled = True
        done = run(calls, "plan", "-f", str(QUICKSTART), "-o", "json")
    assert done.code == 1, done.stderr
    assert faults.seen[("elasticloadbalancing", "throttle")] >= 1
    assert "error: AWS: ALB: " in done.stderr and "Throttling" in done.stderr
    assert done.calls and done.writes() == []


def test_plan_help_names_the_exit_codes() -> None:
    done = awsgw("plan", "--help", env=clean_env())
    assert done.returncode == 0
    for line in ("0  no changes", "1  an AWS call failed", "2  bad input", "3  changes pending"):
        assert line in done.stdout
    assert "(known after apply)" in done.stdout


def read_statements() -> set[str]:
    """The actions of the read-only statements of awsgw's IAM policies."""
    actions: set[str] = set()
    for policy, sid in (
        ("policy.json", "Read"),
        ("policy-configuration.json", "ReadConfiguration"),
    ):
        doc = json.loads((ROOT / "iam" / policy).read_text())
        [statement] = [s for s in doc["Statement"] if s.get("Sid") == sid]
        assert "Condition" not in statement
        actions.update(statement["Action"])
    return actions


def test_read_only_credentials_are_enough_for_a_plan(account: Path) -> None:
    """Against an account where every example is reconciled, a plan of each (and of their
    removal) calls only actions of the ``Read`` statements of iam/policy.json and
    iam/policy-configuration.json."""
    examples = [EXAMPLES / n for n in ("quickstart", "production", "nlb", "lattice")]
    args = [a for path in examples for a in ("-f", str(path))]
    assert run(account, "reconcile", *args, "--wait", "5", "-q").code == 0
    made = run(account, "plan", *args).calls
    made += run(account, "plan", "-f", str(EXAMPLES / "quickstart" / "routes.yaml")).calls
    allowed = read_statements()
    actions = {operation_name(*call.split(":", 1)) for call in made}
    assert actions and actions <= allowed, actions - allowed
