"""How the cost of awsgw grows with the world (``benchmarks/world.py``).

Run: ``.venv/bin/python benchmarks/scale.py [plan|sync|run|all|passes G R N]`` (default ``all``):

- ``plan``: pure planning (attach + model + ALB plan of every Gateway), best of seven
  interleaved rounds, and the ratios that matter: ten times the Routes per Gateway, ten
  times the Gateways;
- ``sync``: a restart's sync in-process (``scale_sync.py``), 10/50/100/200 Gateways of 20
  Routes: AWS reads per Gateway key, writes, seconds, peak memory, and what editing one
  Route costs;
- ``passes G R N``: a world of G Gateways of R Routes planned N times after a first, to count
  the instructions of a pass under valgrind (``planning_passes``);
- ``run``: ``awsgw run`` as a black box restarting over programmed Gateways
  (``scale_run.py``), 10 and 30 Gateways, and its peak memory with 10k unrelated Secrets of
  100 KB beside them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from world import store_of

from awsgw.core.attach import attach
from awsgw.core.store import Store
from awsgw.core.translate import build_model
from awsgw.providers.aws.alb.plan.compile import compile_alb
from awsgw.providers.registry import CATALOG
from awsgw.reconcilers.heap import frozen_heap

HERE = Path(__file__).resolve().parent
SYNC_SIZES = (10, 50, 100, 200)
SYNC_ROUTES = 20


def plan_every_gateway(store: Store) -> int:
    """Attach, model and plan every Gateway as a pass does (heap frozen); the ALB rules."""
    with frozen_heap():
        attachment = attach(store, CATALOG)
        rules = 0
        for gws in attachment.gateways.values():
            spec = compile_alb(build_model(gws, attachment, store), "bench")
            rules += sum(len(ls.rules) for ls in spec.listeners)
    return rules


PLAN_SIZES = ((10, 100), (10, 1000), (100, 10), (1000, 10))


def plan_seconds(rounds: int = 7) -> dict[tuple[int, int], float]:
    """The best planning time of each size over ``rounds`` rounds. Each round times every
    size once, in turn, so that a noisy stretch of the machine slows all sizes alike
    rather than the one it happens to fall on (a ratio is only as sound as that)."""
    stores = {size: store_of(*size) for size in PLAN_SIZES}
    best = dict.fromkeys(PLAN_SIZES, float("inf"))
    for _ in range(rounds):
        for size, store in stores.items():
            start = time.perf_counter()
            plan_every_gateway(store)
            best[size] = min(best[size], time.perf_counter() - start)
    return best


def plan_table() -> None:
    print("| Gateways | Routes each | Routes | planning s |")
    print("| --- | --- | --- | --- |")
    figures = plan_seconds()
    for (gateways, routes), figure in figures.items():
        print(f"| {gateways} | {routes} | {gateways * routes} | {figure:.3f} |")
    more_routes = figures[(10, 1000)] / figures[(10, 100)]
    more_gateways = figures[(1000, 10)] / figures[(100, 10)]
    print(f"\nRoutes per Gateway x10: x{more_routes:.1f}; Gateways x10: x{more_gateways:.1f}")


def planning_passes(gateways: int, routes: int, passes: int) -> None:
    """Build a world, plan it once (imports, caches), then ``passes`` more times: under
    ``valgrind --tool=cachegrind --cache-sim=no``, the instructions of 2 passes less those of
    0 are the instructions of two passes, free of the machine's noise and of its caches."""
    store = store_of(gateways, routes)
    plan_every_gateway(store)
    for _ in range(passes):
        plan_every_gateway(store)


def _child(*args: str) -> dict[str, float]:
    """One measurement in a process of its own (its own peak memory): the JSON it prints."""
    out = subprocess.run(
        [sys.executable, str(HERE / "scale.py"), *args], check=True, capture_output=True, text=True
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def sync_table() -> None:
    print(f"| Gateways ({SYNC_ROUTES} Routes each) | AWS reads per key | writes | sync s "
          "| of it awsgw's own | edit one Route: reads, writes | peak MB |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = {}
    for gateways in SYNC_SIZES:
        f = rows[gateways] = _child("sync-one", str(gateways), str(SYNC_ROUTES))
        print(f"| {gateways} | {f['reads_per_key']:.1f} | {f['writes']:.0f} "
              f"| {f['sync_seconds']:.2f} | {f['sync_seconds'] - f['moto_seconds']:.2f} "
              f"| {f['edit_reads']:.0f}, {f['edit_writes']:.0f} "
              f"| {f['peak_rss_mb']:.0f} |")  # fmt: skip
    reads = rows[100]["reads_per_key"] / rows[10]["reads_per_key"]
    sync = rows[100]["sync_seconds"] / rows[50]["sync_seconds"]
    own = [rows[g]["sync_seconds"] - rows[g]["moto_seconds"] for g in (50, 100)]
    print(
        f"\nreads per key 100 vs 10 Gateways: x{reads:.2f}; sync 100 vs 50: x{sync:.2f} "
        f"(awsgw's own x{own[1] / own[0]:.2f})"
    )


def run_table() -> None:
    print("| awsgw run restarting over | catch-up s | AWS reads per Gateway | AWS writes "
          "| peak MB |")  # fmt: skip
    print("| --- | --- | --- | --- | --- |")
    rows = {}
    for gateways, secrets in ((10, 0), (30, 0), (30, 10_000)):
        f = rows[(gateways, secrets)] = _child("run-one", str(gateways), str(secrets))
        beside = f" + {secrets} Secrets of 100 KB" if secrets else ""
        print(
            f"| {gateways} Gateways{beside} | {f['catch_up_seconds']:.1f} "
            f"| {f['reads_per_gateway']:.1f} | {f['writes']:.0f} | {f['peak_rss_mb']:.0f} |"
        )
    catch_up = rows[(30, 0)]["catch_up_seconds"] / rows[(10, 0)]["catch_up_seconds"]
    reads = rows[(30, 0)]["reads_per_gateway"] / rows[(10, 0)]["reads_per_gateway"]
    memory = rows[(30, 10_000)]["peak_rss_mb"] - rows[(30, 0)]["peak_rss_mb"]
    print(
        f"\ncatch-up 30 vs 10: x{catch_up:.2f}; reads per Gateway x{reads:.2f}; "
        f"10k Secrets add {memory:.0f} MB"
    )


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "all"
    if command == "sync-one":
        import scale_sync

        scale_sync.main(int(argv[1]), int(argv[2]))
    elif command == "run-one":
        import scale_run

        scale_run.main(int(argv[1]), int(argv[2]))
    elif command == "passes":
        planning_passes(int(argv[1]), int(argv[2]), int(argv[3]))
    else:
        tables = {"plan": [plan_table], "sync": [sync_table], "run": [run_table]}
        for table in tables.get(command, [plan_table, sync_table, run_table]):
            table()
            print()


if __name__ == "__main__":
    main(sys.argv[1:])
