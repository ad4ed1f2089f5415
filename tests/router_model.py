"""The model behind the stateful router test (test_state_machine.py).

The router under test has two channels (voice, exclusive; chat, a quarter
of an agent) and two queues ("main" with aging; "side", limited to four
waiting contacts, overflowing into "main" after 12 s). :class:`ModelMachine`
keeps a model of every agent and contact, fed only by the events the
router returns, and checks each event as it is applied (see the docstring
of test_state_machine.py for what is checked); the hypothesis strategies
for agents and contacts are here too, beside the model they feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine

import ccroute as cc
from conftest import snapshot

SKILLS = ("en", "es", "tech")
AGENT_IDS = ("a0", "a1", "a2", "a3", "a4")
CUSTOMERS = ("k0", "k1", "k2")
COST = {"voice": 100, "chat": 25}
DEFAULT_MAX = {"voice": 1, "chat": 3}
SL_THRESHOLD = {"main": 10.0, "side": 6.0}
SIDE_MAX = 4
#: Aging rates (a binary fraction, so effective priorities are exact).
RATE = {"main": 0.25, "side": 0.0}
OVERFLOW_AFTER = 12.0
DT = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0])


@dataclass
class MAgent:
    id: str
    skills: dict[str, int]
    capacity: int
    max: dict[str, int]
    state: str
    contacts: set[str] = field(default_factory=set)  # offered or assigned
    wraps: dict[str, tuple[str, float]] = field(default_factory=dict)  # contact -> (channel, until)
    handled: int = 0
    idle_since: float = 0.0


@dataclass
class MContact:
    id: str
    channel: str
    queue: str
    priority: int
    requires: dict[str, int]
    steps: list[tuple[float, dict[str, int]]]
    customer: Optional[str]
    preferred_agent: Optional[str]
    preferred_wait: float
    seq: int = 0
    arrival: float = 0.0
    queue_entered: float = 0.0
    status: str = "new"
    agent: Optional[str] = None
    step: int = 0  # steps announced by StepAdvanced
    excluded: set[str] = field(default_factory=set)
    offer_expires: Optional[float] = None
    pin: Optional[tuple[str, float]] = None  # (agent, until) while waiting for one agent
    answered_at: Optional[float] = None
    ended_at: Optional[float] = None

    def spec(self) -> cc.Contact:
        return cc.Contact(
            self.id, channel=self.channel, queue=self.queue, priority=self.priority, requires=self.requires,
            customer=self.customer, preferred_agent=self.preferred_agent, preferred_wait=self.preferred_wait,
            steps=[cc.Step(after=a, requires=r) for a, r in self.steps],
        )

    def reqs_announced(self) -> dict[str, int]:
        """Requirements in force as the StepAdvanced events announced them."""
        return self.steps[self.step - 1][1] if self.step else self.requires

    def reqs_at(self, t: float) -> dict[str, int]:
        """Requirements in force at time t, from the wait alone."""
        reqs = self.requires
        for after, step_reqs in self.steps:
            if self.arrival + after <= t:
                reqs = step_reqs
        return reqs

    def steps_due(self, t: float) -> int:
        return sum(1 for after, _ in self.steps if self.arrival + after <= t)


def meets(skills: dict[str, int], reqs: dict[str, int]) -> bool:
    return all(skills.get(s, 0) >= level for s, level in reqs.items())


@st.composite
def contact_fields(draw: Any) -> dict[str, Any]:
    requires = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 8), max_size=2))
    steps: list[tuple[float, dict[str, int]]] = []
    after, prev = 0.0, requires
    for _ in range(draw(st.integers(0, 2))):
        # after 0: in force from arrival, before the first routing.
        after += draw(st.sampled_from([0.0, 1.0, 2.0, 4.0, 7.0]))
        new = {s: draw(st.integers(1, lvl)) for s, lvl in sorted(prev.items()) if draw(st.booleans())}
        steps.append((after, new))
        prev = new
    preferred = draw(st.sampled_from((None, None, None, *AGENT_IDS)))
    return dict(
        channel=draw(st.sampled_from(["voice", "chat"])),
        queue=draw(st.sampled_from(["main", "side"])),
        priority=draw(st.integers(0, 3)),
        requires=requires,
        steps=steps,
        customer=draw(st.sampled_from((None, *CUSTOMERS))),
        preferred_agent=preferred,
        preferred_wait=draw(st.sampled_from([0.0, 3.0, 6.0])) if preferred else 0.0,
    )


AGENT_CHANNELS = st.sampled_from([None, {"voice": 1, "chat": 3}, {"chat": 2}, {"voice": 1}, {"voice": 1, "chat": 1}])
AGENT_SKILLS = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), min_size=1, max_size=3)
AGENT_FIELDS = st.fixed_dictionaries(dict(
    skills=AGENT_SKILLS,
    channels=AGENT_CHANNELS,
    capacity=st.sampled_from([100, 100, 100, 50, 125]),
    state=st.sampled_from(["available", "available", "available", "away", "offline"]),
))
#: Which agent a rule picks: mostly one that exists (or, to add, one that does not).
PICK = st.sampled_from(["usual", "usual", "usual", "other"])


class ModelMachine(RuleBasedStateMachine):
    """The router, the model of it and the check of every event against
    the model; the rules and invariants are in ``RouterMachine``
    (test_state_machine.py), the settings (offer mode, wrap-up, policy)
    in its subclasses."""

    OFFER_TIMEOUT: Optional[float] = None
    WRAP_UP = 0.0
    POLICY = "longest_idle"
    AFFINITY_WAIT = 0.0

    def __init__(self) -> None:
        super().__init__()
        self.router = cc.Router(
            channels=[cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=self.WRAP_UP),
                      cc.Channel("chat", cost=25, max_per_agent=3)],
            queues=[cc.Queue("main", sl_threshold=SL_THRESHOLD["main"], aging_rate=RATE["main"]),
                    cc.Queue("side", sl_threshold=SL_THRESHOLD["side"], max_waiting=SIDE_MAX,
                             overflow_to="main", overflow_after=OVERFLOW_AFTER)],
            policy=self.POLICY,
            offer_timeout=self.OFFER_TIMEOUT,
            seed=1,
            affinity=True,
            affinity_wait=self.AFFINITY_WAIT,
            # The model keeps the agent available after a missed offer and
            # exclusions for good (tests/test_offer_rules.py covers the rest).
            missed_offer_state="available",
            exclusion_expires_after=None,
        )
        self.t = 0.0  # the time of the latest call (it may have failed)
        self.clock = 0.0  # the router's time: the latest call that succeeded
        self.expect_target: dict[str, str] = {}  # contact -> agent it must go to at once
        self.removing: Optional[str] = None  # agent being removed by the current call
        self.forcing: Optional[tuple[str, str]] = None  # (contact, agent) of a force_assign call
        # The routing decision the next event may be, to check its choice:
        self.fresh: set[str] = set()  # contacts being routed by agent surplus (the policy picks)
        self.surplus: Optional[str] = None  # agent taking waiting contacts (best contact first)
        self.agents: dict[str, MAgent] = {}
        self.contacts: dict[str, MContact] = {}
        self.last_agent: dict[str, str] = {}
        self.next_id = 0
        #: Ids refused in a batch (free again: the router must not know them).
        self.refused: list[str] = []
        self.seq = 0
        self.decisions = 0
        self.counters = {q: dict(offered=0, answered=0, answered_in_sl=0, abandoned=0, abandoned_in_sl=0, completed=0,
                                 overflowed_in=0, overflowed_out=0, refused=0, wait_sum=0.0) for q in ("main", "side")}

    # -- model helpers ---------------------------------------------------

    @property
    def offers(self) -> bool:
        return self.OFFER_TIMEOUT is not None

    def held(self, a: MAgent) -> dict[str, int]:
        h = {"voice": 0, "chat": 0}
        for cid in a.contacts:
            h[self.contacts[cid].channel] += 1
        for ch, _ in a.wraps.values():
            h[ch] += 1
        return h

    def used(self, a: MAgent) -> int:
        return sum(n * COST[ch] for ch, n in self.held(a).items())

    def can_take(self, a: MAgent, ch: str) -> bool:
        return a.state == "available" and self.held(a)[ch] < a.max[ch] and a.capacity - self.used(a) >= COST[ch]

    def eligible(self, a: MAgent, c: MContact) -> bool:
        return self.can_take(a, c.channel) and meets(a.skills, c.reqs_announced()) and a.id not in c.excluded

    def live_in(self, q: str) -> list[MContact]:
        return [c for c in self.contacts.values() if c.queue == q and c.status in ("waiting", "offered")]

    def queue_full(self, q: str) -> bool:
        return q == "side" and len(self.live_in(q)) >= SIDE_MAX

    def refuses(self, c: MContact, now: float) -> bool:
        """A full queue refuses only a contact that would wait there: in
        auto-accept mode, one that no agent takes the moment it arrives
        (mirrors ``insert``); in offer mode, every one."""
        if not self.queue_full(c.queue):
            return False
        if self.offers:
            return True  # an offered contact counts against max_waiting
        saved = (c.step, c.arrival)
        c.arrival = now
        c.step = c.steps_due(now)
        try:
            target, wait = None, 0.0
            if c.preferred_agent is not None:
                target, wait = c.preferred_agent, c.preferred_wait
            elif c.customer is not None:
                target, wait = self.last_agent.get(c.customer), self.AFFINITY_WAIT
            if target is not None and target in self.agents:
                if self.eligible(self.agents[target], c):
                    return False
                if wait > 0:
                    return True
            return not any(self.eligible(a, c) for a in self.agents.values())
        finally:
            c.step, c.arrival = saved

    def pin_of(self, c: MContact, t: float) -> Optional[str]:
        """The one agent a waiting contact waits for at time t, if any."""
        if c.pin is not None and c.pin[1] > t and c.pin[0] in self.agents:
            return c.pin[0]
        return None

    def timer_due(self, t: float) -> list[str]:
        """Waiting contacts that a timer due by t may route (a step, the
        end of a wait for one agent, an overflow): calls about them at t
        race with those timers."""
        return sorted(
            c.id for c in self.contacts.values()
            if c.status == "waiting" and (
                c.steps_due(t) > c.step
                or (c.pin is not None and c.pin[1] <= t)
                or (c.queue == "side" and c.queue_entered + OVERFLOW_AFTER <= t))
        )

    def pick_contact(self, data: Any, t: float) -> str:
        """A contact id, often one whose timer is due by t."""
        due = self.timer_due(t)
        if due and data.draw(st.booleans()):
            return data.draw(st.sampled_from(due))
        return data.draw(st.sampled_from(self.all_ids()))

    def tick(self, dt: float) -> float:
        self.t += dt
        return self.t

    def all_ids(self) -> list[str]:
        return sorted(self.contacts)

    def snap(self) -> dict[str, Any]:
        return snapshot(self.router, self.all_ids())

    def expect_unchanged(self, before: dict[str, Any]) -> None:
        assert self.snap() == before
        self.router.check_invariants()

    def new_id(self) -> str:
        self.next_id += 1
        return f"c{self.next_id}"

    def release(self, c: MContact) -> None:
        assert c.agent is not None
        self.agents[c.agent].contacts.discard(c.id)
        c.agent = None

    # -- applying events -------------------------------------------------

    def insert(self, c: MContact, now: float) -> None:
        assert not self.refuses(c, now), f"{c.id} entered the full queue {c.queue} and would wait"
        self.seq += 1
        c.seq, c.arrival, c.queue_entered, c.status = self.seq, now, now, "waiting"
        self.contacts[c.id] = c
        self.counters[c.queue]["offered"] += 1
        target, wait = None, 0.0
        if c.preferred_agent is not None:
            target, wait = c.preferred_agent, c.preferred_wait
        elif c.customer is not None:
            target, wait = self.last_agent.get(c.customer), self.AFFINITY_WAIT
        if target is not None and target in self.agents:
            # Steps with after 0 are in force before this first routing
            # (their StepAdvanced events follow).
            initial = c.step
            c.step = c.steps_due(now)
            fits = self.eligible(self.agents[target], c)
            c.step = initial
            if fits:
                self.expect_target[c.id] = target
                return
            if wait > 0:
                c.pin = (target, now + wait)
                return
        self.fresh = {c.id}

    def apply(self, events: list, now: float, new: list[MContact] = (), added: Optional[MAgent] = None,
              state_change: Optional[tuple[str, str]] = None, removed: Optional[str] = None) -> None:
        """Checks and applies the events of one call made at ``now``.

        ``new``: contacts submitted by the call, in order (inserted when the
        first event about them shows up, or at the end). ``added``: an agent
        added by the call (inserted at its first event, or at the end).
        ``state_change``: (agent, state), applied before the first event of
        the withdrawal or of the routing it causes. ``removed``: an agent
        removed by the call: timer events may still involve it, then its
        offers are withdrawn (Requeued) and it is gone; the model drops it at
        the end, when it must hold nothing.
        """
        pending = list(new)
        self.expect_target = {}
        self.removing = removed
        last_at = self.clock
        self.fresh, self.surplus = set(), None
        for ev in events:
            assert last_at <= ev.at <= now, f"{ev} out of order (after {last_at}, call at {now})"
            if ev.at != last_at:
                # A later instant: what routed at the last one is over (a
                # wait for one agent may end silently, and its contact be
                # routed with no event before it).
                self.fresh, self.surplus = set(), None
            last_at = ev.at
            agent = getattr(ev, "agent", None)
            routing = isinstance(ev, cc.Offered if self.offers else cc.Assigned) and self.forcing is None
            if self.fresh and ev.contact not in self.fresh:
                self.fresh = set()
            if self.surplus is not None and not (routing and (agent == self.surplus or ev.contact in self.fresh)):
                self.surplus = None
            if added is not None and agent == added.id:
                # A new agent takes waiting contacts at once (contact surplus).
                self.agents[added.id], added = added, None
                self.surplus = agent
            if state_change is not None and agent == state_change[0]:
                # Becoming available: before the first contact it takes (a
                # timer cannot route to it before). Leaving: before its
                # first withdrawn offer (timers may still route to it).
                if (isinstance(ev, (cc.Offered, cc.Assigned)) if state_change[1] == "available"
                        else isinstance(ev, cc.Requeued)):
                    self.set_model_state(state_change[0], state_change[1], now)
                    state_change = None
            if any(p.id == ev.contact for p in pending):
                while pending[0].id != ev.contact:
                    self.insert(pending.pop(0), now)
                c = pending.pop(0)
                if isinstance(ev, cc.Refused):
                    # Ended by its event alone: not offered, and its id stays free.
                    assert self.refuses(c, now) and ev.queue == c.queue and ev.at == now, ev
                    self.counters[c.queue]["refused"] += 1
                    self.refused.append(c.id)
                    continue
                self.insert(c, now)
            self.handle(ev, now)
        for c in pending:
            self.insert(c, now)
        if added is not None:
            self.agents[added.id] = added
        if state_change is not None:
            self.set_model_state(state_change[0], state_change[1], now)
        if removed is not None:
            self.remove_model_agent(removed)
        self.removing = None
        assert not self.expect_target, f"not routed to their preferred/last agent: {self.expect_target}"
        self.clock = now

    def set_model_state(self, aid: str, state: str, now: float) -> None:
        a = self.agents[aid]
        if state == "available" and a.state != "available":
            a.idle_since = now
            self.surplus = aid
        a.state = state

    def agent_key(self, a: MAgent, c: MContact) -> tuple:
        """The policy's order of agents for a contact (smallest first)."""
        policy = self.POLICY if isinstance(self.POLICY, str) else self.POLICY.fallback
        if policy == "most_skilled":
            return (-sum(a.skills.get(s, 0) for s in c.reqs_announced()), a.idle_since, a.id)
        assert policy == "longest_idle"
        return (a.idle_since, a.id)

    def contact_key(self, c: MContact, t: float) -> tuple:
        """The order of waiting contacts for an agent: highest effective
        priority, then longest wait (then submission order)."""
        return (-(c.priority + RATE[c.queue] * (t - c.arrival)), c.arrival, c.seq)

    def remove_model_agent(self, aid: str) -> None:
        a = self.agents.pop(aid)
        assert not a.contacts, f"removed agent {aid} still holds {a.contacts}"
        for c in self.contacts.values():
            c.excluded.discard(aid)  # a new agent with that id is another agent
            if c.pin is not None and c.pin[0] == aid:
                c.pin = None

    def check_route(self, ev: Any, c: MContact) -> None:
        a = self.agents.get(ev.agent)
        assert a is not None, f"{ev}: unknown agent"
        assert c.status == "waiting", f"{ev}: contact is {c.status}"
        assert a.state == "available", f"{ev}: agent is {a.state}"
        assert self.can_take(a, c.channel), f"{ev}: no room (held {self.held(a)}, used {self.used(a)})"
        assert ev.agent not in c.excluded, f"{ev}: agent excluded"
        assert meets(a.skills, c.reqs_announced()), f"{ev}: {a.skills} do not meet {c.reqs_announced()}"
        assert meets(a.skills, c.reqs_at(ev.at)), f"{ev}: {a.skills} do not meet {c.reqs_at(ev.at)} in force"
        pinned = c.pin[0] if c.pin is not None and c.pin[1] > ev.at else None
        if pinned is not None and pinned in self.agents and pinned != self.removing:
            assert ev.agent == pinned, f"{ev}: contact waits for {pinned}"
        if c.id in self.expect_target:
            assert ev.agent == self.expect_target.pop(c.id), f"{ev}: not its preferred/last agent"
        elif (c.id in self.fresh or self.surplus is None and c.pin is not None and c.pin[1] == ev.at) \
                and self.pin_of(c, ev.at) is None:
            # Agent surplus (a fresh contact, or one whose wait for one agent
            # just ended): the policy's best eligible agent.
            fit = [b for b in self.agents.values() if self.eligible(b, c)]
            best = min(fit, key=lambda b: self.agent_key(b, c))
            assert ev.agent == best.id, f"{ev}: {self.POLICY} picks {best.id} (keys {[(b.id, self.agent_key(b, c)) for b in fit]})"
        elif ev.agent == self.surplus:
            # Contact surplus: the agent takes the best waiting contact it can serve.
            fit = [d for d in self.contacts.values()
                   if d.status == "waiting" and self.eligible(a, d) and self.pin_of(d, ev.at) in (None, a.id)]
            best_c = min(fit, key=lambda d: self.contact_key(d, ev.at))
            assert c.id == best_c.id, f"{ev}: {a.id} should take {best_c.id} ({[(d.id, self.contact_key(d, ev.at)) for d in fit]})"
        self.fresh.discard(c.id)
        self.decisions += 1
        c.agent, c.pin = ev.agent, None
        a.contacts.add(c.id)

    def answer(self, ev: Any, c: MContact) -> None:
        assert ev.wait == ev.at - c.arrival, ev
        c.status, c.answered_at = "assigned", ev.at
        k = self.counters[c.queue]
        k["answered"] += 1
        k["wait_sum"] += ev.wait
        k["answered_in_sl"] += ev.wait <= SL_THRESHOLD[c.queue]
        if c.customer is not None:
            self.last_agent[c.customer] = ev.agent

    def handle(self, ev: Any, now: float) -> None:
        c = self.contacts.get(ev.contact)
        assert c is not None, f"{ev}: unknown contact"
        if isinstance(ev, cc.Offered):
            assert self.offers, ev
            self.check_route(ev, c)
            assert ev.expires == ev.at + self.OFFER_TIMEOUT, ev
            c.status, c.offer_expires = "offered", ev.expires
        elif isinstance(ev, cc.Assigned) and self.forcing == (c.id, ev.agent) and c.status == "waiting":
            # force_assign: skills, state, exclusions and offers do not apply.
            a = self.agents[ev.agent]
            assert ev.at == now and self.held(a)[c.channel] < a.max[c.channel], ev
            assert a.capacity - self.used(a) >= COST[c.channel], ev
            self.decisions += 1
            c.agent, c.pin, self.forcing = ev.agent, None, None
            a.contacts.add(c.id)
            self.answer(ev, c)
        elif isinstance(ev, cc.Assigned):
            if self.offers:
                assert c.status == "offered" and c.agent == ev.agent and ev.at == now, f"{ev}: accept of {c.status}"
            else:
                self.check_route(ev, c)
            self.answer(ev, c)
        elif isinstance(ev, (cc.OfferExpired, cc.OfferRejected, cc.Requeued)):
            assert c.status == "offered" and c.agent == ev.agent, f"{ev}: contact is {c.status} with {c.agent}"
            if isinstance(ev, cc.OfferExpired):
                assert ev.at == c.offer_expires, ev
            else:
                assert ev.at == now, ev
            if not isinstance(ev, cc.Requeued):
                # Returned: the contact is routed again (agent surplus), then
                # the agent takes what it can (contact surplus).
                c.excluded.add(ev.agent)
                self.fresh, self.surplus = {c.id}, ev.agent
            self.release(c)
            c.status, c.offer_expires = "waiting", None
        elif isinstance(ev, cc.Abandoned):
            assert c.status in ("waiting", "offered") and ev.at == now and ev.wait == now - c.arrival, ev
            if c.status == "offered":
                self.surplus = c.agent  # freed by the abandon, it takes what it can
                self.release(c)
            c.status, c.ended_at, c.pin = "abandoned", now, None
            k = self.counters[c.queue]
            k["abandoned"] += 1
            k["abandoned_in_sl"] += ev.wait <= SL_THRESHOLD[c.queue]
        elif isinstance(ev, cc.Completed):
            assert c.status == "assigned" and c.agent == ev.agent and ev.at == now, ev
            a = self.agents[ev.agent]
            a.contacts.discard(c.id)
            a.handled += 1
            if c.channel == "voice" and self.WRAP_UP > 0:
                a.wraps[c.id] = ("voice", now + self.WRAP_UP)
            else:
                a.idle_since, self.surplus = now, a.id
            c.status, c.ended_at = "completed", now
            self.counters[c.queue]["completed"] += 1
        elif isinstance(ev, cc.WrapUpEnded):
            a = self.agents[ev.agent]
            assert ev.contact in a.wraps and a.wraps[ev.contact][1] == ev.at, ev
            del a.wraps[ev.contact]
            a.idle_since, self.surplus = ev.at, a.id
        elif isinstance(ev, cc.Overflowed):
            assert c.status in ("waiting", "offered"), f"{ev}: contact is {c.status}"
            assert (ev.from_queue, ev.to_queue) == (c.queue, "main") == ("side", "main"), ev
            assert ev.at == c.queue_entered + OVERFLOW_AFTER, ev
            self.counters["side"]["overflowed_out"] += 1
            self.counters["main"]["overflowed_in"] += 1
            self.counters["main"]["offered"] += 1
            c.queue, c.queue_entered = "main", ev.at
        elif isinstance(ev, cc.StepAdvanced):
            assert c.status in ("waiting", "offered"), f"{ev}: contact is {c.status}"
            assert ev.step == c.step and ev.at == c.arrival + c.steps[ev.step][0], ev
            c.step += 1
            if c.status == "waiting":
                self.fresh = {c.id}  # relaxed: routed again at once
        else:
            raise AssertionError(f"unexpected event {ev!r}")

    def call_or_explain(self, call: Any, exc: type, why: Any, **apply_kwargs: Any) -> bool:
        """Makes a call at ``self.t`` whose outcome depends on timers due
        within it. If it raises ``exc``, the timers' events come with the
        next call: fetch them, apply them, and check with ``why()`` that the
        state they produced justifies the error. Returns whether it worked."""
        t = self.t
        try:
            events = call()
        except exc:
            self.apply(self.router.advance(t), t)
            assert why(), "the call failed although the state allowed it"
            return False
        self.apply(events, t, **apply_kwargs)
        return True
