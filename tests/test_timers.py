"""Time-driven behaviour: relaxation steps, aging across queues, overflow,
offer timeouts and rejections, preferred agent, last-agent affinity,
wrap-up, and which waiting contact a freed agent takes (contact surplus).

Every expected event list is worked out by hand from DESIGN.md; the
comments give the reasoning."""

from __future__ import annotations

import pytest

import ccroute as cc
from conftest import CHAT, VOICE


def router(*queues: cc.Queue, channels=(VOICE, CHAT), **kwargs) -> cc.Router:
    return cc.Router(channels=list(channels), queues=list(queues) or [cc.Queue("q")], **kwargs)


def voice(cid: str, queue: str = "q", **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue=queue, **kwargs)


# -- relaxation steps ----------------------------------------------------


def test_steps_widen_the_pool_as_the_contact_waits():
    r = router()
    r.add_agent(cc.Agent("es5", skills={"es": 5}), now=0.0)
    r.add_agent(cc.Agent("none"), now=0.0)
    steps = [cc.Step(after=10.0, requires={"es": 5}), cc.Step(after=30.0, requires={})]
    # Nobody has es 8: c1 waits.
    assert r.submit(voice("c1", requires={"es": 8}, steps=steps), now=0.0) == []
    v = r.contact("c1")
    assert (v.requires, v.step) == ({"es": 8}, 0)
    assert r.next_timer() == 10.0
    assert r.advance(9.5) == []
    # At 10 step 0 applies (es 5): es5 takes it, having waited 10 s.
    assert r.advance(10.0) == [
        cc.StepAdvanced(contact="c1", step=0, at=10.0),
        cc.Assigned(contact="c1", agent="es5", at=10.0, wait=10.0),
    ]
    # c2 arrives at 12 with the same steps; es5 is busy. At 22 step 0 (es 5)
    # still finds nobody free; at 42 step 1 (no requirement) lets "none" take it.
    r.submit(voice("c2", requires={"es": 8}, steps=steps), now=12.0)
    assert r.advance(50.0) == [
        cc.StepAdvanced(contact="c2", step=0, at=22.0),
        cc.StepAdvanced(contact="c2", step=1, at=42.0),
        cc.Assigned(contact="c2", agent="none", at=42.0, wait=30.0),
    ]
    r.check_invariants()


def test_requirements_of_the_last_step_stay_and_view_follows_steps():
    r = router()
    steps = [cc.Step(after=5.0, requires={"es": 4, "de": 1}), cc.Step(after=5.0, requires={"es": 2})]
    r.submit(voice("c", requires={"es": 6, "de": 2}, steps=steps), now=0.0)
    # Two steps due at the same time both apply, in order.
    assert r.advance(5.0) == [
        cc.StepAdvanced(contact="c", step=0, at=5.0),
        cc.StepAdvanced(contact="c", step=1, at=5.0),
    ]
    v = r.contact("c")
    assert (v.requires, v.step) == ({"es": 2}, 2)
    assert r.advance(1000.0) == []
    assert r.contact("c").requires == {"es": 2}
    assert r.add_agent(cc.Agent("es1", skills={"es": 1}), now=1000.0) == []
    assert r.add_agent(cc.Agent("es2", skills={"es": 2}), now=1001.0) == [
        cc.Assigned(contact="c", agent="es2", at=1001.0, wait=1001.0)]


def test_no_steps_apply_once_assigned():
    r = router()
    r.add_agent(cc.Agent("a", skills={"es": 9}), now=0.0)
    r.submit(voice("c", requires={"es": 8}, steps=[cc.Step(after=10.0, requires={})]), now=0.0)
    assert r.advance(20.0) == []
    assert r.contact("c").step == 0


def test_steps_apply_while_offered_and_count_on_return():
    r = router(offer_timeout=10.0)
    r.add_agent(cc.Agent("es9", skills={"es": 9}), now=0.0)
    r.submit(voice("c", requires={"es": 8}, steps=[cc.Step(after=5.0, requires={})]), now=0.0)
    assert r.advance(5.0) == [cc.StepAdvanced(contact="c", step=0, at=5.0)]
    assert r.contact("c").status == "offered"
    r.add_agent(cc.Agent("none"), now=6.0)
    # Rejected: the requirements now in force (none) let "none" take it.
    assert r.reject("c", "es9", now=7.0) == [
        cc.OfferRejected(contact="c", agent="es9", at=7.0),
        cc.Offered(contact="c", agent="none", at=7.0, expires=17.0),
    ]


