"""Tokens issued by API (CreateToken, RevokeToken, ListTokens) against
real servers on loopback: an embedded server (tokens in memory) and a
``ccroute serve`` process whose token file is the store."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import grpc
import pytest

import ccroute as cc
from ccroute.client import PermissionDenied, RouterClient, Unauthenticated
from ccroute.errors import InvalidInput, InvalidState, UnknownId
from ccroute.server import Grant, TokenTable
from ccroute.server.tokens import new_token, token_line, token_sha256
from ccroute.v1 import router_pb2 as pb
from ccroute.v1 import router_pb2_grpc

from .conftest import Running
from .test_tenants import rpc

Start = Callable[..., Running]
ROOT = Path(__file__).resolve().parents[2]
GRANTS = {
    "admin-t": Grant("admin", "*", name="ops"),
    "acme-admin-t": Grant("admin", "acme", name="acme-ops"),
    "observer-t": Grant("observer", "*"),
}


@pytest.fixture
def srv(start_server: Start) -> Running:
    running = start_server(tokens=TokenTable.from_tokens(GRANTS))
    with running.client(token="admin-t") as admin:
        admin.create_tenant("acme")
        admin.create_tenant("beta")
    return running


def listed(srv: Running, token: str = "admin-t") -> list[tuple[str, str, str, Optional[str], str]]:
    with srv.client(token=token) as client:
        return sorted((t.sha256, t.grant.role, t.grant.tenant, t.grant.name, t.source) for t in client.tokens())


def test_an_issued_token_works_at_once_for_its_grant_only_and_stops_when_revoked(srv: Running) -> None:
    with srv.client(token="acme-admin-t", tenant="acme") as acme_admin:
        token, info = acme_admin.create_token("service", name="crm")
    assert (info.grant, info.source) == (Grant("service", "acme", name="crm"), "api")
    assert info.sha256 == token_sha256(token).hex() and token not in repr(info)
    with srv.client(token=token, tenant="acme") as crm:
        crm.add_agent(cc.Agent("x1", skills={"s": 1}))
        assert crm.agent_ids() == ["x1"]
        with pytest.raises(PermissionDenied, match="role .service. may not call DeleteTenant"):
            crm.delete_tenant("acme")
    with srv.client(token=token) as elsewhere:  # the default tenant: not its own
        with pytest.raises(PermissionDenied, match="role 'service' for tenant 'acme' may not call ListAgents "
                                                   "for tenant 'default'"):
            elsewhere.agent_ids()
    # Listed with the others, for those who may see it: the acme admin sees acme's only.
    everything = listed(srv)
    assert (info.sha256, "service", "acme", "crm", "api") in everything and len(everything) == 4
    assert [t[2] for t in listed(srv, "acme-admin-t")] == ["acme", "acme"]
    # Revoked: refused from its next call, by the front end.
    with srv.client(token="acme-admin-t", tenant="acme") as acme_admin:
        assert [t.sha256 for t in acme_admin.revoke_token(info.sha256)] == [info.sha256]
    with srv.client(token=token, tenant="acme", retries=0) as crm:
        with pytest.raises(Unauthenticated):
            crm.agent_ids()
    assert len(listed(srv)) == 3


def test_revoking_by_name_and_what_cannot_be_revoked(srv: Running) -> None:
    with srv.client(token="admin-t") as admin:
        made = [admin.create_token("observer", "beta", name="board")[1] for _ in range(2)]
        admin.create_token("observer", "acme", name="board")
        with srv.client(token="acme-admin-t", tenant="acme") as acme_admin:  # beta's are not acme's to revoke
            assert [t.grant.tenant for t in acme_admin.revoke_token(name="board")] == ["acme"]
        gone = admin.revoke_token(name="board")
        assert sorted(t.sha256 for t in gone) == sorted(t.sha256 for t in made)
        before = listed(srv)
        with pytest.raises(UnknownId, match="no token with name 'board' among the tokens this token may manage"):
            admin.revoke_token(name="board")
        with pytest.raises(UnknownId, match="no token with sha256 0{64}"):
            admin.revoke_token("0" * 64)
        with pytest.raises(InvalidInput, match="RevokeToken takes sha256 or name, exactly one"):
            admin.revoke_token()
        with pytest.raises(InvalidInput, match="RevokeToken takes sha256 or name, exactly one"):
            admin.revoke_token("0" * 64, name="ops")
        with pytest.raises(InvalidInput, match=r"sha256 must be the 64 hex digits of a token's SHA-256 \(found 5"):
            admin.revoke_token("xyz12")
        assert listed(srv) == before  # refusals change nothing
        own = token_sha256("admin-t").hex()
        for sha, *_ in listed(srv):
            if sha != own:
                admin.revoke_token(sha)
        with pytest.raises(InvalidState, match="revoking these would leave the server no token at all"):
            admin.revoke_token(own)
        assert [sha for sha, *_ in listed(srv)] == [own]
    with srv.client(token="observer-t", retries=0) as gone:
        with pytest.raises(Unauthenticated):
            gone.status()


@pytest.mark.parametrize("token, request_, code, message", [
    ("acme-admin-t", dict(role="admin", tenant="*"), grpc.StatusCode.PERMISSION_DENIED,
     "role 'admin' for tenant 'acme' may not call CreateToken for tenant '*'"),
    ("acme-admin-t", dict(role="service", tenant="beta"), grpc.StatusCode.PERMISSION_DENIED,
     "role 'admin' for tenant 'acme' may not call CreateToken for tenant 'beta'"),
    ("observer-t", dict(role="observer", tenant="acme"), grpc.StatusCode.PERMISSION_DENIED,
     "role 'observer' may not call CreateToken"),
    ("admin-t", dict(role="boss", tenant="acme"), grpc.StatusCode.INVALID_ARGUMENT,
     "unknown role 'boss' (roles: admin, service, agent, observer)"),
    ("admin-t", dict(role="agent", tenant="acme"), grpc.StatusCode.INVALID_ARGUMENT,
     "role 'agent' needs agent=<id> (--agent with 'ccroute token create'), the one agent the token acts for"),
    ("admin-t", dict(role="service", tenant="acme", agent="a1"), grpc.StatusCode.INVALID_ARGUMENT,
     "agent= is only for role 'agent' (this grant has role 'service')"),
    ("admin-t", dict(role="service", tenant="acme", name="two words"), grpc.StatusCode.INVALID_ARGUMENT,
     "name 'two words' is empty, holds a space or is not printable ASCII"),
    ("acme-admin-t", dict(role="service", tenant="acme", name="café"), grpc.StatusCode.INVALID_ARGUMENT,
     "name 'café' is empty, holds a space or is not printable ASCII"),
    ("admin-t", dict(role="service", tenant="nope"), grpc.StatusCode.NOT_FOUND,
     "unknown tenant 'nope' (create it with CreateTenant)"),
    ("admin-t", dict(role="service", tenant=""), grpc.StatusCode.INVALID_ARGUMENT,
     "tenant '' is not '*' or a name of letters, digits, '.', '_' and '-'"),
])
def test_a_refused_token_request_names_why_and_changes_nothing(
        srv: Running, token: str, request_: dict[str, Any], code: grpc.StatusCode, message: str) -> None:
    before = listed(srv)
    got = rpc(srv, "CreateToken", pb.CreateTokenRequest(**request_), token=token)
    assert got is not None and (got[0], got[1]) == (code, message)
    assert listed(srv) == before


def test_a_retry_with_the_same_key_gets_the_same_token(srv: Running) -> None:
    request = pb.CreateTokenRequest(role="observer", tenant="acme", name="retried", idempotency_key="k1")
    with grpc.insecure_channel(srv.target) as channel:
        stub = router_pb2_grpc.RouterStub(channel)
        first = stub.CreateToken(request, metadata=[("authorization", "Bearer admin-t")], timeout=10)
        again = stub.CreateToken(request, metadata=[("authorization", "Bearer admin-t")], timeout=10)
    assert (again.token, again.grant, again.replayed, first.replayed) == (first.token, first.grant, True, False)
    assert sum(1 for t in listed(srv) if t[3] == "retried") == 1


def test_a_replay_of_a_revoked_token_is_refused(srv: Running) -> None:
    request = pb.CreateTokenRequest(role="observer", tenant="acme", idempotency_key="k2")
    with grpc.insecure_channel(srv.target) as channel:
        stub = router_pb2_grpc.RouterStub(channel)
        first = stub.CreateToken(request, metadata=[("authorization", "Bearer admin-t")], timeout=10)
    with srv.client(token="admin-t") as admin:
        admin.revoke_token(first.grant.sha256)
    got = rpc(srv, "CreateToken", request, token="admin-t")
    assert got is not None and got[:2] == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "the token this idempotency key issued was revoked since; issue another with a new key")


def test_deleting_a_tenant_revokes_its_tokens(srv: Running) -> None:
    with srv.client(token="admin-t") as admin:
        admin.create_tenant("gamma")
        token, _ = admin.create_token("service", "gamma")
        admin.delete_tenant("gamma")
        admin.create_tenant("gamma")  # a new customer of the same name inherits nothing
    assert not [t for t in listed(srv) if t[2] == "gamma"]
    with srv.client(token=token, tenant="gamma", retries=0) as old:
        with pytest.raises(Unauthenticated):
            old.agent_ids()


def test_concurrent_issues_and_revocations_leave_exactly_the_listed_tokens(srv: Running) -> None:
    import threading

    issued: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with srv.client(token="admin-t") as admin:
                for j in range(10):
                    token, info = admin.create_token("observer", "acme", name=f"w{i}")
                    if j % 2:
                        admin.revoke_token(info.sha256)
                    else:
                        issued.append((token, info.sha256))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    kept = {sha for *_, sha in issued}
    assert {t[0] for t in listed(srv) if t[3] and t[3].startswith("w")} == kept
    accepted = {d.hex() for d in srv.server.dispatcher.access.tokens.digests()}  # type: ignore[union-attr]
    assert kept <= accepted and len(accepted) == len(GRANTS) + len(kept)


def test_without_tokens_there_is_nothing_to_issue(start_server: Start) -> None:
    open_srv = start_server()
    got = rpc(open_srv, "CreateToken", pb.CreateTokenRequest(role="admin", tenant="*"))
    assert got is not None and got[0] == grpc.StatusCode.FAILED_PRECONDITION
    assert got[1].startswith("this server runs without tokens (no --token-file)")


# -- the token file as the store ---------------------------------------------------


class Serve:
    """A ``ccroute serve --token-file`` process."""

    def __init__(self, tokens: Path, log: Path) -> None:
        self.log = log.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "ccroute.cli", "serve", "--port", "0",
                                      "--token-file", str(tokens)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        m = re.search(r"listening on (127\.0\.0\.1:\d+)", self.proc.stdout.readline())
        assert m is not None, log.read_text()
        self.target = m.group(1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.log.close()


def test_without_redis_the_token_file_is_the_store(tmp_path: Path) -> None:
    admin = new_token()
    (tmp_path / "secrets").mkdir()
    real = tmp_path / "secrets" / "tokens.txt"
    real.write_text("# ops tokens\n" + token_line(admin, Grant("admin", "*", name="ops")) + "\n")
    os.chmod(real, 0o600)
    path = tmp_path / "tokens.txt"
    path.symlink_to(real)  # as a mounted secret often is: rewritten where it really is
    srv = Serve(path, tmp_path / "serve.log")
    try:
        with RouterClient(srv.target, token=admin) as client:
            token, info = client.create_token("observer", "default", name="board")
            assert info.source == "api"
            assert {t.sha256: t.source for t in client.tokens()} == {info.sha256: "api",
                                                                     token_sha256(admin).hex(): "file"}
        text = path.read_text()
        assert text.startswith("# ops tokens\n")
        assert re.search(f"\n# issued by CreateToken [0-9T:-]+Z\nsha256:{info.sha256} role=observer tenant=default "
                         "name=board\n", text), text
        assert token not in text and os.stat(path).st_mode & 0o777 == 0o600 and path.is_symlink()
        assert not [p for p in (tmp_path / "secrets").iterdir() if p.name.startswith(".ccroute-tokens-")]
    finally:
        srv.stop()
    srv = Serve(path, tmp_path / "serve2.log")  # kept across a restart
    try:
        with RouterClient(srv.target, token=token) as board:
            assert board.status().policy
        with RouterClient(srv.target, token=admin) as client:
            client.revoke_token(info.sha256)
        assert path.read_text() == "# ops tokens\n" + token_line(admin, Grant("admin", "*", name="ops")) + "\n"
        with RouterClient(srv.target, token=token, retries=0) as board:
            with pytest.raises(Unauthenticated):
                board.status()
        # The same from a shell.
        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "ccroute.cli", "token", *args, "--server", srv.target,
                                   "--token", admin], capture_output=True, text=True, cwd=ROOT, timeout=60)
        made = cli("create", "--role", "observer", "--tenant", "default", "--name", "shell")
        assert made.returncode == 0, made.stderr
        shell_token = made.stdout.strip()
        sha = token_sha256(shell_token).hex()
        assert made.stderr == f"sha256:{sha} role=observer tenant=default name=shell source=api\n"
        assert f"sha256:{sha} role=observer" in cli("list").stdout
        revoked = cli("revoke", sha)
        assert (revoked.returncode, revoked.stdout) == (0, f"revoked sha256:{sha} role=observer tenant=default "
                                                           "name=shell source=api\n")
        again = cli("revoke", sha)
        assert again.returncode == 1 and again.stderr.startswith(f"ccroute token revoke: no token with sha256 {sha}")
        # A file the server cannot read any more: refused, nothing changed.
        real.rename(tmp_path / "moved.txt")
        try:
            with RouterClient(srv.target, token=admin) as client:
                before = client.tokens()
                with pytest.raises(InvalidState, match=f"cannot read token file '{re.escape(str(path))}'"):
                    client.create_token("observer", "default")
                assert client.tokens() == before
        finally:
            (tmp_path / "moved.txt").rename(real)
        # The file as it is counts: an operator who removed the admin's line (not reloaded
        # yet) cannot have the API revoke the only other token and leave an empty file.
        with RouterClient(srv.target, token=admin) as client:
            other, info = client.create_token("observer", "default")
            real.write_text("# ops tokens\n" + f"sha256:{info.sha256} role=observer tenant=default\n")
            with pytest.raises(InvalidState, match="revoking these would leave the server no token at all"):
                client.revoke_token(info.sha256)
        assert info.sha256 in real.read_text()
    finally:
        srv.stop()
