"""The HTTP side of ``ccroute serve --http-port``: metrics, health, wallboard.

Routes:

- ``GET /metrics`` — Prometheus text format (:mod:`.metrics`);
- ``GET /healthz`` — ``200 ok`` while the service can serve (engine
  running, command log written, lease held, no round stuck on a write)
  and publishes fresh snapshots, ``503`` with the reason otherwise;
- ``GET /`` and ``GET /static/<file>`` — the wallboard page
  (``ccroute/wallboard/``, shipped in the package);
- ``GET /events`` — server-sent events: a ``history`` event (30 minutes of
  service level per queue) then one ``snapshot`` event per second;
- ``GET /api/snapshot`` — the latest snapshot as JSON;
- the wallboard routes take ``?tenant=<name>`` for another tenant served
  here than ``default`` (404 naming why for one that is not);
- ``/v1/...`` — with a :class:`~.json_api.JsonApi`, the gRPC service as
  JSON over HTTP (``POST /v1/<Method>``, ``GET /v1/openapi.json``; see
  :mod:`.json_api`), which checks tokens as gRPC does.

With tokens (``ccroute serve --token-file``), ``/metrics`` needs an
``observer`` token or higher in ``Authorization: Bearer <token>``, and the
wallboard (``/``, ``/events``, ``/api/snapshot``) takes the token that way
or as ``?token=`` on the URL, which the page passes on to its own
requests: 401 without a valid token, 403 for a role that may not read
(``agent``). ``/healthz`` and the page's static files (code shipped in
the package, no figures) stay open, as the gRPC health check does.

It runs on its own threads (stdlib :class:`ThreadingHTTPServer`, one
thread per connection, at most ``max_connections`` at once, of which at
most ``max_streams`` event streams). Every response is built from the
latest published snapshot, never by calling the router: a slow client only
ever blocks its own thread, and a client that stops reading is dropped
after ``write_timeout`` seconds.
"""

from __future__ import annotations

import logging
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qs

from ..tokens import ALL_TENANTS
from .metrics import CONTENT_TYPE_LATEST, Metrics
from .snapshot import SnapshotPublisher

if TYPE_CHECKING:
    from ..access import Access
    from .json_api import JsonApi

__all__ = ["Elsewhere", "HttpServer", "standby_http"]

log = logging.getLogger("ccroute.server")

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: Seconds between keep-alive comments on an idle event stream.
KEEPALIVE = 15.0
#: A token in a logged request line, hidden.
_URL_TOKEN = re.compile(r"([?&]token=)[^&\s\"]*")
#: The routes of the wallboard, which also take ``?token=``.
_WALLBOARD = ("/", "/index.html", "/events", "/api/snapshot")


