"""The router's calls as a user sees them: submit and routing, agents,
contacts through their life, statistics, multichannel capacity, wrap-up
and forced assignment. (The package's names, events and records:
test_names_and_records.py.)"""

from __future__ import annotations

import math

import pytest

import ccroute as cc
from conftest import CHAT, EMAIL, VOICE, make_router, snapshot, two_channel_router

# -- submit and routing --------------------------------------------------


def test_submit_waits_when_nobody_fits_and_is_taken_when_an_agent_arrives():
    r = two_channel_router()
    assert r.submit(cc.Contact("c1", channel="voice", queue="sales", requires={"spanish": 5}), now=1.0) == []
    assert r.waiting("sales") == ["c1"]
    assert r.live_contacts == 1
    # Too low a level: not eligible.
    assert r.add_agent(cc.Agent("low", skills={"spanish": 4}), now=2.0) == []
    # Exactly the level: eligible.
    assert r.add_agent(cc.Agent("ok", skills={"spanish": 5}), now=3.5) == [
        cc.Assigned(contact="c1", agent="ok", at=3.5, wait=2.5)]
    assert r.waiting("sales") == []
    assert r.decisions == 1
    r.check_invariants()


def test_every_required_skill_is_needed_and_preferred_skills_never_exclude():
    r = two_channel_router()
    r.add_agent(cc.Agent("only_es", skills={"spanish": 9}), now=0.0)
    r.add_agent(cc.Agent("both", skills={"spanish": 5, "billing": 5}), now=1.0)
    # only_es is longer idle but lacks billing.
    assert r.submit(cc.Contact("c1", channel="voice", queue="sales", requires={"spanish": 5, "billing": 1}), now=2.0) == [
        cc.Assigned(contact="c1", agent="both", at=2.0, wait=0.0)]
    # Prefers a skill nobody has: still assigned.
    assert r.submit(cc.Contact("c2", channel="voice", queue="sales", prefers={"german": 10}), now=2.0) == [
        cc.Assigned(contact="c2", agent="only_es", at=2.0, wait=0.0)]


def test_submit_many_routes_in_order_and_returns_all_events():
    r = two_channel_router()
    r.add_agent(cc.Agent("a1", channels={"voice": 1}), now=0.0)
    r.add_agent(cc.Agent("a2", channels={"voice": 1}), now=1.0)
    batch = [cc.Contact(f"c{i}", channel="voice", queue="sales") for i in range(1, 5)]
    events = r.submit_many(batch, now=5.0)
    # a1 (idle since 0) then a2 (idle since 1); c3 and c4 wait.
    assert events == [
        cc.Assigned(contact="c1", agent="a1", at=5.0, wait=0.0),
        cc.Assigned(contact="c2", agent="a2", at=5.0, wait=0.0),
    ]
    assert r.waiting("sales") == ["c3", "c4"]
    assert r.submit_many([], now=6.0) == []
    # A generator works too.
    assert r.submit_many((c for c in [cc.Contact("c5", channel="voice", queue="sales")]), now=6.0) == []
    assert r.waiting("sales") == ["c3", "c4", "c5"]
    r.check_invariants()


def test_submit_many_large_batch_matches_one_by_one():
    """Batches of 256 or more run with the GIL released: same result."""
    def run(batched: bool) -> tuple[list, dict]:
        r = make_router(queues=[cc.Queue("sales"), cc.Queue("support")])
        for i in range(20):
            r.add_agent(cc.Agent(f"a{i:02}", skills={"s": 1 + i % 10}, channels={"chat": 4, "email": 10}), now=0.0)
        contacts = [
            cc.Contact(f"c{i:03}", channel=("chat", "email")[i % 2], queue=("sales", "support")[i % 3 == 0],
                       priority=i % 4, requires={"s": 1 + i % 9})
            for i in range(400)
        ]
        if batched:
            events = r.submit_many(contacts, now=1.0)
        else:
            events = [e for c in contacts for e in r.submit(c, now=1.0)]
        r.check_invariants()
        return events, snapshot(r)

    events, snap = run(batched=True)
    assert (events, snap) == run(batched=False)
    assert len(events) == sum(len(a["contacts"]) for a in snap["agents"].values()) > 0
    assert snap["live_contacts"] == 400


