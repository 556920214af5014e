"""Resource requests: get, list, create, update, patch, delete, deletecollection and watch start.

Bodies arrive and leave in the served shape of the requested version; the store keeps the
stored shape (see ``conversion``). Errors are raised as ``ApiError``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import errors, protobuf
from .conversion import check_type, from_storage, to_storage
from .field_manager import UpdateTracker
from .field_validation import Admission, directive
from .patching import APPLY, JSON_PATCH, STRATEGIC, apply_patch
from .resources import Resource, by_path
from .routing import RequestInfo
from .selectors import Selector, make_selector
from .server_side_apply import apply
from .store import Key, Obj, Store, parse_rv
from .watch import Event, Watch, open_watch
from .write_options import check_write_options, field_manager


@dataclass(frozen=True)
class Request:
    info: RequestInfo
    query: dict[str, str]
    content_type: str  # media type only, lower case
    body: bytes
    warnings: list[str] = field(default_factory=list)  # sent back as Warning headers
    user_agent: str = ""

    def tracker(self) -> UpdateTracker:
        """Records this write's manager in managedFields."""
        manager = field_manager(self.query, self.user_agent)
        return UpdateTracker(manager, self.info.version, self.info.subresource)


def decode_body(content_type: str, body: bytes) -> Any:
    """A JSON (or YAML) request body; 400 when it does not parse."""
    try:
        if content_type in ("application/yaml", "application/apply-patch+yaml"):
            return yaml.safe_load(body.decode("utf-8"))
        return json.loads(body.decode("utf-8"))
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"error decoding request body: {exc}") from None


def _protobuf_body(body: bytes) -> Any:
    try:
        return protobuf.decode(body)
    except protobuf.UnreadableKind as exc:
        raise errors.ApiError(
            415,
            f"the body of the request was in an unknown format - accepted media types include: "
            f"application/json, application/yaml, {protobuf.MEDIA_TYPE} (fakekube reads "
            f"protobuf for {protobuf.supported()} only, not {exc})",
            "UnsupportedMediaType",
        ) from None
    except protobuf.ProtobufError as exc:
        raise errors.bad_request(f"error decoding request body: {exc}") from None


def encode_continue(rv: int, key: Key) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": list(key)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, Key]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        rv, start = int(raw["rv"]), raw["start"]
        return rv, (str(start[0]), str(start[1]))
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error):
        raise errors.bad_request(
            "continue key is not valid: incorrect encoded start "
            "resourceVersion (version meta.k8s.io/v1)"
        ) from None


