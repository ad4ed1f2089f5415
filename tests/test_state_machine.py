"""Stateful property test: random sequences of calls against a Python model.

The machine drives a router with two channels (voice, exclusive; chat, a
quarter of an agent) and two queues ("main" with aging; "side", limited to
four waiting contacts, overflowing into "main" after 12 s), with or without
offers. It keeps a model of every agent and contact, fed ONLY by the
events the router returns, and checks each event as it is applied:

* an ``Offered``/``Assigned`` agent is available, has a free slot and the
  capacity units, is not excluded for the contact (it did not reject it or
  let an offer expire), meets the requirements in force (both the ones the
  ``StepAdvanced`` events announced and the ones computed from the time:
  initial requirements, replaced by step k once wait >= after_k), and is
  the contact's preferred/last agent while the contact waits for that
  agent (``force_assign`` alone skips skills, state and exclusions, never
  capacity);
* timer events happen exactly when due (steps at arrival + after, overflow
  12 s after entering "side", offers at their expiry, wrap-up ends);
* a contact moves only along waiting -> offered -> assigned -> completed,
  or to abandoned/refused, never twice.

After every step the invariants compare the model with every view of the
router: ``check_invariants()``, agent views (contacts, per-channel slots,
units, no contact held twice, no maximum exceeded), contact views (status,
agent, queue, requirements, step), waiting lists, statistics (counted from
the events, and offered == answered + abandoned + overflowed_out +
waiting, service level == answered_in_sl / (answered + abandoned)),
``agents_by_state``, ``decisions``, ``live_contacts``; and that no waiting
contact could be taken by a free eligible agent (routing is complete).

Rules whose call must fail assert the exception and that a full snapshot
of the router did not change. The engine checks the state a call depends
on (is the contact assigned? does the agent hold contacts? is the queue
full?) only after firing the timers due by the call's time, since those
may change it; such calls are made either right after ``advance(t)``
(outcome predicted by the model, failure must change nothing), or cold,
in which case a failure must be justified by the state the timers left
(their events come with the next call). Rules pick on purpose contacts
and agents that a due timer is about to route, to exercise those races.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

import ccroute as cc
from router_model import (
    AGENT_FIELDS,
    AGENT_IDS,
    COST,
    DEFAULT_MAX,
    DT,
    OVERFLOW_AFTER,
    PICK,
    RATE,
    SIDE_MAX,
    MAgent,
    MContact,
    ModelMachine,
    contact_fields,
    meets,
)


class RouterMachine(ModelMachine):
    """The rules (one router call each) and the invariants (every view of
    the router against the model); subclasses choose offer mode, wrap-up
    and policy."""

    # -- rules -----------------------------------------------------------

    def pick_agent(self, data: Any, pick: str, existing: bool) -> str:
        """An agent id: for pick "usual", one that exists (``existing``) or
        not; for "other", the opposite; any id when there is no choice."""
        present = [a for a in AGENT_IDS if a in self.agents]
        absent = [a for a in AGENT_IDS if a not in self.agents]
        pool = (present if existing else absent) if pick == "usual" else (absent if existing else present)
        return data.draw(st.sampled_from(pool or list(AGENT_IDS)))

    def add(self, aid: str, fields: dict[str, Any], t: float) -> None:
        agent = cc.Agent(aid, **fields)
        if aid in self.agents:
            before = self.snap()
            with pytest.raises(cc.DuplicateId, match=f'"{aid}"'):
                self.router.add_agent(agent, now=t)
            self.expect_unchanged(before)
            return
        channels = fields["channels"] or DEFAULT_MAX
        m = MAgent(aid, dict(fields["skills"]), fields["capacity"], {ch: channels.get(ch, 0) for ch in COST}, fields["state"],
                   idle_since=t)
        self.apply(self.router.add_agent(agent, now=t), t, added=m)

    @initialize(agents=st.lists(AGENT_FIELDS, min_size=2, max_size=4))
    def start_with_agents(self, agents):
        for aid, fields in zip(AGENT_IDS, agents, strict=False):
            self.add(aid, fields, 0.0)

    @rule(data=st.data(), pick=PICK, fields=AGENT_FIELDS, dt=DT)
    def add_agent(self, data, pick, fields, dt):
        t = self.tick(dt)
        self.add(self.pick_agent(data, pick, existing=False), fields, t)

    @rule(data=st.data(), pick=PICK, first=st.booleans(), dt=DT)
    def remove_agent(self, data, pick, first, dt):
        t = self.tick(dt)
        aid = self.pick_agent(data, pick, existing=True)
        # Often an agent that a timer due by t may hand a contact.
        due = [self.contacts[c] for c in self.timer_due(t)]
        racers = sorted(
            a.id for a in self.agents.values()
            if any(until <= t for _, until in a.wraps.values())
            or any(self.can_take(a, c.channel) and meets(a.skills, c.reqs_at(t)) and a.id not in c.excluded for c in due)
        )
        if racers and data.draw(st.booleans()):
            aid = data.draw(st.sampled_from(racers))
        if aid not in self.agents:
            before = self.snap()
            with pytest.raises(cc.UnknownId, match=f'"{aid}"'):
                self.router.remove_agent(aid, now=t)
            self.expect_unchanged(before)
            return

        def holding() -> list[str]:
            return [c for c in self.agents[aid].contacts if self.contacts[c].status == "assigned"]

        if not first:
            # Timers due by t may hand the agent a contact within the call.
            self.call_or_explain(lambda: self.router.remove_agent(aid, now=t), cc.InvalidState, holding, removed=aid)
            return
        self.apply(self.router.advance(t), t)
        if holding():
            before = self.snap()
            with pytest.raises(cc.InvalidState, match=f'"{aid}"'):
                self.router.remove_agent(aid, now=t)
            self.expect_unchanged(before)
            return
        self.apply(self.router.remove_agent(aid, now=t), t, removed=aid)

    @rule(data=st.data(), pick=PICK, state=st.sampled_from(["available", "available", "away", "offline"]), dt=DT)
    def set_state(self, data, pick, state, dt):
        t = self.tick(dt)
        aid = self.pick_agent(data, pick, existing=True)
        if aid not in self.agents:
            before = self.snap()
            with pytest.raises(cc.UnknownId, match=f'"{aid}"'):
                self.router.set_agent_state(aid, state, now=t)
            self.expect_unchanged(before)
            return
        self.apply(self.router.set_agent_state(aid, state, now=t), t, state_change=(aid, state))

    @rule(fields=contact_fields(), first=st.booleans(), dt=DT)
    def submit(self, fields, first, dt):
        t = self.tick(dt)
        c = MContact(self.new_id(), **fields)
        if c.queue == "side" and first:
            # Only "side" can be full; advance first so that fullness is known.
            self.apply(self.router.advance(t), t)
            if self.refuses(c, t):
                before = self.snap()
                with pytest.raises(cc.QueueFull, match=f'"side".*"{c.id}"'):
                    self.router.submit(c.spec(), now=t)
                self.expect_unchanged(before)
                return
        self.call_or_explain(lambda: self.router.submit(c.spec(), now=t), cc.QueueFull,
                             lambda: self.refuses(c, t), new=[c])

    @rule(batch=st.lists(contact_fields(), min_size=1, max_size=4), dup=st.sampled_from([None, None, None, "old", "inner"]), dt=DT)
    def submit_many(self, batch, dup, dt):
        t = self.tick(dt)
        cs = [MContact(self.new_id(), **f) for f in batch]
        specs = [c.spec() for c in cs]
        if dup == "old" and self.contacts or dup == "inner":
            bad = sorted(self.contacts)[len(cs) % len(self.contacts)] if dup == "old" else cs[0].id
            specs.append(cc.Contact(bad, channel="chat", queue="main"))
            before = self.snap()
            with pytest.raises(cc.DuplicateId, match=f'"{bad}"'):
                self.router.submit_many(specs, now=t)
            self.expect_unchanged(before)
            for c in cs:
                with pytest.raises(cc.UnknownId):
                    self.router.contact(c.id)
            return
        self.apply(self.router.submit_many(specs, now=t), t, new=cs)

    @precondition(lambda self: self.contacts)
    @rule(data=st.data(), first=st.booleans(), dt=DT)
    def cancel(self, data, first, dt):
        t = self.tick(dt)
        if first:
            self.apply(self.router.advance(t), t)
        c = self.contacts[self.pick_contact(data, t)]
        if not first:
            # A timer due by t may assign it within the call: then InvalidState.
            if c.status in ("waiting", "offered"):
                if self.call_or_explain(lambda: self.router.cancel(c.id, now=t), cc.InvalidState,
                                        lambda: c.status == "assigned"):
                    assert c.status == "abandoned"
                return
        if c.status in ("waiting", "offered"):
            self.apply(self.router.cancel(c.id, now=t), t)
            assert c.status == "abandoned"
            return
        before = self.snap()
        with pytest.raises(cc.InvalidState, match=f'"{c.id}"'):
            self.router.cancel(c.id, now=t)
        if first or c.status != "assigned":
            # (an assigned contact is refused only after the due timers)
            self.expect_unchanged(before)
        else:
            self.apply(self.router.advance(t), t)

    @precondition(lambda self: self.contacts)
    @rule(data=st.data(), first=st.booleans(), dt=DT)
    def complete(self, data, first, dt):
        t = self.tick(dt)
        if first:
            self.apply(self.router.advance(t), t)
        live = [cid for cid, c in sorted(self.contacts.items()) if c.status == "assigned"]
        cid = data.draw(st.sampled_from(live)) if live and data.draw(st.booleans()) else self.pick_contact(data, t)
        c = self.contacts[cid]
        if c.status in ("completed", "abandoned", "refused"):
            # An ended contact is refused before any timer fires.
            before = self.snap()
            with pytest.raises(cc.InvalidState, match=f'"{cid}"'):
                self.router.complete(cid, now=t)
            self.expect_unchanged(before)
            return
        if not first and c.status != "assigned":
            # A timer due by t may assign it within the call.
            if self.call_or_explain(lambda: self.router.complete(cid, now=t), cc.InvalidState,
                                    lambda: c.status != "assigned"):
                assert c.status == "completed"
            return
        if c.status == "assigned":
            self.apply(self.router.complete(cid, now=t), t)
            assert c.status == "completed"
            return
        before = self.snap()
        with pytest.raises(cc.InvalidState, match=f'"{cid}"'):
            self.router.complete(cid, now=t)
        self.expect_unchanged(before)

    @precondition(lambda self: self.contacts)
    @rule(data=st.data(), accept=st.sampled_from([True, True, False]), right_agent=st.sampled_from([True, True, True, False]),
          dt=st.sampled_from([0.0, 0.5, 1.0, 3.0]))
    def answer_offer(self, data, accept, right_agent, dt):
        t = self.tick(dt)
        self.apply(self.router.advance(t), t)
        offered = [cid for cid, c in sorted(self.contacts.items()) if c.status == "offered"]
        call = self.router.accept if accept else self.router.reject
        if offered and right_agent:
            c = self.contacts[data.draw(st.sampled_from(offered))]
            agent = c.agent
            self.apply(call(c.id, agent, now=t), t)
            assert c.status == ("assigned" if accept else "waiting") or (not accept and c.status == "offered")
            return
        if not self.agents:
            return
        cid = data.draw(st.sampled_from(self.all_ids()))
        aid = data.draw(st.sampled_from(sorted(self.agents)))
        c = self.contacts[cid]
        if c.status == "offered" and c.agent == aid:
            return
        before = self.snap()
        with pytest.raises(cc.InvalidState, match=f'"{cid}"'):
            call(cid, aid, now=t)
        self.expect_unchanged(before)

    @precondition(lambda self: self.contacts and self.agents)
    @rule(data=st.data(), dt=DT)
    def force_assign(self, data, dt):
        t = self.tick(dt)
        self.apply(self.router.advance(t), t)
        waiting = [cid for cid, c in sorted(self.contacts.items()) if c.status == "waiting"]
        cid = data.draw(st.sampled_from(waiting) if waiting and data.draw(st.booleans()) else st.sampled_from(self.all_ids()))
        aid = data.draw(st.sampled_from(sorted(self.agents)))
        c, a = self.contacts[cid], self.agents[aid]
        exc: type = cc.InvalidState
        if c.status == "waiting":
            if self.held(a)[c.channel] < a.max[c.channel] and a.capacity - self.used(a) >= COST[c.channel]:
                self.forcing = (cid, aid)
                self.apply(self.router.force_assign(cid, aid, now=t), t)
                assert self.forcing is None and c.status == "assigned" and c.agent == aid
                return
            exc = cc.CapacityError
        before = self.snap()
        with pytest.raises(exc, match=f'"{cid}"'):
            self.router.force_assign(cid, aid, now=t)
        self.expect_unchanged(before)

    @rule(dt=DT)
    def advance(self, dt):
        t = self.tick(dt)
        self.apply(self.router.advance(t), t)

    @rule(back=st.sampled_from([0.5, 3.0]))
    def advance_backwards(self, back):
        if self.clock < back:
            return
        before = self.snap()
        with pytest.raises(cc.InvalidInput, match="before the router's current time"):
            self.router.advance(self.clock - back)
        self.expect_unchanged(before)

    # -- invariants ------------------------------------------------------

    @invariant()
    def engine_invariants(self):
        self.router.check_invariants()
        assert self.router.now == self.clock
        assert self.router.decisions == self.decisions
        live = [c for c in self.contacts.values() if c.status in ("waiting", "offered", "assigned")]
        assert self.router.live_contacts == len(live)

    @invariant()
    def agents_match(self):
        r = self.router
        assert r.agent_ids() == sorted(self.agents)
        seen: set[str] = set()
        counts = dict(offline=0, available=0, away=0, busy=0, idle=0)
        for aid, m in self.agents.items():
            v = r.agent(aid)
            assert v.state == m.state
            assert set(v.contacts) == m.contacts and len(v.contacts) == len(m.contacts), (aid, v.contacts, m.contacts)
            assert not (seen & m.contacts), f"contacts {seen & m.contacts} held by two agents"
            seen |= m.contacts
            held = self.held(m)
            assert v.held == held, (aid, v.held, held)
            assert v.max == m.max
            assert v.used == self.used(m) == sum(held[ch] * COST[ch] for ch in COST)
            assert v.used <= v.capacity == m.capacity, f"{aid} over capacity"
            assert all(held[ch] <= m.max[ch] for ch in COST), f"{aid} over a channel maximum"
            assert v.wrap_ups == len(m.wraps)
            assert v.handled == m.handled
            assert v.idle_since == m.idle_since, (aid, v.idle_since, m.idle_since)
            assert v.busy == (v.used > 0)
            assert v.load == v.used / v.capacity
            counts[m.state] += 1
            if v.used > 0:
                counts["busy"] += 1
            elif m.state == "available":
                counts["idle"] += 1
        assert r.agents_by_state() == counts

    @invariant()
    def contacts_match(self):
        r = self.router
        now = self.clock
        for q in ("main", "side"):
            # Service order: effective priority, then arrival (then submission).
            expected = sorted(self.live_in(q), key=lambda c: (RATE[q] * c.arrival - c.priority, c.arrival, c.seq))
            assert r.waiting(q) == [c.id for c in expected], q
        for cid in self.refused[-3:]:
            with pytest.raises(cc.UnknownId):
                r.contact(cid)
        for c in self.contacts.values():
            v = r.contact(c.id)
            assert v.status == c.status, (c.id, v.status, c.status)
            assert (v.channel, v.queue, v.arrival) == (c.channel, c.queue, c.arrival)
            if c.status in ("waiting", "offered", "assigned"):
                assert v.agent == c.agent and v.priority == c.priority
                assert (c.agent is None) == (c.status == "waiting")
                if c.agent is not None:
                    assert c.id in self.agents[c.agent].contacts
            if c.status in ("waiting", "offered"):
                # Every due step applied, nothing early; requirements shown as announced.
                assert c.step == c.steps_due(now) == v.step, (c.id, c.step, c.steps_due(now), v.step)
                assert v.requires == c.reqs_announced() == c.reqs_at(now)
                assert v.wait == now - c.arrival
                assert not (c.queue == "side" and c.queue_entered + OVERFLOW_AFTER <= now), f"{c.id} should have overflowed"
            if c.status == "offered":
                assert c.offer_expires is not None and c.offer_expires > now
            if c.status == "assigned":
                assert v.wait == c.answered_at - c.arrival
            if c.status == "completed":
                assert (v.agent, v.priority, v.requires) == (self.contacts[c.id].agent, None, {})
                assert v.wait == c.answered_at - c.arrival
            if c.status == "abandoned":
                assert v.agent is None and v.wait == c.ended_at - c.arrival
            if c.status == "refused":
                assert v.agent is None and v.wait == 0.0
        for a in self.agents.values():
            for _, until in a.wraps.values():
                assert until > now

    @invariant()
    def routing_is_complete(self):
        """No waiting contact could be taken by a free eligible agent."""
        now = self.clock
        for c in self.contacts.values():
            if c.status != "waiting":
                continue
            pinned = self.pin_of(c, now)
            candidates = [self.agents[pinned]] if pinned is not None else list(self.agents.values())
            for a in candidates:
                assert not self.eligible(a, c), f"{c.id} ({c.channel}, {c.reqs_announced()}) waits while {a.id} is free for it"

    @invariant()
    def statistics_add_up(self):
        stats = self.router.stats()
        for q, k in self.counters.items():
            s = stats[q]
            live = self.live_in(q)
            for name in ("offered", "answered", "answered_in_sl", "abandoned", "abandoned_in_sl", "completed",
                         "overflowed_in", "overflowed_out", "refused"):
                assert getattr(s, name) == k[name], (q, name, getattr(s, name), k[name])
            assert s.waiting == len(live)
            assert s.offering == sum(c.status == "offered" for c in live)
            assert s.longest_wait == (self.clock - min(c.arrival for c in live) if live else 0.0)
            assert s.offered == s.answered + s.abandoned + s.overflowed_out + s.waiting
            handled = s.answered + s.abandoned
            if handled:
                assert s.service_level == pytest.approx(s.answered_in_sl / handled)
                assert s.abandon_rate == pytest.approx(s.abandoned / handled)
            else:
                assert s.service_level is None and s.abandon_rate is None
            if s.answered:
                assert s.asa == pytest.approx(k["wait_sum"] / s.answered)
            else:
                assert s.asa is None
            if q == "side":
                assert s.waiting <= SIDE_MAX


class AutoAcceptMachine(RouterMachine):
    """Auto-accept, no wrap-up, longest idle, no affinity wait."""


class OfferMachine(RouterMachine):
    """Offers (10 s to accept), 2 s of voice wrap-up, most skilled, 3 s affinity wait."""

    OFFER_TIMEOUT = 10.0
    WRAP_UP = 2.0
    POLICY = "most_skilled"
    AFFINITY_WAIT = 3.0


class Indifferent(cc.Policy):
    """Scores every candidate alike, so its fallback's order decides; reads
    every column on the way."""

    fallback = "longest_idle"

    def score(self, contact, agent):  # pragma: no cover
        raise AssertionError("not called")

    def score_many(self, contact, agents):
        n = len(agents)
        for col in (agents.load, agents.idle, agents.handled, agents.free_units, agents.level("s1")):
            assert len(col) == n
        assert len(agents.ids) == n and agents[n - 1].id == agents.ids[-1]
        return np.zeros(n)


class PluginOfferMachine(OfferMachine):
    """Offers and wrap-up as `OfferMachine`, with a vectorised plug-in
    that leaves every decision to its longest-idle fallback: the same
    routing, with the plug-in's candidate facts checked with every
    invariant."""

    POLICY = Indifferent()

    @invariant()
    def the_plug_in_never_fails(self) -> None:
        assert self.router.policy_errors == 0


#: The examples and steps come from the hypothesis profile (conftest.py):
#: a fixed set for `make test`, many random ones for `make fuzz`.
MACHINE_SETTINGS = settings()

TestAutoAccept = AutoAcceptMachine.TestCase
TestAutoAccept.settings = MACHINE_SETTINGS
TestOffers = OfferMachine.TestCase
TestOffers.settings = MACHINE_SETTINGS
TestPluginOffers = PluginOfferMachine.TestCase
TestPluginOffers.settings = MACHINE_SETTINGS
