"""Kubernetes API access: configuration (in-cluster, else kubeconfig), JSON requests with
``(connect, read)`` timeouts, streamed watches, and the write guard (only the leader writes).

Built on the kubernetes client's ApiClient (auth, TLS, proxies, token refresh) but speaks
plain dicts: the typed models would only be converted back.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import urllib3
from kubernetes import client
from kubernetes import config as _config
from kubernetes.client.exceptions import ApiException

from awsgw.kube.resources import Resource

log = logging.getLogger("awsgw.kube.api")
config: Any = _config  # untyped module
SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
PATCH_TYPES = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
}


class KubeError(Exception):
    """An API answer other than 2xx (``status``), or no answer at all (``status`` 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status or 'no answer'}: {message}")
        self.status = status


class NotLeader(Exception):
    """A write was attempted while this replica does not hold the lease."""


def load_configuration(kubeconfig: str | None = None, context: str | None = None) -> Any:
    """In-cluster service account first, else ``kubeconfig`` / $KUBECONFIG / ~/.kube/config."""
    cfg = client.Configuration()
    if kubeconfig is None:
        try:
            config.load_incluster_config(client_configuration=cfg)
            return cfg
        except config.ConfigException:
            kubeconfig = os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    config.load_kube_config(
        config_file=kubeconfig, context=context, client_configuration=cfg, persist_config=False
    )
    return cfg


def default_namespace() -> str:
    """The service account's namespace in a Pod, else ``default``."""
    try:
        with open(SERVICE_ACCOUNT_NAMESPACE) as f:
            return f.read().strip() or "default"
    except OSError:
        return "default"


class WatchStream:
    """Watch events (dicts) from one streamed response; ``close`` works from any thread."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            for line in self._lines():
                event = json.loads(line)
                if isinstance(event, dict):
                    yield event
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise KubeError(0, f"watch stream: {exc}") from exc
        finally:
            self._response.release_conn()

    def _lines(self) -> Iterator[bytes]:
        resp = self._response
        chunks: Iterator[bytes] = (
            resp.stream(amt=None, decode_content=True)
            if resp.chunked
            else iter(lambda: resp.read1(65536), b"")
        )
        pending = b""
        for chunk in chunks:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            yield from (line for line in lines if line.strip())
        if pending.strip():
            yield pending

    def close(self) -> None:
        try:
            getattr(self._response, "shutdown", self._response.close)()
        except Exception:  # closing a broken stream: nothing left to do
            log.debug("closing watch stream", exc_info=True)


class KubeApi:
    """JSON requests to the API server; every write checks ``may_write`` first."""

    def __init__(
        self,
        api_client: Any,
        timeouts: tuple[float, float] = (5.0, 30.0),
        on_request: Callable[[str, str, int], None] = lambda verb, resource, code: None,
    ) -> None:
        self.api_client = api_client
        self.timeouts = timeouts
        self.on_request = on_request
        self.may_write: Callable[[], bool] = lambda: True

    @classmethod
    def connect(
        cls,
        kubeconfig: str | None,
        user_agent: str,
        timeouts: tuple[float, float],
        context: str | None = None,
        pool_size: int = 10,
    ) -> KubeApi:
        """``pool_size``: connections kept for reuse; at least the requests in flight at once
        (a watch per kind, one per worker, leases), else each one beyond it is dropped and
        reconnected."""
        cfg = load_configuration(kubeconfig, context)
        cfg.connection_pool_maxsize = pool_size
        api_client = client.ApiClient(cfg)
        api_client.user_agent = user_agent
        return cls(api_client, timeouts)

    # ------------------------------------------------------------------ transport
    def _send(
        self,
        verb: str,
        resource: Resource,
        path: str,
        query: dict[str, Any] | None,
        body: Any,
        content_type: str,
        timeout: tuple[float, float],
    ) -> Any:
        if query:
            path += "?" + urlencode(
                {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()}
            )
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        method, url, headers, body, post = self.api_client.param_serialize(
            verb, path, header_params=headers, body=body, auth_settings=["BearerToken"]
        )
        try:
            response = self.api_client.call_api(
                method, url, headers, body, post, _request_timeout=timeout
            )
        except ApiException as exc:
            self.on_request(verb, resource.plural, exc.status or 0)
            raise KubeError(exc.status or 0, str(exc.reason)) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            self.on_request(verb, resource.plural, 0)
            raise KubeError(0, str(exc)) from exc
        self.on_request(verb, resource.plural, response.status)
        return response

    def request(
        self,
        verb: str,
        resource: Resource,
        path: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        response = self._send(verb, resource, path, query, body, content_type, self.timeouts)
        data = response.read()
        if not 200 <= response.status <= 299:
            raise KubeError(response.status, _message(data))
        try:
            decoded = json.loads(data) if data else {}
        except ValueError as exc:
            raise KubeError(response.status, f"not JSON: {data[:200]!r}") from exc
        return decoded if isinstance(decoded, dict) else {}

    def _write(self, guarded: bool) -> None:
        if guarded and not self.may_write():
            raise NotLeader("not the leader: write refused")

    # ------------------------------------------------------------------ reads
    def list(
        self, resource: Resource, limit: int, continue_token: str | None = None
    ) -> dict[str, Any]:
        query: dict[str, Any] = {"limit": limit}
        if continue_token:
            query["continue"] = continue_token
        if resource.field_selector:
            query["fieldSelector"] = resource.field_selector
        return self.request("GET", resource, resource.path(), query)

    def watch(self, resource: Resource, resource_version: str, timeout_seconds: int) -> WatchStream:
        """A watch from ``resource_version`` with bookmarks; the server ends it after
        ``timeout_seconds``, the read timeout a little later."""
        query = {
            "watch": True,
            "resourceVersion": resource_version,
            "allowWatchBookmarks": True,
            "timeoutSeconds": timeout_seconds,
        }
        if resource.field_selector:
            query["fieldSelector"] = resource.field_selector
        timeout = (self.timeouts[0], timeout_seconds + self.timeouts[1])
        response = self._send("GET", resource, resource.path(), query, None, "", timeout)
        if not 200 <= response.status <= 299:
            raise KubeError(response.status, _message(response.read()))
        return WatchStream(response.response)

    def get(self, resource: Resource, namespace: str | None, name: str) -> dict[str, Any] | None:
        try:
            return self.request("GET", resource, resource.path(namespace, name))
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    # ------------------------------------------------------------------ writes
    def create(
        self, resource: Resource, namespace: str | None, body: dict[str, Any], guarded: bool = True
    ) -> dict[str, Any]:
        self._write(guarded)
        return self.request("POST", resource, resource.path(namespace), body=body)

    def replace(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        body: dict[str, Any],
        guarded: bool = True,
    ) -> dict[str, Any]:
        self._write(guarded)
        return self.request("PUT", resource, resource.path(namespace, name), body=body)

    def patch(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        body: Any,
        patch_type: str = "merge",
        subresource: str = "",
    ) -> dict[str, Any]:
        self._write(True)
        path = resource.path(namespace, name, subresource)
        return self.request(
            "PATCH", resource, path, body=body, content_type=PATCH_TYPES[patch_type]
        )


def _message(data: bytes) -> str:
    try:
        return str(json.loads(data).get("message", data[:200]))
    except (ValueError, AttributeError):
        return repr(data[:200])
