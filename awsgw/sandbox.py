"""``awsgw sandbox``: the whole controller loop on one machine, driven with the real kubectl.

It starts three things on loopback: an embedded Kubernetes API server (the fake API server
of ``awsgw.testing.fakekube``, which serves discovery, OpenAPI, Tables and server-side apply
as kubectl expects), the embedded AWS (moto with awsgw's gap fills and a VPC tagged for the
cluster, as ``--aws embedded``) and the controller ``awsgw run`` against both. The chart's
built-in GatewayClasses exist from the start. Once the controller's caches are synced it
writes a kubeconfig and an environment file (``export`` lines for kubectl, ``awsgw explain``
and the AWS CLI), prints them and serves until SIGINT/SIGTERM; then it stops the controller,
the API server and the AWS, and removes both files. ``--aws-faults RATE`` has the embedded AWS
throttle or lose the answer of that share of awsgw's calls (``awsgw.testing.faults``), to
watch the controller recover; on stop it says how many it made.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from awsgw.embedded import CREDENTIALS, embedded_aws
from awsgw.settings import Settings
from awsgw.testing.faults import LOST, THROTTLE, FaultPlan

log = logging.getLogger("awsgw.sandbox")
CLUSTER = "sandbox"
CHART_LABELS = {"app.kubernetes.io/name": "awsgw", "app.kubernetes.io/managed-by": "awsgw-sandbox"}
GATEWAY_CLASSES = (
    ("awsgw-alb", "awsgw.io/alb", "Application Load Balancers"),
    ("awsgw-nlb", "awsgw.io/nlb", "Network Load Balancers (TCP, UDP, TLS; HTTP via ALB)"),
    ("awsgw-lattice", "awsgw.io/lattice", "VPC Lattice service networks"),
)
"""The chart's built-in GatewayClasses (charts/awsgw/templates/gatewayclasses.yaml): name,
controller, description."""


def gateway_classes() -> list[dict[str, Any]]:
    """The built-in GatewayClasses as the chart renders them."""
    return [
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": name, "labels": dict(CHART_LABELS)},
            "spec": {"controllerName": controller, "description": f"awsgw: {description}"},
        }
        for name, controller, description in GATEWAY_CLASSES
    ]


def environment(kubeconfig: Path, endpoint: str, region: str) -> dict[str, str]:
    """What points kubectl, ``awsgw explain`` and the AWS CLI at the sandbox."""
    return {
        "KUBECONFIG": str(kubeconfig),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        **CREDENTIALS,
        "AWSGW_CLUSTER_NAME": CLUSTER,
    }


def _default_kubeconfig() -> Path:
    return Path(tempfile.gettempdir()) / "awsgw-sandbox" / "kubeconfig"


def sandbox(args: argparse.Namespace) -> int:
    """Serve the sandbox until a signal; 2 when it cannot start."""
    from awsgw.kube import logs
    from awsgw.kube.run import build_controller, serve
    from awsgw.testing.fakekube import FakeKube

    kubeconfig = Path(args.kubeconfig) if args.kubeconfig else _default_kubeconfig()
    env_file = kubeconfig.with_name(kubeconfig.name + ".env")
    logs.configure(args.log_level)
    try:
        kube = FakeKube(port=args.port)
    except OSError as exc:
        print(f"error: cannot serve the API on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 2
    faults = FaultPlan.everywhere(args.aws_faults) if args.aws_faults else None
    with kube, embedded_aws(CLUSTER, faults) as aws:
        for gateway_class in gateway_classes():
            kube.apply(gateway_class)
        kubeconfig.parent.mkdir(parents=True, exist_ok=True)
        private = Path(tempfile.mkdtemp(prefix="awsgw-sandbox-")) / "kubeconfig"
        kube.write_kubeconfig(private)
        settings = Settings(
            cluster_name=CLUSTER,
            vpc_id=aws.vpc_id,
            metrics_address=args.metrics_address,
            lease_namespace="kube-system",
            identity="awsgw-sandbox",
            log_level=args.log_level,
        )
        try:
            controller = build_controller(settings, str(private))
        except Exception as exc:  # metrics address in use, ...
            print(f"error: cannot start the controller: {exc}", file=sys.stderr)
            return 2
        env = environment(kubeconfig, aws.endpoint, aws.region)

        def ready() -> None:
            kube.write_kubeconfig(kubeconfig)
            exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
            _write_whole(env_file, exports)
            banner = _banner(kube.url, aws.endpoint, aws.vpc_id, kubeconfig, env_file, faults)
            print(banner, flush=True)

        try:
            serve(controller, ready)
        finally:
            for path in (kubeconfig, env_file, private):
                path.unlink(missing_ok=True)
            private.parent.rmdir()
    if faults is not None:
        print(_faults_made(faults), flush=True)
    print("awsgw sandbox stopped", flush=True)
    return 0


def _write_whole(path: Path, text: str) -> None:
    """Write ``path`` so that it appears whole: its existence tells a script (or a test)
    that the sandbox is ready, and a half-written file would give it half the exports."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    os.replace(partial, path)


def _faults_made(faults: FaultPlan) -> str:
    throttled = sum(n for (_, kind), n in faults.seen.items() if kind == THROTTLE)
    lost = sum(n for (_, kind), n in faults.seen.items() if kind == LOST)
    calls = sum(faults.requests.values())
    return f"AWS faults made: {throttled} throttled, {lost} answers lost, of {calls} calls"


def _banner(
    api: str, endpoint: str, vpc: str, kubeconfig: Path, env_file: Path, faults: FaultPlan | None
) -> str:
    classes = ", ".join(name for name, _, _ in GATEWAY_CLASSES)
    injected = ""
    if faults is not None:
        share = max(faults.rates.values())
        injected = f"  AWS faults      {share:.0%} of awsgw's calls throttled or answer lost\n"
    return (
        "awsgw sandbox is ready\n"
        f"  Kubernetes API  {api}  (kubeconfig {kubeconfig})\n"
        f"  embedded AWS    {endpoint}  (cluster {CLUSTER}, {vpc})\n"
        f"{injected}"
        f"  GatewayClasses  {classes}\n"
        "Point kubectl, awsgw explain and the AWS CLI at it (in another shell):\n"
        f"  . {shlex.quote(str(env_file))}\n"
        "  kubectl apply -f examples/quickstart/\n"
        "Stop with Ctrl-C."
    )


def fault_rate(text: str) -> float:
    """``--aws-faults``: a share from 0 to 0.9 (above, hardly a call would get through)."""
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= rate <= 0.9:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 0.9")
    return rate


def add_parser(sub: Any) -> None:
    """The ``sandbox`` subcommand."""
    s = sub.add_parser(
        "sandbox",
        help="run the controller against an embedded Kubernetes API and AWS, for kubectl",
    )
    s.add_argument(
        "--kubeconfig",
        help=f"where to write the kubeconfig once ready (default {_default_kubeconfig()})",
    )
    s.add_argument("--port", type=int, default=0, help="API server port (default: a free one)")
    s.add_argument(
        "--metrics-address",
        dest="metrics_address",
        default="127.0.0.1:0",
        help="host:port of the controller's /healthz, /readyz, /metrics (default: a free one)",
    )
    s.add_argument(
        "--aws-faults",
        dest="aws_faults",
        type=fault_rate,
        default=0.0,
        metavar="RATE",
        help="throttle or lose the answer of this share of awsgw's AWS calls, half each "
        "(0 to 0.9; default 0), to watch the controller recover",
    )
    s.add_argument("--log-level", dest="log_level", default="WARNING", help="controller logs")
    s.set_defaults(run=sandbox)
