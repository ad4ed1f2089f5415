"""Prometheus metrics of a running server (prometheus-client).

Two sources, one registry per server (never the global one, so several
servers in one process do not collide):

- :class:`SnapshotCollector` turns the latest :class:`Snapshot` into
  gauges and counters at scrape time (queues, agents, occupancy, router
  counters). It reads the snapshot only: a scrape never calls the router.
- :class:`Metrics` holds the instruments updated as things happen: it is the
  service's :class:`~ccroute.server.hooks.Observer` (commands, engine
  rounds, events; called on the engine thread, each update a few
  microseconds) and the dispatcher's RPC hook (``on_rpc``, called on the
  gRPC worker threads).

Names (``queue``, ``channel``, ``state``, ``command`` labels)::

    ccroute_queue_waiting, ccroute_queue_offering, ccroute_queue_longest_wait_seconds,
    ccroute_queue_callbacks_waiting, ccroute_queue_callbacks_calling, ccroute_queue_scheduled
    ccroute_queue_{entered,answered,answered_in_sl,abandoned,abandoned_in_sl,
                   completed,refused,overflowed_in,overflowed_out,missed_offers,
                   transferred_in,transferred_out,transfers_failed,callback_calls,callbacks_failed,
                   refused_closed,held,exceptions,cancelled,paused}_total
    ccroute_queue_open                    (1 while open by its hours, 0 while closed)
    ccroute_queue_offered_total   (the same as entered, kept for one release)
    ccroute_queue_service_level, ccroute_queue_service_level_target,
    ccroute_queue_service_level_threshold_seconds, ccroute_queue_asa_seconds,
    ccroute_queue_abandon_rate            (absent until the queue has data)
    ccroute_agents{state}  (offline, available, away), ccroute_agents_busy, ccroute_agents_idle
    ccroute_channel_occupancy, ccroute_channel_slots_held, ccroute_channel_slots_max
    ccroute_decisions_total, ccroute_live_contacts, ccroute_snapshot_age_seconds
    ccroute_decision_latency_seconds{command}   histogram, engine time per command
    ccroute_commands_total{command,outcome}, ccroute_events_total{type}
    ccroute_engine_round_seconds, ccroute_engine_backlog
    grpc_server_started_total, grpc_server_handled_total{grpc_service,grpc_method,grpc_type,grpc_code}
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from .. import commands as cmd
from ..hooks import Observer
from .snapshot import Snapshot

if TYPE_CHECKING:
    from ..events import EventRecord

__all__ = ["Metrics", "SnapshotCollector", "TenantsCollector", "TenantObserver", "CONTENT_TYPE_LATEST"]

#: Commands that route (the latency histogram's ``command`` label values).
ROUTING_COMMANDS = frozenset(
    c.__name__ for c in (cmd.Configure, cmd.UpsertAgent, cmd.RemoveAgent, cmd.SetAgentState, cmd.Submit,
                         cmd.Accept, cmd.Reject, cmd.Complete, cmd.Cancel, cmd.Pause, cmd.Resume, cmd.UpdateContact, cmd.Transfer,
                         cmd.CallbackResult, cmd.Advance)
)
#: Latency buckets in seconds: engine commands take microseconds.
LATENCY_BUCKETS = (1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05,
                   0.1, 0.25, 1.0)

_QUEUE_COUNTERS = ("entered", "offered", "answered", "answered_in_sl", "abandoned", "abandoned_in_sl",
                   "completed", "refused", "overflowed_in", "overflowed_out", "missed_offers",
                   "transferred_in", "transferred_out", "transfers_failed", "callback_calls", "callbacks_failed",
                   "refused_closed", "held", "exceptions", "cancelled", "paused")


class SnapshotCollector(Collector):
    """Gauges and counters from the latest snapshot, read at scrape time."""

    def __init__(self, latest: Callable[[], Optional[Snapshot]]) -> None:
        self._latest = latest

    def collect(self) -> Iterator[Metric]:
        snap = self._latest()
        if snap is None:
            return
        q = ["queue"]

        def gauge(name: str, doc: str, labels: Sequence[str] = ()) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"ccroute_{name}", doc, labels=list(labels))

        waiting = gauge("queue_waiting", "Contacts waiting in the queue now (offered ones included).", q)
        offering = gauge("queue_offering", "Waiting contacts offered to an agent now.", q)
        longest = gauge("queue_longest_wait_seconds", "Wait of the oldest waiting contact.", q)
        cb_waiting = gauge("queue_callbacks_waiting",
                           "Waiting callbacks (customer off the line), not being called now.", q)
        cb_calling = gauge("queue_callbacks_calling", "Callbacks an agent is calling now.", q)
        scheduled = gauge("queue_scheduled", "Contacts submitted for later, not in the queue yet.", q)
        level = gauge("queue_service_level", "Answered within the threshold / (answered + abandoned).", q)
        target = gauge("queue_service_level_target", "Service-level objective (fraction).", q)
        threshold = gauge("queue_service_level_threshold_seconds", "Service-level threshold.", q)
        asa = gauge("queue_asa_seconds", "Average speed of answer.", q)
        abandon = gauge("queue_abandon_rate", "Abandoned / (answered + abandoned).", q)
        is_open = gauge("queue_open", "1 while the queue is open by its hours, 0 while closed.", q)
        counters = {f: CounterMetricFamily(f"ccroute_queue_{f}", f"Contacts {f.replace('_', ' ')} "
                                           "(cumulative since the router was configured).", labels=q)
                    for f in _QUEUE_COUNTERS}
        for fig in snap.queues:
            lv = [fig.name]
            waiting.add_metric(lv, fig.waiting)
            offering.add_metric(lv, fig.offering)
            longest.add_metric(lv, fig.longest_wait)
            cb_waiting.add_metric(lv, fig.callbacks_waiting)
            cb_calling.add_metric(lv, fig.callbacks_calling)
            scheduled.add_metric(lv, fig.scheduled)
            is_open.add_metric(lv, 1.0 if fig.open else 0.0)
            target.add_metric(lv, fig.sl_target)
            threshold.add_metric(lv, fig.sl_threshold)
            for fam, value in ((level, fig.service_level), (asa, fig.asa), (abandon, fig.abandon_rate)):
                if value is not None:
                    fam.add_metric(lv, value)
            for f, counter in counters.items():
                counter.add_metric(lv, getattr(fig, f))
        yield from (waiting, offering, longest, cb_waiting, cb_calling, scheduled, is_open, level, target, threshold,
                    asa, abandon)
        yield from counters.values()

        agents = gauge("agents", "Agents by state.", ["state"])
        for state in ("offline", "available", "away"):
            agents.add_metric([state], snap.agents.get(state, 0))
        yield agents
        busy = gauge("agents_busy", "Agents holding a contact, an offer or a wrap-up (any state).")
        busy.add_metric([], snap.agents.get("busy", 0))
        idle = gauge("agents_idle", "Agents holding nothing (any state).")
        idle.add_metric([], snap.agents.get("idle", 0))
        yield busy
        yield idle

        c = ["channel"]
        occ = gauge("channel_occupancy", "Slots held / slots available, agents not offline.", c)
        held = gauge("channel_slots_held", "Slots in use (contacts, offers, wrap-ups), agents not offline.", c)
        most = gauge("channel_slots_max", "Slots available, agents not offline.", c)
        for name, (h, m) in snap.channels.items():
            held.add_metric([name], h)
            most.add_metric([name], m)
            o = snap.occupancy(name)
            if o is not None:
                occ.add_metric([name], o)
        yield from (occ, held, most)

        decisions = CounterMetricFamily("ccroute_decisions", "Routing decisions made by the router.")
        decisions.add_metric([], snap.decisions)
        yield decisions
        live = gauge("live_contacts", "Contacts waiting, offered or assigned.")
        live.add_metric([], snap.live_contacts)
        yield live
        age = gauge("snapshot_age_seconds", "Seconds since these figures were taken on the engine thread.")
        age.add_metric([], max(0.0, time.time() - snap.taken))
        yield age


_SERVICE_FIGURES = {
    "healthy": "1 while the service can serve (engine, command log, lease), else 0.",
    "engine_round_running_seconds": "Seconds the engine round running now has taken (0 between rounds).",
    "event_subscribers": "WatchEvents streams open now.",
    "event_subscriber_buffered": "Events buffered for the slowest WatchEvents stream.",
    "last_sequence": "Sequence number of the last event.",
    "command_log_up": "1 while the command log (Redis) takes writes, else 0.",
    "command_log_number": "Number of the last command written to the command log.",
    "lease_held": "1 while this server surely holds the lease, else 0.",
    "lease_remaining_seconds": "Seconds the lease surely holds without another renewal.",
    "standby": "1 while this server waits for the lease (a standby), else absent.",
}


class ServiceCollector(Collector):
    """The service's own figures (health, persistence, lease, event
    subscribers), read at scrape time without waiting for the engine, so
    they stay true while the engine is stuck."""

    def __init__(self, figures: Callable[[], dict[str, float]]) -> None:
        self._figures = figures

    def collect(self) -> Iterator[Metric]:
        for name, value in self._figures().items():
            fam = GaugeMetricFamily(f"ccroute_{name}", _SERVICE_FIGURES.get(name, name))
            fam.add_metric([], value)
            yield fam


class TenantsCollector(Collector):
    """Per tenant served here, its service's own figures
    (``ccroute_tenant_<figure>{tenant=...}``: healthy, last_sequence,
    event_subscribers, ...), read at scrape time without waiting for any
    engine, and ``ccroute_tenants`` (how many this server serves)."""

    def __init__(self, owned: Callable[[], dict[str, Any]]) -> None:
        self._owned = owned

    def collect(self) -> Iterator[Metric]:
        owned = self._owned()
        count = GaugeMetricFamily("ccroute_tenants", "Tenants this server serves now.")
        count.add_metric([], float(len(owned)))
        yield count
        families: dict[str, GaugeMetricFamily] = {}
        for tenant, service in sorted(owned.items()):
            try:
                figures = service.figures()
            except Exception:  # stopping: leave it out of this scrape
                continue
            for name, value in figures.items():
                fam = families.get(name)
                if fam is None:
                    fam = families[name] = GaugeMetricFamily(
                        f"ccroute_tenant_{name}", _SERVICE_FIGURES.get(name, name) + " (per tenant)",
                        labels=["tenant"])
                fam.add_metric([tenant], value)
        yield from families.values()


#: Families that count every tenant of the server (shown to tokens for every tenant only).
SERVER_WIDE = frozenset({"grpc_server_started", "grpc_server_handled", "grpc_server_handling_seconds",
                         "ccroute_tenants"})


class _OneTenant:
    """A registry view with only one tenant's series."""

    def __init__(self, registry: CollectorRegistry, tenant: str, unlabelled: bool) -> None:
        self._registry = registry
        self._tenant = tenant
        self._unlabelled = unlabelled

    def collect(self) -> Iterator[Metric]:
        for metric in self._registry.collect():
            if metric.name in SERVER_WIDE:
                continue
            samples = [s for s in metric.samples
                       if s.labels.get("tenant", None if self._unlabelled else "") in (self._tenant, None)]
            if samples:
                out = Metric(metric.name, metric.documentation, metric.type, metric.unit)
                out.samples = samples
                yield out


