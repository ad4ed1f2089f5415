#!/usr/bin/env python3
"""gRPC load benchmark: ``ccroute serve`` in one process, this load
generator in another, over loopback.

Three phases against one server:

1. **stream**: ``StreamContacts`` with batches of contacts, sent ahead as
   fast as flow control allows; contacts/s submitted *and assigned*
   (checked against the queue's ``answered`` count);
2. **unary max**: ``SubmitContact`` from 16 concurrent callers, as fast as
   the server answers;
3. **unary paced**: ``SubmitContact`` at a fixed rate (open loop: each call
   starts at its scheduled time, latency counted from that time, so a slow
   server cannot hide queueing delay), with p50/p99 latency.

The unary phases run ``grpc-load`` (``crates/grpc_load``, built here with
cargo when missing), a small Rust load generator: a Python client costs
about as much CPU per call as the server, so on a 2-core machine it would
measure itself. The requests are encoded here, each with its own contact
id and idempotency key, and written to a file that ``grpc-load`` replays.

Every contact is assigned at once (agents with ample capacity on a cheap
channel), so the figures measure routing plus the service, not waiting.
Every unary submit carries an idempotency key, as RouterClient sends it.

Usage: python benches/grpc_load.py [--quick] [--rate 3000] [--seconds 10]

The last line compares a grpcio (Python) server whose handler does nothing,
under the same generator: the transport cost ``ccroute serve`` avoids by
serving HTTP/2 from Rust.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import grpc
import grpc.aio

from ccroute.v1 import model_pb2, router_pb2, router_pb2_grpc

TARGET_STREAM = 20_000
TARGET_UNARY = 3_000
TARGET_P99_MS = 10.0

CONFIG = """\
channels:
  - {name: bench, cost: 1, max_per_agent: 1000000}
queues:
  - {name: bench, sl_target: 0.8, sl_threshold: 20}
policy: longest_idle
retain_finished: 10000
agents:
%s
"""


def start_server(tmp: Path, agents: int) -> tuple[subprocess.Popen[str], str]:
    lines = "\n".join(f"  - {{id: a{i}, capacity: 1000000, skills: {{s{i % 10}: 5}}}}" for i in range(agents))
    cfg = tmp / "bench.yaml"
    cfg.write_text(CONFIG % lines)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccroute.cli", "serve", "--host", "127.0.0.1", "--port", "0", "--config", str(cfg)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"listening on ([\d.]+:\d+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, m.group(1)


ECHO_SERVER = """
import sys, threading, grpc
from concurrent import futures
from ccroute.v1 import router_pb2 as pb
reply = pb.SubmitContactResponse.SerializeToString(pb.SubmitContactResponse())
handler = grpc.unary_unary_rpc_method_handler(lambda req, ctx: reply, lambda b: b, lambda b: b)
server = grpc.server(futures.ThreadPoolExecutor(32))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("ccroute.v1.Router", {"SubmitContact": handler}),))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(f"listening on 127.0.0.1:{port}", flush=True)
threading.Event().wait()
"""


def start_echo() -> tuple[subprocess.Popen[str], str]:
    """A grpcio server whose SubmitContact does nothing: the transport's own cost."""
    proc = subprocess.Popen([sys.executable, "-c", ECHO_SERVER], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    m = re.search(r"listening on ([\d.]+:\d+)", proc.stdout.readline())
    assert m, "echo server did not start"
    return proc, m.group(1)


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def contact(i: int, prefix: str) -> model_pb2.Contact:
    return model_pb2.Contact(id=f"{prefix}{i}", channel="bench", queue="bench", priority=i % 3,
                             requires={f"s{i % 10}": 3})


def answered(stub: router_pb2_grpc.RouterStub) -> int:
    return stub.GetQueueStats(router_pb2.GetQueueStatsRequest(queues=["bench"])).queues[0].answered


def bench_stream(target: str, total: int, batch: int, prefix: str = "s") -> tuple[float, int]:
    """Contacts/s through one StreamContacts call; returns (rate, assigned)."""
    with grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 64 << 20)]) as ch:
        stub = router_pb2_grpc.RouterStub(ch)
        requests = [
            router_pb2.SubmitContactsRequest(contacts=[contact(i, prefix) for i in range(b, min(b + batch, total))])
            for b in range(0, total, batch)
        ]
        before = answered(stub)
        t0 = time.perf_counter()
        n = 0
        for reply in stub.StreamContacts(iter(requests)):
            n += reply.submitted
        elapsed = time.perf_counter() - t0
        assigned = answered(stub) - before
    assert n == total, (n, total)
    return assigned / elapsed, assigned


def unary_requests(n: int, prefix: str) -> list[router_pb2.SubmitContactRequest]:
    return [router_pb2.SubmitContactRequest(contact=contact(i, prefix), idempotency_key=uuid.uuid4().hex)
            for i in range(n)]


ROOT = Path(__file__).resolve().parent.parent
GRPC_LOAD = ROOT / "target" / "release" / "grpc-load"


def grpc_load_binary() -> Path:
    """The Rust load generator, built when missing."""
    if not GRPC_LOAD.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "grpc_load"], cwd=ROOT, check=True)
    return GRPC_LOAD


