"""``/metrics`` (parsed with prometheus-client's own parser) against the
router's statistics after a scripted load; ``/healthz``; the event stream;
``ccroute serve --http-port`` as a process."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

import ccroute as cc

from .conftest import Watched

ROOT = Path(__file__).resolve().parents[2]
Start = Callable[..., Watched]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition: ``(name, sorted labels) -> value``."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def scripted_load(w: Watched) -> None:
    """Agents on both queues; answered, abandoned, refused contacts, waits
    inside and beyond the thresholds, one failing call."""
    assert w.clock is not None
    client = w.client()
    for i in range(3):
        client.add_agent(cc.Agent(f"v{i}", skills={"en": 5}))
    client.add_agent(cc.Agent("away1", skills={"en": 5}, state="away"))
    client.add_agent(cc.Agent("off1", skills={"en": 5}, state="offline"))
    for i in range(3):  # answered at once
        client.submit(cc.Contact(f"s{i}", "voice", "sales", requires={"en": 3}))
    for i in range(3):  # wait: the sales queue is now full (3)
        client.submit(cc.Contact(f"w{i}", "voice", "sales"))
    with pytest.raises(cc.QueueFull):
        client.submit(cc.Contact("w3", "voice", "sales"))
    client.submit(cc.Contact("t0", "chat", "support"))
    w.clock.advance(25.0)  # past the sales threshold (20 s)
    client.complete("s0")  # w0 answered after 25 s: out of SL
    client.cancel("w2")  # abandoned after 25 s
    w.clock.advance(10.0)
    client.complete("s1")  # w1 answered after 35 s
    with pytest.raises(cc.UnknownId):
        client.complete("nobody")


def test_metrics_match_the_router_statistics_after_a_scripted_load(watched: Start) -> None:
    w = watched()
    scripted_load(w)
    w.monitor.publisher.refresh()
    status, ctype, body = w.get("/metrics")
    assert status == 200 and ctype.startswith("text/plain")
    found = samples(body.decode())

    stats = {q.name: q for q in w.service.stats()}
    assert stats["sales"].answered == 5 and stats["sales"].abandoned == 1  # the script did what it says
    for name, q in stats.items():
        assert value(found, "ccroute_queue_waiting", queue=name) == q.waiting
        assert value(found, "ccroute_queue_longest_wait_seconds", queue=name) == pytest.approx(q.longest_wait)
        for counter in ("entered", "offered", "answered", "answered_in_sl", "abandoned", "refused", "completed",
                        "missed_offers"):
            assert value(found, f"ccroute_queue_{counter}_total", queue=name) == getattr(q, counter), counter
        assert value(found, "ccroute_queue_service_level_target", queue=name) == q.sl_target
        assert value(found, "ccroute_queue_service_level_threshold_seconds", queue=name) == q.sl_threshold
        for metric, figure in (("service_level", q.service_level), ("asa_seconds", q.asa),
                               ("abandon_rate", q.abandon_rate)):
            key = (f"ccroute_queue_{metric}", (("queue", name),))
            if figure is None:
                assert key not in found
            else:
                assert found[key] == pytest.approx(figure)
    assert value(found, "ccroute_queue_service_level", queue="sales") == pytest.approx(3 / 6)
    assert value(found, "ccroute_queue_asa_seconds", queue="sales") == pytest.approx((25 + 35) / 5)

    by_state = w.service.query(lambda e: e.router.agents_by_state())
    for state in ("offline", "available", "away"):
        assert value(found, "ccroute_agents", state=state) == by_state[state]
    assert value(found, "ccroute_agents_busy") == by_state["busy"] == 3
    assert value(found, "ccroute_agents_idle") == by_state["idle"]
    # three voice agents each hold a voice contact; chat t0 waits (no chat skill limit: it
    # went to no one because every logged-in agent is full on capacity)
    assert value(found, "ccroute_channel_slots_held", channel="voice") == 3
    assert value(found, "ccroute_channel_slots_max", channel="voice") == 4  # away counts, offline does not
    assert value(found, "ccroute_channel_occupancy", channel="voice") == pytest.approx(3 / 4)
    status_ = w.service.status()
    assert value(found, "ccroute_decisions_total") == status_.decisions
    assert value(found, "ccroute_live_contacts") == status_.live_contacts

    # RPCs by method and code, from the dispatcher
    rpc = "grpc_server_handled_total"
    base = dict(grpc_service="ccroute.v1.Router", grpc_type="unary")
    assert value(found, rpc, grpc_method="SubmitContact", grpc_code="OK", **base) == 7
    assert value(found, rpc, grpc_method="SubmitContact", grpc_code="RESOURCE_EXHAUSTED", **base) == 1
    assert value(found, rpc, grpc_method="CompleteContact", grpc_code="NOT_FOUND", **base) == 1
    assert value(found, rpc, grpc_method="UpsertAgent", grpc_code="OK", **base) == 5
    assert value(found, "grpc_server_started_total", grpc_method="SubmitContact", **base) == 8
    # decision latency: one observation per routing command, in seconds
    assert value(found, "ccroute_decision_latency_seconds_count", command="Submit") == 8
    assert value(found, "ccroute_decision_latency_seconds_count", command="Complete") == 3
    assert 0 < value(found, "ccroute_decision_latency_seconds_sum", command="Submit") < 1
    assert value(found, "ccroute_commands_total", command="Complete", outcome="UnknownId") == 1
    assert value(found, "ccroute_events_total", type="Assigned") == 5


def test_healthz_and_unknown_paths(watched: Start) -> None:
    w = watched()
    assert w.get("/healthz")[::2] == (200, b"ok\n")
    assert w.get("/nope")[0] == 404
    assert w.get("/static/../conftest.py")[0] == 404
    snap = json.loads(w.get("/api/snapshot")[2])
    assert [q["name"] for q in snap["queues"]] == ["sales", "support"]
    w.service.stop()  # the engine no longer answers: health turns 503 and says why
    status, _, body = w.get("/healthz")
    assert status == 503 and b"engine is not running" in body


def read_event(stream) -> tuple[str, dict]:
    kind, data = "", b""
    while True:
        line = stream.readline()
        assert line, "stream ended"
        if line.startswith(b"event: "):
            kind = line[7:].strip().decode()
        elif line.startswith(b"data: "):
            data = line[6:]
        elif line == b"\n" and data:
            return kind, json.loads(data)


def test_event_stream_sends_history_then_a_snapshot_per_round(watched: Start) -> None:
    w = watched(interval=0.1, sample_every=0.0)
    client = w.client()
    with urllib.request.urlopen(w.url + "/events", timeout=10) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        kind, history = read_event(stream)
        assert kind == "history" and set(history["history"]) == {"sales", "support"}
        assert read_event(stream)[0] == "snapshot"
        client.submit(cc.Contact("c1", "voice", "sales"))
        deadline = time.monotonic() + 5
        while True:
            kind, snap = read_event(stream)
            if snap["queues"][0]["waiting"] == 1:
                break
            assert time.monotonic() < deadline
        assert kind == "snapshot" and snap["sample"] is True


def test_event_streams_are_bounded(watched: Start) -> None:
    w = watched()
    w.monitor.http.streams = __import__("threading").BoundedSemaphore(1)
    with urllib.request.urlopen(w.url + "/events", timeout=10) as first:
        first.readline()
        assert w.get("/events")[0] == 503
        assert w.get("/metrics")[0] == 200  # other routes still answer


def test_serve_with_http_port_serves_metrics_and_the_wallboard() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccroute.cli", "serve", "--port", "0", "--http-port", "0",
         "--config", str(ROOT / "examples" / "router.yaml")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        first, second = proc.stdout.readline(), proc.stdout.readline()
        assert "listening on" in first, first
        m = re.search(r"http on (http://127\.0\.0\.1:\d+)", second)
        assert m, second
        url = m.group(1)
        with urllib.request.urlopen(url + "/healthz", timeout=10) as r:
            assert r.read() == b"ok\n"
        with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
            found = samples(r.read().decode())
        assert sum(value(found, "ccroute_agents", state=s) for s in ("offline", "available", "away")) == 2
        assert ("ccroute_queue_waiting", (("queue", "general"),)) in found
        with urllib.request.urlopen(url + "/", timeout=10) as r:
            assert b"<html" in r.read().lower()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err


def test_interval_and_window_service_levels_are_those_of_their_contacts() -> None:
    """93 % since start while the last half hour answered late: the window shows it."""
    from ccroute.server.http.snapshot import QueueFigures, Snapshot, SnapshotPublisher

    def snap(taken: float, in_sl: int, answered: int) -> Snapshot:
        zero = dict.fromkeys(("waiting", "offering", "entered", "abandoned", "abandoned_in_sl", "completed",
                              "overflowed_in", "overflowed_out", "refused", "missed_offers", "transferred_in",
                              "transferred_out", "transfers_failed", "callback_calls", "callbacks_failed", "callbacks_waiting",
                              "callbacks_calling", "scheduled"), 0)
        q = QueueFigures("sales", **zero, longest_wait=0.0, answered=answered, answered_in_sl=in_sl,
                         service_level=in_sl / answered if answered else None, asa=None, abandon_rate=None, sl_target=0.8,
                         sl_threshold=20.0)
        return Snapshot(taken=taken, now=taken, policy="longest_idle", decisions=0, live_contacts=0,
                        queues=(q,), agents={})

    pub = SnapshotPublisher(None, sl_interval=900.0, sl_window=1800.0)  # type: ignore[arg-type]
    t0 = 1_000_000 * 900.0  # an interval boundary
    pub._levels(snap(t0 - 3600, 0, 0))
    pub._levels(snap(t0 - 1800, 930, 1000))  # an hour of good service...
    pub._levels(snap(t0 - 60, 940, 1040))  # ...then 40 answered, 10 in time
    interval, window = pub._levels(snap(t0 + 300, 945, 1060))["sales"]
    assert window == (945 - 930) / (1060 - 1000)  # the last 30 minutes: 25 %, not the 89 % since start
    assert interval == (945 - 940) / (1060 - 1040)  # since t0 (counted from the sample just before it)


def test_metrics_and_the_wallboard_follow_a_live_reconfiguration(watched: Start) -> None:
    w = watched()
    client = w.client()
    current = client.config()
    client.configure(current.channels, [*current.queues, cc.Queue("vip", ordering="lifo")])
    client.submit(cc.Contact("c1", "voice", "vip"))
    deadline = time.monotonic() + 5.0
    while True:  # the monitor refreshes on its own period
        names = [q["name"] for q in json.loads(w.get("/api/snapshot")[2])["queues"]]
        if "vip" in names or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert names == ["sales", "support", "vip"]
    found = samples(w.get("/metrics")[2].decode())
    assert value(found, "ccroute_queue_waiting", queue="vip") == 1
