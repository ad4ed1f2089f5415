"""Stateful property test over mixes of options: every run draws its own
configuration, so that options that each work alone are also driven
together.

A run draws, for three queues chained by overflow (q1 -> q2 -> q0, each
hop after 0, 5 or 15 s):

* the ordering of q0: priority, LIFO or greatest need;
* aging on q1 and q2 (a rate or a virtual wait), each with or without an
  aging cap, and a ``max_waiting`` on q2 or none;
* a policy: a built-in, a chain or a weighted score;
* offers or auto-accept (and with offers, whether a missed offer moves the
  agent away and whether exclusions expire);
* routing profiles (with delays, one that does not serve q0), given to
  some agents;

then random calls: agents added (skills, state, capacity, channel maxima,
routing profile), updated, removed and switched between states; contacts
submitted alone or in batches (requirements, priority, relaxation steps,
some conditional, preferred agents, customers), accepted, rejected,
completed and cancelled; time advanced; and the router swapped for its
own restored snapshot. And a contact's life after arrival: assigned
contacts transferred (cold and warm, to a queue or a named agent, keeping
their age or not, sometimes with new requirements or channel) and the
warm-transfer offers accepted, rejected or left to expire; callbacks
submitted, or made of waiting contacts by ``update_contact(callback=...)``,
called and reported (answered, no answer, busy); scheduled contacts
(``not_before``) that enter their queue as time passes; and bad input to
each of these calls.

The checks, after every call: ``check_invariants()`` (loads, indexes,
wait-group keys, routing complete); a call either succeeds or raises one
of the documented ``RoutingError`` classes, never ``InternalError`` or
anything else; a call refused before it starts (bad input) leaves the
snapshot bytes unchanged; every submitted contact is known to the router
until it ends and its status only moves forward (back only as an offer
returns, a cold transfer, a callback's unanswered call); a snapshot
restores to a router that writes the same bytes. After every successful
call the statuses and channels the events told of are the contacts'
(silent moves only where documented: a scheduled contact entering its
queue, a warm transfer starting, a callback waiting for its next call),
and each queue's counters moved by what its events say. After every
call, against a model: every live contact is in exactly one place
(waiting in its queue, offered, called, held by one agent; two during a
warm transfer), each queue's counters add up (entered = answered +
abandoned + overflowed out + failed transfers + failed callbacks +
waiting), ``callbacks_waiting`` / ``callbacks_calling`` / ``offering`` /
``scheduled`` and ``live_contacts`` match a count over the contacts, and
a scheduled contact is scheduled exactly until its time. A second set of
runs starts with two generalist agents, so that contacts are assigned,
transferred and called in most of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import ccroute as cc

SKILLS = ("en", "es", "tech")
AGENTS = ("a0", "a1", "a2", "a3", "a4", "a5")
CHANNELS = [cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=1.0), cc.Channel("chat", cost=25, max_per_agent=3)]
DT = st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.5, 5.0, 12.0, 30.0])
ORDER = {"scheduled": 0, "waiting": 1, "offered": 2, "calling": 2, "assigned": 3,
         "completed": 4, "abandoned": 4, "refused": 4, "cancelled": 4}
ENDED = frozenset(s for s, rank in ORDER.items() if rank == 4)
ALLOWED = (cc.UnknownId, cc.DuplicateId, cc.InvalidInput, cc.InvalidState, cc.CapacityError, cc.QueueFull)
QUEUES = ("q0", "q1", "q2")
#: Why a warm transfer fails at once (no wait in the target: not counted as
#: a failed transfer) and why one under way fails.
FAILS_AT_ONCE = ("agent_unavailable", "queue_full")
FAILS_LATER = ("rejected", "expired", "agent_left", "completed")
#: The counters each event moves by one, in the queue it names.
COUNTED = {cc.Assigned: "answered", cc.Abandoned: "abandoned", cc.Completed: "completed",
           cc.OfferExpired: "missed_offers", cc.CallbackOffered: "callback_calls",
           cc.CallbackFailed: "callbacks_failed"}
COUNTERS = ("answered", "abandoned", "completed", "missed_offers", "callback_calls", "callbacks_failed",
            "overflowed_in", "overflowed_out", "transferred_in", "transferred_out", "transfers_failed")

aging = st.sampled_from([{}, {"aging_rate": 0.5}, {"virtual_wait": 4.0}, {"aging_rate": 0.25, "aging_max": 1.5},
                         {"virtual_wait": 2.0, "aging_max": 3.0}])
config = st.fixed_dictionaries({
    "q0": st.sampled_from(["priority", "lifo", "greatest_need"]),
    "q1": aging,
    "q2": aging,
    "q2_max": st.sampled_from([None, 2, 5]),
    "hops": st.tuples(st.sampled_from([0.0, 5.0, 15.0]), st.sampled_from([0.0, 5.0, 15.0])),
    "policy": st.sampled_from(["longest_idle", "most_skilled", "least_occupied", "fewest_handled", "round_robin",
                               "random", "chain", "weighted"]),
    "offers": st.booleans(),
    "missed": st.sampled_from(["away", "available"]),
    "expiry": st.sampled_from([None, 20.0]),
    "affinity_wait": st.sampled_from([0.0, 4.0]),
    "callback_share": st.sampled_from([1.0, 0.5]),
    "staff": st.integers(0, 2),  # generalists available from the start (a4, a5)
})
skills = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=3)
steps = st.lists(
    st.tuples(st.sampled_from([0.0, 3.0, 8.0]),
              st.sampled_from([None, "no_agent_available", {"queue_longer_than": 1}, {"longest_wait_above": 4.0}])),
    max_size=2)
contact_fields = st.fixed_dictionaries({
    "channel": st.sampled_from(["voice", "chat"]),
    "queue": st.sampled_from(["q0", "q1", "q2"]),
    "priority": st.integers(-1, 3),
    "requires": skills,
    "steps": steps,
    "preferred": st.sampled_from([None, None, None, ("a0", 0.0), ("a1", 6.0)]),
    "customer": st.sampled_from([None, None, "k0", "k1"]),
    "selector": st.sampled_from(["", "", 'agent.team == "a"', 'agent.langs HAS "es" OR agent.tenure > 30',
                                 "NOT agent.tenure > 10", 'skill.en >= 2 OR agent.team != "b"']),
    "selectors": st.sampled_from([[], [], [{"key": "team", "op": "not_equal", "value": "b", "expires_after": 5.0,
                                            "expedite": True}]]),
    "step_selector": st.sampled_from([None, None, "", 'agent.team == "b"']),
})
#: Agent attributes read by selectors (a list, a string, an integer).
agent_attributes = st.sampled_from([{}, {"team": "a"}, {"team": "b", "langs": ["es"], "tenure": 40},
                                    {"team": "a", "langs": ["en", "es"], "tenure": 5}, {"tenure": 12}])


#: Contact fields that do not matter to :func:`make_contact`'s steps.
FIELDS = {"channel": "voice", "queue": "q0", "priority": 0, "preferred": None, "customer": None}
update_fields = st.fixed_dictionaries({
    "priority": st.sampled_from([None, None, -1, 5]),
    "requires": st.one_of(st.none(), st.none(), st.just({}), skills, st.just({"en": 11})),
    "prefers": st.sampled_from([None, None, {}, {"es": 4}]),
    "steps": st.one_of(st.none(), st.none(), steps),
    "attributes": st.sampled_from([None, None, {}, {"vip": True}]),
    "age_offset": st.sampled_from([None, None, 0.0, 6.0, 30.0]),
    "selector": st.sampled_from([None, None, "", 'agent.team == "b"']),
})
#: Contacts most agents can take: for the calls that need a contact
#: assigned, called or offered.
easy_fields = st.fixed_dictionaries({
    "channel": st.sampled_from(["voice", "chat"]),
    "queue": st.sampled_from(["q0", "q1", "q2"]),
    "priority": st.integers(-1, 3),
    "requires": st.sampled_from([{}, {}, {"en": 3}, {"tech": 6}]),
    "steps": st.just([]),
    "preferred": st.sampled_from([None, None, ("a4", 0.0)]),
    "customer": st.sampled_from([None, None, "k0"]),
    "selector": st.just(""),
    "selectors": st.just([]),
    "step_selector": st.just(None),
})
callback_fields = st.fixed_dictionaries({
    "number_of_attempts": st.integers(1, 3),
    "retry_after": st.sampled_from([0.0, 5.0, 30.0]),
    "later": st.sampled_from([None, None, 3.0, 20.0]),  # not_before, seconds from now
})


def make_contact(cid: str, f: dict[str, Any], **extra: Any) -> cc.Contact:
    """A contact whose steps only widen the pool: each step halves the
    levels of the one before (and drops what reaches 0)."""
    reqs = dict(f["requires"])
    built, after = [], 0.0
    for inc, when in f["steps"]:
        after += inc
        reqs = {s: lv // 2 for s, lv in reqs.items() if lv // 2 >= 1}
        built.append(cc.Step(after, dict(reqs), when=when, selector=f.get("step_selector")))
    pref = f["preferred"]
    return cc.Contact(cid, channel=f["channel"], queue=f["queue"], priority=f["priority"], requires=f["requires"],
                      steps=built, customer=f["customer"], preferred_agent=pref[0] if pref else None,
                      preferred_wait=pref[1] if pref else 0.0, selector=f.get("selector", ""),
                      selectors=f.get("selectors", []), **extra)


def make_callback(f: dict[str, Any], now: float) -> dict[str, Any]:
    cb = {"number_of_attempts": f["number_of_attempts"], "retry_after": f["retry_after"]}
    if f["later"] is not None:
        cb["not_before"] = now + f["later"]
    return cb


class MixMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.router: cc.Router | None = None
        self.t = 0.0
        self.ids: list[str] = []
        self.status: dict[str, str] = {}
        self.next_id = 0
        self.offers = False
        #: The model: each contact's channel (as its events tell it).
        self.channel: dict[str, str] = {}
        #: Contacts in a warm transfer: the agent who holds them, and their
        #: channel before it.
        self.warm: dict[str, tuple[str, str]] = {}
        #: Live callbacks: calls allowed, calls made, not to be called before.
        self.callbacks: set[str] = set()
        self.cb_attempts: dict[str, int] = {}
        self.cb_made: dict[str, int] = {}
        self.cb_ready: dict[str, float] = {}
        self.cb_retry: dict[str, float] = {}
        #: When each pending offer expires; when each scheduled contact is due.
        self.expires: dict[str, float] = {}
        self.due: dict[str, float] = {}
        #: The channels each agent was assigned each contact on.
        self.held_on: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        #: The statistics as the last successful call left them.
        self.last_stats: dict[str, Any] = {}
        #: A supervisor's force_assign may call a callback before its time.
        self.forcing = False

    @initialize(cfg=config)
    def build(self, cfg: dict[str, Any]) -> None:
        policy: Any = cfg["policy"]
        if policy == "chain":
            policy = cc.Chain("most_skilled", "least_occupied", "longest_idle")
        elif policy == "weighted":
            policy = cc.Weighted({"skill": 1.0, "idle": 0.01, "load": -2.0})
        hop1, hop2 = cfg["hops"]
        share = cfg["callback_share"]
        queues = [
            cc.Queue("q0", ordering=cfg["q0"], sl_threshold=10.0, callbacks_per_free_agent=share),
            cc.Queue("q1", overflow_to="q2", overflow_after=hop1, callbacks_per_free_agent=share, **cfg["q1"]),
            cc.Queue("q2", overflow_to="q0", overflow_after=hop2, max_waiting=cfg["q2_max"],
                     callbacks_per_free_agent=share, **cfg["q2"]),
        ]
        profiles = [cc.RoutingProfile("front", {"q0": 1, "q1": (0, 4.0), "q2": 0}),
                    cc.RoutingProfile("back", {"q1": 2, "q2": (1, 6.0)})]
        self.offers = cfg["offers"]
        self.router = cc.Router(channels=CHANNELS, queues=queues, policy=policy, routing_profiles=profiles,
                                offer_timeout=10.0 if cfg["offers"] else None, affinity_wait=cfg["affinity_wait"],
                                missed_offer_state=cfg["missed"], exclusion_expires_after=cfg["expiry"], seed=7)
        for aid in AGENTS[len(AGENTS) - cfg["staff"]:]:
            assert self.router.add_agent(cc.Agent(aid, skills={"en": 8, "es": 8, "tech": 8}), now=0.0) == []
        self.last_stats = self.router.stats()

    # -- calling ----------------------------------------------------------------
    def call(self, f: Any, *args: Any, **kwargs: Any) -> list:
        """Makes a call; a refusal must be a documented error."""
        try:
            events = f(*args, **kwargs)
        except cc.InternalError:
            raise
        except ALLOWED:
            return []
        self.follow(events)
        return events

    def follow(self, events: list, adopt: dict[str, tuple[str, ...]] | None = None) -> None:
        """Follows the events of a successful call (with those a refused
        call before it held back): each contact's status and channel, its
        warm transfer and its callback calls. ``adopt`` names the contacts
        the call may have moved silently, and to which statuses. Then the
        model must be the router's, and the counters must have moved as
        the events say."""
        assert self.router is not None
        moved: Counter[tuple[str, str]] = Counter()
        for ev in events:
            cid = ev.contact
            kind = type(ev)
            if cid not in self.status:
                continue
            if kind is cc.TransferFailed and cid in self.warm:
                # The contact goes back to its first agent, on its first channel.
                assert ev.reason in FAILS_LATER and ev.agent == self.warm[cid][0], (ev, self.warm[cid])
                self.channel[cid] = self.warm.pop(cid)[1]
                moved[ev.queue, "transfers_failed"] += 1
            elif kind is cc.Transferred:
                moved[ev.from_queue, "transferred_out"] += 1
                moved[ev.to_queue, "transferred_in"] += 1
                if ev.mode == "cold":
                    self.channel[cid] = ev.channel
                else:
                    assert cid in self.warm and ev.from_agent == self.warm[cid][0], (ev, self.warm.get(cid))
                    self.warm.pop(cid)
            elif kind is cc.Overflowed:
                moved[ev.from_queue, "overflowed_out"] += 1
                moved[ev.to_queue, "overflowed_in"] += 1
            elif kind in COUNTED:
                moved[ev.queue, COUNTED[kind]] += 1
            # Every event names the channel the contact is on when it happens;
            # a wrap-up's end, the channel its agent held it on.
            if kind is cc.Assigned:
                self.held_on[cid, ev.agent].add(ev.channel)
            if kind is cc.WrapUpEnded:
                assert ev.channel in self.held_on[cid, ev.agent], (ev, self.held_on[cid, ev.agent])
            else:
                assert ev.channel in (None, self.channel[cid]), (ev, self.channel[cid])
            old = self.status[cid]
            new = {cc.Offered: "offered", cc.Assigned: "assigned", cc.Completed: "completed",
                   cc.Abandoned: "abandoned", cc.Refused: "refused", cc.Requeued: "waiting",
                   cc.OfferRejected: "waiting", cc.OfferExpired: "waiting", cc.CallbackOffered: "calling",
                   cc.CallbackFailed: "abandoned", cc.TransferFailed: "assigned"}.get(kind)
            if kind is cc.Transferred:
                new = "waiting" if ev.mode == "cold" else "assigned"
                assert old in (("assigned",) if ev.mode == "cold" else ("waiting", "offered", "assigned")), (ev, old)
            elif kind in (cc.Requeued, cc.OfferRejected, cc.OfferExpired):
                assert old == "offered", (ev, old)
            elif kind is cc.TransferFailed:
                # At once (it stays with its agent), or a warm transfer under way ends.
                assert (old, ev.reason in FAILS_AT_ONCE) in (("assigned", True), ("waiting", False),
                                                            ("offered", False)), (ev, old)
            elif kind is cc.Offered:
                self.expires[cid] = ev.expires
            elif kind is cc.CallbackOffered:
                assert cid in self.callbacks, ev
                assert ev.attempt == self.cb_made[cid] + 1 <= self.cb_attempts[cid], (ev, self.cb_made[cid])
                assert self.forcing or ev.at >= self.cb_ready[cid], (ev, self.cb_ready[cid])
                self.cb_made[cid] = ev.attempt
            elif kind is cc.CallbackFailed:
                assert cid in self.callbacks and old == "calling", (ev, old)
                assert ev.attempts == self.cb_made[cid] == self.cb_attempts[cid], (ev, self.cb_made[cid])
            elif kind is cc.Assigned and cid in self.callbacks:
                assert old == "calling", (ev, old)  # a callback is called, then connected once answered
                self.callbacks.discard(cid)
            if new is None:
                continue
            assert ORDER[new] >= ORDER[old] or kind in (cc.Transferred, cc.Requeued, cc.OfferRejected, cc.OfferExpired) \
                or (kind is cc.Offered and cid in self.warm), (ev, old)  # a warm transfer's target offered
            self.status[cid] = new
            if new in ENDED:
                self.callbacks.discard(cid)
                self.warm.pop(cid, None)
        self.in_step(adopt or {})
        stats = self.router.stats()
        for q, now in stats.items():
            for field in COUNTERS:
                delta = getattr(now, field) - getattr(self.last_stats[q], field)
                assert delta == moved[q, field], (q, field, delta, moved[q, field], events)
        self.last_stats = stats

    def in_step(self, adopt: dict[str, tuple[str, ...]]) -> None:
        """The status and channel of every live contact are the model's."""
        assert self.router is not None
        for cid, old in self.status.items():
            if old in ENDED:
                continue
            view = self.router.contact(cid)
            if view.status != old and (view.status in adopt.get(cid, ())
                                       or (old, view.status) == ("scheduled", "waiting")):
                self.status[cid] = view.status  # moved without an event, as documented
                if view.status in ENDED:
                    self.callbacks.discard(cid)
            assert view.status == self.status[cid], (cid, view.status, self.status[cid])
            if view.status not in ENDED:
                assert view.channel == self.channel[cid], (cid, view.channel, self.channel[cid])

    def new_id(self) -> str:
        self.next_id += 1
        return f"c{self.next_id}"

    def tick(self, dt: float) -> float:
        self.t += dt
        return self.t

    def settle(self, dt: float) -> float:
        """Moves time on by ``dt`` and fires the timers due by then, so that
        what a call finds is what it acts on, and a refused call must leave
        the snapshot bytes as they are."""
        assert self.router is not None
        t = self.tick(dt)
        self.call(self.router.advance, t)
        self.call(self.router.advance, t)
        return t

    def pick(self, data: Any) -> str:
        return data.draw(st.sampled_from(self.ids))

    def track(self, cid: str, status: str, channel: str) -> None:
        self.ids.append(cid)
        self.status[cid] = status
        self.channel[cid] = channel

    def track_callback(self, cid: str, cb: dict[str, Any], ready: float) -> None:
        self.callbacks.add(cid)
        self.cb_attempts[cid] = cb["number_of_attempts"]
        self.cb_made[cid] = 0
        self.cb_retry[cid] = cb["retry_after"]
        self.cb_ready[cid] = max(ready, cb.get("not_before", 0.0))

    def with_status(self, *statuses: str) -> list[str]:
        return [c for c, s in self.status.items() if s in statuses]

    # -- agents -----------------------------------------------------------------
    @rule(aid=st.sampled_from(AGENTS), sk=skills, state=st.sampled_from(["available", "available", "away", "offline"]),
          capacity=st.sampled_from([100, 100, 50]), chans=st.sampled_from([None, {"chat": 2}, {"voice": 1, "chat": 1}]),
          profile=st.sampled_from([None, None, "front", "back"]), update=st.booleans(), attrs=agent_attributes, dt=DT)
    def agent(self, aid, sk, state, capacity, chans, profile, update, attrs, dt) -> None:
        assert self.router is not None
        a = cc.Agent(aid, skills=sk, state=state, capacity=capacity, channels=chans, routing_profile=profile,
                     attributes=attrs)
        t = self.tick(dt)
        self.call(self.router.update_agent if update else self.router.add_agent, a, now=t)

    @rule(aid=st.sampled_from(AGENTS), dt=DT)
    def remove_agent(self, aid, dt) -> None:
        assert self.router is not None
        self.call(self.router.remove_agent, aid, now=self.tick(dt))

    @rule(aid=st.sampled_from(AGENTS), state=st.sampled_from(["available", "away", "offline"]),
          reason=st.sampled_from(["", "", "break", "lunch"]), dt=DT)
    def set_state(self, aid, state, reason, dt) -> None:
        assert self.router is not None
        now = self.tick(dt)
        before = self.router.agent(aid) if aid in self.router.agent_ids() else None
        if self.call(self.router.set_agent_state, aid, state, now=now, reason=reason) or before is not None:
            view = self.router.agent(aid)
            if (view.state, view.reason or "") == (state, reason):  # not moved on by its own timers
                assert view.state_since == now or (before is not None and (before.state, before.reason or "")
                                                   == (state, reason) and view.state_since == before.state_since)

    # -- contacts ---------------------------------------------------------------
    @rule(f=contact_fields, dt=DT)
    def submit(self, f, dt) -> None:
        assert self.router is not None
        cid = self.new_id()
        t = self.tick(dt)
        try:
            events = self.router.submit(make_contact(cid, f), now=t)
        except cc.QueueFull:
            return
        self.track(cid, "waiting", f["channel"])
        self.follow(events)

    @rule(batch=st.lists(contact_fields, min_size=1, max_size=4), dt=DT)
    def submit_many(self, batch, dt) -> None:
        assert self.router is not None
        cids = [self.new_id() for _ in batch]
        events = self.router.submit_many([make_contact(c, f) for c, f in zip(cids, batch, strict=True)], now=self.tick(dt))
        refused = {e.contact for e in events if isinstance(e, cc.Refused)}
        for c, f in zip(cids, batch, strict=True):
            if c not in refused:
                self.track(c, "waiting", f["channel"])
        self.follow(events)

    @rule(f=contact_fields)
    def bad_submit_changes_nothing(self, f) -> None:
        assert self.router is not None
        before = self.router.snapshot()
        bad = dict(f, requires={**f["requires"], "brand_new": 11})
        try:
            self.router.submit(make_contact("bad", bad), now=self.t)
        except cc.InvalidInput:
            pass
        assert self.router.snapshot() == before

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), verb=st.sampled_from(["complete", "cancel", "accept", "reject", "force"]), dt=DT)
    def act(self, data, verb, dt) -> None:
        assert self.router is not None
        cid = self.pick(data)
        t = self.tick(dt)
        try:
            agent = self.router.contact(cid).agent
        except cc.UnknownId:
            agent = None
        r = self.router
        if verb == "complete":
            self.call(r.complete, cid, now=t)
        elif verb == "cancel":
            try:  # a scheduled contact ends without an event
                self.follow(r.cancel(cid, now=t), adopt={cid: ("cancelled",)})
            except ALLOWED:
                pass
        elif verb == "force":
            self.forcing = True
            try:
                self.call(r.force_assign, cid, data.draw(st.sampled_from(AGENTS)), now=t)
            finally:
                self.forcing = False
        elif agent is not None:
            self.call(r.accept if verb == "accept" else r.reject, cid, agent, now=t)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), change=update_fields, stale=st.sampled_from([False, False, False, True]), dt=DT)
    def update(self, data, change, stale, dt) -> None:
        """An update raises the version by exactly one; a refused one (bad
        level, wider than the remaining steps, stale version, contact not
        waiting, offered or scheduled, or in a warm transfer) changes
        nothing."""
        assert self.router is not None
        r = self.router
        cid = self.pick(data)
        t = self.tick(dt)
        kwargs = {k: v for k, v in change.items() if v is not None}
        if "steps" in kwargs:  # widening steps, as at submit
            kwargs["steps"] = make_contact(cid, {**FIELDS, "requires": change["requires"] or {},
                                                 "steps": kwargs["steps"]}).steps
        if stale:
            kwargs["if_version"] = data.draw(st.sampled_from([0, 1, 2, 5]))
        # The timers due by t fire first (the version read below is the one
        # compared), and a second advance settles the clock at t, where a
        # refused call leaves it.
        self.call(r.advance, t)
        self.call(r.advance, t)
        before, view = r.snapshot(), r.contact(cid)
        try:
            events = r.update_contact(cid, t, **kwargs)
        except (cc.VersionConflict, *ALLOWED) as exc:
            live = view.status in ("waiting", "offered", "scheduled") and cid not in self.warm
            if isinstance(exc, cc.VersionConflict):
                assert live and kwargs["if_version"] != view.version
            if isinstance(exc, cc.InvalidState):
                assert not live
            assert r.snapshot() == before
            assert r.contact(cid).version == view.version
            return
        assert view.status in ("waiting", "offered", "scheduled") and cid not in self.warm
        assert kwargs.get("if_version", view.version) == view.version
        assert r.contact(cid).version == view.version + 1
        self.follow(events)

    # -- after arrival: transfers, callbacks, scheduled contacts ----------------
    @precondition(lambda self: "assigned" in self.status.values())
    @rule(data=st.data(), mode=st.sampled_from(["cold", "warm"]), to=st.sampled_from(["queue", "queue", "agent", "both"]),
          queue=st.sampled_from(QUEUES), keep_age=st.booleans(), free=st.booleans(),
          requires=st.one_of(st.none(), st.none(), st.just({}), skills),
          channel=st.sampled_from([None, None, "voice", "chat"]), dt=DT)
    def transfer(self, data, mode, to, queue, keep_age, free, requires, channel, dt) -> None:
        """A cold transfer lets go at once (``Transferred``) or is refused
        changing nothing; a warm one fails at once (``TransferFailed``), is
        answered at once, or leaves the contact with its agent while it
        waits for or is offered to the target."""
        assert self.router is not None
        r = self.router
        t = self.settle(dt)
        assigned = self.with_status("assigned")
        if not assigned:
            return
        cid = data.draw(st.sampled_from(assigned))
        view = r.contact(cid)
        holder = view.agent
        assert view.status == "assigned" and holder is not None
        target = None
        if to != "queue":
            others = [a for a in r.agent_ids() if a != holder]
            ready = [a for a in others if r.agent(a).state == "available" and not r.agent(a).busy]
            pool = ready if free and ready else others if others and data.draw(st.booleans()) else list(AGENTS)
            target = data.draw(st.sampled_from(pool))
        spec: dict[str, Any] = {"mode": mode, "keep_age": keep_age, "requires": requires, "channel": channel}
        if to != "agent":
            spec["queue"] = queue
        if target is not None:
            spec["agent"] = target
        new_queue, new_channel = spec.get("queue", view.queue), channel or view.channel
        before = r.snapshot()
        try:
            events = r.transfer(cid, t, **spec)
        except (cc.UnknownId, cc.InvalidInput, cc.InvalidState, cc.QueueFull) as exc:
            assert r.snapshot() == before
            if isinstance(exc, cc.UnknownId):
                assert target is not None and target not in r.agent_ids() and repr(target) in str(exc).replace('"', "'")
            elif isinstance(exc, cc.InvalidInput):
                assert target == holder and holder in str(exc), exc
            elif isinstance(exc, cc.InvalidState):
                assert mode == "cold" and target is not None and target in str(exc), exc
            else:
                assert mode == "cold" and target is None and new_queue in str(exc), exc
            return
        mine = [e for e in events if e.contact == cid]
        assert mine or mode == "warm", events  # a warm transfer may wait silently in the target
        first = mine[0] if mine else None
        if mode == "cold":
            assert isinstance(first, cc.Transferred), mine
            assert (first.from_agent, first.from_queue, first.to_queue, first.to_agent, first.mode, first.channel) == \
                (holder, view.queue, new_queue, target, "cold", new_channel), first
            self.follow(events)
        elif isinstance(first, cc.TransferFailed):
            assert first.agent == holder and first.reason == ("agent_unavailable" if target else "queue_full"), first
            assert len(mine) == 1, mine
            self.follow(events)
            assert r.contact(cid).version == view.version
            return
        else:
            self.warm[cid] = (holder, view.channel)
            self.channel[cid] = new_channel
            self.follow(events, adopt={cid: ("waiting",)})
        now = r.contact(cid)
        assert now.version == view.version + 1
        if now.status in ("waiting", "offered") and not any(isinstance(e, cc.Overflowed) for e in mine):
            assert (now.queue, now.channel, now.arrival) == (new_queue, new_channel, t), (now, new_queue)
            if requires is not None:
                assert now.requires == requires
        if mode == "warm" and cid in self.warm:
            assert cid in r.agent(holder).contacts and now.agent != holder

    @precondition(lambda self: "assigned" in self.status.values())
    @rule(data=st.data(), dt=DT)
    def complete_assigned(self, data, dt) -> None:
        """Frees an agent (so that transfers, callbacks and scheduled
        contacts find some): completes an assigned contact, or fails the
        warm transfer of one whose first agent completes it."""
        assert self.router is not None
        t = self.settle(dt)
        assigned = self.with_status("assigned")
        if assigned:
            cid = data.draw(st.sampled_from(assigned))
            events = self.router.complete(cid, now=t)
            assert [type(e) for e in events if e.contact == cid][:1] == [cc.Completed], events
            self.follow(events)

    @precondition(lambda self: self.offers and "offered" in self.status.values())
    @rule(data=st.data(), how=st.sampled_from(["accept", "reject", "expire"]), warm=st.booleans())
    def offer_outcome(self, data, how, warm) -> None:
        """An offer is accepted, rejected or left to expire. The target of
        a warm transfer who answers ends it (``Transferred``, the first
        agent lets go); one who rejects or lets it expire fails it
        (``TransferFailed``, back with the first agent)."""
        t = self.settle(0.0)
        offered = self.with_status("offered")
        in_warm = [c for c in offered if c in self.warm]
        if not offered:
            return
        cid = data.draw(st.sampled_from(in_warm if warm and in_warm else offered))
        self.resolve_offer(cid, how, t)

    @precondition(lambda self: "assigned" in self.status.values())
    @rule(data=st.data(), how=st.sampled_from(["accept", "reject", "expire"]), dt=DT)
    def warm_to_free_agent(self, data, how, dt) -> None:
        """A warm transfer to a named free agent: answered at once
        (auto-accept), or offered to them and then accepted, rejected or
        left to expire."""
        assert self.router is not None
        r = self.router
        t = self.settle(dt)
        assigned = self.with_status("assigned")
        if not assigned:
            return
        cid = data.draw(st.sampled_from(assigned))
        view = r.contact(cid)
        holder = view.agent
        assert holder is not None
        cost = {c.name: c.cost for c in CHANNELS}[view.channel]
        ch = view.channel
        free = [a.id for a in map(r.agent, r.agent_ids()) if a.id != holder and a.state == "available"
                and a.held.get(ch, 0) < a.max.get(ch, 0) and a.capacity - a.used >= cost]
        if not free:
            return
        to = data.draw(st.sampled_from(free))
        events = r.transfer(cid, t, agent=to, mode="warm")
        kinds = [type(e) for e in events if e.contact == cid and type(e) is not cc.StepAdvanced]
        if self.offers:
            assert kinds == [cc.Offered], events
            self.warm[cid] = (holder, view.channel)
            self.follow(events)
            self.resolve_offer(cid, how, t)
        else:
            assert kinds == [cc.Assigned, cc.Transferred], events
            self.warm[cid] = (holder, view.channel)
            self.follow(events)
            assert r.contact(cid).agent == to and cid not in r.agent(holder).contacts

    def resolve_offer(self, cid: str, how: str, t: float) -> None:
        """Accepts, rejects or lets expire the offer of ``cid``, and checks
        what follows (also for a warm transfer's offer)."""
        assert self.router is not None
        r = self.router
        to = r.contact(cid).agent
        assert to is not None
        if how == "accept":
            events = r.accept(cid, to, now=t)
        elif how == "reject":
            events = r.reject(cid, to, now=t)
        else:
            at = self.expires[cid]
            assert at > t, (at, t)
            self.t = at
            events = r.advance(at)
        # (Steps and overflow may come first: an offered contact moves on.)
        mine = [e for e in events if e.contact == cid and type(e) not in (cc.StepAdvanced, cc.Overflowed)]
        first = self.warm[cid][0] if cid in self.warm else None
        expected = {"accept": cc.CallbackOffered if cid in self.callbacks else cc.Assigned,
                    "reject": cc.OfferRejected, "expire": cc.OfferExpired}[how]
        if how == "expire" and mine and ((type(mine[0]) is cc.Requeued and mine[0].agent == to) or (
                type(mine[0]) is cc.TransferFailed and mine[0].reason == "agent_left")):
            # The agent let an earlier offer expire, and left: this one
            # went back before its time.
            assert r.agent(to).state != "available" and r.agent(to).reason == "not_responding", r.agent(to)
            self.follow(events)
            return
        assert mine and type(mine[0]) is expected and mine[0].agent == to, (how, mine)
        self.follow(events)
        if first is None:
            return
        assert first != to
        if how == "accept":
            assert type(mine[1]) is cc.Transferred, mine
            assert (mine[1].from_agent, mine[1].to_agent, mine[1].mode) == (first, to, "warm"), mine
        else:
            assert type(mine[1]) is cc.TransferFailed, mine
            assert (mine[1].agent, mine[1].reason) == (first, {"reject": "rejected", "expire": "expired"}[how]), mine
        view = r.contact(cid)
        assert cid not in self.warm and view.status == "assigned"
        assert view.agent == (to if how == "accept" else first)
        assert (cid in r.agent(first).contacts) == (how != "accept")

    @rule(f=st.one_of(easy_fields, contact_fields), cb=callback_fields, later=st.sampled_from([None, None, 2.0]), dt=DT)
    def submit_callback(self, f, cb, later, dt) -> None:
        """A callback (some also scheduled) waits in its queue like a live
        caller; it is called (``CallbackOffered``), never connected at once."""
        assert self.router is not None
        cid = self.new_id()
        t = self.tick(dt)
        callback = make_callback(cb, t)
        due = None if later is None else t + later
        try:
            events = self.router.submit(make_contact(cid, f, callback=callback, not_before=due), now=t)
        except cc.QueueFull:
            return
        self.track(cid, "scheduled" if due is not None else "waiting", f["channel"])
        self.track_callback(cid, callback, due or t)
        if due is not None:
            self.due[cid] = due
        self.follow(events)
        assert self.router.contact(cid).status in ("scheduled", "waiting", "offered", "calling")

    @precondition(lambda self: "waiting" in self.status.values())
    @rule(data=st.data(), cb=callback_fields, dt=DT)
    def to_callback(self, data, cb, dt) -> None:
        """A waiting live contact becomes a callback that keeps its place;
        one offered, called, assigned, in a warm transfer or a callback
        already is refused, changing nothing."""
        assert self.router is not None
        r = self.router
        t = self.settle(dt)
        waiting = self.with_status("waiting", "offered", "calling")
        if not waiting:
            return
        cid = data.draw(st.sampled_from(waiting))
        view = r.contact(cid)
        ok = view.status == "waiting" and cid not in self.callbacks and cid not in self.warm
        callback = make_callback(cb, t)
        before = r.snapshot()
        place = r.waiting(view.queue).index(cid) if ok else None
        try:
            events = r.update_contact(cid, t, callback=callback)
        except cc.InvalidState as exc:
            assert not ok and cid in str(exc), (exc, view.status)
            assert r.snapshot() == before
            return
        assert ok, (cid, view.status)
        assert r.contact(cid).version == view.version + 1
        self.track_callback(cid, callback, t)
        self.follow(events)
        if r.contact(cid).status == "waiting" and not events:
            assert r.waiting(view.queue).index(cid) == place  # it keeps its place

    @precondition(lambda self: "calling" in self.status.values())
    @rule(data=st.data(), outcome=st.sampled_from(["answered", "no_answer", "busy"]), dt=DT)
    def callback_result(self, data, outcome, dt) -> None:
        """Answered: connected (``Assigned``, its wait from its arrival).
        Otherwise its agent is free again and the callback waits for its
        next call after ``retry_after``, or ends (``CallbackFailed``) with
        its calls used up."""
        assert self.router is not None
        r = self.router
        t = self.settle(dt)
        calling = self.with_status("calling")
        if not calling:
            return
        cid = data.draw(st.sampled_from(calling))
        view = r.contact(cid)
        agent = view.agent
        assert view.status == "calling" and agent is not None and cid in self.callbacks
        events = r.callback_result(cid, outcome, t)
        mine = [e for e in events if e.contact == cid]
        if outcome == "answered":
            assert mine and isinstance(mine[0], cc.Assigned), mine
            assert (mine[0].agent, mine[0].at, mine[0].wait) == (agent, t, t - view.arrival), mine
            self.follow(events)
            return
        if self.cb_made[cid] >= self.cb_attempts[cid]:
            assert mine and isinstance(mine[0], cc.CallbackFailed), mine
        else:
            assert not mine or self.cb_retry[cid] == 0.0, mine  # nothing happens to it before its next time
            self.cb_ready[cid] = t + self.cb_retry[cid]
        self.follow(events, adopt={cid: ("waiting",)})
        assert cid not in r.agent(agent).contacts or r.contact(cid).agent == agent

    @rule(f=st.one_of(easy_fields, contact_fields), delay=st.sampled_from([0.5, 3.0, 10.0, 40.0]), dt=DT)
    def submit_scheduled(self, f, delay, dt) -> None:
        """A contact with ``not_before`` in the future is scheduled: it
        enters its queue when that time comes (see ``scheduled_on_time``)."""
        assert self.router is not None
        cid = self.new_id()
        t = self.tick(dt)
        due = t + delay
        events = self.router.submit(make_contact(cid, f, not_before=due), now=t)
        assert all(e.contact != cid for e in events), events
        self.track(cid, "scheduled", f["channel"])
        self.due[cid] = due
        self.follow(events)
        view = self.router.contact(cid)
        assert (view.status, view.arrival, view.agent) == ("scheduled", due, None)

    @rule(data=st.data(), kind=st.sampled_from([
        "transfer_unknown_contact", "transfer_wrong_state", "transfer_unknown_queue", "transfer_unknown_agent",
        "transfer_bad_mode", "transfer_bad_channel", "transfer_bad_level", "transfer_to_holder",
        "result_unknown_contact", "result_wrong_state", "result_bad_outcome",
        "callback_zero_attempts", "callback_negative_attempts", "callback_bad_retry", "submit_bad_not_before",
        "update_callback_wrong_state", "update_callback_bad_attempts", "update_callback_stale"]))
    def bad_lifecycle_call(self, data, kind) -> None:
        """Bad input to each new call raises its documented error naming
        the bad value, and the snapshot bytes stay as they were."""
        assert self.router is not None
        r = self.router
        t = self.settle(0.0)
        live = self.with_status("waiting", "offered", "calling", "assigned", "scheduled")
        assigned = self.with_status("assigned")

        def pick(among: list[str]) -> str | None:
            return data.draw(st.sampled_from(among)) if among else None

        call: Any
        error: type[Exception]
        cid: str | None = None
        if kind == "transfer_unknown_contact":
            call, error, names = (lambda: r.transfer("ghost-9", t, queue="q0")), cc.UnknownId, "ghost-9"
        elif kind == "transfer_wrong_state":
            cid = pick([c for c in self.ids if self.status[c] != "assigned"])
            if cid is None:
                return
            status = r.contact(cid).status
            call, error, names = (lambda: r.transfer(cid, t, queue="q1")), cc.InvalidState, status
        elif kind in ("transfer_unknown_queue", "transfer_unknown_agent", "transfer_bad_mode", "transfer_bad_channel",
                      "transfer_bad_level"):
            cid = pick(live)
            if cid is None:
                return
            table: dict[str, tuple[dict[str, Any], type[Exception], str]] = {
                "transfer_unknown_queue": ({"queue": "nowhere"}, cc.InvalidInput, '"nowhere"'),
                "transfer_unknown_agent": ({"agent": "ghost-agent"}, cc.UnknownId, '"ghost-agent"'),
                "transfer_bad_mode": ({"queue": "q0", "mode": "tepid"}, cc.InvalidInput, "tepid"),
                "transfer_bad_channel": ({"queue": "q0", "channel": "fax"}, cc.InvalidInput, '"fax"'),
                "transfer_bad_level": ({"queue": "q0", "requires": {"en": 11}}, cc.InvalidInput, "level 11"),
            }
            spec, error, names = table[kind]
            call = lambda: r.transfer(cid, t, **spec)  # noqa: E731
        elif kind == "transfer_to_holder":
            cid = pick(assigned)
            if cid is None:
                return
            holder = r.contact(cid).agent
            call, error, names = (lambda: r.transfer(cid, t, agent=holder)), cc.InvalidInput, f'"{holder}"'
        elif kind == "result_unknown_contact":
            call, error, names = (lambda: r.callback_result("ghost-9", "answered", t)), cc.UnknownId, "ghost-9"
        elif kind == "result_wrong_state":
            cid = pick([c for c in self.ids if self.status[c] != "calling"])
            if cid is None:
                return
            status = r.contact(cid).status
            call = lambda: r.callback_result(cid, "no_answer", t)  # noqa: E731
            error, names = cc.InvalidState, status
        elif kind == "result_bad_outcome":
            cid = pick(self.ids) or "ghost-9"
            call, error, names = (lambda: r.callback_result(cid, "maybe", t)), cc.InvalidInput, '"maybe"'
        elif kind in ("callback_zero_attempts", "callback_negative_attempts", "callback_bad_retry",
                      "submit_bad_not_before"):
            cb, extra, names = {
                "callback_zero_attempts": ({"number_of_attempts": 0}, {}, "number_of_attempts 0"),
                "callback_negative_attempts": ({"number_of_attempts": -2}, {}, "`-2`"),
                "callback_bad_retry": ({"number_of_attempts": 1, "retry_after": -5.0}, {}, "retry_after -5.0"),
                "submit_bad_not_before": (None, {"not_before": float("nan")}, "not_before NaN"),
            }[kind]
            fields = {**FIELDS, "requires": {}, "steps": []}
            call = lambda: r.submit(make_contact("bad-cb", fields, callback=cb, **extra), t)  # noqa: E731
            error = cc.InvalidInput
        elif kind == "update_callback_wrong_state":
            cid = pick([c for c in self.ids if self.status[c] != "waiting" or c in self.callbacks or c in self.warm])
            if cid is None:
                return
            status = r.contact(cid).status
            if cid in self.callbacks:
                status = "already a callback"
            elif status == "waiting":
                status = "in a warm transfer"
            call = lambda: r.update_contact(cid, t, callback={"number_of_attempts": 1})  # noqa: E731
            error, names = cc.InvalidState, status

        elif kind == "update_callback_bad_attempts":
            cid = pick(live)
            if cid is None:
                return
            call = lambda: r.update_contact(cid, t, callback={"number_of_attempts": 0})  # noqa: E731
            error, names = cc.InvalidInput, "number_of_attempts 0"
        else:
            cid = pick([c for c in self.with_status("waiting") if c not in self.callbacks and c not in self.warm])
            if cid is None:
                return
            version = r.contact(cid).version
            call = lambda: r.update_contact(cid, t, callback={"number_of_attempts": 2},  # noqa: E731
                                            if_version=version + 1)
            error, names = cc.VersionConflict, f"expected version {version + 1}"
        before = r.snapshot()
        try:
            call()
        except cc.InternalError:
            raise
        except Exception as exc:  # noqa: BLE001 - the class is checked just below
            assert type(exc) is error, (kind, exc)
            assert names in str(exc), (kind, names, str(exc))
            if kind.endswith(("wrong_state", "unknown_queue", "bad_level", "to_holder", "stale", "bad_attempts")):
                assert f'"{cid}"' in str(exc), (kind, cid, str(exc))  # and names the contact
        else:
            raise AssertionError(f"{kind}: no error raised")
        assert r.snapshot() == before, kind

    @rule(dt=DT)
    def advance(self, dt) -> None:
        assert self.router is not None
        self.call(self.router.advance, self.tick(dt))

    @rule()
    def restore(self) -> None:
        assert self.router is not None
        snap = self.router.snapshot()
        copy = cc.Router.restore(snap)
        assert copy.snapshot() == snap
        self.router = copy

    # -- checks -----------------------------------------------------------------
    @invariant()
    def explained(self) -> None:
        """Every live contact can be explained, consistently with its view."""
        if self.router is None:
            return
        for cid in self.ids[-8:]:
            view = self.router.contact(cid)
            if view.status in ENDED:
                continue
            why = self.router.explain(cid)
            assert (why.status, why.queue, why.channel) == (view.status, view.queue, view.channel)
            assert why.eligible + sum(why.ineligible.values()) == len(self.router.agent_ids())
            assert (why.position is not None) == (view.status == "waiting")
            assert why.next_timer is None or why.next_timer["at"] >= self.router.now
            if view.status == "scheduled":
                assert why.next_timer is not None and why.next_timer["at"] == self.due[cid], why.to_dict()
            if view.status in ("offered", "calling", "assigned"):
                assert why.agent == view.agent, (why.to_dict(), view.agent)

    @invariant()
    def engine_invariants(self) -> None:
        if self.router is not None:
            self.router.check_invariants()

    @invariant()
    def every_contact_is_known(self) -> None:
        if self.router is None:
            return
        for cid in self.ids[-20:]:
            v = self.router.contact(cid)
            assert v.status in ORDER

    @invariant()
    def one_place_each(self) -> None:
        """Against the model: every live contact is in exactly one place —
        scheduled (nowhere yet), waiting in its queue, offered (in its queue
        and held by the agent offered to), being called (in its queue, held
        by the calling agent) or assigned (held by its agent) — plus the
        first agent's hold during a warm transfer. Each queue's counters add
        up, and its waiting, offering, scheduled and callback figures and the
        router's live count match a count over the contacts."""
        r = self.router
        if r is None:
            return
        in_queue: dict[str, list[str]] = defaultdict(list)
        for q in QUEUES:
            for c in r.waiting(q):
                in_queue[c].append(q)
        held: dict[str, list[str]] = defaultdict(list)
        for a in r.agent_ids():
            for c in r.agent(a).contacts:
                held[c].append(a)
        for c in (*in_queue, *held):
            assert self.status.get(c, "ended") not in ENDED, (c, self.status.get(c))
        count: Counter[tuple[str, str]] = Counter()
        live = 0
        for cid, old in self.status.items():
            if old in ENDED:
                continue  # ended for good (and not in a queue nor held: above)
            v = r.contact(cid)
            if v.status in ENDED:
                assert cid not in in_queue and cid not in held, (cid, v.status)
                continue
            live += 1
            count[v.queue, v.status] += 1
            if v.status in ("waiting", "offered", "calling"):
                count[v.queue, "callback " + v.status] += cid in self.callbacks
            warm = [self.warm[cid][0]] if cid in self.warm and v.status in ("waiting", "offered") else []
            holders: dict[str, list[str | None]] = {"scheduled": [], "waiting": [*warm], "offered": [v.agent, *warm],
                                                    "calling": [v.agent], "assigned": [v.agent]}
            agents = holders[v.status]
            queues = [] if v.status in ("scheduled", "assigned") else [v.queue]
            assert (in_queue.get(cid, []), sorted(held.get(cid, []))) == (queues, sorted(map(str, agents))), \
                (cid, v.status, in_queue.get(cid), held.get(cid), agents, self.warm.get(cid))
            assert v.status != "calling" or cid in self.callbacks, cid
        assert r.live_contacts == live, (r.live_contacts, live)
        for q, s in r.stats().items():
            assert s.entered == (s.answered + s.abandoned + s.overflowed_out + s.transfers_failed
                                 + s.callbacks_failed + s.waiting), s.to_dict()
            assert s.waiting == len(r.waiting(q)) == count[q, "waiting"] + count[q, "offered"] + count[q, "calling"]
            assert s.callbacks_calling == count[q, "calling"], (q, s.to_dict())
            assert s.callbacks_waiting == count[q, "callback waiting"] + count[q, "callback offered"], \
                (q, s.to_dict(), count)
            # Offered to an agent now: offers, and callbacks an agent is calling.
            # Offered to an agent now (not a callback being called, nor one
            # waiting for its next call), and scheduled (not waiting yet).
            assert (s.offering, s.scheduled) == (count[q, "offered"], count[q, "scheduled"]), (q, s.to_dict(), count)

    @invariant()
    def scheduled_on_time(self) -> None:
        """A scheduled contact is scheduled exactly until its time."""
        r = self.router
        if r is None:
            return
        for cid, due in list(self.due.items()):
            v = r.contact(cid)
            if v.status == "scheduled":
                assert r.now < due and v.arrival == due, (cid, r.now, due, v.arrival)
            else:
                assert r.now >= due or v.status == "cancelled", (cid, v.status, r.now, due)
                del self.due[cid]


class StaffedMixMachine(MixMachine):
    """The same calls on a router that starts with two generalists (a4,
    a5): contacts are assigned, called and offered often enough that most
    runs transfer them, report callbacks and answer warm-transfer offers.
    (Without staff, most runs leave the contacts waiting.)"""

    @initialize(cfg=config.map(lambda cfg: {**cfg, "staff": 2}))
    def build(self, cfg: dict[str, Any]) -> None:
        super().build(cfg)


#: The examples and steps come from the hypothesis profile (conftest.py);
#: the staffed runs, where transfers, callbacks and warm offers happen, take
#: five times the profile's examples (some 5 s under the "ci" profile).
TestMix = MixMachine.TestCase
TestMix.settings = settings()
TestStaffedMix = StaffedMixMachine.TestCase
TestStaffedMix.settings = settings(max_examples=5 * settings().max_examples)
