"""``RouterClient`` and ``AsyncRouterClient`` against a fake cluster
(``fakes.Cluster``: stubs, no servers): concurrent calls through a
takeover, a blip of a live owner, event watches ending in every way, and
the small promises (``timeout=None``, ``target``, ``submit_stream``).

``x:1`` is the address every client is given (its origin); ``y:1`` the
owner it is sent on to; ``z:1`` the server that takes the tenant over.
The redirect timings are shortened (``fast``) so that a takeover takes
a fraction of a second."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

import ccroute as cc
from ccroute.client import (
    AsyncRouterClient,
    EventRecord,
    NotOwner,
    RouterClient,
    ServiceError,
    ServiceUnavailable,
    StreamEnded,
    SubscriberLagged,
)
from ccroute.client import _redirects as r

from .fakes import Cluster, cancelled, event_reply, lagged, stream_ended, use_cluster

X, Y, Z = "x:1", "y:1", "z:1"


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redirect timings a tenth of the real ones (the ratios kept)."""
    monkeypatch.setattr(r, "NO_OWNER_WAIT", 0.025)
    monkeypatch.setattr(r, "FAILED_RETRY", 0.1)
    monkeypatch.setattr(r, "FAILED_FOR", 1.5)
    monkeypatch.setattr(r, "STREAM_SETTLED", 0.1)


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch, fast: None) -> Iterator[Cluster]:
    """x:1 and y:1 up, y:1 owning the tenant; clients made in the test talk to them."""
    fake = Cluster([X, Y], Y)
    use_cluster(monkeypatch, fake)
    yield fake


def test_concurrent_calls_during_a_takeover_wait_for_the_new_owner_without_bouncing(cluster: Cluster) -> None:
    threads, calls = 16, 20
    client = RouterClient(X, tenant="t", timeout=5, retries=0)
    client.status()
    assert client.target == Y
    # y dies; x still names it while its lease runs, then nobody, then z takes the tenant over.
    cluster.up.discard(Y)
    start = threading.Barrier(threads + 1)
    errors: list[BaseException] = []
    done = [0]
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            for _ in range(n):
                client.status()  # a read: safe to send again
                with lock:
                    done[0] += 1
        except BaseException as exc:  # reported below
            errors.append(exc)

    def loop() -> None:
        start.wait(5)
        work(calls)

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    start.wait(5)
    began = time.monotonic()
    # Meanwhile new calls keep coming, each with a budget of its own: none may take the
    # client back to y (the old client opened a channel to y for nearly every one).
    while time.monotonic() - began < 0.6:
        if time.monotonic() - began > 0.4:
            cluster.takeover(None)
        pool.append(threading.Thread(target=work, args=(1,)))
        pool[-1].start()
        time.sleep(0.01)
    cluster.takeover(Z)
    for t in pool:
        t.join(20)
    elapsed = time.monotonic() - began
    assert not errors, errors[:3]
    assert done[0] == threads * calls + len(pool) - threads and client.target == Z
    # y is tried once per FAILED_RETRY for the whole client, and each try opens one channel:
    # x, y, then the tries and z. (The first calls may all reach y before one of them fails.)
    tries = int(elapsed / r.FAILED_RETRY) + 2
    assert cluster.calls[Y] <= 1 + threads + tries, cluster.calls
    assert client._links.opened <= 3 + tries
    client.close()
    assert all(ch.closed for ch in cluster.channels)


