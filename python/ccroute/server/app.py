"""The gRPC server: :func:`create_server` builds it, :func:`serve` runs it
until SIGTERM or SIGINT and then stops it gracefully.

The transport is Rust (``ccroute._ccroute.GrpcFront``: HTTP/2, TLS, health
checking and reflection); the calls of ``ccroute.v1.Router`` are run by
Python handler threads (:mod:`~ccroute.server.dispatch`) over the
:class:`RouterService`, whose engine thread owns the router.

Graceful stop, in order: health turns NOT_SERVING (load balancers stop
sending), event streams end (UNAVAILABLE, naming where to resume), the
server stops accepting calls and waits up to ``grace`` seconds for those in
flight, then the engine thread finishes its queue and exits.
"""

from __future__ import annotations

import gc
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, Optional, TextIO, Union

from grpc_health.v1 import health_pb2

from .._ccroute import GrpcFront
from ..errors import InvalidInput
from ..v1 import router_pb2
from .access import Access
from .clock import ClientClock
from .config import ServerConfig, ServiceLimits, load_config
from .dispatch import Dispatcher, descriptor_set
from .logs import event
from .service import RouterService
from .servicer import SERVICE_NAME, RouterServicer
from .tenants import DEFAULT_TENANT, Tenants
from .token_store import FileTokenStore, RedisTokenStore, TokenStore
from .tokens import TokenTable, read_token_file

__all__ = ["Server", "create_server", "serve", "FullCollections"]

log = logging.getLogger("ccroute.server")


