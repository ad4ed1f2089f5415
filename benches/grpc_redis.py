#!/usr/bin/env python3
"""gRPC load with Redis persistence vs in memory, in one run.

The same load as ``benches/grpc_load.py`` (StreamContacts batches, unary
SubmitContact with 16 in flight) against ``ccroute serve`` three times: in
memory, with ``--redis`` on a local redis-server with AOF ``appendfsync
everysec`` (Redis' default), and with ``appendfsync always`` (every write
on disk before Redis answers). Target: Redis persistence keeps at least a
third of the in-memory throughput.

Usage: python benches/grpc_redis.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grpc_load import CONFIG, bench_stream, bench_unary_max, settle, stop

TARGET_RATIO = 1 / 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(d: Path, fsync: str) -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("grpc_redis: redis-server is not installed (make redis-server)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--appendonly", "yes",
                             "--appendfsync", fsync, "--dir", str(d), "--save", ""],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("grpc_redis: redis-server did not start") from None
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def start_server(tmp: Path, agents: int, redis_url: Optional[str]) -> tuple[subprocess.Popen[str], str]:
    lines = "\n".join(f"  - {{id: a{i}, capacity: 1000000, skills: {{s{i % 10}: 5}}}}" for i in range(agents))
    cfg = tmp / "bench.yaml"
    cfg.write_text(CONFIG % lines)
    extra = ["--redis", redis_url, "--snapshot-every", "50000"] if redis_url else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccroute.cli", "serve", "--host", "127.0.0.1", "--port", "0",
         "--config", str(cfg), *extra],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        m = re.search(r"listening on ([\d.]+:\d+)", line)
        if m:
            return proc, m.group(1)
    raise SystemExit("grpc_redis: server did not start")


def run(tmp: Path, redis_url: Optional[str], quick: bool) -> tuple[float, float, float]:
    proc, target = start_server(tmp, 100, redis_url)
    try:
        n = 20_000 if quick else 200_000
        bench_stream(target, 5_000, 1000, prefix="w")  # warm up
        big, _ = bench_stream(target, n, 1000, prefix="s")
        small, _ = bench_stream(target, n // 4, 100, prefix="t")
        unary, _ = asyncio.run(bench_unary_max(target, 4_000 if quick else 30_000, 16))
        settle(target)
        return big, small, unary
    finally:
        stop(proc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run (smoke test, figures not meaningful)")
    args = ap.parse_args()
    results: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        results["memory"] = run(tmp, None, args.quick)
        for fsync in ("everysec", "always"):
            d = tmp / f"redis-{fsync}"
            d.mkdir()
            rproc, url = start_redis(d, fsync)
            try:
                results[f"redis {fsync}"] = run(tmp, url, args.quick)
            finally:
                rproc.terminate()
                rproc.wait(10)
    print(f"grpc_redis: {os.cpu_count()} CPUs, 100 agents, every contact assigned; "
          "Redis on loopback with AOF")
    print(f"{'mode':<16} {'stream x1000/s':>15} {'stream x100/s':>15} {'unary 16 in flight/s':>21}")
    for mode, (big, small, unary) in results.items():
        print(f"{mode:<16} {big:>15,.0f} {small:>15,.0f} {unary:>21,.0f}")
    mem = results["memory"]
    ok = True
    for mode, r in results.items():
        if mode == "memory":
            continue
        ratios = [r[i] / mem[i] for i in range(3)]
        good = min(ratios) >= TARGET_RATIO
        ok = ok and good
        print(f"{mode}: {', '.join(f'{x:.0%}' for x in ratios)} of in-memory "
              f"(target >= {TARGET_RATIO:.0%}): {'PASS' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
