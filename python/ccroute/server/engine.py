"""The engine: the router and the state only the engine thread touches.

:class:`Engine` holds the router, the numbering of its events, the event
history and subscribers, and the idempotency cache, and has one method per
kind of change (``configure``, ``upsert_agent``, ``submit``, ...). It knows
nothing of threads, queues or commands: the service
(:mod:`~ccroute.server.service`) runs it on one thread, and each command
(:mod:`~ccroute.server.commands`) calls its methods. So the imports run one
way: service, then commands, then engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional

from .. import __version__
from .._ccroute import Agent, AgentView, Contact, NotResponding, QueueStats, Refused
from ..errors import CapacityError, DuplicateId, InvalidInput, UnknownId
from .catalogue import AgentAdded, AgentRemoved, AgentStateChanged, AgentUpdated, ConfigChanged, Queued
from .config import RouterSettings, ServiceLimits
from .errors import HistoryChanged, HistoryGap, ServerBusy, StreamEnded
from .events import EventHistory, EventRecord, Subscription
from .idempotency import IdempotencyCache

__all__ = ["Engine", "Submitted", "Upserted", "Replies", "Status", "AgentCounts", "AGENT_FIELDS"]


class Submitted(NamedTuple):
    """Reply of a submit: the events it caused, and whether it is the stored
    reply of an earlier call with the same idempotency key."""

    events: Sequence[EventRecord]
    replayed: bool


class Upserted(NamedTuple):
    """Reply of an upsert: the events, whether an existing agent was
    updated, and whether it is a stored reply (idempotency key)."""

    events: Sequence[EventRecord]
    replaced: bool
    replayed: bool = False


class Replies(list[EventRecord]):
    """The events of a call (a list), and whether they are the stored reply
    of an earlier call with the same idempotency key (``replayed``)."""

    replayed = False


#: Fields of an agent an UpsertAgent update_mask may name: the record's.
AGENT_FIELDS = frozenset(Agent("-").to_dict()) - {"id"}


class AgentCounts(NamedTuple):
    """Agents by state (``busy`` and ``idle`` count across states)."""

    offline: int
    available: int
    away: int
    busy: int
    idle: int


@dataclass(frozen=True)
class Status:
    """The router's clock, counters and event-log positions."""

    now: float
    policy: str
    decisions: int
    live_contacts: int
    next_timer: Optional[float]
    last_sequence: int
    oldest_sequence: int
    agents: AgentCounts
    version: str
    #: Identity of the event history the sequences belong to.
    history_id: str = ""


def _status_after_timers(agent_id: str, view: AgentView, fired: Sequence[Any]) -> tuple[str, str]:
    """An agent's (state, reason) once the timers a call fired first have
    run: a missed offer among them may have moved it (``NotResponding``)."""
    state, reason = view.state, view.reason or ""
    for e in fired:
        if type(e) is NotResponding and e.agent == agent_id:
            state, reason = e.state, "not_responding"
    return state, reason


