"""Fixtures of the server tests: services and real gRPC servers on free
loopback ports, always stopped at the end of the test."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import ccroute as cc
from ccroute.client import RouterClient
from ccroute.server import (
    ManualClock,
    RouterService,
    RouterSettings,
    Server,
    ServiceLimits,
    create_server,
)

VOICE = cc.Channel("voice", cost=100, max_per_agent=1)
CHAT = cc.Channel("chat", cost=25, max_per_agent=4)


def settings(**kwargs: Any) -> RouterSettings:
    """Voice and chat; queues ``sales`` (at most 3 waiting) and ``support``."""
    base: dict[str, Any] = dict(
        channels=(VOICE, CHAT),
        queues=(cc.Queue("sales", max_waiting=3), cc.Queue("support")),
    )
    base.update(kwargs)
    return RouterSettings(**base)


@dataclass
class Running:
    """A started server and what the test needs to reach it."""

    server: Server
    service: RouterService
    port: int
    clock: Optional[ManualClock]
    root_cert: Optional[bytes] = None
    clients: list[Any] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self, **kwargs: Any) -> RouterClient:
        if self.root_cert is not None:
            kwargs.setdefault("root_certificates", self.root_cert)
            kwargs.setdefault("options", [("grpc.ssl_target_name_override", "localhost")])
        client = RouterClient(self.target, **kwargs)
        self.clients.append(client)
        return client


@pytest.fixture
def start_server() -> Iterator[Callable[..., Running]]:
    """``start_server(settings=..., limits=..., tokens=..., tls=(cert, key),
    manual_clock=True, private_webhooks=True, **service_kwargs)`` starts a
    server on a free port (webhooks to loopback allowed unless told)."""
    running: list[Running] = []

    def start(
        settings_: Optional[RouterSettings] = None,
        *,
        limits: Optional[ServiceLimits] = None,
        tokens: Optional[list[bytes]] = None,
        tls: Optional[tuple[bytes, bytes]] = None,
        manual_clock: bool = True,
        private_webhooks: bool = True,
        **service_kwargs: Any,
    ) -> Running:
        clock = ManualClock() if manual_clock else None
        service = RouterService(settings_ or settings(), limits=limits, **{"clock": clock, **service_kwargs})
        server, port = create_server(
            "127.0.0.1:0", service, tokens=tokens,
            tls_cert=tls[0] if tls else None, tls_key=tls[1] if tls else None,
        )
        server.tenants.private_webhooks = private_webhooks  # the tests' receivers listen on loopback
        server.start()
        r = Running(server, service, port, clock, root_cert=tls[0] if tls else None)
        running.append(r)
        return r

    yield start
    for r in running:
        for c in r.clients:
            c.close()
        r.server.stop(grace=0)


@pytest.fixture
def service() -> Iterator[RouterService]:
    """A started service (no gRPC) with a manual clock."""
    svc = RouterService(settings(), clock=ManualClock())
    svc.start()
    yield svc
    svc.stop()


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """A self-signed certificate for localhost and 127.0.0.1, and its key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    d: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return (d / "cert.pem").read_bytes(), (d / "key.pem").read_bytes()
