"""Step after step, every kind of write the providers issue: at each step a plan lists
exactly the write calls the reconcile after it sends, and sends none itself (ACM imports
and deletes, SNI certificates, target group health checks and attributes, load balancer
attributes and tags, a scheme change announced then replaced, an NLB's chained ALB made and
removed, Elastic IP addresses, VPC Lattice exports, withdrawals and services)."""

from __future__ import annotations

from types import SimpleNamespace

import yaml

from awsgw.providers.aws.common.session import Aws
from tests.certs import self_signed_secret
from tests.conftest import MotoVpc
from tests.preview.support import World, plan_then_reconcile
from tests.providers.aws.alb.test_acm_certificates import ROUTE
from tests.providers.aws.alb.test_certificates import gateway as https_gateway
from tests.providers.aws.elbv2.test_configuration import FULL, user_group, web_acl
from tests.providers.aws.elbv2.test_configuration import configuration as lb_configuration
from tests.providers.aws.elbv2.test_configuration import gateway as config_gateway
from tests.providers.aws.elbv2.test_target_group_policy import HEALTH, policy
from tests.providers.aws.lattice.support import LATTICE_CLASS, export, gateway
from tests.providers.aws.nlb.test_provider import BACKENDS, HTTP_GATEWAY, TCP_ROUTE
from tests.providers.aws.nlb.test_provider import _with_addresses as with_addresses
from tests.support import GATEWAY_CLASS, NLB_CLASS, objects, service


def steps(world: World, *states: str) -> list[int]:
    """Plan then reconcile each state: the writes of each step."""
    return [plan_then_reconcile(world, objects(state)) for state in states]


def secret(ns: str, name: str, hosts: list[str]) -> str:
    return "---\n" + yaml.safe_dump(self_signed_secret(ns, name, hosts))


HTTP_GATEWAY_ALB = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop, annotations: {awsgw.io/scheme: SCHEME}}
spec:
  gatewayClassName: alb
  infrastructure: {parametersRef: {group: awsgw.io, kind: LoadBalancerConfiguration, name: lb}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules: [{backendRefs: [{name: app, port: 80}]}]
"""


def configuration(idle: str, team: str) -> str:
    doc = {
        "apiVersion": "awsgw.io/v1alpha1",
        "kind": "LoadBalancerConfiguration",
        "metadata": {"name": "lb", "namespace": "shop"},
        "spec": {"attributes": {"idle_timeout.timeout_seconds": idle}, "tags": {"team": team}},
    }
    return "---\n" + yaml.safe_dump(doc)


def test_certificates_from_secrets_are_planned_as_reconcile_imports_and_rotates_them(
    aws_env: MotoVpc,
) -> None:
    site = secret("shop", "site", ["site.example.com"])
    other = secret("shop", "other", ["other.example.com"])
    rotated = secret("shop", "other", ["other.example.com", "www.other.example.com"])
    writes = steps(
        World(aws_env),
        GATEWAY_CLASS + https_gateway() + site + other,
        GATEWAY_CLASS + https_gateway() + site + other,
        GATEWAY_CLASS + https_gateway() + site + rotated,
        GATEWAY_CLASS,
    )
    assert writes[0] > 0 and writes[1] == 0 and writes[2] > 0 and writes[3] > 0


def test_policies_configurations_and_a_scheme_change_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    app = service("shop", "app", 80, ["10.0.1.1", "10.0.1.2"])
    base = GATEWAY_CLASS + app
    internal = HTTP_GATEWAY_ALB.replace("SCHEME", "internal")
    public = HTTP_GATEWAY_ALB.replace("SCHEME", "internet-facing")
    writes = steps(
        World(aws_env),
        base + internal + configuration("120", "shop"),
        base + internal + configuration("300", "web") + policy(HEALTH),
        base + internal + configuration("300", "web"),
        base + public + configuration("300", "web"),  # announced
        base + public + configuration("300", "web"),  # replaced
        base + public + configuration("300", "web"),
    )
    assert writes[-1] == 0 and all(writes[:-1])


def test_an_nlb_with_a_chained_alb_and_its_removal_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    tcp_only = HTTP_GATEWAY.replace("  - {name: web, port: 80, protocol: HTTP}\n", "")
    writes = steps(
        World(aws_env),
        NLB_CLASS + HTTP_GATEWAY + BACKENDS,
        NLB_CLASS + tcp_only + BACKENDS,
        NLB_CLASS + HTTP_GATEWAY + BACKENDS,
        NLB_CLASS + HTTP_GATEWAY + TCP_ROUTE.replace("edge", "mixed") + BACKENDS,
        NLB_CLASS + BACKENDS,
    )
    assert all(writes)


def test_lattice_exports_and_services_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    route = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs: [{name: cart, port: 80}]
"""
    cart = service("shop", "cart", 80, ["10.0.4.1", "10.0.4.2"])
    mesh = LATTICE_CLASS + gateway() + cart
    writes = steps(
        World(aws_env),
        mesh + route + export("shop", "cart"),
        mesh + route.replace("/cart", "/basket") + export("shop", "cart"),
        mesh + route,
        mesh,
        LATTICE_CLASS,
    )
    assert all(writes)


def test_every_load_balancer_setting_is_planned_as_reconcile_makes_it(aws_env: MotoVpc) -> None:
    """Security groups and subnets of the user's, attributes, tags, a web ACL, Shield, an
    SSL policy and dual stack; then each changed or dropped; then the Gateway gone."""
    aws = Aws.create(max_attempts=1)
    sg = user_group(SimpleNamespace(aws=aws), aws_env.vpc_id)
    acl = web_acl(SimpleNamespace(aws=aws))
    full = {**FULL, "securityGroups": [sg], "wafv2WebACLArn": acl, "ipAddressType": "dualstack",
            "subnets": {"ids": list(aws_env.subnet_ids[:2])}}  # fmt: skip
    less = {"scheme": "internet-facing", "tags": {"team": "web"},
            "attributes": {"idle_timeout.timeout_seconds": "60"}}  # fmt: skip
    base = GATEWAY_CLASS + config_gateway() + ROUTE
    writes = steps(
        World(aws_env),
        base + lb_configuration(full),
        base + lb_configuration(full),
        base + lb_configuration(less),
        GATEWAY_CLASS,
    )
    assert writes[0] and writes[1] == 0 and writes[2] and writes[3]


def test_elastic_ips_and_their_change_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    ec2 = Aws.create(max_attempts=1).client("ec2")
    first, second = ec2.allocate_address(Domain="vpc"), ec2.allocate_address(Domain="vpc")
    state = NLB_CLASS + with_addresses(first["PublicIp"]) + TCP_ROUTE + BACKENDS
    changed = NLB_CLASS + with_addresses(second["PublicIp"]) + TCP_ROUTE + BACKENDS
    writes = steps(World(aws_env), state, changed, changed, changed)
    assert writes[0] and writes[1] and writes[2] and writes[3] == 0
