"""iam/policy.json is exactly what awsgw needs: every authorization AWS performs for the calls
of a fixed scenario is allowed, with the owner tag as condition; every permission is needed;
removing one or adding one fails. The scenario: an ALB Gateway created, changed, repaired
after drift and deleted (HTTP and HTTPS); an NLB Gateway (examples/nlb: TCP, TCP_UDP, TLS
Passthrough, HTTP on a chained ALB, plus TLS termination) changed, given Elastic IPs
(announced, then replaced) and deleted; a VPC Lattice Gateway likewise, with a second
cluster that adopts its service network and imports the Service the first one exports (then
the export is withdrawn, published again, withdrawn for good, and both clusters leave).

The whole test session is checked the same way at its end, by action (tests/install/plugin.py).
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from awsgw.cli import reconcile
from awsgw.embedded import make_vpc
from awsgw.kube.controller import Controller
from awsgw.providers.aws.common.network import find_vpc
from awsgw.providers.aws.common.session import RECORD_CALLS_ENV, Aws
from awsgw.providers.registry import Cloud
from awsgw.testing.moto import install
from tests.certs import self_signed_pem, self_signed_secret
from tests.install.iam import (
    CLUSTER_TAG,
    OPERATIONS,
    POLICIES,
    Request,
    allowed,
    check_needed,
    check_operations,
    check_requests,
    load_policy,
    operation_name,
    requests_for,
    statements,
    without,
)
from tests.install.plugin import NOT_THE_CONTROLLER, controller_operations
from tests.providers.aws.lattice.support import LATTICE_CLASS, Cluster, export, service_import
from tests.providers.aws.lattice.support import gateway as lattice_gateway
from tests.support import GATEWAY_CLASS, Harness, NlbHarness, condition, service

CLUSTER = "iam-check"
PEER = "iam-peer"
"""A second cluster sharing the account: it adopts the first one's service network."""
OWNER_KEYS = (f"aws:RequestTag/{CLUSTER_TAG}", f"aws:ResourceTag/{CLUSTER_TAG}")


def secret(name: str, hosts: list[str]) -> str:
    return "---\n" + yaml.safe_dump(self_signed_secret("shop", name, hosts))


def gateway(*listeners: str) -> str:
    all_listeners = {
        "http": "{name: http, port: 80, protocol: HTTP}",
        "https": "{name: https, port: 443, protocol: HTTPS, hostname: site.example.com, "
        "tls: {certificateRefs: [{name: site}]}}",
        "other": "{name: other, port: 443, protocol: HTTPS, hostname: other.example.com, "
        "tls: {certificateRefs: [{name: other}]}}",
    }
    items = "".join(f"\n  - {all_listeners[name]}" for name in listeners)
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: web, namespace: shop}}
spec:
  gatewayClassName: alb
  listeners:{items}
"""


def route(*rules: tuple[str, str]) -> str:
    items = "".join(
        f"\n  - matches: [{{path: {{type: PathPrefix, value: {path}}}}}]"
        f"\n    backendRefs: [{{name: {backend}, port: 8080}}]"
        for path, backend in rules
    )
    return f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: store, namespace: shop}}
spec:
  parentRefs: [{{name: web}}]
  rules:{items}
"""


CREATE = (
    GATEWAY_CLASS
    + gateway("http", "https", "other")
    + secret("site", ["site.example.com"])
    + secret("other", ["other.example.com"])
    + route(("/a", "svc-a"), ("/b", "svc-b"), ("/c", "svc-c"))
    + service("shop", "svc-a", 8080, ["10.0.1.10", "10.0.1.11"])
    + service("shop", "svc-b", 8080, ["10.0.1.20"])
    + service("shop", "svc-c", 8080, ["10.0.1.30"])
)
"""HTTP and HTTPS (two certificates: one default, one by SNI), three rules, three services."""
CHANGE = (
    GATEWAY_CLASS
    + gateway("https")
    + secret("site", ["site.example.com"])
    + route(("/c", "svc-c"), ("/a", "svc-b"))
    + service("shop", "svc-b", 8080, ["10.0.1.20"])
    + service("shop", "svc-c", 8080, ["10.0.1.31"])
)
"""The HTTP listener and the SNI certificate go, /b goes, /a moves to another backend and
behind /c, svc-a is unused, svc-c's endpoint changes."""
RENEW = CHANGE.replace(
    secret("site", ["site.example.com"]), secret("site", ["site.example.com", "www.example.com"])
)
"""The default certificate's Secret is renewed (apart from the SNI change: moto 5.2.5's
ModifyListener drops a listener's SNI certificates along with the default one)."""


