"""Durable tenants, spread among the servers of one Redis.

Every tenant has its own write-ahead log, snapshots and lease
(:class:`~ccroute.server.persistence.redis_log.RedisLog` under its own key
prefix), so each has one owner at a time and any server can take it over.
Keys (``base`` is ``ccroute``):

- ``{base}:tenants`` -- a hash, tenant name -> its record (JSON: the
  configuration it was created with);
- ``{base}:servers`` -- a sorted set of the live servers' addresses, each
  scored with the time (ms) its registration expires, and ``{base}:load``
  (a hash: address -> tenants it owns);
- per tenant, the log's keys under ``{base}:{<tenant>}`` (the braces are
  Redis Cluster's hash tag: every key of a tenant is in one slot, so the
  log's Lua scripts run on one node), plus ``...:webhook`` (a hash: url,
  secret, delivered). On a single Redis the ``default`` tenant keeps the
  keys it had before tenants existed (``{base}:log``, ...), so existing
  databases load unchanged.

Two ways to run (``ccroute serve --redis``):

- *hot standby* (no ``--advertise``): one server owns every tenant; others
  wait for the default tenant's lease, then take every tenant over;
- *scale-out* (``--advertise host:port``): every server serves, and a
  balancer thread on each spreads the tenants: a server takes a free
  tenant (no lease) while it owns fewer than its share (tenants / live
  servers, rounded up) and gives one back per round while it owns more,
  or two more than the least loaded other live server (which then takes
  it; the server that gave it back leaves it to others for one lease).
  A server's registration lasts one lease and is renewed every third of
  one; the load it publishes is what it owns after its round.
  A call that reaches a server not owning its tenant fails with
  ``NotOwner`` naming the owner (``ccroute-owner``); ``RouterClient``
  follows it. A dead owner's tenants are taken over within the lease
  time plus a balancer round.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any, Optional

from ..._ccroute import Agent
from ...errors import DuplicateId
from ..config import RouterSettings, ServiceLimits
from ..errors import NotOwner, UnknownTenant
from ..logs import event
from ..service import RouterService
from ..tenants import DEFAULT_TENANT, TenantInfo, Tenants, check_tenant
from .codec import decode_settings, encode_settings
from .redis_log import RedisLog, connect, is_cluster
from .state import EpochClock

__all__ = ["RedisTenants", "tenant_prefix"]

log = logging.getLogger("ccroute.server.persistence")


# Store a webhook's delivered position while the stored webhook is the sender's own.
_DELIVERED = """
if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'delivered', ARGV[2])
  return 1
end
return 0
"""


def tenant_prefix(base: str, tenant: str, cluster: bool) -> str:
    """The key prefix of a tenant's log (see the module docstring)."""
    if tenant == DEFAULT_TENANT and not cluster:
        return base
    return f"{base}:{{{tenant}}}"


