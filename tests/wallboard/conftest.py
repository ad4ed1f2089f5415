"""Fixtures of the wallboard and metrics tests: a gRPC server with its
HTTP side (metrics, health, wallboard) on free loopback ports."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest

import ccroute as cc
from ccroute.client import RouterClient
from ccroute.server import ManualClock, RouterService, RouterSettings, Server, create_server
from ccroute.server.http import Metrics, Monitor

VOICE = cc.Channel("voice", cost=100, max_per_agent=1)
CHAT = cc.Channel("chat", cost=25, max_per_agent=4)


def settings(**kwargs: Any) -> RouterSettings:
    """Voice and chat; ``sales`` (80 % in 20 s, at most 3 waiting) and
    ``support`` (90 % in 30 s)."""
    base: dict[str, Any] = dict(
        channels=(VOICE, CHAT),
        queues=(cc.Queue("sales", sl_target=0.8, sl_threshold=20.0, max_waiting=3),
                cc.Queue("support", sl_target=0.9, sl_threshold=30.0)),
    )
    base.update(kwargs)
    return RouterSettings(**base)


@dataclass
class Watched:
    """A started gRPC server, its HTTP monitor and the test's clients."""

    server: Server
    service: RouterService
    monitor: Monitor
    port: int
    clock: Optional[ManualClock]
    clients: list[RouterClient] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.monitor.url

    def client(self) -> RouterClient:
        c = RouterClient(self.target)
        self.clients.append(c)
        return c

    def get(self, path: str) -> tuple[int, str, bytes]:
        """``(status, content type, body)`` of a GET (errors included)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@pytest.fixture
def watched() -> Iterator[Callable[..., Watched]]:
    """``watched(settings=..., manual_clock=True, interval=1.0)`` starts a
    server with metrics and the wallboard; everything stops at the end."""
    started: list[Watched] = []

    def start(settings_: Optional[RouterSettings] = None, *, manual_clock: bool = True,
              interval: float = 1.0, sample_every: float = 10.0) -> Watched:
        clock = ManualClock() if manual_clock else None
        metrics = Metrics()
        service = RouterService(settings_ or settings(), clock=clock, observer=metrics)
        server, port = create_server("127.0.0.1:0", service, rpc_observer=metrics)
        server.start()
        monitor = Monitor(service, metrics, interval=interval, sample_every=sample_every,
                          tenants=server.tenants).start()
        w = Watched(server, service, monitor, port, clock)
        started.append(w)
        return w

    yield start
    for w in started:
        for c in w.clients:
            c.close()
        w.monitor.stop()
        w.server.stop(grace=0)
