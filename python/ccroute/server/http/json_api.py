"""``ccroute.v1.Router`` as JSON over HTTP, for platforms that cannot use
gRPC: served under ``/v1/`` by the HTTP server of ``ccroute serve
--http-port`` (:class:`~ccroute.server.http.Monitor` given a
:class:`JsonApi`), beside ``/metrics`` and the wallboard.

Routes, derived from the service's descriptor (a new RPC needs no code here):

- ``POST /v1/<Method>`` for every RPC (``POST /v1/SubmitContact``): the
  body is the request message in protobuf's JSON mapping
  (``google.protobuf.json_format``: lowerCamelCase names, the proto names
  accepted too; 64-bit integers as strings; enums by name; a ``FieldMask``
  as ``"skills,capacity"``). An empty body is an empty request; an unknown
  field is refused (400 naming it). The answer is the response message in
  the same mapping, where a field at its default value (0, false, "", an
  empty list) is left out, as proto3 JSON does.
- ``GET /v1/WatchEvents?afterSequence=N&historyId=H`` (or ``POST`` with a
  JSON body): server-sent events (``text/event-stream``), one message per
  ``WatchEventsResponse``: ``id: <sequence of its last event>``, ``event:
  events``, ``data: <JSON>``. The ``Last-Event-ID`` header a reconnecting
  ``EventSource`` sends resumes after that sequence (it takes the place of
  ``afterSequence``). A stream that fails once started ends with ``event:
  error`` and the error object below (its ``metadata`` has
  ``ccroute-resume-after`` when known); a comment ``: keep-alive`` goes out
  after 15 s of silence. A browser's ``EventSource`` cannot set headers, so
  a ``GET`` also takes the token as ``?token=``.
- ``POST /v1/StreamContacts``: an NDJSON body (``application/x-ndjson``),
  one ``SubmitContactsRequest`` per line; the answer is NDJSON, one
  ``SubmitContactsResponse`` per line as each batch is done. A failed batch
  ends it with a line ``{"error": {...}}``; the batches before it stand. A
  body silent for :data:`STREAM_IDLE` seconds ends the stream.
- ``GET /v1/openapi.json``: the OpenAPI document of these routes, generated
  from the protocol (:mod:`.openapi`); open without a token, as the
  protocol is public.

Headers, as gRPC's metadata: ``Authorization: Bearer <token>``;
``ccroute-tenant`` (absent: ``default``); ``ccroute-timeout``, the call's
deadline in seconds; ``Idempotency-Key``, set as the request's
``idempotency_key`` when the body gives none (refused when the body gives
another one, and on ``StreamContacts``, whose lines carry a key each;
ignored by the reads, whose requests have no key: they are idempotent).

Every call runs the gRPC path: :meth:`Dispatcher.handle
<ccroute.server.dispatch.Dispatcher.handle>`, with an object that has the
gRPC front end's ``Call`` interface (:class:`_HttpCall`), so tokens, roles,
tenants, errors, idempotency keys, logs and metrics are exactly gRPC's. A
failed call answers the HTTP status of its gRPC code (:data:`HTTP_STATUS`:
400 INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE; 401; 403; 404; 409
ALREADY_EXISTS, ABORTED; 429 RESOURCE_EXHAUSTED but 413 for a message over
``max_message_bytes``; 499 CANCELLED; 500 INTERNAL, UNKNOWN, DATA_LOSS;
501; 503 UNAVAILABLE; 504 DEADLINE_EXCEEDED) and the body::

    {"error": {"code": 404, "status": "NOT_FOUND", "message": "unknown contact 'c9'",
               "name": "UnknownId", "metadata": {}}}

``name`` is the error class (gRPC's ``ccroute-error``, also sent as the
header ``ccroute-error``; absent for an error of no class), ``metadata``
the other trailing metadata (``ccroute-resume-after``, ``ccroute-owner``,
``ccroute-owner-url``).
A request refused before any call (no such route: 404; another HTTP
method: 405 with ``Allow``; a body over the limit: 413; a bad header: 400)
gets the same shape.

Browsers: with ``cors_origins`` (``ccroute serve --cors-origin``) pages of
those origins may call the API (CORS): a preflight ``OPTIONS`` answers
204 with the methods and the headers above allowed, and every answer to
such an origin carries ``Access-Control-Allow-Origin`` and exposes
``ccroute-error``. Another origin's preflight is refused (403 naming the
origin); without ``cors_origins`` every preflight is. The token still
decides what a call may do.

Each request runs on its own HTTP thread, held until its call ends (an
event stream until its client leaves, noticed within about a second):
the HTTP server's ``max_connections`` bounds them, and the service's
``max_subscribers`` the event streams.
"""

