"""Converting what a get, list or watch returns into what the client's Accept header asks for:
a Table (``kubectl get``), PartialObjectMetadata(List) (metadata-only clients) or the object
itself. Watch events are converted one by one; in a Table watch only the first event carries
the column definitions, as the API server sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .negotiation import JSON, Conversion, negotiate, partial_conversions, table_conversions
from .resources import Resource, by_path
from .routing import RequestInfo
from .tables import TableOptions, partial_metadata, table, table_options

Obj = dict[str, Any]
Encoder = Callable[[Obj], Obj]


def _conversion(accept: str | None, single: bool) -> Conversion | None:
    partial = "PartialObjectMetadata" if single else "PartialObjectMetadataList"
    return negotiate(accept, (*table_conversions(), *partial_conversions(partial)))


def _convert(
    res: Resource, version: str, payload: Obj, conversion: Conversion, options: TableOptions
) -> Obj:
    if conversion.kind == "Table":
        return table(res, version, payload, options, conversion.api_version)
    if conversion.kind == "PartialObjectMetadata":
        return partial_metadata(payload, conversion.api_version)
    return {
        "kind": "PartialObjectMetadataList",
        "apiVersion": conversion.api_version,
        "metadata": payload.get("metadata") or {},
        "items": [partial_metadata(item, conversion.api_version) for item in payload["items"]],
    }


def convert_response(
    info: RequestInfo, query: dict[str, str], accept: str | None, payload: Any
) -> tuple[Any, str]:
    """The body of a successful get or list as the client asked for it, and its Content-Type
    (naming the conversion, as the API server's does)."""
    res = by_path(info.group, info.version, info.resource)
    if (
        res is None
        or info.verb not in ("get", "list")
        or not isinstance(payload, dict)
        or payload.get("kind") == "Status"
    ):
        return payload, JSON
    conversion = _conversion(accept, single=info.verb == "get")
    if conversion is None:
        return payload, JSON
    options = table_options(query) if conversion.kind == "Table" else TableOptions()
    return _convert(res, info.version, payload, conversion, options), conversion.content_type


def watch_encoder(info: RequestInfo, query: dict[str, str], accept: str | None) -> Encoder:
    """What each watch event becomes before it is sent (itself, when nothing is asked for).
    Raises 400 for invalid table options before the watch starts."""
    res = by_path(info.group, info.version, info.resource)
    conversion = _conversion(accept, single=True)
    if res is None or conversion is None:
        return lambda event: event
    options = table_options(query) if conversion.kind == "Table" else TableOptions()
    state = {"options": options}

    def encode(event: Obj) -> Obj:
        if event.get("type") == "ERROR":
            return event
        current = state["options"]
        state["options"] = TableOptions(current.include_object, no_headers=True)
        converted = _convert(res, info.version, event["object"], conversion, current)
        return {"type": event["type"], "object": converted}

    return encode
