"""``awsgw sandbox`` driven with the real kubectl: the session the README shows.

One sandbox (a subprocess) serves the module's session; the tests run in order as one session
would: apply the quickstart, wait for Programmed, look at it, re-apply server-side, edit a
Route and see the AWS rule change through ``awsgw explain``, delete the Gateway through its
finalizer and see its AWS resources gone, stop with SIGTERM. A last sandbox of its own makes
AWS faults (``--aws-faults``) through a shorter session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from awsgw.sandbox import gateway_classes

from .conftest import FAST, QUICKSTART, ROOT, eventually

KUBECTL = shutil.which("kubectl")
if KUBECTL is None:
    if os.environ.get("CI"):
        raise RuntimeError("kubectl is not on PATH: CI machines of this kind carry it")
    pytest.skip(
        "kubectl is not on PATH: the sandbox session needs the real client", allow_module_level=True
    )


@dataclass
class Sandbox:
    process: subprocess.Popen[str]
    kubeconfig: Path
    env_file: Path
    env: dict[str, str]
    cache: Path

    def kubectl(self, *args: str, check: bool = True, stdin: str | None = None) -> str:
        """kubectl's stdout (stderr too when it fails) with the sandbox's kubeconfig."""
        assert KUBECTL is not None
        done = subprocess.run(
            [KUBECTL, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache}", *args],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
            env={**os.environ, **self.env},
        )
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {done.returncode}\n{done.stderr}")
        return done.stdout + ("" if check else done.stderr)

    def awsgw(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "awsgw", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **self.env},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def elbv2(self) -> Any:
        return boto3.client(
            "elbv2",
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
            region_name=self.env["AWS_REGION"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _read_env(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        out[key] = value.strip("'")
    return out


@contextmanager
def started(home: Path, *options: str) -> Iterator[Sandbox]:
    """``awsgw sandbox`` in a subprocess, once it is ready; killed after if still running."""
    kubeconfig = home / "kubeconfig"
    env = {**os.environ, **FAST, "HOME": str(home)}
    for key in ("KUBECONFIG", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        env.pop(key, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "awsgw", "sandbox", f"--kubeconfig={kubeconfig}", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    env_file = home / "kubeconfig.env"
    try:
        eventually(lambda: env_file.exists() or process.poll() is not None, 60, "the sandbox")
        assert process.poll() is None, process.communicate()[0]
        yield Sandbox(process, kubeconfig, env_file, _read_env(env_file), home / "cache")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with started(tmp_path_factory.mktemp("sandbox")) as running:
        yield running


def test_sandbox_writes_a_kubeconfig_and_the_exports_once_ready(sandbox: Sandbox) -> None:
    assert yaml.safe_load(sandbox.kubeconfig.read_text())["kind"] == "Config"
    assert sandbox.env["KUBECONFIG"] == str(sandbox.kubeconfig)
    assert sandbox.env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert sandbox.env["AWSGW_CLUSTER_NAME"] == "sandbox"


def test_the_chart_gateway_classes_exist_from_the_start(sandbox: Sandbox) -> None:
    names = sandbox.kubectl("get", "gatewayclass", "-o", "name").split()
    assert names == sorted(
        f"gatewayclass.gateway.networking.k8s.io/{c['metadata']['name']}" for c in gateway_classes()
    )


def test_the_quickstart_applies_and_its_gateway_becomes_programmed(sandbox: Sandbox) -> None:
    out = sandbox.kubectl("apply", "-f", str(QUICKSTART))
    assert "namespace/shop created" in out
    assert "gateway.gateway.networking.k8s.io/web created" in out
    sandbox.kubectl(
        "wait", "--for=condition=Programmed", "gateway/web", "-n", "shop", "--timeout=60s"
    )
    gateway = json.loads(sandbox.kubectl("get", "gateway", "web", "-n", "shop", "-o", "json"))
    [address] = gateway["status"]["addresses"]
    assert address["value"].endswith(".elb.amazonaws.com")


def test_get_prints_the_printer_columns_of_the_crds(sandbox: Sandbox) -> None:
    gateways = sandbox.kubectl("get", "gateway", "-n", "shop").splitlines()
    assert gateways[0].split() == ["NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"]
    name, cls, address, programmed, _age = gateways[1].split()
    assert (name, cls, programmed) == ("web", "awsgw-alb", "True")
    assert address.endswith(".elb.amazonaws.com")
    classes = sandbox.kubectl("get", "gatewayclass", "awsgw-alb").splitlines()
    assert classes[0].split() == ["NAME", "CONTROLLER", "ACCEPTED", "AGE"]
    assert classes[1].split()[:3] == ["awsgw-alb", "awsgw.io/alb", "True"]
    routes = sandbox.kubectl("get", "httproute", "store", "-n", "shop").splitlines()
    assert routes[0].split() == ["NAME", "HOSTNAMES", "AGE"]
    assert routes[1].split()[:2] == ["store", '["store.example.com"]']


def test_a_server_side_reapply_takes_the_fields_over_and_changes_nothing(
    sandbox: Sandbox,
) -> None:
    def versions() -> dict[str, str]:
        listed = json.loads(sandbox.kubectl("get", "gateway,httproute", "-n", "shop", "-o", "json"))
        return {i["metadata"]["name"]: i["metadata"]["resourceVersion"] for i in listed["items"]}

    before = versions()
    out = sandbox.kubectl("apply", "--server-side", "-f", str(QUICKSTART))
    assert "gateway.gateway.networking.k8s.io/web serverside-applied" in out
    shown = sandbox.kubectl(
        "get", "gateway", "web", "-n", "shop", "-o", "json", "--show-managed-fields"
    )
    managers = {
        m["manager"]: m["operation"] for m in json.loads(shown)["metadata"]["managedFields"]
    }
    assert managers["kubectl"] == "Apply"
    taken_over = versions()
    assert set(taken_over) == set(before)
    sandbox.kubectl("apply", "--server-side", "-f", str(QUICKSTART))
    assert versions() == taken_over  # the same configuration again writes nothing


def test_describe_shows_the_controller_events(sandbox: Sandbox) -> None:
    out = sandbox.kubectl("describe", "gateway", "web", "-n", "shop")
    assert "Programmed" in out.split("Events:")[1]


def test_a_route_edit_reaches_the_aws_rule(sandbox: Sandbox) -> None:
    request = ("explain", "--gateway", "shop/web", "--host", "store.example.com")
    before = sandbox.awsgw(*request, "--path", "/sandbox-edit")
    assert re.search("tg-store-(?!v2)", before)  # the catch-all rule: store and store-v2
    edit = [
        {
            "op": "replace",
            "path": "/spec/rules/0/matches",
            "value": [{"path": {"type": "PathPrefix", "value": "/sandbox-edit"}}],
        }
    ]
    sandbox.kubectl(
        "patch", "httproute", "store", "-n", "shop", "--type=json", "-p", json.dumps(edit)
    )

    def explained() -> str | None:
        out = sandbox.awsgw(*request, "--path", "/sandbox-edit")
        return out if "sandbox-edit(/.*)?$" in out else None

    after = eventually(explained, 30, "the edited rule on the ALB")
    assert "tg-store-v2-" in after
    assert not re.search("tg-store-(?!v2)", after)


def test_deleting_the_gateway_removes_its_aws_resources(sandbox: Sandbox) -> None:
    elbv2 = sandbox.elbv2()
    assert elbv2.describe_load_balancers()["LoadBalancers"]
    sandbox.kubectl("delete", "gateway", "web", "-n", "shop", "--wait", "--timeout=60s")
    assert sandbox.kubectl("get", "gateway", "-A", "-o", "name") == ""
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []


def test_sigterm_stops_the_sandbox_and_removes_its_files(sandbox: Sandbox) -> None:
    sandbox.process.send_signal(signal.SIGTERM)
    output, _ = sandbox.process.communicate(timeout=60)
    assert sandbox.process.returncode == 0, output
    assert "awsgw sandbox stopped" in output
    assert not sandbox.kubeconfig.exists()
    assert not sandbox.env_file.exists()


def test_under_aws_faults_the_quickstart_is_programmed_once_and_deleted_without_a_leak(
    tmp_path: Path,
) -> None:
    with started(tmp_path, "--aws-faults", "0.3") as faulty:
        faulty.kubectl("apply", "-f", str(QUICKSTART))
        faulty.kubectl(
            "wait", "--for=condition=Programmed", "gateway/web", "-n", "shop", "--timeout=120s"
        )
        elbv2 = faulty.elbv2()
        assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1
        groups = [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]]
        assert len(groups) == 2 and all(g.startswith("tg-store-") for g in groups), groups
        faulty.kubectl("delete", "gateway", "web", "-n", "shop", "--wait", "--timeout=120s")
        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
        assert elbv2.describe_target_groups()["TargetGroups"] == []
        faulty.process.send_signal(signal.SIGTERM)
        output, _ = faulty.process.communicate(timeout=60)
    assert faulty.process.returncode == 0, output
    assert "30% of awsgw's calls throttled or answer lost" in output
    made = re.search(
        r"AWS faults made: (\d+) throttled, (\d+) answers lost, of (\d+) calls", output
    )
    assert made is not None, output
    throttled, lost, calls = map(int, made.groups())
    assert throttled > 0 and lost > 0 and calls > throttled + lost
