"""Handler threads between the gRPC front end and the servicer.

The front end (``ccroute._ccroute.GrpcFront``, in Rust) owns the sockets,
HTTP/2, TLS, the bearer-token check (is the token known?), health checking
and reflection; every ``ccroute.v1.Router`` call that passes its checks
reaches Python as a ``Call``. A fixed pool of handler threads takes calls,
and for each one:

- reads the call's tenant (metadata ``ccroute-tenant``, default
  ``default``);
- with tokens, checks that the token's role and tenant may make the call
  (:class:`~ccroute.server.access.Access`: before the request is read,
  except for the tenant calls, whose request names the tenant),
  and for an ``agent`` token that the request is about its agent;
- decodes the request and runs the :class:`RouterServicer` method;
- answers: the reply, the streamed messages, or the error, mapped to a
  status in one place, :func:`~ccroute.server.errors.status_for` (domain
  errors keep their class in the trailing metadata ``ccroute-error``; an
  unexpected exception is logged with its traceback and answered
  INTERNAL);
- tells the RPC observer (metrics) that the call started and how it ended;
- logs a refusal (PERMISSION_DENIED, UNAUTHENTICATED: event
  ``call_refused`` with the method, the token's role and the code, never
  the token) and a unary call slower than ``slow_call_ms`` (event
  ``slow_call``).

Calls the front end refuses by itself (no valid token, over the call or
message-size limit, unknown method) never reach a handler thread, so the
observer does not count them; a refusal for the role
(PERMISSION_DENIED) is counted. ``ccroute serve`` logs the front end's
token refusals too (``Server.log_refusals``, every half second).

A streaming call holds its thread until it ends, as in any thread-pool
server: ``ServiceLimits.workers`` bounds the threads, ``max_subscribers``
the event streams of each tenant among them, and over all tenants at most
``workers - 2`` event streams run at once (another is refused with
RESOURCE_EXHAUSTED, ``ServerBusy``), so unary calls always find a thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Optional

import grpc
from google.protobuf import descriptor_pb2, message_factory
from google.protobuf.message import DecodeError

from ..errors import InvalidInput
from .access import GRANT_SCOPED, TENANT_NAMED, Access, check_table
from .commands import AgentScope
from .errors import ServerBusy, status_for
from .logs import event
from .tenants import DEFAULT_TENANT, tenant_of
from .tokens import Grant

__all__ = ["Dispatcher", "descriptor_set"]

log = logging.getLogger("ccroute.server")

#: Seconds a handler thread waits for a call before checking for a stop.
POLL = 0.25
_KINDS = {(False, False): "unary", (True, False): "client_stream",
          (False, True): "server_stream", (True, True): "bidi_stream"}


def descriptor_set(*files: Any) -> bytes:
    """An encoded ``FileDescriptorSet`` of ``files`` and everything they
    import (for the reflection service)."""
    out = descriptor_pb2.FileDescriptorSet()
    seen: set[str] = set()

    def add(f: Any) -> None:
        if f.name in seen:
            return
        seen.add(f.name)
        for dep in f.dependencies:
            add(dep)
        f.CopyToProto(out.file.add())

    for f in files:
        add(f)
    return bytes(out.SerializeToString())


class _Method:
    """How to run one method: servicer function, request class, shape."""

    __slots__ = ("full", "behavior", "request_class", "kind")

    def __init__(self, full: str, behavior: Callable[..., Any], request_class: Any, kind: str) -> None:
        self.full = full
        self.behavior = behavior
        self.request_class = request_class
        self.kind = kind


class _Context:
    """The part of ``grpc.ServicerContext`` the servicer uses."""

    __slots__ = ("_call", "callbacks", "scope", "tenant", "grant")

    def __init__(self, call: Any) -> None:
        self._call = call
        self.callbacks: list[Callable[[], Any]] = []
        #: The tenant the call is for (``ccroute-tenant``, default ``default``).
        self.tenant = DEFAULT_TENANT
        #: The call's token's grant (``None`` without tokens).
        self.grant: Optional[Grant] = None
        #: For an ``agent`` token's call about a contact: the agent it is
        #: limited to (the servicer passes it to the service).
        self.scope: Optional[AgentScope] = None

    def time_remaining(self) -> Optional[float]:
        remaining: Optional[float] = self._call.time_remaining()
        return remaining

    def is_active(self) -> bool:
        return bool(self._call.is_active())

    def add_callback(self, callback: Callable[[], Any]) -> bool:
        self.callbacks.append(callback)
        return True

    def peer(self) -> str:
        return str(self._call.peer)

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        auth = self._call.authorization
        return (("authorization", auth),) if auth is not None else ()


def _decode(method: _Method, data: bytes) -> Any:
    try:
        return method.request_class.FromString(data)
    except DecodeError as exc:
        raise InvalidInput(
            f"{method.full}: the request is not a valid {method.request_class.DESCRIPTOR.full_name} ({exc})"
        ) from None


class Dispatcher:
    """The handler threads of one server (see the module docstring)."""

    def __init__(self, front: Any, servicer: Any, service_descriptor: Any, *,
                 rpc_observer: Optional[Any] = None, workers: int = 32,
                 access: Optional[Access] = None, slow_call_ms: Optional[float] = None) -> None:
        self._front = front
        #: Who may call what (``None``: no tokens, every call allowed).
        self._access = access
        if access is not None:
            check_table(service_descriptor)
        #: Hears ``on_rpc_start(method, kind)`` and ``on_rpc(method, kind,
        #: grpc.StatusCode)`` for every call (metrics).
        self._observer = rpc_observer
        self._methods: dict[str, _Method] = {}
        for m in service_descriptor.methods:
            self._methods[m.name] = _Method(
                f"/{service_descriptor.full_name}/{m.name}", getattr(servicer, m.name),
                message_factory.GetMessageClass(m.input_type),
                _KINDS[(m.client_streaming, m.server_streaming)],
            )
        self._workers = workers
        #: Event streams on handler threads, over every tenant: each tenant
        #: bounds its own (``max_subscribers``), this bounds their sum so that
        #: two threads always remain for unary calls.
        self._streams = threading.BoundedSemaphore(max(1, workers - 2))
        #: Log unary calls slower than this many ms (``None``: never).
        self._slow_s = slow_call_ms / 1000 if slow_call_ms is not None else None
        self._threads: list[threading.Thread] = []

    @property
    def access(self) -> Optional[Access]:
        """The token checks (``None``: no tokens)."""
        return self._access

    @staticmethod
    def method_shapes(service_descriptor: Any) -> dict[str, tuple[bool, bool]]:
        """``{name: (client_streaming, server_streaming)}`` for the front end."""
        return {m.name: (m.client_streaming, m.server_streaming) for m in service_descriptor.methods}

    def start(self) -> None:
        for i in range(self._workers):
            t = threading.Thread(target=self._run, name=f"ccroute-rpc-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def join(self, timeout: Optional[float] = None) -> None:
        """Wait for the threads (after the front end stopped)."""
        for t in self._threads:
            t.join(timeout)

    # -- the loop ---------------------------------------------------------
    def _run(self) -> None:
        front = self._front
        while True:
            call = front.next_call(POLL)
            if call is None:
                if front.stopping:
                    return
                continue
            try:
                self._handle(call, pooled=True)
            except BaseException:  # pragma: no cover - _handle answers every error itself
                log.exception("handler thread failed on %s", call.method)
            del call  # ends the call's hold on its resources now, not at the next one

    def handle(self, call: Any) -> None:
        """Run one call to its end on this thread: ``call`` is the front
        end's ``Call`` or any object with the same attributes and methods
        (the JSON API's)."""
        self._handle(call)

    def _handle(self, call: Any, pooled: bool = False) -> None:
        method = self._methods[call.method]
        observer = self._observer
        if observer is not None:
            observer.on_rpc_start(method.full, method.kind)
        code = grpc.StatusCode.OK
        context = _Context(call)
        access = self._access
        try:
            grant = access.known(call.authorization) if access is not None else None
            context.grant = grant
            context.tenant = tenant = tenant_of(getattr(call, "tenant", None))
            named = call.method in TENANT_NAMED
            if grant is not None and not named:
                # ListTenants, ListTokens...: what the grant covers, whatever the call's tenant.
                listed = call.method in GRANT_SCOPED and grant.tenant != "*"
                access.allow(grant, call.method, grant.tenant if listed else tenant)  # type: ignore[union-attr]
            kind = method.kind
            if kind in ("unary", "server_stream"):
                request = _decode(method, call.request)
                if grant is not None:
                    if named:
                        access.allow(grant, call.method, request.tenant)  # type: ignore[union-attr]
                    context.scope = Access.scope(grant, call.method, request)
                if kind == "unary":
                    started = time.perf_counter()
                    call.reply(method.behavior(request, context).SerializeToString())
                    self._timed(method, started)
                else:
                    if pooled and not self._streams.acquire(blocking=False):
                        raise ServerBusy(f"too many event streams on this server (limit {max(1, self._workers - 2)}: "
                                         f"each holds one of its {self._workers} handler threads); retry later")
                    try:
                        code = self._stream(call, method.behavior(request, context))
                    finally:
                        if pooled:
                            self._streams.release()
            else:
                requests = self._requests(call, method)
                if kind == "client_stream":
                    call.reply(method.behavior(requests, context).SerializeToString())
                else:
                    code = self._stream(call, method.behavior(requests, context))
        except Exception as exc:
            code = self._fail(call, exc)
            if code in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED):
                self._refused(call, method, code)
        finally:
            for callback in context.callbacks:
                try:
                    callback()
                except Exception:  # pragma: no cover - a callback's own failure
                    log.exception("call-end callback failed")
            if observer is not None:
                observer.on_rpc(method.full, method.kind, code)

    def _timed(self, method: _Method, started: float) -> None:
        elapsed = time.perf_counter() - started
        if self._slow_s is not None and elapsed > self._slow_s:
            ms = round(elapsed * 1e3, 1)
            event(log, logging.WARNING, "slow_call", f"{method.full} took {ms} ms",
                  method=method.full, ms=ms)

    def _refused(self, call: Any, method: _Method, code: Any) -> None:
        role = self._access.role_of(call.authorization) if self._access is not None else None
        who = f"role {role}" if role is not None else "no valid token"
        event(log, logging.WARNING, "call_refused", f"{method.full} refused: {code.name} ({who})",
              method=method.full, role=role, code=code.name)

    @staticmethod
    def _stream(call: Any, replies: Iterator[Any]) -> Any:
        """Send each reply; the code the stream ended with."""
        try:
            for reply in replies:
                if not call.send(reply.SerializeToString()):
                    return grpc.StatusCode.CANCELLED
        finally:
            close = getattr(replies, "close", None)
            if close is not None:
                close()
        call.finish(0)
        return grpc.StatusCode.OK

    @staticmethod
    def _requests(call: Any, method: _Method) -> Iterator[Any]:
        while True:
            data = call.next_request()
            if data is None:
                return
            yield _decode(method, data)

    @staticmethod
    def _fail(call: Any, exc: Exception) -> Any:
        status = status_for(exc)
        if status is None:
            log.error("internal error in %s", type(exc).__name__, exc_info=exc)
            call.finish(grpc.StatusCode.INTERNAL.value[0],
                        f"internal error ({type(exc).__name__}); see the server log")
            return grpc.StatusCode.INTERNAL
        call.finish(status.code.value[0], status.message, list(status.metadata))
        return status.code
