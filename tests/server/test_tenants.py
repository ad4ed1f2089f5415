"""Tenants: one server, many routers, against real servers on loopback.

Each tenant has its own configuration, agents, contacts, statistics,
event stream and sequence numbers; a call names its tenant in the
metadata ``ccroute-tenant`` (``RouterClient(tenant=...)``). Bad inputs
fail with their exact status and ``ccroute-error`` and change nothing;
one tenant's full queue or stalled event reader never holds another up.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable, Optional

import grpc
import pytest

import ccroute as cc
from ccroute.client import AsyncRouterClient, EventWatch, PermissionDenied, RouterClient
from ccroute.errors import DuplicateId, InvalidInput, InvalidState, QueueFull, UnknownId
from ccroute.server import ClientClock, Grant, RouterService, ServiceLimits, Tenants, TokenTable
from ccroute.server.errors import ServerBusy, StreamEnded, UnknownTenant
from ccroute.server.events import EventRecord
from ccroute.server.tenants import TenantInfo
from ccroute.v1 import model_pb2, router_pb2_grpc
from ccroute.v1 import router_pb2 as pb

from .conftest import Running, settings

Start = Callable[..., Running]
EMAIL = cc.Channel("email", cost=10, max_per_agent=5)
NOT_FOUND, INVALID, DENIED = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED
EXISTS, PRECONDITION = grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.FAILED_PRECONDITION
AWAY = model_pb2.AGENT_STATE_AWAY

#: Tokens (plain text) and what they grant.
GRANTS = {
    "root-t": Grant("admin", "*"),
    "acme-admin-t": Grant("admin", "acme"),
    "acme-service-t": Grant("service", "acme"),
    "acme-observer-t": Grant("observer", "acme"),
    "acme-a1-t": Grant("agent", "acme", agent="a1"),
    "globex-service-t": Grant("service", "globex"),
    "service-all-t": Grant("service", "*"),
}


def rpc(srv: Running, method: str, request: Any, *, token: Optional[str] = None,
        tenant: Optional[str] = None) -> Optional[tuple[Any, str, Optional[str]]]:
    """A raw unary call (any metadata, even names the client refuses):
    ``None`` when it succeeds, else ``(code, message, ccroute-error)``."""
    metadata = [("authorization", f"Bearer {token}")] if token else []
    if tenant is not None:
        metadata.append(("ccroute-tenant", tenant))
    with grpc.insecure_channel(srv.target) as channel:
        try:
            reply = getattr(router_pb2_grpc.RouterStub(channel), method)(request, metadata=metadata, timeout=10)
            if method == "WatchEvents":  # a stream: its first message, or its error
                next(reply)
                reply.cancel()
        except grpc.RpcError as exc:
            trailers = dict(exc.trailing_metadata() or ())
            return exc.code(), exc.details(), trailers.get("ccroute-error")
    return None


def state(srv: Running) -> dict[str, Any]:
    """Everything a refused call must leave alone: per tenant, the router's
    snapshot, the last sequence, the history and the webhook in force."""
    tenants = srv.server.tenants
    out: dict[str, Any] = {}
    for name, service in sorted(tenants.owned().items()):
        status = service.status()
        hook = tenants.webhooks.get(name)
        out[name] = (service.query(lambda e: e.router.snapshot()), status.last_sequence, status.history_id,
                     (hook, hook.url) if hook is not None else None)
    return out


def take(watch: EventWatch, n: int) -> list[EventRecord]:
    """The next ``n`` records of ``watch`` (it is cancelled, and the test
    fails, if they do not come within 10 s: never a hang)."""
    timer = threading.Timer(10.0, watch.cancel)
    timer.start()
    try:
        out = [next(watch, None) for _ in range(n)]
    finally:
        timer.cancel()
    assert None not in out, f"expected {n} events, got {out}"
    return out  # type: ignore[return-value]


def describe(event: Any) -> tuple[Any, ...]:
    """An event's kind and the ids (and queue) it names."""
    fields = [getattr(event, f) for f in ("contact", "agent", "queue") if getattr(event, f, None) is not None]
    return (type(event).__name__, *fields)


@pytest.fixture
def tokens_server(start_server: Start) -> Iterator[Running]:
    yield start_server(tokens=TokenTable.from_tokens(GRANTS))  # type: ignore[arg-type]


