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

from typing import TYPE_CHECKING, Optional

from .json_api import JsonApi
from .metrics import Metrics, SnapshotCollector
from .server import HttpServer, standby_http
from .snapshot import QueueFigures, Snapshot, SnapshotPublisher, take_snapshot

if TYPE_CHECKING:
    from ..access import Access
    from ..service import RouterService

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
    """

    def __init__(self, service: "RouterService", metrics: Optional[Metrics] = None, *,
                 host: str = "127.0.0.1", port: int = 0, interval: float = 1.0,
                 sample_every: float = 10.0, sl_interval: float = 15 * 60.0, sl_window: float = 30 * 60.0,
                 access: Optional["Access"] = None, api: Optional[JsonApi] = None) -> None:
        self.metrics = metrics or Metrics()
        self.publisher = SnapshotPublisher(service, interval=interval, sample_every=sample_every,
                                           sl_interval=sl_interval, sl_window=sl_window)
        self.metrics.add_snapshots(lambda: self.publisher.latest)
        self.metrics.add_service(service.figures)
        self.http = HttpServer(self.publisher, self.metrics, host, port, access=access, api=api)

    @property
    def port(self) -> int:
        return self.http.port

    @property
    def url(self) -> str:
        return self.http.url

    def start(self) -> "Monitor":
        self.publisher.start()
        self.http.start()
        return self

    def stop(self) -> None:
        """Stop serving HTTP and taking snapshots (idempotent)."""
        self.http.stop()
        self.publisher.stop()

    def __enter__(self) -> "Monitor":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
