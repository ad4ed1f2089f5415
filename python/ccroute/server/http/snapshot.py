"""Live figures for the HTTP side: a snapshot the engine thread makes.

A :class:`SnapshotPublisher` thread asks the engine thread, once a second
(through :meth:`RouterService.query`, so the router is only ever touched on
its owner thread), for a :class:`Snapshot`: the statistics of every queue,
the agents by state, channel occupancy and the router's counters. The
snapshot is immutable; readers (``/metrics``, the wallboard's event
stream) take the latest one without any call into the service, so no HTTP
client, however slow, can hold up routing.

The publisher also keeps the service level of each queue over the last
30 minutes (one sample every ``sample_every`` seconds) for the wallboard's
chart.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ...client._common import RemoteQueueStats

if TYPE_CHECKING:
    from ..engine import Engine
    from ..service import RouterService

__all__ = ["Snapshot", "QueueFigures", "SnapshotPublisher", "take_snapshot"]

log = logging.getLogger("ccroute.server")

#: Seconds of service-level history kept for the chart.
HISTORY_SECONDS = 30 * 60.0
#: Agents whose views one snapshot reads for occupancy; above it occupancy
#: is refreshed less often (every ``1 + agents // OCCUPANCY_AGENTS`` snapshots).
OCCUPANCY_AGENTS = 2000
#: Most waiting contacts counted one by one for the waiting-per-channel figures.
COUNT_WAITING = 5000
#: Agents listed on the wallboard (by id).
AGENT_LIST = 200

_QUEUE_FIELDS = (
    "waiting", "offering", "longest_wait", "callbacks_waiting", "callbacks_calling", "scheduled", "entered", "answered",
    "answered_in_sl", "abandoned", "abandoned_in_sl", "completed", "overflowed_in", "overflowed_out", "refused",
    "missed_offers", "transferred_in", "transferred_out", "transfers_failed", "callback_calls",
    "callbacks_failed", "service_level", "asa", "abandon_rate", "sl_target", "sl_threshold",
    "refused_closed", "held", "exceptions", "cancelled", "open", "paused",
)


#: One queue's figures: the fields of ``ccroute.QueueStats``, the same
#: record the gRPC client returns.
QueueFigures = RemoteQueueStats


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the HTTP side shows, as of one engine round."""

    #: Wall-clock time (``time.time()``) the snapshot was taken.
    taken: float
    #: The router's own time (server seconds).
    now: float
    policy: str
    decisions: int
    live_contacts: int
    #: Queues in configuration order.
    queues: tuple[QueueFigures, ...]
    #: ``offline``, ``available``, ``away`` (states) and ``busy``, ``idle``
    #: (across states).
    agents: dict[str, int]
    #: Per channel: ``(slots held, slots available)`` over agents not offline.
    channels: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Per channel: contacts waiting (``None`` when too many wait to count each).
    waiting_by_channel: Optional[dict[str, int]] = None
    #: The first ``AGENT_LIST`` agents by id: id, state, reason code, router
    #: time the state began (``None``: before the last restart), contacts held.
    agent_list: tuple[dict[str, Any], ...] = ()

    def occupancy(self, channel: str) -> Optional[float]:
        """Held / maximum slots of a channel over logged-in agents."""
        held, most = self.channels.get(channel, (0, 0))
        return held / most if most else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "taken": self.taken,
            "now": self.now,
            "policy": self.policy,
            "decisions": self.decisions,
            "live_contacts": self.live_contacts,
            "queues": [q.to_dict() for q in self.queues],
            "agents": dict(self.agents),
            "channels": {c: {"held": h, "max": m, "occupancy": self.occupancy(c)}
                         for c, (h, m) in self.channels.items()},
            "waiting_by_channel": self.waiting_by_channel,
            "agent_list": list(self.agent_list),
        }


def _occupancy(engine: "Engine") -> dict[str, tuple[int, int]]:
    router = engine.router
    totals = {ch.name: [0, 0] for ch in engine.settings.channels}
    for agent_id in router.agent_ids():
        view = router.agent(agent_id)
        if view.state == "offline":
            continue
        held = view.held
        for name, most in view.max.items():
            t = totals.setdefault(name, [0, 0])
            t[0] += held.get(name, 0)
            t[1] += most
    return {name: (h, m) for name, (h, m) in totals.items()}