# -- tenants are separate routers ------------------------------------------------
def test_each_tenant_is_its_own_router(start_server: Start) -> None:
    srv = start_server()
    root = srv.client()
    made = root.create_tenant("zeta")  # the server's default configuration
    assert made == TenantInfo("zeta", srv.target, True, 0, 0, 0, made.history_id)
    acme_info = root.create_tenant("acme", [EMAIL], [cc.Queue("billing", max_waiting=5)], policy="most_skilled")
    assert (acme_info.name, acme_info.agents, acme_info.last_sequence) == ("acme", 0, 0)
    acme, zeta, default = srv.client(tenant="acme"), srv.client(tenant="zeta"), srv.client()

    # Configuration: acme's own, zeta the default's.
    assert [q.name for q in acme.config().queues] == ["billing"]
    assert [c.name for c in acme.config().channels] == ["email"]
    assert acme.policy == "most_skilled"
    assert zeta.config().to_dict() == default.config().to_dict()
    with pytest.raises(InvalidInput, match='unknown channel "voice"'):
        acme.submit(cc.Contact("x", "voice", "sales"))

    watches = {name: client.watch_events() for name, client in
               (("acme", acme), ("zeta", zeta), ("default", default))}
    # The same ids in two tenants are two agents and two contacts.
    acme.add_agent(cc.Agent("a1", channels={"email": 5}))
    assert [type(e).__name__ for e in acme.submit(cc.Contact("c1", "email", "billing"))] == ["Assigned"]
    acme.submit(cc.Contact("c2", "email", "billing"))
    zeta.add_agent(cc.Agent("a1"))
    zeta.submit(cc.Contact("c1", "voice", "sales"))
    assert zeta.submit(cc.Contact("c9", "voice", "support")) == []  # waits: a1 is busy on voice

    assert acme.agent_ids() == zeta.agent_ids() == ["a1"] and default.agent_ids() == []
    assert (acme.contact("c1").queue, acme.contact("c1").channel) == ("billing", "email")
    assert (zeta.contact("c1").queue, zeta.contact("c1").agent) == ("sales", "a1")
    assert sorted(acme.agent("a1").contacts) == ["c1", "c2"] and zeta.agent("a1").contacts == ["c1"]
    with pytest.raises(UnknownId):
        default.contact("c1")
    with pytest.raises(UnknownId):
        zeta.contact("c2")

    # Statistics and counters are per tenant.
    acme_stats, zeta_stats = acme.stats(), zeta.stats()
    assert set(acme_stats) == {"billing"} and set(zeta_stats) == {"sales", "support"}
    assert (acme_stats["billing"].entered, acme_stats["billing"].answered) == (2, 2)
    assert (zeta_stats["sales"].answered, zeta_stats["support"].waiting) == (1, 1)
    assert set(default.stats()) == {"sales", "support"} and default.stats()["sales"].entered == 0
    a, z, d = acme.status(), zeta.status(), default.status()
    assert (a.decisions, a.live_contacts, a.last_sequence) == (2, 2, 5)
    assert (z.decisions, z.live_contacts, z.last_sequence) == (1, 2, 4)
    assert (d.decisions, d.live_contacts, d.last_sequence) == (0, 0, 0)
    assert a.agents_by_state["busy"] + a.agents_by_state["idle"] == 1
    assert len({a.history_id, z.history_id, d.history_id}) == 3

    # Each stream has exactly its tenant's events, numbered from 1: a
    # marker event last shows that nothing else came in between.
    acme.set_agent_state("a1", "away")
    zeta.set_agent_state("a1", "away")
    default.add_agent(cc.Agent("m"))
    expected: dict[str, list[tuple[str, ...]]] = {
        "acme": [("AgentAdded", "a1"), ("Queued", "c1", "billing"), ("Assigned", "c1", "a1", "billing"),
                 ("Queued", "c2", "billing"), ("Assigned", "c2", "a1", "billing"), ("AgentStateChanged", "a1")],
        "zeta": [("AgentAdded", "a1"), ("Queued", "c1", "sales"), ("Assigned", "c1", "a1", "sales"),
                 ("Queued", "c9", "support"), ("AgentStateChanged", "a1")],
        "default": [("AgentAdded", "m")],
    }
    for name, want in expected.items():
        got = take(watches[name], len(want))
        assert [describe(r.event) for r in got] == want, name
        assert [r.sequence for r in got] == list(range(1, len(want) + 1)), name
        assert watches[name].history_id == {"acme": a, "zeta": z, "default": d}[name].history_id
        watches[name].cancel()

    # ListTenants: every tenant, sorted by name, with its counters.
    listed = root.tenants()
    assert [t.name for t in listed] == ["acme", "default", "zeta"]
    by_name = {t.name: t for t in listed}
    assert by_name["acme"] == TenantInfo("acme", srv.target, True, 1, 2, 6, a.history_id)
    assert by_name["zeta"] == TenantInfo("zeta", srv.target, True, 1, 2, 5, z.history_id)
    assert by_name["default"] == TenantInfo("default", srv.target, True, 1, 0, 1, d.history_id)


