"""The one server interceptor: bearer-token check and error mapping.

Every ``ccroute.v1.Router`` method runs inside it: an exception raised by
the servicer or the service becomes a status through
:func:`~ccroute.server.errors.status_for` (domain errors keep their class
in the trailing metadata ``ccroute-error``), and an unexpected exception is
logged with its traceback and answered INTERNAL. When tokens are set, every
call except the health check needs ``authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Optional

import grpc  # type: ignore[import-untyped]

from .errors import Unauthenticated, status_for

__all__ = ["ServiceInterceptor", "read_tokens", "OPEN_PREFIXES"]

log = logging.getLogger("ccroute.server")

#: Methods callable without a token (load balancers and probes check health).
OPEN_PREFIXES = ("/grpc.health.v1.Health/",)
#: Methods whose errors this interceptor maps (the others map their own).
MAPPED_PREFIX = "/ccroute.v1.Router/"


def read_tokens(path: str) -> list[bytes]:
    """The tokens in a token file: one per line; blank lines and lines
    starting with ``#`` are ignored. Several tokens allow rotation."""
    from ..errors import InvalidInput

    try:
        with open(path, "rb") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read token file {path!r}: {exc.strerror}") from None
    tokens = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith(b"#")]
    if not tokens:
        raise InvalidInput(f"token file {path!r} holds no token")
    return tokens


class ServiceInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Checks bearer tokens (when given) and maps exceptions to statuses."""

    def __init__(self, tokens: Optional[Sequence[bytes]] = None, *, rpc_observer: Optional[Any] = None) -> None:
        self._tokens = list(tokens) if tokens else None
        self._wrapped: dict[str, tuple[Any, Any]] = {}
        #: Hears ``on_rpc_start(method, kind)`` and ``on_rpc(method, kind,
        #: grpc.StatusCode)`` for every ``ccroute.v1.Router`` call (metrics).
        self._rpc_observer = rpc_observer

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        method = details.method
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    # -- per call -------------------------------------------------------
    def _authenticate(self, context: grpc.ServicerContext) -> None:
        tokens = self._tokens
        if tokens is None:
            return
        header: Optional[str] = None
        for key, value in context.invocation_metadata():
            if key == "authorization":
                header = value if isinstance(value, str) else value.decode("latin-1")
                break
        if header is None:
            raise Unauthenticated("missing metadata 'authorization: Bearer <token>'")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated(f"authorization scheme {scheme!r} is not 'Bearer <token>'")
        given = token.strip().encode()
        ok = False
        for t in tokens:  # compare with every token, in constant time each
            ok |= hmac.compare_digest(given, t)
        if not ok:
            raise Unauthenticated("invalid bearer token")

    @staticmethod
    def _abort(context: grpc.ServicerContext, exc: Exception) -> None:
        status = status_for(exc)
        if status is None:
            log.error("internal error in %s", type(exc).__name__, exc_info=exc)
            context.abort(grpc.StatusCode.INTERNAL, f"internal error ({type(exc).__name__}); see the server log")
        else:
            context.set_trailing_metadata(status.metadata)
            context.abort(status.code, status.message)

    # -- wrapping ---------------------------------------------------------
    def _wrap(self, method: str, handler: Any) -> Any:
        if method.startswith(OPEN_PREFIXES):
            return handler
        mapped = method.startswith(MAPPED_PREFIX)
        if not mapped and self._tokens is None:
            return handler
        auth, abort = self._authenticate, self._abort

        def unary(behavior: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
            def call(request: Any, context: grpc.ServicerContext) -> Any:
                try:
                    auth(context)
                    return behavior(request, context)
                except Exception as exc:
                    if not mapped and not isinstance(exc, Unauthenticated):
                        raise
                    abort(context, exc)

            return call

        def streaming(behavior: Callable[[Any, Any], Iterable[Any]]) -> Callable[[Any, Any], Iterable[Any]]:
            def call(request: Any, context: grpc.ServicerContext) -> Iterable[Any]:
                try:
                    auth(context)
                    yield from behavior(request, context)
                except Exception as exc:
                    if not mapped and not isinstance(exc, Unauthenticated):
                        raise
                    abort(context, exc)

            return call

        if mapped and self._rpc_observer is not None:
            kind = ("unary" if handler.unary_unary is not None else
                    "client_stream" if handler.stream_unary is not None else
                    "server_stream" if handler.unary_stream is not None else "bidi_stream")
            unary, streaming = _observed(method, kind, self._rpc_observer, unary, streaming)  # type: ignore[assignment]
        if handler.unary_unary is not None:
            return handler._replace(unary_unary=unary(handler.unary_unary))
        if handler.stream_unary is not None:
            return handler._replace(stream_unary=unary(handler.stream_unary))
        if handler.unary_stream is not None:
            return handler._replace(unary_stream=streaming(handler.unary_stream))
        return handler._replace(stream_stream=streaming(handler.stream_stream))


def _code_of(exc: BaseException) -> Any:
    if isinstance(exc, GeneratorExit):
        return grpc.StatusCode.CANCELLED
    status = status_for(exc)
    return grpc.StatusCode.INTERNAL if status is None else status.code


def _observed(method: str, kind: str, observer: Any, unary: Callable[[Any], Any],
              streaming: Callable[[Any], Any]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Wrap the wrappers so that ``observer`` counts each call and its code."""

    def observed_unary(behavior: Any) -> Any:
        inner = unary(behavior)

        def call(request: Any, context: grpc.ServicerContext) -> Any:
            observer.on_rpc_start(method, kind)
            try:
                reply = inner(request, context)
            except BaseException as exc:
                observer.on_rpc(method, kind, _cause_code(exc, context))
                raise
            observer.on_rpc(method, kind, grpc.StatusCode.OK)
            return reply

        return call

    def observed_streaming(behavior: Any) -> Any:
        inner = streaming(behavior)

        def call(request: Any, context: grpc.ServicerContext) -> Any:
            observer.on_rpc_start(method, kind)
            code = grpc.StatusCode.OK
            try:
                yield from inner(request, context)
            except BaseException as exc:
                code = _cause_code(exc, context)
                raise
            finally:
                observer.on_rpc(method, kind, code)

        return call

    return observed_unary, observed_streaming


def _cause_code(exc: BaseException, context: Any) -> Any:
    """The code a failed call answers with: ``context.abort`` raises a bare
    exception after the code is set, so prefer the code the context holds."""
    code = getattr(context, "code", None)
    if callable(code):
        try:
            set_code = code()
        except Exception:
            set_code = None
        if set_code is not None:
            return set_code
    return _code_of(exc)