def _waiting_by_channel(engine: "Engine", queues: tuple[QueueFigures, ...]) -> Optional[dict[str, int]]:
    if sum(q.waiting for q in queues) > COUNT_WAITING:
        return None
    router = engine.router
    out = {ch.name: 0 for ch in engine.settings.channels}
    for q in queues:
        for cid in router.waiting(q.name):
            ch = router.contact(cid).channel
            out[ch] = out.get(ch, 0) + 1
    return out


def _agent_list(engine: "Engine") -> tuple[dict[str, Any], ...]:
    router = engine.router
    out = []
    for agent_id in router.agent_ids()[:AGENT_LIST]:
        view = router.agent(agent_id)
        out.append({"id": agent_id, "state": view.state, "reason": view.reason or "", "since": view.state_since,
                    "contacts": len(view.contacts)})
    return tuple(out)


def take_snapshot(engine: "Engine", channels: Optional[dict[str, tuple[int, int]]] = None) -> Snapshot:
    """Build a snapshot; runs on the engine thread. ``channels`` reuses an
    earlier occupancy instead of reading every agent."""
    router = engine.router
    stats = router.stats()
    names = [q.name for q in engine.settings.queues] or sorted(stats)
    queues = tuple(
        QueueFigures(name, **{f: getattr(stats[name], f) for f in _QUEUE_FIELDS})
        for name in names if name in stats
    )
    return Snapshot(
        taken=time.time(),
        now=router.now,
        policy=router.policy,
        decisions=router.decisions,
        live_contacts=router.live_contacts,
        queues=queues,
        agents=dict(router.agents_by_state()),
        channels=_occupancy(engine) if channels is None else channels,
        waiting_by_channel=_waiting_by_channel(engine, queues),
        agent_list=_agent_list(engine),
    )


def _json(value: Any) -> bytes:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(value), separators=(",", ":")).encode()


