"""Step after step, every kind of write the providers issue: at each step a plan lists
exactly the write calls the reconcile after it sends, and sends none itself (ACM imports
and deletes, SNI certificates, target group health checks and attributes, load balancer
attributes and tags, a scheme change announced then replaced, an NLB's chained ALB made and
removed, Elastic IP addresses, VPC Lattice exports, withdrawals and services)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

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
from tests.providers.aws.lattice.test_grpc_tls import BACKENDS as GRPC_BACKENDS
from tests.providers.aws.lattice.test_grpc_tls import GRPC_ROUTE, HTTP, HTTPS, SECRET
from tests.providers.aws.lattice.test_target_group_policy import policy as lattice_policy
from tests.providers.aws.lattice.test_tls_routes import BACKENDS as TLS_BACKENDS
from tests.providers.aws.lattice.test_tls_routes import TLS, tls_route
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


RANKED = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ranked, namespace: shop}
spec:
  parentRefs: [{name: web}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /aaa}}]
    backendRefs: [{name: app, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /bb}}]
    backendRefs: [{name: app, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /c}}]
    backendRefs: [{name: app, port: 80}]
"""


def test_rules_reordered_removed_and_targets_gone_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    gateway_ = HTTP_GATEWAY_ALB.replace("SCHEME", "internal").split(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute"
    )[0]
    base = GATEWAY_CLASS + gateway_.replace(
        "  infrastructure: {parametersRef: {group: awsgw.io, kind: LoadBalancerConfiguration, "
        "name: lb}}\n",
        "",
    )
    app = service("shop", "app", 80, ["10.0.1.1", "10.0.1.2", "10.0.1.3"])
    fewer = service("shop", "app", 80, ["10.0.1.1"])
    writes = steps(
        World(aws_env),
        base + RANKED + app,
        base + RANKED.replace("/c}", "/cccc}") + fewer,  # a rule rewritten, one moved
        base
        + RANKED.replace(
            "  - matches: [{path: {type: PathPrefix, value: /bb}}]\n"
            "    backendRefs: [{name: app, port: 80}]\n",
            "",
        )
        + fewer,
        base + fewer,
    )
    assert all(writes)


def web_policy(spec: dict[str, Any]) -> str:
    """A TargetGroupPolicy on the Service ``web``."""
    return lattice_policy(spec).replace("name: v1", "name: web")


def test_lattice_tls_policies_tags_and_security_groups_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    spec = {"healthCheck": {"path": "/healthz", "intervalSeconds": 10}}
    mesh = gateway(listeners=HTTPS + HTTP).replace(
        "  gatewayClassName: lattice\n",
        "  gatewayClassName: lattice\n  infrastructure: {parametersRef: {group: awsgw.io, "
        "kind: LoadBalancerConfiguration, name: prod}}\n",
    )

    def tagged(team: str) -> str:
        return lb_configuration({"tags": {"team": team}}).replace(
            "namespace: shop", "namespace: infra"
        )

    route = GRPC_ROUTE.replace("  parentRefs:", "  hostnames: [echo.example.com]\n  parentRefs:")
    state = LATTICE_CLASS + mesh + SECRET + GRPC_BACKENDS + route
    rotated = "---\n" + yaml.safe_dump(
        self_signed_secret("infra", "site", ["*.example.com", "example.com"])
    )
    world = World(aws_env, ("sg-11111111",))
    writes = steps(world, state + tagged("mesh"))
    world.lattice_security_groups = ("sg-22222222",)
    policy_changed = web_policy({"healthCheck": {"path": "/ready"}})
    writes += steps(
        world,
        state + tagged("platform") + web_policy(spec),
        state.replace(SECRET, rotated) + tagged("platform") + policy_changed,
        LATTICE_CLASS,
    )
    assert all(writes)


def test_lattice_listeners_rules_groups_and_tags_going_are_planned_as_reconcile_makes_them(
    aws_env: MotoVpc,
) -> None:
    """A TLS passthrough service's weights (its listener's default action), rules and a
    listener removed, a target group without targets retired, an export withdrawn and
    published again, a configuration's tags removed."""
    vault = tls_route(
        "vault",
        "[vault.example.com]",
        "[{name: vault, port: 8200, weight: 3}, {name: vault-canary, port: 8200, weight: 1}]",
    )
    both = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: web, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /b}}]
    backendRefs: [{name: empty, port: 80}]
"""
    one = both.split("  - matches: [{path: {type: PathPrefix, value: /b}}]")[0].replace(
        "[{name: mesh, namespace: infra}]", "[{name: mesh, namespace: infra, sectionName: http}]"
    )  # a rule and the HTTPS listener of its service go
    listeners = TLS.replace("port: 443", "port: 8443") + HTTPS + HTTP
    mesh = gateway(listeners=listeners).replace(
        "  gatewayClassName: lattice\n",
        "  gatewayClassName: lattice\n  infrastructure: {parametersRef: {group: awsgw.io, "
        "kind: LoadBalancerConfiguration, name: prod}}\n",
    )
    tags = lb_configuration({"tags": {"team": "mesh", "tier": "1"}})
    fewer_tags = lb_configuration({"tags": {"team": "mesh"}})
    backends = TLS_BACKENDS + service("shop", "web", 80, ["10.0.5.1"])
    backends += service("shop", "empty", 80, [])
    base = LATTICE_CLASS + mesh + SECRET + backends
    writes = steps(
        World(aws_env),
        base + tags.replace("namespace: shop", "namespace: infra") + vault + both
        + export("shop", "web"),
        base + fewer_tags.replace("namespace: shop", "namespace: infra")
        + vault.replace("weight: 3", "weight: 1") + one,
        base + fewer_tags.replace("namespace: shop", "namespace: infra") + vault + one
        + export("shop", "web"),
        LATTICE_CLASS,
    )  # fmt: skip
    assert all(writes)
