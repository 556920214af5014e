"""One reconcile pass that writes nothing: the providers of the registry on an AWS session
whose write seam collects change records (and refuses any write that would bypass it),
each provider's steps scoped by Gateway; the records merged per resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from awsgw.core.store import Store
from awsgw.objects import KubeObject
from awsgw.preview.entries import Entry, entries
from awsgw.preview.scoped import ScopedProvider
from awsgw.providers.aws.common.session import Aws, CallCounter
from awsgw.providers.changes import ChangeLog, known
from awsgw.providers.registry import build_providers
from awsgw.reconcilers.gateways import PassResult, reconcile_all
from awsgw.settings import Settings


@dataclass(frozen=True)
class Planned:
    """What a plan found: the changes per resource, the write calls a reconcile would make
    for them, the pass's statuses and failures, and the AWS calls it made (reads only)."""

    entries: list[Entry]
    writes: list[str]
    result: PassResult
    calls: CallCounter


def plan_pass(
    objects: list[KubeObject],
    settings: Settings,
    cluster: str,
    now: str,
    progress: Callable[[str], None] = lambda _: None,
    aws: Aws | None = None,
    wait_active: float = 0.0,
) -> Planned:
    """What ``reconcile_all`` would change for ``objects``, without a write. ``wait_active``
    as reconcile's ``--wait``: a load balancer still provisioning is waited for that long,
    one the plan would create is reported as it would be once active."""
    aws = aws or Aws.create(max_attempts=settings.aws_max_attempts)
    log = ChangeLog()
    aws.plan_only(log)
    providers = {
        controller: ScopedProvider(controller, provider, log)
        for controller, provider in build_providers(aws, settings, cluster, wait_active).items()
    }

    def tell(message: str) -> None:
        progress(str(known(message)))

    result = reconcile_all(Store.of(objects), providers, now, tell)
    return Planned(entries(log.changes), log.calls, result, aws.counter)
