"""``awsgw plan -f PATH ... [--aws embedded] [-o text|json]``: what ``awsgw reconcile``
would change in AWS, without changing it."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from awsgw.console import Progress, add_one_shot_arguments
from awsgw.core.store import Store
from awsgw.embedded import aws_target
from awsgw.manifests import ManifestError, load
from awsgw.objects import Gateway, GatewayClass, KubeObject
from awsgw.preview.document import document
from awsgw.preview.planner import plan_pass
from awsgw.preview.text import render
from awsgw.providers.aws.common.network import NetworkError
from awsgw.providers.aws.common.writes import WriteRefused
from awsgw.settings import Settings, SettingsError

NO_CHANGES, FAILED, BAD_INPUT, CHANGES = 0, 1, 2, 3
DESCRIPTION = """\
What `awsgw reconcile -f PATH` would change in AWS, without changing it: the same reads
(scoped the same way), the same providers and diffs, and no write (it works with
read-only credentials). The files are the whole desired state of this cluster, as for
reconcile: what this cluster owns for Gateways absent from them would be deleted.

Every change is shown resource by resource, grouped per Gateway: + create, ~ modify (the
fields that differ, old -> new), - delete; then the status the Gateway and its Routes would
get. A value AWS gives only once a resource exists (a new load balancer's DNS name, an
ARN) is shown as (known after apply); a new load balancer's status is the one reconcile
reports once it is active (what reconcile waits for). What AWS could refuse only when
asked (a quota, a certificate ACM rejects, a web ACL that does not exist) is not known to
a plan."""
EPILOG = """\
exit codes:
  0  no changes: AWS matches the manifests
  1  an AWS call failed (the plan is incomplete)
  2  bad input or settings (as reconcile: the message names the file, document, field)
  3  changes pending"""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def controllers(objects: list[KubeObject]) -> dict[str, str]:
    """Gateway key → the controllerName of its GatewayClass."""
    store = Store.of(objects)
    classes = {c.name: c.spec.controller_name for c in store.all("GatewayClass", GatewayClass)}
    return {
        g.key: classes[g.spec.gateway_class_name]
        for g in store.all("Gateway", Gateway)
        if g.spec.gateway_class_name in classes
    }


def run(args: argparse.Namespace) -> int:
    """``awsgw plan``: print the plan; its exit code."""
    progress = Progress(args.quiet)
    try:
        objects = load(args.filename)
        settings = Settings()
    except (ManifestError, ValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    progress(f"read {len(objects)} objects from {', '.join(args.filename)}")
    try:
        with aws_target(args.aws, settings) as effective:
            cluster = effective.require_cluster()
            planned = plan_pass(
                objects, effective, cluster, _now(), progress, wait_active=args.wait
            )
            calls = planned.calls
            progress(f"AWS calls: {calls.reads} reads, {calls.writes} writes")
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except (BotoCoreError, ClientError, NetworkError) as exc:
        print(f"error: AWS: {exc}", file=sys.stderr)
        return FAILED
    except WriteRefused as exc:  # a defect: the plan must stop, not send it
        print(f"error: {exc}", file=sys.stderr)
        return FAILED
    doc: dict[str, Any] = document(planned.entries, planned.writes, planned.result, objects)
    if args.output == "json":
        print(json.dumps(doc, indent=2))
    else:
        print(render(doc, controllers(objects)), end="")
    for failure in doc["failed"]:
        print(f"error: {failure}", file=sys.stderr)
    if doc["failed"]:
        return FAILED
    return CHANGES if doc["changes"] else NO_CHANGES


def add_parser(sub: Any) -> None:
    """Register ``awsgw plan`` on the command line's subcommands."""
    p = sub.add_parser(
        "plan",
        help="show what reconcile would change in AWS, without changing it",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_one_shot_arguments(
        p,
        filename_help="YAML file or folder (repeatable): the whole desired state, as for reconcile",
        wait_help="as reconcile: how long to wait for load balancers still provisioning (one "
        "the plan would create is shown as it would be once active)",
    )
    p.add_argument(
        "-o",
        "--output",
        choices=("text", "json"),
        default="text",
        help="text: for people; json: a stable document (summary, changes, statuses)",
    )
    p.set_defaults(run=run)
