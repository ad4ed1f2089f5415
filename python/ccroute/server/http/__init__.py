"""Watching a running server over HTTP: Prometheus ``/metrics``,
``/healthz`` and the live wallboard page (``ccroute serve --http-port``);
and with a :class:`JsonApi`, the gRPC service as JSON over HTTP under
``/v1/`` (:mod:`.json_api`).

Wiring, for an embedding program (``serve`` does the same)::

    metrics = Metrics()
    service = RouterService(settings, observer=metrics)
    server, port = create_server("127.0.0.1:50051", service, rpc_observer=metrics)
    server.start()
    monitor = Monitor(service, metrics, port=8080,
                      api=JsonApi(server.dispatcher)).start()  # api: optional
    ...
    monitor.stop(); server.stop()
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Optional

from .json_api import JsonApi
from .metrics import Metrics, SnapshotCollector
from .server import Elsewhere, HttpServer, standby_http
from .snapshot import QueueFigures, Snapshot, SnapshotPublisher, take_snapshot

if TYPE_CHECKING:
    import ssl

    from ..access import Access
    from ..service import RouterService
    from ..tenants import Tenants

__all__ = ["Monitor", "JsonApi", "Metrics", "SnapshotCollector", "HttpServer", "Snapshot", "QueueFigures",
           "SnapshotPublisher", "take_snapshot", "standby_http"]


class Monitor:
    """A snapshot publisher and the HTTP server that shows it.

    Args:
        service: the (started) service to watch.
        metrics: the registry also passed as the service's observer and the
            dispatcher's ``rpc_observer`` (a fresh one when omitted: then
            only the snapshot figures are exported).
        host, port: where HTTP listens (port 0 picks a free one).
        interval: seconds between snapshots (and wallboard updates).
        sample_every: seconds between points of the service-level chart.
        sl_interval, sl_window: seconds of the reporting interval (aligned to
            the wall clock) and of the rolling window whose service levels
            the wallboard shows beside the cumulative one (15 and 30 minutes).
        access: the server's tokens (``None``: open): ``/metrics`` and the
            wallboard then need an ``observer`` token or higher.
        api: the JSON API to serve under ``/v1/`` (``None``: none); it
            checks tokens as gRPC does, with the dispatcher's.
        tenants: the server's tenants: the wallboard of each one served
            here is at ``/?tenant=<name>`` (its publisher made at the first
            request, dropped once unused for :attr:`IDLE` seconds or when
            the tenant leaves this server); ``None``: ``service`` only.
        tls: serve HTTPS with this context (``None``: plain HTTP).
    """

    #: Seconds a tenant's wallboard publisher lives without a request.
    IDLE = 300.0
    #: Seconds between checks for publishers to stop.
    REAP_EVERY = 30.0

    def __init__(self, service: "RouterService", metrics: Optional[Metrics] = None, *,
                 host: str = "127.0.0.1", port: int = 0, interval: float = 1.0,
                 sample_every: float = 10.0, sl_interval: float = 15 * 60.0, sl_window: float = 30 * 60.0,
                 access: Optional["Access"] = None, api: Optional[JsonApi] = None,
                 tenants: Optional["Tenants"] = None, tls: Optional["ssl.SSLContext"] = None) -> None:
        self.metrics = metrics or Metrics()
        self._options = dict(interval=interval, sample_every=sample_every, sl_interval=sl_interval,
                             sl_window=sl_window)
        self.publisher = SnapshotPublisher(service, **self._options)  # type: ignore[arg-type]
        self._tenants = tenants
        self._lock = threading.Lock()
        #: Per tenant other than ``default``: its service, publisher and last request (monotonic).
        self._others: dict[str, tuple[Any, SnapshotPublisher, float]] = {}
        self._stopping = threading.Event()
        self._reaper: Optional[threading.Thread] = None
        self.metrics.add_snapshots(lambda: self.publisher.latest)
        self.metrics.add_service(service.figures)
        self.http = HttpServer(self.publisher, self.metrics, host, port, access=access, api=api,
                               publishers=self.publisher_of if tenants is not None else None, tls=tls)
        if tenants is not None:
            self.http.default_elsewhere = self._default_elsewhere

    @property
    def port(self) -> int:
        return self.http.port

    @property
    def url(self) -> str:
        return self.http.url

    def start(self) -> "Monitor":
        self.publisher.start()
        self.http.start()
        if self._tenants is not None and self._reaper is None:
            self._reaper = threading.Thread(target=self._reap, name="ccroute-wallboards", daemon=True)
            self._reaper.start()
        return self

    def stop(self) -> None:
        """Stop serving HTTP and taking snapshots (idempotent)."""
        self._stopping.set()
        self.http.stop()
        self.publisher.stop()
        with self._lock:
            others, self._others = self._others, {}
        for _, pub, _ in others.values():
            pub.stop()

    def _default_elsewhere(self) -> None:
        """Raise when the default tenant is served by another server now."""
        assert self._tenants is not None
        if "default" not in self._tenants.owned():
            self._raise_why("default")

    def _raise_why(self, tenant: str) -> None:
        assert self._tenants is not None
        try:
            self._tenants.service(tenant)  # raises why: unknown, or served by another server
        except Exception as exc:
            url = getattr(exc, "owner_url", None)
            if url:
                raise Elsewhere(f"no wallboard for tenant {tenant!r} here: {exc}", url) from None
            raise LookupError(f"no wallboard for tenant {tenant!r} here: {exc}") from None

    def publisher_of(self, tenant: str) -> SnapshotPublisher:
        """The wallboard publisher of ``tenant``, a tenant served here
        (``LookupError`` naming why when it is not); each call counts as a
        use (an open event stream calls it every few seconds)."""
        assert self._tenants is not None
        service = self._tenants.owned().get(tenant)
        made = None
        with self._lock:
            self._purge_locked()
            if service is None:
                found = None
            elif tenant in self._others:
                found = self._others[tenant][1]
                self._others[tenant] = (service, found, time.monotonic())
            else:
                found = made = SnapshotPublisher(service, **self._options)  # type: ignore[arg-type]
                self._others[tenant] = (service, found, time.monotonic())
        if made is not None:
            made.start()  # its first snapshot waits for the engine: never under the lock
        if found is None:
            self._raise_why(tenant)
            raise LookupError(f"no wallboard for tenant {tenant!r} here: it is not served by this server")
        return found

    def _purge_locked(self) -> None:
        """Stop the publishers of tenants no longer served here (or served
        by another service now) and of those unused for :attr:`IDLE` s."""
        owned = self._tenants.owned() if self._tenants is not None else {}
        now = time.monotonic()
        for name, (service, pub, used) in list(self._others.items()):
            if owned.get(name) is not service or now - used > self.IDLE:
                del self._others[name]
                pub.close()

    def _reap(self) -> None:
        while not self._stopping.wait(self.REAP_EVERY):
            with self._lock:
                self._purge_locked()
