"""The configuration is part of the durable state: a restart with an
edited ``--config`` never replays acknowledged history under other rules
(it is refused, naming the differences), a restart without ``--config``
uses the stored configuration, and a log that does not replay stops the
start loudly instead of serving an empty router."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

import ccroute as cc
from ccroute.client import RouterClient

from .conftest import SKIP, RedisServer, Served

pytest.importorskip("redis", reason="the redis Python package is not installed (pip install 'redis>=5')")

pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")

CONFIG = """\
channels:
  - {name: voice, cost: 100, max_per_agent: 1}
queues:
  - {name: %(queue)s, sl_target: 0.8, sl_threshold: 20}
policy: %(policy)s
agents:
  - {id: a1, skills: {s: 5}, state: available}
  - {id: a2, skills: {s: 9}, state: available}
"""


def write(tmp_path: Path, name: str, *, policy: str = "longest_idle", queue: str = "sales") -> Path:
    path = tmp_path / name
    path.write_text(CONFIG % {"policy": policy, "queue": queue})
    return path


def start(tmp_path: Path, url: str, *args: str) -> Served:
    n = len(list(tmp_path.glob("serve-*.log")))
    return Served(["--port", "0", "--redis", url, "--lease-ms", "1000", *args], tmp_path / f"serve-{n}.log")


def refused(served: Served) -> str:
    """The server exits 2 without serving; its error output."""
    try:
        code = served.proc.wait(30)
        assert served.port is None, "the server served"
        assert code == 2, (code, served.log.read_text())
        return served.log.read_text()
    finally:
        served.close()


def first_run(tmp_path: Path, url: str, *extra: str) -> None:
    """c1 is acknowledged as assigned to a1 (longest idle: a tie, a1 by id),
    then the server is killed."""
    s = start(tmp_path, url, "--config", str(write(tmp_path, "router.yaml")), *extra)
    try:
        s.wait_listening()
        with RouterClient(s.target, timeout=5) as client:
            events = client.submit(cc.Contact("c1", "voice", "sales", requires={"s": 1}))
            assert [(type(e).__name__, e.agent) for e in events] == [("Assigned", "a1")]
        s.kill()
    finally:
        s.close()


def test_an_edited_policy_is_refused_and_history_stays_as_acknowledged(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    first_run(tmp_path, redis_server.url)
    err = refused(start(tmp_path, redis_server.url, "--config",
                        str(write(tmp_path, "edited.yaml", policy="most_skilled"))))
    assert "policy: stored 'longest_idle', given 'most_skilled'" in err
    # The stored configuration, without --config: the acknowledged history.
    s = start(tmp_path, redis_server.url)
    try:
        s.wait_listening()
        with RouterClient(s.target, timeout=5) as client:
            assert client.config().policy == "longest_idle"
            history = client.status().history_id
            assert client.contact("c1").agent == "a1"
            watch = client.watch_events(after_sequence=0)
            first = next(e for e in watch if type(e.event).__name__ == "Assigned")
            watch.cancel()
            assert first.event.agent == "a1"
        assert s.terminate() == 0
    finally:
        s.close()
    # The same file as before is accepted.
    s = start(tmp_path, redis_server.url, "--config", str(tmp_path / "router.yaml"))
    try:
        s.wait_listening()
        with RouterClient(s.target, timeout=5) as client:
            assert client.contact("c1").agent == "a1"
            assert client.status().live_contacts == 1
            assert client.status().history_id == history  # the history continues across restarts
    finally:
        s.close()


def test_a_renamed_queue_is_refused_before_and_after_a_snapshot(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    first_run(tmp_path, redis_server.url, "--snapshot-every", "1")
    r = redis_server.client()
    assert r.exists("ccroute:snapshot")  # the stored configuration comes from the snapshot now
    err = refused(start(tmp_path, redis_server.url, "--config",
                        str(write(tmp_path, "renamed.yaml", queue="sales2"))))
    assert "queue 'sales': stored, not in the given configuration" in err
    assert "queue 'sales2': in the given configuration, not stored" in err
    # Nothing was lost or rewritten by the refused start.
    s = start(tmp_path, redis_server.url)
    try:
        s.wait_listening()
        with RouterClient(s.target, timeout=5) as client:
            assert client.contact("c1").agent == "a1"
            assert client.status().last_sequence >= 1
    finally:
        s.close()


def test_a_log_that_does_not_replay_stops_the_start(redis_server: RedisServer, tmp_path: Path) -> None:
    first_run(tmp_path, redis_server.url)
    r = redis_server.client()
    last = int(r.get("ccroute:last"))
    # A damaged entry: completes a contact that never existed.
    body = json.dumps([["D", "ghost"]])
    r.xadd("ccroute:log", {"t": "1000.0", "c": f"{zlib.crc32(body.encode()):08x} {body}"}, id=f"{last + 1}-0")
    r.set("ccroute:last", last + 1)
    s = start(tmp_path, redis_server.url)
    err = refused(s)
    assert f"replay of logged command {last + 1} (Complete) failed" in err
    assert '"ghost"' in err
