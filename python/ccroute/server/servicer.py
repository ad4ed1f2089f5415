"""The gRPC servicer: thin. Each method converts the request
(:mod:`~ccroute.server.wire`), calls the :class:`RouterService` with the
call's remaining deadline, and converts the reply. Errors are raised, never
turned into statuses here: :class:`~ccroute.server.dispatch.Dispatcher`
maps them, in one place.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Optional, Union

import grpc

from ..errors import InvalidInput, InvalidState
from ..v1 import model_pb2, router_pb2_grpc
from ..v1 import router_pb2 as pb
from . import wire
from .commands import AgentScope
from .errors import NotOwner, StreamEnded
from .idempotency import IdempotencyCache
from .logs import event
from .service import RouterService
from .tenants import DEFAULT_TENANT, TenantInfo, Tenants
from .token_store import TokenInfo, TokenStore, check_sha256
from .tokens import ALL_TENANTS, Grant

__all__ = ["RouterServicer", "SERVICE_NAME"]

log = logging.getLogger("ccroute.server")

#: Full name of the service, for health checking and reflection.
SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["Router"].full_name

#: Seconds between checks that a WatchEvents reader is still there.
WATCH_POLL = 1.0
#: Longer deadlines count as none (gRPC reports "no deadline" as a huge one).
MAX_WAIT = 24 * 3600.0
#: Most events in one WatchEvents message.
WATCH_BATCH = 1000
#: Most CreateTenant, DeleteTenant and CreateToken replies kept for retries.
TENANT_REPLIES = 10_000


def _timeout(context: grpc.ServicerContext) -> Optional[float]:
    """The call's remaining deadline in seconds (``None``: no deadline)."""
    remaining = context.time_remaining()
    return None if remaining is None or remaining > MAX_WAIT else float(remaining)


def _digest(*messages: Any) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for m in messages:
        h.update(m.SerializeToString(deterministic=True))
    return h.digest()


def _now(request: Any) -> Optional[float]:
    """The caller's time of a mutating request (``--clock client``)."""
    return request.now if request.HasField("now") else None


def _keyed(request: Any) -> dict[str, Any]:
    """The arguments of a mutating request besides its content: its time
    and idempotency key, with a digest of the rest of the request (what
    tells a repeat from another request under the same key)."""
    key = request.idempotency_key
    if not key:
        return {"now": _now(request)}
    rest = type(request)()
    rest.CopyFrom(request)
    rest.idempotency_key = ""
    rest.ClearField("now")  # a retry is the same request at any time
    return {"idempotency_key": key, "fingerprint": _digest(rest), "now": _now(request)}


def _scope(context: grpc.ServicerContext) -> Optional[AgentScope]:
    """The agent an ``agent`` token's call is limited to (set by the
    dispatcher; ``None`` for any other token, or without tokens)."""
    scope: Optional[AgentScope] = getattr(context, "scope", None)
    return scope


def _replayed(records: Any) -> bool:
    return bool(getattr(records, "replayed", False))


