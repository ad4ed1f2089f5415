"""Event sequences belong to a history with an identity: a resume from
another history or from beyond the last event is refused (OUT_OF_RANGE,
naming both) instead of being served as "from now", and a stream ended by
a shutdown names its resume point in the ``ccroute-resume-after`` trailer."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

import ccroute as cc
from ccroute.client import HistoryGap, ServiceUnavailable
from ccroute.server.errors import HistoryChanged, StreamEnded
from ccroute.v1 import router_pb2, router_pb2_grpc

from .conftest import Running

Start = Callable[..., Running]


def busy(srv: Running) -> int:
    """Some events; the last sequence."""
    client = srv.client()
    client.add_agent(cc.Agent("a1", channels={"chat": 4}))
    for i in range(4):
        client.submit(cc.Contact(f"c{i}", "chat", "support"))
    return client.status().last_sequence


def test_a_resume_point_beyond_the_last_event_is_refused(start_server: Start) -> None:
    srv = start_server()
    last = busy(srv)
    client = srv.client()
    watch = client.watch_events(after_sequence=last + 609)
    with pytest.raises(HistoryGap) as err:
        next(watch)
    status = client.status()
    assert f"after sequence {last + 609}" in str(err.value)
    assert f"last event of history {status.history_id!r} is sequence {last}" in str(err.value)
    raw = router_pb2_grpc.RouterStub(grpc.insecure_channel(srv.target))
    with pytest.raises(grpc.RpcError) as rpc:
        next(iter(raw.WatchEvents(router_pb2.WatchEventsRequest(after_sequence=last + 609))))
    assert rpc.value.code() == grpc.StatusCode.OUT_OF_RANGE


def test_a_resume_in_another_history_is_refused_naming_both(start_server: Start) -> None:
    first = start_server()
    busy(first)
    old = first.client().status()
    assert old.history_id
    watch = first.client().watch_events(after_sequence=old.last_sequence - 2)
    seen = [next(watch), next(watch)]
    assert watch.history_id == old.history_id  # carried by every response
    watch.cancel()
    first.server.stop(grace=0)
    # An in-memory restart: a new history, whose sequences are other events.
    second = start_server()
    busy(second)
    busy_more = second.client()
    busy_more.submit(cc.Contact("more", "chat", "support"))
    new = busy_more.status()
    assert new.history_id != old.history_id
    assert new.last_sequence >= seen[-1].sequence  # a plain number check would pass
    resumed = busy_more.watch_events(after_sequence=seen[-1].sequence, history_id=old.history_id)
    with pytest.raises(HistoryChanged) as err:
        next(resumed)
    assert old.history_id in str(err.value) and new.history_id in str(err.value)
    # The same history resumes as before.
    same = busy_more.watch_events(after_sequence=new.last_sequence - 1, history_id=new.history_id)
    assert next(same).sequence == new.last_sequence
    same.cancel()


def test_shutdown_names_the_resume_point_in_the_trailer(start_server: Start) -> None:
    srv = start_server()
    last = busy(srv)
    raw = router_pb2_grpc.RouterStub(grpc.insecure_channel(srv.target))
    call = raw.WatchEvents(router_pb2.WatchEventsRequest(after_sequence=0))
    got = next(call)
    assert got.events[-1].sequence == last and got.history_id
    srv.server.stop(grace=2.0)
    with pytest.raises(grpc.RpcError) as rpc:
        for _ in call:
            pass
    assert rpc.value.code() == grpc.StatusCode.UNAVAILABLE
    trailer = dict(rpc.value.trailing_metadata())
    assert trailer["ccroute-resume-after"] == str(last)
    assert f"after_sequence={last}" in rpc.value.details()


def test_the_client_raises_the_resume_point_on_shutdown(start_server: Start) -> None:
    srv = start_server()
    last = busy(srv)
    watch = srv.client().watch_events(after_sequence=0)
    assert [next(watch).sequence for _ in range(last)][-1] == last
    srv.server.stop(grace=2.0)
    with pytest.raises(ServiceUnavailable) as err:
        next(watch)
    assert isinstance(err.value, StreamEnded) and err.value.resume_after == last
