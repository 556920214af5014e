"""Faults for the moto server the tests start: AWS throttling and lost answers, as AWS sends
them, so botocore's standard retries and awsgw's own handling see the real thing.

A ``FaultPlan`` (seeded, a rate per service) decides for each request from awsgw (its
User-Agent carries ``awsgw/``; the tests' own reads pass untouched) whether it is

- *throttled*: refused with the service's own throttling error, nothing done (ELBv2 HTTP 400
  ``Throttling``; EC2 HTTP 503 ``RequestLimitExceeded``; ACM and the tagging API HTTP 400
  JSON ``ThrottlingException``; VPC Lattice HTTP 429 ``x-amzn-ErrorType:
  ThrottlingException``), or
- *lost*: carried out, then answered HTTP 500 (``InternalFailure``) in the service's
  protocol, so botocore retries a call that already happened.

``faulty_moto_server(plan)`` is ``awsgw.embedded.moto_server`` with the layer in front.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

SIGNING_NAME = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
THROTTLE = "throttle"
LOST = "lost"


@dataclass(frozen=True)
class ErrorShape:
    """How a service answers an error: status, headers and body for a code."""

    protocol: str  # query | ec2 | json | rest-json
    throttle_status: int
    throttle_code: str

    def render(self, status: int, code: str, message: str) -> tuple[int, list[Any], bytes]:
        if self.protocol == "query":
            kind = "Sender" if status < 500 else "Receiver"
            body = (
                f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>"
                f"<Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            )
            return status, [("Content-Type", "text/xml")], body.encode()
        if self.protocol == "ec2":
            body = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                "</Error></Errors><RequestID>fault</RequestID></Response>"
            )
            return status, [("Content-Type", "text/xml")], body.encode()
        if self.protocol == "json":
            doc = json.dumps({"__type": code, "message": message}).encode()
            return status, [("Content-Type", "application/x-amz-json-1.1")], doc
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        return status, headers, json.dumps({"message": message}).encode()


SHAPES: dict[str, ErrorShape] = {
    "elasticloadbalancing": ErrorShape("query", 400, "Throttling"),
    "ec2": ErrorShape("ec2", 503, "RequestLimitExceeded"),
    "acm": ErrorShape("json", 400, "ThrottlingException"),
    "tagging": ErrorShape("json", 400, "ThrottlingException"),
    "vpc-lattice": ErrorShape("rest-json", 429, "ThrottlingException"),
    "wafv2": ErrorShape("json", 400, "ThrottlingException"),
    "shield": ErrorShape("json", 400, "ThrottlingException"),
}
"""By SigV4 signing name (the service in a request's credential scope)."""
LOST_CODES = {"ec2": "InternalError"}


@dataclass
class FaultPlan:
    """Which requests fail and how: a rate per service (by signing name), the share of
    faults that are lost answers (the rest are throttled), a seed. ``enabled`` may be
    switched off and on between steps; ``seen`` counts (service, kind) of faults made."""

    rates: dict[str, float]
    seed: int = 0
    lost_share: float = 0.5
    enabled: bool = True
    only: Callable[[Environ], bool] = field(
        default=lambda environ: "awsgw/" in environ.get("HTTP_USER_AGENT", "")
    )
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @classmethod
    def everywhere(cls, rate: float, seed: int = 0, lost_share: float = 0.5) -> FaultPlan:
        return cls({service: rate for service in SHAPES}, seed, lost_share)

    def decide(self, service: str) -> str | None:
        """THROTTLE, LOST or None for one request to ``service``."""
        with self._lock:
            self.requests[service] += 1
            if not self.enabled:
                return None
            if self._rng.random() >= self.rates.get(service, 0.0):
                return None
            kind = LOST if self._rng.random() < self.lost_share else THROTTLE
            self.seen[(service, kind)] += 1
            return kind


def signing_name(environ: Environ) -> str | None:
    found = SIGNING_NAME.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else None


class FaultLayer:
    """WSGI middleware in front of moto's application."""

    def __init__(self, app: WsgiApp, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        service = signing_name(environ)
        shape = SHAPES.get(service or "")
        if shape is None or service is None or not self.plan.only(environ):
            return self.app(environ, start_response)
        kind = self.plan.decide(service)
        if kind is None:
            return self.app(environ, start_response)
        if kind == THROTTLE:
            answer = shape.render(shape.throttle_status, shape.throttle_code, "Rate exceeded")
        else:
            self._carry_out(environ)
            code = LOST_CODES.get(service, "InternalFailure")
            answer = shape.render(500, code, "We encountered an internal error")
        status, headers, body = answer
        reason = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error"}
        start_response(f"{status} {reason.get(status, 'Service Unavailable')}", headers)
        return [body]

    def _carry_out(self, environ: Environ) -> None:
        """Let moto do the call, and throw its answer away."""

        def ignore(status: str, headers: list[Any], exc_info: Any = None) -> Callable[..., Any]:
            return lambda data: None

        for _ in self.app(environ, ignore):
            pass


@contextmanager
def faulty_moto_server(plan: FaultPlan) -> Iterator[str]:
    """A moto server on a free loopback port, gap fills installed, faults in front."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from awsgw.testing.moto import install

    install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = FaultLayer(DomainDispatcherApplication(create_backend_app), plan)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    server = Server(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
