"""Event webhooks against a loopback receiver: set over gRPC, signed,
delivered in order and at least once, retried while the receiver fails
or is down (never delaying routing), resumed from the history after a
subscriber overflow, removed, and per tenant."""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import grpc
import pytest
from google.protobuf import json_format

import ccroute as cc
from ccroute.client import RemoteWebhook, RouterClient
from ccroute.server import HistoryGap, ServiceLimits, wire
from ccroute.server.webhooks import SIGNATURE_HEADER, WebhookSender, shown_url, sign, verify_signature
from ccroute.v1 import events_pb2, router_pb2_grpc
from ccroute.v1 import router_pb2 as pb

from .conftest import Running
from .test_tenants import describe, take

Start = Callable[..., Running]
SECRET = "s3cret-of-the-acme-hook"
#: Most events in one POST in these tests (the default is 500): many batches.
BATCH = 5


@dataclass
class Post:
    """One POST the receiver got, and the status it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def sequences(self) -> list[int]:
        return [int(e["sequence"]) for e in self.json["events"]]


class Receiver:
    """A webhook receiver on a loopback port (0: a free one): records each
    POST and answers ``status``; while ``hold`` is set it answers only
    once it is cleared (a receiver that hangs)."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[Post] = []
        self.status = 200
        self.hold: Optional[threading.Event] = None
        self.waiting = 0  # POSTs held right now
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hold = outer.hold
                if hold is not None:
                    with outer._cond:
                        outer.waiting += 1
                        outer._cond.notify_all()
                    hold.wait(10)
                    with outer._cond:
                        outer.waiting -= 1
                status = outer.status
                with outer._cond:
                    outer.posts.append(Post(self.path, dict(self.headers), body, status))
                    outer._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="webhook-receiver", daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        """Stop answering and close the port (a receiver that is down)."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

    def wait(self, predicate: Callable[[list[Post]], bool], what: str) -> list[Post]:
        """The posts once ``predicate`` holds for them (fails after 10 s)."""
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self.posts), 10), f"{what}; got {self.summary()}"
            return list(self.posts)

    def delivered(self, last: int, path: Optional[str] = None) -> list[Post]:
        """The posts once one answered 2xx carries sequence ``last``."""
        return self.wait(lambda posts: any(p.status < 300 and last in p.sequences and path in (None, p.path)
                                           for p in posts), f"sequence {last} delivered")

    def summary(self) -> list[tuple[str, int, list[int]]]:
        return [(p.path, p.status, p.sequences) for p in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    if r.hold is not None:
        r.hold.set()
    r.stop()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Senders made by SetWebhook retry after 20 ms doubling to 200 ms
    (not 0.5 s to 60 s), give a POST 3 s, and send small batches."""
    monkeypatch.setattr(WebhookSender.__init__, "__kwdefaults__",
                        {"timeout": 3.0, "backoff": (0.02, 0.2), "batch": BATCH})


