"""Operating ``ccroute serve``: JSON logs and SIGHUP reload, against a real
server process on loopback."""

from __future__ import annotations

import json
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def _https_get(url: str, cafile: Path, token: str) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(cafile))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def test_with_tls_the_http_port_serves_https_with_the_same_certificate(
    tmp_path: Path, serve: Callable[..., Proc], self_signed: tuple[bytes, bytes]
) -> None:
    """Tokens travel on the HTTP port too (metrics, wallboard, JSON API):
    with ``--tls-cert`` it is HTTPS, unless ``--http-plain``; a client that
    fails the handshake is dropped without disturbing the server."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(self_signed[0])
    key.write_bytes(self_signed[1])
    admin = new_token()
    (tmp_path / "tokens.txt").write_text(token_line(admin, Grant("admin")) + "\n")
    srv = serve("--tls-cert", str(cert), "--tls-key", str(key), "--http-port", "0", "--json-api",
                "--token-file", str(tmp_path / "tokens.txt"))
    assert srv.proc.stdout is not None
    m = re.search(r"http on (https://127\.0\.0\.1:\d+)", srv.proc.stdout.readline())
    assert m is not None
    url = m.group(1)
    port = int(url.rsplit(":", 1)[1])
    silent = socket.create_connection(("127.0.0.1", port), timeout=5)  # connects, never says hello
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # plain HTTP to a TLS port: dropped
        try:
            answer = plain.recv(100)
        except OSError:
            answer = b""
        assert not answer.startswith(b"HTTP/1.1 200")
    started = time.monotonic()  # the silent client's handshake waits on its own thread, not in front of this
    assert _https_get(url + "/healthz", cert, admin) == (200, b"ok\n")
    assert time.monotonic() - started < 5.0
    silent.close()
    status, body = _https_get(url + "/metrics", cert, admin)
    assert status == 200 and b"ccroute_healthy 1.0" in body
    submit = b'{"contact": {"id": "c1", "channel": "voice", "queue": "default"}}'
    request = urllib.request.Request(url + "/v1/SubmitContact", data=submit, method="POST",
                                     headers={"Authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context(cafile=str(cert))) as r:
        assert r.status == 200
    events = urllib.request.Request(url + "/v1/WatchEvents?afterSequence=0",
                                    headers={"Authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(events, timeout=10, context=ssl.create_default_context(cafile=str(cert))) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert b'"c1"' in b"".join(stream.readline() for _ in range(4))  # the stream runs over TLS
    assert "Traceback" not in srv.err_path.read_text()

    plain_srv = serve("--tls-cert", str(cert), "--tls-key", str(key), "--http-port", "0", "--http-plain")
    assert plain_srv.proc.stdout is not None
    assert re.search(r"http on http://127\.0\.0\.1:\d+", plain_srv.proc.stdout.readline())


@pytest.mark.parametrize("args, message", [
    (["--sl-window", "10"], "ccroute serve: --sl-window needs --http-port"),
    (["--http-host", "127.0.0.1", "--sl-interval", "5"], "ccroute serve: --http-host, --sl-interval need --http-port"),
    (["--lease-ms", "1000"], "ccroute serve: --lease-ms needs --redis"),
    (["--snapshot-every", "5"], "ccroute serve: --snapshot-every needs --redis"),
    (["--redis", "redis://127.0.0.1:1/0", "--advertise", "127.0.0.1:1", "--http-port", "0", "--http-plain"],
     "ccroute serve: --http-plain with --advertise: give --advertise-http, the https:// URL clients reach this "
     "server's HTTP port at through the proxy that terminates TLS"),
    (["--redis", "redis://127.0.0.1:1/0", "--advertise", "127.0.0.1:1", "--http-port", "0",
      "--advertise-http", "ftp://x.example"],
     "ccroute serve: --advertise-http 'ftp://x.example' is not a base URL such as http://host:port (scheme, host "
     "and port only)"),
    (["--advertise-http", "http://x.example:80"],
     "ccroute serve: --advertise-http names this server's HTTP port to the other servers of a scale-out: it needs "
     "--advertise and --http-port"),
    (["--http-port", "0", "--http-plain"],
     "ccroute serve: --http-plain keeps the HTTP port unencrypted when --tls-cert is given: it needs --http-port "
     "and --tls-cert"),
])
def test_an_option_without_the_one_it_needs_is_refused(args: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "ccroute.cli", "serve", "--port", "0", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", message)