class SnapshotPublisher:
    """Takes a snapshot every ``interval`` seconds on the engine thread and
    hands it to readers; keeps 30 minutes of service level per queue.

    Readers call :attr:`latest` (never blocks) or :meth:`wait_newer` (blocks
    until a newer snapshot or the timeout). ``refresh()`` takes one now.
    """

    def __init__(self, service: "RouterService", *, interval: float = 1.0,
                 sample_every: float = 10.0, query_timeout: float = 5.0,
                 sl_interval: float = 15 * 60.0, sl_window: float = 30 * 60.0) -> None:
        self._service = service
        self.interval = interval
        self.sample_every = sample_every
        self._timeout = query_timeout
        self._cond = threading.Condition(threading.Lock())
        self._latest: Optional[Snapshot] = None
        self._latest_json = b"{}"
        self._version = 0
        self._history: dict[str, deque[tuple[float, Optional[float]]]] = {}
        self._last_sample = -math.inf
        self._occupancy: Optional[dict[str, tuple[int, int]]] = None
        self._occupancy_age = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._refresh_lock = threading.Lock()
        #: Length of the reporting interval (aligned to the wall clock) and
        #: of the rolling window the service level is also shown over.
        for name, value in (("interval", sl_interval), ("window", sl_window)):
            if not value > 0:
                from ...errors import InvalidInput

                raise InvalidInput(f"service-level {name} must be a positive number of minutes, got {value / 60!r}")
        self.sl_interval, self.sl_window = sl_interval, sl_window
        self._counts: deque[tuple[float, dict[str, tuple[int, int, int]]]] = deque()

    # -- life cycle -----------------------------------------------------
    def start(self) -> "SnapshotPublisher":
        """Take a first snapshot (when the service runs) and start the thread."""
        if self._thread is None:
            try:
                self.refresh()
            except Exception:  # the service may not run yet; the thread retries
                log.debug("first snapshot failed", exc_info=True)
            self._thread = threading.Thread(target=self._run, name="ccroute-snapshot", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and wake every reader (they see :attr:`closed`)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(self._timeout + 1.0)

    def close(self) -> None:
        """Stop as :meth:`stop` does, without waiting for the thread."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def service_health(self) -> Optional[str]:
        """Why the watched service cannot serve now, or ``None``
        (:meth:`RouterService.health`)."""
        health = getattr(self._service, "health", None)
        return health() if health is not None else None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception as exc:  # stopped or busy service: try again next second
                log.debug("snapshot failed: %s", exc)

    # -- taking ---------------------------------------------------------
    def refresh(self) -> Snapshot:
        """Take a snapshot now (on the engine thread) and publish it."""
        with self._refresh_lock:
            reuse = self._occupancy
            if reuse is not None and self._occupancy_age > 0:
                self._occupancy_age -= 1
                snap = self._service.query(lambda e: take_snapshot(e, reuse), name="snapshot",
                                           timeout=self._timeout)
            else:
                snap = self._service.query(take_snapshot, name="snapshot", timeout=self._timeout)
                agents = sum(snap.agents[s] for s in ("offline", "available", "away"))
                self._occupancy, self._occupancy_age = snap.channels, agents // OCCUPANCY_AGENTS
            self._publish(snap)
            return snap

    def _levels(self, snap: Snapshot) -> dict[str, tuple[Optional[float], Optional[float]]]:
        """Per queue, the service level of the current interval and of the
        rolling window: answered within the threshold / (answered +
        abandoned), over the contacts that ended in that time (the
        differences of the cumulative counters)."""
        now = {q.name: (q.answered_in_sl, q.answered, q.abandoned) for q in snap.queues}
        counts = self._counts
        counts.append((snap.taken, now))
        while len(counts) > 1 and counts[1][0] <= snap.taken - self.sl_window:
            counts.popleft()
        # The counters as the interval began: the last sample at or before
        # its start (snapshots are a second apart), else the oldest kept.
        start = snap.taken - snap.taken % self.sl_interval
        since_start = counts[0][1]
        for t, c in counts:
            if t > start:
                break
            since_start = c

        def level(base: dict[str, tuple[int, int, int]], name: str) -> Optional[float]:
            b = base.get(name, (0, 0, 0))
            ins, ans, ab = (x - y for x, y in zip(now[name], b, strict=True))
            return ins / (ans + ab) if ans + ab > 0 else None

        window = counts[0][1]
        return {name: (level(since_start, name), level(window, name)) for name in now}

    def _publish(self, snap: Snapshot) -> None:
        sampled = snap.taken - self._last_sample >= self.sample_every
        body = snap.to_dict()
        body["sample"] = sampled
        levels = self._levels(snap)
        for q in body["queues"]:
            q["sl_interval"], q["sl_window"] = levels.get(q["name"], (None, None))
        body["sl_interval_minutes"] = self.sl_interval / 60
        body["sl_window_minutes"] = self.sl_window / 60
        encoded = _json(body)
        with self._cond:
            if sampled:
                self._last_sample = snap.taken
                horizon = snap.taken - HISTORY_SECONDS
                for q in snap.queues:
                    h = self._history.setdefault(q.name, deque())
                    h.append((snap.taken, q.service_level))
                    while h and h[0][0] < horizon:
                        h.popleft()
            self._latest, self._latest_json = snap, encoded
            self._version += 1
            self._cond.notify_all()

    # -- reading --------------------------------------------------------
    @property
    def latest(self) -> Optional[Snapshot]:
        """The newest snapshot (``None`` before the first)."""
        return self._latest

    @property
    def version(self) -> int:
        """Counts snapshots published."""
        return self._version

    def latest_json(self) -> tuple[int, bytes]:
        """``(version, JSON of the newest snapshot)``."""
        with self._cond:
            return self._version, self._latest_json

    def wait_newer(self, version: int, timeout: float) -> tuple[int, bytes]:
        """Block until a snapshot newer than ``version`` (or the timeout, or
        stop); returns the newest ``(version, JSON)``."""
        with self._cond:
            if self._version <= version and not self._stop.is_set():
                self._cond.wait(timeout)
            return self._version, self._latest_json

    def history_json(self) -> bytes:
        """Service level per queue over the last 30 minutes:
        ``{"queue": [[wall time, level or null], ...]}``."""
        with self._cond:
            data = {name: [[t, v] for t, v in h] for name, h in self._history.items()}
        return _json({"history": data, "seconds": HISTORY_SECONDS})