class Api:
    """Serves resource requests against a ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def resolve(self, info: RequestInfo) -> Resource:
        res = by_path(info.group, info.version, info.resource)
        if res is None or info.extra_parts:
            raise errors.page_not_found()
        if info.subresource and (info.subresource != "status" or not res.status):
            raise errors.page_not_found()
        if info.subresource and info.verb not in ("get", "update", "patch"):
            raise errors.ApiError(
                405, f"{info.verb} is not supported on {info.subresource}", "MethodNotAllowed"
            )
        if res.namespaced:
            if not info.namespace and info.verb not in ("list", "watch"):
                raise errors.page_not_found()
        elif info.namespace and not (info.resource == "namespaces" and info.name == info.namespace):
            raise errors.page_not_found()
        return res

    @staticmethod
    def namespace(res: Resource, info: RequestInfo) -> str:
        return info.namespace if res.namespaced else ""

    def selector(self, res: Resource, query: dict[str, str]) -> Selector:
        return make_selector(
            query.get("labelSelector", ""), query.get("fieldSelector", ""), res.field_labels
        )

    def serve(self, res: Resource, version: str, obj: Obj) -> Obj:
        return from_storage(res, version, obj)

    def handle(self, req: Request) -> tuple[int, Any]:
        """Serve a non-watch resource request: (HTTP status, JSON body)."""
        info = req.info
        res = self.resolve(info)
        ns, version = self.namespace(res, info), info.version
        dry_run = req.query.get("dryRun") == "All"
        if info.verb == "get":
            return 200, self.serve(res, version, self.store.get(res, ns, info.name))
        if info.verb in ("list", "deletecollection"):
            return 200, self.list_objects(res, info, req.query)
        if info.verb in ("create", "update", "patch"):
            check_write_options(info.verb, req.query, req.content_type == APPLY)
        if info.verb == "create":
            obj = to_storage(res, self.admitted(res, req, self.body(req)))
            stored = self.store.create(res, ns, obj, dry_run, req.tracker())
            return 201, self.serve(res, version, stored)
        if info.verb == "update":
            current = self.store.find(res, ns, info.name)
            old = None if current is None else self.serve(res, version, current)
            obj = to_storage(res, self.admitted(res, req, self.body(req), old))
            stored, created = self.store.update(
                res, ns, info.name, obj, info.subresource, dry_run, req.tracker()
            )
            return (201 if created else 200), self.serve(res, version, stored)
        if info.verb == "patch" and req.content_type == APPLY:
            code, stored = apply(
                self.store, res, req, dry_run, lambda obj, old: self.admitted(res, req, obj, old)
            )
            return code, self.serve(res, version, stored)
        if info.verb == "patch":
            return 200, self.serve(res, version, self.patch(res, req, dry_run))
        if info.verb == "delete":
            return 200, self.delete(res, req, dry_run)
        raise errors.ApiError(
            405,
            f"the server does not allow this method on the requested resource ({info.verb})",
            "MethodNotAllowed",
        )

    @staticmethod
    def admitted(res: Resource, req: Request, body: Any, old: Obj | None = None) -> Obj:
        """A written object after type and field validation (see ``field_validation``):
        unknown fields dropped, warnings added to ``req``."""
        obj = check_type(res, req.info.version, body)
        admission = Admission(
            res, req.info.version, req.info.verb, directive(req.query, req.info.verb)
        )
        admission.admit(obj, req.body, req.content_type, old)
        req.warnings.extend(admission.warnings)
        return obj

    def body(self, req: Request) -> Any:
        if req.content_type == protobuf.MEDIA_TYPE:
            return _protobuf_body(req.body)
        if req.content_type not in ("application/json", "application/yaml", ""):
            raise errors.ApiError(
                415,
                "the body of the request was in an unknown format - "
                "accepted media types include: application/json, "
                "application/yaml",
                "UnsupportedMediaType",
            )
        return decode_body(req.content_type, req.body)

    def patch(self, res: Resource, req: Request, dry_run: bool) -> Obj:
        ctype = req.content_type
        if ctype == STRATEGIC and not res.builtin:
            raise errors.ApiError(
                415,
                f"the body of the request was in an unknown format - accepted media types "
                f"include: {JSON_PATCH}, application/merge-patch+json, {APPLY}",
                "UnsupportedMediaType",
            )
        patch_body = decode_body(ctype, req.body)
        version = req.info.version

        def mutate(current: Obj) -> Obj:
            served = json.loads(json.dumps(from_storage(res, version, current)))
            patched = apply_patch(ctype, served, patch_body)
            return to_storage(res, self.admitted(res, req, patched, served))

        return self.store.patch(
            res,
            self.namespace(res, req.info),
            req.info.name,
            mutate,
            req.info.subresource,
            dry_run,
            req.tracker(),
        )

    def delete(self, res: Resource, req: Request, dry_run: bool) -> Obj:
        options: Any = decode_body(req.content_type, req.body) if req.body.strip() else {}
        if not isinstance(options, dict):
            raise errors.bad_request("DeleteOptions must be a JSON object")
        pre = options.get("preconditions") or {}
        dry_run = dry_run or "All" in (options.get("dryRun") or [])
        obj, gone = self.store.delete(
            res,
            self.namespace(res, req.info),
            req.info.name,
            pre.get("uid"),
            pre.get("resourceVersion"),
            dry_run,
        )
        if gone and not res.return_deleted_object:
            meta = obj["metadata"]
            details: dict[str, Any] = {"name": meta["name"]}
            if res.group:
                details["group"] = res.group
            details.update({"kind": res.plural, "uid": meta.get("uid", "")})
            return {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
                "details": details,
            }
        return self.serve(res, req.info.version, obj)

    def list_objects(self, res: Resource, info: RequestInfo, query: dict[str, str]) -> Obj:
        selector = self.selector(res, query)
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            raise errors.bad_request(f"invalid limit: {query['limit']!r}") from None
        rv: int | None = None
        after: Key | None = None
        if query.get("continue"):
            rv, after = decode_continue(query["continue"])
            with self.store.cond:
                if rv < self.store.oldest():
                    raise errors.expired(
                        "The provided continue parameter is too old to display a consistent "
                        "list result. You can start a new list without the continue parameter."
                    )
        elif query.get("resourceVersionMatch") == "Exact" and query.get("resourceVersion"):
            rv = parse_rv(query["resourceVersion"])
        ns = self.namespace(res, info)
        page = self.store.list(res, ns, selector, rv=rv, limit=limit, after=after)
        items = page.items
        if info.verb == "deletecollection":
            dry_run = query.get("dryRun") == "All"
            items = [
                self.store.delete(
                    res, o["metadata"].get("namespace", ""), o["metadata"]["name"], dry_run=dry_run
                )[0]
                for o in items
            ]
        served = [self.serve(res, info.version, o) for o in items]
        if res.builtin:
            served = [
                {k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in served
            ]
        meta: dict[str, Any] = {"resourceVersion": str(page.rv)}
        if page.next_key is not None:
            meta["continue"] = encode_continue(page.rv, page.next_key)
            if selector.empty:
                meta["remainingItemCount"] = page.remaining
        return {
            "kind": f"{res.kind}List",
            "apiVersion": res.api_version(info.version),
            "metadata": meta,
            "items": served,
        }

    def open_watch(self, req: Request) -> tuple[Watch, list[Event]]:
        res = self.resolve(req.info)
        query = dict(req.query)
        if req.info.name:  # the deprecated watch of one object by path
            by_name = f"metadata.name={req.info.name}"
            query["fieldSelector"] = ",".join(filter(None, [query.get("fieldSelector"), by_name]))
        return open_watch(
            self.store,
            res,
            req.info.version,
            self.namespace(res, req.info),
            self.selector(res, query),
            query.get("resourceVersion", ""),
        )