def test_step_after_zero_applies_at_submit():
    # A step with after=0 is in force from arrival, before the first routing.
    r = router()
    r.add_agent(cc.Agent("es3", skills={"es": 3}), now=0.0)
    events = r.submit(voice("c", requires={"es": 5}, steps=[cc.Step(after=0.0, requires={"es": 3})]), now=1.0)
    assert events == [
        cc.StepAdvanced(contact="c", step=0, at=1.0),
        cc.Assigned(contact="c", agent="es3", at=1.0, wait=0.0),
    ]


# -- aging ---------------------------------------------------------------


def aging_router() -> cc.Router:
    # "vip" keeps strict priority; "std" gains 1 point of priority per second.
    r = router(cc.Queue("vip", aging_rate=0.0), cc.Queue("std", aging_rate=1.0))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy", "vip"), now=0.0)  # keeps the agent busy
    r.submit(voice("s1", "std", priority=0), now=0.0)
    r.submit(voice("v1", "vip", priority=5), now=2.0)
    return r


def test_aging_priority_wins_early():
    r = aging_router()
    # At 3: s1 has effective priority 0 + 1 x 3 = 3 < v1's 5 -> v1.
    assert r.complete("busy", now=3.0)[-1] == cc.Assigned(contact="v1", agent="a", at=3.0, wait=1.0)


def test_aging_wait_wins_late():
    r = aging_router()
    # At 10: s1 has 0 + 1 x 10 = 10 > v1's 5 -> s1, although of lower priority.
    assert r.complete("busy", now=10.0)[-1] == cc.Assigned(contact="s1", agent="a", at=10.0, wait=10.0)


def test_aging_tie_goes_to_the_longest_wait():
    r = aging_router()
    # At 5: s1 has 0 + 5 = 5 = v1's 5 -> the longest wait, s1 (arrived at 0).
    assert r.complete("busy", now=5.0)[-1].contact == "s1"


def test_aging_inside_one_queue_keeps_priority_plus_rate_times_wait():
    r = router(cc.Queue("q", aging_rate=0.5))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy"), now=0.0)
    r.submit(voice("old", priority=0), now=0.0)   # at 10: 0 + 5 = 5
    r.submit(voice("mid", priority=2), now=2.0)   # at 10: 2 + 4 = 6
    r.submit(voice("new", priority=4), now=8.0)   # at 10: 4 + 1 = 5
    order = []
    last = "busy"
    for t in (10.0, 11.0, 12.0):
        last = r.complete(last, now=t)[-1].contact
        order.append(last)
    # mid (6) first; old and new tie at 5 at time 10 and keep that tie
    # (same rate) -> the longest wait, old, then new.
    assert order == ["mid", "old", "new"]


# -- overflow ------------------------------------------------------------


def overflow_router(**kwargs) -> cc.Router:
    return router(
        cc.Queue("first", sl_threshold=20.0, overflow_to="second", overflow_after=20.0),
        cc.Queue("second", sl_threshold=30.0),
        **kwargs,
    )


def test_overflow_moves_the_contact_keeps_arrival_and_moves_stats():
    r = overflow_router()
    r.submit(voice("c", "first"), now=0.0)
    assert r.advance(19.0) == []
    assert r.advance(20.0) == [cc.Overflowed(contact="c", from_queue="first", to_queue="second", at=20.0)]
    v = r.contact("c")
    assert (v.queue, v.arrival, v.status, v.wait) == ("second", 0.0, "waiting", 20.0)
    assert r.waiting("first") == [] and r.waiting("second") == ["c"]
    first, second = r.stats()["first"], r.stats()["second"]
    assert (first.offered, first.overflowed_out, first.waiting, first.answered) == (1, 1, 0, 0)
    assert (second.offered, second.overflowed_in, second.waiting, second.longest_wait) == (1, 1, 1, 20.0)
    # Answered at 25 in "second": the wait counts from the first arrival
    # (25 s), within second's 30 s threshold.
    assert r.add_agent(cc.Agent("a"), now=25.0) == [cc.Assigned(contact="c", agent="a", at=25.0, wait=25.0)]
    first, second = r.stats()["first"], r.stats()["second"]
    assert (first.answered, first.service_level) == (0, None)
    assert (second.answered, second.answered_in_sl, second.asa, second.service_level) == (1, 1, 25.0, 1.0)
    for s in (first, second):
        assert s.offered == s.answered + s.abandoned + s.overflowed_out + s.waiting
    r.check_invariants()