from __future__ import annotations

import difflib
import json
import math
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

import grpc
from google.protobuf import json_format, message_factory

from ...errors import InvalidInput
from ...v1 import router_pb2
from ..config import ServiceLimits
from ..errors import ERROR_KEY, RESUME_KEY, MessageTooLarge

__all__ = ["JsonApi", "HTTP_STATUS", "PREFIX", "OPENAPI_PATH", "TENANT_HEADER", "TIMEOUT_HEADER",
           "IDEMPOTENCY_HEADER", "NDJSON", "SSE_EVENTS", "KEEPALIVE", "STREAM_IDLE"]

#: Where the routes live: ``POST /v1/<Method>``.
PREFIX = "/v1/"
#: The OpenAPI document.
OPENAPI_PATH = PREFIX + "openapi.json"
#: The tenant a call is for (absent: ``default``), as in gRPC.
TENANT_HEADER = "ccroute-tenant"
#: The call's deadline, in seconds (gRPC's deadline).
TIMEOUT_HEADER = "ccroute-timeout"
#: The request's ``idempotency_key`` when its body gives none.
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: The content type of a streaming request or response: one JSON per line.
NDJSON = "application/x-ndjson"
#: The SSE event name of each server-streaming method's messages (others: ``message``).
SSE_EVENTS: dict[str, str] = {"WatchEvents": "events"}
#: Seconds of silence on an event stream before a ``: keep-alive`` comment.
KEEPALIVE = 15.0
#: Seconds a streaming request body may stay silent before the call ends.
STREAM_IDLE = 300.0

#: The HTTP status of each gRPC code (Google's mapping).
HTTP_STATUS: dict[str, int] = {
    "OK": 200, "CANCELLED": 499, "UNKNOWN": 500, "INVALID_ARGUMENT": 400, "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404, "ALREADY_EXISTS": 409, "PERMISSION_DENIED": 403, "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400, "ABORTED": 409, "OUT_OF_RANGE": 400, "UNIMPLEMENTED": 501,
    "INTERNAL": 500, "UNAVAILABLE": 503, "DATA_LOSS": 500, "UNAUTHENTICATED": 401,
}
_CODE_NAMES: dict[int, str] = {c.value[0]: c.name for c in grpc.StatusCode}
_INTERNAL = grpc.StatusCode.INTERNAL.value[0]
_UNAVAILABLE = grpc.StatusCode.UNAVAILABLE.value[0]
_DEADLINE = grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
_JSON = "application/json"
_KINDS = {(False, False): "unary", (True, False): "client_stream",
          (False, True): "server_stream", (True, True): "bidi_stream"}