def test_queue_order_is_priority_then_arrival():
    r = two_channel_router()
    r.submit(cc.Contact("low_old", channel="voice", queue="sales", priority=0), now=1.0)
    r.submit(cc.Contact("high_new", channel="voice", queue="sales", priority=5), now=2.0)
    r.submit(cc.Contact("low_new", channel="voice", queue="sales", priority=0), now=3.0)
    r.submit(cc.Contact("high_newer", channel="voice", queue="sales", priority=5), now=4.0)
    # waiting() lists in service order: by priority, then arrival.
    assert r.waiting("sales") == ["high_new", "high_newer", "low_old", "low_new"]
    r.add_agent(cc.Agent("a1"), now=5.0)
    order = ["high_new"]
    for _ in range(3):
        ev = r.complete(order[-1], now=6.0)
        order.append(ev[-1].contact)
    assert order == ["high_new", "high_newer", "low_old", "low_new"]


# -- agents --------------------------------------------------------------


def test_set_agent_state_controls_routing():
    r = two_channel_router()
    r.add_agent(cc.Agent("a1", state="away"), now=0.0)
    assert r.agents_by_state() == {"offline": 0, "available": 0, "away": 1, "busy": 0, "idle": 0}
    assert r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=1.0) == []
    assert r.set_agent_state("a1", "offline", now=2.0) == []
    assert r.agent("a1").state == "offline"
    assert r.set_agent_state("a1", "available", now=3.0) == [cc.Assigned(contact="c1", agent="a1", at=3.0, wait=2.0)]
    assert r.agent("a1").idle_since == 3.0
    # Same state again: nothing happens.
    assert r.set_agent_state("a1", "available", now=4.0) == []
    assert r.agent("a1").idle_since == 3.0
    # Going away keeps assigned contacts.
    assert r.set_agent_state("a1", "away", now=5.0) == []
    assert r.agent("a1").contacts == ["c1"]
    assert r.agents_by_state() == {"offline": 0, "available": 0, "away": 1, "busy": 1, "idle": 0}
    assert r.complete("c1", now=6.0) == [cc.Completed(contact="c1", agent="a1", at=6.0)]
    assert r.submit(cc.Contact("c2", channel="voice", queue="sales"), now=7.0) == []
    r.check_invariants()


def test_leaving_available_withdraws_pending_offers_without_excluding():
    r = two_channel_router(offer_timeout=10.0)
    r.add_agent(cc.Agent("a1"), now=0.0)
    assert r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=1.0) == [
        cc.Offered(contact="c1", agent="a1", at=1.0, expires=11.0)]
    assert r.set_agent_state("a1", "away", now=2.0) == [cc.Requeued(contact="c1", agent="a1", at=2.0)]
    assert r.contact("c1").status == "waiting"
    # Requeued does not exclude: coming back gets the same contact again.
    assert r.set_agent_state("a1", "available", now=3.0) == [
        cc.Offered(contact="c1", agent="a1", at=3.0, expires=13.0)]
    r.check_invariants()


def test_remove_agent():
    r = two_channel_router(offer_timeout=10.0)
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.add_agent(cc.Agent("a2", state="away"), now=0.0)
    r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=1.0)
    # A pending offer goes back and, routed again, finds nobody.
    assert r.remove_agent("a1", now=2.0) == [cc.Requeued(contact="c1", agent="a1", at=2.0)]
    assert r.agent_ids() == ["a2"]
    with pytest.raises(cc.UnknownId, match='"a1"'):
        r.agent("a1")
    assert r.set_agent_state("a2", "available", now=3.0) == [
        cc.Offered(contact="c1", agent="a2", at=3.0, expires=13.0)]
    r.accept("c1", "a2", now=4.0)
    with pytest.raises(cc.InvalidState, match='"a2"'):
        r.remove_agent("a2", now=5.0)
    r.complete("c1", now=6.0)
    assert r.remove_agent("a2", now=7.0) == []
    assert r.agent_ids() == []
    # The id can be used again.
    r.add_agent(cc.Agent("a1"), now=8.0)
    assert r.agent("a1").handled == 0
    r.check_invariants()