def test_overflow_chain_restarts_the_wait_in_each_queue():
    r = router(
        cc.Queue("a", overflow_to="b", overflow_after=10.0),
        cc.Queue("b", overflow_to="c", overflow_after=5.0),
        cc.Queue("c"),
    )
    r.submit(voice("x", "a"), now=1.0)
    assert r.advance(100.0) == [
        cc.Overflowed(contact="x", from_queue="a", to_queue="b", at=11.0),
        cc.Overflowed(contact="x", from_queue="b", to_queue="c", at=16.0),
    ]
    assert r.contact("x").arrival == 1.0


def test_overflow_waits_when_the_target_is_full_and_skips_answered_contacts():
    r = router(cc.Queue("a", overflow_to="b", overflow_after=10.0), cc.Queue("b", max_waiting=1))
    r.submit(voice("in_b", "b"), now=0.0)
    r.submit(voice("x", "a"), now=0.0)
    # b is full at 10: x stays in a.
    assert r.advance(10.0) == []
    assert r.contact("x").queue == "a"
    # Assigned contacts never overflow.
    r2 = overflow_router()
    r2.add_agent(cc.Agent("a"), now=0.0)
    r2.submit(voice("y", "first"), now=0.0)
    assert r2.advance(100.0) == []
    assert r2.contact("y").queue == "first"


def test_overflow_after_zero_in_a_batch_and_routing_in_the_target():
    r = router(cc.Queue("front", overflow_to="back", overflow_after=0.0), cc.Queue("back"))
    r.add_agent(cc.Agent("a", state="away"), now=0.0)
    events = r.submit_many([voice("c1", "front"), voice("c2", "front")], now=1.0)
    assert events == [
        cc.Overflowed(contact="c1", from_queue="front", to_queue="back", at=1.0),
        cc.Overflowed(contact="c2", from_queue="front", to_queue="back", at=1.0),
    ]
    assert r.set_agent_state("a", "available", now=2.0) == [cc.Assigned(contact="c1", agent="a", at=2.0, wait=1.0)]
    assert r.stats()["back"].answered == 1 and r.stats()["front"].answered == 0


def test_cancel_after_overflow_counts_in_the_new_queue():
    r = overflow_router()
    r.submit(voice("c", "first"), now=0.0)
    r.advance(20.0)
    assert r.cancel("c", now=26.0) == [cc.Abandoned(contact="c", at=26.0, wait=26.0)]
    first, second = r.stats()["first"], r.stats()["second"]
    assert (first.abandoned, second.abandoned, second.abandoned_in_sl) == (0, 1, 1)
    assert r.contact("c").queue == "second"


# -- offers --------------------------------------------------------------