@dataclass
class Scenario:
    requests: list[Request] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    unmodelled: set[str] = field(default_factory=set)
    by_cluster: dict[str, list[Request]] = field(default_factory=dict)
    """The requests of each cluster's calls (its owner tag value)."""

    def recorder(self, cluster: str, tags: Any) -> Any:
        """A ``before-parameter-build`` handler recording awsgw's calls for a cluster."""

        def record(event_name: str, params: dict[str, Any], **kwargs: Any) -> None:
            if not _made_by_awsgw():
                return
            _, service_id, op = event_name.split(".", 2)
            name = operation_name(service_id, op)
            self.operations.add(name)
            if name not in OPERATIONS:
                self.unmodelled.add(name)
                return
            found = requests_for(name, params, tags)
            self.requests.extend(found)
            self.by_cluster.setdefault(cluster, []).extend(found)

        return record


class Tags:
    """Tags of existing resources, read from moto with clients of their own (not recorded)."""

    def __init__(self) -> None:
        self.elbv2: Any = boto3.client("elbv2", region_name="us-east-1")
        self.ec2: Any = boto3.client("ec2", region_name="us-east-1")
        self.acm: Any = boto3.client("acm", region_name="us-east-1")
        self.lattice: Any = boto3.client("vpc-lattice", region_name="us-east-1")
        self.wafv2: Any = boto3.client("wafv2", region_name="us-east-1")
        self.shield: Any = boto3.client("shield", region_name="us-east-1")

    def __call__(self, arn: str) -> dict[str, str]:
        if ":elasticloadbalancing:" in arn:
            found = self.elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"]
            return {t["Key"]: t["Value"] for d in found for t in d.get("Tags", [])}
        if ":security-group/" in arn:
            group = arn.rsplit("/", 1)[1]
            found = self.ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]
            return {t["Key"]: t["Value"] for g in found for t in g.get("Tags", [])}
        if ":acm:" in arn:
            tags = self.acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
            return {t["Key"]: t.get("Value", "") for t in tags}
        if ":vpc-lattice:" in arn:
            return dict(self.lattice.list_tags_for_resource(resourceArn=arn).get("tags") or {})
        if ":wafv2:" in arn:
            found = self.wafv2.list_tags_for_resource(ResourceARN=arn)["TagInfoForResource"]
            return {t["Key"]: t["Value"] for t in found.get("TagList", [])}
        if ":shield:" in arn:
            tags = self.shield.list_tags_for_resource(ResourceARN=arn).get("Tags", [])
            return {t["Key"]: t["Value"] for t in tags}
        raise AssertionError(f"no tag reader for {arn}")


def _made_by_awsgw() -> bool:
    """Whether the call being built comes from awsgw code (not from this test)."""
    frame: Any = sys._getframe(2)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith(("botocore", "boto3", __name__)):
            return module.startswith("awsgw.")
        frame = frame.f_back
    return False


