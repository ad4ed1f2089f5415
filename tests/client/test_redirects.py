"""Redirects of ``RouterClient`` and ``AsyncRouterClient`` between
scale-out servers (``ccroute serve --redis URL --advertise HOST:PORT``).

The decision (``Redirects``) and the channels (``Links``) are checked on
their own first (the clients over them against a fake cluster are in
``test_client_failover``); then against real processes on loopback: a
client sent on to a tenant's owner goes back to the server it was given
when that owner dies, a call held by an owner that dies is sent again and
acknowledged once, threads redirected together share one channel and none
of their calls is cancelled, and event watches (sync and asyncio) follow
their tenant to another server and back with every sequence once, in
order.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

import pytest

import ccroute as cc
from ccroute.client import (
    AsyncRouterClient,
    EventWatch,
    NotOwner,
    RouterClient,
    ServiceUnavailable,
    StreamEnded,
)
from ccroute.client import _common as c
from ccroute.client import _redirects as r
from ccroute.server.errors import ServiceError, ServiceTimeout

from .conftest import SKIP, Peers, Served

TENANTS = [f"t{i}" for i in range(6)]
#: The tenants of the watch tests: with ``default``, five; a server over
#: its share gives back its last by name first, so ``t3`` moves first.
FEW = ["t0", "t1", "t2", "t3"]
MOVES = "t3"


# -- the decision, on its own ---------------------------------------------------
class FakeChannel:
    def __init__(self, target: str) -> None:
        self.target = target


def fake_links() -> c.Links:
    return c.Links("x:1", lambda target: c.Link(target, FakeChannel(target), None))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clock of ``Links`` (failed servers' marks), moved by hand."""
    now = [100.0]
    monkeypatch.setattr(r, "time", type("Clock", (), {"monotonic": staticmethod(lambda: now[0])}))
    return now


def test_the_redirect_decision(clock: list[float]) -> None:
    links = fake_links()
    d = c.Redirects(links)
    assert d.after(NotOwner("elsewhere", "y:1"), "x:1", safe=False) == c.Hop("y:1")
    # No owner (a takeover), or the owner named is the server asked: wait and ask again.
    assert d.after(NotOwner("nobody"), "y:1", safe=False) == c.Hop(None, c.NO_OWNER_WAIT)
    assert d.after(NotOwner("here", "y:1"), "y:1", safe=False) == c.Hop(None, c.NO_OWNER_WAIT)
    # The owner a redirect led to is gone: back to the server given, resent only when safe; not a move.
    assert d.after(ServiceUnavailable("refused"), "y:1", safe=True) == c.Hop("x:1", failed=True)
    assert d.after(ServiceUnavailable("refused"), "y:1", safe=False) == c.Hop("x:1", resend=False, failed=True)
    # Not about where the tenant is: the caller's own retry rules.
    assert d.after(ServiceUnavailable("refused"), "x:1", safe=True) is None
    assert d.after(ServiceTimeout("slow"), "z:1", safe=True) is None
    assert d.after(NotOwner("elsewhere", "z:1"), "x:1", safe=True) == c.Hop("z:1")
    assert (d.moves, d.waits) == (2, 2)
    assert d.after(NotOwner("elsewhere", "w:1"), "z:1", safe=True) == c.Hop("w:1")
    with pytest.raises(NotOwner, match="spent"):
        d.after(NotOwner("spent", "v:1"), "w:1", safe=True)
    d.reset()
    for _ in range(c.NO_OWNER_TRIES):
        assert d.after(NotOwner("nobody"), "x:1", safe=True) == c.Hop(None, c.NO_OWNER_WAIT)
    with pytest.raises(NotOwner, match="nobody"):
        d.after(NotOwner("nobody"), "x:1", safe=True)


