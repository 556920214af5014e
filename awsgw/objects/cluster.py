"""The core kinds the Gateway API reads (Namespace, Service, Secret, EndpointSlice) and the
Multi-Cluster Services kinds (KEP-1645)."""

from __future__ import annotations

from pydantic import Field

from awsgw.objects.meta import K8sModel, KubeObject, Port

# ---------------------------------------------------------------- core/v1, discovery/v1


class Namespace(KubeObject):
    pass


class ServicePort(K8sModel):
    name: str | None = None
    port: Port
    target_port: int | str | None = None
    node_port: int | None = None
    protocol: str = "TCP"
    app_protocol: str | None = None


class ServiceSpec(K8sModel):
    type: str = "ClusterIP"
    ports: list[ServicePort] = Field(default_factory=list)
    external_name: str | None = None


class Service(KubeObject):
    spec: ServiceSpec = Field(default_factory=ServiceSpec)


class NodeSpec(K8sModel):
    provider_id: str | None = Field(default=None, alias="providerID")
    unschedulable: bool = False


class NodeCondition(K8sModel):
    type: str
    status: str


class NodeStatus(K8sModel):
    conditions: list[NodeCondition] = Field(default_factory=list)


class Node(KubeObject):
    spec: NodeSpec = Field(default_factory=NodeSpec)
    status: NodeStatus = Field(default_factory=NodeStatus)

    @property
    def ready(self) -> bool:
        return any(c.type == "Ready" and c.status == "True" for c in self.status.conditions)

    @property
    def instance_id(self) -> str | None:
        """The EC2 instance of the node, from ``spec.providerID`` (``aws:///<zone>/<id>``)."""
        provider = self.spec.provider_id or ""
        last = provider.rsplit("/", 1)[-1]
        return last if provider.startswith("aws://") and last.startswith("i-") else None


class EndpointConditions(K8sModel):
    ready: bool | None = None
    serving: bool | None = None
    terminating: bool | None = None


class Endpoint(K8sModel):
    addresses: list[str]
    conditions: EndpointConditions = Field(default_factory=EndpointConditions)


class EndpointPort(K8sModel):
    name: str | None = None
    port: int | None = None
    protocol: str = "TCP"


class EndpointSlice(KubeObject):
    address_type: str = "IPv4"
    endpoints: list[Endpoint] = Field(default_factory=list)
    ports: list[EndpointPort] | None = None


class Secret(KubeObject):
    type: str = "Opaque"
    data: dict[str, str] = Field(default_factory=dict)
    string_data: dict[str, str] = Field(default_factory=dict)


# ---------------------------------------------------------------- Multi-Cluster Services (KEP-1645)


class ServiceExport(KubeObject):
    """Exports the Service of the same namespace and name to the cluster set."""


class ServiceImportPort(K8sModel):
    name: str | None = None
    port: Port
    protocol: str = "TCP"
    app_protocol: str | None = None


class ServiceImportSpec(K8sModel):
    type: str = "ClusterSetIP"
    ports: list[ServiceImportPort] = Field(default_factory=list)
    ips: list[str] = Field(default_factory=list)


class ServiceImport(KubeObject):
    """A Service exported by some cluster of the set, as seen in this one."""

    spec: ServiceImportSpec = Field(default_factory=ServiceImportSpec)