class RouterServicer(router_pb2_grpc.RouterServicer):
    """``ccroute.v1.Router`` over the tenants of one server (each call runs
    on its tenant's :class:`RouterService`)."""

    def __init__(self, tenants: Union[Tenants, RouterService], token_store: Optional[TokenStore] = None) -> None:
        self.tenants = tenants if isinstance(tenants, Tenants) else Tenants(tenants)
        #: The server's tokens, for CreateToken and friends (``None``: no tokens).
        self.token_store = token_store
        #: CreateTenant and DeleteTenant replies by idempotency key (they run
        #: here, not on an engine thread); guarded by ``_tenant_lock``.
        self._tenant_replies = IdempotencyCache(self.tenants.limits.idempotency_ttl, TENANT_REPLIES)
        self._tenant_lock = threading.Lock()

    def _at(self, context: Any) -> RouterService:
        """The service of the call's tenant."""
        return self.tenants.service(getattr(context, "tenant", DEFAULT_TENANT))

    # -- configuration --------------------------------------------------
    def GetConfig(self, request: pb.GetConfigRequest, context: grpc.ServicerContext) -> pb.GetConfigResponse:
        return pb.GetConfigResponse(config=wire.settings_to_pb(self._at(context).settings))

    def Configure(self, request: pb.ConfigureRequest, context: grpc.ServicerContext) -> pb.ConfigureResponse:
        settings = self._at(context).configure(wire.settings_from_pb(request.config), moves=sorted(request.moves.items()),
                                           timeout=_timeout(context), **_keyed(request))
        return pb.ConfigureResponse(config=wire.settings_to_pb(settings))

    # -- agents ---------------------------------------------------------
    def UpsertAgent(self, request: pb.UpsertAgentRequest, context: grpc.ServicerContext) -> pb.UpsertAgentResponse:
        fields = list(request.update_mask.paths) if request.HasField("update_mask") else None
        result = self._at(context).upsert_agent(
            wire.agent_from_pb(request.agent), create_only=request.create_only,
            keep_state=request.agent.state == model_pb2.AGENT_STATE_UNSPECIFIED, fields=fields,
            timeout=_timeout(context), **_keyed(request))
        return pb.UpsertAgentResponse(events=wire.events_to_pb(result.events), replaced=result.replaced,
                                      replayed=result.replayed)

    def RemoveAgent(self, request: pb.RemoveAgentRequest, context: grpc.ServicerContext) -> pb.RemoveAgentResponse:
        records = self._at(context).remove_agent(request.agent_id, timeout=_timeout(context), **_keyed(request))
        return pb.RemoveAgentResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def SetAgentState(self, request: pb.SetAgentStateRequest, context: grpc.ServicerContext) -> pb.SetAgentStateResponse:
        state = wire.state_from_pb(request.state, f"agent {request.agent_id!r}")
        records = self._at(context).set_agent_state(request.agent_id, state, reason=request.reason,
                                                timeout=_timeout(context), **_keyed(request))
        return pb.SetAgentStateResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    # -- contacts -------------------------------------------------------
    def SubmitContact(self, request: pb.SubmitContactRequest, context: grpc.ServicerContext) -> pb.SubmitContactResponse:
        if not request.HasField("contact"):
            raise InvalidInput("SubmitContact needs a contact")
        key = request.idempotency_key
        result = self._at(context).submit(
            wire.contact_from_pb(request.contact),
            idempotency_key=key or None,
            fingerprint=_digest(request.contact) if key else None,
            timeout=_timeout(context),
            now=_now(request),
        )
        return pb.SubmitContactResponse(events=wire.events_to_pb(result.events), replayed=result.replayed)

    def _submit_many(self, request: pb.SubmitContactsRequest, context: grpc.ServicerContext) -> pb.SubmitContactsResponse:
        key = request.idempotency_key
        n = len(request.contacts)
        limit = self._at(context).limits.max_batch
        if n > limit:
            raise InvalidInput(f"batch of {n} contacts exceeds the limit of {limit}; split it")
        result = self._at(context).submit_many(
            [wire.contact_from_pb(c) for c in request.contacts],
            idempotency_key=key or None,
            fingerprint=_digest(*request.contacts) if key else None,
            timeout=_timeout(context),
            now=_now(request),
        )
        return pb.SubmitContactsResponse(events=wire.events_to_pb(result.events), replayed=result.replayed,
                                         submitted=n)

    def SubmitContacts(self, request: pb.SubmitContactsRequest, context: grpc.ServicerContext) -> pb.SubmitContactsResponse:
        return self._submit_many(request, context)

    def StreamContacts(self, request_iterator: Iterator[pb.SubmitContactsRequest],
                       context: grpc.ServicerContext) -> Iterator[pb.SubmitContactsResponse]:
        for request in request_iterator:
            yield self._submit_many(request, context)

    def CancelContact(self, request: pb.CancelContactRequest, context: grpc.ServicerContext) -> pb.CancelContactResponse:
        records = self._at(context).cancel(request.contact_id, timeout=_timeout(context), **_keyed(request))
        return pb.CancelContactResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def PauseContact(self, request: pb.PauseContactRequest, context: grpc.ServicerContext) -> pb.PauseContactResponse:
        records = self._at(context).pause(request.contact_id, timeout=_timeout(context), scope=_scope(context),
                                      **_keyed(request))
        return pb.PauseContactResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def ResumeContact(self, request: pb.ResumeContactRequest,
                      context: grpc.ServicerContext) -> pb.ResumeContactResponse:
        records = self._at(context).resume(request.contact_id, timeout=_timeout(context), scope=_scope(context),
                                       **_keyed(request))
        return pb.ResumeContactResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def CompleteContact(self, request: pb.CompleteContactRequest, context: grpc.ServicerContext) -> pb.CompleteContactResponse:
        records = self._at(context).complete(request.contact_id, timeout=_timeout(context), scope=_scope(context),
                                         **_keyed(request))
        return pb.CompleteContactResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def AcceptOffer(self, request: pb.AcceptOfferRequest, context: grpc.ServicerContext) -> pb.AcceptOfferResponse:
        records = self._at(context).accept(request.contact_id, request.agent_id, timeout=_timeout(context), scope=_scope(context),
                                       **_keyed(request))
        return pb.AcceptOfferResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def RejectOffer(self, request: pb.RejectOfferRequest, context: grpc.ServicerContext) -> pb.RejectOfferResponse:
        records = self._at(context).reject(request.contact_id, request.agent_id, timeout=_timeout(context), scope=_scope(context),
                                       **_keyed(request))
        return pb.RejectOfferResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def UpdateContact(self, request: pb.UpdateContactRequest, context: grpc.ServicerContext) -> pb.UpdateContactResponse:
        records = self._at(context).update_contact(request.contact_id, **wire.contact_update_from_pb(request.update),
                                               timeout=_timeout(context), **_keyed(request))
        return pb.UpdateContactResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def Transfer(self, request: pb.TransferRequest, context: grpc.ServicerContext) -> pb.TransferResponse:
        records = self._at(context).transfer(request.contact_id, **wire.transfer_from_pb(request.transfer),
                                         timeout=_timeout(context), **_keyed(request))
        return pb.TransferResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def CallbackResult(self, request: pb.CallbackResultRequest,
                       context: grpc.ServicerContext) -> pb.CallbackResultResponse:
        records = self._at(context).callback_result(request.contact_id, wire.outcome_from_pb(request.outcome),
                                                timeout=_timeout(context), **_keyed(request))
        return pb.CallbackResultResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    def Advance(self, request: pb.AdvanceRequest, context: grpc.ServicerContext) -> pb.AdvanceResponse:
        records = self._at(context).advance(timeout=_timeout(context), **_keyed(request))
        return pb.AdvanceResponse(events=wire.events_to_pb(records), replayed=_replayed(records))

    # -- views ----------------------------------------------------------
    def GetContact(self, request: pb.GetContactRequest, context: grpc.ServicerContext) -> pb.GetContactResponse:
        view = self._at(context).contact(request.contact_id, timeout=_timeout(context))
        return pb.GetContactResponse(contact=wire.contact_view_to_pb(view))

    def ExplainContact(self, request: pb.ExplainContactRequest,
                       context: grpc.ServicerContext) -> pb.ExplainContactResponse:
        contact_id = request.contact_id
        why = self._at(context).query(lambda e: e.router.explain(contact_id), name="explain", timeout=_timeout(context))
        return pb.ExplainContactResponse(explanation=wire.explanation_to_pb(why))

    def GetAgent(self, request: pb.GetAgentRequest, context: grpc.ServicerContext) -> pb.GetAgentResponse:
        agent_id = request.agent_id
        view = self._at(context).query(lambda e: e.router.agent(agent_id), name="agent", timeout=_timeout(context))
        return pb.GetAgentResponse(agent=wire.agent_view_to_pb(view))

    def GetQueueStats(self, request: pb.GetQueueStatsRequest, context: grpc.ServicerContext) -> pb.GetQueueStatsResponse:
        stats = self._at(context).stats(list(request.queues), timeout=_timeout(context))
        return pb.GetQueueStatsResponse(queues=[wire.queue_stats_to_pb(s) for s in stats])

    def ListAgents(self, request: pb.ListAgentsRequest, context: grpc.ServicerContext) -> pb.ListAgentsResponse:
        ids, status = self._at(context).query(lambda e: (e.router.agent_ids(), e.status()), name="list_agents",
                                          timeout=_timeout(context))
        return pb.ListAgentsResponse(agent_ids=ids, by_state=wire.agent_counts_to_pb(status.agents))

    def ListWaiting(self, request: pb.ListWaitingRequest, context: grpc.ServicerContext) -> pb.ListWaitingResponse:
        return pb.ListWaitingResponse(contact_ids=self._at(context).waiting(request.queue, timeout=_timeout(context)))

    def GetStatus(self, request: pb.GetStatusRequest, context: grpc.ServicerContext) -> pb.GetStatusResponse:
        s = self._at(context).status(timeout=_timeout(context))
        out = pb.GetStatusResponse(
            now=s.now, policy=s.policy, decisions=s.decisions, live_contacts=s.live_contacts,
            last_sequence=s.last_sequence, oldest_sequence=s.oldest_sequence,
            agents=wire.agent_counts_to_pb(s.agents), version=s.version, history_id=s.history_id,
        )
        if s.next_timer is not None:
            out.next_timer = s.next_timer
        return out

    # -- events ---------------------------------------------------------
    def WatchEvents(self, request: pb.WatchEventsRequest,
                    context: grpc.ServicerContext) -> Iterator[pb.WatchEventsResponse]:
        after = request.after_sequence if request.HasField("after_sequence") else None
        service = self._at(context)
        sub = service.subscribe(after, history_id=request.history_id or None, timeout=_timeout(context))
        history_id = service.history_id
        context.add_callback(sub.close)
        try:
            while True:
                records = sub.get(timeout=WATCH_POLL, max_events=WATCH_BATCH)
                if records is None:
                    return
                if records:
                    yield pb.WatchEventsResponse(events=wire.events_to_pb(records), history_id=history_id)
                elif not context.is_active():
                    return
                elif not service.running:
                    raise StreamEnded(
                        f"{service.stop_reason}; resume WatchEvents with "
                        f"after_sequence={sub.delivered} on the next server",
                        resume_after=sub.delivered,
                    )
        finally:
            sub.close()

    # -- tenants --------------------------------------------------------
    def CreateTenant(self, request: pb.CreateTenantRequest, context: grpc.ServicerContext) -> pb.CreateTenantResponse:
        def create() -> pb.CreateTenantResponse:
            settings = wire.settings_from_pb(request.config) if request.HasField("config") else None
            return pb.CreateTenantResponse(tenant=_tenant_pb(self.tenants.create(request.tenant, settings)))
        return self._once(request, create)

    def DeleteTenant(self, request: pb.DeleteTenantRequest, context: grpc.ServicerContext) -> pb.DeleteTenantResponse:
        def delete() -> pb.DeleteTenantResponse:
            self.tenants.delete(request.tenant, force=request.force)
            if self.token_store is not None:  # a new tenant of that name must not inherit them
                for info in self.token_store.revoke_tenant(request.tenant):
                    event(log, logging.INFO, "token_revoked", f"token {info.sha256[:12]}... revoked with its tenant",
                          sha256=info.sha256, role=info.grant.role, tenant=info.grant.tenant, label=info.grant.name)
            return pb.DeleteTenantResponse()
        return self._once(request, delete)

    def _once(self, request: Any, run: Callable[[], Any]) -> Any:
        """``run()``'s reply; for a retry under the same idempotency key the
        first successful reply again, marked ``replayed``
        (``IdempotencyConflict`` for the key reused for another request)."""
        key = request.idempotency_key
        if not key:
            return run()
        rest = type(request)()
        rest.CopyFrom(request)
        rest.idempotency_key = ""
        fingerprint = (type(request).__name__.removesuffix("Request"), (request.tenant,), _digest(rest))
        with self._tenant_lock:
            stored = self._tenant_replies.get(key, fingerprint, time.monotonic())
            if stored is None:
                reply = run()
                self._tenant_replies.put(key, fingerprint, (), time.monotonic(), extra=reply)
                return reply
        again = type(stored.extra)()
        again.CopyFrom(stored.extra)
        again.replayed = True
        return again

    def ListTenants(self, request: pb.ListTenantsRequest, context: grpc.ServicerContext) -> pb.ListTenantsResponse:
        grant = getattr(context, "grant", None)
        infos = self.tenants.infos((lambda name: grant.covers(name)) if grant is not None else (lambda name: True))
        return pb.ListTenantsResponse(tenants=[_tenant_pb(i) for i in infos])

    # -- webhooks -------------------------------------------------------
    def SetWebhook(self, request: pb.SetWebhookRequest, context: grpc.ServicerContext) -> pb.SetWebhookResponse:
        tenant = getattr(context, "tenant", DEFAULT_TENANT)
        after = request.after_sequence if request.HasField("after_sequence") else None
        state, secret = self.tenants.set_webhook(tenant, request.url, request.secret, after)
        out = pb.SetWebhookResponse(secret=secret)
        if state is not None:
            out.webhook.CopyFrom(_webhook_pb(state))
        return out

    def GetWebhook(self, request: pb.GetWebhookRequest, context: grpc.ServicerContext) -> pb.GetWebhookResponse:
        state = self.tenants.webhook(getattr(context, "tenant", DEFAULT_TENANT))
        out = pb.GetWebhookResponse()
        if state is not None:
            out.webhook.CopyFrom(_webhook_pb(state))
        return out

    # -- tokens ---------------------------------------------------------
    def _tokens(self) -> TokenStore:
        if self.token_store is None:
            raise InvalidState("this server runs without tokens (no --token-file): start it with one to issue, "
                               "revoke or list tokens")
        return self.token_store

    def CreateToken(self, request: pb.CreateTokenRequest, context: grpc.ServicerContext) -> pb.CreateTokenResponse:
        store = self._tokens()
        grant = Grant(request.role, request.tenant, request.agent if request.HasField("agent") else None,
                      request.name if request.HasField("name") else None)
        if grant.tenant != ALL_TENANTS:
            try:
                self.tenants.service(grant.tenant)
            except NotOwner:  # it exists, served by another server
                pass

        def create() -> pb.CreateTokenResponse:
            token, info = store.create(grant)
            event(log, logging.INFO, "token_created",
                  f"token {info.sha256[:12]}... issued: role {grant.role}, tenant {grant.tenant}"
                  + (f", agent {grant.agent}" if grant.agent else "") + (f", name {grant.name}" if grant.name else ""),
                  sha256=info.sha256, role=grant.role, tenant=grant.tenant, agent=grant.agent, label=grant.name)
            return pb.CreateTokenResponse(token=token, grant=_token_pb(info))
        reply: pb.CreateTokenResponse = self._once(request, create)
        if reply.replayed and not store.has(reply.grant.sha256):
            raise InvalidState("the token this idempotency key issued was revoked since; issue another with a new key")
        return reply

    def RevokeToken(self, request: pb.RevokeTokenRequest, context: grpc.ServicerContext) -> pb.RevokeTokenResponse:
        store = self._tokens()
        if bool(request.sha256) == bool(request.name):
            raise InvalidInput("RevokeToken takes sha256 or name, exactly one")
        sha256 = check_sha256(request.sha256) if request.sha256 else ""
        revoked = store.revoke(sha256, request.name, _covers(context))
        for info in revoked:
            event(log, logging.INFO, "token_revoked", f"token {info.sha256[:12]}... revoked",
                  sha256=info.sha256, role=info.grant.role, tenant=info.grant.tenant, label=info.grant.name)
        return pb.RevokeTokenResponse(revoked=[_token_pb(i) for i in revoked])

    def ListTokens(self, request: pb.ListTokensRequest, context: grpc.ServicerContext) -> pb.ListTokensResponse:
        return pb.ListTokensResponse(tokens=[_token_pb(i) for i in self._tokens().tokens(_covers(context))])


def _covers(context: Any) -> Callable[[str], bool]:
    """Whether the call's token covers a tenant (every one without tokens)."""
    grant = getattr(context, "grant", None)
    return grant.covers if grant is not None else (lambda tenant: True)


def _token_pb(info: TokenInfo) -> pb.TokenGrant:
    g = info.grant
    return pb.TokenGrant(sha256=info.sha256, role=g.role, tenant=g.tenant, agent=g.agent, name=g.name,
                         source=info.source)


def _tenant_pb(info: TenantInfo) -> pb.Tenant:
    return pb.Tenant(name=info.name, owner=info.owner, owned_here=info.owned_here, agents=info.agents,
                     live_contacts=info.live_contacts, last_sequence=info.last_sequence,
                     history_id=info.history_id, problem=info.problem)


def _webhook_pb(state: Any) -> pb.Webhook:
    return pb.Webhook(url=state.url, delivered_sequence=state.delivered_sequence, failures=state.failures,
                      last_error=state.last_error)
