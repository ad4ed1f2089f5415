"""UpsertAgent as a client written from the .proto uses it (no state given,
agents holding contacts, partial updates), and idempotency keys on every
mutating call."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

import ccroute as cc
from ccroute.v1 import model_pb2, router_pb2, router_pb2_grpc

from .conftest import Running, settings

Start = Callable[..., Running]


def stub(srv: Running) -> router_pb2_grpc.RouterStub:
    return router_pb2_grpc.RouterStub(grpc.insecure_channel(srv.target))


def code_of(fn: Callable[[], object]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        fn()
    return err.value.code(), err.value.details()


def test_an_upsert_without_a_state_keeps_the_current_state(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1", skills={"en": 5}, state="offline"))
    for i in range(8):
        client.submit(cc.Contact(f"c{i}", "chat", "support"))
    raw = stub(srv)
    reply = raw.UpsertAgent(router_pb2.UpsertAgentRequest(agent=model_pb2.Agent(id="a1", skills={"en": 7})))
    assert reply.replaced and list(reply.events) == []  # not logged in: nothing offered or assigned
    view = client.agent("a1")
    assert (view.state, view.skills, view.contacts) == ("offline", {"en": 7}, [])
    # A new agent without a state is available, as documented.
    raw.UpsertAgent(router_pb2.UpsertAgentRequest(agent=model_pb2.Agent(id="a2")))
    assert client.agent("a2").state == "available"


def test_an_agent_holding_contacts_is_updated_in_place(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1", skills={"en": 5}, channels={"chat": 4}))
    client.submit(cc.Contact("c1", "chat", "support"))
    client.submit(cc.Contact("c2", "chat", "support", requires={"fr": 5}))  # waits: nobody speaks French
    assert client.contact("c1").agent == "a1" and client.contact("c2").status == "waiting"
    raw = stub(srv)
    reply = raw.UpsertAgent(router_pb2.UpsertAgentRequest(
        agent=model_pb2.Agent(id="a1", skills={"en": 5, "fr": 6}, channels={"chat": 4})))
    assert [e.assigned.contact for e in reply.events] == ["c2"]  # the new skill routes at once
    view = client.agent("a1")
    assert sorted(view.contacts) == ["c1", "c2"] and client.contact("c1").status == "assigned"
    # Limits below what it holds: FAILED_PRECONDITION naming them, nothing changed.
    code, details = code_of(lambda: raw.UpsertAgent(router_pb2.UpsertAgentRequest(
        agent=model_pb2.Agent(id="a1", skills={"en": 5}, channels={"chat": 1}))))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "maximum 1 on channel 'chat' is below the 2 contacts it holds" in details
    code, details = code_of(lambda: raw.UpsertAgent(router_pb2.UpsertAgentRequest(
        agent=model_pb2.Agent(id="a1", skills={"en": 5}, capacity=25))))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "capacity 25 is below the 50 units" in details
    assert client.agent("a1").skills == {"en": 5, "fr": 6}


def test_a_field_mask_updates_only_the_fields_it_names(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1", skills={"en": 5}, capacity=80, channels={"chat": 3},
                              attributes={"team": "blue"}, state="away"))
    raw = stub(srv)
    mask = router_pb2.UpsertAgentRequest(agent=model_pb2.Agent(id="a1", skills={"en": 9}, capacity=1))
    mask.update_mask.paths.append("skills")
    raw.UpsertAgent(mask)
    view = client.agent("a1")
    assert (view.skills, view.capacity, view.max["chat"], view.max["voice"], view.attributes, view.state) == (
        {"en": 9}, 80, 3, 0, {"team": "blue"}, "away")
    state = router_pb2.UpsertAgentRequest(agent=model_pb2.Agent(id="a1", state=model_pb2.AGENT_STATE_AVAILABLE))
    state.update_mask.paths.append("state")
    raw.UpsertAgent(state)
    assert client.agent("a1").state == "available" and client.agent("a1").skills == {"en": 9}
    bad = router_pb2.UpsertAgentRequest(agent=model_pb2.Agent(id="a1"))
    bad.update_mask.paths.append("skils")
    code, details = code_of(lambda: raw.UpsertAgent(bad))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "'skils'" in details
    ghost = router_pb2.UpsertAgentRequest(agent=model_pb2.Agent(id="ghost"))
    ghost.update_mask.paths.append("skills")
    code, details = code_of(lambda: raw.UpsertAgent(ghost))
    assert code == grpc.StatusCode.NOT_FOUND and "'ghost'" in details
    # The Python client sends a mask too.
    client.upsert_agent(cc.Agent("a1", attributes={"team": "red"}), fields=["attributes"])
    assert client.agent("a1").attributes == {"team": "red"} and client.agent("a1").skills == {"en": 9}


def test_a_retried_complete_with_its_key_returns_the_first_reply(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1", channels={"chat": 4}))
    client.submit(cc.Contact("c1", "chat", "support"))
    client.submit(cc.Contact("c2", "chat", "support"))
    raw = stub(srv)
    first = raw.CompleteContact(router_pb2.CompleteContactRequest(contact_id="c1", idempotency_key="k-1"))
    again = raw.CompleteContact(router_pb2.CompleteContactRequest(contact_id="c1", idempotency_key="k-1"))
    assert not first.replayed and again.replayed and list(again.events) == list(first.events)
    assert client.stats()["support"].completed == 1
    # Without a key the retry is refused, as before.
    code, _ = code_of(lambda: raw.CompleteContact(router_pb2.CompleteContactRequest(contact_id="c1")))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    # The key for another request: INVALID_ARGUMENT naming both.
    code, details = code_of(lambda: raw.CompleteContact(
        router_pb2.CompleteContactRequest(contact_id="c2", idempotency_key="k-1")))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "'c1'" in details and "'c2'" in details


def test_every_mutating_call_takes_an_idempotency_key(start_server: Start) -> None:
    srv = start_server(settings(offer_timeout=30.0))
    raw = stub(srv)

    def twice(rpc: str, request: object) -> None:
        method = getattr(raw, rpc)
        first, second = method(request), method(request)
        assert not first.replayed and second.replayed, rpc
        assert list(second.events) == list(first.events), rpc

    twice("UpsertAgent", router_pb2.UpsertAgentRequest(
        agent=model_pb2.Agent(id="a1", channels={"chat": 4}), idempotency_key="u"))
    twice("UpsertAgent", router_pb2.UpsertAgentRequest(
        agent=model_pb2.Agent(id="a2", channels={"chat": 4}), idempotency_key="u2"))
    raw.SubmitContacts(router_pb2.SubmitContactsRequest(contacts=[
        model_pb2.Contact(id=f"c{i}", channel="chat", queue="support") for i in range(4)]))
    offered = {e.offered.contact: e.offered.agent for e in raw.WatchEvents(
        router_pb2.WatchEventsRequest(after_sequence=0)).next().events if e.HasField("offered")}
    (c_a, ag_a), (c_r, ag_r), (c_x, _) = list(offered.items())[:3]
    twice("AcceptOffer", router_pb2.AcceptOfferRequest(contact_id=c_a, agent_id=ag_a, idempotency_key="a"))
    twice("RejectOffer", router_pb2.RejectOfferRequest(contact_id=c_r, agent_id=ag_r, idempotency_key="r"))
    (c_u,) = {f"c{i}" for i in range(4)} - {c_a, c_r, c_x}
    twice("UpdateContact", router_pb2.UpdateContactRequest(
        contact_id=c_u, update=model_pb2.ContactUpdate(priority=2), idempotency_key="up"))
    twice("CancelContact", router_pb2.CancelContactRequest(contact_id=c_x, idempotency_key="x"))
    twice("CompleteContact", router_pb2.CompleteContactRequest(contact_id=c_a, idempotency_key="d"))
    twice("SetAgentState", router_pb2.SetAgentStateRequest(
        agent_id="a2", state=model_pb2.AGENT_STATE_AWAY, idempotency_key="s"))
    twice("Advance", router_pb2.AdvanceRequest(idempotency_key="v"))
    raw.SetAgentState(router_pb2.SetAgentStateRequest(agent_id="a2", state=model_pb2.AGENT_STATE_OFFLINE))
    for c in srv.client().agent("a2").contacts:
        raw.CancelContact(router_pb2.CancelContactRequest(contact_id=c))
    twice("RemoveAgent", router_pb2.RemoveAgentRequest(agent_id="a2", idempotency_key="rm"))
    assert srv.client().agent_ids() == ["a1"]
    for contact in (model_pb2.Contact(id="t", channel="chat", queue="support"),
                    model_pb2.Contact(id="cb", channel="chat", queue="support", callback=model_pb2.Callback())):
        raw.SubmitContact(router_pb2.SubmitContactRequest(contact=contact))
        raw.AcceptOffer(router_pb2.AcceptOfferRequest(contact_id=contact.id, agent_id="a1"))
    twice("Transfer", router_pb2.TransferRequest(
        contact_id="t", transfer=model_pb2.TransferSpec(queue="sales"), idempotency_key="tr"))
    twice("CallbackResult", router_pb2.CallbackResultRequest(
        contact_id="cb", outcome=router_pb2.CALLBACK_OUTCOME_NO_ANSWER, idempotency_key="cr"))
    client = srv.client()
    assert (client.contact("t").status, client.contact("cb").status) == ("waiting", "waiting")


def test_a_contact_refused_in_a_batch_frees_its_id_and_is_not_offered(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    client.submit_many([cc.Contact(f"w{i}", "voice", "sales") for i in range(3)])  # sales holds 3 at most
    events = client.submit_many([cc.Contact("late", "voice", "sales")])
    assert [type(e).__name__ for e in events] == ["Refused"]
    stats = client.stats()["sales"]
    assert (stats.offered, stats.refused, stats.waiting) == (3, 1, 3)
    with pytest.raises(cc.UnknownId):
        client.contact("late")
    client.cancel("w0")
    client.submit(cc.Contact("late", "voice", "sales"))  # the same id enters once there is room
    assert client.contact("late").status == "waiting"