def test_a_blip_of_a_live_owner_is_waited_out_and_the_owner_followed_again(cluster: Cluster) -> None:
    client = RouterClient(X, tenant="t", timeout=5, retries=0)
    client.status()
    y = client._links.current
    stream = client._links.enter()  # a stream running on y's channel (an EventWatch, a submit_stream)
    cluster.blips.add(Y)  # Redis briefly down on y, a connection reset: one call fails
    client.status()  # a read: through x, which still names y, to y again
    assert client.target == Y and client._links.current is not y  # a fresh channel
    assert cluster.calls[Y] == 3 and not client._links.is_failed(Y)
    assert not y.channel.closed  # the stream still runs on the old channel
    assert client._links.leave(stream) == [y.channel]  # to close once the stream ends (the client does)
    # A call that may not be sent twice raises, and the client still finds its owner afterwards.
    cluster.blips.add(Y)
    with pytest.raises(ServiceUnavailable) as info:
        client.add_agent(cc.Agent("a1"))
    assert not isinstance(info.value, NotOwner) and client.target == X
    client.status()
    assert client.target == Y
    client.close()


def test_a_watch_on_a_channel_retired_under_it_is_not_cancelled(cluster: Cluster) -> None:
    cluster.streams[Y] = [[event_reply(1), event_reply(2)]]
    client = RouterClient(X, tenant="t", timeout=5)
    watch = client.watch_events(after_sequence=0)
    assert next(watch).sequence == 1
    y = client._links.current
    cluster.blips.add(Y)
    client.status()  # y's channel is retired and replaced while the watch reads from it
    assert not y.channel.closed
    assert next(watch).sequence == 2
    watch.cancel()
    assert y.channel.closed
    client.close()


def test_an_async_watch_on_a_channel_retired_under_it_is_not_cancelled(cluster: Cluster) -> None:
    cluster.streams[Y] = [[event_reply(1), event_reply(2)]]

    async def main() -> None:
        async with AsyncRouterClient(X, tenant="t", timeout=5) as client:
            watch = client.watch_events(after_sequence=0)
            assert (await watch.__anext__()).sequence == 1
            y = client._links.current
            cluster.blips.add(Y)
            await client.status()  # y's channel is retired and replaced while the watch reads from it
            assert not y.channel.closed  # closing it would cancel the stream (asyncio.CancelledError)
            assert (await watch.__anext__()).sequence == 2
            await watch.aclose()  # type: ignore[attr-defined]
            assert y.channel.closed

    asyncio.run(main())


def test_timeout_none_means_no_deadline(cluster: Cluster) -> None:
    with RouterClient(X, timeout=None) as client:
        client.status()
        assert client.timeout is None

    async def main() -> None:
        async with AsyncRouterClient(X, timeout=None) as aclient:
            await aclient.status()

    asyncio.run(main())
    assert cluster.timeouts and set(cluster.timeouts) == {None}


def test_assigning_target_moves_the_client(cluster: Cluster) -> None:
    with RouterClient(X, tenant="t") as client:
        client.target = Y
        assert client.target == Y and client._links.origin == X
        client.status()
        assert cluster.calls[X] == 0 and cluster.calls[Y] == 1


def test_submit_stream_moves_the_client_to_the_owner_for_the_next_stream(cluster: Cluster) -> None:
    contacts = [[cc.Contact("c1", "voice", "sales")]]
    with RouterClient(X, tenant="t") as client:
        with pytest.raises(NotOwner):
            list(client.submit_stream(contacts))  # not sent again: its batches were consumed
        assert client.target == Y
        assert list(client.submit_stream(contacts)) == [[]]
        assert cluster.calls[X] == 1 and cluster.calls[Y] == 1


def test_the_async_submit_stream_moves_the_client_too(cluster: Cluster) -> None:
    async def main() -> None:
        async with AsyncRouterClient(X, tenant="t") as client:
            with pytest.raises(NotOwner):
                async for _ in client.submit_stream([[cc.Contact("c1", "voice", "sales")]]):
                    pass
            assert client.target == Y

    asyncio.run(main())


# -- event watches ------------------------------------------------------------------
def read_sync(cluster: Cluster, resume: bool = True) -> tuple[list[int], BaseException, int]:
    """Sequences a sync watch delivered, the error it raised, its resumptions."""
    seqs: list[int] = []
    with RouterClient(X, tenant="t", timeout=5) as client:
        watch = client.watch_events(after_sequence=0, resume=resume)
        try:
            for record in watch:
                seqs.append(record.sequence)
        except BaseException as exc:  # returned to the test
            return seqs, exc, watch.resumed
    raise AssertionError(f"the watch ended without an error after {seqs}")


