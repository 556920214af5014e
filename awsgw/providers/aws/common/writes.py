"""The one seam every AWS write of the providers passes: a ``Write`` is the API call and
the typed change records (``awsgw.providers.changes``) of the resources it creates,
modifies or deletes.

Applying (``awsgw reconcile``, ``awsgw run``), the call is sent and the caller gets the
part of AWS's answer it needs. Planning (``awsgw plan``), nothing is sent: the records go to
a ``ChangeLog`` and the caller gets the answer the write site gave for that case, what the
request itself says plus ``Pending`` placeholders for what only AWS's answer would (ARNs,
ids, DNS names), so the steps after it carry those instead of asking AWS about a resource
that does not exist yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from awsgw.providers.changes import Change, ChangeLog, is_pending

__all__ = ["WriteRefused", "Write", "Writer", "exists"]


class WriteRefused(Exception):
    """An AWS write was attempted where none may be sent (a plan) without passing the
    write seam: a defect, never an AWS answer."""


def exists(identifier: object) -> bool:
    """Does AWS hold the resource of this ARN or id (not a placeholder of a plan)?"""
    return not is_pending(identifier)


@dataclass(frozen=True)
class Write:
    """One AWS write call and the resources it changes."""

    service: str
    """The boto3 client (``elbv2``, ``ec2``, ``vpc-lattice``, ...)."""
    method: str
    """The boto3 method (``create_load_balancer``)."""
    params: Mapping[str, Any]
    changes: tuple[Change, ...]
    answer: tuple[str | int, ...] = ()
    """Where in AWS's answer the part the caller uses is (``("LoadBalancers", 0)``)."""
    planned: Mapping[str, Any] = field(default_factory=dict)
    """That part in a plan: the request's values and ``Pending`` placeholders."""
    removes: tuple[str, ...] = ()
    """Ids of what it deletes (in a plan, a read of AWS would still list them)."""


class Writer:
    """Sends writes, or (``plan_into``) collects their change records."""

    def __init__(self, client: Callable[[str], Any]) -> None:
        self._client = client
        self._log: ChangeLog | None = None
        self.removed: set[str] = set()
        """Ids a plan deleted that AWS still lists (empty when applying: AWS is current)."""
        self.settled: set[str] = set()
        """Resources a plan made as planned whose references AWS still lists as they were
        (empty when applying)."""

    def settle(self, identifier: str) -> None:
        """In a plan: the resource is as planned now, whatever AWS still lists of it."""
        if self._log is not None:
            self.settled.add(identifier)

    def plan_into(self, log: ChangeLog) -> None:
        """From now on collect every write's changes into ``log`` and send nothing."""
        self._log = log

    def __call__(self, write: Write) -> dict[str, Any]:
        if self._log is not None:
            operation = self.operation(write)
            self._log.calls.append(operation)
            for change in write.changes:
                self._log.add(replace(change, operation=operation))
            self.removed.update(write.removes)
            return dict(write.planned)
        answer: Any = getattr(self._client(write.service), write.method)(**write.params)
        for key in write.answer:
            answer = answer[key]
        result: dict[str, Any] = answer
        return result

    def operation(self, write: Write) -> str:
        """The IAM action of a write, ``<service prefix>:<Operation>`` (from botocore's
        model: ``elasticloadbalancing:CreateLoadBalancer``)."""
        meta = self._client(write.service).meta
        api = meta.method_to_api_mapping.get(write.method, write.method)
        return f"{meta.service_model.signing_name}:{api}"