def test_offer_timeout_and_rejection_exclude_the_agent():
    r = router(missed_offer_state="available", exclusion_expires_after=None, offer_timeout=10.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    assert r.submit(voice("c"), now=2.0) == [cc.Offered(contact="c", agent="a", at=2.0, expires=12.0)]
    # a lets it expire at 12: b is offered it at once.
    assert r.advance(12.0) == [
        cc.OfferExpired(contact="c", agent="a", at=12.0),
        cc.Offered(contact="c", agent="b", at=12.0, expires=22.0),
    ]
    # b rejects: a is free but excluded for c, so c waits.
    assert r.reject("c", "b", now=13.0) == [cc.OfferRejected(contact="c", agent="b", at=13.0)]
    assert r.contact("c").status == "waiting"
    assert r.agents_by_state()["idle"] == 2
    r.check_invariants()
    # Another contact goes to a (longest idle, not excluded for it).
    assert r.submit(voice("d"), now=14.0) == [cc.Offered(contact="d", agent="a", at=14.0, expires=24.0)]
    # A newcomer gets c.
    assert r.add_agent(cc.Agent("z"), now=15.0) == [cc.Offered(contact="c", agent="z", at=15.0, expires=25.0)]
    assert r.accept("c", "z", now=16.0) == [cc.Assigned(contact="c", agent="z", at=16.0, wait=14.0)]
    # A late accept of an expired offer is refused.
    with pytest.raises(cc.InvalidState, match='"d"'):
        r.accept("d", "a", now=30.0)


def test_a_returned_offer_keeps_its_place_in_the_queue():
    r = router(offer_timeout=10.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("old"), now=1.0)  # offered to a
    r.submit(voice("new"), now=2.0)  # waits
    r.add_agent(cc.Agent("b", state="away"), now=2.0)
    r.reject("old", "a", now=3.0)
    # a is free again; old excludes a, so a takes new.
    assert r.contact("new").agent == "a"
    assert r.waiting("q") == ["old", "new"]
    # b comes back: old is offered first (it kept its arrival).
    assert r.set_agent_state("b", "available", now=4.0) == [cc.Offered(contact="old", agent="b", at=4.0, expires=14.0)]
    assert r.contact("old").arrival == 1.0


def test_offer_expiry_then_next_in_time_order():
    r = router(missed_offer_state="available", exclusion_expires_after=None, offer_timeout=5.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c1"), now=0.0)   # offered to a until 5
    r.submit(voice("c2"), now=1.0)   # waits
    # At 5, c1 expires for a; c2 (not excluded) goes to a and expires at 10;
    # at 10 c1 and c2 both wait and a is excluded for both.
    assert r.advance(20.0) == [
        cc.OfferExpired(contact="c1", agent="a", at=5.0),
        cc.Offered(contact="c2", agent="a", at=5.0, expires=10.0),
        cc.OfferExpired(contact="c2", agent="a", at=10.0),
    ]
    assert r.waiting("q") == ["c1", "c2"]
    r.check_invariants()


# -- preferred agent -----------------------------------------------------


def preferred_router() -> cc.Router:
    r = router()
    r.add_agent(cc.Agent("a"), now=0.0)  # longest idle
    r.add_agent(cc.Agent("b"), now=1.0)
    return r


def test_preferred_agent_free_gets_it_over_longest_idle():
    r = preferred_router()
    assert r.submit(voice("c", preferred_agent="b"), now=2.0) == [cc.Assigned(contact="c", agent="b", at=2.0, wait=0.0)]


def test_preferred_agent_busy_contact_waits_then_gets_it():
    r = preferred_router()
    r.submit(voice("busy", preferred_agent="b"), now=2.0)
    # b is busy: c waits for b up to 15 s, although a is free.
    assert r.submit(voice("c", preferred_agent="b", preferred_wait=15.0), now=3.0) == []
    assert r.contact("c").status == "waiting"
    assert r.agent("a").contacts == []
    r.check_invariants()
    # b frees at 10: c goes to b.
    assert r.complete("busy", now=10.0) == [
        cc.Completed(contact="busy", agent="b", at=10.0),
        cc.Assigned(contact="c", agent="b", at=10.0, wait=7.0),
    ]


def test_preferred_agent_wait_ends_then_anyone():
    r = preferred_router()
    r.submit(voice("busy", preferred_agent="b"), now=2.0)
    r.submit(voice("c", preferred_agent="b", preferred_wait=15.0), now=3.0)
    # Another contact arriving meanwhile may take a: c is reserved for b.
    assert r.submit(voice("other"), now=4.0) == [cc.Assigned(contact="other", agent="a", at=4.0, wait=0.0)]
    r.complete("other", now=5.0)  # a is free, still not for c
    assert r.contact("c").status == "waiting"
    # The wait ends at 18: a takes c.
    assert r.advance(30.0) == [cc.Assigned(contact="c", agent="a", at=18.0, wait=15.0)]


def test_preferred_agent_without_wait_or_unknown_routes_normally():
    r = preferred_router()
    r.submit(voice("busy", preferred_agent="b"), now=2.0)
    assert r.submit(voice("c", preferred_agent="b"), now=3.0) == [cc.Assigned(contact="c", agent="a", at=3.0, wait=0.0)]
    r2 = preferred_router()
    assert r2.submit(voice("c", preferred_agent="ghost", preferred_wait=30.0), now=3.0) == [
        cc.Assigned(contact="c", agent="a", at=3.0, wait=0.0)]


def test_preferred_agent_removed_releases_the_contact():
    r = preferred_router()
    r.add_agent(cc.Agent("p", state="away"), now=1.0)
    r.submit(voice("busy_a"), now=2.0)  # a
    r.submit(voice("c", preferred_agent="p", preferred_wait=60.0), now=3.0)
    assert r.contact("c").status == "waiting"  # b is free but c waits for p
    assert r.remove_agent("p", now=4.0) == [cc.Assigned(contact="c", agent="b", at=4.0, wait=1.0)]


# -- last-agent affinity -------------------------------------------------


def affinity_router(**kwargs) -> cc.Router:
    r = router(**kwargs)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    r.submit(voice("first", customer="cust"), now=2.0)  # a (longest idle)
    r.complete("first", now=3.0)  # a idle since 3, b since 1
    return r


def test_affinity_routes_a_returning_customer_to_the_last_agent():
    r = affinity_router()
    # b is idle longer, but cust was last served by a.
    assert r.submit(voice("again", customer="cust"), now=4.0) == [
        cc.Assigned(contact="again", agent="a", at=4.0, wait=0.0)]
    # Another customer follows the policy.
    assert r.submit(voice("new", customer="other"), now=4.0)[0].agent == "b"


def test_affinity_off_follows_the_policy():
    r = affinity_router(affinity=False)
    assert r.submit(voice("again", customer="cust"), now=4.0)[0].agent == "b"


def test_affinity_without_wait_takes_anyone_when_the_last_agent_is_busy():
    r = affinity_router()
    r.submit(voice("x"), now=4.0)  # b (longest idle)
    r.submit(voice("y"), now=4.0)  # a
    r.complete("x", now=5.0)  # b free
    assert r.submit(voice("again", customer="cust"), now=6.0) == [
        cc.Assigned(contact="again", agent="b", at=6.0, wait=0.0)]


def test_affinity_wait_holds_the_contact_for_the_last_agent():
    r = affinity_router(affinity_wait=10.0)
    r.submit(voice("x"), now=4.0)  # b
    r.submit(voice("y"), now=4.0)  # a
    r.complete("x", now=5.0)  # b free, a busy
    assert r.submit(voice("again", customer="cust"), now=6.0) == []
    # a frees at 8: it gets its returning customer.
    assert r.complete("y", now=8.0) == [
        cc.Completed(contact="y", agent="a", at=8.0),
        cc.Assigned(contact="again", agent="a", at=8.0, wait=2.0),
    ]


def test_affinity_wait_ends_then_anyone():
    r = affinity_router(affinity_wait=10.0)
    r.submit(voice("x"), now=4.0)  # b
    r.submit(voice("y"), now=4.0)  # a
    r.complete("x", now=5.0)
    r.submit(voice("again", customer="cust"), now=6.0)
    # At 16 the wait is over: b (free) takes it.
    assert r.advance(20.0) == [cc.Assigned(contact="again", agent="b", at=16.0, wait=10.0)]


def test_affinity_follows_the_most_recent_agent():
    r = affinity_router()  # cust last served by a; a idle since 3, b since 1
    r.submit(voice("x"), now=4.0)  # b (longest idle)
    assert r.submit(voice("again", customer="cust"), now=4.0)[0].agent == "a"
    r.complete("again", now=5.0)
    r.submit(voice("y"), now=6.0)  # a (the only one free)
    r.complete("x", now=7.0)
    # a is busy (no affinity wait): cust goes to b, who becomes its last agent.
    assert r.submit(voice("third", customer="cust"), now=8.0)[0].agent == "b"
    r.complete("y", now=8.5)  # a idle since 8.5
    r.complete("third", now=9.0)  # b idle since 9
    # a is idle longer, but cust's last agent is b.
    assert r.submit(voice("fourth", customer="cust"), now=10.0)[0].agent == "b"


# -- wrap-up -------------------------------------------------------------


def test_wrap_up_end_frees_the_slot_and_routes():
    r = router(channels=(cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=30.0), CHAT))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c1"), now=0.0)
    r.submit(voice("c2"), now=1.0)
    r.submit(cc.Contact("k", channel="chat", queue="q"), now=2.0)
    r.complete("c1", now=5.0)
    # In wrap-up the voice slot (100 units) is still used: neither c2 nor k.
    assert r.agent("a").held == {"voice": 1, "chat": 0}
    assert r.advance(34.0) == []
    # At 35: wrap-up ends; c2 (oldest) is taken; k waits (voice takes all).
    assert r.advance(35.0) == [
        cc.WrapUpEnded(contact="c1", agent="a", at=35.0),
        cc.Assigned(contact="c2", agent="a", at=35.0, wait=34.0),
    ]


def test_chat_wrap_up_holds_one_chat_slot():
    r = router(channels=(VOICE, cc.Channel("chat", cost=25, max_per_agent=2, wrap_up=10.0)))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit_many([cc.Contact(f"k{i}", channel="chat", queue="q") for i in range(3)], now=0.0)
    # Max 2 chats: k0, k1 taken; k2 waits. k0 completes: its slot is in wrap-up.
    assert r.complete("k0", now=1.0) == [cc.Completed(contact="k0", agent="a", at=1.0)]
    assert r.agent("a").held == {"voice": 0, "chat": 2}
    assert r.advance(11.0) == [
        cc.WrapUpEnded(contact="k0", agent="a", at=11.0),
        cc.Assigned(contact="k2", agent="a", at=11.0, wait=11.0),
    ]


def test_wrap_up_of_a_removed_agent_is_dropped():
    r = router(channels=(cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=30.0),))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c"), now=0.0)
    r.complete("c", now=1.0)
    assert r.remove_agent("a", now=2.0) == []
    # A new agent with the same id is not affected by the old wrap-up timer.
    r.add_agent(cc.Agent("a"), now=3.0)
    r.submit(voice("d"), now=4.0)
    assert r.advance(40.0) == []
    assert r.agent("a").contacts == ["d"]
    r.check_invariants()