def read_async(cluster: Cluster, resume: bool = True) -> tuple[list[int], BaseException, int]:
    """As :func:`read_sync`, with the asyncio client (no resumption count: -1)."""
    seqs: list[int] = []

    async def main() -> BaseException:
        async with AsyncRouterClient(X, tenant="t", timeout=5) as client:
            try:
                record: EventRecord
                async for record in client.watch_events(after_sequence=0, resume=resume):
                    seqs.append(record.sequence)
            except BaseException as exc:  # returned to the test
                return exc
        raise AssertionError(f"the watch ended without an error after {seqs}")

    return seqs, asyncio.run(main()), -1


@pytest.mark.parametrize("read", [read_sync, read_async])
def test_a_watch_whose_tenant_no_server_takes_up_raises_stream_ended(cluster: Cluster, read: object,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(r, "NO_OWNER_TRIES", 4)
    cluster.streams[Y] = [[event_reply(1), event_reply(2), stream_ended(2)]]
    # y gives the tenant up as that stream ends (x refused first, then y served it); nobody takes it.
    cluster.after_watch = lambda n: cluster.takeover(None) if n == 2 else None
    seqs, err, _ = read(cluster)  # type: ignore[operator]
    assert seqs == [1, 2]
    assert type(err) is StreamEnded and err.resume_after == 2  # not the NotOwner of the last refusal
    assert isinstance(err.__cause__, NotOwner)


@pytest.mark.parametrize("read", [read_sync, read_async])
@pytest.mark.parametrize("end", [stream_ended(1), lagged(1), cancelled()], ids=["ended", "lagged", "cancelled"])
def test_a_watch_without_resume_never_resumes(cluster: Cluster, read: object, end: object) -> None:
    cluster.streams[Y] = [[event_reply(1), end], [event_reply(2)]]  # type: ignore[list-item]
    seqs, err, resumed = read(cluster, resume=False)  # type: ignore[operator]
    assert seqs == [1] and resumed in (0, -1)
    assert isinstance(err, (StreamEnded, SubscriberLagged, ServiceError))
    assert [t for t, _ in cluster.watches] == [X, Y]  # redirected once, never opened again


@pytest.mark.parametrize("read", [read_sync, read_async])
@pytest.mark.parametrize("end", [stream_ended(1), lagged(1), cancelled()], ids=["ended", "lagged", "cancelled"])
def test_a_watch_resumes_after_its_end_a_cut_off_or_a_cancellation_it_did_not_cause(
        cluster: Cluster, read: object, end: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(r, "NO_OWNER_TRIES", 4)
    cluster.streams[Y] = [[event_reply(1), end], [event_reply(2), stream_ended(2)]]  # type: ignore[list-item]
    cluster.after_watch = lambda n: cluster.takeover(None) if n == 3 else None  # nobody after y's second stream
    seqs, err, resumed = read(cluster)  # type: ignore[operator]
    assert seqs == [1, 2] and isinstance(err, StreamEnded)
    assert cluster.watches[:3] == [(X, 0), (Y, 0), (Y, 1)]  # resumed after the last event delivered
    assert resumed in (2, -1)


def test_a_refusal_however_slow_does_not_give_a_watch_a_fresh_budget(cluster: Cluster,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(r, "NO_OWNER_TRIES", 3)
    cluster.takeover(None)  # nobody owns the tenant, and every refusal takes longer than STREAM_SETTLED
    cluster.stream_delay = r.STREAM_SETTLED * 1.5
    seqs, err, _ = read_sync(cluster)
    assert seqs == [] and isinstance(err, NotOwner)
    assert len(cluster.watches) == 4  # the first refusal and three waits: the budget was never reset