def test_a_tenant_token_sees_only_its_tenant(tokens_server: Running) -> None:
    srv = tokens_server
    root = srv.client(token="root-t")
    for name in ("globex", "acme"):
        root.create_tenant(name)
    assert [t.name for t in root.tenants()] == ["acme", "default", "globex"]
    assert [t.name for t in srv.client(token="acme-observer-t", tenant="acme").tenants()] == ["acme"]
    assert [t.name for t in srv.client(token="globex-service-t", tenant="globex").tenants()] == ["globex"]
    assert [t.name for t in srv.client(token="service-all-t", tenant="acme").tenants()] == [
        "acme", "default", "globex"]
    # Listing needs no tenant header: a tenant's token lists what it covers.
    assert [t.name for t in srv.client(token="acme-observer-t").tenants()] == ["acme"]
    # Any other call for a tenant the token does not cover is refused.
    with pytest.raises(PermissionDenied, match="may not call GetStatus for tenant 'default'"):
        srv.client(token="acme-observer-t").status()


# -- bad inputs: exact status, error class, nothing changed -------------------------
def test_bad_tenant_calls_are_refused_and_change_nothing(start_server: Start) -> None:
    srv = start_server()
    root = srv.client()
    root.create_tenant("acme", [EMAIL], [cc.Queue("billing")])
    acme = srv.client(tenant="acme")
    acme.add_agent(cc.Agent("a1", channels={"email": 5}))
    acme.submit(cc.Contact("c1", "email", "billing"))
    # A webhook in force, to show a refused SetWebhook leaves it (nobody listens there).
    hook, _ = acme.set_webhook("http://127.0.0.1:9/events", "s" * 16)
    assert hook is not None
    before = state(srv)

    long_name = "x" * 64
    cases: list[tuple[str, Any, Optional[str], Any, str, str]] = [
        # (method, request, call's tenant, code, ccroute-error, in the message)
        ("GetStatus", pb.GetStatusRequest(), "nope", NOT_FOUND, "UnknownTenant", "unknown tenant 'nope'"),
        ("SubmitContact", pb.SubmitContactRequest(contact=dict(id="c2", channel="email", queue="billing")),
         "nope", NOT_FOUND, "UnknownTenant", "unknown tenant 'nope'"),
        ("WatchEvents", pb.WatchEventsRequest(), "Nope", NOT_FOUND, "UnknownTenant", "unknown tenant 'Nope'"),
        ("GetStatus", pb.GetStatusRequest(), "bad name!", INVALID, "InvalidInput", "tenant 'bad name!' is not a name"),
        ("GetStatus", pb.GetStatusRequest(), "-acme", INVALID, "InvalidInput", "tenant '-acme' is not a name"),
        ("GetStatus", pb.GetStatusRequest(), long_name, INVALID, "InvalidInput", f"tenant '{long_name}'"),
        ("CreateTenant", pb.CreateTenantRequest(tenant="bad/name"), None, INVALID, "InvalidInput",
         "tenant 'bad/name' is not a name"),
        ("CreateTenant", pb.CreateTenantRequest(tenant=""), None, INVALID, "InvalidInput", "tenant '' is not a name"),
        ("CreateTenant", pb.CreateTenantRequest(tenant=long_name), None, INVALID, "InvalidInput", long_name),
        ("CreateTenant", pb.CreateTenantRequest(tenant="acme"), None, EXISTS, "DuplicateId",
         "tenant 'acme' already exists"),
        ("CreateTenant", pb.CreateTenantRequest(tenant="default"), "acme", EXISTS, "DuplicateId",
         "tenant 'default' already exists"),
        ("CreateTenant", pb.CreateTenantRequest(tenant="fresh", config=dict(channels=[dict(name="voice")])), None,
         INVALID, "InvalidInput", "no queues"),
        ("DeleteTenant", pb.DeleteTenantRequest(tenant="default"), None, PRECONDITION, "InvalidState",
         "tenant 'default' cannot be deleted"),
        ("DeleteTenant", pb.DeleteTenantRequest(tenant="default", force=True), None, PRECONDITION, "InvalidState",
         "tenant 'default' cannot be deleted"),
        ("DeleteTenant", pb.DeleteTenantRequest(tenant="acme"), None, PRECONDITION, "InvalidState",
         "tenant 'acme' holds 1 agent and 1 live contact"),
        ("DeleteTenant", pb.DeleteTenantRequest(tenant="nope", force=True), None, NOT_FOUND, "UnknownTenant",
         "unknown tenant 'nope'"),
        ("DeleteTenant", pb.DeleteTenantRequest(tenant="no pe"), None, INVALID, "InvalidInput", "tenant 'no pe'"),
        ("SetWebhook", pb.SetWebhookRequest(url="ftp://example.com/hook"), "acme", INVALID, "InvalidInput",
         "webhook url 'ftp://example.com/***': scheme 'ftp' is not http or https"),
        ("SetWebhook", pb.SetWebhookRequest(url="example.com/hook"), "acme", INVALID, "InvalidInput",
         "webhook url: scheme '(none)' is not http or https"),
        ("SetWebhook", pb.SetWebhookRequest(url="http:///hook"), "acme", INVALID, "InvalidInput",
         "webhook url has no host"),
        ("SetWebhook", pb.SetWebhookRequest(url="http://127.0.0.1:99999/hook"), "acme", INVALID, "InvalidInput",
         "webhook url is not a URL (Port out of range 0-65535)"),
        ("SetWebhook", pb.SetWebhookRequest(url="https://example.com/" + "p" * 2100), "acme", INVALID,
         "InvalidInput", "exceeds 2048"),
        ("SetWebhook", pb.SetWebhookRequest(url="https://example.com/hook", secret="tooShort123"), "acme", INVALID,
         "InvalidInput", "webhook secret of 11 characters is too short"),
        ("SetWebhook", pb.SetWebhookRequest(url="https://example.com/hook"), "nope", NOT_FOUND, "UnknownTenant",
         "unknown tenant 'nope'"),
        ("GetWebhook", pb.GetWebhookRequest(), "nope", NOT_FOUND, "UnknownTenant", "unknown tenant 'nope'"),
        ("SetWebhook", pb.SetWebhookRequest(url="https://example.com/hook", after_sequence=99), "acme",
         grpc.StatusCode.OUT_OF_RANGE, "HistoryGap",
         "webhook after_sequence 99 is beyond the last event of tenant 'acme', sequence 3"),
    ]
    for method, request, tenant, code, error, text in cases:
        got = rpc(srv, method, request, tenant=tenant)
        assert got is not None, (method, request)
        assert (got[0], got[2]) == (code, error), (method, request, got)
        assert text in got[1], (method, got[1])
        assert "tooShort123" not in got[1]  # a secret is never echoed
        assert state(srv) == before, (method, request)
    assert [t.name for t in root.tenants()] == ["acme", "default"]
    assert acme.webhook() == hook

    # The client refuses a bad tenant name before sending anything.
    with pytest.raises(InvalidInput, match="tenant 'a b' is not a name"):
        RouterClient(srv.target, tenant="a b")
    # The client raises the server's classes (UnknownTenant is an UnknownId, a KeyError).
    nope = srv.client(tenant="nope")
    with pytest.raises(UnknownTenant, match="unknown tenant 'nope'") as caught:
        nope.status()
    assert isinstance(caught.value, UnknownId) and isinstance(caught.value, KeyError)
    with pytest.raises(UnknownTenant):
        nope.watch_events(after_sequence=0).__next__()
    with pytest.raises(DuplicateId):
        root.create_tenant("acme")
    with pytest.raises(InvalidState):
        root.delete_tenant("acme")
    assert state(srv) == before