# -- contact surplus -----------------------------------------------------


def test_freed_agent_takes_highest_priority_then_longest_wait_across_queues():
    r = router(cc.Queue("q1"), cc.Queue("q2"))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy", "q1"), now=0.0)
    r.submit(voice("p3_q1", "q1", priority=3), now=4.0)
    r.submit(voice("p1_q1", "q1", priority=1), now=5.0)
    r.submit(voice("p3_q2", "q2", priority=3), now=6.0)
    r.submit(voice("p1_q2", "q2", priority=1), now=7.0)
    # Priority 3 first (p3_q1 arrived at 4, before p3_q2 at 6), then
    # priority 1 by arrival (p1_q1 at 5, p1_q2 at 7).
    order = []
    last = "busy"
    for t in (10.0, 11.0, 12.0, 13.0):
        last = r.complete(last, now=t)[-1].contact
        order.append(last)
    assert order == ["p3_q1", "p3_q2", "p1_q1", "p1_q2"]


def test_freed_agent_takes_only_what_it_can_serve():
    r = router(cc.Queue("q1"), cc.Queue("q2"))
    r.add_agent(cc.Agent("a", skills={"es": 5}), now=0.0)
    r.submit(voice("busy", "q1"), now=0.0)
    r.submit(voice("de", "q2", priority=9, requires={"de": 1}), now=1.0)  # a cannot serve it
    r.submit(voice("es", "q1", priority=0, requires={"es": 5}), now=2.0)
    assert r.complete("busy", now=3.0)[-1] == cc.Assigned(contact="es", agent="a", at=3.0, wait=1.0)
    assert r.waiting("q2") == ["de"]


