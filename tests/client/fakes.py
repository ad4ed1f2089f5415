"""A fake scale-out cluster for the client tests: stubs that answer as
``ccroute serve --redis URL --advertise HOST:PORT`` servers would (the
owner answers, another server refuses with ``NotOwner`` naming whom it
believes owns the tenant, a dead one refuses the connection), plugged
into ``RouterClient`` and ``AsyncRouterClient`` in place of gRPC channels,
so that the redirect paths run in milliseconds with no server."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Optional, Union

import grpc
import pytest

import ccroute as cc
from ccroute.client import AsyncRouterClient, RouterClient
from ccroute.client import _common as c
from ccroute.server import wire
from ccroute.server.errors import ERROR_KEY, OWNER_KEY, RESUME_KEY
from ccroute.server.events import EventRecord
from ccroute.v1 import router_pb2 as pb

__all__ = ["FakeError", "Cluster", "refused", "reset", "not_owner", "stream_ended", "cancelled", "lagged",
           "event_reply", "use_cluster"]


class FakeError(grpc.RpcError):
    """A failed call as grpc raises it."""

    def __init__(self, code: grpc.StatusCode, details: str, metadata: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(details)
        self._code, self._details, self._metadata = code, details, metadata

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


def refused() -> FakeError:
    return FakeError(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")


def reset() -> FakeError:
    return FakeError(grpc.StatusCode.UNAVAILABLE, "Connection reset by peer")


def not_owner(owner: Optional[str]) -> FakeError:
    md = ((ERROR_KEY, "NotOwner"),) + (((OWNER_KEY, owner),) if owner else ())
    return FakeError(grpc.StatusCode.UNAVAILABLE, f"served by {owner or 'nobody'}", md)


def stream_ended(resume_after: int) -> FakeError:
    return FakeError(grpc.StatusCode.UNAVAILABLE, "tenant given up",
                     ((ERROR_KEY, "StreamEnded"), (RESUME_KEY, str(resume_after))))


def lagged(resume_after: int) -> FakeError:
    return FakeError(grpc.StatusCode.ABORTED, "fell behind",
                     ((ERROR_KEY, "SubscriberLagged"), (RESUME_KEY, str(resume_after))))


def cancelled() -> FakeError:
    return FakeError(grpc.StatusCode.CANCELLED, "Cancelled by a proxy")


def _an_event() -> Any:
    router = cc.Router([cc.Channel("voice")], [cc.Queue("sales")])
    router.add_agent(cc.Agent("a1"), 0.0)
    router.set_agent_state("a1", "available", 0.0)
    return router.submit(cc.Contact("c1", "voice", "sales"), 0.0)[0]


_EVENT = _an_event()


def event_reply(sequence: int) -> pb.WatchEventsResponse:
    """A WatchEvents reply carrying one event, numbered ``sequence``."""
    return pb.WatchEventsResponse(events=wire.events_to_pb([EventRecord(sequence, _EVENT)]), history_id="h")


#: What an owner's stream does, item by item: yield a reply, or raise an error.
Script = list[Union[pb.WatchEventsResponse, FakeError]]


class FakeStream:
    """A streaming call: its script, then the end (``StopIteration``)."""

    def __init__(self, items: Script, delay: float = 0.0) -> None:
        self._items = list(items)
        self._delay = delay
        self.cancelled = False

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self.cancelled:
            raise FakeError(grpc.StatusCode.CANCELLED, "Locally cancelled by application!")
        if not self._items:
            raise StopIteration
        if self._delay:
            time.sleep(self._delay)
        item = self._items.pop(0)
        if isinstance(item, FakeError):
            raise item
        return item

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        try:
            return self.__next__()
        except StopIteration:
            raise StopAsyncIteration from None

    def cancel(self) -> bool:
        self.cancelled = True
        return True


class Cluster:
    """Servers by address. ``owner`` answers every call for the tenant;
    any other server that is ``up`` refuses it naming ``named`` (what its
    Redis says: the owner, a dead owner whose lease runs, or nobody); one
    not up refuses the connection. ``blips``: servers whose next call
    fails once (a connection reset). ``streams[target]``: the scripts of
    the next WatchEvents streams its owner serves (then streams that end
    at once); ``after_watch(n)`` is called once the n-th WatchEvents
    call is answered; ``stream_delay``: seconds every stream item, a
    refusal too, takes. Thread-safe; counts every call per server in
    ``calls``."""

    def __init__(self, up: list[str], owner: Optional[str]) -> None:
        self.lock = threading.Lock()
        self.up = set(up)
        self.owner = owner
        self.named = owner
        self.blips: set[str] = set()
        self.streams: dict[str, list[Script]] = {}
        self.calls: Counter[str] = Counter()
        self.watches: list[tuple[str, Optional[int]]] = []
        self.after_watch: Callable[[int], None] = lambda n: None
        self.stream_delay = 0.0
        self.timeouts: list[Optional[float]] = []
        self.channels: list[FakeChannel] = []

    def takeover(self, owner: Optional[str]) -> None:
        """``owner`` (``None``: nobody) owns the tenant now, and every server says so."""
        with self.lock:
            if owner is not None:
                self.up.add(owner)
            self.owner = self.named = owner

    def _check(self, target: str) -> None:
        """Raise as ``target`` would refuse a call for the tenant."""
        with self.lock:
            self.calls[target] += 1
            if target not in self.up:
                raise refused()
            if target in self.blips:
                self.blips.discard(target)
                raise reset()
            if target != self.owner:
                raise not_owner(self.named)

    def unary(self, target: str, rpc: str, timeout: Optional[float]) -> Any:
        self.timeouts.append(timeout)
        self._check(target)
        return getattr(pb, f"{rpc}Response", pb.GetStatusResponse)()

    def watch(self, target: str, request: pb.WatchEventsRequest) -> FakeStream:
        after = request.after_sequence if request.HasField("after_sequence") else None
        self.watches.append((target, after))
        try:
            self._check(target)
        except FakeError as exc:
            stream = FakeStream([exc], self.stream_delay)
        else:
            with self.lock:
                scripts = self.streams.get(target) or []
                stream = FakeStream(scripts.pop(0) if scripts else [], self.stream_delay)
        self.after_watch(len(self.watches))
        return stream

    def submit_stream(self, target: str, requests: Iterator[Any]) -> FakeStream:
        try:
            self._check(target)
        except FakeError as exc:
            return FakeStream([exc])
        return FakeStream([pb.SubmitContactsResponse() for _ in requests])  # type: ignore[misc]


class FakeChannel:
    """A channel that only records its closing."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakeAioChannel(FakeChannel):
    async def close(self) -> None:  # type: ignore[override]
        self.closed = True


