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
own restored snapshot.

The checks, after every call: ``check_invariants()`` (loads, indexes,
wait-group keys, routing complete); a call either succeeds or raises one
of the documented ``RoutingError`` classes, never ``InternalError`` or
anything else; a call refused before it starts (bad input) leaves the
snapshot bytes unchanged; every submitted contact is known to the router
until it ends and its status only moves forward; a snapshot restores to a
router that writes the same bytes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import ccroute as cc

SKILLS = ("en", "es", "tech")
AGENTS = ("a0", "a1", "a2", "a3", "a4", "a5")
CHANNELS = [cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=1.0), cc.Channel("chat", cost=25, max_per_agent=3)]
DT = st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.5, 5.0, 12.0, 30.0])
ORDER = {"waiting": 0, "offered": 1, "assigned": 2, "completed": 3, "abandoned": 3, "refused": 3}
ALLOWED = (cc.UnknownId, cc.DuplicateId, cc.InvalidInput, cc.InvalidState, cc.CapacityError, cc.QueueFull)

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
})


#: Contact fields that do not matter to :func:`make_contact`'s steps.
FIELDS = {"channel": "voice", "queue": "q0", "priority": 0, "preferred": None, "customer": None}
update_fields = st.fixed_dictionaries({
    "priority": st.sampled_from([None, None, -1, 5]),
    "requires": st.one_of(st.none(), st.none(), st.just({}), skills, st.just({"en": 11})),
    "prefers": st.sampled_from([None, None, {}, {"es": 4}]),
    "steps": st.one_of(st.none(), st.none(), steps),
    "attributes": st.sampled_from([None, None, {}, {"vip": True}]),
    "age_offset": st.sampled_from([None, None, 0.0, 6.0, 30.0]),
})


