"""The transport-free service layer: engine thread, clock, idempotency,
event history and subscribers, hooks and bounds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

import ccroute as cc
from ccroute.server import (
    HistoryGap,
    IdempotencyConflict,
    LogEntry,
    ManualClock,
    Observer,
    RouterService,
    ServerBusy,
    ServiceLimits,
    ServiceUnavailable,
    SubscriberLagged,
)
from ccroute.server.engine import Engine
from ccroute.server.events import EventHistory, EventRecord
from ccroute.server.idempotency import IdempotencyCache

from .conftest import settings


def kinds(records: Sequence[EventRecord]) -> list[str]:
    return [r.event.kind for r in records]


def test_calls_run_at_the_clock_time_and_number_events(service: RouterService) -> None:
    clock = service.clock
    assert isinstance(clock, ManualClock)
    clock.set(5.0)
    assert service.add_agent(cc.Agent("a1")) == []
    (rec,) = service.submit(cc.Contact("c1", "voice", "sales")).events  # the reply: the router's events
    assert rec.sequence == 3  # after AgentAdded (1) and Queued (2), which only the stream carries
    assert rec.event == cc.Assigned(contact="c1", agent="a1", at=5.0, wait=0.0)
    assert rec.wall == pytest.approx(service.engine.wall_origin + 5.0)
    clock.advance(2.0)
    records = service.complete("c1")
    assert [r.sequence for r in records] == [4]
    assert records[0].event == cc.Completed(contact="c1", agent="a1", at=7.0)
    assert service.status().last_sequence == 4


def test_errors_are_the_routers_and_change_nothing(service: RouterService) -> None:
    with pytest.raises(cc.UnknownId, match="nobody"):
        service.remove_agent("nobody")
    with pytest.raises(cc.InvalidInput, match="'fax'|\"fax\""):
        service.submit(cc.Contact("c1", "fax", "sales"))
    with pytest.raises(cc.InvalidInput, match="dancing"):
        service.set_agent_state("a1", "dancing")
    assert service.status().last_sequence == 0
    assert service.status().live_contacts == 0


def test_timers_fire_on_the_wall_clock_with_nobody_calling() -> None:
    svc = RouterService(settings(offer_timeout=0.05))  # real monotonic clock
    with svc:
        sub = svc.subscribe()
        svc.add_agent(cc.Agent("a1"))
        svc.submit(cc.Contact("c1", "voice", "sales"))
        seen: list[str] = []
        deadline = time.monotonic() + 5
        while "OfferExpired" not in seen and time.monotonic() < deadline:
            seen += kinds(sub.get(timeout=0.1) or [])
        assert seen[:4] == ["AgentAdded", "Queued", "Offered", "OfferExpired"]
        sub.close()


def test_offer_timeouts_follow_a_manual_clock(service: RouterService) -> None:
    svc = RouterService(settings(offer_timeout=10.0), clock=ManualClock())
    with svc:
        svc.add_agent(cc.Agent("a1"))
        assert kinds(svc.submit(cc.Contact("c1", "voice", "sales")).events) == ["Offered"]
        svc.clock.advance(9.0)  # type: ignore[attr-defined]
        assert svc.advance() == []
        svc.clock.advance(1.0)  # type: ignore[attr-defined]
        assert kinds(svc.advance()) == ["OfferExpired", "NotResponding"]


def test_idempotency_key_replays_the_first_reply(service: RouterService) -> None:
    service.add_agent(cc.Agent("a1"))
    first = service.submit(cc.Contact("c1", "voice", "sales"), idempotency_key="k1")
    again = service.submit(cc.Contact("c1", "voice", "sales"), idempotency_key="k1")
    assert not first.replayed and again.replayed
    assert again.events == first.events
    assert service.status().live_contacts == 1
    with pytest.raises(IdempotencyConflict, match="'k1'"):
        service.submit(cc.Contact("c2", "voice", "sales"), idempotency_key="k1")
    # a failed submit is not stored: its retry runs again
    with pytest.raises(cc.InvalidInput):
        service.submit(cc.Contact("c3", "fax", "sales"), idempotency_key="k3")
    assert not service.submit(cc.Contact("c3", "voice", "sales"), idempotency_key="k3").replayed


def test_idempotency_cache_is_bounded_by_age_and_events() -> None:
    cache = IdempotencyCache(ttl=10.0, max_events=5)
    rec = [EventRecord(1, cc.Abandoned(contact="c", at=0.0, wait=0.0))]
    cache.put("a", "f", rec, now=0.0)
    cache.put("b", "f", rec, now=1.0)
    assert cache.get("a", "f", now=5.0) is not None
    cache.put("c", "f", rec, now=2.0)  # 3 entries x 2 events > 5: "a" goes
    assert cache.get("a", "f", now=5.0) is None and len(cache) == 2 and cache.events == 4
    assert cache.get("b", "f", now=11.0) is None  # expired
    cache.put("big", "f", rec * 10, now=3.0)  # larger than the cache: not kept
    assert cache.get("big", "f", now=3.0) is None


def test_history_ring_and_gap() -> None:
    h = EventHistory(3)
    assert (h.oldest, h.last, len(h)) == (1, 0, 0)
    ev = cc.Abandoned(contact="c", at=0.0, wait=0.0)
    h.extend([EventRecord(i, ev) for i in range(1, 6)])
    assert (h.oldest, h.last, len(h)) == (3, 5, 3)
    assert [r.sequence for r in h.since(2)] == [3, 4, 5]
    assert h.since(5) == []
    with pytest.raises(HistoryGap, match="after sequence 1") as info:
        h.since(1)
    assert info.value.resume_after == 5


def test_subscription_backlog_then_live(service: RouterService) -> None:
    service.add_agent(cc.Agent("a1", channels={"chat": 4}))
    for i in range(3):
        service.submit(cc.Contact(f"c{i}", "chat", "sales"))
    sub = service.subscribe(after_sequence=1)  # after AgentAdded: Queued and Assigned of each
    assert [r.sequence for r in sub.get(timeout=1)] == [2, 3, 4, 5, 6, 7]
    service.complete("c0")
    assert kinds(sub.get(timeout=1)) == ["Completed"]
    assert sub.get(timeout=0.01) == []
    sub.close()
    assert sub.get(timeout=0.01) is None


def test_slow_subscriber_is_cut_off_and_resumes_without_gap() -> None:
    limits = ServiceLimits(subscriber_buffer=4, history=1000)
    svc = RouterService(settings(), limits=limits, clock=ManualClock())
    with svc:
        svc.add_agent(cc.Agent("a1", capacity=1000, channels={"chat": 100}))
        slow = svc.subscribe()
        for i in range(10):  # two events each (Queued, Assigned); the 3rd overflows the buffer
            svc.submit(cc.Contact(f"c{i}", "chat", "support"))
        got = [r.sequence for r in slow.get(timeout=1)]
        assert got == [2, 3, 4, 5]
        with pytest.raises(SubscriberLagged, match="after_sequence=5") as info:
            slow.get(timeout=1)
        assert info.value.resume_after == 5
        resumed = svc.subscribe(after_sequence=info.value.resume_after)
        assert [r.sequence for r in resumed.get(timeout=1)] == list(range(6, 22))
        resumed.close()


def test_subscriber_limit_and_stop_ends_streams() -> None:
    limits = ServiceLimits(max_subscribers=1, workers=8)
    svc = RouterService(settings(), limits=limits, clock=ManualClock()).start()
    sub = svc.subscribe()
    with pytest.raises(ServerBusy, match="limit 1"):
        svc.subscribe()
    svc.stop()
    with pytest.raises(ServiceUnavailable, match="after_sequence=0"):
        sub.get(timeout=1)
    with pytest.raises(ServiceUnavailable, match="shutting down"):
        svc.status()


class SlowLog:
    """A command log that records entries and holds the engine a while."""

    def __init__(self, delay: float = 0.0) -> None:
        self.entries: list[LogEntry] = []
        self.delay = delay
        #: Commands the engine has handed to the log so far (counted on entry).
        self.entering = 0

    def append(self, entries: Sequence[LogEntry]) -> None:
        self.entering += len(entries)
        time.sleep(self.delay)
        self.entries.extend(entries)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def test_command_log_gets_accepted_commands_before_the_reply_and_replays() -> None:
    log = SlowLog()
    clock = ManualClock()
    svc = RouterService(settings(offer_timeout=5.0), clock=clock, command_log=log)
    with svc:
        svc.add_agent(cc.Agent("a1"))
        n = len(log.entries)
        svc.submit(cc.Contact("c1", "voice", "sales"), idempotency_key="k")
        assert len(log.entries) == n + 1  # logged before submit returned
        svc.submit(cc.Contact("c1", "voice", "sales"), idempotency_key="k")  # replay: not logged
        with pytest.raises(cc.DuplicateId):
            svc.submit(cc.Contact("c1", "voice", "sales"))  # failed: not logged
        svc.stats()  # queries are not logged
        clock.advance(6.0)
        svc.advance()  # the offer expires
        svc.submit(cc.Contact("c2", "chat", "support"))
        svc.submit(cc.Contact("c3", "voice", "support", requires={"fr": 5}))
        svc.update_contact("c3", priority=2, requires={}, if_version=1)
        with pytest.raises(cc.VersionConflict):
            svc.update_contact("c3", priority=3, if_version=1)  # failed: not logged
        final = [svc.agent("a1"), svc.stats(), svc.contact("c3")]
    assert [e.number for e in log.entries] == list(range(1, len(log.entries) + 1))
    assert [type(e.command).__name__ for e in log.entries] == [
        "UpsertAgent", "Submit", "Advance", "Submit", "Submit", "UpdateContact"]
    # Replaying the log into a fresh engine rebuilds the same state.
    engine = Engine(svc.settings, svc.limits)
    for e in log.entries:
        engine.tick(e.now)
        e.command.apply(engine, e.now)
    assert repr(engine.router.agent("a1")) == repr(final[0])
    assert [s.to_dict() for s in engine.router.stats().values()] == [s.to_dict() for s in final[1]]
    replayed = engine.router.contact("c3")
    assert (replayed.priority, replayed.requires, replayed.version) == (2, {}, 2) == (
        final[2].priority, final[2].requires, final[2].version)


def test_a_failing_command_log_stops_the_service() -> None:
    class Broken:
        def append(self, entries: Sequence[LogEntry]) -> None:
            raise OSError("disk full")

    svc = RouterService(settings(), clock=ManualClock(), command_log=Broken())
    with svc:
        with pytest.raises(ServiceUnavailable, match="disk full"):
            svc.add_agent(cc.Agent("a1"))
        with pytest.raises(ServiceUnavailable, match="command log failed"):
            svc.status()


def test_a_round_the_log_refuses_publishes_none_of_its_events() -> None:
    """A round the command log does not take (fenced: another server holds
    the lease) is answered UNAVAILABLE and none of its events reach a
    subscriber, which sees the stream end after the last logged event."""
    from ccroute.server.persistence import Fenced

    class Fencing:
        fenced = False

        def append(self, entries: Sequence[LogEntry]) -> None:
            if self.fenced:
                raise Fenced("lease lost, nothing written")

    log = Fencing()
    svc = RouterService(settings(), clock=ManualClock(), command_log=log)
    with svc:
        svc.add_agent(cc.Agent("a1"))
        last = svc.status().last_sequence
        sub = svc.subscribe(0)
        log.fenced = True
        with pytest.raises(ServiceUnavailable, match="lease lost, nothing written"):
            svc.submit(cc.Contact("c1", "voice", "sales"))
        got: list[EventRecord] = []
        with pytest.raises(ServiceUnavailable):  # the stream ends: the service stopped accepting calls
            while True:
                got += sub.get(timeout=5) or []
        assert [r.sequence for r in got] == list(range(1, last + 1))
        assert not any(getattr(r.event, "contact", None) == "c1" for r in got)


def test_observer_hears_commands_events_and_rounds(service: RouterService) -> None:
    seen: dict[str, list[object]] = {"commands": [], "events": [], "rounds": []}

    class Spy(Observer):
        def on_command(self, name: str, outcome: str, seconds: float) -> None:
            seen["commands"].append((name, outcome))

        def on_events(self, records: Sequence[EventRecord]) -> None:
            seen["events"].extend(r.sequence for r in records)

        def on_round(self, commands: int, backlog: int, seconds: float) -> None:
            seen["rounds"].append(commands)

    svc = RouterService(settings(), clock=ManualClock(), observer=Spy())
    with svc:
        svc.add_agent(cc.Agent("a1"))
        svc.submit(cc.Contact("c1", "voice", "sales"))
        with pytest.raises(cc.UnknownId):
            svc.complete("nope")
    assert seen["commands"] == [("UpsertAgent", "ok"), ("Submit", "ok"), ("Complete", "UnknownId")]
    assert seen["events"] == [1, 2, 3]  # AgentAdded, Queued, Assigned
    assert sum(seen["rounds"]) == 3  # type: ignore[arg-type]


def test_full_command_queue_is_server_busy() -> None:
    log = SlowLog(delay=0.3)
    svc = RouterService(settings(), clock=ManualClock(), command_log=log,
                        limits=ServiceLimits(command_queue=2))
    with svc:
        blocker = threading.Thread(target=svc.add_agent, args=(cc.Agent("a0"),))
        blocker.start()
        wait_until(lambda: log.entering == 1)  # the engine is inside the slow log
        waiting = [threading.Thread(target=svc.add_agent, args=(cc.Agent(f"a{i}"),)) for i in (1, 2)]
        for t in waiting:
            t.start()
        wait_until(lambda: len(svc._inbox) == 2)
        with pytest.raises(ServerBusy, match="2 commands already queued"):
            svc.add_agent(cc.Agent("a3"))
        for t in [blocker, *waiting]:
            t.join()
    assert len(log.entries) == 3


def test_upsert_replaces_an_agent_or_only_its_state(service: RouterService) -> None:
    assert not service.upsert_agent(cc.Agent("a1", skills={"x": 3})).replaced
    service.submit(cc.Contact("c1", "voice", "sales", requires={"x": 3}))
    # holding c1: a state change is fine, and so is a new profile (c1 stays)
    assert service.upsert_agent(cc.Agent("a1", skills={"x": 3}, state="away")).replaced
    service.upsert_agent(cc.Agent("a1", skills={"x": 9}), keep_state=True)
    view = service.agent("a1")
    assert (view.skills, view.contacts, view.state) == ({"x": 9}, ["c1"], "away")
    service.complete("c1")
    # a bad spec is refused and leaves the agent as it was
    with pytest.raises(cc.InvalidInput, match="level 11"):
        service.upsert_agent(cc.Agent("a1", skills={"x": 11}))
    assert service.agent("a1").skills == {"x": 9}
    with pytest.raises(cc.DuplicateId):
        service.upsert_agent(cc.Agent("a1"), create_only=True)


def test_configure_changes_the_running_router_and_a_refusal_changes_nothing(service: RouterService) -> None:
    service.add_agent(cc.Agent("a1", state="away"))
    service.submit(cc.Contact("c1", "voice", "sales"))
    before = service.query(lambda e: e.router.snapshot())
    with pytest.raises(cc.InvalidInput, match='queue "sales" cannot be removed: it holds 1 waiting'):
        service.configure(settings(queues=(cc.Queue("support"),)))
    assert service.query(lambda e: e.router.snapshot()) == before
    sub = service.subscribe()
    service.configure(settings(queues=(cc.Queue("support"),), policy="round_robin"), moves=[("sales", "support")])
    assert service.status().policy == "round_robin"
    assert service.contact("c1").queue == "support"
    kinds = [type(r.event).__name__ for r in sub.get(timeout=1.0) or []]
    assert kinds == ["ConfigChanged", "Overflowed"]
    with pytest.raises(cc.InvalidInput, match="no channels"):
        service.configure(settings(channels=()))


def test_a_keyed_configure_retried_after_a_later_change_answers_what_it_first_answered(
        service: RouterService) -> None:
    first = service.configure(settings(policy="round_robin"), idempotency_key="cfg-1", fingerprint=b"1")
    service.configure(settings(policy="most_skilled"))
    sub = service.subscribe()
    again = service.configure(settings(policy="round_robin"), idempotency_key="cfg-1", fingerprint=b"1")
    assert again == first and again.policy == "round_robin"
    assert service.status().policy == "most_skilled"  # the retry changed nothing
    assert sub.get(timeout=0.2) in (None, [])  # and published nothing


def test_memory_stays_bounded_under_load() -> None:
    limits = ServiceLimits(history=500, subscriber_buffer=300, idempotency_events=400, max_batch=200)
    svc = RouterService(settings(retain_finished=100), limits=limits, clock=ManualClock())
    with svc:
        svc.add_agent(cc.Agent("a1", capacity=10**6, channels={"chat": 10**6}))
        idle = svc.subscribe()  # never read
        for b in range(30):
            batch = [cc.Contact(f"c{b}-{i}", "chat", "support") for i in range(100)]
            svc.submit_many(batch, idempotency_key=f"k{b}")
            for c in batch[:50]:
                svc.complete(c.id)
        with pytest.raises(cc.InvalidInput, match="batch of 201 contacts exceeds the limit of 200"):
            svc.submit_many(cc.Contact(f"x{i}", "chat", "support") for i in range(201))
        sizes = svc.query(lambda e: (len(e.history), e.idempotency.events, len(e.subscribers)))
        assert sizes == (500, 303, 0)  # the idle subscriber was cut off and dropped
        assert idle.buffered <= 300
        idle.close()


def test_a_broken_engine_round_fails_calls_instead_of_hanging() -> None:
    svc = RouterService(settings(), clock=ManualClock()).start()

    def boom() -> list[EventRecord]:
        raise RuntimeError("boom")

    svc._engine.publish = boom  # type: ignore[method-assign]
    with pytest.raises(ServiceUnavailable, match="RuntimeError"):
        svc.status()
    with pytest.raises(ServiceUnavailable):
        svc.status()
    svc.stop(timeout=5)
    assert not svc.running