class FullCollections:
    """The garbage-collection policy of ``ccroute serve``, for tail latency.

    CPython's full collection scans every live object; a server holding
    its event history and stored idempotent replies keeps about 500,000 of
    them, and a full collection then stops every thread for ~100 ms, every
    few seconds at a few thousand calls per second: the p99 latency is the
    collector's. So while this policy is on, the objects alive at start-up
    are frozen (never scanned again), automatic full collections are off
    (young ones stay automatic: they are cheap and free almost all cyclic
    garbage), and a daemon thread runs one full collection every
    ``every`` seconds, so that rare long-lived cycles are still freed.
    ``stop`` restores the previous thresholds. Embedding programs keep
    their own policy: only :func:`serve` turns this on.
    """

    def __init__(self, every: float = 600.0) -> None:
        self.every = every
        self._previous = gc.get_threshold()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "FullCollections":
        gc.collect()
        gc.freeze()
        young, middle, _ = self._previous
        gc.set_threshold(young, middle, 2**31 - 1)
        self._thread = threading.Thread(target=self._run, name="ccroute-gc", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            started = time.perf_counter()
            found = gc.collect()
            log.debug("full collection: %d unreachable objects in %.1f ms", found,
                      (time.perf_counter() - started) * 1e3)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        gc.set_threshold(*self._previous)
        gc.unfreeze()


class Server:
    """A started-or-not gRPC server around a :class:`RouterService`.

    ``start`` starts the service (if needed) and the server; ``stop`` is the
    graceful stop; ``wait_for_termination`` blocks until stopped.
    """

    def __init__(self, front: GrpcFront, dispatcher: Dispatcher, tenants: Tenants,
                 shutdown_grace: float, token_store: Optional[TokenStore] = None) -> None:
        self.front = front
        self.token_store = token_store
        self.dispatcher = dispatcher
        self.tenants = tenants
        self.shutdown_grace = shutdown_grace
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.front.port)

    @property
    def service(self) -> RouterService:
        """The service of the default tenant."""
        return self.tenants.default

    def start(self) -> "Server":
        self.tenants.start()
        if self.token_store is not None:
            self.token_store.start()
        self.dispatcher.start()
        self.front.start()
        return self

    def stop(self, grace: Optional[float] = None) -> None:
        """Stop gracefully (idempotent; blocks until done): in-flight calls
        get up to ``grace`` seconds (default: ``limits.shutdown_grace``)."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            grace = self.shutdown_grace if grace is None else grace
            for name in ("", SERVICE_NAME):
                self.front.set_health(name, False)
            self.tenants.end_subscriptions()
            self.front.stop(grace)
            self.tenants.stop(timeout=grace)
            if self.token_store is not None:
                self.token_store.stop()
            self.dispatcher.join(timeout=1.0)
            self._stopped.set()

    def reload_tokens(self, tokens: TokenTable) -> bool:
        """Accept ``tokens`` from now on, in the front end's check and in
        the role checks (calls already admitted keep going). ``False`` for
        a server started without tokens: it stays open."""
        access = self.dispatcher.access
        if access is None or not self.front.set_token_sha256(tokens.digests()):
            return False
        access.tokens = tokens
        return True

    def log_refusals(self) -> int:
        """Log the calls the front end refused for their token since the
        last time (event ``call_refused``, code UNAUTHENTICATED, never the
        token); returns how many."""
        refused, dropped = self.front.take_refusals()
        for path, message in refused:
            event(log, logging.WARNING, "call_refused", f"{path} refused: UNAUTHENTICATED ({message})",
                  method=path, role=None, code="UNAUTHENTICATED")
        if dropped:
            event(log, logging.WARNING, "call_refused_unlogged",
                  f"{dropped} more calls refused UNAUTHENTICATED (not logged one by one)", count=dropped)
        return len(refused) + int(dropped)

    def wait_for_termination(self, timeout: Optional[float] = None) -> bool:
        """Block until :meth:`stop` finished; False on timeout."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_server(
    address: str,
    service: Union[RouterService, Tenants],
    *,
    tokens: Optional[Union[Access, TokenTable, Sequence[bytes]]] = None,
    tls_cert: Optional[bytes] = None,
    tls_key: Optional[bytes] = None,
    limits: Optional[ServiceLimits] = None,
    rpc_observer: Optional[Any] = None,
    slow_call_ms: Optional[float] = None,
    token_store: Optional[TokenStore] = None,
) -> tuple[Server, int]:
    """Build a gRPC server for ``service`` bound to ``address``
    (``host:port``; port 0 picks a free one) and return it, not yet started,
    with the port bound. ``service`` is the one router (the default
    tenant; more are created with ``CreateTenant``) or the server's
    :class:`~ccroute.server.tenants.Tenants`.

    Args:
        tokens: the bearer tokens accepted and what each may call
            (:class:`~ccroute.server.tokens.TokenTable`, e.g. from
            :func:`~ccroute.server.tokens.read_token_file`; plain tokens
            alone are each ``admin`` for every tenant); ``None`` turns
            authentication off. Health checks never need one; reflection
            takes any known token; the service checks the role
            (:mod:`~ccroute.server.access`).
        tls_cert, tls_key: PEM certificate chain and private key; both or
            neither (plaintext).
        limits: thread, message-size and concurrency bounds (default: the
            service's).
        rpc_observer: counts calls by method and status code
            (``ccroute.server.http.Metrics``).
        slow_call_ms: log a unary call slower than this (event
            ``slow_call``); ``None``: never.
        token_store: where tokens issued by API are kept
            (:mod:`~ccroute.server.token_store`); with ``tokens`` and none
            given, in memory. Started and stopped with the server.
    """
    tenants = service if isinstance(service, Tenants) else Tenants(service)
    limits = limits or tenants.limits
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("TLS needs both a certificate and a key")
    descriptor = router_pb2.DESCRIPTOR.services_by_name["Router"]
    access = _access(tokens)
    front = GrpcFront(
        address, Dispatcher.method_shapes(descriptor),
        descriptor_set(router_pb2.DESCRIPTOR, health_pb2.DESCRIPTOR),
        token_sha256=access.tokens.digests() if access is not None else None, tls_cert=tls_cert, tls_key=tls_key,
        max_message_bytes=limits.max_message_bytes, max_concurrent_rpcs=limits.max_concurrent_rpcs,
    )
    if not tenants.address:
        tenants.address = f"{address.rsplit(':', 1)[0]}:{int(front.port)}"
    if access is not None and token_store is None:
        token_store = TokenStore(access.tokens)
    dispatcher = Dispatcher(front, RouterServicer(tenants, token_store), descriptor,
                            rpc_observer=rpc_observer, workers=limits.workers, access=access,
                            slow_call_ms=slow_call_ms)
    server = Server(front, dispatcher, tenants, limits.shutdown_grace, token_store)
    if token_store is not None:
        token_store.bind(server.reload_tokens)
    return server, int(front.port)


