"""`awsgw reconcile` end to end, as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from awsgw.embedded import make_vpc, moto_server
from awsgw.providers.aws.alb.evaluate import load_listeners
from awsgw.providers.aws.common.requests import Request
from tests.certs import self_signed_pem, self_signed_secret
from tests.support import condition

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
LATTICE = ROOT / "examples" / "lattice"


def awsgw(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awsgw", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSGW_"))}
    env.update(extra)
    return env


def items(stdout: str) -> dict[tuple[str, str], dict[str, Any]]:
    doc = json.loads(stdout)
    assert doc["kind"] == "List"
    return {
        (i["kind"], f"{i['metadata'].get('namespace', '')}/{i['metadata']['name']}".lstrip("/")): i
        for i in doc["items"]
    }


def test_quickstart_on_embedded_aws_prints_programmed_gateway() -> None:
    done = awsgw(
        "reconcile", "-f", str(QUICKSTART), "--aws", "embedded", "-o", "json", env=clean_env()
    )
    assert done.returncode == 0, done.stderr
    gw = items(done.stdout)[("Gateway", "shop/web")]["status"]
    assert condition(gw, "Programmed")["status"] == "True"
    assert gw["addresses"][0]["value"].endswith(".elb.amazonaws.com")
    assert "AWS calls:" in done.stderr


def test_bad_manifest_exits_2_naming_file_document_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n"
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
        "metadata: {name: web, namespace: a}\n"
        "spec:\n  gatewayClassName: alb\n  listeners:\n"
        "  - {name: http, port: 70000, protocol: HTTP}\n"
    )
    done = awsgw("reconcile", "-f", str(bad), "--aws", "embedded", env=clean_env())
    assert done.returncode == 2
    assert f"{bad}, document 2 (Gateway web): field spec.listeners[0].port" in done.stderr
    assert done.stdout == ""


def test_metadata_that_is_not_a_mapping_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: [web]\nspec: {}\n"
    )
    done = awsgw("reconcile", "-f", str(bad), "--aws", "embedded", env=clean_env())
    assert done.returncode == 2, done.stderr
    assert f"{bad}, document 1 (HTTPRoute): field metadata: must be a mapping" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_cluster_name_exits_2_before_any_aws_call() -> None:
    done = awsgw(
        "reconcile",
        "-f",
        str(QUICKSTART),
        env=clean_env(AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_REGION="us-east-1"),
    )
    assert done.returncode == 2
    assert "AWSGW_CLUSTER_NAME" in done.stderr


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


def test_against_a_moto_server_routes_and_repeats_with_zero_writes(moto_endpoint: str) -> None:
    vpc, _ = make_vpc(moto_endpoint, "prod")
    env = clean_env(
        AWS_ENDPOINT_URL=moto_endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWSGW_CLUSTER_NAME="prod",
        AWSGW_VPC_ID=vpc,
    )
    first = awsgw("reconcile", "-f", str(QUICKSTART), "-o", "json", env=env)
    assert first.returncode == 0, first.stderr
    route = items(first.stdout)[("HTTPRoute", "shop/store")]["status"]["parents"][0]
    assert condition(route, "Accepted")["status"] == "True"

    elbv2 = boto3.client(
        "elbv2",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    lb = elbv2.describe_load_balancers()["LoadBalancers"][0]
    listener = load_listeners(elbv2, lb["LoadBalancerArn"])[80]
    canary = listener.evaluate(
        Request("store.example.com", "/cart/1", headers=(("x-canary", "true"),))
    )
    assert [t[2] for t in canary.targets] == [["10.0.33.12:8080"]]
    moved = listener.evaluate(Request("old.example.com", "/a?b=c"))
    assert (moved.status, moved.location) == (301, "http://store.example.com/a?b=c")

    again = awsgw("reconcile", "-f", str(QUICKSTART), "-o", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert " 0 writes" in again.stderr

    explained = awsgw(
        "explain",
        "--gateway",
        "shop/web",
        "--host",
        "store.example.com",
        "--path",
        "/cart/1",
        "--header",
        "x-canary=true",
        env=env,
    )
    assert explained.returncode == 0, explained.stderr
    assert "forward (200)" in explained.stdout
    assert "10.0.33.12:8080" in explained.stdout
    moved = awsgw("explain", "--gateway", "shop/web", "--host", "old.example.com", env=env)
    assert "redirect 301 to http://store.example.com/" in moved.stdout
    missing = awsgw("explain", "--gateway", "shop/absent", env=env)
    assert missing.returncode == 1
    assert "no load balancer of cluster prod for Gateway shop/absent" in missing.stderr


def test_unreachable_aws_exits_1() -> None:
    env = clean_env(
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWSGW_CLUSTER_NAME="prod",
        AWSGW_VPC_ID="vpc-1",
        AWSGW_AWS_MAX_ATTEMPTS="1",
    )
    done = awsgw("reconcile", "-f", str(QUICKSTART), env=env)
    assert done.returncode == 1
    assert "error: AWS" in done.stderr


MESH = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: awsgw-lattice}
spec: {controllerName: awsgw.io/lattice}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: infra}
spec:
  gatewayClassName: awsgw-lattice
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: mesh}]}
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - matches: [{method: {service: echo.Echo, method: Say}}]
    backendRefs: [{name: inventory, port: 8080}]
"""