def eventually(check: Callable[[], Any], what: str) -> Any:
    """``check()``'s first true value (polled; fails after 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def in_order(posts: list[Post], first: int, last: int) -> None:
    """The acknowledged batches, in arrival order, carry every sequence
    ``first..last`` once in order, each batch consecutive and at most
    ``BATCH`` long; a duplicate may only be a whole batch sent again."""
    seen: list[int] = []
    batches: list[list[int]] = []
    for p in posts:
        seqs = p.sequences
        assert 1 <= len(seqs) <= BATCH and seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
        if p.status >= 300:
            continue
        if seen and seqs[0] <= seen[-1]:
            assert seqs in batches, f"a partial re-send {seqs}"
            continue
        assert seqs[0] == (seen[-1] + 1 if seen else first), f"a gap before {seqs} (after {seen[-1:]})"
        seen += seqs
        batches.append(seqs)
    assert seen == list(range(first, last + 1))


def records_of(post: Post) -> list[tuple[int, Any]]:
    """``(sequence, event)`` of each event of a POST, read back from its
    protobuf JSON form."""
    return [wire.event_from_pb(json_format.ParseDict(e, events_pb2.Event())) for e in post.json["events"]]


def route_one(client: RouterClient, contact: str, queue: str = "sales") -> None:
    """Submit a contact, which is assigned at once (in the reply: routing is
    not held up), and complete it."""
    events = client.submit(cc.Contact(contact, "voice", queue))
    assert [describe(e)[:2] for e in events] == [("Assigned", contact)]
    client.complete(contact)


# -- delivery, body and signature ----------------------------------------------------
def test_events_are_posted_in_order_signed(start_server: Start, receiver: Receiver) -> None:
    srv = start_server()
    srv.client().create_tenant("acme")
    acme = srv.client(tenant="acme")
    acme.add_agent(cc.Agent("early"))  # before the webhook: not sent
    # User info is sent as basic authentication; read back, the URL shows scheme, host and port only.
    url = receiver.url("/in?source=ccroute").replace("http://", "http://hooks:p%40ss@")
    shown = f"http://***@127.0.0.1:{receiver.port}/***?***"
    hook, made = acme.set_webhook(url, SECRET)
    assert (hook, made) == (RemoteWebhook(shown, 1, 0, ""), "")
    watch = acme.watch_events()
    for a in ("a1", "a2"):
        acme.add_agent(cc.Agent(a))
    for i in range(6):
        acme.submit(cc.Contact(f"c{i}", "voice", "sales"))  # three assigned, three wait
    acme.submit_many([cc.Contact("c6", "voice", "sales")])  # refused: the queue is full
    acme.complete("c0")
    acme.set_agent_state("a2", "away", reason="lunch")
    status = acme.status()
    last = status.last_sequence
    posts = receiver.delivered(last)

    in_order(posts, 2, last)
    assert all(p.status == 200 and p.path == "/in?source=ccroute" for p in posts)
    # The body: tenant, history and the events in protobuf JSON form, the
    # same events (and sequences) as WatchEvents.
    watched = take(watch, last - 1)
    watch.cancel()
    assert [r for p in posts for r in records_of(p)] == [(r.sequence, r.event) for r in watched]
    kinds = {describe(r.event)[0] for r in watched}
    assert {"AgentAdded", "Queued", "Assigned", "Refused", "Completed", "AgentStateChanged"} <= kinds
    for p in posts:
        body = p.json
        assert set(body) == {"tenant", "history_id", "events"}
        assert (body["tenant"], body["history_id"]) == ("acme", status.history_id)
        assert all("sequence" in e and "wallTime" in e for e in body["events"])  # lowerCamelCase names
        seqs = p.sequences
        assert p.headers["ccroute-tenant"] == "acme"
        assert p.headers["ccroute-events"] == f"{seqs[0]}-{seqs[-1]}"
        assert p.headers["Content-Type"] == "application/json"
        assert p.headers["Authorization"] == "Basic " + base64.b64encode(b"hooks:p@ss").decode()
    # The signature: checks with the secret, not with another one, nor for
    # a changed body, nor when stale (a replay).
    for p in posts:
        header, body = p.headers[SIGNATURE_HEADER], p.body
        t = int(header.split(",")[0].removeprefix("t="))
        assert abs(t - time.time()) < 300 and sign(SECRET, body, at=t) == header
        assert verify_signature(SECRET, header, body)
        assert not verify_signature(SECRET + "x", header, body)
        assert not verify_signature(SECRET, header, body.replace(b'"acme"', b'"acmf"'))
        assert not verify_signature(SECRET, header, body + b" ")
        assert not verify_signature(SECRET, header, body, now=t + 301)
        assert verify_signature(SECRET, header, body, now=t + 299)
        assert not verify_signature(SECRET, header.replace(f"t={t}", f"t={t + 1}"), body)
        assert not verify_signature(SECRET, "v1=" + header.split("v1=")[1], body)
        assert not verify_signature(SECRET, "garbage", body)
    eventually(lambda: acme.webhook() == RemoteWebhook(shown, last, 0, ""), "acknowledged")


def test_a_secret_made_by_the_server_is_shown_once(start_server: Start, receiver: Receiver) -> None:
    srv = start_server()
    client = srv.client()
    client.add_agent(cc.Agent("a1"))
    hook, made = client.set_webhook(receiver.url())
    assert hook == RemoteWebhook(shown_url(receiver.url()), 1, 0, "") and len(made) >= 32
    client.submit(cc.Contact("c1", "voice", "sales"))
    post = receiver.delivered(client.status().last_sequence)[-1]
    assert verify_signature(made, post.headers[SIGNATURE_HEADER], post.body)
    # Never shown again: GetWebhook has no secret.
    with grpc.insecure_channel(srv.target) as channel:
        reply = router_pb2_grpc.RouterStub(channel).GetWebhook(pb.GetWebhookRequest(), timeout=10)
    assert reply.webhook.url == shown_url(receiver.url()) and made not in str(reply) and "secret" not in str(reply)

    # Set again without a secret: a new one, the old one no longer signs.
    _, made2 = client.set_webhook(receiver.url("/second"))
    assert made2 and made2 != made
    client.complete("c1")
    post = receiver.delivered(client.status().last_sequence, "/second")[-1]
    assert verify_signature(made2, post.headers[SIGNATURE_HEADER], post.body)
    assert not verify_signature(made, post.headers[SIGNATURE_HEADER], post.body)

    # From an earlier point: the history again, from after_sequence.
    hook, made3 = client.set_webhook(receiver.url("/replay"), SECRET, after_sequence=0)
    assert made3 == "" and hook is not None and hook.delivered_sequence == 0
    last = client.status().last_sequence
    posts = [p for p in receiver.delivered(last, "/replay") if p.path == "/replay"]
    in_order(posts, 1, last)
    # A start beyond the last event is refused (as WatchEvents does), and
    # the webhook in force stays.
    with pytest.raises(HistoryGap, match=f"after_sequence 99 is beyond the last event of tenant 'default', "
                                         f"sequence {last}"):
        client.set_webhook(receiver.url("/future"), SECRET, after_sequence=99)
    eventually(lambda: client.webhook() == RemoteWebhook(shown_url(receiver.url("/replay")), last, 0, ""), "acknowledged")


# -- failures: retried, in order, never holding routing up ------------------------------
def test_a_failing_or_down_receiver_loses_nothing_and_delays_no_routing(start_server: Start,
                                                                        receiver: Receiver) -> None:
    srv = start_server()
    srv.client().create_tenant("acme")
    acme = srv.client(tenant="acme")
    acme.add_agent(cc.Agent("a1"))
    url = receiver.url()
    acme.set_webhook(url, SECRET)
    first = acme.status().last_sequence + 1

    # 1. The receiver answers 500: retried with the same events first.
    receiver.status = 500
    for i in range(4):
        route_one(acme, f"c{i}")
    hook = eventually(lambda: (h := acme.webhook()) is not None and h.failures >= 3 and h, "3 failures")
    assert hook.delivered_sequence == first - 1
    assert hook.last_error.startswith(f"POST {shown_url(url)} for events {first}-") and hook.last_error.endswith(
        "HTTP 500 Internal Server Error")
    refused = [p.sequences for p in receiver.posts]
    assert len(refused) >= 3 and all(s == refused[0] for s in refused)  # the same batch, again
    route_one(acme, "c-during-500")
    receiver.status = 200
    last = acme.status().last_sequence
    receiver.delivered(last)
    eventually(lambda: acme.webhook() == RemoteWebhook(shown_url(url), last, 0, ""), "acknowledged")

    # 2. The receiver is down (its port closed).
    port = receiver.port
    receiver.stop()
    for i in range(3):
        route_one(acme, f"d{i}")
    hook = eventually(lambda: (h := acme.webhook()) is not None and h.failures >= 2 and h, "2 failures")
    assert "ConnectionRefusedError" in hook.last_error
    route_one(acme, "d-while-down")
    back = Receiver(port)
    try:
        last = acme.status().last_sequence
        back.delivered(last)
        in_order(receiver.posts + back.posts, first, last)
        eventually(lambda: acme.webhook() == RemoteWebhook(shown_url(url), last, 0, ""), "acknowledged")

        # 3. The receiver hangs (a POST in flight, no answer): routing goes on.
        back.hold = threading.Event()
        route_one(acme, "h0")
        back.wait(lambda _: back.waiting >= 1, "a POST held")
        for i in range(1, 4):
            route_one(acme, f"h{i}")
        assert acme.status().decisions == 4 + 1 + 3 + 1 + 4
        back.hold.set()
        last = acme.status().last_sequence
        back.delivered(last)
        in_order(receiver.posts + back.posts, first, last)
    finally:
        if back.hold is not None:
            back.hold.set()
        back.stop()


def test_an_overflowed_subscription_resumes_from_the_history(start_server: Start, receiver: Receiver) -> None:
    srv = start_server(limits=ServiceLimits(subscriber_buffer=8))
    srv.client().create_tenant("acme")
    acme = srv.client(tenant="acme")
    acme.add_agent(cc.Agent("a1"))
    acme.set_webhook(receiver.url(), SECRET)
    first = acme.status().last_sequence + 1
    service = srv.server.tenants.service("acme")
    eventually(lambda: service.figures()["event_subscribers"] == 1, "the webhook subscribed")
    receiver.status = 500
    for i in range(15):  # 45 events: far more than the buffer of 8
        route_one(acme, f"c{i}")
    eventually(lambda: service.figures()["event_subscribers"] == 0, "the webhook's subscription cut off")
    receiver.status = 200
    last = acme.status().last_sequence
    assert last - first > 3 * 8
    in_order(receiver.delivered(last), first, last)
    eventually(lambda: acme.webhook() == RemoteWebhook(shown_url(receiver.url()), last, 0, ""), "acknowledged")
    assert service.figures()["event_subscribers"] == 1  # subscribed again


def test_events_the_history_no_longer_holds_are_reported(start_server: Start, receiver: Receiver,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    srv = start_server(limits=ServiceLimits(subscriber_buffer=8, history=20))
    client = srv.client()
    client.add_agent(cc.Agent("a1"))
    client.set_webhook(receiver.url(), SECRET)
    receiver.status = 500
    for i in range(15):  # 45 events; the history keeps 20
        route_one(client, f"c{i}")
    caplog.set_level(logging.ERROR, logger="ccroute.server.webhooks")
    receiver.status = 200
    last = client.status().last_sequence
    posts = receiver.delivered(last)
    gaps = [r for r in caplog.records if getattr(r, "event", None) == "webhook_gap"]
    assert len(gaps) == 1, caplog.text
    lost = range(gaps[0].fields["first"], gaps[0].fields["last"] + 1)  # type: ignore[attr-defined]
    assert f"events {lost[0]}-{lost[-1]} are no longer in the event history" in gaps[0].getMessage()
    got = [s for p in posts if p.status == 200 for s in p.sequences]
    assert got == [s for s in range(2, last + 1) if s not in lost] and lost[-1] >= last - 20
    # Delivering again does not hide the loss: GetWebhook keeps saying which events were lost.
    eventually(lambda: (lambda w: w is not None and (w.delivered_sequence, w.failures) == (last, 0))(client.webhook()),
               "acknowledged")
    state = client.webhook()
    assert state is not None and f"events {lost[0]}-{lost[-1]} are no longer in the event history" in state.last_error


# -- per tenant, and removed -------------------------------------------------------------
def test_each_tenant_gets_its_own_events_and_removal_stops_them(start_server: Start, receiver: Receiver) -> None:
    srv = start_server()
    root = srv.client()
    for name in ("acme", "globex"):
        root.create_tenant(name)
    acme, globex = srv.client(tenant="acme"), srv.client(tenant="globex")
    acme.set_webhook(receiver.url("/acme"), SECRET)
    globex.set_webhook(receiver.url("/globex"), "globex-secret-0123456789")
    watches = {"acme": acme.watch_events(), "globex": globex.watch_events()}
    for i in range(3):
        acme.add_agent(cc.Agent(f"a{i}"))
        globex.add_agent(cc.Agent(f"g{i}"))
        route_one(acme, f"ac{i}")
        route_one(globex, f"gc{i}", "support")
    root.add_agent(cc.Agent("d1"))  # the default tenant has no webhook
    lasts = {"acme": acme.status().last_sequence, "globex": globex.status().last_sequence}
    for name, secret in (("acme", SECRET), ("globex", "globex-secret-0123456789")):
        posts = [p for p in receiver.delivered(lasts[name], f"/{name}") if p.path == f"/{name}"]
        in_order(posts, 1, lasts[name])
        assert all(p.json["tenant"] == p.headers["ccroute-tenant"] == name for p in posts)
        assert all(verify_signature(secret, p.headers[SIGNATURE_HEADER], p.body) for p in posts)
        watched = take(watches[name], lasts[name])
        watches[name].cancel()
        assert [r for p in posts for r in records_of(p)] == [(r.sequence, r.event) for r in watched]
    assert {p.path for p in receiver.posts} == {"/acme", "/globex"}

    # Removed: no more POSTs for acme (and its subscription is gone).
    assert acme.set_webhook("") == (None, "")
    assert acme.webhook() is None
    eventually(lambda: srv.server.tenants.service("acme").figures()["event_subscribers"] == 0, "no subscriber")
    count = len(receiver.posts)
    route_one(acme, "after-removal")
    route_one(globex, "still-sent", "support")
    receiver.delivered(globex.status().last_sequence, "/globex")
    # A new webhook from now on: its first POST is the next event, and
    # nothing reached the old one meanwhile.
    removed_last = acme.status().last_sequence
    acme.set_webhook(receiver.url("/acme-again"), SECRET)
    acme.set_agent_state("a0", "away")
    posts = receiver.delivered(removed_last + 1, "/acme-again")
    assert [(p.path, p.sequences) for p in posts[count:] if p.path != "/globex"] == [
        ("/acme-again", [removed_last + 1])]

    # Deleting a tenant stops its webhook.
    sender = srv.server.tenants.webhooks["globex"]
    root.delete_tenant("globex", force=True)
    assert "globex" not in srv.server.tenants.webhooks and not sender._thread.is_alive()


# -- what a webhook may call ------------------------------------------------------------
def test_urls_and_internal_addresses_refused(start_server: Start, receiver: Receiver,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """By default (no --webhook-private) a webhook never calls a loopback,
    private or link-local address, given or resolved, when set or at a
    connection; malformed URLs are refused naming the flaw; each refusal
    changes nothing."""
    srv = start_server(private_webhooks=False)
    client = srv.client()
    internal = "is a loopback, private or otherwise internal address"
    cases = [
        ("http://127.0.0.1:9/hook", f"webhook host 127.0.0.1 {internal}"),
        ("http://localhost:9/hook", "webhook host localhost resolves to a loopback, private or otherwise"),
        ("https://10.1.2.3/hook", "webhook host 10.1.2.3"),
        ("http://192.168.0.10/hook", "webhook host 192.168.0.10"),
        ("http://169.254.169.254/latest/meta-data", "webhook host 169.254.169.254"),
        ("http://[::1]:9/hook", "webhook host ::1"),
        ("http://[::ffff:127.0.0.1]/hook", "webhook host ::ffff:127.0.0.1"),
        ("http://[64:ff9b::a00:5]/hook", "webhook host 64:ff9b::a00:5"),  # NAT64 of 10.0.0.5
        ("http://[2002:a9fe:a9fe::]/hook", "webhook host 2002:a9fe:a9fe::"),  # 6to4 of 169.254.169.254
        ("http://[::7f00:1]/hook", "webhook host ::7f00:1"),  # IPv4-compatible 127.0.0.1
        ("http://[fec0::1]/hook", "webhook host fec0::1"),  # site-local
        ("http://0.0.0.0:9/hook", "webhook host 0.0.0.0"),
        ("http://100.64.0.1/hook", "webhook host 100.64.0.1"),
        ("http://hooks.example.com/a b", "contains ' '"),
        ("http://hooks.example.com/hook\n", "contains '\\n'"),
        ("http://hooks.example.com/caf\u00e9", "contains '\u00e9' (spaces, control and non-ASCII characters"),
        ("http://hooks.example.com/hook#part", "has a fragment"),
        ("http://u:hunter2@hooks.example.com/hook#x", "'http://***@hooks.example.com/***#***' has a fragment"),
    ]
    for url, text in cases:
        with pytest.raises(cc.InvalidInput) as refused:
            client.set_webhook(url, SECRET)
        assert text in str(refused.value), (url, str(refused.value))
        assert "hunter2" not in str(refused.value)
        if internal in str(refused.value):
            assert "--webhook-private" in str(refused.value)
    assert client.webhook() is None

    # A name that resolves to a public address when set and to loopback
    # later (DNS rebinding) is checked at the connection: nothing is sent.
    real = socket.getaddrinfo
    answer = {"hooks.example.com": "93.184.216.34"}

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answer:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer[host], port))]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    client.set_webhook(f"http://hooks.example.com:{receiver.port}/hook", SECRET)
    answer["hooks.example.com"] = "127.0.0.1"
    client.add_agent(cc.Agent("a1"))
    hook = eventually(lambda: (lambda h: h if h is not None and h.failures else None)(client.webhook()),
                      "a failed delivery")
    assert "webhook host hooks.example.com resolves to a loopback, private or otherwise internal" in hook.last_error
    assert "127.0.0.1" not in hook.last_error  # nothing of the server's network in what tenants read
    assert receiver.posts == []

    # The connection goes to the address checked, never to a second
    # resolution of the name (which would say loopback by then).
    calls = {"n": 0}

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example.com":
            calls["n"] += 1
            to = "93.184.216.34" if calls["n"] <= 2 else "127.0.0.1"  # public (no route here), then loopback
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (to, port))]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    client.set_webhook(f"http://rebind.example.com:{receiver.port}/hook", SECRET)  # resolution 1
    client.add_agent(cc.Agent("a2"))
    # Resolution 2 is checked and connected to (and fails: no route here);
    # a second resolution for the connection would have reached the receiver.
    eventually(lambda: (lambda h: h is not None and h.failures >= 2)(client.webhook()), "failed deliveries")
    assert receiver.posts == []
    # With --webhook-private the same receiver gets the events.
    srv.server.tenants.private_webhooks = True
    client.set_webhook(receiver.url(), SECRET, after_sequence=0)
    receiver.delivered(1)