def test_tenant_calls_are_idempotent_by_key(start_server: Start) -> None:
    """A retried CreateTenant or DeleteTenant (same idempotency key) gets
    the first reply again, marked replayed: the client retries them safely."""
    srv = start_server()
    with grpc.insecure_channel(srv.target) as channel:
        stub = router_pb2_grpc.RouterStub(channel)
        create = pb.CreateTenantRequest(tenant="acme", idempotency_key="k-create",
                                        config=dict(channels=[dict(name="email")], queues=[dict(name="billing")]))
        first, again = stub.CreateTenant(create, timeout=10), stub.CreateTenant(create, timeout=10)
        assert (first.replayed, again.replayed, again.tenant) == (False, True, first.tenant)
        assert srv.client(tenant="acme").config().queues[0].name == "billing"
        other = pb.CreateTenantRequest(tenant="globex", idempotency_key="k-create")
        assert rpc(srv, "CreateTenant", other) == (
            INVALID, "idempotency key 'k-create' was used for a different request (CreateTenant of 'acme', "
            "now CreateTenant of 'globex'); use a new key for a new request", "IdempotencyConflict")
        assert rpc(srv, "CreateTenant", pb.CreateTenantRequest(tenant="acme"))[2] == "DuplicateId"  # type: ignore[index]

        # A refusal is not kept: the same key runs again once it can succeed.
        delete = pb.DeleteTenantRequest(tenant="acme", idempotency_key="k-delete")
        srv.client(tenant="acme").add_agent(cc.Agent("a1"))
        assert rpc(srv, "DeleteTenant", delete)[2] == "InvalidState"  # type: ignore[index]
        srv.client(tenant="acme").remove_agent("a1")
        assert stub.DeleteTenant(delete, timeout=10).replayed is False
        assert stub.DeleteTenant(delete, timeout=10).replayed is True
        assert [t.name for t in srv.client().tenants()] == ["default"]
        gone = rpc(srv, "DeleteTenant", pb.DeleteTenantRequest(tenant="acme", idempotency_key="k-2"))
        assert gone is not None and gone[2] == "UnknownTenant"