def test_agent_view_fields():
    r = two_channel_router()
    r.add_agent(cc.Agent("a1", skills={"spanish": 7}, capacity=100, channels={"voice": 1, "chat": 3},
                         attributes={"team": "north"}), now=0.5)
    v = r.agent("a1")
    assert (v.id, v.state, v.skills, v.capacity, v.used, v.load, v.contacts) == (
        "a1", "available", {"spanish": 7}, 100, 0, 0.0, [])
    assert v.held == {"voice": 0, "chat": 0}
    assert v.max == {"voice": 1, "chat": 3}
    assert (v.wrap_ups, v.handled, v.idle_since, v.busy, v.attributes) == (0, 0, 0.5, False, {"team": "north"})
    r.submit_many([cc.Contact("k1", channel="chat", queue="sales"), cc.Contact("k2", channel="chat", queue="sales")], now=1.0)
    v = r.agent("a1")
    assert (v.used, v.load, v.contacts, v.held, v.busy) == (50, 0.5, ["k1", "k2"], {"voice": 0, "chat": 2}, True)
    r.complete("k1", now=2.0)
    v = r.agent("a1")
    assert (v.used, v.load, v.contacts, v.handled, v.idle_since) == (25, 0.25, ["k2"], 1, 2.0)
    # An agent with no channel map serves every channel at its default.
    r.add_agent(cc.Agent("a2"), now=3.0)
    assert r.agent("a2").max == {"voice": 1, "chat": 4}


def test_agents_by_state_counts():
    r = two_channel_router()
    r.add_agent(cc.Agent("idle1"), now=0.0)
    r.add_agent(cc.Agent("busy1", channels={"chat": 4}), now=0.0)
    r.add_agent(cc.Agent("away1", state="away"), now=0.0)
    r.add_agent(cc.Agent("off1", state="offline"), now=0.0)
    r.add_agent(cc.Agent("off2", state="offline"), now=0.0)
    # idle1 and busy1 are both idle since 0: the tie goes to the smaller id, busy1.
    r.submit(cc.Contact("k1", channel="chat", queue="sales"), now=1.0)
    assert r.agent("busy1").contacts == ["k1"]
    assert r.agents_by_state() == {"offline": 2, "available": 2, "away": 1, "busy": 1, "idle": 1}
    assert r.agent_ids() == ["away1", "busy1", "idle1", "off1", "off2"]


# -- contacts through their life -----------------------------------------


def test_contact_view_through_its_life_offer_mode():
    r = two_channel_router(offer_timeout=10.0)
    r.submit(cc.Contact("c1", channel="voice", queue="sales", priority=3, requires={"spanish": 5},
                        attributes={"vip": True}), now=1.0)
    v = r.contact("c1")
    assert (v.id, v.status, v.channel, v.queue, v.priority, v.arrival, v.wait, v.agent, v.requires, v.step, v.attributes) == (
        "c1", "waiting", "voice", "sales", 3, 1.0, 0.0, None, {"spanish": 5}, 0, {"vip": True})
    r.advance(4.0)
    assert r.contact("c1").wait == 3.0
    r.add_agent(cc.Agent("a1", skills={"spanish": 6}), now=5.0)
    v = r.contact("c1")
    assert (v.status, v.agent, v.wait) == ("offered", "a1", 4.0)
    r.accept("c1", "a1", now=6.0)
    v = r.contact("c1")
    assert (v.status, v.agent, v.wait) == ("assigned", "a1", 5.0)
    r.advance(50.0)
    assert r.contact("c1").wait == 5.0  # frozen once answered
    r.complete("c1", now=60.0)
    v = r.contact("c1")
    assert (v.status, v.agent, v.wait, v.arrival, v.queue, v.channel) == ("completed", "a1", 5.0, 1.0, "sales", "voice")
    assert (v.priority, v.requires, v.attributes) == (None, {}, {})
    assert r.live_contacts == 0


