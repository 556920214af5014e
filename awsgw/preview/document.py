"""The plan as a document (``awsgw plan -o json``): the summary, every change resource by
resource (its Gateway, action, fields old -> new, the API calls that make it), the status
each object would get, and what failed. Values known only after apply are ``(known after
apply)``. Its shape is versioned by ``apiVersion``/``kind``: fields are only ever added."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awsgw.objects import AWSGW_GROUP, GATEWAY_GROUP, KubeObject, RouteRef
from awsgw.preview.entries import Entry, summary
from awsgw.providers.changes import Value, known
from awsgw.reconcilers.gateways import PassResult

API_VERSION = "awsgw.io/v1alpha1"
KIND = "Plan"


def status_items(objects: Iterable[KubeObject], result: PassResult) -> list[dict[str, Any]]:
    """The Gateway API objects (and awsgw's own) a status was computed for: identity,
    status, and the annotations providers report for them."""
    items = []
    for obj in objects:
        if not obj.api_version.startswith((GATEWAY_GROUP + "/", AWSGW_GROUP + "/")):
            continue
        status = result.statuses.get((obj.kind, obj.key))
        if status is None:
            continue
        item: dict[str, Any] = {"apiVersion": obj.api_version, "kind": obj.kind}
        namespace, _, name = obj.key.rpartition("/")
        if namespace:
            item["namespace"] = namespace
        item["name"] = name
        annotations = result.annotations.get(RouteRef(obj.kind, obj.key))
        if annotations:
            item["annotations"] = dict(annotations)
        item["status"] = status
        items.append(item)
    return items


def change_item(entry: Entry) -> dict[str, Any]:
    resource = entry.resource
    return {
        "gateway": entry.gateway,
        "controller": entry.controller,
        "action": str(entry.action),
        "resource": str(resource),
        "kind": resource.kind,
        "name": resource.name,
        "parent": None if resource.parent is None else str(resource.parent),
        "operations": list(entry.operations),
        "fields": [{"name": d.name, "old": d.old, "new": d.new} for d in entry.fields.values()],
    }


def document(
    entries: list[Entry], writes: list[str], result: PassResult, objects: Iterable[KubeObject]
) -> dict[str, Any]:
    """The plan of ``entries`` (made by ``writes``: the write calls, in order)."""
    counts = summary(entries)
    doc: dict[str, Value] = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "summary": {
            "create": counts.create,
            "modify": counts.modify,
            "delete": counts.delete,
            "writes": len(writes),
        },
        "changes": [change_item(e) for e in entries],
        "statuses": status_items(objects, result),
        "failed": [str(f) for f in result.failed],
    }
    shown = known(doc)
    assert isinstance(shown, dict)
    return shown