def test_a_created_tenant_runs_on_the_same_kind_of_clock(start_server: Start) -> None:
    """On a server whose time comes from the calls (``--clock client``), so
    does a created tenant's: the same calls give the same times."""
    srv = start_server(manual_clock=False, clock=ClientClock())
    srv.client().create_tenant("acme")
    for client in (srv.client(), srv.client(tenant="acme")):
        client.add_agent(cc.Agent("a1"), now=50.0)
        assert [(type(e).__name__, e.at) for e in client.submit(cc.Contact("c1", "voice", "sales"), now=100.0)] == [
            ("Assigned", 100.0)]
        assert client.status().now == 100.0


def test_a_tenant_name_of_63_characters_is_fine() -> None:
    from ccroute.server.tenants import check_tenant

    for good in ("a", "A.b_c-d", "9" * 63, "default"):
        assert check_tenant(good) == good
    for bad in ("", "x" * 64, "_a", ".a", "a/b", "a b", "ä"):
        with pytest.raises(InvalidInput, match="is not a name"):
            check_tenant(bad)


def test_deleting_a_tenant(start_server: Start) -> None:
    srv = start_server()
    root = srv.client()
    first = root.create_tenant("acme")
    acme = srv.client(tenant="acme")
    acme.add_agent(cc.Agent("a1"))
    acme.submit(cc.Contact("c1", "voice", "sales"))
    watch = acme.watch_events(after_sequence=0)
    assert len(take(watch, 3)) == 3  # the stream is open
    with pytest.raises(InvalidState, match="tenant 'acme' holds 1 agent and 1 live contact; remove them first"):
        root.delete_tenant("acme")
    assert acme.status().live_contacts == 1

    root.delete_tenant("acme", force=True)
    with pytest.raises(StreamEnded):  # the open stream ends (UNAVAILABLE), it does not hang
        next(watch)
    with pytest.raises(UnknownTenant, match="unknown tenant 'acme'"):
        acme.status()
    with pytest.raises(UnknownTenant):
        acme.submit(cc.Contact("c2", "voice", "sales"))
    assert [t.name for t in root.tenants()] == ["default"]
    with pytest.raises(UnknownTenant):
        root.delete_tenant("acme", force=True)

    # The name is free again: a new, empty router with a new history.
    again = root.create_tenant("acme")
    assert (again.agents, again.live_contacts, again.last_sequence) == (0, 0, 0)
    assert again.history_id != first.history_id
    assert acme.agent_ids() == []
    # An empty tenant is deleted without force; the default tenant never changed.
    root.delete_tenant("acme")
    assert root.status().last_sequence == 0 and root.tenants() == [
        TenantInfo("default", srv.target, True, 0, 0, 0, root.status().history_id)]