class RedisTenants(Tenants):
    """The tenants of a server with ``--redis`` (see the module docstring).

    Args:
        url: the Redis URL (``redis+cluster://`` for a Redis Cluster).
        address: this server's address as clients reach it (what redirects
            name); ``None``: hot-standby mode, this server takes every tenant.
        default_settings: the configuration of tenants created without one,
            and of the ``default`` tenant when Redis has none yet.
        default: the ``default`` tenant's service, already rebuilt (standby
            mode: :func:`~ccroute.server.persistence.open_durable`).
    """

    def __init__(self, url: str, *, address: Optional[str], default_settings: RouterSettings,
                 limits: ServiceLimits, lease_ms: int = 5000, snapshot_every: int = 10_000,
                 observer: Any = None, base: str = "ccroute", default: Optional[RouterService] = None,
                 default_agents: Iterable[Agent] = (), private_webhooks: bool = False) -> None:
        super().__init__(default, address=address or "", default_settings=default_settings,
                         private_webhooks=private_webhooks)
        self.url = url
        self.cluster = is_cluster(url)
        self.redis: Any = connect(url)
        self.base = base
        self.k_tenants, self.k_servers, self.k_load = f"{base}:tenants", f"{base}:servers", f"{base}:load"
        self.k_http = f"{base}:http"  # a hash: address -> base URL of that server's HTTP port
        #: The base URL of this server's HTTP port as clients reach it (``None``: none).
        self.http_url: Optional[str] = None
        self.scale_out = address is not None
        self.lease_ms = lease_ms
        self.snapshot_every = snapshot_every
        self.limits = limits
        self._observer = observer
        self._logs: dict[str, RedisLog] = {}
        self._default_agents = tuple(default_agents)
        self._known: set[str] = set()
        #: Tenants this server gave back, and until when it leaves them to others.
        self._cooling: dict[str, float] = {}
        self._stop = threading.Event()
        self._balancer: Optional[threading.Thread] = None
        self._delivered_script: Any = self.redis.register_script(_DELIVERED)
        self.redis.hsetnx(self.k_tenants, DEFAULT_TENANT, json.dumps({"config": encode_settings(default_settings)}))

    def adopt(self, tenant: str, rlog: RedisLog) -> None:
        """Count ``rlog`` as the log of a tenant opened elsewhere (the
        default tenant in standby mode)."""
        self._logs[tenant] = rlog
        self._start_webhook(tenant)

    def advertise_http(self, url: str) -> None:
        """Name ``url`` (the base URL of this server's HTTP port as clients
        reach it) to the other servers, which give it in their ``NotOwner``
        answers for the tenants this one owns."""
        self.http_url = url  # published by the balancer's next round (a third of a lease)

    # -- life cycle ---------------------------------------------------------
    def start(self) -> "RedisTenants":
        super().start()
        self._balance()
        self._balancer = threading.Thread(target=self._run, name="ccroute-tenants", daemon=True)
        self._balancer.start()
        return self

    def stop(self, timeout: Optional[float] = None) -> None:
        self._stop.set()
        if self._balancer is not None:
            self._balancer.join(5.0)
        super().stop(timeout)
        for rlog in list(self._logs.values()):
            rlog.close()
        if self.scale_out:
            try:
                self.redis.zrem(self.k_servers, self.address)
                self.redis.hdel(self.k_load, self.address)
                self.redis.hdel(self.k_http, self.address)
            except Exception:
                pass
        self.redis.close()

    def _run(self) -> None:
        every = self.lease_ms / 3000
        while not self._stop.wait(every):
            try:
                self._balance()
            except Exception as exc:  # Redis down: the logs report it per tenant
                log.warning("tenant balancer: %s", exc)

    # -- spreading ------------------------------------------------------------
    def _balance(self) -> None:
        """One round: drop tenants whose lease is lost, register this server,
        then either give one tenant back (over its share, or two more than
        the least loaded other server) or take free tenants up to its share;
        the load others compare with is published last, so it is always
        what this server owns after the round."""
        names = sorted(n.decode() for n in self.redis.hkeys(self.k_tenants))
        self._known = set(names)
        now = time.monotonic()
        for name, rlog in list(self._logs.items()):
            service = self._services.get(name)
            if rlog.lost.is_set():
                self._release(name, "another server took its lease", rlog)
            elif service is not None and service.failure is not None:
                # Stopped for good here: free it, so that a server rebuilds it from
                # Redis (another first; this one too once the cooling is over).
                self._release(name, f"failed: {service.failure}", rlog)
                self._cooling[name] = now + self.lease_ms / 1000
            elif name not in self._known and not self.redis.hexists(self.k_tenants, name):
                self._release(name, "deleted by another server", rlog)
        self._cooling = {n: until for n, until in self._cooling.items() if until > now}
        if not self.scale_out:
            self._take(names, len(names))
            return
        sec, usec = self.redis.time()  # one clock for every server: Redis's
        now_ms = int(sec) * 1000 + int(usec) // 1000
        # A registration lasts one lease: a dead server stops counting about
        # when its tenants' leases expire and others may take them.
        self.redis.zadd(self.k_servers, {self.address: now_ms + self.lease_ms})
        if self.http_url is not None:
            self.redis.hset(self.k_http, self.address, self.http_url)
        else:  # a server restarted at this address without its HTTP port: name none
            self.redis.hdel(self.k_http, self.address)
        for gone in self.redis.zrangebyscore(self.k_servers, "-inf", now_ms):
            self.redis.zrem(self.k_servers, gone)
            self.redis.hdel(self.k_load, gone)
            self.redis.hdel(self.k_http, gone)
        live = {a.decode() for a in self.redis.zrange(self.k_servers, 0, -1)} | {self.address}
        others = [int(v) for a, v in self.redis.hgetall(self.k_load).items()
                  if a.decode() in live and a.decode() != self.address]
        share = math.ceil(len(names) / len(live))
        owned = sorted(n for n in self.owned() if n in self._logs)
        if others and owned and (len(owned) > share or len(owned) > min(others) + 1):
            # Give one back; a less loaded server takes it (not this one: it leaves
            # it to them for a lease, after which it may take it again if nobody did).
            extra = owned[-1]
            self._release(extra, f"rebalancing: {len(owned)} tenants here, share {share}, "
                                 f"least loaded other server {min(others)}")
            self._cooling[extra] = time.monotonic() + self.lease_ms / 1000
        else:
            self._take(names, share)
        self.redis.hset(self.k_load, self.address, len(self.owned()))

    def _take(self, names: list[str], share: int) -> None:
        """Open free tenants of ``names`` while this server owns fewer than ``share``."""
        now = time.monotonic()
        for name in names:
            if len(self.owned()) >= share or self._stop.is_set():
                break
            if name in self._services or self._cooling.get(name, 0.0) > now:
                continue
            try:
                self._open(name)
            except Exception as exc:
                log.error("cannot open tenant %r: %s", name, exc)

    def _open(self, tenant: str) -> bool:
        """Take ``tenant`` if its lease is free: rebuild it from Redis and
        start it. False when another server holds it (or it was deleted)."""
        record = self.redis.hget(self.k_tenants, tenant)
        if record is None:  # deleted: never take (and so create) a lease for it
            return False
        rlog = RedisLog(self.url, lease_ms=self.lease_ms, snapshot_every=self.snapshot_every,
                        prefix=tenant_prefix(self.base, tenant, self.cluster), address=self.address,
                        client=self.redis)
        if not rlog.try_lease():
            return False
        try:
            if not self.redis.hexists(self.k_tenants, tenant):  # deleted while the lease was taken
                rlog.close()
                return False
            fresh = rlog.empty
            settings = decode_settings(json.loads(record)["config"])
            agents = self._default_agents if (fresh and tenant == DEFAULT_TENANT) else ()
            service = RouterService(settings, agents=agents, limits=self.limits, clock=EpochClock(rlog.origin),
                                    command_log=rlog, history_id=rlog.history_id,
                                    observer=self._observer.for_tenant(tenant) if hasattr(self._observer, "for_tenant")
                                    else self._observer)
            service.adopt_epoch(rlog.origin)
            if fresh:
                rlog.begin(settings, service.clock())
            rlog.load(service, settings)
            rlog.on_lost = lambda: self._lost(tenant, rlog)
            service.start()
        except BaseException:
            rlog.close()
            raise
        with self._lock:  # the stored webhook starts before any SetWebhook can reach the tenant here
            self._services[tenant] = service
            self._logs[tenant] = rlog
            self._start_webhook(tenant)
        st = service.engine
        event(log, logging.INFO, "tenant_acquired",
              f"tenant {tenant!r}: lease held (epoch {rlog.token}); rebuilt from Redis with "
              f"{len(st.router.agent_ids())} agents, {st.router.live_contacts} live contacts, event {st.last_sequence}",
              tenant=tenant, epoch=rlog.token, last_event=st.last_sequence)
        return True

    def _lost(self, tenant: str, rlog: RedisLog) -> None:
        """A tenant's lease was taken by another server (any thread)."""
        threading.Thread(target=self._release, args=(tenant, "another server took its lease", rlog), daemon=True).start()

    def _release(self, tenant: str, why: str, rlog: Optional[RedisLog] = None) -> None:
        """Stop serving ``tenant`` here and free its lease; with ``rlog``,
        only while that log is still the tenant's (not after this server
        took the tenant again under a new lease)."""
        with self._lock:
            if rlog is not None and self._logs.get(tenant) is not rlog:
                return
            service = self._services.pop(tenant, None)
            rlog = self._logs.pop(tenant, None)
            sender = self.webhooks.pop(tenant, None)
        if sender is not None:
            sender.stop()
        if service is not None:  # its engine thread ends every event stream as it exits
            service.stop(5.0, reason=f"tenant {tenant!r} is no longer served by this server ({why}); "
                                     "another server takes it over")
        if rlog is not None:
            rlog.close()
        level = logging.WARNING if why.startswith(("failed", "another server")) else logging.INFO
        event(log, level, "tenant_released", f"tenant {tenant!r} no longer served here: {why}",
              tenant=tenant, reason=why)

    # -- lookup ---------------------------------------------------------------
    def _elsewhere(self, tenant: str) -> None:
        if tenant not in self._known and not self.redis.hexists(self.k_tenants, tenant):
            raise UnknownTenant(f"unknown tenant {tenant!r} (create it with CreateTenant)")
        if not self.scale_out:  # the only server serving: the lease is a previous owner's, about to expire
            raise NotOwner(f"tenant {tenant!r} is being taken over by this server; retry shortly")
        owner = self._owner(tenant)
        if owner == self.address:  # its own lease, not (or no longer) started here: taking it, or giving it up
            raise NotOwner(f"tenant {tenant!r} is being taken over or given up by this server; retry shortly")
        if owner:
            url = self.redis.hget(self.k_http, owner)
            url = url.decode() if url else None
            http = f" (HTTP: {url})" if url else ""
            raise NotOwner(f"tenant {tenant!r} is served by {owner}{http}; send the call there", owner, url)
        raise NotOwner(f"tenant {tenant!r} has no owner at the moment (a server is taking it over); retry shortly")

    def _owner(self, tenant: str) -> Optional[str]:
        value = self.redis.get(f"{tenant_prefix(self.base, tenant, self.cluster)}:lease")
        return value.decode().split("#", 1)[0] if value else None

    # -- tenant calls -----------------------------------------------------------
    def create(self, tenant: str, settings: Optional[RouterSettings] = None,
               agents: Iterable[Agent] = ()) -> TenantInfo:
        check_tenant(tenant)
        settings = settings or self._default_settings
        if not self.redis.hsetnx(self.k_tenants, tenant, json.dumps({"config": encode_settings(settings)})):
            raise DuplicateId(f"tenant {tenant!r} already exists")
        self._known.add(tenant)
        self._open(tenant)  # False: another server took it first, which is as good
        event(log, logging.INFO, "tenant_created", f"tenant {tenant!r} created", tenant=tenant)
        return self.info(tenant)

    def _drop(self, tenant: str, service: RouterService) -> None:
        # The record goes first: from then on no server opens the tenant (they
        # check it before taking the lease and again after).
        self.redis.hdel(self.k_tenants, tenant)
        self._known.discard(tenant)
        super()._drop(tenant, service)
        with self._lock:
            rlog = self._logs.pop(tenant, None)
        if rlog is not None:
            rlog.close()  # stop renewing and free the lease, while the epoch still matches
        prefix = tenant_prefix(self.base, tenant, self.cluster)
        for key in RedisLog.key_names(prefix, keep_fencing=True) + [f"{prefix}:webhook"]:
            # One by one: in a cluster, a multi-key DEL must stay in one slot. The
            # lease and epoch stay: fencing tokens of a re-created tenant keep
            # growing, so an owner of the deleted one can never write into the new one.
            self.redis.delete(key)

    def info(self, tenant: str) -> TenantInfo:
        if tenant in self.owned():
            return super().info(tenant)
        if not self.redis.hexists(self.k_tenants, tenant):
            raise UnknownTenant(f"unknown tenant {tenant!r}")
        return TenantInfo(tenant, self._owner(tenant) or "", False)

    def names(self) -> list[str]:
        return sorted(n.decode() for n in self.redis.hkeys(self.k_tenants))

    # -- webhooks -------------------------------------------------------------
    def _webhook_key(self, tenant: str) -> str:
        return f"{tenant_prefix(self.base, tenant, self.cluster)}:webhook"

    def _store_webhook(self, tenant: str, config: Optional[dict[str, Any]]) -> None:
        key = self._webhook_key(tenant)
        if config is None:
            self.redis.delete(key)
        else:
            self.redis.delete(key)  # no field of an older webhook stays
            self.redis.hset(key, mapping={"url": config["url"], "secret": config["secret"],
                                          "delivered": str(config["after_sequence"]), "gen": config["gen"]})

    def _delivered_hook(self, tenant: str, gen: Optional[str] = None) -> Any:
        """Stores each acknowledged sequence while the stored webhook is
        still this sender's (``gen``): a sender being replaced never
        overwrites its successor's position, nor revives a removed one."""
        key, script = self._webhook_key(tenant), self._delivered_script

        def delivered(sequence: int) -> None:
            script(keys=[key], args=[delivered.gen, sequence])  # type: ignore[attr-defined]
        delivered.gen = gen or uuid.uuid4().hex  # type: ignore[attr-defined]
        return delivered

    def _start_webhook(self, tenant: str) -> None:
        """Start the webhook stored for a tenant just taken over here (under ``_lock``)."""
        from ..webhooks import WebhookSender

        stored = self.redis.hgetall(self._webhook_key(tenant))
        if not stored:
            return
        if not all(k in stored for k in (b"url", b"secret", b"delivered")):
            log.warning("tenant %r: the stored webhook is incomplete (%s); not started",
                        tenant, sorted(k.decode() for k in stored))
            return
        service = self._services[tenant]
        gen = stored.get(b"gen", b"").decode() or None
        sender = WebhookSender(tenant, service, stored[b"url"].decode(), stored[b"secret"].decode(),
                               int(stored[b"delivered"]), on_delivered=self._delivered_hook(tenant, gen),
                               private=self.private_webhooks)
        old = self.webhooks.pop(tenant, None)
        if old is not None:
            old.stop()
        self.webhooks[tenant] = sender.start()