def make_contact(cid: str, f: dict[str, Any]) -> cc.Contact:
    """A contact whose steps only widen the pool: each step halves the
    levels of the one before (and drops what reaches 0)."""
    reqs = dict(f["requires"])
    built, after = [], 0.0
    for inc, when in f["steps"]:
        after += inc
        reqs = {s: lv // 2 for s, lv in reqs.items() if lv // 2 >= 1}
        built.append(cc.Step(after, dict(reqs), when=when))
    pref = f["preferred"]
    return cc.Contact(cid, channel=f["channel"], queue=f["queue"], priority=f["priority"], requires=f["requires"],
                      steps=built, customer=f["customer"], preferred_agent=pref[0] if pref else None,
                      preferred_wait=pref[1] if pref else 0.0)


class MixMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.router: cc.Router | None = None
        self.t = 0.0
        self.ids: list[str] = []
        self.status: dict[str, str] = {}
        self.next_id = 0

    @initialize(cfg=config)
    def build(self, cfg: dict[str, Any]) -> None:
        policy: Any = cfg["policy"]
        if policy == "chain":
            policy = cc.Chain("most_skilled", "least_occupied", "longest_idle")
        elif policy == "weighted":
            policy = cc.Weighted({"skill": 1.0, "idle": 0.01, "load": -2.0})
        hop1, hop2 = cfg["hops"]
        queues = [
            cc.Queue("q0", ordering=cfg["q0"], sl_threshold=10.0),
            cc.Queue("q1", overflow_to="q2", overflow_after=hop1, **cfg["q1"]),
            cc.Queue("q2", overflow_to="q0", overflow_after=hop2, max_waiting=cfg["q2_max"], **cfg["q2"]),
        ]
        profiles = [cc.RoutingProfile("front", {"q0": 1, "q1": (0, 4.0), "q2": 0}),
                    cc.RoutingProfile("back", {"q1": 2, "q2": (1, 6.0)})]
        self.router = cc.Router(channels=CHANNELS, queues=queues, policy=policy, routing_profiles=profiles,
                                offer_timeout=10.0 if cfg["offers"] else None, affinity_wait=cfg["affinity_wait"],
                                missed_offer_state=cfg["missed"], exclusion_expires_after=cfg["expiry"], seed=7)

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

    def follow(self, events: list) -> None:
        for ev in events:
            # Every event names a channel, the contact's (which never changes).
            if ev.contact in self.status and self.router is not None:
                assert ev.channel in (None, self.router.contact(ev.contact).channel), ev
            new = {cc.Offered: "offered", cc.Assigned: "assigned", cc.Completed: "completed",
                   cc.Abandoned: "abandoned", cc.Refused: "refused", cc.Requeued: "waiting",
                   cc.OfferRejected: "waiting", cc.OfferExpired: "waiting"}.get(type(ev))
            if new is None or ev.contact not in self.status:
                continue
            old = self.status[ev.contact]
            assert ORDER[new] >= ORDER[old] or (old == "offered" and new == "waiting"), (ev, old)
            self.status[ev.contact] = new

    def new_id(self) -> str:
        self.next_id += 1
        return f"c{self.next_id}"

    def tick(self, dt: float) -> float:
        self.t += dt
        return self.t

    def pick(self, data: Any) -> str:
        return data.draw(st.sampled_from(self.ids))

    # -- agents -----------------------------------------------------------------
    @rule(aid=st.sampled_from(AGENTS), sk=skills, state=st.sampled_from(["available", "available", "away", "offline"]),
          capacity=st.sampled_from([100, 100, 50]), chans=st.sampled_from([None, {"chat": 2}, {"voice": 1, "chat": 1}]),
          profile=st.sampled_from([None, None, "front", "back"]), update=st.booleans(), dt=DT)
    def agent(self, aid, sk, state, capacity, chans, profile, update, dt) -> None:
        assert self.router is not None
        a = cc.Agent(aid, skills=sk, state=state, capacity=capacity, channels=chans, routing_profile=profile)
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
        self.ids.append(cid)
        self.status[cid] = "waiting"
        self.follow(events)

    @rule(batch=st.lists(contact_fields, min_size=1, max_size=4), dt=DT)
    def submit_many(self, batch, dt) -> None:
        assert self.router is not None
        cids = [self.new_id() for _ in batch]
        events = self.router.submit_many([make_contact(c, f) for c, f in zip(cids, batch, strict=True)], now=self.tick(dt))
        refused = {e.contact for e in events if isinstance(e, cc.Refused)}
        for c in cids:
            if c not in refused:
                self.ids.append(c)
                self.status[c] = "waiting"
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
            self.call(r.cancel, cid, now=t)
        elif verb == "force":
            self.call(r.force_assign, cid, data.draw(st.sampled_from(AGENTS)), now=t)
        elif agent is not None:
            self.call(r.accept if verb == "accept" else r.reject, cid, agent, now=t)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), change=update_fields, stale=st.sampled_from([False, False, False, True]), dt=DT)
    def update(self, data, change, stale, dt) -> None:
        """An update raises the version by exactly one; a refused one (bad
        level, wider than the remaining steps, stale version, contact not
        waiting or offered) changes nothing."""
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
            live = view.status in ("waiting", "offered")
            if isinstance(exc, cc.VersionConflict):
                assert live and kwargs["if_version"] != view.version
            if isinstance(exc, cc.InvalidState):
                assert not live
            assert r.snapshot() == before
            assert r.contact(cid).version == view.version
            return
        assert view.status in ("waiting", "offered") and kwargs.get("if_version", view.version) == view.version
        assert r.contact(cid).version == view.version + 1
        self.follow(events)

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
            if view.status not in ("waiting", "offered", "assigned"):
                continue
            why = self.router.explain(cid)
            assert (why.status, why.queue, why.channel) == (view.status, view.queue, view.channel)
            assert why.eligible + sum(why.ineligible.values()) == len(self.router.agent_ids())
            assert (why.position is not None) == (view.status == "waiting")
            assert why.next_timer is None or why.next_timer["at"] >= self.router.now

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


#: The examples and steps come from the hypothesis profile (conftest.py).
TestMix = MixMachine.TestCase
TestMix.settings = settings()
