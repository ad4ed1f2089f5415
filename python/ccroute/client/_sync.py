"""``RouterClient``: the ccroute gRPC service with the embedded ``Router`` API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional

import grpc

from .._ccroute import Agent, Channel, Contact, Queue, Step
from ..errors import InvalidInput, RoutingError
from ..events import Event
from ..server import wire
from ..server.config import RouterSettings
from ..server.errors import ServiceUnavailable, StreamEnded, SubscriberLagged, UnknownTenant
from ..server.events import EventRecord
from ..server.tenants import TenantInfo
from ..server.token_store import TokenInfo
from ..v1 import router_pb2 as pb
from ..v1 import router_pb2_grpc
from . import _common as c

__all__ = ["RouterClient", "EventWatch"]


class RouterClient:
    """A client of ``ccroute serve`` with the methods of :class:`ccroute.Router`.

    Switching from embedded to remote is one line::

        router = ccroute.Router(channels, queues)          # embedded
        router = RouterClient("127.0.0.1:50051")           # remote

    The differences: every ``now`` argument is sent with the call; a server
    started with ``--clock client`` runs on it (the same calls then give the
    same events as embedded), one on its own clock (the default) ignores
    it and uses its wall-clock time; views are plain dataclasses
    with the same fields (``RemoteQueueStats``, ...); the router is
    configured on the server (``--config``) or with :meth:`configure`.
    Errors are the same classes as embedded (``UnknownId``, ``QueueFull``,
    ...), plus ``ServiceError`` subclasses for the transport.

    Args:
        target: ``host:port`` of the server.
        token: bearer token, when the server runs with ``--token-file``.
        root_certificates: PEM CA certificates trusted for TLS (implies TLS).
        tls: use TLS with the system's trusted certificates.
        timeout: seconds each call may take (its gRPC deadline; ``None``:
            none). Streams have none.
        retries: how many times a submit or a read is retried after
            UNAVAILABLE or a deadline; submits keep their idempotency key,
            so a retry never creates a second contact.
        options: extra gRPC channel options.
        tenant: the tenant every call is for (default: the server's
            ``default`` tenant). With several servers on one Redis, a call
            that reaches a server not owning the tenant is sent on to the
            owner it names (``NotOwner``), and the client stays there
            (:attr:`target`) until that server fails (UNAVAILABLE): then
            it goes back to ``target`` as given, which names the new
            owner, and sends the call again when that is safe (a read, or
            a call with an idempotency key). While a tenant is being taken
            over it waits for the new owner (up to 12 s). A server that
            failed is known as such to the whole client for a while (see
            ``_redirects.Links``): while it is still named as the owner
            (its lease has not expired, or it had only a blip) calls wait,
            and one call tries it again once a second.

    One client may be used from many threads. Calls redirected together
    share one channel; the channel of a server that failed is closed once
    no call or stream runs on it, the others by :meth:`close`.
    """

    def __init__(
        self,
        target: str = "127.0.0.1:50051",
        *,
        token: Optional[str] = None,
        root_certificates: Optional[bytes] = None,
        tls: bool = False,
        timeout: Optional[float] = 10.0,
        retries: int = 2,
        options: Optional[Sequence[tuple[str, Any]]] = None,
        tenant: Optional[str] = None,
    ) -> None:
        self._creds, self._opts, metadata = c.channel_args(token, root_certificates, tls, options)
        self._metadata = metadata + c.tenant_metadata(tenant)
        self.tenant = tenant
        #: Seconds each call may take (``None``: no deadline); read by every call.
        self.timeout = timeout
        self.retries = retries
        self._links = c.Links(target, self._open)

    # -- plumbing -------------------------------------------------------
    @property
    def target(self) -> str:
        """``host:port`` calls go to now: the server given, or the owner of
        the tenant a redirect led to. Assigning it moves the client there
        (redirects and failures still move it; a failed server's calls go
        back to the address given to the constructor)."""
        return self._links.current.target

    @target.setter
    def target(self, target: str) -> None:
        self._links.goto(target)

    def _open(self, target: str) -> c.Link:
        creds, opts = self._creds, self._opts
        channel = (grpc.secure_channel(target, creds, options=opts) if creds
                   else grpc.insecure_channel(target, options=opts))
        return c.Link(target, channel, router_pb2_grpc.RouterStub(channel))

    @staticmethod
    def _close_channels(channels: list[Any]) -> None:
        for channel in channels:
            channel.close()

    def _go(self, used: c.Link, hop: c.Hop) -> None:
        """Make ``hop`` after a call over ``used`` failed: move the client,
        close the channels no call runs on any more, wait."""
        wait, channels = self._links.move(used, hop)
        self._close_channels(channels)
        if wait:
            time.sleep(wait)

    def _call(self, rpc: str, request: Any, *, retry: bool = False, now: Optional[float] = None) -> Any:
        if now is not None:  # the caller's time: a server on --clock client runs on it
            request.now = now
        attempts = self.retries + 1 if retry else 1
        attempt = 0
        redirects = c.Redirects(self._links)
        hop: Optional[c.Hop] = None
        while True:
            link = self._links.enter(hop)
            answered = False
            try:
                reply = getattr(link.stub, rpc)(request, timeout=self.timeout, metadata=self._metadata)
                answered = True
                return reply
            except grpc.RpcError as exc:
                err = c.to_error(exc)
                answered = c.answered(err)
                # NotOwner ran nothing; a failed owner's call is resent only when retry= says it is safe.
                hop = redirects.after(err, link.target, safe=retry)
                if hop is None:
                    attempt += 1
                    if attempt < attempts and isinstance(err, c.RETRYABLE):
                        continue
                    raise err from None
                self._go(link, hop)
                if not hop.resend:
                    raise err from None
            finally:
                self._close_channels(self._links.leave(link, answered))

    def _follow(self, used: c.Link, err: RoutingError) -> None:
        """After a stream over ``used`` failed with ``err``: move the client
        as the redirect decision says, for the next stream, without
        waiting (the stream itself is not sent again: its requests were
        consumed)."""
        hop = c.Redirects(self._links).after(err, used.target, safe=False)
        if hop is not None:
            self._close_channels(self._links.move(used, hop)[1])

    def close(self) -> None:
        """Close the connection (every channel the client opened)."""
        self._close_channels(self._links.close())

    def __enter__(self) -> "RouterClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Block until the channel is connected (raises ``grpc.FutureTimeoutError``)."""
        grpc.channel_ready_future(self._links.current.channel).result(timeout=timeout)

    # -- configuration --------------------------------------------------
    def config(self) -> RouterSettings:
        """The server's router configuration."""
        return c.config_of(self._call("GetConfig", pb.GetConfigRequest(), retry=True))

    def configure(self, channels: Sequence[Channel], queues: Sequence[Queue], *, now: Optional[float] = None,
                  moves: Optional[Mapping[str, str]] = None, **options: Any) -> RouterSettings:
        """Change the configuration of the running router: the ``Router(...)``
        arguments, i.e. any field of ``RouterSettings.fields()`` (``policy``,
        ``routing_profiles``, ``batch_window``, ...), as
        ``Router.reconfigure`` does embedded; ``moves`` sends a removed
        queue's contacts to another. Returns the configuration in force,
        defaults filled in."""
        settings = c.settings_of(self.config(), channels, queues, options)
        request = c.config_request(settings)
        request.moves.update(moves or {})
        return c.config_of(self._call("Configure", request, now=now))

    # -- agents ---------------------------------------------------------
    def add_agent(self, agent: Agent, now: Optional[float] = None) -> list[Event]:
        """Add an agent (``DuplicateId`` if the id exists)."""
        return c.events_of(self._call("UpsertAgent", c.upsert_request(agent, True), now=now))

    def upsert_agent(self, agent: Agent, now: Optional[float] = None, *,
                           fields: Optional[Iterable[str]] = None,
                           idempotency_key: Optional[str] = None) -> list[Event]:
        """Add an agent, or update the one with its id (also while it holds
        contacts). ``fields``: update only these fields of an existing agent
        (``skills``, ``capacity``, ``channels``, ``state``, ``attributes``).
        Carries an idempotency key (a fresh one when none is given), so the
        client's own retries are safe."""
        request = c.upsert_request(agent, False, fields)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(self._call("UpsertAgent", request, retry=True, now=now))

    def remove_agent(self, agent: str, now: Optional[float] = None, *,
                           idempotency_key: Optional[str] = None) -> list[Event]:
        """Remove an agent."""
        request = pb.RemoveAgentRequest(agent_id=agent, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("RemoveAgent", request, retry=True, now=now))

    def set_agent_state(self, agent: str, state: str, now: Optional[float] = None, *, reason: str = "",
                              idempotency_key: Optional[str] = None) -> list[Event]:
        """Set ``"offline"``, ``"available"`` or ``"away"``, with an optional
        reason code (break, lunch, ...) carried on the stream's
        ``AgentStateChanged`` event."""
        request = c.state_request(agent, state)
        request.reason = reason
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(self._call("SetAgentState", request, retry=True, now=now))

    # -- contacts -------------------------------------------------------
    def submit(self, contact: Contact, now: Optional[float] = None, *,
               idempotency_key: Optional[str] = None) -> list[Event]:
        """Submit one contact and route it. A fresh idempotency key is made
        when none is given, so the client's own retries are safe."""
        request = c.submit_request(contact, idempotency_key or c.new_key())
        return c.events_of(self._call("SubmitContact", request, retry=True, now=now))

    def submit_many(self, contacts: Iterable[Contact], now: Optional[float] = None, *,
                    idempotency_key: Optional[str] = None) -> list[Event]:
        """Submit a batch at once (all validated first; a full queue gives
        ``Refused``). At most the server's batch limit (10 000 by default)."""
        request = c.batch_request(contacts, idempotency_key or c.new_key())
        return c.events_of(self._call("SubmitContacts", request, retry=True, now=now))

    def submit_stream(self, batches: Iterable[Iterable[Contact]], now: Optional[float] = None) -> Iterator[list[Event]]:
        """Stream batches over one call (``StreamContacts``) and yield each
        batch's events, in order: the fastest way to submit many contacts.
        The batches are sent ahead as fast as the connection allows.
        ``now``: the time sent with every batch (``--clock client``).
        A stream is not sent again after an error; after ``NotOwner`` (or
        its server's failure) the client moves as a call's redirect would,
        so the next stream goes to the owner."""
        requests = (c.batch_request(b, now=now) for b in batches)
        link = self._links.enter()
        answered = False
        try:
            call = link.stub.StreamContacts(requests, metadata=self._metadata)
            try:
                for reply in call:
                    answered = True
                    yield c.events_of(reply)
            except grpc.RpcError as exc:
                err = c.to_error(exc)
                self._follow(link, err)
                raise err from None
            finally:
                call.cancel()
        finally:
            self._close_channels(self._links.leave(link, answered))

    def accept(self, contact: str, agent: str, now: Optional[float] = None, *,
               idempotency_key: Optional[str] = None) -> list[Event]:
        """The agent accepts an offered contact."""
        request = pb.AcceptOfferRequest(contact_id=contact, agent_id=agent,
                                     idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("AcceptOffer", request, retry=True, now=now))

    def reject(self, contact: str, agent: str, now: Optional[float] = None, *,
               idempotency_key: Optional[str] = None) -> list[Event]:
        """The agent rejects an offered contact."""
        request = pb.RejectOfferRequest(contact_id=contact, agent_id=agent,
                                     idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("RejectOffer", request, retry=True, now=now))

    def complete(self, contact: str, now: Optional[float] = None, *,
                 idempotency_key: Optional[str] = None) -> list[Event]:
        """The agent finished an assigned contact."""
        request = pb.CompleteContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("CompleteContact", request, retry=True, now=now))

    def cancel(self, contact: str, now: Optional[float] = None, *,
               idempotency_key: Optional[str] = None) -> list[Event]:
        """The customer left a waiting or offered contact."""
        request = pb.CancelContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("CancelContact", request, retry=True, now=now))

    def pause(self, contact: str, now: Optional[float] = None, *,
              idempotency_key: Optional[str] = None) -> list[Event]:
        """Pause an assigned contact: it holds no slot or capacity until resumed."""
        request = pb.PauseContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("PauseContact", request, retry=True, now=now))

    def resume(self, contact: str, now: Optional[float] = None, *,
               idempotency_key: Optional[str] = None) -> list[Event]:
        """Resume a paused contact."""
        request = pb.ResumeContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(self._call("ResumeContact", request, retry=True, now=now))

    def update_contact(self, contact: str, now: Optional[float] = None, *, priority: Optional[int] = None,
                       requires: Optional[Mapping[str, int]] = None, prefers: Optional[Mapping[str, int]] = None,
                       steps: Optional[Sequence[Step | Mapping[str, Any]]] = None,
                       attributes: Optional[Mapping[str, Any]] = None, age_offset: Optional[float] = None,
                       if_version: Optional[int] = None, callback: Optional[Mapping[str, Any]] = None,
                       selector: Optional[str] = None,
                       preferences: Optional[Sequence[Mapping[str, Any]]] = None,
                       idempotency_key: Optional[str] = None) -> list[Event]:
        """Change a waiting or offered contact (``Router.update_contact``):
        each field given replaces the contact's, ``None`` keeps it; routed
        again at once; ``callback`` makes a waiting caller a callback that
        keeps its place. ``VersionConflict`` when ``if_version`` is not the
        contact's version. Carries an idempotency key (a fresh one when none
        is given), so the client's own retries never apply it twice."""
        request = c.update_request(contact, priority=priority, requires=requires, prefers=prefers, steps=steps,
                                   attributes=attributes, age_offset=age_offset, if_version=if_version,
                                   callback=callback, selector=selector, preferences=preferences)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(self._call("UpdateContact", request, retry=True, now=now))

    def transfer(self, contact: str, now: Optional[float] = None, *, queue: Optional[str] = None,
                 agent: Optional[str] = None, mode: str = "cold", keep_age: bool = True,
                 requires: Optional[Mapping[str, int]] = None, channel: Optional[str] = None,
                 idempotency_key: Optional[str] = None) -> list[Event]:
        """Send an assigned contact to another ``queue`` or a named
        ``agent`` (``Router.transfer``): ``mode="cold"`` or ``"warm"``.
        Carries an idempotency key (a fresh one when none is given)."""
        request = c.transfer_request(contact, queue=queue, agent=agent, mode=mode, keep_age=keep_age,
                                     requires=requires, channel=channel)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(self._call("Transfer", request, retry=True, now=now))

    def callback_result(self, contact: str, outcome: str, now: Optional[float] = None, *,
                        idempotency_key: Optional[str] = None) -> list[Event]:
        """Report the call an agent placed for a callback
        (``Router.callback_result``): ``"answered"``, ``"no_answer"`` or
        ``"busy"``. Carries an idempotency key (a fresh one when none is
        given)."""
        request = c.callback_result_request(contact, outcome)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(self._call("CallbackResult", request, retry=True, now=now))

    def advance(self, now: Optional[float] = None) -> list[Event]:
        """Fire the timers due by the server's clock now (the server also
        does this on its own)."""
        return c.events_of(self._call("Advance", pb.AdvanceRequest(), now=now))

    # -- views ----------------------------------------------------------
    def stats(self) -> dict[str, c.RemoteQueueStats]:
        """Statistics per queue name."""
        return c.stats_of(self._call("GetQueueStats", pb.GetQueueStatsRequest(), retry=True))

    def agent(self, agent: str) -> c.RemoteAgentView:
        """A snapshot of one agent."""
        reply = self._call("GetAgent", pb.GetAgentRequest(agent_id=agent), retry=True)
        return c.RemoteAgentView.from_pb(reply.agent)

    def contact(self, contact: str) -> c.RemoteContactView:
        """A snapshot of one contact, live or finished."""
        reply = self._call("GetContact", pb.GetContactRequest(contact_id=contact), retry=True)
        return c.RemoteContactView.from_pb(reply.contact)

    def explain(self, contact: str) -> c.RemoteExplanation:
        """Why a live contact is where it is (``Router.explain``)."""
        reply = self._call("ExplainContact", pb.ExplainContactRequest(contact_id=contact), retry=True)
        return c.RemoteExplanation.from_pb(reply.explanation)

    def agents_by_state(self) -> dict[str, int]:
        """Counts: offline, available, away, busy, idle."""
        return c.counts_of(self._call("ListAgents", pb.ListAgentsRequest(), retry=True).by_state)

    def agent_ids(self) -> list[str]:
        """Ids of every agent, sorted."""
        return list(self._call("ListAgents", pb.ListAgentsRequest(), retry=True).agent_ids)

    def waiting(self, queue: str) -> list[str]:
        """Ids of the contacts waiting (or offered) in a queue, oldest first."""
        return list(self._call("ListWaiting", pb.ListWaitingRequest(queue=queue), retry=True).contact_ids)

    def status(self) -> c.RemoteStatus:
        """Clock, counters, event-log positions, agents by state."""
        return c.RemoteStatus.from_pb(self._call("GetStatus", pb.GetStatusRequest(), retry=True))

    def next_timer(self) -> Optional[float]:
        """When the next timer is due, or ``None``."""
        return self.status().next_timer

    @property
    def now(self) -> float:
        """The router's current time (server seconds)."""
        return self.status().now

    @property
    def policy(self) -> str:
        """The agent-selection policy's name."""
        return self.status().policy

    @property
    def decisions(self) -> int:
        """Routing decisions made so far."""
        return self.status().decisions

    @property
    def live_contacts(self) -> int:
        """Contacts waiting, offered or assigned."""
        return self.status().live_contacts

    # -- tenants ----------------------------------------------------------
    def create_tenant(self, name: str, channels: Optional[Sequence[Channel]] = None,
                      queues: Optional[Sequence[Queue]] = None, **options: Any) -> TenantInfo:
        """Create a tenant (``admin``): a new, empty router under the
        configuration given (the ``Router(...)`` arguments), or the
        server's default configuration when neither ``channels`` nor
        ``queues`` is given. ``DuplicateId`` when it exists. Calls for it
        are made by a client with ``tenant=name``."""
        request = pb.CreateTenantRequest(tenant=name, idempotency_key=c.new_key())
        if channels is not None or queues is not None or options:
            if channels is None or queues is None:
                raise InvalidInput("create_tenant needs both channels and queues, or neither")
            settings = RouterSettings(channels=list(channels), queues=list(queues), **options)
            request.config.CopyFrom(wire.settings_to_pb(settings))
        return c.tenant_of_pb(self._call("CreateTenant", request, retry=True).tenant)

    def delete_tenant(self, name: str, *, force: bool = False) -> None:
        """Delete a tenant and its state (``admin``); ``InvalidState``
        while it holds agents or live contacts, unless ``force``."""
        self._call("DeleteTenant", pb.DeleteTenantRequest(tenant=name, force=force, idempotency_key=c.new_key()),
                   retry=True)

    def tenants(self) -> list[TenantInfo]:
        """The tenants this client's token may see, by name, with their owners."""
        return [c.tenant_of_pb(t) for t in self._call("ListTenants", pb.ListTenantsRequest(), retry=True).tenants]

    def set_webhook(self, url: str, secret: str = "", *,
                    after_sequence: Optional[int] = None) -> tuple[Optional[c.RemoteWebhook], str]:
        """Set (empty ``url``: remove) the event webhook of this client's
        tenant (``admin``). Returns its state and the secret the server
        made when none was given (shown only here)."""
        request = pb.SetWebhookRequest(url=url, secret=secret)
        if after_sequence is not None:
            request.after_sequence = after_sequence
        reply = self._call("SetWebhook", request)
        return (c.RemoteWebhook.from_pb(reply.webhook) if reply.HasField("webhook") else None), reply.secret

    def webhook(self) -> Optional[c.RemoteWebhook]:
        """The webhook of this client's tenant and its delivery state, or ``None``."""
        reply = self._call("GetWebhook", pb.GetWebhookRequest(), retry=True)
        return c.RemoteWebhook.from_pb(reply.webhook) if reply.HasField("webhook") else None

    # -- tokens -----------------------------------------------------------
    def create_token(self, role: str, tenant: Optional[str] = None, *, agent: Optional[str] = None,
                     name: Optional[str] = None) -> tuple[str, TokenInfo]:
        """Issue a bearer token (``admin`` of its tenant): ``role`` for
        ``tenant`` (default: this client's; ``"*"``: every tenant), for the
        one ``agent`` an ``agent`` token acts for, labelled ``name``. The
        server keeps only its digest. Returns the token (shown only here)
        and what the server keeps of it."""
        reply = self._call("CreateToken", c.token_request(role, tenant or self.tenant or "default", agent, name), retry=True)
        return reply.token, c.token_of_pb(reply.grant)

    def revoke_token(self, sha256: str = "", *, name: str = "") -> list[TokenInfo]:
        """Revoke the token whose SHA-256 is ``sha256`` (hex), or every
        token named ``name`` (``admin``); refused from their next call on
        every server. Returns what was revoked."""
        reply = self._call("RevokeToken", pb.RevokeTokenRequest(sha256=sha256, name=name))
        return [c.token_of_pb(t) for t in reply.revoked]

    def tokens(self) -> list[TokenInfo]:
        """The tokens of the tenants this client's token covers (``admin``;
        digests and grants, never a token)."""
        return [c.token_of_pb(t) for t in self._call("ListTokens", pb.ListTokensRequest(), retry=True).tokens]

    # -- events ---------------------------------------------------------
    def watch_events(self, after_sequence: Optional[int] = None, *, history_id: Optional[str] = None,
                     resume: bool = True) -> "EventWatch":
        """Every event after this call (or after ``after_sequence``, in the
        event history ``history_id`` when given), as :class:`EventRecord`
        (``sequence``, ``event``). With ``resume``, a cut-off for reading
        too slowly is resumed transparently from the last sequence
        received, and so is the end of the stream when its server gives
        the tenant up to another server (``StreamEnded``) or, after a
        redirect, fails, or a CANCELLED it did not cause ends it: the
        watch follows the tenant to its new owner and continues after the
        last event it delivered (``StreamEnded``, with ``resume_after``,
        when no server takes it up). Without ``resume`` each of these is
        raised. ``HistoryGap`` when the server no longer
        holds it or the resume point is beyond its last event,
        ``HistoryChanged`` when the server's history is another one.
        Iterate it; :meth:`EventWatch.cancel` ends it from any thread."""
        if after_sequence is None:  # "from now" means from this call, not from the first next()
            status = self.status()
            after_sequence, history_id = status.last_sequence, status.history_id
        return EventWatch(self, after_sequence, resume, history_id)

    def __repr__(self) -> str:
        return f"RouterClient({self.target!r})"