def test_cancel_waiting_and_offered_contacts():
    r = two_channel_router(offer_timeout=10.0)
    r.submit(cc.Contact("w", channel="voice", queue="sales"), now=1.0)
    assert r.cancel("w", now=4.0) == [cc.Abandoned(contact="w", at=4.0, wait=3.0)]
    v = r.contact("w")
    assert (v.status, v.agent, v.wait) == ("abandoned", None, 3.0)
    assert r.waiting("sales") == []
    r.add_agent(cc.Agent("a1"), now=5.0)
    r.submit_many([cc.Contact("o", channel="voice", queue="sales"), cc.Contact("next", channel="voice", queue="sales")], now=5.0)
    assert r.contact("o").status == "offered"
    # The offered contact abandons: the agent is free and gets the next one.
    assert r.cancel("o", now=7.0) == [
        cc.Abandoned(contact="o", at=7.0, wait=2.0),
        cc.Offered(contact="next", agent="a1", at=7.0, expires=17.0),
    ]
    assert r.contact("o").status == "abandoned"
    s = r.stats()["sales"]
    assert (s.abandoned, s.abandoned_in_sl, s.answered, s.waiting, s.offering) == (2, 2, 0, 1, 1)
    r.check_invariants()


def test_accept_and_reject_in_offer_mode():
    r = two_channel_router(offer_timeout=10.0)
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.add_agent(cc.Agent("a2"), now=1.0)
    assert r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=2.0) == [
        cc.Offered(contact="c1", agent="a1", at=2.0, expires=12.0)]
    assert r.agent("a1").contacts == ["c1"]
    assert r.agent("a1").used == 100
    assert r.stats()["sales"].offering == 1
    # a1 rejects: a2 gets the offer; a1 is free again but excluded for c1.
    assert r.reject("c1", "a1", now=3.0) == [
        cc.OfferRejected(contact="c1", agent="a1", at=3.0),
        cc.Offered(contact="c1", agent="a2", at=3.0, expires=13.0),
    ]
    assert r.agent("a1").contacts == [] and r.agent("a1").used == 0
    assert r.accept("c1", "a2", now=4.5) == [cc.Assigned(contact="c1", agent="a2", at=4.5, wait=2.5)]
    s = r.stats()["sales"]
    assert (s.answered, s.asa, s.offering, s.waiting) == (1, 2.5, 0, 0)
    assert r.decisions == 2
    r.check_invariants()


def test_complete_frees_the_agent_for_the_next_contact():
    r = two_channel_router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit_many([cc.Contact("c1", channel="voice", queue="sales"), cc.Contact("c2", channel="voice", queue="sales")], now=1.0)
    assert r.complete("c1", now=5.0) == [
        cc.Completed(contact="c1", agent="a1", at=5.0),
        cc.Assigned(contact="c2", agent="a1", at=5.0, wait=4.0),
    ]
    assert r.agent("a1").handled == 1
    assert r.stats()["sales"].completed == 1


def test_advance_and_next_timer():
    r = two_channel_router(offer_timeout=10.0)
    assert r.now == 0.0
    assert r.next_timer() is None
    assert r.advance(5.0) == []
    assert r.now == 5.0
    r.add_agent(cc.Agent("a1"), now=5.0)
    r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=6.0)
    assert r.next_timer() == 16.0
    assert r.advance(15.9) == []
    # a1 missed the offer: moved away; its exclusion from c1 expires at 76.
    assert r.advance(16.0) == [cc.OfferExpired(contact="c1", agent="a1", at=16.0),
                               cc.NotResponding(contact="c1", agent="a1", state="away", at=16.0)]
    assert r.next_timer() == 76.0
    # Advancing to the same time is allowed.
    assert r.advance(16.0) == []
    assert r.advance(76.0) == []
    assert r.next_timer() is None


