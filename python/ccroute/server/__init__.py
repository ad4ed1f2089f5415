"""The ccroute gRPC server (``ccroute serve``).

Layers, from the wire in:

- :mod:`~ccroute.server.app`: :func:`create_server` (the Rust gRPC front
  end: HTTP/2, TLS, health checking, reflection) and :func:`serve`
  (signals, graceful stop);
- :mod:`~ccroute.server.tokens` and :mod:`~ccroute.server.access`: the
  token file (hashed tokens, each with a role and tenant) and the one
  table of which role may call which method;
- :mod:`~ccroute.server.dispatch`: the handler threads: role check, the
  one mapping of exceptions to status codes
  (:func:`~ccroute.server.errors.status_for`), RPC metrics;
- :mod:`~ccroute.server.servicer`: thin protocol adapter;
- :mod:`~ccroute.server.tenants`: the routers one server hosts, one
  :class:`RouterService` per tenant (with Redis:
  :mod:`~ccroute.server.persistence.tenants`, spread among servers);
- :mod:`~ccroute.server.webhooks`: each tenant's event webhook;
- :mod:`~ccroute.server.service`: :class:`RouterService`, transport-free:
  the engine thread, command queue, wall-clock timers, and the command-log
  and observer hooks;
- :mod:`~ccroute.server.commands`: each call as plain data, with what it
  does to the engine;
- :mod:`~ccroute.server.engine`: the router with its event numbering,
  history and subscribers, and idempotency cache.

Embedding the service without gRPC::

    from ccroute.server import RouterService, load_config
    with RouterService(load_config().router) as service:
        service.add_agent(ccroute.Agent("a1"))
"""

from __future__ import annotations

from .app import Server, create_server, serve
from .clock import ClientClock, Clock, ManualClock, MonotonicClock
from .config import RouterSettings, ServerConfig, ServiceLimits, load_config, parse_config
from .engine import Status, Submitted, Upserted
from .errors import (
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
from .events import EventRecord, Subscription
from .hooks import CommandLog, LogEntry, Observer
from .service import RouterService
from .tenants import DEFAULT_TENANT, TenantInfo, Tenants
from .tokens import Grant, TokenTable, read_token_file

__all__ = [
    "Server", "create_server", "serve",
    "RouterService", "Tenants", "TenantInfo", "DEFAULT_TENANT", "Status", "Submitted", "Upserted", "EventRecord", "Subscription",
    "RouterSettings", "ServerConfig", "ServiceLimits", "load_config", "parse_config",
    "ClientClock", "Clock", "ManualClock", "MonotonicClock",
    "CommandLog", "LogEntry", "Observer",
    "Grant", "TokenTable", "read_token_file",
    "ServiceError", "ServerBusy", "ServiceUnavailable", "ServiceTimeout", "Unauthenticated",
    "PermissionDenied", "EventsMissed", "SubscriberLagged", "HistoryGap", "HistoryChanged", "IdempotencyConflict",
    "MessageTooLarge", "StreamEnded", "UnknownTenant", "NotOwner",
]
