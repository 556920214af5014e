"""Request paths to request attributes, as the API server's RequestInfoFactory derives them."""

from __future__ import annotations

from dataclasses import dataclass

from .resources import by_path

_NAMESPACE_SUBRESOURCES = ("status", "finalize")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def parse_bool(value: str | None) -> bool:
    """Go's strconv.ParseBool; anything else is false."""
    return value in _TRUE


@dataclass(frozen=True)
class RequestInfo:
    """What a request is about. ``resource`` is empty for non-resource paths (/version,
    discovery, /healthz); ``verb`` is the RBAC verb."""

    path: str
    verb: str
    group: str = ""
    version: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    extra_parts: bool = False  # more path segments than any resource path has

    @property
    def is_resource(self) -> bool:
        return bool(self.resource)


_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


def parse_request(method: str, path: str, query: dict[str, str]) -> RequestInfo:
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) >= 3 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return RequestInfo(path, method.lower())
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and (
            rest[2] not in _NAMESPACE_SUBRESOURCES or by_path(group, version, rest[2]) is not None
        ):
            rest = rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if method in _VERBS:
        verb = _VERBS[method]
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    elif parse_bool(query.get("watch")):
        verb = "watch"
    else:
        verb = "get" if name else "list"
    return RequestInfo(
        path,
        verb,
        group,
        version,
        resource,
        subresource,
        namespace,
        name,
        extra_parts=len(rest) > 3,
    )