def run_scenario() -> Scenario:
    found = Scenario()
    vpc, subnets = make_vpc(None, CLUSTER)
    tags = Tags()
    h = Harness(CLUSTER, vpc)
    h.aws.session.events.register("before-parameter-build.*.*", found.recorder(CLUSTER, tags))
    created = h.run(CREATE)
    assert condition(created.statuses[("Gateway", "shop/web")], "Programmed")["status"] == "True"
    h.run(CHANGE)
    # drift made outside awsgw: the load balancer's security group swapped, one subnet's
    # role tag removed; the next pass repairs both (and renews the certificate)
    lb = h.lb("shop/web")
    default_sg = tags.ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    tags.elbv2.set_security_groups(
        LoadBalancerArn=lb["LoadBalancerArn"], SecurityGroups=[default_sg]
    )
    tags.ec2.delete_tags(Resources=[subnets[2]], Tags=[{"Key": "kubernetes.io/role/internal-elb"}])
    h.run(RENEW)
    assert h.aws.counter.write_calls().keys() >= {
        "elastic-load-balancing-v2:SetSecurityGroups",
        "elastic-load-balancing-v2:SetSubnets",
    }
    # a LoadBalancerConfiguration with every setting, then one with none (taken back)
    sg = tags.ec2.create_security_group(GroupName="corp", Description="corp", VpcId=vpc)
    acl = tags.wafv2.create_web_acl(
        Name="corp", Scope="REGIONAL", DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                          "MetricName": "corp"},
    )["Summary"]["ARN"]  # fmt: skip
    configured = h.run(configured_state({**CONFIGURATION, "securityGroups": [sg["GroupId"]],
                                         "wafv2WebACLArn": acl}))  # fmt: skip
    gw = configured.statuses[("Gateway", "shop/web")]
    assert condition(gw, "Programmed")["status"] == "True", gw
    h.run(configured_state({}))  # and a TargetGroupPolicy's settings, then taken back
    h.run(RENEW + TARGET_GROUP_POLICY)
    h.run(RENEW)
    h.run(GATEWAY_CLASS)  # the Gateway is gone: everything it owned goes
    run_nlb_scenario(found, tags, vpc)
    run_lattice_scenario(found, tags)
    return found


