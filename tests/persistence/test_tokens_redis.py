"""Tokens issued by API under ``--redis``: kept in Redis and accepted by
every server of the database, against real servers and Redis on
loopback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ccroute.client import RouterClient, Unauthenticated
from ccroute.errors import InvalidState
from ccroute.server import Grant
from ccroute.server.tokens import new_token, token_line, token_sha256

from .conftest import SKIP, RedisServer, Served, start_peers

pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")

LEASE_MS = 1000


def until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except (AssertionError, Unauthenticated):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def two(redis_server: RedisServer, tmp_path: Path) -> Iterator[tuple[list[Served], str, Path]]:
    admin = new_token()
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(token_line(admin, Grant("admin", "*", name="ops")) + "\n")
    cfg = tmp_path / "router.yaml"
    cfg.write_text("channels: [{name: voice}]\nqueues: [{name: sales}]\n")
    started: list[Served] = []
    try:
        yield start_peers(redis_server.url, 2, cfg, tmp_path, started, LEASE_MS,
                          ("--token-file", str(tokens))), admin, tokens
    finally:
        for s in started:
            s.close()


def works(target: str, token: str) -> None:
    with RouterClient(target, token=token, retries=0) as client:
        client.tenants()


def refused(target: str, token: str) -> None:
    """Passes once ``token`` is refused at ``target``."""
    try:
        works(target, token)
    except Unauthenticated:
        return
    raise AssertionError(f"the revoked token still works on {target}")


def test_a_token_issued_on_one_server_works_on_every_server_until_revoked(
        two: tuple[list[Served], str, Path]) -> None:
    (a, b), admin, tokens = two
    with RouterClient(a.target, token=admin) as on_a:
        token, info = on_a.create_token("observer", "*", name="board")
    assert info.source == "api" and token not in tokens.read_text()
    works(a.target, token)  # at once where it was issued
    until(lambda: works(b.target, token))  # within a second or so elsewhere
    with RouterClient(b.target, token=admin) as on_b:
        listed = {t.sha256: t.source for t in on_b.tokens()}
        assert listed == {info.sha256: "api", token_sha256(admin).hex(): "file"}
        # A token of the server's own file is the file's to remove.
        with pytest.raises(InvalidState, match=r"is in this server's token file, not issued by API: remove its "
                                               r"line there and send SIGHUP"):
            on_b.revoke_token(token_sha256(admin).hex())
        on_b.revoke_token(info.sha256)

    until(lambda: refused(a.target, token))


def test_issued_tokens_survive_a_restart(two: tuple[list[Served], str, Path], redis_server: RedisServer,
                                         tmp_path: Path) -> None:
    (a, b), admin, tokens = two
    with RouterClient(a.target, token=admin) as on_a:
        token, _ = on_a.create_token("service", "default", name="crm")
    a.terminate()
    b.terminate()
    started: list[Served] = []
    try:
        (c,) = start_peers(redis_server.url, 1, tmp_path / "router.yaml", tmp_path, started, LEASE_MS,
                           ("--token-file", str(tokens)))
        works(c.target, token)  # read from Redis at start
    finally:
        for s in started:
            s.close()


def test_a_bad_entry_in_redis_hides_no_other_token_nor_revocation(
        two: tuple[list[Served], str, Path], redis_server: RedisServer) -> None:
    (a, b), admin, _ = two
    with RouterClient(a.target, token=admin) as on_a:
        token, info = on_a.create_token("observer", "*")
    until(lambda: works(b.target, token))
    r = redis_server.client()
    r.hset("ccroute:tokens", "f" * 64, "sha256:" + "f" * 64 + " role=boss tenant=*")  # written by hand, wrong
    r.hincrby("ccroute:tokens", "#version", 1)
    with RouterClient(a.target, token=admin) as on_a:
        on_a.revoke_token(info.sha256)

    until(lambda: refused(b.target, token))
    assert "entry ignored" in b.log.read_text()
