"""What the sync and asyncio clients share: errors, requests and the
conversion of replies into ccroute objects; the redirect decision and the
channels (``_redirects``) are re-exported here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

import grpc

from .._ccroute import Agent, Channel, Contact, Queue
from ..errors import RoutingError
from ..events import Event
from ..server import wire
from ..server.config import RouterSettings
from ..server.errors import ServiceError, ServiceTimeout, ServiceUnavailable, error_from_status
from ..server.events import EventRecord
from ..server.tenants import TenantInfo, check_tenant
from ..server.token_store import TokenInfo
from ..server.tokens import Grant
from ..v1 import router_pb2, views_pb2
from ._redirects import (
    FAILED_FOR,
    FAILED_RETRY,
    MAX_REDIRECTS,
    NO_OWNER_TRIES,
    NO_OWNER_WAIT,
    STREAM_SETTLED,
    Hop,
    Link,
    Links,
    Redirects,
)

__all__ = [
    "RemoteQueueStats", "RemoteAgentView", "RemoteContactView", "RemoteStatus",
    "RemoteWebhook", "channel_args", "tenant_metadata", "tenant_of_pb", "token_of_pb", "token_request", "to_error", "events_of", "new_key",
    "settings_of", "answered", "is_cancelled", "Hop", "Redirects", "Link", "Links", "MAX_REDIRECTS", "NO_OWNER_WAIT",
    "NO_OWNER_TRIES", "STREAM_SETTLED", "FAILED_FOR", "FAILED_RETRY",
]

#: Message size the client accepts by default (replies to big batches).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: Errors after which a retry is safe for idempotent calls.
RETRYABLE = (ServiceUnavailable, ServiceTimeout)


def channel_args(
    token: Optional[str],
    root_certificates: Optional[bytes],
    tls: bool,
    options: Optional[Sequence[tuple[str, Any]]],
) -> tuple[Optional[grpc.ChannelCredentials], list[tuple[str, Any]], tuple[tuple[str, str], ...]]:
    """Credentials (None: plaintext), channel options and call metadata."""
    creds = grpc.ssl_channel_credentials(root_certificates) if (tls or root_certificates) else None
    opts: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ]
    opts.extend(options or ())
    metadata = (("authorization", f"Bearer {token}"),) if token else ()
    return creds, opts, metadata


def tenant_metadata(tenant: Optional[str]) -> tuple[tuple[str, str], ...]:
    """The metadata naming a call's tenant (none: the server's default tenant)."""
    if tenant is None:
        return ()
    check_tenant(tenant)
    return (("ccroute-tenant", tenant),)


@dataclass(frozen=True)
class RemoteWebhook:
    """A tenant's webhook as the server reports it (never its secret)."""

    url: str
    delivered_sequence: int
    failures: int
    last_error: str

    @classmethod
    def from_pb(cls, m: Any) -> "RemoteWebhook":
        return cls(m.url, m.delivered_sequence, m.failures, m.last_error)


def token_of_pb(m: Any) -> TokenInfo:
    grant = Grant(m.role, m.tenant, m.agent if m.HasField("agent") else None, m.name if m.HasField("name") else None)
    return TokenInfo(m.sha256, grant, m.source)


def token_request(role: str, tenant: str, agent: Optional[str], name: Optional[str]) -> Any:
    """A ``CreateTokenRequest`` (checked here first: ``InvalidInput``)."""
    Grant(role, tenant, agent, name)
    request = router_pb2.CreateTokenRequest(role=role, tenant=tenant, idempotency_key=new_key())
    if agent is not None:
        request.agent = agent
    if name is not None:
        request.name = name
    return request


def tenant_of_pb(m: Any) -> TenantInfo:
    return TenantInfo(m.name, m.owner, m.owned_here, m.agents, m.live_contacts, m.last_sequence, m.history_id,
                      m.problem)


def to_error(exc: grpc.RpcError) -> RoutingError:
    """The ccroute exception for a failed call (same class as embedded)."""
    code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
    details = (exc.details() if hasattr(exc, "details") else None) or ""
    metadata = (exc.trailing_metadata() if hasattr(exc, "trailing_metadata") else None) or ()
    if code == grpc.StatusCode.CANCELLED and details == "Timeout expired":
        # The server's own deadline handling answers a call whose deadline
        # passed with CANCELLED "Timeout expired", racing the client's
        # DEADLINE_EXCEEDED: the same event, the same (retryable) error.
        code = grpc.StatusCode.DEADLINE_EXCEEDED
    return error_from_status(code, details, tuple(metadata))


def answered(err: RoutingError) -> bool:
    """Whether a call that failed with ``err`` was answered by the owner
    of its tenant: a domain error (``UnknownId``, ``QueueFull``, ...) is
    its answer; a ``ServiceError`` (unavailable, busy, refused, ...) is not."""
    return not isinstance(err, ServiceError)


def is_cancelled(exc: grpc.RpcError) -> bool:
    """Whether a call ended CANCELLED (by whom: the caller knows)."""
    return hasattr(exc, "code") and exc.code() == grpc.StatusCode.CANCELLED