def test_retain_finished_limits_what_is_remembered():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], retain_finished=2)
    r.add_agent(cc.Agent("a"), now=0.0)
    for i in range(3):
        r.submit(cc.Contact(f"c{i}", channel="voice", queue="q"), now=float(i))
        r.complete(f"c{i}", now=float(i) + 0.5)
    # The oldest ended contact is forgotten: unknown, and its id usable again.
    with pytest.raises(cc.UnknownId, match='"c0"'):
        r.contact("c0")
    assert r.contact("c1").status == "completed"
    assert r.contact("c2").status == "completed"
    with pytest.raises(cc.DuplicateId, match='"c1"'):
        r.submit(cc.Contact("c1", channel="voice", queue="q"), now=4.0)
    assert r.submit(cc.Contact("c0", channel="voice", queue="q"), now=4.0) == [
        cc.Assigned(contact="c0", agent="a", at=4.0, wait=0.0)]


# -- statistics ----------------------------------------------------------


def test_stats_service_level_asa_and_counters():
    r = make_router(queues=[cc.Queue("sales", sl_target=0.8, sl_threshold=20.0), cc.Queue("idle")])
    s = r.stats()
    assert set(s) == {"sales", "idle"}
    empty = s["idle"]
    assert (empty.service_level, empty.asa, empty.abandon_rate, empty.longest_wait, empty.waiting) == (None, None, None, 0.0, 0)
    # Five voice calls, one agent, worked by hand:
    #   c1 arrives 0, answered 0 (wait 0), completed 30
    #   c2 arrives 5, answered 30 (wait 25 > 20: outside the SL), completed 40
    #   c3 arrives 10, abandons 15 (wait 5, within the SL)
    #   c4 arrives 12, answered 40 (wait 28), completed 41
    #   c5 arrives 35, answered 41 (wait 6), still on the call
    r.add_agent(cc.Agent("a1", channels={"voice": 1}), now=0.0)
    r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=0.0)
    r.submit(cc.Contact("c2", channel="voice", queue="sales"), now=5.0)
    r.submit(cc.Contact("c3", channel="voice", queue="sales"), now=10.0)
    r.submit(cc.Contact("c4", channel="voice", queue="sales"), now=12.0)
    st = r.stats()["sales"]
    assert (st.waiting, st.longest_wait) == (3, 7.0)
    r.cancel("c3", now=15.0)
    r.complete("c1", now=30.0)
    r.submit(cc.Contact("c5", channel="voice", queue="sales"), now=35.0)
    r.advance(38.0)
    st = r.stats()["sales"]
    assert (st.waiting, st.longest_wait) == (2, 26.0)  # c4 since 12
    r.complete("c2", now=40.0)
    r.complete("c4", now=41.0)
    st = r.stats()["sales"]
    assert st.name == "sales"
    assert (st.offered, st.answered, st.answered_in_sl, st.abandoned, st.abandoned_in_sl) == (5, 4, 2, 1, 1)
    assert (st.completed, st.overflowed_in, st.overflowed_out, st.refused) == (3, 0, 0, 0)
    assert (st.waiting, st.offering, st.longest_wait) == (0, 0, 0.0)
    assert st.service_level == pytest.approx(2 / 5)
    assert st.asa == pytest.approx((0 + 25 + 28 + 6) / 4)
    assert st.abandon_rate == pytest.approx(1 / 5)
    assert (st.sl_target, st.sl_threshold) == (0.8, 20.0)
    assert st.offered == st.answered + st.abandoned + st.overflowed_out + st.waiting
    d = st.to_dict()
    assert d["service_level"] == st.service_level and d["offered"] == 5 and d["name"] == "sales"
    assert set(d) == {
        "name", "waiting", "offering", "longest_wait", "callbacks_waiting", "callbacks_calling", "scheduled", "entered", "offered", "answered", "answered_in_sl", "abandoned",
        "abandoned_in_sl", "completed", "overflowed_in", "overflowed_out", "refused", "missed_offers", "service_level", "asa",
        "abandon_rate", "sl_target", "sl_threshold", "transferred_in", "transferred_out", "transfers_failed",
        "callback_calls", "callbacks_failed", "refused_closed", "held", "exceptions", "cancelled", "open", "paused"}
    assert r.stats()["idle"].offered == 0


