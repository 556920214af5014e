"""Command line: ``awsgw reconcile | run | sandbox | explain | version``.

``awsgw reconcile -f PATH ... [-o yaml|json] [--aws embedded]`` reads manifests (the whole
desired state of this cluster), reconciles AWS once with every provider of the registry
(ALB, VPC Lattice) and prints a ``kind: List`` of the Gateway API objects with ``.status``
filled in (and, on Routes, the annotations providers report, such as a VPC Lattice service's
DNS name). Exit codes: 0 done (routes may still be rejected: their status says why), 1 an
AWS call failed, 2 bad input or settings.

``awsgw run`` is the controller in a cluster (``awsgw.kube``): it watches the API and keeps
AWS and statuses in step until SIGTERM. ``awsgw sandbox`` runs it against an embedded API
server and AWS on loopback, for kubectl (``awsgw.sandbox``).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from datetime import UTC, datetime
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from awsgw import __version__
from awsgw.console import Progress, add_one_shot_arguments
from awsgw.core.store import Store
from awsgw.embedded import aws_target
from awsgw.manifests import ManifestError, load
from awsgw.objects import AWSGW_GROUP, GATEWAY_GROUP, KubeObject, RouteRef
from awsgw.providers.aws.common.network import NetworkError
from awsgw.providers.aws.common.session import Aws
from awsgw.providers.registry import build_providers
from awsgw.reconcilers.gateways import PassResult, reconcile_all
from awsgw.settings import Settings, SettingsError


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_list(objects: list[KubeObject], result: PassResult) -> dict[str, Any]:
    """The Gateway API objects as read (HTTPRoutes and GRPCRoutes included) and awsgw's
    own, each with the status this pass computed and the annotations providers reported
    for it."""
    items = []
    for obj in objects:
        if not obj.api_version.startswith((GATEWAY_GROUP + "/", AWSGW_GROUP + "/")):
            continue
        doc = copy.deepcopy(obj.raw)
        annotations = result.annotations.get(RouteRef(obj.kind, obj.key))
        if annotations:
            meta = doc.setdefault("metadata", {})
            meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
        status = result.statuses.get((obj.kind, obj.key))
        if status is not None:
            doc["status"] = status
        items.append(doc)
    return {"apiVersion": "v1", "kind": "List", "items": items}


def reconcile(args: argparse.Namespace) -> int:
    progress = Progress(args.quiet)
    try:
        objects = load(args.filename)
        settings = Settings()
    except (ManifestError, ValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    progress(f"read {len(objects)} objects from {', '.join(args.filename)}")
    try:
        with aws_target(args.aws, settings) as effective:
            cluster = effective.require_cluster()
            aws = Aws.create(max_attempts=effective.aws_max_attempts)
            providers = build_providers(aws, effective, cluster, wait_active=args.wait)
            result = reconcile_all(Store.of(objects), providers, _now(), progress)
            progress(f"AWS calls: {aws.counter.reads} reads, {aws.counter.writes} writes")
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, NetworkError) as exc:
        print(f"error: AWS: {exc}", file=sys.stderr)
        return 1
    doc = render_list(objects, result)
    if args.output == "json":
        print(json.dumps(doc, indent=2))
    else:
        print(yaml.safe_dump(doc, sort_keys=False), end="")
    for failure in result.failed:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if result.failed else 0


def explain_command(args: argparse.Namespace) -> int:
    """``awsgw explain``: evaluate a request against the live listener rules."""
    from awsgw.explain import ExplainError, explain
    from awsgw.providers.aws.common.requests import Request

    try:
        settings = Settings()
        cluster = settings.require_cluster()
        headers = []
        for item in args.header:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise SettingsError(f"--header {item!r}: expected K=V")
            headers.append((key, value))
    except (SettingsError, ValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    port = args.port or (443 if args.grpc or args.scheme == "https" else 80)
    scheme = args.scheme or ("https" if port == 443 else "http")
    try:
        if args.grpc is not None:
            if args.path != "/" or args.method != "GET":
                raise ValueError("--grpc names the call: it takes no --path or --method")
            request = Request.grpc_call(args.host, args.grpc, tuple(headers), port, scheme)
        else:
            request = Request(args.host, args.path, args.method, tuple(headers), port, scheme)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        aws = Aws.create(max_attempts=settings.aws_max_attempts)
        print(explain(aws, cluster, args.gateway, request, args.protocol, args.sni).render())
    except ExplainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:
        print(f"error: AWS: {exc}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="awsgw", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reconcile", help="reconcile AWS once from manifest files")
    add_one_shot_arguments(
        r,
        filename_help="YAML file or folder (repeatable)",
        wait_help="how long to wait for new load balancers to become active",
    )
    r.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")
    r.set_defaults(run=reconcile)
    from awsgw.preview.command import add_parser as add_plan

    add_plan(sub)
    from awsgw.kube.run import add_parser

    add_parser(sub)
    from awsgw.sandbox import add_parser as add_sandbox_parser

    add_sandbox_parser(sub)
    e = sub.add_parser(
        "explain",
        help="which rule and backends a request (or, on an NLB, a connection) reaches on a "
        "live load balancer",
    )
    e.add_argument("--gateway", required=True, metavar="NS/NAME")
    e.add_argument("--host", default="", help="Host header (default: the load balancer's name)")
    e.add_argument("--path", default="/", help="path, with ?query if any")
    e.add_argument("--method", default="GET")
    e.add_argument("--header", action="append", default=[], metavar="K=V")
    e.add_argument(
        "--grpc",
        default=None,
        metavar="SERVICE/METHOD",
        help="explain a gRPC call (an HTTP/2 POST /SERVICE/METHOD, content-type "
        "application/grpc; port 443 unless --port)",
    )
    e.add_argument("--port", type=int, default=None, help="default 80 (443 for https, --grpc)")
    e.add_argument("--scheme", choices=("http", "https"), default=None)
    e.add_argument(
        "--protocol",
        choices=("TCP", "UDP", "TLS"),
        default=None,
        help="NLB Gateways: explain a connection of this protocol instead of a request",
    )
    e.add_argument("--sni", default=None, metavar="HOST", help="TLS: the server name sent")
    e.set_defaults(run=explain_command)
    v = sub.add_parser("version", help="print the version")
    v.set_defaults(run=lambda _: print(__version__) or 0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