def new_key() -> str:
    """A fresh idempotency key."""
    return uuid.uuid4().hex


def events_of(reply: Any) -> list[Event]:
    """The ccroute events of a reply, in order."""
    return [wire.event_from_pb(e)[1] for e in reply.events]


def records_of(reply: Any) -> list[EventRecord]:
    """The events of a reply with their sequence numbers."""
    return [EventRecord(*wire.event_from_pb(e), e.wall_time) for e in reply.events]


def settings_of(current: RouterSettings, channels: Sequence[Channel], queues: Sequence[Queue],
                options: dict[str, Any]) -> RouterSettings:
    """The configuration in force with these fields changed (any field of
    ``RouterSettings.fields()``), as ``Router.reconfigure`` merges them."""
    return current.replace(channels=list(channels), queues=list(queues), **options)


# -- requests -----------------------------------------------------------------
def upsert_request(agent: Agent, create_only: bool,
                   fields: Optional[Iterable[str]] = None) -> router_pb2.UpsertAgentRequest:
    request = router_pb2.UpsertAgentRequest(agent=wire.agent_to_pb(agent), create_only=create_only)
    if fields is not None:
        request.update_mask.paths.extend(fields)
    return request


def state_request(agent: str, state: str) -> router_pb2.SetAgentStateRequest:
    value = wire.STATE_TO_PB.get(state)
    if value is None:
        from ..errors import InvalidInput

        raise InvalidInput(f"agent {agent!r}: unknown state {state!r} (use offline, available or away)")
    return router_pb2.SetAgentStateRequest(agent_id=agent, state=value)  # type: ignore[arg-type]


def submit_request(contact: Contact, key: str) -> router_pb2.SubmitContactRequest:
    return router_pb2.SubmitContactRequest(contact=wire.contact_to_pb(contact), idempotency_key=key)


def update_request(contact: str, **fields: Any) -> router_pb2.UpdateContactRequest:
    """An UpdateContact request carrying the fields given (not ``None``),
    checked as the embedded router checks them (``InvalidInput`` naming
    the field)."""
    update = wire.contact_update_to_pb(wire.update_record(**fields))
    return router_pb2.UpdateContactRequest(contact_id=contact, update=update)


def transfer_request(contact: str, **fields: Any) -> router_pb2.TransferRequest:
    """A Transfer request, checked as the embedded router checks a transfer
    (``InvalidInput`` naming the field)."""
    return router_pb2.TransferRequest(contact_id=contact, transfer=wire.transfer_to_pb(wire.transfer_record(**fields)))


def callback_result_request(contact: str, outcome: str) -> router_pb2.CallbackResultRequest:
    """A CallbackResult request (``InvalidInput`` for an unknown outcome)."""
    value = wire.OUTCOME_TO_PB[wire.check_outcome(outcome)]
    return router_pb2.CallbackResultRequest(contact_id=contact, outcome=value)  # type: ignore[arg-type]


def batch_request(contacts: Iterable[Contact], key: str = "", now: Optional[float] = None) -> router_pb2.SubmitContactsRequest:
    request = router_pb2.SubmitContactsRequest(contacts=[wire.contact_to_pb(c) for c in contacts], idempotency_key=key)
    if now is not None:
        request.now = now
    return request


# -- views --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RemoteQueueStats:
    """Queue statistics from the server (same fields as ``ccroute.QueueStats``)."""

    name: str
    waiting: int
    offering: int
    longest_wait: float
    callbacks_waiting: int
    callbacks_calling: int
    scheduled: int
    entered: int
    answered: int
    answered_in_sl: int
    abandoned: int
    abandoned_in_sl: int
    completed: int
    overflowed_in: int
    overflowed_out: int
    refused: int
    missed_offers: int
    transferred_in: int
    transferred_out: int
    transfers_failed: int
    callback_calls: int
    callbacks_failed: int
    service_level: Optional[float]
    asa: Optional[float]
    abandon_rate: Optional[float]
    sl_target: float
    sl_threshold: float
    refused_closed: int = 0
    held: int = 0
    exceptions: int = 0
    cancelled: int = 0
    open: bool = True
    paused: int = 0

    @classmethod
    def from_pb(cls, pb: views_pb2.QueueStats) -> "RemoteQueueStats":
        kw = {f: getattr(pb, f) for f in cls.__dataclass_fields__}
        for f in ("service_level", "asa", "abandon_rate"):
            if not pb.HasField(f):
                kw[f] = None
        return cls(**kw)

    @property
    def offered(self) -> int:
        """Deprecated alias of ``entered``, kept for one release."""
        return self.entered

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RemoteAgentView:
    """One agent, from the server (same fields as ``ccroute.AgentView``)."""

    id: str
    state: str
    skills: dict[str, int]
    capacity: int
    used: int
    load: float
    contacts: list[str]
    held: dict[str, int]
    max: dict[str, int]
    wrap_ups: int
    handled: int
    idle_since: float
    busy: bool
    attributes: dict[str, Any]
    routing_profile: Optional[str] = None
    #: Reason code of the last state change (break, lunch, ...): server only.
    reason: str = ""
    #: When the agent entered its state (router time): server only.
    state_since: Optional[float] = None
    #: Its paused contacts.
    paused: list[str] = field(default_factory=list)

    @classmethod
    def from_pb(cls, pb: views_pb2.AgentView) -> "RemoteAgentView":
        return cls(
            id=pb.id, state=wire.STATE_FROM_PB.get(pb.state, "offline"), skills=dict(pb.skills),
            capacity=pb.capacity, used=pb.used, load=pb.load, contacts=list(pb.contacts),
            held=dict(pb.held), max=dict(pb.max), wrap_ups=pb.wrap_ups, handled=pb.handled,
            idle_since=pb.idle_since, busy=pb.busy, attributes=wire.attributes_from_pb(pb.attributes),
            routing_profile=pb.routing_profile if pb.HasField("routing_profile") else None,
            reason=pb.reason, state_since=pb.state_since if pb.HasField("state_since") else None,
            paused=list(pb.paused),
        )


