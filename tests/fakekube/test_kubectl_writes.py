"""The real kubectl writing to the fake: server-side apply, conflicts, namespaces, describe.

kubectl runs with its default validation (the server's OpenAPI and field validation).
Without a kubectl on PATH the module is skipped, except on CI (``CI=true``), which has one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from awsgw.kube.api import KubeApi
from awsgw.kube.events import EventRecorder
from awsgw.manifests import parse_document
from awsgw.testing.fakekube import FakeKube

from .conftest import GW

KUBECTL = shutil.which("kubectl")
if KUBECTL is None:
    if os.environ.get("CI") == "true":
        pytest.fail("kubectl is not on PATH: CI runs these tests with it", pytrace=False)
    pytest.skip(
        "kubectl is not on PATH (these tests drive the real binary)", allow_module_level=True
    )

ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
FINALIZER = "gateway-exists-finalizer.gateway.networking.k8s.io"
Kubectl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kubectl_command(kube: FakeKube, tmp_path: Path) -> list[str]:
    config = kube.write_kubeconfig(tmp_path / "kubeconfig")
    assert KUBECTL is not None
    return [KUBECTL, f"--kubeconfig={config}", f"--cache-dir={tmp_path / 'cache'}"]


@pytest.fixture
def kubectl(kubectl_command: list[str], tmp_path: Path) -> Kubectl:
    """Run kubectl against the fake: the finished process (stdout and stderr as text)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*kubectl_command, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": str(tmp_path)},
            check=False,
        )

    return run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def apply_quickstart(kubectl: Kubectl, *flags: str) -> subprocess.CompletedProcess[str]:
    return kubectl("apply", "--server-side", *flags, "-f", str(QUICKSTART))


def wait_for(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _versions(kube: FakeKube) -> dict[tuple[str, str], str]:
    kinds = [("v1", "Namespace"), ("v1", "Service"), (f"{GW}/v1", "GatewayClass")]
    kinds += [(f"{GW}/v1", "Gateway"), (f"{GW}/v1", "HTTPRoute")]
    kinds += [("discovery.k8s.io/v1", "EndpointSlice")]
    return {
        (kind, o["metadata"]["name"]): o["metadata"]["resourceVersion"]
        for api_version, kind in kinds
        for o in kube.list(api_version, kind)
    }


def test_a_server_side_apply_applied_again_changes_nothing(
    kube: FakeKube, kubectl: Kubectl
) -> None:
    out = ok(apply_quickstart(kubectl))
    assert f"gateway.{GW}/web serverside-applied" in out
    assert "namespace/shop serverside-applied" in out
    gateway = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
    assert gateway is not None
    [entry] = gateway["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"]) == ("kubectl", "Apply")
    first = _versions(kube)

    ok(apply_quickstart(kubectl))
    second = _versions(kube)
    # kubectl owns nothing of the bare Namespace it applied, so (as kube-apiserver does) the
    # fields already there go to "before-first-apply" on the next apply: its one change
    assert {k: v for k, v in second.items() if first[k] != v}.keys() == {("Namespace", "shop")}
    shop = kube.get("v1", "Namespace", None, "shop")
    assert shop is not None
    assert [e["manager"] for e in shop["metadata"]["managedFields"]] == ["before-first-apply"]

    before = kube.resource_version
    ok(apply_quickstart(kubectl))
    assert kube.resource_version == before
    assert kube.get(f"{GW}/v1", "Gateway", "shop", "web") == gateway


def test_a_conflicting_apply_fails_until_forced(kube: FakeKube, kubectl: Kubectl) -> None:
    ok(apply_quickstart(kubectl))
    listener = {"name": "http", "port": 8080, "protocol": "HTTP"}
    patch = json.dumps({"spec": {"listeners": [listener]}})
    ok(kubectl("patch", "gateway", "web", "-n", "shop", "--type=merge", "-p", patch,
               "--field-manager=awsgw"))  # fmt: skip
    refused = apply_quickstart(kubectl)
    assert refused.returncode != 0
    assert (
        "Apply failed with 1 conflict: conflict with "
        f'"awsgw" using {GW}/v1: .spec.listeners[name="http"].port'
    ) in refused.stderr
    assert "--force-conflicts" in refused.stderr
    ok(apply_quickstart(kubectl, "--force-conflicts"))
    gateway = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
    assert gateway is not None and gateway["spec"]["listeners"][0]["port"] == 80
    assert [e["manager"] for e in gateway["metadata"]["managedFields"]] == ["kubectl"]


def test_a_create_in_a_missing_namespace_is_refused(kube: FakeKube, kubectl: Kubectl) -> None:
    routes = QUICKSTART / "routes.yaml"
    refused = kubectl("create", "-f", str(routes))
    assert refused.returncode != 0
    assert (
        f'Error from server (NotFound): error when creating "{routes}": namespaces "shop" not found'
    ) in refused.stderr
    assert kube.list(f"{GW}/v1", "HTTPRoute") == []


