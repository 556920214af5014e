"""boto3 session and clients: one session injected everywhere, botocore standard retries,
and a call counter (logical calls by service and operation, reads vs writes)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

READ_PREFIXES = ("Describe", "Get", "List")


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


@dataclass
class Aws:
    """The injected AWS access: a session, its clients, and the call counter."""

    session: boto3.session.Session
    counter: CallCounter
    config: Config
    _clients: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, max_attempts: int = 3, **session_kwargs: Any) -> Aws:
        region = os.environ.get("AWS_REGION")
        if region and "region_name" not in session_kwargs:
            session_kwargs["region_name"] = region  # older botocore reads only the DEFAULT one
        session = boto3.session.Session(**session_kwargs)
        counter = CallCounter()
        session.events.register("before-call.*.*", counter)
        config = Config(retries={"mode": "standard", "total_max_attempts": max_attempts})
        return cls(session, counter, config)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=self.config)
        return self._clients[service]

    @property
    def region(self) -> str:
        return str(self.client("ec2").meta.region_name)
