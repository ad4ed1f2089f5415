"""Fixtures of the client tests: a real ``redis-server`` and scale-out
``ccroute serve --redis URL --advertise HOST:PORT`` processes on free
loopback ports, all stopped at the end of each test (the helper classes
are those of ``tests/persistence``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from persistence.conftest import SKIP, RedisServer, Served, start_peers

__all__ = ["SKIP", "LEASE_MS", "Peers", "Served"]

#: Lease of every tenant (ms): short, so that takeovers take a few seconds,
#: yet long enough that a loaded two-core machine renews every lease and
#: registration in time (at 800 ms, servers missed renewals and tenants
#: moved in the middle of the tests).
LEASE_MS = 2500

#: ``peers(n)`` starts n more servers on the test's Redis and returns them, listening.
Peers = Callable[[int], list[Served]]


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[Peers]:
    """Scale-out servers on one fresh Redis, each advertising its own
    loopback port; every one is killed at the end (and Redis stopped)."""
    if SKIP is not None:
        pytest.skip(SKIP)
    d = tmp_path / "redis"
    d.mkdir()
    redis_server = RedisServer(d).start()
    cfg = tmp_path / "router.yaml"
    cfg.write_text("channels: [{name: voice}]\nqueues: [{name: sales}, {name: support}]\n")
    started: list[Served] = []

    def start(n: int) -> list[Served]:
        return start_peers(redis_server.url, n, cfg, tmp_path, started, LEASE_MS)

    try:
        yield start
    finally:
        for s in started:
            s.close()
        redis_server.stop()
