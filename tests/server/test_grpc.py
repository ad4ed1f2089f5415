"""The gRPC server and RouterClient against real servers on loopback ports."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

import ccroute as cc
from ccroute.client import (
    AsyncRouterClient,
    HistoryGap,
    IdempotencyConflict,
    RouterClient,
    ServiceUnavailable,
    Unauthenticated,
)
from ccroute.server import ServiceLimits
from ccroute.server.catalogue import ServiceEvent
from ccroute.v1 import model_pb2, router_pb2, router_pb2_grpc

from .conftest import Running, settings
from .test_service import SlowLog, wait_until

Start = Callable[..., Running]


def test_full_lifecycle_from_two_clients_at_once(start_server: Start) -> None:
    srv = start_server(settings(offer_timeout=30.0))
    agents_side, contacts_side = srv.client(), srv.client()
    watch = srv.client().watch_events(after_sequence=0)
    received: list[cc.Event] = []
    reader = threading.Thread(target=lambda: received.extend(r.event for r, _ in zip(watch, range(52), strict=False)))
    reader.start()
    errors: list[BaseException] = []

    def agents() -> None:
        try:
            for i in range(10):
                agents_side.add_agent(cc.Agent(f"a{i}", skills={"en": 5}))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def contacts() -> None:
        try:
            for i in range(10):
                contacts_side.submit(cc.Contact(f"c{i}", "voice", "support", requires={"en": 3}))
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=agents), threading.Thread(target=contacts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Every contact was offered to exactly one agent; accept them all.
    offered = {}
    for i in range(10):
        view = contacts_side.contact(f"c{i}")
        assert view.status == "offered"
        offered[view.id] = view.agent
    assert sorted(offered.values()) == sorted(f"a{i}" for i in range(10))
    for c, a in offered.items():
        assert agents_side.accept(c, a)[0] == cc.Assigned(contact=c, agent=a, at=0.0, wait=0.0)
    for c in offered:
        agents_side.complete(c)
    stats = contacts_side.stats()["support"]
    assert (stats.offered, stats.answered, stats.completed, stats.waiting) == (10, 10, 10, 0)
    assert contacts_side.agents_by_state() == {"offline": 0, "available": 10, "away": 0, "busy": 0, "idle": 10}
    agents_side.set_agent_state("a0", "away")
    agents_side.remove_agent("a0")
    assert "a0" not in agents_side.agent_ids()
    reader.join(timeout=10)
    watch.cancel()
    names = [type(e).__name__ for e in received]
    for kind in ("AgentAdded", "Queued", "Offered", "Assigned", "Completed"):
        assert names.count(kind) == 10, kind
    assert names[-2:] == ["AgentStateChanged", "AgentRemoved"] and len(received) == 52


def test_views_status_and_timers_through_the_client(start_server: Start) -> None:
    srv = start_server(settings(offer_timeout=5.0))
    client = srv.client()
    client.add_agent(cc.Agent("a1", skills={"fr": 4}, attributes={"team": "blue", "senior": True}))
    client.submit(cc.Contact("c1", "voice", "sales", priority=2, requires={"fr": 2}, attributes={"vip": 1.5}))
    agent = client.agent("a1")
    assert (agent.state, agent.contacts, agent.attributes) == ("available", ["c1"], {"team": "blue", "senior": True})
    contact = client.contact("c1")
    assert (contact.status, contact.agent, contact.priority, contact.attributes) == ("offered", "a1", 2, {"vip": 1.5})
    assert client.next_timer() == 5.0 and client.policy == "longest_idle"
    assert srv.clock is not None
    srv.clock.advance(5.0)
    # The missed offer moves a1 away; NotResponding comes through the wire whole.
    events = client.advance()
    assert [type(e).__name__ for e in events] == ["OfferExpired", "NotResponding"]
    assert events[1] == cc.NotResponding(contact="c1", agent="a1", state="away", at=5.0)
    assert client.waiting("sales") == ["c1"] and client.stats()["sales"].missed_offers == 1
    status = client.status()
    assert (status.now, status.live_contacts, status.last_sequence) == (5.0, 1, 5)  # added, queued, offered, expired, not responding
    assert client.config().queues[0].max_waiting == 3


def test_every_error_maps_to_its_status_and_class(start_server: Start) -> None:
    srv = start_server(limits=ServiceLimits(max_batch=5, max_message_bytes=4096, history=10))
    client = srv.client()
    channel = grpc.insecure_channel(srv.target)
    stub = router_pb2_grpc.RouterStub(channel)
    client.add_agent(cc.Agent("a1", channels={"voice": 0, "chat": 0}))  # takes nothing

    def code_of(fn: Callable[[], object]) -> tuple[grpc.StatusCode, str, dict[str, str]]:
        with pytest.raises(grpc.RpcError) as info:
            fn()
        err = info.value
        return err.code(), err.details(), dict(err.trailing_metadata() or ())  # type: ignore[attr-defined]

    code, msg, md = code_of(lambda: stub.GetAgent(router_pb2.GetAgentRequest(agent_id="ghost")))
    assert (code, md["ccroute-error"]) == (grpc.StatusCode.NOT_FOUND, "UnknownId") and "ghost" in msg
    code, msg, md = code_of(lambda: stub.UpsertAgent(router_pb2.UpsertAgentRequest(
        agent=model_pb2.Agent(id="a1"), create_only=True)))
    assert (code, md["ccroute-error"]) == (grpc.StatusCode.ALREADY_EXISTS, "DuplicateId") and "a1" in msg
    code, msg, _ = code_of(lambda: stub.SubmitContact(router_pb2.SubmitContactRequest(
        contact=model_pb2.Contact(id="c1", channel="voice", queue="sales", requires={"x": 11}))))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "level 11" in msg
    code, msg, _ = code_of(lambda: stub.SetAgentState(router_pb2.SetAgentStateRequest(agent_id="a1")))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "AGENT_STATE_UNSPECIFIED" in msg
    code, msg, _ = code_of(lambda: stub.GetQueueStats(router_pb2.GetQueueStatsRequest(queues=["nope"])))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "'nope'" in msg
    code, msg, _ = code_of(lambda: stub.SubmitContacts(router_pb2.SubmitContactsRequest(
        contacts=[model_pb2.Contact(id=f"b{i}", channel="chat", queue="support") for i in range(6)])))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "batch of 6 contacts" in msg
    for i in range(3):
        client.submit(cc.Contact(f"w{i}", "voice", "sales"))
    code, msg, md = code_of(lambda: stub.SubmitContact(router_pb2.SubmitContactRequest(
        contact=model_pb2.Contact(id="w3", channel="voice", queue="sales"))))
    assert (code, md["ccroute-error"]) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "QueueFull") and "'w3'" in msg.replace('"', "'")
    code, msg, md = code_of(lambda: stub.CompleteContact(router_pb2.CompleteContactRequest(contact_id="w0")))
    assert (code, md["ccroute-error"]) == (grpc.StatusCode.FAILED_PRECONDITION, "InvalidState") and "w0" in msg
    code, msg, _ = code_of(lambda: stub.SubmitContacts(router_pb2.SubmitContactsRequest(
        contacts=[model_pb2.Contact(id="big", channel="chat", queue="support", customer="x" * 5000)])))
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED  # message size limit
    for i in range(12):  # 12 events: sequence 1 leaves the 10-event history
        client.submit_many([cc.Contact(f"h{i}", "chat", "support")])
        client.cancel(f"h{i}")
    code, msg, md = code_of(lambda: next(iter(stub.WatchEvents(router_pb2.WatchEventsRequest(after_sequence=0)))))
    assert (code, md["ccroute-error"]) == (grpc.StatusCode.OUT_OF_RANGE, "HistoryGap") and "sequence 0" in msg
    # The client raises the same classes as the embedded router.
    with pytest.raises(cc.UnknownId):
        client.agent("ghost")
    with pytest.raises(cc.DuplicateId):
        client.add_agent(cc.Agent("a1"))
    with pytest.raises(cc.InvalidInput):
        client.submit(cc.Contact("x", "fax", "sales"))
    with pytest.raises(cc.QueueFull):
        client.submit(cc.Contact("w3", "voice", "sales"))
    with pytest.raises(cc.InvalidState):
        client.complete("w0")
    with pytest.raises(IdempotencyConflict):
        client.submit(cc.Contact("k1", "chat", "support"), idempotency_key="same")
        client.submit(cc.Contact("k2", "chat", "support"), idempotency_key="same")
    with pytest.raises(HistoryGap):
        next(iter(client.watch_events(after_sequence=0)))
    channel.close()


def test_submit_retry_with_the_same_key_never_creates_a_second_contact(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1"))
    first = client.submit(cc.Contact("c1", "voice", "sales"), idempotency_key="retry-1")
    again = client.submit(cc.Contact("c1", "voice", "sales"), idempotency_key="retry-1")
    assert first == again
    assert client.stats()["sales"].offered == 1
    batch = [cc.Contact(f"b{i}", "chat", "support") for i in range(3)]
    assert client.submit_many(batch, idempotency_key="retry-2") == client.submit_many(batch, idempotency_key="retry-2")
    assert client.stats()["support"].offered == 3


def test_event_stream_resumes_after_a_reconnect(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1", channels={"chat": 4}))
    watch = client.watch_events()
    client.submit(cc.Contact("c0", "chat", "support"))
    assert next(watch).event.kind == "Queued"  # type: ignore[union-attr]
    first = next(watch)
    watch.cancel()  # disconnect
    for i in range(1, 4):
        client.submit(cc.Contact(f"c{i}", "chat", "support"))
    resumed = client.watch_events(after_sequence=first.sequence)
    got = [next(resumed) for _ in range(6)]
    resumed.cancel()
    assert [r.sequence for r in got] == list(range(first.sequence + 1, first.sequence + 7))
    assert [r.event.contact for r in got] == ["c1", "c1", "c2", "c2", "c3", "c3"]  # type: ignore[union-attr]


def test_slow_subscriber_is_told_and_the_client_resumes(start_server: Start) -> None:
    srv = start_server(limits=ServiceLimits(subscriber_buffer=20, history=10_000))
    client = srv.client()
    client.add_agent(cc.Agent("a1", capacity=10**6, channels={"chat": 10**6}))
    channel = grpc.insecure_channel(srv.target)
    raw = router_pb2_grpc.RouterStub(channel)
    stream = raw.WatchEvents(router_pb2.WatchEventsRequest(after_sequence=0))
    auto = client.watch_events()
    first = next(iter(client.submit_stream([[cc.Contact("c0", "chat", "support")]])))
    assert len(first) == 1 and next(auto).sequence == 2  # after AgentAdded: Queued, then Assigned
    for b in range(10):  # routing never waits for the readers
        client.submit_many([cc.Contact(f"c{b}-{i}", "chat", "support") for i in range(50)])
    seen = []
    with pytest.raises(grpc.RpcError) as info:
        for reply in stream:
            seen.extend(e.sequence for e in reply.events)
    md = dict(info.value.trailing_metadata())  # type: ignore[attr-defined]
    assert info.value.code() == grpc.StatusCode.ABORTED  # type: ignore[attr-defined]
    assert md["ccroute-error"] == "SubscriberLagged" and int(md["ccroute-resume-after"]) == seen[-1]
    assert seen == list(range(1, len(seen) + 1)) and len(seen) < 1001
    # The client resumes on its own: every event, in order, none twice.
    rest = [next(auto).sequence for _ in range(1001)]
    assert rest == list(range(3, 1004)) and auto.resumed >= 1
    auto.cancel()
    channel.close()


def test_stream_contacts_answers_each_batch_in_order(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1", capacity=10**6, channels={"chat": 10**6}))
    batches = [[cc.Contact(f"s{b}-{i}", "chat", "support") for i in range(100)] for b in range(5)]
    replies = list(client.submit_stream(batches))
    assert [len(r) for r in replies] == [100] * 5
    assert [e.contact for e in replies[3]][:2] == ["s3-0", "s3-1"]  # type: ignore[union-attr]
    bad = [[cc.Contact("t0", "chat", "support")], [cc.Contact("t1", "fax", "support")],
           [cc.Contact("t2", "chat", "support")]]
    out = []
    with pytest.raises(cc.InvalidInput, match="fax"):
        for r in client.submit_stream(bad):
            out.append(r)
    assert len(out) == 1
    with pytest.raises(cc.UnknownId):
        client.contact("t2")  # the batches after the failed one never ran


def test_auth_on_and_off(start_server: Start) -> None:
    open_srv = start_server()
    assert open_srv.client().status().live_contacts == 0
    srv = start_server(tokens=[b"old-token", b"s3cret"])
    with pytest.raises(Unauthenticated, match="missing"):
        srv.client().status()
    with pytest.raises(Unauthenticated, match="invalid bearer token"):
        srv.client(token="wrong").status()
    assert srv.client(token="s3cret").status().live_contacts == 0
    assert srv.client(token="old-token").agent_ids() == []
    with pytest.raises(Unauthenticated):
        next(iter(srv.client(token="nope").watch_events()))
    # Health checks need no token; reflection does.
    with grpc.insecure_channel(srv.target) as ch:
        reply = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service="ccroute.v1.Router"))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        refl = reflection_pb2_grpc.ServerReflectionStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            list(refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]


def test_reflection_lists_the_services(start_server: Start) -> None:
    srv = start_server()
    with grpc.insecure_channel(srv.target) as ch:
        refl = reflection_pb2_grpc.ServerReflectionStub(ch)
        replies = list(refl.ServerReflectionInfo(iter([
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="ccroute.v1.Router"),
        ])))
        names = {s.name for s in replies[0].list_services_response.service}
        assert {"ccroute.v1.Router", "grpc.health.v1.Health"} <= names
        assert replies[1].file_descriptor_response.file_descriptor_proto


def test_tls_with_a_self_signed_certificate(start_server: Start, self_signed: tuple[bytes, bytes]) -> None:
    srv = start_server(tls=self_signed, tokens=[b"t"])
    client = srv.client(token="t")
    client.add_agent(cc.Agent("a1"))
    assert client.agent_ids() == ["a1"]
    plain = RouterClient(srv.target, token="t", timeout=2.0, retries=0)
    try:
        with pytest.raises(ServiceUnavailable):
            plain.status()
    finally:
        plain.close()


def test_graceful_stop_drains_calls_in_flight(start_server: Start) -> None:
    log = SlowLog(delay=0.2)
    srv = start_server(command_log=log)
    client = srv.client()
    watch = client.watch_events()
    results: list[object] = []

    def call(i: int) -> None:
        try:
            results.append(client.add_agent(cc.Agent(f"a{i}")))
        except Exception as exc:  # pragma: no cover - reported by the assert
            results.append(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    # wait until all four are in the engine: in the slow log or queued behind it
    wait_until(lambda: log.entering + len(srv.service._inbox) == 4)
    t0 = time.monotonic()
    srv.server.stop(grace=5.0)
    for t in threads:
        t.join()
    assert results == [[], [], [], []]
    assert len(log.entries) == 4 and time.monotonic() - t0 < 4.0
    with pytest.raises(ServiceUnavailable):
        next(watch)  # the event stream ended, naming where to resume
    late = RouterClient(srv.target, timeout=1.0, retries=0)
    try:
        with pytest.raises(ServiceUnavailable):
            late.status()
    finally:
        late.close()


def test_async_client_mirrors_the_sync_one(start_server: Start) -> None:
    srv = start_server()

    async def scenario() -> list[str]:
        async with AsyncRouterClient(srv.target) as client:
            events: list[str] = []

            async def watch() -> None:
                async for record in client.watch_events(after_sequence=0):
                    if isinstance(record.event, ServiceEvent.__args__):  # type: ignore[attr-defined]
                        continue  # the routing events only
                    events.append(type(record.event).__name__)
                    if len(events) == 3:
                        return

            watcher = asyncio.ensure_future(watch())
            await client.add_agent(cc.Agent("a1"))
            assert [type(e).__name__ for e in await client.submit(cc.Contact("c1", "voice", "sales"))] == ["Assigned"]
            await client.submit_many([cc.Contact("c2", "voice", "sales")])
            replies = [r async for r in client.submit_stream([[cc.Contact("c3", "chat", "support")]])]
            assert len(replies) == 1
            await client.complete("c1")
            with pytest.raises(cc.UnknownId):
                await client.agent("ghost")
            assert (await client.stats())["sales"].answered == 2
            assert (await client.agent("a1")).handled == 1
            assert (await client.contact("c2")).status == "assigned"
            assert await client.agent_ids() == ["a1"]
            assert (await client.status()).live_contacts == 2
            await asyncio.wait_for(watcher, 5)
            return events

    assert asyncio.run(scenario()) == ["Assigned", "Completed", "Assigned"]


def test_configure_over_the_wire(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    new = client.configure([cc.Channel("video", cost=50, max_per_agent=2)], [cc.Queue("vip", sl_threshold=5.0)],
                           policy="most_skilled", offer_timeout=12.0)
    assert (new.policy, new.offer_timeout, new.queues[0].sl_threshold) == ("most_skilled", 12.0, 5.0)
    assert client.config().channels[0].name == "video"
    client.add_agent(cc.Agent("a1"))
    client.submit(cc.Contact("c1", "video", "vip"))
    # The router keeps running: a held channel stays, a removed queue's
    # contacts go where the call says, and a refused change changes nothing.
    with pytest.raises(cc.InvalidInput, match='channel "video" cannot be removed'):
        client.configure([cc.Channel("voice")], [cc.Queue("vip")])
    with pytest.raises(cc.InvalidInput, match='queue "vip" cannot be removed: it holds 0 waiting and 1'):
        client.configure(new.channels, [cc.Queue("q")])
    moved = client.configure(new.channels, [cc.Queue("q", ordering="lifo")], moves={"vip": "q"})
    assert [q.name for q in moved.queues] == ["q"]
    assert (client.contact("c1").queue, client.contact("c1").status) == ("q", "offered")
    assert client.stats()["q"].offering == 1  # the offer made before keeps its deadline


def test_client_retry_after_a_timeout_creates_one_contact(start_server: Start) -> None:
    srv = start_server(command_log=SlowLog(delay=0.4))
    client = srv.client(timeout=0.3, retries=5)
    events = client.submit(cc.Contact("c1", "chat", "support"))  # first try times out, a retry replays
    assert events == []
    patient = srv.client(timeout=5.0)
    assert patient.stats()["support"].offered == 1
    assert patient.waiting("support") == ["c1"]


def test_a_deadline_cancelled_by_the_server_is_a_retryable_timeout() -> None:
    # The server side can end a call whose deadline passed with CANCELLED
    # "Timeout expired" before the client sees DEADLINE_EXCEEDED: the
    # client must read both as ServiceTimeout, which it retries.
    from ccroute.client._common import RETRYABLE, to_error
    from ccroute.server.errors import ServiceTimeout

    class Cancelled(grpc.RpcError):
        def code(self) -> grpc.StatusCode:
            return grpc.StatusCode.CANCELLED

        def details(self) -> str:
            return "Timeout expired"

        def trailing_metadata(self) -> tuple:
            return ()

    err = to_error(Cancelled())
    assert isinstance(err, ServiceTimeout) and isinstance(err, RETRYABLE)


def test_routing_events_on_the_stream_name_queue_and_channel(start_server: Start) -> None:
    srv = start_server(settings())
    client = srv.client()
    client.add_agent(cc.Agent("a1"))
    client.submit(cc.Contact("c1", "chat", "support"))
    client.complete("c1")
    watch = client.watch_events(after_sequence=0)
    routed = []
    for record in watch:
        if record.event.kind in ("Assigned", "Completed"):
            routed.append(record.event)
        if record.event.kind == "Completed":
            break
    watch.cancel()
    assert [(e.kind, e.queue, e.channel) for e in routed] == [
        ("Assigned", "support", "chat"),
        ("Completed", "support", "chat"),
    ]


def test_explain_contact_through_the_client_matches_the_embedded_router(start_server: Start) -> None:
    srv = start_server(settings())
    client = srv.client()
    client.add_agent(cc.Agent("a1", skills={"en": 2}))
    client.add_agent(cc.Agent("a2", skills={"en": 9}, state="away"))
    client.submit(cc.Contact("c1", "voice", "support", requires={"en": 5}, steps=[cc.Step(40.0, {})]))
    why = client.explain("c1")
    assert (why.status, why.position, why.queue_waiting, why.requires, why.eligible) == (
        "waiting", 1, 1, {"en": 5}, 0)
    assert why.ineligible == {"reserved": 0, "state": 1, "routing_profile": 0, "profile_delay": 0, "skills": 1,
                              "selector": 0, "channel": 0, "capacity": 0, "excluded": 0}
    assert why.next_timer is not None and why.next_timer["what"] == "step 0"
    embedded = srv.service.query(lambda e: e.router.explain("c1").to_dict())
    assert why.to_dict() == embedded
    with pytest.raises(cc.UnknownId):
        client.explain("nobody")


def test_update_contact_over_the_wire_gives_the_embedded_events_and_errors(start_server: Start) -> None:
    srv = start_server(settings())
    client = srv.client()
    embedded = settings().build()
    channel = grpc.insecure_channel(srv.target)
    stub = router_pb2_grpc.RouterStub(channel)

    def both(method: str, *args: object, **kwargs: object) -> list[cc.Event]:
        here = [e for e in getattr(client, method)(*args, **kwargs) if not isinstance(e, ServiceEvent.__args__)]  # type: ignore[attr-defined]
        assert here == getattr(embedded, method)(*args, **kwargs), method
        return here

    both("add_agent", cc.Agent("a", skills={"billing": 5}), 0.0)
    both("submit", cc.Contact("w0", "chat", "sales"), 0.0)  # a takes it (and has room for more chats)
    both("submit", cc.Contact("w1", "chat", "sales", requires={"billing": 8}, steps=[cc.Step(60.0, {"billing": 6})]), 0.0)
    both("submit", cc.Contact("w2", "chat", "sales", requires={"billing": 9}), 0.0)
    assert both("update_contact", "w2", 0.0, priority=4, if_version=1, attributes={"tier": "gold"}) == []
    assert client.waiting("sales") == ["w2", "w1"] == embedded.waiting("sales")
    view = client.contact("w2")
    assert (view.version, view.priority, view.attributes) == (2, 4, {"tier": "gold"})
    # requires given and empty ({}), with the steps dropped ([]): assigned in the call.
    events = both("update_contact", "w1", 0.0, requires={}, steps=[])
    assert [type(e).__name__ for e in events] == ["Assigned"] and client.contact("w1").requires == {}
    # The same classes as embedded, with the same messages.
    for kwargs, error in [({"if_version": 1}, cc.VersionConflict), ({"requires": {"x": 11}}, cc.InvalidInput),
                          ({"age_offset": float("nan")}, cc.InvalidInput)]:
        with pytest.raises(error) as remote:
            client.update_contact("w2", 0.0, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(error) as local:
            embedded.update_contact("w2", 0.0, **kwargs)  # type: ignore[arg-type]
        assert str(remote.value) == str(local.value)
    with pytest.raises(cc.UnknownId, match="ghost"):
        client.update_contact("ghost", priority=1)
    with pytest.raises(cc.InvalidState, match="assigned"):
        client.update_contact("w0", priority=1)
    assert client.contact("w2").version == 2  # nothing changed
    # A stale version is ABORTED, naming the class and both versions.
    with pytest.raises(grpc.RpcError) as info:
        stub.UpdateContact(router_pb2.UpdateContactRequest(
            contact_id="w2", update=model_pb2.ContactUpdate(priority=1, if_version=1)))
    err = info.value
    assert err.code() == grpc.StatusCode.ABORTED  # type: ignore[attr-defined]
    assert dict(err.trailing_metadata())["ccroute-error"] == "VersionConflict"  # type: ignore[attr-defined]
    assert "version 2" in err.details() and "version 1" in err.details()  # type: ignore[attr-defined]
    # A retry under the same idempotency key is answered from the first reply.
    first = client.update_contact("w2", priority=7, idempotency_key="up-1")
    again = client.update_contact("w2", priority=7, idempotency_key="up-1")
    assert first == again and client.contact("w2").version == 3
    with pytest.raises(IdempotencyConflict):
        client.update_contact("w2", priority=8, idempotency_key="up-1")
    channel.close()


def test_async_client_updates_a_contact(start_server: Start) -> None:
    srv = start_server(settings())

    async def scenario() -> tuple[int, int]:
        async with AsyncRouterClient(srv.target) as client:
            await client.submit(cc.Contact("c1", "voice", "sales"))
            assert await client.update_contact("c1", priority=3, if_version=1) == []
            with pytest.raises(cc.VersionConflict):
                await client.update_contact("c1", priority=4, if_version=1)
            await client.cancel("c1")
            view = await client.contact("c1")
            return view.version, (await client.status()).live_contacts

    assert asyncio.run(scenario()) == (0, 0)


def test_transfers_and_callbacks_over_the_wire_give_the_embedded_events_and_errors(start_server: Start) -> None:
    srv = start_server(settings())
    assert srv.clock is not None
    client = srv.client()
    embedded = settings().build()
    channel = grpc.insecure_channel(srv.target)
    stub = router_pb2_grpc.RouterStub(channel)
    now = 0.0

    def both(method: str, *args: object, **kwargs: object) -> list[cc.Event]:
        here = [e for e in getattr(client, method)(*args, **kwargs) if not isinstance(e, ServiceEvent.__args__)]  # type: ignore[attr-defined]
        assert here == getattr(embedded, method)(*args, **kwargs), method
        return here

    def later(seconds: float) -> None:
        nonlocal now
        now += seconds
        srv.clock.advance(seconds)  # type: ignore[union-attr]
        both("advance", now)

    for a in ("a", "b", "c"):
        both("add_agent", cc.Agent(a, skills={"billing": 5}), now)
    both("submit", cc.Contact("v1", "voice", "sales"), now)  # a takes it
    both("submit", cc.Contact("v2", "voice", "sales"), now)  # b takes it
    later(5.0)
    # Cold to the other queue: c takes it; a is free.
    events = both("transfer", "v1", now, queue="support", requires={"billing": 3})
    assert [type(e).__name__ for e in events] == ["Transferred", "Assigned"]
    assert client.contact("v1").agent == "c" and client.stats()["support"].transferred_in == 1
    # Warm to a busy named agent: fails, the contact stays with b.
    events = both("transfer", "v2", now, agent="c", mode="warm")
    assert events == [cc.TransferFailed(contact="v2", agent="b", reason="agent_unavailable", at=now)]
    # Warm to a free named agent: assigned to it, then the transfer is done.
    events = both("transfer", "v2", now, agent="a", mode="warm", keep_age=False)
    assert [type(e).__name__ for e in events] == ["Assigned", "Transferred"] and client.contact("v2").agent == "a"
    # Bad transfers: the same classes and messages as embedded, nothing changed.
    before = client.contact("v1")
    for kwargs, error in [({"queue": "nowhere"}, cc.InvalidInput), ({"agent": "ghost"}, cc.UnknownId),
                          ({}, cc.InvalidInput), ({"queue": "sales", "channel": "fax"}, cc.InvalidInput),
                          ({"queue": "sales", "requires": {"billing": 11}}, cc.InvalidInput)]:
        with pytest.raises(error) as remote:
            client.transfer("v1", now, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(error) as local:
            embedded.transfer("v1", now, **kwargs)  # type: ignore[arg-type]
        assert str(remote.value) == str(local.value)
    with pytest.raises(cc.InvalidInput, match="tepid"):
        client.transfer("v1", now, queue="sales", mode="tepid")
    with pytest.raises(cc.UnknownId, match="ghost"):
        client.transfer("ghost", now, queue="sales")
    assert client.contact("v1") == before
    # A callback is called, missed, called again after its retry time, and fails.
    both("complete", "v1", now)
    both("complete", "v2", now)
    later(1.0)
    callback = {"number_of_attempts": 2, "retry_after": 60.0}
    events = both("submit", cc.Contact("cb", "voice", "support", callback=callback), now)
    assert [type(e).__name__ for e in events] == ["CallbackOffered"]
    assert client.stats()["support"].callbacks_calling == 1
    assert both("callback_result", "cb", "no_answer", now) == []
    stats = client.stats()["support"]
    assert (stats.callbacks_waiting, stats.callbacks_calling, stats.callback_calls) == (1, 0, 1)
    later(60.0)
    assert client.contact("cb").status == "calling"
    with pytest.raises(cc.InvalidInput, match="maybe"):
        client.callback_result("cb", "maybe", now)
    with pytest.raises(cc.InvalidState, match="v2"):
        client.callback_result("v2", "answered", now)
    events = both("callback_result", "cb", "busy", now)
    assert events == [cc.CallbackFailed(contact="cb", attempts=2, at=now)]
    # An outcome left unset is refused by the server, naming the value.
    with pytest.raises(grpc.RpcError) as info:
        stub.CallbackResult(router_pb2.CallbackResultRequest(contact_id="cb"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert "callback outcome 0" in info.value.details()  # type: ignore[attr-defined]
    # A retry under the same idempotency key is answered from the first reply.
    both("submit", cc.Contact("v3", "voice", "sales"), now)
    first = client.transfer("v3", now, queue="support", idempotency_key="t-1")
    again = client.transfer("v3", now, queue="support", idempotency_key="t-1")
    assert first == again and client.stats()["support"].transferred_in == 2
    with pytest.raises(IdempotencyConflict):
        client.transfer("v3", now, queue="sales", idempotency_key="t-1")
    channel.close()


def test_async_client_transfers_and_reports_a_callback(start_server: Start) -> None:
    srv = start_server(settings())

    async def scenario() -> list[str]:
        async with AsyncRouterClient(srv.target) as client:
            await client.add_agent(cc.Agent("a"))
            await client.add_agent(cc.Agent("b"))
            await client.submit(cc.Contact("c1", "voice", "sales"))
            names = [type(e).__name__ for e in await client.transfer("c1", queue="support")]
            await client.complete("c1")
            await client.submit(cc.Contact("cb", "voice", "support", callback={"number_of_attempts": 1}))
            names += [type(e).__name__ for e in await client.callback_result("cb", "answered")]
            return names

    assert asyncio.run(scenario()) == ["Transferred", "Assigned", "Assigned"]


def test_a_waiting_caller_becomes_a_callback_over_the_wire_keeping_its_place(start_server: Start) -> None:
    srv = start_server(settings())
    client = srv.client()
    for c in ("c1", "c2", "c3"):
        client.submit(cc.Contact(c, "voice", "support"))
    assert client.update_contact("c2", callback={"number_of_attempts": 2, "retry_after": 30.0}) == []
    assert client.waiting("support") == ["c1", "c2", "c3"]
    assert client.stats()["support"].callbacks_waiting == 1
    client.add_agent(cc.Agent("a"))
    client.complete("c1")  # a takes c2 next: it calls the customer back
    assert client.contact("c2").status == "calling"
    with pytest.raises(cc.InvalidInput, match="number_of_attempts"):
        client.update_contact("c3", callback={"number_of_attempts": 0})


def test_selectors_over_the_wire_give_the_embedded_events_and_explanations(start_server: Start) -> None:
    srv = start_server(settings())
    client = srv.client()
    embedded = settings().build()

    def both(method: str, *args: object, **kwargs: object) -> list[cc.Event]:
        here = [e for e in getattr(client, method)(*args, **kwargs) if not isinstance(e, ServiceEvent.__args__)]  # type: ignore[attr-defined]
        assert here == getattr(embedded, method)(*args, **kwargs), method
        return here

    for name, langs, tenure in (("a", ["es"], 3), ("b", ["es", "pt"], 30), ("c", ["en"], 40)):
        both("add_agent", cc.Agent(name, attributes={"langs": langs, "tenure": tenure}), 0.0)
    assert client.agent("b").attributes == {"langs": ["es", "pt"], "tenure": 30}
    selector = 'agent.langs HAS "es" AND agent.tenure > 12'
    events = both("submit", cc.Contact("v1", "voice", "sales", selector=selector), 0.0)
    assert [e.agent for e in events if isinstance(e, (cc.Offered, cc.Assigned))] == ["b"]
    clause = {"key": "langs", "op": "has", "value": "pt", "expires_after": 30.0}
    both("submit", cc.Contact("v2", "voice", "sales", selectors=[clause],
                              preferences=[{"selector": "agent.tenure > 35", "weight": 2}]), 0.0)
    remote, local = client.explain("v2").to_dict(), embedded.explain("v2").to_dict()
    assert remote == local and remote["selector"] == 'agent.langs HAS "pt"'
    assert remote["selector_clauses"] == {'agent.langs HAS "pt"': 2}
    both("update_contact", "v2", 0.0, selector='agent.tenure > 35')
    with pytest.raises(cc.InvalidInput, match="position"):
        client.submit(cc.Contact("v3", "voice", "sales", selector="agent.x =="))
    with pytest.raises(cc.InvalidInput, match="position"):
        embedded.submit(cc.Contact("v3", "voice", "sales", selector="agent.x =="), 0.0)
