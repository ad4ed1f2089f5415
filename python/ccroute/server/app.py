"""The gRPC server: :func:`create_server` builds it, :func:`serve` runs it
until SIGTERM or SIGINT and then stops it gracefully.

Graceful stop, in order: health turns NOT_SERVING (load balancers stop
sending), event streams end (UNAVAILABLE, naming where to resume), the
server stops accepting calls and waits up to ``grace`` seconds for those in
flight, then the engine thread finishes its queue and exits.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent import futures
from typing import Any, Optional, TextIO

import grpc  # type: ignore[import-untyped]
from grpc_health.v1 import health, health_pb2, health_pb2_grpc  # type: ignore[import-untyped]
from grpc_reflection.v1alpha import reflection  # type: ignore[import-untyped]

from ..v1 import router_pb2_grpc
from .config import ServerConfig, ServiceLimits
from .interceptor import ServiceInterceptor, read_tokens
from .service import RouterService
from .servicer import SERVICE_NAME, RouterServicer

__all__ = ["Server", "create_server", "serve"]

log = logging.getLogger("ccroute.server")


class Server:
    """A started-or-not gRPC server around a :class:`RouterService`.

    ``start`` starts the service (if needed) and the server; ``stop`` is the
    graceful stop; ``wait_for_termination`` blocks until stopped.
    """

    def __init__(self, grpc_server: grpc.Server, service: RouterService, health_servicer: Any,
                 shutdown_grace: float) -> None:
        self.grpc_server = grpc_server
        self.service = service
        self.health = health_servicer
        self.shutdown_grace = shutdown_grace
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()

    def start(self) -> "Server":
        if not self.service.running:
            self.service.start()
        self.grpc_server.start()
        return self

    def stop(self, grace: Optional[float] = None) -> None:
        """Stop gracefully (idempotent; blocks until done): in-flight calls
        get up to ``grace`` seconds (default: ``limits.shutdown_grace``)."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            grace = self.shutdown_grace if grace is None else grace
            self.health.enter_graceful_shutdown()
            if self.service.running:
                try:
                    self.service.end_subscriptions()
                except Exception:  # the service is already stopping
                    pass
            self.grpc_server.stop(grace).wait()
            self.service.stop(timeout=grace)
            self._stopped.set()

    def wait_for_termination(self, timeout: Optional[float] = None) -> bool:
        """Block until :meth:`stop` finished; False on timeout."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_server(
    address: str,
    service: RouterService,
    *,
    tokens: Optional[Sequence[bytes]] = None,
    tls_cert: Optional[bytes] = None,
    tls_key: Optional[bytes] = None,
    limits: Optional[ServiceLimits] = None,
    rpc_observer: Optional[Any] = None,
) -> tuple[Server, int]:
    """Build a gRPC server for ``service`` bound to ``address``
    (``host:port``; port 0 picks a free one) and return it, not yet started,
    with the port bound.

    Args:
        tokens: bearer tokens accepted; ``None`` turns authentication off.
        tls_cert, tls_key: PEM certificate chain and private key; both or
            neither (plaintext).
        limits: thread, message-size and concurrency bounds (default: the
            service's).
        rpc_observer: counts calls by method and status code
            (``ccroute.server.http.Metrics``).
    """
    limits = limits or service.limits
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("TLS needs both a certificate and a key")
    options = [
        ("grpc.max_receive_message_length", limits.max_message_bytes),
        ("grpc.max_send_message_length", limits.max_message_bytes),
        ("grpc.so_reuseport", 0),  # a port in use is an error, never shared
    ]
    grpc_server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="ccroute-rpc"),
        interceptors=[ServiceInterceptor(tokens, rpc_observer=rpc_observer)],
        options=options,
        maximum_concurrent_rpcs=limits.max_concurrent_rpcs,
    )
    router_pb2_grpc.add_RouterServicer_to_server(RouterServicer(service), grpc_server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, grpc_server)
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), grpc_server
    )
    try:
        if tls_cert is not None and tls_key is not None:
            creds = grpc.ssl_server_credentials([(tls_key, tls_cert)])
            port = grpc_server.add_secure_port(address, creds)
        else:
            port = grpc_server.add_insecure_port(address)
    except RuntimeError as exc:  # grpc reports a failed bind this way
        raise OSError(f"cannot listen on {address}: {exc}") from None
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    return Server(grpc_server, service, health_servicer, limits.shutdown_grace), port


def serve(
    config: ServerConfig,
    host: str = "127.0.0.1",
    port: int = 50051,
    *,
    token_file: Optional[str] = None,
    tls_cert_file: Optional[str] = None,
    tls_key_file: Optional[str] = None,
    out: TextIO = sys.stdout,
    http_port: Optional[int] = None,
    http_host: Optional[str] = None,
    redis_url: Optional[str] = None,
    lease_ms: int = 5000,
    snapshot_every: int = 10_000,
) -> int:
    """Run a server until SIGTERM or SIGINT, then stop gracefully; returns
    the exit code. Prints ``listening on HOST:PORT`` once ready (with the
    real port when ``port`` is 0). Must run on the main thread (signals).
    With ``http_port``, also serves ``/metrics``, ``/healthz`` and the
    wallboard there (on ``http_host``, default ``host``) and prints
    ``http on http://HOST:PORT``. With ``redis_url``, state is durable
    (``ccroute.server.persistence``): it waits for the lease, rebuilds from
    Redis, and exits 3 if another server takes the lease over."""
    tokens = read_tokens(token_file) if token_file else None
    cert = _read(tls_cert_file, "TLS certificate") if tls_cert_file else None
    key = _read(tls_key_file, "TLS key") if tls_key_file else None
    metrics = None
    if http_port is not None:
        from .http import Metrics

        metrics = Metrics()
    durable = None
    if redis_url is not None:
        from .persistence import open_durable

        service, durable = open_durable(config, redis_url, lease_ms=lease_ms, snapshot_every=snapshot_every,
                                        observer=metrics, out=out)
    else:
        service = RouterService(config.router, agents=config.agents, limits=config.limits, observer=metrics)
    server, bound = create_server(f"{host}:{port}", service, tokens=tokens, tls_cert=cert, tls_key=key,
                                  rpc_observer=metrics)
    monitor = None
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    if durable is not None:
        durable.on_lost = stop.set
    try:
        server.start()
        if metrics is not None:
            from .http import Monitor

            monitor = Monitor(service, metrics, host=http_host or host, port=http_port or 0).start()
        print(
            f"ccroute serve: listening on {host}:{bound} "
            f"(tls {'on' if cert else 'off'}, auth {'on' if tokens else 'off'}, "
            f"policy {config.router.policy}, {len(config.router.queues)} queues)",
            file=out, flush=True,
        )
        if monitor is not None:
            print(f"ccroute serve: http on {monitor.url} (/metrics, /healthz, wallboard /)", file=out, flush=True)
        while not stop.wait(0.5):
            pass
        print("ccroute serve: stopping (draining in-flight calls)", file=out, flush=True)
        if monitor is not None:
            monitor.stop()
        server.stop()
        if durable is not None and durable.lost.is_set():
            print("ccroute serve: lease lost (another server is active); stopped", file=out, flush=True)
            return 3
        print("ccroute serve: stopped", file=out, flush=True)
        return 0
    finally:
        if durable is not None:
            durable.close()
        if monitor is not None:
            monitor.stop()
        if not server.wait_for_termination(0):
            server.stop(0)
        for s, handler in previous.items():
            signal.signal(s, handler)


def _read(path: str, what: str) -> bytes:
    from ..errors import InvalidInput

    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {path!r}: {exc.strerror}") from None
