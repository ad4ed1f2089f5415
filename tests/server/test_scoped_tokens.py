"""Scoped tokens: hashed token files, roles and tenants, against real
servers on loopback (gRPC, /metrics and the wallboard)."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

import ccroute as cc
from ccroute import _cli_token, cli
from ccroute.client import AsyncRouterClient, PermissionDenied, Unauthenticated
from ccroute.errors import InvalidInput
from ccroute.server import (
    Grant,
    ManualClock,
    RouterService,
    TokenTable,
    create_server,
    load_config,
    read_token_file,
    serve,
)
from ccroute.server.access import INCLUDES, ROLE_OF, Access, check_table
from ccroute.server.commands import AgentScope, ForAgent
from ccroute.server.engine import Engine
from ccroute.server.http import Metrics, Monitor
from ccroute.server.persistence.codec import decode_commands, encode_commands
from ccroute.server.tokens import ROLES, parse_token_lines, token_line, token_sha256
from ccroute.v1 import model_pb2, router_pb2_grpc
from ccroute.v1 import router_pb2 as pb

from .conftest import Running, settings
from .test_service import SlowLog
from .test_tenants import rpc as raw_call

Start = Callable[..., Running]
ROOT = Path(__file__).resolve().parents[2]
ROUTER = pb.DESCRIPTOR.services_by_name["Router"]
DENIED = grpc.StatusCode.PERMISSION_DENIED
AVAILABLE, AWAY = model_pb2.AGENT_STATE_AVAILABLE, model_pb2.AGENT_STATE_AWAY

#: One token per role (and one for another tenant), as plain text.
GRANTS = {
    "admin-t": Grant("admin", "*"),
    "service-t": Grant("service", "default", name="backend"),
    "a1-t": Grant("agent", "default", agent="a1", name="desk-a1"),
    "observer-t": Grant("observer", "default", name="wallboard"),
    "acme-t": Grant("service", "acme"),
}
TABLE = TokenTable.from_tokens(GRANTS)


def rpc(srv: Running, token: Optional[str], method: str, request: Any) -> Optional[tuple[Any, str, Optional[str]]]:
    """``None`` when the call succeeds, else ``(code, message, ccroute-error)``."""
    return raw_call(srv, method, request, token=token)


def config_of(srv: Running, token: str = "observer-t") -> Any:
    """The configuration in force, as ``GetConfig`` sends it."""
    with grpc.insecure_channel(srv.target) as channel:
        return router_pb2_grpc.RouterStub(channel).GetConfig(
            pb.GetConfigRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=10).config


def snapshot(srv: Running) -> bytes:
    data: bytes = srv.service.query(lambda e: e.router.snapshot())
    return data


@pytest.fixture
def offered(start_server: Start) -> Iterator[Running]:
    """A server with tokens where c1 is offered to a2 and c2 to a1."""
    srv = start_server(settings(offer_timeout=30.0), tokens=TABLE)  # type: ignore[arg-type]
    backend = srv.client(token="service-t")
    backend.add_agent(cc.Agent("a2"))
    backend.submit(cc.Contact("c1", "voice", "sales"))
    backend.add_agent(cc.Agent("a1"))
    backend.submit(cc.Contact("c2", "voice", "sales"))
    assert (backend.contact("c1").agent, backend.contact("c2").agent) == ("a2", "a1")
    assert backend.contact("c1").status == "offered"
    yield srv


# -- the table -------------------------------------------------------------
def test_every_rpc_has_exactly_one_least_role() -> None:
    assert set(ROLE_OF) == {m.name for m in ROUTER.methods}
    assert set(ROLE_OF.values()) <= set(ROLES) == set(INCLUDES)
    check_table(ROUTER)
    for role, included in INCLUDES.items():
        assert role in included and included <= INCLUDES["admin"]
    # A method without a role is caught, and a call to it is refused.
    partial = dict(ROLE_OF)
    del partial["RemoveAgent"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("ccroute.server.access.ROLE_OF", partial)
        with pytest.raises(ValueError, match=r"methods without a role \['RemoveAgent'\]"):
            check_table(ROUTER)
        with pytest.raises(PermissionDenied, match="RemoveAgent has no role"):
            Access(TABLE).allow(GRANTS["admin-t"], "RemoveAgent")
    assert _cli_token._ROLES == ROLES


# -- each role, allowed and refused --------------------------------------------
def test_each_role_is_allowed_its_calls_and_refused_the_others(start_server: Start) -> None:
    srv = start_server(tokens=TABLE)  # type: ignore[arg-type]
    srv.client(token="admin-t").add_agent(cc.Agent("a1"))
    config = config_of(srv)
    state = dict(agent_id="a1", state=AVAILABLE)
    cases: list[tuple[str, str, Any, Optional[str]]] = [
        # observer: reads only
        ("observer-t", "GetStatus", pb.GetStatusRequest(), None),
        ("observer-t", "GetQueueStats", pb.GetQueueStatsRequest(), None),
        ("observer-t", "ListAgents", pb.ListAgentsRequest(), None),
        ("observer-t", "GetConfig", pb.GetConfigRequest(), None),
        ("observer-t", "WatchEvents", pb.WatchEventsRequest(after_sequence=0), None),
        ("observer-t", "RemoveAgent", pb.RemoveAgentRequest(agent_id="a1"), "role 'observer' may not call RemoveAgent"),
        ("observer-t", "SubmitContact", pb.SubmitContactRequest(), "role 'observer' may not call SubmitContact"),
        ("observer-t", "SetAgentState", pb.SetAgentStateRequest(**state), "role 'observer' may not call SetAgentState"),
        ("observer-t", "Configure", pb.ConfigureRequest(config=config), "role 'observer' may not call Configure"),
        # agent: its own agent's calls, no reads
        ("a1-t", "SetAgentState", pb.SetAgentStateRequest(**state), None),
        ("a1-t", "GetStatus", pb.GetStatusRequest(), "role 'agent' may not call GetStatus"),
        ("a1-t", "WatchEvents", pb.WatchEventsRequest(), "role 'agent' may not call WatchEvents"),
        ("a1-t", "SubmitContact", pb.SubmitContactRequest(), "role 'agent' may not call SubmitContact"),
        ("a1-t", "UpsertAgent", pb.UpsertAgentRequest(), "role 'agent' may not call UpsertAgent"),
        ("a1-t", "StreamContacts", None, "role 'agent' may not call StreamContacts"),
        # service: agents, contacts and reads, not configuration
        ("service-t", "UpsertAgent", pb.UpsertAgentRequest(agent=model_pb2.Agent(id="a2")), None),
        ("service-t", "SetAgentState", pb.SetAgentStateRequest(agent_id="a2", state=AWAY), None),
        ("service-t", "SubmitContact", pb.SubmitContactRequest(
            contact=model_pb2.Contact(id="c1", channel="chat", queue="support")), None),
        ("service-t", "CompleteContact", pb.CompleteContactRequest(contact_id="c1"), None),
        ("service-t", "RemoveAgent", pb.RemoveAgentRequest(agent_id="a2"), None),
        ("service-t", "GetStatus", pb.GetStatusRequest(), None),
        ("service-t", "Configure", pb.ConfigureRequest(config=config), "role 'service' may not call Configure"),
        # admin: everything
        ("admin-t", "Configure", pb.ConfigureRequest(config=config), None),
        ("admin-t", "RemoveAgent", pb.RemoveAgentRequest(agent_id="a1"), None),
        # another tenant
        ("acme-t", "GetStatus", pb.GetStatusRequest(),
         "role 'service' for tenant 'acme' may not call GetStatus for tenant 'default'"),
    ]
    for token, method, request, refusal in cases:
        if request is None:  # a client stream: refused before any request is read
            with grpc.insecure_channel(srv.target) as channel:
                with pytest.raises(grpc.RpcError) as info:
                    list(router_pb2_grpc.RouterStub(channel).StreamContacts(
                        iter([pb.SubmitContactsRequest()]), metadata=[("authorization", f"Bearer {token}")],
                        timeout=10))
                got = (info.value.code(), info.value.details(),
                       dict(info.value.trailing_metadata() or ()).get("ccroute-error"))
        else:
            got = rpc(srv, token, method, request)
        want = None if refusal is None else (DENIED, refusal, "PermissionDenied")
        assert got == want, (token, method)
    # An unknown token stays UNAUTHENTICATED.
    assert rpc(srv, "nope", "GetStatus", pb.GetStatusRequest()) == (
        grpc.StatusCode.UNAUTHENTICATED, "invalid bearer token", "Unauthenticated")


def test_refusals_surface_as_permission_denied_in_both_clients(start_server: Start) -> None:
    srv = start_server(tokens=TABLE)  # type: ignore[arg-type]
    srv.client(token="service-t").add_agent(cc.Agent("a1"))
    with pytest.raises(PermissionDenied, match=r"^role 'observer' may not call RemoveAgent$"):
        srv.client(token="observer-t").remove_agent("a1")
    with pytest.raises(Unauthenticated):
        srv.client(token="wrong").remove_agent("a1")

    async def remove() -> None:
        async with AsyncRouterClient(srv.target, token="observer-t") as client:
            await client.remove_agent("a1")

    with pytest.raises(PermissionDenied, match="role 'observer' may not call RemoveAgent"):
        asyncio.run(remove())
    assert srv.client(token="observer-t").agent_ids() == ["a1"]


def test_reflection_takes_any_known_token(start_server: Start) -> None:
    srv = start_server(tokens=TABLE)  # type: ignore[arg-type]
    with grpc.insecure_channel(srv.target) as channel:
        refl = reflection_pb2_grpc.ServerReflectionStub(channel)
        listing = iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        replies = list(refl.ServerReflectionInfo(listing, metadata=[("authorization", "Bearer observer-t")]))
        assert "ccroute.v1.Router" in {s.name for s in replies[0].list_services_response.service}
        with pytest.raises(grpc.RpcError) as info:
            list(refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


# -- agent tokens: one agent only ------------------------------------------------
def test_an_agent_token_cannot_act_for_another_agent(offered: Running) -> None:
    srv = offered
    before = snapshot(srv)
    who = "role 'agent' for agent 'a1' may not call"
    refusals = [
        ("AcceptOffer", pb.AcceptOfferRequest(contact_id="c1", agent_id="a2"), f"{who} AcceptOffer for agent 'a2'"),
        ("SetAgentState", pb.SetAgentStateRequest(agent_id="a2", state=AWAY), f"{who} SetAgentState for agent 'a2'"),
        ("AcceptOffer", pb.AcceptOfferRequest(contact_id="c1", agent_id="a1"),
         f"{who} AcceptOffer for contact 'c1' of agent 'a2'"),
        ("RejectOffer", pb.RejectOfferRequest(contact_id="c1", agent_id="a1"),
         f"{who} RejectOffer for contact 'c1' of agent 'a2'"),
        ("CompleteContact", pb.CompleteContactRequest(contact_id="c1", idempotency_key="k1"),
         f"{who} CompleteContact for contact 'c1' of agent 'a2'"),
        ("PauseContact", pb.PauseContactRequest(contact_id="nope"),
         f"{who} PauseContact for contact 'nope': it is not offered or assigned to agent 'a1'"),
    ]
    for method, request, message in refusals:
        assert rpc(srv, "a1-t", method, request) == (DENIED, message, "PermissionDenied"), method
    # Every agent method about a contact is scoped, whatever its request holds besides.
    for method, role in ROLE_OF.items():
        request_class = getattr(pb, ROUTER.methods_by_name[method].input_type.name)
        fields = request_class.DESCRIPTOR.fields_by_name
        if role == "agent" and "contact_id" in fields:
            request = request_class(contact_id="c1", **({"agent_id": "a1"} if "agent_id" in fields else {}))
            assert rpc(srv, "a1-t", method, request) == (
                DENIED, f"{who} {method} for contact 'c1' of agent 'a2'", "PermissionDenied"), method
    assert snapshot(srv) == before  # nothing changed in the router
    # Its own offer and contact: every agent call works.
    for method, request in [
        ("AcceptOffer", pb.AcceptOfferRequest(contact_id="c2", agent_id="a1")),
        ("PauseContact", pb.PauseContactRequest(contact_id="c2")),
        ("ResumeContact", pb.ResumeContactRequest(contact_id="c2")),
        ("CompleteContact", pb.CompleteContactRequest(contact_id="c2", idempotency_key="k2")),
        ("CompleteContact", pb.CompleteContactRequest(contact_id="c2", idempotency_key="k2")),  # a retry
        ("SetAgentState", pb.SetAgentStateRequest(agent_id="a1", state=AWAY, reason="lunch")),
    ]:
        assert rpc(srv, "a1-t", method, request) is None, method
    backend = srv.client(token="service-t")
    assert backend.contact("c2").status == "completed" and backend.agent("a1").state == "away"
    # A service token acts for any agent.
    backend.accept("c1", "a2")
    assert backend.contact("c1").status == "assigned"


def test_the_log_holds_an_agent_call_without_its_check_and_replays() -> None:
    log = SlowLog()
    service = RouterService(settings(offer_timeout=30.0), clock=ManualClock(), command_log=log)
    with service:
        service.add_agent(cc.Agent("a1"))
        service.add_agent(cc.Agent("a2"))
        service.submit(cc.Contact("c1", "voice", "sales"))
        holder = service.contact("c1").agent
        assert holder is not None
        other = "a2" if holder == "a1" else "a1"
        logged = len(log.entries)
        with pytest.raises(PermissionDenied, match=f"for agent {other!r} may not call AcceptOffer for contact 'c1' "
                                                   f"of agent {holder!r}"):
            service.accept("c1", other, scope=AgentScope(other, "AcceptOffer"))
        assert len(log.entries) == logged  # a refusal is never logged
        scope = AgentScope(holder, "AcceptOffer")
        service.accept("c1", holder, scope=scope, idempotency_key="k")
        service.complete("c1", scope=AgentScope(holder, "CompleteContact"))
        final = service.query(lambda e: e.router.snapshot())
    commands = [e.command for e in log.entries]
    assert not any(isinstance(c, ForAgent) for c in commands)
    assert [type(c).__name__ for c in commands[-2:]] == ["Idempotent", "Complete"]
    assert decode_commands(encode_commands(commands)) == commands
    engine = Engine(service.settings, service.limits, service.history_id)
    for e in log.entries:
        engine.tick(e.now)
        e.command.apply(engine, e.now)
    assert engine.router.snapshot() == final


# -- /metrics and the wallboard -----------------------------------------------------
def http_get(url: str, token: Optional[str] = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            body = r.read() if "event-stream" not in r.headers.get("Content-Type", "") else r.readline()
            return r.status, dict(r.headers), body
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_metrics_and_the_wallboard_need_an_observer_token() -> None:
    metrics = Metrics()
    service = RouterService(settings(), clock=ManualClock(), observer=metrics)
    server, _ = create_server("127.0.0.1:0", service, tokens=TABLE, rpc_observer=metrics)
    server.start()
    monitor = Monitor(service, metrics, access=Access(TABLE), tenants=server.tenants).start()
    url = monitor.url
    try:
        # /metrics: Authorization header only.
        status, headers, body = http_get(url + "/metrics")
        assert (status, body) == (401, b"/metrics needs an observer token: header 'Authorization: Bearer <token>'\n")
        assert headers["WWW-Authenticate"] == 'Bearer realm="ccroute"'
        assert http_get(url + "/metrics", "wrong")[::2] == (401, b"invalid bearer token\n")
        assert http_get(url + "/metrics", "a1-t")[::2] == (403, b"role 'agent' may not read /metrics\n")
        # While the default tenant is the only one, its token reads everything (all of it is its own).
        metrics.add_tenants(server.tenants.owned)
        status, _, body = http_get(url + "/metrics", "observer-t")
        assert status == 200 and b"# HELP grpc_server_handled_total" in body and b"ccroute_tenants 1.0" in body
        # A token of one tenant reads that tenant's series only: no other tenant's, not even its name.
        server.tenants.create("acme")
        server.tenants.create("globex")
        status, _, body = http_get(url + "/metrics", "acme-t")
        assert status == 200 and b'ccroute_tenant_healthy{tenant="acme"} 1.0' in body
        assert b"globex" not in body and b'tenant="default"' not in body and b"ccroute_healthy" not in body
        status, _, body = http_get(url + "/metrics", "admin-t")  # every tenant's
        assert b'tenant="acme"' in body and b'tenant="globex"' in body and b"ccroute_healthy" in body
        assert http_get(url + "/metrics?token=observer-t")[0] == 401
        for token in ("observer-t", "service-t", "admin-t"):
            status, _, body = http_get(url + "/metrics", token)
            assert status == 200 and b"ccroute_healthy" in body, token
        # The wallboard: the header, or ?token= on the URL, passed on by the page.
        status, _, body = http_get(url + "/")
        assert status == 401 and b"or ?token=<token> on the URL" in body
        assert http_get(url + "/?token=a1-t")[::2] == (403, b"role 'agent' may not read the wallboard\n")
        status, headers, body = http_get(url + "/?token=observer-t")
        assert status == 200 and b"<title>ccroute wallboard</title>" in body
        assert headers["Referrer-Policy"] == "no-referrer"
        js = http_get(url + "/static/wallboard.js")  # the page's code is open, it holds no figures
        assert js[0] == 200 and b'query.set("token", token)' in js[2] and b'query.set("tenant", tenant)' in js[2]
        assert http_get(url + "/events")[0] == 401
        status, headers, first = http_get(url + "/events?token=observer-t")
        assert status == 200 and headers["Content-Type"] == "text/event-stream" and first == b"retry: 2000\n"
        assert http_get(url + "/api/snapshot", "observer-t")[0] == 200
        assert http_get(url + "/api/snapshot")[0] == 401
        assert http_get(url + "/healthz")[0] in (200, 503)  # open, as gRPC health is
        # Each tenant's wallboard (?tenant=), for the tokens of that tenant only.
        assert http_get(url + "/?tenant=acme&token=acme-t")[0] == 200
        status, _, body = http_get(url + "/api/snapshot?tenant=acme", "acme-t")
        assert status == 200 and json.loads(body)["queues"]
        status, _, first = http_get(url + "/events?tenant=acme&token=acme-t")
        assert (status, first) == (200, b"retry: 2000\n")
        assert http_get(url + "/api/snapshot?tenant=acme", "admin-t")[0] == 200
        assert http_get(url + "/?tenant=acme&token=observer-t")[::2] == (
            403, b"role 'observer' for tenant 'default' may not read the wallboard of tenant 'acme'\n")
        assert http_get(url + "/?token=acme-t")[::2] == (  # nor the default tenant's, and says where its is
            403, b"role 'service' for tenant 'acme' may not read the wallboard of tenant 'default' "
                 b"(its tenant's is /?tenant=acme)\n")
        assert http_get(url + "/api/snapshot?tenant=nope", "admin-t")[::2] == (
            404, b"no wallboard for tenant 'nope' here: unknown tenant 'nope' (create it with CreateTenant)\n")
        # A refusal for the role is counted by code.
        srv_target = f"127.0.0.1:{server.port}"
        with grpc.insecure_channel(srv_target) as channel:
            with pytest.raises(grpc.RpcError):
                router_pb2_grpc.RouterStub(channel).RemoveAgent(
                    pb.RemoveAgentRequest(agent_id="x"), metadata=[("authorization", "Bearer observer-t")])
        text = http_get(url + "/metrics", "admin-t")[2].decode()
        assert 'grpc_method="RemoveAgent"' in text and 'grpc_code="PERMISSION_DENIED"' in text
        # A token of the default tenant: its router's series, nothing that counts other tenants
        # (alone on the server, as before the other tenants came, it read everything).
        text = http_get(url + "/metrics", "observer-t")[2].decode()
        assert "ccroute_healthy" in text and 'ccroute_tenant_healthy{tenant="default"}' in text
        assert "acme" not in text and "globex" not in text and "grpc_server" not in text
        assert "ccroute_tenants " not in text
    finally:
        monitor.stop()
        server.stop(grace=0)


def test_without_tokens_metrics_and_the_wallboard_stay_open() -> None:
    service = RouterService(settings(), clock=ManualClock())
    service.start()
    monitor = Monitor(service).start()
    try:
        assert http_get(monitor.url + "/metrics")[0] == 200
        assert http_get(monitor.url + "/")[0] == 200
    finally:
        monitor.stop()
        service.stop()


# -- token files ------------------------------------------------------------------
def test_a_plain_legacy_file_still_works_as_admin(start_server: Start, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tokens"
    path.write_text("# rotate by adding a line\nold-token\n\ns3cret\n")
    with caplog.at_level(logging.WARNING, logger="ccroute.server"):
        table = read_token_file(str(path))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2 plain token(s) (line 2, 4) are deprecated" in warnings[0]
    assert "s3cret" not in warnings[0] and "old-token" not in warnings[0]
    assert table.grants() == [Grant("admin", "*"), Grant("admin", "*")]
    srv = start_server(tokens=table)
    client = srv.client(token="s3cret")
    client.configure([cc.Channel("voice")], [cc.Queue("sales")])  # admin: configuration too
    client.add_agent(cc.Agent("a1"))
    assert srv.client(token="old-token").agent_ids() == ["a1"]
    # create_server's plain list means the same.
    plain = start_server(tokens=[b"t"])
    assert rpc(plain, "t", "Configure", pb.ConfigureRequest(config=config_of(plain, "t"))) is None


def test_token_create_round_trips_into_a_working_token_file(start_server: Start, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    made: dict[str, str] = {}
    lines = []
    for role, extra in [("service", []), ("agent", ["--agent", "a1", "--name", "desk-1"]),
                        ("observer", ["--tenant", "*"])]:
        assert cli.main(["token", "create", "--role", role, *extra]) == 0
        out, err = capsys.readouterr()
        token = out.strip()
        assert len(out.splitlines()) == 1 and len(token) == 43  # 32 random bytes, URL-safe base64
        assert err.count("\n") == 1 and err.startswith(f"sha256:{token_sha256(token).hex()} role={role} ")
        made[role] = token
        lines.append(err)
    assert lines[1].rstrip().endswith("role=agent tenant=default agent=a1 name=desk-1")
    assert lines[2].rstrip().endswith("role=observer tenant=*")
    path = tmp_path / "tokens"
    path.write_text("".join(lines))
    table = read_token_file(str(path))
    assert table.grants()[1] == Grant("agent", "default", "a1", "desk-1")
    srv = start_server(tokens=table)
    srv.client(token=made["service"]).add_agent(cc.Agent("a1"))
    srv.client(token=made["agent"]).set_agent_state("a1", "away", reason="break")
    assert srv.client(token=made["observer"]).agent("a1").state == "away"
    with pytest.raises(PermissionDenied, match="role 'observer' may not call SetAgentState"):
        srv.client(token=made["observer"]).set_agent_state("a1", "available")
    # A bad request is refused with the reason, and nothing on stdout.
    assert cli.main(["token", "create", "--role", "agent"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "role 'agent' needs agent=<id>" in err
    assert cli.main(["token", "create", "--role", "observer", "--agent", "a1"]) == 2
    assert "agent= is only for role 'agent'" in capsys.readouterr().err


GOOD = token_line("x", Grant("service", "default"))
HEX = "0" * 64


@pytest.mark.parametrize(("bad", "message"), [
    (f"sha256:{HEX} role=boss tenant=default", "unknown role 'boss' (roles: admin, service, agent, observer)"),
    ("sha256:abc123 role=admin tenant=*", "'sha256:' must be followed by the 64 hex digits of the token's SHA-256 "
                                         "(found 6 characters)"),
    (f"sha256:{'g' * 64} role=admin tenant=*", "64 hex digits"),
    (f"sha256:{HEX} role=service tenant=default agent=a1", "agent= is only for role 'agent' (this grant has role "
                                                           "'service')"),
    (f"sha256:{HEX} role=agent tenant=default", "role 'agent' needs agent=<id>"),
    (f"sha256:{HEX} role=admin", "no tenant="),
    (f"sha256:{HEX} role=admin tenant=a/b", "tenant 'a/b' is not '*' or a name"),
    (f"sha256:{HEX} role=admin tenant=* colour=red", "unknown key 'colour'"),
    (f"sha256:{HEX} role=admin role=admin tenant=*", "role= given twice"),
    (f"sha256:{HEX} role=admin tenant=* s3cret", "field 4 is not key=value"),
    ("sha1:abc role=admin tenant=*", "expected 'sha256:<hex> role=<role> tenant=<tenant|*>"),
    (GOOD, "the same token as line 2"),
])
def test_a_bad_token_file_line_is_refused_at_start_with_its_number(tmp_path: Path, bad: str, message: str) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"# tokens\n{GOOD}\n\n{bad}\n")
    with pytest.raises(InvalidInput) as info:
        serve(load_config(), port=0, token_file=str(path))
    assert str(info.value).startswith(f"token file {str(path)!r} line 4: ")
    assert message in str(info.value)
    assert "s3cret" not in str(info.value)


def test_ccroute_serve_refuses_a_bad_token_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"{GOOD}\nsha256:{HEX} role=superuser tenant=*\n")
    proc = subprocess.run([sys.executable, "-m", "ccroute.cli", "serve", "--port", "0", "--token-file", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2
    assert f"ccroute serve: token file {str(path)!r} line 2: unknown role 'superuser'" in proc.stderr
    assert "listening" not in proc.stdout


def test_the_table_holds_digests_only() -> None:
    table = parse_token_lines([b"plain", GOOD.encode()])
    assert table.lookup("x") == Grant("service", "default") and table.lookup("plain") == Grant("admin")
    assert table.lookup("y") is None
    assert all(len(d) == 32 for d in table.digests()) and b"plain" not in repr(table).encode()