class Engine:
    """The router and all the state only the engine thread touches: the
    event numbering, history and subscribers, the idempotency cache."""

    def __init__(self, settings: RouterSettings, limits: ServiceLimits, history_id: Optional[str] = None) -> None:
        #: Identity of the event history: sequence numbers mean the same
        #: events only within one history.
        self.history_id = history_id or uuid.uuid4().hex
        #: Wall-clock time (Unix seconds) of router time 0: events carry
        #: ``wall_origin + now`` beside the router time.
        self.wall_origin = 0.0
        #: The wall-clock time of the call being applied, when it is not
        #: ``wall_origin + now`` (a call on the caller's clock).
        self.wall_now: Optional[float] = None
        self.settings = settings
        #: The settings as given (an epoch of 0 stands for the server's).
        self._given = settings
        self.router = settings.build()
        self._scratch = settings.build()  # validates agent specs without side effects
        self.limits = limits
        self.history = EventHistory(limits.history)
        self.idempotency = IdempotencyCache(limits.idempotency_ttl, limits.idempotency_events)
        self.subscribers: list[Subscription] = []
        #: Why no more subscriptions are taken (the service stops), or ``None``.
        self.closed: Optional[str] = None
        #: Records of the current round, numbered but not yet published.
        self.unpublished: list[EventRecord] = []
        self._tick: list[EventRecord] = []
        self._next = 1
        #: The epoch (Unix seconds of router time 0) given to settings that
        #: leave it at 0: the server's clock origin (0: none).
        self.default_epoch = 0.0

    def adopt_epoch(self, origin: float) -> None:
        """Read router time against the server's clock (``origin``: Unix
        seconds of router time 0) for queues' opening hours, unless the
        settings give an epoch. Called before any call is applied."""
        self.default_epoch = origin
        settings = self._with_epoch(self._given)
        if settings != self.settings:
            self.settings = settings
            self.router = settings.build()
            self._scratch = settings.build()

    def _with_epoch(self, settings: RouterSettings) -> RouterSettings:
        if settings.epoch != 0.0 or not self.default_epoch:
            return settings
        return RouterSettings({**settings.to_dict(), "epoch": self.default_epoch})

    # -- events ---------------------------------------------------------
    def record(self, events: list[Any]) -> list[EventRecord]:
        """Number a call's events; they are published at the end of the round."""
        if not events:
            return []
        n = self._next
        wall = self.wall_now if self.wall_now is not None else self.wall_origin + self.router.now
        records = [EventRecord(n + i, e, wall) for i, e in enumerate(events)]
        self._next = n + len(records)
        self.unpublished.extend(records)
        return records

    def record_around(self, before: list[Any], events: list[Any], after: Sequence[Any] = (),
                      fired: Optional[int] = None) -> list[EventRecord]:
        """Number service events (``before`` and ``after``, see
        :mod:`.catalogue`) around a call's router events: all are
        published, but the call's reply holds only the router events, as
        the embedded router's would. ``before`` goes after the events of
        the timers the call fired first (``fired``; default: the router's
        ``timer_events`` for its last call), which happened earlier."""
        if not before and not after:
            return self.record(events)
        k = min(self.router.timer_events if fired is None else fired, len(events))
        records = self.record([*events[:k], *before, *events[k:], *after])
        return records[:k] + records[k + len(before):len(records) - len(after)]

    @property
    def last_sequence(self) -> int:
        """Sequence number of the last event numbered (0 before any)."""
        return self._next - 1

    def publish(self) -> list[EventRecord]:
        """Move the round's records to the history and the subscribers."""
        records = self.unpublished
        if not records:
            return records
        self.unpublished = []
        self.history.extend(records)
        if self.subscribers:
            self.subscribers = [s for s in self.subscribers if s.push(records)]
        return records

    def install(self, settings: RouterSettings, router: Any, last_sequence: int,
                history: Optional[EventHistory] = None) -> None:
        """Replace the whole state (recovery from a durable log): events
        continue after ``last_sequence``; subscribers are ended (they
        resume with ``after_sequence``); the idempotency cache starts empty."""
        self.end_subscriptions()
        self.settings, self.router, self._scratch = settings, router, settings.build()
        self.history = history if history is not None else EventHistory(self.limits.history)
        self.idempotency = IdempotencyCache(self.limits.idempotency_ttl, self.limits.idempotency_events)
        self.unpublished, self._tick = [], []
        self._next = last_sequence + 1

    def end_subscriptions(self, reason: str = "server is shutting down", *, final: bool = False) -> None:
        """End every event stream after what it has buffered, saying
        ``reason``; ``final`` (the service stops): a stream asked for later
        ends at once the same way, so none holds a graceful stop up."""
        for sub in self.subscribers:
            sub.stop(reason)
        self.subscribers = []
        if final:
            self.closed = reason

    def subscribe(self, after: Optional[int], history_id: Optional[str] = None) -> Subscription:
        """A new subscription to the events after ``after`` (``None``: from
        now); see :meth:`RouterService.subscribe <ccroute.server.RouterService.subscribe>`."""
        if self.closed is not None:
            resume = self.last_sequence if after is None else after
            raise StreamEnded(f"{self.closed}; resume WatchEvents with after_sequence={resume} on the next server",
                              resume_after=resume)
        self.subscribers = [s for s in self.subscribers if s.active]
        if len(self.subscribers) >= self.limits.max_subscribers:
            raise ServerBusy(
                f"too many event subscribers ({len(self.subscribers)}, limit "
                f"{self.limits.max_subscribers}); retry later"
            )
        last = self.last_sequence
        if history_id is not None and history_id != self.history_id:
            raise HistoryChanged(
                f"cannot resume in event history {history_id!r}: this server's history is "
                f"{self.history_id!r} (its sequence numbers are other events); read the state "
                f"again and watch from sequence {last} of history {self.history_id!r}",
                resume_after=last,
            )
        if after is not None and after > last:
            raise HistoryGap(
                f"cannot resume after sequence {after}: the last event of history "
                f"{self.history_id!r} is sequence {last} (the server lost events you saw, or "
                f"is not the one you watched); read the state again and watch from sequence {last}",
                resume_after=last,
            )
        if after is None:
            after = last
            backlog: list[EventRecord] = []
        else:
            backlog = self.history.since(after)
        sub = Subscription(after, backlog, self.limits.subscriber_buffer)
        self.subscribers.append(sub)
        return sub

    # -- commands -------------------------------------------------------
    def tick(self, now: float) -> list[EventRecord]:
        """Move the router to ``now``, firing the timers due (``advance``)."""
        router = self.router
        if now <= router.now:
            self._tick = []
        else:
            self._tick = self.record(router.advance(now))  # moves the clock even when nothing is due
        return self._tick

    def take_tick(self) -> list[EventRecord]:
        """The events the round's timers fired, once (for ``Advance``)."""
        tick, self._tick = self._tick, []
        return tick

    def install_settings(self, settings: RouterSettings) -> None:
        """Start afresh under ``settings`` (an empty router; no event)."""
        self.router, self._scratch, self.settings = settings.build(), settings.build(), settings

    def configure(self, settings: RouterSettings, now: float,
                  moves: Sequence[tuple[str, str]] = ()) -> RouterSettings:
        """Reconfigure the running router (``Router.reconfigure``): contacts
        wait on, agents keep their work; ``moves`` sends each removed queue's
        contacts to another. Published: ``ConfigChanged``, then what the
        change did (contacts moved, routed)."""
        targets = dict(moves)
        if len(targets) != len(moves):
            raise InvalidInput(f"moves: a queue is given two targets ({list(moves)})")
        settings = self._with_epoch(settings)
        events = self.router.reconfigure(now, settings.to_dict(), moves=targets)
        self._scratch = settings.build()
        self.settings = settings
        self.record_around([ConfigChanged(settings, now)], events)
        return settings

    def upsert_agent(self, agent: Agent, create_only: bool, now: float, keep_state: bool = False,
                     fields: Optional[frozenset[str]] = None) -> Upserted:
        """Add an agent, or update the one with its id (unless
        ``create_only``): see :class:`~ccroute.server.commands.UpsertAgent`.
        A refused update changes nothing."""
        router = self.router
        if fields is not None and not fields <= AGENT_FIELDS:
            bad = sorted(fields - AGENT_FIELDS)[0]
            raise InvalidInput(f"agent {agent.id!r}: update_mask path {bad!r} is not a field of an "
                               f"agent (use {', '.join(sorted(AGENT_FIELDS))})")
        try:
            view = router.agent(agent.id)
        except UnknownId:
            if fields is not None:
                raise UnknownId(f"unknown agent {agent.id!r}: a partial update (update_mask) "
                                "needs an existing agent; send the whole agent to add it") from None
            events = router.add_agent(agent, now)
            return Upserted(self.record_around([AgentAdded(agent.id, agent.state, now)], events), False)
        if create_only:
            router.add_agent(agent, now)  # raises the router's own DuplicateId
            raise DuplicateId(f"agent {agent.id!r} already exists")  # not reached
        if fields is not None:
            if "state" not in fields:
                keep_state = True
            current = {"id": agent.id, "skills": view.skills, "capacity": view.capacity,
                       "channels": None if view.all_channels else view.max,
                       "attributes": view.attributes, "routing_profile": view.routing_profile}
            given = agent.to_dict()
            agent = Agent.from_dict({**given, **current, **{k: given[k] for k in fields}, "state": agent.state})
        state = view.state if keep_state else agent.state
        # Validate the new spec where it cannot change anything, and the
        # limits against what the agent holds, before changing anything.
        self._scratch.add_agent(agent, self._scratch.now)
        self._scratch.remove_agent(agent.id, self._scratch.now)
        same = self._same_profile(view, agent)
        if not same:
            self._check_room(view, agent)
        events = []
        moves = state != view.state  # else the state and its reason stay
        fired: Optional[int] = None  # timer events at the head: the first call's

        def call(result: list[Any]) -> None:
            nonlocal fired
            events.extend(result)
            if fired is None:
                fired = router.timer_events

        if moves and state != "available":  # logged out or away first: no new work on the way
            call(router.set_agent_state(agent.id, state, now))  # type: ignore[arg-type]
        if not same:
            call(router.update_agent(agent, now))
        if moves and state == "available":
            call(router.set_agent_state(agent.id, state, now))  # type: ignore[arg-type]
        head: list[Any] = []
        if moves:  # as the agent stood once the timers the call fired first had run
            previous, previous_reason = _status_after_timers(agent.id, view, events[:fired or 0])
            if (previous, previous_reason) != (state, ""):
                head.append(AgentStateChanged(agent.id, state, previous, "", now))
        if not same:
            head.append(AgentUpdated(agent.id, now))
        return Upserted(self.record_around(head, events, fired=fired or 0), True)

    def set_agent_state(self, agent_id: str, state: str, reason: str, now: float) -> list[EventRecord]:
        """Set an agent's state, publishing ``AgentStateChanged`` when its
        state or reason changes (a reason cleared included)."""
        view = self.router.agent(agent_id)
        events = self.router.set_agent_state(agent_id, state, now, reason)  # type: ignore[arg-type]
        previous, previous_reason = _status_after_timers(agent_id, view, events[:self.router.timer_events])
        changed = previous != state or previous_reason != reason
        head = [AgentStateChanged(agent_id, state, previous, reason, now)] if changed else []
        return self.record_around(head, events)

    def remove_agent(self, agent_id: str, now: float) -> list[EventRecord]:
        """Remove an agent; ``AgentRemoved`` is published after the router's events."""
        events = self.router.remove_agent(agent_id, now)
        return self.record_around([], events, [AgentRemoved(agent_id, now)])

    def _check_room(self, view: AgentView, agent: Agent) -> None:
        """``CapacityError`` when the new limits are below what the agent holds."""
        if agent.capacity < view.used:
            raise CapacityError(f"agent {agent.id!r}: capacity {agent.capacity} is below the "
                                f"{view.used} units it holds now")
        limits = agent.channels
        for ch in self.settings.channels:
            new = ch.max_per_agent if limits is None else limits.get(ch.name, 0)
            if new < view.held.get(ch.name, 0):
                raise CapacityError(f"agent {agent.id!r}: maximum {new} on channel {ch.name!r} is "
                                    f"below the {view.held[ch.name]} contacts it holds there now")

    def _same_profile(self, view: AgentView, agent: Agent) -> bool:
        limits = agent.channels
        expected = {
            ch.name: (ch.max_per_agent if limits is None else limits.get(ch.name, 0))
            for ch in self.settings.channels
        }
        return (
            view.skills == agent.skills
            and view.capacity == agent.capacity
            and view.max == expected
            and view.attributes == agent.attributes
            and view.routing_profile == agent.routing_profile
        )

    def submit(self, contacts: Sequence[Contact], batch: bool, now: float) -> Submitted:
        """Submit one contact (``batch=False``: a full queue raises) or a
        batch (a full queue gives ``Refused``); published: ``Queued`` for
        each contact taken, after the events of the timers the call fired
        first and before the call's own."""
        if batch:
            events = self.router.submit_many(contacts, now)
            refused = {e.contact for e in events if type(e) is Refused} if events else ()
            records = self.record_around([Queued(x.id, x.queue, x.channel, x.priority, now)
                                          for x in contacts if x.id not in refused], events)
        else:
            x = contacts[0]
            events = self.router.submit(x, now)
            # A closed queue that refuses arrivals ends the contact at once.
            taken = not any(type(e) is Refused and e.contact == x.id for e in events)
            records = self.record_around([Queued(x.id, x.queue, x.channel, x.priority, now)] if taken else [],
                                         events)
        return Submitted(records, False)

    def stats(self, queues: Sequence[str] = ()) -> list[QueueStats]:
        """Statistics of every queue (configuration order) or of those named."""
        stats = self.router.stats()
        names = list(queues) or [q.name for q in self.settings.queues]
        for name in names:
            if name not in stats:
                raise InvalidInput(f"unknown queue {name!r} (known: {', '.join(sorted(stats))})")
        return [stats[n] for n in names]

    def status(self) -> Status:
        """Clock, counters, event-log positions and agent counts."""
        r = self.router
        by = r.agents_by_state()
        return Status(
            now=r.now,
            policy=r.policy,
            decisions=r.decisions,
            live_contacts=r.live_contacts,
            next_timer=r.next_timer(),
            last_sequence=self.last_sequence,
            oldest_sequence=min(self.history.oldest, self.history.last + 1),
            agents=AgentCounts(by["offline"], by["available"], by["away"], by["busy"], by["idle"]),
            version=__version__,
            history_id=self.history_id,
        )
