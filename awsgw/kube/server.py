"""The HTTP endpoints: ``/healthz`` (threads alive), ``/readyz`` (caches synced) and
``/metrics`` (Prometheus text)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from awsgw.kube.metrics import CONTENT_TYPE

log = logging.getLogger("awsgw.kube.server")


def parse_address(address: str) -> tuple[str, int]:
    """``host:port``; an empty host (``:8080``) means every interface."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"metrics address {address!r}: expected host:port")
    return host.strip("[]"), int(port)


class HealthServer:
    def __init__(
        self,
        address: str,
        healthy: Callable[[], bool],
        ready: Callable[[], bool],
        metrics: Callable[[], str],
    ) -> None:
        routes: dict[str, Callable[[], tuple[int, str, str]]] = {
            "/healthz": lambda: (200, "ok\n", "text/plain") if healthy() else
            (500, "unhealthy\n", "text/plain"),
            "/readyz": lambda: (200, "ok\n", "text/plain") if ready() else
            (503, "caches not synced\n", "text/plain"),
            "/metrics": lambda: (200, metrics(), CONTENT_TYPE),
        }  # fmt: skip

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                route = routes.get(self.path.split("?", 1)[0])
                try:
                    code, body, ctype = route() if route else (404, "not found\n", "text/plain")
                except Exception:
                    log.exception("serving %s", self.path)
                    code, body, ctype = 500, "error\n", "text/plain"
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(parse_address(address), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="http", daemon=True)

    @property
    def address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()
        log.info("serving health and metrics", extra={"address": self.address})

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
