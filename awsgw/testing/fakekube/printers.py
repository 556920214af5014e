"""The API server's own table printers for the built-in kinds the fake serves: the columns and
cells ``kubectl get`` shows for Namespaces, Services, Secrets, ConfigMaps, Nodes, Events,
EndpointSlices and Leases. Cells are computed as the server does with wide output (columns of
priority 1 are always sent; ``kubectl get`` shows them with ``-o wide``). Objects arrive in
their stored shape (core v1 Events for both Event APIs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .ages import since
from .schemas import core_definitions

Obj = dict[str, Any]
Cells = list[Any]
_ROLE = "node-role.kubernetes.io/"


@dataclass(frozen=True)
class Column:
    """One ``columnDefinitions`` entry of a Table."""

    name: str
    type: str = "string"
    description: str = ""
    format: str = ""
    priority: int = 0

    def definition(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        }


@dataclass(frozen=True)
class Printer:
    """The columns of a kind and how one object becomes the cells of its row."""

    columns: tuple[Column, ...]
    cells: Callable[[Obj, datetime], Cells]


@functools.cache
def doc(definition: str, field: str) -> str:
    """The description of ``field`` in a built-in definition (``core.v1.ServiceSpec``)."""
    for prefix in ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis."):
        schema = core_definitions().get(prefix + definition)
        if schema is not None:
            return str(schema.get("properties", {}).get(field, {}).get("description", ""))
    return ""


def name_column(priority: int = 0) -> Column:
    return Column("Name", "string", doc("meta.v1.ObjectMeta", "name"), "name", priority)


def age_column() -> Column:
    return Column("Age", "string", doc("meta.v1.ObjectMeta", "creationTimestamp"))


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _get(obj: Any, *path: str) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _list(obj: Any, *path: str) -> list[Any]:
    value = _get(obj, *path)
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _age(obj: Obj, now: datetime) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


def _labels(selector: Any) -> str:
    if not isinstance(selector, dict) or not selector:
        return "<none>"
    return ",".join(f"{k}={selector[k]}" for k in sorted(selector))


def _namespace(obj: Obj, now: datetime) -> Cells:
    return [_meta(obj).get("name", ""), _text(_get(obj, "status", "phase")), _age(obj, now)]


def _external_ip(spec: Obj, status: Any) -> str:
    external = [ip for ip in _list(spec, "externalIPs") if isinstance(ip, str)]
    kind = spec.get("type", "")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        found = sorted(
            {
                str(i.get("ip") or i.get("hostname"))
                for i in _list(status, "loadBalancer", "ingress")
                if isinstance(i, dict) and (i.get("ip") or i.get("hostname"))
            }
        )
        return ",".join(found + external) or "<pending>"
    if kind == "ExternalName":
        return _text(spec.get("externalName"))
    return "<unknown>"


def _ports(ports: list[Any]) -> str:
    out = []
    for port in ports:
        if not isinstance(port, dict):
            continue
        protocol = port.get("protocol", "")
        if port.get("nodePort"):
            out.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            out.append(f"{port.get('port')}/{protocol}")
    return ",".join(out) or "<none>"


def _service(obj: Obj, now: datetime) -> Cells:
    spec = _dict(obj.get("spec"))
    cluster_ips = _list(spec, "clusterIPs")
    return [
        _meta(obj).get("name", ""),
        _text(spec.get("type")),
        cluster_ips[0] if cluster_ips else "<none>",
        _external_ip(spec, obj.get("status")),
        _ports(_list(spec, "ports")),
        _age(obj, now),
        _labels(spec.get("selector")),
    ]


def _secret(obj: Obj, now: datetime) -> Cells:
    data = _dict(obj.get("data"))
    return [_meta(obj).get("name", ""), _text(obj.get("type")), len(data), _age(obj, now)]


def _config_map(obj: Obj, now: datetime) -> Cells:
    count = sum(len(v) for k in ("data", "binaryData") if isinstance(v := obj.get(k), dict))
    return [_meta(obj).get("name", ""), count, _age(obj, now)]


def _node_address(obj: Obj, kind: str) -> str:
    for address in _list(obj, "status", "addresses"):
        if isinstance(address, dict) and address.get("type") == kind:
            return str(address.get("address", ""))
    return "<none>"


def _node(obj: Obj, now: datetime) -> Cells:
    by_type = {c.get("type"): c for c in _list(obj, "status", "conditions") if isinstance(c, dict)}
    ready = by_type.get("Ready")
    status = (
        ["Unknown"] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    )
    if _get(obj, "spec", "unschedulable") is True:
        status.append("SchedulingDisabled")
    labels = _meta(obj).get("labels") or {}
    roles = {k.removeprefix(_ROLE) for k in labels if k.startswith(_ROLE) and k != _ROLE}
    if labels.get("kubernetes.io/role"):
        roles.add(labels["kubernetes.io/role"])
    info = _dict(_get(obj, "status", "nodeInfo"))
    return [
        _meta(obj).get("name", ""),
        ",".join(status),
        ",".join(sorted(roles)) or "<none>",
        _age(obj, now),
        _text(info.get("kubeletVersion")),
        _node_address(obj, "InternalIP"),
        _node_address(obj, "ExternalIP"),
        _text(info.get("osImage")) or "<unknown>",
        _text(info.get("kernelVersion")) or "<unknown>",
        _text(info.get("containerRuntimeVersion")) or "<unknown>",
    ]


def _event(obj: Obj, now: datetime) -> Cells:
    first = since(obj.get("firstTimestamp") or obj.get("eventTime"), now)
    last = since(obj["lastTimestamp"], now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 1
    series = obj.get("series")
    if isinstance(series, dict):
        last, count = since(series.get("lastObservedTime"), now), series.get("count", 0)
    ref = _dict(obj.get("involvedObject"))
    kind = _text(ref.get("kind")).lower()
    target = f"{kind}/{ref['name']}" if ref.get("name") else kind
    component = _text(_get(obj, "source", "component")) or _text(obj.get("reportingComponent"))
    instance = _text(_get(obj, "source", "host")) or _text(obj.get("reportingInstance"))
    return [
        last,
        _text(obj.get("type")),
        _text(obj.get("reason")),
        target,
        _text(ref.get("fieldPath")),
        f"{component}, {instance}" if instance else component,
        _text(obj.get("message")).strip(),
        first,
        count,
        _meta(obj).get("name", ""),
    ]


def _up_to_three(values: list[str]) -> str:
    if not values:
        return "<unset>"
    if len(values) > 3:
        return f"{','.join(values[:3])} + {len(values) - 3} more..."
    return ",".join(values)


def _endpoint_slice(obj: Obj, now: datetime) -> Cells:
    ports = [
        str(p["port"]) if p.get("port") is not None else str(p.get("name") or "*")
        for p in _list(obj, "ports")
        if isinstance(p, dict)
    ]
    addresses = [
        str(a)
        for e in _list(obj, "endpoints")
        if isinstance(e, dict)
        for a in _list(e, "addresses")
    ]
    return [
        _meta(obj).get("name", ""),
        _text(obj.get("addressType")),
        _up_to_three(ports),
        _up_to_three(addresses),
        _age(obj, now),
    ]


def _lease(obj: Obj, now: datetime) -> Cells:
    holder = _get(obj, "spec", "holderIdentity")
    return [_meta(obj).get("name", ""), _text(holder), _age(obj, now)]


@functools.cache
def builtin_printers() -> dict[tuple[str, str], Printer]:
    """(group, plural) -> the printer of that built-in resource."""
    svc, node, event = "core.v1.ServiceSpec", "core.v1.NodeSystemInfo", "core.v1.Event"
    slice_doc = "discovery.v1.EndpointSlice"
    events = Printer(
        (
            Column("Last Seen", description=doc(event, "lastTimestamp")),
            Column("Type", description=doc(event, "type")),
            Column("Reason", description=doc(event, "reason")),
            Column("Object", description=doc(event, "involvedObject")),
            Column(
                "Subobject", description=doc("core.v1.ObjectReference", "fieldPath"), priority=1
            ),
            Column("Source", description=doc(event, "source"), priority=1),
            Column("Message", description=doc(event, "message")),
            Column("First Seen", description=doc(event, "firstTimestamp"), priority=1),
            Column("Count", description=doc(event, "count"), priority=1),
            name_column(priority=1),
        ),
        _event,
    )
    return {
        ("", "namespaces"): Printer(
            (
                name_column(),
                Column("Status", description="The status of the namespace"),
                age_column(),
            ),
            _namespace,
        ),
        ("", "services"): Printer(
            (
                name_column(),
                Column("Type", description=doc(svc, "type")),
                Column("Cluster-IP", description=doc(svc, "clusterIP")),
                Column("External-IP", description=doc(svc, "externalIPs")),
                Column("Port(s)", description=doc(svc, "ports")),
                age_column(),
                Column("Selector", description=doc(svc, "selector"), priority=1),
            ),
            _service,
        ),
        ("", "secrets"): Printer(
            (
                name_column(),
                Column("Type", description=doc("core.v1.Secret", "type")),
                Column("Data", description=doc("core.v1.Secret", "data")),
                age_column(),
            ),
            _secret,
        ),
        ("", "configmaps"): Printer(
            (
                name_column(),
                Column("Data", description=doc("core.v1.ConfigMap", "data")),
                age_column(),
            ),
            _config_map,
        ),
        ("", "nodes"): Printer(
            (
                name_column(),
                Column("Status", description="The status of the node"),
                Column("Roles", description="The roles of the node"),
                age_column(),
                Column("Version", description=doc(node, "kubeletVersion")),
                Column(
                    "Internal-IP", description=doc("core.v1.NodeStatus", "addresses"), priority=1
                ),
                Column(
                    "External-IP", description=doc("core.v1.NodeStatus", "addresses"), priority=1
                ),
                Column("OS-Image", description=doc(node, "osImage"), priority=1),
                Column("Kernel-Version", description=doc(node, "kernelVersion"), priority=1),
                Column(
                    "Container-Runtime",
                    description=doc(node, "containerRuntimeVersion"),
                    priority=1,
                ),
            ),
            _node,
        ),
        ("", "events"): events,
        ("events.k8s.io", "events"): events,
        ("discovery.k8s.io", "endpointslices"): Printer(
            (
                name_column(),
                Column("AddressType", description=doc(slice_doc, "addressType")),
                Column("Ports", description=doc(slice_doc, "ports")),
                Column("Endpoints", description=doc(slice_doc, "endpoints")),
                age_column(),
            ),
            _endpoint_slice,
        ),
        ("coordination.k8s.io", "leases"): Printer(
            (
                name_column(),
                Column("Holder", description=doc("coordination.v1.LeaseSpec", "holderIdentity")),
                age_column(),
            ),
            _lease,
        ),
    }
