"""boto3 session and clients: one session injected everywhere, botocore standard retries,
a call counter (logical calls by service and operation, reads vs writes) and the outcome of
each logical call (for metrics)."""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import boto3
from botocore.config import Config

from awsgw import __version__
from awsgw.core.findings import Failure
from awsgw.providers.aws.common.rate_limit import RateLimits
from awsgw.providers.aws.common.writes import Write, Writer, WriteRefused
from awsgw.providers.changes import ChangeLog

READ_PREFIXES = ("Describe", "Get", "List")
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
    }
)


@dataclass
class CallCounter:
    """Counts logical AWS calls (``before-call``), so retries are not double counted."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)

    def __call__(self, event_name: str, **kwargs: Any) -> None:
        # event_name: before-call.<service-id>.<OperationName>
        _, service, operation = event_name.split(".", 2)
        self.calls[(service, operation)] += 1

    @property
    def reads(self) -> int:
        return sum(n for (_, op), n in self.calls.items() if op.startswith(READ_PREFIXES))

    @property
    def writes(self) -> int:
        return sum(n for (_, op), n in self.calls.items() if not op.startswith(READ_PREFIXES))

    def write_calls(self) -> dict[str, int]:
        return {
            f"{svc}:{op}": n
            for (svc, op), n in sorted(self.calls.items())
            if not op.startswith(READ_PREFIXES)
        }

    def reset(self) -> None:
        self.calls.clear()


_CLIENT_LOCK = threading.Lock()
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


QUOTA_HINTS = ("TooMany", "LimitExceeded", "QuotaExceeded")
"""Error codes that mean an account quota (``TooManyLoadBalancers``, ``LimitExceeded``,
``ServiceQuotaExceededException``), not a passing fault (``THROTTLING_CODES`` such as EC2's
``RequestLimitExceeded`` are not quotas)."""


def error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def failure_of(
    exc: Exception, gateway: str | None = None, where: str = "", prefix: str = ""
) -> Failure:
    """A failed AWS call as a ``Failure``: the message, and whether a quota refused it."""
    code = error_code(exc)
    quota = code not in THROTTLING_CODES and any(hint in code for hint in QUOTA_HINTS)
    return Failure(f"{prefix}{exc}", gateway=gateway, where=where, quota=quota)


def access_denied(exc: Exception) -> bool:
    """Is this AWS error a refusal of the caller's permissions?"""
    return error_code(exc) in ACCESS_DENIED


RECORD_CALLS_ENV = "RECORD_AWSGW_AWS_CALLS"
"""Test aid, off unless set to a file path: every logical AWS call made through an ``Aws``
session appends ``<service-id>:<Operation> <calling module>`` to that file (tests/install
checks the calls against iam/policy.json). Not ``AWSGW_``-prefixed on purpose: test
harnesses strip ``AWS_*``/``AWSGW_*`` from the environment of the processes they start."""