def test_freed_capacity_fills_with_several_chats_in_order():
    r = router(cc.Queue("q1"), cc.Queue("q2"))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("call", "q1"), now=0.0)
    r.submit(cc.Contact("k_old", channel="chat", queue="q2"), now=1.0)
    r.submit(cc.Contact("v_mid", channel="voice", queue="q1"), now=2.0)
    r.submit(cc.Contact("k_vip", channel="chat", queue="q1", priority=2), now=3.0)
    r.submit(cc.Contact("k_new", channel="chat", queue="q2"), now=4.0)
    # The call ends: k_vip (priority 2) first; then k_old (oldest); then
    # v_mid would be next but needs 100 units: skipped; k_new fits.
    events = r.complete("call", now=5.0)
    assert [e.contact for e in events if isinstance(e, cc.Assigned)] == ["k_vip", "k_old", "k_new"]
    assert r.waiting("q1") == ["v_mid"]
    r.check_invariants()


def test_timers_fire_in_time_order_within_one_advance():
    r = router(
        cc.Queue("a", overflow_to="b", overflow_after=7.0),
        cc.Queue("b"),
        offer_timeout=4.0,
        missed_offer_state="available",
        exclusion_expires_after=None,
        channels=(cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=5.0), CHAT),
    )
    r.add_agent(cc.Agent("x"), now=0.0)
    r.submit(voice("o", "b"), now=0.0)  # offered to x until 4
    r.submit(voice("s", "a", requires={"es": 3}, steps=[cc.Step(after=3.0, requires={})]), now=0.0)
    # 3: s's step applies (x is busy with the offer) -> waits.
    # 4: o's offer expires -> x is free, excluded for o -> s is offered to x until 8.
    # 7: s overflows from a to b (while offered).
    # 8: s's offer expires: both wait, x excluded for both.
    assert r.advance(50.0) == [
        cc.StepAdvanced(contact="s", step=0, at=3.0),
        cc.OfferExpired(contact="o", agent="x", at=4.0),
        cc.Offered(contact="s", agent="x", at=4.0, expires=8.0),
        cc.Overflowed(contact="s", from_queue="a", to_queue="b", at=7.0),
        cc.OfferExpired(contact="s", agent="x", at=8.0),
    ]
    assert r.waiting("b") == ["o", "s"]
    r.check_invariants()