CONFIGURATION = {
    "ipAddressType": "dualstack",
    "attributes": {"idle_timeout.timeout_seconds": "120"},
    "tags": {"team": "shop"},
    "shieldAdvanced": True,
    "listeners": [{"port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}],
}
"""Every setting of a LoadBalancerConfiguration (the user's security group and web ACL
are added when they exist)."""


TARGET_GROUP_POLICY = """
---
apiVersion: awsgw.io/v1alpha1
kind: TargetGroupPolicy
metadata: {name: svc-c, namespace: shop}
spec:
  targetRefs: [{group: "", kind: Service, name: svc-c}]
  healthCheck: {path: /healthz}
  attributes: {deregistration_delay.timeout_seconds: "30"}
"""
"""A health check path and an attribute on svc-c's target group."""
LATTICE_POLICY = TARGET_GROUP_POLICY.replace("svc-c", "svc-b").replace(
    '  attributes: {deregistration_delay.timeout_seconds: "30"}\n', ""
)
"""A health check on svc-b's VPC Lattice target group (Lattice takes no attributes)."""


def configured_state(spec: dict[str, Any]) -> str:
    """RENEW with the Gateway's ``spec.infrastructure.parametersRef`` to a configuration."""
    ref = "  infrastructure: {parametersRef: {group: awsgw.io, kind: LoadBalancerConfiguration, "
    ref += "name: prod}}\n"
    doc = {"apiVersion": "awsgw.io/v1alpha1", "kind": "LoadBalancerConfiguration",
           "metadata": {"name": "prod", "namespace": "shop"}, "spec": spec}  # fmt: skip
    text = RENEW.replace(
        "  gatewayClassName: alb\n  listeners:", f"  gatewayClassName: alb\n{ref}  listeners:"
    )
    return text + "---\n" + yaml.safe_dump(doc)


NLB_EXAMPLE = "\n---\n".join(
    path.read_text().replace("awsgw-nlb", "nlb")
    for path in sorted((Path(__file__).parents[2] / "examples" / "nlb").glob("*.yaml"))
)
TERMINATE = (
    "  - name: broker\n    port: 9094\n    protocol: TLS\n"
    "    tls: {mode: Terminate, certificateRefs: [{name: broker}],\n"
    "          options: {awsgw.io/certificate-arns: 'ACM_ARN'}}\n"
)
"""A TLS listener presenting a Secret's certificate and one the account holds in ACM."""
BROKER = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: broker, namespace: data}
spec:
  parentRefs: [{name: edge, sectionName: broker}]
  rules:
  - backendRefs: [{name: postgres, port: 5432}]
"""


def nlb_state(acm_arn: str, *, http: bool = True, addresses: tuple[str, ...] = ()) -> str:
    """examples/nlb with a terminating TLS listener; without its HTTP listener (the chained
    ALB goes) and with Elastic IPs on demand."""
    text = NLB_EXAMPLE.replace("  - name: web\n    port: 80\n    protocol: HTTP\n",
                               ("  - name: web\n    port: 80\n    protocol: HTTP\n" if http
                                else "") + TERMINATE.replace("ACM_ARN", acm_arn))  # fmt: skip
    if addresses:
        entries = "".join(f"\n  - {{type: IPAddress, value: {ip}}}" for ip in addresses)
        text = text.replace("  gatewayClassName: nlb\n",
                            f"  gatewayClassName: nlb\n  addresses:{entries}\n")  # fmt: skip
    secret = "---\n" + yaml.safe_dump(self_signed_secret("data", "broker", ["kafka.example.com"]))
    return text + BROKER + secret


def run_nlb_scenario(found: Scenario, tags: Tags, vpc: str) -> None:
    h = NlbHarness(CLUSTER, vpc)
    h.aws.session.events.register("before-parameter-build.*.*", found.recorder(CLUSTER, tags))

    def programmed(text: str) -> dict[str, Any]:
        gw = h.run(text).statuses[("Gateway", "data/edge")]
        assert condition(gw, "Programmed")["status"] == "True", gw
        return gw

    cert, key = self_signed_pem(("kafka.example.com",))
    arn = tags.acm.import_certificate(Certificate=cert.encode(), PrivateKey=key.encode())[
        "CertificateArn"]  # fmt: skip
    programmed(nlb_state(arn))
    programmed(nlb_state(arn, http=False))  # the chained ALB goes
    eip = tags.ec2.allocate_address(Domain="vpc")["PublicIp"]
    announced = h.run(nlb_state(arn, http=False, addresses=(eip,)))
    gw = announced.statuses[("Gateway", "data/edge")]
    assert "replaced" in condition(gw, "Programmed")["message"], gw
    assert programmed(nlb_state(arn, http=False, addresses=(eip,)))["addresses"][0]["value"] == eip
    h.run(GATEWAY_CLASS)  # the NLB Gateway is gone: everything it owned goes
    assert h.owned() == {}
    tags.acm.delete_certificate(CertificateArn=arn)  # the account's own, never awsgw's


HTTPS = (
    "  - name: https\n    port: 443\n    protocol: HTTPS\n"
    "    tls: {certificateRefs: [{name: site}]}\n"
    "    allowedRoutes: {namespaces: {from: All}}\n"
)
HTTP = "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n"


def lattice_route(*rules: tuple[str, str]) -> str:
    """A Route with a custom domain (served with the HTTPS listener's certificate)."""
    return route(*rules).replace("  parentRefs: [{name: web}]", "  hostnames: [store.example.com]\n"
                                 "  parentRefs: [{name: mesh, namespace: infra}]")  # fmt: skip


def lattice_secret(*hosts: str) -> str:
    return "---\n" + yaml.safe_dump(self_signed_secret("infra", "site", list(hosts)))


LATTICE_BACKENDS = (
    service("shop", "svc-a", 8080, ["10.30.1.10"])
    + service("shop", "svc-b", 8080, ["10.30.1.20"])
    + service("shop", "svc-c", 8080, ["10.30.1.30"])
)
EXPORTING = (
    LATTICE_CLASS
    + lattice_gateway(listeners=HTTP + HTTPS)
    + lattice_secret("store.example.com")
    + lattice_route(("/a", "svc-a"), ("/b", "svc-b"))
    + LATTICE_BACKENDS
    + export("shop", "svc-c")
)
"""Cluster A: a service network (its VPC joined with a security group), a Route with a
custom domain on both listeners, and an exported Service."""
IMPORTING = (
    LATTICE_CLASS
    + lattice_gateway()
    + lattice_route(("/", "svc-c"))
    .replace(
        "{name: svc-c, port: 8080}",
        "{group: multicluster.x-k8s.io, kind: ServiceImport, name: svc-c, port: 8080}",
    )
    .replace("  hostnames: [store.example.com]\n", "")
    + service_import("shop", "svc-c", 8080)
)
"""Cluster B: its Gateway adopts A's service network (same name), its Route forwards to the
target group A exports."""
LATTICE_CHANGE = (
    LATTICE_CLASS
    + lattice_gateway(listeners=HTTPS)
    + lattice_secret("store.example.com", "www.example.com")
    + lattice_route(("/a", "svc-b"))
    + service("shop", "svc-b", 8080, ["10.30.1.21"])
    + service("shop", "svc-c", 8080, ["10.30.1.30"])
)
"""A: the HTTP listener goes, /b goes, /a moves to svc-b (whose endpoint changes), svc-a is
unused, the certificate is renewed, the export is withdrawn (B still forwards to it)."""


def run_lattice_scenario(found: Scenario, tags: Tags) -> None:
    vpc_a, _ = make_vpc(None, CLUSTER, cidr="10.30.0.0/16")
    vpc_b, _ = make_vpc(None, PEER, cidr="10.40.0.0/16")
    sg_1, sg_2 = (
        tags.ec2.create_security_group(GroupName=n, Description="clients", VpcId=vpc_a)["GroupId"]
        for n in ("lattice-1", "lattice-2")
    )
    a = Cluster(CLUSTER, vpc_a, security_groups=(sg_1,))
    b = Cluster(PEER, vpc_b)
    for c in (a, b):
        c.aws.session.events.register("before-parameter-build.*.*", found.recorder(c.name, tags))
    assert a.run(EXPORTING).failed == []
    imported = b.run(IMPORTING)
    assert imported.failed == []
    parent = imported.statuses[("HTTPRoute", "shop/store")]["parents"][0]
    assert condition(parent, "ResolvedRefs")["status"] == "True", parent
    # drift made outside awsgw: a listener's default action changed
    [svc] = [s for s in tags.lattice.list_services()["items"]
             if tags(s["arn"]).get("awsgw.io/cluster") == CLUSTER]  # fmt: skip
    for listener in tags.lattice.list_listeners(serviceIdentifier=svc["id"])["items"]:
        tags.lattice.update_listener(
            serviceIdentifier=svc["id"],
            listenerIdentifier=listener["id"],
            defaultAction={"fixedResponse": {"statusCode": 500}},
        )
    a.security_groups = (sg_2,)
    shaped = a.run(LATTICE_CHANGE + LATTICE_POLICY)
    assert shaped.failed == [], shaped.failed
    assert a.run(LATTICE_CHANGE).failed == []
    assert a.run(LATTICE_CHANGE + export("shop", "svc-c")).failed == []  # published again
    assert b.run(LATTICE_CLASS).failed == []  # B leaves: A's network stays
    assert a.run(LATTICE_CHANGE).failed == []  # withdrawn for good: nobody uses it now
    assert a.run(LATTICE_CLASS).failed == []  # A leaves: everything it owned goes
    assert a.run("").failed == []  # no Lattice class left: one tag-scoped read finds nothing
    assert tags.lattice.list_service_networks()["items"] == []
    assert tags.lattice.list_target_groups()["items"] == []


@pytest.fixture(scope="module")
def scenario() -> Iterator[Scenario]:
    with pytest.MonkeyPatch.context() as mp:
        for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWSGW_CLUSTER_NAME", "AWSGW_VPC_ID"):
            mp.delenv(key, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_REGION", "us-east-1")
        install()
        with mock_aws():
            yield run_scenario()


@pytest.fixture
def policy() -> dict[str, Any]:
    return load_policy()


def test_every_call_of_the_scenario_is_modelled_and_allowed(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    assert scenario.unmodelled == set()
    assert check_requests(policy, scenario.requests) == []


def test_every_statement_and_action_of_the_policy_is_needed(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    assert check_needed(policy, scenario.requests) == []
    assert check_operations(policy, scenario.operations, all_ran=True) == []


def _entries(key: str) -> list[tuple[int, str]]:
    out = []
    for i, st in enumerate(load_policy()["Statement"]):
        values = [st[key]] if isinstance(st[key], str) else st[key]
        out += [(i, v) for v in values]
    return out


@pytest.mark.parametrize(("index", "action"), _entries("Action"))
def test_removing_any_action_denies_a_call(
    scenario: Scenario, policy: dict[str, Any], index: int, action: str
) -> None:
    mutated = without(policy, index, "Action", action)
    denied = check_requests(mutated, scenario.requests)
    assert denied, f"removing {action} from statement {index} denied nothing"
    assert all(action in d for d in denied), denied


@pytest.mark.parametrize(("index", "resource"), _entries("Resource"))
def test_removing_any_resource_denies_a_call(
    scenario: Scenario, policy: dict[str, Any], index: int, resource: str
) -> None:
    assert check_requests(without(policy, index, "Resource", resource), scenario.requests)


@pytest.mark.parametrize(
    "needless",
    [
        ("ChangeOwnedResources", "elasticloadbalancing:ModifyCapacityReservation"),
        ("ChangeOwnedResources", "ec2:DeleteTags"),
        ("ChangeOwnedResources", "vpc-lattice:UpdateAccessLogSubscription"),
        ("Read", "acm:GetCertificate"),
        ("Read", "vpc-lattice:GetServiceNetwork"),
    ],
)
def test_a_needless_action_fails_the_checks(
    scenario: Scenario, policy: dict[str, Any], needless: tuple[str, str]
) -> None:
    sid, action = needless
    mutated = copy.deepcopy(policy)
    st = next(s for s in mutated["Statement"] if s["Sid"] == sid)
    st["Action"] = [*([st["Action"]] if isinstance(st["Action"], str) else st["Action"]), action]
    assert check_needed(mutated, scenario.requests) == [
        f"unused: statement {sid} grants Action {action}, not needed"
    ]
    problems = check_operations(mutated, scenario.operations, all_ran=True)
    assert problems == [f"iam/policy.json grants {action}, which no call of awsgw needs"]


def test_a_needless_statement_fails_the_checks(scenario: Scenario, policy: dict[str, Any]) -> None:
    mutated = copy.deepcopy(policy)
    mutated["Statement"].append(
        {"Sid": "Twice", "Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "*"}
    )
    assert check_needed(mutated, scenario.requests) == [  # either copy alone is enough
        "unused: statement Read grants Action ec2:DescribeSubnets, not needed",
        "unused: statement Twice grants Action ec2:DescribeSubnets, not needed",
        "unused: statement Twice grants Resource *, not needed",
    ]


def test_the_scenario_makes_every_lattice_call_awsgw_can_make(scenario: Scenario) -> None:
    """Every VPC Lattice operation the model knows ran (the policy is checked against all)."""
    lattice = {n for n in OPERATIONS if n.startswith("vpc-lattice:")}
    assert lattice <= scenario.operations, sorted(lattice - scenario.operations)


def _without_owner_tag(request: Request) -> Request:
    keys = tuple((k, v) for k, v in request.context if k not in OWNER_KEYS)
    return Request(request.operation, request.action, request.resource, keys)


def test_no_write_is_allowed_without_the_owner_tag(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    """A create whose request lacks the tag, and a change or delete of a resource that lacks
    it (another owner's), are denied; reads, the VPC side of CreateSecurityGroup and the
    service-linked role are the only grants that do not depend on it."""
    allowed_anyway = set()
    for request in scenario.requests:
        if allowed(policy, _without_owner_tag(request)):
            allowed_anyway.add(request.action if ":vpc/" not in request.resource else "vpc")
    reads = {
        a for a in allowed_anyway if a.partition(":")[2].startswith(("Describe", "Get", "List"))
    }
    # the user's web ACL carries no tag of ours: associating it is granted on the ALB side
    assert allowed_anyway - reads == {"vpc", "iam:CreateServiceLinkedRole", "wafv2:AssociateWebACL"}
    assert any(OWNER_KEYS[0] in r.keys for r in scenario.requests)
    assert any(OWNER_KEYS[1] in r.keys for r in scenario.requests)


REPLACE_FOR = "aws:RequestTag/awsgw.io/replace-for"
MANAGED = "aws:RequestTag/awsgw.io/managed"


def test_tagging_is_allowed_only_inside_a_create(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    """Besides the announcement that an owned NLB is replaced (its Elastic IPs changed: the
    tag ``awsgw.io/replace-for``) and a configuration's tags on owned resources (on a load
    balancer always with ``awsgw.io/managed``)."""
    tagging = [
        r
        for r in scenario.requests
        if (r.action in ("elasticloadbalancing:AddTags", "ec2:CreateTags")
            or (r.action == "vpc-lattice:TagResource" and r.operation != r.action))
        and r.operation != r.action
    ]  # fmt: skip
    marks = [r for r in scenario.requests
             if r.action == r.operation == "elasticloadbalancing:AddTags"]  # fmt: skip
    replacing = [r for r in marks if REPLACE_FOR in r.keys]
    assert replacing and all(":loadbalancer/" in r.resource for r in replacing), marks
    configured = [r for r in marks if REPLACE_FOR not in r.keys]
    assert configured and all(allowed(policy, r) for r in configured)
    for r in configured:
        on_lb = ":loadbalancer/" in r.resource
        assert not on_lb or MANAGED in r.keys, r
        assert on_lb or ":targetgroup/" in r.resource or ":listener/" in r.resource, r
    for r in (r for r in configured if ":loadbalancer/" in r.resource):
        other = tuple((k, v) for k, v in r.context if k != MANAGED)
        assert not allowed(policy, Request(r.operation, r.action, r.resource, other)), r
    for r in replacing:
        assert allowed(policy, r)
        other = tuple((k, v) for k, v in r.context if k != REPLACE_FOR)
        other += (("aws:RequestTag/awsgw.io/gateway", "someone/else"),)
        assert not allowed(policy, Request(r.operation, r.action, r.resource, other)), r
    assert {r.operation for r in tagging} == {
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateRule",
        "ec2:CreateSecurityGroup",
        "vpc-lattice:CreateServiceNetwork",
        "vpc-lattice:CreateService",
        "vpc-lattice:CreateListener",
        "vpc-lattice:CreateRule",
        "vpc-lattice:CreateTargetGroup",
        "vpc-lattice:CreateServiceNetworkVpcAssociation",
        "vpc-lattice:CreateServiceNetworkServiceAssociation",
    }
    for r in tagging:
        direct = tuple((k, v) for k, v in r.context if not k.endswith(":CreateAction"))
        assert not allowed(policy, Request(r.action, r.action, r.resource, direct)), r


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_policy_document_shape(path: Path) -> None:
    policy = load_policy(path)
    assert policy["Version"] == "2012-10-17"
    sids = [st["Sid"] for st in statements(policy)]
    assert len(sids) == len(set(sids))
    compact = json.dumps(policy, separators=(",", ":"))
    assert len(compact) <= 6144, "IAM managed policies hold 6,144 characters"
    for st in statements(policy):
        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        assert all("*" not in a for a in actions), "name every action: no wildcards"
        if st["Resource"] == "*":
            reads = ("Describe", "Get", "List")  # reads only: what is read is not changed
            assert all(a.split(":")[1].startswith(reads) for a in actions), st
            assert "Condition" not in st


def test_the_session_check_catches_a_missing_and_an_unused_permission(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    ops = scenario.operations
    assert check_operations(policy, ops, all_ran=True) == []
    index = next(i for i, st in enumerate(statements(policy)) if st["Sid"].startswith("Change"))
    no_subnets = without(policy, index, "Action", "elasticloadbalancing:SetSubnets")
    assert check_operations(no_subnets, ops, all_ran=False) == [
        "awsgw calls elasticloadbalancing:SetSubnets, which needs "
        "elasticloadbalancing:SetSubnets: not in iam/policy.json"
    ]
    assert check_operations(policy, ops - {"elasticloadbalancing:SetSubnets"}, all_ran=True) == [
        "iam/policy.json grants elasticloadbalancing:SetSubnets, which no call of awsgw needs"
    ]
    assert check_operations(policy, ops - {"elasticloadbalancing:SetSubnets"}, all_ran=False) == []
    new = check_operations(policy, {"elasticloadbalancing:ModifyCapacityReservation"}, False)
    assert new and "does not model" in new[0]


def test_the_recorder_keeps_the_calls_of_controller_code_only(
    aws_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv(RECORD_CALLS_ENV, str(calls))
    aws = Aws.create(max_attempts=1)
    assert find_vpc(aws, aws_env.cluster) == aws_env.vpc_id  # awsgw code: DescribeSubnets
    aws.client("ec2").describe_vpcs()  # this test's own call
    lines = calls.read_text().splitlines()
    assert lines == [
        "ec2:DescribeSubnets awsgw.providers.aws.common.network",
        f"ec2:DescribeVpcs {__name__}",
    ]
    assert controller_operations([*lines, "elastic-load-balancing-v2:Creat"]) == {
        "ec2:DescribeSubnets"
    }


def _pinned(cluster: str) -> dict[str, Any]:
    """iam/README.md's sed line: the owner-tag conditions name one cluster."""
    documents = [
        json.loads(re.sub(r'awsgw\.io/cluster": "\*"', f'awsgw.io/cluster": "{cluster}"',
                          path.read_text()))
        for path in POLICIES
    ]  # fmt: skip
    return {"Version": "2012-10-17", "Statement": [st for d in documents for st in d["Statement"]]}


def test_pinning_the_policy_to_one_cluster_denies_every_other_owner(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    assert set(scenario.by_cluster) == {CLUSTER, PEER}

    def other_owner(r: Request) -> Request:
        keys = tuple((k, "other" if k in OWNER_KEYS else v) for k, v in r.context)
        return Request(r.operation, r.action, r.resource, keys)

    for cluster, requests in scenario.by_cluster.items():
        pinned = _pinned(cluster)
        assert pinned != policy
        assert check_requests(pinned, requests) == [], cluster
        owned = [r for r in requests if set(OWNER_KEYS) & set(r.keys)]
        assert owned and all(allowed(policy, other_owner(r)) for r in owned)
        reads = ("Describe", "Get", "List")
        writes = [
            r
            for r in owned
            if not r.action.partition(":")[2].startswith(reads) and ":vpc/" not in r.resource
        ]
        assert writes and not any(allowed(pinned, other_owner(r)) for r in writes), cluster


def test_adopted_networks_and_imported_groups_need_no_tag_of_this_cluster(
    scenario: Scenario,
) -> None:
    """The peer joins a service network another cluster created (its tag is not the peer's)
    and its rules forward to a target group another cluster exports: under a policy pinned
    to the peer both are allowed, because VPC Lattice authorizes an association on the
    network with the request's tags (the new association is the peer's) and a rule's forward
    targets not at all."""
    pinned = _pinned(PEER)
    peer = scenario.by_cluster[PEER]
    joined = [
        r
        for r in peer
        if r.operation.endswith(("VpcAssociation", "ServiceAssociation"))
        and r.operation.split(":")[1].startswith("Create")
        and ":servicenetwork/" in r.resource
    ]
    assert joined and all(r.keys[f"aws:ResourceTag/{CLUSTER_TAG}"] == CLUSTER for r in joined)
    assert all(allowed(pinned, r) for r in joined)
    # ... but a service of another owner is never associated: that needs the peer's tag on it
    service = next(
        r
        for r in peer
        if r.operation == "vpc-lattice:CreateServiceNetworkServiceAssociation"
        and ":service/" in r.resource
    )
    other = tuple((k, CLUSTER if k == OWNER_KEYS[1] else v) for k, v in service.context)
    foreign = Request(service.operation, service.action, service.resource, other)
    assert allowed(pinned, service) and not allowed(pinned, foreign)
    rules = [r for r in peer if r.operation in ("vpc-lattice:CreateRule",)]
    assert rules and all(":targetgroup/" not in r.resource for r in rules)


def test_the_controller_and_reconcile_build_every_provider_of_the_registry() -> None:
    """iam/policy.json covers the providers `awsgw run` and `awsgw reconcile` build: both take
    them from the registry, and every provider module's calls are checked (only the test
    aids and the request evaluators are left out)."""
    assert "cloud.providers" in inspect.getsource(Controller.__init__)
    assert "build_providers" in inspect.getsource(Cloud.providers)
    assert "build_providers" in inspect.getsource(reconcile)
    lines = [
        "vpc-lattice:CreateService awsgw.providers.aws.lattice.services",
        "vpc-lattice:ListTargets awsgw.providers.aws.lattice.targets",
        "vpc-lattice:GetRule awsgw.providers.aws.lattice.evaluate",
        "elastic-load-balancing-v2:DescribeRules awsgw.providers.aws.alb.evaluate",
    ]
    assert controller_operations(lines) == {"vpc-lattice:CreateService", "vpc-lattice:ListTargets"}
    assert "awsgw.providers.aws.lattice.evaluate" in NOT_THE_CONTROLLER