@dataclass(frozen=True, slots=True)
class RemoteContactView:
    """One contact, from the server (same fields as ``ccroute.ContactView``)."""

    id: str
    status: str
    channel: str
    queue: str
    priority: Optional[int]
    arrival: float
    wait: float
    agent: Optional[str]
    requires: dict[str, int]
    step: int
    attributes: dict[str, Any]
    version: int

    @classmethod
    def from_pb(cls, pb: views_pb2.ContactView) -> "RemoteContactView":
        return cls(
            id=pb.id, status=wire.STATUS_FROM_PB.get(pb.status, "unknown"), channel=pb.channel,
            queue=pb.queue, priority=pb.priority if pb.HasField("priority") else None,
            arrival=pb.arrival, wait=pb.wait, agent=pb.agent if pb.HasField("agent") else None,
            requires=dict(pb.requires), step=pb.step, attributes=wire.attributes_from_pb(pb.attributes),
            version=pb.version,
        )


@dataclass(frozen=True, slots=True)
class RemoteExplanation:
    """Why a contact is where it is, from the server (same fields as
    ``ccroute.Explanation``)."""

    contact: str
    status: str
    queue: str
    channel: str
    position: Optional[int]
    queue_waiting: int
    requires: dict[str, int]
    selector: str
    selector_clauses: dict[str, int]
    step: int
    waits_for: Optional[str]
    agent: Optional[str]
    eligible: int
    ineligible: dict[str, int]
    next_timer: Optional[dict[str, Any]]

    @classmethod
    def from_pb(cls, pb: views_pb2.Explanation) -> "RemoteExplanation":
        def opt(name: str) -> Any:
            return getattr(pb, name) if pb.HasField(name) else None

        return cls(
            contact=pb.contact, status=wire.STATUS_FROM_PB.get(pb.status, "unknown"), queue=pb.queue,
            channel=pb.channel, position=opt("position"), queue_waiting=pb.queue_waiting,
            requires=dict(pb.requires), selector=pb.selector,
            selector_clauses={c.clause: c.excluded for c in pb.selector_clauses},
            step=pb.step, waits_for=opt("waits_for"), agent=opt("agent"),
            eligible=pb.eligible, ineligible=dict(pb.ineligible),
            next_timer={"at": pb.next_timer.at, "what": pb.next_timer.what} if pb.HasField("next_timer") else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The explanation as plain data, as ``ccroute.Explanation.to_dict``."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class RemoteStatus:
    """The server's clock, counters and event-log positions."""

    now: float
    policy: str
    decisions: int
    live_contacts: int
    next_timer: Optional[float]
    last_sequence: int
    oldest_sequence: int
    agents_by_state: dict[str, int]
    version: str
    #: Identity of the event history the sequences belong to.
    history_id: str = ""

    @classmethod
    def from_pb(cls, pb: router_pb2.GetStatusResponse) -> "RemoteStatus":
        return cls(
            now=pb.now, policy=pb.policy, decisions=pb.decisions, live_contacts=pb.live_contacts,
            next_timer=pb.next_timer if pb.HasField("next_timer") else None,
            last_sequence=pb.last_sequence, oldest_sequence=pb.oldest_sequence,
            agents_by_state=counts_of(pb.agents), version=pb.version, history_id=pb.history_id,
        )


def counts_of(pb: router_pb2.AgentsByState) -> dict[str, int]:
    return {k: getattr(pb, k) for k in ("offline", "available", "away", "busy", "idle")}


def stats_of(reply: router_pb2.GetQueueStatsResponse) -> dict[str, RemoteQueueStats]:
    return {q.name: RemoteQueueStats.from_pb(q) for q in reply.queues}


def config_of(reply: Any) -> RouterSettings:
    return wire.settings_from_pb(reply.config)


def config_request(settings: RouterSettings) -> router_pb2.ConfigureRequest:
    return router_pb2.ConfigureRequest(config=wire.settings_to_pb(settings))


