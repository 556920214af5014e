"""Fixtures: a fresh FakeKube per test, official-client APIs bound to it, a raw watch reader."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from kubernetes import client

from awsgw.testing.fakekube import FakeKube

TIMEOUT = (2, 5)  # (connect, read) for every client call
GW = "gateway.networking.k8s.io"
HTTP_LISTENER = {"name": "http", "port": 80, "protocol": "HTTP"}  # a Gateway needs one


@pytest.fixture
def kube() -> Iterator[FakeKube]:
    with FakeKube(history=1000, bookmark_interval=0.2) as server:
        yield server


@pytest.fixture
def api_client(kube: FakeKube) -> Iterator[client.ApiClient]:
    with client.ApiClient(client.Configuration(host=kube.url)) as api:
        yield api


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)


@pytest.fixture
def custom(api_client: client.ApiClient) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api_client)


def namespace(name: str) -> dict[str, Any]:
    """A Namespace manifest: namespaced objects need theirs to exist."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def gateway(name: str, namespace: str = "default", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GW}/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"gatewayClassName": "awsgw", "listeners": [dict(HTTP_LISTENER)], **spec},
    }


def condition(type_: str, status: str = "True") -> dict[str, Any]:
    """A condition the Gateway API schemas accept (every required field set)."""
    return {
        "type": type_,
        "status": status,
        "reason": type_,
        "message": "",
        "lastTransitionTime": "2025-01-01T00:00:00Z",
    }


def route(
    name: str,
    namespace: str = "default",
    labels: dict[str, str] | None = None,
    hostnames: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GW}/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"parentRefs": [{"name": "gw"}], "hostnames": hostnames or []},
    }


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: Any  # decoded JSON, or text


def request(
    kube: FakeKube,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Reply:
    """One plain HTTP request, with the response's headers."""
    url = urlsplit(kube.url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        data = (
            None
            if body is None
            else (body if isinstance(body, bytes) else json.dumps(body).encode())
        )
        conn.request(
            method, path, body=data, headers={"Content-Type": content_type, **(headers or {})}
        )
        resp = conn.getresponse()
        text = resp.read().decode()
        try:
            return Reply(resp.status, resp.headers, json.loads(text))
        except ValueError:
            return Reply(resp.status, resp.headers, text)
    finally:
        conn.close()


def raw(
    kube: FakeKube,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One plain HTTP request: (status, decoded JSON body or text)."""
    reply = request(kube, method, path, body, content_type, headers)
    return reply.status, reply.body


def watch_events(
    kube: FakeKube,
    path: str,
    count: int | None = None,
    read_timeout: float = 5.0,
    headers: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Read watch events from ``path`` until ``count`` arrived or the server ends the stream."""
    url = urlsplit(kube.url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=read_timeout)
    events: list[dict[str, Any]] = []
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        if count == 0:
            return events
        for line in resp:
            if line.strip():
                events.append(json.loads(line))
            if count is not None and len(events) >= count:
                break
    finally:
        conn.close()
    return events