def test_service_level_threshold_is_inclusive():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", sl_threshold=20.0)])
    r.submit(cc.Contact("c1", channel="voice", queue="q"), now=0.0)
    r.add_agent(cc.Agent("a1"), now=20.0)  # waited exactly 20 s
    assert r.stats()["q"].answered_in_sl == 1


# -- multichannel capacity -----------------------------------------------


def test_voice_blocks_chat_and_chat_blocks_voice():
    r = two_channel_router()
    r.add_agent(cc.Agent("a1", channels={"voice": 1, "chat": 3}), now=0.0)
    assert r.submit(cc.Contact("v1", channel="voice", queue="sales"), now=1.0)[0].agent == "a1"
    # On a voice call (100 units): no chat.
    assert r.submit(cc.Contact("k1", channel="chat", queue="sales"), now=2.0) == []
    # The call ends: the waiting chat is taken; now 75 units free: no voice.
    assert r.complete("v1", now=3.0) == [
        cc.Completed(contact="v1", agent="a1", at=3.0),
        cc.Assigned(contact="k1", agent="a1", at=3.0, wait=1.0),
    ]
    assert r.submit(cc.Contact("v2", channel="voice", queue="sales"), now=4.0) == []
    # More chats up to the agent's chat maximum of 3 (not the channel's 4).
    ev = r.submit_many([cc.Contact(f"k{i}", channel="chat", queue="sales") for i in (2, 3, 4)], now=5.0)
    assert [e.contact for e in ev] == ["k2", "k3"]
    v = r.agent("a1")
    assert (v.held, v.used) == ({"voice": 0, "chat": 3}, 75)
    r.check_invariants()


def test_chat_up_to_the_channel_maximum_and_capacity_units():
    r = two_channel_router()
    # Default chat maximum 4 = 100 units.
    r.add_agent(cc.Agent("full"), now=0.0)
    ev = r.submit_many([cc.Contact(f"k{i}", channel="chat", queue="sales") for i in range(5)], now=1.0)
    assert [e.agent for e in ev] == ["full"] * 4
    assert r.agent("full").held == {"voice": 0, "chat": 4}
    # Capacity 60: two chats (50 units); a third would need 75.
    r.add_agent(cc.Agent("small", capacity=60), now=2.0)
    assert r.submit(cc.Contact("k5", channel="chat", queue="sales"), now=3.0) == [
        cc.Assigned(contact="k5", agent="small", at=3.0, wait=0.0)]
    assert r.agent("small").held["chat"] == 2  # k4 (waiting) and k5
    assert r.waiting("sales") == []
    assert r.submit(cc.Contact("k6", channel="chat", queue="sales"), now=3.0) == []
    # Capacity 60 never fits a voice call.
    r.complete("k4", now=4.0)  # small now holds k5 only
    assert r.submit(cc.Contact("v", channel="voice", queue="sales"), now=4.0) == []
    r.check_invariants()


def test_channel_not_listed_is_not_served():
    r = two_channel_router()
    r.add_agent(cc.Agent("chatter", channels={"chat": 2}), now=0.0)
    r.add_agent(cc.Agent("zero", channels={"voice": 0, "chat": 1}), now=0.0)
    assert r.submit(cc.Contact("v", channel="voice", queue="sales"), now=1.0) == []
    assert r.agent("chatter").max == {"voice": 0, "chat": 2}


# -- wrap-up -------------------------------------------------------------


def test_wrap_up_keeps_the_slot_then_frees_it():
    r = cc.Router(channels=[cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=30.0), CHAT], queues=[cc.Queue("sales")])
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit(cc.Contact("v1", channel="voice", queue="sales"), now=1.0)
    r.submit(cc.Contact("v2", channel="voice", queue="sales"), now=2.0)
    r.submit(cc.Contact("k1", channel="chat", queue="sales"), now=3.0)
    assert r.complete("v1", now=10.0) == [cc.Completed(contact="v1", agent="a1", at=10.0)]
    v = r.agent("a1")
    assert (v.contacts, v.held, v.used, v.wrap_ups, v.busy, v.handled) == ([], {"voice": 1, "chat": 0}, 100, 1, True, 1)
    assert r.contact("v1").status == "completed"
    assert r.next_timer() == 40.0
    assert r.advance(39.5) == []
    # Wrap-up ends at 40: the slot frees and the oldest waiting contact (v2) is taken.
    assert r.advance(45.0) == [
        cc.WrapUpEnded(contact="v1", agent="a1", at=40.0),
        cc.Assigned(contact="v2", agent="a1", at=40.0, wait=38.0),
    ]
    assert r.agent("a1").idle_since == 40.0
    assert r.agent("a1").wrap_ups == 0
    r.check_invariants()


