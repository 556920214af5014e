"""The real ``kubectl`` binary against FakeKube: discovery, printer columns, client-side apply
with server-side field validation, explain and watch. Each test has its own kubeconfig and
cache directory. Without kubectl on PATH this module skips, and fails on CI (CI=true)."""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from awsgw.testing.fakekube import FakeKube

from .conftest import GW, condition

KUBECTL = shutil.which("kubectl")
if KUBECTL is None:
    if os.environ.get("CI") == "true":
        pytest.fail("kubectl is not on PATH; CI needs it for tests/fakekube/test_kubectl.py")
    pytest.skip("kubectl is not on PATH", allow_module_level=True)

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
Table = list[dict[str, str]]


@dataclass(frozen=True)
class Kubectl:
    """``kubectl`` with its own kubeconfig (the fake) and cache directory."""

    base: list[str]
    env: dict[str, str]

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*self.base, *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*self.base, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )


@pytest.fixture
def kubectl(kube: FakeKube, tmp_path: Path) -> Kubectl:
    config = kube.write_kubeconfig(tmp_path / "kubeconfig")
    return Kubectl(
        [str(KUBECTL), "--cache-dir", str(tmp_path / "cache")],
        {**os.environ, "KUBECONFIG": str(config)},
    )


def tables(text: str) -> list[Table]:
    """The tables ``kubectl get`` printed (separated by blank lines), cells by header column."""
    out = []
    for block in text.strip("\n").split("\n\n"):
        header, *rows = block.splitlines()
        spans = [(m.group(0), m.start()) for m in re.finditer(r"\S+(?: \S+)*", header)]
        bounds = [start for _, start in spans[1:]] + [None]
        out.append(
            [
                {
                    name: row[start:end].strip()
                    for (name, start), end in zip(spans, bounds, strict=True)
                }
                for row in rows
            ]
        )
    return out


def _gateway_api_objects(kube: FakeKube) -> None:
    kube.apply(
        {
            "apiVersion": f"{GW}/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "alb"},
            "spec": {"controllerName": "awsgw.io/alb"},
        }
    )
    kube.apply_status(
        {
            "apiVersion": f"{GW}/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "alb"},
            "status": {"conditions": [condition("Accepted")]},
        }
    )
    web = {
        "apiVersion": f"{GW}/v1",
        "kind": "Gateway",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "gatewayClassName": "alb",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
        },
    }
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    kube.apply(web)
    addresses = [{"type": "Hostname", "value": "web-1.elb.amazonaws.com"}]
    kube.apply_status(
        {**web, "status": {"addresses": addresses, "conditions": [condition("Programmed")]}}
    )
    kube.apply(
        {
            "apiVersion": f"{GW}/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": "store", "namespace": "shop"},
            "spec": {"parentRefs": [{"name": "web"}], "hostnames": ["store.example.com"]},
        }
    )


def test_api_resources_lists_the_gateway_api_kinds_from_aggregated_discovery(
    kube: FakeKube, kubectl: Kubectl
) -> None:
    (listed,) = tables(kubectl("api-resources").stdout)
    by_name = {(r["NAME"], r["APIVERSION"]): r for r in listed}
    gateways = by_name[("gateways", f"{GW}/v1")]
    assert (gateways["SHORTNAMES"], gateways["NAMESPACED"], gateways["KIND"]) == (
        "gtw",
        "true",
        "Gateway",
    )
    assert by_name[("gatewayclasses", f"{GW}/v1")]["NAMESPACED"] == "false"
    assert by_name[("loadbalancerconfigurations", "awsgw.io/v1alpha1")]["SHORTNAMES"] == "lbconfig"
    assert {
        p
        for r in kube.requests
        if r.resource == "" and (p := r.path.split("?")[0]).startswith("/api")
    } == {"/api", "/apis"}
    names = kubectl("api-resources", "--categories=gateway-api", "-o", "name").stdout.split()
    assert f"httproutes.{GW}" in names and "targetgrouppolicies.awsgw.io" in names


def test_get_shows_each_kinds_printer_columns_and_values(kube: FakeKube, kubectl: Kubectl) -> None:
    _gateway_api_objects(kube)
    classes, gateways, routes = tables(
        kubectl("get", "gatewayclass,gateway,httproute", "-A").stdout
    )
    assert classes == [
        {
            "NAME": f"gatewayclass.{GW}/alb",
            "CONTROLLER": "awsgw.io/alb",
            "ACCEPTED": "True",
            "AGE": classes[0]["AGE"],
        }
    ]
    (gateway,) = gateways
    assert list(gateway) == ["NAMESPACE", "NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"]
    assert (gateway["NAMESPACE"], gateway["NAME"], gateway["CLASS"]) == (
        "shop",
        f"gateway.{GW}/web",
        "alb",
    )
    assert (gateway["ADDRESS"], gateway["PROGRAMMED"]) == ("web-1.elb.amazonaws.com", "True")
    assert re.fullmatch(r"\d+s", gateway["AGE"])
    assert routes == [
        {
            "NAMESPACE": "shop",
            "NAME": f"httproute.{GW}/store",
            "HOSTNAMES": '["store.example.com"]',
            "AGE": routes[0]["AGE"],
        }
    ]
    (namespaces,) = tables(kubectl("get", "namespaces").stdout)
    assert {"NAME": "shop", "STATUS": "Active", "AGE": namespaces[-1]["AGE"]} in namespaces
    by_category = kubectl("get", "gateway-api", "-A", "-o", "name").stdout.split()
    assert by_category == [f"gatewayclass.{GW}/alb", f"gateway.{GW}/web", f"httproute.{GW}/store"]


