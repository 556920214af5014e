"""``awsgw run``: build the controller from settings and flags, run until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from awsgw import __version__
from awsgw.kube import logs
from awsgw.settings import Settings, SettingsError

if TYPE_CHECKING:
    from awsgw.kube.controller import Controller

log = logging.getLogger("awsgw.kube.run")
FLAGS = (
    "identity",
    "lease_name",
    "lease_namespace",
    "leader_elect",
    "shards",
    "metrics_address",
    "resync_period",
    "log_level",
)
"""Flags that override the AWSGW_ variable of the same name."""


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {f: getattr(args, f) for f in FLAGS if getattr(args, f, None) is not None}
    return Settings(**overrides)


def build_controller(
    settings: Settings, kubeconfig: str | None, context: str | None = None
) -> Controller:
    """The controller of ``settings`` over the API server of ``kubeconfig`` (None: in-cluster,
    else $KUBECONFIG or ~/.kube/config). Raises when it cannot connect or bind."""
    from awsgw.kube.api import KubeApi, default_namespace
    from awsgw.kube.controller import Controller
    from awsgw.kube.resources import WATCHED
    from awsgw.providers.registry import Cloud

    identity = settings.identity or f"{socket.gethostname()}_{secrets.token_hex(4)}"
    api = KubeApi.connect(
        kubeconfig,
        f"awsgw/{__version__} ({identity})",
        (settings.kube_connect_timeout, settings.kube_read_timeout),
        context,
        # a watch per kind, a request per worker, leases and Events
        pool_size=len(WATCHED) + settings.workers + 4,
    )
    cloud = Cloud(settings, settings.require_cluster())
    return Controller(
        settings, api, cloud, identity, settings.lease_namespace or default_namespace()
    )


def serve(controller: Controller, started: Callable[[], None] = lambda: None) -> None:
    """Run ``controller`` until SIGTERM/SIGINT (or its own stop), then shut it down;
    ``started`` is called once its caches are synced."""

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
        controller.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "starting",
        extra={
            "version": __version__,
            "identity": controller.identity,
            "cluster": controller.cluster,
        },
    )
    runner = threading.Thread(target=controller.run, name="controller", daemon=True)
    runner.start()
    announced = False
    while runner.is_alive() and not controller.stop.wait(0.2):
        if not announced and controller.ready():
            announced = True
            started()
    controller.shutdown()


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
        settings.require_cluster()
    except (ValidationError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    try:
        controller = build_controller(settings, args.kubeconfig, args.context)
    except Exception as exc:  # kubeconfig unreadable, address in use, ...
        log.error("cannot start: %s", exc)
        return 2
    serve(controller)
    return 0


def add_parser(sub: Any) -> None:
    """The ``run`` subcommand's flags (each overrides its AWSGW_ variable)."""
    r = sub.add_parser("run", help="run the controller against a cluster (watch and reconcile)")
    r.add_argument("--kubeconfig", help="default: in-cluster, else $KUBECONFIG, ~/.kube/config")
    r.add_argument("--context", help="kubeconfig context (default: the current one)")
    r.add_argument("--identity", help="name of this replica (AWSGW_IDENTITY)")
    r.add_argument("--lease-name", dest="lease_name", help="AWSGW_LEASE_NAME")
    r.add_argument("--lease-namespace", dest="lease_namespace", help="AWSGW_LEASE_NAMESPACE")
    r.add_argument(
        "--no-leader-elect",
        dest="leader_elect",
        action="store_const",
        const=False,
        help="run without a Lease (one replica only!)",
    )
    r.add_argument(
        "--shards",
        dest="shards",
        type=int,
        help="shard Gateways over the replicas through N Leases (AWSGW_SHARDS; 0: one leader)",
    )
    r.add_argument(
        "--metrics-address", dest="metrics_address", help="host:port (AWSGW_METRICS_ADDRESS)"
    )
    r.add_argument(
        "--resync-period", dest="resync_period", type=float, help="seconds (AWSGW_RESYNC_PERIOD)"
    )
    r.add_argument("--log-level", dest="log_level", help="AWSGW_LOG_LEVEL")
    r.set_defaults(run=run)
