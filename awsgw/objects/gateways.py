"""GatewayClass and Gateway (``gateway.networking.k8s.io/v1``), and the references they
share with Routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from awsgw.objects.meta import GATEWAY_GROUP, K8sModel, KubeObject, Port

# ---------------------------------------------------------------- Gateway API: shared


class ParentReference(K8sModel):
    group: str = GATEWAY_GROUP
    kind: str = "Gateway"
    namespace: str | None = None
    name: str
    section_name: str | None = None
    port: Port | None = None


class LocalObjectReference(K8sModel):
    group: str = ""
    kind: str
    name: str


class SecretObjectReference(K8sModel):
    group: str = ""
    kind: str = "Secret"
    name: str
    namespace: str | None = None


# ---------------------------------------------------------------- GatewayClass


class ParametersReference(K8sModel):
    group: str
    kind: str
    name: str
    namespace: str | None = None


class GatewayClassSpec(K8sModel):
    controller_name: str
    parameters_ref: ParametersReference | None = None
    description: str | None = None


class GatewayClass(KubeObject):
    spec: GatewayClassSpec


# ---------------------------------------------------------------- Gateway


class RouteGroupKind(K8sModel):
    group: str = GATEWAY_GROUP
    kind: str


class LabelSelectorRequirement(K8sModel):
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] = Field(default_factory=list)


class LabelSelector(K8sModel):
    match_labels: dict[str, str] = Field(default_factory=dict)
    match_expressions: list[LabelSelectorRequirement] = Field(default_factory=list)


class RouteNamespaces(K8sModel):
    from_: Literal["All", "Same", "Selector"] = Field(default="Same", alias="from")
    selector: LabelSelector | None = None


class AllowedRoutes(K8sModel):
    namespaces: RouteNamespaces = Field(default_factory=RouteNamespaces)
    kinds: list[RouteGroupKind] | None = None


class GatewayTLSConfig(K8sModel):
    mode: Literal["Terminate", "Passthrough"] = "Terminate"
    certificate_refs: list[SecretObjectReference] = Field(default_factory=list)
    options: dict[str, str] = Field(default_factory=dict)


class Listener(K8sModel):
    name: Annotated[str, Field(min_length=1, max_length=253)]
    hostname: str | None = None
    port: Port
    protocol: str
    tls: GatewayTLSConfig | None = None
    allowed_routes: AllowedRoutes = Field(default_factory=AllowedRoutes)


class GatewayAddress(K8sModel):
    type: str = "IPAddress"
    value: str | None = None


class GatewayInfrastructure(K8sModel):
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    parameters_ref: LocalObjectReference | None = None


class ListenerNamespaces(K8sModel):
    from_: Literal["All", "Selector", "Same", "None"] = Field(default="None", alias="from")
    selector: LabelSelector | None = None


class AllowedListeners(K8sModel):
    """Which ListenerSets may attach to a Gateway (none by default)."""

    namespaces: ListenerNamespaces = Field(default_factory=ListenerNamespaces)


class GatewaySpec(K8sModel):
    gateway_class_name: str
    listeners: Annotated[list[Listener], Field(min_length=1, max_length=64)]
    allowed_listeners: AllowedListeners | None = None
    addresses: list[GatewayAddress] = Field(default_factory=list)
    infrastructure: GatewayInfrastructure | None = None


class Gateway(KubeObject):
    spec: GatewaySpec


# ---------------------------------------------------------------- ListenerSet


class ParentGatewayReference(K8sModel):
    group: str = GATEWAY_GROUP
    kind: str = "Gateway"
    name: str
    namespace: str | None = None


class ListenerSetSpec(K8sModel):
    parent_ref: ParentGatewayReference
    listeners: Annotated[list[Listener], Field(min_length=1, max_length=64)]


class ListenerSet(KubeObject):
    """Listeners an application team adds to a shared Gateway (``gateway.networking.k8s.io/v1``,
    standard since Gateway API v1.5); the Gateway's ``allowedListeners`` decides whether
    they attach."""

    spec: ListenerSetSpec

    @property
    def gateway_key(self) -> str | None:
        """``namespace/name`` of the Gateway it names (None: its parent is not a Gateway)."""
        ref = self.spec.parent_ref
        if ref.group != GATEWAY_GROUP or ref.kind != "Gateway":
            return None
        return f"{ref.namespace or self.namespace}/{ref.name}"