class EventWatch:
    """An iterator over a ``WatchEvents`` stream of a :class:`RouterClient`
    that resumes after a cut-off and follows its tenant to another server
    (see :meth:`RouterClient.watch_events`, which makes it: the
    constructor is internal, and its arguments may change)."""

    def __init__(self, client: RouterClient, after_sequence: Optional[int], resume: bool,
                 history_id: Optional[str] = None) -> None:
        self._client = client
        self._redirects = c.Redirects(client._links)
        self._resume = resume
        self._lock = threading.Lock()
        self._call: Any = None
        #: The channel of the open stream, counted as running on it (``Links.enter``).
        self._link: Optional[c.Link] = None
        #: The hop the next stream follows (a retry of a failed server), if any.
        self._hop: Optional[c.Hop] = None
        self._opened = 0.0
        self._replied = False
        self._cancelled = False
        self._pending: list[EventRecord] = []
        self._iter: Optional[Iterator[Any]] = None
        #: The end of the stream being resumed, while nothing came after it.
        self._ended: Optional[StreamEnded] = None
        #: Sequence of the last event yielded (``None`` before any).
        self.last_sequence = after_sequence
        #: How many times the stream was resumed after a cut-off or its end.
        self.resumed = 0
        #: Identity of the event history the sequences belong to (once known).
        self.history_id = history_id

    def __iter__(self) -> "EventWatch":
        return self

    def __next__(self) -> EventRecord:
        while not self._pending:
            if self._iter is None:
                self._connect()
            try:
                reply = next(self._iter)  # type: ignore[arg-type]
            except StopIteration:
                self._release()
                raise
            except grpc.RpcError as exc:
                self._iter = None
                link = self._release()
                if self._cancelled or link is None:
                    raise StopIteration from None
                self._recover(exc, link)
                continue
            if not self._replied:
                self._replied = True
                link = self._link
                if link is not None:
                    self._client._links.alive(link)
            if reply.history_id:
                self.history_id = reply.history_id
            self._redirects.reset()
            self._ended = None
            self._pending = [EventRecord(*wire.event_from_pb(e), e.wall_time) for e in reply.events]
            self._pending.reverse()
        record = self._pending.pop()
        self.last_sequence = record.sequence
        return record

    def _recover(self, exc: grpc.RpcError, link: c.Link) -> None:
        """Prepare the next stream after ``exc`` ended the one over ``link``, or raise."""
        err = c.to_error(exc)
        client = self._client
        settled = c.Redirects.settled(err, self._replied, time.monotonic() - self._opened)
        if settled:
            self._ended = None
        if self._resume and isinstance(err, SubscriberLagged):
            if self.last_sequence is None:
                self.last_sequence = err.resume_after
            self.resumed += 1
            return
        # A CANCELLED the watch did not cause (not cancel(), not the client's close()): resumed as an end.
        cancelled = c.is_cancelled(exc) and not client._links.closed
        try:
            hop = self._redirects.after_stream(err, link.target, settled=settled, safe=self._resume,
                                               cancelled=cancelled)
        except ServiceUnavailable as spent:
            if self._ended is not None:
                raise self._ended from spent  # no server took the tenant up
            raise
        if hop is not None:
            if hop.resend and (isinstance(err, StreamEnded) or cancelled):
                if self.last_sequence is None and isinstance(err, StreamEnded):
                    self.last_sequence = err.resume_after
                if isinstance(err, StreamEnded):
                    self._ended = self._ended or err
                self.resumed += 1
            client._go(link, hop)
            if hop.resend:
                self._hop = hop
                return
        if self._ended is not None and isinstance(err, (ServiceUnavailable, UnknownTenant)):
            raise self._ended from err  # no server took the tenant up
        raise err from None

    def _connect(self) -> None:
        request = pb.WatchEventsRequest()
        if self.last_sequence is not None:
            request.after_sequence = self.last_sequence
            if self.history_id:
                request.history_id = self.history_id
        links = self._client._links
        with self._lock:
            if self._cancelled:
                raise StopIteration
            link = self._link = links.enter(self._hop)
            self._hop = None
            try:
                self._call = link.stub.WatchEvents(request, metadata=self._client._metadata)
            except BaseException:
                self._link = None
                self._client._close_channels(links.leave(link))
                raise
            self._opened = time.monotonic()
            self._replied = False
        self._iter = iter(self._call)

    def _release(self) -> Optional[c.Link]:
        """The stream ended: no longer counted on its channel; its link
        (``None``: already released, by :meth:`cancel`)."""
        with self._lock:
            link, self._link = self._link, None
        if link is not None:
            self._client._close_channels(self._client._links.leave(link))
        return link

    def cancel(self) -> None:
        """End the stream (any thread); iteration stops."""
        with self._lock:
            self._cancelled = True
            if self._call is not None:
                self._call.cancel()
        self._release()

    def __enter__(self) -> "EventWatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()
