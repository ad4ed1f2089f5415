"""Scale-out: several ``ccroute serve --redis URL --advertise HOST:PORT``
processes share one Redis (a single instance, or a three-node Redis
Cluster started here) and spread the tenants among themselves.

Checked against real processes on loopback: each tenant has one owner,
a call reaching another server is redirected (``NotOwner`` naming the
owner; ``RouterClient`` follows it), and after ``kill -9`` of a server
under load its tenants are taken over with every acknowledged contact
there exactly once and event sequence numbers continuing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import grpc
import pytest

import ccroute as cc
from ccroute.client import NotOwner, RouterClient, ServiceUnavailable
from ccroute.server.config import RouterSettings, ServiceLimits
from ccroute.server.errors import ServiceTimeout
from ccroute.server.persistence.codec import encode_settings
from ccroute.server.persistence.tenants import RedisTenants, tenant_prefix
from ccroute.v1 import router_pb2 as pb
from ccroute.v1 import router_pb2_grpc

from .conftest import REDIS_SERVER, SKIP, RedisServer, Served, free_port, start_peers

pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")

REDIS_CLI = shutil.which("redis-cli")
TENANTS = [f"t{i}" for i in range(6)]
LEASE_MS = 1000


class Cluster:
    """Three ``redis-server --cluster-enabled yes`` nodes joined with
    ``redis-cli --cluster create`` (no replicas), AOF on."""

    def __init__(self, root: Path) -> None:
        self.nodes: list[subprocess.Popen[bytes]] = []
        self.ports = [free_port() for _ in range(3)]
        #: Each node's cluster bus port (given: port + 10000 may be beyond 65535).
        self.bus = [free_port() for _ in range(3)]
        self.root = root

    def start(self) -> "Cluster":
        import redis

        for port, bus in zip(self.ports, self.bus, strict=True):
            d = self.root / f"node-{port}"
            d.mkdir()
            self.nodes.append(subprocess.Popen(
                [str(REDIS_SERVER), "--port", str(port), "--cluster-port", str(bus), "--bind", "127.0.0.1",
                 "--cluster-enabled", "yes",
                 "--cluster-config-file", str(d / "nodes.conf"), "--dir", str(d), "--appendonly", "yes",
                 "--appendfsync", "always", "--save", "", "--logfile", str(d / "redis.log")]))
        for port in self.ports:
            deadline = time.monotonic() + 10
            while True:
                try:
                    redis.Redis(port=port, socket_connect_timeout=0.5).ping()
                    break
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, f"redis node {port} did not start"
                    time.sleep(0.05)
        subprocess.run([str(REDIS_CLI), "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 20
        while not all(_cluster_ok(redis.Redis(port=p)) for p in self.ports):
            assert time.monotonic() < deadline, "the cluster did not become ok"
            time.sleep(0.1)
        return self

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
            node.wait(10)


def _cluster_ok(node: Any) -> bool:
    info = node.execute_command("CLUSTER INFO")  # parsed into a dict by redis-py, or raw text
    if isinstance(info, dict):
        return str(info.get("cluster_state", info.get(b"cluster_state", ""))) in ("ok", "b'ok'")
    return b"cluster_state:ok" in info


@pytest.fixture
def redis_cluster(tmp_path: Path) -> Iterator[Cluster]:
    if REDIS_CLI is None:
        pytest.skip("redis-cli is not installed (it comes with redis-server)")
    cluster = Cluster(tmp_path)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[Callable[..., list[Served]]]:
    """``peers(redis_url, n, *extra)``: n scale-out servers, each advertising its port."""
    started: list[Served] = []

    def start(url: str, n: int, *extra: str) -> list[Served]:
        cfg = tmp_path / "router.yaml"
        cfg.write_text("channels: [{name: voice}]\nqueues: [{name: sales}, {name: support}]\n")
        return start_peers(url, n, cfg, tmp_path, started, LEASE_MS, extra)

    try:
        yield start
    finally:
        for s in started:
            s.close()


def owners(target: str) -> dict[str, str]:
    with RouterClient(target) as client:
        return {t.name: t.owner for t in client.tenants()}


def wait_spread(targets: list[str], names: list[str], timeout: float = 20.0) -> dict[str, str]:
    """Wait until every tenant has a live owner and the servers own the
    same number of tenants, give or take one."""
    deadline = time.monotonic() + timeout
    while True:
        got = owners(targets[0])
        counts = [sum(1 for n in names if got.get(n) == t) for t in targets]
        if all(got.get(n) in targets for n in names) and max(counts) - min(counts) <= 1:
            return got
        assert time.monotonic() < deadline, f"tenants not spread over {targets}: {got}"
        time.sleep(0.2)


def test_tenants_spread_and_calls_are_redirected(redis_server: RedisServer,
                                                 peers: Callable[..., list[Served]]) -> None:
    servers = peers(redis_server.url, 3)
    targets = [s.target for s in servers]
    with RouterClient(targets[0]) as admin:
        for name in TENANTS:
            admin.create_tenant(name)
    got = wait_spread(targets, ["default", *TENANTS])  # 7 tenants over 3 servers: 3/2/2
    # A call reaching the wrong server: UNAVAILABLE naming the owner...
    name = next(n for n in TENANTS if got[n] != targets[0])
    with grpc.insecure_channel(targets[0]) as channel:
        with pytest.raises(grpc.RpcError) as info:
            router_pb2_grpc.RouterStub(channel).GetStatus(pb.GetStatusRequest(), metadata=[("ccroute-tenant", name)],
                                                          timeout=10)
    trailers = dict(info.value.trailing_metadata() or ())
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert (trailers["ccroute-error"], trailers["ccroute-owner"]) == ("NotOwner", got[name])
    assert got[name] in info.value.details()
    # ... which the client follows, and stays there.
    with RouterClient(targets[0], tenant=name) as client:
        client.add_agent(cc.Agent("a1"))
        assert client.target == got[name]
        assert client.agent_ids() == ["a1"]
    # Unknown tenants are NOT_FOUND on every server, not redirected.
    with RouterClient(targets[1], tenant="nope") as client:
        with pytest.raises(cc.errors.UnknownId, match="unknown tenant 'nope'"):
            client.status()


def test_json_calls_and_wallboards_are_pointed_at_the_owner_s_http_port(
        redis_server: RedisServer, peers: Callable[..., list[Served]]) -> None:
    """Over HTTP a call for a tenant owned elsewhere is 503 ``NotOwner``
    naming the owner's HTTP port (``ccroute-owner-url``), where it
    succeeds; a wallboard asked of the wrong server redirects there."""
    servers = peers(redis_server.url, 2, "--http-port", "0", "--json-api")
    targets = [s.target for s in servers]
    urls = {s.target: s.http_url() for s in servers}
    with RouterClient(targets[0]) as admin:
        for name in TENANTS[:3]:
            admin.create_tenant(name)
    got = wait_spread(targets, ["default", *TENANTS[:3]])
    name = next(n for n in TENANTS[:3] if got[n] != targets[0])
    owner_url = urls[got[name]]

    def post(base: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(base + "/v1/GetStatus", data=b"{}", method="POST",
                                         headers={"ccroute-tenant": name})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read())

    status, reply = post(urls[targets[0]])
    assert status == 503 and reply["error"]["name"] == "NotOwner"
    assert reply["error"]["metadata"] == {"ccroute-owner": got[name], "ccroute-owner-url": owner_url}
    assert f"(HTTP: {owner_url})" in reply["error"]["message"]
    assert post(owner_url)[0] == 200

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(NoRedirect).open(f"{urls[targets[0]]}/?tenant={name}", timeout=10)
    moved.value.close()
    assert moved.value.code == 307 and moved.value.headers["Location"] == f"{owner_url}/?tenant={name}"
    with urllib.request.urlopen(f"{urls[targets[0]]}/?tenant={name}", timeout=10) as page:  # followed
        assert page.status == 200 and page.url == f"{owner_url}/?tenant={name}"
    # The default tenant is spread like the others: its wallboard (/) too.
    elsewhere = next(t for t in targets if t != got["default"])
    with pytest.raises(urllib.error.HTTPError) as moved:
        urllib.request.build_opener(NoRedirect).open(f"{urls[elsewhere]}/", timeout=10)
    moved.value.close()
    assert moved.value.code == 307 and moved.value.headers["Location"] == f"{urls[got['default']]}/"


class Load:
    """One thread per tenant submitting contacts (idempotency keys) and
    toggling an agent's state, through whichever servers are alive; each
    call is retried with the same key until acknowledged."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = list(targets)
        self.acked: dict[str, list[str]] = {t: [] for t in TENANTS}
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(t, i), daemon=True) for i, t in enumerate(TENANTS)]

    def start(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def _until_acked(self, tenant: str, i: int, call: Callable[[RouterClient], Any]) -> Any:
        deadline = time.monotonic() + 60
        k = i
        while True:
            target = self.targets[k % len(self.targets)]
            try:
                with RouterClient(target, tenant=tenant, timeout=5, retries=0) as client:
                    return call(client)
            except (ServiceUnavailable, ServiceTimeout, NotOwner):
                if time.monotonic() > deadline:
                    raise
                k += 1  # that server is dead or the tenant is being taken over: another one
                time.sleep(0.05)

    def _run(self, tenant: str, i: int) -> None:
        try:
            self._until_acked(tenant, i, lambda c: c.upsert_agent(cc.Agent("z", state="away"),
                                                                  idempotency_key=f"{tenant}-z"))
            n = 0
            while not self.stop.is_set():
                cid = f"{tenant}-c{n}"
                contact = cc.Contact(cid, "voice", "sales", requires={"s": 1})
                self._until_acked(tenant, i, lambda c, x=contact, k=f"key-{cid}": c.submit(x, idempotency_key=k))
                self.acked[tenant].append(cid)
                state = "offline" if n % 2 else "away"
                self._until_acked(tenant, i, lambda c, s=state: c.set_agent_state("z", s))
                n += 1
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(90)


def test_kill_9_under_load_on_a_redis_cluster(redis_cluster: Cluster,
                                             peers: Callable[..., list[Served]]) -> None:
    servers = peers(redis_cluster.url, 3)
    targets = [s.target for s in servers]
    with RouterClient(targets[0]) as admin:
        for name in TENANTS:
            admin.create_tenant(name)
    got = wait_spread(targets, ["default", *TENANTS])
    load = Load(targets).start()
    time.sleep(1.5)
    victim = max(servers, key=lambda s: sum(1 for n in TENANTS if got[n] == s.target))
    lost = [n for n in TENANTS if got[n] == victim.target]
    before = {n: len(load.acked[n]) for n in lost}
    assert lost and all(before.values()), before  # the victim served load when it died
    victim.kill()
    load.targets = [t for t in targets if t != victim.target]
    time.sleep(LEASE_MS / 1000 * 3)
    load.finish()
    assert not load.errors, load.errors
    wait_spread(load.targets, ["default", *TENANTS])
    for n in lost:
        assert len(load.acked[n]) > before[n], f"tenant {n} made no progress after the takeover"
    for n in TENANTS:
        with RouterClient(load.targets[0], tenant=n) as client:
            waiting = client.waiting("sales")
            # Every acknowledged contact is there exactly once, nothing else.
            assert sorted(waiting) == sorted(load.acked[n]), n
            assert len(set(waiting)) == len(waiting)
            # Event sequence numbers continue across the takeover: 1.. with no gap or repeat.
            status = client.status()
            seqs = []
            for record in client.watch_events(after_sequence=0):
                seqs.append(record.sequence)
                if record.sequence >= status.last_sequence:
                    break
            assert seqs == list(range(1, status.last_sequence + 1)), n


class Leases:
    """Polls every tenant's lease in Redis (every 50 ms) and keeps, per
    tenant, the longest time it had no owner."""

    def __init__(self, url: str, names: list[str]) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        #: Addresses of servers known dead: a lease they still hold counts as no owner.
        self.dead: set[str] = set()
        self.keys = {n: f"{tenant_prefix('ccroute', n, False)}:lease" for n in names}
        self.longest = dict.fromkeys(names, 0.0)
        self._since: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Leases":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            now = time.monotonic()
            held = self.redis.mget(list(self.keys.values()))
            for (name, _), value in zip(self.keys.items(), held, strict=True):
                if value is None or value.decode().split("#", 1)[0] in self.dead:
                    since = self._since.setdefault(name, now)
                    self.longest[name] = max(self.longest[name], now - since)
                else:
                    self._since.pop(name, None)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(5)
        self.redis.close()
        return self.longest


def test_rolling_restart_and_a_dead_server(redis_server: RedisServer,
                                           peers: Callable[..., list[Served]]) -> None:
    """Each server of three is stopped and replaced in turn, then one is
    killed: every tenant keeps an owner but for the hand-overs (never
    longer than a lease and a few balancer rounds), a dead server stops
    counting within about a lease, and the tenants end spread again."""
    import redis

    servers = peers(redis_server.url, 3)
    names = ["default", *TENANTS]
    with RouterClient(servers[0].target) as admin:
        for name in TENANTS:
            admin.create_tenant(name)
    wait_spread([s.target for s in servers], names)
    leases = Leases(redis_server.url, names).start()
    live = list(servers)
    for _ in range(3):
        assert live[0].terminate() == 0  # a graceful stop frees its leases at once
        live = live[1:] + peers(redis_server.url, 1)
        wait_spread([s.target for s in live], names)
    victim = live[0]
    leases.dead.add(victim.target)
    victim.kill()
    killed = time.monotonic()
    db = redis.Redis.from_url(redis_server.url)
    while victim.target.encode() in db.zrange("ccroute:servers", 0, -1):
        assert time.monotonic() - killed < LEASE_MS / 1000 * 2, "a dead server still counted after two leases"
        time.sleep(0.05)
    assert victim.target.encode() not in db.hkeys("ccroute:load")
    db.close()
    got = wait_spread([s.target for s in live[1:]], names)
    longest = leases.stop()
    # A hand-over takes a balancer round or two; a dead owner's tenants wait
    # out its lease (counted from the kill) and a round.
    assert max(longest.values()) < LEASE_MS / 1000 * 2.5, longest
    assert set(got.values()) == {s.target for s in live[1:]}


def test_a_hot_standby_on_a_redis_cluster(redis_cluster: Cluster, tmp_path: Path) -> None:
    """Without --advertise a Redis Cluster holds one active server's
    tenants (the default tenant's keys in one slot too) and a standby
    takes every one of them over."""
    cfg = tmp_path / "router.yaml"
    cfg.write_text("channels: [{name: voice}]\nqueues: [{name: sales}]\n")
    args = ["--port", "0", "--config", str(cfg), "--redis", redis_cluster.url, "--lease-ms", str(LEASE_MS)]
    active = Served(args, tmp_path / "active.log")
    standby: Any = None
    try:
        active.wait_listening()
        with RouterClient(active.target) as client:
            client.create_tenant("acme")
            client.submit(cc.Contact("d1", "voice", "sales"))
        with RouterClient(active.target, tenant="acme") as acme:
            acme.submit(cc.Contact("a1", "voice", "sales"))
        standby = Served([*args[:1], str(free_port()), *args[2:]], tmp_path / "standby.log")
        time.sleep(0.5)
        active.kill()
        standby.wait_listening()
        with RouterClient(standby.target) as client:
            assert client.waiting("sales") == ["d1"]
        with RouterClient(standby.target, tenant="acme") as acme:
            assert acme.waiting("sales") == ["a1"]  # the client waits out the takeover of the tenant
    finally:
        active.close()
        if standby is not None:
            standby.close()


def test_standby_and_deleted_tenants_never_name_or_take_a_lease(redis_server: RedisServer) -> None:
    """In hot-standby mode a tenant whose lease another process still holds
    answers NotOwner naming nobody (that process is a previous owner about
    to lose it, not a server to call); a deleted tenant is never opened, so
    no lease is made for it; a released log's late 'lease lost' does not
    stop the tenant taken again."""
    import redis

    db = redis.Redis.from_url(redis_server.url)
    settings = RouterSettings.from_dict({"channels": [{"name": "voice"}], "queues": [{"name": "sales"}]})
    standby = RedisTenants(redis_server.url, address=None, default_settings=settings, limits=ServiceLimits(),
                           lease_ms=LEASE_MS)
    peer = RedisTenants(redis_server.url, address="127.0.0.1:1", default_settings=settings, limits=ServiceLimits(),
                        lease_ms=LEASE_MS)
    try:
        db.hset("ccroute:tenants", "acme", json.dumps({"config": encode_settings(settings)}))
        db.set(f"{tenant_prefix('ccroute', 'acme', False)}:lease", "old-host:50051#1:abc", px=60_000)
        with pytest.raises(NotOwner, match="'acme' is being taken over by this server") as refused:
            standby.service("acme")
        assert not refused.value.owner
        with pytest.raises(NotOwner, match="served by old-host:50051") as redirected:
            peer.service("acme")
        assert redirected.value.owner == "old-host:50051"
        assert not peer._open("gone") and not db.keys("ccroute:{gone}*")
        db.delete(f"{tenant_prefix('ccroute', 'acme', False)}:lease")
        assert peer._open("acme")
        first = peer._logs["acme"]
        peer._release("acme", "test")
        assert peer._open("acme")
        peer._release("acme", "a late 'lease lost' of the first log", first)
        assert "acme" in peer.owned() and peer.service("acme").running
    finally:
        standby.stop()
        peer.stop()
        db.close()


def test_failed_deleted_and_replaced_tenants(redis_server: RedisServer) -> None:
    """The balancer frees a tenant whose service failed for good (another
    server, or this one after a lease, rebuilds it from Redis) and one
    deleted by another server; a webhook sender being replaced or removed
    never writes its delivered position over its successor's."""
    import redis

    db = redis.Redis.from_url(redis_server.url)
    settings = RouterSettings.from_dict({"channels": [{"name": "voice"}], "queues": [{"name": "sales"}]})
    peer = RedisTenants(redis_server.url, address="127.0.0.1:1", default_settings=settings, limits=ServiceLimits(),
                        lease_ms=LEASE_MS, private_webhooks=True)
    try:
        peer.create("acme")
        acme = peer.service("acme")
        acme.add_agent(cc.Agent("a1"))
        first = peer._logs["acme"]

        def broken(entries: Any) -> None:
            raise RuntimeError("disk on fire")
        first.append = broken  # type: ignore[method-assign]
        with pytest.raises(ServiceUnavailable, match="disk on fire"):
            acme.add_agent(cc.Agent("a2"))
        assert acme.failure is not None and peer.problems() == {"acme": acme.failure}
        peer._balance()
        assert "acme" not in peer.owned()  # freed, and left to others for a lease
        time.sleep(LEASE_MS / 1000 + 0.1)
        peer._balance()
        rebuilt = peer.service("acme")
        assert rebuilt is not acme and rebuilt.agent_ids() == ["a1"]  # from what Redis holds

        # Deleted by another server (its record gone): released here.
        db.hdel("ccroute:tenants", "acme")
        peer._balance()
        assert "acme" not in peer.owned()

        # Webhooks: a replaced or removed sender's late position is ignored.
        peer.create("globex")
        key = f"{tenant_prefix('ccroute', 'globex', False)}:webhook"
        peer.set_webhook("globex", "http://127.0.0.1:9/one", "s" * 16, after_sequence=0)
        old_hook = peer.webhooks["globex"]._on_delivered
        peer.set_webhook("globex", "http://127.0.0.1:9/two", "s" * 16, after_sequence=0)
        old_hook(42)
        assert db.hget(key, "delivered") == b"0" and db.hget(key, "url") == b"http://127.0.0.1:9/two"
        new_hook = peer.webhooks["globex"]._on_delivered
        new_hook(1)
        assert db.hget(key, "delivered") == b"1"
        peer.set_webhook("globex", "")
        new_hook(2)
        assert not db.exists(key)  # not revived as a hash without a URL
    finally:
        peer.stop()
        db.close()
