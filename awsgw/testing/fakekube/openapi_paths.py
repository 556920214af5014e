"""The ``paths`` of an OpenAPI v3 group-version document: the REST operations of each resource
with the API server's ``x-kubernetes-action`` and ``x-kubernetes-group-version-kind``, and
the query parameters each takes (on the operation, as the API server lists them: kubectl
looks for ``fieldValidation`` among a PATCH operation's parameters to decide the server
validates fields itself)."""

from __future__ import annotations

from typing import Any

from .resources import Resource

Schema = dict[str, Any]
PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
DELETE_OPTIONS = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
_REF = "#/components/schemas/"

_QUERY: dict[str, tuple[str, str]] = {
    # name -> (schema type, description)
    "allowWatchBookmarks": ("boolean", "Ask for BOOKMARK watch events."),
    "continue": ("string", "The continue token of the previous page of a list."),
    "dryRun": ("string", "All: process the request without persisting it."),
    "fieldManager": ("string", "The name of the actor making the change."),
    "fieldSelector": ("string", "Restrict the objects returned by their fields."),
    "fieldValidation": (
        "string",
        "Ignore, Warn (the default) or Strict: what to do with unknown or duplicate fields.",
    ),
    "force": ("boolean", "Apply requests: take the fields other managers own."),
    "gracePeriodSeconds": ("integer", "Seconds before the object is deleted."),
    "labelSelector": ("string", "Restrict the objects returned by their labels."),
    "limit": ("integer", "The most objects to return in one page of a list."),
    "orphanDependents": ("boolean", "Deprecated: use propagationPolicy."),
    "pretty": ("string", "Pretty-print the output."),
    "propagationPolicy": ("string", "Orphan, Background or Foreground garbage collection."),
    "resourceVersion": ("string", "The resourceVersion a list or watch starts from."),
    "resourceVersionMatch": ("string", "How resourceVersion applies to a list."),
    "sendInitialEvents": ("boolean", "Start a watch with the current state as ADDED events."),
    "timeoutSeconds": ("integer", "End the list or watch after this many seconds."),
    "watch": ("boolean", "Watch for changes instead of listing."),
}
_LIST = (
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "timeoutSeconds",
    "watch",
)
_WRITE = ("dryRun", "fieldManager", "fieldValidation")
_DELETE = ("dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy")
_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)


def _query(names: tuple[str, ...]) -> list[Schema]:
    return [
        {
            "name": name,
            "in": "query",
            "description": _QUERY[name][1],
            "schema": {"type": _QUERY[name][0], "uniqueItems": True},
        }
        for name in names
    ]


def _path_param(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "description": description,
        "required": True,
        "schema": {"type": "string", "uniqueItems": True},
    }


def _json(schema_name: str) -> Schema:
    return {"content": {"application/json": {"schema": {"$ref": _REF + schema_name}}}}


def _responses(codes: tuple[str, ...], schema_name: str) -> Schema:
    text = {"200": "OK", "201": "Created", "202": "Accepted"}
    return {code: {"description": text[code], **_json(schema_name)} for code in codes}


def _camel(res: Resource, version: str) -> str:
    group = "".join(p[:1].upper() + p[1:] for p in res.group.replace("-", ".").split(".") if p)
    return (group or "Core") + version[:1].upper() + version[1:]


