"""``awsgw run``: build the controller from settings and flags, run until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import socket
import sys
import threading
from typing import Any

from pydantic import ValidationError

from awsgw import __version__
from awsgw.kube import logs
from awsgw.settings import Settings, SettingsError

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


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
        settings.require_cluster()
    except (ValidationError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    from awsgw.kube.api import KubeApi, default_namespace
    from awsgw.kube.controller import Controller
    from awsgw.providers.registry import Cloud

    identity = settings.identity or f"{socket.gethostname()}_{secrets.token_hex(4)}"
    try:
        api = KubeApi.connect(
            args.kubeconfig,
            f"awsgw/{__version__} ({identity})",
            (settings.kube_connect_timeout, settings.kube_read_timeout),
            args.context,
        )
        cloud = Cloud(settings, settings.require_cluster())
        controller = Controller(
            settings, api, cloud, identity, settings.lease_namespace or default_namespace()
        )
    except Exception as exc:  # kubeconfig unreadable, address in use, ...
        log.error("cannot start: %s", exc)
        return 2

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
        controller.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "starting",
        extra={"version": __version__, "identity": identity, "cluster": settings.cluster_name},
    )
    runner = threading.Thread(target=controller.run, name="controller", daemon=True)
    runner.start()
    while runner.is_alive() and not controller.stop.wait(0.5):
        pass
    controller.shutdown()
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