@dataclass(frozen=True)
class CallRecorder:
    path: str

    def __call__(self, event_name: str, **kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        with open(self.path, "a", encoding="utf-8") as f:  # one short append: lines stay whole
            f.write(f"{service}:{operation} {_caller()}\n")


def _caller() -> str:
    """The module that made the call: the first frame outside botocore, boto3 and here."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith(("botocore.", "boto3.", __name__, Writer.__module__)):
            return module
        frame = frame.f_back
    return "?"


@dataclass
class OutcomeCounter:
    """Outcome of each logical AWS call (after botocore's retries), by service and operation.

    ``after-call`` gives ``success``, ``throttled``, ``client_error`` (4xx) or
    ``server_error`` (5xx); ``after-call-error`` (no HTTP answer) gives ``network_error``.
    """

    outcomes: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(
        self, event_name: str, http_response: Any = None, parsed: Any = None, **kwargs: Any
    ) -> None:
        status = int(getattr(http_response, "status_code", 0) or 0)
        code = (parsed or {}).get("Error", {}).get("Code", "") if isinstance(parsed, dict) else ""
        if status < 300:
            outcome = "success"
        elif code in THROTTLING_CODES or status == 429:
            outcome = "throttled"
        else:
            outcome = "server_error" if status >= 500 else "client_error"
        self._count(event_name, outcome)

    def on_error(self, event_name: str, **kwargs: Any) -> None:
        self._count(event_name, "network_error")

    def _count(self, event_name: str, outcome: str) -> None:
        # event_name: after-call.<service-id>.<OperationName> (or after-call-error.…)
        _, service, operation = event_name.split(".", 2)
        with self._lock:
            self.outcomes[(service, operation, outcome)] += 1

    def snapshot(self) -> dict[tuple[str, str, str], int]:
        with self._lock:
            return dict(self.outcomes)


@dataclass
class Aws:
    """The injected AWS access: a session, its clients, and the call counter."""

    session: boto3.session.Session
    counter: CallCounter
    config: Config
    _clients: dict[str, Any] = field(default_factory=dict)
    outcomes: OutcomeCounter = field(default_factory=OutcomeCounter)
    _notices: set[str] = field(default_factory=set)
    _guard: Callable[..., None] | None = None
    """The write guard (``guard_writes``), checked again after a rate-limit wait."""
    writer: Writer = field(init=False)
    """The seam every provider write passes (``write``)."""

    def __post_init__(self) -> None:
        self.writer = Writer(self.client)

    def write(self, write: Write) -> dict[str, Any]:
        """Send one write (or, in a plan, record its changes); the answer's part it names."""
        return self.writer(write)

    def plan_only(self, log: ChangeLog) -> None:
        """Send no write from now on: the seam collects them into ``log``, and a write that
        would bypass it is refused (``WriteRefused``) before it leaves."""
        self.writer.plan_into(log)

        def refuse(operation: str) -> Exception:
            return WriteRefused(f"{operation}: no AWS write may be sent while planning")

        self.guard_writes(lambda: False, refuse)

    def first_notice(self, key: str) -> bool:
        """True the first time a key is noticed in this process (to log a thing once)."""
        with _CLIENT_LOCK:
            first = key not in self._notices
            self._notices.add(key)
            return first

    @classmethod
    def create(cls, max_attempts: int = 3, **session_kwargs: Any) -> Aws:
        region = os.environ.get("AWS_REGION")
        if region and "region_name" not in session_kwargs:
            session_kwargs["region_name"] = region  # older botocore reads only the DEFAULT one
        session = boto3.session.Session(**session_kwargs)
        counter = CallCounter()
        session.events.register("before-call.*.*", counter)
        outcomes = OutcomeCounter()
        session.events.register("after-call.*.*", outcomes)
        session.events.register("after-call-error.*.*", outcomes.on_error)
        if os.environ.get(RECORD_CALLS_ENV):
            session.events.register("before-call.*.*", CallRecorder(os.environ[RECORD_CALLS_ENV]))
        config = Config(
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            user_agent_extra=f"awsgw/{__version__}",
        )
        return cls(session, counter, config, outcomes=outcomes)

    def client(self, service: str) -> Any:
        with _CLIENT_LOCK:  # boto3 sessions are not safe for concurrent client creation
            if service not in self._clients:
                self._clients[service] = self.session.client(service, config=self.config)
            return self._clients[service]

    def guard_writes(self, allowed: Callable[[], bool], refuse: Callable[[str], Exception]) -> None:
        """Refuse every call that is not a read (Describe/Get/List) unless ``allowed()``,
        checked right before the call is sent. botocore copies the session's handlers into
        each client when it is created, so clients that already exist get the guard too."""

        def guard(event_name: str, **kwargs: Any) -> None:
            operation = event_name.rsplit(".", 1)[-1]
            if not operation.startswith(READ_PREFIXES) and not allowed():
                raise refuse(operation)

        self._guard = guard
        self.session.events.register_first("before-call.*.*", guard)
        for client in self._clients.values():
            client.meta.events.register_first("before-call.*.*", guard)

    def limit_rate(self, limits: RateLimits) -> None:
        """Every HTTP attempt waits for its service's token first (``before-send``: each
        of botocore's retries too), on the session and on clients that already exist. A
        write that waited is checked by the write guard again: leadership may have gone
        meanwhile."""

        def limited(event_name: str, **kwargs: Any) -> None:
            if limits(event_name) and self._guard is not None:
                self._guard(event_name)

        self.session.events.register_first("before-send.*.*", limited)
        for client in self._clients.values():
            client.meta.events.register_first("before-send.*.*", limited)

    @property
    def region(self) -> str:
        return str(self.client("ec2").meta.region_name)
