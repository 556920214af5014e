"""The HTTP layer: a threading HTTP/1.1 server on 127.0.0.1 serving the API and watch streams.

Every request is recorded (before its response is written) and checked against the injected
failures first. Watches stream chunked JSON lines until their timeout, ``close_watches``,
shutdown, expiry or the client going away.
"""

from __future__ import annotations

import contextlib
import json
import logging
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import errors
from .api import Api, Request
from .nonresource import serve
from .records import Recorder, RequestRecord
from .responses import Encoder, convert_response, watch_encoder
from .routing import RequestInfo, parse_bool, parse_request
from .watch import Event

log = logging.getLogger(__name__)
_POLL = 0.25  # how often an idle watch checks whether its client is still there


def _quote(text: str) -> str:
    """A warning's text as the Warning header quotes it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class App:
    """What the handlers serve: the API over the store, the recorder, the bookmark period."""

    def __init__(self, api: Api, recorder: Recorder, bookmark_interval: float) -> None:
        self.api = api
        self.recorder = recorder
        self.bookmark_interval = bookmark_interval


class Server(ThreadingHTTPServer):
    """Daemon-threaded server that can cut its open connections on close."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, port: int = 0) -> None:
        self.app = app
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        super().__init__(("127.0.0.1", port), Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every response on a kept-alive connection
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        app = self.server.app
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        info = parse_request(self.command, url.path, query)
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send_json(info, 400, errors.bad_request("malformed request body").status())
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            injected = app.recorder.take(info)
            if injected is not None:
                raise errors.injected(injected)
            if not info.is_resource:
                self._non_resource(info, url.path)
                return
            request = Request(
                info, query, content_type, body, user_agent=self.headers.get("User-Agent") or ""
            )
            if info.verb == "watch":
                self._watch(request)
                return
            status, payload = app.api.handle(request)
            body, content_type = convert_response(info, query, self.headers.get("Accept"), payload)
            data = json.dumps(body, separators=(",", ":")).encode()
            self._send(info, status, data, content_type, warnings=request.warnings)
        except errors.ApiError as exc:
            self._send_json(info, exc.code, exc.status(), exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug in the fake must not look like a hung server
            log.exception("fakekube: %s %s failed", self.command, self.path)
            self._send_json(info, 500, errors.internal(f"fakekube: {exc!r}").status())

    def _record(self, info: RequestInfo, status: int) -> None:
        self.server.app.recorder.add(
            RequestRecord(
                info.verb,
                info.group,
                info.version,
                info.resource,
                info.subresource,
                info.namespace,
                info.name,
                self.headers.get("User-Agent", ""),
                status,
                self.command,
                self.path,
            )
        )

    def _send_json(
        self,
        info: RequestInfo,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        self._send(info, status, data, "application/json", headers)

    def _send(
        self,
        info: RequestInfo,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self._record(info, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        for text in dict.fromkeys(warnings or []):
            self.send_header("Warning", f"299 - {_quote(text)}")
        self.end_headers()
        self.wfile.write(data)

    def _non_resource(self, info: RequestInfo, path: str) -> None:
        if self.command != "GET":
            raise errors.ApiError(
                405, f"{self.command} is not allowed on {path}", "MethodNotAllowed"
            )
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        response = serve(
            path,
            query,
            self.headers.get("Accept"),
            self.headers.get("If-None-Match"),
            f"127.0.0.1:{self.server.server_address[1]}",
        )
        self._send(info, response.status, response.body, response.content_type, response.headers)

    def _chunk(self, events: list[Event], encode: Encoder | None = None) -> None:
        if encode is not None:
            events = [encode(e) for e in events]
        data = b"".join(json.dumps(e, separators=(",", ":")).encode() + b"\n" for e in events)
        if data:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _watch(self, request: Request) -> None:
        app = self.server.app
        timeout: float | None = None
        if request.query.get("timeoutSeconds"):
            try:
                timeout = float(int(request.query["timeoutSeconds"]))
            except ValueError:
                raise errors.bad_request("invalid timeoutSeconds") from None
        bookmarks = parse_bool(request.query.get("allowWatchBookmarks"))
        encode = watch_encoder(request.info, request.query, self.headers.get("Accept"))
        watch, initial = app.api.open_watch(request)
        try:
            self._record(request.info, 200)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._chunk(initial, encode)
            if not (initial and initial[-1]["type"] == "ERROR"):
                self._stream(watch, timeout, bookmarks, app.bookmark_interval, encode)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.close_connection = True
        finally:
            watch.close()

    def _stream(
        self,
        watch: Any,
        timeout: float | None,
        bookmarks: bool,
        interval: float,
        encode: Encoder | None = None,
    ) -> None:
        start = time.monotonic()
        deadline = None if timeout is None else start + timeout
        next_bookmark = start + interval if bookmarks else None
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return
            wait = _POLL if deadline is None else min(_POLL, deadline - now)
            kind, events = watch.poll(wait, next_bookmark)
            if kind == "end":
                return
            self._chunk(events, encode)
            if kind == "expired":
                return
            if kind == "bookmark":
                next_bookmark = time.monotonic() + interval
            if not events and self._client_gone():
                raise ConnectionResetError("watch client went away")
