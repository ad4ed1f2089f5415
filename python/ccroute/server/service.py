"""The transport-free service layer: one engine thread owns the router.

Callers on any thread (gRPC handlers, tests, an embedding program) turn
each call into a command (``ccroute.server.commands``) and put it on a
bounded queue (``ccroute.server.inbox``); the engine thread takes the
queued commands in rounds, applies them to the engine
(``ccroute.server.engine``: the router and its event history) in arrival
order at the clock's current time, and releases the replies. So the
router needs no lock, the order is deterministic, and under load one
round serves many calls.

Per round, the engine thread:

1. reads the clock and fires the router's due timers (``advance``);
2. applies each command, numbering the events it causes;
3. hands the accepted commands to the command log (if any);
4. publishes the events to the history and to every subscriber;
5. releases the replies, then tells the observer (if any).

Between rounds it sleeps until the next command or the next timer due
(relaxation steps, offer timeouts, overflow, wrap-up ends), so timers fire
on wall-clock time with nobody calling.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Optional

from .._ccroute import Agent, AgentView, Contact, ContactView, QueueStats, Step
from ..errors import InvalidInput, RoutingError, SnapshotError
from . import commands as cmd
from . import wire
from .clock import ClientClock, Clock, MonotonicClock
from .config import RouterSettings, ServiceLimits, load_config
from .engine import Engine, Status, Submitted, Upserted
from .errors import ServiceUnavailable
from .events import EventRecord, Subscription
from .hooks import CommandLog, LogEntry, Observer
from .inbox import Inbox, Pending

__all__ = ["RouterService", "CommandLogDown"]

log = logging.getLogger("ccroute.server")

_STATES = ("offline", "available", "away")
#: Seconds between attempts to rebuild the engine after a ``CommandLogDown``.
RECOVER_EVERY = 0.25
#: Seconds an engine round may run before the service reports itself unhealthy.
HEALTH_ROUND_LIMIT = 1.0


class CommandLogDown(ServiceUnavailable):
    """A command log could not write a round now but can rebuild the engine
    later (its storage is down). The round's mutating calls fail with
    UNAVAILABLE, its events are never published, and the service answers
    UNAVAILABLE until the log's ``recover(service)`` has rebuilt the engine
    from what was durably written. Any other exception from the log stops
    the service for good."""


class RouterService:
    """A router behind one engine thread, safe to call from any thread.

    The methods mirror :class:`ccroute.Router` without ``now`` (the
    service's clock decides) and return :class:`EventRecord` lists (each
    event with its sequence number). Every method blocks until the engine
    thread has applied the call, or ``timeout`` seconds pass
    (:class:`ServiceTimeout`); errors are the router's own
    (``UnknownId``, ``QueueFull``, ...) or the service's (``ServerBusy``
    when the command queue is full, ``ServiceUnavailable`` once stopped).
    The calls an agent makes on a contact (``accept``, ``reject``,
    ``complete``, ``pause``, ``resume``) take a ``scope``
    (:class:`~ccroute.server.commands.AgentScope`): then they apply only
    to a contact offered or assigned to that agent, else
    ``PermissionDenied`` and nothing changes (``agent`` tokens).

    Args:
        settings: the router configuration (default: the built-in one).
        agents: agents added when the service starts.
        limits: queue, history, buffer and cache bounds.
        clock: the time source (default: seconds since start, monotonic).
        command_log: receives accepted commands before their replies.
        observer: hears about commands, events and rounds (metrics).
    """

    def __init__(
        self,
        settings: Optional[RouterSettings] = None,
        *,
        agents: Iterable[Agent] = (),
        limits: Optional[ServiceLimits] = None,
        clock: Optional[Clock] = None,
        command_log: Optional[CommandLog] = None,
        observer: Optional[Observer] = None,
        history_id: Optional[str] = None,
    ) -> None:
        self.limits = limits or ServiceLimits()
        self._engine = Engine(settings or load_config().router, self.limits, history_id)
        self._clock: Clock = clock or MonotonicClock()
        #: Time comes from the calls (``--clock client``): the clock reads the router's.
        self._client_clock = isinstance(self._clock, ClientClock)
        if isinstance(self._clock, ClientClock):
            self._clock.bind(lambda: self._engine.router.now)
        origin = getattr(self._clock, "origin", None)  # a durable clock's stored origin
        self._engine.wall_origin = origin if isinstance(origin, float) else time.time() - self._clock()
        if not self._client_clock:
            self._engine.adopt_epoch(self._engine.wall_origin)
        self._command_log = command_log
        #: ``command_log.lease_problem`` when the log has a lease: why the
        #: service must not answer now (its state may be stale), or None.
        self._lease_problem: Optional[Callable[[], Optional[str]]] = getattr(command_log, "lease_problem", None)
        self._observer = observer
        self._initial_agents = tuple(agents)
        self._inbox = Inbox(self.limits.command_queue)
        self._thread: Optional[threading.Thread] = None
        self._log_number = 0
        self._failed: Optional[str] = None
        #: What the streams ended by :meth:`stop` are told.
        self.stop_reason = "server is shutting down"
        #: Why the command log is down (``CommandLogDown``), until it recovers.
        self._log_down: Optional[str] = None
        self._next_recover = 0.0
        #: Monotonic start of the engine round running now (None between rounds).
        self._round_started: Optional[float] = None

    def adopt_epoch(self, origin: float) -> None:
        """Read router time against ``origin`` (Unix seconds of router time
        0) for queues' opening hours, unless the settings give an epoch;
        before the service starts."""
        if self._thread is not None:
            raise RuntimeError("adopt_epoch after start")
        if not self._client_clock:
            self._engine.adopt_epoch(origin)

    # -- life cycle -----------------------------------------------------
    def start(self) -> "RouterService":
        """Start the engine thread and add the initial agents."""
        if self._thread is not None:
            raise RuntimeError("RouterService already started")
        self._thread = threading.Thread(target=self._run, name="ccroute-engine", daemon=True)
        self._thread.start()
        for agent in self._initial_agents:
            self.add_agent(agent, now=self._engine.router.now)
        return self

    def stop(self, timeout: Optional[float] = None, *, reason: str = "server is shutting down") -> None:
        """Refuse new calls, let the engine finish the queued ones, end
        every event stream (UNAVAILABLE, naming where to resume) and join
        the engine thread. ``reason`` is what refused calls and ended
        streams are told. Idempotent."""
        if not self._inbox.closed:
            self.stop_reason = reason
        self._inbox.close(reason)
        if self._thread is not None:
            self._thread.join(timeout)

    def end_subscriptions(self) -> None:
        """End every event stream now (graceful shutdown starts with this,
        so long-lived streams do not hold the server up)."""
        self._call(cmd.Query("end_subscriptions", lambda e: e.end_subscriptions(final=True)), None)

    def __enter__(self) -> "RouterService":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while the engine thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def figures(self) -> dict[str, float]:
        """Gauges of the service itself, read without waiting for the engine
        (any thread; for ``/metrics``): ``healthy``, ``engine_round_running_seconds``
        (of the round running now, 0 between rounds), ``event_subscribers``,
        ``event_subscriber_buffered`` (largest buffer), ``last_sequence``;
        with a command log ``command_log_up`` and ``command_log_number``;
        with a lease ``lease_held`` and ``lease_remaining_seconds``."""
        engine = self._engine
        subscribers = [s for s in list(engine.subscribers) if s.active]
        started = self._round_started
        out = {
            "healthy": float(self.health() is None),
            "engine_round_running_seconds": time.monotonic() - started if started is not None else 0.0,
            "event_subscribers": float(len(subscribers)),
            "event_subscriber_buffered": float(max((s.buffered for s in subscribers), default=0)),
            "last_sequence": float(engine.last_sequence),
        }
        if self._command_log is not None:
            out["command_log_up"] = float(self._log_down is None and self._failed is None)
            out["command_log_number"] = float(self._log_number)
        until = getattr(self._command_log, "lease_until", None)
        if until is not None:
            remaining = until - time.monotonic()
            out["lease_held"] = float(self._lease_problem is not None and self._lease_problem() is None)
            out["lease_remaining_seconds"] = max(0.0, remaining)
        return out

    @property
    def failure(self) -> Optional[str]:
        """Why the service stopped accepting calls for good (an internal
        error, a command log that failed or does not rebuild), or ``None``."""
        return self._failed

    def health(self) -> Optional[str]:
        """Why the service cannot serve now, or ``None`` when it can (any
        thread; never waits for the engine): stopped, failed, its command
        log down, its lease possibly expired, or an engine round (usually
        a write to the command log) running for more than
        ``HEALTH_ROUND_LIMIT`` seconds while calls wait."""
        if self._failed is not None:  # first: why it stopped says more than that it did
            return self._failed
        if not self.running:
            return "the engine is not running"
        if self._log_down is not None:
            return f"command log unavailable ({self._log_down})"
        if self._lease_problem is not None:
            problem = self._lease_problem()
            if problem is not None:
                return problem
        started = self._round_started
        if started is not None:
            took = time.monotonic() - started
            if took > HEALTH_ROUND_LIMIT:
                return f"an engine round (writing to the command log?) has run for {took:.1f} s; calls wait"
        return None

    @property
    def settings(self) -> RouterSettings:
        """The configuration in force."""
        return self._engine.settings

    @property
    def clock(self) -> Clock:
        """The service's time source."""
        return self._clock

    @property
    def engine(self) -> Engine:
        """The engine state (touch it only on the engine thread, or before
        :meth:`start`: e.g. a command log restoring it)."""
        return self._engine

    @property
    def log_number(self) -> int:
        """Number of the last command handed to the command log."""
        return self._log_number

    @log_number.setter
    def log_number(self, value: int) -> None:
        self._log_number = value

    # -- commands -------------------------------------------------------
    def configure(self, settings: RouterSettings, *, moves: Sequence[tuple[str, str]] = (),
                  idempotency_key: Optional[str] = None,
                  fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> RouterSettings:
        """Change the configuration of the running router (see
        :meth:`Engine.configure`); a refused change (``InvalidInput`` naming
        the problem) changes nothing."""
        return self._call(self._keyed(cmd.Configure(settings, tuple(moves)), idempotency_key, fingerprint),
                          timeout, now)

    def add_agent(self, agent: Agent, *, timeout: Optional[float] = None,
            now: Optional[float] = None) -> list[EventRecord]:
        """Add an agent (``DuplicateId`` if the id exists)."""
        check_agent(agent, self.limits)
        return list(self._call(cmd.UpsertAgent(agent, True), timeout, now).events)

    def upsert_agent(self, agent: Agent, *, create_only: bool = False, keep_state: bool = False,
                     fields: Optional[Iterable[str]] = None, idempotency_key: Optional[str] = None,
                     fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> Upserted:
        """Add an agent or update the one with its id, also while it holds
        contacts (see the protocol). ``keep_state``: an existing agent keeps
        its state; ``fields``: update only these fields of an existing agent
        (``skills``, ``capacity``, ``channels``, ``state``, ``attributes``)."""
        check_agent(agent, self.limits)
        command = cmd.UpsertAgent(agent, create_only, keep_state,
                                  frozenset(fields) if fields is not None else None)
        return self._call(self._keyed(command, idempotency_key, fingerprint), timeout, now)

    def remove_agent(self, agent: str, *, idempotency_key: Optional[str] = None,
                     fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> list[EventRecord]:
        """Remove an agent."""
        return self._call(self._keyed(cmd.RemoveAgent(agent), idempotency_key, fingerprint), timeout, now)

    def set_agent_state(self, agent: str, state: str, *, reason: str = "", idempotency_key: Optional[str] = None,
                        fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> list[EventRecord]:
        """Set ``"offline"``, ``"available"`` or ``"away"``, with an optional
        reason code (break, lunch, training, ...) carried on the
        ``AgentStateChanged`` event."""
        if state not in _STATES:
            raise InvalidInput(f"agent {agent!r}: unknown state {state!r} (use offline, available or away)")
        _check_id(f"agent {agent!r}: reason", reason, self.limits)
        return self._call(self._keyed(cmd.SetAgentState(agent, state, reason), idempotency_key, fingerprint), timeout, now)

    def submit(self, contact: Contact, *, idempotency_key: Optional[str] = None,
               fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> Submitted:
        """Submit one contact. With ``idempotency_key``, a repeat of the same
        request returns the first reply (``replayed``) and creates nothing."""
        check_contact(contact, self.limits)
        return self._call(cmd.Submit((contact,), False, idempotency_key or None, fingerprint), timeout, now)

    def submit_many(self, contacts: Iterable[Contact], *, idempotency_key: Optional[str] = None,
                    fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> Submitted:
        """Submit a batch (at most ``limits.max_batch`` contacts)."""
        batch = tuple(contacts)
        if len(batch) > self.limits.max_batch:
            raise InvalidInput(
                f"batch of {len(batch)} contacts exceeds the limit of {self.limits.max_batch}; split it"
            )
        for contact in batch:
            check_contact(contact, self.limits)
        return self._call(cmd.Submit(batch, True, idempotency_key or None, fingerprint), timeout, now)

    def accept(self, contact: str, agent: str, *, idempotency_key: Optional[str] = None,
               fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None, scope: Optional[cmd.AgentScope] = None) -> list[EventRecord]:
        """The agent accepts an offered contact."""
        return self._call(self._keyed(cmd.Accept(contact, agent), idempotency_key, fingerprint), timeout, now, scope)

    def reject(self, contact: str, agent: str, *, idempotency_key: Optional[str] = None,
               fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None, scope: Optional[cmd.AgentScope] = None) -> list[EventRecord]:
        """The agent rejects an offered contact."""
        return self._call(self._keyed(cmd.Reject(contact, agent), idempotency_key, fingerprint), timeout, now, scope)

    def complete(self, contact: str, *, idempotency_key: Optional[str] = None,
                 fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None, scope: Optional[cmd.AgentScope] = None) -> list[EventRecord]:
        """The agent finished an assigned contact."""
        return self._call(self._keyed(cmd.Complete(contact), idempotency_key, fingerprint), timeout, now, scope)

    def cancel(self, contact: str, *, idempotency_key: Optional[str] = None,
               fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
            now: Optional[float] = None) -> list[EventRecord]:
        """The customer left a waiting or offered contact."""
        return self._call(self._keyed(cmd.Cancel(contact), idempotency_key, fingerprint), timeout, now)

    def pause(self, contact: str, *, idempotency_key: Optional[str] = None,
              fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
              now: Optional[float] = None, scope: Optional[cmd.AgentScope] = None) -> list[EventRecord]:
        """Pause an assigned contact (``Paused``): it holds no slot or
        capacity until resumed."""
        return self._call(self._keyed(cmd.Pause(contact), idempotency_key, fingerprint), timeout, now, scope)

    def resume(self, contact: str, *, idempotency_key: Optional[str] = None,
               fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
               now: Optional[float] = None, scope: Optional[cmd.AgentScope] = None) -> list[EventRecord]:
        """Resume a paused contact (``Resumed``)."""
        return self._call(self._keyed(cmd.Resume(contact), idempotency_key, fingerprint), timeout, now, scope)

    def update_contact(self, contact: str, *, priority: Optional[int] = None,
                       requires: Optional[Mapping[str, int]] = None, prefers: Optional[Mapping[str, int]] = None,
                       steps: Optional[Sequence[Step | Mapping[str, Any]]] = None,
                       attributes: Optional[Mapping[str, Any]] = None, age_offset: Optional[float] = None,
                       if_version: Optional[int] = None, callback: Optional[Mapping[str, Any]] = None,
                       selector: Optional[str] = None,
                       preferences: Optional[Sequence[Mapping[str, Any]]] = None,
                       idempotency_key: Optional[str] = None,
                       fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
                       now: Optional[float] = None) -> list[EventRecord]:
        """Change a waiting or offered contact (see
        :meth:`ccroute.Router.update_contact`): each field given replaces
        the contact's, ``None`` keeps it. The update is checked (types,
        size limits) before it reaches the engine or the log."""
        given = {"priority": priority, "requires": requires, "prefers": prefers, "steps": steps,
                 "attributes": attributes, "age_offset": age_offset, "if_version": if_version, "callback": callback,
                 "selector": selector, "preferences": preferences}
        update = wire.update_record(**given)
        check_update(contact, update, self.limits)
        return self._call(self._keyed(cmd.UpdateContact(contact, update), idempotency_key, fingerprint),
                          timeout, now)

    def transfer(self, contact: str, *, queue: Optional[str] = None, agent: Optional[str] = None,
                 mode: str = "cold", keep_age: bool = True, requires: Optional[Mapping[str, int]] = None,
                 channel: Optional[str] = None, idempotency_key: Optional[str] = None,
                 fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
                 now: Optional[float] = None) -> list[EventRecord]:
        """Send an assigned contact to another queue or a named agent (see
        :meth:`ccroute.Router.transfer`). The transfer is checked (types,
        size limits) before it reaches the engine or the log."""
        spec = wire.transfer_record(queue=queue, agent=agent, mode=mode, keep_age=keep_age, requires=requires,
                                    channel=channel)
        check_transfer(contact, spec, self.limits)
        return self._call(self._keyed(cmd.Transfer(contact, spec), idempotency_key, fingerprint), timeout, now)

    def callback_result(self, contact: str, outcome: str, *, idempotency_key: Optional[str] = None,
                        fingerprint: Optional[Hashable] = None, timeout: Optional[float] = None,
                        now: Optional[float] = None) -> list[EventRecord]:
        """The outcome of the call an agent placed for a callback (see
        :meth:`ccroute.Router.callback_result`): ``answered``,
        ``no_answer`` or ``busy``."""
        _check_id("contact id", contact, self.limits)
        return self._call(self._keyed(cmd.CallbackResult(contact, wire.check_outcome(outcome)), idempotency_key, fingerprint),
                          timeout, now)

    def advance(self, *, idempotency_key: Optional[str] = None, fingerprint: Optional[Hashable] = None,
                timeout: Optional[float] = None,
            now: Optional[float] = None) -> list[EventRecord]:
        """Fire the timers due by the clock now (the engine also does this
        on its own when a timer falls due)."""
        return self._call(self._keyed(cmd.Advance(), idempotency_key, fingerprint), timeout, now)

    @staticmethod
    def _keyed(command: cmd.Command, key: Optional[str], fingerprint: Optional[Hashable]) -> cmd.Command:
        """``command`` under an idempotency key (when one is given). The
        fingerprint that tells a repeat from another request is the
        caller's (the gRPC layer gives a digest of the request), else the
        command's own arguments."""
        if not key:
            return command
        ids, detail = _describe_command(command)
        return cmd.Idempotent(command, key, (type(command).__name__, ids,
                                             fingerprint if fingerprint is not None else detail))

    # -- views ----------------------------------------------------------
    def stats(self, queues: Sequence[str] = (), *, timeout: Optional[float] = None) -> list[QueueStats]:
        """Statistics of every queue (configuration order) or of those named."""
        return self._call(cmd.Query("stats", lambda e: e.stats(queues)), timeout)

    def agent(self, agent: str, *, timeout: Optional[float] = None) -> AgentView:
        """A snapshot of one agent."""
        return self._call(cmd.Query("agent", lambda e: e.router.agent(agent)), timeout)

    def contact(self, contact: str, *, timeout: Optional[float] = None) -> ContactView:
        """A snapshot of one contact, live or finished."""
        return self._call(cmd.Query("contact", lambda e: e.router.contact(contact)), timeout)

    def agent_ids(self, *, timeout: Optional[float] = None) -> list[str]:
        """Ids of every agent, sorted."""
        return self._call(cmd.Query("agent_ids", lambda e: e.router.agent_ids()), timeout)

    def waiting(self, queue: str, *, timeout: Optional[float] = None) -> list[str]:
        """Ids of the contacts waiting (or offered) in a queue, oldest first."""
        return self._call(cmd.Query("waiting", lambda e: e.router.waiting(queue)), timeout)

    def status(self, *, timeout: Optional[float] = None) -> Status:
        """Clock, counters, event-log positions and agent counts."""
        return self._call(cmd.Query("status", Engine.status), timeout)

    def subscribe(self, after_sequence: Optional[int] = None, *, history_id: Optional[str] = None,
                  timeout: Optional[float] = None) -> Subscription:
        """A new event subscription: the events after ``after_sequence``
        from the history, then live ones; ``None`` starts from now. Close it
        when done. ``HistoryGap`` when those events are no longer held or
        ``after_sequence`` is beyond the last event; ``HistoryChanged``
        when ``history_id`` is given and is not this service's."""
        return self._call(cmd.Query("subscribe", lambda e: e.subscribe(after_sequence, history_id)), timeout)

    @property
    def history_id(self) -> str:
        """Identity of the event history (see :class:`Status`)."""
        return self._engine.history_id

    def query(self, fn: Any, *, name: str = "query", timeout: Optional[float] = None) -> Any:
        """Run ``fn(engine)`` on the engine thread and return its result
        (for extensions: metrics, snapshots). ``fn`` must not block."""
        return self._call(cmd.Query(name, fn), timeout)

    # -- engine thread --------------------------------------------------
    def _call(self, command: cmd.Command, timeout: Optional[float], now: Optional[float] = None,
              scope: Optional[cmd.AgentScope] = None) -> Any:
        """Queue ``command`` and wait for its reply. ``scope``: apply it
        only if its contact is offered or assigned to ``scope.agent``
        (:class:`~ccroute.server.commands.ForAgent`), checked on the engine
        thread with the command."""
        if self._failed is not None:
            raise ServiceUnavailable(self._failed)
        if self._client_clock and command.mutating:
            if now is None:
                raise InvalidInput(f"{type(command).__name__}: now is required (this server takes its time "
                                   "from the calls: --clock client)")
            if isinstance(now, bool) or not (isinstance(now, (int, float)) and math.isfinite(now) and now >= 0):
                raise InvalidInput(f"now {now!r} is not a finite, non-negative number of seconds")
            command = cmd.At(command, float(now), time.time())
        if scope is not None:
            command = cmd.ForAgent(command, scope)
        pending = Pending()
        self._inbox.put(command, pending)
        return pending.wait(timeout)

    def _timer_wait(self) -> Optional[float]:
        if self._log_down is not None or (self._lease_problem is not None and self._lease_problem()):
            return RECOVER_EVERY
        if self._client_clock:  # time moves with the calls only
            return None
        due = self._engine.router.next_timer()
        if due is None:
            return None
        return max(0.0, due - self._clock())

    def _run(self) -> None:
        inbox = self._inbox
        while True:
            batch = inbox.take(self._timer_wait())
            if batch is None:
                break
            self._round_started = time.monotonic()
            try:
                self._round(batch)
            except BaseException as exc:  # a bug in the round itself: fail safe, never hang callers
                log.exception("engine round failed; refusing every further call")
                self._failed = f"internal error in the engine ({type(exc).__name__}); the service stopped"
                inbox.close(self._failed)
                failure = ServiceUnavailable(self._failed)
                for _, pending in batch:
                    if pending is not None and not pending.done:
                        pending.resolve(None, failure)
            self._round_started = None
        # Stopped: end every event stream after what it has buffered.
        self._engine.end_subscriptions(self.stop_reason, final=True)

    def _round(self, batch: list[tuple[cmd.Command, Optional[Pending]]]) -> None:
        """One engine round: timers, commands, log, publish, replies."""
        if self._log_down is not None and not self._recover(batch):
            return
        if self._lease_problem is not None:
            problem = self._lease_problem()
            if problem is not None:  # reads too: another server may have changed the state
                failure = ServiceUnavailable(problem)
                for _, pending in batch:
                    if pending is not None and not pending.done:
                        pending.resolve(None, failure)
                return
        engine, observer = self._engine, self._observer
        started = time.perf_counter() if observer is not None else 0.0
        now = max(self._clock(), engine.router.now)
        accepted: list[cmd.Command] = []
        engine.tick(now)
        results: list[tuple[Optional[Pending], Any, Optional[BaseException], cmd.Command]] = []
        for command, pending in batch:
            try:
                value = command.apply(engine, now)
            except RoutingError as exc:
                results.append((pending, None, exc, command))
                continue
            except Exception as exc:  # a bug: report it to the caller, keep serving
                log.exception("command %s failed unexpectedly", type(command).__name__)
                results.append((pending, None, exc, command))
                continue
            if command.mutating and not getattr(value, "replayed", False):
                accepted.append(cmd.unscoped(command))
            results.append((pending, value, None, command))
        if engine.take_tick():  # timers fired and no Advance call claimed them
            accepted.insert(0, cmd.Advance())
        if accepted and self._command_log is not None and not self._append_log(accepted, now, results):
            # Nothing of this round was persisted (Redis down, or fenced): publish
            # none of its events, and answer none of its calls, reads included,
            # since they saw the state it changed.
            engine.unpublished = []
        published = engine.publish()
        for pending, value, error, _ in results:
            if pending is not None:
                pending.resolve(value, error)
        if observer is not None:
            self._observe(observer, results, published, len(self._inbox), time.perf_counter() - started)

    def _append_log(self, accepted: list[cmd.Command], now: float, results: list[Any]) -> bool:
        """Append the round's accepted commands; False (and every result of
        the round turned into the failure) when the log did not take them."""
        entries = []
        for c in accepted:
            self._log_number += 1
            entries.append(LogEntry(self._log_number, now, c))
        try:
            self._command_log.append(entries)  # type: ignore[union-attr]
        except CommandLogDown as exc:
            log.warning("command log down (%s); answering UNAVAILABLE until it recovers", exc)
            self._log_down = str(exc)
            self._next_recover = 0.0
            for i, (pending, _, _, command) in enumerate(results):  # errors too: they saw unpersisted state
                results[i] = (pending, None, CommandLogDown(str(exc)), command)
            return False
        except Exception as exc:
            if isinstance(exc, ServiceUnavailable):  # e.g. fenced: expected, said in one line
                log.error("command log refused the round (%s); refusing every further call", exc)
            else:
                log.exception("command log failed; refusing every further call")
            self._failed = f"command log failed ({type(exc).__name__}: {exc}); the service stopped accepting calls"
            failure = ServiceUnavailable(self._failed)
            for i, (pending, _, _, command) in enumerate(results):
                results[i] = (pending, None, failure, command)
            self._inbox.close(self._failed)
            return False
        return True

    def _recover(self, batch: list[tuple[cmd.Command, Optional[Pending]]]) -> bool:
        """While the command log is down: try (at most every
        ``RECOVER_EVERY`` s) to rebuild the engine from it; until that
        works, answer every call UNAVAILABLE. True once recovered."""
        now = time.monotonic()
        if now >= self._next_recover:
            self._next_recover = now + RECOVER_EVERY
            try:
                recovered = bool(self._command_log.recover(self))  # type: ignore[union-attr]
            except SnapshotError as exc:  # the log does not rebuild the state: never serve a guess
                log.error("cannot rebuild from the command log: %s; the service stopped", exc)
                self._failed = f"cannot rebuild from the command log ({exc}); the service stopped"
                self._log_down = None
                self._inbox.close(self._failed)
                failure = ServiceUnavailable(self._failed)
                for _, pending in batch:
                    if pending is not None and not pending.done:
                        pending.resolve(None, failure)
                return False
            except Exception as exc:
                log.warning("command log still down: %s", exc)
                recovered = False
            if recovered:
                log.info("command log recovered; serving again")
                self._log_down = None
                return True
        failure = CommandLogDown(
            f"command log unavailable ({self._log_down}); nothing was acknowledged; retry later"
        )
        for _, pending in batch:
            if pending is not None and not pending.done:
                pending.resolve(None, failure)
        return False

    @staticmethod
    def _observe(observer: Observer, results: list[Any], published: list[EventRecord],
                 backlog: int, seconds: float) -> None:
        try:
            for _, _, error, command in results:
                outcome = "ok" if error is None else type(error).__name__
                command = cmd.unscoped(command)
                if isinstance(command, cmd.At):
                    command = command.command
                if isinstance(command, cmd.Idempotent):
                    command = command.command
                observer.on_command(type(command).__name__ if not isinstance(command, cmd.Query)
                                    else command.name, outcome, seconds / max(len(results), 1))
            if published:
                observer.on_events(published)
            observer.on_round(len(results), backlog, seconds)
        except Exception:
            log.exception("observer failed (ignored)")


def _check_id(what: str, value: Optional[str], limits: ServiceLimits) -> None:
    if value is not None and len(value) > limits.max_id_length:
        raise InvalidInput(f"{what} of {len(value)} characters ({value[:16]!r}...) exceeds the limit "
                           f"max_id_length {limits.max_id_length}")


def _check_attributes(what: str, attributes: Any, limits: ServiceLimits) -> None:
    if len(attributes) > limits.max_attributes:
        raise InvalidInput(f"{what}: {len(attributes)} attributes exceed the limit max_attributes "
                           f"{limits.max_attributes}")
    for k, v in attributes.items():
        if isinstance(v, str):
            size = len(k.encode()) + len(v.encode())
        elif isinstance(v, (list, tuple)):
            size = len(k.encode()) + sum(len(str(x).encode()) for x in v)
        else:
            size = len(k.encode()) + 8
        if size > limits.max_attribute_bytes:
            raise InvalidInput(f"{what}: attribute {k[:32]!r} of {size} bytes exceeds the limit "
                               f"max_attribute_bytes {limits.max_attribute_bytes}")


def _check_selectors(what: str, texts: Iterable[Optional[str]], clauses: int, limits: ServiceLimits) -> None:
    for text in texts:
        if text is not None and len(text.encode()) > limits.max_selector_bytes:
            raise InvalidInput(f"{what}: a selector of {len(text.encode())} bytes exceeds the limit "
                               f"max_selector_bytes {limits.max_selector_bytes}")
    if clauses > limits.max_selector_clauses:
        raise InvalidInput(f"{what}: {clauses} selector clauses and preferences exceed the limit "
                           f"max_selector_clauses {limits.max_selector_clauses}")


def check_contact(c: Contact, limits: ServiceLimits) -> None:
    """Refuse a contact over the service's size limits (``InvalidInput``
    naming the limit), before it reaches the engine or the log."""
    _check_id("contact id", c.id, limits)
    what = f"contact {c.id!r}"
    _check_id(f"{what}: customer id", c.customer, limits)
    _check_id(f"{what}: preferred agent id", c.preferred_agent, limits)
    if len(c.steps) > limits.max_steps:
        raise InvalidInput(f"{what}: {len(c.steps)} relaxation steps exceed the limit max_steps {limits.max_steps}")
    names = [*c.requires, *c.prefers, *(k for s in c.steps for k in s.requires)]
    if len(names) > limits.max_requirements:
        raise InvalidInput(f"{what}: {len(names)} skill requirements (required, preferred and in steps) "
                           f"exceed the limit max_requirements {limits.max_requirements}")
    for name in names:
        _check_id(f"{what}: skill name", name, limits)
    _check_attributes(what, c.attributes, limits)
    prefs = c.preferences
    _check_selectors(what, [c.selector, *(s.selector for s in c.steps), *(p["selector"] for p in prefs)],
                     len(c.selectors) + len(prefs), limits)


def check_update(contact: str, update: Mapping[str, Any], limits: ServiceLimits) -> None:
    """Refuse a contact update (plain data) over the service's size limits,
    as :func:`check_contact` refuses a contact."""
    _check_id("contact id", contact, limits)
    what = f"update of contact {contact!r}"
    steps = update.get("steps") or ()
    if len(steps) > limits.max_steps:
        raise InvalidInput(f"{what}: {len(steps)} relaxation steps exceed the limit max_steps {limits.max_steps}")
    names = [*(update.get("requires") or ()), *(update.get("prefers") or ()),
             *(k for s in steps for k in s["requires"])]
    if len(names) > limits.max_requirements:
        raise InvalidInput(f"{what}: {len(names)} skill requirements (required, preferred and in steps) "
                           f"exceed the limit max_requirements {limits.max_requirements}")
    for name in names:
        _check_id(f"{what}: skill name", name, limits)
    _check_attributes(what, update.get("attributes") or {}, limits)
    prefs = update.get("preferences") or []
    steps = [s.to_dict() if isinstance(s, Step) else s for s in update.get("steps") or []]
    _check_selectors(what, [update.get("selector"), *(s.get("selector") for s in steps),
                            *(p["selector"] for p in prefs)], len(prefs), limits)


def check_transfer(contact: str, spec: Mapping[str, Any], limits: ServiceLimits) -> None:
    """Refuse a transfer (plain data) over the service's size limits."""
    _check_id("contact id", contact, limits)
    what = f"transfer of contact {contact!r}"
    for name in ("queue", "agent", "channel"):
        if spec.get(name) is not None:
            _check_id(f"{what}: {name}", spec[name], limits)
    requires = spec.get("requires") or {}
    if len(requires) > limits.max_requirements:
        raise InvalidInput(f"{what}: {len(requires)} skill requirements exceed the limit max_requirements "
                           f"{limits.max_requirements}")
    for name in requires:
        _check_id(f"{what}: skill name", name, limits)


def check_agent(a: Agent, limits: ServiceLimits) -> None:
    """Refuse an agent over the service's size limits (``InvalidInput``
    naming the limit)."""
    _check_id("agent id", a.id, limits)
    what = f"agent {a.id!r}"
    if len(a.skills) > limits.max_requirements:
        raise InvalidInput(f"{what}: {len(a.skills)} skills exceed the limit max_requirements "
                           f"{limits.max_requirements}")
    for name in a.skills:
        _check_id(f"{what}: skill name", name, limits)
    _check_attributes(what, a.attributes, limits)


def _describe_command(c: cmd.Command) -> tuple[tuple[str, ...], Hashable]:
    """The ids a command is about, and its arguments as plain values."""
    if isinstance(c, (cmd.Complete, cmd.Cancel, cmd.Pause, cmd.Resume)):
        return (c.contact_id,), None
    if isinstance(c, (cmd.Accept, cmd.Reject)):
        return (c.contact_id,), c.agent_id
    if isinstance(c, cmd.SetAgentState):
        return (c.agent_id,), (c.state, c.reason)
    if isinstance(c, cmd.RemoveAgent):
        return (c.agent_id,), None
    if isinstance(c, cmd.UpdateContact):
        return (c.contact_id,), json.dumps(c.update, sort_keys=True)
    if isinstance(c, cmd.Transfer):
        return (c.contact_id,), json.dumps(c.spec, sort_keys=True)
    if isinstance(c, cmd.CallbackResult):
        return (c.contact_id,), c.outcome
    if isinstance(c, cmd.UpsertAgent):
        a = c.agent
        return (a.id,), repr((sorted(a.skills.items()), a.capacity, a.channels and sorted(a.channels.items()),
                              a.state, sorted(a.attributes.items()), a.routing_profile, c.create_only,
                              c.keep_state, c.fields and sorted(c.fields)))
    if isinstance(c, cmd.Configure):
        return (), repr(c.settings)
    return (), None
