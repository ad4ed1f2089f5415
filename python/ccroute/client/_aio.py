"""``AsyncRouterClient``: the asyncio twin of :class:`RouterClient`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any, Optional

import grpc
import grpc.aio

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

__all__ = ["AsyncRouterClient"]


class AsyncRouterClient:
    """:class:`RouterClient` for asyncio: the same methods, as coroutines
    (``await client.submit(contact)``), and :meth:`watch_events` as an
    async iterator. Create it inside a running event loop; close it with
    ``await client.close()`` or ``async with``."""

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

    @property
    def target(self) -> str:
        """As :attr:`RouterClient.target` (assigning it moves the client there)."""
        return self._links.current.target

    @target.setter
    def target(self, target: str) -> None:
        self._links.goto(target)

    def _open(self, target: str) -> c.Link:
        creds, opts = self._creds, self._opts
        channel = (grpc.aio.secure_channel(target, creds, options=opts) if creds
                   else grpc.aio.insecure_channel(target, options=opts))
        return c.Link(target, channel, router_pb2_grpc.RouterStub(channel))

    @staticmethod
    async def _close_channels(channels: list[Any]) -> None:
        for channel in channels:
            await channel.close()

    async def _go(self, used: c.Link, hop: c.Hop) -> None:
        """As :meth:`RouterClient._go`."""
        wait, channels = self._links.move(used, hop)
        await self._close_channels(channels)
        if wait:
            await asyncio.sleep(wait)

    async def _call(self, rpc: str, request: Any, *, retry: bool = False, now: Optional[float] = None) -> Any:
        if now is not None:  # the caller's time: a server on --clock client runs on it
            request.now = now
        attempts = self.retries + 1 if retry else 1
        attempt = 0
        redirects = c.Redirects(self._links)  # per call, as in RouterClient
        hop: Optional[c.Hop] = None
        while True:
            link = self._links.enter(hop)
            answered = False
            try:
                reply = await getattr(link.stub, rpc)(request, timeout=self.timeout, metadata=self._metadata)
                answered = True
                return reply
            except grpc.RpcError as exc:
                err = c.to_error(exc)
                answered = c.answered(err)
                hop = redirects.after(err, link.target, safe=retry)
                if hop is None:
                    attempt += 1
                    if attempt < attempts and isinstance(err, c.RETRYABLE):
                        continue
                    raise err from None
                await self._go(link, hop)
                if not hop.resend:
                    raise err from None
            finally:
                await self._close_channels(self._links.leave(link, answered))

    async def _follow(self, used: c.Link, err: RoutingError) -> None:
        """As :meth:`RouterClient._follow`."""
        hop = c.Redirects(self._links).after(err, used.target, safe=False)
        if hop is not None:
            await self._close_channels(self._links.move(used, hop)[1])

    async def close(self) -> None:
        """Close the connection (every channel the client opened)."""
        await self._close_channels(self._links.close())

    async def __aenter__(self) -> "AsyncRouterClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the channel is connected."""
        await asyncio.wait_for(self._links.current.channel.channel_ready(), timeout)

    # -- configuration --------------------------------------------------
    async def config(self) -> RouterSettings:
        """The server's router configuration."""
        return c.config_of(await self._call("GetConfig", pb.GetConfigRequest(), retry=True))

    async def configure(self, channels: Sequence[Channel], queues: Sequence[Queue], *, now: Optional[float] = None,
                  moves: Optional[Mapping[str, str]] = None, **options: Any) -> RouterSettings:
        """Change the configuration of the running router: the ``Router(...)``
        arguments, i.e. any field of ``RouterSettings.fields()`` (``policy``,
        ``routing_profiles``, ``batch_window``, ...), as
        ``Router.reconfigure`` does embedded; ``moves`` sends a removed
        queue's contacts to another. Returns the configuration in force,
        defaults filled in."""
        settings = c.settings_of(await self.config(), channels, queues, options)
        request = c.config_request(settings)
        request.moves.update(moves or {})
        return c.config_of(await self._call("Configure", request, now=now))

    # -- agents ---------------------------------------------------------
    async def add_agent(self, agent: Agent, now: Optional[float] = None) -> list[Event]:
        """Add an agent (``DuplicateId`` if the id exists)."""
        return c.events_of(await self._call("UpsertAgent", c.upsert_request(agent, True), now=now))

    async def upsert_agent(self, agent: Agent, now: Optional[float] = None, *,
                           fields: Optional[Iterable[str]] = None,
                           idempotency_key: Optional[str] = None) -> list[Event]:
        """Add an agent, or update the one with its id (also while it holds
        contacts). ``fields``: update only these fields of an existing agent
        (``skills``, ``capacity``, ``channels``, ``state``, ``attributes``).
        Carries an idempotency key (a fresh one when none is given), so the
        client's own retries are safe."""
        request = c.upsert_request(agent, False, fields)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(await self._call("UpsertAgent", request, retry=True, now=now))

    async def remove_agent(self, agent: str, now: Optional[float] = None, *,
                           idempotency_key: Optional[str] = None) -> list[Event]:
        """Remove an agent."""
        request = pb.RemoveAgentRequest(agent_id=agent, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("RemoveAgent", request, retry=True, now=now))

    async def set_agent_state(self, agent: str, state: str, now: Optional[float] = None, *, reason: str = "",
                              idempotency_key: Optional[str] = None) -> list[Event]:
        """Set ``"offline"``, ``"available"`` or ``"away"``, with an optional
        reason code (break, lunch, ...) carried on the stream's
        ``AgentStateChanged`` event."""
        request = c.state_request(agent, state)
        request.reason = reason
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(await self._call("SetAgentState", request, retry=True, now=now))

    # -- contacts -------------------------------------------------------
    async def submit(self, contact: Contact, now: Optional[float] = None, *,
                     idempotency_key: Optional[str] = None) -> list[Event]:
        """Submit one contact (retried safely under a fresh idempotency key)."""
        request = c.submit_request(contact, idempotency_key or c.new_key())
        return c.events_of(await self._call("SubmitContact", request, retry=True, now=now))

    async def submit_many(self, contacts: Iterable[Contact], now: Optional[float] = None, *,
                          idempotency_key: Optional[str] = None) -> list[Event]:
        """Submit a batch at once."""
        request = c.batch_request(contacts, idempotency_key or c.new_key())
        return c.events_of(await self._call("SubmitContacts", request, retry=True, now=now))

    async def submit_stream(self, batches: Iterable[Iterable[Contact]],
                            now: Optional[float] = None) -> AsyncIterator[list[Event]]:
        """Stream batches over one call and yield each batch's events
        (``now``: the time sent with every batch, for ``--clock client``).
        As :meth:`RouterClient.submit_stream`, an error moves the client for
        the next stream."""
        requests = (c.batch_request(b, now=now) for b in batches)
        link = self._links.enter()
        answered = False
        try:
            call = link.stub.StreamContacts(requests, metadata=self._metadata)
            try:
                async for reply in call:
                    answered = True
                    yield c.events_of(reply)
            except grpc.RpcError as exc:
                err = c.to_error(exc)
                await self._follow(link, err)
                raise err from None
            finally:
                call.cancel()
        finally:
            await self._close_channels(self._links.leave(link, answered))

    async def accept(self, contact: str, agent: str, now: Optional[float] = None, *,
                     idempotency_key: Optional[str] = None) -> list[Event]:
        """The agent accepts an offered contact."""
        request = pb.AcceptOfferRequest(contact_id=contact, agent_id=agent,
                                     idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("AcceptOffer", request, retry=True, now=now))

    async def reject(self, contact: str, agent: str, now: Optional[float] = None, *,
                     idempotency_key: Optional[str] = None) -> list[Event]:
        """The agent rejects an offered contact."""
        request = pb.RejectOfferRequest(contact_id=contact, agent_id=agent,
                                     idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("RejectOffer", request, retry=True, now=now))

    async def complete(self, contact: str, now: Optional[float] = None, *,
                       idempotency_key: Optional[str] = None) -> list[Event]:
        """The agent finished an assigned contact."""
        request = pb.CompleteContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("CompleteContact", request, retry=True, now=now))

    async def cancel(self, contact: str, now: Optional[float] = None, *,
                     idempotency_key: Optional[str] = None) -> list[Event]:
        """The customer left a waiting or offered contact."""
        request = pb.CancelContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("CancelContact", request, retry=True, now=now))

    async def pause(self, contact: str, now: Optional[float] = None, *,
                    idempotency_key: Optional[str] = None) -> list[Event]:
        """Pause an assigned contact: it holds no slot or capacity until resumed."""
        request = pb.PauseContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("PauseContact", request, retry=True, now=now))

    async def resume(self, contact: str, now: Optional[float] = None, *,
                     idempotency_key: Optional[str] = None) -> list[Event]:
        """Resume a paused contact."""
        request = pb.ResumeContactRequest(contact_id=contact, idempotency_key=idempotency_key or c.new_key())
        return c.events_of(await self._call("ResumeContact", request, retry=True, now=now))

    async def update_contact(self, contact: str, now: Optional[float] = None, *, priority: Optional[int] = None,
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
        return c.events_of(await self._call("UpdateContact", request, retry=True, now=now))

    async def transfer(self, contact: str, now: Optional[float] = None, *, queue: Optional[str] = None,
                 agent: Optional[str] = None, mode: str = "cold", keep_age: bool = True,
                 requires: Optional[Mapping[str, int]] = None, channel: Optional[str] = None,
                 idempotency_key: Optional[str] = None) -> list[Event]:
        """Send an assigned contact to another ``queue`` or a named
        ``agent`` (``Router.transfer``): ``mode="cold"`` or ``"warm"``.
        Carries an idempotency key (a fresh one when none is given)."""
        request = c.transfer_request(contact, queue=queue, agent=agent, mode=mode, keep_age=keep_age,
                                     requires=requires, channel=channel)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(await self._call("Transfer", request, retry=True, now=now))

    async def callback_result(self, contact: str, outcome: str, now: Optional[float] = None, *,
                        idempotency_key: Optional[str] = None) -> list[Event]:
        """Report the call an agent placed for a callback
        (``Router.callback_result``): ``"answered"``, ``"no_answer"`` or
        ``"busy"``. Carries an idempotency key (a fresh one when none is
        given)."""
        request = c.callback_result_request(contact, outcome)
        request.idempotency_key = idempotency_key or c.new_key()
        return c.events_of(await self._call("CallbackResult", request, retry=True, now=now))

    async def advance(self, now: Optional[float] = None) -> list[Event]:
        """Fire the timers due by the server's clock now."""
        return c.events_of(await self._call("Advance", pb.AdvanceRequest(), now=now))

    # -- views ----------------------------------------------------------
    async def stats(self) -> dict[str, c.RemoteQueueStats]:
        """Statistics per queue name."""
        return c.stats_of(await self._call("GetQueueStats", pb.GetQueueStatsRequest(), retry=True))

    async def agent(self, agent: str) -> c.RemoteAgentView:
        """A snapshot of one agent."""
        reply = await self._call("GetAgent", pb.GetAgentRequest(agent_id=agent), retry=True)
        return c.RemoteAgentView.from_pb(reply.agent)

    async def contact(self, contact: str) -> c.RemoteContactView:
        """A snapshot of one contact, live or finished."""
        reply = await self._call("GetContact", pb.GetContactRequest(contact_id=contact), retry=True)
        return c.RemoteContactView.from_pb(reply.contact)

    async def explain(self, contact: str) -> c.RemoteExplanation:
        """Why a live contact is where it is (``Router.explain``)."""
        reply = await self._call("ExplainContact", pb.ExplainContactRequest(contact_id=contact), retry=True)
        return c.RemoteExplanation.from_pb(reply.explanation)

    async def agents_by_state(self) -> dict[str, int]:
        """Counts: offline, available, away, busy, idle."""
        return c.counts_of((await self._call("ListAgents", pb.ListAgentsRequest(), retry=True)).by_state)

    async def agent_ids(self) -> list[str]:
        """Ids of every agent, sorted."""
        return list((await self._call("ListAgents", pb.ListAgentsRequest(), retry=True)).agent_ids)

    async def waiting(self, queue: str) -> list[str]:
        """Ids of the contacts waiting (or offered) in a queue, oldest first."""
        return list((await self._call("ListWaiting", pb.ListWaitingRequest(queue=queue), retry=True)).contact_ids)

    async def status(self) -> c.RemoteStatus:
        """Clock, counters, event-log positions, agents by state."""
        return c.RemoteStatus.from_pb(await self._call("GetStatus", pb.GetStatusRequest(), retry=True))

    async def next_timer(self) -> Optional[float]:
        """When the next timer is due, or ``None``."""
        return (await self.status()).next_timer

    # -- tenants ----------------------------------------------------------
    async def create_tenant(self, name: str, channels: Optional[Sequence[Channel]] = None,
                            queues: Optional[Sequence[Queue]] = None, **options: Any) -> TenantInfo:
        """As :meth:`RouterClient.create_tenant`."""
        request = pb.CreateTenantRequest(tenant=name, idempotency_key=c.new_key())
        if channels is not None or queues is not None or options:
            if channels is None or queues is None:
                raise InvalidInput("create_tenant needs both channels and queues, or neither")
            settings = RouterSettings(channels=list(channels), queues=list(queues), **options)
            request.config.CopyFrom(wire.settings_to_pb(settings))
        return c.tenant_of_pb((await self._call("CreateTenant", request, retry=True)).tenant)

    async def delete_tenant(self, name: str, *, force: bool = False) -> None:
        """As :meth:`RouterClient.delete_tenant`."""
        await self._call("DeleteTenant", pb.DeleteTenantRequest(tenant=name, force=force,
                                                                idempotency_key=c.new_key()), retry=True)

    async def tenants(self) -> list[TenantInfo]:
        """As :meth:`RouterClient.tenants`."""
        reply = await self._call("ListTenants", pb.ListTenantsRequest(), retry=True)
        return [c.tenant_of_pb(t) for t in reply.tenants]

    async def set_webhook(self, url: str, secret: str = "", *,
                          after_sequence: Optional[int] = None) -> tuple[Optional[c.RemoteWebhook], str]:
        """As :meth:`RouterClient.set_webhook`."""
        request = pb.SetWebhookRequest(url=url, secret=secret)
        if after_sequence is not None:
            request.after_sequence = after_sequence
        reply = await self._call("SetWebhook", request)
        return (c.RemoteWebhook.from_pb(reply.webhook) if reply.HasField("webhook") else None), reply.secret

    async def webhook(self) -> Optional[c.RemoteWebhook]:
        """As :meth:`RouterClient.webhook`."""
        reply = await self._call("GetWebhook", pb.GetWebhookRequest(), retry=True)
        return c.RemoteWebhook.from_pb(reply.webhook) if reply.HasField("webhook") else None

    # -- tokens -----------------------------------------------------------
    async def create_token(self, role: str, tenant: Optional[str] = None, *, agent: Optional[str] = None,
                           name: Optional[str] = None) -> tuple[str, TokenInfo]:
        """As :meth:`RouterClient.create_token`."""
        request = c.token_request(role, tenant or self.tenant or "default", agent, name)
        reply = await self._call("CreateToken", request, retry=True)
        return reply.token, c.token_of_pb(reply.grant)

    async def revoke_token(self, sha256: str = "", *, name: str = "") -> list[TokenInfo]:
        """As :meth:`RouterClient.revoke_token`."""
        reply = await self._call("RevokeToken", pb.RevokeTokenRequest(sha256=sha256, name=name))
        return [c.token_of_pb(t) for t in reply.revoked]

    async def tokens(self) -> list[TokenInfo]:
        """As :meth:`RouterClient.tokens`."""
        reply = await self._call("ListTokens", pb.ListTokensRequest(), retry=True)
        return [c.token_of_pb(t) for t in reply.tokens]

    # -- events ---------------------------------------------------------
    async def watch_events(self, after_sequence: Optional[int] = None, *, history_id: Optional[str] = None,
                           resume: bool = True) -> AsyncIterator[EventRecord]:
        """Every event from the first iteration on (or after
        ``after_sequence``, in the event history ``history_id`` when
        given); resumes transparently after a cut-off for reading too
        slowly, and follows the tenant to another server as
        :meth:`RouterClient.watch_events` does."""
        last = after_sequence
        if last is None:  # from the first iteration on, exactly
            status = await self.status()
            last, history_id = status.last_sequence, status.history_id
        redirects = c.Redirects(self._links)  # fresh again whenever the stream delivers
        ended: Optional[StreamEnded] = None  # the end being resumed, while nothing came after it
        hop: Optional[c.Hop] = None  # the hop the next stream follows (a retry of a failed server)
        while True:
            request = pb.WatchEventsRequest()
            if last is not None:
                request.after_sequence = last
                if history_id:
                    request.history_id = history_id
            link = self._links.enter(hop)  # counted: its channel is not closed under the stream
            hop = None
            try:
                opened, replied = time.monotonic(), False
                call = link.stub.WatchEvents(request, metadata=self._metadata)
                try:
                    async for reply in call:
                        if not replied:
                            replied = True
                            self._links.alive(link)
                        redirects.reset()
                        ended = None
                        if reply.history_id:
                            history_id = reply.history_id
                        for e in reply.events:
                            record = EventRecord(*wire.event_from_pb(e), e.wall_time)
                            last = record.sequence
                            yield record
                    return
                except grpc.RpcError as exc:
                    err = c.to_error(exc)
                    settled = c.Redirects.settled(err, replied, time.monotonic() - opened)
                    if settled:
                        ended = None
                    if resume and isinstance(err, SubscriberLagged):
                        if last is None:
                            last = err.resume_after
                        continue
                    # A CANCELLED from the server or a proxy: resumed as an end. (One this client
                    # causes, cancelling the task or closing the client, is asyncio.CancelledError.)
                    cancelled = c.is_cancelled(exc) and not self._links.closed
                    try:
                        hop = redirects.after_stream(err, link.target, settled=settled, safe=resume,
                                                     cancelled=cancelled)
                    except ServiceUnavailable as spent:
                        if ended is not None:
                            raise ended from spent  # no server took the tenant up
                        raise
                    if hop is not None:
                        if hop.resend and isinstance(err, StreamEnded):
                            if last is None:
                                last = err.resume_after
                            ended = ended or err
                        await self._go(link, hop)
                        if hop.resend:
                            continue
                    if ended is not None and isinstance(err, (ServiceUnavailable, UnknownTenant)):
                        raise ended from err  # no server took the tenant up
                    raise err from None
                finally:
                    call.cancel()
            finally:
                await self._close_channels(self._links.leave(link))

    def __repr__(self) -> str:
        return f"AsyncRouterClient({self.target!r})"
