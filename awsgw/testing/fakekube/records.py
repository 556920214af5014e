"""What the server saw (request records) and what it was told to fail (injected errors)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .routing import RequestInfo


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request served. ``verb`` is the RBAC verb (get, list, watch, create, update,
    patch, delete, deletecollection); ``group`` is "" for the core group; ``resource`` is the
    plural ("" for non-resource paths such as /version, whose ``path`` tells them apart).
    As in the API server's RequestInfo, a request for namespaces/{name} has that name as its
    ``namespace`` too."""

    verb: str
    group: str
    version: str
    resource: str
    subresource: str
    namespace: str
    name: str
    user_agent: str
    status_code: int
    method: str = ""
    path: str = ""


@dataclass
class Injection:
    verb: str
    resource: str
    subresource: str
    status: int
    times: int

    def matches(self, info: RequestInfo) -> bool:
        return (
            self.verb in ("*", info.verb)
            and self.resource in ("*", info.resource)
            and self.subresource in ("*", info.subresource)
        )


class Recorder:
    """Thread-safe request log and injected-failure queue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._injections: list[Injection] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def inject(self, injection: Injection) -> None:
        with self._lock:
            self._injections.append(injection)

    def take(self, info: RequestInfo) -> int | None:
        """The status to fail this request with, consuming one use of the first match."""
        with self._lock:
            for injection in self._injections:
                if injection.matches(info):
                    injection.times -= 1
                    if injection.times <= 0:
                        self._injections.remove(injection)
                    return injection.status
        return None