def run_unary(target: str, n: int, prefix: str, *, rate: float | None = None,
              concurrency: int | None = None) -> dict[str, float]:
    """``n`` SubmitContact calls by ``grpc-load`` (paced at ``rate``/s or
    with ``concurrency`` in flight); its report: rate, p50_ms, p99_ms, errors."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        for req in unary_requests(n, f"{prefix}{uuid.uuid4().hex[:6]}-"):
            data = req.SerializeToString()
            f.write(struct.pack(">I", len(data)) + data)
        f.flush()
        mode = ["--rate", str(rate)] if rate is not None else ["--concurrency", str(concurrency or 16)]
        out = subprocess.run(
            [str(grpc_load_binary()), "--target", target, "--requests", f.name,
             "--method", "/ccroute.v1.Router/SubmitContact", *mode],
            check=True, capture_output=True, text=True,
        )
    report: dict[str, float] = json.loads(out.stdout)
    return report


async def bench_unary_max(target: str, total: int, concurrency: int) -> tuple[float, list[float]]:
    """Python asyncio callers (``benches/grpc_redis.py`` compares with it)."""
    async with grpc.aio.insecure_channel(target) as ch:
        stub = router_pb2_grpc.RouterStub(ch)
        await ch.channel_ready()
        requests = unary_requests(total, f"m{uuid.uuid4().hex[:6]}-")
        lat: list[float] = []
        it = iter(requests)

        async def worker() -> None:
            for req in it:
                t = time.perf_counter()
                await stub.SubmitContact(req)
                lat.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - t0), lat


def settle(target: str, timeout: float = 60.0) -> None:
    """Wait until the server answers promptly again (calls left over from an
    overloaded phase are drained), so phases do not measure each other."""
    with grpc.insecure_channel(target) as ch:
        stub = router_pb2_grpc.RouterStub(ch)
        deadline = time.monotonic() + timeout
        quick = 0
        while quick < 5 and time.monotonic() < deadline:
            t = time.perf_counter()
            stub.GetStatus(router_pb2.GetStatusRequest(), timeout=timeout)
            quick = quick + 1 if time.perf_counter() - t < 0.002 else 0
            time.sleep(0.05)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] * 1000 if s else float("nan")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run (smoke test, figures not meaningful)")
    ap.add_argument("--rate", type=float, default=TARGET_UNARY, help="paced unary rate (default 3000/s)")
    ap.add_argument("--seconds", type=float, default=10.0, help="paced unary duration (default 10 s)")
    ap.add_argument("--batch", type=int, default=1000, help="contacts per stream message (default 1000)")
    args = ap.parse_args()
    scale = 0.1 if args.quick else 1.0
    with tempfile.TemporaryDirectory() as tmp:
        proc, target = start_server(Path(tmp), agents=100)
        try:
            print(f"grpc_load: server pid {proc.pid} on {target}, {os.cpu_count()} CPUs, "
                  f"load generator pid {os.getpid()}, load average {os.getloadavg()[0]:.2f}")
            rate, assigned = bench_stream(target, int(200_000 * scale), args.batch)
            print(f"stream  StreamContacts, {args.batch} per message: {rate:,.0f} contacts/s submitted and "
                  f"assigned ({assigned:,} assigned)  target >= {TARGET_STREAM:,}  {verdict(rate >= TARGET_STREAM)}")
            rate, _ = bench_stream(target, int(100_000 * scale), 100, prefix="t")
            print(f"stream  StreamContacts, 100 per message: {rate:,.0f} contacts/s submitted and assigned")
            r = run_unary(target, int(40_000 * scale), "m", concurrency=16)
            max_rate = r["rate"]
            print(f"unary   SubmitContact, 16 in flight: {max_rate:,.0f} submits/s  "
                  f"p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['errors']:.0f}")
            seconds = args.seconds * scale
            settle(target)
            r = run_unary(target, int(args.rate * seconds), "p", rate=args.rate)
            ok = r["rate"] >= args.rate * 0.99 and r["p99_ms"] < TARGET_P99_MS and not r["errors"]
            print(f"unary   SubmitContact paced at {args.rate:,.0f}/s for {seconds:g} s: "
                  f"{r['rate']:,.0f} submits/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
                  f"errors {r['errors']:.0f}  target >= {TARGET_UNARY:,}/s with p99 < {TARGET_P99_MS:g} ms  "
                  f"{verdict(ok and args.rate >= TARGET_UNARY)}")
            # the highest paced rate (in steps of 500/s) that still holds p99 < 10 ms
            best = None
            try_rate = (args.rate + 500) if ok else round(min(args.rate, max_rate) * 0.9 / 100) * 100
            for _ in range(8):
                settle(target)
                r = run_unary(target, int(try_rate * max(1.0, 3.0 * scale)), "q", rate=try_rate)
                held = r["rate"] >= try_rate * 0.99 and r["p99_ms"] < TARGET_P99_MS and not r["errors"]
                if held:
                    best = (try_rate, r)
                if held and ok:
                    try_rate += 500
                elif held or best is not None:
                    break
                else:
                    try_rate = round(try_rate * 0.8 / 100) * 100
            if best is not None:
                print(f"unary   highest paced rate with p99 < {TARGET_P99_MS:g} ms: {best[0]:,.0f} submits/s  "
                      f"p50 {best[1]['p50_ms']:.2f} ms  p99 {best[1]['p99_ms']:.2f} ms")
        finally:
            stop(proc)
    echo, target = start_echo()
    try:
        r = run_unary(target, int(20_000 * scale), "e", concurrency=16)
        print(f"ceiling grpcio (Python) server with an empty SubmitContact handler, same generator, 16 in flight: "
              f"{r['rate']:,.0f} calls/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms")
    finally:
        stop(echo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