class FakeStub:
    """A ``RouterStub`` over the cluster, for one server."""

    def __init__(self, cluster: Cluster, target: str) -> None:
        self._cluster, self._target = cluster, target

    def WatchEvents(self, request: Any, metadata: Any = ()) -> FakeStream:
        return self._cluster.watch(self._target, request)

    def StreamContacts(self, requests: Any, metadata: Any = ()) -> FakeStream:
        return self._cluster.submit_stream(self._target, requests)

    def __getattr__(self, rpc: str) -> Any:
        def call(request: Any, timeout: Optional[float] = None, metadata: Any = ()) -> Any:
            return self._cluster.unary(self._target, rpc, timeout)
        return call


class FakeAioStub(FakeStub):
    def __getattr__(self, rpc: str) -> Any:
        async def call(request: Any, timeout: Optional[float] = None, metadata: Any = ()) -> Any:
            return self._cluster.unary(self._target, rpc, timeout)
        return call


def use_cluster(monkeypatch: pytest.MonkeyPatch, cluster: Cluster) -> None:
    """Clients made from now on talk to ``cluster`` instead of opening channels."""

    def open_sync(self: RouterClient, target: str) -> c.Link:
        channel = FakeChannel(target)
        cluster.channels.append(channel)
        return c.Link(target, channel, FakeStub(cluster, target))

    def open_aio(self: AsyncRouterClient, target: str) -> c.Link:
        channel = FakeAioChannel(target)
        cluster.channels.append(channel)
        return c.Link(target, channel, FakeAioStub(cluster, target))

    monkeypatch.setattr(RouterClient, "_open", open_sync)
    monkeypatch.setattr(AsyncRouterClient, "_open", open_aio)
