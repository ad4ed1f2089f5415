"""Parameter sweep: the same 200 cells x 10 replications in this process,
on the local process pool and on a Dask LocalCluster, in one run.

The scenario is ``examples/scenarios/mmc.yaml`` (M/M/c, one queue) run
for 100 hours instead of 10 (about 17,000 contacts a replication at full
rate: with the 1,700 of a 10-hour day a replication takes under a
millisecond in a release build and the executors' per-task overhead is
all that is measured) over a grid of 20 agent counts (9 to 28) by
10 arrival-rate factors (0.55 to 1.0): 2,000 replications per executor,
every one on the same seeds. The script prints each executor's wall time
(the Dask cluster's start-up apart), replications per second and its
speed-up over ``workers=1``, and checks that every executor gave the same
frame, bit for bit. A thread pool (the native loop runs without the GIL)
is timed too, for comparison.

Run: ``make bench-sweep`` (or ``.venv/bin/python benches/sweep_bench.py
[--quick]``).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ccroute import sim

SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "mmc.yaml"


def timed(label: str, run: Callable[[], Any], rows: list[tuple[str, float]]) -> Any:
    start = time.perf_counter()
    res = run()
    rows.append((label, time.perf_counter() - start))
    print(f"  {label:<28} {rows[-1][1]:8.2f} s", flush=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20 cells x 5 replications")
    args = ap.parse_args()
    import pandas as pd
    from distributed import Client, LocalCluster

    agents = list(range(9, 29)) if not args.quick else [9, 10, 11, 12, 13]
    scales = [round(0.55 + 0.05 * i, 2) for i in range(10)] if not args.quick else [0.7, 0.8, 0.9, 1.0]
    grid: dict[str, list[Any]] = {"agents.agents": agents, "arrivals.scale": scales}
    reps = 5 if args.quick else 10
    cores = os.cpu_count() or 1
    cells = len(agents) * len(scales)
    total = cells * reps
    print(f"{SCENARIO.name}: {cells} cells x {reps} replications = {total:,} replications per executor, "
          f"{cores} cores")

    scenario = sim.load_scenario(SCENARIO).replace(duration=100 * 3600.0)

    def sweep(**kw: Any) -> Any:
        return sim.sweep(scenario, grid, replications=reps, **kw)

    rows: list[tuple[str, float]] = []
    frames = {}
    frames["workers=1"] = timed("workers=1 (in-process)", lambda: sweep(workers=1), rows).frame
    frames["pool"] = timed(f"process pool, {cores} workers", lambda: sweep(), rows).frame
    start = time.perf_counter()
    with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(cores)
        print(f"  (Dask LocalCluster start-up: {time.perf_counter() - start:.2f} s, not counted)")
        frames["dask"] = timed(f"Dask LocalCluster, {cores} workers", lambda: sweep(executor=client), rows).frame
    with ThreadPoolExecutor(cores) as threads:
        frames["threads"] = timed(f"thread pool, {cores} threads", lambda: sweep(executor=threads), rows).frame
    base = rows[0][1]
    print()
    print(f"{'executor':<30} {'wall (s)':>9} {'reps/s':>9} {'speed-up':>9}")
    for label, wall in rows:
        print(f"{label:<30} {wall:9.2f} {total / wall:9.0f} {base / wall:8.2f}x")
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, frames["workers=1"], check_exact=True, obj=name)
    print("every executor gave the same frame, bit for bit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
