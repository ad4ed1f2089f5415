"""Event webhooks: each tenant may have its events POSTed to a URL.

A :class:`WebhookSender` is one event subscriber of its tenant's service
(the same bounded, resumable subscription as ``WatchEvents``) with its own
thread, so delivery never delays routing. It POSTs the events in sequence
order, in batches (consecutive events, at most ``batch`` per request), as
JSON::

    {"tenant": "acme", "history_id": "...", "events": [<Event>, ...]}

each event in protobuf's JSON form (the JSON API's). Headers:

- ``ccroute-signature: t=<unix seconds>,v1=<hex>``: HMAC-SHA256, keyed
  with the tenant's secret, of ``"<t>."`` followed by the body; a receiver
  checks it with :func:`verify_signature` and refuses a stale ``t``
  (replay);
- ``ccroute-tenant`` and ``ccroute-events: <first>-<last>`` (sequences).

A URL with user info (``https://user:password@host/...``) sends it as
HTTP basic authentication; the password (and every query value) is shown
as ``***`` when the webhook is read back, as the secret is never shown.
Unless the server allows private webhooks (``--webhook-private``, for
receivers on the server's own network), a URL whose host is or resolves
to a loopback, private, link-local or otherwise non-global address is
refused, when set and again at every connection (the sender connects to
the address it checked, so a name that later resolves elsewhere cannot
reach an internal service).

Any 2xx answer acknowledges the batch. Anything else, or no answer within
``timeout``, is retried with exponential backoff (0.5 s doubling to 60 s),
the same events first: delivery is at least once and in order. While the
receiver is down the subscription keeps buffering; when its buffer fills
it is cut off and the sender resumes from the event history after the
last acknowledged event, so a receiver that comes back loses nothing the
history still holds. Events the history no longer holds (the receiver was
down longer than the history covers) cannot be sent: the sender says so
in ``last_error`` and the log, and continues with the oldest it holds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

from google.protobuf import json_format

from ..errors import InvalidInput
from . import wire
from .errors import EventsMissed, HistoryGap, ServiceUnavailable, StreamEnded
from .events import EventRecord, Subscription
from .logs import event

__all__ = ["WebhookState", "WebhookSender", "check_webhook", "shown_url", "sign", "verify_signature", "SIGNATURE_HEADER"]

log = logging.getLogger("ccroute.server.webhooks")

#: The header carrying the signature.
SIGNATURE_HEADER = "ccroute-signature"
#: Shortest secret accepted.
MIN_SECRET = 16
MAX_URL = 2048
#: What :func:`shown_url` shows of a string that is not a URL with a scheme and a host.
NOT_A_URL = "(not a URL)"


@dataclass(frozen=True)
class WebhookState:
    """A webhook and how its deliveries go (never its secret)."""

    url: str
    delivered_sequence: int
    failures: int
    last_error: str


def check_webhook(url: str, secret: str = "", *, private: bool = False) -> tuple[str, str, str]:
    """``(url, secret, made)``: the URL checked (http or https with a
    host, no spaces, control characters or fragment; with ``private``
    False, a host that is not, or does not resolve to, a non-global
    address), the secret in force, and the secret made here when none was
    given (``""`` otherwise). ``InvalidInput`` naming a bad URL (shown
    with :func:`shown_url`) or a secret shorter than :data:`MIN_SECRET`
    (never echoing the secret)."""
    if len(url) > MAX_URL:
        raise InvalidInput(f"webhook url of {len(url)} characters exceeds {MAX_URL}")
    shown = shown_url(url)
    named = "webhook url" if shown == NOT_A_URL else f"webhook url {shown!r}"
    bad = next((ch for ch in url if ch.isspace() or ord(ch) < 32 or ord(ch) >= 127), None)
    if bad is not None:
        raise InvalidInput(f"{named} contains {bad!r} (spaces, control and non-ASCII characters must be "
                           "percent-encoded, a host name in its IDNA form)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise InvalidInput(f"{named} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"{named}: scheme {parts.scheme or '(none)'!r} is not http or https")
    if not parts.hostname:
        raise InvalidInput(f"{named} has no host")
    if parts.fragment or url.endswith("#"):
        raise InvalidInput(f"{named} has a fragment ('#...'), which is never sent")
    if not private:
        try:
            addresses = _addresses(parts.hostname, parts.port or _PORTS[parts.scheme], RESOLVE_TIMEOUT)
        except OSError:
            addresses = []  # not resolvable now: checked again at every connection
        for address in addresses:
            _check_public(parts.hostname, address)
    made = ""
    if not secret:
        secret = made = secrets.token_urlsafe(32)
    elif len(secret) < MIN_SECRET:
        raise InvalidInput(f"webhook secret of {len(secret)} characters is too short (at least {MIN_SECRET}; "
                           "leave it empty and the server makes one)")
    return url, secret, made


def shown_url(url: str) -> str:
    """``url`` as it may be shown (``GetWebhook``, logs, errors): scheme,
    host and port, with any user info, path, query and fragment (where
    receivers' keys live) as ``***``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return NOT_A_URL
    if not parts.scheme or not host:
        return NOT_A_URL
    shown = f"{parts.scheme}://" + ("***@" if "@" in parts.netloc else "")
    shown += (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    if parts.path not in ("", "/"):
        shown += "/***"
    elif parts.path:
        shown += "/"
    if parts.query:
        shown += "?***"
    if parts.fragment or url.endswith("#"):
        shown += "#***"
    return shown


_PORTS = {"http": 80, "https": 443}


#: Seconds SetWebhook waits for the resolver (a name it cannot resolve in
#: time is accepted and checked at every connection instead).
RESOLVE_TIMEOUT = 2.0
#: IPv6 addresses a webhook may reach: global unicast (2000::/3), less the
#: prefixes that carry an IPv4 address (6to4, Teredo; NAT64's 64:ff9b::/96
#: and the IPv4-mapped and -compatible forms are outside 2000::/3).
_V6_GLOBAL = ipaddress.ip_network("2000::/3")
_V6_TUNNELS = (ipaddress.ip_network("2002::/16"), ipaddress.ip_network("2001::/32"))


def _addresses(host: str, port: int, timeout: Optional[float] = None) -> list[str]:
    """The addresses of ``host``: itself when it is an IP address, else
    what the resolver gives within ``timeout`` seconds (``OSError`` when
    it gives nothing in time)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass

    def resolve() -> list[str]:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    if timeout is None:
        return resolve()
    box: list[Any] = []
    done = threading.Event()

    def run() -> None:
        try:
            box.append(resolve())
        except OSError as exc:
            box.append(exc)
        done.set()
    threading.Thread(target=run, name="ccroute-resolve", daemon=True).start()
    if not done.wait(timeout):
        raise OSError(f"no answer from the resolver within {timeout:g} s")
    if isinstance(box[0], OSError):
        raise box[0]
    return list(box[0])


def _check_public(host: str, address: str) -> None:
    """``InvalidInput`` unless ``address`` (of ``host``) is a global one
    (the address itself is logged, never put in the message: a tenant
    learns nothing of the server's network from a refusal)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    public = ip.is_global and not ip.is_multicast
    if ip.version == 6:
        public = public and ip in _V6_GLOBAL and not any(ip in net for net in _V6_TUNNELS)
    if not public:
        try:
            literal = bool(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            literal = False
        if not literal:
            log.warning("webhook host %s resolves to %s, an internal address: refused", host, address)
        raise InvalidInput(f"webhook host {host} {'is' if literal else 'resolves to'} a loopback, private or "
                           "otherwise internal address, which this server does not call (start it with "
                           "--webhook-private to allow receivers on its own network)")


def sign(secret: str, body: bytes, at: Optional[int] = None) -> str:
    """The ``ccroute-signature`` header value of ``body`` at ``at`` (Unix seconds, default now)."""
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: float = 300.0,
                     now: Optional[float] = None) -> bool:
    """Whether ``header`` (``ccroute-signature``) signs ``body`` with
    ``secret`` at a time within ``tolerance`` seconds of ``now``: what a
    receiver checks (constant-time comparison)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        t = int(fields["t"])
        given = fields["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


class WebhookSender:
    """Delivers one tenant's events to its webhook (see the module docstring).

    Args:
        tenant: the tenant's name (in the body and a header).
        service: the tenant's :class:`~ccroute.server.service.RouterService`.
        url, secret: checked with :func:`check_webhook`.
        after_sequence: the first event sent is the one after it.
        on_delivered: called with the last sequence of each acknowledged
            batch (durable forms store it, so a new owner resumes there).
        timeout: seconds a POST may take.
        backoff: first and longest wait between failed attempts.
        batch: most events in one POST.
        private: whether the URL may reach non-global addresses.
    """

    def __init__(self, tenant: str, service: Any, url: str, secret: str, after_sequence: int,
                 on_delivered: Optional[Callable[[int], None]] = None, *, timeout: float = 10.0,
                 backoff: tuple[float, float] = (0.5, 60.0), batch: int = 500, private: bool = False) -> None:
        self.tenant = tenant
        self.url = url
        self._secret = secret
        self._service = service
        self._on_delivered = on_delivered
        self.timeout = timeout
        self.backoff = backoff
        self.batch = batch
        self._parts = urlsplit(url)
        self.private = private
        self._auth = ""
        if self._parts.username is not None:
            user = f"{unquote(self._parts.username)}:{unquote(self._parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(user.encode()).decode()
        self._delivered = after_sequence
        self._failures = 0
        self._last_error = ""
        #: Events the history no longer held when the sender resumed (kept: a success does not clear it).
        self._gap = ""
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._conn: Optional[http.client.HTTPConnection] = None
        self._sub: Optional[Subscription] = None

    def config(self) -> dict[str, Any]:
        """What a durable form stores to start the same webhook elsewhere."""
        return {"url": self.url, "secret": self._secret, "after_sequence": self._delivered}

    def state(self) -> WebhookState:
        return WebhookState(shown_url(self.url), self._delivered, self._failures, self._last_error)

    def start(self) -> "WebhookSender":
        self._thread = threading.Thread(target=self._run, name=f"ccroute-webhook-{self.tenant}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0, *, wait: bool = True) -> None:
        """Stop delivering (idempotent): a POST in flight is cut off, and
        its batch may be delivered again by whoever resumes after the last
        acknowledged one. Without ``wait`` it returns at once (stop many
        senders, then :meth:`join` them)."""
        self._stop.set()
        sub = self._sub
        if sub is not None:
            sub.close()
        conn = self._conn
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:  # wakes a thread blocked on a receiver that does not answer
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if wait:
            self.join(timeout)

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the sender's thread to end after :meth:`stop`."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self._conn is not None:
            self._conn.close()

    # -- the loop -------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._deliver()
        finally:  # a subscription made while stop() ran must not hold a subscriber slot
            sub, self._sub = self._sub, None
            if sub is not None:
                sub.close()

    def _deliver(self) -> None:
        pending: list[EventRecord] = []
        while not self._stop.is_set():
            try:
                if not pending:
                    pending = self._next()
                    if not pending:
                        continue
                if self._post(pending):
                    self._delivered = pending[-1].sequence
                    pending = []
                    if self._on_delivered is not None and not self._stop.is_set():
                        try:
                            self._on_delivered(self._delivered)
                        except Exception as exc:  # storing the position is best effort: redelivery is safe
                            log.warning("webhook of tenant %r: cannot store the delivered position (%s)",
                                        self.tenant, exc)
            except StreamEnded:
                return  # the service stops; whoever serves the tenant next resumes
            except ServiceUnavailable as exc:
                if not self._service.running:
                    return
                self._fail(f"tenant unavailable: {exc}")
            except Exception as exc:  # never let a bug end deliveries silently
                self._drop_connection()
                log.exception("webhook of tenant %r failed unexpectedly", self.tenant)
                self._fail(f"internal error ({type(exc).__name__}: {exc})")

    def _next(self) -> list[EventRecord]:
        """The next events after the last acknowledged one ([] after a
        short wait with none)."""
        if self._sub is None:
            self._subscribe()
        assert self._sub is not None
        try:
            got = self._sub.get(timeout=0.5, max_events=self.batch)
        except EventsMissed:  # cut off while the receiver was slow: resume from the history
            self._sub.close()
            self._sub = None
            return []
        if got is None:  # closed by stop()
            self._sub = None
            return []
        return [r for r in got if r.sequence > self._delivered]

    def _subscribe(self) -> None:
        try:
            self._sub = self._service.subscribe(self._delivered)
        except HistoryGap as exc:
            oldest = self._service.status().oldest_sequence
            lost = f"events {self._delivered + 1}-{oldest - 1} are no longer in the event history and were " \
                   f"not delivered ({exc})"
            event(log, logging.ERROR, "webhook_gap", f"webhook of tenant {self.tenant!r}: {lost}",
                  tenant=self.tenant, first=self._delivered + 1, last=oldest - 1)
            self._last_error = self._gap = lost
            self._delivered = max(self._delivered, oldest - 1)
            self._sub = self._service.subscribe(self._delivered)

    def _post(self, records: Sequence[EventRecord]) -> bool:
        """POST one batch; True when acknowledged. A failure waits out its
        backoff before returning False."""
        body = json.dumps({
            "tenant": self.tenant,
            "history_id": self._service.history_id,
            "events": [json_format.MessageToDict(e) for e in wire.events_to_pb(records)],
        }, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            "ccroute-tenant": self.tenant,
            "ccroute-events": f"{records[0].sequence}-{records[-1].sequence}",
            "User-Agent": "ccroute-webhook",
        }
        if self._auth:
            headers["Authorization"] = self._auth
        try:
            conn = self._connection()
            target = self._parts.path or "/"
            if self._parts.query:
                target += "?" + self._parts.query
            conn.request("POST", target, body=body, headers=headers)
            reply = conn.getresponse()
            reply.read()
            if 200 <= reply.status < 300:
                if self._failures:
                    event(log, logging.INFO, "webhook_recovered",
                          f"webhook of tenant {self.tenant!r} delivers again after {self._failures} failures",
                          tenant=self.tenant, failures=self._failures)
                self._failures = 0
                self._last_error = self._gap
                return True
            error = f"HTTP {reply.status} {reply.reason}"
        except InvalidInput as exc:  # the host resolves to an address not called
            self._drop_connection()
            error = str(exc)
        except (OSError, http.client.HTTPException) as exc:
            self._drop_connection()
            error = f"{type(exc).__name__}: {exc}"
        self._fail(f"POST {shown_url(self.url)} for events {records[0].sequence}-{records[-1].sequence}: {error}")
        return False

    def _fail(self, error: str) -> None:
        self._failures += 1
        self._last_error = error
        wait = min(self.backoff[1], self.backoff[0] * 2 ** min(self._failures - 1, 30))
        if self._failures in (1, 5) or self._failures % 20 == 0:
            event(log, logging.WARNING, "webhook_failed",
                  f"webhook of tenant {self.tenant!r}: {error} (failure {self._failures}; retry in {wait:.1f} s)",
                  tenant=self.tenant, failures=self._failures, error=error)
        self._stop.wait(wait)

    def _connection(self) -> http.client.HTTPConnection:
        """The connection to the receiver, made to an address of its host
        that was checked (unless private addresses are allowed): the
        ``Host`` header and TLS name stay the URL's."""
        if self._conn is None:
            host = self._parts.hostname or ""
            port = self._parts.port or _PORTS[self._parts.scheme]
            addresses = _addresses(host, port)
            if not self.private:
                for address in addresses:
                    _check_public(host, address)
            cls = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
            conn = cls(host, port, timeout=self.timeout)

            def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
                # Each checked address in turn (never a name, which could resolve elsewhere now).
                error: Optional[OSError] = None
                for pinned in addresses:
                    try:
                        return socket.create_connection((pinned, address[1]), *args, **kwargs)
                    except OSError as exc:
                        error = exc
                assert error is not None
                raise error
            conn._create_connection = connect  # type: ignore[attr-defined]
            self._conn = conn
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