class _Operations:
    """Builds the operations of one resource in one version."""

    def __init__(self, res: Resource, version: str, kind_schema: str, list_schema: str) -> None:
        self.res, self.version = res, version
        self.kind_schema, self.list_schema = kind_schema, list_schema
        self.gvk = {"group": res.group, "version": version, "kind": res.kind}
        self.prefix = _camel(res, version) + ("Namespaced" if res.namespaced else "")

    def op(
        self,
        action: str,
        verb: str,
        summary: str,
        params: tuple[str, ...],
        responses: Schema,
        body: Schema | None = None,
        suffix: str = "",
    ) -> Schema:
        out: Schema = {
            "tags": [_camel(self.res, self.version)],
            "description": summary,
            "operationId": f"{verb}{self.prefix}{self.res.kind}{suffix}",
            "parameters": _query(params),
        }
        if body is not None:
            out["requestBody"] = {**body, "required": True}
        out["responses"] = responses
        out["x-kubernetes-action"] = action
        out["x-kubernetes-group-version-kind"] = self.gvk
        return out

    def collection(self) -> Schema:
        kind = self.res.kind
        return {
            "get": self.op(
                "list",
                "list",
                f"list or watch objects of kind {kind}",
                _LIST,
                _responses(("200",), self.list_schema),
            ),
            "post": self.op(
                "post",
                "create",
                f"create a {kind}",
                _WRITE,
                _responses(("200", "201", "202"), self.kind_schema),
                {"content": {"*/*": {"schema": {"$ref": _REF + self.kind_schema}}}},
            ),
            "delete": self.op(
                "deletecollection",
                "deleteCollection",
                f"delete collection of {kind}",
                (*_LIST, *_DELETE),
                _responses(("200",), STATUS),
                {"content": {"*/*": {"schema": {"$ref": _REF + DELETE_OPTIONS}}}},
            ),
        }

    def item(self, status: bool) -> Schema:
        kind, suffix = self.res.kind, "Status" if status else ""
        what = f"status of the specified {kind}" if status else f"the specified {kind}"
        patch_types = _PATCH_TYPES if self.res.builtin else _PATCH_TYPES[:2] + _PATCH_TYPES[3:]
        ops: Schema = {
            "get": self.op(
                "get",
                "read",
                f"read {what}",
                (),
                _responses(("200",), self.kind_schema),
                None,
                suffix,
            ),
            "put": self.op(
                "put",
                "replace",
                f"replace {what}",
                _WRITE,
                _responses(("200", "201"), self.kind_schema),
                {"content": {"*/*": {"schema": {"$ref": _REF + self.kind_schema}}}},
                suffix,
            ),
            "patch": self.op(
                "patch",
                "patch",
                f"partially update {what}",
                (*_WRITE, "force"),
                _responses(("200", "201"), self.kind_schema),
                {"content": {t: {"schema": {"$ref": _REF + PATCH}} for t in patch_types}},
                suffix,
            ),
        }
        if not status:
            ops["delete"] = self.op(
                "delete",
                "delete",
                f"delete a {kind}",
                _DELETE,
                {
                    "200": {"description": "OK", **_json(STATUS)},
                    "202": {"description": "Accepted", **_json(STATUS)},
                },
                {"content": {"*/*": {"schema": {"$ref": _REF + DELETE_OPTIONS}}}},
            )
        return ops


def resource_paths(res: Resource, version: str, kind_schema: str, list_schema: str) -> Schema:
    """The paths of ``res`` at ``version`` whose bodies are ``kind_schema``/``list_schema``."""
    ops = _Operations(res, version, kind_schema, list_schema)
    root = f"/apis/{res.group}/{version}" if res.group else f"/api/{version}"
    pretty = _query(("pretty",))
    name = _path_param("name", f"name of the {res.kind}")
    namespace = _path_param(
        "namespace", "object name and auth scope, such as for teams and projects"
    )
    scope = [namespace] if res.namespaced else []
    base = (
        f"{root}/namespaces/{{namespace}}/{res.plural}"
        if res.namespaced
        else f"{root}/{res.plural}"
    )
    paths: Schema = {
        base: {**ops.collection(), "parameters": [*scope, *pretty]},
        f"{base}/{{name}}": {**ops.item(status=False), "parameters": [name, *scope, *pretty]},
    }
    if res.status:
        paths[f"{base}/{{name}}/status"] = {
            **ops.item(status=True),
            "parameters": [name, *scope, *pretty],
        }
    if res.namespaced:
        every = ops.op(
            "list",
            "list",
            f"list or watch objects of kind {res.kind}",
            _LIST,
            _responses(("200",), list_schema),
            suffix="ForAllNamespaces",
        )
        every["operationId"] = every["operationId"].replace("Namespaced", "")
        paths[f"{root}/{res.plural}"] = {"get": every, "parameters": pretty}
    return paths
