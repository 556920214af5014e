"""awsgw's own kinds (``awsgw.io/v1alpha1``): what the Gateway API's extension points name.

``LoadBalancerConfiguration`` is what a Gateway's ``spec.infrastructure.parametersRef`` (or
its GatewayClass's ``spec.parametersRef``) points at. The object keeps its ``spec`` as read,
so that a malformed one is still known (and its Gateway told why); ``LoadBalancerSettings``
is the typed shape that spec must have, checked when a Gateway uses it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, JsonValue, model_validator

from awsgw.objects.meta import K8sModel, KubeObject, Port

AWSGW_GROUP = "awsgw.io"
LOAD_BALANCER_CONFIGURATION = "LoadBalancerConfiguration"


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
