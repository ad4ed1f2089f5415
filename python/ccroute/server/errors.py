"""Errors of the service layer, and the one mapping of errors to gRPC codes.

The router's own errors (``ccroute.errors``) keep their classes end to end:
the server maps each to a status code here (:func:`status_for`), sends the
class name in the trailing metadata ``ccroute-error``, and the client raises
the same class again (:func:`error_from_status`). The classes below are the
service's own refusals (overload, shutdown, authentication, permissions,
event-stream gaps), also rooted at :class:`ccroute.RoutingError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import grpc

from .. import errors as _domain
from ..errors import InvalidInput, RoutingError

__all__ = [
    "ServiceError",
    "ServerBusy",
    "MessageTooLarge",
    "ServiceUnavailable",
    "ServiceTimeout",
    "StreamEnded",
    "Unauthenticated",
    "PermissionDenied",
    "EventsMissed",
    "SubscriberLagged",
    "HistoryGap",
    "HistoryChanged",
    "IdempotencyConflict",
    "UnknownTenant",
    "NotOwner",
    "Status",
    "status_for",
    "error_from_status",
    "ERROR_KEY",
    "RESUME_KEY",
    "OWNER_KEY",
    "OWNER_URL_KEY",
]

#: Trailing-metadata key carrying the error class name.
ERROR_KEY = "ccroute-error"
#: Trailing-metadata key carrying the sequence to resume ``WatchEvents`` after.
RESUME_KEY = "ccroute-resume-after"
#: Trailing-metadata key naming the server (``host:port``) that owns a tenant.
OWNER_KEY = "ccroute-owner"
#: Trailing metadata key: the base URL of the owner's HTTP port.
OWNER_URL_KEY = "ccroute-owner-url"


class ServiceError(RoutingError):
    """The service refused or could not finish a call (not a routing error)."""


class ServerBusy(ServiceError):
    """The server is overloaded (command queue or subscriber limit): retry later."""


class MessageTooLarge(ServiceError):
    """A request or response over ``ServiceLimits.max_message_bytes``:
    split it (RESOURCE_EXHAUSTED, not worth retrying as it is)."""


class ServiceUnavailable(ServiceError):
    """The service is shutting down or stopped."""


class StreamEnded(ServiceUnavailable):
    """An event stream ended because the server shuts down;
    ``resume_after`` (when known) is the last sequence delivered: resume
    ``WatchEvents`` after it on the next server."""

    def __init__(self, message: str, resume_after: Optional[int] = None) -> None:
        super().__init__(message)
        self.resume_after = resume_after


class ServiceTimeout(ServiceError):
    """The caller's deadline passed before the engine answered. The command
    may still run: retry with the same idempotency key."""


class Unauthenticated(ServiceError):
    """A missing or wrong bearer token."""


class PermissionDenied(ServiceError):
    """The token is known but its role, tenant or agent does not allow
    the call (PERMISSION_DENIED); the message names the role and the call,
    and for an ``agent`` token acting for another agent, both agents.
    Nothing was changed."""


class EventsMissed(ServiceError):
    """An event stream cannot continue without a gap; ``resume_after`` (when
    known) is the last sequence delivered."""

    def __init__(self, message: str, resume_after: Optional[int] = None) -> None:
        super().__init__(message)
        self.resume_after = resume_after


class SubscriberLagged(EventsMissed):
    """The subscriber read too slowly and its buffer overflowed; resume
    ``WatchEvents`` with ``after_sequence=resume_after``."""


class HistoryGap(EventsMissed):
    """The resume point is older than the event history the server keeps."""


class HistoryChanged(HistoryGap):
    """The resume point belongs to another event history (another
    ``history_id``): its sequence numbers mean other events here."""


class IdempotencyConflict(InvalidInput):
    """An idempotency key reused for a different request (also ``InvalidInput``)."""


class UnknownTenant(_domain.UnknownId):
    """A call for a tenant this server does not know (NOT_FOUND, naming it)."""


class NotOwner(ServiceUnavailable):
    """A call for a tenant another server owns now (UNAVAILABLE); ``owner``
    is that server's address (``host:port``, sent in ``ccroute-owner``;
    ``None`` while no server owns it): send the call there. ``owner_url``
    is the base URL of its HTTP port (JSON API, wallboard; sent in
    ``ccroute-owner-url``) when it serves one."""

    def __init__(self, message: str, owner: Optional[str] = None, owner_url: Optional[str] = None) -> None:
        super().__init__(message)
        self.owner = owner
        self.owner_url = owner_url


@dataclass(frozen=True)
class Status:
    """What a failed call answers: code, message and trailing metadata."""

    code: grpc.StatusCode
    message: str
    metadata: tuple[tuple[str, str], ...]


#: The one table from error class to status code (looked up along the MRO).
_CODES: dict[type[BaseException], grpc.StatusCode] = {
    _domain.UnknownId: grpc.StatusCode.NOT_FOUND,
    _domain.DuplicateId: grpc.StatusCode.ALREADY_EXISTS,
    _domain.InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    _domain.InvalidState: grpc.StatusCode.FAILED_PRECONDITION,
    _domain.CapacityError: grpc.StatusCode.FAILED_PRECONDITION,
    _domain.QueueFull: grpc.StatusCode.RESOURCE_EXHAUSTED,
    _domain.VersionConflict: grpc.StatusCode.ABORTED,  # a concurrency conflict: read again, retry (AIP-154)
    _domain.SnapshotError: grpc.StatusCode.DATA_LOSS,
    ServerBusy: grpc.StatusCode.RESOURCE_EXHAUSTED,
    MessageTooLarge: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ServiceUnavailable: grpc.StatusCode.UNAVAILABLE,
    ServiceTimeout: grpc.StatusCode.DEADLINE_EXCEEDED,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    SubscriberLagged: grpc.StatusCode.ABORTED,
    HistoryGap: grpc.StatusCode.OUT_OF_RANGE,
}

#: Classes a client may rebuild from ``ccroute-error``, by name.
_CLASSES: dict[str, type[RoutingError]] = {
    cls.__name__: cls
    for cls in (
        *(getattr(_domain, n) for n in _domain.__all__),
        ServiceError, ServerBusy, MessageTooLarge, ServiceUnavailable, ServiceTimeout, Unauthenticated,
        PermissionDenied, EventsMissed, SubscriberLagged, HistoryGap, HistoryChanged, IdempotencyConflict, StreamEnded,
        UnknownTenant, NotOwner,
    )
}


def status_for(exc: BaseException) -> Optional[Status]:
    """The status a call answers with when it raised ``exc``; ``None`` for
    an unexpected exception (the caller reports it as INTERNAL)."""
    for cls in type(exc).__mro__:
        code = _CODES.get(cls)
        if code is not None:
            break
    else:
        return None
    name = type(exc).__name__ if type(exc).__name__ in _CLASSES else cls.__name__
    metadata: tuple[tuple[str, str], ...] = ((ERROR_KEY, name),)
    resume = getattr(exc, "resume_after", None) if isinstance(exc, (EventsMissed, StreamEnded)) else None
    if resume is not None:
        metadata += ((RESUME_KEY, str(resume)),)
    owner = getattr(exc, "owner", None) if isinstance(exc, NotOwner) else None
    if owner:
        metadata += ((OWNER_KEY, owner),)
    owner_url = getattr(exc, "owner_url", None) if isinstance(exc, NotOwner) else None
    if owner_url:
        metadata += ((OWNER_URL_KEY, owner_url),)
    return Status(code, str(exc), metadata)


#: Fallback classes by status code when the server sent no ``ccroute-error``.
_BY_CODE: dict[grpc.StatusCode, type[RoutingError]] = {
    grpc.StatusCode.NOT_FOUND: _domain.UnknownId,
    grpc.StatusCode.ALREADY_EXISTS: _domain.DuplicateId,
    grpc.StatusCode.INVALID_ARGUMENT: _domain.InvalidInput,
    grpc.StatusCode.FAILED_PRECONDITION: _domain.InvalidState,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ServerBusy,
    grpc.StatusCode.UNAVAILABLE: ServiceUnavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: ServiceTimeout,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.ABORTED: SubscriberLagged,
    grpc.StatusCode.OUT_OF_RANGE: HistoryGap,
}


def error_from_status(
    code: grpc.StatusCode, message: str, metadata: tuple[tuple[str, str | bytes], ...] = ()
) -> RoutingError:
    """The exception a client raises for a failed call: the class the server
    named in ``ccroute-error``, else one chosen by status code
    (:class:`ServiceError` for anything else)."""
    md = {k: v for k, v in metadata}
    cls = _CLASSES.get(str(md.get(ERROR_KEY, ""))) or _BY_CODE.get(code, ServiceError)
    if issubclass(cls, (EventsMissed, StreamEnded)):
        resume = md.get(RESUME_KEY)
        return cls(message, int(resume) if resume is not None else None)
    if issubclass(cls, NotOwner):
        owner, url = md.get(OWNER_KEY), md.get(OWNER_URL_KEY)
        return cls(message, str(owner) if owner else None, str(url) if url else None)
    if cls is ServiceError:
        message = f"{code.name}: {message}" if message else code.name
    return cls(message)
