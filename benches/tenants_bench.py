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

3. The same comparison over gRPC: a ``ccroute serve`` process, and
   ``grpc-load`` (the Rust load generator) sending unary SubmitContact
   calls with 16 in flight, spread over the 100 tenants (``--tenants``,
   call ``i`` to tenant ``i mod 100``) or all to the one big tenant; every
   contact is assigned at once (agents take many at a time), so each call
   is one decision. Reported: decisions/s and the unary p50/p99.

Run: ``make bench-tenants`` (release build) or
``.venv/bin/python benches/tenants_bench.py [SECONDS] [--no-grpc]``.
"""

from __future__ import annotations

import itertools
import json
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ccroute as cc
from ccroute.client import RouterClient
from ccroute.server import RouterService, RouterSettings, ServiceLimits, Tenants
from ccroute.v1 import model_pb2, router_pb2

_RUNS = itertools.count()
_ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
SECONDS = float(_ARGS[0]) if _ARGS else 5.0
THREADS = 8
ROOT = Path(__file__).resolve().parents[1]
GRPC_LOAD = ROOT / "target" / "release" / "grpc-load"
#: Unary calls per gRPC run (after a warm-up of a tenth as many).
GRPC_CALLS = 30_000


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def grpc_run(n_tenants: int, agents: int, tmp: Path) -> tuple[float, float, float, int]:
    """decisions/s, p50 and p99 (ms) and errors of unary SubmitContact
    calls over gRPC at ``n_tenants`` tenants of ``agents`` agents each."""
    port = free_port()
    log = open(tmp / f"serve-{n_tenants}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "ccroute.cli", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    target = f"127.0.0.1:{port}"
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "listening on" in line:
                break
        names = [f"t{i}" for i in range(n_tenants)] if n_tenants > 1 else ["big"]
        with RouterClient(target) as admin:
            for name in names:
                admin.create_tenant(name, [cc.Channel("bench", max_per_agent=1_000_000)], [cc.Queue("bench")],
                                    retain_finished=1_000)

        def staff(name: str) -> None:
            with RouterClient(target, tenant=name) as c:
                for j in range(agents):
                    c.add_agent(cc.Agent(f"a{j}", capacity=1_000_000))
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(staff, names))

        def run(calls: int) -> dict[str, Any]:
            path = tmp / f"req-{uuid.uuid4().hex[:8]}.bin"
            with open(path, "wb") as f:
                for i in range(calls):
                    data = router_pb2.SubmitContactRequest(contact=model_pb2.Contact(
                        id=f"{uuid.uuid4().hex[:8]}-{i}", channel="bench", queue="bench")).SerializeToString()
                    f.write(struct.pack(">I", len(data)) + data)
            out = subprocess.run([str(GRPC_LOAD), "--target", target, "--requests", str(path),
                                  "--method", "/ccroute.v1.Router/SubmitContact", "--concurrency", "16",
                                  "--tenants", ",".join(names)], check=True, capture_output=True, text=True)
            report: dict[str, Any] = json.loads(out.stdout)
            return report

        run(GRPC_CALLS // 10)  # warm-up
        report = run(GRPC_CALLS)
        return report["rate"], report["p50_ms"], report["p99_ms"], int(report["errors"])
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def grpc_main() -> None:
    if not GRPC_LOAD.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "grpc_load"], cwd=ROOT, check=True)
    print(f"\nover gRPC: unary SubmitContact, 16 in flight, {GRPC_CALLS:,} calls, each one decision")
    print(f"{'':28} {'decisions/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    with tempfile.TemporaryDirectory() as d:
        rows = []
        for label, n, agents in (("100 tenants x 100 agents", 100, 100), ("1 tenant x 10,000 agents", 1, 10_000)):
            rate, p50, p99, errors = grpc_run(n, agents, Path(d))
            rows.append(rate)
            print(f"{label:28} {rate:12,.0f} {p50:8.3f} {p99:8.3f} {errors:7d}")
    print(f"100 tenants / 1 tenant: {rows[0] / rows[1]:.2f}x")


if __name__ == "__main__":
    main()
    if "--no-grpc" not in sys.argv:
        grpc_main()