class _Refusal(Exception):
    """An error answer: HTTP status, gRPC code name, message, error class,
    other metadata, and extra HTTP headers."""

    def __init__(self, status: int, code: str, message: str, name: Optional[str] = None,
                 metadata: Optional[Mapping[str, str]] = None, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.name = name
        self.metadata = dict(metadata or {})
        self.headers = tuple(headers)

    def body(self) -> dict[str, Any]:
        """The JSON error object (the value of ``"error"``)."""
        out: dict[str, Any] = {"code": self.status, "status": self.code, "message": self.message}
        if self.name:
            out["name"] = self.name
        if self.metadata:
            out["metadata"] = self.metadata
        return out


def _refusal_of(code: int, message: str, metadata: Sequence[tuple[str, str]]) -> _Refusal:
    """The answer of a call that ended with gRPC ``code``."""
    name = _CODE_NAMES.get(code, "UNKNOWN")
    md = dict(metadata)
    error_class = md.pop(ERROR_KEY, None)
    status = 413 if error_class == MessageTooLarge.__name__ else HTTP_STATUS.get(name, 500)
    return _Refusal(status, name, message, error_class, md)


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _write(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = _JSON,
           headers: Sequence[tuple[str, str]] = ()) -> None:
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def _write_refusal(handler: BaseHTTPRequestHandler, refusal: _Refusal) -> None:
    headers = list(refusal.headers)
    if refusal.name:
        headers.append((ERROR_KEY, refusal.name))
    if refusal.status == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="ccroute"'))
    _write(handler, refusal.status, _json({"error": refusal.body()}), headers=headers)


def _bad(message: str) -> _Refusal:
    return _Refusal(400, "INVALID_ARGUMENT", message, InvalidInput.__name__)


class _Route:
    """One RPC as a route: its shape and message classes."""

    __slots__ = ("name", "kind", "request_class", "response_class", "keyed", "resume_field", "event")

    def __init__(self, method: Any) -> None:
        self.name: str = method.name
        self.kind = _KINDS[(method.client_streaming, method.server_streaming)]
        self.request_class: Any = message_factory.GetMessageClass(method.input_type)
        self.response_class: Any = message_factory.GetMessageClass(method.output_type)
        fields = method.input_type.fields_by_name
        #: The request has an ``idempotency_key`` (``Idempotency-Key`` applies).
        self.keyed = "idempotency_key" in fields
        #: The field ``Last-Event-ID`` sets (an event stream's resume point).
        self.resume_field = "after_sequence" if method.server_streaming and "after_sequence" in fields else None
        self.event = SSE_EVENTS.get(self.name, "message")

    @property
    def streams_requests(self) -> bool:
        return self.kind in ("client_stream", "bidi_stream")

    @property
    def streams_replies(self) -> bool:
        return self.kind in ("server_stream", "bidi_stream")


class _BodyError(Exception):
    """A request body that broke off or is not valid HTTP framing."""


class _TooLarge(Exception):
    """A request body (or one line of it) over the message-size limit."""


class _Body:
    """A request body as it arrives: ``length`` bytes, or chunked
    (``length`` ``None``). ``idle``: the seconds a read may wait (``None``:
    the connection's timeout)."""

    def __init__(self, handler: BaseHTTPRequestHandler, length: Optional[int], idle: Optional[float] = None) -> None:
        self._rfile: Any = handler.rfile
        self._sock: socket.socket = handler.connection
        self._length = length
        self._idle = idle
        self.size = 0

    def _read(self, reader: Callable[[int], bytes], n: int) -> bytes:
        if self._idle is None:
            return reader(n)
        previous = self._sock.gettimeout()
        self._sock.settimeout(self._idle)
        try:
            return reader(n)
        except TimeoutError:
            raise _BodyError(f"no data in the body for {self._idle:g} s") from None
        finally:
            self._sock.settimeout(previous)

    def pieces(self) -> Iterator[bytes]:
        """The body's bytes, piece by piece as they come."""
        read1 = self._rfile.read1
        if self._length is not None:
            left = self._length
            while left > 0:
                piece = self._read(read1, min(left, 65536))
                if not piece:
                    raise _BodyError(f"the body ended after {self.size} of {self._length} bytes")
                left -= len(piece)
                self.size += len(piece)
                yield piece
            return
        while True:
            line = self._read(self._rfile.readline, 1024)
            if not line:
                raise _BodyError("the chunked body ended before its last chunk")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BodyError(f"bad chunk size line {line[:40]!r} in the chunked body") from None
            if size == 0:
                while self._rfile.readline(1024) not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return
            while size > 0:
                piece = self._read(read1, min(size, 65536))
                if not piece:
                    raise _BodyError("the chunked body ended inside a chunk")
                size -= len(piece)
                self.size += len(piece)
                yield piece
            if self._rfile.read(2) not in (b"\r\n",):
                raise _BodyError("a chunk of the chunked body does not end with CRLF")

    def read(self, limit: int) -> bytes:
        """The whole body; ``_TooLarge`` past ``limit`` bytes."""
        parts = []
        for piece in self.pieces():
            if self.size > limit:
                raise _TooLarge(self.size)
            parts.append(piece)
        return b"".join(parts)

    def lines(self, limit: int) -> Iterator[tuple[int, bytes]]:
        """The body's non-blank lines, numbered from 1; ``_TooLarge`` (with
        the line's number) for a line over ``limit`` bytes."""
        buffer = bytearray()
        number = 0
        for piece in self.pieces():
            start = len(buffer)
            buffer.extend(piece)
            end = buffer.find(b"\n", start)
            while end >= 0:
                number += 1
                line = bytes(buffer[:end])
                del buffer[:end + 1]
                if len(line) > limit:
                    raise _TooLarge(number)
                if line.strip():
                    yield number, line
                end = buffer.find(b"\n")
            if len(buffer) > limit:
                raise _TooLarge(number + 1)
        if bytes(buffer).strip():
            yield number + 1, bytes(buffer)


def _load(route: _Route, data: bytes, where: str) -> Any:
    """The JSON of a body (or one line of it): a JSON object, else ``InvalidInput``."""
    if not data.strip():
        return {}
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise InvalidInput(f"{route.name}: {where} is not JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise InvalidInput(f"{route.name}: {where} must be a JSON object (a "
                           f"{route.request_class.DESCRIPTOR.full_name}), not {type(obj).__name__} {_short(obj)}")
    return obj


def _short(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _query_object(route: _Route, params: Mapping[str, list[str]]) -> dict[str, Any]:
    """A request from a query string: each parameter a scalar field, by its
    JSON or proto name."""
    fields = route.request_class.DESCRIPTOR.fields
    by_name = {f.json_name: f for f in fields} | {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for key, values in params.items():
        field = by_name.get(key)
        if field is None:
            known = ", ".join(f.json_name for f in fields)
            raise InvalidInput(f"{route.name}: unknown query parameter {key!r}; the parameters are {known}")
        if field.message_type is not None:
            raise InvalidInput(f"{route.name}: {key} cannot be given in the query: POST the request as JSON")
        if not field.is_repeated and len(values) > 1:
            raise InvalidInput(f"{route.name}: query parameter {key!r} given {len(values)} times")
        parsed: list[Any] = list(values)
        if field.type == field.TYPE_BOOL:
            for v in values:
                if v not in ("true", "false"):
                    raise InvalidInput(f"{route.name}: query parameter {key}={v!r} is not true or false")
            parsed = [v == "true" for v in values]
        out[key] = parsed if field.is_repeated else parsed[0]
    return out


def _parse_error(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    while text.endswith(".."):
        text = text[:-1]
    return text


def _gone(sock: socket.socket) -> bool:
    """Whether the client closed its side of the connection (without
    reading anything it sent)."""
    try:
        if isinstance(sock, ssl.SSLSocket):
            return _tls_gone(sock)
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _tls_gone(sock: ssl.SSLSocket) -> bool:
    """``_gone`` over TLS, which cannot peek: a readable socket is read
    (non-blocking); ``b""`` is the client's close_notify or end of stream.
    A byte the client sent mid-stream is dropped (a stream's client sends
    nothing)."""
    if sock.pending() or not select.select([sock], [], [], 0)[0]:
        return False
    timeout = sock.gettimeout()
    sock.settimeout(0.0)
    try:
        return sock.recv(1) == b""
    except ssl.SSLWantReadError:  # part of a record only
        return False
    finally:
        sock.settimeout(timeout)


def _peer(address: Any) -> str:
    host, port = address[0], address[1]
    return f"ipv6:[{host}]:{port}" if ":" in str(host) else f"ipv4:{host}:{port}"


class _HttpCall:
    """One HTTP request as the dispatcher sees a gRPC call: the interface of
    the front end's ``Call`` (``ccroute._ccroute.Call``), answered in JSON.

    It lives on the request's HTTP thread, as does everything it calls. A
    unary answer is written when the dispatcher is done (:meth:`complete`);
    a stream's messages as they are sent, after the headers, which wait
    for the first message (or for :meth:`is_active`, once the servicer
    waits for one) so that a call refused at once answers its own HTTP
    status. Two differences from the gRPC ``Call``: ``request`` and
    ``next_request`` raise ``InvalidInput`` (or ``MessageTooLarge``) for
    a body they cannot read, so that the dispatcher answers it as any
    error; and the JSON is read only then, after the token is checked.
    """

    def __init__(self, route: _Route, handler: BaseHTTPRequestHandler, *, authorization: Optional[str],
                 source: Optional[Callable[[], Any]] = None, lines: Optional[Iterator[tuple[int, bytes]]] = None,
                 where: str = "the body", limit: int, timeout: Optional[float] = None,
                 idempotency_key: Optional[str] = None,
                 last_event_id: Optional[str] = None, closing: Callable[[], bool] = lambda: False) -> None:
        self._route = route
        self._handler = handler
        self._source = source
        self._where = where
        self._lines = lines
        self._limit = limit
        self._timeout = timeout
        self._deadline = time.monotonic() + timeout if timeout is not None else None
        self._key = idempotency_key or None
        self._last_event_id = last_event_id or None
        self._closing = closing
        self._ended = False
        self._started = False  # a stream's headers are out
        self._reply: Optional[bytes] = None
        self._error: Optional[_Refusal] = None
        self._last_write = time.monotonic()
        #: The last event sequence delivered (or resumed after): where to resume.
        self._resume: Optional[int] = None
        headers = handler.headers
        self.method: str = route.name
        self.authorization = authorization
        self.tenant: Optional[str] = headers.get(TENANT_HEADER)
        self.peer = _peer(handler.client_address)

    # -- the request ------------------------------------------------------
    def _fill(self, message: Any, obj: Any, where: str) -> bytes:
        route = self._route
        try:
            json_format.ParseDict(obj, message, ignore_unknown_fields=False)
        except json_format.ParseError as exc:
            raise InvalidInput(f"{route.name}: {where} is not a valid {message.DESCRIPTOR.full_name}: "
                               f"{_parse_error(exc)}") from None
        if self._key is not None and route.keyed:
            given = message.idempotency_key
            if given and given != self._key:
                raise InvalidInput(f"{route.name}: header {IDEMPOTENCY_HEADER} {self._key!r} differs from "
                                   f"idempotencyKey {given!r} in {where}; give one key")
            message.idempotency_key = self._key
        if route.resume_field is not None:
            if self._last_event_id is not None:
                if not (self._last_event_id.isascii() and self._last_event_id.isdigit()
                        and int(self._last_event_id) < 2**64):
                    raise InvalidInput(f"{route.name}: header Last-Event-ID {self._last_event_id!r} "
                                       "is not an event sequence")
                setattr(message, route.resume_field, int(self._last_event_id))
            if message.HasField(route.resume_field):
                self._resume = getattr(message, route.resume_field)
        data: bytes = message.SerializeToString()
        return data

    @property
    def request(self) -> Optional[bytes]:
        """The encoded request (``None`` for methods whose requests stream)."""
        if self._route.streams_requests or self._source is None:
            return None
        return self._fill(self._route.request_class(), self._source(), self._where)

    def next_request(self) -> Optional[bytes]:
        """The next line of a streaming body, encoded; ``None`` at its end."""
        if self._lines is None or self._ended:
            return None
        route = self._route
        try:
            item = next(self._lines, None)
        except _TooLarge as exc:
            raise MessageTooLarge(f"{route.name}: line {exc.args[0]} of the body is over the limit of "
                                  f"{self._limit} bytes (max_message_bytes); split it") from None
        except _BodyError as exc:
            raise InvalidInput(f"{route.name}: {exc}") from None
        except OSError:  # the client went away
            self._ended = True
            return None
        if item is None:
            return None
        number, data = item
        where = f"line {number} of the body"
        return self._fill(route.request_class(), _load(route, data, where), where)

    # -- the call's state -------------------------------------------------
    def time_remaining(self) -> Optional[float]:
        """Seconds left before the ``ccroute-timeout`` deadline (``None``: none)."""
        return max(0.0, self._deadline - time.monotonic()) if self._deadline is not None else None

    def is_active(self) -> bool:
        """False once the call has ended or the client went away. On an
        open stream it also sends the headers (the servicer waits: the call
        was not refused), a keep-alive comment after :data:`KEEPALIVE`
        seconds of silence, and ends the stream at its deadline or when the
        HTTP server stops (naming where to resume)."""
        if self._ended:
            return False
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.finish(_DEADLINE, f"deadline of {self._timeout:g} s ({TIMEOUT_HEADER}) passed", self._resume_md())
            return False
        if not self._route.streams_replies:
            return True
        if self._closing():
            self.finish(_UNAVAILABLE, f"the HTTP server is stopping; resume {self.method}"
                        + (f" after {self._resume}" if self._resume is not None else ""),
                        [(ERROR_KEY, "StreamEnded"), *self._resume_md()])
            return False
        if _gone(self._handler.connection):
            self._ended = True
            return False
        if not self._started:
            self._open()
        elif time.monotonic() - self._last_write >= KEEPALIVE:
            self._emit(b": keep-alive\n\n")
        return not self._ended

    def _resume_md(self) -> list[tuple[str, str]]:
        return [(RESUME_KEY, str(self._resume))] if self._resume is not None else []

    # -- answers ----------------------------------------------------------
    def reply(self, data: bytes) -> bool:
        """Answers a unary (or client-streaming) call with ``data``; False
        if it had already ended."""
        if self._ended:
            return False
        self._ended = True
        self._reply = bytes(data)
        return True

    def send(self, data: bytes) -> bool:
        """Sends one message of a stream; False once the call has ended or
        the client left."""
        if self._ended or not self._route.streams_replies:
            return False
        message = self._route.response_class.FromString(data)
        body = json.dumps(json_format.MessageToDict(message), ensure_ascii=False, separators=(",", ":")).encode()
        if self._route.kind == "server_stream":
            events = getattr(message, "events", None)
            head = b""
            if events and hasattr(events[-1], "sequence"):
                self._resume = events[-1].sequence
                head = b"id: %d\n" % self._resume
            chunk = head + b"event: " + self._route.event.encode() + b"\ndata: " + body + b"\n\n"
        else:
            chunk = body + b"\n"
        if not self._started and not self._open():
            return False
        return self._emit(chunk)

    def finish(self, code: int, message: str = "", metadata: Sequence[tuple[str, str]] = ()) -> bool:
        """Ends the call: ``code`` 0 ends a stream normally; any other is an
        error with ``message`` and ``metadata`` (the error's class in
        ``ccroute-error``). False if the call had already ended."""
        if self._ended:
            return False
        self._ended = True
        if code == 0:
            if self._route.streams_replies:
                if not self._started:
                    self._open()
            elif self._reply is None:
                self._error = _Refusal(500, "INTERNAL", "the handler ended without an answer")
            return True
        refusal = _refusal_of(code, message, metadata)
        if not self._started:
            self._error = refusal
        elif self._route.kind == "server_stream":
            self._emit(b"event: error\ndata: " + _json({"error": refusal.body()}) + b"\n")
        else:
            self._emit(_json({"error": refusal.body()}))
        return True

    def complete(self) -> None:
        """Write what is left once the dispatcher is done: the unary
        answer, or the error of a stream refused before it started."""
        if not self._ended:  # pragma: no cover - the dispatcher always answers
            self.finish(_INTERNAL, "the handler ended without an answer")
        handler = self._handler
        if self._error is not None:
            handler.close_connection = handler.close_connection or self._route.streams_requests
            _write_refusal(handler, self._error)
        elif self._reply is not None:
            message = self._route.response_class.FromString(self._reply)
            _write(handler, 200, _json(json_format.MessageToDict(message)))

    def _open(self) -> bool:
        """Send a stream's headers; False if the client is gone."""
        self._started = True
        handler = self._handler
        handler.close_connection = True
        sse = self._route.kind == "server_stream"
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream" if sse else NDJSON)
            handler.send_header("Cache-Control", "no-store")
            handler.send_header("X-Accel-Buffering", "no")  # proxies: do not hold the stream back
            handler.send_header("Connection", "close")
            handler.end_headers()
        except OSError:
            self._ended = True
            return False
        self._last_write = time.monotonic()
        return True

    def _emit(self, chunk: bytes) -> bool:
        try:
            self._handler.wfile.write(chunk)
            self._handler.wfile.flush()
        except OSError:  # gone, or not reading for the connection's write timeout
            self._ended = True
            return False
        self._last_write = time.monotonic()
        return True


#: The request headers a browser page may send (CORS preflight).
CORS_HEADERS = ("authorization", "content-type", "ccroute-tenant", TIMEOUT_HEADER.lower(),
                IDEMPOTENCY_HEADER.lower(), "last-event-id")


def check_origin(origin: str) -> str:
    """``origin`` if it is ``*`` or ``scheme://host[:port]`` (what a
    browser sends in ``Origin``), else ``InvalidInput`` naming it."""
    parts = urlsplit(origin)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = urlsplit("")
    if origin != "*" and (parts.scheme not in ("http", "https") or not parts.hostname or parts.path
                          or parts.query or parts.fragment or parts.username is not None
                          or origin != f"{parts.scheme}://{parts.netloc}"):
        raise InvalidInput(f"CORS origin {origin!r} is not '*' or scheme://host[:port], e.g. https://console.example.com")
    return origin


class JsonApi:
    """The JSON routes (see the module docstring) of one server.

    Args:
        dispatcher: runs the calls: the gRPC server's
            :attr:`~ccroute.server.app.Server.dispatcher`, whose tokens and
            servicer the JSON calls share.
        limits: bounds a body (or a line of a streaming one) by
            ``max_message_bytes`` (default: the default limits).
        service_descriptor: the service served (default ``ccroute.v1.Router``,
            the dispatcher's).
    """

    def __init__(self, dispatcher: Any, limits: Optional[ServiceLimits] = None, *,
                 service_descriptor: Any = None, cors_origins: Sequence[str] = ()) -> None:
        self.dispatcher = dispatcher
        #: Origins whose pages may call the API from a browser (``"*"``: any).
        self.cors_origins = tuple(check_origin(o) for o in cors_origins)
        self.service: Any = service_descriptor or router_pb2.DESCRIPTOR.services_by_name["Router"]
        self.max_message_bytes = (limits or ServiceLimits()).max_message_bytes
        self.routes: dict[str, _Route] = {m.name: _Route(m) for m in self.service.methods}
        self._document: Optional[bytes] = None

    def openapi(self) -> bytes:
        """The OpenAPI document, as served (built once)."""
        if self._document is None:
            from .openapi import openapi_document

            self._document = json.dumps(openapi_document(self.service), ensure_ascii=False, indent=1).encode()
        return self._document

    def handle(self, handler: BaseHTTPRequestHandler, closing: Callable[[], bool] = lambda: False) -> None:
        """Answer one request under :data:`PREFIX` on ``handler``'s thread
        (the HTTP server's handler calls this); ``closing`` tells when the
        HTTP server stops (open event streams then end)."""
        origin = handler.headers.get("Origin")
        allowed = origin is not None and ("*" in self.cors_origins or origin in self.cors_origins)
        # Added to every answer to this request by the HTTP server's handler.
        handler.extra_headers = (  # type: ignore[attr-defined]
            [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
             ("Access-Control-Expose-Headers", f"{ERROR_KEY}, Allow")] if allowed else [])
        try:
            if handler.command == "OPTIONS":
                self._preflight(handler, origin, allowed)
                return
            self._handle(handler, closing)
        except _Refusal as refusal:
            headers = handler.headers
            if headers.get("Transfer-Encoding") or headers.get("Content-Length", "0").strip() != "0":
                handler.close_connection = True  # its body may not have been read
            _write_refusal(handler, refusal)

    def _handle(self, handler: BaseHTTPRequestHandler, closing: Callable[[], bool]) -> None:
        path, _, query = handler.path.partition("?")
        verb = handler.command
        if path == OPENAPI_PATH:
            self._allow(verb, path, ("GET", "HEAD"))
            _write(handler, 200, self.openapi())
            return
        route = self.routes.get(path[len(PREFIX):]) if path.startswith(PREFIX) else None
        if route is None:
            raise self._no_route(verb, path)
        self._allow(verb, path, ("GET", "POST") if route.kind == "server_stream" else ("POST",))
        headers = handler.headers
        timeout = _timeout(headers.get(TIMEOUT_HEADER))
        key = headers.get(IDEMPOTENCY_HEADER)
        if key and route.streams_requests:
            raise _bad(f"{route.name}: header {IDEMPOTENCY_HEADER} does not apply to a stream of requests: "
                       "give each line its own idempotencyKey")
        authorization = headers.get("Authorization")
        limit = self.max_message_bytes
        source: Optional[Callable[[], Any]] = None
        lines = None
        if verb == "GET":
            params = parse_qs(query, keep_blank_values=True)
            token = params.pop("token", None)
            if token and not authorization:
                authorization = f"Bearer {token[-1]}"
            source = lambda: _query_object(route, params)  # noqa: E731 - read after the token check
        else:
            if query:
                raise _bad(f"POST {path} takes its request as a JSON body, not in the query string ({query[:60]!r})")
            body = self._body(handler, route)
            if route.streams_requests:
                lines = body.lines(limit) if body is not None else iter(())
            else:
                data = self._read(body, route) if body is not None else b""
                source = lambda: _load(route, data, "the body")  # noqa: E731
        call = _HttpCall(route, handler, authorization=authorization, source=source, lines=lines, limit=limit,
                         where="the query" if verb == "GET" else "the body", timeout=timeout, idempotency_key=key,
                         last_event_id=headers.get("Last-Event-ID") if route.resume_field else None,
                         closing=closing)
        self.dispatcher.handle(call)
        call.complete()

    def _preflight(self, handler: BaseHTTPRequestHandler, origin: Optional[str], allowed: bool) -> None:
        """Answer a CORS preflight: 204 allowing the methods and headers
        the API takes, for an allowed origin; 403 naming it otherwise."""
        if not allowed:
            why = ("cross-origin calls are not enabled on this server (ccroute serve --cors-origin)"
                   if not self.cors_origins else f"origin {origin!r} may not call this API (--cors-origin)")
            raise _Refusal(403, "PERMISSION_DENIED", f"OPTIONS {handler.path.partition('?')[0]}: {why}")
        _write(handler, 204, b"", headers=(
            ("Access-Control-Allow-Methods", "GET, POST"),
            ("Access-Control-Allow-Headers", ", ".join(CORS_HEADERS)),
            ("Access-Control-Max-Age", "600"),
        ))

    def _allow(self, verb: str, path: str, allowed: tuple[str, ...]) -> None:
        if verb in allowed:
            return
        how = " with the request as a JSON body ({} or nothing for an empty one)" if allowed == ("POST",) else ""
        raise _Refusal(405, "UNIMPLEMENTED", f"{verb} {path} is not allowed: use {' or '.join(allowed)}{how}",
                       headers=(("Allow", ", ".join(allowed)),))

    def _no_route(self, verb: str, path: str) -> _Refusal:
        name = path[len(PREFIX):] if path.startswith(PREFIX) else path.lstrip("/")
        near = [m for m in self.routes if m.lower() == name.lower()] or difflib.get_close_matches(name, self.routes, 1)
        hint = f"; did you mean {PREFIX}{near[0]}?" if near else ""
        return _Refusal(404, "NOT_FOUND", f"no route {verb} {path}: the routes are POST {PREFIX}<Method> for each "
                        f"method of {self.service.full_name}, and GET {OPENAPI_PATH}{hint}")

    def _body(self, handler: BaseHTTPRequestHandler, route: _Route) -> Optional[_Body]:
        """The request's body (``None``: it has none), refused when
        announced over the limit."""
        headers = handler.headers
        encoding = headers.get("Transfer-Encoding")
        idle = STREAM_IDLE if route.streams_requests else None
        if encoding is not None:
            if encoding.strip().lower() != "chunked":
                raise _Refusal(501, "UNIMPLEMENTED", f"Transfer-Encoding {encoding!r} is not supported (only chunked)")
            return _Body(handler, None, idle)
        text = headers.get("Content-Length")
        if text is None:
            return None
        try:
            length = int(text)
            if length < 0:
                raise ValueError
        except ValueError:
            raise _bad(f"Content-Length {text!r} is not a number of bytes") from None
        if length > self.max_message_bytes and not route.streams_requests:
            raise self._too_large(route, f"the body of {length} bytes")
        return _Body(handler, length, idle)

    def _read(self, body: _Body, route: _Route) -> bytes:
        try:
            return body.read(self.max_message_bytes)
        except _TooLarge:
            raise self._too_large(route, "the body") from None
        except _BodyError as exc:
            raise _bad(f"{route.name}: {exc}") from None

    def _too_large(self, route: _Route, what: str) -> _Refusal:
        return _Refusal(413, "RESOURCE_EXHAUSTED", f"{route.name}: {what} is over the limit of "
                        f"{self.max_message_bytes} bytes (max_message_bytes); split the request",
                        MessageTooLarge.__name__)


def _timeout(text: Optional[str]) -> Optional[float]:
    """The seconds of a ``ccroute-timeout`` header (``None``: none)."""
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not seconds > 0 or math.isinf(seconds):
        raise _bad(f"header {TIMEOUT_HEADER} {text!r} is not a positive number of seconds")
    return seconds
