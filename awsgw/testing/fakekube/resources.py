"""The resource types the fake serves: group, versions, plural, kind, scope and API traits."""

from __future__ import annotations

from dataclasses import dataclass, field

CORE_TIME = "Time"
MICRO_TIME = "MicroTime"


@dataclass(frozen=True)
class Resource:
    """One REST resource. ``versions[0]`` is the preferred version; every version serves the
    same stored objects. ``storage`` names the store shared by resources that are one object
    in two shapes (core and events.k8s.io Events)."""

    group: str
    versions: tuple[str, ...]
    plural: str
    kind: str
    singular: str
    namespaced: bool = True
    status: bool = False
    builtin: bool = True
    short_names: tuple[str, ...] = ()
    return_deleted_object: bool = False
    create_on_update: bool = False
    storage: str = ""
    # field label -> dotted path in the stored shape, beyond metadata.name/namespace
    field_labels: dict[str, str] = field(default_factory=dict)
    # dotted path (served shape) -> CORE_TIME or MICRO_TIME, normalised and validated on write
    times: dict[str, str] = field(default_factory=dict)

    @property
    def storage_id(self) -> str:
        return self.storage or f"{self.group}/{self.plural}"

    @property
    def allow_unconditional_update(self) -> bool:
        """Custom resources refuse a PUT without metadata.resourceVersion; built-ins accept it."""
        return self.builtin

    def api_version(self, version: str | None = None) -> str:
        v = version or self.versions[0]
        return f"{self.group}/{v}" if self.group else v


GATEWAY = "gateway.networking.k8s.io"
MCS = "multicluster.x-k8s.io"
_EVENT_REF = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")


def _crd(
    versions: tuple[str, ...],
    plural: str,
    kind: str,
    group: str = GATEWAY,
    *,
    namespaced: bool = True,
    status: bool = True,
    short: tuple[str, ...] = (),
) -> Resource:
    return Resource(
        group,
        versions,
        plural,
        kind,
        kind.lower(),
        namespaced=namespaced,
        status=status,
        builtin=False,
        short_names=short,
    )


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "",
        ("v1",),
        "namespaces",
        "Namespace",
        "namespace",
        namespaced=False,
        status=True,
        short_names=("ns",),
        return_deleted_object=True,
        field_labels={"status.phase": "status.phase"},
    ),
    Resource(
        "",
        ("v1",),
        "services",
        "Service",
        "service",
        status=True,
        short_names=("svc",),
        return_deleted_object=True,
    ),
    Resource("", ("v1",), "secrets", "Secret", "secret", field_labels={"type": "type"}),
    Resource(
        "",
        ("v1",),
        "nodes",
        "Node",
        "node",
        namespaced=False,
        status=True,
        short_names=("no",),
        return_deleted_object=True,
    ),
    Resource("", ("v1",), "configmaps", "ConfigMap", "configmap", short_names=("cm",)),
    Resource(
        "",
        ("v1",),
        "events",
        "Event",
        "event",
        short_names=("ev",),
        create_on_update=True,
        storage="events",
        field_labels={
            **{f"involvedObject.{k}": f"involvedObject.{k}" for k in _EVENT_REF},
            "reason": "reason",
            "reportingComponent": "reportingComponent",
            "source": "source.component",
            "type": "type",
        },
        times={
            "firstTimestamp": CORE_TIME,
            "lastTimestamp": CORE_TIME,
            "eventTime": MICRO_TIME,
            "series.lastObservedTime": MICRO_TIME,
        },
    ),
    Resource(
        "discovery.k8s.io",
        ("v1",),
        "endpointslices",
        "EndpointSlice",
        "endpointslice",
        field_labels={"addressType": "addressType"},
    ),
    Resource(
        "coordination.k8s.io",
        ("v1",),
        "leases",
        "Lease",
        "lease",
        times={"spec.acquireTime": MICRO_TIME, "spec.renewTime": MICRO_TIME},
    ),
    Resource(
        "events.k8s.io",
        ("v1",),
        "events",
        "Event",
        "event",
        short_names=("ev",),
        create_on_update=True,
        storage="events",
        field_labels={
            **{f"regarding.{k}": f"involvedObject.{k}" for k in _EVENT_REF},
            "reason": "reason",
            "reportingController": "reportingComponent",
            "type": "type",
        },
        times={
            "deprecatedFirstTimestamp": CORE_TIME,
            "deprecatedLastTimestamp": CORE_TIME,
            "eventTime": MICRO_TIME,
            "series.lastObservedTime": MICRO_TIME,
        },
    ),
    _crd(("v1", "v1beta1"), "gatewayclasses", "GatewayClass", namespaced=False, short=("gc",)),
    _crd(("v1", "v1beta1"), "gateways", "Gateway", short=("gtw",)),
    _crd(("v1",), "listenersets", "ListenerSet", short=("lset",)),
    _crd(("v1", "v1beta1"), "httproutes", "HTTPRoute"),
    _crd(("v1",), "grpcroutes", "GRPCRoute"),
    _crd(("v1", "v1beta1"), "referencegrants", "ReferenceGrant", status=False, short=("refgrant",)),
    _crd(("v1", "v1alpha3", "v1alpha2"), "tlsroutes", "TLSRoute"),
    _crd(("v1", "v1alpha2"), "tcproutes", "TCPRoute"),
    _crd(("v1", "v1alpha2"), "udproutes", "UDPRoute"),
    _crd(("v1alpha1",), "serviceexports", "ServiceExport", MCS),
    _crd(("v1alpha1",), "serviceimports", "ServiceImport", MCS),
    _crd(
        ("v1alpha1",),
        "loadbalancerconfigurations",
        "LoadBalancerConfiguration",
        "awsgw.io",
        status=False,
        short=("lbconfig",),
    ),
    _crd(("v1alpha1",), "targetgrouppolicies", "TargetGroupPolicy", "awsgw.io", short=("tgp",)),
)

_BY_PATH = {(r.group, v, r.plural): r for r in RESOURCES for v in r.versions}
_BY_KIND = {(r.group, v, r.kind): r for r in RESOURCES for v in r.versions}


def by_path(group: str, version: str, plural: str) -> Resource | None:
    """The resource served at /api(s)/{group}/{version}/{plural}, if any."""
    return _BY_PATH.get((group, version, plural))


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def by_kind(api_version: str, kind: str) -> Resource | None:
    """The resource serving ``kind`` at ``api_version`` (``v1``, ``group/version``)."""
    group, version = split_api_version(api_version)
    return _BY_KIND.get((group, version, kind))


def group_versions() -> dict[str, list[str]]:
    """Every group (``""`` for core) with its versions, preferred version first."""
    out: dict[str, list[str]] = {}
    for r in RESOURCES:
        versions = out.setdefault(r.group, [])
        for v in r.versions:
            if v not in versions:
                versions.append(v)
    return out


def in_group_version(group: str, version: str) -> list[Resource]:
    return [r for r in RESOURCES if r.group == group and version in r.versions]