def test_a_failed_owner_named_again_is_waited_for_and_tried_again_once_a_second(clock: list[float]) -> None:
    links = fake_links()
    links.move(links.current, c.Hop("y:1"))
    y = links.current
    links.move(y, c.Hop("x:1", failed=True))  # y failed: for the whole client, not one call
    first, second = c.Redirects(links), c.Redirects(links)
    # While its lease runs the dead owner is still named: every call waits (not a move) ...
    assert first.after(NotOwner("elsewhere", "y:1"), "x:1", safe=True) == c.Hop(None, c.NO_OWNER_WAIT)
    assert second.after(NotOwner("elsewhere", "y:1"), "x:1", safe=False) == c.Hop(None, c.NO_OWNER_WAIT)
    # ... and once a second one call (of all) tries it again, counted as a wait.
    clock[0] += c.FAILED_RETRY
    assert first.after(NotOwner("elsewhere", "y:1"), "x:1", safe=True) == c.Hop("y:1", retry=True)
    assert second.after(NotOwner("elsewhere", "y:1"), "x:1", safe=True) == c.Hop(None, c.NO_OWNER_WAIT)
    assert (first.moves, first.waits) == (0, 2)
    # The marking lapses after FAILED_FOR: named again, it is followed as any owner.
    clock[0] += c.FAILED_FOR
    assert first.after(NotOwner("elsewhere", "y:1"), "x:1", safe=True) == c.Hop("y:1")


def test_the_decision_after_an_event_stream_ends(clock: list[float]) -> None:
    d = c.Redirects(fake_links())
    ended = StreamEnded("given up", resume_after=7)
    # Open: a reply came, or it lived and was not refused. A NotOwner is never the end of an open stream.
    assert c.Redirects.settled(ended, True, 0.0) and c.Redirects.settled(ended, False, c.STREAM_SETTLED)
    assert not c.Redirects.settled(ended, False, 0.1)
    assert not c.Redirects.settled(NotOwner("elsewhere", "z:1"), False, 60.0)
    d.moves = c.MAX_REDIRECTS
    # A stream that was open: a fresh budget, opened again at once where the client is.
    assert d.after_stream(ended, "y:1", settled=True, safe=True) == c.Hop(None)
    assert (d.moves, d.waits) == (0, 0)
    # One that ended at once: opened again after a wait, counted; so is a CANCELLED the watch did not cause.
    assert d.after_stream(ended, "y:1", settled=False, safe=True) == c.Hop(None, c.NO_OWNER_WAIT)
    assert d.after_stream(ServiceError("CANCELLED"), "y:1", settled=False, safe=True,
                          cancelled=True) == c.Hop(None, c.NO_OWNER_WAIT)
    assert d.waits == 2
    # Without resume they are raised, and a server that gave its tenant up is not a failed server.
    assert d.after_stream(ended, "y:1", settled=False, safe=False) is None
    assert d.after_stream(ServiceError("CANCELLED"), "y:1", settled=True, safe=False, cancelled=True) is None
    assert d.after_stream(ServiceUnavailable("reset"), "y:1", settled=True, safe=False) == c.Hop(
        "x:1", resend=False, failed=True)
    assert d.after_stream(NotOwner("elsewhere", "z:1"), "x:1", settled=False, safe=False) == c.Hop("z:1")


