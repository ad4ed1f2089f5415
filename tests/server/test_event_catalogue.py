"""The event stream is a complete record: a contact entering its queue and
every change to an agent (with reason codes) have events, and every event
carries the server's wall-clock time beside the router time."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc

import ccroute as cc
from ccroute.v1 import model_pb2, router_pb2, router_pb2_grpc

from .conftest import Running

Start = Callable[..., Running]


def test_the_stream_records_queues_agents_and_wall_time(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    before = time.time()
    client.add_agent(cc.Agent("a1", skills={"en": 5}, channels={"chat": 1}))
    client.submit(cc.Contact("c1", "chat", "support", priority=3))
    assert client.submit(cc.Contact("c2", "chat", "sales")) == []  # the reply is the router's: c2 waits
    client.set_agent_state("a1", "away", reason="lunch")
    client.upsert_agent(cc.Agent("a1", skills={"en": 7}), fields=["skills"])
    client.cancel("c2")
    client.complete("c1")
    client.remove_agent("a1")
    raw = router_pb2_grpc.RouterStub(grpc.insecure_channel(srv.target))
    events = []
    for reply in raw.WatchEvents(router_pb2.WatchEventsRequest(after_sequence=0)):
        events.extend(reply.events)
        if events[-1].HasField("agent_removed"):
            break
    kinds = [e.WhichOneof("kind") for e in events]
    assert kinds == ["agent_added", "queued", "assigned", "queued", "agent_state_changed", "agent_updated",
                     "abandoned", "completed", "agent_removed"]
    assert events[0].agent_added.state == model_pb2.AGENT_STATE_AVAILABLE
    q = events[1].queued
    assert (q.contact, q.queue, q.channel, q.priority) == ("c1", "support", "chat", 3)
    changed = events[4].agent_state_changed
    assert (changed.agent, changed.state, changed.previous, changed.reason) == (
        "a1", model_pb2.AGENT_STATE_AWAY, model_pb2.AGENT_STATE_AVAILABLE, "lunch")
    assert events[8].agent_removed.agent == "a1"
    assert [e.sequence for e in events] == list(range(1, 10))
    for e in events:
        assert before - 1 <= e.wall_time <= time.time() + 1, e
    # The Python client reads them too.
    watch = client.watch_events(after_sequence=0)
    first = [next(watch) for _ in range(2)]
    watch.cancel()
    assert [r.event.kind for r in first] == ["AgentAdded", "Queued"]  # type: ignore[union-attr]
    assert first[0].wall == events[0].wall_time


def test_a_configuration_change_is_an_event(start_server: Start) -> None:
    from .conftest import CHAT, VOICE

    srv = start_server()
    client = srv.client()
    client.configure([VOICE, CHAT], [cc.Queue("sales")], policy="round_robin")
    watch = client.watch_events(after_sequence=0)
    first = next(watch)
    watch.cancel()
    assert first.event.kind == "ConfigChanged"  # type: ignore[union-attr]
    assert first.event.settings.policy == "round_robin"  # type: ignore[union-attr]
