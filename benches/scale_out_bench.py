#!/usr/bin/env python3
"""Scale-out: three ``ccroute serve --advertise`` servers against one, on
the same Redis, in one run.

Six tenants (each: one channel and queue, 100 agents with room for every
contact, so each submit is assigned at once) on a local ``redis-server``
(AOF, ``appendfsync everysec``). Phase 1: one server owns all six. Phase
2: three servers on a fresh database spread them 2/2/2. In each phase,
``grpc-load`` (the Rust load generator) runs one process per tenant at
once, unary ``SubmitContact`` with 16 in flight, against the tenant's
owner. Reported: total contacts/s (every tenant's calls over the wall
time of the whole phase) and the worst tenant's p50 and p99.

On a 2-core machine the three servers, Redis and six load generators
share the same two cores, so phase 2 measures how the work divides on the
same CPU, not what three machines give; run it with the servers on
separate hosts for that.

Usage: python benches/scale_out_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ccroute as cc
from ccroute.client import RouterClient
from ccroute.v1 import model_pb2, router_pb2

ROOT = Path(__file__).resolve().parent.parent
GRPC_LOAD = ROOT / "target" / "release" / "grpc-load"
TENANTS = [f"t{i}" for i in range(6)]
AGENTS = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                             "127.0.0.1", "--dir", str(tmp), "--appendonly", "yes", "--appendfsync", "everysec",
                             "--save", "", "--logfile", str(tmp / "redis.log")])
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis(port=port).ping()
            return proc, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start") from None
            time.sleep(0.05)


def start_server(url: str, tmp: Path, k: int) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    cfg = tmp / "router.yaml"
    cfg.write_text("channels: [{name: bench, max_per_agent: 1000000}]\nqueues: [{name: bench}]\n"
                   "retain_finished: 10000\n")
    proc = subprocess.Popen([sys.executable, "-m", "ccroute.cli", "serve", "--port", str(port), "--advertise",
                             f"127.0.0.1:{port}", "--redis", url, "--config", str(cfg), "--lease-ms", "3000"],
                            stdout=subprocess.PIPE, stderr=open(tmp / f"serve-{k}.log", "w"), text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "listening on" in line:
            return proc, f"127.0.0.1:{port}"
    raise SystemExit(f"server {k} did not start: see {tmp}/serve-{k}.log")


def setup(targets: list[str]) -> dict[str, str]:
    """Create the tenants with their agents; wait until spread; their owners."""
    with RouterClient(targets[0]) as admin:
        for name in TENANTS:
            admin.create_tenant(name, [cc.Channel("bench", max_per_agent=1_000_000)], [cc.Queue("bench")],
                                retain_finished=10_000)
    deadline = time.monotonic() + 60
    names = ["default", *TENANTS]
    stable_since, last = time.monotonic(), None
    while True:  # spread (the default tenant counts too) and unchanged for two lease times
        with RouterClient(targets[0]) as c:
            owners = {t.name: t.owner for t in c.tenants()}
        counts = [sum(1 for n in names if owners.get(n) == t) for t in targets]
        spread = all(owners.get(n) in targets for n in names) and max(counts) - min(counts) <= 1
        if owners != last or not spread:
            stable_since, last = time.monotonic(), owners
        elif time.monotonic() - stable_since > 6.0:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"tenants not spread: {owners}")
        time.sleep(0.2)
    for name in TENANTS:
        with RouterClient(owners[name], tenant=name) as c:
            for i in range(AGENTS):
                c.add_agent(cc.Agent(f"a{i}", capacity=1_000_000, skills={f"s{i % 10}": 5}))
    return {n: owners[n] for n in TENANTS}


def requests_file(tmp: Path, tenant: str, n: int) -> Path:
    path = tmp / f"req-{tenant}-{uuid.uuid4().hex[:6]}.bin"
    with open(path, "wb") as f:
        for i in range(n):
            req = router_pb2.SubmitContactRequest(
                contact=model_pb2.Contact(id=f"{tenant}-{uuid.uuid4().hex[:8]}-{i}", channel="bench", queue="bench",
                                          requires={f"s{i % 10}": 3}),
                idempotency_key=uuid.uuid4().hex)
            data = req.SerializeToString()
            f.write(struct.pack(">I", len(data)) + data)
    return path


def load(owners: dict[str, str], tmp: Path, per_tenant: int) -> tuple[float, float, float, int]:
    files = {t: requests_file(tmp, t, per_tenant) for t in TENANTS}

    def one(tenant: str) -> dict[str, float]:
        out = subprocess.run([str(GRPC_LOAD), "--target", owners[tenant], "--requests", str(files[tenant]),
                              "--method", "/ccroute.v1.Router/SubmitContact", "--concurrency", "16",
                              "--tenant", tenant], check=True, capture_output=True, text=True)
        report: dict[str, float] = json.loads(out.stdout)
        return report

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(TENANTS)) as pool:
        reports = list(pool.map(one, TENANTS))
    wall = time.perf_counter() - t0
    errors = sum(int(sum(r.get("errors", {}).values())) if isinstance(r.get("errors"), dict)
                 else int(r.get("errors", 0)) for r in reports)
    return (len(TENANTS) * per_tenant / wall, max(r["p50_ms"] for r in reports), max(r["p99_ms"] for r in reports),
            errors)


def phase(servers: int, per_tenant: int) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        redis_proc, url = start_redis(tmp)
        procs = []
        try:
            started = [start_server(url, tmp, k) for k in range(servers)]
            procs = [p for p, _ in started]
            owners = setup([t for _, t in started])
            load(owners, tmp, max(200, per_tenant // 10))  # warm-up
            return load(owners, tmp, per_tenant)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(30)
            redis_proc.kill()
            redis_proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args()
    if not GRPC_LOAD.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "grpc_load"], cwd=ROOT, check=True)
    per_tenant = 1_000 if args.quick else 5_000
    print(f"scale-out bench: {len(TENANTS)} tenants x {AGENTS} agents, unary SubmitContact, 16 in flight per "
          f"tenant, {per_tenant} calls per tenant, one Redis (appendfsync everysec)")
    print(f"{'':30} {'contacts/s':>11} {'worst p50 ms':>13} {'worst p99 ms':>13} {'errors':>7}")
    rows = []
    for servers in (1, 3):
        rate, p50, p99, errors = phase(servers, per_tenant)
        rows.append(rate)
        print(f"{f'{servers} server(s)':30} {rate:11,.0f} {p50:13.2f} {p99:13.2f} {errors:7d}")
    print(f"three servers / one: {rows[1] / rows[0]:.2f}x (same 2 cores: see the docstring)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
