"""Faults against a real redis-server: Redis down (UNAVAILABLE, nothing
acknowledged that was not persisted, recovery), Redis restarted (AOF),
the active server killed (the standby takes over), a deposed server
fenced."""

from __future__ import annotations

import re
import signal
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

import pytest

import ccroute as cc
from ccroute.client import RouterClient
from ccroute.server import ServerConfig, ServiceLimits, create_server, load_config
from ccroute.server.errors import ServiceUnavailable

from .conftest import SKIP, RedisServer, Served

pytest.importorskip("redis", reason="the redis Python package is not installed (pip install 'redis>=5')")
# Imported after the importorskip: the persistence package needs redis.
from ccroute.server.persistence import RedisLog, open_durable

pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


def base_config() -> ServerConfig:
    cfg = load_config()
    agents = tuple(cc.Agent(f"a{i}", skills={"s": 5}) for i in range(4))
    return ServerConfig(cfg.router, agents, ServiceLimits(shutdown_grace=1.0))


class Durable:
    """An in-process durable gRPC server (restartable on the same Redis)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.service, self.rlog = open_durable(base_config(), url, lease_ms=1000)
        self.server, port = create_server("127.0.0.1:0", self.service)
        self.server.start()
        self.client = RouterClient(f"127.0.0.1:{port}", timeout=5, retries=0)

    def close(self) -> None:
        self.client.close()
        self.server.stop(grace=0)
        self.rlog.close()


@pytest.fixture
def durable() -> Any:
    opened: list[Durable] = []

    def open_(url: str) -> Durable:
        d = Durable(url)
        opened.append(d)
        return d

    yield open_
    for d in opened:
        d.close()


def until(fn: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Call ``fn`` until it stops raising ``RoutingError``; its result."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except cc.RoutingError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_redis_down_answers_unavailable_then_recovers(redis_server: RedisServer, durable: Any) -> None:
    d = durable(redis_server.url)
    for i in range(5):
        d.client.submit(cc.Contact(f"c{i}", "chat", "default"))
    redis_server.stop()
    with pytest.raises(ServiceUnavailable, match="command log|Redis"):
        d.client.submit(cc.Contact("lost", "voice", "default"))
    with pytest.raises(ServiceUnavailable):  # reads too: the state is not trusted until rebuilt
        d.client.status()
    with pytest.raises(ServiceUnavailable):
        d.client.submit(cc.Contact("lost2", "voice", "default"))
    redis_server.start()
    until(d.client.status)
    for i in range(5):
        assert d.client.contact(f"c{i}").status == "assigned"
    for lost in ("lost", "lost2"):
        with pytest.raises(cc.UnknownId):
            d.client.contact(lost)
    d.client.submit(cc.Contact("after", "voice", "default"))
    assert d.client.contact("after").status == "assigned"


def test_redis_restart_with_aof_loses_nothing_acknowledged(redis_server: RedisServer, durable: Any) -> None:
    d = durable(redis_server.url)
    acked = []
    for i in range(50):
        d.client.submit(cc.Contact(f"c{i}", "email", "default"))
        acked.append(f"c{i}")
    redis_server.stop()
    redis_server.start()
    for i in range(50, 60):  # the server rebuilds and serves again
        until(lambda i=i: d.client.submit(cc.Contact(f"c{i}", "email", "default"), idempotency_key=f"k{i}"))
        acked.append(f"c{i}")
    d.close()
    again = durable(redis_server.url)  # a new server process would see the same
    for cid in acked:
        assert again.client.contact(cid).status in ("waiting", "assigned")
    assert again.client.status().live_contacts == len(acked)


def test_a_deposed_server_is_fenced(redis_server: RedisServer, durable: Any) -> None:
    a = durable(redis_server.url)
    a.client.submit(cc.Contact("before", "chat", "default"))
    r = redis_server.client()
    r.delete("ccroute:lease")  # as if A's lease ran out (A paused) ...
    b_log = RedisLog(redis_server.url, lease_ms=1000)
    try:
        b_log.wait_lease()  # ... and a standby took it
        length = r.xlen("ccroute:log")
        with pytest.raises(ServiceUnavailable, match="lease"):
            a.client.submit(cc.Contact("stale", "chat", "default"))
        assert r.xlen("ccroute:log") == length  # nothing appended after losing the lease
        with pytest.raises(ServiceUnavailable):
            a.client.status()  # and it serves nothing any more
        assert a.rlog.lost.is_set()
    finally:
        b_log.close()
        r.close()


def test_the_standby_takes_over_when_the_active_server_dies(
    redis_server: RedisServer, serve: Callable[..., Served]
) -> None:
    active = serve(redis_server.url, lease_ms=1000)
    active.wait_listening()
    standby = serve(redis_server.url, lease_ms=1000)
    time.sleep(0.5)
    assert standby.port is None  # waits for the lease, does not serve
    client = RouterClient(active.target, timeout=5, retries=0)
    watch = client.watch_events(after_sequence=0)
    seen: list[int] = []

    def read() -> None:
        try:
            for rec in watch:
                seen.append(rec.sequence)
        except cc.RoutingError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for i in range(30):
        client.submit(cc.Contact(f"c{i}", "chat", "sales", requires={"s": 1}))
    last = client.status().last_sequence
    deadline = time.monotonic() + 5
    while (not seen or seen[-1] < last) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen and seen[-1] == last
    # While it waits, the standby answers gRPC health on its port:
    # NOT_SERVING, for the whole server and for the Router service.
    health_port = until(lambda: _health_line(standby))
    assert _grpc_health(health_port, "") == "NOT_SERVING"
    assert _grpc_health(health_port, "ccroute.v1.Router") == "NOT_SERVING"
    active.kill()
    killed = time.monotonic()
    standby.wait_listening(timeout=15)
    took = time.monotonic() - killed
    assert took < 1.0 + 3.0, f"takeover took {took:.2f} s (lease 1 s)"
    # The same port, now the real server's.
    assert standby.port == health_port
    until(lambda: _serving(health_port))
    watch.cancel()
    client.close()
    reader.join(5)

    c2 = RouterClient(standby.target, timeout=5)
    try:
        for i in range(30):
            assert c2.contact(f"c{i}").status in ("waiting", "assigned")
        # The event stream resumes where the reader stopped: sequences continue.
        resumed = c2.watch_events(after_sequence=seen[-5])
        c2.submit(cc.Contact("new", "chat", "sales"))
        got = []
        for rec in resumed:
            got.append(rec.sequence)
            if rec.sequence > last:
                break
        resumed.cancel()
        assert got[:4] == seen[-4:] and got[-1] == last + 1
    finally:
        c2.close()
    assert standby.terminate() == 0


def _health_line(server: Served) -> int:
    for line in server.lines:
        m = re.search(r"standby gRPC health on [^:]+:(\d+)", line)
        if m:
            return int(m.group(1))
    raise cc.RoutingError("no standby health line yet")


def _grpc_health(port: int, service: str) -> str:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def _serving(port: int) -> None:
    if _grpc_health(port, "") != "SERVING":
        raise cc.RoutingError("not serving yet")


def test_a_paused_server_answers_no_read_once_its_lease_may_have_expired(
    redis_server: RedisServer, serve: Callable[..., Served]
) -> None:
    active = serve(redis_server.url, lease_ms=1000)
    active.wait_listening()
    client = RouterClient(active.target, timeout=5, retries=0)
    client.submit(cc.Contact("c1", "chat", "sales", requires={"rare": 9}))  # nobody can take it: waits
    assert client.contact("c1").status == "waiting"
    standby = serve(redis_server.url, lease_ms=1000)
    active.proc.send_signal(signal.SIGSTOP)  # paused past its lease
    try:
        standby.wait_listening(timeout=15)
        with RouterClient(standby.target, timeout=5) as c2:
            c2.cancel("c1")  # the new owner changes the state
            assert c2.contact("c1").status == "abandoned"
    finally:
        active.proc.send_signal(signal.SIGCONT)
    answers = []
    for _ in range(3):
        try:
            answers.append(client.contact("c1").status)
        except ServiceUnavailable as exc:
            answers.append(str(exc))
    client.close()
    assert "waiting" not in answers, answers
    assert any("lease" in a for a in answers), answers
    assert active.proc.wait(15) == 3  # fenced: it stops, and says so in one line
    err = active.log.read_text()
    # One line says it is fenced; the tenant's release may or may not be logged
    # before the process exits, and says it differently.
    assert "Traceback" not in err and err.count("lease lost") == 1, err


#: The channel configuration README.md gives stock gRPC clients.
STOCK_CONFIG: dict[str, Any] = {
    "loadBalancingConfig": [{"round_robin": {}}],
    "healthCheckConfig": {"serviceName": "ccroute.v1.Router"},
    "methodConfig": [{
        "name": [{"service": "ccroute.v1.Router"}],
        "waitForReady": True,
        "retryPolicy": {"maxAttempts": 5, "initialBackoff": "0.05s", "maxBackoff": "0.5s",
                        "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}


def test_a_stock_grpc_client_with_both_addresses_uses_the_active_server_and_follows_a_takeover(
    redis_server: RedisServer, serve: Callable[..., Served]
) -> None:
    """A standby answers router calls UNAVAILABLE ``NotOwner`` (retryable),
    not UNIMPLEMENTED; a channel configured as README.md says, listing the
    standby first, calls only the server whose health says SERVING, and
    reaches the standby once it has taken over."""
    import json

    import grpc

    from ccroute.v1 import model_pb2, router_pb2, router_pb2_grpc

    active = serve(redis_server.url, lease_ms=1000)
    active.wait_listening()
    standby = serve(redis_server.url, lease_ms=1000)
    standby_port = until(lambda: _health_line(standby))
    with grpc.insecure_channel(f"127.0.0.1:{standby_port}") as direct:
        with pytest.raises(grpc.RpcError) as refused:
            router_pb2_grpc.RouterStub(direct).GetStatus(router_pb2.GetStatusRequest(), timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert ("ccroute-error", "NotOwner") in tuple(refused.value.trailing_metadata() or ())
    assert "standby waiting for the lease" in str(refused.value.details())
    with RouterClient(f"127.0.0.1:{standby_port}", timeout=5) as waiting:
        with pytest.raises(ServiceUnavailable, match="standby waiting for the lease"):
            waiting.status()

    def channel_of(config: dict[str, Any]) -> grpc.Channel:
        return grpc.insecure_channel(
            f"ipv4:127.0.0.1:{standby_port},127.0.0.1:{active.port}",  # the standby first
            options=[("grpc.service_config", json.dumps(config)),
                     ("grpc.default_authority", "ccroute"),
                     ("grpc.initial_reconnect_backoff_ms", 100), ("grpc.min_reconnect_backoff_ms", 100),
                     ("grpc.max_reconnect_backoff_ms", 500)])

    # Without retries, every call succeeds: health checking alone keeps them off the standby.
    no_retry = {**STOCK_CONFIG, "methodConfig": [{k: v for k, v in STOCK_CONFIG["methodConfig"][0].items()
                                                   if k != "retryPolicy"}]}
    with channel_of(no_retry) as first:
        for i in range(5):
            router_pb2_grpc.RouterStub(first).SubmitContact(router_pb2.SubmitContactRequest(
                contact=model_pb2.Contact(id=f"c{i}", channel="chat", queue="sales", requires={"rare": 9}),
                idempotency_key=f"submit-c{i}"), timeout=10)
    channel = channel_of(STOCK_CONFIG)
    try:
        router = router_pb2_grpc.RouterStub(channel)
        assert router.GetStatus(router_pb2.GetStatusRequest(), timeout=10).live_contacts == 5
        active.kill()
        router.CancelContact(router_pb2.CancelContactRequest(contact_id="c0", idempotency_key="cancel-c0"),
                             timeout=15)
        status = router.GetStatus(router_pb2.GetStatusRequest(), timeout=10)
        assert status.live_contacts == 4
    finally:
        channel.close()
    assert standby.port == standby_port


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_health_and_metrics_follow_persistence_and_a_standby_can_be_monitored(
    redis_server: RedisServer, serve: Callable[..., Served]
) -> None:
    active = serve(redis_server.url, "--http-port", "0", lease_ms=1000)
    active.wait_listening()
    url = active.http_url()
    assert http_get(url + "/healthz") == (200, "ok\n")
    standby = serve(redis_server.url, "--http-port", "0", lease_ms=1000)
    standby_url = standby.http_url()
    code, body = http_get(standby_url + "/healthz")
    assert code == 503 and "standby" in body
    metrics = http_get(standby_url + "/metrics")[1]
    assert "ccroute_standby 1.0" in metrics and "ccroute_healthy 0.0" in metrics
    # Stopped before Redis stalls: a stall longer than the lease lets a standby
    # take over when Redis resumes (a fair race), and this test is about the
    # active server recovering.
    standby.terminate()
    metrics = http_get(url + "/metrics")[1]
    for figure in ("ccroute_healthy 1.0", "ccroute_command_log_up 1.0", "ccroute_lease_held 1.0",
                   "ccroute_event_subscribers 0.0", "ccroute_lease_remaining_seconds"):
        assert figure in metrics, figure
    # Redis stalls (stopped, not gone): writes block, and health says so.
    client = RouterClient(active.target, timeout=30, retries=0)
    assert redis_server.proc is not None
    redis_server.proc.send_signal(signal.SIGSTOP)
    try:
        writer = threading.Thread(target=lambda: _try(lambda: client.submit(cc.Contact("c1", "chat", "sales"))))
        writer.start()
        seen: list[tuple[int, str]] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen.append(http_get(url + "/healthz"))
            if seen[-1][0] == 503:
                break
            time.sleep(0.1)
        assert seen[-1][0] == 503, seen
        assert "ccroute_healthy 0.0" in http_get(url + "/metrics")[1]
    finally:
        redis_server.proc.send_signal(signal.SIGCONT)
    writer.join(30)
    until(lambda: _ok(http_get(url + "/healthz")))
    client.close()


def _try(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except cc.RoutingError:
        pass


def _ok(answer: tuple[int, str]) -> None:
    if answer[0] != 200:
        raise cc.RoutingError(answer[1])
