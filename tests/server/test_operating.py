"""Operating ``ccroute serve``: JSON logs and SIGHUP reload, against a real
server process on loopback."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ccroute.client import PermissionDenied, RouterClient, Unauthenticated
from ccroute.server.tokens import Grant, new_token, token_line

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "router.yaml"


class Proc:
    """A ``ccroute serve --log-format json`` process and its stderr lines."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.err_path = tmp / "stderr.log"
        self.err = self.err_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ccroute.cli", "serve", "--port", "0", "--log-format", "json", *args],
            stdout=subprocess.PIPE, stderr=self.err, text=True, cwd=ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
        assert m is not None, (line, self.err_path.read_text())
        self.target = m.group(1)

    def records(self) -> list[dict[str, Any]]:
        """Every stderr line, parsed: each must be one JSON object."""
        return [json.loads(ln) for ln in self.err_path.read_text().splitlines()]

    def wait_for(self, event: str, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.records() if r["event"] == event]
            if len(found) >= count:
                return found[count - 1]
            assert time.monotonic() < deadline, f"no {event!r} in {self.err_path.read_text()}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.err.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    started: list[Proc] = []

    def start(*args: str) -> Proc:
        started.append(Proc(tmp_path, *args))
        return started[-1]

    yield start
    for p in started:
        p.stop()


def test_json_logs_carry_start_refusal_and_shutdown(tmp_path: Path, serve: Callable[..., Proc]) -> None:
    admin, observer = new_token(), new_token()
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(token_line(admin, Grant("admin")) + "\n" + token_line(observer, Grant("observer")) + "\n")
    srv = serve("--config", str(EXAMPLE), "--token-file", str(tokens))
    start = srv.wait_for("server_start")
    assert start["address"] == srv.target
    assert (start["tls"], start["auth"], start["persistence"]) == (False, True, "memory")
    assert start["level"] == "info" and start["logger"] == "ccroute.server"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", start["ts"])

    with RouterClient(srv.target, token=observer) as client:
        with pytest.raises(PermissionDenied):
            client.remove_agent("alice")
    with RouterClient(srv.target, token=admin) as client:
        assert client.agent_ids() == ["alice", "bruno"]
    refused = srv.wait_for("call_refused")
    assert refused["method"] == "/ccroute.v1.Router/RemoveAgent"
    assert (refused["role"], refused["code"], refused["level"]) == ("observer", "PERMISSION_DENIED", "warning")

    srv.stop()
    assert srv.proc.returncode == 0
    events = [r["event"] for r in srv.records()]
    assert events[-2:] == ["shutdown", "stopped"]
    text = srv.err_path.read_text()
    assert admin not in text and observer not in text  # never a token


def test_sighup_reloads_the_config_file_and_keeps_it_when_broken(tmp_path: Path,
                                                                  serve: Callable[..., Proc]) -> None:
    config = tmp_path / "router.yaml"
    original = EXAMPLE.read_text()
    config.write_text(original)
    srv = serve("--config", str(config), "--slow-call-ms", "0")
    with RouterClient(srv.target) as client:
        assert client.config().policy == "longest_idle"
        slow = srv.wait_for("slow_call")  # every unary call is slower than 0 ms
        assert slow["method"] == "/ccroute.v1.Router/GetConfig" and slow["ms"] >= 0

        config.write_text(original.replace("policy: longest_idle", "policy: most_skilled"))
        srv.proc.send_signal(signal.SIGHUP)
        reload = srv.wait_for("reload")
        assert reload["changes"] == ["policy: was 'longest_idle', now 'most_skilled'"]
        assert client.config().policy == "most_skilled"
        assert client.agent_ids() == ["alice", "bruno"]  # live state is kept

        config.write_text("policy: [not, a, policy\n")
        srv.proc.send_signal(signal.SIGHUP)
        failed = srv.wait_for("reload_failed")
        assert failed["level"] == "error" and "not valid YAML" in failed["error"]

        # Parsed, but refused by the router: unchanged too.
        config.write_text(original.replace("policy: longest_idle", "policy: no_such_policy"))
        srv.proc.send_signal(signal.SIGHUP)
        failed = srv.wait_for("reload_failed", count=2)
        assert "no_such_policy" in failed["error"]
        assert client.config().policy == "most_skilled"
        assert srv.proc.poll() is None


def test_sighup_reloads_the_token_file_and_unknown_tokens_are_logged(tmp_path: Path,
                                                                      serve: Callable[..., Proc]) -> None:
    old, new = new_token(), new_token()
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(token_line(old, Grant("admin")) + "\n")
    srv = serve("--config", str(EXAMPLE), "--token-file", str(tokens))
    with RouterClient(srv.target, token=new) as client:
        with pytest.raises(Unauthenticated):
            client.agent_ids()
    # Refused by the Rust front end, logged by the server: method and code, never the token.
    refused = srv.wait_for("call_refused")
    assert (refused["method"], refused["code"], refused["role"]) == (
        "/ccroute.v1.Router/ListAgents", "UNAUTHENTICATED", None)

    tokens.write_text(token_line(new, Grant("observer")) + "\n")  # the old token removed, a new one added
    srv.proc.send_signal(signal.SIGHUP)
    assert srv.wait_for("reload")["tokens"] == 1
    with RouterClient(srv.target, token=new) as client:
        assert client.agent_ids() == ["alice", "bruno"]
        with pytest.raises(PermissionDenied):  # its role is the new file's
            client.remove_agent("alice")
    with RouterClient(srv.target, token=old) as client:
        with pytest.raises(Unauthenticated):
            client.agent_ids()

    tokens.write_text("sha256:nothex role=admin tenant=*\n")  # a bad line: nothing changes
    srv.proc.send_signal(signal.SIGHUP)
    failed = srv.wait_for("reload_failed")
    assert "line 1" in failed["error"]
    with RouterClient(srv.target, token=new) as client:
        assert client.agent_ids() == ["alice", "bruno"]
    text = srv.err_path.read_text()
    assert old not in text and new not in text