# -- forced assignment ---------------------------------------------------


def test_force_assign_ignores_skills_state_and_offers_but_not_capacity():
    r = two_channel_router(offer_timeout=10.0)
    r.add_agent(cc.Agent("away", state="away", channels={"voice": 1, "chat": 3}), now=0.0)
    r.submit(cc.Contact("c1", channel="chat", queue="sales", requires={"german": 9}), now=1.0)
    # Nobody has german and the agent is away, yet a supervisor may put the
    # contact on it; it is answered at once, even in offer mode.
    assert r.force_assign("c1", "away", now=3.0) == [cc.Assigned(contact="c1", agent="away", at=3.0, wait=2.0)]
    v = r.contact("c1")
    assert (v.status, v.agent) == ("assigned", "away")
    assert r.agent("away").held == {"voice": 0, "chat": 1}
    s = r.stats()["sales"]
    assert (s.answered, s.waiting, s.asa) == (1, 0, 2.0)
    assert r.decisions == 1
    r.check_invariants()
    assert r.complete("c1", now=4.0) == [cc.Completed(contact="c1", agent="away", at=4.0)]


def test_force_assign_takes_a_contact_waiting_for_another_agent():
    r = two_channel_router()
    r.add_agent(cc.Agent("pref", state="away"), now=0.0)
    r.add_agent(cc.Agent("other", state="away"), now=0.0)
    r.submit(cc.Contact("c", channel="voice", queue="sales", preferred_agent="pref", preferred_wait=60.0), now=1.0)
    assert r.force_assign("c", "other", now=2.0) == [cc.Assigned(contact="c", agent="other", at=2.0, wait=1.0)]
    # The end of the preferred-agent wait changes nothing any more.
    assert r.advance(100.0) == []
    r.check_invariants()


# -- misc ----------------------------------------------------------------


def test_attributes_are_kept_on_views():
    r = two_channel_router()
    attrs = {"flag": False, "n": -3, "x": 0.25, "s": "text"}
    r.add_agent(cc.Agent("a1", attributes=attrs, state="away"), now=0.0)
    r.submit(cc.Contact("c1", channel="voice", queue="sales", attributes=attrs), now=0.0)
    assert r.agent("a1").attributes == attrs
    assert r.contact("c1").attributes == attrs
    assert all(type(r.contact("c1").attributes[k]) is type(v) for k, v in attrs.items())


def test_times_may_start_anywhere_and_be_large():
    r = two_channel_router()
    t0 = 1.7e9
    assert r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=t0) == []
    assert r.add_agent(cc.Agent("a1"), now=t0 + 0.25) == [
        cc.Assigned(contact="c1", agent="a1", at=t0 + 0.25, wait=0.25)]
    assert math.isclose(r.stats()["sales"].asa, 0.25)