def test_apply_of_the_quickstart_validates_on_the_server_and_a_second_apply_changes_nothing(
    kube: FakeKube, kubectl: Kubectl
) -> None:
    first = kubectl("apply", "-f", str(QUICKSTART)).stdout.splitlines()
    assert len(first) == 9 and all(line.endswith(" created") for line in first), first
    creates = [r for r in kube.requests if r.verb == "create"]
    assert creates and all("fieldValidation=Strict" in r.path for r in creates)
    assert not [r for r in kube.requests if r.path.startswith("/openapi/v2")], "v3 was enough"
    second = kubectl("apply", "-f", str(QUICKSTART)).stdout.splitlines()
    # the quickstart names what the API server would default (EndpointSlice ports' protocol,
    # an atomic list), so nothing differs from the last applied configuration
    assert len(second) == 9 and all(line.endswith(" unchanged") for line in second), second
    assert "gateway.gateway.networking.k8s.io/web unchanged" in second


def test_an_unknown_field_is_refused_with_kubectls_usual_message(
    kube: FakeKube, kubectl: Kubectl, tmp_path: Path
) -> None:
    kubectl("apply", "-f", str(QUICKSTART / "gateway.yaml"))
    manifest = tmp_path / "extra.yaml"
    manifest.write_text(
        f"apiVersion: {GW}/v1\nkind: Gateway\nmetadata: {{name: extra, namespace: shop}}\n"
        "spec:\n  gatewayClassName: awsgw-alb\n  colour: blue\n"
        "  listeners: [{name: http, port: 80, protocol: HTTP}]\n"
    )
    refused = kubectl("apply", "-f", str(manifest), ok=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f'Error from server (BadRequest): error when creating "{manifest}": Gateway in version '
        '"v1" cannot be handled as a Gateway: strict decoding error: unknown field "spec.colour"'
    )
    warned = kubectl("apply", "-f", str(manifest), "--validate=warn")
    assert warned.stderr.strip() == 'Warning: unknown field "spec.colour"'
    assert warned.stdout.strip() == f"gateway.{GW}/extra created"


def test_a_list_is_validated_client_side_with_the_openapi_v2_document(
    kubectl: Kubectl, tmp_path: Path
) -> None:
    kubectl("apply", "-f", str(QUICKSTART))
    listed = kubectl("get", "gateways,httproutes", "-n", "shop", "-o", "yaml").stdout
    backup = tmp_path / "backup.yaml"
    backup.write_text(listed)
    kubectl("apply", "-f", str(backup))  # a List: field validation does not cover its items
    line = "gatewayClassName: awsgw-alb"
    backup.write_text(listed.replace(line, f"{line}\n    colour: blue"))
    refused = kubectl("apply", "-f", str(backup), ok=False)
    assert refused.stderr.strip() == (
        f'error: error validating "{backup}": error validating data: '
        'ValidationError(Gateway.spec): unknown field "colour" in '
        "io.k8s.networking.gateway.v1.Gateway.spec; if you choose to ignore these errors, "
        "turn validation off with --validate=false"
    )


def test_explain_reads_the_openapi_v3_schemas(kubectl: Kubectl) -> None:
    listeners = kubectl("explain", "gateway.spec.listeners").stdout
    assert "KIND:       Gateway" in listeners and "FIELD: listeners <[]Object>" in listeners
    assert re.search(r"port\s+<integer> -required-", listeners)
    ports = kubectl("explain", "service.spec.ports").stdout
    assert "FIELD: ports <[]ServicePort>" in ports and "The list of ports" in ports


def test_get_watch_prints_a_change(kube: FakeKube, kubectl: Kubectl) -> None:
    _gateway_api_objects(kube)
    proc = kubectl.popen("get", "gateways", "-n", "shop", "-w")
    try:
        seen = _read_until(proc, "web-1.elb.amazonaws.com")
        assert seen[0].split() == ["NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"]
        web = kube.get(f"{GW}/v1", "Gateway", "shop", "web")
        assert web is not None
        web["status"]["addresses"] = [{"type": "Hostname", "value": "web-2.elb.amazonaws.com"}]
        kube.apply_status(web)
        (changed,) = _read_until(proc, "web-2.elb.amazonaws.com")
        assert changed.split()[:4] == ["web", "alb", "web-2.elb.amazonaws.com", "True"]
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _read_until(proc: subprocess.Popen[bytes], needle: str, timeout: float = 20) -> list[str]:
    """The lines the process prints up to the first whole line holding ``needle``."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    text, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(deadline - time.monotonic()):
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            text += chunk
            lines = text.decode().split("\n")[:-1]  # whole lines only
            if any(needle in line for line in lines):
                return lines
    raise AssertionError(f"kubectl printed {text.decode()!r}")