def test_lattice_on_embedded_aws_prints_routes_with_their_dns_name(tmp_path: Path) -> None:
    """Both providers of the registry: the Lattice example's HTTPRoute and a GRPCRoute on its
    Gateway (given an HTTPS listener), next to the ALB quickstart; each Lattice Route is
    printed with its status and its service's DNS name."""
    mesh = tmp_path / "mesh.yaml"
    mesh.write_text(MESH + "---\n" + yaml.safe_dump(self_signed_secret("infra", "mesh", ["*"])))
    done = awsgw(
        "reconcile", "-f", str(LATTICE / "inventory.yaml"), "-f", str(mesh), "-f", str(QUICKSTART),
        "--aws", "embedded", "-o", "json", env=clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = items(done.stdout)
    for kind, key in (("HTTPRoute", "shop/inventory"), ("GRPCRoute", "shop/echo")):
        route = found[(kind, key)]
        [parent] = route["status"]["parents"]
        assert parent["controllerName"] == "awsgw.io/lattice"
        accepted = condition(parent, "Accepted")
        dns = route["metadata"]["annotations"]["awsgw.io/lattice-dns"]
        assert accepted["status"] == "True" and dns and dns in accepted["message"], route
    assert (
        len(
            {
                found[k]["metadata"]["annotations"]["awsgw.io/lattice-dns"]
                for k in (("HTTPRoute", "shop/inventory"), ("GRPCRoute", "shop/echo"))
            }
        )
        == 2
    )
    for gw in ("infra/mesh", "shop/web"):
        assert condition(found[("Gateway", gw)]["status"], "Programmed")["status"] == "True"
    assert "annotations" not in found[("HTTPRoute", "shop/store")]["metadata"], "ALB: none"


PRODUCTION = ROOT / "examples" / "production"


def test_the_production_example_is_programmed_with_its_configuration(moto_endpoint: str) -> None:
    """examples/production against a moto server holding an issued certificate for the
    hostname: the class's defaults and the Gateway's own settings are on the ALB, the
    certificate is discovered, a repeat run makes zero writes."""
    vpc, _ = make_vpc(moto_endpoint, "prod")
    env = clean_env(
        AWS_ENDPOINT_URL=moto_endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWSGW_CLUSTER_NAME="prod",
        AWSGW_VPC_ID=vpc,
    )

    def client(name: str) -> Any:
        return boto3.client(
            name,
            endpoint_url=moto_endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    cert, key = self_signed_pem(("shop.example.com",))
    arn = client("acm").import_certificate(Certificate=cert.encode(), PrivateKey=key.encode())[
        "CertificateArn"]  # fmt: skip
    done = awsgw("reconcile", "-f", str(PRODUCTION), "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    found = items(done.stdout)
    gw = found[("Gateway", "shop/storefront")]["status"]
    assert condition(gw, "Programmed")["status"] == "True", gw
    https = next(ls for ls in gw["listeners"] if ls["name"] == "https")
    assert condition(https, "ResolvedRefs")["status"] == "True", https
    elbv2 = client("elbv2")
    [lb] = elbv2.describe_load_balancers()["LoadBalancers"]
    assert lb["Scheme"] == "internet-facing"
    attrs = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])[
            "Attributes"]
    }  # fmt: skip
    assert attrs["idle_timeout.timeout_seconds"] == "300", "the Gateway's own value wins"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true", "the class's"
    listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    [secure] = [ls for ls in listeners if ls["Port"] == 443]
    assert secure["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert secure["Certificates"][0]["CertificateArn"] == arn
    [tags] = elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"]
    values = {t["Key"]: t["Value"] for t in tags["Tags"]}
    assert (values["team"], values["cost-center"]) == ("shop", "platform")
    [tg] = elbv2.describe_target_groups()["TargetGroups"]
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"]) == ("/healthz", 10)
    policy = found[("TargetGroupPolicy", "shop/store")]["status"]["ancestors"][0]
    assert condition(policy, "Accepted")["status"] == "True", policy
    again = awsgw("reconcile", "-f", str(PRODUCTION), "-o", "json", env=env)
    assert again.returncode == 0 and " 0 writes" in again.stderr, again.stderr


GRPC_WORLD = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: awsgw-alb}
spec: {controllerName: awsgw.io/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: api, namespace: shop}
spec:
  gatewayClassName: awsgw-alb
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: api}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: shop}
spec:
  ports: [{name: grpc, port: 50051, targetPort: 50051}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: shop, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
ports: [{name: grpc, port: 50051}]
endpoints: [{addresses: [10.0.40.7]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: api}]
  hostnames: [api.example.com]
  rules:
  - matches: [{method: {service: echo.Echo, method: Say}}]
    backendRefs: [{name: echo, port: 50051}]
"""


def test_explain_grpc_evaluates_a_call_against_the_live_rules(
    moto_endpoint: str, tmp_path: Path
) -> None:
    vpc, _ = make_vpc(moto_endpoint, "prod")
    env = clean_env(
        AWS_ENDPOINT_URL=moto_endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWSGW_CLUSTER_NAME="prod",
        AWSGW_VPC_ID=vpc,
    )
    world = tmp_path / "grpc.yaml"
    secret = yaml.safe_dump(self_signed_secret("shop", "api", ["api.example.com"]))
    world.write_text(GRPC_WORLD + "---\n" + secret)
    done = awsgw("reconcile", "-f", str(world), "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    [parent] = items(done.stdout)[("GRPCRoute", "shop/echo")]["status"]["parents"]
    assert condition(parent, "Accepted")["status"] == "True", parent
    ask = ("explain", "--gateway", "shop/api", "--host", "api.example.com", "--grpc")
    said = awsgw(*ask, "echo.Echo/Say", env=env)
    assert said.returncode == 0, said.stderr
    assert "request: POST https://api.example.com:443/echo.Echo/Say" in said.stdout
    assert "content-type: application/grpc" in said.stdout
    assert "(GRPC) weight 1: 10.0.40.7:50051" in said.stdout, said.stdout
    other = awsgw(*ask, "echo.Echo/Other", env=env)
    assert "no rule (listener default action)" in other.stdout
    assert "answer 404" in other.stdout
    bad = awsgw(*ask, "echo.Echo", env=env)
    assert bad.returncode == 2 and "want SERVICE/METHOD" in bad.stderr


def test_listenerset_example_attaches_the_teams_listener_and_route() -> None:
    done = awsgw(
        "reconcile", "-f", str(ROOT / "examples" / "listenerset"), "--aws", "embedded",
        "-o", "json", env=clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = items(done.stdout)
    listener_set = found[("ListenerSet", "team/team-web")]["status"]
    assert condition(listener_set, "Accepted")["status"] == "True", listener_set
    assert condition(listener_set, "Programmed")["status"] == "True", listener_set
    assert listener_set["listeners"][0]["attachedRoutes"] == 1
    assert found[("Gateway", "platform/shared")]["status"]["attachedListenerSets"] == 1
    [parent] = found[("HTTPRoute", "team/web")]["status"]["parents"]
    assert parent["parentRef"]["kind"] == "ListenerSet"
    assert condition(parent, "Accepted")["status"] == "True"
