"""The embedded router: ``ccroute.Router``.

A thin Python facade over the native engine. Every mutating call takes the
current time ``now`` (seconds, any origin, never going backwards), fires the
timers due by then (relaxation steps, overflow, offer timeouts, wrap-up
ends, preferred-agent waits), does its work and returns the events it caused,
in order. A call that raises changes nothing it would itself have done; only
time passes: timers already due by ``now`` fire as ``advance(now)`` would
(the clock stops at the last one) and their events come with the next call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Optional, Union

from . import _ccroute
from ._ccroute import (
    Agent,
    AgentView,
    Channel,
    Contact,
    ContactView,
    Explanation,
    Queue,
    QueueStats,
    RoutingProfile,
    Step,
)
from .errors import InvalidInput
from .events import Event
from .policies import Policy, PolicyLike, _native_policy, _plugin_flags

__all__ = ["Router", "POLICIES", "AgentState"]

AgentState = Literal["offline", "available", "away"]

#: Names of the built-in agent-selection policies.
POLICIES: tuple[str, ...] = tuple(_ccroute.builtin_policies())


def unix_epoch(epoch: Union[float, int, datetime, str]) -> float:
    """Unix seconds of an epoch given as a number, an aware ``datetime`` or
    an ISO 8601 string with an offset; ``InvalidInput`` naming it otherwise."""
    if isinstance(epoch, str):
        try:
            parsed = datetime.fromisoformat(epoch)
        except ValueError:
            raise InvalidInput(f"epoch {epoch!r} is not an ISO 8601 date-time") from None
        epoch = parsed
    if isinstance(epoch, datetime):
        if epoch.tzinfo is None:
            raise InvalidInput(f"epoch {epoch.isoformat()!r} has no time zone (give an offset or tzinfo)")
        return epoch.timestamp()
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)):
        raise InvalidInput(f"epoch {epoch!r} is not Unix seconds, a datetime or an ISO 8601 string")
    return float(epoch)


class Router:
    """A contact router held in memory.

    Args:
        channels: the channels (``Channel``); at least one.
        queues: the queues (``Queue``); at least one.
        policy: agent-selection policy: a built-in name
            (``"longest_idle"``, ``"most_skilled"``, ``"least_occupied"``,
            ``"fewest_handled"``, ``"round_robin"``, ``"random"``), a
            ``policies.Chain`` or ``policies.Weighted`` composition, or a
            plug-in ``policies.Policy`` instance (its ``fallback`` built-in
            policy decides when it fails).
        offer_timeout: ``None`` assigns at once; a number of seconds makes
            every assignment an offer the agent must ``accept`` in time.
        seed: seed of the router's random generator (``random`` policy).
        affinity: route a returning customer (same ``customer`` id) to the
            agent who last served them when that agent is eligible and free.
        affinity_wait: seconds a returning customer waits for that agent.
        retain_finished: how many ended contacts to keep for ``contact()``
            look-ups and duplicate-id checks (``None`` keeps all).
        strict: with a plug-in policy, re-raise its exceptions unchanged
            instead of logging them and deciding with the fallback.
        routing_profiles: ``RoutingProfile`` objects agents may name: the
            queues they serve, each with a priority and a delay.
        condition_interval: seconds between checks of a conditional
            step's condition (``Step(when=...)``) until it holds.
        missed_offer_state: the state an agent who lets an offer expire is
            moved to (``"away"``, ``"offline"``, or ``"available"`` to leave
            them as they are); a ``NotResponding`` event says so and the
            queue's ``missed_offers`` counts it.
        exclusion_expires_after: seconds after a rejected or missed offer at
            which that agent may be offered the contact again, if it is
            still waiting (nobody else took it); ``None``: never.
        batch_window: batch mode: instead of routing each event at once,
            solve the optimal assignment of everything waiting to the free
            capacity every ``batch_window`` seconds (see ``assign_batch``).
        epoch: the wall-clock instant of router time 0, which queues'
            opening hours (``Queue(hours=...)``) read the time against: Unix
            seconds, a time-zone-aware ``datetime`` or an ISO 8601 string
            with an offset (``"2026-12-07T00:00:00+00:00"``). 0 (the
            default): router times are Unix times.

    Raises:
        InvalidInput: an unknown policy, a bad channel or queue definition.
        DuplicateId: two channels or queues with one name.
    """

    __slots__ = ("_router", "_plugin")

    def __init__(
        self,
        channels: Sequence[Channel],
        queues: Sequence[Queue],
        policy: PolicyLike = "longest_idle",
        offer_timeout: Optional[float] = None,
        seed: int = 0,
        affinity: bool = True,
        affinity_wait: float = 0.0,
        retain_finished: Optional[int] = None,
        strict: bool = False,
        routing_profiles: Sequence[RoutingProfile] = (),
        condition_interval: float = 5.0,
        batch_window: Optional[float] = None,
        missed_offer_state: AgentState = "away",
        exclusion_expires_after: Optional[float] = 60.0,
        epoch: Union[float, datetime, str] = 0.0,
    ) -> None:
        plugin = policy if isinstance(policy, Policy) else None
        builtin = plugin.fallback if plugin is not None else policy
        self._router = _ccroute.Router(
            channels,
            queues,
            policy=_native_policy(builtin),
            offer_timeout=offer_timeout,
            seed=seed,
            affinity=affinity,
            affinity_wait=affinity_wait,
            retain_finished=retain_finished,
            routing_profiles=routing_profiles,
            condition_interval=condition_interval,
            batch_window=batch_window,
            missed_offer_state=missed_offer_state,
            exclusion_expires_after=exclusion_expires_after,
            epoch=unix_epoch(epoch),
        )
        self._plugin: Optional[Policy] = None
        self._attach(plugin, strict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, plugin: Optional[Policy] = None,
                    strict: bool = False) -> "Router":
        """A router from its configuration as plain data: the form
        :meth:`config` returns, that YAML files and the server's log hold
        (``{"channels": [...], "queues": [...], "policy": "most_skilled",
        ...}``; fields left out take their defaults, model objects may
        stand for their records). ``plugin``: a plug-in policy scoring
        candidates, with ``config["policy"]`` as its fallback.

        Raises ``InvalidInput`` naming the bad field
        (``configuration: queues[1].ordering: unknown variant ...``)."""
        self = cls.__new__(cls)
        self._router = _ccroute.Router.from_config(config)
        self._plugin = None
        self._attach(plugin, strict)
        return self

    def config(self) -> dict[str, Any]:
        """The configuration in force as plain data, every field written
        out: ``Router.from_config(r.config())`` builds the same router."""
        return self._router.config()

    # -- live reconfiguration ---------------------------------------------
    def reconfigure(self, now: float, config: Optional[Mapping[str, Any]] = None, *,
                    moves: Optional[Mapping[str, str]] = None, **changes: Any) -> list[Event]:
        """Change the configuration while contacts wait and agents work:
        ``config`` replaces it whole (the form of :meth:`config`; default:
        the current one) and ``changes`` replace single fields
        (``policy="most_skilled"``, ``queues=[...]``). Channels, queues and
        routing profiles are matched by name, so adding, changing or
        removing one is editing its list.

        In flight: a removed queue's live contacts go to the queue ``moves``
        names for it (``{"old": "new"}``; refused without one); a channel a
        live contact uses or an agent holds cannot be removed or change
        cost; a routing profile an agent names cannot be removed; waiting
        contacts are re-timed and re-ordered under their queue's new
        settings and routed again at once. The returned events include an
        ``Overflowed`` per moved waiting contact and what routing did.

        Raises ``InvalidInput`` (or ``CapacityError``) naming the problem;
        nothing changes then."""
        data = dict(self._router.config() if config is None else config)
        data.update(changes)
        return self._router.reconfigure(data, now, list((moves or {}).items()))

    def set_channel(self, channel: Channel, now: float) -> list[Event]:
        """Add a channel, or replace the one with its name (see :meth:`reconfigure`)."""
        return self._set("channels", channel.to_dict(), now)

    def remove_channel(self, name: str, now: float) -> list[Event]:
        """Remove a channel nobody uses (see :meth:`reconfigure`)."""
        return self._remove("channels", name, now)

    def set_queue(self, queue: Queue, now: float) -> list[Event]:
        """Add a queue, or replace the one with its name (see :meth:`reconfigure`)."""
        return self._set("queues", queue.to_dict(), now)

    def remove_queue(self, name: str, now: float, move_to: Optional[str] = None) -> list[Event]:
        """Remove a queue; its live contacts go to ``move_to`` (needed when it
        holds any; see :meth:`reconfigure`). Routing profiles stop serving
        it; a queue that overflows into it must be changed first."""
        config = self._router.config()
        for p in config["routing_profiles"]:
            p["queues"] = [q for q in p["queues"] if q["queue"] != name]
        return self._remove("queues", name, now, {name: move_to} if move_to is not None else None, config)

    def set_routing_profile(self, profile: RoutingProfile, now: float) -> list[Event]:
        """Add a routing profile, or replace the one with its name."""
        return self._set("routing_profiles", profile.to_dict(), now)

    def remove_routing_profile(self, name: str, now: float) -> list[Event]:
        """Remove a routing profile no agent names."""
        return self._remove("routing_profiles", name, now)

    def _set(self, field: str, record: dict[str, Any], now: float) -> list[Event]:
        config = self._router.config()
        items = config[field]
        names = [x["name"] for x in items]
        if record["name"] in names:
            items[names.index(record["name"])] = record
        else:
            items.append(record)
        return self.reconfigure(now, config)

    def _remove(self, field: str, name: str, now: float, moves: Optional[dict[str, str]] = None,
                config: Optional[dict[str, Any]] = None) -> list[Event]:
        config = self._router.config() if config is None else config
        items = config[field]
        config[field] = [x for x in items if x["name"] != name]
        if len(config[field]) == len(items):
            raise InvalidInput(f"{field}: there is no {name!r} to remove (have {[x['name'] for x in items]})")
        return self.reconfigure(now, config, moves=moves)

    def _attach(self, plugin: Optional[Policy], strict: bool) -> None:
        self._plugin = plugin
        if plugin is None:
            self._router.set_plugin(None, strict=strict)
        else:
            vectorised, contact_side = _plugin_flags(plugin)
            self._router.set_plugin(plugin, vectorised=vectorised, contact_side=contact_side, strict=strict)

    # -- agents ---------------------------------------------------------
    def add_agent(self, agent: Agent, now: float) -> list[Event]:
        """Add an agent; if available it takes waiting contacts at once.

        Raises ``DuplicateId`` or ``InvalidInput`` (bad level, unknown
        channel, capacity 0, backwards time)."""
        return self._router.add_agent(agent, now)

    def update_agent(self, agent: Agent, now: float) -> list[Event]:
        """Change the skills, capacity, channel maxima, attributes and
        routing profile of the agent with ``agent.id`` in place, also while
        it holds contacts (they stay with it). Its state is kept
        (``agent.state`` is ignored: use :meth:`set_agent_state`). Pending
        offers go back to their queues (``Requeued``) unless only the
        attributes change; an available agent then takes waiting contacts
        its new skills allow.

        Raises ``UnknownId``, ``InvalidInput`` as :meth:`add_agent`, or
        ``CapacityError`` when the new capacity or a channel maximum is
        below what the agent holds now."""
        return self._router.update_agent(agent, now)

    def remove_agent(self, agent: str, now: float) -> list[Event]:
        """Remove an agent. Its pending offers go back to their queues
        (``Requeued``). Raises ``UnknownId``, or ``InvalidState`` while it
        still holds assigned contacts."""
        return self._router.remove_agent(agent, now)

    def set_agent_state(self, agent: str, state: AgentState, now: float, reason: str = "") -> list[Event]:
        """Set ``"offline"``, ``"available"`` or ``"away"``, with an optional
        reason code (``"break"``, ``"lunch"``, ... at most 1024 bytes).
        Leaving available withdraws pending offers; becoming available
        routes. ``AgentView.state_since`` moves when the state or the
        reason changes; a missed offer sets the reason ``"not_responding"``."""
        return self._router.set_agent_state(agent, state, now, reason)

    # -- contacts -------------------------------------------------------
    def submit(self, contact: Contact, now: float) -> list[Event]:
        """Submit one contact and route it. Raises ``DuplicateId``,
        ``InvalidInput`` or ``QueueFull`` (nothing changes)."""
        return self._router.submit(contact, now)

    def submit_many(self, contacts: Iterable[Contact], now: float) -> list[Event]:
        """Submit many contacts at once, in order. All are validated first:
        one bad contact raises and none enters. A contact whose queue is
        full gets a ``Refused`` event instead of raising; as after a single
        submit to a full queue it is not offered and its id stays free."""
        return self._router.submit_many(contacts, now)

    def accept(self, contact: str, agent: str, now: float) -> list[Event]:
        """The agent accepts an offered contact (offer mode): ``Assigned``.
        Raises ``InvalidState`` if it is not offered to that agent."""
        return self._router.accept(contact, agent, now)

    def reject(self, contact: str, agent: str, now: float) -> list[Event]:
        """The agent rejects an offered contact: it returns to its queue
        with its original arrival time and is never offered to that agent
        again."""
        return self._router.reject(contact, agent, now)

    def force_assign(self, contact: str, agent: str, now: float) -> list[Event]:
        """Put a waiting contact on an agent regardless of skills and state
        (a supervisor's move, or an agent picking from the queue); it is
        answered at once. Raises ``InvalidState`` unless the contact waits,
        ``CapacityError`` if the agent has no room for it."""
        return self._router.force_assign(contact, agent, now)

    def complete(self, contact: str, now: float) -> list[Event]:
        """The agent finished an assigned contact; wrap-up may follow."""
        return self._router.complete(contact, now)

    def cancel(self, contact: str, now: float) -> list[Event]:
        """The customer abandoned a waiting or offered contact. Raises
        ``InvalidState`` for an assigned one (complete it instead)."""
        return self._router.cancel(contact, now)

    def pause(self, contact: str, now: float) -> list[Event]:
        """Pause an assigned contact by hand: it stays with its agent but
        holds no slot and no capacity (``Paused``) until :meth:`resume`;
        the freed room is routed. Raises ``InvalidState`` for a contact
        that is not assigned, or paused already."""
        return self._router.pause(contact, now)

    def resume(self, contact: str, now: float) -> list[Event]:
        """Resume a paused contact (``Resumed``): it takes its slot and
        capacity again. Raises ``InvalidState`` for a contact not paused, or
        when its agent has no room for it now."""
        return self._router.resume(contact, now)

    def update_contact(
        self,
        contact: str,
        now: float,
        *,
        priority: Optional[int] = None,
        requires: Optional[Mapping[str, int]] = None,
        prefers: Optional[Mapping[str, int]] = None,
        steps: Optional[Sequence[Step | Mapping[str, Any]]] = None,
        attributes: Optional[Mapping[str, Any]] = None,
        age_offset: Optional[float] = None,
        if_version: Optional[int] = None,
        callback: Optional[Mapping[str, Any]] = None,
        selector: Optional[str] = None,
        preferences: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> list[Event]:
        """Change a waiting or offered contact: each field given replaces
        the contact's, ``None`` keeps it. The contact is routed again at
        once, so the call may assign or offer it.

        ``requires`` is checked against the contact's remaining relaxation
        steps, which must still widen the pool; give ``steps`` to replace
        them (timed from the contact's arrival, those already due apply at
        once; ``[]`` drops them). ``age_offset`` is absolute seconds added
        to the contact's routing age (not an increment; 0 undoes it): it
        moves its place in its queue, its aging and its routing-profile
        delays, but not its wait in statistics nor its steps.

        Each update raises the contact's version (``ContactView.version``,
        1 at submit) by one; with ``if_version`` the update is refused with
        ``VersionConflict`` unless the contact is at that version. An
        offered contact keeps its offer while its agent still fits;
        otherwise the offer is withdrawn (``Requeued``, the agent not
        excluded) and the contact routed again. A scheduled contact can be
        updated too (it enters its queue at its time as updated).

        ``callback`` (``{"number_of_attempts": 3, "retry_after": 300.0,
        "not_before": None}``) turns a waiting live contact into a callback
        that keeps its place.

        ``selector`` replaces the selector in force (``""`` drops it; the
        structured clauses given at submit that still apply stay beside
        it); ``preferences`` replaces the weighted selector preferences.

        Raises ``UnknownId``, ``InvalidState`` for an assigned or ended
        contact (or a callback asked of a contact not waiting live),
        ``VersionConflict``, or ``InvalidInput`` naming the bad
        field or value (a level outside 1-10, steps that narrow the pool, a
        non-finite ``age_offset``, a value of the wrong type); nothing
        changes then."""
        given = {"priority": priority, "requires": requires, "prefers": prefers, "steps": steps,
                 "attributes": attributes, "age_offset": age_offset, "if_version": if_version,
                 "callback": callback, "selector": selector, "preferences": preferences}
        return self._router.update_contact(contact, {k: v for k, v in given.items() if v is not None}, now)

    def transfer(
        self,
        contact: str,
        now: float,
        *,
        queue: Optional[str] = None,
        agent: Optional[str] = None,
        mode: str = "cold",
        keep_age: bool = True,
        requires: Optional[Mapping[str, int]] = None,
        channel: Optional[str] = None,
    ) -> list[Event]:
        """Send an assigned contact to another ``queue`` (with new
        ``requires`` and ``channel`` if given) or to a named ``agent``.

        ``mode="cold"``: the first agent lets go at once (wrap-up applies);
        a named agent must be able to take it now, a target queue must have
        room (else ``InvalidState`` / ``QueueFull``, nothing changes).
        ``mode="warm"``: the first agent keeps the contact until the target
        answers (``Transferred`` then); if the named agent cannot take it,
        the queue is full, or the offer is rejected or expires, the contact
        stays with the first agent (``TransferFailed`` with a reason). The
        first agent is never offered the contact again unless named.
        ``keep_age`` keeps its place (routing age) from its first arrival;
        its wait in the new queue is measured from the transfer either way.
        Each queue counts ``transferred_in`` / ``transferred_out`` and the
        new wait once as offered."""
        spec = {"queue": queue, "agent": agent, "mode": mode, "keep_age": keep_age,
                "requires": requires, "channel": channel}
        return self._router.transfer(contact, {k: v for k, v in spec.items() if v is not None}, now)

    def callback_result(self, contact: str, outcome: str, now: float) -> list[Event]:
        """Report the call an agent placed for a callback (after
        ``CallbackOffered``): ``"answered"`` connects it (``Assigned``, its
        wait measured from its arrival); ``"no_answer"`` or ``"busy"`` frees
        the agent and puts the callback back in its original place after its
        ``retry_after``, or ends it (``CallbackFailed``) when its calls are
        used up. Raises ``InvalidState`` unless the contact is being called."""
        return self._router.callback_result(contact, outcome, now)

    def assign_batch(self, now: float) -> list[Event]:
        """Solve and apply the maximum-score assignment of the waiting
        contacts to the free capacity now (any mode). As many contacts as
        possible are assigned — when capacity is short, those the queues
        would serve first — and among those assignments the total score is
        maximised: the plug-in policy's score, the weighted policy's, or
        the skill match for built-ins. ``last_batch`` reports what it did."""
        return self._router.assign_batch(now)

    @property
    def last_batch(self) -> Optional[dict[str, float]]:
        """What the last ``assign_batch`` did: ``contacts``, ``agents``,
        ``assigned`` and total ``score``."""
        return self._router.last_batch

    def advance(self, now: float) -> list[Event]:
        """Move time forward, firing every timer due by ``now``."""
        return self._router.advance(now)

    # -- views ----------------------------------------------------------
    def stats(self) -> dict[str, QueueStats]:
        """Statistics per queue name, real-time and cumulative."""
        return self._router.stats()

    def agent(self, agent: str) -> AgentView:
        """A snapshot of one agent. Raises ``UnknownId``."""
        return self._router.agent(agent)

    def contact(self, contact: str) -> ContactView:
        """A snapshot of one contact, live or ended. Raises ``UnknownId``."""
        return self._router.contact(contact)

    def is_open(self, queue: str, at: float) -> bool:
        """Whether ``queue`` is open at router time ``at`` by its opening
        hours (always, without hours). Raises ``UnknownId``."""
        return self._router.is_open(queue, at)

    def next_change(self, queue: str, at: float) -> Optional[float]:
        """The first router time after ``at`` at which ``queue`` opens or
        closes; ``None`` if it never does (no hours, or none to come).
        Raises ``UnknownId``."""
        return self._router.next_change(queue, at)

    def explain(self, contact: str) -> Explanation:
        """Why a live contact is where it is: its place in its queue, the
        requirements in force, how many agents could take it now and, by
        reason (``state``, ``routing_profile``, ``profile_delay``,
        ``skills``, ``channel``, ``capacity``, ``excluded``, ``reserved``),
        why the others cannot, and the next timer that changes its
        situation. Raises ``UnknownId``, or ``InvalidState`` for a contact
        that has ended (``contact()`` says what became of it)."""
        return self._router.explain(contact)

    def agents_by_state(self) -> dict[str, int]:
        """Counts: ``offline``, ``available``, ``away``, plus ``busy``
        (holding anything) and ``idle`` (available, holding nothing)."""
        return self._router.agents_by_state()

    def agent_ids(self) -> list[str]:
        """Ids of every agent, sorted."""
        return self._router.agent_ids()

    def waiting(self, queue: str) -> list[str]:
        """Ids of the contacts waiting (or offered) in a queue, in the order
        they will be served (the queue's ordering now: priority, aging,
        LIFO or greatest need, then arrival)."""
        return self._router.waiting(queue)

    def next_timer(self) -> Optional[float]:
        """When the next timer is due, or ``None``."""
        return self._router.next_timer()

    def snapshot(self) -> bytes:
        """The router's whole state in a versioned binary format. Two
        routers in the same state give the same bytes."""
        return self._router.snapshot()

    @classmethod
    def restore(cls, data: bytes, policy: Optional[Policy] = None, strict: bool = False,
                fallback_only: bool = False) -> "Router":
        """A router rebuilt from ``snapshot()`` bytes, identical to the one
        that wrote them (it makes the same decisions from then on).

        A plug-in policy object is not part of a snapshot, only its class
        name: pass the policy again. A snapshot taken with a plug-in is
        refused without one (``InvalidInput`` naming it), unless
        ``fallback_only=True`` asks to route with its built-in fallback.
        The built-in policy (or fallback) is part of the snapshot and
        cannot be changed here.

        Raises:
            SnapshotError: bytes from another format version, or corrupt.
            InvalidInput: a plug-in is needed, or ``policy`` is not a
                plug-in ``Policy`` object.
        """
        if policy is not None and not isinstance(policy, Policy):
            raise InvalidInput(
                f"restore takes a plug-in policy object (a ccroute.Policy) or None, got {policy!r}; "
                "the built-in policy is part of the snapshot"
            )
        native = _ccroute.Router.restore(data)
        needed = native.plugin_name
        if needed is not None and policy is None and not fallback_only:
            raise InvalidInput(
                f"the snapshot was taken with the plug-in policy {needed!r}: pass it again "
                f"(Router.restore(data, policy={needed}())), or fallback_only=True to route with "
                f"its fallback {native.policy!r}"
            )
        router = cls.__new__(cls)
        router._router = native
        router._attach(policy, strict)
        return router

    def check_invariants(self) -> None:
        """Verify every internal invariant (a full scan, for tests);
        raises ``AssertionError`` naming the first one broken."""
        self._router.check_invariants()

    @property
    def now(self) -> float:
        """The router's current time."""
        return self._router.now

    @property
    def policy(self) -> str:
        """The agent-selection policy: a built-in description, or the
        plug-in policy's class name with its fallback."""
        if self._plugin is not None:
            return f"{type(self._plugin).__name__} (fallback {self._router.policy})"
        return self._router.policy

    @property
    def policy_errors(self) -> int:
        """Decisions in which the plug-in policy failed and the fallback
        built-in policy decided."""
        return self._router.policy_errors

    @property
    def decisions(self) -> int:
        """Routing decisions made so far."""
        return self._router.decisions

    @property
    def timer_events(self) -> int:
        """How many of the last successful call's events, at their head,
        came from timers due by its ``now`` (or were left by a failed
        call) rather than from the call's own work."""
        return self._router.timer_events

    @property
    def live_contacts(self) -> int:
        """Live contacts: scheduled, waiting, offered, calling or assigned."""
        return self._router.live_contacts

    def __repr__(self) -> str:
        return f"Router(policy={self.policy!r}, now={self.now!r}, live_contacts={self.live_contacts})"
