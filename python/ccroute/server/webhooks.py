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

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

from google.protobuf import json_format

from ..errors import InvalidInput
from . import wire
from .errors import EventsMissed, HistoryGap, ServiceUnavailable, StreamEnded
from .events import EventRecord, Subscription
from .logs import event

__all__ = ["WebhookState", "WebhookSender", "check_webhook", "sign", "verify_signature", "SIGNATURE_HEADER"]

log = logging.getLogger("ccroute.server.webhooks")

#: The header carrying the signature.
SIGNATURE_HEADER = "ccroute-signature"
#: Shortest secret accepted.
MIN_SECRET = 16
MAX_URL = 2048


@dataclass(frozen=True)
class WebhookState:
    """A webhook and how its deliveries go (never its secret)."""

    url: str
    delivered_sequence: int
    failures: int
    last_error: str


def check_webhook(url: str, secret: str = "") -> tuple[str, str, str]:
    """``(url, secret, made)``: the URL checked (http or https with a
    host), the secret in force, and the secret made here when none was
    given (``""`` otherwise). ``InvalidInput`` naming a bad URL or a
    secret shorter than :data:`MIN_SECRET` (never echoing the secret)."""
    if len(url) > MAX_URL:
        raise InvalidInput(f"webhook url of {len(url)} characters exceeds {MAX_URL}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise InvalidInput(f"webhook url {url!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"webhook url {url!r}: scheme {parts.scheme or '(none)'!r} is not http or https")
    if not parts.hostname:
        raise InvalidInput(f"webhook url {url!r} has no host")
    made = ""
    if not secret:
        secret = made = secrets.token_urlsafe(32)
    elif len(secret) < MIN_SECRET:
        raise InvalidInput(f"webhook secret of {len(secret)} characters is too short (at least {MIN_SECRET}; "
                           "leave it empty and the server makes one)")
    return url, secret, made


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
    """

    def __init__(self, tenant: str, service: Any, url: str, secret: str, after_sequence: int,
                 on_delivered: Optional[Callable[[int], None]] = None, *, timeout: float = 10.0,
                 backoff: tuple[float, float] = (0.5, 60.0), batch: int = 500) -> None:
        self.tenant = tenant
        self.url = url
        self._secret = secret
        self._service = service
        self._on_delivered = on_delivered
        self.timeout = timeout
        self.backoff = backoff
        self.batch = batch
        self._parts = urlsplit(url)
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
        return WebhookState(self.url, self._delivered, self._failures, self._last_error)

    def start(self) -> "WebhookSender":
        self._thread = threading.Thread(target=self._run, name=f"ccroute-webhook-{self.tenant}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop delivering (idempotent): the batch in flight may be
        delivered again by whoever resumes after the last acknowledged one."""
        self._stop.set()
        sub = self._sub
        if sub is not None:
            sub.close()
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
        except (OSError, http.client.HTTPException) as exc:
            self._drop_connection()
            error = f"{type(exc).__name__}: {exc}"
        self._fail(f"POST {self.url} for events {records[0].sequence}-{records[-1].sequence}: {error}")
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
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self._parts.hostname or "", self._parts.port, timeout=self.timeout)
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
