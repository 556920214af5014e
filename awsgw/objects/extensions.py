"""awsgw's own kinds (``awsgw.io/v1alpha1``): what the Gateway API's extension points name.

``LoadBalancerConfiguration`` is what a Gateway's ``spec.infrastructure.parametersRef`` (or
its GatewayClass's ``spec.parametersRef``) points at; ``TargetGroupPolicy`` is a direct
policy (GEP-713) on Services. Each object keeps its ``spec`` as read, so that a malformed one
is still known (and told why); ``LoadBalancerSettings`` and ``TargetGroupSettings`` are the
typed shapes those specs must have, checked when they are used.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, JsonValue, model_validator

from awsgw.objects.meta import K8sModel, KubeObject, Port

AWSGW_GROUP = "awsgw.io"
LOAD_BALANCER_CONFIGURATION = "LoadBalancerConfiguration"
TARGET_GROUP_POLICY = "TargetGroupPolicy"


class StrictModel(K8sModel):
    """camelCase like every object, but an unknown field is an error, not kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SubnetSelection(StrictModel):
    """Subnets by ID, or every subnet of the VPC carrying all these tags (one of the two)."""

    ids: Annotated[list[str], Field(min_length=1, max_length=16)] | None = None
    tags: Annotated[dict[str, str], Field(min_length=1, max_length=10)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SubnetSelection:
        if (self.ids is None) == (self.tags is None):
            raise ValueError("give exactly one of ids and tags")
        return self


class ListenerSettings(StrictModel):
    port: Port
    ssl_policy: Annotated[str, Field(pattern=r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")] | None = None
    alpn_policy: (
        Literal["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"] | None
    ) = None


SecurityGroupId = Annotated[str, Field(pattern=r"^sg-[0-9a-f]{8,17}$")]
WebAclArn = Annotated[
    str, Field(pattern=r"^arn:aws(-cn|-us-gov)?:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/.+$")
]


class LoadBalancerSettings(StrictModel):
    """What a ``LoadBalancerConfiguration`` may say (every field optional)."""

    scheme: Literal["internal", "internet-facing"] | None = None
    ip_address_type: Literal["ipv4", "dualstack"] | None = None
    subnets: SubnetSelection | None = None
    security_groups: Annotated[list[SecurityGroupId], Field(max_length=4)] | None = None
    attributes: dict[str, str] | None = None
    tags: Annotated[dict[str, str], Field(max_length=40)] | None = None
    wafv2_web_acl_arn: WebAclArn | None = Field(default=None, alias="wafv2WebACLArn")
    shield_advanced: bool | None = None
    listeners: Annotated[list[ListenerSettings], Field(max_length=64)] | None = None


class LoadBalancerConfiguration(KubeObject):
    spec: dict[str, JsonValue] = Field(default_factory=dict)


class PolicyTargetReference(StrictModel):
    """GEP-713 ``LocalPolicyTargetReferenceWithSectionName``: a Service, optionally one of
    its ports by name."""

    group: str = ""
    kind: str
    name: Annotated[str, Field(min_length=1, max_length=253)]
    section_name: str | None = None


class HealthCheckMatcher(StrictModel):
    http_code: Annotated[str, Field(pattern=r"^[0-9]{3}([,-][0-9]{3})*$")] | None = None
    grpc_code: Annotated[str, Field(pattern=r"^[0-9]{1,2}([,-][0-9]{1,2})*$")] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> HealthCheckMatcher:
        if (self.http_code is None) == (self.grpc_code is None):
            raise ValueError("give exactly one of httpCode and grpcCode")
        return self


class HealthCheckSettings(StrictModel):
    """Ranges as the ELBv2 API reference gives them (``CreateTargetGroup``)."""

    enabled: bool | None = None
    protocol: Literal["HTTP", "HTTPS", "TCP"] | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    path: Annotated[str, Field(pattern=r"^/", max_length=1024)] | None = None
    interval_seconds: Annotated[int, Field(ge=5, le=300)] | None = None
    timeout_seconds: Annotated[int, Field(ge=2, le=120)] | None = None
    healthy_threshold_count: Annotated[int, Field(ge=2, le=10)] | None = None
    unhealthy_threshold_count: Annotated[int, Field(ge=2, le=10)] | None = None
    matcher: HealthCheckMatcher | None = None


class TargetGroupSettings(StrictModel):
    """What a ``TargetGroupPolicy`` may say."""

    target_refs: Annotated[list[PolicyTargetReference], Field(min_length=1, max_length=16)]
    target_type: Literal["ip", "instance"] | None = None
    protocol: Literal["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"] | None = None
    protocol_version: Literal["HTTP1", "HTTP2", "GRPC"] | None = None
    health_check: HealthCheckSettings | None = None
    attributes: dict[str, str] | None = None


class TargetGroupPolicy(KubeObject):
    spec: dict[str, JsonValue] = Field(default_factory=dict)