def _access(tokens: Optional[Union[Access, TokenTable, Sequence[bytes]]]) -> Optional[Access]:
    if tokens is None:
        return None
    if isinstance(tokens, Access):
        return tokens
    if not isinstance(tokens, TokenTable):
        if not tokens:
            return None
        tokens = TokenTable.from_tokens(tokens)
    return Access(tokens)


def _http_base(advertise: str, port: int, tls: bool) -> str:
    """The base URL of the HTTP port on the host of ``advertise`` (``host:port``)."""
    host = advertise.rsplit(":", 1)[0]
    return f"{'https' if tls else 'http'}://{host}:{port}"


def _http_tls(cert_file: Optional[str], key_file: Optional[str]) -> Optional[Any]:
    """The TLS context of the HTTP port: the gRPC port's certificate and
    key (``None`` without them). ``InvalidInput`` naming the file when
    they do not load."""
    import ssl

    if cert_file is None or key_file is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"--tls-cert {cert_file!r} / --tls-key {key_file!r} do not load for HTTPS: {exc}") from None
    return context


def _standby_health(host: str, port: int, cert: Optional[bytes], key: Optional[bytes]) -> tuple[Optional[Any], int]:
    """A gRPC server with only the health service, every service
    NOT_SERVING, on ``host:port`` (TLS when given). Returns it, started,
    and the port it bound (``port`` 0 picks one, then kept by the real
    server).

    Every call of the router's service is answered UNAVAILABLE
    ``NotOwner`` (no owner named: a standby does not know the active
    server's address), not UNIMPLEMENTED: a client's retry policy retries
    it, and ``RouterClient`` waits and asks again, as during a takeover."""
    from concurrent import futures

    import grpc
    from grpc_health.v1 import health, health_pb2_grpc

    from .errors import ERROR_KEY

    prefix = f"/{SERVICE_NAME}/"

    def refuse(_request: Any, context: grpc.ServicerContext) -> None:
        context.set_trailing_metadata(((ERROR_KEY, "NotOwner"),))
        context.abort(grpc.StatusCode.UNAVAILABLE,
                      "this server is a standby waiting for the lease: another server is active; "
                      "call it, or retry (a client with every server's address reaches whichever is active)")

    class Standby(grpc.GenericRpcHandler):
        def service(self, details: grpc.HandlerCallDetails) -> Optional[grpc.RpcMethodHandler]:
            if str(details.method).startswith(prefix):  # any call type: the status goes before any message
                return grpc.stream_stream_rpc_method_handler(refuse)
            return None

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[Standby()])
    servicer = health.HealthServicer()
    for name in ("", SERVICE_NAME):
        servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    address = f"{host}:{port}"
    try:
        if cert is not None and key is not None:
            bound = server.add_secure_port(address, grpc.ssl_server_credentials([(key, cert)]))
        else:
            bound = server.add_insecure_port(address)
    except RuntimeError as exc:  # the port is taken: serve no health while waiting
        log.warning("standby: no gRPC health while waiting, %s is not free (%s)", address, exc)
        return None, port
    server.start()
    return server, bound


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
    stored_config: bool = False,
    sl_interval_minutes: float = 15.0,
    sl_window_minutes: float = 30.0,
    clock: str = "server",
    config_file: Optional[str] = None,
    slow_call_ms: Optional[float] = 500.0,
    advertise: Optional[str] = None,
    json_api: bool = False,
    private_webhooks: bool = False,
    cors_origins: Sequence[str] = (),
    http_plain: bool = False,
    advertise_http: Optional[str] = None,
) -> int:
    """Run a server until SIGTERM or SIGINT, then stop gracefully; returns
    the exit code. Prints ``listening on HOST:PORT`` once ready (with the
    real port when ``port`` is 0). Must run on the main thread (signals).
    With ``http_port``, also serves ``/metrics``, ``/healthz`` and the
    wallboard there (on ``http_host``, default ``host``) and prints
    ``http on http://HOST:PORT``. With ``redis_url``, state is durable
    (``ccroute.server.persistence``): it waits for the lease, rebuilds from
    Redis, and exits 3 if another server takes the lease over; the
    configuration must then equal the one stored in Redis (refused
    otherwise, naming the differences), or with ``stored_config`` the
    stored one is used and ``config.router`` only seeds an empty database.
    ``clock``: ``"server"`` (its own monotonic clock, or the durable epoch
    clock with Redis) or ``"client"`` (each mutating call's ``now``: a
    script drives the server in virtual time). SIGHUP re-reads
    ``config_file`` (the ``--config`` ``config`` came from) and applies its
    router settings as ``Configure`` does (:func:`reload_config`).
    With ``redis_url`` and ``advertise`` (this server's ``host:port`` as
    clients reach it) servers scale out instead: each serves, the tenants
    are spread among them (:mod:`~ccroute.server.persistence.tenants`),
    and a call for a tenant another server owns is answered ``NotOwner``
    naming it. With ``json_api`` (and ``http_port``) the HTTP port also
    serves every call as JSON (:mod:`~ccroute.server.http.json_api`).
    ``private_webhooks`` lets tenants' webhooks call loopback, private and
    link-local addresses (refused otherwise). ``cors_origins``: origins
    whose browser pages may call the JSON API. With a TLS certificate the
    HTTP port serves HTTPS with it too, unless ``http_plain``. In scale-out
    the base URL of the HTTP port (``advertise_http``, else the host of
    ``advertise`` with the HTTP port) is named in other servers' ``NotOwner``
    answers, and a wallboard asked of another server redirects there.
    Operator events (start, lease, refused and slow calls,
    reload, shutdown) are logged with :func:`~ccroute.server.logs.event`."""
    if clock not in ("server", "client"):
        raise InvalidInput(f"clock {clock!r} is not 'server' or 'client'")
    if advertise is not None and redis_url is None:
        raise InvalidInput("--advertise spreads tenants among the servers of one Redis: give --redis too")
    if json_api and http_port is None:
        raise InvalidInput("--json-api serves on the HTTP port: give --http-port too")
    if cors_origins and not json_api:
        raise InvalidInput("--cors-origin lets browser pages call the JSON API: give --json-api too")
    if advertise_http is not None and (advertise is None or http_port is None):
        raise InvalidInput("--advertise-http names this server's HTTP port to the other servers of a scale-out: "
                           "it needs --advertise and --http-port")
    if advertise_http is not None and not re.fullmatch(r"https?://[^/\s?#]+", advertise_http):
        raise InvalidInput(f"--advertise-http {advertise_http!r} is not a base URL such as "
                           "http://host:port (scheme, host and port only)")
    if http_plain and advertise is not None and advertise_http is None:
        raise InvalidInput("--http-plain with --advertise: give --advertise-http, the https:// URL clients reach "
                           "this server's HTTP port at through the proxy that terminates TLS")
    if http_plain and (http_port is None or tls_cert_file is None):
        raise InvalidInput("--http-plain keeps the HTTP port unencrypted when --tls-cert is given: it needs "
                           "--http-port and --tls-cert")
    from .http.json_api import check_origin

    for origin in cors_origins:
        check_origin(origin)
    client_clock = ClientClock() if clock == "client" else None
    tokens = read_token_file(token_file) if token_file else None
    access = Access(tokens) if tokens is not None else None
    cert = _read(tls_cert_file, "TLS certificate") if tls_cert_file else None
    key = _read(tls_key_file, "TLS key") if tls_key_file else None
    http_tls = _http_tls(tls_cert_file, tls_key_file) if http_port is not None and not http_plain else None
    metrics = None
    if http_port is not None:
        from .http import Metrics

        metrics = Metrics()
    durable = None
    tenants: Tenants
    if redis_url is not None and advertise is not None:  # scale-out: every server serves, tenants spread
        if client_clock is not None:
            raise InvalidInput("--clock client and --advertise do not go together (one script drives one server)")
        from .persistence.tenants import RedisTenants

        tenants = RedisTenants(redis_url, address=advertise, default_settings=config.router, limits=config.limits,
                               lease_ms=lease_ms, snapshot_every=snapshot_every, observer=metrics,
                               default_agents=config.agents, private_webhooks=private_webhooks)
        print(f"ccroute serve: scale-out on {_safe_url(redis_url)} as {advertise}: tenants are spread among "
              "the servers of this database", file=out, flush=True)
    elif redis_url is not None:
        from .persistence import open_durable
        from .persistence.redis_log import is_cluster
        from .persistence.tenants import tenant_prefix

        waiting = None
        # A standby answers gRPC health (NOT_SERVING) on its own port while
        # it waits, so that load balancers and probes can tell it from a
        # dead server; the real server takes the port over with the lease.
        health, port = _standby_health(host, port, cert, key)
        if health is not None:
            print(f"ccroute serve: standby gRPC health on {host}:{port} "
                  "(NOT_SERVING until this server holds the lease)", file=out, flush=True)
        if http_port is not None:  # a standby can be monitored while it waits
            from .http import standby_http

            waiting = standby_http("standby: waiting for the lease", http_host or host, http_port,
                                   access=access, tls=http_tls).start()
            http_port = waiting.port
            print(f"ccroute serve: http on {waiting.url} (standby: /healthz answers 503; /metrics)",
                  file=out, flush=True)
        try:
            service, durable = open_durable(config, redis_url, lease_ms=lease_ms, snapshot_every=snapshot_every,
                                            observer=_observer(metrics, DEFAULT_TENANT), out=out, check_config=not stored_config,
                                            clock=client_clock,
                                            # In a Redis Cluster every key of a tenant shares one hash slot.
                                            prefix=tenant_prefix("ccroute", DEFAULT_TENANT, is_cluster(redis_url)))
        finally:
            if health is not None:
                health.stop(None).wait()
            if waiting is not None:
                waiting.stop()
        from .persistence.tenants import RedisTenants

        tenants = RedisTenants(redis_url, address=None, default_settings=service.settings, limits=config.limits,
                               lease_ms=lease_ms, snapshot_every=snapshot_every, observer=metrics, default=service,
                               private_webhooks=private_webhooks)
        tenants.adopt(DEFAULT_TENANT, durable)
    else:
        service = RouterService(config.router, agents=config.agents, limits=config.limits,
                                observer=_observer(metrics, DEFAULT_TENANT), clock=client_clock)

        def make_tenant(name: str, settings: Any, agents: Any) -> RouterService:
            return RouterService(settings, agents=agents, limits=config.limits, observer=_observer(metrics, name),
                                 clock=ClientClock() if clock == "client" else None)

        tenants = Tenants(service, make_service=make_tenant, private_webhooks=private_webhooks)
    if metrics is not None:
        metrics.add_tenants(tenants.owned)
    token_store: Optional[TokenStore] = None
    if tokens is not None and token_file:  # tokens issued by API: in Redis, shared; else in the token file
        token_store = (RedisTokenStore(tenants.redis, tokens) if redis_url is not None  # type: ignore[attr-defined]
                       else FileTokenStore(token_file, tokens))
    server, bound = create_server(f"{host}:{port}", tenants, tokens=access, tls_cert=cert, tls_key=key,
                                  rpc_observer=metrics, slow_call_ms=slow_call_ms, token_store=token_store)
    monitor = None
    stop = threading.Event()
    hangup = threading.Event()
    wake = threading.Event()  # the main loop's: a signal, or the lease lost

    def stop_now() -> None:
        stop.set()
        wake.set()
    gc_policy = FullCollections().start()

    def on_signal(signum: int, frame: Any) -> None:
        stop_now()

    def on_hangup(signum: int, frame: Any) -> None:
        hangup.set()  # the main loop reloads: a signal handler must not wait for the engine
        wake.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_hangup)
    if durable is not None:
        durable.on_lost = stop_now
    try:
        server.start()
        if metrics is not None:
            from .http import JsonApi, Monitor

            api = JsonApi(server.dispatcher, config.limits, cors_origins=cors_origins) if json_api else None
            monitor = Monitor(_DefaultView(tenants), metrics, host=http_host or host, port=http_port or 0,  # type: ignore[arg-type]
                              sl_interval=60 * sl_interval_minutes, sl_window=60 * sl_window_minutes,
                              access=access, api=api, tenants=tenants, tls=http_tls).start()
            if advertise is not None:
                tenants.advertise_http(advertise_http or _http_base(advertise, monitor.port, http_tls is not None))  # type: ignore[attr-defined]
        print(
            f"ccroute serve: listening on {host}:{bound} "
            f"(tls {'on' if cert else 'off'}, auth {'on' if tokens else 'off'}, "
            f"default tenant: policy {tenants.default_settings.policy}, "
            f"{len(tenants.default_settings.queues)} queues)",
            file=out, flush=True,
        )
        if monitor is not None:
            print(f"ccroute serve: http on {monitor.url} (/metrics, /healthz, wallboard /"
                  f"{', JSON API /v1/' if json_api else ''})", file=out, flush=True)
        persistence = "memory"
        if redis_url is not None:
            from .persistence import _safe

            persistence = f"redis {_safe(redis_url)}"
        event(log, logging.INFO, "server_start",
              f"listening on {host}:{bound} (tls {'on' if cert else 'off'}, auth {'on' if tokens else 'off'}, "
              f"state in {persistence})",
              address=f"{host}:{bound}", tls=cert is not None, auth=tokens is not None, persistence=persistence,
              config=config_file, http=monitor.url if monitor is not None else None, clock=clock)
        serving = True
        unhealthy: dict[str, str] = {}
        while True:
            wake.wait(0.5)
            wake.clear()
            if tokens is not None:
                server.log_refusals()
            if hangup.is_set():  # before a stop, so that a reload asked for is never lost silently
                hangup.clear()
                if token_file:
                    reload_tokens(server, token_file)
                if DEFAULT_TENANT in tenants.owned():
                    reload_config(tenants.default, config_file)
                else:
                    event(log, logging.WARNING, "reload_skipped",
                          "SIGHUP ignored: the default tenant is served by another server now")
            if stop.is_set():
                break
            problem = tenants.health()  # gRPC health follows the service's (persistence, lease)
            unhealthy = _log_tenant_health(unhealthy, tenants.problems(), set(tenants.owned()))
            if (problem is None) != serving:
                serving = problem is None
                for name in ("", SERVICE_NAME):
                    server.front.set_health(name, serving)
                if serving:
                    log.info("serving again")
                else:
                    log.warning("not serving: %s", problem)
        print("ccroute serve: stopping (draining in-flight calls)", file=out, flush=True)
        event(log, logging.INFO, "shutdown", "stopping: draining in-flight calls")
        if monitor is not None:
            monitor.stop()
        server.stop()
        if durable is not None and durable.lost.is_set():
            print("ccroute serve: lease lost (another server is active); stopped", file=out, flush=True)
            event(log, logging.WARNING, "stopped", "stopped: deposed, another server holds the lease", exit_code=3)
            return 3
        print("ccroute serve: stopped", file=out, flush=True)
        event(log, logging.INFO, "stopped", "stopped", exit_code=0)
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
        gc_policy.stop()