def test_links_switch_once_for_many_threads_and_keep_old_channels() -> None:
    links = fake_links()
    first = links.current
    barrier = threading.Barrier(16)

    def redirected() -> None:
        barrier.wait(5)
        links.move(first, c.Hop("y:1"))

    threads = [threading.Thread(target=redirected) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert (links.current.target, links.opened) == ("y:1", 2)
    y = links.current
    # A call that went over a channel the client already left does not move it back.
    links.move(first, c.Hop("z:1"))
    assert links.current is y
    # Back to a server left for a redirect: its channel again.
    links.move(y, c.Hop("x:1"))
    assert links.current is first and links.opened == 2
    closed = links.close()
    assert sorted(ch.target for ch in closed) == ["x:1", "y:1"]
    assert links.move(first, c.Hop("w:1")) == (0.0, []) and links.current is first  # closed: nothing opens


def test_a_failed_server_is_never_current_and_its_channel_closes_when_its_last_call_ends(
        clock: list[float]) -> None:
    links = fake_links()
    x = links.current
    links.move(x, c.Hop("y:1"))
    y = links.current
    stream = links.enter()  # a stream running on y's channel
    call = links.enter()
    assert call is y and stream is y
    assert links.move(call, c.Hop("x:1", failed=True)) == (0.0, [])
    assert links.leave(call) == []  # the stream still runs on it: not closed, whenever
    assert links.current is x and links.is_failed("y:1")
    # Another call redirected to y is not moved there: a wait instead.
    assert links.move(x, c.Hop("y:1")) == (c.NO_OWNER_WAIT, []) and links.current is x
    assert links.enter() is x  # calls go via the origin
    links.leave(x)
    # A failure seen on the old channel after y was tried again says nothing new.
    clock[0] += c.FAILED_RETRY
    assert links.claim_retry("y:1") and not links.claim_retry("y:1")  # one try at a time
    retry = links.enter(c.Hop("y:1", retry=True))
    assert retry is not y and retry.target == "y:1" and links.opened == 3  # a fresh channel
    assert links.current is x  # not moved before y answers
    assert links.leave(stream) == [y.channel]  # the last stream on the old channel ended: closed now
    links.move(y, c.Hop("x:1", failed=True))
    assert links.leave(retry, answered=True) == []
    assert links.current is retry and not links.is_failed("y:1")  # y answered: the client moves there
    # The origin is never marked failed.
    links.move(x, c.Hop("x:1", failed=True))
    assert not links.is_failed("x:1")
    assert sorted(ch.target for ch in links.close()) == ["x:1", "y:1"]


# -- against real servers -----------------------------------------------------------
needs_redis = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


def until(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


def owners(target: str) -> dict[str, str]:
    with RouterClient(target) as client:
        return {t.name: t.owner for t in client.tenants()}


def spread(servers: list[Served], names: list[str]) -> dict[str, str]:
    """Create ``names`` and wait until they are spread (:func:`settled`)."""
    with RouterClient(servers[0].target) as admin:
        for name in names:
            admin.create_tenant(name)
    return settled(servers)


def settled(servers: list[Served]) -> dict[str, str]:
    """Every tenant's owner, once every tenant has one of ``servers`` (the
    live ones: not a dead one whose lease runs, not none during a
    takeover) and they own the same number, give or take one."""
    targets = [s.target for s in servers]
    got: dict[str, str] = {}

    def even() -> bool:
        got.clear()
        got.update(owners(targets[0]))
        counts = [sum(1 for o in got.values() if o == t) for t in targets]
        return all(o in targets for o in got.values()) and max(counts) - min(counts) <= 1

    until(even, f"tenants spread over {targets}")
    return got


class Producer:
    """A thread submitting contacts to one tenant (each with its
    idempotency key, one event each) through a client given the first
    server, until stopped; every failure is kept."""

    def __init__(self, target: str, tenant: str) -> None:
        self.client = RouterClient(target, tenant=tenant, timeout=5)
        self.count = 0
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.client.submit(cc.Contact(f"p{self.count}", "voice", "sales"))
                self.count += 1
            except BaseException as exc:  # reported by the test
                self.errors.append(exc)
                return
            time.sleep(0.01)

    def more(self, n: int) -> None:
        """Wait until ``n`` more contacts are in."""
        start = self.count
        until(lambda: self.count >= start + n or bool(self.errors), f"{n} more contacts")
        assert not self.errors, self.errors

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(20)
        self.client.close()


class Reader:
    """A thread iterating an ``EventWatch``, keeping the sequences."""

    def __init__(self, watch: EventWatch) -> None:
        self.watch = watch
        self.seqs: list[int] = []
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for record in self.watch:
                self.seqs.append(record.sequence)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def reached(self, sequence: int) -> None:
        until(lambda: (bool(self.seqs) and self.seqs[-1] >= sequence) or self.error is not None,
              f"the watch delivering sequence {sequence}")
        assert self.error is None, repr(self.error)

    def stop(self) -> None:
        self.watch.cancel()
        self._thread.join(10)


@pytest.fixture
def cleanup() -> Iterator[list[Callable[[], Any]]]:
    """Things to stop at the end of the test, even a failed one (newest first)."""
    todo: list[Callable[[], Any]] = []
    yield todo
    for stop in reversed(todo):
        stop()


@needs_redis
def test_a_client_goes_back_to_its_first_server_when_the_owner_it_was_sent_to_dies(peers: Peers) -> None:
    servers = peers(3)
    first = servers[0]
    got = spread(servers, TENANTS)
    name = next(n for n in TENANTS if got[n] != first.target)
    owner = next(s for s in servers if s.target == got[name])
    live = [s for s in servers if s is not owner]
    with RouterClient(first.target, tenant=name, timeout=5, retries=0) as client:
        client.upsert_agent(cc.Agent("a1"))
        assert client.target == owner.target  # sent on to the owner
        owner.kill()
        # A call that may not be sent twice (no idempotency key) is not resent
        # to anyone: it fails as it is, and the client goes back to its first server.
        with pytest.raises(ServiceUnavailable) as info:
            client.add_agent(cc.Agent("a2"))
        assert not isinstance(info.value, NotOwner)
        assert client.target == first.target
        # Reads and calls with idempotency keys are sent again (retries=0
        # notwithstanding) once a server took the tenant over.
        assert client.agent_ids() == ["a1"]
        assert client.target in (s.target for s in live)  # the new owner (or the first server, moved since)
        client.submit(cc.Contact("c1", "voice", "sales"))
        assert client.contact("c1").agent == "a1"


@needs_redis
def test_a_call_in_flight_when_its_owner_dies_is_sent_again_and_acknowledged_once(peers: Peers) -> None:
    servers = peers(2)
    first = servers[0]
    got = spread(servers, TENANTS)
    name = next(n for n in TENANTS if got[n] != first.target)
    owner = servers[1]
    with RouterClient(first.target, tenant=name, timeout=20, retries=0) as client:
        client.status()
        assert client.target == owner.target
        hops: list[c.Hop] = []
        move = client._links.move

        def spy(used: c.Link, hop: c.Hop) -> tuple[float, list[Any]]:
            hops.append(hop)
            return move(used, hop)

        client._links.move = spy  # type: ignore[method-assign]
        # The owner is frozen: the call reaches its socket and is held there, in flight.
        owner.proc.send_signal(signal.SIGSTOP)
        done: list[Any] = []
        call = threading.Thread(target=lambda: done.append(
            client.submit(cc.Contact("k1", "voice", "sales"), idempotency_key="key-k1")))
        call.start()
        time.sleep(0.5)
        assert call.is_alive() and not hops
        owner.kill()  # its connections reset under the call
        call.join(30)
        assert done, "the call did not complete"
        # It failed on the dead owner and was sent again through the first server, which took
        # the tenant over once the dead owner's lease expired (the only server left).
        assert any(h.failed for h in hops) and client._links.is_failed(owner.target)
        assert client.target == first.target
        assert client.waiting("sales") == ["k1"]  # once
        assert client.submit(cc.Contact("k1", "voice", "sales"), idempotency_key="key-k1") == done[0]


@needs_redis
def test_threads_redirected_together_share_one_channel_and_no_call_is_cancelled(peers: Peers) -> None:
    servers = peers(2)
    got = spread(servers, TENANTS)
    first = servers[0]
    name = next(n for n in TENANTS if got[n] != first.target)
    threads, calls = 16, 8
    for run in range(3):
        with RouterClient(first.target, tenant=name, timeout=10, retries=0) as client:
            start = threading.Barrier(threads)

            def work(i: int, client: RouterClient = client, start: threading.Barrier = start, run: int = run) -> int:
                start.wait(10)  # every first call reaches the first server at once, and is redirected
                for k in range(calls):
                    client.submit(cc.Contact(f"r{run}-w{i}-{k}", "voice", "sales"))
                    client.status()
                return calls

            with ThreadPoolExecutor(threads) as pool:
                done = [f.result() for f in [pool.submit(work, i) for i in range(threads)]]  # raises CANCELLED, if any
            assert sum(done) == threads * calls
            # The first server's channel and the owner's (and a third, were the tenant moved meanwhile):
            # not one per thread.
            assert client.target in (s.target for s in servers)
            assert client._links.opened <= 3
    with RouterClient(got[name], tenant=name) as owner:
        assert len(owner.waiting("sales")) == 3 * threads * calls


@needs_redis
def test_an_event_watch_follows_its_tenant_to_another_server_and_back(peers: Peers,
                                                                      cleanup: list[Callable[[], Any]]) -> None:
    (first,) = peers(1)
    spread([first], FEW)  # all five tenants on the first server
    client = RouterClient(first.target, tenant=MOVES, timeout=5)
    cleanup.append(client.close)
    producer = Producer(first.target, MOVES)
    cleanup.append(producer.stop)
    producer.more(3)
    reader = Reader(client.watch_events(after_sequence=0))
    cleanup.append(reader.stop)
    reader.reached(3)
    # A second server: the first gives the tenant up (its stream ends), the second takes it.
    (second,) = peers(1)
    until(lambda: owners(first.target).get(MOVES) == second.target, f"{MOVES} on the second server")
    producer.more(5)
    reader.reached(producer.count)
    assert client.target == second.target and reader.watch.resumed >= 1
    # The second server dies: the watch goes back to the first, which takes the tenant over.
    second.kill()
    until(lambda: owners(first.target).get(MOVES) == first.target, f"{MOVES} back on the first server")
    producer.more(5)
    producer.stop()
    assert not producer.errors, producer.errors
    last = client.status().last_sequence
    reader.reached(last)
    assert reader.seqs == list(range(1, last + 1))  # every event once, in order, across both moves
    assert client.target == first.target


@needs_redis
def test_the_async_client_and_watch_follow_their_tenant_to_another_server_and_back(peers: Peers) -> None:
    (first,) = peers(1)
    spread([first], FEW)

    async def main() -> None:
        async with AsyncRouterClient(first.target, tenant=MOVES, timeout=5) as client:
            seqs: list[int] = []
            made = [0]

            async def produce(n: int) -> None:
                for _ in range(n):
                    await client.submit(cc.Contact(f"p{made[0]}", "voice", "sales"))
                    made[0] += 1

            async def read() -> None:
                async for record in client.watch_events(after_sequence=0):
                    seqs.append(record.sequence)

            async def reached(sequence: int) -> None:
                deadline = time.monotonic() + 20
                while not seqs or seqs[-1] < sequence:
                    assert not reader.done(), reader.exception()
                    assert time.monotonic() < deadline, f"the watch did not deliver {sequence}: {seqs[-5:]}"
                    await asyncio.sleep(0.05)

            reader = asyncio.ensure_future(read())
            try:
                await produce(3)
                await reached(3)
                (second,) = await asyncio.to_thread(peers, 1)
                await asyncio.to_thread(until, lambda: owners(first.target).get(MOVES) == second.target,
                                        f"{MOVES} on the second server")
                await produce(5)  # redirected to the second server
                assert client.target == second.target
                await reached(made[0])
                await asyncio.to_thread(second.kill)
                await produce(5)  # back to the first server, which takes the tenant over
                assert client.target == first.target
                last = (await client.status()).last_sequence
                await reached(last)
                assert seqs == list(range(1, last + 1))
            finally:
                reader.cancel()
                try:
                    await reader
                except asyncio.CancelledError:
                    pass

    asyncio.run(main())