@pytest.mark.parametrize("fixture", ["busy_router", "busy_offer_router"])
def test_views_agree_with_each_other(fixture, request):
    r, ids = request.getfixturevalue(fixture)
    stats = r.stats()
    waiting = {q: r.waiting(q) for q in stats}
    held = {a: r.agent(a).contacts for a in r.agent_ids()}
    in_queues = [c for q in waiting.values() for c in q]
    with_agents = [c for cs in held.values() for c in cs]
    # No contact in two queues or with two agents.
    assert len(in_queues) == len(set(in_queues)) and len(with_agents) == len(set(with_agents))
    for q, cs in waiting.items():
        assert stats[q].waiting == len(cs)
        for c in cs:
            v = r.contact(c)
            assert v.queue == q and v.status in ("waiting", "offered")
            assert (v.status == "offered") == (c in with_agents)
        assert stats[q].offering == sum(r.contact(c).status == "offered" for c in cs)
    for a, cs in held.items():
        for c in cs:
            assert r.contact(c).agent == a
    live = set(in_queues) | set(with_agents)
    assert r.live_contacts == len(live)
    assert sorted(live) == sorted(ids["assigned"] + ids["waiting"] + ids["offered"])
    for c in ids["ended"]:
        assert r.contact(c).status == "completed"
    counts = r.agents_by_state()
    assert counts["available"] + counts["away"] + counts["offline"] == len(r.agent_ids())
    assert counts["busy"] == sum(r.agent(a).busy for a in r.agent_ids())
    r.check_invariants()


def test_offer_mode_on_all_three_channels(offer_router):
    r = offer_router
    r.add_agent(cc.Agent("a1"), now=0.0)
    ev = r.submit_many([cc.Contact("e1", channel="email", queue="sales"), cc.Contact("k1", channel="chat", queue="sales"),
                        cc.Contact("v1", channel="voice", queue="sales")], now=1.0)
    # Offers hold their units: email 10 + chat 25 leaves 65, too few for voice.
    assert ev == [cc.Offered(contact="e1", agent="a1", at=1.0, expires=11.0),
                  cc.Offered(contact="k1", agent="a1", at=1.0, expires=11.0)]
    assert r.agent("a1").used == 35
    assert r.stats()["sales"].offering == 2
    r.accept("e1", "a1", now=2.0)
    # k1 expires at 11: a1 did not respond and goes away (keeping e1).
    assert r.advance(11.0) == [cc.OfferExpired(contact="k1", agent="a1", at=11.0),
                               cc.NotResponding(contact="k1", agent="a1", state="away", at=11.0)]
    assert r.agent("a1").contacts == ["e1"] and r.agent("a1").state == "away"
    assert r.stats()["sales"].missed_offers == 1
    r.check_invariants()


def test_email_channel_from_the_default_fixture(router):
    router.add_agent(cc.Agent("a1"), now=0.0)
    ev = router.submit_many([cc.Contact(f"e{i}", channel="email", queue="sales") for i in range(11)], now=1.0)
    # Email costs 10 of 100 units and the default maximum is 10.
    assert len(ev) == 10
    assert router.agent("a1").held == {"voice": 0, "chat": 0, "email": 10}
    assert EMAIL.cost == 10


def test_an_ended_contact_keeps_the_number_of_steps_it_went_through():
    r = cc.Router(channels=[cc.Channel("voice")], queues=[cc.Queue("q")])
    r.submit(cc.Contact("c", channel="voice", queue="q", requires={"x": 5},
                        steps=[cc.Step(10.0, {"x": 2}), cc.Step(20.0, {})]), now=0.0)
    r.advance(25.0)
    assert r.contact("c").step == 2
    r.cancel("c", now=26.0)  # a waiting contact cancelled is abandoned
    assert r.contact("c").status == "abandoned"
    assert r.contact("c").step == 2


def test_exclusions_end_with_the_agent_session():
    # Documented: a contact excludes the agent who rejected it (or let its
    # offer expire) for as long as that agent stays logged in; an agent
    # removed and added again under the same id starts a new session and
    # may be offered the contact again.
    r = cc.Router(channels=[cc.Channel("voice")], queues=[cc.Queue("q")], offer_timeout=10.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    assert [type(e) for e in r.submit(cc.Contact("c", channel="voice", queue="q"), now=1.0)] == [cc.Offered]
    assert [type(e) for e in r.reject("c", "a", now=2.0)] == [cc.OfferRejected]
    assert r.advance(50.0) == []  # a stays free but excluded: c waits
    r.remove_agent("a", now=51.0)
    ev = r.add_agent(cc.Agent("a"), now=52.0)
    assert [(type(e), e.contact, e.agent) for e in ev] == [(cc.Offered, "c", "a")]
    r.check_invariants()
