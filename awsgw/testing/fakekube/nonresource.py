"""GET requests outside the resource paths: health, /version, discovery (legacy and
aggregated, with ETags), OpenAPI v3 (the index and one document per group-version, which
an out-of-date ``?hash=`` redirects to the current one) and OpenAPI v2 (protobuf or JSON)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from . import errors, openapi, openapi_v2
from .aggregated_discovery import aggregated
from .discovery import document
from .negotiation import JSON, discovery_conversions, negotiate, parse_accept


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


def _json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _with_etag(body: bytes, content_type: str, if_none_match: str | None) -> Response:
    etag = '"' + hashlib.sha512(body).hexdigest().upper() + '"'
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "public"}
    if if_none_match == etag:
        return Response(304, b"", content_type, headers)
    return Response(200, body, content_type, headers)


def _openapi(path: str, query: dict[str, str], accept: str | None) -> Response:
    if path == "/openapi/v3":
        return Response(200, _json(openapi.index()))
    doc = openapi.document(path.removeprefix("/openapi/v3/"))
    if doc is None:
        raise errors.page_not_found()
    if not any(
        c.media_type in (JSON, "application/*", "*/*") for c in parse_accept(accept or "*/*")
    ):
        return Response(406, b"", "text/plain")
    headers = {"ETag": f'"{doc.hash}"', "Vary": "Accept"}
    if query.get("hash") and query["hash"] != doc.hash:
        location = f"{path}?hash={doc.hash}"
        return Response(301, b"", "text/plain", {**headers, "Location": location})
    if query.get("hash"):
        headers["Cache-Control"] = "public, immutable"
    return Response(200, doc.body, JSON, headers)


def _openapi_v2(accept: str | None, if_none_match: str | None) -> Response:
    doc = openapi_v2.document()
    for clause in parse_accept(accept or "*/*"):
        if clause.media_type in openapi_v2.PROTOBUF_ACCEPTED:
            body, content_type = doc.protobuf, openapi_v2.PROTOBUF
        elif clause.media_type in (JSON, "application/*", "*/*"):
            body, content_type = doc.json, JSON
        else:
            continue
        headers = {"ETag": doc.etags[body], "Vary": "Accept"}
        if if_none_match == headers["ETag"]:
            return Response(304, b"", content_type, headers)
        return Response(200, body, content_type, headers)
    return Response(406, b"", "text/plain")


def serve(
    path: str,
    query: dict[str, str],
    accept: str | None,
    if_none_match: str | None,
    server_address: str,
) -> Response:
    """The response to ``GET path``; raises 404 for a path the fake does not serve."""
    clean = "/" + path.strip("/")
    if clean in ("/healthz", "/livez", "/readyz"):
        return Response(200, b"ok", "text/plain; charset=utf-8")
    if clean == "/openapi/v3" or clean.startswith("/openapi/v3/"):
        return _openapi(clean, query, accept)
    if clean == "/openapi/v2":
        return _openapi_v2(accept, if_none_match)
    if clean in ("/api", "/apis"):
        conversion = negotiate(accept, discovery_conversions())
        if conversion is not None:
            doc = aggregated(clean, conversion)
            if doc is not None:
                return _with_etag(_json(doc), conversion.content_type, if_none_match)
    doc = document(clean, server_address)
    if doc is None:
        raise errors.page_not_found()
    return Response(200, _json(doc))
