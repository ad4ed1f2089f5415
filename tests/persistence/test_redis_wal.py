"""Write-ahead log and recovery: replay rebuilds the same router (compared
by snapshot bytes), old formats are refused, and a kill -9 in the middle
of a load of submits loses no acknowledged contact."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

import pytest

import ccroute as cc
from ccroute.client import RouterClient
from ccroute.server import ManualClock, RouterSettings, ServerConfig, ServiceLimits

from .conftest import SKIP, RedisServer, Served

pytest.importorskip("redis", reason="the redis Python package is not installed (pip install 'redis>=5')")
# Imported after the importorskip: the persistence package needs redis.
from ccroute.server.persistence import RedisLog, open_durable

pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")

VOICE = cc.Channel("voice", cost=100, max_per_agent=1)
CHAT = cc.Channel("chat", cost=25, max_per_agent=4)


def config(**kwargs: Any) -> ServerConfig:
    settings = RouterSettings(
        channels=(VOICE, CHAT),
        queues=(cc.Queue("sales", aging_rate=0.5), cc.Queue("support", overflow_to="sales", overflow_after=30)),
        offer_timeout=5.0, policy="random", seed=11, **kwargs,
    )
    agents = tuple(cc.Agent(f"a{i}", skills={"en": 3 + i % 5, "es": 1 + i % 3}) for i in range(6))
    return ServerConfig(settings, agents, ServiceLimits(history=1000))


def durable(server: RedisServer, clock: ManualClock, **kwargs: Any) -> tuple[Any, RedisLog]:
    service, rlog = open_durable(config(), server.url, clock=clock, lease_ms=1000, **kwargs)
    service.start()
    return service, rlog


def router_snapshot(service: Any) -> bytes:
    return service.query(lambda e: e.router.snapshot())  # type: ignore[no-any-return]


def test_replay_rebuilds_an_identical_router(redis_server: RedisServer) -> None:
    clock = ManualClock(100.0)
    service, rlog = durable(redis_server, clock, snapshot_every=25)
    rnd = __import__("random").Random(3)
    for i in range(120):
        clock.advance(rnd.random() * 3)
        kind = rnd.random()
        if kind < 0.5:
            contact = cc.Contact(f"c{i}", rnd.choice(["voice", "chat"]), rnd.choice(["sales", "support"]),
                                 rnd.randint(0, 3), requires={"en": rnd.randint(1, 5)},
                                 steps=[cc.Step(4.0, {"en": 1})], customer=f"u{i % 7}")
            service.submit(contact, idempotency_key=f"k{i}", fingerprint=b"fp%d" % i)
        elif kind < 0.8:
            offered = service.query(lambda e: [c for q in ("sales", "support") for c in e.router.waiting(q)
                                               if e.router.contact(c).status == "offered"])
            for c in offered[:2]:
                agent = service.contact(c).agent
                (service.accept if rnd.random() < 0.7 else service.reject)(c, agent)
        elif kind < 0.9:
            for c in service.query(lambda e: [cid for a in e.router.agent_ids()
                                              for cid in e.router.agent(a).contacts
                                              if e.router.contact(cid).status == "assigned"])[:1]:
                service.complete(c)
        else:
            service.set_agent_state(f"a{rnd.randrange(6)}", rnd.choice(["available", "away"]))
        service.advance()
    expected = router_snapshot(service)
    last_sequence = service.status().last_sequence
    number = service.log_number
    service.stop()
    rlog.close()
    r = redis_server.client()
    snap_number = int(r.hget("ccroute:snapshot", "number"))
    assert 0 < snap_number <= number  # snapshots were written...
    first = r.xrange("ccroute:log", count=1)[0][0]
    assert int(first.split(b"-")[0]) > snap_number  # ...and the log before them trimmed

    again, rlog2 = durable(redis_server, clock)
    try:
        assert router_snapshot(again) == expected
        assert again.status().last_sequence == last_sequence
        assert again.log_number == number
        # Events continue after the recovered sequence.
        clock.advance(1.0)
        events = again.submit(cc.Contact("new", "chat", "sales")).events
        assert all(e.sequence > last_sequence for e in events)
    finally:
        again.stop()
        rlog2.close()


def test_idempotent_retry_after_restart_is_answered_from_the_cache(redis_server: RedisServer) -> None:
    clock = ManualClock(0.0)
    service, rlog = durable(redis_server, clock, snapshot_every=3)
    first = service.submit(cc.Contact("x1", "voice", "sales"), idempotency_key="key-1", fingerprint=b"f")
    for i in range(5):  # past a snapshot: the cache is in it
        service.submit(cc.Contact(f"y{i}", "chat", "support"))
    service.query(lambda e: rlog.snapshot_now())
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock)
    try:
        retry = again.submit(cc.Contact("x1", "voice", "sales"), idempotency_key="key-1", fingerprint=b"f")
        assert retry.replayed and list(retry.events) == list(first.events)
    finally:
        again.stop()
        rlog2.close()


def test_a_snapshot_of_another_format_version_is_refused(redis_server: RedisServer) -> None:
    clock = ManualClock(0.0)
    service, rlog = durable(redis_server, clock)
    service.submit(cc.Contact("c1", "voice", "sales"))
    service.query(lambda e: rlog.snapshot_now())
    service.stop()
    rlog.close()
    r = redis_server.client()
    header = r.hget("ccroute:snapshot", "header").replace(b'"format":3', b'"format":0')
    r.hset("ccroute:snapshot", "header", header)
    with pytest.raises(cc.SnapshotError, match="format version 0, this server reads version 3"):
        open_durable(config(), redis_server.url, clock=clock, lease_ms=1000)
    # The engine's own bytes from another version: refused by the engine.
    r.hset("ccroute:snapshot", "header", header.replace(b'"format":0', b'"format":2'))
    data = bytearray(r.hget("ccroute:snapshot", "router"))
    data[8:12] = (0).to_bytes(4, "little")  # format version 0
    r.hset("ccroute:snapshot", "router", bytes(data))
    with pytest.raises(cc.SnapshotError, match="version"):
        open_durable(config(), redis_server.url, clock=clock, lease_ms=1000)


def test_kill_9_during_submits_loses_no_acknowledged_contact(
    redis_server: RedisServer, serve: Callable[..., Served]
) -> None:
    first = serve(redis_server.url, "--snapshot-every", "200", agents=8)
    first.wait_listening()
    client = RouterClient(first.target, timeout=5, retries=0)
    client.set_agent_state("a1", "away")
    client.set_agent_state("a2", "offline")
    acked: dict[str, tuple[cc.Contact, str]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def submitter(w: int) -> None:
        c = RouterClient(first.target, timeout=5, retries=0)
        i = 0
        while not stop.is_set():
            cid = f"w{w}-{i}"
            key = f"key-{cid}"
            contact = cc.Contact(cid, "chat" if i % 2 else "voice", "sales", requires={"s": 3})
            try:
                c.submit(contact, idempotency_key=key)
            except cc.RoutingError:
                break
            with lock:
                acked[cid] = (contact, key)
            i += 1
        c.close()

    workers = [threading.Thread(target=submitter, args=(w,)) for w in range(4)]
    for t in workers:
        t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 600 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.kill()
    stop.set()
    for t in workers:
        t.join(10)
    client.close()
    assert len(acked) >= 600, f"only {len(acked)} submits acknowledged"

    second = serve(redis_server.url)
    second.wait_listening()
    c2 = RouterClient(second.target, timeout=10)
    try:
        status = c2.status()
        seen = set()
        for cid in acked:
            view = c2.contact(cid)
            assert view.status in ("waiting", "assigned", "completed"), (cid, view.status)
            seen.add(view.id)
        assert len(seen) == len(acked)
        assert status.live_contacts >= len(acked)  # nothing ended: all still live
        assert c2.agent("a1").state == "away" and c2.agent("a2").state == "offline"
        assert c2.agent("a3").state == "available"
        # A retry of an acknowledged submit with its key creates nothing new.
        some = list(acked)[:20]
        for cid in some:
            c2.submit(acked[cid][0], idempotency_key=acked[cid][1])
        assert c2.status().live_contacts == status.live_contacts
    finally:
        c2.close()
    assert second.terminate() == 0


@pytest.mark.parametrize("snapshot", [False, True])
def test_keyed_calls_stay_idempotent_across_a_restart(redis_server: RedisServer, snapshot: bool) -> None:
    clock = ManualClock(0.0)
    service, rlog = durable(redis_server, clock)
    service.submit(cc.Contact("x1", "voice", "sales"))
    agent = service.contact("x1").agent
    service.accept("x1", agent)  # offer mode in this configuration
    first = service.complete("x1", idempotency_key="done-x1", fingerprint=b"f")
    up = service.upsert_agent(cc.Agent(agent, skills={"en": 9}), keep_state=True, idempotency_key="up",
                              fingerprint=b"u")
    if snapshot:
        service.query(lambda e: rlog.snapshot_now())
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock)
    try:
        retry = again.complete("x1", idempotency_key="done-x1", fingerprint=b"f")
        assert retry.replayed and list(retry) == list(first)
        up2 = again.upsert_agent(cc.Agent(agent, skills={"en": 9}), keep_state=True, idempotency_key="up",
                                 fingerprint=b"u")
        assert up2.replayed and up2.replaced and list(up2.events) == list(up.events)
    finally:
        again.stop()
        rlog2.close()


@pytest.mark.parametrize("damage", ["flip", "truncate", "no-checksum"])
def test_a_damaged_log_entry_is_refused_naming_it(redis_server: RedisServer, damage: str) -> None:
    clock = ManualClock(0.0)
    service, rlog = durable(redis_server, clock)
    service.submit(cc.Contact("c1", "voice", "sales"))
    service.submit(cc.Contact("c2", "chat", "support"))
    service.stop()
    rlog.close()
    r = redis_server.client()
    entry_id, fields = r.xrange("ccroute:log")[-1]
    text = fields[b"c"]
    if damage == "flip":
        i = len(text) - 5
        text = text[:i] + bytes([text[i] ^ 0x01]) + text[i + 1:]
    elif damage == "truncate":
        text = text[:-3]
    else:
        text = text[9:]
    # The damaged copy follows as the next entry (a stream id cannot be
    # rewritten in place).
    number = int(entry_id.split(b"-")[0]) + len(json.loads(fields[b"c"][9:]))
    r.xadd("ccroute:log", {b"t": fields[b"t"], b"c": text}, id=f"{number}-0")
    r.set("ccroute:last", number)
    with pytest.raises(cc.SnapshotError, match="log entry"):
        open_durable(config(), redis_server.url, clock=clock, lease_ms=1000)


def test_a_server_on_the_callers_clock_replays_to_the_embedded_routers_state(redis_server: RedisServer) -> None:
    """``--clock client`` under Redis: each call's time is logged with it,
    and replay rebuilds the router that the same calls give embedded, byte
    for byte."""
    from ccroute.server import ClientClock

    conf = ServerConfig(RouterSettings(
        channels=(VOICE, CHAT),
        queues=(cc.Queue("sales", ordering="lifo", max_waiting=5), cc.Queue("support", ordering="greatest_need"),
                cc.Queue("general", aging_rate=0.3, aging_max=2.0)),
        routing_profiles=[cc.RoutingProfile("front", {"sales": 2, "general": (1, 5.0)})],
        policy={"weighted": {"skill": 1.0, "idle": 0.01}}, condition_interval=2.0,
    ), (), ServiceLimits(history=1000))
    embedded = conf.router.build()
    service, rlog = open_durable(conf, redis_server.url, clock=ClientClock(), lease_ms=1000, snapshot_every=40)
    service.start()
    rnd = __import__("random").Random(5)
    t = 0.0
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("add_agent", (cc.Agent(f"a{i}", {"en": 1 + i % 9}, routing_profile="front" if i % 2 else None,
                                channels={"chat": 2} if i == 3 else None),)) for i in range(5)]
    for i in range(150):
        t += rnd.expovariate(1 / 3)
        kind = rnd.random()
        if kind < 0.5:
            calls.append(("submit", (cc.Contact(
                f"c{i}", rnd.choice(["voice", "chat"]), rnd.choice(["sales", "support", "general"]),
                rnd.randint(0, 2), requires={"en": rnd.randint(1, 5)},
                steps=[cc.Step(6.0, {}, when=rnd.choice([None, "no_agent_available"]))]),)))
        elif kind < 0.8:
            calls.append(("complete", (f"c{rnd.randrange(i + 1)}",)))
        elif kind < 0.9:
            calls.append(("cancel", (f"c{rnd.randrange(i + 1)}",)))
        else:
            calls.append(("set_agent_state", (f"a{rnd.randrange(5)}", rnd.choice(["available", "away"]))))
        calls[-1] = (calls[-1][0], calls[-1][1] + (t,))
    calls[:5] = [(m, a + (0.0,)) for m, a in calls[:5]]
    for method, args in calls:
        *rest, now = args
        try:
            getattr(embedded, method)(*rest, now)
        except cc.RoutingError:
            pass
        try:
            getattr(service, method)(*rest, now=now)
        except cc.RoutingError:
            pass
    expected = router_snapshot(service)
    assert expected == embedded.snapshot()

    def walls(svc: Any) -> list[tuple[int, float]]:
        return svc.query(lambda e: [(r.sequence, r.wall) for r in e.history.since(e.history.oldest - 1)])  # type: ignore[no-any-return]

    stamped = walls(service)
    assert stamped and all(w > 1e9 for _, w in stamped)  # the server's wall clock, not the caller's times
    service.stop()
    rlog.close()
    again, rlog2 = open_durable(conf, redis_server.url, clock=ClientClock(), lease_ms=1000)
    again.start()
    try:
        assert router_snapshot(again) == expected
        replayed = dict(walls(again))
        assert all(replayed[n] == w for n, w in stamped if n in replayed)  # the same again on replay
        with pytest.raises(cc.InvalidInput, match="before the server's time"):
            again.advance(now=0.0)
    finally:
        again.stop()
        rlog2.close()


def test_a_live_reconfiguration_is_logged_and_replays_to_the_same_router(redis_server: RedisServer) -> None:
    clock = ManualClock(10.0)
    service, rlog = durable(redis_server, clock)
    for i in range(4):
        service.submit(cc.Contact(f"c{i}", "voice", "support", requires={"en": 9}))
    current = service.settings
    changed = current.replace(
        queues=[cc.Queue("sales", ordering="greatest_need"), cc.Queue("vip", ordering="lifo")],
        routing_profiles=[cc.RoutingProfile("front", {"vip": 2, "sales": (1, 5.0)})],
        channels=[*current.channels, cc.Channel("email", cost=10, max_per_agent=5)],
    )
    clock.advance(1.0)
    service.configure(changed, moves=[("support", "vip")])
    clock.advance(1.0)
    service.upsert_agent(cc.Agent("a0", {"en": 9}, routing_profile="front"))
    expected = router_snapshot(service)
    assert service.contact("c0").queue == "vip"
    service.stop()
    rlog.close()
    again, rlog2 = open_durable(ServerConfig(changed, (), ServiceLimits(history=1000)), redis_server.url,
                                clock=clock, lease_ms=1000)
    again.start()
    try:
        assert router_snapshot(again) == expected
        # The epoch left out is the history's stored origin, as before the restart.
        assert again.settings == changed.replace(epoch=rlog2.origin) == service.settings
    finally:
        again.stop()
        rlog2.close()


@pytest.mark.parametrize("snapshot", [False, True])
def test_contact_updates_are_logged_and_replay_to_the_same_router(redis_server: RedisServer, snapshot: bool) -> None:
    clock = ManualClock(10.0)
    service, rlog = durable(redis_server, clock)
    for i in range(5):  # en 9: nobody can take them (the agents have en 3..7)
        service.submit(cc.Contact(f"c{i}", "chat", "sales", requires={"en": 9}, steps=[cc.Step(40.0, {"en": 8})]))
    clock.advance(1.0)
    service.update_contact("c0", priority=3, if_version=1)
    first = service.update_contact("c1", requires={"en": 4}, steps=[], idempotency_key="k1")
    assert [type(r.event).__name__ for r in first] == ["Offered"]  # offer mode in this configuration
    service.update_contact("c2", age_offset=12.0, attributes={"tier": "gold"}, prefers={})
    service.update_contact("c3", requires={"en": 9}, steps=[cc.Step(3.0, {"en": 6})])  # due at 13
    with pytest.raises(cc.VersionConflict):  # refused: not logged
        service.update_contact("c0", priority=1, if_version=1)
    clock.advance(3.0)
    service.advance()  # c3's new step is due: it is offered
    service.update_contact("c1", requires={"en": 8}, steps=[])  # its agent no longer fits: Requeued
    assert service.contact("c3").status == "offered" and service.contact("c1").status == "waiting"
    if snapshot:
        service.query(lambda e: rlog.snapshot_now())
    expected = router_snapshot(service)
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock)
    try:
        assert router_snapshot(again) == expected
        assert [again.contact(f"c{i}").version for i in range(4)] == [2, 3, 2, 2]
        retry = again.update_contact("c1", requires={"en": 4}, steps=[], idempotency_key="k1")
        assert retry.replayed and list(retry) == list(first)  # type: ignore[attr-defined]
    finally:
        again.stop()
        rlog2.close()


@pytest.mark.parametrize("snapshot", [False, True])
def test_transfers_and_callbacks_are_logged_and_replay_to_the_same_router(redis_server: RedisServer,
                                                                          snapshot: bool) -> None:
    clock = ManualClock(10.0)
    service, rlog = durable(redis_server, clock)

    def take(contact: str) -> str:
        agent: str = service.contact(contact).agent
        service.accept(contact, agent)
        return agent

    service.submit(cc.Contact("t1", "voice", "sales"))
    take("t1")
    clock.advance(1.0)
    first = service.transfer("t1", queue="support", requires={"en": 7}, idempotency_key="t1")
    assert [type(r.event).__name__ for r in first] == ["Transferred", "Offered"]
    take("t1")  # the one agent with en 7
    service.submit(cc.Contact("w1", "voice", "sales"))
    first_agent = take("w1")
    free = sorted(a for a in service.agent_ids() if not service.agent(a).contacts)
    service.transfer("w1", agent=free[0], mode="warm", keep_age=False)
    service.reject("w1", free[0])  # the warm transfer fails: w1 stays with its first agent
    with pytest.raises(cc.InvalidState):  # refused: not logged
        service.transfer("w1", queue="support", agent="a4")  # cold, to a busy agent
    service.submit(cc.Contact("cb", "voice", "support", callback={"number_of_attempts": 2, "retry_after": 20.0}))
    clock.advance(1.0)
    take("cb")
    assert service.contact("cb").status == "calling"
    service.callback_result("cb", "no_answer")
    with pytest.raises(cc.InvalidInput):  # refused before the engine: not logged
        service.callback_result("cb", "maybe")
    clock.advance(20.0)
    service.advance()  # cb is offered again
    assert (service.contact("w1").agent, service.contact("w1").status) == (first_agent, "assigned")
    if snapshot:
        service.query(lambda e: rlog.snapshot_now())
    expected = router_snapshot(service)
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock)
    try:
        assert router_snapshot(again) == expected
        stats = again.stats(["support"])[0]
        assert (stats.transferred_in, stats.callback_calls, stats.callbacks_waiting) == (1, 1, 1)
        retry = again.transfer("t1", queue="support", requires={"en": 7}, idempotency_key="t1")
        assert retry.replayed and list(retry) == list(first)  # type: ignore[attr-defined]
    finally:
        again.stop()
        rlog2.close()


@pytest.mark.parametrize("snapshot", [False, True])
def test_an_agents_reason_and_time_in_state_survive_a_restart(redis_server: RedisServer, snapshot: bool) -> None:
    clock = ManualClock(0.0)
    service, rlog = durable(redis_server, clock)
    clock.advance(4.0)
    service.set_agent_state("a1", "away", reason="lunch")
    service.submit(cc.Contact("x1", "voice", "sales"))
    offered_to = service.contact("x1").agent
    clock.advance(5.0)  # the offer expires: that agent is away, not responding
    service.advance()
    if snapshot:
        service.query(lambda e: rlog.snapshot_now())
    expected = router_snapshot(service)
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock)
    try:
        assert router_snapshot(again) == expected
        lunch = again.query(lambda e: e.router.agent("a1"))
        missed = again.query(lambda e: e.router.agent(offered_to))
        assert (lunch.state, lunch.reason, lunch.state_since) == ("away", "lunch", 4.0)
        assert (missed.state, missed.reason, missed.state_since) == ("away", "not_responding", 9.0)
    finally:
        again.stop()
        rlog2.close()


def test_a_keyed_configure_survives_a_snapshot_and_a_restart(redis_server: RedisServer) -> None:
    clock = ManualClock(0.0)
    service, rlog = durable(redis_server, clock)
    changed = service.settings.replace(policy="most_skilled")
    first = service.configure(changed, idempotency_key="cfg", fingerprint=b"c")
    service.query(lambda e: rlog.snapshot_now())  # the cached reply goes into the snapshot header
    service.configure(service.settings.replace(policy="round_robin"))
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock, check_config=False)  # run the stored configuration
    try:
        retry = again.configure(changed, idempotency_key="cfg", fingerprint=b"c")
        assert retry == first and retry.policy == "most_skilled"
        assert again.status().policy == "round_robin"
    finally:
        again.stop()
        rlog2.close()


@pytest.mark.parametrize("snapshot", [False, True])
def test_selectors_are_logged_and_replay_to_the_same_router(redis_server: RedisServer, snapshot: bool) -> None:
    clock = ManualClock(10.0)
    service, rlog = durable(redis_server, clock)
    service.upsert_agent(cc.Agent("x1", skills={"en": 5}, attributes={"langs": ["es", "en"], "tenure": 40}))
    service.set_agent_state("x1", "away")
    service.submit(cc.Contact("s1", "voice", "sales", selector='agent.langs HAS "es"',
                              selectors=[{"key": "tenure", "op": "greater_than", "value": 12,
                                          "expires_after": 100.0, "expedite": True}],
                              preferences=[{"selector": "agent.tenure > 30", "weight": 5}],
                              steps=[cc.Step(50.0, selector="agent.tenure > 1", replace_selector=True)]))
    clock.advance(60.0)
    service.advance()
    service.update_contact("s1", preferences=[], selector='agent.langs HAS "en"')
    if snapshot:
        service.query(lambda e: rlog.snapshot_now())
    expected = router_snapshot(service)
    why = service.query(lambda e: e.router.explain("s1").to_dict())
    service.stop()
    rlog.close()
    again, rlog2 = durable(redis_server, clock)
    try:
        assert router_snapshot(again) == expected
        assert again.query(lambda e: e.router.explain("s1").to_dict()) == why
        events = again.set_agent_state("x1", "available")
        assert [getattr(r.event, "agent", None) for r in events if type(r.event).__name__ in ("Offered", "Assigned")] == ["x1"]
    finally:
        again.stop()
        rlog2.close()
