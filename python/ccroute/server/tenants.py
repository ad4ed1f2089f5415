"""The routers one server hosts, by tenant.

A tenant is one router with everything that belongs to it: configuration,
agents, contacts, statistics, event stream, durable state and lease. Each
tenant's :class:`~ccroute.server.service.RouterService` runs its own engine
thread with its own command queue, so one tenant's load (a full queue, a
slow plug-in, a slow event subscriber) never holds another's decisions
up: they share only the CPU.

:class:`Tenants` is the registry the gRPC and HTTP layers ask for the
service of a call's tenant (request metadata ``ccroute-tenant``, default
:data:`DEFAULT_TENANT`). This module holds the in-memory form; with Redis,
:class:`ccroute.server.persistence.tenants.RedisTenants` keeps every
tenant durable and spreads them among the servers of one database.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Optional

from .._ccroute import Agent
from ..errors import DuplicateId, InvalidInput, InvalidState
from .clock import ManualClock
from .config import RouterSettings, ServiceLimits
from .errors import HistoryGap, NotOwner, ServiceError, ServiceTimeout, UnknownTenant
from .logs import event
from .service import RouterService

__all__ = ["DEFAULT_TENANT", "TenantInfo", "Tenants", "check_tenant", "tenant_of"]

log = logging.getLogger("ccroute.server")

#: The tenant every server has, and the one a call without ``ccroute-tenant`` is for.
DEFAULT_TENANT = "default"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")

#: Builds a tenant's service (not started) from its settings and initial agents.
ServiceFactory = Callable[[str, RouterSettings, Iterable[Agent]], RouterService]


def check_tenant(name: str) -> str:
    """``name`` if it is a valid tenant name, else ``InvalidInput`` naming it."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        shown = name[:80] if isinstance(name, str) else name
        raise InvalidInput(f"tenant {shown!r} is not a name of 1-63 letters, digits, '.', '_' and '-' "
                           "starting with a letter or digit")
    return name


