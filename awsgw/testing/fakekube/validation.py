"""What the API server checks and defaults on write: names, Services, Namespaces, Events."""

from __future__ import annotations

import ipaddress
import re
import zlib
from typing import Any

from .errors import ApiError, invalid
from .resources import Resource

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_LABEL_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_SERVICE_NET = ipaddress.ip_network("10.96.0.0/12")

Cause = tuple[str, str, str]


def _name_causes(res: Resource, name: str) -> list[Cause]:
    if res.plural == "services":
        ok, rule = (
            bool(_LABEL_1035.fullmatch(name)) and len(name) <= 63,
            (
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                "with an alphabetic character, and end with an alphanumeric character"
            ),
        )
    elif res.plural == "namespaces":
        ok, rule = (
            bool(_LABEL.fullmatch(name)) and len(name) <= 63,
            (
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                "'-', and must start and end with an alphanumeric character"
            ),
        )
    else:
        ok, rule = (
            bool(_SUBDOMAIN.fullmatch(name)) and len(name) <= 253,
            (
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character"
            ),
        )
    if ok:
        return []
    return [("metadata.name", "FieldValueInvalid", f'Invalid value: "{name}": {rule}')]


def _event_causes(res: Resource, obj: dict[str, Any], namespace: str) -> list[Cause]:
    causes: list[Cause] = []
    ref_field = "regarding" if res.group else "involvedObject"
    ref = obj.get("involvedObject") or {}
    if ref.get("namespace") and ref["namespace"] != namespace:
        causes.append(
            (
                f"{ref_field}.namespace",
                "FieldValueInvalid",
                f'Invalid value: "{ref["namespace"]}": does not match event.namespace',
            )
        )
    if not res.group:
        return causes
    for stored, served in (
        ("reportingComponent", "reportingController"),
        ("reportingInstance", "reportingInstance"),
        ("action", "action"),
        ("reason", "reason"),
        ("eventTime", "eventTime"),
    ):
        if not obj.get(stored):
            causes.append((served, "FieldValueRequired", "Required value"))
    if obj.get("type") not in ("Normal", "Warning"):
        causes.append(
            (
                "type",
                "FieldValueNotSupported",
                f'Unsupported value: "{obj.get("type", "")}": supported values: '
                '"Normal", "Warning"',
            )
        )
    if len(obj.get("message") or "") > 1024:
        causes.append(("note", "FieldValueTooLong", "Too long: may not be more than 1024 bytes"))
    return causes


def validate(res: Resource, obj: dict[str, Any], namespace: str) -> None:
    """Raise 422 Invalid for what the API server would refuse (stored shape)."""
    meta = obj["metadata"]
    name = meta.get("name", "")
    causes = _name_causes(res, name)
    if res.storage == "events":
        causes += _event_causes(res, obj, namespace)
    if causes:
        raise invalid(res.group, res.kind, name, causes)


def _allocate_ip(taken: set[str], name: str, namespace: str) -> str:
    hosts = _SERVICE_NET.num_addresses - 2
    start = zlib.crc32(f"{namespace}/{name}".encode())
    for i in range(hosts):
        ip = str(_SERVICE_NET.network_address + (start + i) % hosts + 1)
        if ip not in taken:
            return ip
    raise ApiError(500, "failed to allocate a serviceIP: range is full", "InternalError")


def default(
    res: Resource, obj: dict[str, Any], old: dict[str, Any] | None, taken_ips: set[str]
) -> None:
    """Fill every default in place (stored shape): ``scheme_defaults`` then ``server_fills``."""
    scheme_defaults(res, obj)
    server_fills(res, obj, old, taken_ips)


def scheme_defaults(res: Resource, obj: dict[str, Any]) -> None:
    """The defaults a request body gets as it is decoded (its writer owns them): Namespace
    name label; Service type, session affinity, traffic policy, port protocol and targetPort;
    EndpointSlice port protocol."""
    if res.plural == "namespaces" and not res.group:
        meta = obj["metadata"]
        labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
        meta["labels"] = {**labels, "kubernetes.io/metadata.name": meta.get("name", "")}
    elif res.plural == "services" and not res.group:
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        if spec["type"] != "ExternalName":
            spec.setdefault("internalTrafficPolicy", "Cluster")
        for port in spec.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
                if "port" in port:
                    port.setdefault("targetPort", port["port"])
    elif res.plural == "endpointslices":
        for port in obj.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")


def server_fills(
    res: Resource, obj: dict[str, Any], old: dict[str, Any] | None, taken_ips: set[str]
) -> None:
    """What the API server itself fills in (owned by nobody): Namespace finalizers and phase;
    Service cluster IPs (kept from ``old`` on update), IP families and status."""
    if res.plural == "namespaces" and not res.group:
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        if old is None:
            obj["status"] = {"phase": "Active"}
    elif res.plural == "services" and not res.group:
        spec = obj.setdefault("spec", {})
        old_spec = (old or {}).get("spec") or {}
        if spec.get("type") != "ExternalName":
            if not spec.get("clusterIP"):
                meta = obj["metadata"]
                spec["clusterIP"] = old_spec.get("clusterIP") or _allocate_ip(
                    taken_ips, meta.get("name", ""), meta.get("namespace", "")
                )
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
        if old is None:
            obj["status"] = {"loadBalancer": {}}