def test_at_one_instant_a_wait_for_one_agent_ends_before_a_freed_agent_picks():
    # At 10 the offer of c1 to b times out and vip stops waiting for a.
    # b, freed at 10, sees vip as it stands at 10 (open to anyone) and takes
    # it over the lower-priority low, whatever order the timers were set in.
    r = router(missed_offer_state="available", exclusion_expires_after=None, offer_timeout=10.0)
    r.add_agent(cc.Agent("a", state="away"), now=0.0)
    r.add_agent(cc.Agent("b"), now=0.0)
    r.submit(voice("c1"), now=0.0)  # offered to b until 10
    r.submit(voice("vip", priority=5, preferred_agent="a", preferred_wait=6.0), now=4.0)  # waits for a until 10
    r.submit(voice("low"), now=5.0)
    assert r.advance(10.0) == [
        cc.OfferExpired(contact="c1", agent="b", at=10.0),
        cc.Offered(contact="vip", agent="b", at=10.0, expires=20.0),
    ]
    assert [r.contact(c).status for c in ("c1", "vip", "low")] == ["waiting", "offered", "waiting"]
    r.check_invariants()


def test_at_one_instant_a_relaxation_step_applies_before_a_wrap_up_ends():
    # x's wrap-up ends at 12, when s's requirement drops: x takes s, not the
    # earlier contact plain (s has the higher priority), although the
    # wrap-up timer was set first.
    wrap = cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=2.0)
    r = router(channels=(wrap, CHAT))
    r.add_agent(cc.Agent("x"), now=0.0)
    r.submit(voice("first"), now=0.0)
    r.complete("first", now=10.0)  # wrap-up until 12
    r.submit(voice("plain"), now=10.5)
    r.submit(voice("s", priority=3, requires={"es": 3}, steps=[cc.Step(after=1.0, requires={})]), now=11.0)
    assert r.advance(12.0) == [
        cc.StepAdvanced(contact="s", step=0, at=12.0),
        cc.WrapUpEnded(contact="first", agent="x", at=12.0),
        cc.Assigned(contact="s", agent="x", at=12.0, wait=1.0),
    ]
    assert r.waiting("q") == ["plain"]
    r.check_invariants()