def tenant_of(metadata_value: Optional[str]) -> str:
    """The tenant a call is for, from its ``ccroute-tenant`` metadata
    (absent or empty: :data:`DEFAULT_TENANT`); ``InvalidInput`` for a bad name."""
    return check_tenant(metadata_value) if metadata_value else DEFAULT_TENANT


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as ``ListTenants`` shows it: its owner's address and, when
    this server owns it, its counters."""

    name: str
    owner: str = ""
    owned_here: bool = False
    agents: int = 0
    live_contacts: int = 0
    last_sequence: int = 0
    history_id: str = ""
    #: Why the counters are missing although this server owns it ("" otherwise).
    problem: str = ""


#: Seconds ``ListTenants`` waits for one tenant's counters.
INFO_TIMEOUT = 2.0


class Tenants:
    """The tenants of one server, each a started :class:`RouterService`.

    The in-memory form: every tenant lives here, for as long as the server
    runs. Thread-safe: calls from any handler thread.

    Args:
        default: the service of :data:`DEFAULT_TENANT` (started by
            :meth:`start` if not yet).
        make_service: builds the service of a tenant created by API from
            its settings (default: same limits, clock kind and observer
            as ``default``).
        address: this server's address, shown as every tenant's owner.
        private_webhooks: whether webhooks may call loopback, private and
            link-local addresses (``--webhook-private``); refused by default,
            so a tenant cannot make the server call internal services.
    """

    def __init__(self, default: Optional[RouterService], *, make_service: Optional[ServiceFactory] = None,
                 address: str = "", default_settings: Optional[RouterSettings] = None,
                 private_webhooks: bool = False) -> None:
        self.address = address
        self.private_webhooks = private_webhooks
        self._lock = threading.RLock()
        self._services: dict[str, RouterService] = {DEFAULT_TENANT: default} if default is not None else {}
        settings = default_settings or (default.settings if default is not None else None)
        if settings is None:
            raise ValueError("Tenants needs the default tenant's service or the default settings")
        self._default_settings = settings
        #: The service limits of this server's tenants.
        self.limits = default.limits if default is not None else ServiceLimits()
        self._make = make_service or (self._same_as(default) if default is not None else _unmade)
        #: Per tenant: its webhook sender, if it has one (``ccroute.server.webhooks``).
        self.webhooks: dict[str, Any] = {}

    @staticmethod
    def _same_as(default: RouterService) -> ServiceFactory:
        clock = getattr(default, "_clock", None)

        def make(name: str, settings: RouterSettings, agents: Iterable[Agent]) -> RouterService:
            # A fresh clock of the default's kind: a ClientClock tenant runs on its calls' time too.
            return RouterService(settings, agents=agents, limits=default.limits,
                                 clock=type(clock)() if isinstance(clock, ManualClock) else None,
                                 observer=_observer_for(getattr(default, "_observer", None), name))
        return make

    # -- life cycle ---------------------------------------------------------
    def start(self) -> "Tenants":
        for service in self.owned().values():
            if not service.running:
                service.start()
        return self

    def stop(self, timeout: Optional[float] = None) -> None:
        """Stop every webhook and every tenant's service."""
        _stop_senders(list(self.webhooks.values()))
        for service in self.owned().values():
            service.stop(timeout)

    def end_subscriptions(self) -> None:
        for service in self.owned().values():
            if service.running:
                try:
                    service.end_subscriptions()
                except Exception:  # already stopping
                    pass

    # -- lookup -------------------------------------------------------------
    @property
    def default_settings(self) -> RouterSettings:
        """The configuration of tenants created without one."""
        return self._default_settings

    @property
    def default(self) -> RouterService:
        """The service of :data:`DEFAULT_TENANT` (when this server has it)."""
        return self.service(DEFAULT_TENANT)

    def service(self, tenant: str) -> RouterService:
        """The service of ``tenant``: ``UnknownTenant`` (NOT_FOUND) when
        there is none (or ``NotOwner`` when another server owns it)."""
        found = self._services.get(tenant)
        if found is None:
            self._elsewhere(tenant)
        return found  # type: ignore[return-value]

    def _elsewhere(self, tenant: str) -> None:
        """Raise why ``tenant`` is not served here."""
        raise UnknownTenant(f"unknown tenant {tenant!r} (create it with CreateTenant)")

    def owned(self) -> dict[str, RouterService]:
        """The tenants served here now, by name."""
        with self._lock:
            return dict(self._services)

    def health(self) -> Optional[str]:
        """Why this server cannot serve, or ``None``: the default tenant's
        reason when it is served here, else the reason of every tenant
        served here when none of them can serve. One tenant that cannot
        serve (its calls answer UNAVAILABLE saying why) does not take the
        others' server out of service: see :meth:`problems`."""
        problems = self.problems()
        if DEFAULT_TENANT in problems:
            return problems[DEFAULT_TENANT]
        owned = self.owned()
        if owned and len(problems) == len(owned):  # names and reasons are logged, not shown to any prober
            return f"none of the {len(owned)} tenants served here can serve (see the tenant_unhealthy log lines)"
        return None

    def problems(self) -> dict[str, str]:
        """Why each tenant served here that cannot serve cannot, by name."""
        out = {}
        for name, service in sorted(self.owned().items()):
            problem = service.health()
            if problem is not None:
                out[name] = problem
        return out

    # -- tenant calls ---------------------------------------------------------
    def create(self, tenant: str, settings: Optional[RouterSettings] = None,
               agents: Iterable[Agent] = ()) -> TenantInfo:
        """Create and start a tenant (``DuplicateId`` when it exists)."""
        check_tenant(tenant)
        with self._lock:
            if tenant in self._services:
                raise DuplicateId(f"tenant {tenant!r} already exists")
            service = self._make(tenant, settings or self._default_settings, agents)
            service.start()
            self._services[tenant] = service
        event(log, logging.INFO, "tenant_created", f"tenant {tenant!r} created", tenant=tenant)
        return self.info(tenant)

    def delete(self, tenant: str, force: bool = False) -> None:
        """Stop a tenant's service and forget it: ``InvalidState`` for the
        default tenant, or while it holds agents or live contacts unless
        ``force``."""
        check_tenant(tenant)
        if tenant == DEFAULT_TENANT:
            raise InvalidState(f"tenant {DEFAULT_TENANT!r} cannot be deleted")
        with self._lock:  # looked up under the lock: two deletes never stop one service and drop another
            service = self.service(tenant)
            if not force:
                _check_empty(tenant, service)
            self._services.pop(tenant, None)
            sender = self.webhooks.pop(tenant, None)
        if sender is not None:
            sender.stop()
        self._drop(tenant, service)
        event(log, logging.INFO, "tenant_deleted", f"tenant {tenant!r} deleted", tenant=tenant, force=force)

    def _drop(self, tenant: str, service: RouterService) -> None:
        """Stop a deleted tenant's service (and delete its durable state)."""
        service.stop()  # its engine thread ends every event stream as it exits

    # -- webhooks -----------------------------------------------------------
    def set_webhook(self, tenant: str, url: str, secret: str = "",
                    after_sequence: Optional[int] = None) -> tuple[Optional[Any], str]:
        """Set (or with an empty ``url`` remove) ``tenant``'s webhook;
        returns its state and the secret the server made (``""`` when
        ``secret`` was given). A bad URL or secret is ``InvalidInput``
        naming it, an ``after_sequence`` beyond the last event
        ``HistoryGap`` (as for ``WatchEvents``), and the webhook in force
        stays."""
        from .webhooks import WebhookSender, check_webhook

        service = self.service(tenant)
        made, start = "", 0
        if url:
            url, secret, made = check_webhook(url, secret, private=self.private_webhooks)
            last = service.status().last_sequence
            start = last if after_sequence is None else after_sequence
            if start > last:
                raise HistoryGap(f"webhook after_sequence {start} is beyond the last event of tenant "
                                 f"{tenant!r}, sequence {last}", resume_after=last)
        sender = None
        if url:
            hook = self._delivered_hook(tenant)
            sender = WebhookSender(tenant, service, url, secret, start, on_delivered=hook,
                                   private=self.private_webhooks)
        with self._lock:
            config = None
            if sender is not None:
                config = {**sender.config(), "gen": getattr(hook, "gen", "")}
            self._store_webhook(tenant, config)  # first: if it fails, the webhook in force stays
            old = self.webhooks.pop(tenant, None)
            if old is not None:
                old.stop(wait=False)  # joined below, outside the lock
            if sender is not None:
                self.webhooks[tenant] = sender.start()
        if old is not None:
            old.join()
        return (sender.state() if sender is not None else None), made

    def webhook(self, tenant: str) -> Optional[Any]:
        """The state of ``tenant``'s webhook, ``None`` without one."""
        self.service(tenant)
        sender = self.webhooks.get(tenant)
        return sender.state() if sender is not None else None

    def _store_webhook(self, tenant: str, config: Optional[dict[str, Any]]) -> None:
        """Keep a tenant's webhook configuration (``None``: removed) where
        the tenant's next owner finds it (nothing to do in memory)."""

    def _delivered_hook(self, tenant: str) -> Optional[Callable[[int], None]]:
        """What to call with each acknowledged sequence (durable forms
        keep it, so a new owner resumes there)."""
        return None

    def names(self) -> list[str]:
        """Every tenant's name, sorted."""
        return sorted(self.owned())

    def info(self, tenant: str) -> TenantInfo:
        """What ``ListTenants`` shows of one tenant."""
        service = self.service(tenant)
        try:
            status = service.status(timeout=INFO_TIMEOUT)
        except ServiceTimeout:  # say so rather than wait, or guess
            return TenantInfo(tenant, self.address, True,
                              problem=f"its engine did not answer within {INFO_TIMEOUT:g} s")
        except ServiceError as exc:  # not serving, its queue full, ...
            return TenantInfo(tenant, self.address, True, problem=str(exc))
        return TenantInfo(tenant, self.address, True, _agents(status), status.live_contacts,
                          status.last_sequence, status.history_id)

    def infos(self, visible: Callable[[str], bool] = lambda _: True) -> list[TenantInfo]:
        """:meth:`info` of every tenant ``visible`` accepts, by name: asked
        of all of them at once, so that tenants that do not answer cost
        :data:`INFO_TIMEOUT` in all, not each."""
        from concurrent.futures import ThreadPoolExecutor

        names = [n for n in self.names() if visible(n)]

        def one(name: str) -> Optional[TenantInfo]:
            try:
                return self.info(name)
            except UnknownTenant:  # deleted meanwhile
                return None
            except NotOwner as exc:  # given up meanwhile: as another server's tenant
                return TenantInfo(name, exc.owner or "", False)
        if len(names) <= 1:
            found = [one(n) for n in names]
        else:
            with ThreadPoolExecutor(min(32, len(names)), thread_name_prefix="ccroute-list") as pool:
                found = list(pool.map(one, names))
        return [i for i in found if i is not None]


def _stop_senders(senders: list[Any]) -> None:
    """Stop webhook senders all at once, then wait for each."""
    for sender in senders:
        sender.stop(wait=False)
    for sender in senders:
        sender.join()


def _check_empty(tenant: str, service: RouterService) -> None:
    status = service.status()
    agents = _agents(status)
    if agents or status.live_contacts:
        raise InvalidState(f"tenant {tenant!r} holds {_count(agents, 'agent')} and "
                           f"{_count(status.live_contacts, 'live contact')}; "
                           "remove them first or delete with force")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _agents(status: Any) -> int:
    a = status.agents
    return int(a.offline + a.available + a.away)


def _unmade(name: str, settings: RouterSettings, agents: Iterable[Agent]) -> RouterService:
    raise NotImplementedError("this registry creates its tenants' services itself")


def _observer_for(observer: Any, tenant: str) -> Any:
    """The observer of a new tenant: the server's metrics (the default
    tenant's ``TenantObserver``'s, or the default's ``Metrics`` itself)
    counting it under its own name, or else the default's observer."""
    metrics = getattr(observer, "_metrics", None)
    if metrics is None and hasattr(observer, "for_tenant"):
        metrics = observer
    return metrics.for_tenant(tenant) if metrics is not None else observer
