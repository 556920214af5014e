"""How AWS authorizes each call awsgw makes, and an evaluator for ``iam/policy.json``.

The model writes down, for exactly the API operations awsgw calls, what the Service
Authorization Reference ("Actions, resources, and condition keys for Elastic Load Balancing
V2", "... for Amazon EC2", "... for AWS Certificate Manager", "... for Amazon VPC Lattice",
"... for Resource Group Tagging"), the Elastic Load Balancing guide ("Elastic Load Balancing
API permissions", "API permissions to tag resources during creation") and the VPC Lattice
guide ("Amazon VPC Lattice API permissions", "Identity-based policies", "Using
service-linked roles") say:

- the IAM action of the operation, the resource it is authorized against (``*`` when the
  action has no resource type) and the condition keys of the request: ``aws:RequestTag/*``
  from the tags the request carries, ``aws:ResourceTag/*`` from the tags the resource has;
- tag-on-create: a create carrying tags is authorized a second time as
  ``elasticloadbalancing:AddTags`` (with ``elasticloadbalancing:CreateAction``),
  ``ec2:CreateTags`` (with ``ec2:CreateAction``), ``vpc-lattice:TagResource`` (with
  ``vpc-lattice:CreateAction``) or ``acm:AddTagsToCertificate`` (ACM has no create-action
  key) on the new resource;
- actions a service checks on the caller's behalf: CreateLoadBalancer needs EC2 describes and
  ``iam:CreateServiceLinkedRole``; CreateTargetGroup, RegisterTargets and SetSubnets need EC2
  describes; VPC Lattice's first create makes its own service-linked role, and it describes
  the VPC (and security groups) of a VPC association, the VPC of a target group and the
  instances and VPC of targets.

VPC Lattice specifics (its reference, resource types and condition keys):

- identifiers in requests are IDs (``sn-``, ``svc-``, ``listener-``, ``rule-``, ``tg-``,
  ``snva-``, ``snsa-``) or ARNs; listeners and rules are authorized as
  ``service/<id>/listener/<id>[/rule/<id>]``;
- BatchUpdateRule is authorized as ``vpc-lattice:UpdateRule`` on each rule;
- creating an association is authorized on the association and on what it joins: a
  service-network VPC association on the service network, a service-network service
  association on the service network and on the service (with their ``aws:ResourceTag/*``:
  an adopted network carries no tag of ours, or another cluster's);
- a rule's forward targets are not authorized as resources (only the ``TargetGroupArns`` key
  names them), so an importer's rules may forward to another cluster's target groups;
- single-valued service keys are modelled (``vpc-lattice:VpcId``, ``ServiceNetworkArn``,
  ``ServiceArn``, ``AuthType``, ``Protocol``); the list-valued ``TargetGroupArns``,
  ``SecurityGroupIds`` and ``aws:TagKeys`` are not (the policy uses none of them).

An operation awsgw calls that is missing here fails the permission checks: add it here and
to iam/policy.json in the same change.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "iam" / "policy.json"
CONFIGURATION_POLICY = ROOT / "iam" / "policy-configuration.json"
POLICIES = (POLICY, CONFIGURATION_POLICY)
"""The controller's policy and what ``LoadBalancerConfiguration`` settings add (two managed
policies: each holds at most 6,144 characters)."""
CLUSTER_TAG = "awsgw.io/cluster"
REGION = "us-east-1"
ACCOUNT = "123456789012"
IAM_PREFIX = {
    "elastic-load-balancing-v2": "elasticloadbalancing",
    "ec2": "ec2",
    "acm": "acm",
    "vpc-lattice": "vpc-lattice",
    "resource-groups-tagging-api": "tag",
    "wafv2": "wafv2",
    "shield": "shield",
}
"""botocore service ids (the middle of ``before-call.<id>.<Operation>``) to IAM prefixes."""
SLR_ARN = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
    "AWSServiceRoleForElasticLoadBalancing"
)
LATTICE_SLR_ARN = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/vpc-lattice.amazonaws.com/"
    "AWSServiceRoleForVpcLattice"
)

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Request:
    """One authorization AWS performs for a call."""

    operation: str
    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()

    @property
    def keys(self) -> dict[str, str]:
        return dict(self.context)

    def __str__(self) -> str:
        via = "" if self.action == self.operation else f" (for {self.operation})"
        keys = ", ".join(f"{k}={v}" for k, v in self.context) or "no condition keys"
        return f"{self.action} on {self.resource}{via} [{keys}]"


def _elb(resource: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:{resource}"


def _lb_kind(params: Params) -> str:
    """The ARN infix of a new load balancer: ``app`` or ``net``."""
    return "net" if params.get("Type") == "network" else "app"


def _child(parent: str, kind: str) -> str:
    """The ARN of a resource about to be created under ``parent`` (not known yet)."""
    sep = ":loadbalancer/" if kind == "listener" else ":listener/"
    head, _, path = parent.partition(sep)
    return f"{head}:{kind}/{path}/new"


def _tag_list(params: Params) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in params.get("Tags") or []}


def _tag_specifications(params: Params) -> dict[str, str]:
    return {t["Key"]: t["Value"] for s in params.get("TagSpecifications") or [] for t in s["Tags"]}


def _sg(params: Params) -> list[str]:
    return [f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{params['GroupId']}"]


@dataclass(frozen=True)
class Operation:
    """How one API operation is authorized."""

    resources: Callable[[Params], list[str]] | None = None
    """ARNs the action is authorized against; None: the action has no resource type."""
    created: Callable[[Params], str] | None = None
    """The new resource of a create (tag-on-create is authorized against it)."""
    tags: Callable[[Params], dict[str, str]] | None = None
    """The tags the request carries (aws:RequestTag/*)."""
    tag_action: tuple[str, str] | None = None
    """Tag-on-create: (action, create-action condition key or "")."""
    dependent: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = ()
    """(action, resource, condition keys) the service checks on the caller's behalf."""
    also: Callable[[Params], list[str]] = field(default=lambda params: [])
    """More resources the same action is authorized against (CreateSecurityGroup: the VPC)."""
    action: str | None = None
    """The IAM action, when it is not named like the operation (BatchUpdateRule)."""
    keys: Callable[[Params], list[tuple[str, str]]] = field(default=lambda params: [])
    """Service-specific condition keys of the request (``vpc-lattice:VpcId``, ...)."""
    behalf: tuple[tuple[str, Callable[[Params], list[str]]], ...] = ()
    """(action, resources) another service checks on the caller's behalf, against resources
    of the request (AssociateWebACL: ``elasticloadbalancing:SetWebACL`` on the ALB)."""


def _describes(*names: str) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    return tuple((f"ec2:{n}", "*", ()) for n in names)


_ELB_TAG = ("elasticloadbalancing:AddTags", "elasticloadbalancing:CreateAction")
_LATTICE_TAG = ("vpc-lattice:TagResource", "vpc-lattice:CreateAction")
_LATTICE_TYPES = {
    "sn": "servicenetwork",
    "svc": "service",
    "tg": "targetgroup",
    "snva": "servicenetworkvpcassociation",
    "snsa": "servicenetworkserviceassociation",
}


def _lattice(resource: str) -> str:
    return f"arn:aws:vpc-lattice:{REGION}:{ACCOUNT}:{resource}"


def _id(identifier: str) -> str:
    """The ID in an identifier that is an ID or an ARN."""
    return identifier.rsplit("/", 1)[-1]


def _arn(identifier: str) -> str:
    """The ARN of a top-level VPC Lattice resource given by ID or ARN."""
    if identifier.startswith("arn:"):
        return identifier
    return _lattice(f"{_LATTICE_TYPES[identifier.split('-', 1)[0]]}/{identifier}")


def _listener(p: Params) -> str:
    return f"{_arn(p['serviceIdentifier'])}/listener/{_id(p['listenerIdentifier'])}"


def _in(key: str, param: str, arn: bool = False) -> Callable[[Params], list[tuple[str, str]]]:
    """A condition key taken from a request parameter (when the request has it)."""

    def keys(p: Params) -> list[tuple[str, str]]:
        if param not in p:
            return []
        return [(f"vpc-lattice:{key}", _arn(p[param]) if arn else str(p[param]))]

    return keys


def _lattice_tags(p: Params) -> dict[str, str]:
    return dict(p.get("tags") or {})


_LATTICE_SLR = (
    "iam:CreateServiceLinkedRole",
    LATTICE_SLR_ARN,
    (("iam:AWSServiceName", "vpc-lattice.amazonaws.com"),),
)


def _lattice_create(
    created: Callable[[Params], str],
    resources: Callable[[Params], list[str]] | None = None,
    keys: Callable[[Params], list[tuple[str, str]]] = lambda p: [],
    dependent: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (),
) -> Operation:
    """A VPC Lattice create: authorized on the new resource (and on what it joins), tagged
    in the call itself (``vpc-lattice:TagResource`` with ``vpc-lattice:CreateAction``)."""
    return Operation(
        resources=resources or (lambda p: [created(p)]),
        created=created,
        tags=_lattice_tags,
        tag_action=_LATTICE_TAG,
        keys=keys,
        dependent=dependent,
    )


OPERATIONS: dict[str, Operation] = {
    # ---- Elastic Load Balancing V2: reads (no resource-level permissions needed)
    **{
        f"elasticloadbalancing:{name}": Operation()
        for name in (
            "DescribeListenerCertificates",
            "DescribeListeners",
            "DescribeLoadBalancers",
            "DescribeRules",
            "DescribeTags",
            "DescribeTargetGroups",
            "DescribeTargetHealth",
        )
    },
    # ---- creates: tagged in the create call itself
    "elasticloadbalancing:CreateLoadBalancer": Operation(
        resources=lambda p: [_elb(f"loadbalancer/{_lb_kind(p)}/{p['Name']}/new")],
        created=lambda p: _elb(f"loadbalancer/{_lb_kind(p)}/{p['Name']}/new"),
        tags=_tag_list,
        tag_action=_ELB_TAG,
        dependent=(
            *_describes(
                "DescribeAccountAttributes",
                "DescribeAddresses",
                "DescribeInternetGateways",
                "DescribeSecurityGroups",
                "DescribeSubnets",
                "DescribeVpcs",
            ),
            (
                "iam:CreateServiceLinkedRole",
                SLR_ARN,
                (("iam:AWSServiceName", "elasticloadbalancing.amazonaws.com"),),
            ),
        ),
    ),
    "elasticloadbalancing:CreateTargetGroup": Operation(
        resources=lambda p: [_elb(f"targetgroup/{p['Name']}/new")],
        created=lambda p: _elb(f"targetgroup/{p['Name']}/new"),
        tags=_tag_list,
        tag_action=_ELB_TAG,
        dependent=_describes("DescribeInternetGateways", "DescribeVpcs"),
    ),
    # which ARN a child create is checked against (the parent's, the new one's) is not
    # spelled out: the model checks both, so the policy must grant both
    "elasticloadbalancing:CreateListener": Operation(
        resources=lambda p: [p["LoadBalancerArn"], _child(p["LoadBalancerArn"], "listener")],
        created=lambda p: _child(p["LoadBalancerArn"], "listener"),
        tags=_tag_list,
        tag_action=_ELB_TAG,
    ),
    "elasticloadbalancing:CreateRule": Operation(
        resources=lambda p: [p["ListenerArn"], _child(p["ListenerArn"], "listener-rule")],
        created=lambda p: _child(p["ListenerArn"], "listener-rule"),
        tags=_tag_list,
        tag_action=_ELB_TAG,
    ),
    # ---- tags on an existing load balancer (an NLB marked for replacement)
    "elasticloadbalancing:AddTags": Operation(
        resources=lambda p: p["ResourceArns"], tags=_tag_list
    ),
    "elasticloadbalancing:RemoveTags": Operation(resources=lambda p: p["ResourceArns"]),
    # ---- changes and deletes of existing resources: their tags are in the context
    **{
        f"elasticloadbalancing:{name}": Operation(resources=lambda p: [p["LoadBalancerArn"]])
        for name in (
            "SetSecurityGroups",
            "DeleteLoadBalancer",
            "ModifyLoadBalancerAttributes",
            "SetIpAddressType",
        )
    },
    "elasticloadbalancing:DescribeLoadBalancerAttributes": Operation(),
    "elasticloadbalancing:DescribeTargetGroupAttributes": Operation(),
    **{
        f"elasticloadbalancing:{name}": Operation(resources=lambda p: [p["TargetGroupArn"]])
        for name in ("ModifyTargetGroup", "ModifyTargetGroupAttributes")
    },
    # ---- WAF ("Actions, resources, and condition keys for AWS WAF V2"; the WAF guide's
    # "Permissions for AssociateWebACL": on an ALB, ELB checks SetWebACL too)
    "wafv2:GetWebACLForResource": Operation(resources=lambda p: [p["ResourceArn"]]),
    "wafv2:AssociateWebACL": Operation(
        resources=lambda p: [p["WebACLArn"], p["ResourceArn"]],
        behalf=(("elasticloadbalancing:SetWebACL", lambda p: [p["ResourceArn"]]),),
    ),
    "wafv2:DisassociateWebACL": Operation(
        resources=lambda p: [p["ResourceArn"]],
        behalf=(("elasticloadbalancing:SetWebACL", lambda p: [p["ResourceArn"]]),),
    ),
    # ---- Shield ("Actions, resources, and condition keys for AWS Shield"): a protection
    # found by the resource it protects has no resource type of its own
    "shield:DescribeProtection": Operation(),
    "shield:CreateProtection": Operation(
        resources=lambda p: [f"arn:aws:shield::{ACCOUNT}:protection/new"],
        created=lambda p: f"arn:aws:shield::{ACCOUNT}:protection/new",
        tags=_tag_list,
        tag_action=("shield:TagResource", ""),
    ),
    "shield:DeleteProtection": Operation(
        resources=lambda p: [f"arn:aws:shield::{ACCOUNT}:protection/{p['ProtectionId']}"]
    ),
    "elasticloadbalancing:SetSubnets": Operation(
        resources=lambda p: [p["LoadBalancerArn"]], dependent=_describes("DescribeSubnets")
    ),
    **{
        f"elasticloadbalancing:{name}": Operation(resources=lambda p: [p["TargetGroupArn"]])
        for name in ("DeregisterTargets", "DeleteTargetGroup")
    },
    "elasticloadbalancing:RegisterTargets": Operation(
        resources=lambda p: [p["TargetGroupArn"]],
        dependent=_describes(
            "DescribeInstances", "DescribeInternetGateways", "DescribeSubnets", "DescribeVpcs"
        ),
    ),
    **{
        f"elasticloadbalancing:{name}": Operation(resources=lambda p: [p["ListenerArn"]])
        for name in (
            "ModifyListener",
            "DeleteListener",
            "AddListenerCertificates",
            "RemoveListenerCertificates",
        )
    },
    **{
        f"elasticloadbalancing:{name}": Operation(resources=lambda p: [p["RuleArn"]])
        for name in ("ModifyRule", "DeleteRule")
    },
    "elasticloadbalancing:SetRulePriorities": Operation(
        resources=lambda p: [r["RuleArn"] for r in p["RulePriorities"]]
    ),
    # ---- EC2
    "ec2:DescribeSubnets": Operation(),
    "ec2:DescribeAddresses": Operation(),
    "ec2:DescribeSecurityGroups": Operation(),
    "ec2:CreateSecurityGroup": Operation(
        resources=lambda p: [f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/new"],
        created=lambda p: f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/new",
        tags=_tag_specifications,
        tag_action=("ec2:CreateTags", "ec2:CreateAction"),
        also=lambda p: [f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{p['VpcId']}"],
    ),
    **{
        f"ec2:{name}": Operation(resources=_sg)
        for name in (
            "AuthorizeSecurityGroupIngress",
            "RevokeSecurityGroupIngress",
            "DeleteSecurityGroup",
        )
    },
    # ---- Resource Groups Tagging API: no resource type ("Actions, resources, and condition
    # keys for Resource Group Tagging")
    "tag:GetResources": Operation(),
    # ---- ACM
    "acm:ListCertificates": Operation(),
    "acm:DescribeCertificate": Operation(resources=lambda p: [p["CertificateArn"]]),
    "acm:ListTagsForCertificate": Operation(resources=lambda p: [p["CertificateArn"]]),
    "acm:ImportCertificate": Operation(
        resources=lambda p: [f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/new"],
        created=lambda p: f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/new",
        tags=_tag_list,
        tag_action=("acm:AddTagsToCertificate", ""),
    ),
    "acm:DeleteCertificate": Operation(resources=lambda p: [p["CertificateArn"]]),
    # ---- VPC Lattice: lists (no resource type, except ListTargets: the target group)
    **{
        f"vpc-lattice:{name}": Operation()
        for name in (
            "ListServiceNetworks",
            "ListServices",
            "ListTargetGroups",
            "ListTagsForResource",
        )
    },
    "vpc-lattice:ListServiceNetworkVpcAssociations": Operation(
        keys=lambda p: [
            *_in("VpcId", "vpcIdentifier")(p),
            *_in("ServiceNetworkArn", "serviceNetworkIdentifier", arn=True)(p),
        ]
    ),
    "vpc-lattice:ListServiceNetworkServiceAssociations": Operation(
        keys=lambda p: [
            *_in("ServiceArn", "serviceIdentifier", arn=True)(p),
            *_in("ServiceNetworkArn", "serviceNetworkIdentifier", arn=True)(p),
        ]
    ),
    "vpc-lattice:ListListeners": Operation(),
    "vpc-lattice:ListRules": Operation(),
    "vpc-lattice:ListTargets": Operation(resources=lambda p: [_arn(p["targetGroupIdentifier"])]),
    # ---- reads of one resource (resource-level)
    "vpc-lattice:GetService": Operation(resources=lambda p: [_arn(p["serviceIdentifier"])]),
    "vpc-lattice:GetListener": Operation(resources=lambda p: [_listener(p)]),
    "vpc-lattice:GetRule": Operation(
        resources=lambda p: [f"{_listener(p)}/rule/{_id(p['ruleIdentifier'])}"]
    ),
    "vpc-lattice:GetServiceNetworkVpcAssociation": Operation(
        resources=lambda p: [_arn(p["serviceNetworkVpcAssociationIdentifier"])]
    ),
    "vpc-lattice:GetTargetGroup": Operation(resources=lambda p: [_arn(p["targetGroupIdentifier"])]),
    # ---- creates: tagged in the call; the first one makes the service-linked role
    "vpc-lattice:CreateServiceNetwork": _lattice_create(
        lambda p: _lattice("servicenetwork/new"),
        keys=_in("AuthType", "authType"),
        dependent=(_LATTICE_SLR,),
    ),
    "vpc-lattice:CreateService": _lattice_create(
        lambda p: _lattice("service/new"),
        keys=_in("AuthType", "authType"),
        dependent=(_LATTICE_SLR,),
    ),
    "vpc-lattice:CreateListener": _lattice_create(
        lambda p: f"{_arn(p['serviceIdentifier'])}/listener/new", keys=_in("Protocol", "protocol")
    ),
    "vpc-lattice:CreateRule": _lattice_create(lambda p: f"{_listener(p)}/rule/new"),
    "vpc-lattice:CreateTargetGroup": _lattice_create(
        lambda p: _lattice("targetgroup/new"),
        keys=lambda p: [("vpc-lattice:VpcId", p["config"]["vpcIdentifier"])],
        dependent=(*_describes("DescribeVpcs"), _LATTICE_SLR),
    ),
    # an association is authorized on what it joins too: the network may be adopted (not
    # ours), the service is ours
    "vpc-lattice:CreateServiceNetworkVpcAssociation": _lattice_create(
        lambda p: _lattice("servicenetworkvpcassociation/new"),
        resources=lambda p: [
            _arn(p["serviceNetworkIdentifier"]),
            _lattice("servicenetworkvpcassociation/new"),
        ],
        keys=lambda p: [
            *_in("ServiceNetworkArn", "serviceNetworkIdentifier", arn=True)(p),
            *_in("VpcId", "vpcIdentifier")(p),
        ],
        dependent=_describes("DescribeSecurityGroups", "DescribeVpcs"),
    ),
    "vpc-lattice:CreateServiceNetworkServiceAssociation": _lattice_create(
        lambda p: _lattice("servicenetworkserviceassociation/new"),
        resources=lambda p: [
            _arn(p["serviceIdentifier"]),
            _arn(p["serviceNetworkIdentifier"]),
            _lattice("servicenetworkserviceassociation/new"),
        ],
        keys=lambda p: [
            *_in("ServiceArn", "serviceIdentifier", arn=True)(p),
            *_in("ServiceNetworkArn", "serviceNetworkIdentifier", arn=True)(p),
        ],
    ),
    # ---- changes and deletes of existing resources: their tags are in the context
    **{
        f"vpc-lattice:{name}": Operation(resources=lambda p: [_arn(p["serviceIdentifier"])])
        for name in ("UpdateService", "DeleteService")
    },
    "vpc-lattice:DeleteServiceNetwork": Operation(
        resources=lambda p: [_arn(p["serviceNetworkIdentifier"])]
    ),
    **{
        f"vpc-lattice:{name}": Operation(resources=lambda p: [_listener(p)])
        for name in ("UpdateListener", "DeleteListener")
    },
    "vpc-lattice:DeleteRule": Operation(
        resources=lambda p: [f"{_listener(p)}/rule/{_id(p['ruleIdentifier'])}"]
    ),
    "vpc-lattice:BatchUpdateRule": Operation(
        action="vpc-lattice:UpdateRule",
        resources=lambda p: [f"{_listener(p)}/rule/{_id(r['ruleIdentifier'])}" for r in p["rules"]],
    ),
    "vpc-lattice:UpdateServiceNetworkVpcAssociation": Operation(
        resources=lambda p: [_arn(p["serviceNetworkVpcAssociationIdentifier"])],
        dependent=_describes("DescribeSecurityGroups"),
    ),
    "vpc-lattice:DeleteServiceNetworkVpcAssociation": Operation(
        resources=lambda p: [_arn(p["serviceNetworkVpcAssociationIdentifier"])]
    ),
    "vpc-lattice:DeleteServiceNetworkServiceAssociation": Operation(
        resources=lambda p: [_arn(p["serviceNetworkServiceAssociationIdentifier"])]
    ),
    "vpc-lattice:RegisterTargets": Operation(
        resources=lambda p: [_arn(p["targetGroupIdentifier"])],
        dependent=_describes("DescribeInstances", "DescribeVpcs"),
    ),
    **{
        f"vpc-lattice:{name}": Operation(resources=lambda p: [_arn(p["targetGroupIdentifier"])])
        for name in ("DeregisterTargets", "DeleteTargetGroup", "UpdateTargetGroup")
    },
    # tagging an existing resource (an export withdrawn, then published again)
    "vpc-lattice:TagResource": Operation(
        resources=lambda p: [p["resourceArn"]], tags=_lattice_tags
    ),
    "vpc-lattice:UntagResource": Operation(resources=lambda p: [p["resourceArn"]]),
}


def operation_name(service_id: str, operation: str) -> str:
    """``elastic-load-balancing-v2``, ``CreateRule`` → ``elasticloadbalancing:CreateRule``."""
    return f"{IAM_PREFIX.get(service_id, service_id)}:{operation}"


def required_actions(name: str) -> set[str]:
    """Every IAM action one call of the operation needs (itself, tag-on-create, dependents)."""
    op = OPERATIONS[name]
    actions = {op.action or name, *(a for a, _, _ in op.dependent), *(a for a, _ in op.behalf)}
    if op.tag_action:
        actions.add(op.tag_action[0])
    return actions


def requests_for(
    name: str, params: Params, tags_of: Callable[[str], dict[str, str]]
) -> list[Request]:
    """The authorizations AWS performs for one call with these parameters; ``tags_of`` reads
    the tags an existing resource has right before the call."""
    op = OPERATIONS[name]
    action = op.action or name
    carried = op.tags(params) if op.tags else {}
    request_keys = [(f"aws:RequestTag/{k}", v) for k, v in sorted(carried.items())]
    service_keys = op.keys(params)
    out = []
    for arn in [*(op.resources(params) if op.resources else ["*"]), *op.also(params)]:
        keys = [*request_keys, *service_keys]
        if arn != "*" and not arn.endswith("/new") and ":vpc/" not in arn:
            keys += [(f"aws:ResourceTag/{k}", v) for k, v in sorted(tags_of(arn).items())]
        out.append(Request(name, action, arn, tuple(keys)))
    if op.tag_action and op.created and carried:
        action, key = op.tag_action
        extra = [(key, name.split(":", 1)[1])] if key else []
        out.append(Request(name, action, op.created(params), tuple(request_keys + extra)))
    out += [Request(name, action, arn, keys) for action, arn, keys in op.dependent]
    for action, resources in op.behalf:
        for arn in resources(params):
            tags = [(f"aws:ResourceTag/{k}", v) for k, v in sorted(tags_of(arn).items())]
            out.append(Request(name, action, arn, tuple(tags)))
    return out


# ---------------------------------------------------------------------------- the evaluator
def load_policy(path: Path | None = None) -> dict[str, Any]:
    """One policy file, or (no path) every policy of ``POLICIES`` as one: their statements
    together, as IAM evaluates the managed policies of one role."""
    if path is not None:
        policy: dict[str, Any] = json.loads(path.read_text())
        return policy
    documents = [json.loads(p.read_text()) for p in POLICIES]
    statements = [st for doc in documents for st in doc["Statement"]]
    return {"Version": documents[0]["Version"], "Statement": statements}


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def statements(policy: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for st in policy["Statement"]:
        unsupported = {"NotAction", "NotResource", "Principal", "NotPrincipal"} & set(st)
        if unsupported:
            raise ValueError(f"statement {st.get('Sid')}: {sorted(unsupported)} not modelled")
        out.append(st)
    return out


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda have, want: have == want,
    "StringLike": fnmatchcase,
}


def _conditions_hold(condition: Mapping[str, Mapping[str, Any]], keys: dict[str, str]) -> bool:
    for operator, block in condition.items():
        if operator not in _OPERATORS:
            raise ValueError(f"condition operator {operator} is not modelled")
        test = _OPERATORS[operator]
        for key, wanted in block.items():
            have = keys.get(key)  # a missing key never matches (no ...IfExists here)
            if have is None or not any(test(have, w) for w in _list(wanted)):
                return False
    return True


def _resource_matches(resource: str, patterns: list[str]) -> bool:
    if resource == "*":  # an action without resource type: only Resource "*" grants it
        return "*" in patterns
    return any(fnmatchcase(resource, p) for p in patterns)


def matching_statements(policy: Mapping[str, Any], request: Request) -> list[int]:
    """Indexes of the statements that grant the request (explicit Deny is not used)."""
    found = []
    for i, st in enumerate(statements(policy)):
        if st["Effect"] != "Allow":
            raise ValueError(f"statement {st.get('Sid')}: only Allow is modelled")
        if not any(fnmatchcase(request.action, a) for a in _list(st["Action"])):
            continue
        if not _resource_matches(request.resource, _list(st["Resource"])):
            continue
        if _conditions_hold(st.get("Condition", {}), request.keys):
            found.append(i)
    return found


def allowed(policy: Mapping[str, Any], request: Request) -> bool:
    return bool(matching_statements(policy, request))


def granted_actions(policy: Mapping[str, Any]) -> set[str]:
    """Every Action entry of the policy (patterns kept as written)."""
    return {a for st in statements(policy) for a in _list(st["Action"])}


# ---------------------------------------------------------------------------- the checks
def check_requests(policy: Mapping[str, Any], requests: Iterable[Request]) -> list[str]:
    """Problems: a request the policy denies."""
    return [f"denied: {r}" for r in requests if not allowed(policy, r)]


def without(policy: Mapping[str, Any], index: int, key: str, value: str) -> dict[str, Any]:
    """A copy of the policy with one Action or Resource entry of one statement taken out
    (the statement too, when that was its last)."""
    mutated = copy.deepcopy(dict(policy))
    st = mutated["Statement"][index]
    kept = [v for v in _list(st[key]) if v != value]
    if kept:
        st[key] = kept
    else:
        del mutated["Statement"][index]
    return mutated


def check_needed(policy: Mapping[str, Any], requests: Iterable[Request]) -> list[str]:
    """Problems: an Action or Resource entry that no request needs (without it, every
    request is still allowed), duplicates included."""
    requests = list(requests)
    problems = []
    for i, st in enumerate(statements(policy)):
        sid = st.get("Sid", f"#{i}")
        for key in ("Action", "Resource"):
            for value in _list(st[key]):
                if not check_requests(without(policy, i, key, value), requests):
                    problems.append(f"unused: statement {sid} grants {key} {value}, not needed")
    return problems


def check_operations(
    policy: Mapping[str, Any], operations: Iterable[str], all_ran: bool
) -> list[str]:
    """Action-level check of the operations a test run performed: each needs actions the
    policy grants; on a run of every test, each granted action must be needed by one."""
    problems = []
    needed: set[str] = set()
    granted = granted_actions(policy)
    for name in sorted(set(operations)):
        if name not in OPERATIONS:
            problems.append(
                f"awsgw calls {name}, which tests/install/iam.py does not model: add it there "
                "and to iam/policy.json"
            )
            continue
        for action in sorted(required_actions(name)):
            needed.add(action)
            if not any(fnmatchcase(action, g) for g in granted):
                problems.append(f"awsgw calls {name}, which needs {action}: not in iam/policy.json")
    if all_ran:
        for action in sorted(granted):
            if not any(fnmatchcase(n, action) for n in needed):
                problems.append(f"iam/policy.json grants {action}, which no call of awsgw needs")
    return problems
