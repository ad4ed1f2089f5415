"""Tenants: many small routers in one server against one big one, and
whether one tenant's trouble delays another's decisions.

Service layer (``ccroute.server.Tenants``: one engine thread per tenant,
the layer every gRPC and JSON call goes through), driven by ``THREADS``
caller threads in the same process, for ``SECONDS`` each:

1. 100 tenants x 100 agents against 1 tenant x 10,000 agents: each call
   submits a contact (assigned at once: one routing decision) or completes
   one; decisions/s and the p50/p99 latency of the calls.
2. Isolation: tenant ``quiet`` (100 agents) under a light load, alone and
   then while tenant ``noisy`` is flooded (its queue full: every submit
   refused with QueueFull) and holds a stalled event subscriber (a watch
   never read, cut off when its buffer fills). Reported: ``quiet``'s p50
   and p99 in both runs.

Run: ``make bench-tenants`` (release build) or
``.venv/bin/python benches/tenants_bench.py``.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import threading
import time
from typing import Any

import ccroute as cc
from ccroute.server import RouterService, RouterSettings, ServiceLimits, Tenants

_RUNS = itertools.count()
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
THREADS = 8


def settings(max_waiting: int = 100_000) -> RouterSettings:
    return RouterSettings(channels=[cc.Channel("voice")], queues=[cc.Queue("q", max_waiting=max_waiting)])


def hosted(n_tenants: int, agents: int) -> Tenants:
    default = RouterService(settings(), limits=ServiceLimits())
    tenants = Tenants(default).start()
    names = [f"t{i}" for i in range(n_tenants)]
    for name in names:
        tenants.create(name, settings(), [cc.Agent(f"a{j}") for j in range(agents)])
    return tenants


def drive(tenants: Tenants, names: list[str], seconds: float, threads: int = THREADS,
          pause: float = 0.0) -> tuple[int, list[float]]:
    """Each thread cycles over its tenants: submit (assigned at once), then
    complete. Returns (decisions, latencies of every call in seconds)."""
    stop = threading.Event()
    run = next(_RUNS)
    decisions = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]

    def work(k: int) -> None:
        mine = names[k::threads] or names
        services = [tenants.service(n) for n in mine]
        counter = itertools.count()
        lat = latencies[k]
        while not stop.is_set():
            for service in services:
                cid = f"r{run}-c{k}-{next(counter)}"
                t0 = time.perf_counter()
                service.submit(cc.Contact(cid, "voice", "q"))
                t1 = time.perf_counter()
                service.complete(cid)
                t2 = time.perf_counter()
                lat.append(t1 - t0)
                lat.append(t2 - t1)
                decisions[k] += 1
                if pause:
                    time.sleep(pause)

    workers = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(threads)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    return sum(decisions), [x for part in latencies for x in part]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] * 1e3 if len(values) > 10 else float("nan")


def flood(tenants: Tenants, stop: threading.Event, k: int) -> None:
    service = tenants.service("noisy")
    for i in itertools.count():
        if stop.is_set():
            return
        try:
            service.submit(cc.Contact(f"n{k}-{i}", "voice", "q"))
        except cc.errors.QueueFull:
            pass


def main() -> None:
    print(f"tenants bench: {THREADS} caller threads, {SECONDS:.0f} s per run, service layer")
    rows: list[tuple[str, int, list[float]]] = []
    for label, n, agents in (("100 tenants x 100 agents", 100, 100), ("1 tenant x 10,000 agents", 1, 10_000)):
        tenants = hosted(n, agents)
        try:
            names = [f"t{i}" for i in range(n)]
            drive(tenants, names, 0.5)  # warm-up
            decided, lat = drive(tenants, names, SECONDS)
            rows.append((label, decided, lat))
        finally:
            tenants.stop()
    print(f"{'':28} {'decisions/s':>12} {'p50 ms':>8} {'p99 ms':>8}")
    for label, decided, lat in rows:
        print(f"{label:28} {decided / SECONDS:12,.0f} {pct(lat, 0.5):8.3f} {pct(lat, 0.99):8.3f}")

    # Isolation.
    tenants = hosted(0, 0)
    try:
        tenants.create("quiet", settings(), [cc.Agent(f"a{j}") for j in range(100)])
        tenants.create("noisy", settings(max_waiting=50), [])
        _, alone = drive(tenants, ["quiet"], SECONDS, threads=1, pause=0.001)
        stalled: Any = tenants.service("noisy").subscribe(0)  # never read
        stop = threading.Event()
        flooders = [threading.Thread(target=flood, args=(tenants, stop, k), daemon=True) for k in range(4)]
        for f in flooders:
            f.start()
        _, shared = drive(tenants, ["quiet"], SECONDS, threads=1, pause=0.001)
        stop.set()
        for f in flooders:
            f.join()
        stalled.close()
        print("\nisolation: tenant 'quiet' (1 caller, 1 ms between contacts)")
        print(f"{'':44} {'p50 ms':>8} {'p99 ms':>8}")
        print(f"{'alone':44} {pct(alone, 0.5):8.3f} {pct(alone, 0.99):8.3f}")
        print(f"{'tenant noisy flooded (full queue, stalled sub)':44} {pct(shared, 0.5):8.3f} "
              f"{pct(shared, 0.99):8.3f}")
    finally:
        tenants.stop()


if __name__ == "__main__":
    main()