@pytest.fixture
def deleting(kubectl_command: list[str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [*kubectl_command, "delete", "namespace", "shop", "--timeout=30s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate()


def test_deleting_a_namespace_empties_it_and_waits_for_finalizers(
    kube: FakeKube, kubectl: Kubectl, request: pytest.FixtureRequest
) -> None:
    ok(apply_quickstart(kubectl))
    held = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
    assert held is not None
    held["metadata"]["finalizers"] = [FINALIZER]
    kube.apply(held)

    process: subprocess.Popen[str] = request.getfixturevalue("deleting")

    def terminating() -> bool:
        ns = kube.get("v1", "Namespace", None, "shop")
        return ns is not None and ns["status"]["phase"] == "Terminating"

    wait_for(terminating, "the namespace to be terminating")
    assert [o["metadata"]["name"] for o in kube.list(f"{GW}/v1", "Gateway", "shop")] == ["web"]
    assert kube.list(f"{GW}/v1", "HTTPRoute", "shop") == []
    assert kube.list("v1", "Service", "shop") == []
    assert process.poll() is None, "kubectl delete waits while the namespace is there"

    held = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
    assert held is not None
    held["metadata"]["finalizers"] = []
    kube.apply(held)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert 'namespace "shop" deleted' in stdout
    assert kube.get("v1", "Namespace", None, "shop") is None


def _object(kube: FakeKube, api_version: str, kind: str, name: str) -> Any:
    doc = kube.get(api_version, kind, "shop", name)
    assert doc is not None
    parsed = parse_document(doc, "test")
    assert parsed is not None
    return parsed


def test_describe_shows_the_events_awsgw_records(
    kube: FakeKube, kubectl: Kubectl, tmp_path: Path
) -> None:
    ok(apply_quickstart(kubectl))
    api = KubeApi.connect(str(tmp_path / "kubeconfig"), "awsgw/test", (2.0, 5.0))
    recorder = EventRecorder(api, "awsgw.io/alb", "replica-1")
    gateway = _object(kube, f"{GW}/v1", "Gateway", "web")
    assert recorder.record(gateway, "Warning", "AWSError", "CreateLoadBalancer: throttled")
    assert recorder.record(gateway, "Normal", "Programmed", "internal-web-1.elb.amazonaws.com")

    described = ok(kubectl("describe", "gateway", "web", "-n", "shop"))
    events = described.split("Events:")[1]
    assert "Warning  AWSError" in events and "CreateLoadBalancer: throttled" in events
    assert "Normal   Programmed" in events and "awsgw.io/alb" in events
    route = ok(kubectl("describe", "httproute", "store", "-n", "shop"))
    assert "Name:         store" in route and "Events:" in route
    service = ok(kubectl("describe", "service", "store", "-n", "shop"))
    assert "Endpoints:" in service and "10.0.1.10:8080" in service
    namespace = ok(kubectl("describe", "namespace", "shop"))
    assert "Status:       Active" in namespace


def test_kubectl_create_sends_protobuf_and_the_fake_reads_it(
    kube: FakeKube, kubectl: Kubectl
) -> None:
    ok(kubectl("create", "namespace", "shop"))
    ok(kubectl("create", "configmap", "settings", "-n", "shop", "--from-literal=mode=fast"))
    ok(kubectl("create", "secret", "generic", "token", "-n", "shop", "--from-literal=t=s3cret"))
    ok(kubectl("create", "service", "clusterip", "store", "-n", "shop", "--tcp=80:8080"))
    shop = kube.get("v1", "Namespace", None, "shop")
    assert shop is not None
    assert [e["manager"] for e in shop["metadata"]["managedFields"]] == ["kubectl-create"]
    settings = kube.get("v1", "ConfigMap", "shop", "settings")
    assert settings is not None and settings["data"] == {"mode": "fast"}
    token = kube.get("v1", "Secret", "shop", "token")
    assert token is not None and token["data"] == {"t": "czNjcmV0"}
    store = kube.get("v1", "Service", "shop", "store")
    assert store is not None and store["spec"]["ports"][0]["targetPort"] == 8080


def test_moving_from_client_side_to_server_side_apply_takes_kubectls_fields_over(
    kube: FakeKube, kubectl: Kubectl, tmp_path: Path
) -> None:
    docs = yaml.safe_load_all((QUICKSTART / "gateway.yaml").read_text())
    kept = [d for d in docs if d["kind"] in ("Namespace", "Gateway")]
    applied, moved = tmp_path / "applied.yaml", tmp_path / "moved.yaml"
    applied.write_text(yaml.safe_dump_all(kept))
    moved.write_text(applied.read_text().replace("port: 80\n", "port: 81\n"))
    ok(kubectl("apply", "-f", str(moved)))
    ok(kubectl("apply", "--server-side", "-f", str(applied)))
    gateway = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
    assert gateway is not None and gateway["spec"]["listeners"][0]["port"] == 80
    last = json.loads(gateway["metadata"]["annotations"][ANNOTATION])
    assert last["spec"]["listeners"][0]["port"] == 80
    assert ("kubectl", "Apply") in {
        (e["manager"], e["operation"]) for e in gateway["metadata"]["managedFields"]
    }