class TenantObserver(Observer):
    """A tenant's service observer: counts the tenant's commands and events
    by tenant (``ccroute_tenant_commands``, ``ccroute_tenant_events``) and,
    for the default tenant only, feeds the server's unlabelled engine
    instruments (``ccroute_commands``, latency, events, rounds, backlog),
    which so describe the default tenant's router, as before tenants."""

    def __init__(self, metrics: "Metrics", tenant: str) -> None:
        self._metrics = metrics
        self._tenant = tenant

    def on_command(self, name: str, outcome: str, seconds: float) -> None:
        if self._tenant == "default":
            self._metrics.on_command(name, outcome, seconds)
        self._metrics.tenant_commands.labels(self._tenant, outcome).inc()

    def on_events(self, records: Sequence["EventRecord"]) -> None:
        if self._tenant == "default":
            self._metrics.on_events(records)
        self._metrics.tenant_events.labels(self._tenant).inc(len(records))

    def on_round(self, commands: int, backlog: int, seconds: float) -> None:
        if self._tenant == "default":
            self._metrics.on_round(commands, backlog, seconds)


class Metrics(Observer):
    """The registry and the event-driven instruments of one server.

    Pass it as the service's ``observer`` and the dispatcher's ``rpc_observer``;
    :meth:`add_snapshots` adds the snapshot gauges; :meth:`exposition`
    renders the text format.
    """

    def __init__(self, *, process: bool = True) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._owned: Optional[Callable[[], dict[str, Any]]] = None
        r = self.registry
        if process:
            from prometheus_client.process_collector import ProcessCollector

            ProcessCollector(registry=r)
        self.latency = Histogram("ccroute_decision_latency_seconds",
                                 "Engine time per routing command (a round's time shared by its commands).",
                                 ["command"], buckets=LATENCY_BUCKETS, registry=r)
        self.commands = Counter("ccroute_commands", "Commands the engine ran, by outcome "
                                "(ok or the error class).", ["command", "outcome"], registry=r)
        self.events = Counter("ccroute_events", "Events published, by type.", ["type"], registry=r)
        self.rounds = Histogram("ccroute_engine_round_seconds", "Duration of one engine round.",
                                buckets=LATENCY_BUCKETS, registry=r)
        self.backlog = Gauge("ccroute_engine_backlog", "Commands queued for the engine after the last round.",
                             registry=r)
        self.tenant_commands = Counter("ccroute_tenant_commands", "Commands the engine ran, by tenant and "
                                       "outcome.", ["tenant", "outcome"], registry=r)
        self.tenant_events = Counter("ccroute_tenant_events", "Events published, by tenant.", ["tenant"],
                                     registry=r)
        self.rpc_started = Counter("grpc_server_started", "RPCs started on the server.",
                                   ["grpc_service", "grpc_method", "grpc_type"], registry=r)
        self.rpc_handled = Counter("grpc_server_handled", "RPCs completed on the server, by status code "
                                   "(errors: grpc_code != OK).",
                                   ["grpc_service", "grpc_method", "grpc_type", "grpc_code"], registry=r)

    def add_snapshots(self, latest: Callable[[], Optional[Snapshot]]) -> None:
        """Expose the figures of the snapshots ``latest()`` returns."""
        self.registry.register(SnapshotCollector(latest))

    def add_service(self, figures: Callable[[], dict[str, float]]) -> None:
        """Expose the service's own figures (``RouterService.figures``)."""
        self.registry.register(ServiceCollector(figures))

    def add_tenants(self, owned: Callable[[], dict[str, Any]]) -> None:
        """Expose per-tenant figures of the services ``owned()`` returns
        (``Tenants.owned``)."""
        self._owned = owned
        self.registry.register(TenantsCollector(owned))

    def for_tenant(self, tenant: str) -> TenantObserver:
        """The observer of ``tenant``'s service."""
        return TenantObserver(self, tenant)

    def exposition(self, tenant: Optional[str] = None) -> bytes:
        """The registry in the Prometheus text format; with ``tenant``,
        what a token of that one tenant may read: the series labelled with
        it, nothing of other tenants (not even their names or how many
        there are), and for the default tenant also the unlabelled router
        and process series (its own router's figures). Server-wide series
        (:data:`SERVER_WIDE`: gRPC calls of every tenant, the tenant count)
        need a token for every tenant, or the default tenant's while it is
        the only tenant this server serves (then they are all its own)."""
        owned = self._owned
        if tenant == "default" and (owned is None or set(owned()) <= {"default"}):
            tenant = None
        if tenant is None:
            return generate_latest(self.registry)
        return generate_latest(_OneTenant(self.registry, tenant, tenant == "default"))  # type: ignore[arg-type]

    # -- Observer (engine thread) -----------------------------------------
    def on_command(self, name: str, outcome: str, seconds: float) -> None:
        self.commands.labels(name, outcome).inc()
        if name in ROUTING_COMMANDS:
            self.latency.labels(name).observe(seconds)

    def on_events(self, records: Sequence["EventRecord"]) -> None:
        counts: dict[str, int] = {}
        for r in records:
            kind = type(r.event).__name__
            counts[kind] = counts.get(kind, 0) + 1
        for kind, n in counts.items():
            self.events.labels(kind).inc(n)

    def on_round(self, commands: int, backlog: int, seconds: float) -> None:
        self.rounds.observe(seconds)
        self.backlog.set(backlog)

    # -- dispatcher (gRPC handler threads) ---------------------------------------
    def on_rpc_start(self, method: str, kind: str) -> None:
        service, name = _split(method)
        self.rpc_started.labels(service, name, kind).inc()

    def on_rpc(self, method: str, kind: str, code: Any) -> None:
        """An RPC ended: ``code`` is a ``grpc.StatusCode``."""
        service, name = _split(method)
        self.rpc_handled.labels(service, name, kind, getattr(code, "name", str(code))).inc()


def _split(method: str) -> tuple[str, str]:
    service, _, name = method.lstrip("/").partition("/")
    return service, name