# -- tokens ----------------------------------------------------------------------
def test_tokens_reach_only_their_tenant(tokens_server: Running) -> None:
    srv = tokens_server
    root = srv.client(token="root-t")
    acme_admin = srv.client(token="acme-admin-t")
    # An admin token for acme may create acme (the request names the tenant)...
    acme_admin.create_tenant("acme", [EMAIL], [cc.Queue("billing")], offer_timeout=30.0)
    root.create_tenant("globex")
    backend = srv.client(token="acme-service-t", tenant="acme")
    backend.add_agent(cc.Agent("a1", channels={"email": 1}))
    backend.add_agent(cc.Agent("a2", channels={"email": 1}))
    backend.submit(cc.Contact("c1", "email", "billing"))  # offered to a1
    backend.submit(cc.Contact("c2", "email", "billing"))  # offered to a2
    offered = {c: backend.contact(c).agent for c in ("c1", "c2")}
    assert set(offered.values()) == {"a1", "a2"}
    mine, theirs = (("c1", "c2") if offered["c1"] == "a1" else ("c2", "c1"))
    srv.client(token="root-t", tenant="globex").add_agent(cc.Agent("a1"))
    before = state(srv)

    set_state = pb.SetAgentStateRequest(agent_id="a2", state=AWAY)
    cases: list[tuple[str, Optional[str], str, Any, str]] = [
        # (token, call's tenant, method, request, message)
        ("acme-service-t", None, "GetStatus", pb.GetStatusRequest(),
         "role 'service' for tenant 'acme' may not call GetStatus for tenant 'default'"),
        ("acme-service-t", "globex", "UpsertAgent", pb.UpsertAgentRequest(agent=dict(id="a9")),
         "role 'service' for tenant 'acme' may not call UpsertAgent for tenant 'globex'"),
        ("globex-service-t", "acme", "WatchEvents", pb.WatchEventsRequest(),
         "role 'service' for tenant 'globex' may not call WatchEvents for tenant 'acme'"),
        ("acme-observer-t", "acme", "RemoveAgent", pb.RemoveAgentRequest(agent_id="a1"),
         "role 'observer' may not call RemoveAgent"),
        # An agent token acts for its one agent, in its one tenant.
        ("acme-a1-t", "acme", "SetAgentState", set_state,
         "role 'agent' for agent 'a1' may not call SetAgentState for agent 'a2'"),
        ("acme-a1-t", "acme", "AcceptOffer", pb.AcceptOfferRequest(contact_id=theirs, agent_id="a2"),
         "role 'agent' for agent 'a1' may not call AcceptOffer for agent 'a2'"),
        ("acme-a1-t", "acme", "CompleteContact", pb.CompleteContactRequest(contact_id=theirs), "agent 'a1'"),
        ("acme-a1-t", "globex", "SetAgentState", pb.SetAgentStateRequest(agent_id="a1", state=AWAY),
         "role 'agent' for agent 'a1' for tenant 'acme' may not call SetAgentState for tenant 'globex'"),
        ("acme-a1-t", "acme", "GetStatus", pb.GetStatusRequest(), "role 'agent' may not call GetStatus"),
        # Tenant calls: admin only, and only for the tenant the token grants.
        ("service-all-t", None, "CreateTenant", pb.CreateTenantRequest(tenant="initech"),
         "role 'service' may not call CreateTenant"),
        ("service-all-t", None, "DeleteTenant", pb.DeleteTenantRequest(tenant="globex", force=True),
         "role 'service' may not call DeleteTenant"),
        ("acme-admin-t", None, "CreateTenant", pb.CreateTenantRequest(tenant="initech"),
         "role 'admin' for tenant 'acme' may not call CreateTenant for tenant 'initech'"),
        ("acme-admin-t", "acme", "DeleteTenant", pb.DeleteTenantRequest(tenant="globex", force=True),
         "role 'admin' for tenant 'acme' may not call DeleteTenant for tenant 'globex'"),
        ("acme-admin-t", "acme", "DeleteTenant", pb.DeleteTenantRequest(tenant="default"),
         "role 'admin' for tenant 'acme' may not call DeleteTenant for tenant 'default'"),
        ("acme-admin-t", "globex", "SetWebhook", pb.SetWebhookRequest(url="http://127.0.0.1:9/x"),
         "role 'admin' for tenant 'acme' may not call SetWebhook for tenant 'globex'"),
        ("acme-service-t", "acme", "SetWebhook", pb.SetWebhookRequest(url="http://127.0.0.1:9/x"),
         "role 'service' may not call SetWebhook"),
        ("acme-service-t", "globex", "GetWebhook", pb.GetWebhookRequest(),
         "role 'service' for tenant 'acme' may not call GetWebhook for tenant 'globex'"),
    ]
    for token, tenant, method, request, text in cases:
        got = rpc(srv, method, request, token=token, tenant=tenant)
        assert got is not None, (token, method)
        assert got[0] == DENIED and got[2] == "PermissionDenied", (token, method, got)
        assert text in got[1], (token, method, got[1])
        assert state(srv) == before, (token, method)

    # What they may do, they can.
    desk = srv.client(token="acme-a1-t", tenant="acme")
    assert [type(e).__name__ for e in desk.accept(mine, "a1")] == ["Assigned"]
    desk.complete(mine)
    acme_admin_there = srv.client(token="acme-admin-t", tenant="acme")
    acme_admin_there.set_webhook("http://127.0.0.1:9/x", "s" * 16)
    assert acme_admin_there.webhook() is not None
    acme_admin_there.set_webhook("")
    with pytest.raises(InvalidState):  # ... and may delete it, with force while it holds agents
        acme_admin.delete_tenant("acme")
    acme_admin.delete_tenant("acme", force=True)
    assert [t.name for t in root.tenants()] == ["default", "globex"]
    # acme's admin could recreate it, still not globex's neighbour.
    acme_admin.create_tenant("acme")
    with pytest.raises(PermissionDenied, match="for tenant 'initech'"):
        acme_admin.create_tenant("initech")


