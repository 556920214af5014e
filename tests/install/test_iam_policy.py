"""iam/policy.json is exactly what awsgw needs: every authorization AWS performs for the calls
of a fixed scenario (create, change, drift repair, delete; HTTP and HTTPS) is allowed, with the
owner tag as condition; every permission is needed; removing one or adding one fails.

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

from awsgw.embedded import make_vpc
from awsgw.kube.controller import Controller
from awsgw.providers.aws.network import find_vpc
from awsgw.providers.aws.session import RECORD_CALLS_ENV, Aws
from awsgw.testing.moto import install
from tests.conformance.certs import self_signed_secret
from tests.install.iam import (
    CLUSTER_TAG,
    OPERATIONS,
    POLICY,
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
from tests.install.plugin import NOT_IN_THE_CONTROLLER_YET, controller_operations
from tests.support import GATEWAY_CLASS, Harness, condition, service

CLUSTER = "iam-check"
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


class Tags:
    """Tags of existing resources, read from moto with clients of their own (not recorded)."""

    def __init__(self) -> None:
        self.elbv2: Any = boto3.client("elbv2", region_name="us-east-1")
        self.ec2: Any = boto3.client("ec2", region_name="us-east-1")
        self.acm: Any = boto3.client("acm", region_name="us-east-1")

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

    def record(event_name: str, params: dict[str, Any], **kwargs: Any) -> None:
        if not _made_by_awsgw():
            return
        _, service_id, op = event_name.split(".", 2)
        name = operation_name(service_id, op)
        found.operations.add(name)
        if name not in OPERATIONS:
            found.unmodelled.add(name)
            return
        found.requests.extend(requests_for(name, params, tags))

    h.aws.session.events.register("before-parameter-build.*.*", record)
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
    h.run(GATEWAY_CLASS)  # the Gateway is gone: everything it owned goes
    return found


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
    for i, st in enumerate(json.loads(POLICY.read_text())["Statement"]):
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
        ("ChangeOwnedLoadBalancerResources", "elasticloadbalancing:ModifyLoadBalancerAttributes"),
        ("ChangeOwnedSecurityGroups", "ec2:DeleteTags"),
        ("Read", "acm:DescribeCertificate"),
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
    reads = {a for a in allowed_anyway if a.partition(":")[2].startswith(("Describe", "List"))}
    assert allowed_anyway - reads == {"vpc", "iam:CreateServiceLinkedRole"}
    assert any(OWNER_KEYS[0] in r.keys for r in scenario.requests)
    assert any(OWNER_KEYS[1] in r.keys for r in scenario.requests)


def test_tagging_is_allowed_only_inside_a_create(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    tagging = [
        r
        for r in scenario.requests
        if r.action in ("elasticloadbalancing:AddTags", "ec2:CreateTags")
    ]
    assert {r.operation.split(":")[1] for r in tagging} == {
        "CreateLoadBalancer",
        "CreateTargetGroup",
        "CreateListener",
        "CreateRule",
        "CreateSecurityGroup",
    }
    for r in tagging:
        direct = tuple((k, v) for k, v in r.context if not k.endswith(":CreateAction"))
        assert not allowed(policy, Request(r.action, r.action, r.resource, direct)), r


def test_policy_document_shape(policy: dict[str, Any]) -> None:
    assert policy["Version"] == "2012-10-17"
    sids = [st["Sid"] for st in statements(policy)]
    assert len(sids) == len(set(sids))
    compact = json.dumps(policy, separators=(",", ":"))
    assert len(compact) <= 6144, "IAM managed policies hold 6,144 characters"
    for st in statements(policy):
        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
        assert all("*" not in a for a in actions), "name every action: no wildcards"
        if st["Resource"] == "*":
            assert all(a.split(":")[1].startswith(("Describe", "List")) for a in actions), st
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
    new = check_operations(policy, {"elasticloadbalancing:ModifyLoadBalancerAttributes"}, False)
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
        "ec2:DescribeSubnets awsgw.providers.aws.network",
        f"ec2:DescribeVpcs {__name__}",
    ]
    assert controller_operations([*lines, "elastic-load-balancing-v2:Creat"]) == {
        "ec2:DescribeSubnets"
    }


def test_pinning_the_policy_to_one_cluster_denies_every_other_owner(
    scenario: Scenario, policy: dict[str, Any]
) -> None:
    """iam/README.md's sed line: the owner-tag conditions name one cluster."""
    text = POLICY.read_text()
    pinned = json.loads(
        re.sub(r'awsgw\.io/cluster": "\*"', f'awsgw.io/cluster": "{CLUSTER}"', text)
    )
    assert pinned != policy
    assert check_requests(pinned, scenario.requests) == []

    def other_owner(r: Request) -> Request:
        keys = tuple((k, "other" if k in OWNER_KEYS else v) for k, v in r.context)
        return Request(r.operation, r.action, r.resource, keys)

    owned = [r for r in scenario.requests if set(OWNER_KEYS) & set(r.keys)]
    assert owned and all(allowed(policy, other_owner(r)) for r in owned)
    reads = ("Describe", "List")
    writes = [
        r
        for r in owned
        if not r.action.partition(":")[2].startswith(reads) and ":vpc/" not in r.resource
    ]
    assert writes and not any(allowed(pinned, other_owner(r)) for r in writes)


def test_the_controller_builds_no_provider_the_policy_leaves_out() -> None:
    """iam/policy.json covers the providers `awsgw run` builds. The VPC Lattice provider is
    left out of the checks until the controller builds it: then its permissions belong here
    (a policy of its own, attached when the lattice GatewayClass is enabled)."""
    source = inspect.getsource(Controller._providers)
    assert "AlbProvider" in source
    for module in NOT_IN_THE_CONTROLLER_YET:
        provider = module.rsplit(".", 1)[1].capitalize() + "Provider"
        assert provider not in source and "build_providers" not in source, (
            f"`awsgw run` now builds {provider}: model its AWS operations in "
            "tests/install/iam.py, grant them in iam/, and drop it from NOT_IN_THE_CONTROLLER_YET"
        )
