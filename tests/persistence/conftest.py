"""Fixtures of the durability tests: a real ``redis-server`` (AOF on) on a
free loopback port, and ``ccroute serve --redis`` subprocesses, all stopped
at the end of each test.

The folder is a package named after what it tests (``persistence``, not
``redis``, which would shadow the client), so this conftest does not
shadow ``tests/conftest.py``. Test modules import the helper classes and
``SKIP`` from here. Every test skips, with the reason, when
``redis-server`` or the ``redis`` Python package is missing (``make test``
installs both first).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable, Optional

import pytest

REDIS_SERVER = shutil.which("redis-server")
#: The ``ccroute`` console script of the interpreter running the tests.
CCROUTE = str(Path(sys.executable).parent / "ccroute")

try:
    import redis
except ModuleNotFoundError:  # pragma: no cover - make test installs it
    redis = None  # type: ignore[assignment]


#: Why the tests here cannot run, or ``None``: every test module sets
#: ``pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")``.
SKIP = (
    "redis-server is not installed (make test installs it: apt-get install redis-server)"
    if REDIS_SERVER is None else
    "the redis Python package is not installed (pip install 'redis>=5')" if redis is None else None
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A ``redis-server`` process with AOF on, restartable on its port and
    directory (so the AOF survives a restart)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        assert REDIS_SERVER is not None
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.dir), "--save", "", "--daemonize", "no",
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    break
            except (redis.ConnectionError, redis.BusyLoadingError):
                pass
            assert self.proc.poll() is None, (self.dir / "redis.log").read_text()
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)
        client.close()
        return self

    def stop(self) -> None:
        """Graceful stop (SIGTERM: Redis fsyncs the AOF and exits)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def client(self) -> "redis.Redis":
        return redis.Redis(port=self.port)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh redis-server on a free loopback port, AOF on."""
    d = tmp_path / "redis"
    d.mkdir()
    server = RedisServer(d).start()
    try:
        yield server
    finally:
        server.stop()


CONFIG = """\
channels:
  - {name: voice, cost: 100, max_per_agent: 1}
  - {name: chat, cost: 25, max_per_agent: 4}
queues:
  - {name: sales, sl_target: 0.8, sl_threshold: 20}
  - {name: support}
policy: longest_idle
seed: 7
agents:
%s
"""


class Served:
    """A ``ccroute serve --redis`` subprocess; ``port`` is known once it
    listens (a standby listens only after taking the lease over)."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.log = log
        self._out = open(log, "w")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [CCROUTE, "serve", *args],
            stdout=subprocess.PIPE, stderr=self._out, text=True, env=env,
        )
        self.port: Optional[int] = None
        self.lines: list[str] = []
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            m = re.search(r"listening on [^:]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                self._listening.set()

    def wait_listening(self, timeout: float = 30.0) -> int:
        if not self._listening.wait(timeout):
            raise AssertionError(
                f"server not listening after {timeout} s; stdout: {''.join(self.lines)}; "
                f"stderr: {self.log.read_text()}"
            )
        assert self.port is not None
        return self.port

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def http_url(self, timeout: float = 15.0) -> str:
        """The base URL of its HTTP port (``--http-port``), once it says it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m.group(1) for ln in list(self.lines) if (m := re.search(r"http on (https?://\S+)", ln))]
            if found:
                return found[-1]
            assert time.monotonic() < deadline, self.lines
            time.sleep(0.05)

    def kill(self) -> None:
        """kill -9."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._out.close()


def start_peers(url: str, n: int, config: Path, logs: Path, started: list[Served], lease_ms: int,
                extra: tuple[str, ...] = ()) -> list[Served]:
    """Start ``n`` scale-out servers (``--advertise`` their own loopback
    port, and ``extra`` options) on the Redis at ``url``, add them to
    ``started`` (the caller closes them) and return them once listening."""
    out = []
    for _ in range(n):
        port = free_port()
        s = Served(["--port", str(port), "--advertise", f"127.0.0.1:{port}", "--config", str(config),
                    "--redis", url, "--lease-ms", str(lease_ms), *extra], logs / f"peer-{len(started)}.log")
        started.append(s)
        out.append(s)
    for s in out:
        s.wait_listening()
    return out


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve(redis_url, *extra_args, agents=8)`` starts ``ccroute serve``
    on a free port with a small configuration (agents ``a0``.. with skill
    ``s``, available)."""
    started: list[Served] = []

    def start(redis_url: str, *extra: str, agents: int = 8, lease_ms: int = 1000) -> Served:
        cfg = tmp_path / "router.yaml"
        if not cfg.exists():
            lines = "\n".join(f"  - {{id: a{i}, skills: {{s: 5}}, state: available}}" for i in range(agents))
            cfg.write_text(CONFIG % (lines or "  []"))
        s = Served(["--port", "0", "--config", str(cfg), "--redis", redis_url,
                    "--lease-ms", str(lease_ms), *extra],
                   tmp_path / f"serve-{len(started)}.log")
        started.append(s)
        return s

    try:
        yield start
    finally:
        for s in started:
            s.close()