# -- isolation -------------------------------------------------------------------
def test_a_full_queue_and_a_stalled_reader_do_not_hold_another_tenant_up(start_server: Start) -> None:
    srv = start_server(limits=ServiceLimits(subscriber_buffer=200))
    root = srv.client()
    root.create_tenant("busy", [cc.Channel("voice")], [cc.Queue("small", max_waiting=2), cc.Queue("bulk")])
    root.create_tenant("calm", [cc.Channel("voice")], [cc.Queue("q")])
    busy, calm = srv.client(tenant="busy"), srv.client(tenant="calm")
    calm.add_agent(cc.Agent("x"))
    calm_watch = calm.watch_events()
    calm_events: list[Any] = []
    served = 0

    def calm_routes() -> None:
        """calm assigns a new contact in the reply to its submit, and frees the agent."""
        nonlocal served
        served += 1
        events = calm.submit(cc.Contact(f"k{served}", "voice", "q"))
        assert [describe(e) for e in events] == [("Assigned", f"k{served}", "x", "q")]
        calm_events.extend([("Queued", f"k{served}", "q"), *map(describe, events + calm.complete(f"k{served}"))])

    # busy: a queue full, submits refused.
    busy.submit(cc.Contact("s1", "voice", "small"))
    busy.submit(cc.Contact("s2", "voice", "small"))
    for i in range(3):
        with pytest.raises(QueueFull, match="small"):
            busy.submit(cc.Contact(f"s-more{i}", "voice", "small"))
        calm_routes()
    full = rpc(srv, "SubmitContact", pb.SubmitContactRequest(contact=dict(id="s9", channel="voice", queue="small")),
               tenant="busy")
    assert full is not None and (full[0], full[2]) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "QueueFull")

    # busy: an event reader that stops reading (a small HTTP/2 window, so
    # the server's sends block soon), while busy makes many events.
    stalled = srv.client(tenant="busy", options=[("grpc.http2.bdp_probe", 0)]).watch_events(after_sequence=0)
    assert next(stalled).sequence == 1
    busy_service = srv.server.tenants.service("busy")
    batches = 0
    while busy_service.figures()["event_subscribers"] > 0:  # until the stalled reader is cut off
        batches += 1
        assert batches <= 300, "a reader that never reads was never cut off"
        busy.submit_many([cc.Contact(f"b{batches}-{j}", "voice", "bulk") for j in range(100)])
        calm_routes()
    calm_routes()
    assert calm.status().decisions == served and busy.stats()["bulk"].waiting == 100 * batches

    # calm's own stream missed nothing; the stalled reader, read again,
    # resumes after its cut-off and misses nothing either.
    assert [describe(r.event) for r in take(calm_watch, len(calm_events))] == calm_events
    calm_watch.cancel()
    last = busy.status().last_sequence
    rest = take(stalled, last - 1)
    stalled.cancel()
    assert [r.sequence for r in rest] == list(range(2, last + 1)) and stalled.resumed >= 1


def test_event_streams_of_all_tenants_leave_threads_for_calls(start_server: Start) -> None:
    """Each stream holds a handler thread: each tenant bounds its own
    (max_subscribers), and the server their sum, so that two tenants'
    streams never leave a third tenant's calls without a thread."""
    srv = start_server(limits=ServiceLimits(max_subscribers=4, workers=6))  # at most 4 streams in all
    root = srv.client()
    clients = {name: srv.client(tenant=name) for name in ("a", "b")}
    for name, client in clients.items():
        root.create_tenant(name)
        client.add_agent(cc.Agent("x"))
    open_watches = []
    for name in ("a", "a", "a", "b"):  # within each tenant's limit, the server's full
        watch = clients[name].watch_events(after_sequence=0)
        assert next(watch).sequence == 1
        open_watches.append(watch)
    refused = clients["b"].watch_events(after_sequence=0)
    with pytest.raises(ServerBusy, match=r"too many event streams on this server \(limit 4: each holds one of its "
                                         r"6 handler threads\); retry later"):
        next(refused)
    # Every tenant's calls still find a thread, and route.
    for client in (root, *clients.values()):
        client.add_agent(cc.Agent("y"))
        assert [describe(e) for e in client.submit(cc.Contact("c1", "voice", "sales"))][0][0] == "Assigned"
    # A stream that ends frees its place (once the server sees it gone).
    open_watches.pop().cancel()
    deadline = time.monotonic() + 10
    while True:
        watch = clients["b"].watch_events(after_sequence=0)
        try:
            assert next(watch).sequence == 1
            break
        except ServerBusy:
            assert time.monotonic() < deadline, "the ended stream's place was never freed"
            time.sleep(0.05)
    for w in (*open_watches, watch):
        w.cancel()