class _DefaultView:
    """The default tenant's service wherever this server serves it now
    (what the HTTP monitor and wallboard watch; with scale-out another
    server may own it, and then there is nothing to show here)."""

    def __init__(self, tenants: Tenants) -> None:
        self._tenants = tenants

    def query(self, fn: Any, *, name: str = "query", timeout: Optional[float] = None) -> Any:
        return self._tenants.default.query(fn, name=name, timeout=timeout)

    def figures(self) -> dict[str, float]:
        owned = self._tenants.owned().get(DEFAULT_TENANT)
        if owned is not None:
            return owned.figures()
        return {"healthy": float(self._tenants.health() is None)}

    def health(self) -> Optional[str]:
        return self._tenants.health()

    @property
    def settings(self) -> Any:
        return self._tenants.default.settings


def reload_tokens(server: Server, token_file: str) -> bool:
    """Re-read ``token_file`` and accept its tokens from now on (SIGHUP):
    tokens added work at once, tokens removed are refused from the next
    call. A file that cannot be read or has a bad line changes nothing and
    logs ``reload_failed``."""
    try:
        table = read_token_file(token_file)
        if server.dispatcher.access is None:
            raise InvalidInput("this server was started without tokens; start it with --token-file")
        if server.token_store is not None:  # with the tokens issued by API
            server.token_store.reload_file(table)
        else:
            server.reload_tokens(table)
    except Exception as exc:
        event(log, logging.ERROR, "reload_failed", f"reload of {token_file} failed, tokens unchanged: {exc}",
              file=token_file, error=str(exc), error_type=type(exc).__name__)
        return False
    event(log, logging.INFO, "reload", f"reloaded {token_file}: {len(table.digests())} tokens",
          file=token_file, tokens=len(table.digests()))
    return True


