"""Clients of the ccroute gRPC service (``ccroute serve``).

:class:`RouterClient` (blocking) and :class:`AsyncRouterClient` (asyncio)
have the methods of the embedded :class:`ccroute.Router`, so moving from
embedded to remote is a one-line change::

    router = ccroute.Router(channels, queues)      # in-process
    router = RouterClient("127.0.0.1:50051")       # over gRPC

Errors keep their classes across the wire (``UnknownId``, ``DuplicateId``,
``InvalidInput``, ``InvalidState``, ``QueueFull``, ...); transport problems
are :class:`ServiceError` subclasses (a token whose role does not allow a
call: :class:`PermissionDenied`).
"""

from __future__ import annotations

from ..server.errors import (
    EventsMissed,
    HistoryChanged,
    HistoryGap,
    IdempotencyConflict,
    MessageTooLarge,
    NotOwner,
    PermissionDenied,
    ServerBusy,
    ServiceError,
    ServiceTimeout,
    ServiceUnavailable,
    StreamEnded,
    SubscriberLagged,
    Unauthenticated,
    UnknownTenant,
)
from ..server.events import EventRecord
from ..server.tenants import TenantInfo
from ..server.token_store import TokenInfo
from ._aio import AsyncRouterClient
from ._common import RemoteAgentView, RemoteContactView, RemoteQueueStats, RemoteStatus, RemoteWebhook
from ._sync import EventWatch, RouterClient

__all__ = [
    "RouterClient",
    "AsyncRouterClient",
    "EventWatch",
    "EventRecord",
    "RemoteQueueStats",
    "RemoteAgentView",
    "RemoteContactView",
    "RemoteStatus",
    "RemoteWebhook",
    "TenantInfo",
    "TokenInfo",
    "ServiceError",
    "ServerBusy",
    "ServiceUnavailable",
    "ServiceTimeout",
    "Unauthenticated",
    "PermissionDenied",
    "EventsMissed",
    "SubscriberLagged",
    "HistoryGap",
    "HistoryChanged",
    "IdempotencyConflict",
    "MessageTooLarge",
    "StreamEnded",
    "UnknownTenant",
    "NotOwner",
]