def _static(name: str) -> Optional[bytes]:
    if "/" in name or name.startswith(".") or not any(name.endswith(e) for e in _TYPES):
        return None
    try:
        return (resources.files("ccroute") / "wallboard" / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


class Elsewhere(LookupError):
    """No wallboard for a tenant here: another server serves it, at ``url``
    (the base URL of its HTTP port)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: "HttpServer") -> None:
        self.owner = owner
        self.slots = threading.BoundedSemaphore(owner.max_connections)
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        request, client_address = super().get_request()
        if self.owner.tls is not None:  # the handshake runs on the connection's own thread (setup)
            request = self.owner.tls.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        return request, client_address

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):  # full: refuse at once, never queue
            if self.owner.tls is None:  # over TLS, a 503 would need a handshake on the accepting thread
                try:
                    request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                    b"Connection: close\r\n\r\n")
                except OSError:
                    pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # a client gone, or one that failed the TLS handshake
            log.debug("http %s: %s", client_address[0] if client_address else "?", exc)
            return
        super().handle_error(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Httpd
    protocol_version = "HTTP/1.1"
    server_version = "ccroute"

    def setup(self) -> None:
        self.request.settimeout(self.server.owner.write_timeout)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        if log.isEnabledFor(logging.DEBUG):  # never log a token from a URL
            log.debug("http %s: %s", self.address_string(), _URL_TOKEN.sub(r"\1<hidden>", format % args))

    def _send(self, status: int, body: bytes, content_type: str, *, cache: bool = False,
              headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=60" if cache else "no-store")
        self.send_header("Referrer-Policy", "no-referrer")  # a ?token= never leaves in a Referer
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    #: Headers the JSON API adds to this request's answer (CORS), sent once.
    extra_headers: list[tuple[str, str]] = []

    def end_headers(self) -> None:
        for name, value in self.extra_headers:
            self.send_header(name, value)
        self.extra_headers = []
        super().end_headers()

    def _api(self) -> bool:
        """Hand a request under ``/v1/`` to the JSON API when one is
        mounted; True if it did."""
        owner = self.server.owner
        if owner.api is None or not self.path.startswith("/v1/"):
            return False
        try:
            owner.api.handle(self, lambda: owner.closing)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        return True

    def do_POST(self) -> None:
        if self._api():
            return
        if self.path.startswith("/v1/"):
            self._send(404, b"the JSON API is off on this server: serve with --json-api to call /v1/...\n",
                       "text/plain; charset=utf-8")
        else:
            self.send_error(501, f"Unsupported method ({self.command!r})")  # as without do_POST

    do_PUT = do_PATCH = do_DELETE = do_POST  # the JSON API answers 405 naming the method to use
    do_OPTIONS = do_POST  # a CORS preflight, which the JSON API answers

    def _refused(self, path: str, query: str) -> bool:
        """With tokens, answer 401 or 403 (and True) unless the request
        carries an ``observer`` token or higher for ``path``: for
        ``/metrics`` of any tenant (it then shows that tenant's series
        only, unless the token covers every tenant), for the wallboard of
        the default tenant."""
        access = self.server.owner.access
        self._metrics_tenant: Optional[str] = None
        if access is None or not (path == "/metrics" or path in _WALLBOARD):
            return False
        what = "/metrics" if path == "/metrics" else "the wallboard"
        if path == "/metrics":
            grant, refusal = access.http_grant(self.headers.get("Authorization"), query, what)
            if grant is not None and grant.tenant != ALL_TENANTS:
                self._metrics_tenant = grant.tenant
        else:
            tenant = _tenant_of(query)
            refusal = access.http_refusal(self.headers.get("Authorization"), query, what, url_token=True,
                                          tenant=tenant)
        if refusal is None:
            return False
        status, message = refusal
        headers = (("WWW-Authenticate", 'Bearer realm="ccroute"'),) if status == 401 else ()
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8", headers=headers)
        return True

    def do_GET(self) -> None:
        if self._api():
            return
        owner = self.server.owner
        path, _, query = self.path.partition("?")
        try:
            if self._refused(path, query):
                return
            if path == "/metrics":
                self._send(200, owner.metrics.exposition(getattr(self, "_metrics_tenant", None)),
                           CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                ok, reason = owner.health()
                self._send(200 if ok else 503, (reason + "\n").encode(), "text/plain; charset=utf-8")
            elif path in ("/", "/index.html"):
                # A tenant served elsewhere: the page moves to its server (its figures
                # then come from there); one not served anywhere: 404 saying why.
                if self._publisher(query, redirect=True) is not None:
                    self._file("index.html")
            elif path.startswith("/static/"):
                self._file(path[len("/static/"):])
            elif path == "/api/snapshot":
                pub = self._publisher(query)
                if pub is not None:
                    self._send(200, pub.latest_json()[1], "application/json")
            elif path == "/events":
                pub = self._publisher(query)
                if pub is not None:
                    self._events(pub, _tenant_of(query))
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _file(self, name: str) -> None:
        body = _static(name)
        if body is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
            return
        self._send(200, body, _TYPES["." + name.rsplit(".", 1)[1]], cache=False)

    def _publisher(self, query: str, redirect: bool = False) -> Optional[SnapshotPublisher]:
        """The publisher of the tenant the wallboard asks for (``?tenant=``),
        or ``None`` after answering 404 naming why there is none (with
        ``redirect``, 307 to the server that serves it when known)."""
        tenant = _tenant_of(query)
        try:
            return self.server.owner.publisher_of(tenant)
        except Elsewhere as exc:
            # Never from HTTPS to plain HTTP: a ?token= would travel in clear.
            if not redirect or (self.server.owner.tls is not None and not exc.url.startswith("https://")):
                self._send(404, (str(exc.args[0]) + "\n").encode(), "text/plain; charset=utf-8")
                return None
            self._send(307, (str(exc.args[0]) + "\n").encode(), "text/plain; charset=utf-8",
                       headers=(("Location", exc.url + self.path),))
            return None
        except LookupError as exc:
            self._send(404, (str(exc.args[0]) + "\n").encode(), "text/plain; charset=utf-8")
            return None

    def _events(self, pub: SnapshotPublisher, tenant: str) -> None:
        owner = self.server.owner
        if not owner.streams.acquire(blocking=False):
            self._send(503, b"too many event streams\n", "text/plain; charset=utf-8")
            return
        try:
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            if self.command == "HEAD":
                return
            out = self.wfile
            out.write(b"retry: 2000\nevent: history\ndata: " + pub.history_json() + b"\n\n")
            version, body = pub.latest_json()
            out.write(b"event: snapshot\ndata: " + body + b"\n\n")
            out.flush()
            quiet = checked = time.monotonic()
            while not pub.closed and not owner.closing:
                if time.monotonic() - checked >= STREAM_CHECK:  # still this tenant's, and counted as used
                    checked = time.monotonic()
                    try:
                        if owner.publisher_of(tenant) is not pub:
                            return
                    except LookupError:
                        return
                newer, body = pub.wait_newer(version, 1.0)
                if newer != version:
                    version = newer
                    out.write(b"event: snapshot\ndata: " + body + b"\n\n")
                    out.flush()
                    quiet = time.monotonic()
                elif time.monotonic() - quiet >= KEEPALIVE:
                    out.write(b": keep-alive\n\n")
                    out.flush()
                    quiet = time.monotonic()
        finally:
            owner.streams.release()


#: Seconds between an event stream's checks that its tenant is still served here.
STREAM_CHECK = 5.0


def _tenant_of(query: str) -> str:
    """The tenant a wallboard request names (``?tenant=``, default ``default``)."""
    given = parse_qs(query).get("tenant")
    return given[0] if given and given[0] else "default"


class HttpServer:
    """Metrics, health and the wallboard for one :class:`RouterService`.

    Args:
        publisher: where the figures come from.
        metrics: the registry served on ``/metrics``.
        host, port: where to listen (port 0 picks a free one; see :attr:`port`).
        max_connections: connections served at once (more get ``503``).
        max_streams: wallboard event streams at once.
        write_timeout: seconds a client may take to read before it is dropped.
        stale_after: ``/healthz`` fails when the newest snapshot is older.
        access: the server's tokens (``None``: open): ``/metrics`` and the
            wallboard then need an ``observer`` token or higher.
        api: the JSON API served under ``/v1/`` (``None``: none).
        publishers: the wallboard publisher of a tenant other than
            ``default`` (``LookupError`` with the reason when there is none;
            ``None``: only ``default`` has a wallboard).
        tls: serve HTTPS with this context (``None``: plain HTTP).
    """

    def __init__(self, publisher: SnapshotPublisher, metrics: Metrics, host: str = "127.0.0.1",
                 port: int = 0, *, max_connections: int = 64, max_streams: int = 32,
                 write_timeout: float = 10.0, stale_after: float = 5.0,
                 access: Optional["Access"] = None, api: Optional["JsonApi"] = None,
                 publishers: Optional[Callable[[str], SnapshotPublisher]] = None,
                 tls: Optional[ssl.SSLContext] = None) -> None:
        self.publisher = publisher
        self.tls = tls
        #: Raises ``LookupError`` (``Elsewhere``) when the default tenant is
        #: not served here now (scale-out); ``None``: it always is.
        self.default_elsewhere: Optional[Callable[[], None]] = None
        self._publishers = publishers
        self.access = access
        self.api = api
        self.metrics = metrics
        self.max_connections = max_connections
        self.streams = threading.BoundedSemaphore(max_streams)
        self.write_timeout = write_timeout
        self.stale_after = stale_after
        self.closing = False
        try:
            self._httpd = _Httpd((host, port), self)
        except OSError as exc:
            raise OSError(f"cannot listen on {host}:{port} for HTTP: {exc.strerror or exc}") from None
        self.host = host
        self.port: int = self._httpd.server_address[1]
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "HttpServer":
        """Serve on a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                            name="ccroute-http", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and end every event stream (idempotent)."""
        self.closing = True
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5.0)
            self._thread = None
        self._httpd.server_close()

    def publisher_of(self, tenant: str) -> SnapshotPublisher:
        """The wallboard publisher of ``tenant`` (``LookupError`` naming why there is none)."""
        if tenant == "default":
            if self.default_elsewhere is not None:
                self.default_elsewhere()  # raises when another server serves it now
            return self.publisher
        if self._publishers is None:
            raise LookupError(f"tenant {tenant!r} has no wallboard here")
        return self._publishers(tenant)

    def health(self) -> tuple[bool, str]:
        """``(healthy, reason)``: the service can serve (its engine, command
        log and lease: ``RouterService.health``) and publishes fresh
        snapshots."""
        problem = self.publisher.service_health()
        if problem is not None:
            return False, problem
        snap = self.publisher.latest
        if snap is None:
            return False, "no snapshot yet"
        age = time.time() - snap.taken
        if age > self.stale_after:
            return False, f"engine has not answered for {age:.1f} s"
        return True, "ok"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"{'https' if self.tls is not None else 'http'}://{host}:{self.port}"


class _Waiting:
    """The publisher of a server that does not serve yet (a standby):
    no figures, and the reason as its health."""

    latest = None
    closed = False

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def service_health(self) -> Optional[str]:
        return self.reason

    def latest_json(self) -> tuple[int, bytes]:
        return 0, b"{}"

    def history_json(self) -> bytes:
        return b"{}"

    def wait_newer(self, version: int, timeout: float) -> tuple[int, bytes]:
        time.sleep(timeout)
        return version, b"{}"


def standby_http(reason: str, host: str = "127.0.0.1", port: int = 0, *,
                 access: Optional["Access"] = None, tls: Optional[ssl.SSLContext] = None) -> HttpServer:
    """An HTTP server for a server that waits for its lease (a standby), so
    it can be monitored: ``/healthz`` answers 503 with ``reason``,
    ``/metrics`` has ``ccroute_standby 1`` and ``ccroute_healthy 0`` (and
    the process figures; with ``access``, for an observer token). Not
    started."""
    metrics = Metrics()
    metrics.add_service(lambda: {"healthy": 0.0, "standby": 1.0})
    return HttpServer(_Waiting(reason), metrics, host, port, access=access, tls=tls)  # type: ignore[arg-type]