# -- the async client ---------------------------------------------------------------
def test_async_client_with_a_tenant(start_server: Start) -> None:
    srv = start_server()

    async def main() -> None:
        async with AsyncRouterClient(srv.target) as root, AsyncRouterClient(srv.target, tenant="acme") as acme:
            info = await root.create_tenant("acme", [EMAIL], [cc.Queue("billing")])
            assert (info.name, info.owned_here) == ("acme", True)
            assert [t.name for t in await acme.tenants()] == ["acme", "default"]
            stream = acme.watch_events(after_sequence=0)
            first = asyncio.ensure_future(stream.__anext__())
            await acme.add_agent(cc.Agent("a1", channels={"email": 5}))
            events = await acme.submit(cc.Contact("c1", "email", "billing"))
            assert [describe(e) for e in events] == [("Assigned", "c1", "a1", "billing")]
            got = [await asyncio.wait_for(first, 10)]
            got += [await asyncio.wait_for(stream.__anext__(), 10) for _ in range(2)]
            assert [(r.sequence, *describe(r.event)) for r in got] == [
                (1, "AgentAdded", "a1"), (2, "Queued", "c1", "billing"), (3, "Assigned", "c1", "a1", "billing")]
            await stream.aclose()  # type: ignore[attr-defined]
            assert (await acme.status()).live_contacts == 1 and (await root.status()).last_sequence == 0
            assert await root.agent_ids() == []
            async with AsyncRouterClient(srv.target, tenant="nope") as nope:
                with pytest.raises(UnknownTenant, match="'nope'"):
                    await nope.status()
            with pytest.raises(InvalidState):
                await root.delete_tenant("acme")
            await root.delete_tenant("acme", force=True)
            with pytest.raises(UnknownTenant):
                await acme.agent_ids()

    asyncio.run(main())


def test_metrics_count_each_tenant() -> None:
    from ccroute.server.http import Metrics

    metrics = Metrics(process=False)
    tenants = Tenants(RouterService(settings(), observer=metrics.for_tenant("default"))).start()
    try:
        metrics.add_tenants(tenants.owned)
        tenants.create("acme")
        acme = tenants.service("acme")
        acme.add_agent(cc.Agent("a1"))
        acme.submit(cc.Contact("c1", "voice", "sales"))
        text = metrics.exposition().decode()
        assert 'ccroute_tenant_commands_total{outcome="ok",tenant="acme"} ' in text
        assert 'ccroute_tenant_events_total{tenant="acme"}' in text
        assert 'ccroute_tenant_last_sequence{tenant="acme"}' in text
        assert 'ccroute_tenant_healthy{tenant="default"} 1.0' in text
        assert "ccroute_tenants 2.0" in text
    finally:
        tenants.stop()


def test_a_tenant_that_cannot_answer_leaves_the_others_serving(start_server: Start,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """ListTenants does not wait on a tenant whose engine is held up (it
    says why its counters are missing), and one tenant that cannot serve
    does not turn the server's health NOT_SERVING: the default tenant's
    health, or every tenant's failing, does."""
    import ccroute.server.tenants as tenants_module

    monkeypatch.setattr(tenants_module, "INFO_TIMEOUT", 0.2)
    srv = start_server()
    root = srv.client()
    for name in ("acme", "zeta"):
        root.create_tenant(name)
    tenants = srv.server.tenants
    release = threading.Event()
    held = threading.Thread(target=lambda: tenants.service("acme").query(lambda e: release.wait(10)), daemon=True)
    held.start()
    try:
        listed = {t.name: t for t in root.tenants()}
        assert listed["acme"].owned_here and listed["acme"].agents == 0
        assert "acme" in listed and listed["acme"].problem == "its engine did not answer within 0.2 s", listed["acme"]
        assert listed["zeta"].problem == "" and listed["default"].problem == ""
    finally:
        release.set()
        held.join(5)
    assert root.tenants()[0].problem == ""
    tenants.service("zeta").stop()
    assert tenants.problems() == {"zeta": "the engine is not running"}
    assert tenants.health() is None  # the server serves its other tenants
    tenants.service("acme").stop()
    tenants.default.stop()
    assert tenants.health() == "the engine is not running"  # the default tenant's reason


def test_serve_refuses_options_that_need_another() -> None:
    """Options that mean nothing alone are refused naming what is missing,
    before anything starts (``ccroute serve`` exits 2 with the message)."""
    import subprocess
    import sys

    from ccroute.server import load_config, serve

    with pytest.raises(InvalidInput, match="--advertise spreads tenants among the servers of one Redis: "
                                           "give --redis too"):
        serve(load_config(), port=0, advertise="127.0.0.1:50051")
    with pytest.raises(InvalidInput, match="--json-api serves on the HTTP port: give --http-port too"):
        serve(load_config(), port=0, json_api=True)
    proc = subprocess.run([sys.executable, "-m", "ccroute.cli", "serve", "--port", "0", "--advertise", "h:1"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "listening" not in proc.stdout
    assert "ccroute serve: --advertise spreads tenants among the servers of one Redis: give --redis too" in proc.stderr