def reload_config(service: RouterService, config_file: Optional[str]) -> bool:
    """Re-read ``config_file`` and apply its router settings to the
    running ``service`` with the live reconfiguration of ``Configure``
    (logged with the commands under ``--redis``). Its ``agents`` and
    ``limits`` are not applied: agents are live state, changed with
    ``UpsertAgent``; limits size the server and need a restart. A file that
    cannot be read or parsed, or a change the router refuses, changes
    nothing and logs ``reload_failed``; success logs ``reload`` naming
    what changed. Returns whether the settings were applied."""
    from .persistence.codec import settings_difference

    if config_file is None:
        event(log, logging.INFO, "reload_skipped",
              "SIGHUP: no --config file to reload; the built-in or stored router configuration stays in force")
        return False
    try:
        given = load_config(config_file).router
        current = service.settings
        if given.epoch == 0.0:  # left out: keep the clock origin in force
            given = type(given)({**given.to_dict(), "epoch": current.epoch})
        changes = settings_difference(current, given)
        if changes:
            service.configure(given)
    except Exception as exc:  # a reload never stops the server: anything refused is logged
        event(log, logging.ERROR, "reload_failed", f"reload of {config_file} failed, nothing changed: {exc}",
              file=config_file, error=str(exc), error_type=type(exc).__name__)
        return False
    changed = [c.replace(": stored ", ": was ", 1).replace(", given ", ", now ", 1) for c in changes]
    event(log, logging.INFO, "reload",
          f"reloaded {config_file}: " + ("; ".join(changed) if changed else "no change"),
          file=config_file, changes=changed)
    return True


def _observer(metrics: Any, tenant: str) -> Any:
    """A tenant's service observer: the server's metrics, counted by tenant."""
    return metrics.for_tenant(tenant) if metrics is not None else None


def _log_tenant_health(before: dict[str, str], now: dict[str, str], owned: set[str]) -> dict[str, str]:
    """Log each tenant served here that stops or starts serving (one line per change)."""
    for name, why in now.items():
        if before.get(name) != why:
            event(log, logging.WARNING, "tenant_unhealthy", f"tenant {name!r} cannot serve: {why}",
                  tenant=name, reason=why)
    for name in (before.keys() - now.keys()) & owned:
        event(log, logging.INFO, "tenant_serving", f"tenant {name!r} serves again", tenant=name)
    return now


def _safe_url(url: str) -> str:
    from .persistence import _safe

    return _safe(url)


def _read(path: str, what: str) -> bytes:
    from ..errors import InvalidInput

    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {path!r}: {exc.strerror}") from None
